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

const SCHEMA_URL: &str = "file:///values.schema.json";

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
        ErrorKind::Schema { url } => format!("jsonschema validation failed with {}", quote(url)),
        ErrorKind::ContentSchema => "contentSchema failed".into(),
        ErrorKind::PropertyName { prop } => format!("invalid propertyName {}", quote(prop)),
        ErrorKind::Reference { .. } => "validation failed".into(),
        ErrorKind::RefCycle {
            url,
            kw_loc1,
            kw_loc2,
        } => format!("both {kw_loc1} and {kw_loc2} resolve to {url:?} causing reference cycle"),
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
    let schema: Value = serde_json::from_slice(schema_json).map_err(|e| e.to_string())?;
    let mut schemas = Schemas::new();
    let mut compiler = Compiler::new();
    compiler
        .add_resource(SCHEMA_URL, schema)
        .map_err(|e| e.to_string())?;
    let idx = compiler
        .compile(SCHEMA_URL, &mut schemas)
        .map_err(|e| e.to_string())?;
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
}
