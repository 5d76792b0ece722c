//! Helm's values pipeline: user values from `-f` files and `--set*` flags
//! (`pkg/cli/values` `MergeValues`), coalescing with chart defaults and
//! subchart values including `global` propagation (`pkg/chart/common/util`
//! `CoalesceValues` / `MergeValues`), and dependency processing
//! (`condition`, `tags`, `alias`, `import-values`; see [`process_dependencies`]).
//!
//! The chart tree is described by [`ChartValues`], a small struct the
//! loader's `Chart` converts into.

use serde_json::{Map, Value};

use super::{strvals, yaml};

/// Where the user's values come from, in Helm's order of application:
/// `-f` files, then `--set-json`, `--set`, `--set-string`, `--set-file`,
/// `--set-literal`.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `-f/--values` (paths or URLs as given)
    pub value_files: Vec<String>,
    /// `--set-json`
    pub json_values: Vec<String>,
    /// `--set`
    pub values: Vec<String>,
    /// `--set-string`
    pub string_values: Vec<String>,
    /// `--set-file`
    pub file_values: Vec<String>,
    /// `--set-literal`
    pub literal_values: Vec<String>,
}

impl Options {
    /// Helm `Options.MergeValues`: the user-supplied values map. `read`
    /// returns a file's content for a `-f` path or a `--set-file` value
    /// (errors are reported as returned). Error texts are Helm's.
    pub fn merge_values(
        &self,
        mut read: impl FnMut(&str) -> Result<String, String>,
    ) -> Result<Map<String, Value>, String> {
        let mut base = Map::new();
        for path in &self.value_files {
            let raw = read(path)?;
            let raw = raw.strip_prefix('\u{feff}').unwrap_or(&raw);
            let current = yaml::parse_values(raw).map_err(|e| format!("failed to parse {path}: {e}"))?;
            base = yaml::merge_maps(base, current);
        }
        for value in &self.json_values {
            let trimmed = value.trim();
            if trimmed.starts_with('{') {
                let m = match yaml::from_json(trimmed) {
                    Ok(Value::Object(m)) => m,
                    _ => return Err(format!("failed parsing --set-json data JSON: {value}")),
                };
                base = yaml::merge_maps(base, m);
            } else if strvals::parse_json(value, &mut base).is_err() {
                return Err(format!("failed parsing --set-json data {value}"));
            }
        }
        for value in &self.values {
            strvals::parse_into(value, &mut base).map_err(|e| format!("failed parsing --set data: {e}"))?;
        }
        for value in &self.string_values {
            strvals::parse_into_string(value, &mut base)
                .map_err(|e| format!("failed parsing --set-string data: {e}"))?;
        }
        for value in &self.file_values {
            let mut reader = |p: &str| read(p);
            strvals::parse_into_file(value, &mut base, &mut reader)
                .map_err(|e| format!("failed parsing --set-file data: {e}"))?;
        }
        for value in &self.literal_values {
            strvals::parse_literal_into(value, &mut base)
                .map_err(|e| format!("failed parsing --set-literal data: {e}"))?;
        }
        Ok(base)
    }
}

/// One `import-values` entry of a dependency.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportValue {
    /// `- data`: child's `exports.data` merged into the parent's root
    Export(String),
    /// `- child: a.b, parent: c`
    Map { child: String, parent: String },
}

/// A `dependencies:` entry of Chart.yaml, as far as values care.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    pub name: String,
    pub alias: Option<String>,
    /// comma-separated value paths (`condition:`)
    pub condition: String,
    pub tags: Vec<String>,
    pub import_values: Vec<ImportValue>,
}

/// A chart as the values pipeline sees it.
#[derive(Debug, Clone, Default)]
pub struct ChartValues {
    /// Chart name (`metadata.name`; after aliasing, the alias)
    pub name: String,
    /// Parsed `values.yaml` (empty when absent)
    pub values: Map<String, Value>,
    /// Chart.yaml `dependencies:` (declared)
    pub dependency_specs: Vec<Dependency>,
    /// Loaded subcharts (`charts/`)
    pub dependencies: Vec<ChartValues>,
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// Warnings Helm logs while coalescing (`log.Printf`), collected.
pub type Warnings = Vec<String>;

/// Helm `CoalesceValues(chart, vals)`: user values win, `null` deletes a
/// chart default, maps merge recursively, globals flow into subcharts.
pub fn coalesce_values(chart: &ChartValues, vals: Map<String, Value>) -> Result<Value, String> {
    let mut w = Vec::new();
    coalesce_values_warn(chart, vals, false, &mut w).map(Value::Object)
}

/// Helm `MergeValues(chart, vals)` (nulls are kept).
pub fn merge_values(chart: &ChartValues, vals: Map<String, Value>) -> Result<Value, String> {
    let mut w = Vec::new();
    coalesce_values_warn(chart, vals, true, &mut w).map(Value::Object)
}

/// [`coalesce_values`] / [`merge_values`] returning Helm's warnings too.
pub fn coalesce_values_warn(
    chart: &ChartValues,
    vals: Map<String, Value>,
    merge: bool,
    warnings: &mut Warnings,
) -> Result<Map<String, Value>, String> {
    let mut dest = vals;
    coalesce(chart, &mut dest, "", merge, warnings)?;
    Ok(dest)
}

fn coalesce(
    ch: &ChartValues,
    dest: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
    w: &mut Warnings,
) -> Result<(), String> {
    coalesce_chart_values(ch, dest, prefix, merge, w);
    coalesce_deps(ch, dest, prefix, merge, w)
}

fn coalesce_deps(
    ch: &ChartValues,
    dest: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
    w: &mut Warnings,
) -> Result<(), String> {
    for sub in &ch.dependencies {
        match dest.get(&sub.name) {
            None => {
                dest.insert(sub.name.clone(), Value::Object(Map::new()));
            }
            Some(Value::Object(_)) => {}
            Some(other) => {
                return Err(format!(
                    "type mismatch on {}: %!t({}={})",
                    sub.name,
                    go_type(other),
                    go_v(other)
                ))
            }
        }
        let sub_prefix = concat_prefix(prefix, &ch.name);
        let parent_global = dest.get("global").cloned();
        let Some(Value::Object(mut dv)) = dest.remove(&sub.name) else {
            continue;
        };
        coalesce_globals(&mut dv, parent_global.as_ref(), &sub_prefix, w);
        coalesce(sub, &mut dv, &sub_prefix, merge, w)?;
        dest.insert(sub.name.clone(), Value::Object(dv));
    }
    Ok(())
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn go_v(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => i.to_string(),
            _ => crate::chart::strconv::format_float_v(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_v).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => format!(
            "map[{}]",
            m.iter()
                .map(|(k, v)| format!("{k}:{}", go_v(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// Helm `coalesceGlobals`: copy the parent's `global` into the child's.
fn coalesce_globals(
    dest: &mut Map<String, Value>,
    src_global: Option<&Value>,
    prefix: &str,
    w: &mut Warnings,
) {
    let mut dg = match dest.get("global") {
        None => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            w.push("warning: skipping globals because destination global is not a table.".into());
            return;
        }
    };
    let sg = match src_global {
        None => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            w.push("warning: skipping globals because source global is not a table.".into());
            return;
        }
    };
    for (key, val) in sg {
        if let Value::Object(vm) = &val {
            let mut vv = vm.clone();
            match dg.get(&key) {
                None => {
                    dg.insert(key, Value::Object(vv));
                }
                Some(Value::Object(destv)) => {
                    let sub_prefix = concat_prefix(prefix, &key);
                    let mut src = destv.clone();
                    coalesce_tables(&mut vv, &mut src, &sub_prefix, true, w);
                    dg.insert(key, Value::Object(vv));
                }
                Some(_) => {
                    w.push(format!(
                        "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                    ));
                }
            }
        } else if matches!(dg.get(&key), Some(Value::Object(_))) {
            w.push(format!("key {key} is table. Skipping"));
        } else {
            dg.insert(key, val);
        }
    }
    dest.insert("global".into(), Value::Object(dg));
}

/// Helm `coalesceValues`: the chart's own values.yaml under the user's.
fn coalesce_chart_values(
    ch: &ChartValues,
    v: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
    w: &mut Warnings,
) {
    let sub_prefix = concat_prefix(prefix, &ch.name);
    for (key, val) in ch.values.clone() {
        match v.get_mut(&key) {
            Some(Value::Null) if !merge => {
                v.remove(&key);
            }
            Some(Value::Object(dest)) => match val {
                Value::Object(mut src) => {
                    let merge = merge || ch.dependencies.iter().any(|d| d.name == key);
                    if !merge {
                        clean_nil_values(&mut src);
                    }
                    coalesce_tables(dest, &mut src, &concat_prefix(&sub_prefix, &key), merge, w);
                }
                Value::Null => {}
                _ => w.push(format!(
                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                )),
            },
            Some(_) => {}
            None => {
                if !merge {
                    if val.is_null() {
                        continue;
                    }
                    let mut val = val;
                    if let Value::Object(sub) = &mut val {
                        clean_nil_values(sub);
                    }
                    v.insert(key, val);
                } else {
                    v.insert(key, val);
                }
            }
        }
    }
}

fn clean_nil_values(m: &mut Map<String, Value>) {
    m.retain(|_, v| !v.is_null());
    for v in m.values_mut() {
        if let Value::Object(sub) = v {
            clean_nil_values(sub);
        }
    }
}

/// Helm `CoalesceTables(dst, src)`: `dst` wins; `src` fills the gaps.
pub fn coalesce_tables_into(dst: &mut Map<String, Value>, src: Map<String, Value>) {
    let mut src = src;
    let mut w = Vec::new();
    coalesce_tables(dst, &mut src, "", false, &mut w);
}

/// Helm `MergeTables(dst, src)`: like [`coalesce_tables_into`], nulls kept.
pub fn merge_tables_into(dst: &mut Map<String, Value>, src: Map<String, Value>) {
    let mut src = src;
    let mut w = Vec::new();
    coalesce_tables(dst, &mut src, "", true, &mut w);
}

fn coalesce_tables(
    dst: &mut Map<String, Value>,
    src: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
    w: &mut Warnings,
) {
    let src_original_non_nil: std::collections::HashSet<String> = src
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    for (key, val) in dst.iter() {
        if val.is_null() {
            src.insert(key.clone(), Value::Null);
        }
    }
    for (key, val) in src.iter_mut() {
        let fullkey = concat_prefix(prefix, key);
        match dst.get_mut(key) {
            Some(Value::Null) if !merge && src_original_non_nil.contains(key) => {
                dst.remove(key);
            }
            None => {
                dst.insert(key.clone(), val.clone());
            }
            Some(dv) => {
                if let Value::Object(sv) = val {
                    if let Value::Object(dm) = dv {
                        coalesce_tables(dm, sv, &fullkey, merge, w);
                    } else {
                        w.push(format!(
                            "warning: cannot overwrite table with non table for {fullkey} ({})",
                            go_v(&Value::Object(sv.clone()))
                        ));
                    }
                } else if dv.is_object() && !val.is_null() {
                    w.push(format!(
                        "warning: destination for {fullkey} is a table. Ignoring non-table value ({})",
                        go_v(val)
                    ));
                }
            }
        }
    }
}
