//! Offline validation of Kubernetes objects against the OpenAPI-derived JSON
//! schemas of one Kubernetes minor version.
//!
//! The schemas are bundled (`xtask/schemas/k8s-schemas.json.gz`, regenerated
//! by `xtask/schemas/extract.py` from the `kubernetes-validate` package) and
//! interpreted by a small validator of the keywords they use: `type` (with
//! `null`), `properties`, `additionalProperties` (`false` = strict: unknown
//! fields are errors), `items`, `required`, `enum`, `$ref`, `oneOf`.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value as J;

use super::yaml::{Node, Value};

const BUNDLE: &[u8] = include_bytes!("../../schemas/k8s-schemas.json.gz");

/// One problem found in a document, at the node it concerns.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Dotted path to the field: `spec.template.spec.containers[0].image`.
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// English text, ready to print.
    pub message: String,
    /// The same problem as data, for callers that word it themselves.
    pub kind: FindingKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FindingKind {
    /// The document is not a mapping.
    NotAnObject,
    /// `apiVersion` or `kind` is missing or not a string.
    MissingTypeMeta {
        field: &'static str,
    },
    /// No schema for this apiVersion + kind; `known_api_versions` lists the
    /// apiVersions that serve `kind` in this Kubernetes version.
    UnknownKind {
        api_version: String,
        kind: String,
        known_api_versions: Vec<String>,
    },
    /// A field the schema does not have.
    UnknownField {
        field: String,
        allowed: Vec<String>,
    },
    WrongType {
        expected: Vec<String>,
        found: String,
    },
    MissingField {
        field: String,
    },
    NotAllowed {
        allowed: Vec<String>,
        found: String,
    },
    /// The Kubernetes version asked for is not bundled.
    UnsupportedVersion {
        asked: String,
        bundled: Vec<String>,
    },
}

#[derive(Deserialize)]
struct Bundle {
    versions: BTreeMap<String, VersionIndex>,
    pool: Vec<J>,
}

#[derive(Deserialize)]
struct VersionIndex {
    /// "apps/v1 Deployment" -> definition name
    kinds: BTreeMap<String, String>,
    /// definition name -> index in the pool
    defs: BTreeMap<String, usize>,
}

fn bundle() -> &'static Bundle {
    static B: OnceLock<Bundle> = OnceLock::new();
    B.get_or_init(|| {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(BUNDLE)
            .read_to_end(&mut raw)
            .expect("bundled schemas are valid gzip (checked by tests)");
        serde_json::from_slice(&raw).expect("bundled schemas are valid JSON (checked by tests)")
    })
}

/// The Kubernetes minor versions with bundled schemas, e.g. `["1.31", …]`.
pub fn bundled_versions() -> Vec<String> {
    let mut v: Vec<String> = bundle().versions.keys().cloned().collect();
    v.sort_by_key(|s| minor(s).unwrap_or(0));
    v
}

fn minor(v: &str) -> Option<u32> {
    let v = v.trim().trim_start_matches('v');
    let mut parts = v.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.trim_end_matches('+').parse().ok()?;
    (major == 1).then_some(minor)
}

/// `"v1.36.4"`, `"1.36"`, `"1.36.0"` -> `"1.36"` when bundled.
pub fn normalize_version(v: &str) -> Option<String> {
    let m = minor(v)?;
    let key = format!("1.{m}");
    bundle().versions.contains_key(&key).then_some(key)
}

/// The apiVersions that serve `kind` in Kubernetes `version` (bundled kinds only).
pub fn api_versions_for(kind: &str, kube_version: &str) -> Vec<String> {
    let Some(v) = normalize_version(kube_version) else {
        return Vec::new();
    };
    bundle().versions[&v]
        .kinds
        .keys()
        .filter_map(|k| k.split_once(' '))
        .filter(|(_, k)| *k == kind)
        .map(|(a, _)| a.to_string())
        .collect()
}

/// True when the schemas know this apiVersion + kind.
pub fn is_known(api_version: &str, kind: &str, kube_version: &str) -> bool {
    normalize_version(kube_version).is_some_and(|v| {
        bundle().versions[&v]
            .kinds
            .contains_key(&format!("{api_version} {kind}"))
    })
}

/// Validates one Kubernetes object for a Kubernetes version (`"1.36"`,
/// `"v1.36.4"`). Unknown fields are errors (strict), as `kubectl apply
/// --validate=strict` reports them.
pub fn validate(doc: &Node, kube_version: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(version) = normalize_version(kube_version) else {
        let bundled = bundled_versions();
        out.push(finding(
            doc,
            "",
            format!(
                "Kubernetes version {kube_version} has no bundled schemas (bundled: {})",
                bundled.join(", ")
            ),
            FindingKind::UnsupportedVersion {
                asked: kube_version.to_string(),
                bundled,
            },
        ));
        return out;
    };
    let index = &bundle().versions[&version];
    let Value::Map(_) = &doc.value else {
        out.push(finding(
            doc,
            "",
            format!("a Kubernetes object must be a mapping, found {}", doc.type_name()),
            FindingKind::NotAnObject,
        ));
        return out;
    };
    let mut type_meta = Vec::new();
    for field in ["apiVersion", "kind"] {
        match doc.get(field) {
            Some(n) if n.as_str().is_some() => type_meta.push(n.as_str().unwrap_or_default().to_string()),
            other => {
                let at = other.unwrap_or(doc);
                out.push(finding(
                    at,
                    field,
                    format!("`{field}` is required and must be a string"),
                    FindingKind::MissingTypeMeta { field },
                ));
            }
        }
    }
    if type_meta.len() < 2 {
        return out;
    }
    let (api_version, kind) = (&type_meta[0], &type_meta[1]);
    let Some(def) = index.kinds.get(&format!("{api_version} {kind}")) else {
        let known = api_versions_for(kind, &version);
        let at = if known.is_empty() {
            doc.get("kind")
        } else {
            doc.get("apiVersion")
        };
        let at = at.unwrap_or(doc);
        let message = if known.is_empty() {
            format!("kind `{kind}` is not a Kubernetes {version} kind this validator knows (apiVersion {api_version})")
        } else {
            format!(
                "apiVersion `{api_version}` does not serve kind `{kind}` in Kubernetes {version}; use {}",
                known.join(" or ")
            )
        };
        out.push(finding(
            at,
            if known.is_empty() { "kind" } else { "apiVersion" },
            message,
            FindingKind::UnknownKind {
                api_version: api_version.clone(),
                kind: kind.clone(),
                known_api_versions: known,
            },
        ));
        return out;
    };
    let v = Validator { index };
    v.check(&J::String(def.clone()), doc, "", &mut out, true);
    out
}

fn finding(node: &Node, path: &str, message: String, kind: FindingKind) -> Finding {
    Finding {
        path: path.to_string(),
        line: node.line,
        column: node.column,
        message,
        kind,
    }
}

struct Validator<'a> {
    index: &'a VersionIndex,
}

impl Validator<'_> {
    fn def(&self, name: &str) -> Option<&J> {
        self.index.defs.get(name).and_then(|i| bundle().pool.get(*i))
    }

    /// `schema` is a schema object, or a string naming a definition.
    fn check(&self, schema: &J, node: &Node, path: &str, out: &mut Vec<Finding>, top: bool) {
        let schema = match schema {
            J::String(name) => match self.def(name) {
                Some(s) => s,
                None => return,
            },
            s => s,
        };
        if let Some(J::String(r)) = schema.get("$ref") {
            if let Some(s) = self.def(r) {
                self.check(s, node, path, out, top);
            }
            return;
        }
        if let Some(J::Array(alts)) = schema.get("oneOf") {
            let ok = alts.iter().any(|a| {
                let mut tmp = Vec::new();
                self.check(a, node, path, &mut tmp, false);
                tmp.is_empty()
            });
            if !ok {
                let mut expected = Vec::new();
                for a in alts {
                    expected.extend(types_of(a));
                }
                expected.retain(|t| t != "null");
                out.push(finding(
                    node,
                    path,
                    format!(
                        "`{}` must be {}, found {}",
                        show_path(path),
                        expected.join(" or "),
                        node.type_name()
                    ),
                    FindingKind::WrongType {
                        expected,
                        found: node.type_name().to_string(),
                    },
                ));
            }
            return;
        }
        let types = types_of(schema);
        if !types.is_empty() && !type_matches(&types, node) {
            let mut expected = types.clone();
            expected.retain(|t| t != "null");
            out.push(finding(
                node,
                path,
                format!(
                    "`{}` must be {}, found {} `{}`",
                    show_path(path),
                    expected.join(" or "),
                    node.type_name(),
                    node.display()
                ),
                FindingKind::WrongType {
                    expected,
                    found: node.type_name().to_string(),
                },
            ));
            return;
        }
        if let Some(J::Array(allowed)) = schema.get("enum") {
            let found = node.to_json();
            if !found.is_null() && !allowed.contains(&found) {
                let allowed: Vec<String> = allowed
                    .iter()
                    .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
                    .collect();
                out.push(finding(
                    node,
                    path,
                    format!(
                        "`{}` is `{}`; allowed: {}",
                        show_path(path),
                        node.display(),
                        allowed.join(", ")
                    ),
                    FindingKind::NotAllowed {
                        allowed,
                        found: node.display(),
                    },
                ));
            }
        }
        match &node.value {
            Value::Map(entries) => {
                let props = schema.get("properties").and_then(J::as_object);
                for (k, v) in entries {
                    let key = k.as_str().map_or_else(|| k.display(), str::to_string);
                    let full = join(path, &key);
                    if let Some(p) = props.and_then(|p| p.get(&key)) {
                        self.check(p, v, &full, out, false);
                        continue;
                    }
                    match schema.get("additionalProperties") {
                        Some(J::Bool(false)) => {
                            let mut allowed: Vec<String> =
                                props.map(|p| p.keys().cloned().collect()).unwrap_or_default();
                            allowed.sort();
                            out.push(finding(
                                k,
                                &full,
                                format!(
                                    "unknown field `{key}` in `{}` (known fields: {})",
                                    if path.is_empty() { "the object" } else { path },
                                    allowed.join(", ")
                                ),
                                FindingKind::UnknownField { field: key, allowed },
                            ));
                        }
                        Some(s @ J::Object(_)) => self.check(s, v, &full, out, false),
                        _ => {}
                    }
                }
                if let Some(J::Array(req)) = schema.get("required") {
                    for r in req.iter().filter_map(J::as_str) {
                        if !entries.iter().any(|(k, _)| k.as_str() == Some(r)) {
                            let full = join(path, r);
                            out.push(finding(
                                node,
                                &full,
                                format!("`{}` is required", show_path(&full)),
                                FindingKind::MissingField { field: r.to_string() },
                            ));
                        }
                    }
                }
            }
            Value::Seq(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{path}[{i}]"), out, false);
                    }
                }
            }
            _ => {}
        }
        let _ = top;
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn show_path(path: &str) -> &str {
    if path.is_empty() {
        "(document)"
    } else {
        path
    }
}

fn types_of(schema: &J) -> Vec<String> {
    match schema.get("type") {
        Some(J::String(t)) => vec![t.clone()],
        Some(J::Array(ts)) => ts.iter().filter_map(J::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

fn type_matches(types: &[String], node: &Node) -> bool {
    types.iter().any(|t| match (t.as_str(), &node.value) {
        ("null", Value::Null) => true,
        ("boolean", Value::Bool(_)) => true,
        ("integer", Value::Int(_)) => true,
        ("integer", Value::Float(f)) => f.fract() == 0.0,
        ("number", Value::Int(_) | Value::Float(_)) => true,
        ("string", Value::Str(_)) => true,
        ("array", Value::Seq(_)) => true,
        ("object", Value::Map(_)) => true,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::yaml::parse_documents;

    fn check(text: &str) -> Vec<Finding> {
        let docs = parse_documents(text).unwrap();
        validate(&docs[0].root, "v1.36.4")
    }

    #[test]
    fn bundle_loads_and_lists_versions() {
        let v = bundled_versions();
        assert!(
            v.contains(&"1.36".to_string()) && v.contains(&"1.31".to_string()),
            "{v:?}"
        );
        assert_eq!(normalize_version("v1.36.4").as_deref(), Some("1.36"));
        assert_eq!(api_versions_for("Deployment", "1.36"), vec!["apps/v1"]);
    }

    #[test]
    fn valid_deployment_passes() {
        let f = check(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: x\n  template:\n    metadata:\n      labels:\n        app: x\n    spec:\n      containers:\n        - name: x\n          image: x:1\n          ports:\n            - containerPort: 8000\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn unknown_field_wrong_type_and_api_version() {
        let f = check("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: b\n    port: 80\n    ports:\n    - containerPort: \"8000\"\n");
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!((f[0].line, f[0].column), (9, 5));
        assert!(matches!(&f[0].kind, FindingKind::UnknownField { field, .. } if field == "port"));
        assert_eq!(f[1].path, "spec.containers[0].ports[0].containerPort");
        assert!(matches!(&f[1].kind, FindingKind::WrongType { .. }));
        let f = check("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: x}\n");
        assert_eq!(f[0].line, 1);
        assert!(f[0].message.contains("use apps/v1"), "{}", f[0].message);
        let f = check("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports:\n  - port: 80\n    targetPort: true\n");
        assert!(matches!(&f[0].kind, FindingKind::WrongType { .. }), "{f:?}");
        assert_eq!(f[0].line, 7);
        let f = check("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - image: b\n");
        assert!(
            matches!(&f[0].kind, FindingKind::MissingField { field } if field == "name"),
            "{f:?}"
        );
    }
}
