//! The kind cluster config (`kind.yaml`): a `Cluster` of
//! `kind.x-k8s.io/v1alpha4` with 1 control-plane and 3 workers, and no
//! field kind does not know (kind rejects unknown fields).

use super::manifests::load;
use super::{closest, Ctx, Verdict};
use crate::course::model::Problem;
use crate::course::msg::Msg;
use crate::k8s::Node;
use crate::msg;

const CLUSTER_FIELDS: &[&str] = &[
    "kind",
    "apiVersion",
    "name",
    "nodes",
    "networking",
    "featureGates",
    "runtimeConfig",
    "kubeadmConfigPatches",
    "kubeadmConfigPatchesJSON6902",
    "containerdConfigPatches",
    "containerdConfigPatchesJSON6902",
];
const NODE_FIELDS: &[&str] = &[
    "role",
    "image",
    "labels",
    "extraMounts",
    "extraPortMappings",
    "kubeadmConfigPatches",
    "kubeadmConfigPatchesJSON6902",
];
const PORT_FIELDS: &[&str] = &["containerPort", "hostPort", "listenAddress", "protocol"];
const MOUNT_FIELDS: &[&str] = &[
    "hostPath",
    "containerPath",
    "readOnly",
    "selinuxRelabel",
    "propagation",
];
const NETWORKING_FIELDS: &[&str] = &[
    "ipFamily",
    "apiServerPort",
    "apiServerAddress",
    "podSubnet",
    "serviceSubnet",
    "disableDefaultCNI",
    "kubeProxyMode",
    "dnsSearch",
];

fn unknown_fields(
    file: &str,
    node: &Node,
    known: &[&str],
    where_pt: &str,
    where_en: &str,
    out: &mut Vec<Problem>,
) {
    let known_s: Vec<String> = known.iter().map(|s| s.to_string()).collect();
    for (k, _) in node.map().unwrap_or(&[]) {
        let key = k.display();
        if known.contains(&key.as_str()) {
            continue;
        }
        let hint = match closest(&key, &known_s) {
            Some(c) => {
                msg!("você quis dizer `{}`? O kind recusa campos desconhecidos", c; "did you mean `{}`? kind rejects unknown fields", c)
            }
            None => msg!(
                "o kind recusa campos desconhecidos; confira a grafia e o recuo de `{}`", key;
                "kind rejects unknown fields; check the spelling and indentation of `{}`", key
            ),
        };
        out.push(Problem::new(
            file,
            k.line,
            k.column,
            msg!("um campo de {}: {}", where_pt, known.join(", "); "a field of {}: {}", where_en, known.join(", ")),
            msg!("campo desconhecido `{}`", key; "unknown field `{}`", key),
            hint,
        ));
    }
}

fn cluster(objs: &[super::Obj]) -> Option<&super::Obj> {
    objs.first()
}

pub fn kind_config(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let objs = match load(ctx, file) {
        Ok(o) => o,
        Err(v) => return v,
    };
    let Some(c) = cluster(&objs) else {
        return Verdict::Fail(vec![super::missing_file(file)], Vec::new());
    };
    let mut problems = Vec::new();
    let root = &c.root;
    match root.get("apiVersion") {
        Some(n) if n.as_str() == Some("kind.x-k8s.io/v1alpha4") => {}
        other => problems.push(Problem::new(
            file,
            other.map_or(1, |n| n.line),
            other.map_or(1, |n| n.column),
            Msg::same("apiVersion: kind.x-k8s.io/v1alpha4"),
            msg!("apiVersion: {}", other.map_or("-".to_string(), Node::display); "apiVersion: {}", other.map_or("-".to_string(), Node::display)),
            Msg::new(
                "a configuração do kind não é um objeto do Kubernetes: a apiVersion é `kind.x-k8s.io/v1alpha4`",
                "the kind config is not a Kubernetes object: its apiVersion is `kind.x-k8s.io/v1alpha4`",
            ),
        )),
    }
    match root.get("kind") {
        Some(n) if n.as_str() == Some("Cluster") => {}
        other => problems.push(Problem::new(
            file,
            other.map_or(1, |n| n.line),
            other.map_or(1, |n| n.column),
            Msg::same("kind: Cluster"),
            msg!("kind: {}", other.map_or("-".to_string(), Node::display); "kind: {}", other.map_or("-".to_string(), Node::display)),
            Msg::new("escreva `kind: Cluster` (C maiúsculo)", "write `kind: Cluster` (capital C)"),
        )),
    }
    if root.map().is_none() {
        return Verdict::from_problems(problems);
    }
    unknown_fields(file, root, CLUSTER_FIELDS, "Cluster", "Cluster", &mut problems);
    if let Some(net) = root.get("networking") {
        unknown_fields(
            file,
            net,
            NETWORKING_FIELDS,
            "networking",
            "networking",
            &mut problems,
        );
    }
    for n in root.get("nodes").and_then(Node::seq).unwrap_or(&[]) {
        if n.map().is_none() {
            problems.push(Problem::new(
                file,
                n.line,
                n.column,
                Msg::new(
                    "um nó como mapa: `- role: worker`",
                    "a node as a mapping: `- role: worker`",
                ),
                Msg::same(n.display()),
                Msg::new(
                    "cada item de `nodes:` é `- role: control-plane` ou `- role: worker`",
                    "each item of `nodes:` is `- role: control-plane` or `- role: worker`",
                ),
            ));
            continue;
        }
        unknown_fields(file, n, NODE_FIELDS, "um nó", "a node", &mut problems);
        for p in n.get("extraPortMappings").and_then(Node::seq).unwrap_or(&[]) {
            unknown_fields(
                file,
                p,
                PORT_FIELDS,
                "extraPortMappings",
                "extraPortMappings",
                &mut problems,
            );
        }
        for m in n.get("extraMounts").and_then(Node::seq).unwrap_or(&[]) {
            unknown_fields(file, m, MOUNT_FIELDS, "extraMounts", "extraMounts", &mut problems);
        }
        if let Some(r) = n.get("role") {
            let role = r.display();
            if role != "control-plane" && role != "worker" {
                problems.push(Problem::new(
                    file,
                    r.line,
                    r.column,
                    Msg::new(
                        "role: control-plane ou role: worker",
                        "role: control-plane or role: worker",
                    ),
                    msg!("role: {}", role; "role: {}", role),
                    Msg::new(
                        "o kind só conhece os papéis `control-plane` e `worker` (minúsculas, com hífen)",
                        "kind only knows the roles `control-plane` and `worker` (lower case, with a hyphen)",
                    ),
                ));
            }
        }
    }
    Verdict::from_problems(problems)
}

pub fn kind_nodes(ctx: &Ctx<'_>, file: &str) -> Verdict {
    let objs = match load(ctx, file) {
        Ok(o) => o,
        Err(v) => return v,
    };
    let Some(c) = cluster(&objs) else {
        return Verdict::Fail(vec![super::missing_file(file)], Vec::new());
    };
    let nodes_node = c.root.get("nodes");
    let nodes = nodes_node.and_then(Node::seq).unwrap_or(&[]);
    // A node without `role` is a control-plane (kind's default).
    let role = |n: &Node| n.get("role").map_or("control-plane".to_string(), Node::display);
    let cp = nodes.iter().filter(|n| role(n) == "control-plane").count();
    let workers = nodes.iter().filter(|n| role(n) == "worker").count();
    if cp == 1 && workers == 3 {
        return Verdict::Pass(Vec::new());
    }
    let at = nodes_node.unwrap_or(&c.root);
    Verdict::Fail(
        vec![Problem::new(
            file,
            at.line,
            at.column,
            Msg::new("1 nó control-plane e 3 nós worker", "1 control-plane node and 3 worker nodes"),
            msg!("{} control-plane e {} worker", cp, workers; "{} control-plane and {} worker", cp, workers),
            Msg::new(
                "em `nodes:` liste `- role: control-plane` uma vez e `- role: worker` três vezes (um item por linha, todos no mesmo recuo)",
                "under `nodes:` list `- role: control-plane` once and `- role: worker` three times (one item per line, all at the same indentation)",
            ),
        )],
        Vec::new(),
    )
}
