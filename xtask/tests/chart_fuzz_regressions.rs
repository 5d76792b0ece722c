//! Inputs the fuzz targets in `fuzz/` found (panics, hangs, runaway memory),
//! minimised, each with what it must give now. See fuzz/README.md.

use std::rc::Rc;

use xtask::chart::template::exec::Engine;
use xtask::chart::value::Value;

/// Renders `tpl` like the `template_exec` fuzz target: Helm's functions, a
/// small values tree, on the 512 MiB render stack.
fn render(tpl: &str) -> Result<String, String> {
    let tpl = tpl.to_owned();
    xtask::chart::cli::render_on_big_stack(move || {
        let mut engine = Engine::new(Rc::new(xtask::chart::render::helm_registry()));
        engine.step_limit = 200_000;
        engine.parse_file("fuzz.yaml", &tpl).map_err(|e| e.to_string())?;
        let vals = serde_json::json!({"Values": {"n": 1000000.0}});
        engine
            .execute("fuzz.yaml", Value::from_json(&vals))
            .map_err(|e| e.message().to_string())
    })
}

#[test]
fn seq_and_until_step_wrap_like_go_instead_of_overflowing() {
    // Go's `end + 1` wraps: seq MaxInt64 is untilStep(1, MinInt64, 1) = [].
    assert_eq!(render("{{ seq 9223372036854775807 }}").unwrap(), "");
    assert_eq!(render("{{ seq -9223372036854775808 }}").unwrap(), "");
    assert_eq!(
        render("{{ untilStep 0 9223372036854775807 9223372036854775807 }}").unwrap(),
        "[0]"
    );
    // Go loops forever here (i wraps below stop): an error, not a panic.
    let e = render("{{ untilStep 1 9223372036854775807 9223372036854775807 }}").unwrap_err();
    assert!(e.contains("error calling untilStep: result too large"), "{e}");
    let e = render("{{ untilStep -2 -9223372036854775808 -9223372036854775807 }}").unwrap_err();
    assert!(e.contains("result too large"), "{e}");
}

#[test]
fn until_with_a_huge_count_is_an_error_not_an_allocation() {
    let e = render("{{ until 1000000000000 }}").unwrap_err();
    assert!(e.contains("error calling until: result too large"), "{e}");
    assert_eq!(
        render("{{ until 3 }}|{{ untilStep 5 0 -2 }}|{{ seq 3 }}").unwrap(),
        "[0 1 2]|[5 3 1]|1 2 3"
    );
}

#[test]
fn repeat_and_indent_refuse_results_past_the_budget() {
    let e = render(r#"{{ repeat 1000000000000 "ab" }}"#).unwrap_err();
    assert!(e.contains("error calling repeat: result too large"), "{e}");
    // Go's own overflow panic text for a length that does not fit an int.
    let e = render(r#"{{ repeat 9223372036854775807 "ab" }}"#).unwrap_err();
    assert!(e.contains("strings: Repeat output length overflow"), "{e}");
    let e = render(r#"{{ indent 1000000000000 "a" }}"#).unwrap_err();
    assert!(e.contains("error calling indent: result too large"), "{e}");
    let e = render(r#"{{ nindent 100000000 "a\nb" }}"#).unwrap_err();
    assert!(e.contains("error calling nindent: result too large"), "{e}");
    assert_eq!(
        render(r#"{{ repeat 3 "ab" }}|{{ indent 2 "a" }}"#).unwrap(),
        "ababab|  a"
    );
}

#[test]
fn produced_data_counts_against_the_step_limit() {
    // 1000 × 1 MiB is far below 200_000 steps of walking, but 16 Gi of text.
    // The budget runs out: a later `repeat` may not build its result.
    let e = render(r#"{{ range until 1000 }}{{ repeat 1048576 "x" }}{{ end }}"#).unwrap_err();
    assert!(e.contains("error calling repeat: result too large"), "{e}");
    let e = render(r#"{{ range until 20000 }}{{ repeat 1000 "x" }}{{ end }}"#).unwrap_err();
    assert!(e.contains("exceeded the step limit"), "{e}");
    // Doubling a string: stops at the budget, not at the memory limit.
    let e = render(r#"{{ $s := "ab" }}{{ range until 100 }}{{ $s = printf "%s%s" $s $s }}{{ end }}"#)
        .unwrap_err();
    assert!(e.contains("exceeded the step limit"), "{e}");
}

#[test]
fn printf_widths_and_precisions_stop_at_go_fmt_limits() {
    // Go's fmt: widths/precisions past 1e6 are bad, and a crazy long number
    // swallows the rest of the format.
    assert_eq!(
        render(r#"{{ printf "%*d" 1000000000 7 }}"#).unwrap(),
        "%!(BADWIDTH)7"
    );
    assert_eq!(
        render(r#"{{ printf "%.*f" 1000000000 1.5 }}"#).unwrap(),
        "%!(BADPREC)1.500000"
    );
    assert_eq!(
        render(r#"{{ printf "%999999999999d" 7 }}"#).unwrap(),
        "%!(NOVERB)%!(EXTRA int=7)"
    );
    assert_eq!(
        render(r#"{{ printf "%.999999999999f" 1.5 }}"#).unwrap(),
        "%!(NOVERB)%!(EXTRA float64=1.5)"
    );
    assert_eq!(
        render(r#"{{ printf "%5d|%-4s|%.2f|%*d" 7 "a" 1.5 3 1 }}"#).unwrap(),
        "    7|a   |1.50|  1"
    );
}

#[test]
fn chart_yaml_alias_bombs_are_an_error_not_exhausted_memory() {
    // 10^9 nodes once expanded ("billion laughs"); values.yaml already had
    // this guard, Chart.yaml/Chart.lock decoding did not.
    let mut y = String::from("name: x\nversion: 1.0.0\nl0: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
    for i in 1..9 {
        let p = i - 1;
        y += &format!("l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n");
    }
    let e = xtask::chart::metadata::Metadata::from_yaml(y.as_bytes()).unwrap_err();
    assert!(
        e.to_string().contains("document contains excessive aliasing"),
        "{e}"
    );
    let e = xtask::chart::chartyaml::parse_first(&y).unwrap_err();
    assert!(
        e.to_string().contains("document contains excessive aliasing"),
        "{e}"
    );
    // a few aliases stay fine
    let ok = "name: x\nversion: 1.0.0\nkeywords: &k [a, b]\nsources: *k\n";
    let md = xtask::chart::metadata::Metadata::from_yaml(ok.as_bytes()).unwrap();
    assert_eq!(md.sources, ["a", "b"]);
}

#[test]
fn int_edge_cases_wrap_like_go_instead_of_panicking() {
    // len - offset overflowed (Go wraps, then abbreviates from the end)
    assert_eq!(
        render(r#"{{ abbrevboth -9223372036854775808 10 "1234567890abcdefghij" }}"#).unwrap(),
        "...defghij"
    );
    // max - min overflowed; Go's rand.Intn panics on the wrapped value
    let e = render("{{ randInt -9223372036854775808 9223372036854775807 }}").unwrap_err();
    assert!(e.contains("invalid argument to Intn"), "{e}");
    let e = render("{{ randAlphaNum 1000000000000 }}").unwrap_err();
    assert!(e.contains("error calling randAlphaNum: result too large"), "{e}");
    assert_eq!(render("{{ randAlphaNum 5 | len }}").unwrap(), "5");
}

#[test]
fn a_map_cannot_be_made_to_hold_itself() {
    // Go allows it, and Helm then dies of a stack overflow printing the map
    // (so did this engine); the write is an error instead.
    let e = render(r#"{{ $d := dict }}{{ $_ := set $d "a" $d }}{{ $d }}"#).unwrap_err();
    assert!(
        e.contains(r#"error calling set: cannot store "a" in a map that the value contains"#),
        "{e}"
    );
    let e = render(r#"{{ $d := dict }}{{ $_ := set $d "a" (list 1 (dict "b" $d)) }}"#).unwrap_err();
    assert!(e.contains("(a cycle)"), "{e}");
    let e = render(r#"{{ $d := dict "x" 1 }}{{ $_ := mergeOverwrite $d (dict "y" $d) }}{{ toJson $d }}"#)
        .unwrap_err();
    assert!(
        e.contains("error calling mergeOverwrite: cannot store \"y\""),
        "{e}"
    );
    // shared (acyclic) values stay fine
    let ok = r#"{{ $a := dict "v" 1 }}{{ $b := dict "x" $a "y" $a }}{{ $_ := set $a "w" 2 }}{{ toJson $b }}"#;
    assert_eq!(render(ok).unwrap(), r#"{"x":{"v":1,"w":2},"y":{"v":1,"w":2}}"#);
}

#[test]
fn key_generation_costs_steps() {
    // template_exec timed out (10 s) on three RSA key generations; a loop of
    // them ran unbounded. Each costs exec::SLOW_CALL_STEPS (100 000) now.
    let e = render(r#"{{ range until 3 }}{{ genPrivateKey "ecdsa" | len }}{{ end }}"#).unwrap_err();
    assert!(e.contains("exceeded the step limit"), "{e}");
    assert!(
        render(r#"{{ genPrivateKey "ecdsa" | hasPrefix "-----BEGIN EC PRIVATE KEY" }}"#).unwrap() == "true"
    );
}

/// Found by `values_yaml` (toYaml round trip): a stream that does not end in
/// a line break is read as if it did, as go-yaml does. Expected values
/// recorded with `helm template` (v4.3.1) of a chart whose values.yaml is
/// exactly the input and whose template prints `toJson .Values`.
#[test]
fn unterminated_block_scalars_match_helm() {
    for (src, helm) in [
        ("lit: |\n x\n ", r#"{"lit":"x\n"}"#),
        ("lit: |\n x", r#"{"lit":"x\n"}"#),
        ("lit: |+\n x\n ", r#"{"lit":"x\n\n"}"#),
        ("lit: >\n x\n ", r#"{"lit":"x\n"}"#),
        ("lit: |+\n x", r#"{"lit":"x\n"}"#),
        ("lit: |-\n x\n ", r#"{"lit":"x"}"#),
        ("lit: |\n x\n  ", r#"{"lit":"x\n \n"}"#),
        ("lit: |\n  x\n \n ", r#"{"lit":"x\n"}"#),
        ("lit: |\n x\n\n ", r#"{"lit":"x\n"}"#),
    ] {
        let v = xtask::chart::yaml::parse_values(src).unwrap();
        assert_eq!(
            xtask::chart::yaml::to_json(&serde_json::Value::Object(v)),
            helm,
            "{src:?}"
        );
    }
}

/// Found by `values_yaml`: go-yaml's natural key order is not a total order
/// for these keys, and sorting them with it made Rust's sort panic ("user-
/// provided comparison function does not correctly implement a total
/// order") inside toYaml.
#[test]
fn to_yaml_keys_without_a_total_order_do_not_panic() {
    let src = "item10: 10\nitem9: 9\nitem1: 1\nItem2: x\n_under: u\n\"10\": ten\n\"9\": nine\n\"a1b\": \n\
               1a\"01b\": 2\n\"a001\": 3\n\"a1\": 4\nb: 1\nB: 2\n\"-dash\": 3\n\"~tilde\": 4\nzz: 1\n\"ä\": 1\n\
               \"z0\": 0\n\"z00\": 0\n0\"z01\": 01\nx1y2: a\nx1y10: b\nx10y1: c\n";
    let v = serde_json::Value::Object(xtask::chart::yaml::parse_values(src).unwrap());
    let out = xtask::chart::yaml::to_yaml(&v);
    // every key comes out once
    assert_eq!(out.lines().filter(|l| !l.starts_with(' ')).count(), 23, "{out}");
    let back = xtask::chart::yaml::parse_values(&out).unwrap();
    assert_eq!(serde_json::Value::Object(back), v);
}
