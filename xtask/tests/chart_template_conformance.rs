//! Conformance suite for `chart template`: every case under
//! `tests/conformance/<case>/` holds a chart, optional `args` (one argument
//! per line, default `chart`) and `compat`, and the output recorded from the
//! real Helm binary (`expected.txt`, plus `expected.err` when Helm failed),
//! re-recorded with `cargo xtask chart record-conformance`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
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

fn run_case(case: &Path) -> Result<(), String> {
    let expected = std::fs::read_to_string(case.join("expected.txt"))
        .map_err(|e| format!("missing expected.txt: {e}"))?;
    let expected_err = std::fs::read_to_string(case.join("expected.err")).ok();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.current_dir(case).arg("chart").arg("template");
    if std::fs::read_to_string(case.join("compat")).is_ok_and(|s| s.trim() == "helm3") {
        cmd.arg("--compat").arg("helm3");
    }
    cmd.args(case_args(case));
    let out = cmd.output().map_err(|e| format!("spawn: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stdout != expected {
        return Err(format!(
            "stdout differs\n--- expected\n{expected}\n--- got\n{stdout}\n--- stderr\n{stderr}"
        ));
    }
    match expected_err {
        Some(msg) => {
            if out.status.success() {
                return Err(format!("expected failure `{}`, got success", msg.trim()));
            }
            if !stderr.contains(msg.trim()) {
                return Err(format!(
                    "error differs\n--- expected\n{}\n--- got\n{stderr}",
                    msg.trim()
                ));
            }
        }
        None => {
            if !out.status.success() {
                return Err(format!("unexpected failure: {stderr}"));
            }
        }
    }
    Ok(())
}

#[test]
fn conformance_cases_match_helm() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("conformance dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    names.sort();
    assert!(names.len() >= 40, "too few conformance cases: {}", names.len());
    let mut failures = Vec::new();
    for case in &names {
        if let Err(e) = run_case(case) {
            failures.push(format!("== {}: {e}", case.display()));
        }
    }
    println!(
        "{} of {} conformance cases match",
        names.len() - failures.len(),
        names.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
