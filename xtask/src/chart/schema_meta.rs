//! A conservative, hand-written check of a schema document against the
//! draft-06, draft-07 and 2020-12 metaschemas (the ones boon ships, with
//! format assertions on, as [`super::check_metaschema`] compiles them).
//!
//! [`certainly_valid`] answers `true` only when every keyword value the
//! metaschema constrains is plainly of the required shape; anything unusual
//! (a `%` in a URI, a port, a regex that does not parse, numbers written as
//! `1.0`, …) answers `false`, and the caller runs boon's metaschema
//! validation, which produces the exact error text. Soundness rule:
//! `certainly_valid(doc) ⇒ boon accepts doc`; the tests check it against
//! boon on many generated documents.
//!
//! One keyword table serves the three drafts: where the drafts differ, the
//! check is the strictest of them (stricter only means more fallbacks),
//! except `items`, which draft 6/7 also allow as an array of schemas.

use serde_json::{Map, Number, Value};

/// The drafts with a fast path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Draft {
    V6,
    V7,
    V2020,
}

impl Draft {
    /// The draft for a metaschema URL as [`super::metaschema_of`] returns it.
    pub(super) fn of_url(url: &str) -> Option<Draft> {
        match url {
            "http://json-schema.org/draft-06/schema" => Some(Draft::V6),
            "http://json-schema.org/draft-07/schema" => Some(Draft::V7),
            "https://json-schema.org/draft/2020-12/schema" => Some(Draft::V2020),
            _ => None,
        }
    }
}

/// `true` only if `doc` is certainly valid against `draft`'s metaschema.
pub(super) fn certainly_valid(doc: &Value, draft: Draft) -> bool {
    Checker {
        d: draft,
        regexes: Vec::new(),
    }
    .schema(doc)
}

struct Checker<'a> {
    d: Draft,
    /// Patterns already found good (schemas repeat theirs).
    regexes: Vec<&'a str>,
}

impl<'a> Checker<'a> {
    fn schema(&mut self, v: &'a Value) -> bool {
        match v {
            Value::Bool(_) => true,
            Value::Object(o) => o.iter().all(|(k, v)| self.keyword(k, v)),
            _ => false,
        }
    }

    fn regex(&mut self, s: &'a str) -> bool {
        if self.regexes.contains(&s) {
            return true;
        }
        let ok = regex(s);
        if ok {
            self.regexes.push(s);
        }
        ok
    }

    fn keyword(&mut self, k: &str, v: &'a Value) -> bool {
        let d = self.d;
        match k {
            "$id" => {
                let Value::String(s) = v else { return false };
                // 2020-12 also wants `^[^#]*#?$` (no non-empty fragment)
                uri_reference(s) && (d != Draft::V2020 || s.find('#').is_none_or(|i| i == s.len() - 1))
            }
            "$schema" => matches!(v, Value::String(s) if uri(s)),
            "$ref" | "$dynamicRef" | "$recursiveRef" => matches!(v, Value::String(s) if uri_reference(s)),
            "$anchor" | "$dynamicAnchor" | "$recursiveAnchor" => matches!(v, Value::String(s) if anchor(s)),
            "$vocabulary" => match v {
                Value::Object(o) => o.iter().all(|(k, v)| uri(k) && v.is_boolean()),
                _ => false,
            },
            "$comment" | "title" | "description" | "format" | "contentEncoding" | "contentMediaType" => {
                v.is_string()
            }
            "deprecated" | "readOnly" | "writeOnly" | "uniqueItems" => v.is_boolean(),
            "examples" => v.is_array(),
            "default" | "const" => true,
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => self.schema_array(v),
            "items" => match v {
                Value::Array(_) if d != Draft::V2020 => self.schema_array(v),
                _ => self.schema(v),
            },
            "additionalItems"
            | "additionalProperties"
            | "contains"
            | "not"
            | "if"
            | "then"
            | "else"
            | "propertyNames"
            | "unevaluatedItems"
            | "unevaluatedProperties"
            | "contentSchema" => self.schema(v),
            "properties" | "definitions" | "$defs" | "dependentSchemas" => {
                matches!(v, Value::Object(o) if o.values().all(|v| self.schema(v)))
            }
            "patternProperties" => {
                matches!(v, Value::Object(o) if o.iter().all(|(k, v)| self.regex(k) && self.schema(v)))
            }
            "dependencies" => match v {
                Value::Object(o) => o.values().all(|v| match v {
                    Value::Array(_) => string_array(v),
                    _ => self.schema(v),
                }),
                _ => false,
            },
            "dependentRequired" => matches!(v, Value::Object(o) if o.values().all(string_array)),
            "type" => match v {
                Value::String(s) => simple_type(s),
                Value::Array(a) => {
                    !a.is_empty()
                        && a.iter().all(|t| matches!(t, Value::String(s) if simple_type(s)))
                        && all_distinct(a, |x, y| x == y)
                }
                _ => false,
            },
            // 2020-12 drops draft 7's `minItems: 1, uniqueItems: true`; keep both
            "enum" => matches!(v, Value::Array(a) if !a.is_empty() && all_distinct(a, maybe_equal)),
            "required" => string_array(v),
            "multipleOf" => matches!(v, Value::Number(n) if positive(n)),
            "maximum" | "exclusiveMaximum" | "minimum" | "exclusiveMinimum" => v.is_number(),
            "maxLength" | "minLength" | "maxItems" | "minItems" | "maxProperties" | "minProperties"
            | "maxContains" | "minContains" => v.is_u64(),
            "pattern" => matches!(v, Value::String(s) if self.regex(s)),
            _ => true,
        }
    }

    fn schema_array(&mut self, v: &'a Value) -> bool {
        matches!(v, Value::Array(a) if !a.is_empty() && a.iter().all(|v| self.schema(v)))
    }
}

fn string_array(v: &Value) -> bool {
    matches!(v, Value::Array(a) if a.iter().all(Value::is_string) && all_distinct(a, |x, y| x == y))
}

fn simple_type(s: &str) -> bool {
    matches!(
        s,
        "array" | "boolean" | "integer" | "null" | "number" | "object" | "string"
    )
}

fn positive(n: &Number) -> bool {
    match n.as_u64() {
        Some(u) => u > 0,
        None => n.as_f64().is_some_and(|f| f.is_finite() && f > 0.0),
    }
}

/// No two items `same` (pairwise; the arrays here are short).
fn all_distinct(a: &[Value], same: impl Fn(&Value, &Value) -> bool) -> bool {
    a.iter()
        .enumerate()
        .all(|(i, x)| a[i + 1..].iter().all(|y| !same(x, y)))
}

/// `true` whenever boon's `uniqueItems` equality could hold (numbers are
/// compared as f64, which is equal whenever the exact values are).
fn maybe_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| maybe_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => objects_maybe_equal(x, y),
        _ => false,
    }
}

fn objects_maybe_equal(x: &Map<String, Value>, y: &Map<String, Value>) -> bool {
    x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| maybe_equal(v, w)))
}

/// 2020-12 `anchorString`: `^[A-Za-z_][-A-Za-z0-9._]*$`.
fn anchor(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
}

/// Format `regex` as boon asserts it: the ECMA-to-Rust conversion must
/// succeed. Certain only when regex-syntax parses the pattern as it is and
/// there is no `\a` (which boon rejects as not ECMA); boon's compile then
/// parses it again.
fn regex(s: &str) -> bool {
    !s.contains("\\a") && regex_syntax::ast::parse::Parser::new().parse(s).is_ok()
}

/// Characters that may appear anywhere in a path, query or fragment
/// (unreserved, sub-delims, `:`, `@`, `/`, `?`); no `%`, `#`, `[`, `]`.
fn uri_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&c)
}

/// Format `uri-reference`, conservatively: plain ASCII, no
/// percent-escapes, a simple authority (host and optional short port).
fn uri_reference(s: &str) -> bool {
    uri_parts(s).is_some()
}

/// Format `uri`: a `uri-reference` with a scheme.
fn uri(s: &str) -> bool {
    uri_parts(s) == Some(true)
}

/// `Some(has_scheme)` when `s` is certainly an RFC 3986 URI reference.
fn uri_parts(s: &str) -> Option<bool> {
    let (rest, frag) = match s.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (s, None),
    };
    if !frag.unwrap_or("").bytes().all(uri_char) {
        return None;
    }
    // a `:` before any `/` or `?` ends a scheme (or makes a bad relative ref)
    let first_seg_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (scheme, hier) = match rest[..first_seg_end].find(':') {
        Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
        None => (None, rest),
    };
    if let Some(sc) = scheme {
        let b = sc.as_bytes();
        if b.is_empty()
            || !b[0].is_ascii_alphabetic()
            || !b
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        {
            return None;
        }
    }
    let path = match hier.strip_prefix("//") {
        Some(after) => {
            let end = after.find(['/', '?']).unwrap_or(after.len());
            let (host, port) = match after[..end].split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (&after[..end], None),
            };
            if !host
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.'))
            {
                return None;
            }
            if let Some(p) = port {
                if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) || p.parse::<u16>().is_err() {
                    return None;
                }
            }
            &after[end..]
        }
        None => hier,
    };
    path.bytes().all(uri_char).then_some(scheme.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        for ok in [
            "",
            "#",
            "#/definitions/a",
            "a.json#/b",
            "http://json-schema.org/draft-07/schema#",
            "https://example.com:8443/x?y=1#z",
            "urn:uuid:1234",
            "file:///x",
        ] {
            assert!(uri_reference(ok), "{ok:?}");
        }
        for uncertain in [
            "a b",
            "%20",
            "#a#b",
            "1a:b",
            "//a@b/",
            "http://h:99999/",
            "[::1]",
            "é",
        ] {
            assert!(!uri_reference(uncertain), "{uncertain:?}");
        }
        assert!(uri("http://x/y"));
        assert!(!uri("/x/y") && !uri("#x"));
    }

    #[test]
    fn regexes() {
        assert!(regex("^[a-z]+$") && regex("^(sha256:[a-f0-9]{64})?$"));
        assert!(!regex("(") && !regex("\\a") && !regex("[z-a]"));
    }
}
