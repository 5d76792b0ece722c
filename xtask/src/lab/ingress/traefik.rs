//! Traefik from its official Helm chart, pinned. Its Service is a NodePort
//! whose nodePorts equal the container ports kind maps from the host, so
//! traffic reaches it through kube-proxy on the mapped node wherever the
//! Traefik pod runs (no node pinning).

use crate::tools::Cmd;

use super::super::plan::{go_duration, Check, Ctx, Step};
use super::super::providers::Provider;
use super::Ingress;

pub struct Traefik;

pub const CHART_REPO: &str = "https://traefik.github.io/charts";
pub const CHART: &str = "traefik";
pub const CHART_VERSION: &str = "41.3.0";
pub const NAMESPACE: &str = "traefik";
pub const HTTP_NODE_PORT: u16 = 30080;
pub const HTTPS_NODE_PORT: u16 = 30443;

impl Ingress for Traefik {
    fn name(&self) -> &'static str {
        "traefik"
    }
    fn http_container_port(&self) -> u16 {
        HTTP_NODE_PORT
    }
    fn https_container_port(&self) -> u16 {
        HTTPS_NODE_PORT
    }
    fn namespace(&self) -> &'static str {
        NAMESPACE
    }
    fn install_steps(&self, ctx: &Ctx, _provider: &dyn Provider) -> Vec<Step> {
        let sets = [
            "service.spec.type=NodePort".to_string(),
            format!("ports.web.nodePort={HTTP_NODE_PORT}"),
            format!("ports.websecure.nodePort={HTTPS_NODE_PORT}"),
            "ingressClass.enabled=true".into(),
            "ingressClass.isDefaultClass=true".into(),
            "ingressClass.name=traefik".into(),
        ];
        let mut helm = ctx
            .helm()
            .args(["upgrade", "--install", "traefik", CHART])
            .args(["--repo", CHART_REPO, "--version", CHART_VERSION])
            .args(["--namespace", NAMESPACE]);
        for s in sets {
            helm = helm.arg("--set").arg(s);
        }
        helm = helm.args(["--labels", &ctx.owner_labels()]).args([
            "--wait",
            "--timeout",
            &go_duration(ctx.budget("ingress")),
        ]);
        vec![
            ctx.namespace_step(NAMESPACE),
            Step::run(format!("install Traefik chart {CHART_VERSION} (NodePort {HTTP_NODE_PORT}/{HTTPS_NODE_PORT}) and wait"), helm),
        ]
    }
    fn ready_steps(&self, ctx: &Ctx) -> Vec<Step> {
        vec![
            Step::poll(
                "Traefik pods are Ready",
                ctx.kubectl().args([
                    "get",
                    "pods",
                    "--namespace",
                    NAMESPACE,
                    "--selector",
                    "app.kubernetes.io/name=traefik",
                    "-o",
                    "json",
                ]),
                Check::PodsReady { min: 1 },
            ),
            Step::poll(
                "the traefik Service has a ready endpoint",
                ctx.kubectl().args([
                    "get",
                    "endpointslices",
                    "--namespace",
                    NAMESPACE,
                    "--selector",
                    "kubernetes.io/service-name=traefik",
                    "-o",
                    "json",
                ]),
                Check::EndpointsReady,
            ),
            Step::poll(
                "IngressClass traefik exists",
                ctx.kubectl()
                    .args(["get", "ingressclass", "traefik", "-o", "name"]),
                Check::NonEmpty,
            ),
        ]
    }
    fn chart_overrides(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    fn diagnostics(&self, ctx: &Ctx) -> Vec<(String, String, Cmd)> {
        vec![(
            "Traefik logs".into(),
            "traefik.log".into(),
            ctx.kubectl().args([
                "logs",
                "--namespace",
                NAMESPACE,
                "--selector",
                "app.kubernetes.io/name=traefik",
                "--all-containers",
                "--tail",
                "500",
            ]),
        )]
    }
}
