//! The Asky manifests (`k8s/asky/*.yaml`): namespace `asky`, ConfigMaps for
//! the init SQL and the gateway routes, passwords only in Secrets, PostgreSQL
//! with a PVC and a readiness probe.

use super::manifests::{containers, load, pod_spec};
use super::{Ctx, Obj, Verdict};
use crate::course::model::Problem;
use crate::course::msg::Msg;
use crate::k8s::Node;
use crate::msg;

const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "IngressClass",
    "PriorityClass",
];

fn node_at(o: &Obj, path: &str) -> Node {
    o.root
        .path(path)
        .or_else(|| o.root.get("metadata"))
        .unwrap_or(&o.root)
        .clone()
}

pub fn namespace(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let objs = match load(ctx, file) {
        Ok(o) => o,
        Err(v) => return v,
    };
    let mut problems = Vec::new();
    if !objs.iter().any(|o| o.kind() == "Namespace" && o.name() == "asky") {
        let (f, n) = objs.first().map_or((file.to_string(), None), |o| {
            (o.file.clone(), Some(o.root.clone()))
        });
        problems.push(Problem::new(
            &f,
            n.as_ref().map_or(0, |n| n.line),
            n.as_ref().map_or(0, |n| n.column),
            Msg::new("um objeto `kind: Namespace` com `metadata.name: asky`", "an object `kind: Namespace` with `metadata.name: asky`"),
            Msg::new("nenhum Namespace `asky`", "no Namespace `asky`"),
            Msg::new(
                "crie `k8s/asky/namespace.yaml` com `apiVersion: v1`, `kind: Namespace`, `metadata: {name: asky}`: tudo do Asky mora nele",
                "create `k8s/asky/namespace.yaml` with `apiVersion: v1`, `kind: Namespace`, `metadata: {name: asky}`: everything of Asky lives in it",
            ),
        ));
    }
    for o in objs.iter().filter(|o| !CLUSTER_SCOPED.contains(&o.kind())) {
        let ns = o.root.path("metadata.namespace").map(Node::display);
        if ns.as_deref() != Some("asky") {
            let n = node_at(o, "metadata.namespace");
            let found = ns.unwrap_or_else(|| "-".into());
            problems.push(Problem::new(
                &o.file,
                n.line,
                n.column,
                msg!("`metadata.namespace: asky` em {} `{}`", o.kind(), o.name(); "`metadata.namespace: asky` on {} `{}`", o.kind(), o.name()),
                msg!("namespace: {}", found; "namespace: {}", found),
                Msg::new(
                    "sem `namespace: asky` o objeto vai para o namespace `default` (ou para onde o kubectl apontar) e não enxerga os outros",
                    "without `namespace: asky` the object lands in `default` (or wherever kubectl points) and cannot see the others",
                ),
            ));
        }
    }
    Verdict::from_problems(problems)
}

fn data_entries(o: &Obj) -> Vec<(Node, Node)> {
    o.root
        .get("data")
        .and_then(Node::map)
        .map(<[(Node, Node)]>::to_vec)
        .unwrap_or_default()
}

pub fn configmaps(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let objs = match load(ctx, file) {
        Ok(o) => o,
        Err(v) => return v,
    };
    let cms: Vec<&Obj> = objs.iter().filter(|o| o.kind() == "ConfigMap").collect();
    let mut problems = Vec::new();
    let first = cms
        .first()
        .map(|o| (o.file.clone(), o.root.line))
        .or(objs.first().map(|o| (o.file.clone(), o.root.line)))
        .unwrap_or((file.to_string(), 0));
    let has_sql = cms.iter().any(|o| {
        data_entries(o)
            .iter()
            .any(|(k, v)| k.display().ends_with(".sql") && v.display().to_uppercase().contains("CREATE"))
    });
    if !has_sql {
        problems.push(Problem::new(
            &first.0,
            first.1,
            usize::from(first.1 > 0),
            Msg::new("um ConfigMap com o SQL de inicialização (uma chave `*.sql` com `CREATE DATABASE ...`)", "a ConfigMap with the init SQL (a `*.sql` key with `CREATE DATABASE ...`)"),
            Msg::new("nenhuma chave `.sql` com CREATE em ConfigMaps", "no `.sql` key with CREATE in ConfigMaps"),
            Msg::new(
                "o PostgreSQL roda os arquivos `.sql` de `/docker-entrypoint-initdb.d` na primeira inicialização: ponha o SQL em `data: {01-init.sql: |...}` de um ConfigMap e monte-o ali",
                "PostgreSQL runs the `.sql` files in `/docker-entrypoint-initdb.d` on first start: put the SQL under `data: {01-init.sql: |...}` of a ConfigMap and mount it there",
            ),
        ));
    }
    let has_gateway = cms.iter().any(|o| {
        let text: String = data_entries(o)
            .iter()
            .map(|(k, v)| format!("{} {}\n", k.display(), v.display()))
            .collect();
        ["auth", "pyxis", "request-manager"]
            .iter()
            .all(|s| text.contains(s))
    });
    if !has_gateway {
        problems.push(Problem::new(
            &first.0,
            first.1,
            usize::from(first.1 > 0),
            Msg::new("um ConfigMap do gateway com as rotas para auth, pyxis e request-manager", "a gateway ConfigMap with the routes to auth, pyxis and request-manager"),
            Msg::new("nenhum ConfigMap cita os três serviços", "no ConfigMap mentions the three services"),
            Msg::new(
                "o gateway lê do ConfigMap para onde mandar `/api/<serviço>/...`: liste `auth`, `pyxis` e `request-manager` com o endereço de cada Service (ex.: `http://auth.asky.svc.cluster.local`)",
                "the gateway reads from its ConfigMap where to send `/api/<service>/...`: list `auth`, `pyxis` and `request-manager` with each Service's address (e.g. `http://auth.asky.svc.cluster.local`)",
            ),
        ));
    }
    Verdict::from_problems(problems)
}

fn secretish(s: &str) -> bool {
    let l = s.to_lowercase();
    l.contains("password")
        || l.contains("passwd")
        || l.contains("senha")
        || l.ends_with("_token")
        || l.contains("secret_key")
}

/// A literal password inside text: `PASSWORD 'x'`, `password=x`, `password: x`.
fn literal_password(text: &str) -> Option<(usize, String)> {
    for (i, line) in text.lines().enumerate() {
        let l = line.to_lowercase();
        for pat in ["password '", "password \"", "password=", "password: ", "passwd="] {
            if let Some(pos) = l.find(pat) {
                let rest = &line[pos + pat.len()..];
                let value = rest.trim_matches(|c| c == '\'' || c == '"' || c == ';' || c == ' ');
                // psql variables (:'password') and env references are fine
                if !value.is_empty()
                    && !value.starts_with(':')
                    && !value.starts_with('$')
                    && !value.starts_with('`')
                {
                    return Some((i, line.trim().to_string()));
                }
            }
        }
    }
    None
}

pub fn secrets_only(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let objs = match load(ctx, file) {
        Ok(o) => o,
        Err(v) => return v,
    };
    let mut problems = Vec::new();
    let leak_hint = Msg::new(
        "senhas só em Secrets: crie um `kind: Secret` (com `stringData:`) e leia com `valueFrom: {secretKeyRef: {name: ..., key: ...}}`; ConfigMaps aparecem para qualquer um com `kubectl get configmap -o yaml`",
        "passwords only in Secrets: create a `kind: Secret` (with `stringData:`) and read it with `valueFrom: {secretKeyRef: {name: ..., key: ...}}`; ConfigMaps show up for anyone with `kubectl get configmap -o yaml`",
    );
    for o in objs.iter().filter(|o| o.kind() == "ConfigMap") {
        for (k, v) in data_entries(o) {
            let key = k.display();
            if secretish(&key) {
                problems.push(Problem::new(
                    &o.file,
                    k.line,
                    k.column,
                    Msg::new("nenhuma senha em ConfigMap", "no password in a ConfigMap"),
                    msg!("ConfigMap `{}` tem a chave `{}`", o.name(), key; "ConfigMap `{}` has the key `{}`", o.name(), key),
                    leak_hint.clone(),
                ));
            } else if let Some((offset, line)) = literal_password(&v.display()) {
                // block scalars start on the line after the key
                let line_no = if v.line > k.line {
                    v.line + offset
                } else {
                    k.line + offset
                };
                problems.push(Problem::new(
                    &o.file,
                    line_no,
                    1,
                    Msg::new(
                        "nenhuma senha escrita em ConfigMap",
                        "no password written in a ConfigMap",
                    ),
                    msg!("`{}` em `{}`", line, key; "`{}` in `{}`", line, key),
                    leak_hint.clone(),
                ));
            }
        }
    }
    let mut wants_secret = false;
    for o in &objs {
        for c in containers(o) {
            for e in c.get("env").and_then(Node::seq).unwrap_or(&[]) {
                let name = e.get("name").map(Node::display).unwrap_or_default();
                if !secretish(&name) {
                    continue;
                }
                wants_secret = true;
                if let Some(v) = e.get("value") {
                    problems.push(Problem::new(
                        &o.file,
                        v.line,
                        v.column,
                        msg!("`{}` lido de um Secret (`valueFrom.secretKeyRef`)", name; "`{}` read from a Secret (`valueFrom.secretKeyRef`)", name),
                        msg!("value: {}", v.display(); "value: {}", v.display()),
                        leak_hint.clone(),
                    ));
                }
            }
        }
    }
    let has_secret = objs.iter().any(|o| o.kind() == "Secret");
    if !has_secret && (wants_secret || !problems.is_empty() || objs.iter().any(|o| !containers(o).is_empty()))
    {
        let (f, line) = objs
            .first()
            .map_or((file.to_string(), 0), |o| (o.file.clone(), o.root.line));
        problems.push(Problem::new(
            &f,
            line,
            usize::from(line > 0),
            Msg::new(
                "um `kind: Secret` com as senhas do PostgreSQL",
                "a `kind: Secret` with the PostgreSQL passwords",
            ),
            Msg::new("nenhum Secret", "no Secret"),
            leak_hint,
        ));
    }
    Verdict::from_problems(problems)
}

fn postgres_workloads(objs: &[Obj]) -> Vec<&Obj> {
    objs.iter()
        .filter(|o| matches!(o.kind(), "StatefulSet" | "Deployment" | "Pod"))
        .filter(|o| {
            containers(o).iter().any(|c| {
                c.get("image")
                    .map(Node::display)
                    .is_some_and(|i| i.rsplit('/').next().unwrap_or("").starts_with("postgres"))
            })
        })
        .collect()
}

fn no_postgres(objs: &[Obj], file: &str) -> Verdict {
    let (f, line) = objs
        .first()
        .map_or((file.to_string(), 0), |o| (o.file.clone(), o.root.line));
    Verdict::Fail(
        vec![Problem::new(
            &f,
            line,
            usize::from(line > 0),
            Msg::new(
                "um StatefulSet com o contêiner `image: postgres:<versão>`",
                "a StatefulSet with a container `image: postgres:<version>`",
            ),
            Msg::new("nenhum contêiner PostgreSQL", "no PostgreSQL container"),
            Msg::new(
                "o PostgreSQL guarda dados: use um StatefulSet com `image: postgres:17` (versão fixa)",
                "PostgreSQL keeps data: use a StatefulSet with `image: postgres:17` (a fixed version)",
            ),
        )],
        Vec::new(),
    )
}

pub fn postgres_storage(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let objs = match load(ctx, file) {
        Ok(o) => o,
        Err(v) => return v,
    };
    let pgs = postgres_workloads(&objs);
    if pgs.is_empty() {
        return no_postgres(&objs, file);
    }
    let pvcs: Vec<&str> = objs
        .iter()
        .filter(|o| o.kind() == "PersistentVolumeClaim")
        .map(Obj::name)
        .collect();
    let mut problems = Vec::new();
    for o in pgs {
        let claim_templates: Vec<String> = o
            .root
            .path("spec.volumeClaimTemplates")
            .and_then(Node::seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|t| t.path("metadata.name").map(Node::display))
            .collect();
        let volumes = pod_spec(o)
            .and_then(|s| s.get("volumes"))
            .and_then(Node::seq)
            .unwrap_or(&[]);
        for c in containers(o) {
            if !c
                .get("image")
                .map(Node::display)
                .is_some_and(|i| i.rsplit('/').next().unwrap_or("").starts_with("postgres"))
            {
                continue;
            }
            let mounts = c.get("volumeMounts").and_then(Node::seq).unwrap_or(&[]);
            let data = mounts.iter().find(|m| {
                m.get("mountPath")
                    .map(Node::display)
                    .is_some_and(|p| p.starts_with("/var/lib/postgresql"))
            });
            let Some(m) = data else {
                problems.push(Problem::new(
                    &o.file,
                    c.line,
                    c.column,
                    Msg::new("um volumeMount em `/var/lib/postgresql/data` vindo de um PVC", "a volumeMount at `/var/lib/postgresql/data` backed by a PVC"),
                    Msg::new("os dados ficam só no contêiner", "the data stays inside the container only"),
                    Msg::new(
                        "sem volume, os dados somem quando o Pod reinicia: monte um volume em `/var/lib/postgresql/data` (com `volumeClaimTemplates` no StatefulSet)",
                        "without a volume the data is gone when the Pod restarts: mount a volume at `/var/lib/postgresql/data` (with `volumeClaimTemplates` in the StatefulSet)",
                    ),
                ));
                continue;
            };
            let vname = m.get("name").map(Node::display).unwrap_or_default();
            if claim_templates.contains(&vname) {
                continue;
            }
            let vol = volumes
                .iter()
                .find(|v| v.get("name").map(Node::display).as_deref() == Some(vname.as_str()));
            let claim = vol
                .and_then(|v| v.path("persistentVolumeClaim.claimName"))
                .map(Node::display);
            match claim {
                Some(cn) if pvcs.contains(&cn.as_str()) => {}
                Some(cn) => problems.push(Problem::new(
                    &o.file,
                    m.line,
                    m.column,
                    msg!("um PersistentVolumeClaim `{}` nos manifestos", cn; "a PersistentVolumeClaim `{}` in the manifests", cn),
                    msg!("claimName: {} sem PVC com esse nome", cn; "claimName: {} with no PVC of that name", cn),
                    Msg::new("crie o PVC (`kind: PersistentVolumeClaim`) com o mesmo nome, ou use `volumeClaimTemplates`", "create the PVC (`kind: PersistentVolumeClaim`) with the same name, or use `volumeClaimTemplates`"),
                )),
                None => {
                    let kind_of = vol
                        .and_then(|v| v.map())
                        .and_then(|m| m.iter().map(|(k, _)| k.display()).find(|k| k != "name"))
                        .unwrap_or_else(|| "-".into());
                    problems.push(Problem::new(
                        &o.file,
                        m.line,
                        m.column,
                        msg!("o volume `{}` vindo de um PVC (`volumeClaimTemplates` ou `persistentVolumeClaim`)", vname; "volume `{}` backed by a PVC (`volumeClaimTemplates` or `persistentVolumeClaim`)", vname),
                        msg!("volume `{}`: {}", vname, kind_of; "volume `{}`: {}", vname, kind_of),
                        Msg::new(
                            "`emptyDir` (ou nenhum volume) é apagado junto com o Pod: use `volumeClaimTemplates` no StatefulSet para os dados sobreviverem a reinícios",
                            "`emptyDir` (or no volume) is deleted with the Pod: use `volumeClaimTemplates` in the StatefulSet so the data survives restarts",
                        ),
                    ));
                }
            }
        }
    }
    Verdict::from_problems(problems)
}

pub fn postgres_readiness(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let objs = match load(ctx, file) {
        Ok(o) => o,
        Err(v) => return v,
    };
    let pgs = postgres_workloads(&objs);
    if pgs.is_empty() {
        return no_postgres(&objs, file);
    }
    let mut problems = Vec::new();
    for o in pgs {
        for c in containers(o) {
            if !c
                .get("image")
                .map(Node::display)
                .is_some_and(|i| i.rsplit('/').next().unwrap_or("").starts_with("postgres"))
            {
                continue;
            }
            if c.get("readinessProbe")
                .is_some_and(|p| p.map().is_some_and(|m| !m.is_empty()))
            {
                continue;
            }
            problems.push(Problem::new(
                &o.file,
                c.line,
                c.column,
                Msg::new("um `readinessProbe` no contêiner do PostgreSQL", "a `readinessProbe` on the PostgreSQL container"),
                Msg::new("nenhum readinessProbe", "no readinessProbe"),
                Msg::new(
                    "sem readinessProbe o Service manda conexões antes do banco aceitar: use `readinessProbe: {exec: {command: [pg_isready, -U, postgres]}, periodSeconds: 5}`",
                    "without a readinessProbe the Service sends connections before the database accepts them: use `readinessProbe: {exec: {command: [pg_isready, -U, postgres]}, periodSeconds: 5}`",
                ),
            ));
        }
    }
    Verdict::from_problems(problems)
}
