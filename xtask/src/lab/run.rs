//! Runs the plan: every phase against its deadline, diagnostics before
//! teardown when anything failed, teardown exactly once, reports.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use serde_json::Value;

use crate::exit::{Class, Failure};
use crate::tools::{self, Cmd, ToolError, Toolbox};

use super::diagnostics;
use super::install;
use super::plan::{self, Action, Check, Ctx, Phase, Plan, Step, OWNER_LABEL, OWNER_VALUE};
use super::probe::{self, ProbeResult};
use super::providers::{self, Provider};
use super::report::{PhaseResult, Report, SCHEMA};
use super::spec::{self, Budget, IngressKind, Installer, Loaded, ProviderKind};
use super::ui::Ui;
use super::wait::{self, Attempt, Backoff, WaitError};
use super::{CommonArgs, DownArgs, ImageStore, PlanArgs, ProbeArgs, ReportFormat, UpArgs};

/// `target/lab`, or `ASKY_LAB_DIR`.
pub fn work_dir() -> PathBuf {
    std::env::var_os("ASKY_LAB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::project_root().join("target").join("lab"))
}

fn spec_path(common: &CommonArgs) -> PathBuf {
    common
        .spec
        .clone()
        .unwrap_or_else(|| crate::project_root().join("lab").join("lab.yaml"))
}

fn toolbox() -> Toolbox {
    Toolbox::for_project(&crate::project_root())
}

/// `<name>-<UTC yyyymmddThhmmssZ>-<pid>`.
pub fn new_run_id(name: &str) -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, mo, d) = civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!(
        "{name}-{y:04}{mo:02}{d:02}T{:02}{:02}{:02}Z-{}",
        s / 3600,
        (s / 60) % 60,
        s % 60,
        std::process::id()
    )
}

/// Days since 1970-01-01 to (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

struct Setup {
    ctx: Ctx,
    provider: ProviderKind,
    ingress: IngressKind,
}

fn setup(a: &UpArgs, run_id: Option<String>, store: ImageStore) -> Result<Setup, Failure> {
    let loaded = Loaded::load(&spec_path(&a.common))?;
    let s = &loaded.spec;
    let name = a.common.name.clone().unwrap_or_else(|| s.name.clone());
    spec::validate_name(&name).map_err(|m| Failure::bad_input(format!("--name: {m}")))?;
    let provider = a.common.provider.unwrap_or(s.provider);
    let ingress = a.ingress.unwrap_or(s.ingress.controller);
    let http_port = a.http_port.unwrap_or(s.ingress.http_port);
    let https_port = a.https_port.unwrap_or(s.ingress.https_port);
    if http_port == 0 || https_port == 0 || http_port == https_port {
        return Err(Failure::bad_input(format!(
            "HTTP and HTTPS host ports must be two different ports 1..65535 (got {http_port} and {https_port})"
        )));
    }
    let mut budgets = s.budgets.clone();
    for (phase, d) in super::parse_budget_overrides(&a.budgets)? {
        budgets.set(&phase, d);
    }
    let (installer, installer_note) = match (a.installer, loaded.installer()?) {
        (Some(i), _) if i != Installer::Auto => (i, "--installer".to_string()),
        (None, i) if i != Installer::Auto => (i, "the spec's installer".to_string()),
        _ => {
            if toolbox().resolve("helm").is_some() {
                (Installer::Helm, "auto: a helm binary was found".to_string())
            } else {
                (
                    Installer::Native,
                    "auto: no helm in target/tools/bin or on PATH".to_string(),
                )
            }
        }
    };
    let work = work_dir();
    let run_id = run_id.unwrap_or_else(|| new_run_id(&name));
    let cluster_dir = work.join(&name);
    let ctx = Ctx {
        run_dir: work.join(&run_id),
        kubeconfig: cluster_dir.join("kubeconfig"),
        cluster_dir,
        work_dir: work,
        name,
        run_id,
        http_port,
        https_port,
        loaded,
        budgets,
        image_store: store,
        arch: host_arch().to_string(),
        installer,
        installer_note,
        kube_version: None,
    };
    Ok(Setup {
        ctx,
        provider,
        ingress,
    })
}

/// Docker's name for this machine's architecture.
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "arm64",
        "x86_64" => "amd64",
        other => other,
    }
}

// ---------------------------------------------------------------------------
// lab plan

pub fn plan(a: PlanArgs) -> Result<()> {
    let s = setup(&a.up, Some("<run-id>".into()), a.image_store)?;
    let plan = plan::build(s.ctx, s.provider, s.ingress)?;
    let root = crate::project_root();
    print!("{}", plan.render(&root));
    if a.rendered {
        print!("{}", plan.render_manifests(&root)?);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// lab up

/// Detects Docker's containerd image store (`docker info`); unknown counts as classic.
fn detect_image_store(tb: &Toolbox) -> ImageStore {
    let cmd = Cmd::new("docker")
        .args(["info", "--format", "{{json .DriverStatus}}"])
        .timeout(Duration::from_secs(20));
    match tb.output(&cmd) {
        Ok(o) if o.success() && o.stdout.contains("io.containerd.snapshotter") => ImageStore::Containerd,
        _ => ImageStore::Classic,
    }
}

pub fn up(a: UpArgs) -> Result<()> {
    signals_install();
    let ui = Ui::detect();
    let tb = toolbox();
    let started = Instant::now();
    let started_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Spec errors end here (exit 2), before anything runs.
    let s = setup(&a, None, ImageStore::Classic)?;
    let store = if tb.resolve("docker").is_some() {
        detect_image_store(&tb)
    } else {
        ImageStore::Classic
    };
    let s = Setup {
        ctx: Ctx {
            image_store: store,
            ..s.ctx
        },
        ..s
    };
    let plan = plan::build(s.ctx, s.provider, s.ingress)?;
    let ctx = plan.ctx.clone();
    std::fs::create_dir_all(&ctx.run_dir).map_err(|e| {
        Failure::new(
            Class::Infra,
            format!("cannot create {}: {e}", ctx.run_dir.display()),
        )
    })?;
    eprintln!(
        "lab up \"{}\" (run {}): provider {}, ingress {}, charts installer {} ({}), http://127.0.0.1:{}",
        ctx.name,
        ctx.run_id,
        plan.provider.name(),
        plan.ingress.name(),
        ctx.installer.name(),
        ctx.installer_note,
        ctx.http_port
    );
    if let Some(w) = plan.ingress.warning() {
        ui.note(w);
    }
    if store == ImageStore::Containerd {
        ui.note("Docker uses the containerd image store: images are exported with `docker save --platform` for `kind load image-archive`");
    }

    let runner = Runner {
        tb: tb.clone(),
        ui: ui.clone(),
        backoff: Backoff::default(),
        created: AtomicBool::new(false),
        probes: Mutex::new(Vec::new()),
        plan: &plan,
    };
    let mut phases = Vec::new();
    let mut failure: Option<Failure> = None;
    let mut failed_phase: Option<&str> = None;
    for phase in &plan.phases {
        if failure.is_some() {
            phases.push(PhaseResult {
                id: phase.id.into(),
                title: phase.title.clone(),
                status: "skipped".into(),
                duration_ms: 0,
                budget_ms: phase.budget.as_millis(),
                error: None,
            });
            continue;
        }
        ui.phase_start(&phase.title);
        let t0 = Instant::now();
        let r = runner.phase(phase);
        let took = t0.elapsed();
        ui.phase_end(&phase.title, r.is_ok(), took);
        let (status, error) = match &r {
            Ok(()) => ("ok".to_string(), None),
            Err(f) => (
                match f.class {
                    Class::Interrupted => "interrupted".to_string(),
                    _ if f.message.contains("budget") => "timed-out".to_string(),
                    _ => "failed".to_string(),
                },
                Some(f.message.clone()),
            ),
        };
        phases.push(PhaseResult {
            id: phase.id.into(),
            title: phase.title.clone(),
            status,
            duration_ms: took.as_millis(),
            budget_ms: phase.budget.as_millis(),
            error,
        });
        if let Err(f) = r {
            eprintln!("error: {}", f.message);
            failed_phase = Some(phase.id);
            failure = Some(f);
        }
    }
    let created = runner.created.load(Ordering::SeqCst);
    let probes = runner.probes.lock().map(|p| p.clone()).unwrap_or_default();

    // Diagnostics before any delete, whenever something failed.
    let mut bundle = None;
    if let (Some(f), true) = (&failure, created) {
        let title = "Collecting diagnostics";
        ui.phase_start(title);
        let t0 = Instant::now();
        let b = diagnostics::collect(
            &tb,
            &ctx,
            plan.provider.as_ref(),
            plan.ingress.as_ref(),
            ctx.budget("diagnostics"),
            &f.message,
        );
        ui.phase_end(title, b.failed.is_empty(), t0.elapsed());
        eprintln!("diagnostics: {}", b.dir.display());
        for h in &b.hints {
            eprintln!("hint: {h}");
        }
        bundle = Some(b);
    } else if let Some(f) = &failure {
        // Nothing was created; hints can still come from the error itself.
        for h in diagnostics::hints(&f.message) {
            eprintln!("hint: {h}");
        }
    }

    // Teardown: exactly once, only of what this run created.
    let keep = a.keep || (a.keep_on_failure && failure.is_some());
    let teardown = if !created {
        "not-created".to_string()
    } else if keep {
        ui.note(&format!(
            "cluster kept; kubeconfig {}; remove it with `cargo xtask lab down --name {}{}`",
            ctx.kubeconfig.display(),
            ctx.name,
            if plan.provider.name() == "kind" {
                ""
            } else {
                " --provider minikube"
            }
        ));
        "kept".to_string()
    } else {
        let title = format!("Deleting cluster \"{}\"", ctx.name);
        ui.phase_start(&title);
        let t0 = Instant::now();
        let cmd = plan.teardown().ignore_interrupt().timeout(ctx.budget("teardown"));
        let r = tb.run(&cmd);
        ui.phase_end(&title, r.is_ok(), t0.elapsed());
        match r {
            Ok(_) => {
                let _ = std::fs::remove_dir_all(&ctx.cluster_dir);
                "deleted".to_string()
            }
            Err(e) => {
                let msg = format!(
                    "teardown failed: {e}\nfix: run `{}` (or `cargo xtask lab down --orphans`)",
                    plan.teardown()
                );
                eprintln!("error: {msg}");
                if failure.is_none() {
                    failure = Some(Failure::new(Class::Infra, msg.clone()));
                }
                format!("failed: {e}")
            }
        }
    };

    let exit_code = failure.as_ref().map_or(0, |f| f.class.code());
    let report = Report {
        schema: SCHEMA,
        name: ctx.name.clone(),
        run_id: ctx.run_id.clone(),
        provider: plan.provider.name().into(),
        ingress: plan.ingress.name().into(),
        installer: ctx.installer.name().into(),
        http_port: ctx.http_port,
        started_at,
        duration_ms: started.elapsed().as_millis(),
        outcome: failure.as_ref().map_or("ok", |f| f.class.name()).into(),
        exit_code,
        message: failure.as_ref().map(|f| f.message.clone()),
        phases,
        probes: probes.clone(),
        diagnostics: bundle.as_ref().map(|b| b.dir.clone()),
        hints: bundle.as_ref().map(|b| b.hints.clone()).unwrap_or_default(),
        teardown,
        calls: tb.calls(),
    };
    let json_path = ctx.run_dir.join("report.json");
    write_file(&json_path, &report.to_json())?;
    if let (Some(fmt), Some(file)) = (a.report, &a.report_file) {
        let text = match fmt {
            ReportFormat::Json => report.to_json(),
            ReportFormat::Junit => report.to_junit(),
        };
        write_file(file, &text)?;
    }
    ui.probe_table(&probes);
    eprintln!("report: {}", json_path.display());
    match failure {
        None => {
            println!("lab \"{}\" is up and every probe passed", ctx.name);
            Ok(())
        }
        // The full message was printed when the phase failed; end with a summary.
        Some(f) => Err(Failure::new(
            f.class,
            format!(
                "lab up failed{} ({}, exit code {}); report: {}",
                failed_phase
                    .map(|p| format!(" in phase `{p}`"))
                    .unwrap_or_default(),
                f.class.name(),
                f.class.code(),
                json_path.display()
            ),
        )
        .into()),
    }
}

fn signals_install() {
    super::signals::install();
}

fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    if let Some(p) = path.parent() {
        let _ = std::fs::create_dir_all(p);
    }
    std::fs::write(path, text)
        .map_err(|e| Failure::new(Class::Infra, format!("cannot write {}: {e}", path.display())))
}

struct Runner<'a> {
    tb: Toolbox,
    ui: Ui,
    backoff: Backoff,
    created: AtomicBool,
    probes: Mutex<Vec<ProbeResult>>,
    plan: &'a Plan,
}

impl Runner<'_> {
    fn ctx(&self) -> &Ctx {
        &self.plan.ctx
    }

    fn phase(&self, phase: &Phase) -> Result<(), Failure> {
        let deadline = Instant::now() + phase.budget;
        if phase.id == "probes" {
            return self.probes(phase, deadline);
        }
        for step in &phase.steps {
            self.step(phase, step, deadline)?;
        }
        Ok(())
    }

    fn interrupted(&self) -> Failure {
        Failure::new(Class::Interrupted, "interrupted (Ctrl-C/SIGTERM)")
    }

    fn over_budget(&self, phase: &Phase, what: &str) -> Failure {
        Failure::new(
            Class::Infra,
            format!(
                "phase `{}` ran out of its budget of {} while {what} (raise it with --budget {}=DURATION or in the spec's budgets)",
                phase.id,
                Budget::display(phase.budget),
                phase.id
            ),
        )
    }

    fn tool_failure(&self, phase: &Phase, e: ToolError) -> Failure {
        match e {
            ToolError::Interrupted { .. } => self.interrupted(),
            ToolError::TimedOut { cmd, .. } => self.over_budget(phase, &format!("running `{cmd}`")),
            ToolError::NotFound { .. } => Failure::new(Class::MissingPrerequisite, e.to_string()),
            other => Failure::new(Class::Infra, other.to_string()),
        }
    }

    fn bounded(&self, phase: &Phase, cmd: &Cmd, deadline: Instant) -> Result<Cmd, Failure> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.over_budget(phase, &format!("about to run `{cmd}`")));
        }
        let t = cmd.timeout_value().map_or(left, |t| t.min(left));
        Ok(cmd.clone().timeout(t))
    }

    fn step(&self, phase: &Phase, step: &Step, deadline: Instant) -> Result<(), Failure> {
        if tools::interrupted() {
            return Err(self.interrupted());
        }
        self.ui.step(&step.title);
        if step.creates_cluster {
            self.mark_created();
        }
        match &step.action {
            Action::Run(cmd) => {
                let cmd = self.bounded(phase, cmd, deadline)?;
                self.tb
                    .run(&cmd)
                    .map(|_| ())
                    .map_err(|e| self.tool_failure(phase, e))
            }
            Action::Write { path, content, .. } => write_file(path, content),
            Action::Poll { cmd, check } => self.poll(phase, cmd, check, deadline),
            Action::Probe(_) => Ok(()), // probes run together in `probes`
            Action::Parallel(groups) => {
                let results: Vec<Result<(), Failure>> = std::thread::scope(|s| {
                    let handles: Vec<_> = groups
                        .iter()
                        .map(|g| {
                            s.spawn(move || {
                                for st in g {
                                    self.step(phase, st, deadline)?;
                                }
                                Ok(())
                            })
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| {
                            h.join().unwrap_or_else(|_| {
                                Err(Failure::new(Class::Infra, "a parallel step panicked"))
                            })
                        })
                        .collect()
                });
                // Interrupts first, then the first failure in plan order.
                if let Some(e) = results
                    .iter()
                    .find_map(|r| r.as_ref().err().filter(|f| f.class == Class::Interrupted))
                {
                    return Err(Failure::new(e.class, e.message.clone()));
                }
                results.into_iter().collect()
            }
            Action::Tools(list) => {
                let missing: Vec<&String> = list.iter().filter(|t| self.tb.resolve(t).is_none()).collect();
                if missing.is_empty() {
                    Ok(())
                } else {
                    let fixes: Vec<String> = missing
                        .iter()
                        .map(|m| format!("  {m}: {}", crate::doctor::install_hint(m)))
                        .collect();
                    Err(Failure::new(
                        Class::MissingPrerequisite,
                        format!(
                            "missing: {} (looked in {} and PATH)\n{}\nrun `cargo xtask doctor` for a full check",
                            missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                            self.tb.pinned_dirs().iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", "),
                            fixes.join("\n")
                        ),
                    ))
                }
            }
            Action::Paths(paths) => {
                for (field, p) in paths {
                    if !p.exists() {
                        return Err(Failure::bad_input(format!(
                            "{}: field `{field}`: {} does not exist",
                            self.ctx().loaded.file.display(),
                            p.display()
                        )));
                    }
                }
                Ok(())
            }
            Action::NoCluster(cmd) => {
                let cmd = self.bounded(phase, cmd, deadline)?;
                let out = self.tb.run(&cmd).map_err(|e| self.tool_failure(phase, e))?;
                let names = self.plan.provider.parse_clusters(&out.stdout);
                if names.iter().any(|n| n == &self.ctx().name) {
                    let name = &self.ctx().name;
                    let flag = if self.plan.provider.name() == "kind" {
                        ""
                    } else {
                        " --provider minikube"
                    };
                    Err(Failure::new(
                        Class::Infra,
                        format!(
                            "a {} cluster named \"{name}\" already exists, and this run did not create it, so it is left alone.\n\
                             fix: delete it with `cargo xtask lab down --name {name}{flag}`, probe a kept lab with \
                             `cargo xtask lab probe --name {name}{flag}`, or use another name: `cargo xtask lab up --name {name}-2`",
                            self.plan.provider.name()
                        ),
                    ))
                } else {
                    Ok(())
                }
            }
            Action::Package {
                chart,
                destination,
                dependency_update,
                field,
            } => self.package(phase, chart, destination, *dependency_update, field, deadline),
            Action::Render(r) => {
                let rendered = install::render_chart(&r.chart, r).map_err(|e| {
                    Failure::bad_input(format!(
                        "cannot render {} from {}: {e}",
                        r.release,
                        r.chart.display()
                    ))
                })?;
                // (files of an earlier run must not be applied again)
                let _ = std::fs::remove_file(&r.crds_out);
                let _ = std::fs::remove_file(&r.out);
                if !rendered.crds.is_empty() {
                    write_file(&r.crds_out, &rendered.crds)?;
                }
                if !rendered.manifests.is_empty() {
                    write_file(&r.out, &rendered.manifests)?;
                }
                Ok(())
            }
            Action::RunIfExists { path, cmd, .. } => {
                if !path.exists() {
                    return Ok(());
                }
                let cmd = self.bounded(phase, cmd, deadline)?;
                self.tb
                    .run(&cmd)
                    .map(|_| ())
                    .map_err(|e| self.tool_failure(phase, e))
            }
            Action::Rollouts {
                manifests,
                namespace,
                kubectl,
            } => {
                // no file: the chart rendered no object
                let text = match std::fs::read_to_string(manifests) {
                    Ok(t) => t,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                    Err(e) => {
                        return Err(Failure::new(
                            Class::Infra,
                            format!("cannot read {}: {e}", manifests.display()),
                        ))
                    }
                };
                for (kind, name, ns) in install::workloads(&text, namespace) {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(self.over_budget(phase, &format!("waiting for {kind}/{name}")));
                    }
                    let cmd = kubectl
                        .clone()
                        .args(["rollout", "status"])
                        .arg(format!("{}/{name}", kind.to_lowercase()))
                        .args(["--namespace", ns.as_str(), "--timeout"])
                        .arg(plan::go_duration(left));
                    let cmd = self.bounded(phase, &cmd, deadline)?;
                    self.tb.run(&cmd).map_err(|e| self.tool_failure(phase, e))?;
                }
                Ok(())
            }
            Action::PortFree(port) => {
                let addr = std::net::SocketAddr::from(([127, 0, 0, 1], *port));
                match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
                    Ok(_) => Err(Failure::new(
                        Class::MissingPrerequisite,
                        format!(
                            "host port {port} is already in use (something answers on 127.0.0.1:{port}).\n\
                             fix: stop that program (`sudo ss -ltnp 'sport = :{port}'` shows it), or choose free ports: \
                             `cargo xtask lab up --http-port 8080 --https-port 8443`"
                        ),
                    )),
                    Err(_) => Ok(()),
                }
            }
        }
    }

    /// Packages a chart folder in-process (what `cargo xtask chart package`
    /// does); every failure is bad input naming the spec field and the chart.
    fn package(
        &self,
        phase: &Phase,
        chart: &Path,
        destination: &Path,
        dependency_update: bool,
        field: &str,
        deadline: Instant,
    ) -> Result<(), Failure> {
        let file = &self.ctx().loaded.file;
        if dependency_update {
            let cmd = Cmd::new("helm").args(["dependency", "update"]).arg(chart);
            let cmd = self.bounded(phase, &cmd, deadline)?;
            self.tb.run(&cmd).map_err(|e| self.tool_failure(phase, e))?;
        }
        let sde = crate::chart::package::source_date_epoch_from_env().map_err(Failure::bad_input)?;
        let opts = crate::chart::package::Options {
            destination: destination.to_path_buf(),
            mtime: sde.unwrap_or(0),
            source_date_epoch: sde,
            ..Default::default()
        };
        crate::chart::package::package_dir(chart, &opts)
            .map(|_| ())
            .map_err(|e| {
                let mut f = spec::field_error(
                    file,
                    field,
                    format!("cannot package {}: {e}", chart.display()),
                );
                if e.contains("missing in charts/") {
                    f.message.push_str(
                        "\nfix: vendor the dependencies into the chart's charts/ folder (`helm dependency build`), or install with helm (`--installer helm` updates them)",
                    );
                }
                f
            })
    }

    fn mark_created(&self) {
        if self.created.swap(true, Ordering::SeqCst) {
            return;
        }
        let c = self.ctx();
        let state = serde_json::json!({
            "name": c.name,
            "provider": self.plan.provider.name(),
            "runId": c.run_id,
            "kubeconfig": c.kubeconfig,
            "httpPort": c.http_port,
            "spec": c.loaded.file,
            OWNER_LABEL: OWNER_VALUE,
        });
        let _ = write_file(&c.cluster_dir.join("state.json"), &format!("{state:#}\n"));
    }

    fn poll(&self, phase: &Phase, cmd: &Cmd, check: &Check, deadline: Instant) -> Result<(), Failure> {
        let r = wait::until(deadline, self.backoff, |left| {
            let c = cmd.clone().timeout(left.min(Duration::from_secs(60)));
            match self.tb.output(&c) {
                Ok(out) if out.success() => match evaluate(check, &out.stdout) {
                    Ok(()) => Attempt::Done(()),
                    Err(e) => Attempt::Retry(Err(e)),
                },
                Ok(out) => Attempt::Retry(Err(format!(
                    "`{cmd}` exited with {:?}: {}",
                    out.code,
                    out.stderr.trim().lines().last().unwrap_or("")
                ))),
                Err(ToolError::TimedOut { .. }) => {
                    Attempt::Retry(Err(format!("`{cmd}` did not answer in time")))
                }
                Err(e) => Attempt::Fatal(Ok(e)),
            }
        });
        match r {
            Ok(_) => Ok(()),
            Err(WaitError::Interrupted) => Err(self.interrupted()),
            Err(WaitError::Fatal(Ok(e))) => Err(self.tool_failure(phase, e)),
            Err(WaitError::Fatal(Err(e))) => Err(Failure::new(Class::Infra, e)),
            Err(WaitError::Deadline { attempts, last }) => {
                let mut f = self.over_budget(
                    phase,
                    &format!("waiting {} ({attempts} checks)", check.describe()),
                );
                if let Some(Err(l)) = last {
                    f.message.push_str(&format!("\nlast check: {l}"));
                }
                Err(f)
            }
        }
    }

    fn probes(&self, phase: &Phase, deadline: Instant) -> Result<(), Failure> {
        let specs: Vec<&spec::ProbeSpec> = phase
            .steps
            .iter()
            .filter_map(|s| match &s.action {
                Action::Probe(p) => Some(p),
                _ => None,
            })
            .collect();
        let port = self.ctx().http_port;
        let results = run_probes(&specs, port, deadline, self.backoff);
        if let Ok(mut p) = self.probes.lock() {
            *p = results.clone();
        }
        if tools::interrupted() {
            return Err(self.interrupted());
        }
        let failed: Vec<&ProbeResult> = results.iter().filter(|r| !r.ok).collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(Failure::new(
                Class::CheckFailed,
                format!(
                    "{} of {} probe(s) failed within the probes budget of {}: {}",
                    failed.len(),
                    results.len(),
                    Budget::display(phase.budget),
                    failed
                        .iter()
                        .map(|r| format!("{} ({})", r.name, r.error.clone().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            ))
        }
    }
}

/// Runs probes side by side until each passes or the deadline.
pub fn run_probes(
    specs: &[&spec::ProbeSpec],
    port: u16,
    deadline: Instant,
    backoff: Backoff,
) -> Vec<ProbeResult> {
    std::thread::scope(|s| {
        let hs: Vec<_> = specs
            .iter()
            .map(|p| s.spawn(move || probe::run(p, port, deadline, backoff)))
            .collect();
        hs.into_iter().filter_map(|h| h.join().ok()).collect()
    })
}

/// True for a pod that is Ready or has completed.
pub fn pod_is_ready(pod: &Value) -> bool {
    let phase = pod["status"]["phase"].as_str().unwrap_or("");
    if phase == "Succeeded" {
        return true;
    }
    phase == "Running"
        && pod["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

fn pod_reason(pod: &Value) -> String {
    let mut reasons = Vec::new();
    for key in ["initContainerStatuses", "containerStatuses"] {
        for cs in pod["status"][key].as_array().into_iter().flatten() {
            if let Some(r) = cs["state"]["waiting"]["reason"].as_str() {
                reasons.push(r.to_string());
            } else if let Some(r) = cs["state"]["terminated"]["reason"].as_str() {
                reasons.push(r.to_string());
            }
        }
    }
    if reasons.is_empty() {
        pod["status"]["phase"].as_str().unwrap_or("Unknown").to_string()
    } else {
        reasons.join(",")
    }
}

/// Evaluates a readiness check on a command's output.
pub fn evaluate(check: &Check, stdout: &str) -> Result<(), String> {
    if *check == Check::NonEmpty {
        return if stdout.trim().is_empty() {
            Err("not there yet".into())
        } else {
            Ok(())
        };
    }
    let v: Value = serde_json::from_str(stdout).map_err(|e| format!("unexpected output (not JSON: {e})"))?;
    let items: Vec<&Value> = v["items"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let name = |i: &Value| {
        let ns = i["metadata"]["namespace"].as_str();
        let n = i["metadata"]["name"].as_str().unwrap_or("?");
        ns.map_or(n.to_string(), |ns| format!("{ns}/{n}"))
    };
    match check {
        Check::NodesReady { count } => {
            let not_ready: Vec<String> = items
                .iter()
                .filter(|n| {
                    !n["status"]["conditions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
                })
                .map(|n| name(n))
                .collect();
            if items.len() < *count {
                Err(format!("{} of {count} nodes registered", items.len()))
            } else if !not_ready.is_empty() {
                Err(format!("not Ready yet: {}", not_ready.join(", ")))
            } else {
                Ok(())
            }
        }
        Check::PodsReady { min } => {
            let not_ready: Vec<String> = items
                .iter()
                .filter(|p| !pod_is_ready(p))
                .map(|p| format!("{} ({})", name(p), pod_reason(p)))
                .collect();
            if items.len() < *min {
                Err(format!(
                    "{} pod(s) so far, waiting for at least {min}",
                    items.len()
                ))
            } else if !not_ready.is_empty() {
                Err(format!("not Ready yet: {}", not_ready.join(", ")))
            } else {
                Ok(())
            }
        }
        Check::PvcsBound => {
            let pending: Vec<String> = items
                .iter()
                .filter(|p| p["status"]["phase"] != "Bound")
                .map(|p| format!("{} ({})", name(p), p["status"]["phase"].as_str().unwrap_or("?")))
                .collect();
            if pending.is_empty() {
                Ok(())
            } else {
                Err(format!("not Bound yet: {}", pending.join(", ")))
            }
        }
        Check::EndpointsReady => {
            let ready = items.iter().any(|s| {
                s["endpoints"].as_array().into_iter().flatten().any(|e| {
                    e["conditions"]["ready"] != Value::Bool(false)
                        && e["addresses"].as_array().is_some_and(|a| !a.is_empty())
                })
            });
            if ready {
                Ok(())
            } else {
                Err("no ready endpoint yet".into())
            }
        }
        Check::NonEmpty => unreachable!("handled above"),
    }
}

// ---------------------------------------------------------------------------
// lab down / status / probe

/// Name and provider from flags, falling back to the spec.
fn name_and_provider(common: &CommonArgs) -> Result<(String, ProviderKind, Option<Loaded>), Failure> {
    let loaded = match Loaded::load(&spec_path(common)) {
        Ok(l) => Some(l),
        Err(e) if common.name.is_none() || common.spec.is_some() => return Err(e),
        Err(_) => None,
    };
    let name = common
        .name
        .clone()
        .or_else(|| loaded.as_ref().map(|l| l.spec.name.clone()))
        .unwrap_or_default();
    spec::validate_name(&name).map_err(|m| Failure::bad_input(format!("--name: {m}")))?;
    let provider = common
        .provider
        .or_else(|| loaded.as_ref().map(|l| l.spec.provider))
        .unwrap_or(ProviderKind::Kind);
    Ok((name, provider, loaded))
}

fn list_clusters(tb: &Toolbox, p: &dyn Provider) -> Result<Vec<String>, Failure> {
    let out = tb
        .run(&p.list_clusters().timeout(Duration::from_secs(60)))
        .map_err(tool_error_failure)?;
    Ok(p.parse_clusters(&out.stdout))
}

fn tool_error_failure(e: ToolError) -> Failure {
    let class = match e {
        ToolError::Interrupted { .. } => Class::Interrupted,
        ToolError::NotFound { .. } => Class::MissingPrerequisite,
        _ => Class::Infra,
    };
    Failure::new(class, e.to_string())
}

fn delete_cmd(p: &dyn Provider, name: &str, work: &Path) -> Cmd {
    let kubeconfig = work.join(name).join("kubeconfig");
    let mut cmd = p.delete_named(name);
    if p.name() == "kind" && kubeconfig.exists() {
        cmd = cmd.arg("--kubeconfig").arg(&kubeconfig);
    } else if p.name() == "minikube" {
        cmd = cmd.env("KUBECONFIG", kubeconfig.to_string_lossy());
    }
    cmd.ignore_interrupt().timeout(Duration::from_secs(300))
}

pub fn down(a: DownArgs) -> Result<()> {
    signals_install();
    let tb = toolbox();
    let (name, pk, _) = name_and_provider(&a.common)?;
    let p = providers::new(pk);
    let work = work_dir();
    let clusters = list_clusters(&tb, p.as_ref())?;
    if a.orphans {
        let mut deleted = Vec::new();
        for c in &clusters {
            if owned(&tb, p.as_ref(), c, &work) {
                tb.run(&delete_cmd(p.as_ref(), c, &work))
                    .map_err(tool_error_failure)?;
                let _ = std::fs::remove_dir_all(work.join(c));
                println!("deleted {} cluster \"{c}\" (owned by the lab)", p.name());
                deleted.push(c.clone());
            } else {
                println!(
                    "left {} cluster \"{c}\" alone (not labelled {OWNER_LABEL}={OWNER_VALUE})",
                    p.name()
                );
            }
        }
        if deleted.is_empty() {
            println!(
                "nothing to delete: no {} cluster carries the lab's ownership label",
                p.name()
            );
        }
        return Ok(());
    }
    if !clusters.iter().any(|c| c == &name) {
        let _ = std::fs::remove_dir_all(work.join(&name));
        println!("nothing to delete: no {} cluster named \"{name}\"", p.name());
        return Ok(());
    }
    tb.run(&delete_cmd(p.as_ref(), &name, &work))
        .map_err(tool_error_failure)?;
    let _ = std::fs::remove_dir_all(work.join(&name));
    println!("deleted {} cluster \"{name}\"", p.name());
    Ok(())
}

/// A cluster is the lab's when this checkout created it (state file) or its
/// nodes carry the ownership label.
fn owned(tb: &Toolbox, p: &dyn Provider, name: &str, work: &Path) -> bool {
    if work.join(name).join("state.json").exists() {
        return true;
    }
    let Some(cmd) = p.kubeconfig_of(name) else {
        return false;
    };
    let Ok(out) = tb.run(&cmd.timeout(Duration::from_secs(60))) else {
        return false;
    };
    let dir = work.join(".orphans");
    let file = dir.join(format!("{name}.kubeconfig"));
    if std::fs::create_dir_all(&dir).is_err() || std::fs::write(&file, out.stdout).is_err() {
        return false;
    }
    let cmd = Cmd::new("kubectl")
        .arg("--kubeconfig")
        .arg(&file)
        .args([
            "get",
            "nodes",
            "--selector",
            &format!("{OWNER_LABEL}={OWNER_VALUE}"),
            "-o",
            "name",
        ])
        .timeout(Duration::from_secs(60));
    let r = tb.run(&cmd).map(|o| !o.stdout.trim().is_empty()).unwrap_or(false);
    let _ = std::fs::remove_file(&file);
    r
}

pub fn status(a: CommonArgs) -> Result<()> {
    let tb = toolbox();
    let (name, pk, _) = name_and_provider(&a)?;
    let p = providers::new(pk);
    let clusters = list_clusters(&tb, p.as_ref())?;
    if !clusters.iter().any(|c| c == &name) {
        println!(
            "no {} cluster named \"{name}\" (start one with `cargo xtask lab up --keep`)",
            p.name()
        );
        return Err(Failure::new(Class::CheckFailed, format!("lab \"{name}\" is not running")).into());
    }
    println!("{} cluster \"{name}\" exists", p.name());
    let kubeconfig = work_dir().join(&name).join("kubeconfig");
    if !kubeconfig.exists() {
        println!(
            "(no kubeconfig at {}: it was not created by this checkout)",
            kubeconfig.display()
        );
        return Ok(());
    }
    println!("kubeconfig: {}", kubeconfig.display());
    for args in [
        vec!["get", "nodes", "-o", "wide"],
        vec!["get", "pods", "--all-namespaces"],
    ] {
        let cmd = Cmd::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(args)
            .timeout(Duration::from_secs(60));
        match tb.output(&cmd) {
            Ok(o) => print!("{}{}", o.stdout, o.stderr),
            Err(e) => println!("{e}"),
        }
    }
    // Natively installed releases carry the release label; Helm ones are in `helm list`.
    let mut listings = vec![Cmd::new("kubectl").arg("--kubeconfig").arg(&kubeconfig).args([
        "get",
        "deployments,statefulsets,daemonsets",
        "--all-namespaces",
        "--selector",
        install::RELEASE_LABEL,
        "--label-columns",
        install::RELEASE_LABEL,
    ])];
    if tb.resolve("helm").is_some() {
        listings.push(
            Cmd::new("helm")
                .arg("--kubeconfig")
                .arg(&kubeconfig)
                .args(["list", "--all-namespaces"]),
        );
    }
    for cmd in listings {
        match tb.output(&cmd.timeout(Duration::from_secs(60))) {
            Ok(o) => print!("{}{}", o.stdout, o.stderr),
            Err(e) => println!("{e}"),
        }
    }
    Ok(())
}

pub fn probe(a: ProbeArgs) -> Result<()> {
    signals_install();
    let loaded = Loaded::load(&spec_path(&a.common))?;
    let timeout = Budget::parse(&a.timeout).map_err(|e| Failure::bad_input(format!("--timeout: {e}")))?;
    let port = a.http_port.unwrap_or(loaded.spec.ingress.http_port);
    let specs: Vec<&spec::ProbeSpec> = loaded.spec.probes.iter().collect();
    let results = run_probes(&specs, port, Instant::now() + timeout.0, Backoff::default());
    Ui::detect().probe_table(&results);
    if tools::interrupted() {
        return Err(Failure::new(Class::Interrupted, "interrupted").into());
    }
    let failed = results.iter().filter(|r| !r.ok).count();
    if failed > 0 {
        return Err(Failure::new(
            Class::CheckFailed,
            format!("{failed} of {} probe(s) failed", results.len()),
        )
        .into());
    }
    println!("every probe passed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn checks() {
        let nodes = r#"{"items":[{"metadata":{"name":"a"},"status":{"conditions":[{"type":"Ready","status":"True"}]}},
                                 {"metadata":{"name":"b"},"status":{"conditions":[{"type":"Ready","status":"False"}]}}]}"#;
        assert_eq!(
            evaluate(&Check::NodesReady { count: 2 }, nodes),
            Err("not Ready yet: b".into())
        );
        assert!(evaluate(&Check::NodesReady { count: 3 }, nodes)
            .unwrap_err()
            .contains("2 of 3"));
        let pods = r#"{"items":[{"metadata":{"name":"p","namespace":"n"},"status":{"phase":"Pending",
            "containerStatuses":[{"state":{"waiting":{"reason":"ImagePullBackOff"}}}]}}]}"#;
        assert_eq!(
            evaluate(&Check::PodsReady { min: 1 }, pods),
            Err("not Ready yet: n/p (ImagePullBackOff)".into())
        );
        assert!(evaluate(&Check::PodsReady { min: 1 }, r#"{"items":[]}"#).is_err());
        assert!(evaluate(&Check::PvcsBound, r#"{"items":[]}"#).is_ok());
        assert!(evaluate(
            &Check::PvcsBound,
            r#"{"items":[{"metadata":{"name":"d"},"status":{"phase":"Pending"}}]}"#
        )
        .is_err());
        let eps = r#"{"items":[{"endpoints":[{"addresses":["10.0.0.1"],"conditions":{"ready":true}}]}]}"#;
        assert!(evaluate(&Check::EndpointsReady, eps).is_ok());
        assert!(evaluate(&Check::EndpointsReady, r#"{"items":[{"endpoints":null}]}"#).is_err());
        assert!(evaluate(&Check::NonEmpty, "\n").is_err());
        assert!(evaluate(&Check::NodesReady { count: 1 }, "oops").is_err());
    }
}
