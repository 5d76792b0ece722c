//! Go `encoding/json` output (`json.Marshal`, `json.MarshalIndent`) and
//! decoding into `interface{}` (every number a float64).

use serde_json::{Number, Value};

use crate::chart::strconv::format_float;

/// Go `encoding/json` text of a number. i64/u64 Numbers (Go int64) print as
/// decimal; f64 Numbers (Go float64) use `'f'` unless the magnitude is
/// below 1e-6 or at least 1e21, then `'e'` with a 1-digit minimum exponent.
pub fn number_text(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    float_text(n.as_f64().unwrap_or(0.0))
}

/// Go `encoding/json` float64 formatting (`floatEncoder`).
pub fn float_text(f: f64) -> String {
    let abs = f.abs();
    let fmt = if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        'e'
    } else {
        'f'
    };
    let mut s = format_float(f, fmt, -1, 64);
    if fmt == 'e' {
        // clean up e-09 to e-9
        let b = s.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
    }
    s
}

fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_value(out: &mut String, v: &Value, escape_html: bool, indent: Option<&str>, depth: usize) {
    let newline = |out: &mut String, d: usize| {
        if let Some(ind) = indent {
            out.push('\n');
            for _ in 0..d {
                out.push_str(ind);
            }
        }
    };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => write_string(out, s, escape_html),
        Value::Array(a) => {
            out.push('[');
            if a.is_empty() {
                out.push(']');
                return;
            }
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_value(out, item, escape_html, indent, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            if m.is_empty() {
                out.push('}');
                return;
            }
            // serde_json's Map is a BTreeMap: bytewise key order like Go.
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_string(out, k, escape_html);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_value(out, item, escape_html, indent, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

/// Helm `toJson` / Go `json.Marshal`: sorted keys, `<>&` and U+2028/9
/// escaped, Go float formatting.
pub fn to_json(v: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, v, true, None, 0);
    s
}

/// sprig `toRawJson`: like [`to_json`] without HTML escaping.
pub fn to_raw_json(v: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, v, false, None, 0);
    s
}

/// sprig `toPrettyJson`: `json.MarshalIndent(v, "", "  ")`.
pub fn to_pretty_json(v: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, v, true, Some("  "), 0);
    s
}

/// Every number converted to float64 (Go `json.Unmarshal` into `interface{}`).
pub fn floatify(v: Value) -> Value {
    match v {
        Value::Number(n) => {
            let f = n
                .as_f64()
                .or_else(|| n.to_string().parse::<f64>().ok())
                .unwrap_or(0.0);
            Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(floatify).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, floatify(v))).collect()),
        other => other,
    }
}

/// Go `json.Unmarshal` into `interface{}`: numbers become float64. The
/// error text follows Go's where the causes coincide.
pub fn from_json(s: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(s) {
        Ok(v) => Ok(floatify(v)),
        Err(e) => Err(go_json_error(s, &e)),
    }
}

fn go_json_error(s: &str, e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "unexpected end of JSON input".to_string(),
        _ => {
            // Find the offending character at the reported position.
            let line = e.line();
            let col = e.column();
            let ch = s
                .lines()
                .nth(line.saturating_sub(1))
                .and_then(|l| l.chars().nth(col.saturating_sub(1)));
            match ch {
                Some(c) => format!("invalid character '{c}' looking for beginning of value"),
                None => e.to_string(),
            }
        }
    }
}
