//! Helm `toToml`: a port of the `BurntSushi/toml` v1.6 encoder
//! (`encode.go`) for the values Helm passes it (maps, lists, strings,
//! bools, float64/int64 numbers, nil).
//!
//! Layout: keys sorted bytewise, plain keys before sub-tables, tables as
//! `[a.b]` headers indented two spaces per level below the first, arrays
//! of maps as `[[key]]`, other arrays inline, floats always with a `.` or an
//! exponent (`1.0`, `1e+06`), nil values skipped.

use serde_json::{Map, Value};

struct Enc {
    out: String,
    written: bool,
}

type Key = Vec<String>;

fn quote_str(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\u{8}' => q.push_str("\\b"),
            '\t' => q.push_str("\\t"),
            '\n' => q.push_str("\\n"),
            '\u{c}' => q.push_str("\\f"),
            '\r' => q.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => q.push_str(&format!("\\u{:04x}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

fn bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|r| r.is_ascii_alphanumeric() || r == '_' || r == '-')
}

fn maybe_quoted(k: &str) -> String {
    if k.is_empty() {
        "\"\"".into()
    } else if bare(k) {
        k.to_string()
    } else {
        quote_str(k)
    }
}

fn key_string(key: &Key) -> String {
    key.iter().map(|k| maybe_quoted(k)).collect::<Vec<_>>().join(".")
}

#[derive(PartialEq)]
enum TomlType {
    Nil,
    Hash,
    ArrayHash,
    Other,
}

/// `tomlTypeOfGo`; errors like Go's panic for arrays holding nil.
fn toml_type(v: &Value) -> Result<TomlType, String> {
    Ok(match v {
        Value::Null => TomlType::Nil,
        Value::Object(_) => TomlType::Hash,
        Value::Array(a) => {
            if is_table_array(a)? {
                TomlType::ArrayHash
            } else {
                TomlType::Other
            }
        }
        _ => TomlType::Other,
    })
}

fn is_table_array(a: &[Value]) -> Result<bool, String> {
    if a.is_empty() {
        return Ok(false);
    }
    let mut ret = true;
    for item in a {
        let t = toml_type(item)?;
        if t == TomlType::Nil {
            return Err("toml: cannot encode array with nil element".into());
        }
        if t != TomlType::Hash {
            ret = false;
        }
    }
    Ok(ret)
}

fn float_add_decimal(s: String) -> String {
    if s.contains('e') || s.contains('.') {
        s
    } else {
        s + ".0"
    }
}

impl Enc {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        self.written = true;
    }

    fn newline(&mut self) {
        if self.written {
            self.write("\n");
        }
    }

    fn indent(key: &Key) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    fn encode(&mut self, key: &Key, v: &Value) -> Result<(), String> {
        match v {
            Value::Null => Ok(()),
            Value::Array(a) => {
                if is_table_array(a)? {
                    self.array_of_tables(key, a)
                } else {
                    self.key_value(key, v, false)
                }
            }
            Value::Object(m) => self.table(key, m),
            _ => self.key_value(key, v, false),
        }
    }

    fn element(&mut self, v: &Value) -> Result<(), String> {
        match v {
            Value::String(s) => self.write(&quote_str(s)),
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                if let (Some(i), false) = (n.as_i64(), n.is_f64()) {
                    self.write(&i.to_string());
                } else if let (Some(u), false) = (n.as_u64(), n.is_f64()) {
                    self.write(&u.to_string());
                } else {
                    let f = n.as_f64().unwrap_or(0.0);
                    let s = float_add_decimal(crate::chart::strconv::format_float(f, 'g', -1, 64));
                    self.write(&s);
                }
            }
            Value::Array(a) => {
                self.write("[");
                for (i, item) in a.iter().enumerate() {
                    self.element(item)?;
                    if i != a.len() - 1 {
                        self.write(", ");
                    }
                }
                self.write("]");
            }
            Value::Object(m) => self.map(&Vec::new(), m, true)?,
            Value::Null => return Err("toml: cannot encode a nil value".into()),
        }
        Ok(())
    }

    fn array_of_tables(&mut self, key: &Key, a: &[Value]) -> Result<(), String> {
        if key.is_empty() {
            return Err("toml: top-level values must be Go maps or structs".into());
        }
        for item in a {
            let Value::Object(m) = item else { continue };
            self.newline();
            let header = format!("{}[[{}]]", Self::indent(key), key_string(key));
            self.write(&header);
            self.newline();
            self.map(key, m, false)?;
        }
        Ok(())
    }

    fn table(&mut self, key: &Key, m: &Map<String, Value>) -> Result<(), String> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            let header = format!("{}[{}]", Self::indent(key), key_string(key));
            self.write(&header);
            self.newline();
        }
        self.map(key, m, false)
    }

    fn map(&mut self, key: &Key, m: &Map<String, Value>, inline: bool) -> Result<(), String> {
        let mut direct = Vec::new();
        let mut sub = Vec::new();
        for (k, v) in m {
            match toml_type(v)? {
                TomlType::Hash | TomlType::ArrayHash => sub.push(k),
                _ => direct.push(k),
            }
        }
        if inline {
            self.write("{");
        }
        let has_sub = !sub.is_empty();
        for (keys, trail) in [(direct, has_sub), (sub, false)] {
            // serde_json's Map is already sorted bytewise, like Go's sort.
            let n = keys.len();
            for (i, k) in keys.into_iter().enumerate() {
                let v = &m[k.as_str()];
                if v.is_null() {
                    continue;
                }
                if inline {
                    self.key_value(&vec![k.clone()], v, true)?;
                    if trail || i != n - 1 {
                        self.write(", ");
                    }
                } else {
                    let mut kk = key.clone();
                    kk.push(k.clone());
                    self.encode(&kk, v)?;
                }
            }
        }
        if inline {
            self.write("}");
        }
        Ok(())
    }

    fn key_value(&mut self, key: &Key, v: &Value, inline: bool) -> Result<(), String> {
        if key.is_empty() {
            return self.element(v);
        }
        let prefix = format!(
            "{}{} = ",
            Self::indent(key),
            maybe_quoted(key.last().map(String::as_str).unwrap_or(""))
        );
        self.write(&prefix);
        self.element(v)?;
        if !inline {
            self.newline();
        }
        Ok(())
    }
}

/// `toml.NewEncoder(w).Encode(v)`: the document or the Go error text.
pub fn encode_toml(v: &Value) -> Result<String, String> {
    let mut e = Enc {
        out: String::new(),
        written: false,
    };
    e.encode(&Vec::new(), v)?;
    Ok(e.out)
}

/// Helm `toToml`: the TOML document, or the error text on failure.
pub fn to_toml(v: &Value) -> String {
    match encode_toml(v) {
        Ok(s) => s,
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout() {
        let v = json!({"b": {"c": 1.0, "d": {"e": "x"}}, "a": 1000000.0, "l": [1, "s"], "t": [{"x": 1.5}]});
        assert_eq!(
            to_toml(&v),
            "a = 1e+06\nl = [1, \"s\"]\n\n[b]\n  c = 1.0\n  [b.d]\n    e = \"x\"\n\n[[t]]\n  x = 1.5\n"
        );
        assert_eq!(
            to_toml(&json!({"a": [null]})),
            "toml: cannot encode array with nil element"
        );
    }
}
