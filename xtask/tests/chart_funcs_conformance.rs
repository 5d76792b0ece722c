//! Sprig/Helm template functions against real Helm v4.3.1.
//!
//! `tests/fixtures/chart_funcs/cases.txt` holds one template per line (a
//! leading `!` marks a case that must fail); `expected.json` holds what
//! `helm template` printed for each (or the tail of its error message),
//! rendered with `values.yaml`. Random functions appear only inside
//! deterministic expressions (lengths, prefixes, regex shape checks).
//!
//! - `native_engine_matches_helm_recordings` renders every case with the
//!   native engine and compares with the recording.
//! - `recordings_match_live_helm` re-renders the cases with the Helm binary
//!   (target/tools/bin/helm or PATH) and fails if a recording is stale;
//!   with `ASKY_RECORD_FUNCS=1` it rewrites `expected.json` instead. It
//!   skips when Helm is missing unless `ASKY_REQUIRE_TOOLS=1`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use serde_json::json;
use xtask::chart::funcs;
use xtask::chart::template::exec::Engine;
use xtask::chart::value::Value;
use xtask::chart::yaml;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chart_funcs")
}

struct Case {
    tpl: String,
    err: bool,
}

fn cases() -> Vec<Case> {
    fs::read_to_string(dir().join("cases.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| match l.strip_prefix('!') {
            Some(t) => Case {
                tpl: t.to_string(),
                err: true,
            },
            None => Case {
                tpl: l.to_string(),
                err: false,
            },
        })
        .collect()
}

fn expected() -> serde_json::Map<String, serde_json::Value> {
    let text = fs::read_to_string(dir().join("expected.json")).unwrap_or_else(|_| "{}".into());
    serde_json::from_str(&text).expect("expected.json")
}

/// The part of an error message after the last `>: ` (the failing call's
/// own text), without Helm's `--debug` hint.
fn err_tail(msg: &str) -> String {
    let msg = msg.split("\n\nUse --debug").next().unwrap_or(msg).trim_end();
    // Helm 4 prints nested exec errors as indented blocks; the last line is
    // the failing call's own text.
    let last = msg.lines().last().unwrap_or(msg).trim();
    last.rsplit(">: ").next().unwrap_or(last).trim().to_string()
}

/// Cases where the native engine is known to differ from Helm, with the
/// reason. Each must still differ (so a fix forces its removal here).
const KNOWN_DIFFS: &[(&str, &str)] = &[
    (
        r#"{{ fromJson "{\"a\":1,\"b\":[true,null]}" }}|{{ (fromJson "{\"a\":1}").a | typeOf }}|{{ fromJson "[1]" }}|{{ fromJson "{bad" }}|{{ fromJsonArray "[1,\"x\"]" }}|{{ fromJsonArray "{}" }}"#,
        "chart::yaml::from_json words this syntax error differently from encoding/json",
    ),
    (
        r#"{{ decryptAES "secretkey" "u+BUloWjdVEG1karqkQZZBsTiYQrhyQz3VgG7FbIj5c=" }}|{{ encryptAES "k" "secret" | decryptAES "k" }}|{{ encryptAES "k" "" }}|{{ encryptAES "k" "0123456789abcdef" | b64dec | len }}"#,
        "engine strings are UTF-8: b64dec of binary data replaces invalid bytes (Go keeps them)",
    ),
    (
        r#"{{ htpasswd "user" "pw" | substr 0 12 }}|{{ htpasswd "user" "pw" | len }}|{{ htpasswd "a:b" "x" }}|{{ bcrypt "x" | len }}|{{ randBytes 24 | b64dec | len }}"#,
        "engine strings are UTF-8: b64dec of random bytes replaces invalid bytes (Go keeps them)",
    ),
    (
        r#"{{ set .Values.nul "a" 1 }}"#,
        "executor: a null value (not a missing one) passed to a map parameter is an interface{} in Go",
    ),
    (
        r#"{{ (semver "1.2.3").Compare (semver "1.2.4") }}|{{ (semver "2.0.0").GreaterThan (semver "1.9.9") }}|{{ (semver "1.2.3+b").Metadata }}|{{ (semver "1.2.3").Major | typeOf }}"#,
        "engine Value has no uint64: Version.Major/Minor/Patch are int64 here",
    ),
    (
        r#"{{ unixEpoch "x" }}"#,
        "executor has no time.Time parameter type (Go: can't handle \"x\" for arg of type time.Time)",
    ),
    (
        r#"{{ genSignedCert "x" nil nil 1 "notacert" }}"#,
        "executor has no sprig.certificate parameter type",
    ),
];

fn values() -> Value {
    let src = fs::read_to_string(dir().join("values.yaml")).unwrap();
    let m = yaml::parse_values(&src).expect("values.yaml");
    let mut top = BTreeMap::new();
    top.insert(
        "Values".to_string(),
        Value::from_json(&serde_json::Value::Object(m)),
    );
    Value::map(top)
}

fn render_native(tpl: &str) -> Result<String, String> {
    let mut e = Engine::new(Rc::new(funcs::helm_registry()));
    let name = "c/templates/t.yaml";
    e.parse_file(name, tpl).map_err(|e| e.to_string())?;
    e.execute(name, values())
        .map(|s| s.replace("<no value>", ""))
        .map_err(|e| e.message().to_string())
}

#[test]
fn native_engine_matches_helm_recordings() {
    let exp = expected();
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() > 100, "fixture has {} cases", all.len());
    for c in &all {
        let known = KNOWN_DIFFS.iter().find(|(t, _)| *t == c.tpl);
        let Some(want) = exp.get(&c.tpl) else {
            failures.push(format!("no recording for {}", c.tpl));
            continue;
        };
        let got = render_native(&c.tpl);
        let same = match (want.get("out"), want.get("err"), &got) {
            (Some(w), _, Ok(g)) => w.as_str() == Some(g.as_str()),
            (_, Some(w), Err(g)) => w.as_str() == Some(err_tail(g).as_str()),
            _ => false,
        };
        match (same, known) {
            (true, None) | (false, Some(_)) => {}
            (true, Some((_, why))) => failures.push(format!(
                "case {} now matches Helm: remove it from KNOWN_DIFFS ({why})",
                c.tpl
            )),
            (false, None) => failures.push(format!(
                "case {}\n  helm:   {}\n  native: {:?}",
                c.tpl,
                want,
                got.map_err(|e| err_tail(&e))
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Helm v4.3.1:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

fn helm_bin() -> Option<PathBuf> {
    let local = xtask::project_root().join("target/tools/bin/helm");
    if local.is_file() {
        return Some(local);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|p| p.join("helm"))
        .find(|p| p.is_file())
}

fn write_chart(root: &Path, tpls: &[&str]) {
    let c = root.join("c");
    fs::create_dir_all(c.join("templates")).unwrap();
    fs::write(c.join("Chart.yaml"), "apiVersion: v2\nname: c\nversion: 0.1.0\n").unwrap();
    fs::copy(dir().join("values.yaml"), c.join("values.yaml")).unwrap();
    for (i, t) in tpls.iter().enumerate() {
        let body = format!(
            "{{{{- define \"c{i:03}\" }}}}{t}{{{{ end -}}}}\nv: {{{{ include \"c{i:03}\" . | b64enc | quote }}}}\n"
        );
        fs::write(c.join(format!("templates/t{i:03}.yaml")), body).unwrap();
    }
}

fn b64dec(s: &str) -> String {
    let b = funcs::encoding::b64_decode(s).expect("helm printed base64");
    String::from_utf8_lossy(&b).into_owned()
}

fn run_helm(helm: &Path, tpls: &[&str]) -> Result<Vec<String>, String> {
    let tmp = tempfile::tempdir().unwrap();
    write_chart(tmp.path(), tpls);
    let out = Command::new(helm)
        .arg("template")
        .arg(tmp.path().join("c"))
        .env("TZ", "")
        .output()
        .expect("run helm");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // Documents come sorted by file name: t000, t001, ...
    Ok(text
        .lines()
        .filter_map(|l| l.strip_prefix("v: "))
        .map(|v| b64dec(v.trim_matches('"')).replace("<no value>", ""))
        .collect())
}

#[test]
fn recordings_match_live_helm() {
    let Some(helm) = helm_bin() else {
        if std::env::var("ASKY_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("helm is required (ASKY_REQUIRE_TOOLS=1) but was not found; run scripts/test-deps.sh");
        }
        eprintln!("skipping: helm not found (run scripts/test-deps.sh)");
        return;
    };
    let all = cases();
    let ok: Vec<&str> = all.iter().filter(|c| !c.err).map(|c| c.tpl.as_str()).collect();
    let outs = run_helm(&helm, &ok).unwrap_or_else(|e| panic!("helm failed on the non-error cases: {e}"));
    assert_eq!(outs.len(), ok.len(), "one output per case");
    let mut live = serde_json::Map::new();
    for (t, o) in ok.iter().zip(outs) {
        live.insert(t.to_string(), json!({ "out": o }));
    }
    for c in all.iter().filter(|c| c.err) {
        match run_helm(&helm, &[c.tpl.as_str()]) {
            Ok(o) => panic!("case marked `!` rendered without error: {} -> {:?}", c.tpl, o),
            Err(e) => {
                live.insert(c.tpl.clone(), json!({ "err": err_tail(&e) }));
            }
        }
    }
    if std::env::var("ASKY_RECORD_FUNCS").as_deref() == Ok("1") {
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(live)).unwrap();
        fs::write(dir().join("expected.json"), text + "\n").unwrap();
        return;
    }
    let exp = expected();
    let mut stale = Vec::new();
    for (k, v) in &live {
        if exp.get(k) != Some(v) && !volatile(k) {
            stale.push(format!("{k}\n  recorded: {:?}\n  live:     {v}", exp.get(k)));
        }
    }
    assert!(
        stale.is_empty(),
        "recordings differ from live helm (re-record with ASKY_RECORD_FUNCS=1):\n{}",
        stale.join("\n")
    );
}

/// Cases whose Helm output legitimately changes between runs.
fn volatile(tpl: &str) -> bool {
    tpl.contains("ago (now)") || tpl.contains("durationRound (now)")
}

/// Every name Helm v4.3.1 exposes: sprig v3.3.0's 211 minus env/expandenv,
/// plus Helm's own (helm-compat.md §2.1).
const HELM_FUNCS: &str = "abbrev abbrevboth add add1 add1f addf adler32sum ago all any append atoi b32dec b32enc b64dec b64enc base bcrypt biggest buildCustomCert camelcase cat ceil chunk clean coalesce compact concat contains date dateInZone dateModify date_in_zone date_modify decryptAES deepCopy deepEqual default derivePassword dict dig dir div divf duration durationRound empty encryptAES ext fail first float64 floor fromJson genCA genCAWithKey genPrivateKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey get getHostByName has hasKey hasPrefix hasSuffix hello htmlDate htmlDateInZone htpasswd indent initial initials int int64 isAbs join kebabcase keys kindIs kindOf last list lower max maxf merge mergeOverwrite min minf mod mul mulf mustAppend mustChunk mustCompact mustDateModify mustDeepCopy mustFirst mustFromJson mustHas mustInitial mustLast mustMerge mustMergeOverwrite mustPrepend mustPush mustRegexFind mustRegexFindAll mustRegexMatch mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit mustRest mustReverse mustSlice mustToDate mustToJson mustToPrettyJson mustToRawJson mustUniq mustWithout must_date_modify nindent nospace now omit osBase osClean osDir osExt osIsAbs pick pluck plural prepend push quote randAlpha randAlphaNum randAscii randBytes randInt randNumeric regexFind regexFindAll regexMatch regexQuoteMeta regexReplaceAll regexReplaceAllLiteral regexSplit repeat replace rest reverse round semver semverCompare seq set sha1sum sha256sum sha512sum shuffle slice snakecase sortAlpha split splitList splitn squote sub subf substr swapcase ternary title toDate toDecimal toJson toPrettyJson toRawJson toString toStrings trim trimAll trimPrefix trimSuffix trimall trunc tuple typeIs typeIsLike typeOf uniq unixEpoch unset until untilStep untitle upper urlJoin urlParse uuidv4 values without wrap wrapWith \
toToml fromToml toYaml toYamlPretty fromYaml fromYamlArray fromJsonArray include tpl required lookup mustToYaml mustToToml";

#[test]
fn registry_has_every_helm_function() {
    let reg = funcs::helm_registry();
    let names: Vec<&str> = HELM_FUNCS.split_whitespace().collect();
    assert_eq!(names.len(), 209 + 13);
    let missing: Vec<&&str> = names.iter().filter(|n| !reg.contains(n)).collect();
    assert!(missing.is_empty(), "not registered: {missing:?}");
    for gone in ["env", "expandenv"] {
        assert!(
            !reg.contains(gone),
            "{gone} must not be exposed (Helm removes it)"
        );
    }
}
