//! minikube: a 4-node profile on the docker driver; the ingress NodePorts are
//! published on 127.0.0.1 with `--ports`, images loaded with `minikube image load`.
//! minikube writes its context into `$KUBECONFIG`, which the lab points at its
//! own file so a student's current context is never switched.

use std::path::Path;

use crate::exit::Failure;
use crate::tools::Cmd;

use super::super::ingress::Ingress;
use super::super::plan::{go_duration, Ctx, Step, OWNER_LABEL, OWNER_VALUE};
use super::super::spec::{self, field_error, MinikubeProfile};
use super::Provider;

pub struct Minikube;

impl Minikube {
    fn cmd(ctx: &Ctx) -> Cmd {
        Cmd::new("minikube").env("KUBECONFIG", ctx.kubeconfig.to_string_lossy())
    }
}

impl Provider for Minikube {
    fn kube_version(&self, ctx: &Ctx) -> Option<String> {
        let file = ctx.loaded.resolve(&ctx.loaded.spec.cluster.minikube);
        let p: MinikubeProfile = spec::load_yaml(&file).ok()?;
        crate::chart::render::KubeVersion::parse(&p.kubernetes_version).ok()?;
        Some(p.kubernetes_version)
    }
    fn name(&self) -> &'static str {
        "minikube"
    }
    fn tools(&self) -> &'static [&'static str] {
        &["minikube"]
    }
    fn list_clusters(&self) -> Cmd {
        Cmd::new("minikube").args(["profile", "list", "--output", "json"])
    }
    fn parse_clusters(&self, stdout: &str) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(stdout).unwrap_or_default();
        ["valid", "invalid"]
            .iter()
            .filter_map(|k| v.get(k).and_then(|a| a.as_array()))
            .flatten()
            .filter_map(|p| p.get("Name").and_then(|n| n.as_str()).map(String::from))
            .collect()
    }
    fn create_steps(&self, ctx: &Ctx, ingress: &dyn Ingress) -> Result<Vec<Step>, Failure> {
        let file = ctx.loaded.resolve(&ctx.loaded.spec.cluster.minikube);
        let p: MinikubeProfile = spec::load_yaml(&file)?;
        let want = ctx.loaded.spec.cluster.nodes;
        if p.nodes as usize != want {
            return Err(field_error(
                &file,
                "nodes",
                format!("is {} but the lab spec's cluster.nodes is {want}", p.nodes),
            ));
        }
        let mut cmd = Self::cmd(ctx)
            .args(["start", "--profile", ctx.name.as_str()])
            .args(["--nodes", &p.nodes.to_string()])
            .args(["--driver", p.driver.as_str()])
            .args(["--kubernetes-version", p.kubernetes_version.as_str()]);
        if let Some(c) = p.cpus {
            cmd = cmd.args(["--cpus", &c.to_string()]);
        }
        if let Some(m) = &p.memory {
            cmd = cmd.args(["--memory", m.as_str()]);
        }
        if let Some(r) = &p.container_runtime {
            cmd = cmd.args(["--container-runtime", r.as_str()]);
        }
        cmd = cmd
            .arg("--ports")
            .arg(format!(
                "127.0.0.1:{}:{}",
                ctx.http_port,
                ingress.http_container_port()
            ))
            .arg("--ports")
            .arg(format!(
                "127.0.0.1:{}:{}",
                ctx.https_port,
                ingress.https_container_port()
            ))
            .arg("--extra-config")
            .arg(format!("kubelet.node-labels={OWNER_LABEL}={OWNER_VALUE}"))
            .args([
                "--wait",
                "all",
                "--wait-timeout",
                &go_duration(ctx.budget("cluster")),
            ]);
        let mut start = Step::run(
            format!("start a {}-node profile ({} driver)", p.nodes, p.driver),
            cmd,
        );
        start.creates_cluster = true;
        Ok(vec![start])
    }
    fn load_image(&self, ctx: &Ctx, archive: &Path) -> Cmd {
        Self::cmd(ctx)
            .args(["image", "load"])
            .arg(archive)
            .args(["--profile", ctx.name.as_str()])
    }
    fn export_logs(&self, ctx: &Ctx, dir: &Path) -> Cmd {
        Self::cmd(ctx)
            .args(["logs", "--profile", ctx.name.as_str(), "--file"])
            .arg(dir.join("minikube.log"))
    }
    fn delete(&self, ctx: &Ctx) -> Cmd {
        Self::cmd(ctx).args(["delete", "--profile", ctx.name.as_str()])
    }
    fn delete_named(&self, name: &str) -> Cmd {
        Cmd::new("minikube").args(["delete", "--profile", name])
    }
    fn kubeconfig_of(&self, _name: &str) -> Option<Cmd> {
        None
    }
    fn ingress_node_selector(&self) -> (&'static str, &'static str) {
        ("minikube.k8s.io/primary", "true")
    }
}
