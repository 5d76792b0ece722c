//! `lab up` end to end against fake tools (xtask/tests/fake-tools/): the
//! recorded calls prove the flow, the order, diagnostics before delete and
//! teardown exactly once.

mod lab_support;

use std::time::{Duration, Instant};

use lab_support::{text, Lab};

#[test]
fn success_runs_every_phase_and_tears_down_once() {
    let mut lab = Lab::new(&[]);
    lab.serve(200);
    let junit = lab.dir.path().join("out/junit.xml");
    let o = lab.up(&["--report", "junit", "--report-file", junit.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let calls = lab.calls();
    let order = [
        "docker info --format {{.ServerVersion}}",
        "kind get clusters",
        "kind create cluster --name asky-lab-test --config",
        "kubectl --kubeconfig",
        "docker build --tag asky-lab/hello-fastapi:0.1.0",
        "docker save --output",
        "kind load image-archive",
        "helm --kubeconfig",
        "kind delete cluster --name asky-lab-test",
    ];
    let mut at = 0;
    for step in order {
        let i = calls[at..]
            .iter()
            .position(|c| c.starts_with(step))
            .unwrap_or_else(|| panic!("`{step}` not called after call #{at}:\n{}", calls.join("\n")));
        at += i;
    }
    // isolated kubeconfig, rendered config with the host ports and owner labels
    let create = &calls[lab.first("kind create cluster").unwrap()];
    let kubeconfig = lab.work.join("asky-lab-test/kubeconfig");
    assert!(
        create.contains(&format!("--kubeconfig {}", kubeconfig.display())),
        "{create}"
    );
    assert!(lab
        .calls()
        .iter()
        .all(|c| !c.starts_with("kubectl") || c.contains("--kubeconfig")));
    assert!(calls.iter().any(|c| c.starts_with("helm --kubeconfig")
        && c.contains("upgrade --install traefik traefik")
        && c.contains("--version 41.3.0")));
    assert!(calls.iter().any(|c| c.contains("upgrade --install hello-fastapi")
        && c.contains("--wait")
        && c.contains("--labels asky.dev/lab-owner=asky-lab")));
    // helm installs the archive the native packager wrote (Chart.yaml name-version)
    let archive = lab.work.join("asky-lab-test/charts/hello-0.1.0.tgz");
    assert!(
        calls.iter().any(|c| c.starts_with("helm --kubeconfig")
            && c.contains(&format!("upgrade --install hello-fastapi {} ", archive.display()))),
        "{}",
        calls.join("\n")
    );
    assert_eq!(lab.count("helm --kubeconfig"), 2, "traefik + hello-fastapi only");
    assert!(
        calls.iter().all(|c| !c.contains("dependency")),
        "no helm dependency step"
    );
    assert!(calls.iter().all(|c| !c.contains("--server-side")));
    assert_eq!(lab.count("kind delete cluster"), 1);
    assert_eq!(lab.count("kind export logs"), 0, "no diagnostics on success");
    assert!(!lab.cluster_exists());
    let r = lab.report();
    assert_eq!(r["schema"], "asky.dev/lab-report/v1");
    assert_eq!(r["outcome"], "ok");
    assert_eq!(r["installer"], "helm");
    assert_eq!(r["teardown"], "deleted");
    assert_eq!(r["phases"].as_array().unwrap().len(), 7);
    assert!(
        r["phases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "ok"),
        "{r:#}"
    );
    assert_eq!(r["probes"][0]["ok"], true);
    assert!(r["probes"][0]["latencyMs"].as_f64().is_some());
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(
        x.contains("<testsuite name=\"lab.probes\" tests=\"1\" failures=\"0\">"),
        "{x}"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("hello") && stdout.contains("ok"), "{stdout}");
}

/// One injected failure per phase: right exit code, failed phase recorded,
/// diagnostics collected before the delete, delete exactly once.
fn failing_run(lab: Lab, extra: &[&str], code: i32, phase: &str) -> Lab {
    let o = lab.up(extra);
    assert_eq!(o.status.code(), Some(code), "{}", text(&o));
    let r = lab.report();
    let p = r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == phase)
        .unwrap()
        .clone();
    assert_ne!(p["status"], "ok", "{r:#}");
    assert_ne!(p["status"], "skipped", "{r:#}");
    assert_eq!(r["exitCode"], code);
    // later phases were skipped
    let phases = r["phases"].as_array().unwrap();
    let idx = phases.iter().position(|x| x["id"] == phase).unwrap();
    assert!(
        phases[idx + 1..].iter().all(|x| x["status"] == "skipped"),
        "{r:#}"
    );
    if phase != "preflight" {
        let export = lab
            .first("kind export logs")
            .unwrap_or_else(|| panic!("no diagnostics:\n{}", lab.calls().join("\n")));
        let delete = lab.first("kind delete cluster").expect("no teardown");
        assert!(export < delete, "diagnostics must come before the delete");
        assert_eq!(lab.count("kind delete cluster"), 1, "{}", lab.calls().join("\n"));
        let diag = lab.run_dir().join("diagnostics");
        for f in [
            "events.txt",
            "pods.txt",
            "helm-list.txt",
            "index.txt",
            "cluster-logs/kubelet.log",
        ] {
            assert!(diag.join(f).exists(), "missing {f} in the bundle; {}", text(&o));
        }
        assert!(!lab.cluster_exists());
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("diagnostics: "),
            "{}",
            text(&o)
        );
    } else {
        assert_eq!(lab.count("kind create cluster"), 0);
        assert_eq!(lab.count("kind delete cluster"), 0);
    }
    lab
}

#[test]
fn cluster_create_failure() {
    let lab = Lab::new(&[]).with_env("FAKE_FAIL", "kind create cluster");
    failing_run(lab, &[], 4, "cluster");
}

#[test]
fn nodes_never_ready_times_out() {
    let lab = Lab::new(&[]).with_env("FAKE_NODES_READY", "3");
    let lab = failing_run(lab, &["--budget", "cluster=2s"], 4, "cluster");
    let r = lab.report();
    assert_eq!(r["phases"][1]["status"], "timed-out");
    assert!(r["message"].as_str().unwrap().contains("not Ready yet"), "{r:#}");
}

#[test]
fn image_build_failure() {
    let lab = Lab::new(&[]).with_env("FAKE_FAIL", "docker build");
    failing_run(lab, &[], 4, "images");
}

#[test]
fn ingress_install_failure() {
    let lab = Lab::new(&[]).with_env("FAKE_FAIL", "upgrade --install traefik");
    failing_run(lab, &[], 4, "ingress");
}

#[test]
fn chart_install_failure() {
    let lab = Lab::new(&[]).with_env("FAKE_FAIL", "upgrade --install hello-fastapi");
    failing_run(lab, &[], 4, "charts");
}

#[test]
fn pods_not_ready_gives_the_image_pull_hint() {
    let lab = Lab::new(&[]).with_env("FAKE_POD_REASON", "ImagePullBackOff");
    let o = lab.up(&[]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("hint: ImagePullBackOff"),
        "{}",
        text(&o)
    );
    let lab = failing_run(lab_again(lab), &[], 4, "ready");
    let diag = lab.run_dir().join("diagnostics/pods");
    assert!(diag.join("hello_app-1.describe").exists());
    assert!(lab
        .calls()
        .iter()
        .any(|c| c.contains("logs app-1 --namespace hello --all-containers --previous")));
}

/// A fresh lab with the same scenario (the first run's files are gone).
fn lab_again(old: Lab) -> Lab {
    let mut l = Lab::new(&[]);
    l.env = old.env.clone();
    l
}

#[test]
fn probe_failure_is_exit_1() {
    let mut lab = Lab::new(&[]);
    lab.serve(500);
    let lab = failing_run(lab, &[], 1, "probes");
    let r = lab.report();
    assert_eq!(r["outcome"], "check-failed");
    assert_eq!(r["probes"][0]["ok"], false);
    assert_eq!(r["probes"][0]["status"], 500);
    assert!(r["probes"][0]["attempts"].as_u64().unwrap() > 1, "retried: {r:#}");
}

#[test]
fn missing_tool_is_exit_3_and_names_it() {
    let lab = Lab::new(&["kind"]);
    let lab = failing_run(lab, &[], 3, "preflight");
    let r = lab.report();
    let msg = r["message"].as_str().unwrap();
    assert!(
        msg.contains("missing: kind") && msg.contains("cargo xtask tools"),
        "{msg}"
    );
}

#[test]
fn existing_cluster_is_refused_and_left_alone() {
    let lab = Lab::new(&[]);
    std::fs::create_dir_all(lab.state.join("kind/asky-lab-test")).unwrap();
    let o = lab.up(&[]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("already exists") && err.contains("cargo xtask lab down --name asky-lab-test"),
        "{err}"
    );
    assert_eq!(lab.count("kind create cluster"), 0);
    assert_eq!(lab.count("kind delete cluster"), 0);
    assert!(lab.cluster_exists(), "someone else's cluster must survive");
}

#[test]
fn timeout_in_a_hanging_tool_tears_down() {
    let lab = Lab::new(&[]).with_env("FAKE_HANG", "upgrade --install hello-fastapi");
    let t0 = Instant::now();
    let lab = failing_run(lab, &["--budget", "charts=2s"], 4, "charts");
    assert!(t0.elapsed() < Duration::from_secs(30), "took {:?}", t0.elapsed());
    let r = lab.report();
    assert_eq!(r["phases"][4]["status"], "timed-out");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("ran out of its budget of 2s"),
        "{r:#}"
    );
}

fn interrupt(signal: i32) {
    let lab = Lab::new(&[]).with_env("FAKE_HANG", "upgrade --install traefik");
    let mut a = lab.up_args();
    a.extend(["--budget".to_string(), "ingress=60s".to_string()]);
    let child = lab
        .command(&a.iter().map(String::as_str).collect::<Vec<_>>())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while lab.first("helm --kubeconfig").is_none()
        || !lab
            .calls()
            .iter()
            .any(|c| c.contains("upgrade --install traefik"))
    {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "never reached the ingress phase:\n{}",
            lab.calls().join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", text(&o));
    assert!(t0.elapsed() < Duration::from_secs(40));
    let export = lab
        .first("kind export logs")
        .expect("diagnostics after the interrupt");
    let delete = lab
        .first("kind delete cluster")
        .expect("teardown after the interrupt");
    assert!(export < delete);
    assert_eq!(lab.count("kind delete cluster"), 1);
    assert!(!lab.cluster_exists());
    let r = lab.report();
    assert_eq!(r["outcome"], "interrupted");
    assert_eq!(r["phases"][3]["status"], "interrupted");
}

#[test]
fn sigint_mid_run_collects_diagnostics_and_tears_down() {
    interrupt(libc::SIGINT);
}

#[test]
fn sigterm_mid_run_collects_diagnostics_and_tears_down() {
    interrupt(libc::SIGTERM);
}

#[test]
fn keep_on_failure_keeps_and_down_is_idempotent() {
    let lab = Lab::new(&[]).with_env("FAKE_FAIL", "upgrade --install hello-fastapi");
    let o = lab.up(&["--keep-on-failure"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        lab.first("kind export logs").is_some(),
        "diagnostics even when kept"
    );
    assert_eq!(lab.count("kind delete cluster"), 0);
    assert!(lab.cluster_exists());
    assert!(String::from_utf8_lossy(&o.stderr).contains("lab down --name asky-lab-test"));

    let s = lab.run(&["lab", "status"]);
    assert_eq!(s.status.code(), Some(0), "{}", text(&s));
    let d1 = lab.run(&["lab", "down"]);
    assert_eq!(d1.status.code(), Some(0), "{}", text(&d1));
    assert!(String::from_utf8_lossy(&d1.stdout).contains("deleted kind cluster \"asky-lab-test\""));
    let d2 = lab.run(&["lab", "down"]);
    assert_eq!(d2.status.code(), Some(0), "{}", text(&d2));
    assert!(
        String::from_utf8_lossy(&d2.stdout).contains("nothing to delete"),
        "{}",
        text(&d2)
    );
    assert_eq!(lab.count("kind delete cluster"), 1, "{}", lab.calls().join("\n"));
    let s = lab.run(&["lab", "status"]);
    assert_eq!(s.status.code(), Some(1), "{}", text(&s));
}

#[test]
fn failed_teardown_is_exit_4_with_the_manual_fix() {
    let mut lab = Lab::new(&[]).with_env("FAKE_FAIL", "kind delete cluster");
    lab.serve(200);
    let report = lab.dir.path().join("r.json");
    let o = lab.up(&["--report", "json", "--report-file", report.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("teardown failed") && err.contains("fix: run `kind delete cluster --name asky-lab-test"),
        "{err}"
    );
    assert_eq!(
        lab.count("kind delete cluster"),
        1,
        "teardown is tried exactly once"
    );
    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert!(r["teardown"].as_str().unwrap().starts_with("failed"), "{r:#}");
    assert!(r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["status"] == "ok"));
    assert_eq!(r["outcome"], "infra");
}

/// Helm absent: `auto` picks the native installer. Charts are packaged and
/// rendered in preflight, Traefik's chart is downloaded and rendered, every
/// release is applied server-side with an ApplySet, CRDs first, and the
/// rollouts are awaited; helm is never called nor required.
#[test]
fn without_helm_the_native_installer_renders_and_applies_server_side() {
    let mut lab = Lab::native();
    lab.serve(200);
    let o = lab.up(&["--keep"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let calls = lab.calls();
    let all = calls.join("\n");
    assert!(calls.iter().all(|c| !c.starts_with("helm")), "{all}");
    let dir = lab.work.join("asky-lab-test");
    let m = dir.join("manifests");
    let order = [
        "docker info --format {{.ServerVersion}}".to_string(),
        "kind get clusters".to_string(),
        "kind create cluster".to_string(),
        format!(
            "curl --fail --silent --show-error --location --create-dirs --output {} https://traefik.github.io/charts/traefik/traefik-41.3.0.tgz",
            dir.join("charts/traefik-41.3.0.tgz").display()
        ),
        format!(
            "kubectl --kubeconfig {} apply --server-side --field-manager asky-lab --filename {}",
            dir.join("kubeconfig").display(),
            m.join("traefik.crds.yaml").display()
        ),
        "kubectl --kubeconfig".to_string(),
        format!(
            "kubectl --kubeconfig {} apply --server-side --field-manager asky-lab --namespace traefik --prune --applyset asky-lab-traefik --filename {}",
            dir.join("kubeconfig").display(),
            m.join("traefik.yaml").display()
        ),
        format!(
            "kubectl --kubeconfig {} rollout status deployment/traefik --namespace traefik --timeout",
            dir.join("kubeconfig").display()
        ),
        format!(
            "kubectl --kubeconfig {} apply --server-side --field-manager asky-lab --namespace hello --prune --applyset asky-lab-hello-fastapi --filename {}",
            dir.join("kubeconfig").display(),
            m.join("hello-fastapi.yaml").display()
        ),
        format!(
            "kubectl --kubeconfig {} rollout status deployment/hello-fastapi --namespace hello --timeout",
            dir.join("kubeconfig").display()
        ),
    ];
    let mut at = 0;
    for step in &order {
        let i = calls[at..]
            .iter()
            .position(|c| c.starts_with(step.as_str()))
            .unwrap_or_else(|| panic!("`{step}` not called after call #{at}:\n{all}"));
        at += i;
    }
    assert!(
        calls
            .iter()
            .any(|c| c.contains("wait --for condition=Established") && c.contains("traefik.crds.yaml")),
        "{all}"
    );
    // the test chart has no crds/: no CRD step for it
    assert!(
        calls.iter().all(|c| !c.contains("hello-fastapi.crds.yaml")),
        "{all}"
    );
    // the packaged archive and the labelled manifests
    assert!(dir.join("charts/hello-0.1.0.tgz").exists());
    let text_m = std::fs::read_to_string(m.join("hello-fastapi.yaml")).unwrap();
    for want in [
        "# Source: hello/templates/deployment.yaml",
        "kind: Deployment",
        "kind: ConfigMap",
        "    asky.dev/lab-release: hello-fastapi\n",
        "    asky.dev/lab-owner: asky-lab\n",
        "    app: hello\n",
        "  replicas: 1\n",
        "  kube: v1.36.4\n",
    ] {
        assert!(text_m.contains(want), "{want:?} missing in\n{text_m}");
    }
    assert_eq!(
        text_m.matches("asky.dev/lab-release: hello-fastapi").count(),
        2,
        "{text_m}"
    );
    let crds = std::fs::read_to_string(m.join("traefik.crds.yaml")).unwrap();
    assert!(
        crds.contains("kind: CustomResourceDefinition") && crds.contains("asky.dev/lab-release: traefik"),
        "{crds}"
    );
    let traefik = std::fs::read_to_string(m.join("traefik.yaml")).unwrap();
    assert!(
        traefik.contains("--web=30080") && traefik.contains("namespace: traefik"),
        "{traefik}"
    );
    let r = lab.report();
    assert_eq!(r["outcome"], "ok", "{r:#}");
    assert_eq!(r["installer"], "native", "{r:#}");
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("charts installer native (auto: no helm in target/tools/bin or on PATH)"),
        "{}",
        text(&o)
    );
    let d = lab.run(&["lab", "down"]);
    assert_eq!(d.status.code(), Some(0), "{}", text(&d));
}

/// A Chart.yaml without a version: exit 2 naming the file and the field;
/// nothing runs, no cluster.
#[test]
fn bad_chart_yaml_is_exit_2_before_any_cluster() {
    let lab = Lab::new(&[]);
    std::fs::write(
        lab.dir.path().join("charts/hello/Chart.yaml"),
        "apiVersion: v2\nname: hello\n",
    )
    .unwrap();
    let o = lab.up(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("field `charts[0].path`")
            && err.contains("charts/hello/Chart.yaml")
            && err.contains("chart.metadata.version is required"),
        "{err}"
    );
    assert_eq!(lab.count("kind create cluster"), 0);
    assert_eq!(lab.count("kind get clusters"), 0);
}

/// A template that does not render (native installer): the preflight fails
/// with exit 2 before the cluster is created, and nothing is torn down.
#[test]
fn broken_template_fails_in_preflight_with_exit_2() {
    let lab = Lab::native();
    std::fs::write(
        lab.dir.path().join("charts/hello/templates/broken.yaml"),
        "kind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.name }\n",
    )
    .unwrap();
    let o = lab.up(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot render hello-fastapi") && err.contains("broken.yaml"),
        "{err}"
    );
    assert_eq!(lab.count("kind create cluster"), 0, "{}", lab.calls().join("\n"));
    assert_eq!(lab.count("kind delete cluster"), 0);
    let r = lab.report();
    assert_eq!(r["phases"][0]["status"], "failed", "{r:#}");
    assert_eq!(r["teardown"], "not-created");
    assert!(
        lab.work.join("asky-lab-test/charts/hello-0.1.0.tgz").exists(),
        "packaged first"
    );
}

/// `kubectl apply --server-side` fails: diagnostics (with the native
/// release's objects, no helm) before the single teardown, exit 4.
#[test]
fn native_apply_failure_collects_diagnostics_then_tears_down_once() {
    let lab = Lab::native().with_env("FAKE_FAIL", "--applyset asky-lab-hello-fastapi");
    let o = lab.up(&[]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let r = lab.report();
    let charts = r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "charts")
        .unwrap()
        .clone();
    assert_eq!(charts["status"], "failed", "{r:#}");
    assert!(
        r["message"].as_str().unwrap().contains("apply --server-side"),
        "{r:#}"
    );
    let export = lab.first("kind export logs").expect("diagnostics");
    let delete = lab.first("kind delete cluster").expect("teardown");
    assert!(export < delete);
    assert_eq!(lab.count("kind delete cluster"), 1);
    assert!(lab.calls().iter().all(|c| !c.starts_with("helm")));
    let diag = lab.run_dir().join("diagnostics");
    assert!(diag.join("release-hello-fastapi.txt").exists(), "{}", text(&o));
    let kept = std::fs::read_to_string(diag.join("manifests/hello-fastapi.yaml")).unwrap();
    assert!(kept.contains("asky.dev/lab-release: hello-fastapi"), "{kept}");
    assert!(!diag.join("helm-list.txt").exists());
    assert!(lab
        .calls()
        .iter()
        .any(|c| c.contains("get all,ingress,configmap,pvc,networkpolicy --namespace hello --selector asky.dev/lab-release=hello-fastapi")));
    assert!(!lab.cluster_exists());
}

/// `--installer helm` without helm is a missing prerequisite (exit 3) in
/// preflight; a wrong `installer` in the spec is bad input naming the line.
#[test]
fn installer_choice_is_checked() {
    let lab = Lab::native();
    let o = lab.up(&["--installer", "helm"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("missing: helm"),
        "{}",
        text(&o)
    );
    assert_eq!(lab.count("kind create cluster"), 0);

    let lab = Lab::new(&[]);
    let spec = std::fs::read_to_string(&lab.spec)
        .unwrap()
        .replace("images:\n", "installer: kubectl\nimages:\n");
    std::fs::write(&lab.spec, &spec).unwrap();
    let line = spec.lines().position(|l| l.starts_with("installer:")).unwrap() + 1;
    let o = lab.up(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "lab.yaml:{line}:1: field `installer`: must be `auto`, `helm` or `native`, found `kubectl`"
        )),
        "{err}"
    );
}

/// A chart that renders no object (native): nothing to apply for it, no
/// `kubectl apply` of an empty file (kubectl refuses one); the run succeeds.
#[test]
fn native_chart_rendering_nothing_is_not_applied() {
    let mut lab = Lab::new(&["helm"]);
    std::os::unix::fs::symlink(lab_support::fake_tool(), lab.tools.join("curl")).unwrap();
    lab.serve(200);
    let o = lab.up(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let calls = lab.calls();
    assert!(
        calls.iter().any(|c| c.contains("--applyset asky-lab-traefik")),
        "{}",
        calls.join("\n")
    );
    assert!(
        calls
            .iter()
            .all(|c| !c.contains("--applyset asky-lab-hello-fastapi")
                && !c.contains("rollout status deployment/hello")),
        "{}",
        calls.join("\n")
    );
}
