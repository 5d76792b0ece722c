//! Checks over Kubernetes manifests: schema, replicas, selectors, images,
//! ports, Service and Ingress wiring.

use std::collections::BTreeMap;

use super::{closest, missing_file, Ctx, Obj, Verdict};
use crate::course::model::Problem;
use crate::course::msg::Msg;
use crate::k8s::{FindingKind, Node, LAB_KUBE_VERSION};
use crate::msg;

/// The objects of `file`, or the verdict to return when there are none.
pub fn load(ctx: &Ctx<'_>, file: &str) -> Result<Vec<Obj>, Verdict> {
    if ctx.yaml_files(file).is_empty() {
        return Err(Verdict::Fail(vec![missing_file(file)], Vec::new()));
    }
    ctx.objects(file).ok_or_else(|| {
        Verdict::Skip(Msg::new(
            "o YAML não pôde ser lido (veja a verificação `yaml`)",
            "the YAML could not be read (see check `yaml`)",
        ))
    })
}

/// Objects of one kind, or a problem saying none was found.
#[allow(clippy::result_large_err)]
pub fn of_kind(objs: &[Obj], file: &str, kind: &str) -> Result<Vec<Obj>, Problem> {
    let found: Vec<Obj> = objs.iter().filter(|o| o.kind() == kind).cloned().collect();
    if found.is_empty() {
        let kinds: Vec<&str> = objs.iter().map(Obj::kind).collect();
        let (line, col) = objs
            .first()
            .and_then(|o| o.root.get("kind"))
            .map_or((0, 0), |n| (n.line, n.column));
        let seen = if kinds.is_empty() {
            "-".to_string()
        } else {
            kinds.join(", ")
        };
        return Err(Problem::new(
            file,
            line,
            col,
            msg!("um objeto `kind: {}`", kind; "an object with `kind: {}`", kind),
            msg!("kind: {}", seen; "kind: {}", seen),
            msg!(
                "escreva `kind: {}` (com maiúsculas exatamente assim) no manifesto", kind;
                "write `kind: {}` (capital letters exactly like this) in the manifest", kind
            ),
        ));
    }
    Ok(found)
}

fn at(file: &str, n: &Node, expected: Msg, found: Msg, hint: Msg) -> Problem {
    Problem::new(file, n.line, n.column, expected, found, hint)
}

pub fn schema(ctx: &Ctx<'_>, file: &str, kind: Option<&str>) -> Verdict {
    let objs = match load(ctx, file) {
        Ok(o) => o,
        Err(v) => return v,
    };
    let mut problems = Vec::new();
    if let Some(kind) = kind {
        if let Err(p) = of_kind(&objs, file, kind) {
            // A wrong apiVersion/kind pair is explained better by the schema
            // finding below; only report "no such kind" when it is absent.
            if !objs.iter().any(|o| o.kind().eq_ignore_ascii_case(kind)) {
                problems.push(p);
            }
        }
    }
    for o in &objs {
        for f in crate::k8s::validate(&o.root, LAB_KUBE_VERSION) {
            problems.push(finding_problem(&o.file, &f));
        }
    }
    Verdict::from_problems(problems)
}

/// A schema finding in both languages, with a beginner hint.
pub fn finding_problem(file: &str, f: &crate::k8s::Finding) -> Problem {
    let path = if f.path.is_empty() {
        "(documento)".to_string()
    } else {
        f.path.clone()
    };
    let path_en = if f.path.is_empty() {
        "(document)".to_string()
    } else {
        f.path.clone()
    };
    let (expected, found, hint) = match &f.kind {
        FindingKind::NotAnObject => (
            Msg::new(
                "um objeto Kubernetes (um mapa `chave: valor`)",
                "a Kubernetes object (a `key: value` mapping)",
            ),
            Msg::new("outra coisa (lista ou texto)", "something else (a list or text)"),
            Msg::new(
                "comece o arquivo com `apiVersion:`, `kind:`, `metadata:`",
                "start the file with `apiVersion:`, `kind:`, `metadata:`",
            ),
        ),
        FindingKind::MissingTypeMeta { field } => (
            msg!("o campo `{}`", field; "the field `{}`", field),
            Msg::new("campo ausente ou vazio", "missing or empty field"),
            msg!("todo manifesto começa com `apiVersion:` e `kind:`; adicione `{}:`", field; "every manifest starts with `apiVersion:` and `kind:`; add `{}:`", field),
        ),
        FindingKind::UnknownKind {
            api_version,
            kind,
            known_api_versions,
        } => {
            if known_api_versions.is_empty() {
                (
                    Msg::new("um `kind` do Kubernetes (Pod, Deployment, Service, Ingress, ...)", "a Kubernetes `kind` (Pod, Deployment, Service, Ingress, ...)"),
                    msg!("kind: {}", kind; "kind: {}", kind),
                    Msg::new("confira a grafia e as maiúsculas de `kind` (por exemplo `Deployment`, não `deployment`)", "check the spelling and capitals of `kind` (for example `Deployment`, not `deployment`)"),
                )
            } else {
                let want = known_api_versions.join(" / ");
                (
                    msg!("apiVersion: {}", want; "apiVersion: {}", want),
                    msg!("apiVersion: {}", api_version; "apiVersion: {}", api_version),
                    msg!(
                        "no Kubernetes {} o `{}` fica em `apiVersion: {}`; versões antigas (como `{}`) foram removidas",
                        LAB_KUBE_VERSION, kind, want, api_version;
                        "in Kubernetes {} a `{}` lives in `apiVersion: {}`; old versions (like `{}`) were removed",
                        LAB_KUBE_VERSION, kind, want, api_version
                    ),
                )
            }
        }
        FindingKind::UnknownField { field, allowed } => {
            let parent = f.path.rsplit_once('.').map_or("(topo)", |(p, _)| p).to_string();
            let parent_en = f
                .path
                .rsplit_once('.')
                .map_or("(top level)", |(p, _)| p)
                .to_string();
            let (hint_pt, hint_en) = match closest(field, allowed) {
                Some(c) => (
                    format!("você quis dizer `{c}`? Confira a grafia (maiúsculas contam)"),
                    format!("did you mean `{c}`? Check the spelling (capitals matter)"),
                ),
                None => (
                    format!("`{field}` não existe em `{parent}`: confira o recuo (um campo no nível errado cai no objeto errado) e a grafia"),
                    format!("`{field}` does not exist in `{parent_en}`: check the indentation (a field at the wrong level lands in the wrong object) and the spelling"),
                ),
            };
            let shown: Vec<&str> = allowed.iter().take(12).map(String::as_str).collect();
            (
                msg!("um dos campos de `{}`: {}", parent, shown.join(", "); "one of the fields of `{}`: {}", parent_en, shown.join(", ")),
                msg!("campo desconhecido `{}`", field; "unknown field `{}`", field),
                Msg::new(hint_pt, hint_en),
            )
        }
        FindingKind::WrongType { expected, found } => {
            let exp_pt: Vec<&str> = expected.iter().map(|t| type_pt(t)).collect();
            let exp_en: Vec<&str> = expected.iter().map(|t| type_en(t)).collect();
            (
                msg!("`{}` como {}", path, exp_pt.join(" ou "); "`{}` as {}", path_en, exp_en.join(" or ")),
                msg!("{}", type_pt(found); "{}", type_en(found)),
                if expected.iter().any(|t| t == "integer") && found == "string" {
                    Msg::new(
                        "números vão sem aspas: `8000`, não `\"8000\"`",
                        "numbers go without quotes: `8000`, not `\"8000\"`",
                    )
                } else if expected.iter().any(|t| t == "string")
                    && matches!(found.as_str(), "integer" | "number" | "boolean")
                {
                    Msg::new(
                        "ponha o valor entre aspas para ser texto: `\"1.0\"`, `\"true\"`",
                        "put the value in quotes to make it text: `\"1.0\"`, `\"true\"`",
                    )
                } else if expected.iter().any(|t| t == "array") {
                    Msg::new(
                        "este campo é uma lista: cada item começa com `- `",
                        "this field is a list: each item starts with `- `",
                    )
                } else if expected.iter().any(|t| t == "object") {
                    Msg::new("este campo é um mapa: coloque `chave: valor` nas linhas de baixo, com 2 espaços a mais", "this field is a mapping: put `key: value` on the lines below, two spaces deeper")
                } else {
                    Msg::new("confira o tipo do valor", "check the type of the value")
                },
            )
        }
        FindingKind::MissingField { field } => (
            msg!("o campo obrigatório `{}`", path; "the required field `{}`", path_en),
            Msg::new("campo ausente", "missing field"),
            msg!("adicione `{}:` neste objeto", field; "add `{}:` to this object", field),
        ),
        FindingKind::NotAllowed { allowed, found } => (
            msg!("um destes valores: {}", allowed.join(", "); "one of: {}", allowed.join(", ")),
            Msg::same(found.clone()),
            Msg::new(
                "use exatamente um dos valores permitidos",
                "use exactly one of the allowed values",
            ),
        ),
        FindingKind::UnsupportedVersion { asked, .. } => (
            Msg::same(LAB_KUBE_VERSION),
            Msg::same(asked.clone()),
            Msg::new(
                "versão do Kubernetes sem esquemas",
                "Kubernetes version without schemas",
            ),
        ),
    };
    Problem::new(file, f.line, f.column, expected, found, hint)
}

fn type_pt(t: &str) -> &'static str {
    match t {
        "string" => "texto",
        "integer" => "número inteiro",
        "number" => "número",
        "boolean" => "true/false",
        "array" => "lista",
        "object" => "mapa",
        _ => "vazio (null)",
    }
}

fn type_en(t: &str) -> &'static str {
    match t {
        "string" => "text (string)",
        "integer" => "whole number",
        "number" => "number",
        "boolean" => "true/false",
        "array" => "list",
        "object" => "mapping",
        _ => "empty (null)",
    }
}

/// Path of the pod spec inside a workload object.
pub fn pod_spec(o: &Obj) -> Option<&Node> {
    match o.kind() {
        "Pod" => o.root.get("spec"),
        "CronJob" => o.root.path("spec.jobTemplate.spec.template.spec"),
        _ => o.root.path("spec.template.spec"),
    }
}

pub fn containers(o: &Obj) -> Vec<&Node> {
    pod_spec(o)
        .and_then(|s| s.get("containers"))
        .and_then(Node::seq)
        .map(|s| s.iter().collect())
        .unwrap_or_default()
}

fn workload(ctx: &Ctx<'_>, file: &str, kinds: &[&str]) -> Result<Vec<Obj>, Verdict> {
    let objs = load(ctx, file)?;
    let w: Vec<Obj> = objs
        .iter()
        .filter(|o| kinds.contains(&o.kind()))
        .cloned()
        .collect();
    if w.is_empty() {
        return Err(Verdict::Fail(
            vec![of_kind(&objs, file, kinds[0])
                .err()
                .unwrap_or_else(|| missing_file(file))],
            Vec::new(),
        ));
    }
    Ok(w)
}

pub fn replicas(ctx: &Ctx<'_>, file: &str, want: i64) -> Verdict {
    let ws = match workload(ctx, file, &["Deployment"]) {
        Ok(w) => w,
        Err(v) => return v,
    };
    let mut problems = Vec::new();
    for o in &ws {
        let spec = o.root.get("spec").unwrap_or(&o.root);
        match spec.get("replicas") {
            Some(n) if n.as_i64() == Some(want) => {}
            Some(n) => problems.push(at(
                &o.file,
                n,
                msg!("replicas: {}", want; "replicas: {}", want),
                msg!("replicas: {}", n.display(); "replicas: {}", n.display()),
                msg!("o exercício pede {} réplicas (cópias do Pod): escreva `replicas: {}`", want, want; "the exercise asks for {} replicas (copies of the Pod): write `replicas: {}`", want, want),
            )),
            None => problems.push(at(
                &o.file,
                spec,
                msg!("replicas: {}", want; "replicas: {}", want),
                Msg::new("`replicas` ausente (o padrão é 1)", "`replicas` missing (the default is 1)"),
                msg!("adicione `replicas: {}` dentro de `spec:`", want; "add `replicas: {}` under `spec:`", want),
            )),
        }
    }
    Verdict::from_problems(problems)
}

fn labels_of(n: Option<&Node>) -> BTreeMap<String, String> {
    n.and_then(Node::map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.display())))
                .collect()
        })
        .unwrap_or_default()
}

fn show_labels(l: &BTreeMap<String, String>) -> String {
    if l.is_empty() {
        return "{}".into();
    }
    l.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn selector(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let ws = match workload(
        ctx,
        file,
        &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
    ) {
        Ok(w) => w,
        Err(v) => return v,
    };
    let mut problems = Vec::new();
    for o in &ws {
        let sel_node = o.root.path("spec.selector.matchLabels");
        let sel = labels_of(sel_node);
        let tpl_node = o.root.path("spec.template.metadata.labels");
        let tpl = labels_of(tpl_node);
        let where_node = sel_node
            .or(o.root.path("spec.selector"))
            .or(o.root.get("spec"))
            .unwrap_or(&o.root);
        if sel.is_empty() {
            problems.push(at(
                &o.file,
                where_node,
                Msg::new("`spec.selector.matchLabels` com pelo menos um rótulo, ex.: `app: hello-fastapi`", "`spec.selector.matchLabels` with at least one label, e.g. `app: hello-fastapi`"),
                Msg::new("`matchLabels` vazio", "an empty `matchLabels`"),
                Msg::new("o seletor diz quais Pods este Deployment controla: coloque `app: hello-fastapi` dentro de `matchLabels`, 2 espaços mais para dentro", "the selector says which Pods this Deployment owns: put `app: hello-fastapi` under `matchLabels`, two spaces deeper"),
            ));
            continue;
        }
        let missing: Vec<String> = sel
            .iter()
            .filter(|(k, v)| tpl.get(*k) != Some(v))
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        if !missing.is_empty() {
            let n = tpl_node
                .or(o.root.path("spec.template.metadata"))
                .unwrap_or(where_node);
            problems.push(at(
                &o.file,
                n,
                msg!("os rótulos do modelo do Pod contendo {}", show_labels(&sel); "the Pod template labels to contain {}", show_labels(&sel)),
                msg!("spec.template.metadata.labels: {}", show_labels(&tpl); "spec.template.metadata.labels: {}", show_labels(&tpl)),
                msg!(
                    "o seletor ({}) precisa ser igual aos rótulos de `spec.template.metadata.labels`; senão o Deployment não encontra os próprios Pods (falta: {})",
                    show_labels(&sel), missing.join(", ");
                    "the selector ({}) must match `spec.template.metadata.labels`, or the Deployment cannot find its own Pods (missing: {})",
                    show_labels(&sel), missing.join(", ")
                ),
            ));
        }
    }
    Verdict::from_problems(problems)
}

/// Splits `repo[:tag][@digest]` into (repository, tag).
pub fn split_image(image: &str) -> (String, Option<String>) {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[last_slash..].rfind(':') {
        Some(i) => (
            no_digest[..last_slash + i].to_string(),
            Some(no_digest[last_slash + i + 1..].to_string()),
        ),
        None => (no_digest.to_string(), None),
    }
}

pub fn image(ctx: &Ctx<'_>, file: &str, app: &str) -> Verdict {
    let ws = match workload(ctx, file, &["Pod", "Deployment", "StatefulSet"]) {
        Ok(w) => w,
        Err(v) => return v,
    };
    let mut problems = Vec::new();
    for o in &ws {
        let cs = containers(o);
        if cs.is_empty() {
            let n = pod_spec(o).unwrap_or(&o.root);
            problems.push(at(
                &o.file,
                n,
                Msg::new("uma lista `containers:` com o contêiner da aplicação", "a `containers:` list with the app's container"),
                Msg::new("nenhum contêiner", "no container"),
                Msg::new("`containers:` fica dentro de `spec:` do Pod, 2 espaços mais para dentro, e cada contêiner começa com `- name:`", "`containers:` goes under the Pod's `spec:`, two spaces deeper, and each container starts with `- name:`"),
            ));
            continue;
        }
        for c in cs {
            let Some(img) = c.get("image") else {
                problems.push(at(
                    &o.file,
                    c,
                    msg!("image: asky-lab/{}:0.1.0", app; "image: asky-lab/{}:0.1.0", app),
                    Msg::new("contêiner sem `image`", "a container without `image`"),
                    Msg::new(
                        "adicione `image:` com a imagem que você construiu",
                        "add `image:` with the image you built",
                    ),
                ));
                continue;
            };
            let text = img.display();
            let (repo, tag) = split_image(&text);
            if !repo.ends_with(app) {
                problems.push(at(
                    &o.file,
                    img,
                    msg!("a imagem que você construiu, `asky-lab/{}:0.1.0`", app; "the image you built, `asky-lab/{}:0.1.0`", app),
                    msg!("image: {}", text; "image: {}", text),
                    msg!("use a imagem construída com `docker build -t asky-lab/{}:0.1.0 .` e carregada com `kind load docker-image`", app; "use the image built with `docker build -t asky-lab/{}:0.1.0 .` and loaded with `kind load docker-image`", app),
                ));
            } else if tag.as_deref().is_none_or(|t| t == "latest") {
                problems.push(at(
                    &o.file,
                    img,
                    msg!("uma versão fixa, ex.: `{}:0.1.0`", repo; "a fixed version, e.g. `{}:0.1.0`", repo),
                    msg!("image: {} (equivale a `:latest`)", text; "image: {} (means `:latest`)", text),
                    Msg::new(
                        "com `:latest` (ou sem tag) o Kubernetes usa `imagePullPolicy: Always` e tenta baixar a imagem da internet, e a imagem carregada no kind é ignorada (ErrImagePull); use uma tag como `0.1.0`",
                        "with `:latest` (or no tag) Kubernetes uses `imagePullPolicy: Always` and tries to pull from the internet, ignoring the image loaded into kind (ErrImagePull); use a tag like `0.1.0`",
                    ),
                ));
            }
        }
    }
    Verdict::from_problems(problems)
}

pub fn container_port(ctx: &Ctx<'_>, file: &str, want: i64) -> Verdict {
    let ws = match workload(ctx, file, &["Pod", "Deployment", "StatefulSet"]) {
        Ok(w) => w,
        Err(v) => return v,
    };
    let mut problems = Vec::new();
    for o in &ws {
        let cs = containers(o);
        let ports: Vec<&Node> = cs
            .iter()
            .filter_map(|c| c.get("ports").and_then(Node::seq))
            .flatten()
            .filter_map(|p| p.get("containerPort"))
            .collect();
        if ports.iter().any(|p| p.as_i64() == Some(want)) {
            continue;
        }
        let n = ports
            .first()
            .copied()
            .or(cs.first().copied())
            .or(pod_spec(o))
            .unwrap_or(&o.root);
        let found: Vec<String> = ports.iter().map(|p| p.display()).collect();
        problems.push(at(
            &o.file,
            n,
            msg!("containerPort: {}", want; "containerPort: {}", want),
            if found.is_empty() {
                Msg::new("nenhuma porta declarada", "no port declared")
            } else {
                msg!("containerPort: {}", found.join(", "); "containerPort: {}", found.join(", "))
            },
            msg!(
                "o uvicorn escuta na porta {} dentro do contêiner: declare `ports:` com `- containerPort: {}` no contêiner", want, want;
                "uvicorn listens on port {} inside the container: declare `ports:` with `- containerPort: {}` in the container", want, want
            ),
        ));
    }
    Verdict::from_problems(problems)
}

fn services(ctx: &Ctx<'_>, file: &str) -> Result<Vec<Obj>, Verdict> {
    let objs = load(ctx, file)?;
    of_kind(&objs, file, "Service").map_err(|p| Verdict::Fail(vec![p], Vec::new()))
}

pub fn service_name(ctx: &Ctx<'_>, file: &str, want: &str) -> Verdict {
    let svcs = match services(ctx, file) {
        Ok(s) => s,
        Err(v) => return v,
    };
    if svcs.iter().any(|s| s.name() == want) {
        return Verdict::Pass(Vec::new());
    }
    let s = &svcs[0];
    let n = s
        .root
        .path("metadata.name")
        .or(s.root.get("metadata"))
        .unwrap_or(&s.root);
    Verdict::Fail(
        vec![at(
            &s.file,
            n,
            msg!("metadata.name: {}", want; "metadata.name: {}", want),
            msg!("metadata.name: {}", s.name(); "metadata.name: {}", s.name()),
            msg!(
                "o enunciado (e o Ingress) chamam o Service de `{}`; o nome no manifesto precisa ser o mesmo, senão `kubectl port-forward service/{}` e o Ingress não o encontram",
                want, want;
                "the statement (and the Ingress) call the Service `{}`; the manifest must use the same name, or `kubectl port-forward service/{}` and the Ingress will not find it",
                want, want
            ),
        )],
        Vec::new(),
    )
}

pub fn service_ports(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let svcs = match services(ctx, file) {
        Ok(s) => s,
        Err(v) => return v,
    };
    let container_ports = deployment_ports(ctx, file);
    let mut problems = Vec::new();
    for s in &svcs {
        let ports = s.root.path("spec.ports").and_then(Node::seq).unwrap_or(&[]);
        let Some(p) = ports
            .iter()
            .find(|p| p.get("port").and_then(Node::as_i64) == Some(80))
        else {
            let n = ports
                .first()
                .and_then(|p| p.get("port"))
                .or(s.root.get("spec"))
                .unwrap_or(&s.root);
            let found: Vec<String> = ports
                .iter()
                .filter_map(|p| p.get("port"))
                .map(Node::display)
                .collect();
            problems.push(at(
                &s.file,
                n,
                Msg::new("port: 80", "port: 80"),
                msg!("port: {}", if found.is_empty() { "-".to_string() } else { found.join(", ") }; "port: {}", if found.is_empty() { "-".to_string() } else { found.join(", ") }),
                Msg::new("o Service recebe na porta 80 (HTTP) e entrega na porta do contêiner: `port: 80` e `targetPort: 8000`", "the Service listens on port 80 (HTTP) and forwards to the container's port: `port: 80` and `targetPort: 8000`"),
            ));
            continue;
        };
        let target = p.get("targetPort");
        let ok = match target {
            Some(t) => match &t.value {
                crate::k8s::Value::Int(8000) => true,
                crate::k8s::Value::Str(name) => container_ports.iter().any(|(n, v)| n == name && *v == 8000),
                _ => false,
            },
            None => false,
        };
        if !ok {
            let n = target.unwrap_or(p);
            let found = target.map_or_else(|| "ausente (= port, 80)".to_string(), Node::display);
            let found_en = target.map_or_else(|| "missing (= port, 80)".to_string(), Node::display);
            problems.push(at(
                &s.file,
                n,
                Msg::new("targetPort: 8000 (a containerPort do Deployment)", "targetPort: 8000 (the Deployment's containerPort)"),
                msg!("targetPort: {}", found; "targetPort: {}", found_en),
                Msg::new("`targetPort` é a porta onde o contêiner escuta: a mesma `containerPort: 8000` do Deployment", "`targetPort` is the port the container listens on: the Deployment's `containerPort: 8000`"),
            ));
        }
    }
    Verdict::from_problems(problems)
}

/// (name, containerPort) of the Deployment next to the Service file.
fn deployment_ports(ctx: &Ctx<'_>, service_file: &str) -> Vec<(String, i64)> {
    let dep = sibling(service_file, "deployment.yaml");
    ctx.objects(&dep)
        .unwrap_or_default()
        .iter()
        .filter(|o| o.kind() == "Deployment")
        .flat_map(|o| containers(o).into_iter().cloned().collect::<Vec<_>>())
        .flat_map(|c| {
            c.get("ports")
                .and_then(Node::seq)
                .map(<[Node]>::to_vec)
                .unwrap_or_default()
        })
        .filter_map(|p| {
            Some((
                p.get("name").and_then(Node::as_str).unwrap_or("").to_string(),
                p.get("containerPort")?.as_i64()?,
            ))
        })
        .collect()
}

fn sibling(file: &str, name: &str) -> String {
    match file.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{name}"),
        None => name.to_string(),
    }
}

pub fn service_selector(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let svcs = match services(ctx, file) {
        Ok(s) => s,
        Err(v) => return v,
    };
    let dep_file = sibling(file, "deployment.yaml");
    let pod_labels: BTreeMap<String, String> = ctx
        .objects(&dep_file)
        .unwrap_or_default()
        .iter()
        .find(|o| o.kind() == "Deployment")
        .map(|o| labels_of(o.root.path("spec.template.metadata.labels")))
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| BTreeMap::from([("app".to_string(), "hello-fastapi".to_string())]));
    let mut problems = Vec::new();
    for s in &svcs {
        let sel_node = s.root.path("spec.selector");
        let sel = labels_of(sel_node);
        let bad: Vec<String> = sel
            .iter()
            .filter(|(k, v)| pod_labels.get(*k) != Some(v))
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        if sel.is_empty() || !bad.is_empty() {
            let n = sel_node.or(s.root.get("spec")).unwrap_or(&s.root);
            problems.push(at(
                &s.file,
                n,
                msg!("selector igual aos rótulos dos Pods do Deployment: {}", show_labels(&pod_labels); "a selector equal to the Deployment's Pod labels: {}", show_labels(&pod_labels)),
                msg!("selector: {}", show_labels(&sel); "selector: {}", show_labels(&sel)),
                Msg::new(
                    "o Service encaminha para os Pods cujos rótulos batem com `spec.selector`; copie os rótulos de `spec.template.metadata.labels` do Deployment (senão o Service fica sem endpoints)",
                    "the Service sends traffic to the Pods whose labels match `spec.selector`; copy the labels of the Deployment's `spec.template.metadata.labels` (otherwise the Service has no endpoints)",
                ),
            ));
        }
    }
    Verdict::from_problems(problems)
}

fn ingresses(ctx: &Ctx<'_>, file: &str) -> Result<Vec<Obj>, Verdict> {
    let objs = load(ctx, file)?;
    of_kind(&objs, file, "Ingress").map_err(|p| Verdict::Fail(vec![p], Vec::new()))
}

pub fn ingress_host(ctx: &Ctx<'_>, file: &str, want: &str) -> Verdict {
    let ings = match ingresses(ctx, file) {
        Ok(s) => s,
        Err(v) => return v,
    };
    let rules: Vec<(Obj, Node)> = ings
        .iter()
        .flat_map(|o| {
            o.root
                .path("spec.rules")
                .and_then(Node::seq)
                .map(<[Node]>::to_vec)
                .unwrap_or_default()
                .into_iter()
                .map(move |r| (o.clone(), r))
        })
        .collect();
    if rules
        .iter()
        .any(|(_, r)| r.get("host").and_then(Node::as_str) == Some(want))
    {
        return Verdict::Pass(Vec::new());
    }
    let o = &ings[0];
    let (n, found) = match rules.first() {
        Some((_, r)) => (
            r.get("host").unwrap_or(r).clone(),
            r.get("host").map_or("-".to_string(), Node::display),
        ),
        None => (o.root.get("spec").unwrap_or(&o.root).clone(), "-".to_string()),
    };
    Verdict::Fail(
        vec![at(
            &o.file,
            &n,
            msg!("uma regra com `host: {}`", want; "a rule with `host: {}`", want),
            msg!("host: {}", found; "host: {}", found),
            msg!(
                "em `spec.rules`, escreva `- host: {}`; o navegador manda esse nome e o Ingress escolhe a regra por ele (`curl -H 'Host: {}' http://127.0.0.1/`)",
                want, want;
                "under `spec.rules`, write `- host: {}`; the browser sends that name and the Ingress picks the rule by it (`curl -H 'Host: {}' http://127.0.0.1/`)",
                want, want
            ),
        )],
        Vec::new(),
    )
}

pub fn ingress_backend(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let ings = match ingresses(ctx, file) {
        Ok(s) => s,
        Err(v) => return v,
    };
    let dir = file.rsplit_once('/').map_or(".", |(d, _)| d);
    let all = ctx.objects(dir).unwrap_or_default();
    let services: Vec<&Obj> = all.iter().filter(|o| o.kind() == "Service").collect();
    let svc_names: Vec<String> = services.iter().map(|s| s.name().to_string()).collect();
    let mut problems = Vec::new();
    for o in &ings {
        let mut backends: Vec<&Node> = Vec::new();
        for r in o.root.path("spec.rules").and_then(Node::seq).unwrap_or(&[]) {
            for p in r.path("http.paths").and_then(Node::seq).unwrap_or(&[]) {
                if let Some(b) = p.path("backend.service") {
                    backends.push(b);
                }
            }
        }
        if backends.is_empty() {
            let n = o.root.get("spec").unwrap_or(&o.root);
            problems.push(at(
                &o.file,
                n,
                Msg::new("um caminho `http.paths` com `backend.service.name` e `port.number`", "an `http.paths` entry with `backend.service.name` and `port.number`"),
                Msg::new("nenhum backend", "no backend"),
                Msg::new("cada caminho (`path: /`, `pathType: Prefix`) aponta para um Service: `backend: {service: {name: hello-fastapi, port: {number: 80}}}`", "each path (`path: /`, `pathType: Prefix`) points at a Service: `backend: {service: {name: hello-fastapi, port: {number: 80}}}`"),
            ));
        }
        for b in backends {
            let name_node = b.get("name");
            let name = name_node.map(Node::display).unwrap_or_default();
            let Some(svc) = services.iter().find(|s| s.name() == name) else {
                let n = name_node.unwrap_or(b);
                problems.push(at(
                    &o.file,
                    n,
                    msg!("o nome de um Service que existe: {}", svc_names.join(", "); "the name of a Service that exists: {}", svc_names.join(", ")),
                    msg!("service.name: {}", name; "service.name: {}", name),
                    if svc_names.is_empty() {
                        Msg::new("crie o Service (k8s/service.yaml) antes do Ingress", "create the Service (k8s/service.yaml) before the Ingress")
                    } else {
                        msg!("use exatamente o `metadata.name` do Service: `{}`", svc_names[0]; "use exactly the Service's `metadata.name`: `{}`", svc_names[0])
                    },
                ));
                continue;
            };
            let ports: Vec<(String, i64)> = svc
                .root
                .path("spec.ports")
                .and_then(Node::seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(|p| {
                    Some((
                        p.get("name").and_then(Node::as_str).unwrap_or("").to_string(),
                        p.get("port")?.as_i64()?,
                    ))
                })
                .collect();
            let num = b.path("port.number");
            let pname = b.path("port.name");
            let ok = match (num.and_then(Node::as_i64), pname.and_then(Node::as_str)) {
                (Some(n), _) => ports.iter().any(|(_, p)| *p == n),
                (None, Some(nm)) => ports.iter().any(|(pn, _)| pn == nm),
                _ => false,
            };
            if !ok {
                let n = num.or(pname).or(b.get("port")).unwrap_or(b);
                let shown: Vec<String> = ports.iter().map(|(_, p)| p.to_string()).collect();
                let found = num.or(pname).map_or("-".to_string(), Node::display);
                problems.push(at(
                    &o.file,
                    n,
                    msg!("port.number igual a uma porta do Service `{}`: {}", name, shown.join(", "); "port.number equal to a port of Service `{}`: {}", name, shown.join(", ")),
                    msg!("port: {}", found; "port: {}", found),
                    Msg::new("o Ingress fala com a porta do Service (`port`, 80), não com a do contêiner (8000)", "the Ingress talks to the Service's port (`port`, 80), not the container's (8000)"),
                ));
            }
        }
    }
    Verdict::from_problems(problems)
}
