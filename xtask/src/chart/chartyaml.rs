//! Typed YAML reading for `Chart.yaml`, `Chart.lock` and `requirements.yaml`:
//! go-yaml v2 scalar resolution into a Go-typed `serde_json::Value` (i64 = Go
//! int, f64 = Go float64, u64 = Go uint64; timestamps stay strings). Unlike
//! values (where `chart::yaml` turns every number into float64), a struct
//! string field needs to know int from float (`version: 1.0` → `"1"`,
//! `123456789` stays decimal). Emitting is `chart::yaml::marshal`.
//!
//! Parsing uses `saphyr-parser` events; the resolution rules follow go-yaml
//! v2 `resolve.go` (see docs/decisions.md, "Package and lint").

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

/// A YAML syntax error with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "yaml: line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for YamlError {}

/// Parses the first document of `text` (`Null` for an empty stream).
pub fn parse_first(text: &str) -> Result<Value, YamlError> {
    Ok(parse_documents(text, Some(1))?
        .into_iter()
        .next()
        .unwrap_or(Value::Null))
}

/// Parses every document (at most `max` when given; later text is not read).
pub fn parse_documents(text: &str, max: Option<usize>) -> Result<Vec<Value>, YamlError> {
    let mut docs = Vec::new();
    let mut b: Option<Builder> = None;
    for ev in Parser::new_from_str(text) {
        let (ev, span) = ev.map_err(|e| YamlError {
            line: e.marker().line(),
            message: e.info().to_string(),
        })?;
        let line = span.start.line();
        match ev {
            Event::DocumentStart(_) => {
                b = Some(Builder {
                    anchors: HashMap::new(),
                    stack: Vec::new(),
                    sizes: Vec::new(),
                    nodes: 0,
                    result: None,
                })
            }
            Event::DocumentEnd => {
                if let Some(done) = b.take() {
                    docs.push(done.result.unwrap_or(Value::Null));
                }
                if max.is_some_and(|m| docs.len() >= m) {
                    break;
                }
            }
            other => {
                if let Some(b) = b.as_mut() {
                    b.event(other, line)?;
                }
            }
        }
    }
    Ok(docs)
}

/// The first duplicate mapping key of the first document (go-yaml v2
/// strict mode's `key "x" already set in map`): its 1-based line and text.
pub fn first_duplicate_key(text: &str) -> Option<(usize, String)> {
    let mut stack: Vec<Option<(std::collections::HashSet<String>, bool)>> = Vec::new();
    let mut docs = 0;
    for ev in Parser::new_from_str(text) {
        let (ev, span) = ev.ok()?;
        let mut key_event: Option<String> = None;
        match ev {
            Event::DocumentStart(_) => {
                docs += 1;
                if docs > 1 {
                    return None;
                }
            }
            Event::MappingStart(..) => {
                // A mapping can itself be a key or a value: account for it
                // in the parent first.
                if let Some(Some((_, expecting_key))) = stack.last_mut() {
                    *expecting_key = !*expecting_key;
                }
                stack.push(Some((std::collections::HashSet::new(), true)));
                continue;
            }
            Event::SequenceStart(..) => {
                if let Some(Some((_, expecting_key))) = stack.last_mut() {
                    *expecting_key = !*expecting_key;
                }
                stack.push(None);
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                continue;
            }
            Event::Scalar(v, style, _, _) => {
                key_event = Some(match style {
                    ScalarStyle::Plain => key_string(&resolve_plain(&v)).unwrap_or_default(),
                    _ => v.to_string(),
                });
            }
            Event::Alias(_) => key_event = Some(String::new()),
            _ => continue,
        }
        if let (Some(k), Some(Some((keys, expecting_key)))) = (key_event, stack.last_mut()) {
            if *expecting_key && k != "<<" && !keys.insert(k.clone()) {
                return Some((span.start.line(), k));
            }
            *expecting_key = !*expecting_key;
        }
    }
    None
}

enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map<String, Value>, Option<(String, bool)>, usize),
}

/// Upper bound on decoded nodes, aliases expanded (the guard `chart::yaml`
/// uses against go-yaml's "document contains excessive aliasing"): a
/// billion-laughs Chart.yaml is an error, not an exhausted memory.
const MAX_NODES: usize = 4_000_000;

struct Builder {
    /// Anchored values with their node counts.
    anchors: HashMap<usize, (Value, usize)>,
    stack: Vec<Frame>,
    /// Node counts of the open collections (parallel to `stack`).
    sizes: Vec<usize>,
    /// Nodes decoded so far, aliases expanded.
    nodes: usize,
    result: Option<Value>,
}

impl Builder {
    /// Counts `n` more decoded nodes; `in_parent`: they are a finished
    /// value of the open collection (whose own count then grows).
    fn count(&mut self, n: usize, in_parent: bool, line: usize) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                line,
                message: "document contains excessive aliasing".into(),
            });
        }
        if let (true, Some(c)) = (in_parent, self.sizes.last_mut()) {
            *c = c.saturating_add(n);
        }
        Ok(())
    }

    fn event(&mut self, ev: Event, line: usize) -> Result<(), YamlError> {
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, true, line)?;
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let v = resolve_scalar(&text, style, tag.as_deref());
                if anchor > 0 {
                    self.anchors.insert(anchor, (v.clone(), 1));
                }
                let is_merge_key = style == ScalarStyle::Plain && text == "<<" && tag.is_none();
                self.push(v, is_merge_key, line)
            }
            Event::Alias(id) => {
                let (v, n) = self.anchors.get(&id).cloned().ok_or(YamlError {
                    line,
                    message: format!("unknown anchor '{id}' referenced"),
                })?;
                self.count(n, true, line)?;
                self.push(v, false, line)
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq(Vec::new(), anchor));
                self.count(1, false, line)?;
                self.sizes.push(1);
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map(Map::new(), None, anchor));
                self.count(1, false, line)?;
                self.sizes.push(1);
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (v, anchor) = match self.stack.pop() {
                    Some(Frame::Seq(items, a)) => (Value::Array(items), a),
                    Some(Frame::Map(m, _, a)) => (Value::Object(m), a),
                    None => return Ok(()),
                };
                let n = self.sizes.pop().unwrap_or(1);
                if let Some(c) = self.sizes.last_mut() {
                    *c = c.saturating_add(n);
                }
                if anchor > 0 {
                    self.anchors.insert(anchor, (v.clone(), n));
                }
                self.push(v, false, line)
            }
            _ => Ok(()),
        }
    }

    fn push(&mut self, v: Value, is_merge_key: bool, line: usize) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => {
                if self.result.is_none() {
                    self.result = Some(v);
                }
                Ok(())
            }
            Some(Frame::Seq(items, _)) => {
                items.push(v);
                Ok(())
            }
            Some(Frame::Map(m, pending, _)) => match pending.take() {
                None => {
                    let key = key_string(&v).ok_or(YamlError {
                        line,
                        message: "unsupported map key".into(),
                    })?;
                    *pending = Some((key, is_merge_key));
                    Ok(())
                }
                Some((_, true)) => {
                    let sources = match v {
                        Value::Object(o) => vec![o],
                        Value::Array(list) => {
                            let mut out = Vec::new();
                            for item in list.into_iter().rev() {
                                match item {
                                    Value::Object(o) => out.push(o),
                                    _ => {
                                        return Err(YamlError {
                                            line,
                                            message:
                                                "map merge requires map or sequence of maps as the value"
                                                    .into(),
                                        })
                                    }
                                }
                            }
                            out
                        }
                        _ => {
                            return Err(YamlError {
                                line,
                                message: "map merge requires map or sequence of maps as the value".into(),
                            })
                        }
                    };
                    for src in sources {
                        for (k, val) in src {
                            m.insert(k, val);
                        }
                    }
                    Ok(())
                }
                Some((key, false)) => {
                    m.insert(key, v);
                    Ok(())
                }
            },
        }
    }
}

/// sigs.k8s.io/yaml key stringification.
fn key_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".into()),
        Value::Number(n) => Some(number_to_go_string(n)),
        _ => None,
    }
}

/// How sigs.k8s.io/yaml turns a YAML number into a Go string field:
/// ints in decimal, floats with `FormatFloat(f, 'g', -1, 32)`.
pub fn number_to_go_string(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        if !n.is_f64() {
            return i.to_string();
        }
    }
    if let Some(u) = n.as_u64() {
        if !n.is_f64() {
            return u.to_string();
        }
    }
    let f = n.as_f64().unwrap_or(0.0);
    crate::chart::strconv::format_float(f, 'g', -1, 32)
}

fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match tag {
        Some("tag:yaml.org,2002:str") | Some("!!str") => return Value::String(text.to_string()),
        Some("!") => return Value::String(text.to_string()),
        _ => {}
    }
    resolve_plain(text)
}

/// go-yaml v2 `resolve()` for a plain scalar.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Value::Bool(false)
        }
        // NaN/Inf cannot survive the JSON step; keep them as strings so a
        // string field still gets the text.
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf"
        | "-.Inf" | "-.INF" => return Value::String(s.to_string()),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if first == b'.' {
        if let Ok(f) = s.parse::<f64>() {
            if is_go_float_syntax(s) {
                return float(f, s);
            }
        }
        return Value::String(s.to_string());
    }
    if !(first.is_ascii_digit() || first == b'+' || first == b'-') {
        return Value::String(s.to_string());
    }
    if looks_like_timestamp(s) {
        return Value::String(s.to_string());
    }
    let plain = s.replace('_', "");
    if let Some(i) = go_parse_int(&plain) {
        return Value::Number(Number::from(i));
    }
    if let Some(u) = go_parse_uint(&plain) {
        return Value::Number(Number::from(u));
    }
    if crate::chart::yaml::resolve::is_yaml_float(&plain) {
        if let Ok(f) = plain.parse::<f64>() {
            return float(f, s);
        }
    }
    if let Some(rest) = plain.strip_prefix("0b") {
        if let Ok(i) = i64::from_str_radix(rest, 2) {
            return Value::Number(i.into());
        }
    }
    if let Some(rest) = plain.strip_prefix("-0b") {
        if let Ok(i) = i64::from_str_radix(rest, 2) {
            return Value::Number((-i).into());
        }
    }
    Value::String(s.to_string())
}

fn float(f: f64, s: &str) -> Value {
    Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(s.to_string()))
}

fn is_go_float_syntax(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-' | b'_'))
}

/// go-yaml v2's timestamp formats: 2006-1-2T15:4:5.999999999Z07:00,
/// 2006-1-2t15:4:5.999999999Z07:00, 2006-1-2 15:4:5.999999999, 2006-1-2.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // Y2 only tries when the first 4 bytes are digits and the 5th is '-'.
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let (date, time) = match rest.find(['T', 't', ' ']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let dp: Vec<&str> = date.split('-').collect();
    if dp.len() != 2
        || !dp
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    let month: u32 = dp[0].parse().unwrap_or(0);
    let day: u32 = dp[1].parse().unwrap_or(0);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    match time {
        None => true,
        Some(t) => {
            let hms_end = t
                .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
                .unwrap_or(t.len());
            let hms = &t[..hms_end];
            let zone = &t[hms_end..];
            let mut parts = hms.split(':');
            let ok_hms = matches!(
                (parts.next(), parts.next(), parts.next(), parts.next()),
                (Some(h), Some(m), Some(_), None) if (1..=2).contains(&h.len()) && (1..=2).contains(&m.len())
            );
            ok_hms && (zone.is_empty() || zone == "Z" || zone.starts_with('+') || zone.starts_with('-'))
        }
    }
}

/// Go `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint_base0(body)?;
    if neg {
        if u <= (i64::MAX as u64) + 1 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else if u <= i64::MAX as u64 {
        Some(u as i64)
    } else {
        None
    }
}

fn go_parse_uint(s: &str) -> Option<u64> {
    parse_uint_base0(s)
}

fn parse_uint_base0(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(r) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (2, r)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_like_go_yaml_v2() {
        let v = parse_first(
            "a: 1.10\nb: 1.0\nc: yes\nd: 0777\ne: 1_000\nf: 2001-12-14\ng: '1'\nh: ~\ni: 0x1F\nj: 08\nk: 1e3\nl: .5\nm: on\n",
        )
        .unwrap();
        assert_eq!(number_to_go_string(v["a"].as_number().unwrap()), "1.1");
        assert_eq!(number_to_go_string(v["b"].as_number().unwrap()), "1");
        assert_eq!(v["c"], json!(true));
        assert_eq!(v["d"], json!(511));
        assert_eq!(v["e"], json!(1000));
        assert_eq!(v["f"], json!("2001-12-14"));
        assert_eq!(v["g"], json!("1"));
        assert_eq!(v["h"], Value::Null);
        assert_eq!(v["i"], json!(31));
        assert_eq!(number_to_go_string(v["j"].as_number().unwrap()), "8");
        assert_eq!(number_to_go_string(v["k"].as_number().unwrap()), "1000");
        assert_eq!(number_to_go_string(v["l"].as_number().unwrap()), "0.5");
        assert_eq!(v["m"], json!(true));
    }

    #[test]
    fn finds_duplicate_keys() {
        assert_eq!(
            first_duplicate_key("a: 1\nb:\n  c: 1\n  c: 2\nd: [1, 1]\n"),
            Some((4, "c".to_string()))
        );
        assert_eq!(first_duplicate_key("a: {x: 1}\nb: {x: 1}\n"), None);
        assert_eq!(
            first_duplicate_key("version: 0.0.0\nversion: 0.0.1\n"),
            Some((2, "version".to_string()))
        );
    }

    #[test]
    fn merge_keys_aliases_duplicates() {
        let v = parse_first("base: &b {x: 1, p: 2}\nother:\n  <<: *b\n  p: 3\ndup: 1\ndup: 2\n").unwrap();
        assert_eq!(v["other"], json!({"x": 1, "p": 3}));
        assert_eq!(v["dup"], json!(2));
        let e = parse_first("a: [1, 2\nb: c\n").unwrap_err();
        assert!(e.line >= 1);
    }
}
