//! `doctor`: without docker it fails naming docker and how to get it; with
//! the fake tools it shows which copy of each tool is used.

mod lab_support;

use std::process::Command;

use lab_support::{text, Lab};

#[test]
fn doctor_without_docker_exits_3_naming_docker_and_the_fix() {
    let empty = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("doctor")
        .env_clear()
        .env("PATH", empty.path())
        .env("ASKY_TOOLS_DIR", empty.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("FAIL  docker: not found"), "{out}");
    assert!(out.contains("https://docs.docker.com/engine/install/"), "{out}");
    assert!(
        out.contains("FAIL  kind: not found") && out.contains("cargo xtask tools"),
        "{out}"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("docker"),
        "{}",
        text(&o)
    );
}

#[test]
fn doctor_with_daemon_down_says_how_to_start_it() {
    let lab = Lab::new(&[]).with_env("FAKE_NO_DOCKER", "1");
    let o = lab.run(&["doctor"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("the daemon is not reachable") && out.contains("systemctl start docker"),
        "{out}"
    );
}

#[test]
fn doctor_shows_which_copy_is_used() {
    let lab = Lab::new(&[]);
    let o = lab.run(&[
        "doctor",
        "--http-port",
        &lab.http_port.to_string(),
        "--https-port",
        &lab.https_port.to_string(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("ok    docker 28.5.1 reachable"), "{}", text(&o));
    assert!(
        out.contains(&format!(
            "ok    kind v0.33.0 at {}/kind (pinned copy in target/tools/bin)",
            lab.tools.display()
        )),
        "{out}"
    );
    assert!(out.contains("ok    kubectl v1.36.4"), "{out}");
    assert!(out.contains("ok    helm v4.3.1"), "{out}");
    assert!(
        out.contains(&format!("host port {}: free", lab.http_port)),
        "{out}"
    );
    assert!(out.contains("cgroup v2"), "{out}");
    assert!(out.contains("classic image store"), "{out}");
}

#[test]
fn tools_leaves_present_tools_alone_and_says_so() {
    let lab = Lab::new(&[]);
    let o = lab.run(&["tools"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for t in ["kind", "kubectl", "helm"] {
        assert!(
            out.contains(&format!(
                "{t}: already in {}/{t} (not downloaded",
                lab.tools.display()
            )),
            "{out}"
        );
    }
    assert!(lab.calls().is_empty(), "nothing downloaded: {:?}", lab.calls());
}

#[test]
fn tools_refuses_a_download_with_the_wrong_checksum() {
    // A fake curl that "downloads" the wrong bytes: the pinned sha256 must reject it.
    let lab = Lab::new(&["kind"]);
    let curl = lab.tools.join("curl");
    std::fs::write(
        &curl,
        "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --output ] && out=$2; shift; done\necho not-kind > \"$out\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&curl, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let o = lab.run(&["tools", "kind"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("expected aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d")
            || out.contains("no pinned"),
        "{out}"
    );
    assert!(
        !lab.tools.join("kind").exists(),
        "a mismatching download must not be installed"
    );
}
