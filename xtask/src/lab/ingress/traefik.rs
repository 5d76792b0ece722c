//! Traefik from its official Helm chart, pinned. Its Service is a NodePort
//! whose nodePorts equal the container ports kind maps from the host, so
//! traffic reaches it through kube-proxy on the mapped node wherever the
//! Traefik pod runs (no node pinning).

use crate::tools::Cmd;

use super::super::install::{self, RenderSpec};
use super::super::plan::{go_duration, Check, Ctx, Step};
use super::super::providers::Provider;
use super::super::spec::Installer;
use super::Ingress;

pub struct Traefik;

pub const CHART_REPO: &str = "https://traefik.github.io/charts";
pub const CHART: &str = "traefik";
pub const CHART_VERSION: &str = "41.3.0";
pub const NAMESPACE: &str = "traefik";
pub const HTTP_NODE_PORT: u16 = 30080;
pub const HTTPS_NODE_PORT: u16 = 30443;
/// The chart archive in the repository (what `helm pull traefik --repo
/// CHART_REPO --version CHART_VERSION` downloads), for the native installer.
pub const CHART_URL: &str = "https://traefik.github.io/charts/traefik/traefik-41.3.0.tgz";

/// The `--set` overrides of the lab's Traefik.
pub fn sets() -> Vec<String> {
    vec![
        "service.spec.type=NodePort".to_string(),
        format!("ports.web.nodePort={HTTP_NODE_PORT}"),
        format!("ports.websecure.nodePort={HTTPS_NODE_PORT}"),
        "ingressClass.enabled=true".into(),
        "ingressClass.isDefaultClass=true".into(),
        "ingressClass.name=traefik".into(),
    ]
}

/// Native install: download the pinned chart archive, render it here, apply
/// it server-side (CRDs first) and wait for the rollout.
fn native_steps(ctx: &Ctx) -> Vec<Step> {
    let archive = ctx
        .cluster_dir
        .join("charts")
        .join(format!("{CHART}-{CHART_VERSION}.tgz"));
    let manifests = ctx.cluster_dir.join("manifests");
    let r = RenderSpec {
        chart: archive.clone(),
        source: None,
        release: "traefik".into(),
        namespace: NAMESPACE.into(),
        values: Vec::new(),
        sets: sets(),
        kube_version: ctx.kube_version.clone(),
        labels: install::release_labels(ctx, "traefik"),
        out: manifests.join("traefik.yaml"),
        crds_out: manifests.join("traefik.crds.yaml"),
    };
    let download = Cmd::new("curl")
        .args([
            "--fail",
            "--silent",
            "--show-error",
            "--location",
            "--create-dirs",
            "--output",
        ])
        .arg(&archive)
        .arg(CHART_URL);
    let mut steps = vec![
        ctx.namespace_step(NAMESPACE),
        Step::run(format!("download the Traefik chart {CHART_VERSION}"), download),
        install::render_step(&r),
    ];
    steps.extend(install::apply_steps(ctx, &r, "ingress"));
    steps
}

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
    fn tools(&self, ctx: &Ctx) -> Vec<&'static str> {
        match ctx.installer {
            Installer::Native => vec!["curl"],
            _ => vec!["helm"],
        }
    }
    fn install_steps(&self, ctx: &Ctx, _provider: &dyn Provider) -> Vec<Step> {
        if ctx.installer == Installer::Native {
            return native_steps(ctx);
        }
        let sets = sets();
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
