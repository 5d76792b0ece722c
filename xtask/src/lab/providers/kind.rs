//! kind: clusters from a v1alpha4 `Cluster` config, images side-loaded with
//! `docker save` + `kind load image-archive`.

use std::path::Path;

use serde_json::Value;

use crate::exit::Failure;
use crate::tools::Cmd;

use super::super::ingress::Ingress;
use super::super::plan::{Action, Ctx, Step, OWNER_LABEL, OWNER_VALUE, RUN_LABEL};
use super::super::spec::{self, field_error, KindClusterView};
use super::Provider;

pub struct Kind;

/// The label that marks the node owning the host port mappings.
pub const INGRESS_LABEL: (&str, &str) = ("ingress-ready", "true");

impl Provider for Kind {
    fn name(&self) -> &'static str {
        "kind"
    }
    fn tools(&self) -> &'static [&'static str] {
        &["kind"]
    }
    fn list_clusters(&self) -> Cmd {
        Cmd::new("kind").args(["get", "clusters"])
    }
    fn parse_clusters(&self, stdout: &str) -> Vec<String> {
        stdout
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("No kind clusters"))
            .map(String::from)
            .collect()
    }
    fn create_steps(&self, ctx: &Ctx, ingress: &dyn Ingress) -> Result<Vec<Step>, Failure> {
        let source = ctx.loaded.resolve(&ctx.loaded.spec.cluster.kind);
        let rendered = render_config(&source, ctx, ingress)?;
        let config = ctx.cluster_dir.join("kind.yaml");
        let mut create = Step::run(
            "create the cluster (isolated kubeconfig; --retain keeps failed nodes for diagnostics)",
            Cmd::new("kind")
                .args(["create", "cluster", "--name", ctx.name.as_str(), "--config"])
                .arg(&config)
                .arg("--kubeconfig")
                .arg(&ctx.kubeconfig)
                .arg("--retain"),
        );
        create.creates_cluster = true;
        Ok(vec![
            Step::new(
                "render the kind config",
                Action::Write {
                    path: config,
                    content: rendered,
                    about: format!(
                        "{} with host ports {}/{} and ownership labels",
                        spec::normalize(&source).display(),
                        ctx.http_port,
                        ctx.https_port
                    ),
                },
            ),
            create,
        ])
    }
    fn load_image(&self, ctx: &Ctx, archive: &Path) -> Cmd {
        Cmd::new("kind")
            .args(["load", "image-archive"])
            .arg(archive)
            .args(["--name", ctx.name.as_str()])
    }
    fn export_logs(&self, ctx: &Ctx, dir: &Path) -> Cmd {
        Cmd::new("kind")
            .args(["export", "logs"])
            .arg(dir)
            .args(["--name", ctx.name.as_str()])
    }
    fn delete(&self, ctx: &Ctx) -> Cmd {
        Cmd::new("kind")
            .args(["delete", "cluster", "--name", ctx.name.as_str(), "--kubeconfig"])
            .arg(&ctx.kubeconfig)
    }
    fn delete_named(&self, name: &str) -> Cmd {
        Cmd::new("kind").args(["delete", "cluster", "--name", name])
    }
    fn kubeconfig_of(&self, name: &str) -> Option<Cmd> {
        Some(Cmd::new("kind").args(["get", "kubeconfig", "--name", name]))
    }
    fn kube_version(&self, ctx: &Ctx) -> Option<String> {
        let file = ctx.loaded.resolve(&ctx.loaded.spec.cluster.kind);
        let view: KindClusterView = spec::load_yaml(&file).ok()?;
        let cp = view
            .nodes
            .iter()
            .find(|n| n.role.as_deref().unwrap_or("control-plane") == "control-plane")?;
        node_image_version(cp.image.as_deref()?)
    }
    fn ingress_node_selector(&self) -> (&'static str, &'static str) {
        INGRESS_LABEL
    }
}

/// `kindest/node:v1.36.4@sha256:…` -> `v1.36.4` (the tag, when it is a version).
pub fn node_image_version(image: &str) -> Option<String> {
    let no_digest = image.split('@').next()?;
    let last = no_digest.rsplit('/').next()?;
    let (_, tag) = last.split_once(':')?;
    crate::chart::render::KubeVersion::parse(tag).ok()?;
    Some(tag.to_string())
}

/// Reads `lab/kind.yaml`, checks it and writes the ingress node's port
/// mappings (host ports from the spec/flags, container ports from the
/// controller) and the ownership labels into every node. The result is
/// JSON, which kind reads as YAML.
pub fn render_config(source: &Path, ctx: &Ctx, ingress: &dyn Ingress) -> Result<String, Failure> {
    let view: KindClusterView = spec::load_yaml(source)?;
    let mut doc: Value = spec::load_yaml(source)?;
    let err = |field: &str, msg: String| field_error(source, field, msg);
    if view.kind != "Cluster" {
        return Err(err("kind", format!("must be `Cluster`, found `{}`", view.kind)));
    }
    if view.api_version != "kind.x-k8s.io/v1alpha4" {
        return Err(err(
            "apiVersion",
            format!("must be `kind.x-k8s.io/v1alpha4`, found `{}`", view.api_version),
        ));
    }
    let want = ctx.loaded.spec.cluster.nodes;
    if view.nodes.len() != want {
        return Err(err(
            "nodes",
            format!(
                "has {} node(s) but the lab spec's cluster.nodes is {want}",
                view.nodes.len()
            ),
        ));
    }
    let cps = view
        .nodes
        .iter()
        .filter(|n| n.role.as_deref().unwrap_or("control-plane") == "control-plane")
        .count();
    if cps != 1 {
        return Err(err(
            "nodes",
            format!("needs exactly 1 control-plane node, found {cps}"),
        ));
    }
    for (i, n) in view.nodes.iter().enumerate() {
        match &n.image {
            Some(img) if img.contains("@sha256:") => {}
            Some(img) => {
                return Err(err(
                    &format!("nodes[{i}].image"),
                    format!("`{img}` is not pinned: use the @sha256 digest from the kind release notes"),
                ))
            }
            None => {
                return Err(err(
                    &format!("nodes[{i}].image"),
                    "is missing: pin kindest/node by @sha256 digest".into(),
                ))
            }
        }
    }
    let (lk, lv) = INGRESS_LABEL;
    let ingress_nodes: Vec<usize> = view
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.labels.get(lk).map(String::as_str) == Some(lv))
        .map(|(i, _)| i)
        .collect();
    let [idx] = ingress_nodes[..] else {
        return Err(err(
            "nodes",
            format!(
                "exactly one node must carry the label {lk}: \"{lv}\" (the node with the host port mappings), found {}",
                ingress_nodes.len()
            ),
        ));
    };
    if view.nodes[idx].extra_port_mappings.len() < 2 {
        return Err(err(
            &format!("nodes[{idx}].extraPortMappings"),
            "the ingress node needs two mappings: HTTP first, then HTTPS".into(),
        ));
    }
    let nodes = doc
        .get_mut("nodes")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| err("nodes", "must be a list".into()))?;
    for (i, node) in nodes.iter_mut().enumerate() {
        let obj = node
            .as_object_mut()
            .ok_or_else(|| err(&format!("nodes[{i}]"), "must be a mapping".into()))?;
        let labels = obj
            .entry("labels")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(l) = labels.as_object_mut() {
            l.insert(OWNER_LABEL.into(), Value::String(OWNER_VALUE.into()));
            l.insert(RUN_LABEL.into(), Value::String(ctx.run_id.clone()));
        }
        if i == idx {
            let maps = obj
                .get_mut("extraPortMappings")
                .and_then(Value::as_array_mut)
                .ok_or_else(|| err("extraPortMappings", "must be a list".into()))?;
            for (m, (container, host)) in maps.iter_mut().zip([
                (ingress.http_container_port(), ctx.http_port),
                (ingress.https_container_port(), ctx.https_port),
            ]) {
                if let Some(m) = m.as_object_mut() {
                    m.insert("containerPort".into(), container.into());
                    m.insert("hostPort".into(), host.into());
                    m.entry("listenAddress")
                        .or_insert_with(|| Value::String("127.0.0.1".into()));
                    m.entry("protocol").or_insert_with(|| Value::String("TCP".into()));
                }
            }
        }
    }
    serde_json::to_string_pretty(&doc)
        .map(|s| s + "\n")
        .map_err(|e| Failure::bad_input(format!("{}: {e}", source.display())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn node_image_versions() {
        assert_eq!(
            super::node_image_version("kindest/node:v1.36.4@sha256:099e"),
            Some("v1.36.4".into())
        );
        assert_eq!(super::node_image_version("localhost:5000/node"), None);
        assert_eq!(super::node_image_version("kindest/node:latest"), None);
    }
}
