//! `values.schema.json` validation with Helm ≥ 3.19 / 4 error text.
//!
//! Helm validates with `santhosh-tekuri/jsonschema/v6`; we validate with
//! `boon`, the Rust implementation by the same author (same drafts, same
//! defaults: 2020-12 when `$schema` is absent, `format` asserted only up to
//! draft 7), and render its error tree with v6's wording and layout:
//!
//! ```text
//! - at '': missing properties 'employmentInfo', 'other'
//! - at '/nested': validation failed
//!   - at '/nested/level': maximum: got 11, want 10
//! ```
//!
//! Remote `$ref`s (http/https) are not fetched: the error names the URL.
//! Sibling errors come out in schema order; Helm's order is random (Go map
//! iteration), so compare sets when testing.

use boon::{Compiler, ErrorKind, Schemas, ValidationError};
use serde_json::{Map, Value};

use super::values::ChartValues;

#[path = "schema_meta.rs"]
mod meta;

#[path = "schema_fast.rs"]
mod fast;

#[cfg(test)]
#[path = "schema_fast_tests.rs"]
mod fast_tests;

const SCHEMA_URL: &str = "file:///values.schema.json";

/// Where the schema is compiled when its draft is a standard one. boon
/// checks a schema against its metaschema unless the schema lives on
/// json-schema.org, and that check first compiles the metaschemas of all five
/// drafts (most of the time spent on a small chart). So the check is done
/// here against the one metaschema the schema declares ([`check_metaschema`]),
/// the schema is compiled under this URL, and the URL is shown as
/// [`SCHEMA_URL`] in every message ([`public_url`]).
const COMPILE_URL: &str = "https://json-schema.org/x-asky-lab/values.schema.json";

/// The metaschema URL boon uses for the draft `doc` declares (boon's
/// `Loader::get_draft` and `Draft::from_url`): no `$schema` means 2020-12.
/// `None` for a custom metaschema: boon then does the whole job itself.
fn metaschema_of(doc: &Value) -> Option<&'static str> {
    const LATEST: &str = "https://json-schema.org/draft/2020-12/schema";
    let Some(Value::String(sch)) = doc.as_object().and_then(|o| o.get("$schema")) else {
        return Some(LATEST);
    };
    let (url, frag) = sch.split_once('#').unwrap_or((sch, ""));
    if !frag.is_empty() {
        return None;
    }
    let url = url.strip_prefix("http://").unwrap_or(url);
    let url = url.strip_prefix("https://").unwrap_or(url);
    Some(match url {
        "json-schema.org/schema" | "json-schema.org/draft/2020-12/schema" => LATEST,
        "json-schema.org/draft/2019-09/schema" => "https://json-schema.org/draft/2019-09/schema",
        "json-schema.org/draft-07/schema" => "http://json-schema.org/draft-07/schema",
        "json-schema.org/draft-06/schema" => "http://json-schema.org/draft-06/schema",
        "json-schema.org/draft-04/schema" => "http://json-schema.org/draft-04/schema",
        _ => return None,
    })
}

/// Validates `doc` against the metaschema at `meta` (compiled once per
/// process, with format assertions, as boon compiles its own copies). An
/// invalid schema gets jsonschema v6's text, as Helm prints it.
fn check_metaschema(doc: &Value, meta: &'static str) -> Result<(), String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static COMPILED: OnceLock<Mutex<HashMap<&'static str, (Schemas, boon::SchemaIndex)>>> = OnceLock::new();
    let mut compiled = COMPILED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !compiled.contains_key(meta) {
        let mut schemas = Schemas::new();
        let mut compiler = Compiler::new();
        compiler.enable_format_assertions();
        let idx = compiler.compile(meta, &mut schemas).map_err(|e| e.to_string())?;
        compiled.insert(meta, (schemas, idx));
    }
    let (schemas, idx) = &compiled[meta];
    schemas.validate(doc, *idx).map_err(|e| {
        let mut out = String::new();
        display_error(&e, doc, 0, &mut out);
        format!(
            "{:?} is not valid against metaschema: {out}",
            format!("{SCHEMA_URL}#")
        )
    })
}

/// A URL as the user should see it: [`COMPILE_URL`] is shown as [`SCHEMA_URL`].
fn public_url(url: &str) -> String {
    match url.strip_prefix(COMPILE_URL) {
        Some(rest) => format!("{SCHEMA_URL}{rest}"),
        None => url.to_string(),
    }
}

/// Go `%q` then v6's single-quote form.
fn quote(s: &str) -> String {
    let mut q = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => q.push_str("\\'"),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            '\r' => q.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => q.push_str(&format!("\\x{:02x}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('\'');
    q
}

/// `golang.org/x/text/message` English number formatting: thousands
/// grouping on the integer part.
fn group(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    if rest.contains('e') {
        return s.to_string();
    }
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

fn num(n: &serde_json::Number) -> String {
    let s = match n.as_i64() {
        Some(i) if !n.is_f64() => i.to_string(),
        _ => crate::chart::strconv::format_float_v(n.as_f64().unwrap_or(0.0)),
    };
    group(&s)
}

fn int(n: usize) -> String {
    group(&n.to_string())
}

/// v6 `display`: strings quoted, composites as `value`, others `%v`.
fn display(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Array(_) | Value::Object(_) => "value".into(),
        Value::Number(n) => n.to_string(),
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
    }
}

fn json_type(v: Option<&Value>) -> &'static str {
    match v {
        Some(Value::Null) | None => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

fn instance<'a>(root: &'a Value, e: &ValidationError) -> Option<&'a Value> {
    let mut cur = root;
    for tok in &e.instance_location.tokens {
        cur = match tok {
            boon::InstanceToken::Prop(p) => cur.get(p.as_ref())?,
            boon::InstanceToken::Item(i) => cur.get(*i)?,
        };
    }
    Some(cur)
}

fn message(e: &ValidationError, root: &Value) -> String {
    let join = |v: &[&str]| v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ");
    match &e.kind {
        ErrorKind::Group => "validation failed".into(),
        ErrorKind::Schema { url } => {
            format!("jsonschema validation failed with {}", quote(&public_url(url)))
        }
        ErrorKind::ContentSchema => "contentSchema failed".into(),
        ErrorKind::PropertyName { prop } => format!("invalid propertyName {}", quote(prop)),
        ErrorKind::Reference { .. } => "validation failed".into(),
        ErrorKind::RefCycle {
            url,
            kw_loc1,
            kw_loc2,
        } => format!(
            "both {} and {} resolve to {:?} causing reference cycle",
            public_url(kw_loc1),
            public_url(kw_loc2),
            public_url(url)
        ),
        ErrorKind::FalseSchema => "false schema".into(),
        ErrorKind::Type { want, .. } => {
            let want: Vec<String> = want.iter().map(|t| t.to_string()).collect();
            format!("got {}, want {}", json_type(instance(root, e)), want.join(" or "))
        }
        ErrorKind::Enum { want } => {
            if want.iter().all(|v| !v.is_array() && !v.is_object()) {
                if want.len() == 1 {
                    format!("value must be {}", display(&want[0]))
                } else {
                    let w: Vec<String> = want.iter().map(display).collect();
                    format!("value must be one of {}", w.join(", "))
                }
            } else {
                "enum failed".into()
            }
        }
        ErrorKind::Const { want } => {
            if want.is_array() || want.is_object() {
                "const failed".into()
            } else {
                format!("value must be {}", display(want))
            }
        }
        ErrorKind::Format { got, want, err } => {
            format!("{} is not valid {want}: {err}", display(got))
        }
        ErrorKind::MinProperties { got, want } => {
            format!("minProperties: got {}, want {}", int(*got), int(*want))
        }
        ErrorKind::MaxProperties { got, want } => {
            format!("maxProperties: got {}, want {}", int(*got), int(*want))
        }
        ErrorKind::AdditionalProperties { got } => {
            let g: Vec<&str> = got.iter().map(|s| s.as_ref()).collect();
            format!("additional properties {} not allowed", join(&g))
        }
        ErrorKind::Required { want } => {
            if want.len() == 1 {
                format!("missing property {}", quote(want[0]))
            } else {
                format!("missing properties {}", join(want))
            }
        }
        ErrorKind::Dependency { prop, missing } | ErrorKind::DependentRequired { prop, missing } => {
            format!("properties {} required, if {} exists", join(missing), quote(prop))
        }
        ErrorKind::MinItems { got, want } => format!("minItems: got {}, want {}", int(*got), int(*want)),
        ErrorKind::MaxItems { got, want } => format!("maxItems: got {}, want {}", int(*got), int(*want)),
        ErrorKind::Contains => "no items match contains schema".into(),
        ErrorKind::MinContains { got, want } => {
            if got.is_empty() {
                format!("min {want} items required to match contains schema, but none matched")
            } else {
                let g: Vec<String> = got.iter().map(|i| i.to_string()).collect();
                format!(
                    "min {want} items required to match contains schema, but matched {} items at {}",
                    got.len(),
                    g.join(" ")
                )
            }
        }
        ErrorKind::MaxContains { got, want } => {
            let g: Vec<String> = got.iter().map(|i| i.to_string()).collect();
            format!(
                "max {want} items required to match contains schema, but matched {} items at {}",
                got.len(),
                g.join(" ")
            )
        }
        ErrorKind::UniqueItems { got } => format!("items at {} and {} are equal", got[0], got[1]),
        ErrorKind::AdditionalItems { got } => format!("last {got} additionalItem(s) not allowed"),
        ErrorKind::MinLength { got, want } => format!("minLength: got {}, want {}", int(*got), int(*want)),
        ErrorKind::MaxLength { got, want } => format!("maxLength: got {}, want {}", int(*got), int(*want)),
        ErrorKind::Pattern { got, want } => {
            format!("{} does not match pattern {}", quote(got), quote(want))
        }
        ErrorKind::ContentEncoding { want, err } => {
            format!("value is not {} encoded: {err}", quote(want))
        }
        ErrorKind::ContentMediaType { want, err, .. } => {
            format!("value if not of mediatype {}: {err}", quote(want))
        }
        ErrorKind::Minimum { got, want } => format!("minimum: got {}, want {}", num(got), num(want)),
        ErrorKind::Maximum { got, want } => format!("maximum: got {}, want {}", num(got), num(want)),
        ErrorKind::ExclusiveMinimum { got, want } => {
            format!("exclusiveMinimum: got {}, want {}", num(got), num(want))
        }
        ErrorKind::ExclusiveMaximum { got, want } => {
            format!("exclusiveMaximum: got {}, want {}", num(got), num(want))
        }
        ErrorKind::MultipleOf { got, want } => {
            format!("multipleOf: got {}, want {}", num(got), num(want))
        }
        ErrorKind::Not => "'not' failed".into(),
        ErrorKind::AllOf => "'allOf' failed".into(),
        ErrorKind::AnyOf => "'anyOf' failed".into(),
        ErrorKind::OneOf(None) => "'oneOf' failed, none matched".into(),
        ErrorKind::OneOf(Some((i, j))) => format!("'oneOf' failed, subschemas {i}, {j} matched"),
    }
}

/// v6 `ValidationError.display` (non-verbose).
fn display_error(e: &ValidationError, root: &Value, indent: usize, out: &mut String) {
    let skip = e.causes.len() == 1 && matches!(e.kind, ErrorKind::Reference { .. });
    let mut indent = indent;
    if !skip {
        if indent > 0 {
            out.push('\n');
            for _ in 0..indent - 1 {
                out.push_str("  ");
            }
            out.push_str("- ");
        }
        indent += 1;
        if let ErrorKind::Schema { .. } = e.kind {
            out.push_str(&message(e, root));
        } else {
            out.push_str(&format!(
                "at {}: {}",
                quote(&e.instance_location.to_string()),
                message(e, root)
            ));
        }
    }
    for c in &e.causes {
        display_error(c, root, indent, out);
    }
}

/// Helm `ValidateAgainstSingleSchema`: `Ok` or the error text Helm prints
/// under the chart name (lines `- at '<pointer>': <message>`, ending with a
/// newline).
pub fn validate_single(values: &Map<String, Value>, schema_json: &[u8]) -> Result<(), String> {
    validate_single_with(values, schema_json, true)
}

/// [`validate_single`]; `fast` allows the metaschema fast path (the tests
/// compare both ways).
fn validate_single_with(values: &Map<String, Value>, schema_json: &[u8], fast: bool) -> Result<(), String> {
    let schema: Value = serde_json::from_slice(schema_json).map_err(|e| e.to_string())?;
    // `Some(metaschema)` when the metaschema check was skipped because
    // `meta::certainly_valid` vouched for the schema.
    let mut skipped = None;
    let url = match metaschema_of(&schema) {
        Some(m) => {
            let draft = meta::Draft::of_url(m).filter(|_| fast);
            if let Some(d) = draft.filter(|&d| meta::certainly_valid(&schema, d)) {
                // values the fast validator vouches for need no compile
                if fast::certainly_valid(&schema, d, values) {
                    return Ok(());
                }
                skipped = Some(m);
            } else {
                check_metaschema(&schema, m)?;
            }
            COMPILE_URL
        }
        None => SCHEMA_URL,
    };
    // A compile error after a skipped check: run the check after all, so
    // that a schema boon's metaschema rejects keeps that error's text.
    let compile_error = |e: boon::CompileError| {
        if let Some(m) = skipped {
            if let Ok(doc) = serde_json::from_slice::<Value>(schema_json) {
                check_metaschema(&doc, m)?;
            }
        }
        Err(e.to_string().replace(COMPILE_URL, SCHEMA_URL))
    };
    let mut schemas = Schemas::new();
    let mut compiler = Compiler::new();
    if let Err(e) = compiler.add_resource(url, schema) {
        return compile_error(e);
    }
    let idx = match compiler.compile(url, &mut schemas) {
        Ok(idx) => idx,
        Err(e) => return compile_error(e),
    };
    let instance = Value::Object(values.clone());
    match schemas.validate(&instance, idx) {
        Ok(()) => Ok(()),
        Err(e) => {
            let mut out = String::new();
            display_error(&e, &instance, 0, &mut out);
            let prefix = format!("jsonschema validation failed with '{SCHEMA_URL}#'\n");
            let text = out.strip_prefix(&prefix).unwrap_or(&out).to_string();
            Err(text + "\n")
        }
    }
}

/// Helm `ValidateAgainstSchema`: the chart's schema, then every subchart's
/// schema against its part of the values. The error is the block Helm
/// prints after `values don't meet the specifications of the schema(s) in
/// the following chart(s):\n` (see [`schema_error`]).
pub fn validate<T>(chart: &ChartValues<T>, values: &Map<String, Value>) -> Result<(), String> {
    let mut sb = String::new();
    if let Some(schema) = &chart.schema {
        if let Err(e) = validate_single(values, schema) {
            sb.push_str(&format!("{}:\n{e}", chart.name));
        }
    }
    for sub in &chart.dependencies {
        match values.get(&sub.name) {
            None | Some(Value::Null) => continue,
            Some(Value::Object(m)) => {
                if let Err(e) = validate(sub, m) {
                    sb.push_str(&e);
                }
            }
            Some(other) => sb.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name,
                match other {
                    Value::Bool(_) => "bool",
                    Value::Number(n) if n.is_f64() => "float64",
                    Value::Number(_) => "int64",
                    Value::String(_) => "string",
                    Value::Array(_) => "[]interface {}",
                    _ => "<nil>",
                }
            )),
        }
    }
    if sb.is_empty() {
        Ok(())
    } else {
        Err(sb)
    }
}

/// The full message of Helm's schema failure for `helm template`/install
/// (printed after `Error: `).
pub fn schema_error(block: &str) -> String {
    format!("values don't meet the specifications of the schema(s) in the following chart(s):\n{block}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_like_x_text() {
        assert_eq!(group("1000"), "1,000");
        assert_eq!(group("-1234567.5"), "-1,234,567.5");
        assert_eq!(group("999"), "999");
    }

    #[test]
    fn messages() {
        let schema = br#"{"required": ["a"], "properties": {"b": {"type": "integer", "minimum": 2}}}"#;
        let mut v = Map::new();
        v.insert("b".into(), serde_json::json!(1.0));
        let err = validate_single(&v, schema).unwrap_err();
        assert!(err.contains("- at '': missing property 'a'"), "{err}");
        assert!(err.contains("- at '/b': minimum: got 1, want 2"), "{err}");
        assert!(err.ends_with('\n'));
        assert!(validate_single(&Map::new(), br#"{"type": "object"}"#).is_ok());
    }

    #[test]
    fn metaschema_follows_the_declared_draft() {
        let of = |s: &str| metaschema_of(&serde_json::from_str(s).unwrap());
        assert_eq!(of("{}"), Some("https://json-schema.org/draft/2020-12/schema"));
        assert_eq!(of("true"), Some("https://json-schema.org/draft/2020-12/schema"));
        assert_eq!(
            of(r#"{"$schema": "https://json-schema.org/draft-07/schema#"}"#),
            Some("http://json-schema.org/draft-07/schema")
        );
        assert_eq!(
            of(r#"{"$schema": "http://json-schema.org/draft-04/schema"}"#),
            Some("http://json-schema.org/draft-04/schema")
        );
        // a custom metaschema is left to boon
        assert_eq!(of(r#"{"$schema": "https://example.com/meta"}"#), None);
        assert_eq!(
            of(r#"{"$schema": "http://json-schema.org/draft-07/schema#/x"}"#),
            None
        );
    }

    /// Values that are wrong (or borderline) for some keyword.
    fn replacements() -> Vec<Value> {
        use serde_json::json;
        vec![
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-1),
            json!(1.5),
            json!(1.0),
            json!(0.0),
            json!(18446744073709551615u64),
            json!(-9223372036854775808i64),
            json!(1e300),
            json!(""),
            json!("string"),
            json!("strin"),
            json!("^("),
            json!("a\\a"),
            json!("[z-a]"),
            json!("^[a-z]+$"),
            json!("#/definitions/x"),
            json!("#/a b"),
            json!("http://h:99999/x"),
            json!("%zz"),
            json!("1a:b"),
            json!("#foo"),
            json!("http://e.com/s#frag"),
            json!([]),
            json!(["a"]),
            json!(["a", "a"]),
            json!(["string", "integer"]),
            json!(["string", "string"]),
            json!(["strin"]),
            json!([1, 1.0]),
            json!([{"a": 1}, {"a": 1.0}]),
            json!([{}]),
            json!([true, {"type": 5}]),
            json!([5]),
            json!({}),
            json!({"type": 5}),
            json!({"a": {"minLength": -1}}),
            json!({"a": ["b", "b"]}),
            json!({"a": ["b"]}),
            json!({"(": {}}),
            json!({"a": 5}),
            json!({"http://x/y": true}),
        ]
    }

    const KEYWORDS: &[&str] = &[
        "$id",
        "$schema",
        "$ref",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
        "$vocabulary",
        "$comment",
        "$defs",
        "title",
        "description",
        "default",
        "readOnly",
        "writeOnly",
        "deprecated",
        "examples",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "additionalItems",
        "items",
        "prefixItems",
        "maxItems",
        "minItems",
        "uniqueItems",
        "contains",
        "maxContains",
        "minContains",
        "maxProperties",
        "minProperties",
        "required",
        "additionalProperties",
        "definitions",
        "properties",
        "patternProperties",
        "dependencies",
        "dependentRequired",
        "dependentSchemas",
        "propertyNames",
        "const",
        "enum",
        "type",
        "format",
        "contentMediaType",
        "contentEncoding",
        "contentSchema",
        "if",
        "then",
        "else",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "unevaluatedItems",
        "unevaluatedProperties",
        "x-other",
    ];

    /// Mutants of `doc`: every keyword value replaced, every keyword added
    /// to every object; `keep(i)` picks which of them to return.
    fn mutants(doc: &Value, keep: impl Fn(usize) -> bool) -> Vec<Value> {
        use super::fast_tests::{at, paths};
        let mut all = Vec::new();
        paths(doc, &mut Vec::new(), &mut all);
        let reps = replacements();
        let mut out = Vec::new();
        let mut n = 0;
        let mut probe = doc.clone();
        for p in &all {
            // objects only (the schemas, and maps of schemas)
            let Some(obj) = at(&mut probe, p).as_object() else {
                continue;
            };
            let keys: Vec<String> = obj.keys().cloned().collect();
            for k in keys.iter().map(String::as_str).chain(KEYWORDS.iter().copied()) {
                for r in &reps {
                    if keep(n) {
                        let mut m = doc.clone();
                        let target = at(&mut m, p).as_object_mut().expect("an object, as in the probe");
                        target.insert(k.to_string(), r.clone());
                        out.push(m);
                    }
                    n += 1;
                }
            }
        }
        out
    }

    fn with_schema(doc: &Value, meta: &str) -> Value {
        let mut d = doc.clone();
        if let Value::Object(o) = &mut d {
            o.insert("$schema".into(), Value::String(meta.into()));
        }
        d
    }

    const DRAFTS: [&str; 3] = [
        "http://json-schema.org/draft-06/schema#",
        "http://json-schema.org/draft-07/schema#",
        "https://json-schema.org/draft/2020-12/schema",
    ];

    fn corpus() -> Vec<(String, Value)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![
            root.join("../charts/hello-fastapi/values.schema.json"),
            root.join("../charts/asky/values.schema.json"),
        ];
        for e in std::fs::read_dir(root.join("tests/conformance")).unwrap() {
            let f = e.unwrap().path().join("chart/values.schema.json");
            if f.exists() {
                files.push(f);
            }
        }
        let mut out: Vec<(String, Value)> = files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(f).unwrap();
                (f.display().to_string(), serde_json::from_str(&text).unwrap())
            })
            .collect();
        assert!(out.len() >= 4, "schema corpus not found");
        let small = serde_json::json!({
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": {"type": ["string", "null"], "pattern": "^x", "minLength": 1},
                "b": {"items": [{"type": "integer"}], "additionalItems": false, "enum": [[1], [2]]},
                "c": {"$ref": "#/definitions/c", "format": "uri"}
            },
            "definitions": {"c": {"anyOf": [{"const": 1}, {"multipleOf": 0.5}], "not": true}},
            "patternProperties": {"^x-": {"dependencies": {"a": ["b"], "b": {"required": []}}}}
        });
        out.push(("small".into(), small));
        out
    }

    /// Soundness of the fast path: whenever it accepts a document, boon's
    /// metaschema validation accepts it too. Over the project charts'
    /// schemas, the conformance cases' and a hand-made one, each under
    /// draft 6, 7 and 2020-12, and their mutants (a sample for the big ones).
    #[test]
    fn metaschema_fast_path_is_sound() {
        let (mut accepted, mut total) = (0, 0);
        for (name, doc) in corpus() {
            let size = doc.to_string().len();
            let step = if size > 4000 { 101 } else { 3 };
            for meta_url in DRAFTS {
                let doc = with_schema(&doc, meta_url);
                let m = metaschema_of(&doc).unwrap();
                let d = meta::Draft::of_url(m).unwrap();
                for v in std::iter::once(doc.clone()).chain(mutants(&doc, |i| i % step == 0)) {
                    total += 1;
                    if meta::certainly_valid(&v, d) {
                        accepted += 1;
                        if let Err(e) = check_metaschema(&v, m) {
                            panic!("{name} under {meta_url}: fast path accepted\n{v}\nboon: {e}");
                        }
                    }
                }
            }
        }
        // both outcomes are well represented
        assert!(
            accepted > total / 10 && accepted < total * 9 / 10,
            "{accepted}/{total}"
        );
    }

    /// The project charts' schemas take the fast path.
    #[test]
    fn project_schemas_are_certainly_valid() {
        for (name, doc) in corpus().into_iter().take(2) {
            let m = metaschema_of(&doc).unwrap();
            assert!(
                meta::certainly_valid(&doc, meta::Draft::of_url(m).unwrap()),
                "{name}"
            );
        }
    }

    /// Same result and error text with and without the fast path, for the
    /// small documents and their mutants.
    #[test]
    fn metaschema_fast_path_keeps_error_text() {
        let mut values = Map::new();
        values.insert("a".into(), serde_json::json!("xy"));
        values.insert("port".into(), serde_json::json!(80));
        let mut n = 0;
        for (_, doc) in corpus().into_iter().skip(2) {
            for meta_url in DRAFTS {
                let doc = with_schema(&doc, meta_url);
                for v in std::iter::once(doc.clone()).chain(mutants(&doc, |i| i % 3 == 0)) {
                    let bytes = serde_json::to_vec(&v).unwrap();
                    for vals in [&Map::new(), &values] {
                        let fast = validate_single_with(vals, &bytes, true);
                        let slow = validate_single_with(vals, &bytes, false);
                        assert_eq!(fast, slow, "{v}");
                        n += 1;
                    }
                }
            }
        }
        assert!(n > 1000, "{n}");
    }

    #[test]
    fn compile_url_never_shows() {
        let schema = br##"{"properties": {"a": {"$ref": "#/$defs/missing"}}}"##;
        let err = validate_single(&Map::new(), schema).unwrap_err();
        assert!(!err.contains(COMPILE_URL) && err.contains(SCHEMA_URL), "{err}");
    }
}
