//! Deep template recursion through the real binary: `chart template` renders
//! on a 512 MiB stack switched on the main thread (`render_on_big_stack`),
//! whose own stack (8 MiB by default) would overflow long before these limits.

use std::path::Path;
use std::process::Command;

fn chart(dir: &Path, name: &str, template: &str) -> std::path::PathBuf {
    let c = dir.join(name);
    std::fs::create_dir_all(c.join("templates")).unwrap();
    std::fs::write(
        c.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .unwrap();
    std::fs::write(c.join("templates/cm.yaml"), template).unwrap();
    c
}

fn template(chart: &Path) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["chart", "template"])
        .arg(chart)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Four names including each other in a ring, so no name reaches Helm's
/// include limit (1000) before the chain is `depth` templates deep.
fn ring(depth: usize) -> String {
    let mut t = String::new();
    for (name, next) in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")] {
        t.push_str(&format!(
            "{{{{- define \"{name}\" }}}}{{{{ if gt (int .) 0 }}}}{{{{ include \"{next}\" (sub (int .) 1) }}}}{{{{ else }}}}done{{{{ end }}}}{{{{ end }}}}\n"
        ));
    }
    t.push_str(&format!("data: {{{{ include \"a\" {depth} | quote }}}}\n"));
    t
}

#[test]
fn a_chain_just_under_the_depth_limit_renders() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = template(&chart(dir.path(), "deep", &ring(2990)));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.ends_with("data: \"done\"\n"), "{out}");
}

#[test]
fn a_chain_past_the_depth_limit_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = template(&chart(dir.path(), "deeper", &ring(100_000)));
    assert_eq!(code, Some(2), "{}", &err[err.len().saturating_sub(500)..]);
    assert!(
        err.contains("exceeded maximum template depth (3000)"),
        "{}",
        &err[err.len().saturating_sub(500)..]
    );
}

#[test]
fn endless_self_include_hits_helms_include_limit() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = "{{- define \"r\" }}{{ include \"r\" . }}{{ end }}\n{{- include \"r\" . }}\n";
    let (code, _, err) = template(&chart(dir.path(), "nested", tpl));
    assert_eq!(code, Some(2), "{}", &err[err.len().saturating_sub(500)..]);
    assert!(
        err.contains("rendering template has a nested reference name: r: unable to execute template"),
        "{}",
        &err[err.len().saturating_sub(500)..]
    );
}
