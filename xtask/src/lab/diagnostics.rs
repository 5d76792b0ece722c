//! The diagnostics bundle collected when anything fails, before teardown:
//! node/cluster logs (`kind export logs`), nodes, events, pods, describe and
//! current+previous logs of every pod that is not Ready, PVCs, Helm releases,
//! controller logs, plus one-line hints for known causes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::tools::{Cmd, Toolbox};

use super::ingress::Ingress;
use super::install::RELEASE_LABEL;
use super::plan::Ctx;
use super::providers::Provider;
use super::spec::Installer;

/// One file of the bundle. `cmd: None` is the per-pod capture, which needs
/// the pod list first.
#[derive(Clone, Debug)]
pub struct Capture {
    pub title: String,
    pub file: String,
    pub cmd: Option<Cmd>,
}

fn cap(title: &str, file: &str, cmd: Cmd) -> Capture {
    Capture {
        title: title.into(),
        file: file.into(),
        cmd: Some(cmd),
    }
}

pub fn dir(ctx: &Ctx) -> PathBuf {
    ctx.run_dir.join("diagnostics")
}

/// Every capture, in order.
pub fn captures(ctx: &Ctx, provider: &dyn Provider, ingress: &dyn Ingress) -> Vec<Capture> {
    let d = dir(ctx);
    let mut v = vec![
        cap(
            "node and cluster logs",
            "cluster-logs.txt",
            provider.export_logs(ctx, &d.join("cluster-logs")),
        ),
        cap(
            "nodes",
            "nodes.txt",
            ctx.kubectl().args(["get", "nodes", "-o", "wide"]),
        ),
        cap(
            "node details",
            "nodes-describe.txt",
            ctx.kubectl().args(["describe", "nodes"]),
        ),
        cap(
            "events, oldest first",
            "events.txt",
            ctx.kubectl()
                .args(["get", "events", "--all-namespaces", "--sort-by=.lastTimestamp"]),
        ),
        cap(
            "pods",
            "pods.txt",
            ctx.kubectl()
                .args(["get", "pods", "--all-namespaces", "-o", "wide"]),
        ),
        Capture {
            title: "describe, logs and previous logs of every pod that is not Ready".into(),
            file: "pods/<namespace>_<pod>.{describe,log,previous.log}".into(),
            cmd: None,
        },
        cap(
            "PersistentVolumeClaims",
            "pvc.txt",
            ctx.kubectl()
                .args(["get", "pvc", "--all-namespaces", "-o", "wide"]),
        ),
    ];
    if ctx.installer == Installer::Helm {
        v.push(cap(
            "Helm releases",
            "helm-list.txt",
            ctx.helm().args(["list", "--all-namespaces", "--all"]),
        ));
        for c in &ctx.loaded.spec.charts {
            v.push(cap(
                &format!("helm status {}", c.release),
                &format!("helm-status-{}.txt", c.release),
                ctx.helm()
                    .args(["status", c.release.as_str(), "--namespace", c.namespace.as_str()]),
            ));
        }
    } else {
        // (the applied manifests are in target/lab/<name>/manifests/)
        for c in &ctx.loaded.spec.charts {
            v.push(cap(
                &format!("objects of release {} (native installer)", c.release),
                &format!("release-{}.txt", c.release),
                ctx.kubectl()
                    .args([
                        "get",
                        "all,ingress,configmap,pvc,networkpolicy",
                        "--namespace",
                        c.namespace.as_str(),
                        "--selector",
                    ])
                    .arg(format!("{RELEASE_LABEL}={}", c.release))
                    .args(["-o", "wide"]),
            ));
        }
    }
    for (title, file, cmd) in ingress.diagnostics(ctx) {
        v.push(Capture {
            title,
            file,
            cmd: Some(cmd),
        });
    }
    v
}

/// What the bundle holds.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub dir: PathBuf,
    pub files: Vec<String>,
    pub failed: Vec<String>,
    pub hints: Vec<String>,
}

/// Runs every capture (even after Ctrl-C) within `budget`; failures of single
/// captures are recorded, not fatal.
pub fn collect(
    tb: &Toolbox,
    ctx: &Ctx,
    provider: &dyn Provider,
    ingress: &dyn Ingress,
    budget: Duration,
    failure: &str,
) -> Bundle {
    let deadline = Instant::now() + budget;
    let d = dir(ctx);
    let _ = std::fs::create_dir_all(&d);
    let mut b = Bundle {
        dir: d.clone(),
        ..Default::default()
    };
    let mut corpus = String::from(failure);
    let run = |cmd: &Cmd, file: &Path, b: &mut Bundle, corpus: &mut String| {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            b.failed
                .push(format!("{}: diagnostics budget used up", file.display()));
            return None;
        }
        let cmd = cmd
            .clone()
            .ignore_interrupt()
            .timeout(left.min(Duration::from_secs(120)));
        let rel = file
            .strip_prefix(&d)
            .unwrap_or(file)
            .to_string_lossy()
            .into_owned();
        match tb.output(&cmd) {
            Ok(out) => {
                let text = format!(
                    "$ {cmd}\n# exit code {:?}\n{}{}",
                    out.code, out.stdout, out.stderr
                );
                corpus.push_str(&out.stdout);
                corpus.push_str(&out.stderr);
                if let Some(parent) = file.parent() {
                    let _ = std::fs::create_dir_all(parent);
                }
                let _ = std::fs::write(file, text);
                if out.success() {
                    b.files.push(rel);
                } else {
                    b.failed.push(format!("{rel}: exit code {:?}", out.code));
                }
                Some(out.stdout)
            }
            Err(e) => {
                b.failed.push(format!("{rel}: {e}"));
                None
            }
        }
    };
    for c in captures(ctx, provider, ingress) {
        match &c.cmd {
            Some(cmd) => {
                run(cmd, &d.join(&c.file), &mut b, &mut corpus);
            }
            None => {
                let list = ctx
                    .kubectl()
                    .args(["get", "pods", "--all-namespaces", "-o", "json"]);
                let Some(json) = run(&list, &d.join("pods.json"), &mut b, &mut corpus) else {
                    continue;
                };
                let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
                for pod in v["items"].as_array().into_iter().flatten() {
                    if super::run::pod_is_ready(pod) {
                        continue;
                    }
                    let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
                    let name = pod["metadata"]["name"].as_str().unwrap_or("unknown");
                    let base = d.join("pods").join(format!("{ns}_{name}"));
                    let with_ext = |e: &str| PathBuf::from(format!("{}.{e}", base.display()));
                    run(
                        &ctx.kubectl().args(["describe", "pod", name, "--namespace", ns]),
                        &with_ext("describe"),
                        &mut b,
                        &mut corpus,
                    );
                    run(
                        &ctx.kubectl().args([
                            "logs",
                            name,
                            "--namespace",
                            ns,
                            "--all-containers",
                            "--tail",
                            "1000",
                        ]),
                        &with_ext("log"),
                        &mut b,
                        &mut corpus,
                    );
                    run(
                        &ctx.kubectl().args([
                            "logs",
                            name,
                            "--namespace",
                            ns,
                            "--all-containers",
                            "--previous",
                            "--tail",
                            "1000",
                        ]),
                        &with_ext("previous.log"),
                        &mut b,
                        &mut corpus,
                    );
                }
            }
        }
    }
    // The manifests the native installer applied live in the cluster's
    // folder, which the teardown removes: keep a copy with the evidence.
    if let Ok(entries) = std::fs::read_dir(ctx.cluster_dir.join("manifests")) {
        let to = d.join("manifests");
        let _ = std::fs::create_dir_all(&to);
        for e in entries.flatten() {
            let name = e.file_name();
            if std::fs::copy(e.path(), to.join(&name)).is_ok() {
                b.files.push(format!("manifests/{}", name.to_string_lossy()));
            }
        }
    }
    b.hints = hints(&corpus);
    let mut index = String::new();
    for h in &b.hints {
        index.push_str(&format!("hint: {h}\n"));
    }
    for f in &b.files {
        index.push_str(&format!("ok     {f}\n"));
    }
    for f in &b.failed {
        index.push_str(&format!("failed {f}\n"));
    }
    let _ = std::fs::write(d.join("index.txt"), index);
    b
}

/// One-line hints for known causes found in the captured text.
pub fn hints(text: &str) -> Vec<String> {
    let t = text.to_ascii_lowercase();
    let mut h = Vec::new();
    if t.contains("imagepullbackoff") || t.contains("errimagepull") || t.contains("errimageneverpull") {
        h.push(
            "ImagePullBackOff: an image is not on the nodes. Use an explicit tag (never :latest), \
             imagePullPolicy IfNotPresent, and check that the images phase loaded it (`docker save` + `kind load image-archive`)."
                .to_string(),
        );
    }
    if t.contains("port is already allocated")
        || t.contains("address already in use")
        || t.contains("ports are not available")
        || t.contains("is already in use")
    {
        h.push(
            "Port in use: another program (or another cluster) holds the host port. Free it \
             (`sudo ss -ltnp 'sport = :80'`) or pick another: `cargo xtask lab up --http-port 8080 --https-port 8443`."
                .to_string(),
        );
    }
    if t.contains("too many open files")
        || t.contains("inotify")
        || t.contains("failed to create fsnotify watcher")
    {
        h.push(
            "inotify limits too low for a multi-node cluster: \
             `sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512` \
             (persist in /etc/sysctl.d/99-kind.conf)."
                .to_string(),
        );
    }
    if t.contains("failed calling webhook") {
        h.push(
            "An admission webhook did not answer (ingress-nginx): wait for its endpoints before installing charts, or retry."
                .to_string(),
        );
    }
    if t.contains("no space left on device") || t.contains("diskpressure") {
        h.push(
            "Disk full: free space (`docker system prune`) or give Docker Desktop a bigger disk.".to_string(),
        );
    }
    if t.contains("oomkilled") || t.contains("insufficient memory") || t.contains("memorypressure") {
        h.push(
            "Out of memory: give Docker (Desktop) at least 8 GB for a 4-node lab, or close other programs."
                .to_string(),
        );
    }
    if t.contains("cannot connect to the docker daemon") || t.contains("docker daemon is not running") {
        h.push("Docker is not running: start Docker Desktop or `sudo systemctl start docker`.".to_string());
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_for_known_causes() {
        assert!(hints("Back-off pulling image: ImagePullBackOff")[0].starts_with("ImagePullBackOff"));
        assert!(hints("Bind for 0.0.0.0:80 failed: port is already allocated")[0].starts_with("Port in use"));
        assert!(hints("kube-proxy: too many open files")[0].starts_with("inotify"));
        assert!(hints("all fine").is_empty());
    }
}
