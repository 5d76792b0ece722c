//! Every reference solution passes every offline check; every starter fails
//! with the intended check, at the intended line, in both languages.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

/// Skips (or fails under ASKY_REQUIRE_TOOLS=1) when `app`/`chart` checks
/// cannot run here.
fn tools_ready() -> bool {
    let venv = root().join("target/tools/venv/bin/python");
    let py = if venv.is_file() {
        venv.to_string_lossy().into_owned()
    } else {
        "python3".into()
    };
    let fastapi = Command::new(&py)
        .args(["-c", "import fastapi, uvicorn"])
        .status()
        .is_ok_and(|s| s.success());
    let helm = root().join("target/tools/bin/helm").is_file();
    if fastapi && helm {
        return true;
    }
    let why = format!("fastapi/uvicorn importable: {fastapi}, target/tools/bin/helm: {helm}");
    if std::env::var("ASKY_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("ASKY_REQUIRE_TOOLS=1 but the reference tools are missing ({why}); run scripts/test-deps.sh");
    }
    eprintln!("skipping: reference tools missing ({why})");
    false
}

fn check_json(id: &str, dir: &Path, lang: &str) -> (i32, serde_json::Value) {
    let out = xtask()
        .args(["course", "check", id, "--json", "--lang", lang, "--dir"])
        .arg(dir)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{id}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

const IDS: &[&str] = &[
    "kind-cluster",
    "app",
    "dockerfile",
    "pod",
    "deployment",
    "service",
    "ingress",
    "chart",
    "asky-config",
    "asky-postgres",
];

#[test]
fn every_solution_passes_every_check() {
    if !tools_ready() {
        return;
    }
    for id in IDS {
        let dir = root().join("lab/course").join(id).join("solution");
        let (code, v) = check_json(id, &dir, "en");
        let r = &v["results"][0];
        assert_eq!(
            code,
            0,
            "{id} solution: {}",
            serde_json::to_string_pretty(r).unwrap()
        );
        for c in r["checks"].as_array().unwrap() {
            assert_eq!(
                c["status"], "passed",
                "{id}: check {} did not pass: {c}",
                c["check"]
            );
        }
    }
}

/// (exercise, first failing check, file, line, other checks that must fail too)
const STARTERS: &[(&str, &str, &str, usize, &[&str])] = &[
    ("kind-cluster", "kind-nodes", "kind.yaml", 5, &[]),
    ("app", "requirements", "app/requirements.txt", 1, &["app-runs"]),
    (
        "dockerfile",
        "dockerfile-sources",
        "Dockerfile",
        8,
        &["dockerfile-cmd", "dockerfile-user"],
    ),
    ("pod", "image", "k8s/pod.yaml", 10, &[]),
    ("deployment", "yaml", "k8s/deployment.yaml", 9, &[]),
    ("service", "service-name", "k8s/service.yaml", 4, &[]),
    ("ingress", "ingress-backend", "k8s/ingress.yaml", 17, &[]),
    (
        "chart",
        "chart-render",
        "chart/templates/deployment.yaml (rendered)",
        21,
        &[],
    ),
    (
        "asky-config",
        "asky-namespace",
        "k8s/asky/configmaps.yaml",
        15,
        &["secrets-only"],
    ),
    (
        "asky-postgres",
        "postgres-storage",
        "k8s/asky/postgres.yaml",
        28,
        &["postgres-readiness"],
    ),
];

#[test]
fn every_starter_fails_with_the_intended_hint() {
    if !tools_ready() {
        return;
    }
    for (id, check, file, line, also) in STARTERS {
        let dir = root().join("lab/course").join(id).join("starter");
        let (code, v) = check_json(id, &dir, "en");
        assert_eq!(code, 1, "{id} starter should fail: {v}");
        let checks = v["results"][0]["checks"].as_array().unwrap();
        let first = checks.iter().find(|c| c["status"] == "failed").unwrap();
        assert_eq!(first["check"], *check, "{id}: {first}");
        let p = &first["problems"][0];
        assert_eq!(p["file"], *file, "{id}: {p}");
        assert_eq!(p["line"], *line, "{id}: {p}");
        for lang in ["pt-BR", "en"] {
            for field in ["expected", "found", "hint"] {
                let s = p[field][lang].as_str().unwrap();
                assert!(!s.is_empty(), "{id}: empty {field} in {lang}");
            }
        }
        assert_ne!(p["hint"]["pt-BR"], p["hint"]["en"], "{id}: hint not translated");
        for a in *also {
            let c = checks.iter().find(|c| c["check"] == *a).unwrap();
            assert_eq!(c["status"], "failed", "{id}: {a} should fail too: {c}");
        }
    }
}

#[test]
fn course_deployment_starter_in_portuguese_names_line_and_indentation() {
    let dir = root().join("lab/course/deployment/starter");
    let out = xtask()
        .args(["course", "check", "deployment", "--dir"])
        .arg(&dir)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "pt_BR.UTF-8")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("verificação yaml: k8s/deployment.yaml:9:5"),
        "{text}"
    );
    assert!(
        text.contains(
            "`app: hello-fastapi` precisa ficar dois espaços mais para dentro, debaixo de `matchLabels`"
        ),
        "{text}"
    );
    assert!(text.contains("dica:"), "{text}");
    // English by default
    let out = xtask()
        .args(["course", "check", "deployment", "--dir"])
        .arg(&dir)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("`app: hello-fastapi` must sit two spaces deeper under `matchLabels`"),
        "{text}"
    );
    // the solution passes
    let out = xtask()
        .args(["course", "check", "deployment", "--dir"])
        .arg(root().join("lab/course/deployment/solution"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn init_copies_the_starter_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("aluno");
    let out = xtask()
        .args(["course", "init", "deployment"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let copied = std::fs::read_to_string(dir.join("k8s/deployment.yaml")).unwrap();
    let starter =
        std::fs::read_to_string(root().join("lab/course/deployment/starter/k8s/deployment.yaml")).unwrap();
    assert_eq!(copied, starter);
    let out = xtask()
        .args(["course", "init", "deployment"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

#[test]
fn list_show_and_bad_input() {
    let out = xtask()
        .args(["course", "show", "deployment", "--lang", "pt-BR"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("três réplicas") && text.contains("- selector"),
        "{text}"
    );
    let out = xtask().args(["course", "show", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown exercise `nope`"));
    let out = xtask()
        .args(["course", "list", "--lang", "en", "--dir"])
        .arg(root().join("lab/course/deployment/starter"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("deployment") && text.contains("failed (yaml k8s/deployment.yaml:9:5)"),
        "{text}"
    );
    assert!(text.contains("not started"), "{text}");
}

#[test]
fn a_missing_tool_is_a_missing_prerequisite_not_a_student_error() {
    // No helm anywhere: the chart lint cannot run here (unless this build has
    // the native `chart lint`), and that is exit 3, not the student's fault.
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("no-tools");
    std::fs::create_dir_all(&empty).unwrap();
    let native_lint = xtask()
        .args(["chart", "lint", "--help"])
        .output()
        .is_ok_and(|o| o.status.success());
    let out = xtask()
        .args(["course", "check", "chart", "--lang", "en", "--dir"])
        .arg(root().join("lab/course/chart/solution"))
        .env("ASKY_TOOLS_DIR", &empty)
        .env("PATH", &empty)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    if native_lint {
        assert_eq!(out.status.code(), Some(0), "{text}{err}");
    } else {
        assert_eq!(out.status.code(), Some(3), "{text}{err}");
        assert!(
            text.contains("- check chart-lint: skipped (Helm is not available"),
            "{text}"
        );
        assert!(
            err.contains("`helm` was not found") && err.contains("scripts/test-deps.sh"),
            "{err}"
        );
        // the native engine still rendered the chart
        assert!(
            text.contains("✓ check chart-render") && text.contains("chart engine: native"),
            "{text}"
        );
    }
}
