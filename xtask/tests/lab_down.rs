//! `lab down` is idempotent and `--orphans` sweeps only clusters carrying the
//! lab's ownership label; minikube goes through the same flow.

mod lab_support;

use lab_support::{text, Lab};

#[test]
fn down_twice_with_nothing_there_is_success() {
    let lab = Lab::new(&[]);
    for _ in 0..2 {
        let o = lab.run(&["lab", "down"]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert!(String::from_utf8_lossy(&o.stdout)
            .contains("nothing to delete: no kind cluster named \"asky-lab-test\""));
    }
    assert_eq!(lab.count("kind delete cluster"), 0);
    assert_eq!(lab.count("kind get clusters"), 2);
}

#[test]
fn down_without_kind_is_a_missing_prerequisite() {
    let lab = Lab::new(&["kind"]);
    let o = lab.run(&["lab", "down"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("`kind` was not found"),
        "{}",
        text(&o)
    );
}

#[test]
fn orphans_sweeps_only_owned_clusters() {
    let mut lab = Lab::new(&[]);
    lab.serve(200);
    // a lab left behind (kept), and a cluster that is somebody else's
    let o = lab.up(&["--keep"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    std::fs::create_dir_all(lab.state.join("kind/someone-else")).unwrap();
    // the lab's local state is gone (another checkout, a crash): the label decides
    std::fs::remove_dir_all(lab.work.join("asky-lab-test")).unwrap();
    let o = lab.run(&["lab", "down", "--orphans"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("deleted kind cluster \"asky-lab-test\" (owned by the lab)"),
        "{out}"
    );
    assert!(out.contains("left kind cluster \"someone-else\" alone"), "{out}");
    assert!(lab.calls().iter().any(|c| c.starts_with("kubectl --kubeconfig")
        && c.contains("get nodes --selector asky.dev/lab-owner=asky-lab")));
    assert_eq!(lab.count("kind delete cluster --name asky-lab-test"), 1);
    assert_eq!(lab.count("kind delete cluster --name someone-else"), 0);
    assert!(lab.state.join("kind/someone-else").exists());
    // nothing left: a second sweep deletes nothing
    let o = lab.run(&["lab", "down", "--orphans"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("nothing to delete"),
        "{}",
        text(&o)
    );
}

#[test]
fn minikube_flow_uses_its_own_kubeconfig_and_tears_down() {
    let mut lab = Lab::new(&["kind"]);
    lab.serve_after("minikube start");
    let o = lab.up(&["--provider", "minikube"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let calls = lab.calls();
    let start = calls
        .iter()
        .find(|c| c.starts_with("minikube start"))
        .expect("minikube start");
    assert!(
        start.contains("--nodes 4 --driver docker --kubernetes-version v1.36.4"),
        "{start}"
    );
    assert!(
        start.contains(&format!("--ports 127.0.0.1:{}:30080", lab.http_port)),
        "{start}"
    );
    assert!(calls.iter().any(|c| c.starts_with("minikube image load")));
    assert_eq!(lab.count("minikube delete --profile asky-lab-test"), 1);
    assert!(!lab.state.join("minikube/asky-lab-test").exists());
}
