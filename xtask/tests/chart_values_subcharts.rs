//! Values of chart trees (subcharts, `global`, aliases, conditions, tags,
//! import-values, `--set` overrides) against `helm template` v4.3.1 output
//! recorded by `scripts/record-yaml-fixtures.sh` from
//! `tests/fixtures/yaml-charts/<case>/root` (every chart prints
//! `toJson .Values` between `# BEGIN` / `# END`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use xtask::chart::strconv::format_float;
use xtask::chart::values::{self, ChartValues, Dependency, ImportValue};
use xtask::chart::{schema, yaml};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/yaml-charts")
}

/// A Chart.yaml string field the way sigs.k8s.io/yaml fills a Go string.
fn go_string(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => format_float(n.as_f64().unwrap(), 'g', -1, 32),
        Some(other) => other.to_string(),
    }
}

/// Minimal chart-tree loader for the test (the real one is chart/load.rs).
fn load(dir: &Path) -> ChartValues<String> {
    let meta = yaml::unmarshal_map(&fs::read_to_string(dir.join("Chart.yaml")).unwrap()).unwrap();
    let values = fs::read_to_string(dir.join("values.yaml"))
        .map(|s| yaml::parse_values(&s).unwrap())
        .unwrap_or_default();
    let specs = meta.get("dependencies").and_then(Value::as_array).map(|deps| {
        deps.iter()
            .map(|d| Dependency {
                name: go_string(d.get("name")),
                version: go_string(d.get("version")),
                alias: d.get("alias").map(|a| go_string(Some(a))),
                condition: go_string(d.get("condition")),
                tags: d
                    .get("tags")
                    .and_then(Value::as_array)
                    .map(|t| t.iter().map(|x| go_string(Some(x))).collect())
                    .unwrap_or_default(),
                import_values: d
                    .get("import-values")
                    .and_then(Value::as_array)
                    .map(|ivs| {
                        ivs.iter()
                            .map(|iv| match iv {
                                Value::Object(m) => ImportValue::Map {
                                    child: go_string(m.get("child")),
                                    parent: go_string(m.get("parent")),
                                },
                                other => ImportValue::Export(go_string(Some(other))),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    });
    let mut subdirs: Vec<PathBuf> = fs::read_dir(dir.join("charts"))
        .map(|rd| rd.map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    subdirs.sort();
    ChartValues {
        name: go_string(meta.get("name")),
        version: go_string(meta.get("version")),
        values,
        dependency_specs: specs,
        dependencies: subdirs.iter().map(|d| load(d)).collect(),
        schema: fs::read(dir.join("values.schema.json")).ok(),
        payload: dir.display().to_string(),
    }
}

fn collect<T>(c: &ChartValues<T>, path: &str, vals: &Map<String, Value>, out: &mut BTreeMap<String, String>) {
    out.insert(
        format!("{path}/templates/values.yaml"),
        yaml::to_json(&Value::Object(vals.clone())),
    );
    for sub in &c.dependencies {
        let sv = match vals.get(&sub.name) {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        collect(sub, &format!("{path}/charts/{}", sub.name), &sv, out);
    }
}

fn parse_expected(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut source = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(s) = line.strip_prefix("# Source: ") {
            source = Some(s.to_string());
        } else if line == "# BEGIN" {
            let body = lines.next().unwrap_or_default().to_string();
            out.insert(source.clone().unwrap(), body);
        }
    }
    out
}

/// Helm lists sibling schema errors in Go map order (random): compare the
/// error blocks (a `- at` line with its indented children) as sorted sets.
fn normalise(text: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in text.trim_end().lines() {
        if line.starts_with("  ") {
            if let Some(last) = blocks.last_mut() {
                last.push('\n');
                last.push_str(line);
                continue;
            }
        }
        blocks.push(line.to_string());
    }
    let mut blocks: Vec<String> = blocks
        .into_iter()
        .map(|b| {
            let mut lines: Vec<&str> = b.lines().collect();
            lines[1..].sort();
            lines.join("\n")
        })
        .collect();
    blocks.sort();
    blocks
}

#[test]
fn chart_tree_values_match_helm() {
    let mut dirs: Vec<_> = fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 3);
    let mut failures = Vec::new();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let mut chart = load(&dir.join("root"));
        let args = fs::read_to_string(dir.join("args")).unwrap_or_default();
        let args: Vec<&str> = args.lines().collect();
        let mut opts = values::Options::default();
        for pair in args.chunks(2) {
            match pair[0] {
                "--set" => opts.values.push(pair[1].to_string()),
                "--set-string" => opts.string_values.push(pair[1].to_string()),
                other => panic!("unsupported flag {other}"),
            }
        }
        let user = opts.merge_values(|p| Err(format!("no file {p}"))).unwrap();
        let vals = values::render_values(&mut chart, user.clone()).unwrap();
        if let Ok(want) = fs::read_to_string(dir.join("error.expected")) {
            let got = match schema::validate(&chart, &vals) {
                Ok(()) => format!("no error for {name}"),
                Err(block) => format!("Error: {}", schema::schema_error(&block)),
            };
            if normalise(&got) != normalise(&want) {
                failures.push(format!("{name}: schema error\n--- want\n{want}\n--- got\n{got}"));
            }
            continue;
        }
        if let Err(e) = schema::validate(&chart, &vals) {
            failures.push(format!("{name}: unexpected schema error {e}"));
        }
        let mut got = BTreeMap::new();
        let root_name = chart.name.clone();
        collect(&chart, &root_name, &vals, &mut got);

        // The same through the real loader (chart/load.rs) and the adapter.
        let loaded = xtask::chart::load::load(&dir.join("root")).expect("load chart");
        let mut from_loader = ChartValues::from_chart(&loaded).unwrap();
        let vals2 = values::render_values(&mut from_loader, user).unwrap();
        let mut got2 = BTreeMap::new();
        collect(&from_loader, &root_name, &vals2, &mut got2);
        if got2 != got {
            failures.push(format!("{name}: loader adapter differs from test loader"));
        }
        let want = parse_expected(&fs::read_to_string(dir.join("output.expected")).unwrap());
        if got != want {
            for (k, v) in &want {
                match got.get(k) {
                    Some(g) if g == v => {}
                    Some(g) => failures.push(format!("{name} {k}:\n  want {v}\n  got  {g}")),
                    None => failures.push(format!("{name}: missing {k}")),
                }
            }
            for k in got.keys().filter(|k| !want.contains_key(*k)) {
                failures.push(format!("{name}: unexpected {k}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
