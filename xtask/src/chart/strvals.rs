//! Helm's `--set` / `--set-string` / `--set-json` / `--set-file` /
//! `--set-literal` syntax (a port of `pkg/strvals`): `a.b=c,d[0]=e`,
//! `list={a,b}`, `\.` and `\,` escapes, list indexes up to 65536.
//!
//! `--set` values: `true`/`false` (any case) are bools, `null` is null,
//! decimal integers not starting with `0` (and `0` itself) are int64
//! (`Number` from i64), everything else is a string. Numbers from
//! `--set-json` are float64, like Go's `encoding/json`.

use serde_json::{Map, Number, Value};

/// Largest list index accepted (`strvals.MaxIndex`).
pub const MAX_INDEX: i64 = 65536;
/// Deepest `a.b.c` nesting accepted (`strvals.MaxNestedNameLevel`).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

#[derive(Debug)]
enum Err {
    Eof,
    NotList,
    Msg(String),
}

type Res<T> = Result<T, Err>;

fn msg(s: impl Into<String>) -> Err {
    Err::Msg(s.into())
}

/// How the value text after `=` becomes a value.
enum Reader<'a> {
    /// `--set` (false) / `--set-string` (true)
    Typed(bool),
    /// `--set-json`
    Json,
    /// `--set-file`: the text is a path, the reader returns the content
    File(&'a mut dyn FnMut(&str) -> Result<String, String>),
}

struct Parser<'a> {
    sc: Vec<char>,
    pos: usize,
    reader: Reader<'a>,
}

/// Go `strconv.Quote`-like `%q` of a rune slice (enough for key names).
fn q(s: &[char]) -> String {
    let s: String = s.iter().collect();
    format!("{s:?}")
}

/// `typedVal`: what a `--set` value text means.
pub fn typed_val(val: &str, string_only: bool) -> Value {
    if string_only {
        return Value::String(val.to_string());
    }
    if val.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if val.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if val.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if val == "0" {
        return Value::Number(0i64.into());
    }
    if !val.is_empty() && !val.starts_with('0') {
        if let Some(i) = go_parse_int10(val) {
            return Value::Number(i.into());
        }
    }
    Value::String(val.to_string())
}

/// Go `strconv.ParseInt(s, 10, 64)` (sign allowed, no underscores).
fn go_parse_int10(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// Go `strconv.Atoi`.
fn atoi(s: &str) -> Result<i64, String> {
    go_parse_int10(s).ok_or_else(|| {
        let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            format!("strconv.Atoi: parsing {s:?}: value out of range")
        } else {
            format!("strconv.Atoi: parsing {s:?}: invalid syntax")
        }
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn set(data: &mut Map<String, Value>, key: &[char], val: Value) {
    if key.is_empty() {
        return;
    }
    data.insert(key.iter().collect(), val);
}

fn set_index(mut list: Vec<Value>, index: i64, val: Value) -> Result<Vec<Value>, (Vec<Value>, Err)> {
    if index < 0 {
        return Err((list, msg(format!("negative {index} index not allowed"))));
    }
    if index > MAX_INDEX {
        return Err((
            list,
            msg(format!(
                "index of {index} is greater than maximum supported index of {MAX_INDEX}"
            )),
        ));
    }
    let i = index as usize;
    if list.len() <= i {
        list.resize(i + 1, Value::Null);
    }
    list[i] = val;
    Ok(list)
}

impl<'a> Parser<'a> {
    fn read(&mut self) -> Option<char> {
        let c = self.sc.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    /// `runesUntil`: text up to a stop rune (handling `\` escapes).
    fn runes_until(&mut self, stop: &[char]) -> (Vec<char>, Option<char>, bool) {
        let mut v = Vec::new();
        loop {
            match self.read() {
                None => return (v, None, true),
                Some(r) if stop.contains(&r) => return (v, Some(r), false),
                Some('\\') => match self.read() {
                    None => return (v, None, true),
                    Some(n) => v.push(n),
                },
                Some(r) => v.push(r),
            }
        }
    }

    fn parse(&mut self, data: &mut Map<String, Value>) -> Result<(), String> {
        loop {
            match self.key(data, 0) {
                Ok(()) => continue,
                Err(Err::Eof) => return Ok(()),
                Err(Err::NotList) => return Err("not a list".into()),
                Err(Err::Msg(m)) => return Err(m),
            }
        }
    }

    fn read_value(&mut self, rs: &[char]) -> Res<Value> {
        let text: String = rs.iter().collect();
        match &mut self.reader {
            Reader::Typed(st) => Ok(typed_val(&text, *st)),
            Reader::Json => Ok(Value::String(text)),
            Reader::File(f) => f(&text).map(Value::String).map_err(Err::Msg),
        }
    }

    fn json_value(&mut self) -> Res<Value> {
        let rest: String = self.sc[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let consumed = rest[..stream.byte_offset()].chars().count();
                self.pos += consumed;
                Ok(crate::chart::yaml::floatify(v))
            }
            Some(Err(e)) => Err(msg(if e.is_eof() {
                "unexpected EOF".to_string()
            } else {
                format!("invalid character looking for beginning of value: {e}")
            })),
            None => Err(msg("EOF")),
        }
    }

    fn key(&mut self, data: &mut Map<String, Value>, mut nested: usize) -> Res<()> {
        let (k, last, eof) = self.runes_until(&['=', '[', ',', '.']);
        if eof {
            if k.is_empty() {
                return Err(Err::Eof);
            }
            return Err(msg(format!("key {} has no value", q(&k))));
        }
        let kk: String = k.iter().collect();
        match last {
            Some('[') => {
                let i = self
                    .key_index()
                    .map_err(|e| msg(format!("error parsing index: {e}")))?;
                let list = match data.get(&kk) {
                    None => Vec::new(),
                    Some(Value::Array(a)) => a.clone(),
                    Some(other) => {
                        return Err(msg(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}",
                            type_name(other)
                        )))
                    }
                };
                let (list, err) = match self.list_item(list, i, nested) {
                    Ok(l) => (l, None),
                    Err((l, e)) => (l, Some(e)),
                };
                set(data, &k, Value::Array(list));
                match err {
                    None => Ok(()),
                    Some(e) => Err(e),
                }
            }
            Some('=') => {
                if matches!(self.reader, Reader::Json) {
                    if self.empty_val() {
                        set(data, &k, Value::Null);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => {
                        set(data, &k, Value::Array(vl));
                        Ok(())
                    }
                    Err(Err::Eof) => {
                        set(data, &k, Value::String(String::new()));
                        Err(Err::Eof)
                    }
                    Err(Err::NotList) => {
                        let (rs, _, _) = self.runes_until(&[',']);
                        let v = self.read_value(&rs);
                        match v {
                            Ok(v) => {
                                set(data, &k, v);
                                Ok(())
                            }
                            Err(e) => {
                                set(data, &k, Value::Null);
                                Err(e)
                            }
                        }
                    }
                    Err(e) => Err(e),
                }
            }
            Some(',') => {
                set(data, &k, Value::String(String::new()));
                Err(msg(format!("key {} has no value (cannot end with ,)", q(&k))))
            }
            Some('.') => {
                nested += 1;
                if nested > MAX_NESTED_NAME_LEVEL {
                    return Err(msg(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let mut inner = match data.get(&kk) {
                    None => Map::new(),
                    Some(Value::Object(m)) => m.clone(),
                    Some(other) => {
                        return Err(msg(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                            type_name(other)
                        )))
                    }
                };
                let e = self.key(&mut inner, nested);
                if e.is_ok() && inner.is_empty() {
                    return Err(msg(format!("key map {} has no value", q(&k))));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Object(inner));
                }
                e
            }
            _ => Ok(()),
        }
    }

    fn key_index(&mut self) -> Result<i64, String> {
        let (v, _, eof) = self.runes_until(&[']']);
        if eof {
            return Err("EOF".into());
        }
        atoi(&v.iter().collect::<String>())
    }

    fn list_item(
        &mut self,
        list: Vec<Value>,
        i: i64,
        nested: usize,
    ) -> Result<Vec<Value>, (Vec<Value>, Err)> {
        if i < 0 {
            return Err((list, msg(format!("negative {i} index not allowed"))));
        }
        let (k, last, eof) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            return Err((
                list,
                msg(format!("unexpected data at end of array index: {}", q(&k))),
            ));
        }
        if eof {
            return Err((list, Err::Eof));
        }
        match last {
            Some('=') => {
                if matches!(self.reader, Reader::Json) {
                    if self.empty_val() {
                        return set_index(list, i, Value::Null);
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return Err((list, e)),
                    };
                    let list = set_index(list, i, v)?;
                    self.empty_val();
                    return Ok(list);
                }
                match self.val_list() {
                    Ok(vl) => set_index(list, i, Value::Array(vl)),
                    Err(Err::Eof) => set_index(list, i, Value::String(String::new())),
                    Err(Err::NotList) => {
                        let (rs, _, _) = self.runes_until(&[',']);
                        match self.read_value(&rs) {
                            Ok(v) => set_index(list, i, v),
                            Err(e) => Err((list, e)),
                        }
                    }
                    Err(e) => Err((list, e)),
                }
            }
            Some('[') => {
                let next_i = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return Err((list, msg(format!("error parsing index: {e}")))),
                };
                let crt = match list.get(i as usize) {
                    Some(Value::Array(a)) => a.clone(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(other) => {
                        let m = format!(
                            "error processing index {i}: interface conversion: interface {{}} is {}, not []interface {{}}",
                            type_name(other)
                        );
                        return Err((list, msg(m)));
                    }
                };
                let list2 = match self.list_item(crt, next_i, nested) {
                    Ok(l) => l,
                    Err((_, e)) => return Err((list, e)),
                };
                set_index(list, i, Value::Array(list2))
            }
            Some('.') => {
                let mut inner = match list.get(i as usize) {
                    Some(Value::Object(m)) => m.clone(),
                    _ => Map::new(),
                };
                if let Err(e) = self.key(&mut inner, nested) {
                    return Err((list, e));
                }
                set_index(list, i, Value::Object(inner))
            }
            other => Err((
                list,
                msg(format!(
                    "parse error: unexpected token {}",
                    other.map(|c| c as u32).unwrap_or(0)
                )),
            )),
        }
    }

    /// `emptyVal`: true at end of input or a `,` (after optional spaces).
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None => return true,
                Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    fn val_list(&mut self) -> Res<Vec<Value>> {
        match self.read() {
            None => return Err(Err::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Err(Err::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last, eof) = self.runes_until(&[',', '}']);
            if eof {
                return Err(msg("list must terminate with '}'"));
            }
            match last {
                Some('}') => {
                    match self.read() {
                        Some(',') | None => {}
                        Some(_) => self.unread(),
                    }
                    let v = self.read_value(&rs)?;
                    list.push(v);
                    return Ok(list);
                }
                _ => {
                    let v = self.read_value(&rs)?;
                    list.push(v);
                }
            }
        }
    }
}

fn run(s: &str, dest: &mut Map<String, Value>, reader: Reader<'_>) -> Result<(), String> {
    let mut p = Parser {
        sc: s.chars().collect(),
        pos: 0,
        reader,
    };
    p.parse(dest)
}

/// `strvals.ParseInto`: one `--set` argument into `dest`.
pub fn parse_into(s: &str, dest: &mut Map<String, Value>) -> Result<(), String> {
    run(s, dest, Reader::Typed(false))
}

/// `strvals.ParseIntoString`: one `--set-string` argument.
pub fn parse_into_string(s: &str, dest: &mut Map<String, Value>) -> Result<(), String> {
    run(s, dest, Reader::Typed(true))
}

/// `strvals.ParseJSON`: one `key=<json>` `--set-json` argument.
pub fn parse_json(s: &str, dest: &mut Map<String, Value>) -> Result<(), String> {
    run(s, dest, Reader::Json)
}

/// `strvals.ParseIntoFile`: one `--set-file` argument; `read` maps a path
/// to the file's content.
pub fn parse_into_file(
    s: &str,
    dest: &mut Map<String, Value>,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), String> {
    run(s, dest, Reader::File(read))
}

/// `strvals.Parse`: a fresh map from one `--set` argument.
pub fn parse(s: &str) -> Result<Map<String, Value>, String> {
    let mut m = Map::new();
    parse_into(s, &mut m)?;
    Ok(m)
}

/// `strvals.ParseLiteralInto`: one `--set-literal` argument. The key part
/// uses the usual syntax; the value is everything after the first `=`,
/// kept as a string (no `,` splitting, no escapes).
pub fn parse_literal_into(s: &str, dest: &mut Map<String, Value>) -> Result<(), String> {
    let Some((key, value)) = s.split_once('=') else {
        return Err(format!("key {s:?} has no value"));
    };
    // Build the path with a placeholder so the key grammar is shared.
    let mut tmp = Map::new();
    run(&format!("{key}=__literal__"), &mut tmp, Reader::Typed(true))?;
    replace_placeholder(&mut tmp, value);
    for (k, v) in tmp {
        merge_into(dest, k, v);
    }
    Ok(())
}

fn replace_placeholder(m: &mut Map<String, Value>, value: &str) {
    for v in m.values_mut() {
        replace_in_value(v, value);
    }
}

fn replace_in_value(v: &mut Value, value: &str) {
    match v {
        Value::String(s) if s == "__literal__" => *s = value.to_string(),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_in_value(x, value)),
        Value::Object(m) => replace_placeholder(m, value),
        _ => {}
    }
}

fn merge_into(dest: &mut Map<String, Value>, k: String, v: Value) {
    match (dest.get_mut(&k), v) {
        (Some(Value::Object(d)), Value::Object(src)) => {
            for (k2, v2) in src {
                merge_into(d, k2, v2);
            }
        }
        (_, v) => {
            dest.insert(k, v);
        }
    }
}

/// An i64 `Number` (Go int64), for callers building `--set`-like values.
pub fn int64(i: i64) -> Value {
    Value::Number(Number::from(i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Result<Value, String> {
        parse(s).map(Value::Object)
    }

    #[test]
    fn typed_values() {
        assert_eq!(
            p("a=1,b=true,c=null,d=01,e=0,f=-5,g=TRUE,h=1.5,i=").unwrap(),
            json!({"a": 1, "b": true, "c": null, "d": "01", "e": 0, "f": -5, "g": true, "h": "1.5", "i": ""})
        );
        assert!(p("a=1").unwrap()["a"].is_i64());
    }

    #[test]
    fn nesting_lists_escapes() {
        assert_eq!(p("a.b.c=1").unwrap(), json!({"a": {"b": {"c": 1}}}));
        assert_eq!(p("a[1]=x").unwrap(), json!({"a": [null, "x"]}));
        assert_eq!(p("a[0].b=1,a[0].c=2").unwrap(), json!({"a": [{"b": 1, "c": 2}]}));
        assert_eq!(p("a[0][1]=x").unwrap(), json!({"a": [[null, "x"]]}));
        assert_eq!(p("a\\.b=1").unwrap(), json!({"a.b": 1}));
        assert_eq!(p("a=b\\,c").unwrap(), json!({"a": "b,c"}));
        assert_eq!(p("a={x,y,1}").unwrap(), json!({"a": ["x", "y", 1]}));
        assert_eq!(p("a=b=c").unwrap(), json!({"a": "b=c"}));
    }

    #[test]
    fn errors_match_helm() {
        assert_eq!(p("a").unwrap_err(), "key \"a\" has no value");
        assert_eq!(
            p("a,b=1").unwrap_err(),
            "key \"a\" has no value (cannot end with ,)"
        );
        assert_eq!(p("a[-1]=1").unwrap_err(), "negative -1 index not allowed");
        assert_eq!(
            p("a[65537]=1").unwrap_err(),
            "index of 65537 is greater than maximum supported index of 65536"
        );
        assert_eq!(p("a={x,y").unwrap_err(), "list must terminate with '}'");
        assert_eq!(
            p("a[x]=1").unwrap_err(),
            "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax"
        );
    }

    #[test]
    fn json_values() {
        let mut m = Map::new();
        parse_json("a={\"b\":[1,2]},c=null,d=\"s\"", &mut m).unwrap();
        assert_eq!(
            Value::Object(m.clone()),
            json!({"a": {"b": [1.0, 2.0]}, "c": null, "d": "s"})
        );
        assert!(m["a"]["b"][0].is_f64());
    }
}
