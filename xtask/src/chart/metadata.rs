//! `Chart.yaml` → [`Metadata`] with Go struct semantics.
//!
//! Helm reads `Chart.yaml` with `sigs.k8s.io/yaml.Unmarshal` into
//! `chart.Metadata`: YAML is resolved by go-yaml v2, numbers and bools that
//! land in string fields become strings (`1.10` → `"1.1"`, ints in decimal,
//! floats with `FormatFloat(f, 'g', -1, 32)`), JSON field names match
//! case-insensitively, unknown fields are ignored, and wrong shapes are
//! `json: cannot unmarshal …` errors. `Metadata.Validate` then sanitizes
//! strings (white space → space, non-printable dropped) and checks
//! name/version/type/maintainers/dependencies.

use crate::chart::yaml::json_kind;
use serde_json::{Map, Value};

use crate::chart::chartyaml::{self, number_to_go_string};

/// A maintainer entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// A dependency entry (Chart.yaml `dependencies`, requirements.yaml, Chart.lock).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    pub import_values: Vec<Value>,
    pub alias: String,
}

/// `chart.Metadata` (Helm v4, `pkg/chart/v2/metadata.go`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    /// `None` entries are YAML nulls (a validation error, as in Helm).
    pub maintainers: Vec<Option<Maintainer>>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    /// Kept as an ordered list of pairs; serialisation sorts keys anyway.
    pub annotations: Vec<(String, String)>,
    pub kube_version: String,
    pub dependencies: Vec<Option<Dependency>>,
    pub chart_type: String,
}

/// `chart.Lock` (Chart.lock / requirements.lock).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lock {
    /// RFC 3339 time as written (normalised like Go's `time.Time` JSON).
    pub generated: String,
    pub digest: String,
    pub dependencies: Vec<Option<Dependency>>,
}

pub const API_VERSION_V1: &str = "v1";
pub const API_VERSION_V2: &str = "v2";

/// Errors from reading a Chart.yaml-like file, worded like Helm's
/// (`error converting YAML to JSON: yaml: line N: …`,
/// `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

struct Ctx {
    first_error: Option<String>,
}

impl Ctx {
    fn mismatch(&mut self, v: &Value, field: &str, go_type: &str) {
        if self.first_error.is_none() {
            self.first_error = Some(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {field} of type {go_type}",
                json_kind(v)
            ));
        }
    }

    fn string(&mut self, v: &Value, field: &str) -> String {
        match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => number_to_go_string(n),
            other => {
                self.mismatch(other, field, "string");
                String::new()
            }
        }
    }

    fn bool(&mut self, v: &Value, field: &str) -> bool {
        match v {
            Value::Null => false,
            Value::Bool(b) => *b,
            other => {
                self.mismatch(other, field, "bool");
                false
            }
        }
    }

    fn strings(&mut self, v: &Value, field: &str) -> Vec<String> {
        match v {
            Value::Null => Vec::new(),
            Value::Array(items) => items.iter().map(|i| self.string(i, field)).collect(),
            other => {
                self.mismatch(other, field, "[]string");
                Vec::new()
            }
        }
    }
}

/// encoding/json field lookup: exact name first, then ASCII case-insensitive
/// (the last matching key wins, as each one overwrites the field).
fn field<'a>(m: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    let mut found = None;
    for (k, v) in m {
        if k == name || k.eq_ignore_ascii_case(name) {
            found = Some(v);
        }
    }
    found
}

fn get<'a>(m: &'a Map<String, Value>, name: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    field(m, name).unwrap_or(&NULL)
}

fn decode_maintainer(v: &Value, ctx: &mut Ctx) -> Option<Maintainer> {
    match v {
        Value::Null => None,
        Value::Object(m) => Some(Maintainer {
            name: ctx.string(get(m, "name"), "Metadata.maintainers.name"),
            email: ctx.string(get(m, "email"), "Metadata.maintainers.email"),
            url: ctx.string(get(m, "url"), "Metadata.maintainers.url"),
        }),
        other => {
            ctx.mismatch(other, "Metadata.maintainers", "v2.Maintainer");
            None
        }
    }
}

fn decode_dependency(v: &Value, ctx: &mut Ctx, owner: &str) -> Option<Dependency> {
    let f = |n: &str| format!("{owner}.dependencies.{n}");
    match v {
        Value::Null => None,
        Value::Object(m) => Some(Dependency {
            name: ctx.string(get(m, "name"), &f("name")),
            version: ctx.string(get(m, "version"), &f("version")),
            repository: ctx.string(get(m, "repository"), &f("repository")),
            condition: ctx.string(get(m, "condition"), &f("condition")),
            tags: ctx.strings(get(m, "tags"), &f("tags")),
            enabled: ctx.bool(get(m, "enabled"), &f("enabled")),
            import_values: match get(m, "import-values") {
                Value::Null => Vec::new(),
                Value::Array(items) => items.iter().map(json_normalise).collect(),
                other => {
                    ctx.mismatch(other, &f("import-values"), "[]interface {}");
                    Vec::new()
                }
            },
            alias: ctx.string(get(m, "alias"), &f("alias")),
        }),
        other => {
            ctx.mismatch(other, &format!("{owner}.dependencies"), "v2.Dependency");
            None
        }
    }
}

/// What `encoding/json` gives for an `interface{}`: every number a float64.
fn json_normalise(v: &Value) -> Value {
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Value::Array(a) => Value::Array(a.iter().map(json_normalise).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), json_normalise(v))).collect()),
        other => other.clone(),
    }
}

fn dependencies(v: &Value, ctx: &mut Ctx, owner: &str) -> Vec<Option<Dependency>> {
    match v {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().map(|i| decode_dependency(i, ctx, owner)).collect(),
        other => {
            ctx.mismatch(other, &format!("{owner}.dependencies"), "[]*v2.Dependency");
            Vec::new()
        }
    }
}

fn parse_yaml(data: &[u8]) -> Result<Value, DecodeError> {
    let text = String::from_utf8_lossy(data);
    chartyaml::parse_first(&text).map_err(|e| DecodeError(format!("error converting YAML to JSON: {e}")))
}

fn top_map<'a>(v: &'a Value, go_type: &str) -> Result<Option<&'a Map<String, Value>>, DecodeError> {
    match v {
        Value::Null => Ok(None),
        Value::Object(m) => Ok(Some(m)),
        other => Err(DecodeError(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type {go_type}",
            json_kind(other)
        ))),
    }
}

impl Metadata {
    /// Decodes Chart.yaml bytes (no validation).
    pub fn from_yaml(data: &[u8]) -> Result<Metadata, DecodeError> {
        let mut md = Metadata::default();
        md.merge_yaml(data)?;
        Ok(md)
    }

    /// Unmarshals more YAML into this struct, as Go does for
    /// `requirements.yaml` (fields present overwrite, others stay).
    pub fn merge_yaml(&mut self, data: &[u8]) -> Result<(), DecodeError> {
        let v = parse_yaml(data)?;
        let Some(m) = top_map(&v, "v2.Metadata")? else {
            return Ok(());
        };
        let mut ctx = Ctx { first_error: None };
        macro_rules! s {
            ($name:literal, $field:ident) => {
                if let Some(x) = field(m, $name) {
                    self.$field = ctx.string(x, concat!("Metadata.", $name));
                }
            };
        }
        s!("name", name);
        s!("home", home);
        s!("version", version);
        s!("description", description);
        s!("icon", icon);
        s!("apiVersion", api_version);
        s!("condition", condition);
        s!("tags", tags);
        s!("appVersion", app_version);
        s!("kubeVersion", kube_version);
        s!("type", chart_type);
        if let Some(x) = field(m, "sources") {
            self.sources = ctx.strings(x, "Metadata.sources");
        }
        if let Some(x) = field(m, "keywords") {
            self.keywords = ctx.strings(x, "Metadata.keywords");
        }
        if let Some(x) = field(m, "deprecated") {
            self.deprecated = ctx.bool(x, "Metadata.deprecated");
        }
        if let Some(x) = field(m, "maintainers") {
            self.maintainers = match x {
                Value::Null => Vec::new(),
                Value::Array(items) => items.iter().map(|i| decode_maintainer(i, &mut ctx)).collect(),
                other => {
                    ctx.mismatch(other, "Metadata.maintainers", "[]*v2.Maintainer");
                    Vec::new()
                }
            };
        }
        if let Some(x) = field(m, "annotations") {
            self.annotations = match x {
                Value::Null => Vec::new(),
                Value::Object(o) => o
                    .iter()
                    .map(|(k, v)| (k.clone(), ctx.string(v, "Metadata.annotations")))
                    .collect(),
                other => {
                    ctx.mismatch(other, "Metadata.annotations", "map[string]string");
                    Vec::new()
                }
            };
        }
        if let Some(x) = field(m, "dependencies") {
            self.dependencies = dependencies(x, &mut ctx, "Metadata");
        }
        match ctx.first_error {
            Some(e) => Err(DecodeError(e)),
            None => Ok(()),
        }
    }

    /// Helm's `Metadata.Validate`: sanitizes strings in place and checks the
    /// fields. Errors read `validation: chart.metadata.… `.
    pub fn validate(&mut self) -> Result<(), String> {
        let v = |m: &str| format!("validation: {m}");
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize_string(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize_string(s);
        }
        if self.api_version.is_empty() {
            return Err(v("chart.metadata.apiVersion is required"));
        }
        if self.name.is_empty() {
            return Err(v("chart.metadata.name is required"));
        }
        if self.name != go_base(&self.name) {
            return Err(v(&format!("chart.metadata.name {:?} is invalid", self.name)));
        }
        if self.version.is_empty() {
            return Err(v("chart.metadata.version is required"));
        }
        if !is_valid_semver(&self.version) {
            return Err(v(&format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            )));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err(v("chart.metadata.type must be application or library"));
        }
        for m in &mut self.maintainers {
            match m {
                None => return Err(v("maintainers must not contain empty or null nodes")),
                Some(m) => {
                    m.name = sanitize_string(&m.name);
                    m.email = sanitize_string(&m.email);
                    m.url = sanitize_string(&m.url);
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for d in &mut self.dependencies {
            let Some(d) = d else {
                return Err(v("dependencies must not contain empty or null nodes"));
            };
            d.validate()?;
            let key = if d.alias.is_empty() {
                d.name.clone()
            } else {
                d.alias.clone()
            };
            if !seen.insert(key.clone()) {
                return Err(v(&format!("more than one dependency with name or alias {key:?}")));
            }
        }
        Ok(())
    }

    /// `json.Marshal(Metadata)` as a JSON value (omitempty fields dropped).
    /// `with_dependencies = false` is how `helm package` writes v1 charts.
    pub fn to_json(&self, with_dependencies: bool) -> Value {
        let mut m = Map::new();
        let mut put_s = |k: &str, s: &str| {
            if !s.is_empty() {
                m.insert(k.into(), Value::String(s.into()));
            }
        };
        put_s("name", &self.name);
        put_s("home", &self.home);
        put_s("version", &self.version);
        put_s("description", &self.description);
        put_s("icon", &self.icon);
        put_s("apiVersion", &self.api_version);
        put_s("condition", &self.condition);
        put_s("tags", &self.tags);
        put_s("appVersion", &self.app_version);
        put_s("kubeVersion", &self.kube_version);
        put_s("type", &self.chart_type);
        let strs = |v: &[String]| Value::Array(v.iter().map(|s| Value::String(s.clone())).collect());
        if !self.sources.is_empty() {
            m.insert("sources".into(), strs(&self.sources));
        }
        if !self.keywords.is_empty() {
            m.insert("keywords".into(), strs(&self.keywords));
        }
        if !self.maintainers.is_empty() {
            let list = self
                .maintainers
                .iter()
                .map(|x| match x {
                    None => Value::Null,
                    Some(x) => {
                        let mut o = Map::new();
                        for (k, s) in [("name", &x.name), ("email", &x.email), ("url", &x.url)] {
                            if !s.is_empty() {
                                o.insert(k.into(), Value::String(s.clone()));
                            }
                        }
                        Value::Object(o)
                    }
                })
                .collect();
            m.insert("maintainers".into(), Value::Array(list));
        }
        if self.deprecated {
            m.insert("deprecated".into(), Value::Bool(true));
        }
        if !self.annotations.is_empty() {
            let o: Map<String, Value> = self
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            m.insert("annotations".into(), Value::Object(o));
        }
        if with_dependencies && !self.dependencies.is_empty() {
            m.insert("dependencies".into(), deps_json(&self.dependencies));
        }
        Value::Object(m)
    }

    /// Whether this is a library chart.
    pub fn is_library(&self) -> bool {
        self.chart_type == "library"
    }
}

fn deps_json(deps: &[Option<Dependency>]) -> Value {
    Value::Array(
        deps.iter()
            .map(|d| d.as_ref().map(Dependency::to_json).unwrap_or(Value::Null))
            .collect(),
    )
}

impl Dependency {
    fn validate(&mut self) -> Result<(), String> {
        self.name = sanitize_string(&self.name);
        self.version = sanitize_string(&self.version);
        self.repository = sanitize_string(&self.repository);
        self.condition = sanitize_string(&self.condition);
        for t in &mut self.tags {
            *t = sanitize_string(t);
        }
        if !self.alias.is_empty()
            && !self
                .alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "validation: dependency {:?} has disallowed characters in the alias",
                self.name
            ));
        }
        Ok(())
    }

    /// `json.Marshal(Dependency)`: `name` and `repository` always present.
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("name".into(), Value::String(self.name.clone()));
        if !self.version.is_empty() {
            o.insert("version".into(), Value::String(self.version.clone()));
        }
        o.insert("repository".into(), Value::String(self.repository.clone()));
        if !self.condition.is_empty() {
            o.insert("condition".into(), Value::String(self.condition.clone()));
        }
        if !self.tags.is_empty() {
            o.insert(
                "tags".into(),
                Value::Array(self.tags.iter().map(|t| Value::String(t.clone())).collect()),
            );
        }
        if self.enabled {
            o.insert("enabled".into(), Value::Bool(true));
        }
        if !self.import_values.is_empty() {
            o.insert("import-values".into(), Value::Array(self.import_values.clone()));
        }
        if !self.alias.is_empty() {
            o.insert("alias".into(), Value::String(self.alias.clone()));
        }
        Value::Object(o)
    }

    /// The name the dependency is known by in the parent (alias or name).
    pub fn effective_name(&self) -> &str {
        if self.alias.is_empty() {
            &self.name
        } else {
            &self.alias
        }
    }
}

impl Lock {
    /// Decodes Chart.lock / requirements.lock bytes.
    pub fn from_yaml(data: &[u8]) -> Result<Lock, DecodeError> {
        let v = parse_yaml(data)?;
        let Some(m) = top_map(&v, "v2.Lock")? else {
            return Ok(Lock::default());
        };
        let mut ctx = Ctx { first_error: None };
        let generated = match get(m, "generated") {
            Value::Null => String::new(),
            Value::String(s) => normalise_rfc3339(s).ok_or_else(|| {
                DecodeError(format!(
                    "error unmarshaling JSON: while decoding JSON: parsing time \"\\\"{s}\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse"
                ))
            })?,
            other => {
                ctx.mismatch(other, "Lock.generated", "time.Time");
                String::new()
            }
        };
        let lock = Lock {
            generated,
            digest: ctx.string(get(m, "digest"), "Lock.digest"),
            dependencies: dependencies(get(m, "dependencies"), &mut ctx, "Lock"),
        };
        match ctx.first_error {
            Some(e) => Err(DecodeError(e)),
            None => Ok(lock),
        }
    }

    /// `json.Marshal(Lock)` as a JSON value.
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert(
            "generated".into(),
            Value::String(if self.generated.is_empty() {
                "0001-01-01T00:00:00Z".into()
            } else {
                self.generated.clone()
            }),
        );
        o.insert("digest".into(), Value::String(self.digest.clone()));
        o.insert(
            "dependencies".into(),
            if self.dependencies.is_empty() {
                Value::Null
            } else {
                deps_json(&self.dependencies)
            },
        );
        Value::Object(o)
    }
}

/// Parses an RFC 3339 time the way Go's `time.Time.UnmarshalJSON` does and
/// re-formats it like `MarshalJSON` (RFC3339Nano: trailing fractional zeros
/// dropped, `Z` for a zero offset).
pub fn normalise_rfc3339(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b'T' || b[10] == b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19))
    {
        return None;
    }
    let mut i = 19;
    let mut frac = String::new();
    if b.get(i) == Some(&b'.') {
        i += 1;
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == st || i - st > 9 {
            return None;
        }
        frac = s[st..i].trim_end_matches('0').to_string();
    }
    let zone = &s[i..];
    let zone = match zone {
        "Z" | "z" => "Z".to_string(),
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && z.as_bytes()[3] == b':' => {
            if &z[1..] == "00:00" {
                "Z".to_string()
            } else {
                z.to_string()
            }
        }
        _ => return None,
    };
    let mut out = format!("{}T{}", &s[..10], &s[11..19]);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(&frac);
    }
    out.push_str(&zone);
    Some(out)
}

/// Go's `filepath.Base`.
fn go_base(p: &str) -> &str {
    if p.is_empty() {
        return ".";
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/";
    }
    match t.rfind('/') {
        Some(i) => &t[i + 1..],
        None => t,
    }
}

/// Helm's `sanitizeString`: white space → ' ', non-printable runes dropped.
pub fn sanitize_string(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if is_go_printable(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

/// Approximates Go's `unicode.IsPrint` for non-space runes: control,
/// format (Cf), private-use, surrogate and non-character code points are
/// not printable.
fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    if c.is_control() {
        return false;
    }
    let format = matches!(u,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F);
    let private = matches!(u, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let nonchar = (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE;
    !(format || private || nonchar)
}

// ------------------------------------------------------------ SemVer

/// A parsed Masterminds/semver v3 version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemVer {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
}

fn valid_ident_list(s: &str, numeric_no_leading_zero: bool) -> bool {
    !s.is_empty()
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !(numeric_no_leading_zero
                    && p.len() > 1
                    && p.starts_with('0')
                    && p.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// `semver.NewVersion` (lenient: optional `v`, missing minor/patch).
pub fn parse_semver(v: &str) -> Option<SemVer> {
    parse_semver_impl(v, false)
}

/// `semver.StrictNewVersion` (exactly `MAJOR.MINOR.PATCH[-pre][+meta]`).
pub fn parse_semver_strict(v: &str) -> Option<SemVer> {
    parse_semver_impl(v, true)
}

fn parse_semver_impl(v: &str, strict: bool) -> Option<SemVer> {
    let mut s = v;
    if !strict {
        s = s.strip_prefix('v').unwrap_or(s);
    }
    let (s, metadata) = match s.find('+') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let (core, pre) = match s.find('-') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    if v.contains('+') && !valid_ident_list(metadata, false) {
        return None;
    }
    if s.contains('-') && !valid_ident_list(pre, true) {
        return None;
    }
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || (strict && parts.len() != 3) {
        return None;
    }
    let mut nums = [0u64; 3];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if p.len() > 1 && p.starts_with('0') && strict {
            return None;
        }
        nums[i] = p.parse().ok()?;
    }
    Some(SemVer {
        major: nums[0],
        minor: nums[1],
        patch: nums[2],
        pre: pre.to_string(),
        metadata: metadata.to_string(),
    })
}

/// Helm's `isValidSemver` (lenient parse succeeds).
pub fn is_valid_semver(v: &str) -> bool {
    parse_semver(v).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_with_go_semantics() {
        let md = Metadata::from_yaml(
            b"apiVersion: v2\nname: demo\nversion: 1.0\nappVersion: 1.10\nkeywords: [a, 1, true]\nDescription: Hi\n\
deprecated: true\nannotations:\n  a: 1\nmaintainers:\n- name: me\n  email: me@x\ndependencies:\n- name: sub\n  version: ~1\n  repository: ''\n  import-values: [x, {child: a, parent: b}]\n  alias: s\n",
        )
        .unwrap();
        assert_eq!(md.version, "1");
        assert_eq!(md.app_version, "1.1");
        assert_eq!(md.keywords, vec!["a", "1", "true"]);
        assert_eq!(md.description, "Hi");
        assert!(md.deprecated);
        assert_eq!(md.annotations, vec![("a".to_string(), "1".to_string())]);
        assert_eq!(md.maintainers[0].as_ref().unwrap().email, "me@x");
        let d = md.dependencies[0].as_ref().unwrap();
        assert_eq!(d.version, "~1");
        assert_eq!(d.effective_name(), "s");
        assert_eq!(d.import_values.len(), 2);
    }

    #[test]
    fn decode_errors_read_like_go() {
        let e = Metadata::from_yaml(b"name: [a]\n").unwrap_err();
        assert_eq!(e.0, "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field Metadata.name of type string");
        let e = Metadata::from_yaml(b"- a\n").unwrap_err();
        assert!(e
            .0
            .contains("cannot unmarshal array into Go value of type v2.Metadata"));
        let e = Metadata::from_yaml(b"name: a\n  b: c: d\n").unwrap_err();
        assert!(
            e.0.starts_with("error converting YAML to JSON: yaml: line "),
            "{e}"
        );
    }

    #[test]
    fn validates_like_helm() {
        let mut md =
            Metadata::from_yaml(b"apiVersion: v2\nname: demo\nversion: 1.2\ndescription: \"a\\nb\\u200b\"\n")
                .unwrap();
        md.validate().unwrap();
        assert_eq!(md.description, "a b");
        let mut md = Metadata::from_yaml(b"apiVersion: v2\nname: demo\n").unwrap();
        assert_eq!(
            md.validate().unwrap_err(),
            "validation: chart.metadata.version is required"
        );
        let mut md = Metadata::from_yaml(b"apiVersion: v2\nname: demo\nversion: one\n").unwrap();
        assert_eq!(
            md.validate().unwrap_err(),
            "validation: chart.metadata.version \"one\" is invalid"
        );
        let mut md = Metadata::from_yaml(b"apiVersion: v2\nname: a/b\nversion: 1.0.0\n").unwrap();
        assert!(md.validate().unwrap_err().contains("name \"a/b\" is invalid"));
        let mut md = Metadata::from_yaml(b"apiVersion: v2\nname: a\nversion: 1.0.0\ntype: app\n").unwrap();
        assert!(md.validate().unwrap_err().contains("type must be"));
        let mut md = Metadata::from_yaml(
            b"apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies:\n- name: x\n- name: y\n  alias: x\n",
        )
        .unwrap();
        assert!(md
            .validate()
            .unwrap_err()
            .contains("more than one dependency with name or alias \"x\""));
    }

    #[test]
    fn semver_lenient_and_strict() {
        for v in ["1", "1.2", "v1.2.3", "1.2.3-rc.1+b.5", "0.1.0"] {
            assert!(parse_semver(v).is_some(), "{v}");
        }
        for v in ["", "one", "1.2.3.4", "1.02.3-01", "1.2.3-", "1..2"] {
            assert!(parse_semver(v).is_none(), "{v}");
        }
        assert!(parse_semver_strict("1.2").is_none());
        assert!(parse_semver_strict("v1.2.3").is_none());
        assert!(parse_semver_strict("1.2.3-alpha").is_some());
    }

    #[test]
    fn lock_time_normalised() {
        assert_eq!(
            normalise_rfc3339("2024-05-01T10:20:30.120000+00:00").unwrap(),
            "2024-05-01T10:20:30.12Z"
        );
        let l = Lock::from_yaml(b"generated: \"2024-05-01T10:20:30Z\"\ndigest: sha256:x\ndependencies:\n- name: a\n  repository: r\n  version: 1.0.0\n").unwrap();
        assert_eq!(l.generated, "2024-05-01T10:20:30Z");
        assert_eq!(l.dependencies.len(), 1);
    }
}
