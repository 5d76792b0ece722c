//! Go-compatible YAML for `Chart.yaml`, `Chart.lock` and `requirements.yaml`
//! (pkglint's own, small): parsing with go-yaml v2 scalar resolution into a
//! Go-typed `serde_json::Value` (i64 = Go int, f64 = Go float64, u64 = Go
//! uint64; timestamps stay strings), and emitting the way `sigs.k8s.io/yaml`
//! + go-yaml v2 marshal (natural key order, Y2 quoting, 80-column folding).
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

/// What Helm's values loader requires: every document parses and is a
/// mapping (or empty). The error reads like sigs.k8s.io/yaml's.
pub fn check_all_documents_are_maps(text: &str) -> Result<(), String> {
    let docs = parse_documents(text, None).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    for d in docs {
        match d {
            Value::Null | Value::Object(_) => {}
            other => {
                let kind = match other {
                    Value::Array(_) => "array",
                    Value::String(_) => "string",
                    Value::Number(_) => "number",
                    _ => "bool",
                };
                return Err(format!("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"));
            }
        }
    }
    Ok(())
}

enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map<String, Value>, Option<(String, bool)>, usize),
}

struct Builder {
    anchors: HashMap<usize, Value>,
    stack: Vec<Frame>,
    result: Option<Value>,
}

impl Builder {
    fn event(&mut self, ev: Event, line: usize) -> Result<(), YamlError> {
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let v = resolve_scalar(&text, style, tag.as_deref());
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                let is_merge_key = style == ScalarStyle::Plain && text == "<<" && tag.is_none();
                self.push(v, is_merge_key, line)
            }
            Event::Alias(id) => {
                let v = self.anchors.get(&id).cloned().ok_or(YamlError {
                    line,
                    message: format!("unknown anchor '{id}' referenced"),
                })?;
                self.push(v, false, line)
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq(Vec::new(), anchor));
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map(Map::new(), None, anchor));
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (v, anchor) = match self.stack.pop() {
                    Some(Frame::Seq(items, a)) => (Value::Array(items), a),
                    Some(Frame::Map(m, _, a)) => (Value::Object(m), a),
                    None => return Ok(()),
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
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
    if is_y2_float(&plain) {
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

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_y2_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
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

// ---------------------------------------------------------------- emitter

/// Marshals a JSON-shaped value the way `sigs.k8s.io/yaml.Marshal` does
/// (JSON → go-yaml v2), with the trailing newline.
pub fn to_yaml(v: &Value) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
    };
    match v {
        Value::Object(m) if !m.is_empty() => e.block_map(m, 0),
        Value::Array(a) if !a.is_empty() => e.block_seq(a, 0),
        other => {
            e.scalar_inline(other, 0, false);
            e.newline();
        }
    }
    e.out
}

struct Emitter {
    out: String,
    column: usize,
}

const BEST_WIDTH: usize = 80;

impl Emitter {
    fn put(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += s.chars().count();
    }
    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }
    fn indent_to(&mut self, indent: usize) {
        if self.column > 0 {
            self.newline();
        }
        for _ in 0..indent {
            self.out.push(' ');
        }
        self.column = indent;
    }

    fn block_map(&mut self, m: &Map<String, Value>, indent: usize) {
        let mut keys: Vec<&String> = m.keys().collect();
        keys.sort_by(|a, b| natural_cmp(a, b));
        for (i, k) in keys.into_iter().enumerate() {
            if i > 0 || self.column != indent {
                self.indent_to(indent);
            }
            self.string(k, indent, true);
            self.put(":");
            let v = &m[k];
            match v {
                Value::Object(o) if !o.is_empty() => {
                    self.newline();
                    self.block_map(o, indent + 2);
                }
                Value::Array(a) if !a.is_empty() => {
                    self.newline();
                    self.block_seq(a, indent);
                }
                other => {
                    self.put(" ");
                    self.scalar_inline(other, indent + 2, false);
                }
            }
        }
        self.newline();
        self.trim_double_newline();
    }

    fn block_seq(&mut self, a: &[Value], indent: usize) {
        for item in a {
            self.indent_to(indent);
            self.put("- ");
            match item {
                Value::Object(o) if !o.is_empty() => {
                    // First key stays on the dash line.
                    self.block_map(o, indent + 2);
                }
                Value::Array(inner) if !inner.is_empty() => {
                    self.block_seq_inline(inner, indent + 2);
                }
                other => self.scalar_inline(other, indent + 2, false),
            }
        }
        self.newline();
        self.trim_double_newline();
    }

    fn block_seq_inline(&mut self, a: &[Value], indent: usize) {
        for (i, item) in a.iter().enumerate() {
            if i > 0 {
                self.indent_to(indent);
            }
            self.put("- ");
            match item {
                Value::Object(o) if !o.is_empty() => self.block_map(o, indent + 2),
                Value::Array(inner) if !inner.is_empty() => self.block_seq_inline(inner, indent + 2),
                other => self.scalar_inline(other, indent + 2, false),
            }
        }
    }

    fn trim_double_newline(&mut self) {
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        self.column = 0;
    }

    fn scalar_inline(&mut self, v: &Value, indent: usize, key: bool) {
        match v {
            Value::Null => self.put("null"),
            Value::Bool(b) => self.put(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                let s = if n.is_f64() {
                    let f = n.as_f64().unwrap_or(0.0);
                    if f == f.trunc() && f.abs() < 1e21 {
                        // JSON prints integral floats as integers; go-yaml
                        // re-reads them as ints.
                        format!("{f:.0}")
                    } else {
                        crate::chart::strconv::format_float(f, 'g', -1, 64)
                    }
                } else {
                    n.to_string()
                };
                self.put(&s)
            }
            Value::String(s) => self.string(s, indent, key),
            Value::Object(_) => self.put("{}"),
            Value::Array(_) => self.put("[]"),
        }
    }

    fn string(&mut self, s: &str, indent: usize, simple_key: bool) {
        let plain_ok = matches!(resolve_plain_for_emit(s), Value::String(_)) && !is_base60_float(s);
        let a = analyze(s);
        let mut style = if s.contains('\n') {
            Style::Literal
        } else if plain_ok {
            Style::Plain
        } else {
            Style::Double
        };
        if style == Style::Plain && (!a.block_plain_allowed || (s.is_empty() && simple_key)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || simple_key) {
            style = Style::Double;
        }
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(s, indent, allow_breaks),
            Style::Single => self.write_single(s, indent, allow_breaks),
            Style::Double => self.write_double(s, indent, allow_breaks),
            Style::Literal => self.write_literal(s, indent),
        }
    }

    fn break_to(&mut self, indent: usize) {
        self.newline();
        for _ in 0..indent {
            self.out.push(' ');
        }
        self.column = indent;
    }

    fn write_plain(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_space {
                    self.break_to(indent);
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else {
                self.out.push(c);
                self.column += 1;
                spaces = false;
            }
        }
    }

    fn write_single(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put("'");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                    && !next_space
                {
                    self.break_to(indent);
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.put("'");
                }
                self.out.push(c);
                self.column += 1;
                spaces = false;
            }
        }
        self.put("'");
    }

    fn write_double(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put("\"");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                let esc = match c {
                    '\0' => "\\0".to_string(),
                    '\u{7}' => "\\a".into(),
                    '\u{8}' => "\\b".into(),
                    '\t' => "\\t".into(),
                    '\n' => "\\n".into(),
                    '\u{b}' => "\\v".into(),
                    '\u{c}' => "\\f".into(),
                    '\r' => "\\r".into(),
                    '\u{1b}' => "\\e".into(),
                    '"' => "\\\"".into(),
                    '\\' => "\\\\".into(),
                    '\u{85}' => "\\N".into(),
                    '\u{a0}' => "\\_".into(),
                    '\u{2028}' => "\\L".into(),
                    '\u{2029}' => "\\P".into(),
                    c if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
                    c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
                    c => format!("\\U{:08X}", c as u32),
                };
                self.put(&esc);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i < chars.len() - 1 {
                    self.break_to(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put("\\");
                    }
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else {
                self.out.push(c);
                self.column += 1;
                spaces = false;
            }
        }
        self.put("\"");
    }

    fn write_literal(&mut self, s: &str, indent: usize) {
        self.put("|");
        let chars: Vec<char> = s.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.put("2");
        }
        let last_break = chars.last().is_some_and(|&c| is_break(c));
        if !last_break {
            self.put("-");
        } else if chars.len() == 1 || is_break(chars[chars.len() - 2]) {
            self.put("+");
        }
        self.newline();
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.out.push('\n');
                self.column = 0;
                breaks = true;
            } else {
                if breaks {
                    for _ in 0..indent {
                        self.out.push(' ');
                    }
                    self.column = indent;
                    breaks = false;
                }
                self.out.push(c);
                self.column += 1;
            }
        }
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// `resolve()` as the encoder uses it for a string: anything that would not
/// read back as a string must be quoted. Unlike [`resolve_plain`], `.nan`
/// and friends count as floats here.
fn resolve_plain_for_emit(s: &str) -> Value {
    match s {
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf"
        | "-.Inf" | "-.INF" => Value::Bool(false),
        "<<" => Value::Bool(false),
        _ if s.is_empty() => Value::Null,
        _ if looks_like_timestamp(s) => Value::Bool(false),
        _ => resolve_plain(s),
    }
}

fn is_base60_float(s: &str) -> bool {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() && i - st < 2 {
            i += 1;
        }
        let n = i - st;
        if n == 0 || (n == 2 && b[st] > b'5') {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

struct Analysis {
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// go-yaml v2 `is_printable` (the emitter runs with unicode enabled).
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn analyze(s: &str) -> Analysis {
    let mut a = Analysis {
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if s.is_empty() {
        a.block_allowed = false;
        return a;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break, mut previous_space, mut previous_break) =
        (false, false, false, false);
    let (mut line_breaks, mut special) = (false, false);
    let mut preceded_by_ws = true;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_ws =
            i + 1 >= chars.len() || matches!(chars[i + 1], ' ' | '\t') || is_break(chars[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@'
                | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == chars.len() {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == chars.len() {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = matches!(c, ' ' | '\t') || is_break(c);
    }
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.block_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// go-yaml v2 `keyList.Less` for string keys ("natural" order).
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let less = |a: &str, b: &str| -> bool {
        let ar: Vec<char> = a.chars().collect();
        let br: Vec<char> = b.chars().collect();
        let mut digits = false;
        let mut i = 0;
        while i < ar.len() && i < br.len() {
            if ar[i] == br[i] {
                digits = ar[i].is_numeric();
                i += 1;
                continue;
            }
            let al = ar[i].is_alphabetic();
            let bl = br[i].is_alphabetic();
            if al && bl {
                return ar[i] < br[i];
            }
            if al || bl {
                return if digits { al } else { bl };
            }
            let (mut an, mut bn) = (0i64, 0i64);
            if ar[i] == '0' || br[i] == '0' {
                let mut j = i as isize - 1;
                while j >= 0 && ar[j as usize].is_numeric() {
                    if ar[j as usize] != '0' {
                        an = 1;
                        bn = 1;
                        break;
                    }
                    j -= 1;
                }
            }
            let mut ai = i;
            while ai < ar.len() && ar[ai].is_ascii_digit() {
                an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
                ai += 1;
            }
            let mut bi = i;
            while bi < br.len() && br[bi].is_ascii_digit() {
                bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
                bi += 1;
            }
            if an != bn {
                return an < bn;
            }
            if ai != bi {
                return ai < bi;
            }
            return ar[i] < br[i];
        }
        ar.len() < br.len()
    };
    if less(a, b) {
        Ordering::Less
    } else if less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
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
    fn merge_keys_aliases_duplicates() {
        let v = parse_first("base: &b {x: 1, p: 2}\nother:\n  <<: *b\n  p: 3\ndup: 1\ndup: 2\n").unwrap();
        assert_eq!(v["other"], json!({"x": 1, "p": 3}));
        assert_eq!(v["dup"], json!(2));
        let e = parse_first("a: [1, 2\nb: c\n").unwrap_err();
        assert!(e.line >= 1);
    }

    #[test]
    fn emits_like_go_yaml_v2() {
        let v = json!({
            "version": "1",
            "name": "demo",
            "apiVersion": "v2",
            "appVersion": "1.16.0",
            "description": "",
            "keywords": ["a", "yes", "- x", "#c", "a: b"],
            "home": "https://x",
            "deprecated": true,
            "maintainers": [{"name": "Me", "email": "me@x"}],
            "annotations": {"key10": "v", "key9": "true", "k": "multi\nline"},
            "dependencies": [{"name": "sub", "repository": "", "import-values": [{"child": "a", "parent": "b"}]}]
        });
        let want = "annotations:\n  k: |-\n    multi\n    line\n  key9: \"true\"\n  key10: v\napiVersion: v2\nappVersion: 1.16.0\ndependencies:\n- import-values:\n  - child: a\n    parent: b\n  name: sub\n  repository: \"\"\ndeprecated: true\ndescription: \"\"\nhome: https://x\nkeywords:\n- a\n- \"yes\"\n- '- x'\n- '#c'\n- 'a: b'\nmaintainers:\n- email: me@x\n  name: Me\nname: demo\nversion: \"1\"\n";
        assert_eq!(to_yaml(&v), want);
    }

    #[test]
    fn folds_long_lines_at_80_columns() {
        let long = "word ".repeat(30);
        let long = long.trim_end();
        let out = to_yaml(&json!({ "description": long }));
        let first = out.lines().next().unwrap();
        assert!(first.len() > 80 && first.len() < 90, "{out}");
        assert!(out.lines().nth(1).unwrap().starts_with("  word"), "{out}");
    }

    #[test]
    fn natural_order() {
        let mut keys = vec!["b", "a10", "a9", "A", "_x", "1"];
        keys.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(keys, vec!["_x", "1", "A", "a9", "a10", "b"]);
    }
}
