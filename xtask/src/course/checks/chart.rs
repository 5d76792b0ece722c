//! The student's Helm chart: it passes lint and renders the objects of the
//! earlier exercises (a Deployment, a Service and an Ingress that pass the
//! same checks). Linting and rendering use the project's native chart engine
//! (`xtask chart lint` / `xtask chart template`, run as a child process with
//! a time limit) when this build has that subcommand, else real Helm
//! (`target/tools/bin/helm`, else PATH); both go through the tool seam and
//! the output says which engine ran.

use std::time::Duration;

use super::{manifests, missing_file, Ctx, Verdict};
use crate::course::fsutil::TempDir;
use crate::course::model::Problem;
use crate::course::msg::Msg;
use crate::msg;
use crate::tools::{Cmd, ToolError};

/// `Some(path of this program)` when it has the native `chart <sub>` command.
fn native(ctx: &Ctx<'_>, sub: &str) -> Option<String> {
    static KNOWN: std::sync::Mutex<Vec<(String, bool)>> = std::sync::Mutex::new(Vec::new());
    let exe = ctx.opts.self_exe.as_ref()?.to_string_lossy().into_owned();
    if let Some((_, ok)) = KNOWN.lock().ok()?.iter().find(|(s, _)| s == sub) {
        return ok.then_some(exe);
    }
    let ok = ctx
        .toolbox
        .output(
            &Cmd::new(&exe)
                .args(["chart", sub, "--help"])
                .timeout(Duration::from_secs(20)),
        )
        .is_ok_and(|o| o.success());
    if let Ok(mut k) = KNOWN.lock() {
        k.push((sub.to_string(), ok));
    }
    ok.then_some(exe)
}

fn native_note(sub: &str) -> Msg {
    msg!("motor de charts: nativo (`cargo xtask chart {}`)", sub; "chart engine: native (`cargo xtask chart {}`)", sub)
}

fn engine_note(ctx: &Ctx<'_>) -> Msg {
    let at = ctx
        .toolbox
        .resolve("helm")
        .map_or_else(|| "helm".to_string(), |p| p.display().to_string());
    msg!("motor de charts: Helm real ({})", at; "chart engine: real Helm ({})", at)
}

fn helm_missing(ctx: &Ctx<'_>, e: &ToolError) -> Verdict {
    ctx.missing_prerequisite(format!(
        "{e}; `bash scripts/test-deps.sh` installs helm into target/tools/bin"
    ));
    Verdict::Skip(msg!("o Helm não está disponível: {}", e; "Helm is not available: {}", e))
}

pub fn lint(ctx: &Ctx<'_>, dir: &str) -> Verdict {
    if !ctx.dir.join(dir).join("Chart.yaml").is_file() {
        return Verdict::Fail(vec![missing_file(&format!("{dir}/Chart.yaml"))], Vec::new());
    }
    let native_exe = native(ctx, "lint");
    let cmd = match &native_exe {
        Some(exe) => Cmd::new(exe).args(["chart", "lint", "--strict", "--no-extra"]),
        None => Cmd::new("helm").args(["lint", "--strict"]),
    };
    let out = ctx
        .toolbox
        .output(&cmd.arg(ctx.dir.join(dir)).timeout(Duration::from_secs(60)));
    let out = match out {
        Ok(o) => o,
        Err(e @ ToolError::NotFound { .. }) => return helm_missing(ctx, &e),
        Err(e) => return Verdict::Skip(Msg::same(e.to_string())),
    };
    let notes = vec![if native_exe.is_some() {
        native_note("lint")
    } else {
        engine_note(ctx)
    }];
    if out.success() {
        return Verdict::Pass(notes);
    }
    let mut problems = Vec::new();
    let text = format!("{}\n{}", out.stdout, out.stderr);
    for l in text.lines().map(str::trim) {
        let Some(rest) = l.strip_prefix("[ERROR]").or_else(|| l.strip_prefix("[WARNING]")) else {
            continue;
        };
        let rest = rest.trim();
        let (where_, what) = rest.split_once(": ").unwrap_or(("", rest));
        let file = if where_.is_empty() {
            format!("{dir}/Chart.yaml")
        } else {
            format!("{dir}/{where_}")
        };
        // helm prints `(file.yaml:LINE)` or `line N` in template errors.
        let line = what
            .split([':', ' '])
            .zip(what.split([':', ' ']).skip(1))
            .find(|(a, _)| a.ends_with(".yaml") || *a == "line")
            .and_then(|(_, n)| n.trim_end_matches([')', ',']).parse::<usize>().ok())
            .unwrap_or(0);
        problems.push(Problem::new(
            &file,
            line,
            usize::from(line > 0),
            Msg::new("`helm lint --strict` sem erros nem avisos", "`helm lint --strict` with no errors or warnings"),
            Msg::same(what.to_string()),
            Msg::new(
                "rode `helm lint --strict chart/` e corrija a primeira mensagem; `helm template chart/` mostra o YAML gerado",
                "run `helm lint --strict chart/` and fix the first message; `helm template chart/` shows the generated YAML",
            ),
        ));
    }
    if problems.is_empty() {
        problems.push(Problem::new(
            dir,
            0,
            0,
            Msg::new(
                "`helm lint --strict` sem erros",
                "`helm lint --strict` without errors",
            ),
            Msg::same(text.lines().last().unwrap_or("").to_string()),
            Msg::new(
                "rode `helm lint --strict chart/` e leia a saída",
                "run `helm lint --strict chart/` and read its output",
            ),
        ));
    }
    Verdict::Fail(problems, notes)
}

pub fn render(ctx: &Ctx<'_>, dir: &str) -> Verdict {
    if !ctx.dir.join(dir).join("Chart.yaml").is_file() {
        return Verdict::Fail(vec![missing_file(&format!("{dir}/Chart.yaml"))], Vec::new());
    }
    let template = |c: Cmd| {
        c.args(["template", "hello-fastapi"])
            .arg(ctx.dir.join(dir))
            .args(["--namespace", "hello", "--kube-version", "1.36.4"])
            .timeout(Duration::from_secs(60))
    };
    // The native engine first; when it cannot render a chart that Helm
    // renders, Helm's output is used and the note says so.
    let mut notes = Vec::new();
    let mut out = None;
    if let Some(exe) = native(ctx, "template") {
        match ctx.toolbox.output(&template(Cmd::new(exe).arg("chart"))) {
            Ok(o) if o.success() => {
                notes.push(native_note("template"));
                out = Some(o);
            }
            Ok(o) => {
                let why = o.stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").to_string();
                notes.push(msg!("o motor nativo recusou o chart ({}); conferindo com o Helm", why; "the native engine refused the chart ({}); checking with Helm", why));
                out = Some(o);
            }
            Err(e) => notes.push(msg!("o motor nativo não rodou ({}); conferindo com o Helm", e; "the native engine did not run ({}); checking with Helm", e)),
        }
    }
    if out.as_ref().is_none_or(|o| !o.success()) {
        match ctx.toolbox.output(&template(Cmd::new("helm"))) {
            Ok(o) => {
                notes.push(engine_note(ctx));
                out = Some(o);
            }
            Err(e @ ToolError::NotFound { .. }) if out.is_none() => return helm_missing(ctx, &e),
            Err(ToolError::NotFound { .. }) => {}
            Err(e) => return Verdict::Skip(Msg::same(e.to_string())),
        }
    }
    let Some(out) = out else {
        return Verdict::Skip(Msg::new(
            "nenhum motor de charts disponível",
            "no chart engine available",
        ));
    };
    if !out.success() {
        let last = out
            .stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
        return Verdict::Fail(
            vec![Problem::new(
                dir,
                0,
                0,
                Msg::new(
                    "`helm template` gerando os manifestos",
                    "`helm template` rendering the manifests",
                ),
                Msg::same(last),
                Msg::new(
                    "rode `helm template chart/` e corrija o erro do template indicado",
                    "run `helm template chart/` and fix the template error it names",
                ),
            )],
            notes,
        );
    }
    // Split the rendered stream by kind into a folder laid out like the
    // earlier exercises, and run their checks on it.
    let tmp = match TempDir::new("asky-course-chart") {
        Ok(t) => t,
        Err(e) => return Verdict::Skip(Msg::same(e.to_string())),
    };
    let k8s = tmp.path().join("k8s");
    let _ = std::fs::create_dir_all(&k8s);
    let mut by_kind: std::collections::BTreeMap<&str, String> = Default::default();
    let mut sources: std::collections::BTreeMap<&str, String> = Default::default();
    for doc in out.stdout.split("\n---") {
        let kind = doc
            .lines()
            .find_map(|l| l.strip_prefix("kind: "))
            .map(str::trim)
            .unwrap_or("");
        let file = match kind {
            "Deployment" => "deployment.yaml",
            "Service" => "service.yaml",
            "Ingress" => "ingress.yaml",
            _ => continue,
        };
        let src = doc
            .lines()
            .find_map(|l| l.strip_prefix("# Source: "))
            .unwrap_or("")
            .to_string();
        sources.insert(file, src);
        let entry = by_kind.entry(file).or_default();
        entry.push_str("---\n");
        entry.push_str(doc.trim_start_matches('-').trim_start_matches('\n'));
        entry.push('\n');
    }
    let mut problems = Vec::new();
    for (want_kind, file) in [
        ("Deployment", "deployment.yaml"),
        ("Service", "service.yaml"),
        ("Ingress", "ingress.yaml"),
    ] {
        match by_kind.get(file) {
            Some(text) => {
                let _ = std::fs::write(k8s.join(file), text);
            }
            None => problems.push(Problem::new(
                &format!("{dir}/templates"),
                0,
                0,
                msg!("um {} entre os objetos gerados", want_kind; "a {} among the rendered objects", want_kind),
                msg!("nenhum {} em `helm template`", want_kind; "no {} in `helm template`", want_kind),
                msg!("crie `templates/{}` a partir do seu `k8s/{}`", file, file; "create `templates/{}` from your `k8s/{}`", file, file),
            )),
        }
    }
    let sub = Ctx::new(tmp.path(), ctx.toolbox, ctx.opts);
    let runs: Vec<(&str, Verdict)> = vec![
        (
            "deployment.yaml",
            manifests::schema(&sub, "k8s/deployment.yaml", Some("Deployment")),
        ),
        (
            "deployment.yaml",
            manifests::selector(&sub, "k8s/deployment.yaml"),
        ),
        (
            "deployment.yaml",
            manifests::image(&sub, "k8s/deployment.yaml", "hello-fastapi"),
        ),
        (
            "deployment.yaml",
            manifests::container_port(&sub, "k8s/deployment.yaml", 8000),
        ),
        (
            "service.yaml",
            manifests::schema(&sub, "k8s/service.yaml", Some("Service")),
        ),
        ("service.yaml", manifests::service_ports(&sub, "k8s/service.yaml")),
        (
            "service.yaml",
            manifests::service_selector(&sub, "k8s/service.yaml"),
        ),
        (
            "ingress.yaml",
            manifests::schema(&sub, "k8s/ingress.yaml", Some("Ingress")),
        ),
        (
            "ingress.yaml",
            manifests::ingress_host(&sub, "k8s/ingress.yaml", "hello.localhost"),
        ),
        (
            "ingress.yaml",
            manifests::ingress_backend(&sub, "k8s/ingress.yaml"),
        ),
    ];
    for (file, v) in runs {
        if !by_kind.contains_key(file) {
            continue;
        }
        if let Verdict::Fail(ps, _) = v {
            let src = sources.get(file).cloned().unwrap_or_default();
            for mut p in ps {
                // Lines are those of the rendered object; name the template.
                let in_chart = src.split_once('/').map_or(src.as_str(), |(_, rest)| rest);
                p.file = format!("{dir}/{in_chart} (rendered)");
                problems.push(p);
            }
        }
    }
    if problems.is_empty() {
        Verdict::Pass(notes)
    } else {
        Verdict::Fail(problems, notes)
    }
}
