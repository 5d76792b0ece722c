//! Templates run on two threads (charts with enough template text) must
//! give what one thread gives, Helm's sequential order included: a template
//! that changes values other templates see (`set .Values`, a `merge` into a
//! values map) changes what every later template renders, and the first
//! error in order is the one reported. Each chart runs through the real
//! binary with `ASKY_JOBS=1` (one thread) and `ASKY_JOBS=2`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A chart of `templates` (file name, text) plus a partial padded past the
/// size from which templates are parsed and run on several threads.
fn chart(dir: &Path, values: &str, templates: &[(String, String)]) -> PathBuf {
    let c = dir.join("par");
    std::fs::create_dir_all(c.join("templates")).unwrap();
    std::fs::write(
        c.join("Chart.yaml"),
        "apiVersion: v2\nname: par\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(c.join("values.yaml"), values).unwrap();
    let pad = format!("{{{{/* {} */}}}}\n", "x".repeat(160 << 10));
    std::fs::write(c.join("templates/_pad.tpl"), pad).unwrap();
    for (name, text) in templates {
        std::fs::write(c.join("templates").join(name), text).unwrap();
    }
    c
}

fn template(chart: &Path, jobs: &str) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["chart", "template"])
        .arg(chart)
        .env("ASKY_JOBS", jobs)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Renders with one and with two threads; the results must be the same.
/// (Values keys here avoid `y`, `n` and the like, booleans in Helm's YAML.)
fn both(chart: &Path) -> (Option<i32>, String, String) {
    let one = template(chart, "1");
    let two = template(chart, "2");
    assert_eq!(one, two, "one thread vs two");
    one
}

fn config_map(name: &str, data: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  v: {data}\n")
}

/// Template `{name}.yaml`: sets `.Values.seen` to "yes" (a change every
/// later template sees), and renders a ConfigMap.
fn setter(name: &str) -> (String, String) {
    (
        format!("{name}.yaml"),
        format!(
            "{{{{- $_ := set .Values \"seen\" \"yes\" }}}}\n{}",
            config_map(name, "set")
        ),
    )
}

/// Renders `chart` five times with one thread and five with two, and
/// gives `check` the thread count and each ConfigMap's `v` by name.
fn five_renders_each(chart: &Path, mut check: impl FnMut(&str, std::collections::BTreeMap<String, String>)) {
    for jobs in ["1", "2"] {
        for _ in 0..5 {
            let (code, out, err) = template(chart, jobs);
            assert_eq!(code, Some(0), "{err}");
            check(jobs, data_by_name(&out));
        }
    }
}

/// Each ConfigMap's name and its `v` (unquoted), from rendered output.
fn data_by_name(out: &str) -> std::collections::BTreeMap<String, String> {
    let mut by_name = std::collections::BTreeMap::new();
    for doc in out.split("\n---\n") {
        let field = |key: &str| doc.lines().find_map(|l| l.trim().strip_prefix(key));
        if let (Some(name), Some(v)) = (field("name: "), field("v: ")) {
            by_name.insert(name.to_string(), v.trim_matches('"').to_string());
        }
    }
    by_name
}

/// `n` templates named `{prefix}-NN.yaml`, each a ConfigMap of `data`.
fn readers(prefix: &str, n: usize, data: &str) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let name = format!("{prefix}-{i:02}");
            (format!("{name}.yaml"), config_map(&name, data))
        })
        .collect()
}

#[test]
fn templates_that_change_nothing_shared_render_alike() {
    let t = tempfile::tempdir().unwrap();
    // a template may change maps it made itself
    let mut tpls = readers(
        "r",
        40,
        r#"{{ $d := dict "a" 1 }}{{ $_ := set $d "b" .Values.count }}{{ $d | toJson | quote }}"#,
    );
    tpls.push((
        "notes.yaml".into(),
        config_map("notes", "{{ .Template.Name | quote }}"),
    ));
    let (code, out, err) = both(&chart(t.path(), "count: 7\n", &tpls));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.matches(r#"v: "{\"a\":1,\"b\":7}""#).count(), 40, "{out}");
    assert!(out.contains("v: \"par/templates/notes.yaml\""), "{out}");
}

#[test]
fn a_value_set_by_an_earlier_template_is_seen_by_the_later_ones() {
    let t = tempfile::tempdir().unwrap();
    // Helm runs the templates of a directory in reverse name order: `z-set`
    // first, then the readers
    let mut tpls = readers("r", 40, r#"{{ .Values.seen | default "no" | quote }}"#);
    tpls.push(setter("z-set"));
    let (code, out, err) = both(&chart(t.path(), "{}\n", &tpls));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.matches("v: \"yes\"").count(), 40, "{out}");
    assert!(!out.contains("v: \"no\""), "{out}");
}

/// A template that stores a random password in the values and prints a
/// checksum of it, and later templates that print the password: one
/// password throughout, as in Helm (bitnami's `common.secrets.passwords.manage`
/// with `set .Values.global…`, and `checksum/secret` annotations). The
/// first parallel run of the storing template must not be the one whose
/// output is kept if another run sets the values.
#[test]
fn a_random_value_stored_in_the_values_is_the_one_every_template_sees() {
    let t = tempfile::tempdir().unwrap();
    let mut tpls = readers("r", 40, "{{ .Values.pw | sha256sum | quote }}");
    tpls.extend(readers("a", 5, "{{ .Values.pw | sha256sum | quote }}"));
    tpls.push((
        "m-set.yaml".into(),
        format!(
            "{{{{- $_ := set .Values \"pw\" (randAlphaNum 16) }}}}\n{}",
            config_map("m-set", "{{ .Values.pw | sha256sum | quote }}")
        ),
    ));
    let c = chart(t.path(), "pw: unset\n", &tpls);
    // Helm runs r-39 … r-00, then m-set, then a-04 … a-00
    five_renders_each(&c, |jobs, sums| {
        assert_eq!(sums.len(), 46, "{sums:?}");
        let set = &sums["m-set"];
        for (name, v) in &sums {
            if name.starts_with("r-") {
                assert_eq!(v, &sums["r-00"], "{name} (jobs {jobs})");
                assert_ne!(v, set, "{name} (jobs {jobs})");
            } else {
                assert_eq!(
                    v, set,
                    "{name} saw another password than m-set printed (jobs {jobs})"
                );
            }
        }
    });
}

#[test]
fn a_merge_into_a_values_map_midway_is_seen_only_after_it() {
    let t = tempfile::tempdir().unwrap();
    // `mergeOverwrite (dict) .Values.a .Values.b` puts `.Values.a.nested`
    // itself into the new dict, then merges `b.nested` into it: a change
    // of `.Values.a.nested` that every later template sees
    let read = "{{ .Values.a.nested | toJson | quote }}";
    let mut tpls = readers("z", 20, read);
    tpls.extend(readers("a", 20, read));
    tpls.push((
        "m-merge.yaml".into(),
        format!(
            "{{{{- $m := mergeOverwrite (dict) .Values.a .Values.b }}}}\n{}",
            config_map("m-merge", "{{ $m | toJson | quote }}")
        ),
    ));
    let values = "a:\n  nested:\n    p: 1\nb:\n  nested:\n    q: 2\n";
    let (code, out, err) = both(&chart(t.path(), values, &tpls));
    assert_eq!(code, Some(0), "{err}");
    // z-19 … z-00 run before the merge, a-19 … a-00 after it
    assert_eq!(out.matches(r#"v: "{\"p\":1}""#).count(), 20, "{out}");
    assert_eq!(out.matches(r#"v: "{\"p\":1,\"q\":2}""#).count(), 20, "{out}");
}

#[test]
fn the_first_error_in_order_is_reported() {
    let t = tempfile::tempdir().unwrap();
    let mut tpls = readers("r", 40, "{{ .Values.count }}");
    // in Helm's order `k-fail` runs before `c-fail`
    tpls.push(("c-fail.yaml".into(), r#"{{ fail "second" }}"#.into()));
    tpls.push(("k-fail.yaml".into(), r#"{{ fail "first" }}"#.into()));
    let (code, out, err) = both(&chart(t.path(), "count: 1\n", &tpls));
    assert_eq!(code, Some(2), "{out}");
    assert!(
        err.contains("par/templates/k-fail.yaml") && err.contains("first"),
        "{err}"
    );
    assert!(!err.contains("second"), "{err}");
}

#[test]
fn the_early_helper_ends_when_it_is_not_needed() {
    // The second thread starts before the engine is built and waits for
    // it: it must end, and the result be one thread's, when there is a
    // single template to run and when the engine cannot be built.
    let t = tempfile::tempdir().unwrap();
    let c = chart(t.path(), "count: 3\n", &readers("only", 1, "{{ .Values.count }}"));
    let (code, out, err) = both(&c);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("name: only-00") && out.contains("v: 3"), "{out}");

    std::fs::write(
        c.join("Chart.yaml"),
        "apiVersion: v2\nname: par\nversion: 0.1.0\nkubeVersion: '<1.10'\n",
    )
    .unwrap();
    std::fs::write(c.join("templates/more.yaml"), config_map("more", "1")).unwrap();
    let (code, out, err) = both(&c);
    assert_eq!(code, Some(2), "{out}");
    assert!(err.contains("chart requires kubeVersion: <1.10"), "{err}");
}

/// A subchart `name` under `parent/charts`, as a directory or packed.
fn subchart(parent: &Path, name: &str, packed: bool, templates: &[(&str, &str)]) {
    let src = parent.parent().unwrap().join(format!("src-{name}"));
    std::fs::create_dir_all(src.join("templates")).unwrap();
    std::fs::write(
        src.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .unwrap();
    std::fs::write(src.join("values.yaml"), "greeting: hi\n").unwrap();
    for (file, text) in templates {
        std::fs::write(src.join("templates").join(file), text).unwrap();
    }
    let charts = parent.join("charts");
    std::fs::create_dir_all(&charts).unwrap();
    if packed {
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["chart", "package"])
            .arg(&src)
            .arg("-d")
            .arg(&charts)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    } else {
        std::fs::rename(&src, charts.join(name)).unwrap();
    }
}

/// The templates of a large chart are parsed while it loads (the root's
/// first, then each subchart's as it is unpacked): what renders, and which
/// parse error is reported, must not depend on it; a disabled subchart's
/// templates are never rendered, so a template of it that does not parse
/// is no error.
#[test]
fn templates_parsed_while_the_chart_loads_render_as_parsed_after() {
    let t = tempfile::tempdir().unwrap();
    let tpls = readers("r", 10, "{{ .Values.count }}");
    let c = chart(t.path(), "count: 3\nspare:\n  enabled: false\n", &tpls);
    std::fs::write(
        c.join("Chart.yaml"),
        "apiVersion: v2\nname: par\nversion: 0.1.0\ndependencies:\n\
         - name: dir\n  version: 0.1.0\n\
         - name: packed\n  version: 0.1.0\n\
         - name: spare\n  version: 0.1.0\n  condition: spare.enabled\n",
    )
    .unwrap();
    let helper = r#"{{ define "dir.greet" }}{{ .Values.greeting }}{{ end }}"#;
    subchart(
        &c,
        "dir",
        false,
        &[
            ("_h.tpl", helper),
            ("cm.yaml", &config_map("dir", "{{ include \"dir.greet\" . }}")),
        ],
    );
    subchart(
        &c,
        "packed",
        true,
        &[("cm.yaml", &config_map("packed", "{{ .Values.greeting | upper }}"))],
    );
    subchart(&c, "spare", true, &[("broken.yaml", "{{ if .Values.x }}")]);
    let (code, out, err) = both(&c);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("# Source: par/charts/dir/templates/cm.yaml") && out.contains("v: hi"),
        "{out}"
    );
    assert!(
        out.contains("# Source: par/charts/packed/templates/cm.yaml") && out.contains("v: HI"),
        "{out}"
    );
    assert_eq!(out.matches("v: 3").count(), 10, "{out}");

    // the same broken template, enabled: Helm's parse error, by either path
    std::fs::write(c.join("values.yaml"), "count: 3\nspare:\n  enabled: true\n").unwrap();
    let (code, out, err) = both(&c);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        err.contains("parse error at (par/charts/spare/templates/broken.yaml:1): unexpected EOF"),
        "{err}"
    );
}

/// After the first shared change, the thread that made it runs the rest
/// alone, on its values. A clock reading (to the nanosecond) and a random
/// password stored by two different templates must be what every later
/// template sees, with a second shared change midway.
#[test]
fn the_templates_after_a_shared_change_see_its_exact_random_draws_and_clock() {
    let t = tempfile::tempdir().unwrap();
    let read = r#"{{ printf "%v|%v" .Values.t (.Values.pw | default "none") | quote }}"#;
    let mut tpls = readers("r", 40, read);
    tpls.extend(readers("a", 20, read));
    tpls.push((
        "z-set.yaml".into(),
        format!(
            "{{{{- $_ := set .Values \"t\" (now | date \"15:04:05.000000000\") }}}}\n{}",
            config_map("z-set", read)
        ),
    ));
    tpls.push((
        "m-set.yaml".into(),
        format!(
            "{{{{- $_ := set .Values \"pw\" (randAlphaNum 16) }}}}\n{}",
            config_map("m-set", read)
        ),
    ));
    let c = chart(t.path(), "t: unset\n", &tpls);
    // Helm runs z-set, r-39 … r-00, m-set, a-19 … a-00
    five_renders_each(&c, |jobs, seen| {
        assert_eq!(seen.len(), 62, "{seen:?}");
        let (time, none) = seen["z-set"].split_once('|').unwrap();
        assert_eq!(none, "none");
        assert_ne!(time, "unset");
        let (_, pw) = seen["m-set"].split_once('|').unwrap();
        assert_eq!(pw.len(), 16);
        for (name, v) in &seen {
            let want = if name.starts_with("r-") || name == "z-set" {
                format!("{time}|none")
            } else {
                format!("{time}|{pw}")
            };
            assert_eq!(v, &want, "{name} (jobs {jobs})");
        }
    });
}

/// An error after a shared change: the first in Helm's order is reported,
/// whichever thread met it.
#[test]
fn the_first_error_after_a_shared_change_is_reported() {
    let t = tempfile::tempdir().unwrap();
    let mut tpls = readers("r", 40, "{{ .Values.seen | quote }}");
    tpls.push(setter("z-set"));
    tpls.push(("r-20.yaml".into(), "{{ fail \"first\" }}".into()));
    tpls.push(("r-05.yaml".into(), "{{ fail \"second\" }}".into()));
    let (code, _, err) = both(&chart(t.path(), "{}\n", &tpls));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("r-20.yaml") && err.contains("first"), "{err}");
    assert!(!err.contains("second"), "{err}");
}

/// The step limit is met where a sequential run meets it, before a shared
/// change and after one (the continuing thread counts the other thread's
/// steps before the change too). Each `genPrivateKey` counts 100 000
/// steps: 300 of them per template, 200 000 000 in all, end in the seventh
/// heavy template in order.
#[test]
fn the_step_limit_is_met_where_a_sequential_run_meets_it() {
    let heavy = r#"{{ range until 300 }}{{ $k := genPrivateKey "ed25519" }}{{ end }}{{ .Values.seen | default "no" | quote }}"#;
    for with_change in [false, true] {
        let t = tempfile::tempdir().unwrap();
        let mut tpls = readers("r", 5, heavy);
        tpls.extend(readers("a", 5, heavy));
        if with_change {
            tpls.push(setter("m-set"));
        }
        let (code, _, err) = both(&chart(t.path(), "{}\n", &tpls));
        assert_eq!(code, Some(2), "{err}");
        // r-04 … r-00, (m-set), a-04 fit; a-03 passes the limit
        assert!(err.contains("a-03.yaml") && err.contains("step limit"), "{err}");
    }
}
