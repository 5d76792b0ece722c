//! `course check --live` against fake tools: a fake `kubectl` (first in the
//! folder `ASKY_TOOLS_DIR` points the binary's Toolbox at) records its
//! arguments, fails on demand, and serves the app on `port-forward`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

const FAKE_KUBECTL: &str = r#"#!/usr/bin/env bash
printf '%s\n' "$*" >> "$FAKE_LOG"
case "$*" in
  *"create namespace"*)
    echo "namespace/${@: -1} created" ;;
  apply*|*" apply "*)
    [ -n "$FAKE_APPLY_FAIL" ] && { echo 'error: error validating "k8s/deployment.yaml": unknown field "spec.template.containers"' >&2; exit 1; }
    echo "deployment.apps/hello-fastapi created" ;;
  *"rollout status"*)
    [ -n "$FAKE_ROLLOUT_FAIL" ] && { echo 'error: deployment "hello-fastapi" exceeded its progress deadline' >&2; exit 1; }
    echo 'deployment "hello-fastapi" successfully rolled out' ;;
  *"wait --for=condition=Ready"*)
    echo "pod/hello-fastapi condition met" ;;
  *port-forward*)
    for a in "$@"; do case "$a" in *:80) port=${a%%:*} ;; esac; done
    exec python3 -c '
import http.server, os, sys
body = os.environ.get("FAKE_BODY", "{\"message\":\"Hello World!\"}").encode()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$port" ;;
  *"delete namespace"*)
    echo "namespace \"${3}\" deleted" ;;
  *) echo "fake kubectl: unexpected $*" >&2; exit 9 ;;
esac
"#;

fn fake_tools(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let k = dir.join("kubectl");
    std::fs::write(&k, FAKE_KUBECTL).unwrap();
    std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn live(tmp: &Path, env: &[(&str, &str)]) -> (Output, String) {
    let tools = tmp.join("tools");
    fake_tools(&tools);
    let log = tmp.join("kubectl.log");
    let _ = std::fs::remove_file(&log);
    // a student folder named like a student
    let student = tmp.join("Maria Souza");
    if !student.exists() {
        let src = root().join("lab/course/ingress/solution/k8s");
        std::fs::create_dir_all(student.join("k8s")).unwrap();
        for f in ["deployment.yaml", "service.yaml", "ingress.yaml"] {
            std::fs::copy(src.join(f), student.join("k8s").join(f)).unwrap();
        }
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args([
        "course",
        "check",
        "ingress",
        "--live",
        "--lang",
        "en",
        "--probe-seconds",
        "8",
        "--ready-timeout",
        "5",
        "--dir",
    ])
    .arg(&student)
    .env("ASKY_TOOLS_DIR", &tools)
    .env("FAKE_LOG", &log)
    .env_remove("KUBECONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    (out, calls)
}

#[test]
fn live_applies_waits_probes_and_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, calls) = live(tmp.path(), &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}\n{calls}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = calls.lines().collect();
    assert_eq!(lines[0], "create namespace course-maria-souza", "{calls}");
    assert!(
        lines[1].starts_with("apply --namespace course-maria-souza -f ") && lines[1].ends_with("/k8s"),
        "{calls}"
    );
    assert_eq!(
        lines[2],
        "rollout status deployment/hello-fastapi --namespace course-maria-souza --timeout=5s"
    );
    assert!(
        lines[3].starts_with(
            "port-forward --namespace course-maria-souza --address 127.0.0.1 service/hello-fastapi "
        ),
        "{calls}"
    );
    assert_eq!(
        lines[4],
        "delete namespace course-maria-souza --wait=false --ignore-not-found"
    );
    assert!(text.contains("✓ check live-probe"), "{text}");
}

#[test]
fn live_reports_a_rollout_that_never_gets_ready_and_still_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, calls) = live(tmp.path(), &[("FAKE_ROLLOUT_FAIL", "1")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("✗ check live-ready: k8s/deployment.yaml:4:9"),
        "{text}"
    );
    assert!(text.contains("exceeded its progress deadline"), "{text}");
    assert!(
        !calls.contains("port-forward"),
        "no probe after a failed rollout: {calls}"
    );
    assert!(
        calls
            .lines()
            .last()
            .unwrap()
            .starts_with("delete namespace course-maria-souza"),
        "{calls}"
    );
}

#[test]
fn live_reports_a_refused_apply_and_a_wrong_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, calls) = live(tmp.path(), &[("FAKE_APPLY_FAIL", "1")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains("✗ check live-apply") && text.contains("unknown field"),
        "{text}"
    );
    assert!(calls.contains("delete namespace"), "{calls}");

    let (out, _) = live(
        tmp.path(),
        &[
            ("FAKE_BODY", "{\"message\":\"Hello world\"}"),
            ("LANG", "pt_BR.UTF-8"),
        ],
    );
    let out_pt = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    // --lang en wins over LANG
    assert!(
        out_pt.contains("✗ check live-probe: k8s/service.yaml:4:9"),
        "{out_pt}"
    );
    assert!(
        out_pt.contains("HTTP 200: {\"message\":\"Hello world\"}"),
        "{out_pt}"
    );
}

#[test]
fn live_without_kubectl_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("no-tools");
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["course", "check", "ingress", "--live", "--lang", "en", "--dir"])
        .arg(root().join("lab/course/ingress/solution"))
        .env("ASKY_TOOLS_DIR", &empty)
        .env("PATH", &empty)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("`kubectl` was not found") && text.contains("lab up --keep"),
        "{text}"
    );
}
