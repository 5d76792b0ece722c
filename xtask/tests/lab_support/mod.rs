//! Shared by the lab's end-to-end tests: a temporary lab (spec, fake tools,
//! work folder) and a loopback HTTP server standing in for the ingress.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

pub const TOOLS: [&str; 5] = ["docker", "kind", "kubectl", "helm", "minikube"];

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn fake_tool() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fake-tools/fake-tool")
}

/// A free TCP port on 127.0.0.1 that this test process was not given
/// before (the course checks' helper: the kernel may hand the same
/// just-released port to two calls in a row, and a lab's HTTP and HTTPS
/// ports, or two tests running side by side, must differ).
pub fn free_port() -> u16 {
    xtask::course::checks::free_port().expect("a free port on 127.0.0.1")
}

pub struct Lab {
    pub dir: tempfile::TempDir,
    pub tools: PathBuf,
    pub log: PathBuf,
    pub state: PathBuf,
    pub work: PathBuf,
    pub spec: PathBuf,
    pub name: String,
    pub http_port: u16,
    pub https_port: u16,
    pub env: Vec<(String, String)>,
    pub server: Option<Server>,
}

impl Lab {
    /// A lab whose tools are all fakes (minus those in `without`).
    pub fn new(without: &[&str]) -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let tools = root.join("bin");
        std::fs::create_dir_all(&tools).unwrap();
        for t in TOOLS.iter().filter(|t| !without.contains(t)) {
            std::os::unix::fs::symlink(fake_tool(), tools.join(t)).unwrap();
        }
        for d in ["apps/hello", "charts/hello", "values", "state", "work"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(
            root.join("charts/hello/Chart.yaml"),
            "apiVersion: v2\nname: hello\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::write(root.join("values/hello.yaml"), "replicaCount: 1\n").unwrap();
        let name = "asky-lab-test".to_string();
        let spec = root.join("lab.yaml");
        let repo = repo();
        std::fs::write(
            &spec,
            format!(
                "apiVersion: asky.dev/lab/v1
name: {name}
cluster:
  kind: {kind}
  minikube: {minikube}
  nodes: 4
ingress:
  controller: traefik
  httpPort: 80
  httpsPort: 443
images:
  - name: asky-lab/hello-fastapi:0.1.0
    context: apps/hello
charts:
  - release: hello-fastapi
    namespace: hello
    path: charts/hello
    values: [values/hello.yaml]
probes:
  - name: hello
    host: hello.localhost
    path: /
    expect:
      json: {{message: \"Hello World!\"}}
budgets:
  preflight: 20s
  cluster: 20s
  images: 20s
  ingress: 20s
  charts: 20s
  ready: 3s
  probes: 3s
  diagnostics: 30s
  teardown: 20s
",
                kind = repo.join("lab/kind.yaml").display(),
                minikube = repo.join("lab/minikube.yaml").display(),
            ),
        )
        .unwrap();
        Lab {
            tools,
            log: root.join("calls.log"),
            state: root.join("state"),
            work: root.join("work"),
            spec,
            name,
            http_port: free_port(),
            https_port: free_port(),
            env: Vec::new(),
            server: None,
            dir,
        }
    }

    /// A lab without helm (the native installer is chosen automatically):
    /// a fake curl "downloads" the Traefik chart, and the test chart has a
    /// Deployment and a ConfigMap to render.
    pub fn native() -> Lab {
        let lab = Lab::new(&["helm"]);
        std::os::unix::fs::symlink(fake_tool(), lab.tools.join("curl")).unwrap();
        let t = lab.dir.path().join("charts/hello/templates");
        std::fs::create_dir_all(&t).unwrap();
        std::fs::write(
            t.join("deployment.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    app: hello\nspec:\n  replicas: {{ .Values.replicaCount }}\n  selector:\n    matchLabels:\n      app: hello\n  template:\n    metadata:\n      labels:\n        app: hello\n    spec:\n      containers:\n        - name: app\n          image: asky-lab/hello-fastapi:0.1.0\n",
        )
        .unwrap();
        std::fs::write(
            t.join("configmap.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n",
        )
        .unwrap();
        lab
    }

    pub fn with_env(mut self, k: &str, v: &str) -> Lab {
        self.env.push((k.into(), v.into()));
        self
    }

    /// The built binary with this lab's fakes, folders and scenario.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
        c.args(args)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", self.tools.display()))
            .env("HOME", self.dir.path())
            .env("ASKY_TOOLS_DIR", &self.tools)
            .env("ASKY_LAB_DIR", &self.work)
            .env("ASKY_LAB_SPEC", &self.spec)
            .env("ASKY_LAB_POLL_MS", "20")
            .env("FAKE_LOG", &self.log)
            .env("FAKE_STATE", &self.state)
            .env("NO_COLOR", "1");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    pub fn up_args(&self) -> Vec<String> {
        vec![
            "lab".into(),
            "up".into(),
            "--http-port".into(),
            self.http_port.to_string(),
            "--https-port".into(),
            self.https_port.to_string(),
        ]
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn up(&self, extra: &[&str]) -> Output {
        let mut a = self.up_args();
        a.extend(extra.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        self.run(&refs)
    }

    /// Every recorded tool call, one "prog arg…" line each.
    pub fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }

    pub fn count(&self, prefix: &str) -> usize {
        self.calls().iter().filter(|c| c.starts_with(prefix)).count()
    }

    pub fn first(&self, prefix: &str) -> Option<usize> {
        self.calls().iter().position(|c| c.starts_with(prefix))
    }

    /// Serves the hello app's answers on the lab's HTTP port once the
    /// (fake) cluster exists, as kind's port mapping would: before that the
    /// port must be free for the preflight check.
    pub fn serve(&mut self, status: u16) {
        self.serve_when("kind create cluster", status);
    }

    /// Like [`Lab::serve`], once a call starting with `call` was made.
    pub fn serve_after(&mut self, call: &str) {
        self.serve_when(call, 200);
    }

    fn serve_when(&mut self, call: &str, status: u16) {
        let call = call.to_string();
        let log = self.log.clone();
        let port = self.http_port;
        std::thread::spawn(move || {
            let t0 = std::time::Instant::now();
            while !std::fs::read_to_string(&log).unwrap_or_default().contains(&call) {
                if t0.elapsed() > std::time::Duration::from_secs(120) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            let _ = Server::start(port, status);
        });
    }

    /// The run folder's report.json (the only run of this lab).
    pub fn report(&self) -> serde_json::Value {
        let runs: Vec<PathBuf> = std::fs::read_dir(&self.work)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("report.json").exists())
            .collect();
        assert_eq!(
            runs.len(),
            1,
            "expected one run folder in {}: {runs:?}",
            self.work.display()
        );
        serde_json::from_str(&std::fs::read_to_string(runs[0].join("report.json")).unwrap()).unwrap()
    }

    pub fn run_dir(&self) -> PathBuf {
        std::fs::read_dir(&self.work)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.join("report.json").exists())
            .expect("a run folder")
    }

    pub fn cluster_exists(&self) -> bool {
        self.state.join("kind").join(&self.name).exists()
    }
}

pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A loopback HTTP/1.1 server answering like the ingress in front of the
/// hello app (`Host: hello.localhost`, `GET /`), or with `status` for
/// everything when it is not 200.
pub struct Server {
    pub port: u16,
    pub hits: Arc<AtomicU16>,
}

impl Server {
    pub fn start(port: u16, status: u16) -> Server {
        let l = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let hits = Arc::new(AtomicU16::new(0));
        let h = hits.clone();
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                h.fetch_add(1, Ordering::SeqCst);
                let _ = answer(s, status);
            }
        });
        Server { port, hits }
    }
}

fn answer(mut s: TcpStream, status: u16) -> std::io::Result<()> {
    let mut req = Vec::new();
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        req.extend_from_slice(&buf[..n]);
    }
    let req = String::from_utf8_lossy(&req).to_string();
    let host = req
        .lines()
        .find_map(|l| l.strip_prefix("Host: ").or_else(|| l.strip_prefix("host: ")))
        .unwrap_or("")
        .trim()
        .to_string();
    let (code, body) = if status != 200 {
        (status, "{\"detail\":\"broken\"}".to_string())
    } else if host == "hello.localhost" && req.starts_with("GET / ") {
        (200, "{\"message\":\"Hello World!\"}".to_string())
    } else {
        (404, "404 page not found".to_string())
    };
    let resp = format!(
        "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(resp.as_bytes())
}

pub fn assert_exists(p: &Path) {
    assert!(p.exists(), "{} does not exist", p.display());
}
