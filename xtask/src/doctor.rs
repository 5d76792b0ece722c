//! `cargo xtask doctor`: checks this machine for what the lab needs and
//! prints the fix for each problem. Exits 3 (missing prerequisite) when any
//! check fails; warnings do not change the exit code.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use crate::exit::{Class, Failure};
use crate::tools::{Cmd, Toolbox};

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    /// Host port the lab will use for HTTP.
    #[arg(long, default_value_t = 80)]
    pub http_port: u16,
    /// Host port the lab will use for HTTPS.
    #[arg(long, default_value_t = 443)]
    pub https_port: u16,
    /// Also require minikube (for `lab up --provider minikube`).
    #[arg(long)]
    pub minikube: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Ok,
    Info,
    Warn,
    Fail,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub level: Level,
    pub what: String,
    pub fix: Option<String>,
}

fn f(level: Level, what: impl Into<String>, fix: Option<String>) -> Finding {
    Finding {
        level,
        what: what.into(),
        fix,
    }
}

/// Minimum versions the lab works with.
pub const MIN_KIND: (u64, u64, u64) = (0, 33, 0);
pub const MIN_KUBECTL: (u64, u64, u64) = (1, 35, 0);
pub const MIN_HELM: (u64, u64, u64) = (3, 13, 0);
pub const MIN_MINIKUBE: (u64, u64, u64) = (1, 36, 0);

/// How to get a tool, in one line.
pub fn install_hint(tool: &str) -> String {
    match tool {
        "docker" => "install Docker Engine (Linux: https://docs.docker.com/engine/install/) or Docker Desktop \
                     (macOS/Windows: https://docs.docker.com/desktop/), start it, and on Linux add yourself to the \
                     docker group: `sudo usermod -aG docker $USER` (then log in again)"
            .into(),
        "kind" | "kubectl" | "helm" => format!(
            "run `cargo xtask tools` (downloads the pinned {tool} into target/tools/bin and checks its sha256)"
        ),
        "minikube" => "install minikube: https://minikube.sigs.k8s.io/docs/start/".into(),
        other => format!("install {other} and put it on PATH"),
    }
}

/// `v1.36.4`, `kind v0.33.0 go1.24 linux/amd64`, `v3.19.0+g…` -> (1, 36, 4).
pub fn parse_version(s: &str) -> Option<(u64, u64, u64)> {
    for word in s.split(|c: char| c.is_whitespace() || c == '"' || c == ',') {
        let w = word.trim_start_matches('v');
        let core = w.split(['+', '-']).next().unwrap_or("");
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() >= 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        {
            let n = |i: usize| parts.get(i).and_then(|p| p.parse().ok()).unwrap_or(0);
            return Some((n(0), n(1), n(2)));
        }
    }
    None
}

fn vstr(v: (u64, u64, u64)) -> String {
    format!("v{}.{}.{}", v.0, v.1, v.2)
}

/// Where a tool comes from, for the report.
fn origin(tb: &Toolbox, path: &Path) -> &'static str {
    if tb.pinned_dirs().iter().any(|d| path.starts_with(d)) {
        "pinned copy in target/tools/bin"
    } else {
        "from PATH"
    }
}

fn check_tool(tb: &Toolbox, tool: &str, args: &[&str], min: (u64, u64, u64), required: bool) -> Finding {
    let Some(path) = tb.resolve(tool) else {
        let level = if required { Level::Fail } else { Level::Warn };
        return f(level, format!("{tool}: not found"), Some(install_hint(tool)));
    };
    let out = tb.output(&Cmd::new(tool).args(args).timeout(Duration::from_secs(20)));
    let text = match &out {
        Ok(o) => format!("{}{}", o.stdout, o.stderr),
        Err(e) => e.to_string(),
    };
    let Some(v) = parse_version(&text) else {
        return f(
            Level::Fail,
            format!(
                "{tool} at {} ({}): cannot read its version: {}",
                path.display(),
                origin(tb, &path),
                text.trim()
            ),
            Some(install_hint(tool)),
        );
    };
    let desc = format!("{tool} {} at {} ({})", vstr(v), path.display(), origin(tb, &path));
    if v < min {
        f(
            if required { Level::Fail } else { Level::Warn },
            format!("{desc}: older than the minimum {}", vstr(min)),
            Some(install_hint(tool)),
        )
    } else {
        f(Level::Ok, desc, None)
    }
}

fn port_free(port: u16) -> Finding {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
        Ok(_) => f(
            Level::Fail,
            format!("host port {port}: in use"),
            Some(format!(
                "stop what listens there (`sudo ss -ltnp 'sport = :{port}'` shows it) or use other ports: \
                 `cargo xtask lab up --http-port 8080 --https-port 8443`"
            )),
        ),
        Err(_) => f(Level::Ok, format!("host port {port}: free"), None),
    }
}

fn read_num(p: &str) -> Option<u64> {
    std::fs::read_to_string(p).ok()?.trim().parse().ok()
}

/// Every check, in order.
pub fn findings(tb: &Toolbox, a: &DoctorArgs) -> Vec<Finding> {
    let mut v = Vec::new();
    // docker
    let mut docker_info: Option<serde_json::Value> = None;
    match tb.resolve("docker") {
        None => v.push(f(Level::Fail, "docker: not found", Some(install_hint("docker")))),
        Some(path) => {
            let out = tb.output(
                &Cmd::new("docker")
                    .args(["info", "--format", "{{json .}}"])
                    .timeout(Duration::from_secs(30)),
            );
            match out {
                Ok(o) if o.success() => {
                    let info: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap_or_default();
                    let ver = info["ServerVersion"].as_str().unwrap_or("?").to_string();
                    v.push(f(
                        Level::Ok,
                        format!("docker {ver} reachable at {} ({})", path.display(), origin(tb, &path)),
                        None,
                    ));
                    docker_info = Some(info);
                }
                Ok(o) => v.push(f(
                    Level::Fail,
                    format!("docker at {}: the daemon is not reachable: {}", path.display(), o.stderr.trim()),
                    Some(
                        "start Docker (`sudo systemctl start docker`, or open Docker Desktop) and make sure your user \
                         may use it: `sudo usermod -aG docker $USER`, then log in again"
                            .into(),
                    ),
                )),
                Err(e) => v.push(f(Level::Fail, format!("docker: {e}"), Some(install_hint("docker")))),
            }
        }
    }
    v.push(check_tool(tb, "kind", &["version"], MIN_KIND, true));
    v.push(check_tool(
        tb,
        "kubectl",
        &["version", "--client", "-o", "json"],
        MIN_KUBECTL,
        true,
    ));
    // helm is optional: without it `lab up` installs charts natively
    // (this program's renderer + `kubectl apply --server-side`).
    let mut helm = check_tool(
        tb,
        "helm",
        &["version", "--template", "{{.Version}}"],
        MIN_HELM,
        false,
    );
    if helm.level != Level::Ok {
        helm.what
            .push_str(" (optional: without it `lab up` installs the charts natively)");
    }
    v.push(helm);
    v.push(check_tool(
        tb,
        "minikube",
        &["version", "--short"],
        MIN_MINIKUBE,
        a.minikube,
    ));
    v.push(port_free(a.http_port));
    v.push(port_free(a.https_port));
    if cfg!(target_os = "linux") {
        let watches = read_num("/proc/sys/fs/inotify/max_user_watches");
        let instances = read_num("/proc/sys/fs/inotify/max_user_instances");
        match (watches, instances) {
            (Some(w), Some(i)) if w >= 524_288 && i >= 512 => {
                v.push(f(Level::Ok, format!("inotify limits: max_user_watches={w}, max_user_instances={i}"), None))
            }
            (Some(w), Some(i)) => v.push(f(
                Level::Fail,
                format!(
                    "inotify limits too low for 4 nodes: max_user_watches={w} (want 524288), max_user_instances={i} (want 512)"
                ),
                Some(
                    "sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512 \
                     && printf 'fs.inotify.max_user_watches = 524288\\nfs.inotify.max_user_instances = 512\\n' | sudo tee /etc/sysctl.d/99-kind.conf"
                        .into(),
                ),
            )),
            _ => v.push(f(Level::Warn, "inotify limits: cannot read /proc/sys/fs/inotify", None)),
        }
    }
    // cgroup v2: from docker when reachable (Docker Desktop's VM), else the host.
    let cgroup = docker_info
        .as_ref()
        .and_then(|i| i["CgroupVersion"].as_str().map(String::from))
        .or_else(|| {
            cfg!(target_os = "linux").then(|| {
                if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
                    "2"
                } else {
                    "1"
                }
                .to_string()
            })
        });
    match cgroup.as_deref() {
        Some("2") => v.push(f(Level::Ok, "cgroup v2", None)),
        Some(other) => v.push(f(
            Level::Fail,
            format!("cgroup v{other}: Kubernetes 1.35+ node images need cgroup v2"),
            Some(
                "boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1 on the kernel command line), \
                 or on WSL2 set kernelCommandLine = cgroup_no_v1=all in .wslconfig"
                    .into(),
            ),
        )),
        None => v.push(f(
            Level::Info,
            "cgroup version: unknown (docker not reachable)",
            None,
        )),
    }
    // memory: what Docker can use (the VM on Docker Desktop), else the host.
    let mem = docker_info
        .as_ref()
        .and_then(|i| i["MemTotal"].as_u64())
        .or_else(|| {
            std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|r| r.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                    .map(|kb| kb * 1024)
            })
        });
    if let Some(m) = mem {
        let gib = m as f64 / (1u64 << 30) as f64;
        let fix = Some(
            "give Docker more memory (Docker Desktop: Settings > Resources > Memory, 8 GB or more) or close other programs"
                .to_string(),
        );
        if gib < 4.0 {
            v.push(f(
                Level::Fail,
                format!("memory for containers: {gib:.1} GiB (a 4-node lab needs at least 4, better 8)"),
                fix,
            ));
        } else if gib < 7.5 {
            v.push(f(
                Level::Warn,
                format!("memory for containers: {gib:.1} GiB (8 GiB recommended for 4 nodes)"),
                fix,
            ));
        } else {
            v.push(f(Level::Ok, format!("memory for containers: {gib:.1} GiB"), None));
        }
    }
    if let Some(info) = &docker_info {
        let store = info["DriverStatus"].to_string();
        if store.contains("io.containerd.snapshotter") {
            v.push(f(
                Level::Info,
                "Docker uses the containerd image store: `lab up` exports images with `docker save --platform` \
                 and loads them with `kind load image-archive` (plain `kind load docker-image` breaks there)",
                None,
            ));
        } else {
            v.push(f(
                Level::Info,
                "Docker uses the classic image store: `lab up` loads images with `docker save` + `kind load image-archive`",
                None,
            ));
        }
    }
    v
}

pub fn run(a: DoctorArgs) -> Result<()> {
    let tb = Toolbox::for_project(&crate::project_root());
    let all = findings(&tb, &a);
    let mut fails = Vec::new();
    for x in &all {
        let tag = match x.level {
            Level::Ok => "ok  ",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        };
        println!("{tag}  {}", x.what);
        if let Some(fix) = &x.fix {
            if x.level != Level::Ok {
                println!("      fix: {fix}");
            }
        }
        if x.level == Level::Fail {
            fails.push(x.what.split(':').next().unwrap_or("").to_string());
        }
    }
    if fails.is_empty() {
        println!("doctor: this machine is ready for `cargo xtask lab up`");
        Ok(())
    } else {
        Err(Failure::new(
            Class::MissingPrerequisite,
            format!(
                "doctor: {} problem(s) to fix first: {}",
                fails.len(),
                fails.join("; ")
            ),
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            parse_version("kind v0.33.0 go1.25.1 linux/amd64"),
            Some((0, 33, 0))
        );
        assert_eq!(parse_version("v3.19.0+g3d8990f"), Some((3, 19, 0)));
        assert_eq!(
            parse_version(r#"{"clientVersion": {"gitVersion": "v1.36.4", "major": "1"}}"#),
            Some((1, 36, 4))
        );
        assert_eq!(parse_version("minikube v1.38.1"), Some((1, 38, 1)));
        assert_eq!(parse_version("nothing here"), None);
    }
}
