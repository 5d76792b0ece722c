//! `course check … --live`: with a lab left running (`lab up --keep`), the
//! student's manifests are applied into a namespace of their own, readiness
//! is awaited, the app is probed through `kubectl port-forward`, and the
//! namespace is deleted whatever happened. Every step is a kubectl call
//! through the tool seam.

use std::path::Path;
use std::time::{Duration, Instant};

use super::checks::{Ctx, Obj};
use super::model::{CheckOutcome, ExerciseResult, Problem, Status};
use super::msg::Msg;
use crate::msg;
use crate::tools::{Cmd, Toolbox};

pub struct LiveOptions {
    pub kubeconfig: Option<String>,
    pub context: Option<String>,
    pub ready_timeout: Duration,
    /// How long the port-forward stays open for the probe.
    pub probe_window: Duration,
}

/// A DNS-1123 namespace name for a student folder: `course-<name>`.
pub fn namespace_for(dir: &Path) -> String {
    let base = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "student".into());
    let mut s: String = base
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s = s.trim_matches('-').to_string();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    if s.is_empty() {
        s = "student".into();
    }
    let mut ns = format!("course-{s}");
    ns.truncate(63);
    ns.trim_end_matches('-').to_string()
}

fn kubectl(opts: &LiveOptions) -> Cmd {
    let mut c = Cmd::new("kubectl");
    if let Some(k) = &opts.kubeconfig {
        c = c.args(["--kubeconfig", k]);
    }
    if let Some(x) = &opts.context {
        c = c.args(["--context", x]);
    }
    c
}

fn outcome(check: &str, problems: Vec<Problem>, notes: Vec<Msg>) -> CheckOutcome {
    CheckOutcome {
        check: check.to_string(),
        status: if problems.is_empty() {
            Status::Passed
        } else {
            Status::Failed
        },
        problems,
        notes,
    }
}

fn tool_problem(file: &str, what: Msg, err: String) -> Problem {
    Problem::new(
        file,
        0,
        0,
        what,
        Msg::same(err),
        Msg::new(
            "o cluster do laboratório está de pé? Rode `cargo xtask lab up --keep` e confira com `kubectl get nodes`",
            "is the lab cluster up? Run `cargo xtask lab up --keep` and check with `kubectl get nodes`",
        ),
    )
}

/// Applies `k8s/*.yaml` of the folder, waits, probes, deletes the namespace.
pub fn run(ctx: &Ctx<'_>, toolbox: &Toolbox, opts: &LiveOptions) -> ExerciseResult {
    let ns = namespace_for(ctx.dir);
    let mut checks = Vec::new();
    let objs: Vec<Obj> = ctx.objects("k8s").unwrap_or_default();
    let kube = |args: &[&str], t: Duration| kubectl(opts).args(args.iter().copied()).timeout(t);

    // 1. namespace + apply
    let mut apply_problems = Vec::new();
    let created = toolbox.output(&kube(&["create", "namespace", &ns], Duration::from_secs(60)));
    match &created {
        Ok(o) if o.success() || o.stderr.contains("AlreadyExists") => {}
        Ok(o) => apply_problems.push(tool_problem(
            "k8s",
            msg!("o namespace `{}` criado", ns; "namespace `{}` created", ns),
            o.stderr.trim().to_string(),
        )),
        Err(e) => apply_problems.push(tool_problem(
            "k8s",
            msg!("o namespace `{}` criado", ns; "namespace `{}` created", ns),
            e.to_string(),
        )),
    }
    if apply_problems.is_empty() {
        let dir = ctx.dir.join("k8s");
        let out = toolbox.output(
            &kubectl(opts)
                .args(["apply", "--namespace", &ns, "-f"])
                .arg(&dir)
                .timeout(Duration::from_secs(120)),
        );
        match out {
            Ok(o) if o.success() => {}
            Ok(o) => apply_problems.push(Problem::new(
                "k8s",
                0,
                0,
                Msg::new(
                    "`kubectl apply -f k8s/` aceito pelo cluster",
                    "`kubectl apply -f k8s/` accepted by the cluster",
                ),
                Msg::same(o.stderr.trim().to_string()),
                Msg::new(
                    "leia a mensagem do kubectl: ela diz o arquivo e o campo recusados",
                    "read kubectl's message: it names the file and field it refused",
                ),
            )),
            Err(e) => apply_problems.push(tool_problem(
                "k8s",
                Msg::new("`kubectl apply` rodando", "`kubectl apply` running"),
                e.to_string(),
            )),
        }
    }
    let applied = apply_problems.is_empty();
    checks.push(outcome(
        "live-apply",
        apply_problems,
        vec![msg!("namespace: {}", ns; "namespace: {}", ns)],
    ));

    // 2. readiness
    if applied {
        let mut problems = Vec::new();
        let t = format!("--timeout={}s", opts.ready_timeout.as_secs());
        for o in &objs {
            let args: Vec<String> = match o.kind() {
                "Deployment" => vec![
                    "rollout".into(),
                    "status".into(),
                    format!("deployment/{}", o.name()),
                    "--namespace".into(),
                    ns.clone(),
                    t.clone(),
                ],
                "Pod" => vec![
                    "wait".into(),
                    "--for=condition=Ready".into(),
                    format!("pod/{}", o.name()),
                    "--namespace".into(),
                    ns.clone(),
                    t.clone(),
                ],
                _ => continue,
            };
            let out = toolbox.output(
                &kubectl(opts)
                    .args(args)
                    .timeout(opts.ready_timeout + Duration::from_secs(15)),
            );
            let failed = match out {
                Ok(o) if o.success() => None,
                Ok(o) => Some(o.stderr.trim().to_string()),
                Err(e) => Some(e.to_string()),
            };
            if let Some(err) = failed {
                let n = o.root.path("metadata.name").unwrap_or(&o.root);
                problems.push(Problem::new(
                    &o.file,
                    n.line,
                    n.column,
                    msg!("{} `{}` pronto em até {}s", o.kind(), o.name(), opts.ready_timeout.as_secs(); "{} `{}` ready within {}s", o.kind(), o.name(), opts.ready_timeout.as_secs()),
                    Msg::same(err),
                    msg!(
                        "veja o motivo com `kubectl get pods -n {}` e `kubectl describe pod -n {} <pod>` (ErrImagePull: imagem não carregada no kind ou tag `:latest`; CrashLoopBackOff: a aplicação quebra ao iniciar)",
                        ns, ns;
                        "see why with `kubectl get pods -n {}` and `kubectl describe pod -n {} <pod>` (ErrImagePull: image not loaded into kind or a `:latest` tag; CrashLoopBackOff: the app crashes on start)",
                        ns, ns
                    ),
                ));
            }
        }
        let ready = problems.is_empty();
        checks.push(outcome("live-ready", problems, Vec::new()));

        // 3. probe through a port-forward to the Service
        if ready {
            checks.push(probe(toolbox, opts, &ns, &objs));
        }
    }

    // 4. always clean up
    let deleted = toolbox.output(
        &kube(
            &["delete", "namespace", &ns, "--wait=false", "--ignore-not-found"],
            Duration::from_secs(60),
        )
        .ignore_interrupt(),
    );
    let mut cleanup = Vec::new();
    if let Err(e) = deleted {
        cleanup.push(tool_problem(
            "k8s",
            msg!("o namespace `{}` apagado", ns; "namespace `{}` deleted", ns),
            e.to_string(),
        ));
    }
    checks.push(outcome("live-cleanup", cleanup, Vec::new()));

    let status = if checks.iter().any(|c| c.status == Status::Failed) {
        Status::Failed
    } else {
        Status::Passed
    };
    ExerciseResult {
        exercise: "live".into(),
        status,
        checks,
    }
}

fn probe(toolbox: &Toolbox, opts: &LiveOptions, ns: &str, objs: &[Obj]) -> CheckOutcome {
    let Some(svc) = objs.iter().find(|o| o.kind() == "Service") else {
        return CheckOutcome {
            check: "live-probe".into(),
            status: Status::Skipped,
            problems: Vec::new(),
            notes: vec![Msg::new(
                "nenhum Service em k8s/ para testar",
                "no Service in k8s/ to probe",
            )],
        };
    };
    let port = super::checks::free_port().unwrap_or(18080);
    let svc_port = svc
        .root
        .path("spec.ports[0].port")
        .and_then(crate::k8s::Node::as_i64)
        .unwrap_or(80);
    let cmd = kubectl(opts)
        .args(["port-forward", "--namespace", ns, "--address", "127.0.0.1"])
        .arg(format!("service/{}", svc.name()))
        .arg(format!("{port}:{svc_port}"))
        .timeout(opts.probe_window);
    let tb = toolbox.clone();
    let forward = std::thread::spawn(move || tb.output(&cmd));
    let start = Instant::now();
    let mut result = None;
    while start.elapsed() < opts.probe_window && !forward.is_finished() {
        match super::checks::http_get(port, "/", "hello.localhost", Duration::from_secs(5)) {
            Ok(r) => {
                result = Some(Ok(r));
                break;
            }
            Err(e) => result = Some(Err(e)),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    // The port-forward ends at the end of its window.
    let _ = forward.join();
    let n = svc.root.path("metadata.name").unwrap_or(&svc.root);
    let want: serde_json::Value = serde_json::json!({"message": "Hello World!"});
    let problems = match result {
        Some(Ok((200, body)))
            if serde_json::from_str::<serde_json::Value>(&body).ok().as_ref() == Some(&want) =>
        {
            Vec::new()
        }
        other => {
            let found = match other {
                Some(Ok((code, body))) => format!("HTTP {code}: {}", body.trim()),
                Some(Err(e)) => e.to_string(),
                None => "-".into(),
            };
            vec![Problem::new(
                &svc.file,
                n.line,
                n.column,
                msg!("GET / via `kubectl port-forward service/{}` respondendo 200 {{\"message\": \"Hello World!\"}}", svc.name(); "GET / through `kubectl port-forward service/{}` answering 200 {{\"message\": \"Hello World!\"}}", svc.name()),
                Msg::same(found),
                Msg::new(
                    "confira `kubectl get endpoints -n <ns>`: sem endpoints, o seletor do Service não bate com os rótulos dos Pods ou o targetPort está errado",
                    "check `kubectl get endpoints -n <ns>`: with no endpoints, the Service selector does not match the Pod labels or the targetPort is wrong",
                ),
            )]
        }
    };
    outcome(
        "live-probe",
        problems,
        vec![
            msg!("port-forward 127.0.0.1:{} → service/{}:{}", port, svc.name(), svc_port; "port-forward 127.0.0.1:{} → service/{}:{}", port, svc.name(), svc_port),
        ],
    )
}
