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
    /// version constraint (`version:`), matched against the subchart's
    /// version like Helm's `IsCompatibleRange`
    pub version: String,
    pub alias: Option<String>,
    /// comma-separated value paths (`condition:`)
    pub condition: String,
    pub tags: Vec<String>,
    pub import_values: Vec<ImportValue>,
}

/// A chart as the values pipeline sees it. `payload` carries whatever the
/// caller needs to find the chart again after [`process_dependencies`]
/// removed disabled subcharts and copied aliased ones (e.g. an index or the
/// loaded chart itself).
#[derive(Debug, Clone, Default)]
pub struct ChartValues<T = ()> {
    /// Chart name (`metadata.name`; after aliasing, the alias)
    pub name: String,
    /// Chart version (`metadata.version`)
    pub version: String,
    /// Parsed `values.yaml` (empty when absent)
    pub values: Map<String, Value>,
    /// Chart.yaml `dependencies:` (declared); `None` when the key is absent
    pub dependency_specs: Option<Vec<Dependency>>,
    /// Loaded subcharts (`charts/`)
    pub dependencies: Vec<ChartValues<T>>,
    /// `values.schema.json` bytes, if any (see `chart::schema`)
    pub schema: Option<Vec<u8>>,
    pub payload: T,
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
pub fn coalesce_values<T>(chart: &ChartValues<T>, vals: Map<String, Value>) -> Result<Value, String> {
    let mut w = Vec::new();
    coalesce_values_warn(chart, vals, false, &mut w).map(Value::Object)
}

/// Helm `MergeValues(chart, vals)` (nulls are kept).
pub fn merge_values<T>(chart: &ChartValues<T>, vals: Map<String, Value>) -> Result<Value, String> {
    let mut w = Vec::new();
    coalesce_values_warn(chart, vals, true, &mut w).map(Value::Object)
}

/// [`coalesce_values`] / [`merge_values`] returning Helm's warnings too.
pub fn coalesce_values_warn<T>(
    chart: &ChartValues<T>,
    vals: Map<String, Value>,
    merge: bool,
    warnings: &mut Warnings,
) -> Result<Map<String, Value>, String> {
    let mut dest = vals;
    coalesce(chart, &mut dest, "", merge, warnings)?;
    Ok(dest)
}

fn coalesce<T>(
    ch: &ChartValues<T>,
    dest: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
    w: &mut Warnings,
) -> Result<(), String> {
    coalesce_chart_values(ch, dest, prefix, merge, w);
    coalesce_deps(ch, dest, prefix, merge, w)
}

fn coalesce_deps<T>(
    ch: &ChartValues<T>,
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
fn coalesce_chart_values<T>(
    ch: &ChartValues<T>,
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

/// Helm `Values.Table`: the map at a dotted path.
pub fn table<'a>(v: &'a Map<String, Value>, path: &str) -> Option<&'a Map<String, Value>> {
    let mut t = v;
    for part in path.split('.') {
        match t.get(part) {
            Some(Value::Object(m)) => t = m,
            _ => return None,
        }
    }
    Some(t)
}

/// Helm `Values.PathValue`: a non-map value at a dotted path.
pub fn path_value<'a>(v: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return None;
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (table(v, p)?, k),
        None => (v, path),
    };
    match parent.get(key) {
        Some(Value::Object(_)) | None => None,
        Some(x) => Some(x),
    }
}

/// Helm `chartutil.IsCompatibleRange`.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    crate::chart::funcs::semver::semver_compare(constraint, version).unwrap_or(false)
}

/// Helm `ProcessDependencies` (the `helm template`/install path): apply
/// aliases, drop subcharts disabled by `tags`/`condition` (evaluated on the
/// chart values coalesced with the user's `vals`), then fold
/// `import-values` into each chart's values (parent values win). Warnings
/// Helm would log are returned.
pub fn process_dependencies<T: Clone>(
    chart: &mut ChartValues<T>,
    vals: &Map<String, Value>,
) -> Result<Warnings, String> {
    let mut w = Vec::new();
    process_enabled(chart, vals, "", &mut w)?;
    process_import_values_rec(chart, &mut w)?;
    Ok(w)
}

fn process_enabled<T: Clone>(
    c: &mut ChartValues<T>,
    v: &Map<String, Value>,
    path: &str,
    w: &mut Warnings,
) -> Result<(), String> {
    let Some(mut specs) = c.dependency_specs.take() else {
        return Ok(());
    };
    let mut chart_deps: Vec<ChartValues<T>> = Vec::new();
    for existing in &c.dependencies {
        let matched = specs
            .iter()
            .any(|req| existing.name == req.name && is_compatible_range(&req.version, &existing.version));
        if !matched {
            chart_deps.push(existing.clone());
        }
    }
    for req in specs.iter_mut() {
        if let Some(found) = c
            .dependencies
            .iter()
            .find(|ch| ch.name == req.name && is_compatible_range(&req.version, &ch.version))
        {
            let mut out = found.clone();
            if let Some(alias) = req.alias.as_ref().filter(|a| !a.is_empty()) {
                out.name = alias.clone();
            }
            chart_deps.push(out);
        }
        if let Some(alias) = req.alias.as_ref().filter(|a| !a.is_empty()) {
            req.name = alias.clone();
        }
    }
    c.dependencies = chart_deps;
    let mut enabled = vec![true; specs.len()];
    c.dependency_specs = Some(specs.clone());
    let cvals = coalesce_values_warn(c, v.clone(), false, w)?;

    // tags
    if let Some(Value::Object(vt)) = cvals.get("tags") {
        for (i, r) in specs.iter().enumerate() {
            let (mut has_true, mut has_false) = (false, false);
            for k in &r.tags {
                match vt.get(k) {
                    Some(Value::Bool(true)) => has_true = true,
                    Some(Value::Bool(false)) => has_false = true,
                    Some(_) => w.push(format!("returned non-bool value tag={k} chart={}", r.name)),
                    None => {}
                }
            }
            enabled[i] = has_true || !has_false;
        }
    }
    // conditions
    for (i, r) in specs.iter().enumerate() {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            match path_value(&cvals, &format!("{path}{cond}")) {
                Some(Value::Bool(b)) => {
                    enabled[i] = *b;
                    break;
                }
                Some(_) => w.push(format!("returned non-bool value path={cond} chart={}", r.name)),
                None => {}
            }
        }
    }
    let removed: Vec<String> = specs
        .iter()
        .zip(&enabled)
        .filter(|(_, e)| !**e)
        .map(|(r, _)| r.name.clone())
        .collect();
    let mut cd: Vec<ChartValues<T>> = std::mem::take(&mut c.dependencies)
        .into_iter()
        .filter(|d| !removed.contains(&d.name))
        .collect();
    let cd_meta: Vec<Dependency> = specs.into_iter().filter(|r| !removed.contains(&r.name)).collect();
    for t in cd.iter_mut() {
        let subpath = format!("{path}{}.", t.name);
        process_enabled(t, &cvals, &subpath, w)?;
    }
    c.dependency_specs = Some(cd_meta);
    c.dependencies = cd;
    Ok(())
}

fn path_to_map(path: &str, data: Map<String, Value>) -> Map<String, Value> {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let mut m = Map::new();
        m.insert(part.to_string(), Value::Object(cur));
        cur = m;
    }
    cur
}

fn process_import_values_rec<T>(c: &mut ChartValues<T>, w: &mut Warnings) -> Result<(), String> {
    for d in c.dependencies.iter_mut() {
        process_import_values_rec(d, w)?;
    }
    process_import_values(c, w)
}

fn process_import_values<T>(c: &mut ChartValues<T>, w: &mut Warnings) -> Result<(), String> {
    let Some(specs) = c.dependency_specs.as_ref() else {
        return Ok(());
    };
    let cvals = coalesce_values_warn(c, Map::new(), true, w)?;
    let mut b = Map::new();
    for r in specs {
        for iv in &r.import_values {
            let (child, parent) = match iv {
                ImportValue::Map { child, parent } => (child.clone(), parent.as_str()),
                ImportValue::Export(name) => (format!("exports.{name}"), "."),
            };
            match table(&cvals, &format!("{}.{child}", r.name)) {
                Some(t) => {
                    let src = path_to_map(parent, t.clone());
                    merge_tables_into(&mut b, src);
                }
                None => w.push(format!(
                    "ImportValues missing table from chart {}: {}.{child}",
                    r.name, r.name
                )),
            }
        }
    }
    let mut vals = cvals;
    merge_tables_into(&mut vals, b);
    c.values = vals;
    Ok(())
}

/// The whole `helm template` values pipeline for a chart tree:
/// [`process_dependencies`] then [`coalesce_values`] with the user's values.
/// Returns the root `.Values`; a subchart's `.Values` is the map under its
/// (aliased) name in its parent's values.
pub fn render_values<T: Clone>(
    chart: &mut ChartValues<T>,
    user: Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    process_dependencies(chart, &user)?;
    let mut w = Vec::new();
    coalesce_values_warn(chart, user, false, &mut w)
}

fn go_sprint(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "<nil>".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => go_v(other),
    }
}

impl ChartValues<Vec<usize>> {
    /// Build the values view of a loaded chart tree. Each node's `payload`
    /// is its index path from the root through `Chart::dependencies`
    /// (`[]` = root, `[1, 0]` = first subchart of the second subchart), so
    /// the caller can find the loaded chart again after
    /// [`process_dependencies`] dropped or aliased subcharts.
    pub fn from_chart(chart: &crate::chart::load::Chart) -> Result<Self, String> {
        Self::from_chart_at(chart, Vec::new())
    }

    fn from_chart_at(chart: &crate::chart::load::Chart, path: Vec<usize>) -> Result<Self, String> {
        let values = chart.values.clone();
        let specs: Vec<Dependency> = chart
            .metadata
            .dependencies
            .iter()
            .flatten()
            .map(|d| Dependency {
                name: d.name.clone(),
                version: d.version.clone(),
                alias: (!d.alias.is_empty()).then(|| d.alias.clone()),
                condition: d.condition.clone(),
                tags: d.tags.clone(),
                import_values: d
                    .import_values
                    .iter()
                    .filter_map(|iv| match iv {
                        Value::Object(m) => Some(ImportValue::Map {
                            child: go_sprint(m.get("child")),
                            parent: go_sprint(m.get("parent")),
                        }),
                        Value::String(s) => Some(ImportValue::Export(s.clone())),
                        _ => None,
                    })
                    .collect(),
            })
            .collect();
        let mut deps = Vec::new();
        for (i, sub) in chart.dependencies.iter().enumerate() {
            let mut p = path.clone();
            p.push(i);
            deps.push(Self::from_chart_at(sub, p)?);
        }
        Ok(ChartValues {
            name: chart.metadata.name.clone(),
            version: chart.metadata.version.clone(),
            values,
            dependency_specs: (!specs.is_empty()).then_some(specs),
            dependencies: deps,
            schema: chart.schema.clone(),
            payload: path,
        })
    }
}
