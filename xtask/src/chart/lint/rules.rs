//! Helm v4.3.1's lint rules (`pkg/chart/v2/lint/rules`): Chart.yaml, values,
//! templates, dependencies, CRDs — same order, severities and message text.

use crate::chart::yaml::json_kind;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::{Map, Value};

use super::{extra, Message, Options, Severity};
use crate::chart::load::{self, Chart};
use crate::chart::metadata::{parse_semver, parse_semver_strict, Metadata};

/// Rendered files (`<chart>/templates/x.yaml` → text) or Helm's error text.
pub type RenderResult = Result<BTreeMap<String, String>, String>;

/// Renders a chart in lint mode.
pub type RenderFn = fn(&Chart, &Map<String, Value>, &Options) -> RenderResult;
/// Validates values against a `values.schema.json` (Helm's error text).
pub type SchemaFn = fn(&Map<String, Value>, &[u8]) -> Result<(), String>;

/// The engines the template and values rules need: the renderer (lint mode)
/// and values-schema validation.
pub struct Engines {
    pub render: RenderFn,
    pub validate_schema: SchemaFn,
}

struct Linter {
    messages: Vec<Message>,
}

impl Linter {
    /// Helm's `RunLinterRule`: records the error (if any) and returns
    /// whether the rule passed.
    fn rule(&mut self, sev: Severity, path: &str, result: Result<(), String>) -> bool {
        match result {
            Ok(()) => true,
            Err(e) => {
                self.messages.push(Message::new(sev, path, e));
                false
            }
        }
    }
}

/// Runs every rule on a chart directory (Helm's `lint.RunAll`), then the
/// extra rules on the rendered manifests.
pub fn run_all(dir: &Path, opts: &Options, engines: &Engines) -> Vec<Message> {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut l = Linter { messages: Vec::new() };
    chartfile(&mut l, &abs);
    values(&mut l, &abs, opts, engines);
    let rendered = templates(&mut l, &abs, opts, engines);
    dependencies(&mut l, &abs);
    crds(&mut l, &abs);
    if opts.extra.enabled {
        if let Some((chart, files)) = rendered {
            l.messages.extend(extra::run(&chart, &files, opts));
        }
    }
    l.messages
}

// ------------------------------------------------------------ Chart.yaml

fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn chartfile(l: &mut Linter, dir: &Path) {
    let name = "Chart.yaml";
    let path = dir.join(name);
    let is_dir = path.is_dir();
    l.rule(
        Severity::Error,
        name,
        if is_dir {
            Err("should be a file, not a directory".into())
        } else {
            Ok(())
        },
    );
    let data = std::fs::read(&path);
    let parsed = match &data {
        Ok(d) => Metadata::from_yaml(d).map_err(|e| e.0),
        Err(e) => Err(format!(
            "read {}: {}",
            path.display(),
            if is_dir {
                "is a directory".to_string()
            } else {
                e.to_string()
            }
        )),
    };
    let md = match parsed {
        Ok(md) => md,
        Err(e) => {
            l.rule(Severity::Error, name, Err(format!("unable to parse YAML\n\t{e}")));
            return;
        }
    };
    let data = data.unwrap_or_default();
    l.rule(
        Severity::Warning,
        name,
        strict_check(&data).map_err(|e| format!("failed to strictly parse chart metadata file\n\t{e}")),
    );
    let raw = crate::chart::yaml::unmarshal(&String::from_utf8_lossy(&data)).unwrap_or(Value::Null);
    let type_check = |key: &str| -> Result<(), String> {
        match raw.get(key) {
            None => Ok(()),
            Some(Value::String(_)) => Ok(()),
            Some(v) => Err(format!(
                "{key} should be of type string but it's of type {}",
                go_type_name(v)
            )),
        }
    };
    l.rule(Severity::Error, name, validate_name(&md));
    l.rule(Severity::Error, name, validate_api_version(&md));
    l.rule(Severity::Error, name, type_check("version"));
    l.rule(Severity::Error, name, validate_version(&md));
    l.rule(Severity::Error, name, type_check("appVersion"));
    l.rule(Severity::Error, name, validate_maintainers(&md));
    l.rule(Severity::Error, name, validate_sources(&md));
    l.rule(
        Severity::Info,
        name,
        if md.icon.is_empty() {
            Err("icon is recommended".into())
        } else {
            Ok(())
        },
    );
    l.rule(
        Severity::Error,
        name,
        if !md.icon.is_empty() && !is_request_url(&md.icon) {
            Err(format!("invalid icon URL '{}'", md.icon))
        } else {
            Ok(())
        },
    );
    l.rule(
        Severity::Error,
        name,
        if !md.chart_type.is_empty() && md.api_version != "v2" {
            Err(format!(
                "chart type is not valid in apiVersion '{}'. It is valid in apiVersion 'v2'",
                md.api_version
            ))
        } else {
            Ok(())
        },
    );
    l.rule(
        Severity::Error,
        name,
        if !md.dependencies.is_empty() && md.api_version != "v2" {
            Err(format!(
                "dependencies are not valid in the Chart file with apiVersion '{}'. They are valid in apiVersion 'v2'",
                md.api_version
            ))
        } else {
            Ok(())
        },
    );
    l.rule(
        Severity::Warning,
        name,
        if parse_semver_strict(&md.version).is_none() {
            Err(format!("version '{}' is not a valid SemVerV2", md.version))
        } else {
            Ok(())
        },
    );
}

const METADATA_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];
const MAINTAINER_FIELDS: &[&str] = &["name", "email", "url"];
const DEPENDENCY_FIELDS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

/// `sigs.k8s.io/yaml.UnmarshalStrict` into `Metadata`: duplicate keys and
/// unknown fields are errors.
fn strict_check(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    if let Some((line, key)) = crate::chart::chartyaml::first_duplicate_key(&text) {
        return Err(format!(
            "error converting YAML to JSON: yaml: unmarshal errors:\n  line {line}: key {key:?} already set in map"
        ));
    }
    let v = crate::chart::chartyaml::parse_first(&text).map_err(|e| e.to_string())?;
    let unknown = |m: &Map<String, Value>, known: &[&str]| -> Option<String> {
        m.keys()
            .find(|k| !known.iter().any(|f| f.eq_ignore_ascii_case(k)))
            .cloned()
    };
    let err = |k: String| {
        Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: unknown field {k:?}"
        ))
    };
    if let Value::Object(m) = &v {
        if let Some(k) = unknown(m, METADATA_FIELDS) {
            return err(k);
        }
        for (list, known) in [
            ("maintainers", MAINTAINER_FIELDS),
            ("dependencies", DEPENDENCY_FIELDS),
        ] {
            if let Some(Value::Array(items)) = m.get(list) {
                for item in items {
                    if let Value::Object(o) = item {
                        if let Some(k) = unknown(o, known) {
                            return err(k);
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn validate_name(md: &Metadata) -> Result<(), String> {
    if md.name.is_empty() {
        return Err("name is required".into());
    }
    let base = md.name.rsplit('/').next().unwrap_or("");
    if base != md.name || md.name == "." || md.name == ".." {
        return Err(format!("chart name {:?} is invalid", md.name));
    }
    Ok(())
}

fn validate_api_version(md: &Metadata) -> Result<(), String> {
    if md.api_version.is_empty() {
        return Err("apiVersion is required. The value must be either \"v1\" or \"v2\"".into());
    }
    if md.api_version != "v1" && md.api_version != "v2" {
        return Err(format!(
            "apiVersion '{}' is not valid. The value must be either \"v1\" or \"v2\"",
            md.api_version
        ));
    }
    Ok(())
}

fn validate_version(md: &Metadata) -> Result<(), String> {
    if md.version.is_empty() {
        return Err("version is required".into());
    }
    let Some(v) = parse_semver(&md.version) else {
        return Err(format!("version '{}' is not a valid SemVer", md.version));
    };
    // Constraint `>0.0.0-0`: only 0.0.0 (and its pre-releases below -0) fail.
    if v.major == 0 && v.minor == 0 && v.patch == 0 && (v.pre.is_empty() || v.pre == "0") {
        let shown = render_semver(&v);
        return Err(format!("version {shown} is less than or equal to 0.0.0-0"));
    }
    Ok(())
}

fn render_semver(v: &crate::chart::metadata::SemVer) -> String {
    let mut s = format!("{}.{}.{}", v.major, v.minor, v.patch);
    if !v.pre.is_empty() {
        s.push('-');
        s.push_str(&v.pre);
    }
    if !v.metadata.is_empty() {
        s.push('+');
        s.push_str(&v.metadata);
    }
    s
}

fn validate_maintainers(md: &Metadata) -> Result<(), String> {
    for m in &md.maintainers {
        let Some(m) = m else {
            return Err("a maintainer entry is empty".into());
        };
        if m.name.is_empty() {
            return Err("each maintainer requires a name".into());
        } else if !m.email.is_empty() && !is_email(&m.email) {
            return Err(format!("invalid email '{}' for maintainer '{}'", m.email, m.name));
        } else if !m.url.is_empty() && !is_url(&m.url) {
            return Err(format!("invalid url '{}' for maintainer '{}'", m.url, m.name));
        }
    }
    Ok(())
}

fn validate_sources(md: &Metadata) -> Result<(), String> {
    for s in &md.sources {
        if s.is_empty() || !is_request_url(s) {
            return Err(format!("invalid source URL '{s}'"));
        }
    }
    Ok(())
}

/// govalidator `IsRequestURL`: Go's `url.ParseRequestURI` succeeds and the
/// URL has a scheme.
pub fn is_request_url(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    let mut chars = scheme.chars();
    let valid_scheme = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid_scheme && !s.contains(' ') && !s.chars().any(|c| c.is_control())
}

/// govalidator `IsEmail` (approximation of its RFC 5322 regex: a local part
/// and a domain with at least one dot).
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c) || (c as u32) >= 0xA0);
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || (c as u32) >= 0xA0)
        });
    local_ok && domain_ok
}

/// govalidator `IsURL` (approximation): optional scheme, a host that is
/// `localhost`, an IP or a dotted name, optional port/path; no spaces.
pub fn is_url(s: &str) -> bool {
    if s.is_empty() || s.len() >= 2083 || s.len() <= 3 || s.starts_with('.') || s.contains(' ') {
        return false;
    }
    let rest = match s.find("://") {
        Some(i) => &s[i + 3..],
        None => s,
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = host_port.rsplit_once('@').map(|(_, h)| h).unwrap_or(host_port);
    let host = match host_port.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host_port,
    };
    host == "localhost"
        || host.parse::<std::net::IpAddr>().is_ok()
        || (host.contains('.')
            && host
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')))
}

// ------------------------------------------------------------ values.yaml

fn values(l: &mut Linter, dir: &Path, opts: &Options, engines: &Engines) {
    let name = "values.yaml";
    let path = dir.join(name);
    if !l.rule(
        Severity::Info,
        name,
        if path.exists() {
            Ok(())
        } else {
            Err("file does not exist".into())
        },
    ) {
        return;
    }
    let result = (|| -> Result<(), String> {
        let text = std::fs::read(&path).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&text);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let vals = crate::chart::yaml::parse_values(text)
            .map_err(|e| format!("unable to parse YAML: {}", strip_doc_prefix(&e)))?;
        let mut coalesced = Map::new();
        crate::chart::values::coalesce_tables_into(&mut coalesced, opts.values.clone());
        crate::chart::values::coalesce_tables_into(&mut coalesced, vals);
        let schema = std::fs::read(dir.join("values.schema.json")).unwrap_or_default();
        if schema.is_empty() || opts.skip_schema_validation {
            return Ok(());
        }
        (engines.validate_schema)(&coalesced, &schema)
    })();
    l.rule(Severity::Error, name, result);
}

/// Helm's values rule reports the YAML error without the multi-document
/// wrapper of the loader.
fn strip_doc_prefix(e: &str) -> &str {
    e.strip_prefix("cannot unmarshal yaml document: ").unwrap_or(e)
}

// ------------------------------------------------------------ templates

type Rendered = (Chart, BTreeMap<String, String>);

fn templates(l: &mut Linter, dir: &Path, opts: &Options, engines: &Engines) -> Option<Rendered> {
    let fpath = "templates/";
    let tdir = dir.join("templates");
    if !l.rule(
        Severity::Warning,
        fpath,
        if tdir.exists() {
            Ok(())
        } else {
            Err("directory does not exist".into())
        },
    ) {
        return None;
    }
    if !l.rule(
        Severity::Error,
        fpath,
        if tdir.is_dir() {
            Ok(())
        } else {
            Err("not a directory".into())
        },
    ) {
        return None;
    }
    let chart = match load::load(dir) {
        Ok(c) => c,
        Err(e) => {
            l.rule(Severity::Error, fpath, Err(e.0));
            return None;
        }
    };
    // Helm: ProcessDependencies and CoalesceValues failures end this rule
    // silently; then values-schema validation of the whole chart tree.
    let Ok(mut cv) = crate::chart::values::ChartValues::from_chart(&chart) else {
        return None;
    };
    let Ok(coalesced) = crate::chart::values::render_values(&mut cv, opts.values.clone()) else {
        return None;
    };
    if !opts.skip_schema_validation {
        if let Err(block) = crate::chart::schema::validate(&cv, &coalesced) {
            l.rule(
                Severity::Error,
                fpath,
                Err(crate::chart::schema::schema_error(&block)),
            );
            return None;
        }
    }
    let rendered = match (engines.render)(&chart, &opts.values, opts) {
        Ok(r) => r,
        Err(e) => {
            l.rule(Severity::Error, fpath, Err(e));
            return None;
        }
    };
    let kube = opts
        .kube_version
        .as_deref()
        .and_then(parse_kube_version)
        .unwrap_or(DEFAULT_KUBE);
    for t in &chart.templates {
        let file = &t.name;
        let ext = go_ext(file);
        l.rule(
            Severity::Error,
            file,
            if [".yaml", ".yml", ".tpl", ".txt"].contains(&ext) {
                Ok(())
            } else {
                Err(format!(
                    "file extension '{ext}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"
                ))
            },
        );
        let lower = ext.to_ascii_lowercase();
        if lower != ".yaml" && lower != ".yml" {
            continue;
        }
        let key = format!("{}/{}", chart.name(), file);
        let content = rendered.get(&key).map(String::as_str).unwrap_or("");
        if content.trim().is_empty() {
            continue;
        }
        l.rule(Severity::Warning, file, validate_top_indent(content));
        let docs = match crate::chart::yaml::split_documents(content) {
            Ok(d) => d,
            Err(e) => {
                l.rule(Severity::Error, file, Err(format!("unable to parse YAML: {e}")));
                continue;
            }
        };
        for doc in docs {
            let obj = match decode_k8s_struct(doc) {
                Ok(Some(o)) => o,
                Ok(None) => continue,
                Err(e) => {
                    l.rule(Severity::Error, file, Err(format!("unable to parse YAML: {e}")));
                    break;
                }
            };
            l.rule(Severity::Warning, file, validate_metadata_name(&obj));
            l.rule(Severity::Warning, file, validate_no_deprecations(&obj, kube));
            l.rule(Severity::Error, file, validate_match_selector(&obj, content));
            l.rule(Severity::Error, file, validate_list_annotations(&obj));
        }
    }
    Some((chart, rendered))
}

/// Go's `filepath.Ext`.
fn go_ext(name: &str) -> &str {
    let base_start = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    match name[base_start..].rfind('.') {
        Some(i) => &name[base_start + i..],
        None => "",
    }
}

fn validate_top_indent(content: &str) -> Result<(), String> {
    for line in content.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            return Err(format!(
                "document starts with an illegal indent: {}, which may cause parsing problems",
                go_quote(line)
            ));
        }
        return Ok(());
    }
    Ok(())
}

/// Go's `%q` for a string (strconv.Quote).
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The fields Helm's `k8sYamlStruct` reads.
#[derive(Debug, Default, Clone)]
pub struct K8sObject {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub value: Value,
}

fn scalar_string(v: Option<&Value>) -> Result<String, String> {
    match v {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(crate::chart::yaml::json::number_text(n)),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(other) => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field of type string",
            json_kind(other)
        )),
    }
}

/// Decodes one document the way `NewYAMLOrJSONDecoder` into
/// `*k8sYamlStruct` does: `None` for an empty document.
pub fn decode_k8s_struct(doc: &str) -> Result<Option<K8sObject>, String> {
    let v = crate::chart::yaml::unmarshal(doc)?;
    match &v {
        Value::Null => Ok(None),
        Value::Object(m) => {
            let meta = m.get("metadata");
            let name = match meta {
                None | Some(Value::Null) => String::new(),
                Some(Value::Object(mm)) => scalar_string(mm.get("name"))?,
                Some(other) => {
                    return Err(format!(
                        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field k8sYamlStruct.metadata of type rules.k8sYamlMetadata",
                        json_kind(other)
                    ))
                }
            };
            Ok(Some(K8sObject {
                api_version: scalar_string(m.get("apiVersion"))?,
                kind: scalar_string(m.get("kind"))?,
                name,
                value: v.clone(),
            }))
        }
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type rules.k8sYamlStruct",
            json_kind(other)
        )),
    }
}

const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_label(s: &str, first_alpha: bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (if first_alpha {
            b[0].is_ascii_lowercase()
        } else {
            b[0].is_ascii_lowercase() || b[0].is_ascii_digit()
        })
        && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// k8s `IsDNS1123Subdomain`.
pub fn dns1123_subdomain_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !s.split('.').all(|p| is_label(p, false)) {
        errs.push(DNS1123_SUBDOMAIN_MSG.to_string());
    }
    errs
}

/// k8s `IsDNS1123Label`.
pub fn dns1123_label_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !is_label(s, false) {
        errs.push(DNS1123_LABEL_MSG.to_string());
    }
    errs
}

/// k8s `IsDNS1035Label`.
pub fn dns1035_label_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !is_label(s, true) {
        errs.push(DNS1035_LABEL_MSG.to_string());
    }
    errs
}

fn path_segment_errors(s: &str) -> Vec<String> {
    if s == "." || s == ".." {
        return vec![format!("may not be '{s}'")];
    }
    let mut errs = Vec::new();
    for bad in ["/", "%"] {
        if s.contains(bad) {
            errs.push(format!("may not contain '{bad}'"));
        }
    }
    errs
}

fn validate_metadata_name(obj: &K8sObject) -> Result<(), String> {
    let name = &obj.name;
    let errs = match obj.kind.to_ascii_lowercase().as_str() {
        "service" => dns1035_label_errors(name),
        "namespace" => dns1123_label_errors(name),
        "serviceaccount" => dns1123_subdomain_errors(name),
        "certificatesigningrequest" => Vec::new(),
        "role" | "clusterrole" | "rolebinding" | "clusterrolebinding" => path_segment_errors(name),
        _ => dns1123_subdomain_errors(name),
    };
    if errs.is_empty() {
        return Ok(());
    }
    let items: Vec<String> = errs
        .iter()
        .map(|e| format!("metadata.name: Invalid value: {}: {e}", go_quote(name)))
        .collect();
    let agg = if items.len() == 1 {
        items[0].clone()
    } else {
        format!("[{}]", items.join(", "))
    };
    Err(format!(
        "object name does not conform to Kubernetes naming requirements: {}: {agg}",
        go_quote(name)
    ))
}

fn validate_match_selector(obj: &K8sObject, manifest: &str) -> Result<(), String> {
    if matches!(
        obj.kind.as_str(),
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet"
    ) && !manifest.contains("matchLabels")
        && !manifest.contains("matchExpressions")
    {
        return Err(format!(
            "a {} must contain matchLabels or matchExpressions, and {} does not",
            obj.kind,
            go_quote(&obj.name)
        ));
    }
    Ok(())
}

fn validate_list_annotations(obj: &K8sObject) -> Result<(), String> {
    if obj.kind != "List" {
        return Ok(());
    }
    if let Some(Value::Array(items)) = obj.value.get("items") {
        for i in items {
            if i.get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get("helm.sh/resource-policy"))
                .is_some()
            {
                return Err("annotation 'helm.sh/resource-policy' within List objects are ignored".into());
            }
        }
    }
    Ok(())
}

/// The Kubernetes version lint checks deprecations against when
/// `--kube-version` is not given (Helm v4.3.1's client-go: 1.37).
pub const DEFAULT_KUBE: (u32, u32) = (1, 37);

/// Parses `1.36`, `v1.36.4`, `1.36.0-gke.1` into (major, minor).
pub fn parse_kube_version(v: &str) -> Option<(u32, u32)> {
    let v = v.strip_prefix('v').unwrap_or(v);
    let mut parts = v.split(['.', '-', '+']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    Some((major, minor))
}

/// (apiVersion, kind, deprecated minor, removed minor, replacement) for the
/// types registered in Helm v4.3.1's client-go scheme that carry
/// prerelease-lifecycle data, as `helm lint` reports them (recorded from
/// helm v4.3.1 itself). Removed 0 = no removal announced.
pub const DEPRECATIONS: &[(&str, &str, u32, u32, &str)] = &[
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        16,
        22,
        "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        16,
        22,
        "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingAdmissionPolicy",
        31,
        34,
        "",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingAdmissionPolicyBinding",
        31,
        34,
        "",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingAdmissionPolicy",
        37,
        40,
        "admissionregistration.k8s.io/v1 MutatingAdmissionPolicy",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingAdmissionPolicyBinding",
        37,
        40,
        "admissionregistration.k8s.io/v1 MutatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io/v1alpha1",
        "ValidatingAdmissionPolicy",
        29,
        32,
        "",
    ),
    (
        "admissionregistration.k8s.io/v1alpha1",
        "ValidatingAdmissionPolicyBinding",
        29,
        32,
        "",
    ),
    (
        "admissionregistration.k8s.io/v1alpha1",
        "MutatingAdmissionPolicy",
        35,
        38,
        "",
    ),
    (
        "admissionregistration.k8s.io/v1alpha1",
        "MutatingAdmissionPolicyBinding",
        35,
        38,
        "",
    ),
    ("apps/v1beta1", "Deployment", 8, 16, "apps/v1 Deployment"),
    ("apps/v1beta1", "StatefulSet", 8, 16, "apps/v1 StatefulSet"),
    (
        "apps/v1beta1",
        "ControllerRevision",
        8,
        16,
        "apps/v1 ControllerRevision",
    ),
    ("apps/v1beta2", "Deployment", 9, 16, "apps/v1 Deployment"),
    ("apps/v1beta2", "StatefulSet", 9, 16, "apps/v1 StatefulSet"),
    ("apps/v1beta2", "DaemonSet", 9, 16, "apps/v1 DaemonSet"),
    ("apps/v1beta2", "ReplicaSet", 9, 16, "apps/v1 ReplicaSet"),
    (
        "apps/v1beta2",
        "ControllerRevision",
        9,
        16,
        "apps/v1 ControllerRevision",
    ),
    (
        "authentication.k8s.io/v1beta1",
        "TokenReview",
        19,
        22,
        "authentication.k8s.io/v1 TokenReview",
    ),
    ("authentication.k8s.io/v1beta1", "SelfSubjectReview", 30, 33, ""),
    ("authentication.k8s.io/v1alpha1", "SelfSubjectReview", 29, 32, ""),
    (
        "authorization.k8s.io/v1beta1",
        "SubjectAccessReview",
        19,
        22,
        "authorization.k8s.io/v1 SubjectAccessReview",
    ),
    (
        "authorization.k8s.io/v1beta1",
        "SelfSubjectAccessReview",
        19,
        22,
        "authorization.k8s.io/v1 SelfSubjectAccessReview",
    ),
    (
        "authorization.k8s.io/v1beta1",
        "LocalSubjectAccessReview",
        19,
        22,
        "authorization.k8s.io/v1 LocalSubjectAccessReview",
    ),
    (
        "authorization.k8s.io/v1beta1",
        "SelfSubjectRulesReview",
        19,
        22,
        "authorization.k8s.io/v1 SelfSubjectRulesReview",
    ),
    ("batch/v1beta1", "CronJob", 21, 25, "batch/v1 CronJob"),
    (
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        19,
        22,
        "certificates.k8s.io/v1 CertificateSigningRequest",
    ),
    (
        "certificates.k8s.io/v1beta1",
        "ClusterTrustBundle",
        37,
        40,
        "certificates.k8s.io/v1 ClusterTrustBundle",
    ),
    (
        "certificates.k8s.io/v1beta1",
        "PodCertificateRequest",
        37,
        40,
        "certificates.k8s.io/v1 PodCertificateRequest",
    ),
    ("certificates.k8s.io/v1alpha1", "ClusterTrustBundle", 34, 37, ""),
    (
        "coordination.k8s.io/v1beta1",
        "Lease",
        19,
        22,
        "coordination.k8s.io/v1 Lease",
    ),
    ("coordination.k8s.io/v1beta1", "LeaseCandidate", 36, 39, ""),
    ("coordination.k8s.io/v1alpha2", "LeaseCandidate", 35, 38, ""),
    (
        "discovery.k8s.io/v1beta1",
        "EndpointSlice",
        21,
        25,
        "discovery.k8s.io/v1 EndpointSlice",
    ),
    ("events.k8s.io/v1beta1", "Event", 22, 25, ""),
    (
        "extensions/v1beta1",
        "Ingress",
        14,
        22,
        "networking.k8s.io/v1 Ingress",
    ),
    ("extensions/v1beta1", "DaemonSet", 8, 16, "apps/v1 DaemonSet"),
    ("extensions/v1beta1", "Deployment", 8, 16, "apps/v1 Deployment"),
    ("extensions/v1beta1", "ReplicaSet", 8, 16, "apps/v1 ReplicaSet"),
    (
        "extensions/v1beta1",
        "NetworkPolicy",
        9,
        16,
        "networking.k8s.io/v1 NetworkPolicy",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "FlowSchema",
        23,
        26,
        "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
        23,
        26,
        "flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "FlowSchema",
        26,
        29,
        "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "PriorityLevelConfiguration",
        26,
        29,
        "flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "FlowSchema",
        29,
        32,
        "flowcontrol.apiserver.k8s.io/v1 FlowSchema",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "PriorityLevelConfiguration",
        29,
        32,
        "flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration",
    ),
    (
        "networking.k8s.io/v1beta1",
        "Ingress",
        19,
        22,
        "networking.k8s.io/v1 Ingress",
    ),
    (
        "networking.k8s.io/v1beta1",
        "IngressClass",
        19,
        22,
        "networking.k8s.io/v1 IngressClassList",
    ),
    ("networking.k8s.io/v1beta1", "IPAddress", 34, 37, ""),
    ("networking.k8s.io/v1beta1", "ServiceCIDR", 34, 37, ""),
    ("node.k8s.io/v1beta1", "RuntimeClass", 22, 25, ""),
    (
        "policy/v1beta1",
        "PodDisruptionBudget",
        21,
        25,
        "policy/v1 PodDisruptionBudget",
    ),
    ("policy/v1beta1", "Eviction", 22, 25, ""),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "Role",
        17,
        22,
        "rbac.authorization.k8s.io/v1 Role",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        17,
        22,
        "rbac.authorization.k8s.io/v1 ClusterRole",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        17,
        22,
        "rbac.authorization.k8s.io/v1 RoleBinding",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        17,
        22,
        "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
    ),
    ("resource.k8s.io/v1alpha3", "DeviceTaintRule", 36, 39, ""),
    ("resource.k8s.io/v1beta1", "DeviceClass", 35, 38, ""),
    ("resource.k8s.io/v1beta1", "ResourceClaim", 35, 38, ""),
    ("resource.k8s.io/v1beta1", "ResourceClaimTemplate", 35, 38, ""),
    ("resource.k8s.io/v1beta1", "ResourceSlice", 35, 38, ""),
    ("resource.k8s.io/v1beta2", "DeviceClass", 36, 39, ""),
    ("resource.k8s.io/v1beta2", "ResourceClaim", 36, 39, ""),
    ("resource.k8s.io/v1beta2", "ResourceClaimTemplate", 36, 39, ""),
    ("resource.k8s.io/v1beta2", "ResourceSlice", 36, 39, ""),
    (
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        14,
        22,
        "scheduling.k8s.io/v1 PriorityClass",
    ),
    (
        "storage.k8s.io/v1beta1",
        "StorageClass",
        19,
        22,
        "storage.k8s.io/v1 StorageClass",
    ),
    (
        "storage.k8s.io/v1beta1",
        "VolumeAttachment",
        19,
        22,
        "storage.k8s.io/v1 VolumeAttachment",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        19,
        22,
        "storage.k8s.io/v1 CSIDriver",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSINode",
        17,
        22,
        "storage.k8s.io/v1 CSINode",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        24,
        27,
        "storage.k8s.io/v1 CSIStorageCapacity",
    ),
    (
        "storage.k8s.io/v1beta1",
        "VolumeAttributesClass",
        34,
        37,
        "storage.k8s.io/v1 VolumeAttributesClass",
    ),
    (
        "storage.k8s.io/v1alpha1",
        "VolumeAttachment",
        21,
        24,
        "storage.k8s.io/v1 VolumeAttachment",
    ),
    (
        "storage.k8s.io/v1alpha1",
        "CSIStorageCapacity",
        21,
        24,
        "storage.k8s.io/v1beta1 CSIStorageCapacity",
    ),
    (
        "storage.k8s.io/v1alpha1",
        "VolumeAttributesClass",
        32,
        35,
        "storage.k8s.io/v1 VolumeAttributesClass",
    ),
    ("v1", "ComponentStatus", 19, 0, ""),
    ("v1", "Endpoints", 33, 0, "discovery.k8s.io/v1 EndpointSlice"),
];

/// Helm's deprecation warning text for an apiVersion/kind at a Kubernetes
/// version, if any.
pub fn deprecation_message(api_version: &str, kind: &str, kube: (u32, u32)) -> Option<String> {
    let (_, _, dep, removed, repl) = DEPRECATIONS
        .iter()
        .find(|(a, k, ..)| *a == api_version && *k == kind)?;
    // IsDeprecated: no removal announced ⇒ always deprecated; 0.0 ⇒ default.
    let deprecated = *removed == 0 || kube == (0, 0) || kube.0 > 1 || (kube.0 == 1 && kube.1 >= *dep);
    if !deprecated {
        return None;
    }
    let mut msg = format!("{api_version} {kind} is deprecated in v1.{dep}+");
    if *removed != 0 {
        msg.push_str(&format!(", unavailable in v1.{removed}+"));
    }
    if !repl.is_empty() {
        msg.push_str(&format!("; use {repl}"));
    }
    Some(msg)
}

fn validate_no_deprecations(obj: &K8sObject, kube: (u32, u32)) -> Result<(), String> {
    if obj.api_version.is_empty() || obj.kind.is_empty() {
        return Ok(());
    }
    match deprecation_message(&obj.api_version, &obj.kind, kube) {
        Some(m) => Err(m),
        None => Ok(()),
    }
}

// ------------------------------------------------------------ dependencies

fn dependencies(l: &mut Linter, dir: &Path) {
    let c = match load::load_dir(dir) {
        Ok(c) => c,
        Err(e) => {
            l.rule(
                Severity::Error,
                "",
                Err(format!("unable to load chart\n\t{}", e.0)),
            );
            return;
        }
    };
    let path = dir.display().to_string();
    let declared: Vec<&crate::chart::metadata::Dependency> =
        c.metadata.dependencies.iter().flatten().collect();
    let present: HashSet<&str> = c.dependencies.iter().map(|d| d.name()).collect();
    let declared_names: HashSet<&str> = declared.iter().map(|d| d.name.as_str()).collect();
    let missing_meta: Vec<&str> = c
        .dependencies
        .iter()
        .map(|d| d.name())
        .filter(|n| !declared_names.contains(n))
        .collect();
    l.rule(
        Severity::Error,
        &path,
        if missing_meta.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "chart metadata is missing these dependencies: {}",
                missing_meta.join(",")
            ))
        },
    );
    let mut seen = HashSet::new();
    let mut shadowing = Vec::new();
    for d in &declared {
        let key = d.effective_name();
        if !seen.insert(key) {
            shadowing.push(key);
        }
    }
    l.rule(
        Severity::Error,
        &path,
        if shadowing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "multiple dependencies with name or alias: {}",
                shadowing.join(",")
            ))
        },
    );
    let missing_dir: Vec<&str> = declared
        .iter()
        .map(|d| d.name.as_str())
        .filter(|n| !present.contains(n))
        .collect();
    l.rule(
        Severity::Warning,
        &path,
        if missing_dir.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "chart directory is missing these dependencies: {}",
                missing_dir.join(",")
            ))
        },
    );
}

// ------------------------------------------------------------ crds

fn crd_objects<'a>(c: &'a Chart, out: &mut Vec<&'a crate::chart::archive::BufferedFile>) {
    for f in c.crds() {
        let ext = go_ext(&f.name);
        if [".yaml", ".yml", ".json"].contains(&ext) {
            out.push(f);
        }
    }
    for d in &c.dependencies {
        crd_objects(d, out);
    }
}

fn crds(l: &mut Linter, dir: &Path) {
    let fpath = "crds/";
    let cdir = dir.join("crds");
    if !cdir.exists() {
        return;
    }
    if !l.rule(
        Severity::Error,
        fpath,
        if cdir.is_dir() {
            Ok(())
        } else {
            Err("not a directory".into())
        },
    ) {
        return;
    }
    let chart = match load::load(dir) {
        Ok(c) => c,
        Err(e) => {
            l.rule(Severity::Error, fpath, Err(e.0));
            return;
        }
    };
    let mut files = Vec::new();
    crd_objects(&chart, &mut files);
    for f in files {
        let text = String::from_utf8_lossy(&f.data);
        let docs = match crate::chart::yaml::split_documents(&text) {
            Ok(d) => d,
            Err(e) => {
                l.rule(
                    Severity::Error,
                    &f.name,
                    Err(format!("unable to parse YAML: {e}")),
                );
                continue;
            }
        };
        for doc in docs {
            match decode_k8s_struct(doc) {
                Ok(None) => {}
                Ok(Some(o)) => {
                    l.rule(
                        Severity::Error,
                        &f.name,
                        if o.api_version.starts_with("apiextensions.k8s.io") {
                            Ok(())
                        } else {
                            Err("apiVersion is not in 'apiextensions.k8s.io'".into())
                        },
                    );
                    l.rule(
                        Severity::Error,
                        &f.name,
                        if o.kind == "CustomResourceDefinition" {
                            Ok(())
                        } else {
                            Err("object kind is not 'CustomResourceDefinition'".into())
                        },
                    );
                }
                Err(e) => {
                    l.rule(
                        Severity::Error,
                        &f.name,
                        Err(format!("unable to parse YAML: {e}")),
                    );
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_deprecations() {
        assert!(dns1123_subdomain_errors("a.b-c").is_empty());
        assert_eq!(dns1123_subdomain_errors("Bad_Name").len(), 1);
        assert!(dns1035_label_errors("1abc").len() == 1);
        assert_eq!(
            deprecation_message("policy/v1beta1", "PodDisruptionBudget", DEFAULT_KUBE).unwrap(),
            "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; use policy/v1 PodDisruptionBudget"
        );
        assert!(deprecation_message("policy/v1beta1", "PodDisruptionBudget", (1, 20)).is_none());
        assert_eq!(
            deprecation_message("v1", "ComponentStatus", (1, 5)).unwrap(),
            "v1 ComponentStatus is deprecated in v1.19+"
        );
        assert_eq!(parse_kube_version("v1.36.4"), Some((1, 36)));
        assert_eq!(go_quote("  a\t\"b\""), "\"  a\\t\\\"b\\\"\"");
    }

    #[test]
    fn validators_match_govalidator_on_common_input() {
        assert!(is_email("lab@example.com"));
        assert!(!is_email("bad"));
        assert!(!is_email("me@x"));
        assert!(is_request_url("https://example.com/i.png"));
        assert!(!is_request_url("not a url"));
        assert!(!is_request_url("x"));
        assert!(is_url("https://example.com"));
        assert!(is_url("example.com/x"));
        assert!(!is_url("nope"));
    }
}
