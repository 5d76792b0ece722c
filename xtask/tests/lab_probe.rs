//! The probe client against real HTTP servers on loopback: Python's
//! http.server (Content-Length and chunked answers, Host routing) and, when
//! the charts helper's app is in the tree, the FastAPI hello app under
//! uvicorn from target/tools/venv. Also `lab probe` end to end.

mod lab_support;

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lab_support::{free_port, repo, text};
use xtask::lab::probe;

fn require_tools() -> bool {
    std::env::var_os("ASKY_REQUIRE_TOOLS").is_some_and(|v| v == "1")
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_listening(port: u16, child: &mut Child) {
    let t0 = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(s)) = child.try_wait() {
            panic!("server exited early: {s}");
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "server did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

const PY_SERVER: &str = r#"
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        if host == "hello.localhost" and self.path == "/":
            self.send_json(200, {"message": "Hello World!"})
        elif host == "asky.localhost" and self.path == "/health":
            body = json.dumps({"status": "ok", "service": "gateway"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 7):
                part = body[i:i + 7]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif host == "asky.localhost" and self.path == "/ready":
            self.send_json(503, {"status": "not ready", "postgres": "refused"})
        else:
            self.send_json(404, {"detail": "Not Found"})
    def send_json(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

fn python() -> Option<PathBuf> {
    ["/usr/bin/python3", "/usr/local/bin/python3"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn python_server() -> Option<(Killed, u16)> {
    let Some(py) = python() else {
        assert!(!require_tools(), "python3 is required (ASKY_REQUIRE_TOOLS=1)");
        eprintln!("skipping: python3 not found");
        return None;
    };
    let port = free_port();
    let mut child = Command::new(py)
        .arg("-c")
        .arg(PY_SERVER)
        .arg(port.to_string())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_listening(port, &mut child);
    Some((Killed(child), port))
}

#[test]
fn client_against_python_http_server() {
    let Some((_server, port)) = python_server() else {
        return;
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let r = probe::get(addr, "hello.localhost", "/", Duration::from_secs(5)).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap(),
        serde_json::json!({"message": "Hello World!"})
    );
    assert!(r.latency > Duration::ZERO);
    // chunked body, reassembled
    let r = probe::get(addr, "asky.localhost", "/health", Duration::from_secs(5)).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        r#"{"status": "ok", "service": "gateway"}"#
    );
    // the Host header routes: the same path on another host is a 404
    let r = probe::get(addr, "asky.localhost", "/", Duration::from_secs(5)).unwrap();
    assert_eq!(r.status, 404);
    // nothing listening: a clear connect error
    let closed = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let e = probe::get(closed, "hello.localhost", "/", Duration::from_secs(2)).unwrap_err();
    assert!(e.contains("connect"), "{e}");
}

fn spec_with_probes(dir: &std::path::Path, probes: &str) -> PathBuf {
    let s = std::fs::read_to_string(repo().join("lab/lab.yaml")).unwrap();
    let head = &s[..s.find("# HTTP through the ingress").unwrap()];
    let head = head.replace(
        "kind: kind.yaml",
        &format!("kind: {}", repo().join("lab/kind.yaml").display()),
    );
    let p = dir.join("lab.yaml");
    std::fs::write(&p, format!("{head}probes:\n{probes}")).unwrap();
    p
}

#[test]
fn lab_probe_command_reports_each_probe() {
    let Some((_server, port)) = python_server() else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let ok = spec_with_probes(
        d.path(),
        "  - {name: hello, host: hello.localhost, path: /, expect: {status: 200, json: {message: \"Hello World!\"}}}\n  - {name: health, host: asky.localhost, path: /health, expect: {json: {status: ok}}}\n",
    );
    let run = |spec: &PathBuf, timeout: &str| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args([
                "lab",
                "probe",
                "--spec",
                spec.to_str().unwrap(),
                "--http-port",
                &port.to_string(),
                "--timeout",
                timeout,
            ])
            .env("ASKY_LAB_POLL_MS", "20")
            .env_remove("ASKY_LAB_SPEC")
            .output()
            .unwrap()
    };
    let o = run(&ok, "10s");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("hello") && out.contains("health") && out.contains("every probe passed"),
        "{out}"
    );

    let d2 = tempfile::tempdir().unwrap();
    let bad = spec_with_probes(
        d2.path(),
        "  - {name: asky-ready, host: asky.localhost, path: /ready, expect: {status: 200}}\n",
    );
    let t0 = Instant::now();
    let o = run(&bad, "1s");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(t0.elapsed() < Duration::from_secs(15));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("FAILED") && out.contains("status 503 (expected 200)") && out.contains("refused"),
        "{out}"
    );
}

#[test]
fn client_against_the_fastapi_hello_app_under_uvicorn() {
    let app = repo().join("lab/apps/hello-fastapi/main.py");
    if !app.exists() {
        eprintln!(
            "skipping: {} is not in this tree yet (charts and apps land it)",
            app.display()
        );
        return;
    }
    let uvicorn = repo().join("target/tools/venv/bin/uvicorn");
    if !uvicorn.exists() {
        assert!(
            !require_tools(),
            "{} is required (ASKY_REQUIRE_TOOLS=1; scripts/test-deps.sh installs it)",
            uvicorn.display()
        );
        eprintln!(
            "skipping: {} not installed (run scripts/test-deps.sh)",
            uvicorn.display()
        );
        return;
    }
    let port = free_port();
    let mut child = Command::new(&uvicorn)
        .args([
            "main:app",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--app-dir",
        ])
        .arg(app.parent().unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_listening(port, &mut child);
    let _k = Killed(child);
    let spec = xtask::lab::spec::ProbeSpec {
        name: "hello".into(),
        host: "hello.localhost".into(),
        path: "/".into(),
        expect: xtask::lab::spec::Expect {
            status: 200,
            json: Some(serde_json::json!({"message": "Hello World!"})),
        },
    };
    let r = probe::run(
        &spec,
        port,
        Instant::now() + Duration::from_secs(10),
        xtask::lab::wait::Backoff::default(),
    );
    assert!(r.ok, "{r:?}");
    assert_eq!(r.status, Some(200));
    assert!(r.latency_ms.is_some());
    let health = xtask::lab::spec::ProbeSpec {
        path: "/health".into(),
        expect: xtask::lab::spec::Expect {
            status: 200,
            json: Some(serde_json::json!({"status": "ok"})),
        },
        ..spec.clone()
    };
    assert!(
        probe::run(
            &health,
            port,
            Instant::now() + Duration::from_secs(10),
            xtask::lab::wait::Backoff::default()
        )
        .ok
    );
    let missing = xtask::lab::spec::ProbeSpec {
        path: "/nope".into(),
        ..spec
    };
    let r = probe::run(
        &missing,
        port,
        Instant::now() + Duration::from_millis(500),
        xtask::lab::wait::Backoff::default(),
    );
    assert!(!r.ok && r.status == Some(404), "{r:?}");
}
