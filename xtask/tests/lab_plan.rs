//! `lab plan`: golden output for the repository's lab/lab.yaml, runs without
//! docker or kind, and spec errors name file, line, column and field.

mod lab_support;

use std::process::Command;

use lab_support::{repo, text};

fn bare(args: &[&str]) -> std::process::Output {
    let empty = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env_clear()
        .env("PATH", empty.path()) // no docker, kind, kubectl or helm anywhere
        .env("ASKY_TOOLS_DIR", empty.path())
        .output()
        .unwrap()
}

fn check_golden(got: &str, name: &str) {
    let golden = repo().join("xtask/tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).expect("golden file (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(
        got, want,
        "lab plan output changed ({name}); if intended, rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}

/// With no helm anywhere, `auto` picks the native installer.
#[test]
fn plan_matches_golden_without_any_tool() {
    let o = bare(&["lab", "plan", "--image-store", "classic"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let got = String::from_utf8(o.stdout).unwrap();
    check_golden(&got, "lab-plan.txt");
    assert!(got.contains("charts installer: native (auto: no helm"), "{got}");
    assert!(!got.contains("helm --kubeconfig"), "{got}");
    assert!(
        got.contains("$ cargo xtask chart package charts/asky --destination target/lab/asky-lab/charts"),
        "{got}"
    );
    // packaging and rendering happen before the cluster is created
    let package = got.find("cargo xtask chart package").unwrap();
    let render = got.find("cargo xtask chart template").unwrap();
    let create = got.find("kind create cluster").unwrap();
    assert!(package < render && render < create, "{got}");
    // the plan names every phase and the teardown
    for p in [
        "preflight",
        "cluster",
        "images",
        "ingress",
        "charts",
        "ready",
        "probes",
        "kind delete cluster --name asky-lab",
    ] {
        assert!(got.contains(p), "{p}");
    }
}

/// `--installer helm`: helm installs the archives `chart package` wrote.
#[test]
fn plan_with_helm_matches_golden() {
    let o = bare(&["lab", "plan", "--image-store", "classic", "--installer", "helm"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let got = String::from_utf8(o.stdout).unwrap();
    check_golden(&got, "lab-plan-helm.txt");
    assert!(
        got.contains("upgrade --install asky target/lab/asky-lab/charts/asky-0.1.0.tgz --namespace asky"),
        "{got}"
    );
    assert!(!got.contains("--server-side"), "{got}");
    assert!(!got.contains("dependency build"), "{got}");
}

/// `lab plan --rendered` on an empty machine prints the labelled manifests.
#[test]
fn plan_rendered_shows_the_labelled_manifests() {
    let o = bare(&["lab", "plan", "--rendered"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let got = String::from_utf8(o.stdout).unwrap();
    for want in [
        "# hello-fastapi: what `lab up` writes to target/lab/asky-lab/manifests/hello-fastapi.yaml (rendered from charts/hello-fastapi)",
        "# asky: what `lab up` writes to target/lab/asky-lab/manifests/asky.yaml (rendered from charts/asky)",
        "# traefik: rendered by `lab up` once target/lab/asky-lab/charts/traefik-41.3.0.tgz is downloaded",
        "# Source: hello-fastapi/templates/deployment.yaml",
        "    asky.dev/lab-release: hello-fastapi\n",
        "    asky.dev/lab-run: <run-id>\n",
        "\n  ingressClassName: traefik\n",
    ] {
        assert!(got.contains(want), "{want:?} missing");
    }
    let deployments = got.matches("\nkind: Deployment\n").count();
    assert!(deployments >= 5, "{deployments}");
    // every rendered object carries the release label
    let rendered = &got[got.find("# hello-fastapi: what").unwrap()..];
    let objects = rendered.matches("\napiVersion: ").count();
    let labelled = rendered.matches("    asky.dev/lab-release: ").count();
    assert_eq!(objects, labelled, "every object is labelled");
    // with helm, there is nothing to render
    let o = bare(&["lab", "plan", "--rendered", "--installer", "helm"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout)
        .contains("no rendered manifests: the charts are installed by helm"));
}

#[test]
fn plan_for_minikube_and_nginx() {
    let o = bare(&[
        "lab",
        "plan",
        "--provider",
        "minikube",
        "--ingress",
        "nginx",
        "--http-port",
        "8080",
        "--https-port",
        "8443",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let got = String::from_utf8(o.stdout).unwrap();
    assert!(
        got.contains("minikube start --profile asky-lab --nodes 4 --driver docker"),
        "{got}"
    );
    assert!(got.contains("--ports 127.0.0.1:8080:80"), "{got}");
    assert!(
        got.contains("KUBECONFIG=target/lab/asky-lab/kubeconfig minikube"),
        "{got}"
    );
    assert!(got.contains("minikube.k8s.io/primary"), "{got}");
    assert!(got.contains("ingress-nginx-controller-admission"), "{got}");
    assert!(got.contains("--set ingress.className=nginx"), "{got}");
    assert!(got.contains("minikube image load"), "{got}");
    assert!(got.contains("warning: ingress-nginx is a legacy option"), "{got}");
}

#[test]
fn unknown_field_is_bad_input_with_location() {
    let d = tempfile::tempdir().unwrap();
    let text_in = std::fs::read_to_string(repo().join("lab/lab.yaml"))
        .unwrap()
        .replace("  httpsPort: 443", "  httpsPort: 443\n  tls: true")
        .replace(
            "kind: kind.yaml",
            &format!("kind: {}", repo().join("lab/kind.yaml").display()),
        );
    let spec = d.path().join("lab.yaml");
    std::fs::write(&spec, text_in).unwrap();
    let o = bare(&["lab", "plan", "--spec", spec.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let line = std::fs::read_to_string(&spec)
        .unwrap()
        .lines()
        .position(|l| l.contains("tls: true"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("{}:{line}:3:", spec.display())), "{err}");
    assert!(err.contains("tls"), "{err}");
}

#[test]
fn unpinned_node_image_is_bad_input() {
    let d = tempfile::tempdir().unwrap();
    let kind = std::fs::read_to_string(repo().join("lab/kind.yaml")).unwrap();
    let kind = kind.replacen(
        "kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed\n  - role: worker",
        "kindest/node:v1.36.4\n  - role: worker",
        1,
    );
    std::fs::write(d.path().join("kind.yaml"), kind).unwrap();
    let spec = std::fs::read_to_string(repo().join("lab/lab.yaml")).unwrap();
    std::fs::write(d.path().join("lab.yaml"), spec).unwrap();
    let o = bare(&[
        "lab",
        "plan",
        "--spec",
        d.path().join("lab.yaml").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("kind.yaml:31:5: field `nodes[1].image`") && err.contains("not pinned"),
        "{err}"
    );
}
