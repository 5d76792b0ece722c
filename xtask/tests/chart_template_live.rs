//! Live checks against the real Helm binaries (target/tools/bin/helm v4.3.1,
//! helm3 v3.19.0): the recorded conformance outputs are still what Helm
//! prints, and the project's charts render identically (lines that differ
//! between two Helm runs, such as generated passwords, are masked).
//! Skipped when Helm is missing, unless ASKY_REQUIRE_TOOLS=1.

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::tools::{Cmd, Toolbox};

fn root() -> PathBuf {
    xtask::project_root()
}

fn toolbox() -> Option<Toolbox> {
    let tb = Toolbox::for_project(&root());
    if tb.resolve("helm").is_some() && tb.resolve("helm3").is_some() {
        return Some(tb);
    }
    if std::env::var("ASKY_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("helm/helm3 not found and ASKY_REQUIRE_TOOLS=1 (run scripts/test-deps.sh)");
    }
    eprintln!("skipping: helm/helm3 not installed (run scripts/test-deps.sh)");
    None
}

fn helm_cmd(program: &str, args: &[String], cwd: &Path) -> Cmd {
    let scratch = std::env::temp_dir().join(format!("asky-live-{}", std::process::id()));
    Cmd::new(program)
        .arg("template")
        .args(args)
        .cwd(cwd)
        .env("KUBECONFIG", scratch.join("kubeconfig").display().to_string())
        .env("HELM_CONFIG_HOME", scratch.join("c").display().to_string())
        .env("HELM_CACHE_HOME", scratch.join("k").display().to_string())
        .env("HELM_DATA_HOME", scratch.join("d").display().to_string())
        .timeout(std::time::Duration::from_secs(120))
}

fn case_args(case: &Path) -> Vec<String> {
    match std::fs::read_to_string(case.join("args")) {
        Ok(s) => s
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect(),
        Err(_) => vec!["chart".to_string()],
    }
}

#[test]
fn recorded_outputs_are_current_helm_output() {
    let Some(tb) = toolbox() else { return };
    let dir = root().join("xtask/tests/conformance");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut stale = Vec::new();
    for case in &cases {
        let helm3 = std::fs::read_to_string(case.join("compat")).is_ok_and(|s| s.trim() == "helm3");
        let out = tb
            .output(&helm_cmd(
                if helm3 { "helm3" } else { "helm" },
                &case_args(case),
                case,
            ))
            .expect("run helm");
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap();
        if out.stdout != expected || out.success() == case.join("expected.err").exists() {
            stale.push(case.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "re-record with `cargo xtask chart record-conformance`: {stale:?}"
    );
}

fn masked_equal(h1: &str, h2: &str, native: &str) -> Result<(), String> {
    let (a, b, n): (Vec<&str>, Vec<&str>, Vec<&str>) = (
        h1.split('\n').collect(),
        h2.split('\n').collect(),
        native.split('\n').collect(),
    );
    if a.len() != b.len() || a.len() != n.len() {
        return Err(format!(
            "line counts differ: helm {} / {}, native {}",
            a.len(),
            b.len(),
            n.len()
        ));
    }
    for i in 0..a.len() {
        if a[i] != b[i] {
            continue; // differs between two helm runs: masked
        }
        if a[i] != n[i] {
            return Err(format!("line {}: helm `{}` native `{}`", i + 1, a[i], n[i]));
        }
    }
    Ok(())
}

#[test]
fn project_charts_render_like_helm() {
    let Some(tb) = toolbox() else { return };
    let r = root();
    let mut runs: Vec<Vec<String>> = Vec::new();
    for entry in std::fs::read_dir(r.join("charts")).unwrap().flatten() {
        let chart = entry.path();
        if !chart.join("Chart.yaml").exists() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        runs.push(vec![chart.display().to_string()]);
        let lab_values = r.join(format!("lab/values/{name}.yaml"));
        if lab_values.exists() {
            runs.push(vec![
                name.clone(),
                chart.display().to_string(),
                "-n".into(),
                name.clone(),
                "-f".into(),
                lab_values.display().to_string(),
            ]);
        }
    }
    assert!(!runs.is_empty(), "no charts under charts/");
    for args in runs {
        let h1 = tb.output(&helm_cmd("helm", &args, &r)).expect("helm");
        let h2 = tb.output(&helm_cmd("helm", &args, &r)).expect("helm");
        assert!(h1.success(), "helm failed on {args:?}: {}", h1.stderr);
        let native = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("chart")
            .arg("template")
            .args(&args)
            .current_dir(&r)
            .output()
            .expect("run xtask");
        let n = String::from_utf8_lossy(&native.stdout);
        assert!(native.status.success(), "native failed on {args:?}");
        if let Err(e) = masked_equal(&h1.stdout, &h2.stdout, &n) {
            panic!("{args:?}: {e}");
        }
    }
}
