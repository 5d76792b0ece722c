//! Conformance of the YAML/JSON layer against outputs recorded from real
//! Helm v4.3.1 (`scripts/record-yaml-fixtures.sh`): each case in
//! `tests/fixtures/yaml/<case>/` has a `values.yaml`, optional `args`
//! (`--set`-style flags), and Helm's `toYaml`/`toJson`/`toYamlPretty` of the
//! resulting `.Values` or Helm's error message.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use xtask::chart::{values, yaml};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/yaml")
}

/// Values the way `helm template` builds them for a chart with no
/// dependencies: chart values.yaml coalesced with the `--set*` flags.
fn render_values(dir: &Path) -> Result<Value, String> {
    let src = fs::read_to_string(dir.join("values.yaml")).unwrap();
    let chart_values =
        yaml::parse_values(&src).map_err(|e| format!("Error: cannot load values.yaml: {e}"))?;
    let args = fs::read_to_string(dir.join("args")).unwrap_or_default();
    let args: Vec<&str> = args.lines().collect();
    let mut opts = values::Options::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let val = it.next().expect("flag value").to_string();
        match *flag {
            "--set" => opts.values.push(val),
            "--set-string" => opts.string_values.push(val),
            "--set-json" => opts.json_values.push(val),
            other => panic!("unsupported flag in {}: {other}", dir.display()),
        }
    }
    let user = opts
        .merge_values(|p| Err(format!("no file {p}")))
        .map_err(|e| format!("Error: {e}"))?;
    let chart: values::ChartValues = values::ChartValues {
        name: "c".into(),
        values: chart_values,
        ..Default::default()
    };
    values::coalesce_values(&chart, user)
}

#[test]
fn yaml_fixtures_match_helm() {
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut dirs: Vec<_> = fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        cases += 1;
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let got = render_values(&dir);
        if let Ok(want) = fs::read_to_string(dir.join("error.expected")) {
            match got {
                Err(e) if e.trim() == want.trim() => {}
                Err(e) => failures.push(format!("{name}: error\n  want: {}\n  got:  {e}", want.trim())),
                Ok(v) => failures.push(format!("{name}: expected error {want:?}, got {v}")),
            }
            continue;
        }
        let v = match got {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: unexpected error {e}"));
                continue;
            }
        };
        for (file, out) in [
            ("toyaml.expected", yaml::to_yaml(&v)),
            ("tojson.expected", yaml::to_json(&v)),
            ("pretty.expected", yaml::to_yaml_pretty(&v)),
            ("totoml.expected", yaml::to_toml(&v)),
        ] {
            let want = fs::read_to_string(dir.join(file))
                .unwrap_or_else(|_| panic!("{name}/{file} missing: run scripts/record-yaml-fixtures.sh"));
            if want != out {
                failures.push(format!("{name}/{file}:\n--- want\n{want}\n--- got\n{out}\n"));
            }
        }
    }
    assert!(cases >= 20, "too few fixture cases: {cases}");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
