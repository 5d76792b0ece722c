//! The plan: phases of steps, each step one action with the exact command.
//!
//! `lab plan` prints it; `lab up` runs the very same steps, so what the plan
//! shows is what runs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::exit::Failure;
use crate::tools::Cmd;

use super::ingress::{self, Ingress};
use super::install::{self, RenderSpec};
use super::providers::{self, Provider};
use super::spec::{Budget, Installer, Loaded, ProbeSpec};
use super::ImageStore;

/// Label put on every node, namespace and Helm release the lab creates.
pub const OWNER_LABEL: &str = "asky.dev/lab-owner";
pub const OWNER_VALUE: &str = "asky-lab";
/// Label carrying the run id.
pub const RUN_LABEL: &str = "asky.dev/lab-run";

/// Everything a provider or controller needs to build its commands.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub name: String,
    pub run_id: String,
    /// `target/lab` (or `ASKY_LAB_DIR`).
    pub work_dir: PathBuf,
    /// `target/lab/<name>/`: kubeconfig, rendered configs, image archives, state.
    pub cluster_dir: PathBuf,
    /// `target/lab/<run-id>/`: report and diagnostics of this run.
    pub run_dir: PathBuf,
    pub kubeconfig: PathBuf,
    pub http_port: u16,
    pub https_port: u16,
    pub loaded: Loaded,
    pub budgets: super::spec::Budgets,
    pub image_store: ImageStore,
    /// `amd64` or `arm64`: the platform images are exported for.
    pub arch: String,
    /// How charts are installed: `Helm` or `Native` (`Auto` is resolved
    /// before the plan is built).
    pub installer: Installer,
    /// Why that installer (shown in the plan).
    pub installer_note: String,
    /// The cluster's Kubernetes version when the provider's config pins it
    /// (`.Capabilities.KubeVersion` of native renders).
    pub kube_version: Option<String>,
}

impl Ctx {
    pub fn kubectl(&self) -> Cmd {
        Cmd::new("kubectl").arg("--kubeconfig").arg(&self.kubeconfig)
    }
    pub fn helm(&self) -> Cmd {
        Cmd::new("helm").arg("--kubeconfig").arg(&self.kubeconfig)
    }
    pub fn budget(&self, phase: &str) -> Duration {
        self.budgets.get(phase).unwrap_or(Duration::from_secs(300))
    }
    /// Owner labels as `k=v,k=v` (Helm `--labels`).
    pub fn owner_labels(&self) -> String {
        format!("{OWNER_LABEL}={OWNER_VALUE},{RUN_LABEL}={}", self.run_id)
    }
    /// A namespace manifest carrying the ownership labels (JSON, for `kubectl apply -f -`).
    pub fn namespace_manifest(&self, ns: &str) -> String {
        serde_json::json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": ns,
                "labels": { OWNER_LABEL: OWNER_VALUE, RUN_LABEL: self.run_id }
            }
        })
        .to_string()
    }
    /// Step that creates (or updates) a labelled namespace.
    pub fn namespace_step(&self, ns: &str) -> Step {
        Step::run(
            format!("namespace {ns} (labelled {OWNER_LABEL}={OWNER_VALUE})"),
            self.kubectl()
                .args(["apply", "-f", "-"])
                .stdin(self.namespace_manifest(ns)),
        )
    }
}

/// What a readiness poll checks in a command's JSON output.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// `kubectl get nodes -o json`: at least `count` nodes, all `Ready`.
    NodesReady { count: usize },
    /// `kubectl get pods -o json`: every pod Running with all containers
    /// ready, or Succeeded; at least `min` pods.
    PodsReady { min: usize },
    /// `kubectl get pvc -o json`: every claim `Bound`.
    PvcsBound,
    /// `kubectl get endpointslices -o json`: at least one ready endpoint.
    EndpointsReady,
    /// Any non-empty output.
    NonEmpty,
}

impl Check {
    pub fn describe(&self) -> String {
        match self {
            Check::NodesReady { count } => format!("until {count} nodes are Ready"),
            Check::PodsReady { min: 0 } => "until every pod is Ready (or Completed)".into(),
            Check::PodsReady { min } => format!("until at least {min} pod(s) exist and all are Ready"),
            Check::PvcsBound => "until every PersistentVolumeClaim is Bound".into(),
            Check::EndpointsReady => "until the Service has a ready endpoint".into(),
            Check::NonEmpty => "until it exists".into(),
        }
    }
}

/// One thing a step does.
#[derive(Clone, Debug)]
pub enum Action {
    /// Run a tool; a non-zero exit fails the step.
    Run(Cmd),
    /// Write a generated file.
    Write {
        path: PathBuf,
        content: String,
        about: String,
    },
    /// Run `cmd` again and again (with backoff) until `check` holds or the
    /// phase deadline passes.
    Poll { cmd: Cmd, check: Check },
    /// An HTTP probe through the ingress.
    Probe(ProbeSpec),
    /// Sequences of steps run side by side.
    Parallel(Vec<Vec<Step>>),
    /// Preflight: these programs must be installed.
    Tools(Vec<String>),
    /// Preflight: these files or folders must exist (spec field, path).
    Paths(Vec<(String, PathBuf)>),
    /// Preflight: no cluster of this name exists yet (`cmd` lists clusters).
    NoCluster(Cmd),
    /// Preflight: the host port is free.
    PortFree(u16),
    /// Package a chart folder in-process (`cargo xtask chart package`);
    /// `field` is the spec field naming the chart (for errors).
    Package {
        chart: PathBuf,
        destination: PathBuf,
        /// Run `helm dependency update` first (the chart has dependencies
        /// and helm installs it).
        dependency_update: bool,
        field: String,
    },
    /// Render a chart in-process and write the labelled manifests.
    Render(Box<RenderSpec>),
    /// Run `cmd` only when `path` exists (written by an earlier step);
    /// `when` says when that is, for the plan.
    RunIfExists { path: PathBuf, cmd: Cmd, when: String },
    /// `kubectl rollout status` for every Deployment, StatefulSet and
    /// DaemonSet of a manifests file, within the phase deadline.
    Rollouts {
        manifests: PathBuf,
        namespace: String,
        kubectl: Cmd,
    },
}

impl Action {
    /// The command line a user would type for an in-process package step.
    pub fn package_cmd(chart: &Path, destination: &Path, dependency_update: bool) -> Cmd {
        let mut c = Cmd::new("cargo")
            .args(["xtask", "chart", "package"])
            .arg(chart)
            .arg("--destination")
            .arg(destination);
        if dependency_update {
            c = c.arg("--dependency-update");
        }
        c
    }
}

#[derive(Clone, Debug)]
pub struct Step {
    pub title: String,
    pub action: Action,
    /// Starting this step may leave a cluster behind: from here on a
    /// failure means diagnostics and teardown.
    pub creates_cluster: bool,
}

impl Step {
    pub fn new(title: impl Into<String>, action: Action) -> Step {
        Step {
            title: title.into(),
            action,
            creates_cluster: false,
        }
    }
    pub fn run(title: impl Into<String>, cmd: Cmd) -> Step {
        Step::new(title, Action::Run(cmd))
    }
    pub fn poll(title: impl Into<String>, cmd: Cmd, check: Check) -> Step {
        Step::new(title, Action::Poll { cmd, check })
    }
}

#[derive(Clone, Debug)]
pub struct Phase {
    pub id: &'static str,
    pub title: String,
    pub budget: Duration,
    pub steps: Vec<Step>,
}

/// The whole flow of `lab up`.
pub struct Plan {
    pub ctx: Ctx,
    pub provider: Box<dyn Provider>,
    pub ingress: Box<dyn Ingress>,
    pub phases: Vec<Phase>,
}

/// Builds the plan. The provider and controller contribute their steps.
pub fn build(
    ctx: Ctx,
    provider_kind: super::spec::ProviderKind,
    ingress_kind: super::spec::IngressKind,
) -> Result<Plan, Failure> {
    let provider = providers::new(provider_kind);
    let ingress = ingress::new(ingress_kind);
    let mut ctx = ctx;
    if ctx.kube_version.is_none() {
        ctx.kube_version = provider.kube_version(&ctx);
    }
    let ctx = ctx;
    let spec = &ctx.loaded.spec;

    // preflight
    let mut tools: Vec<String> = vec!["docker".into()];
    tools.extend(provider.tools().iter().map(|s| s.to_string()));
    tools.push("kubectl".to_string());
    if ctx.installer == Installer::Helm {
        tools.push("helm".to_string());
    }
    for t in ingress.tools(&ctx) {
        if !tools.iter().any(|x| x == t) {
            tools.push(t.to_string());
        }
    }
    let mut paths = Vec::new();
    for (i, img) in spec.images.iter().enumerate() {
        paths.push((format!("images[{i}].context"), ctx.loaded.resolve(&img.context)));
    }
    for (i, c) in spec.charts.iter().enumerate() {
        paths.push((format!("charts[{i}].path"), ctx.loaded.resolve(&c.path)));
        for (j, v) in c.values.iter().enumerate() {
            paths.push((format!("charts[{i}].values[{j}]"), ctx.loaded.resolve(v)));
        }
    }
    // Every chart folder is packaged (and, for the native installer,
    // rendered) before the cluster exists: a broken chart fails fast.
    let charts_dir = ctx.cluster_dir.join("charts");
    let mut packaging = Vec::new();
    let mut archives = Vec::new();
    for (i, c) in spec.charts.iter().enumerate() {
        let path = ctx.loaded.resolve(&c.path);
        let field = format!("charts[{i}].path");
        if path.is_file() {
            // already an archive: installed as it is
            archives.push(path);
            continue;
        }
        let name = install::archive_name(&path)
            .map_err(|e| super::spec::field_error(&ctx.loaded.file, &field, e))?;
        let file = match &name {
            Some(n) => n.file_name(),
            None => format!("{}.tgz", path.file_name().unwrap_or_default().to_string_lossy()),
        };
        let dependency_update =
            ctx.installer == Installer::Helm && name.as_ref().is_some_and(|n| n.has_dependencies);
        packaging.push(Step::new(
            format!("package {} into {file}", c.release),
            Action::Package {
                chart: path.clone(),
                destination: charts_dir.clone(),
                dependency_update,
                field,
            },
        ));
        archives.push(charts_dir.join(file));
    }
    let manifests_dir = ctx.cluster_dir.join("manifests");
    let renders: Vec<RenderSpec> = if ctx.installer == Installer::Native {
        spec.charts
            .iter()
            .zip(&archives)
            .map(|(c, archive)| {
                let source = ctx.loaded.resolve(&c.path);
                RenderSpec {
                    chart: archive.clone(),
                    source: source.is_dir().then_some(source),
                    release: c.release.clone(),
                    namespace: c.namespace.clone(),
                    values: c.values.iter().map(|v| ctx.loaded.resolve(v)).collect(),
                    sets: ingress
                        .chart_overrides()
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect(),
                    kube_version: ctx.kube_version.clone(),
                    labels: install::release_labels(&ctx, &c.release),
                    out: manifests_dir.join(format!("{}.yaml", c.release)),
                    crds_out: manifests_dir.join(format!("{}.crds.yaml", c.release)),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut preflight = vec![
        Step::new(
            format!("{} are installed", tools.join(", ")),
            Action::Tools(tools),
        ),
        Step::run(
            "docker is reachable",
            Cmd::new("docker").args(["info", "--format", "{{.ServerVersion}}"]),
        ),
        Step::new("the spec's folders and files exist", Action::Paths(paths)),
    ];
    preflight.extend(packaging);
    preflight.extend(renders.iter().map(install::render_step));
    preflight.extend([
        Step::new(
            format!("no {} cluster named {} exists yet", provider.name(), ctx.name),
            Action::NoCluster(provider.list_clusters()),
        ),
        Step::new(
            format!("host port {} is free", ctx.http_port),
            Action::PortFree(ctx.http_port),
        ),
        Step::new(
            format!("host port {} is free", ctx.https_port),
            Action::PortFree(ctx.https_port),
        ),
    ]);

    // cluster
    let mut cluster = provider.create_steps(&ctx, ingress.as_ref())?;
    cluster.push(Step::poll(
        "all nodes Ready (not only the control-plane)",
        ctx.kubectl().args(["get", "nodes", "-o", "json"]),
        Check::NodesReady {
            count: spec.cluster.nodes,
        },
    ));
    cluster.push(Step::poll(
        "a default StorageClass exists",
        ctx.kubectl().args(["get", "storageclass", "-o", "name"]),
        Check::NonEmpty,
    ));

    // images: one build -> export -> load chain per image, side by side
    let mut chains = Vec::new();
    for img in &spec.images {
        let context = ctx.loaded.resolve(&img.context);
        let mut build = Cmd::new("docker").args(["build", "--tag", img.name.as_str()]);
        if let Some(df) = &img.dockerfile {
            build = build.arg("--file").arg(context.join(df));
        }
        build = build.arg(&context);
        let archive = ctx
            .cluster_dir
            .join("images")
            .join(format!("{}.tar", slug(&img.name)));
        let mut save = Cmd::new("docker").arg("save");
        if ctx.image_store == ImageStore::Containerd {
            save = save.arg("--platform").arg(format!("linux/{}", ctx.arch));
        }
        save = save.arg("--output").arg(&archive).arg(&img.name);
        chains.push(vec![
            Step::run(format!("build {}", img.name), build),
            Step::run(format!("export {} to an archive", img.name), save),
            Step::run(
                format!("load {} into every node", img.name),
                provider.load_image(&ctx, &archive),
            ),
        ]);
    }
    let images = if chains.is_empty() {
        Vec::new()
    } else {
        vec![Step::new(
            "build and load images (in parallel)",
            Action::Parallel(chains),
        )]
    };

    // ingress
    // (the controller must serve, and ingress-nginx's webhook answer, before
    // any chart creates an Ingress)
    let mut ingress_steps = ingress.install_steps(&ctx, provider.as_ref());
    ingress_steps.extend(ingress.ready_steps(&ctx));

    // charts
    let mut charts = Vec::new();
    for (i, c) in spec.charts.iter().enumerate() {
        charts.push(ctx.namespace_step(&c.namespace));
        if let Some(r) = renders.get(i) {
            charts.extend(install::apply_steps(&ctx, r, "charts"));
            continue;
        }
        let mut cmd = ctx
            .helm()
            .args(["upgrade", "--install", c.release.as_str()])
            .arg(&archives[i])
            .args(["--namespace", c.namespace.as_str()]);
        for v in &c.values {
            cmd = cmd.arg("--values").arg(ctx.loaded.resolve(v));
        }
        for (k, v) in ingress.chart_overrides() {
            cmd = cmd.arg("--set").arg(format!("{k}={v}"));
        }
        cmd = cmd.args(["--labels", &ctx.owner_labels()]).args([
            "--wait",
            "--timeout",
            &go_duration(ctx.budget("charts")),
        ]);
        charts.push(Step::run(
            format!("install {} into namespace {} and wait", c.release, c.namespace),
            cmd,
        ));
    }

    // ready
    let mut ready = Vec::new();
    let mut namespaces: Vec<&str> = spec.charts.iter().map(|c| c.namespace.as_str()).collect();
    namespaces.dedup();
    for ns in namespaces {
        ready.push(Step::poll(
            format!("pods in {ns} are Ready"),
            ctx.kubectl()
                .args(["get", "pods", "--namespace", ns, "-o", "json"]),
            Check::PodsReady { min: 1 },
        ));
        ready.push(Step::poll(
            format!("PersistentVolumeClaims in {ns} are Bound"),
            ctx.kubectl()
                .args(["get", "pvc", "--namespace", ns, "-o", "json"]),
            Check::PvcsBound,
        ));
    }

    // probes
    let probes: Vec<Step> = spec
        .probes
        .iter()
        .map(|p| {
            Step::new(
                format!(
                    "probe {}: GET http://{}:{}{} (Host: {})",
                    p.name, "127.0.0.1", ctx.http_port, p.path, p.host
                ),
                Action::Probe(p.clone()),
            )
        })
        .collect();

    let phase = |id: &'static str, title: &str, steps: Vec<Step>| Phase {
        id,
        title: title.to_string(),
        budget: ctx.budget(id),
        steps,
    };
    let phases = vec![
        phase("preflight", "Checking prerequisites", preflight),
        phase(
            "cluster",
            &format!("Creating {} cluster \"{}\"", provider.name(), ctx.name),
            cluster,
        ),
        phase("images", "Building and loading images", images),
        phase(
            "ingress",
            &format!("Installing ingress controller ({})", ingress.name()),
            ingress_steps,
        ),
        phase("charts", "Installing charts", charts),
        phase("ready", "Waiting for real readiness", ready),
        phase("probes", "Probing through the ingress", probes),
    ];
    Ok(Plan {
        ctx,
        provider,
        ingress,
        phases,
    })
}

/// `asky-lab/hello-fastapi:0.1.0` -> `asky-lab_hello-fastapi_0.1.0`.
pub fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A duration as Go prints it for flags like `--timeout` (`5m0s`, `90s`).
pub fn go_duration(d: Duration) -> String {
    let s = d.as_secs().max(1);
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

impl Plan {
    /// Diagnostics commands (run before teardown when anything failed).
    pub fn diagnostics(&self) -> Vec<super::diagnostics::Capture> {
        super::diagnostics::captures(&self.ctx, self.provider.as_ref(), self.ingress.as_ref())
    }

    /// The teardown command.
    pub fn teardown(&self) -> Cmd {
        self.provider.delete(&self.ctx)
    }

    /// Human-readable plan; `root` is stripped from paths so the output is
    /// the same on every checkout.
    pub fn render(&self, root: &Path) -> String {
        let show = |s: &str| display_path(s, root);
        let mut out = String::new();
        let c = &self.ctx;
        let _ = writeln!(
            out,
            "lab plan for \"{}\": provider {}, ingress {}, HTTP on 127.0.0.1:{}, HTTPS on 127.0.0.1:{}",
            c.name,
            self.provider.name(),
            self.ingress.name(),
            c.http_port,
            c.https_port
        );
        let _ = writeln!(out, "spec: {}", show(&c.loaded.file.to_string_lossy()));
        if let Some(w) = self.ingress.warning() {
            let _ = writeln!(out, "warning: {w}");
        }
        let _ = writeln!(
            out,
            "kubeconfig (isolated; your current context is never touched): {}",
            show(&c.kubeconfig.to_string_lossy())
        );
        let _ = writeln!(
            out,
            "ownership label on nodes, namespaces and releases: {OWNER_LABEL}={OWNER_VALUE}"
        );
        let _ = writeln!(
            out,
            "charts installer: {} ({})",
            c.installer.name(),
            c.installer_note
        );
        let n = self.phases.len();
        for (i, p) in self.phases.iter().enumerate() {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "[{}/{}] {} — {} (budget {})",
                i + 1,
                n,
                p.id,
                p.title,
                Budget::display(p.budget)
            );
            if p.steps.is_empty() {
                let _ = writeln!(out, "  (nothing to do)");
            }
            for s in &p.steps {
                render_step(&mut out, s, 1, &show);
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "then: write target/lab/<run-id>/report.json (and --report junit|json to --report-file)"
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "on any failure, timeout or Ctrl-C/SIGTERM, before teardown: diagnostics into {} (budget {})",
            show(&c.run_dir.join("diagnostics").to_string_lossy()),
            Budget::display(c.budget("diagnostics"))
        );
        for cap in self.diagnostics() {
            let _ = writeln!(out, "  - {} -> {}", cap.title, cap.file);
            if let Some(cmd) = &cap.cmd {
                let _ = writeln!(out, "      $ {}", show(&cmd.to_string()));
            }
        }
        if c.installer == Installer::Native {
            let _ = writeln!(
                out,
                "  - a copy of the applied manifests ({}) -> manifests/",
                show(&c.cluster_dir.join("manifests").to_string_lossy())
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "teardown (exactly once, unless --keep, or --keep-on-failure after a failure; budget {}):",
            Budget::display(c.budget("teardown"))
        );
        let _ = writeln!(out, "      $ {}", show(&self.teardown().to_string()));
        out
    }
}

fn render_step(out: &mut String, s: &Step, depth: usize, show: &dyn Fn(&str) -> String) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}- {}", s.title);
    let cmd_pad = format!("{pad}    $ ");
    match &s.action {
        Action::Run(cmd) => {
            let _ = write!(out, "{cmd_pad}{}", show(&cmd.to_string()));
            if let Some(data) = cmd.stdin_data() {
                let _ = write!(
                    out,
                    " <<< {}",
                    crate::tools::shell_quote(&String::from_utf8_lossy(data))
                );
            }
            let _ = writeln!(out);
        }
        Action::Write { path, about, .. } => {
            let _ = writeln!(
                out,
                "{pad}    write {} ({})",
                show(&path.to_string_lossy()),
                show(about)
            );
        }
        Action::Poll { cmd, check } => {
            let _ = writeln!(out, "{cmd_pad}{}", show(&cmd.to_string()));
            let _ = writeln!(out, "{pad}    repeated with backoff {}", check.describe());
        }
        Action::Probe(p) => {
            let body = p
                .expect
                .json
                .as_ref()
                .map(|j| format!(" and JSON body containing {j}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{pad}    expect status {}{body}; retried with backoff, latency recorded",
                p.expect.status
            );
        }
        Action::Parallel(groups) => {
            for (i, g) in groups.iter().enumerate() {
                let _ = writeln!(out, "{pad}  chain {}:", i + 1);
                for st in g {
                    render_step(out, st, depth + 2, show);
                }
            }
        }
        Action::Tools(t) => {
            let _ = writeln!(
                out,
                "{pad}    looked up in target/tools/bin, then PATH: {}",
                t.join(" ")
            );
        }
        Action::Paths(ps) => {
            for (field, p) in ps {
                let _ = writeln!(out, "{pad}    {field}: {}", show(&p.to_string_lossy()));
            }
        }
        Action::NoCluster(cmd) => {
            let _ = writeln!(out, "{cmd_pad}{}", show(&cmd.to_string()));
        }
        Action::PortFree(p) => {
            let _ = writeln!(out, "{pad}    connect to 127.0.0.1:{p} must be refused");
        }
        Action::Package {
            chart,
            destination,
            dependency_update,
            ..
        } => {
            let cmd = Action::package_cmd(chart, destination, *dependency_update);
            let _ = writeln!(out, "{cmd_pad}{}", show(&cmd.to_string()));
            let _ = writeln!(
                out,
                "{pad}    in-process; a bad chart stops here, before any cluster exists"
            );
        }
        Action::Render(r) => {
            let _ = writeln!(out, "{cmd_pad}{}", show(&r.display_cmd().to_string()));
            let _ = writeln!(
                out,
                "{pad}    in-process; every object labelled {}",
                show(&r.label_text())
            );
            let _ = writeln!(
                out,
                "{pad}    write {} (unless nothing renders) and the CRDs of crds/, if any, to {}",
                show(&r.out.to_string_lossy()),
                show(&r.crds_out.to_string_lossy())
            );
        }
        Action::RunIfExists { path, cmd, when } => {
            let _ = writeln!(out, "{cmd_pad}{}", show(&cmd.to_string()));
            let _ = writeln!(
                out,
                "{pad}    only when {} exists ({when})",
                show(&path.to_string_lossy())
            );
        }
        Action::Rollouts {
            manifests,
            namespace,
            kubectl,
        } => {
            let cmd = kubectl.clone().args([
                "rollout",
                "status",
                "KIND/NAME",
                "--namespace",
                namespace,
                "--timeout",
                "<left>",
            ]);
            let _ = writeln!(out, "{cmd_pad}{}", show(&cmd.to_string()));
            let _ = writeln!(
                out,
                "{pad}    for every Deployment, StatefulSet and DaemonSet in {}, within the phase budget",
                show(&manifests.to_string_lossy())
            );
        }
    }
}

impl Plan {
    /// Every native render of the plan, in order (preflight charts, then
    /// the ingress controller's chart when it is rendered natively).
    pub fn renders(&self) -> Vec<&RenderSpec> {
        fn walk<'a>(steps: &'a [Step], out: &mut Vec<&'a RenderSpec>) {
            for s in steps {
                match &s.action {
                    Action::Render(r) => out.push(r),
                    Action::Parallel(groups) => {
                        for g in groups {
                            walk(g, out);
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        for p in &self.phases {
            walk(&p.steps, &mut out);
        }
        out
    }

    /// `lab plan --rendered`: the manifests each native render writes,
    /// rendered now from the chart folder (nothing is written).
    pub fn render_manifests(&self, root: &Path) -> Result<String, Failure> {
        let show = |s: &str| display_path(s, root);
        let mut out = String::new();
        let renders = self.renders();
        if renders.is_empty() {
            let _ = writeln!(
                out,
                "\nno rendered manifests: the charts are installed by helm (use --installer native to see them)"
            );
        }
        for r in renders {
            let _ = writeln!(out);
            let target = show(&r.out.to_string_lossy());
            let source = if r.chart.exists() {
                Some(r.chart.clone())
            } else {
                r.source.clone()
            };
            let Some(source) = source else {
                let _ = writeln!(
                    out,
                    "# {}: rendered by `lab up` once {} is downloaded (not shown here)",
                    r.release,
                    show(&r.chart.to_string_lossy())
                );
                continue;
            };
            let rendered = install::render_chart(&source, r).map_err(|e| {
                Failure::bad_input(format!("cannot render {} ({}): {e}", r.release, source.display()))
            })?;
            let _ = writeln!(
                out,
                "# {}: what `lab up` writes to {target} (rendered from {})",
                r.release,
                show(&source.to_string_lossy())
            );
            if !rendered.crds.is_empty() {
                let _ = writeln!(
                    out,
                    "# CRDs, applied first ({})",
                    show(&r.crds_out.to_string_lossy())
                );
                out.push_str(&rendered.crds);
            }
            out.push_str(&rendered.manifests);
        }
        Ok(out)
    }
}

/// Replaces the project root in a string with a relative path.
pub fn display_path(s: &str, root: &Path) -> String {
    let r = root.to_string_lossy();
    let with_slash = format!("{}/", r.trim_end_matches('/'));
    s.replace(&with_slash, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_durations() {
        assert_eq!(
            slug("asky-lab/hello-fastapi:0.1.0"),
            "asky-lab_hello-fastapi_0.1.0"
        );
        assert_eq!(go_duration(Duration::from_secs(600)), "10m0s");
        assert_eq!(go_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(go_duration(Duration::from_millis(200)), "1s");
        assert_eq!(
            display_path("--kubeconfig /r/target/lab/k", Path::new("/r")),
            "--kubeconfig target/lab/k"
        );
    }
}
