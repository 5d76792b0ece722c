//! ingress-nginx, the legacy option. It is retired upstream (final release
//! controller v1.15.1, 2026-03-19); its kind manifest uses hostPort 80/443
//! but no longer pins the node, so the lab adds the node selector of the node
//! that owns the host port mappings, and waits for the admission webhook to
//! have endpoints before any chart creates an Ingress.

use crate::tools::Cmd;

use super::super::plan::{Check, Ctx, Step};
use super::super::providers::Provider;
use super::Ingress;

pub struct Nginx;

pub const VERSION: &str = "controller-v1.15.1";
pub const MANIFEST: &str =
    "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml";
pub const NAMESPACE: &str = "ingress-nginx";

impl Ingress for Nginx {
    fn name(&self) -> &'static str {
        "nginx"
    }
    fn warning(&self) -> Option<&'static str> {
        Some("ingress-nginx is a legacy option: it is retired upstream (last release controller v1.15.1, tested up to Kubernetes 1.35); prefer the default Traefik")
    }
    fn http_container_port(&self) -> u16 {
        80
    }
    fn https_container_port(&self) -> u16 {
        443
    }
    fn namespace(&self) -> &'static str {
        NAMESPACE
    }
    fn install_steps(&self, ctx: &Ctx, provider: &dyn Provider) -> Vec<Step> {
        let (k, v) = provider.ingress_node_selector();
        let patch = serde_json::json!({
            "spec": {"template": {"spec": {"nodeSelector": {k: v, "kubernetes.io/os": "linux"}}}}
        })
        .to_string();
        vec![
            Step::run(
                format!("apply the pinned ingress-nginx {VERSION} kind manifest"),
                ctx.kubectl().args(["apply", "--filename", MANIFEST]),
            ),
            Step::run(
                "label the namespace as owned by the lab",
                ctx.kubectl()
                    .args(["label", "namespace", NAMESPACE, "--overwrite"])
                    .arg(format!(
                        "{}={}",
                        super::super::plan::OWNER_LABEL,
                        super::super::plan::OWNER_VALUE
                    )),
            ),
            Step::run(
                format!("pin the controller to the node labelled {k}={v} (it owns the host ports)"),
                ctx.kubectl()
                    .args([
                        "patch",
                        "deployment",
                        "ingress-nginx-controller",
                        "--namespace",
                        NAMESPACE,
                        "--type",
                        "merge",
                        "--patch",
                    ])
                    .arg(patch),
            ),
        ]
    }
    fn ready_steps(&self, ctx: &Ctx) -> Vec<Step> {
        vec![
            Step::poll(
                "controller pod is Ready",
                ctx.kubectl().args([
                    "get",
                    "pods",
                    "--namespace",
                    NAMESPACE,
                    "--selector",
                    "app.kubernetes.io/component=controller",
                    "-o",
                    "json",
                ]),
                Check::PodsReady { min: 1 },
            ),
            Step::poll(
                "admission webhook has endpoints (else creating an Ingress fails)",
                ctx.kubectl().args([
                    "get",
                    "endpointslices",
                    "--namespace",
                    NAMESPACE,
                    "--selector",
                    "kubernetes.io/service-name=ingress-nginx-controller-admission",
                    "-o",
                    "json",
                ]),
                Check::EndpointsReady,
            ),
        ]
    }
    fn chart_overrides(&self) -> Vec<(String, String)> {
        vec![("ingress.className".into(), "nginx".into())]
    }
    fn diagnostics(&self, ctx: &Ctx) -> Vec<(String, String, Cmd)> {
        vec![(
            "ingress-nginx controller logs".into(),
            "ingress-nginx.log".into(),
            ctx.kubectl().args([
                "logs",
                "--namespace",
                NAMESPACE,
                "--selector",
                "app.kubernetes.io/component=controller",
                "--all-containers",
                "--tail",
                "500",
            ]),
        )]
    }
}
