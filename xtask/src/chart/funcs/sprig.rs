//! The sprig v3.3.0 function map (minus `env`/`expandenv`, and minus the
//! names Helm replaces: `fail`, `getHostByName`, `toJson`, `fromJson`),
//! registered with Go parameter types so the executor reproduces Go's
//! argument errors. Conversions follow `spf13/cast` v1.7.0; maps merge with
//! `dario.cat/mergo` v1.0.1 rules; list functions accept any slice type like
//! sprig's reflection code.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::objects::{as_time, time_value, CertObj, VersionObj};
use super::{crypto, encoding, godate, goregex, semver, strings as gs};
use crate::chart::fxhash::FxHashMap;
use crate::chart::gofmt;
use crate::chart::template::{CallCtx, FuncError, Registry, Ty};
use crate::chart::value::{ListKind, MapKind, MapObj, Value};

type FR = Result<Value, FuncError>;

// ------------------------------------------------------------ arguments ----

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}

fn string(x: impl Into<String>) -> FR {
    Ok(Value::String(Rc::from(x.into())))
}

/// `reflect.TypeOf(v).Kind()` name as sprig's errors print it.
fn kind(v: &Value) -> &'static str {
    v.kind_name()
}

/// The elements of any Go slice, or sprig's "Cannot … on type X" error
/// (nil is a Go nil-pointer panic inside `reflect.TypeOf(nil).Kind()`).
fn items(v: &Value, what: &str) -> Result<Vec<Value>, FuncError> {
    match v {
        Value::List(l) => Ok(l.items().to_vec()),
        Value::Bytes(b) => Ok(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
        Value::Nil => Err(FuncError::new(
            "runtime error: invalid memory address or nil pointer dereference",
        )),
        other => Err(FuncError::new(format!("{what} {}", kind(other)))),
    }
}

/// sprig `strval`: strings as is, `[]byte` as text, Stringers via
/// `String()`, everything else `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => gofmt::sprint_v(other),
    }
}

/// cast `trimZeroDecimal`.
fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    for i in (1..=b.len()).rev() {
        match b[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// Go `strconv.ParseInt(s, 0, 64)` including `_` separators.
fn parse_int_base0(s: &str) -> Option<i64> {
    if s.contains('_') {
        let b = s.trim_start_matches(['+', '-']).as_bytes();
        let prefixed = b.len() > 1 && b[0] == b'0' && b"xXoObB".contains(&b[1]);
        let digits_ok = !s.contains("__") && !s.ends_with('_') && !s.starts_with('_');
        if !digits_ok || !(prefixed || b.first().is_some_and(u8::is_ascii_digit)) {
            return None;
        }
        return crate::chart::yaml::resolve::go_parse_int(&s.replace('_', ""));
    }
    crate::chart::yaml::resolve::go_parse_int(s)
}

/// cast `ToInt64` (errors give 0).
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => go_f64_to_i64(*f),
        Value::String(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// Go's `int64(f)` conversion (amd64 gives i64::MIN for NaN/overflow).
fn go_f64_to_i64(f: f64) -> i64 {
    if f.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// cast `ToFloat64` (errors give 0).
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

/// Go `strconv.ParseFloat(s, 64)` (decimal and the special names).
fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(['+', '-']);
    let lower = t.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" || lower == "nan" {
        return s.to_ascii_lowercase().parse::<f64>().ok();
    }
    // Go accepts hex floats only with a `p` exponent; decimal otherwise.
    if !t.bytes().all(|b| b.is_ascii_digit() || b".eE+-".contains(&b)) {
        return None;
    }
    s.parse::<f64>().ok()
}

/// sprig `empty` (reflection-based emptiness).
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.items().is_empty(),
        Value::Map(m) => m.entries().is_empty(),
        Value::Object(_) => false,
    }
}

/// Go `reflect.DeepEqual`.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            if x.kind != y.kind {
                return false;
            }
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.items(), y.items());
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.kind != y.kind {
                return false;
            }
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.entries(), y.entries());
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name() && x.format_v() == y.format_v()
        }
        _ => false,
    }
}

fn strings_list<S: AsRef<str>>(v: impl IntoIterator<Item = S>) -> Value {
    Value::string_list(v)
}

/// sprig `strslice` (`toStrings`, `join`, `sortAlpha`).
fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.items().iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

fn new_map(entries: BTreeMap<String, Value>) -> Value {
    Value::map(entries)
}

fn map_obj(v: &Value) -> Option<&Rc<MapObj>> {
    match v {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

// ---------------------------------------------------------------- mergo ----

/// mergo `isEmptyValue` (with dereferencing) on an interface value.
fn mergo_empty(v: &Value) -> bool {
    is_empty(v)
}

/// `mergo.Merge(&dst, src)` / `mergo.MergeWithOverwrite` on
/// `map[string]interface{}`: dst is changed in place.
fn mergo_merge(dst: &Rc<MapObj>, src: &Rc<MapObj>, overwrite: bool, depth: usize) -> Result<(), FuncError> {
    if depth > 64 || Rc::ptr_eq(dst, src) {
        return Ok(());
    }
    let src_entries: Vec<(String, Value)> = src
        .entries()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, s_el) in src_entries {
        let d_el = dst.entries().get(&key).cloned();
        if s_el.is_nil() {
            if overwrite {
                dst.entries_mut().insert(key, Value::Nil);
            }
            continue;
        }
        match &s_el {
            Value::Map(sm) if sm.kind == MapKind::Any => {
                if let Some(Value::Map(dm)) = &d_el {
                    if dm.kind == MapKind::Any {
                        mergo_merge(dm, sm, overwrite, depth + 1)?;
                    }
                }
            }
            // mergo keeps dst's slice unless overwriting (then src's).
            Value::List(_) if overwrite => {
                no_cycle(&s_el, dst, &key)?;
                dst.entries_mut().insert(key.clone(), s_el.clone());
            }
            _ => {}
        }
        if let Some(d) = &d_el {
            if !mergo_empty(d) {
                if matches!(s_el, Value::List(_)) {
                    continue;
                }
                if matches!(s_el, Value::Map(_)) && matches!(d, Value::Map(_)) {
                    continue;
                }
            }
        }
        let dst_empty_now = d_el.as_ref().is_none_or(mergo_empty);
        if overwrite || d_el.is_none() || dst_empty_now {
            no_cycle(&s_el, dst, &key)?;
            dst.entries_mut().insert(key, s_el);
        }
    }
    Ok(())
}

/// Refuses to store `v` under `key` in `m` when `v` holds `m` itself. Go
/// allows the cycle, and then Helm dies of a stack overflow as soon as the
/// map is printed or serialised; here it is an error at the write.
fn no_cycle(v: &Value, m: &Rc<MapObj>, key: &str) -> Result<(), FuncError> {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![v.clone()];
    while let Some(x) = stack.pop() {
        match &x {
            Value::Map(o) => {
                if Rc::ptr_eq(o, m) {
                    return Err(FuncError::new(format!(
                        "cannot store {} in a map that the value contains (a cycle)",
                        gofmt::quote(key)
                    )));
                }
                if seen.insert(Rc::as_ptr(o) as usize) {
                    stack.extend(o.entries().values().cloned());
                }
            }
            Value::List(l) if seen.insert(Rc::as_ptr(l) as usize) => {
                stack.extend(l.items().iter().cloned());
            }
            _ => {}
        }
    }
    Ok(())
}

fn merge_impl(args: &[Value], overwrite: bool) -> FR {
    let dst = match &args[0] {
        Value::Map(m) => m.clone(),
        _ => match new_map(BTreeMap::new()) {
            Value::Map(m) => m,
            _ => unreachable!("new_map returns a map"),
        },
    };
    for src in &args[1..] {
        if let Value::Map(sm) = src {
            mergo_merge(&dst, sm, overwrite, 0)?;
        }
    }
    Ok(Value::Map(dst))
}

// ------------------------------------------------------------- strings -----

fn f_abbrev(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::abbrev(int(&a[0]), s(&a[1])))
}
fn f_abbrevboth(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::abbrevboth(int(&a[0]), int(&a[1]), s(&a[2])))
}
fn f_trunc(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::trunc(int(&a[0]), s(&a[1])))
}
fn f_trim(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::trim_space(s(&a[0])))
}
fn f_upper(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::upper(s(&a[0])))
}
fn f_lower(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::lower(s(&a[0])))
}
fn f_title(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::title(s(&a[0])))
}
fn f_untitle(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::untitle(s(&a[0])))
}
fn f_substr(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(gs::substr(int(&a[0]), int(&a[1]), s(&a[2]))?.into())
}
fn f_repeat(c: &mut CallCtx, a: &[Value]) -> FR {
    Ok(gs::repeat(int(&a[0]), s(&a[1]), c.max_bytes)?.into())
}
fn f_trimall(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::trim_cutset(s(&a[1]), s(&a[0])))
}
fn f_trim_suffix(_: &mut CallCtx, a: &[Value]) -> FR {
    let (suf, v) = (s(&a[0]), s(&a[1]));
    string(v.strip_suffix(suf).unwrap_or(v))
}
fn f_trim_prefix(_: &mut CallCtx, a: &[Value]) -> FR {
    let (pre, v) = (s(&a[0]), s(&a[1]));
    string(v.strip_prefix(pre).unwrap_or(v))
}
fn f_nospace(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::nospace(s(&a[0])))
}
fn f_initials(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::initials(s(&a[0])))
}
fn rand_str(c: &CallCtx, a: &[Value], letters: bool, numbers: bool, ascii: bool) -> FR {
    // Go allocates the count up front; past the budget that is an error here.
    if int(&a[0]) > 0 && int(&a[0]) as u64 > c.max_bytes as u64 {
        return Err(gs::too_large(c.max_bytes).into());
    }
    // goutils errors (negative counts) are swallowed by sprig: "".
    string(crypto::random_string(int(&a[0]), letters, numbers, ascii).unwrap_or_default())
}
fn f_rand_alpha_num(c: &mut CallCtx, a: &[Value]) -> FR {
    rand_str(c, a, true, true, false)
}
fn f_rand_alpha(c: &mut CallCtx, a: &[Value]) -> FR {
    rand_str(c, a, true, false, false)
}
fn f_rand_ascii(c: &mut CallCtx, a: &[Value]) -> FR {
    rand_str(c, a, false, false, true)
}
fn f_rand_numeric(c: &mut CallCtx, a: &[Value]) -> FR {
    rand_str(c, a, false, true, false)
}
fn f_swapcase(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::swapcase(s(&a[0])))
}
fn f_shuffle(_: &mut CallCtx, a: &[Value]) -> FR {
    let mut chars: Vec<char> = s(&a[0]).chars().collect();
    for i in (1..chars.len()).rev() {
        let j = crypto::random_below(i as u64 + 1)? as usize;
        chars.swap(i, j);
    }
    string(chars.into_iter().collect::<String>())
}
fn f_snakecase(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::snakecase(s(&a[0])))
}
fn f_camelcase(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::camelcase(s(&a[0])))
}
fn f_kebabcase(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::kebabcase(s(&a[0])))
}
fn f_wrap(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::wrap(int(&a[0]), s(&a[1])))
}
fn f_wrap_with(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::wrap_with(int(&a[0]), s(&a[1]), s(&a[2])))
}
fn f_contains(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(s(&a[1]).contains(s(&a[0]))))
}
fn f_has_prefix(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(s(&a[1]).starts_with(s(&a[0]))))
}
fn f_has_suffix(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(s(&a[1]).ends_with(s(&a[0]))))
}
fn f_quote(_: &mut CallCtx, a: &[Value]) -> FR {
    let parts: Vec<String> = a
        .iter()
        .filter(|v| !v.is_nil())
        .map(|v| gs::go_quote(&strval(v)))
        .collect();
    string(parts.join(" "))
}
fn f_squote(_: &mut CallCtx, a: &[Value]) -> FR {
    let parts: Vec<String> = a
        .iter()
        .filter(|v| !v.is_nil())
        .map(|v| format!("'{}'", gofmt::sprint_v(v)))
        .collect();
    string(parts.join(" "))
}
fn f_cat(_: &mut CallCtx, a: &[Value]) -> FR {
    let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(gofmt::sprint_v).collect();
    string(parts.join(" "))
}
fn f_indent(c: &mut CallCtx, a: &[Value]) -> FR {
    gs::repeat(int(&a[0]), "", 0)?;
    string(gs::indent(int(&a[0]), s(&a[1]), c.max_bytes)?)
}
fn f_nindent(c: &mut CallCtx, a: &[Value]) -> FR {
    gs::repeat(int(&a[0]), "", 0)?;
    string(gs::nindent(int(&a[0]), s(&a[1]), c.max_bytes)?)
}
fn f_replace(_: &mut CallCtx, a: &[Value]) -> FR {
    let (old, new, src) = (s(&a[0]), s(&a[1]), s(&a[2]));
    if old.is_empty() {
        // Go inserts `new` before every rune and at the end.
        let mut out = String::new();
        for c in src.chars() {
            out.push_str(new);
            out.push(c);
        }
        out.push_str(new);
        return string(out);
    }
    string(src.replace(old, new))
}
fn f_plural(_: &mut CallCtx, a: &[Value]) -> FR {
    string(gs::plural(s(&a[0]), s(&a[1]), int(&a[2])))
}
fn f_sha1sum(_: &mut CallCtx, a: &[Value]) -> FR {
    string(encoding::sha1sum(s(&a[0])))
}
fn f_sha256sum(_: &mut CallCtx, a: &[Value]) -> FR {
    string(encoding::sha256sum(s(&a[0])))
}
fn f_sha512sum(_: &mut CallCtx, a: &[Value]) -> FR {
    string(encoding::sha512sum(s(&a[0])))
}
fn f_adler32sum(_: &mut CallCtx, a: &[Value]) -> FR {
    string(encoding::adler32sum(s(&a[0])))
}
fn f_to_string(_: &mut CallCtx, a: &[Value]) -> FR {
    string(strval(&a[0]))
}
fn f_atoi(_: &mut CallCtx, a: &[Value]) -> FR {
    let t = s(&a[0]);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    let ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    Ok(Value::Int(if ok { t.parse().unwrap_or(0) } else { 0 }))
}
fn f_int64(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Int64(to_int64(&a[0])))
}
fn f_int(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Int(to_int64(&a[0])))
}
fn f_float64(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Float(to_float64(&a[0])))
}
fn f_to_decimal(_: &mut CallCtx, a: &[Value]) -> FR {
    let t = gofmt::sprint_v(&a[0]);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(&t);
    let v = if !digits.is_empty() && !digits.contains('_') {
        i64::from_str_radix(&t, 8).unwrap_or(0)
    } else {
        0
    };
    Ok(Value::Int64(v))
}
/// Sprig's `untilStep`. Go's loop wraps around on overflow and then never
/// ends (`untilStep 1 9223372036854775807 9223372036854775807`), and a long
/// range only stops when memory is gone; both are an error here once the list
/// would pass `max_bytes` (16 bytes an element).
fn until_step(start: i64, stop: i64, step: i64, max_bytes: usize) -> Result<Vec<i64>, FuncError> {
    let mut v = Vec::new();
    let down = stop < start;
    if (down && step >= 0) || (!down && step <= 0) {
        return Ok(v);
    }
    let span = (i128::from(stop) - i128::from(start)).unsigned_abs();
    let stride = i128::from(step).unsigned_abs();
    if span.div_ceil(stride) * 16 > max_bytes as u128 {
        return Err(gs::too_large(max_bytes).into());
    }
    let mut i = start;
    while if down { i > stop } else { i < stop } {
        v.push(i);
        i = i
            .checked_add(step)
            .ok_or_else(|| FuncError::new(gs::too_large(max_bytes)))?;
    }
    Ok(v)
}

fn ints(v: Vec<i64>) -> Value {
    Value::typed_list(ListKind::Ints, v.into_iter().map(Value::Int).collect())
}
fn f_until(c: &mut CallCtx, a: &[Value]) -> FR {
    let n = int(&a[0]);
    Ok(ints(until_step(0, n, if n < 0 { -1 } else { 1 }, c.max_bytes)?))
}
fn f_until_step(c: &mut CallCtx, a: &[Value]) -> FR {
    Ok(ints(until_step(int(&a[0]), int(&a[1]), int(&a[2]), c.max_bytes)?))
}
fn f_seq(c: &mut CallCtx, a: &[Value]) -> FR {
    let p: Vec<i64> = a.iter().map(int).collect();
    let max = c.max_bytes;
    let v = match p.len() {
        1 => {
            let (start, end) = (1, p[0]);
            let inc = if end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(inc), inc, max)?
        }
        2 => {
            let (start, end) = (p[0], p[1]);
            let step = if end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(step), step, max)?
        }
        3 => {
            let (start, step, end) = (p[0], p[1], p[2]);
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return string("");
                }
            }
            until_step(start, end.wrapping_add(inc), step, max)?
        }
        _ => return string(""),
    };
    string(v.iter().map(i64::to_string).collect::<Vec<_>>().join(" "))
}
fn split_map(parts: Vec<String>) -> Value {
    Value::typed_map(
        MapKind::Strings,
        parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| (format!("_{i}"), Value::str(p)))
            .collect(),
    )
}
fn f_split(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(split_map(gs::go_splitn(s(&a[1]), s(&a[0]), -1)))
}
fn f_split_list(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(strings_list(gs::go_splitn(s(&a[1]), s(&a[0]), -1)))
}
fn f_splitn(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(split_map(gs::go_splitn(s(&a[2]), s(&a[0]), int(&a[1]))))
}
fn f_to_strings(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(strings_list(strslice(&a[0])))
}
fn f_join(_: &mut CallCtx, a: &[Value]) -> FR {
    string(strslice(&a[1]).join(s(&a[0])))
}
fn f_sort_alpha(_: &mut CallCtx, a: &[Value]) -> FR {
    match &a[0] {
        Value::List(_) | Value::Bytes(_) => {
            let mut v = strslice(&a[0]);
            v.sort();
            Ok(strings_list(v))
        }
        other => Ok(strings_list([strval(other)])),
    }
}

// ---------------------------------------------------------------- math -----

fn f_add1(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
}
fn f_add(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Int64(
        a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
    ))
}
fn f_sub(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
}
fn f_div(_: &mut CallCtx, a: &[Value]) -> FR {
    let b = to_int64(&a[1]);
    if b == 0 {
        return Err("runtime error: integer divide by zero".into());
    }
    Ok(Value::Int64(to_int64(&a[0]).wrapping_div(b)))
}
fn f_mod(_: &mut CallCtx, a: &[Value]) -> FR {
    let b = to_int64(&a[1]);
    if b == 0 {
        return Err("runtime error: integer divide by zero".into());
    }
    Ok(Value::Int64(to_int64(&a[0]).wrapping_rem(b)))
}
fn f_mul(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Int64(
        a[1..]
            .iter()
            .fold(to_int64(&a[0]), |acc, v| acc.wrapping_mul(to_int64(v))),
    ))
}
fn f_rand_int(_: &mut CallCtx, a: &[Value]) -> FR {
    let (min, max) = (int(&a[0]), int(&a[1]));
    // Go: rand.Intn(max-min) + min, with wrapping int arithmetic
    let n = max.wrapping_sub(min);
    if n <= 0 {
        return Err("invalid argument to Intn".into());
    }
    Ok(Value::Int(
        min.wrapping_add(crypto::random_below(n as u64)? as i64),
    ))
}
fn f_max(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Int64(
        a.iter().map(to_int64).fold(to_int64(&a[0]), i64::max),
    ))
}
fn f_min(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Int64(
        a.iter().map(to_int64).fold(to_int64(&a[0]), i64::min),
    ))
}
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}
fn f_maxf(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Float(
        a[1..].iter().map(to_float64).fold(to_float64(&a[0]), go_max),
    ))
}
fn f_minf(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Float(
        a[1..].iter().map(to_float64).fold(to_float64(&a[0]), go_min),
    ))
}
fn f_floor(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Float(to_float64(&a[0]).floor()))
}
fn f_ceil(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Float(to_float64(&a[0]).ceil()))
}
fn f_round(_: &mut CallCtx, a: &[Value]) -> FR {
    let round_on = a.get(2).map(to_float64).unwrap_or(0.5);
    let val = to_float64(&a[0]);
    let pow = 10f64.powf(int(&a[1]) as f64);
    let digit = pow * val;
    let frac = digit.fract();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(r / pow))
}

/// shopspring/decimal arithmetic on the shortest decimal form of each
/// float (`NewFromFloat`), as sprig's `addf`… do.
fn dec_of(f: f64) -> Option<(i128, i32)> {
    if !f.is_finite() {
        return None;
    }
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let neg = mant.starts_with('-');
    let mant = mant.trim_start_matches('-');
    let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
    let digits = format!("{ip}{fp}");
    let mut m: i128 = digits.parse().ok()?;
    if neg {
        m = -m;
    }
    Some((m, exp - fp.len() as i32))
}

fn dec_to_f64(m: i128, e: i32) -> f64 {
    format!("{m}e{e}").parse().unwrap_or(0.0)
}

fn dec_op(x: f64, y: f64, op: char) -> f64 {
    let fallback = || match op {
        '+' => x + y,
        '-' => x - y,
        '*' => x * y,
        _ => x / y,
    };
    let (Some((a, ea)), Some((b, eb))) = (dec_of(x), dec_of(y)) else {
        return fallback();
    };
    let align = |m: i128, from: i32, to: i32| -> Option<i128> {
        m.checked_mul(10i128.checked_pow((from - to) as u32)?)
    };
    let r = match op {
        '+' | '-' => {
            let e = ea.min(eb);
            let (Some(a), Some(b)) = (align(a, ea, e), align(b, eb, e)) else {
                return fallback();
            };
            let m = if op == '+' {
                a.checked_add(b)
            } else {
                a.checked_sub(b)
            };
            m.map(|m| (m, e))
        }
        '*' => a.checked_mul(b).map(|m| (m, ea + eb)),
        _ => {
            if b == 0 {
                // decimal: division by zero panics.
                return f64::NAN;
            }
            // DivRound(d2, 16): quotient rounded half away from zero at 1e-16.
            let shift = 16 + ea - eb;
            let num = if shift >= 0 {
                align(a, shift, 0)
            } else {
                Some(a / 10i128.pow((-shift) as u32))
            };
            match num {
                None => None,
                Some(n) => {
                    let q = n / b;
                    let r = n % b;
                    let q = if (r.abs() * 2) >= b.abs() {
                        if (n < 0) != (b < 0) {
                            q - 1
                        } else {
                            q + 1
                        }
                    } else {
                        q
                    };
                    Some((q, -16))
                }
            }
        }
    };
    match r {
        Some((m, e)) => dec_to_f64(m, e),
        None => fallback(),
    }
}
fn decimal_fold(first: f64, rest: &[Value], op: char) -> FR {
    if op == '/' && rest.iter().any(|v| to_float64(v) == 0.0) {
        return Err("decimal division by 0".into());
    }
    Ok(Value::Float(
        rest.iter().fold(first, |acc, v| dec_op(acc, to_float64(v), op)),
    ))
}
fn f_add1f(_: &mut CallCtx, a: &[Value]) -> FR {
    decimal_fold(to_float64(&a[0]), &[Value::Int(1)], '+')
}
fn f_addf(_: &mut CallCtx, a: &[Value]) -> FR {
    decimal_fold(0.0, a, '+')
}
fn f_subf(_: &mut CallCtx, a: &[Value]) -> FR {
    decimal_fold(to_float64(&a[0]), &a[1..], '-')
}
fn f_divf(_: &mut CallCtx, a: &[Value]) -> FR {
    decimal_fold(to_float64(&a[0]), &a[1..], '/')
}
fn f_mulf(_: &mut CallCtx, a: &[Value]) -> FR {
    decimal_fold(to_float64(&a[0]), &a[1..], '*')
}

// ------------------------------------------------------------ defaults -----

fn f_default(_: &mut CallCtx, a: &[Value]) -> FR {
    if a.len() < 2 || is_empty(&a[1]) {
        return Ok(a[0].clone());
    }
    Ok(a[1].clone())
}
fn f_empty(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(is_empty(&a[0])))
}
fn f_coalesce(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(a.iter().find(|v| !is_empty(v)).cloned().unwrap_or(Value::Nil))
}
fn f_all(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(a.iter().all(|v| !is_empty(v))))
}
fn f_any(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(a.iter().any(|v| !is_empty(v))))
}
fn compact_impl(a: &[Value], must: bool) -> FR {
    let l = items(&a[0], "Cannot compact on type").map_err(|e| panic_or(e, must))?;
    Ok(Value::list(l.into_iter().filter(|v| !is_empty(v)).collect()))
}
fn f_compact(_: &mut CallCtx, a: &[Value]) -> FR {
    compact_impl(a, false)
}
fn f_must_compact(_: &mut CallCtx, a: &[Value]) -> FR {
    compact_impl(a, true)
}
/// A non-`must` sprig function panics with the same error; text/template
/// reports both the same way.
fn panic_or(e: FuncError, _must: bool) -> FuncError {
    e
}
fn json_value(a: &Value) -> serde_json::Value {
    a.to_json()
}
fn f_sprig_from_json(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(crate::chart::yaml::from_json(s(&a[0]))
        .map(|v| Value::from_json(&v))
        .unwrap_or(Value::Nil))
}
fn f_must_from_json(_: &mut CallCtx, a: &[Value]) -> FR {
    crate::chart::yaml::from_json(s(&a[0]))
        .map(|v| Value::from_json(&v))
        .map_err(FuncError::new)
}
fn f_to_pretty_json(_: &mut CallCtx, a: &[Value]) -> FR {
    string(crate::chart::yaml::to_pretty_json(&json_value(&a[0])))
}
fn f_to_raw_json(_: &mut CallCtx, a: &[Value]) -> FR {
    string(crate::chart::yaml::to_raw_json(&json_value(&a[0])))
}
fn f_must_to_json(_: &mut CallCtx, a: &[Value]) -> FR {
    string(crate::chart::yaml::to_json(&json_value(&a[0])))
}
fn f_ternary(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(if matches!(a[2], Value::Bool(true)) {
        a[0].clone()
    } else {
        a[1].clone()
    })
}
fn f_deep_copy(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(a[0].deep_copy())
}

// ------------------------------------------------------------- reflect -----

fn f_type_of(_: &mut CallCtx, a: &[Value]) -> FR {
    string(a[0].type_name())
}
fn f_type_is(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(s(&a[0]) == a[1].type_name()))
}
fn f_type_is_like(_: &mut CallCtx, a: &[Value]) -> FR {
    let t = a[1].type_name();
    Ok(Value::Bool(s(&a[0]) == t || format!("*{}", s(&a[0])) == t))
}
fn f_kind_of(_: &mut CallCtx, a: &[Value]) -> FR {
    string(a[0].kind_name())
}
fn f_kind_is(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(s(&a[0]) == a[1].kind_name()))
}
fn f_deep_equal(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(deep_equal(&a[0], &a[1])))
}

// --------------------------------------------------------------- paths -----

/// Go `path.Clean`.
pub fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}
fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}
fn path_dir(p: &str) -> String {
    let i = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    path_clean(&p[..i])
}
fn path_ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}
fn f_base(_: &mut CallCtx, a: &[Value]) -> FR {
    string(path_base(s(&a[0])))
}
fn f_dir(_: &mut CallCtx, a: &[Value]) -> FR {
    string(path_dir(s(&a[0])))
}
fn f_clean(_: &mut CallCtx, a: &[Value]) -> FR {
    string(path_clean(s(&a[0])))
}
fn f_ext(_: &mut CallCtx, a: &[Value]) -> FR {
    string(path_ext(s(&a[0])))
}
fn f_is_abs(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(s(&a[0]).starts_with('/')))
}

// ------------------------------------------------------------ encoding -----

fn f_b64enc(_: &mut CallCtx, a: &[Value]) -> FR {
    string(encoding::b64_encode(s(&a[0]).as_bytes()))
}
fn f_b64dec(_: &mut CallCtx, a: &[Value]) -> FR {
    string(match encoding::b64_decode(s(&a[0])) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => e,
    })
}
fn f_b32enc(_: &mut CallCtx, a: &[Value]) -> FR {
    string(encoding::b32_encode(s(&a[0]).as_bytes()))
}
fn f_b32dec(_: &mut CallCtx, a: &[Value]) -> FR {
    string(match encoding::b32_decode(s(&a[0])) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => e,
    })
}

// --------------------------------------------------------------- dicts -----

fn f_list(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::list(a.to_vec()))
}
fn f_dict(_: &mut CallCtx, a: &[Value]) -> FR {
    let mut m = BTreeMap::new();
    let mut i = 0;
    while i < a.len() {
        let key = strval(&a[i]);
        let v = a.get(i + 1).cloned().unwrap_or_else(|| Value::str(""));
        m.insert(key, v);
        i += 2;
    }
    Ok(new_map(m))
}
fn f_get(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(map_obj(&a[0])
        .and_then(|m| m.entries().get(s(&a[1])).cloned())
        .unwrap_or_else(|| Value::str("")))
}
fn nil_map_write() -> FuncError {
    FuncError::new("assignment to entry in nil map")
}
fn f_set(_: &mut CallCtx, a: &[Value]) -> FR {
    let m = map_obj(&a[0]).ok_or_else(nil_map_write)?;
    no_cycle(&a[2], m, s(&a[1]))?;
    m.entries_mut().insert(s(&a[1]).to_string(), a[2].clone());
    Ok(a[0].clone())
}
fn f_unset(_: &mut CallCtx, a: &[Value]) -> FR {
    if let Some(m) = map_obj(&a[0]) {
        m.entries_mut().remove(s(&a[1]));
    }
    Ok(a[0].clone())
}
fn f_has_key(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(
        map_obj(&a[0]).is_some_and(|m| m.entries().contains_key(s(&a[1]))),
    ))
}
fn f_pluck(_: &mut CallCtx, a: &[Value]) -> FR {
    let key = s(&a[0]);
    Ok(Value::list(
        a[1..]
            .iter()
            .filter_map(|d| map_obj(d).and_then(|m| m.entries().get(key).cloned()))
            .collect(),
    ))
}
fn f_keys(_: &mut CallCtx, a: &[Value]) -> FR {
    // Go map iteration order is random; we give each map's keys sorted.
    let mut k = Vec::new();
    for d in a {
        if let Some(m) = map_obj(d) {
            k.extend(m.entries().keys().cloned());
        }
    }
    Ok(strings_list(k))
}
fn f_pick(_: &mut CallCtx, a: &[Value]) -> FR {
    let mut out = BTreeMap::new();
    if let Some(m) = map_obj(&a[0]) {
        let e = m.entries();
        for k in &a[1..] {
            if let Some(v) = e.get(s(k)) {
                out.insert(s(k).to_string(), v.clone());
            }
        }
    }
    Ok(new_map(out))
}
fn f_omit(_: &mut CallCtx, a: &[Value]) -> FR {
    let mut out = BTreeMap::new();
    if let Some(m) = map_obj(&a[0]) {
        let drop: Vec<&str> = a[1..].iter().map(s).collect();
        for (k, v) in m.entries().iter() {
            if !drop.contains(&k.as_str()) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(new_map(out))
}
fn f_merge(_: &mut CallCtx, a: &[Value]) -> FR {
    merge_impl(a, false)
}
fn f_merge_overwrite(_: &mut CallCtx, a: &[Value]) -> FR {
    merge_impl(a, true)
}
fn f_values(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::list(
        map_obj(&a[0])
            .map(|m| m.entries().values().cloned().collect())
            .unwrap_or_default(),
    ))
}
fn f_dig(_: &mut CallCtx, a: &[Value]) -> FR {
    if a.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let last = &a[a.len() - 1];
    let def = &a[a.len() - 2];
    let mut cur = match last {
        Value::Map(m) if m.kind == MapKind::Any => last.clone(),
        other => {
            return Err(FuncError::new(format!(
                "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                other.type_name()
            )))
        }
    };
    let keys = &a[..a.len() - 2];
    for (i, k) in keys.iter().enumerate() {
        let Value::String(k) = k else {
            return Err(FuncError::new(format!(
                "interface conversion: interface {{}} is {}, not string",
                k.type_name()
            )));
        };
        let step = cur.get(k);
        let Some(step) = step else {
            return Ok(def.clone());
        };
        if i == keys.len() - 1 {
            return Ok(step);
        }
        match &step {
            Value::Map(m) if m.kind == MapKind::Any => cur = step.clone(),
            other => {
                return Err(FuncError::new(format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    other.type_name()
                )))
            }
        }
    }
    Ok(def.clone())
}

// --------------------------------------------------------------- lists -----

fn f_push(_: &mut CallCtx, a: &[Value]) -> FR {
    let mut l = items(&a[0], "Cannot push on type")?;
    l.push(a[1].clone());
    Ok(Value::list(l))
}
fn f_prepend(_: &mut CallCtx, a: &[Value]) -> FR {
    let mut l = items(&a[0], "Cannot prepend on type")?;
    l.insert(0, a[1].clone());
    Ok(Value::list(l))
}
fn f_first(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(items(&a[0], "Cannot find first on type")?
        .first()
        .cloned()
        .unwrap_or(Value::Nil))
}
fn f_last(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(items(&a[0], "Cannot find last on type")?
        .last()
        .cloned()
        .unwrap_or(Value::Nil))
}
fn f_rest(_: &mut CallCtx, a: &[Value]) -> FR {
    let l = items(&a[0], "Cannot find rest on type")?;
    Ok(Value::list(l.into_iter().skip(1).collect()))
}
fn f_initial(_: &mut CallCtx, a: &[Value]) -> FR {
    let mut l = items(&a[0], "Cannot find initial on type")?;
    l.pop();
    Ok(Value::list(l))
}
fn f_reverse(_: &mut CallCtx, a: &[Value]) -> FR {
    let mut l = items(&a[0], "Cannot find reverse on type")?;
    l.reverse();
    Ok(Value::list(l))
}
fn f_uniq(_: &mut CallCtx, a: &[Value]) -> FR {
    let l = items(&a[0], "Cannot find uniq on type")?;
    let mut out: Vec<Value> = Vec::new();
    for v in l {
        if !out.iter().any(|o| deep_equal(o, &v)) {
            out.push(v);
        }
    }
    Ok(Value::list(out))
}
fn f_without(_: &mut CallCtx, a: &[Value]) -> FR {
    let l = items(&a[0], "Cannot find without on type")?;
    let omit = &a[1..];
    Ok(Value::list(
        l.into_iter()
            .filter(|v| !omit.iter().any(|o| deep_equal(o, v)))
            .collect(),
    ))
}
fn f_has(_: &mut CallCtx, a: &[Value]) -> FR {
    if a[1].is_nil() {
        return Ok(Value::Bool(false));
    }
    let l = items(&a[1], "Cannot find has on type")?;
    Ok(Value::Bool(l.iter().any(|v| deep_equal(&a[0], v))))
}
fn f_slice(_: &mut CallCtx, a: &[Value]) -> FR {
    let (kind_, l) = match &a[0] {
        Value::List(l) => (l.kind, l.items().to_vec()),
        Value::Nil => return Err("runtime error: invalid memory address or nil pointer dereference".into()),
        other => {
            return Err(FuncError::new(format!(
                "list should be type of slice or array but {}",
                kind(other)
            )))
        }
    };
    if l.is_empty() {
        return Ok(Value::Nil);
    }
    let start = a.get(1).map(to_int64).unwrap_or(0);
    let end = a.get(2).map(to_int64).unwrap_or(l.len() as i64);
    if start < 0 || end < start || end > l.len() as i64 {
        return Err(FuncError::new("reflect.Value.Slice: slice index out of bounds"));
    }
    Ok(Value::typed_list(kind_, l[start as usize..end as usize].to_vec()))
}
fn f_concat(_: &mut CallCtx, a: &[Value]) -> FR {
    let mut out = Vec::new();
    for l in a {
        match l {
            Value::List(x) => out.extend(x.items().iter().cloned()),
            Value::Bytes(b) => out.extend(b.iter().map(|x| Value::Int(i64::from(*x)))),
            Value::Nil => {
                return Err("runtime error: invalid memory address or nil pointer dereference".into())
            }
            other => {
                return Err(FuncError::new(format!(
                    "Cannot concat type {} as list",
                    kind(other)
                )))
            }
        }
    }
    Ok(Value::list(out))
}
fn f_chunk(_: &mut CallCtx, a: &[Value]) -> FR {
    let size = int(&a[0]);
    let l = items(&a[1], "Cannot chunk type")?;
    if size <= 0 {
        return Err("runtime error: makeslice: len out of range".into());
    }
    let size = size as usize;
    Ok(Value::list(
        l.chunks(size).map(|c| Value::list(c.to_vec())).collect(),
    ))
}

// -------------------------------------------------------------- crypto -----

fn f_bcrypt(_: &mut CallCtx, a: &[Value]) -> FR {
    string(crypto::bcrypt_hash(s(&a[0])))
}
fn f_htpasswd(_: &mut CallCtx, a: &[Value]) -> FR {
    string(crypto::htpasswd(s(&a[0]), s(&a[1])))
}
fn f_gen_private_key(_: &mut CallCtx, a: &[Value]) -> FR {
    string(crypto::gen_private_key(s(&a[0])))
}
fn f_derive_password(_: &mut CallCtx, a: &[Value]) -> FR {
    string(crypto::derive_password(
        int(&a[0]) as u32,
        s(&a[1]),
        s(&a[2]),
        s(&a[3]),
        s(&a[4]),
    ))
}
fn cert_value(c: crypto::Certificate) -> Value {
    Value::Object(Rc::new(CertObj(c)))
}
fn as_cert(v: &Value) -> Result<crypto::Certificate, FuncError> {
    match v {
        Value::Object(o) => {
            if let Some(c) = o.as_any().downcast_ref::<CertObj>() {
                return Ok(c.0.clone());
            }
            Err(FuncError::new(format!(
                "wrong type for value; expected sprig.certificate; got {}",
                o.type_name()
            )))
        }
        other => Err(FuncError::new(format!(
            "wrong type for value; expected sprig.certificate; got {}",
            other.type_name()
        ))),
    }
}
fn iface_strings(v: &Value, what: &str) -> Result<Vec<String>, FuncError> {
    match v {
        Value::Nil => Ok(Vec::new()),
        Value::List(l) => l
            .items()
            .iter()
            .map(|x| match x {
                Value::String(s) => Ok(s.to_string()),
                other => Err(FuncError::new(format!(
                    "{what}: {} is not a string",
                    gofmt::sprint_v(other)
                ))),
            })
            .collect(),
        _ => Ok(Vec::new()),
    }
}
fn cert_req<'a>(
    cn: &'a str,
    ips: &Value,
    dns: &Value,
    days: i64,
    ca: bool,
) -> Result<crypto::CertRequest<'a>, FuncError> {
    let ips = iface_strings(ips, "error parsing ip")?;
    Ok(crypto::CertRequest {
        cn,
        ips: crypto::parse_ips(&ips)?,
        dns: iface_strings(dns, "error processing alternate dns name")?,
        days_valid: days,
        is_ca: ca,
    })
}
fn f_gen_ca(_: &mut CallCtx, a: &[Value]) -> FR {
    let req = cert_req(s(&a[0]), &Value::Nil, &Value::Nil, int(&a[1]), true)?;
    Ok(cert_value(crypto::gen_self_signed(&req, None)?))
}
fn f_gen_ca_with_key(_: &mut CallCtx, a: &[Value]) -> FR {
    let req = cert_req(s(&a[0]), &Value::Nil, &Value::Nil, int(&a[1]), true)?;
    Ok(cert_value(crypto::gen_self_signed(&req, Some(s(&a[2])))?))
}
fn f_gen_self_signed(_: &mut CallCtx, a: &[Value]) -> FR {
    let req = cert_req(s(&a[0]), &a[1], &a[2], int(&a[3]), false)?;
    Ok(cert_value(crypto::gen_self_signed(&req, None)?))
}
fn f_gen_self_signed_with_key(_: &mut CallCtx, a: &[Value]) -> FR {
    let req = cert_req(s(&a[0]), &a[1], &a[2], int(&a[3]), false)?;
    Ok(cert_value(crypto::gen_self_signed(&req, Some(s(&a[4])))?))
}
fn f_gen_signed(_: &mut CallCtx, a: &[Value]) -> FR {
    let ca = as_cert(&a[4])?;
    let req = cert_req(s(&a[0]), &a[1], &a[2], int(&a[3]), false)?;
    Ok(cert_value(crypto::gen_signed(&req, &ca, None)?))
}
fn f_gen_signed_with_key(_: &mut CallCtx, a: &[Value]) -> FR {
    let ca = as_cert(&a[4])?;
    let req = cert_req(s(&a[0]), &a[1], &a[2], int(&a[3]), false)?;
    Ok(cert_value(crypto::gen_signed(&req, &ca, Some(s(&a[5])))?))
}
fn f_build_custom_cert(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(cert_value(crypto::build_custom_cert(s(&a[0]), s(&a[1]))?))
}
fn f_encrypt_aes(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(crypto::encrypt_aes(s(&a[0]), s(&a[1]))?.into())
}
fn f_decrypt_aes(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(crypto::decrypt_aes(s(&a[0]), s(&a[1]))?.into())
}
fn f_rand_bytes(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(crypto::rand_bytes(int(&a[0]))?.into())
}
fn f_uuidv4(_: &mut CallCtx, _: &[Value]) -> FR {
    Ok(crypto::uuidv4()?.into())
}

// -------------------------------------------------------------- semver -----

fn f_semver(_: &mut CallCtx, a: &[Value]) -> FR {
    let v = semver::Version::parse(s(&a[0]))?;
    Ok(Value::Object(Rc::new(VersionObj(v))))
}
fn f_semver_compare(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(semver_compare_cached(s(&a[0]), s(&a[1]))?))
}

/// [`semver::semver_compare`], memoized per thread: charts test the same
/// constraint against `.Capabilities.KubeVersion` in template after
/// template, and parsing the constraint dominates the check.
fn semver_compare_cached(constraint: &str, version: &str) -> Result<bool, String> {
    /// Pairs kept before the cache starts over.
    const MAX_CACHED: usize = 1024;
    type Cache = FxHashMap<String, FxHashMap<String, Result<bool, String>>>;
    thread_local! {
        static CACHE: RefCell<(usize, Cache)> = RefCell::new((0, Cache::default()));
    }
    let hit = CACHE.with(|c| c.borrow().1.get(constraint).and_then(|m| m.get(version).cloned()));
    if let Some(r) = hit {
        return r;
    }
    let r = semver::semver_compare(constraint, version);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.0 >= MAX_CACHED {
            *c = (0, Cache::default());
        }
        c.0 += 1;
        c.1.entry(constraint.to_string())
            .or_default()
            .insert(version.to_string(), r.clone());
    });
    r
}

// --------------------------------------------------------------- regex -----

fn f_regex_match(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(
        goregex::GoRegex::cached(s(&a[0])).is_ok_and(|r| r.is_match(s(&a[1]))),
    ))
}
fn f_must_regex_match(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(
        goregex::GoRegex::cached(s(&a[0]))?.is_match(s(&a[1])),
    ))
}
fn regex(a: &[Value], must: bool) -> Result<Rc<goregex::GoRegex>, FuncError> {
    if must {
        Ok(goregex::GoRegex::cached(s(&a[0]))?)
    } else {
        Ok(goregex::GoRegex::must(s(&a[0]))?)
    }
}
fn find_all(a: &[Value], must: bool) -> FR {
    Ok(strings_list(regex(a, must)?.find_all(s(&a[1]), int(&a[2]))))
}
fn f_regex_find_all(_: &mut CallCtx, a: &[Value]) -> FR {
    find_all(a, false)
}
fn f_must_regex_find_all(_: &mut CallCtx, a: &[Value]) -> FR {
    find_all(a, true)
}
fn f_regex_find(_: &mut CallCtx, a: &[Value]) -> FR {
    string(regex(a, false)?.find(s(&a[1])))
}
fn f_must_regex_find(_: &mut CallCtx, a: &[Value]) -> FR {
    string(regex(a, true)?.find(s(&a[1])))
}
fn f_regex_replace_all(_: &mut CallCtx, a: &[Value]) -> FR {
    string(regex(a, false)?.replace_all(s(&a[1]), s(&a[2]), false))
}
fn f_must_regex_replace_all(_: &mut CallCtx, a: &[Value]) -> FR {
    string(regex(a, true)?.replace_all(s(&a[1]), s(&a[2]), false))
}
fn f_regex_replace_all_literal(_: &mut CallCtx, a: &[Value]) -> FR {
    string(regex(a, false)?.replace_all(s(&a[1]), s(&a[2]), true))
}
fn f_must_regex_replace_all_literal(_: &mut CallCtx, a: &[Value]) -> FR {
    string(regex(a, true)?.replace_all(s(&a[1]), s(&a[2]), true))
}
fn f_regex_split(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(strings_list(regex(a, false)?.split(s(&a[1]), int(&a[2]))))
}
fn f_must_regex_split(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(strings_list(regex(a, true)?.split(s(&a[1]), int(&a[2]))))
}
fn f_regex_quote_meta(_: &mut CallCtx, a: &[Value]) -> FR {
    string(goregex::quote_meta(s(&a[0])))
}

// ---------------------------------------------------------------- dates ----

fn date_arg(v: &Value) -> godate::GoTime {
    match v {
        Value::Int(i) | Value::Int64(i) => godate::GoTime::unix(*i),
        other => as_time(other).unwrap_or_else(godate::GoTime::now),
    }
}
fn date_in_zone(layout: &str, date: &Value, zone: &str) -> FR {
    let loc = godate::Location::load(zone).unwrap_or(godate::Location::Utc);
    string(date_arg(date).in_loc(loc).format(layout))
}
fn time_param(v: &Value) -> Result<godate::GoTime, FuncError> {
    as_time(v).ok_or_else(|| {
        FuncError::new(format!(
            "wrong type for value; expected time.Time; got {}",
            v.type_name()
        ))
    })
}
fn f_date(_: &mut CallCtx, a: &[Value]) -> FR {
    date_in_zone(s(&a[0]), &a[1], "Local")
}
fn f_date_in_zone(_: &mut CallCtx, a: &[Value]) -> FR {
    date_in_zone(s(&a[0]), &a[1], s(&a[2]))
}
fn f_html_date(_: &mut CallCtx, a: &[Value]) -> FR {
    date_in_zone("2006-01-02", &a[0], "Local")
}
fn f_html_date_in_zone(_: &mut CallCtx, a: &[Value]) -> FR {
    date_in_zone("2006-01-02", &a[0], s(&a[1]))
}
fn f_date_modify(_: &mut CallCtx, a: &[Value]) -> FR {
    let t = time_param(&a[1])?;
    Ok(time_value(match godate::parse_duration(s(&a[0])) {
        Ok(d) => t.add(d),
        Err(_) => t,
    }))
}
fn f_must_date_modify(_: &mut CallCtx, a: &[Value]) -> FR {
    let t = time_param(&a[1])?;
    Ok(time_value(t.add(godate::parse_duration(s(&a[0]))?)))
}
fn f_ago(_: &mut CallCtx, a: &[Value]) -> FR {
    let t = match &a[0] {
        Value::Int(i) | Value::Int64(i) => godate::GoTime::unix(*i),
        other => as_time(other).unwrap_or_else(godate::GoTime::now),
    };
    let d = godate::GoTime::now().sub(&t);
    string(godate::duration_string(godate::duration_round(d, godate::SECOND)))
}
fn f_duration(_: &mut CallCtx, a: &[Value]) -> FR {
    let n: i64 = match &a[0] {
        Value::String(x) => x.parse().unwrap_or(0),
        Value::Int64(i) => *i,
        _ => 0,
    };
    string(godate::duration_string(n.wrapping_mul(godate::SECOND)))
}
fn f_duration_round(_: &mut CallCtx, a: &[Value]) -> FR {
    let d: i64 = match &a[0] {
        Value::String(x) => godate::parse_duration(x).unwrap_or(0),
        Value::Int64(i) => *i,
        other => match as_time(other) {
            Some(t) => godate::GoTime::now().sub(&t),
            None => 0,
        },
    };
    string(godate::duration_round_sprig(d))
}
fn f_now(_: &mut CallCtx, _: &[Value]) -> FR {
    Ok(time_value(godate::GoTime::now()))
}
fn f_to_date(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(time_value(
        godate::parse_in_location(s(&a[0]), s(&a[1]), &godate::Location::Local)
            .unwrap_or_else(|_| godate::GoTime::zero()),
    ))
}
fn f_must_to_date(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(time_value(godate::parse_in_location(
        s(&a[0]),
        s(&a[1]),
        &godate::Location::Local,
    )?))
}
fn f_unix_epoch(_: &mut CallCtx, a: &[Value]) -> FR {
    string(time_param(&a[0])?.unix_sec().to_string())
}

// ----------------------------------------------------------------- urls ----

fn pct_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .ok_or_else(|| format!("invalid URL escape {:?}", &s[i..]))?;
            let v = u8::from_str_radix(hex, 16)
                .map_err(|_| format!("invalid URL escape {:?}", &s[i..i + 3.min(s.len() - i)]))?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
fn f_url_parse(_: &mut CallCtx, a: &[Value]) -> FR {
    let raw = s(&a[0]);
    let (rest, fragment) = match raw.split_once('#') {
        Some((r, f)) => (
            r,
            pct_decode(f).map_err(|e| format!("unable to parse url: parse {}: {e}", gs::go_quote(raw)))?,
        ),
        None => (raw, String::new()),
    };
    let mut scheme = String::new();
    let mut rest = rest;
    if let Some(i) = rest.find(':') {
        let cand = &rest[..i];
        if !cand.is_empty()
            && cand.as_bytes()[0].is_ascii_alphabetic()
            && cand
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            scheme = cand.to_ascii_lowercase();
            rest = &rest[i + 1..];
        }
    }
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, q.to_string()),
        None => (rest, String::new()),
    };
    let (mut host, mut userinfo, mut path, mut opaque) =
        (String::new(), String::new(), String::new(), String::new());
    if !scheme.is_empty() && !rest.starts_with('/') {
        opaque = rest.to_string();
    } else if let Some(auth_rest) = rest.strip_prefix("//") {
        let (auth, p) = match auth_rest.find('/') {
            Some(i) => (&auth_rest[..i], &auth_rest[i..]),
            None => (auth_rest, ""),
        };
        match auth.rsplit_once('@') {
            Some((u, h)) => {
                userinfo = u.to_string();
                host = h.to_string();
            }
            None => host = auth.to_string(),
        }
        path = pct_decode(p).map_err(|e| format!("unable to parse url: {e}"))?;
    } else {
        path = pct_decode(rest).map_err(|e| format!("unable to parse url: {e}"))?;
    }
    let hostname = if host.starts_with('[') {
        host.trim_start_matches('[')
            .split(']')
            .next()
            .unwrap_or("")
            .to_string()
    } else {
        host.split(':').next().unwrap_or("").to_string()
    };
    let mut m = BTreeMap::new();
    for (k, v) in [
        ("scheme", scheme),
        ("host", host),
        ("hostname", hostname),
        ("path", path),
        ("query", query),
        ("opaque", opaque),
        ("fragment", fragment),
        ("userinfo", userinfo),
    ] {
        m.insert(k.to_string(), Value::str(v));
    }
    Ok(new_map(m))
}
fn f_url_join(_: &mut CallCtx, a: &[Value]) -> FR {
    let get = |k: &str| -> Result<String, FuncError> {
        match a[0].get(k) {
            None => Ok(String::new()),
            Some(Value::String(v)) => Ok(v.to_string()),
            Some(other) => Err(FuncError::new(format!(
                "unable to parse {k} key, must be of type string, but {} found",
                other.kind_name()
            ))),
        }
    };
    let (scheme, host, path, query, opaque, fragment, user) = (
        get("scheme")?,
        get("host")?,
        get("path")?,
        get("query")?,
        get("opaque")?,
        get("fragment")?,
        get("userinfo")?,
    );
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || !user.is_empty() {
            if !host.is_empty() || !path.is_empty() || !user.is_empty() {
                out.push_str("//");
            }
            if !user.is_empty() {
                out.push_str(&user);
                out.push('@');
            }
            out.push_str(&host);
        }
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        out.push_str(&path.replace(' ', "%20").replace('?', "%3F").replace('#', "%23"));
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&fragment.replace(' ', "%20"));
    }
    string(out)
}

fn f_hello(_: &mut CallCtx, _: &[Value]) -> FR {
    string("Hello!")
}

/// Registers every sprig function Helm v4.3.1 keeps.
pub fn register(r: &mut Registry) {
    use Ty::{Any, Int, List, Map, String as S};
    let reg = |r: &mut Registry, names: &[&str], p: &[Ty], v: Option<Ty>, f: crate::chart::template::Func| {
        for n in names {
            r.register(n, p, v, f);
        }
    };
    // strings
    reg(r, &["hello"], &[], None, f_hello);
    reg(r, &["abbrev"], &[Int, S], None, f_abbrev);
    reg(r, &["abbrevboth"], &[Int, Int, S], None, f_abbrevboth);
    reg(r, &["trunc"], &[Int, S], None, f_trunc);
    reg(r, &["trim"], &[S], None, f_trim);
    reg(r, &["upper"], &[S], None, f_upper);
    reg(r, &["lower"], &[S], None, f_lower);
    reg(r, &["title"], &[S], None, f_title);
    reg(r, &["untitle"], &[S], None, f_untitle);
    reg(r, &["substr"], &[Int, Int, S], None, f_substr);
    reg(r, &["repeat"], &[Int, S], None, f_repeat);
    reg(r, &["trimall", "trimAll"], &[S, S], None, f_trimall);
    reg(r, &["trimSuffix"], &[S, S], None, f_trim_suffix);
    reg(r, &["trimPrefix"], &[S, S], None, f_trim_prefix);
    reg(r, &["nospace"], &[S], None, f_nospace);
    reg(r, &["initials"], &[S], None, f_initials);
    reg(r, &["randAlphaNum"], &[Int], None, f_rand_alpha_num);
    reg(r, &["randAlpha"], &[Int], None, f_rand_alpha);
    reg(r, &["randAscii"], &[Int], None, f_rand_ascii);
    reg(r, &["randNumeric"], &[Int], None, f_rand_numeric);
    reg(r, &["swapcase"], &[S], None, f_swapcase);
    reg(r, &["shuffle"], &[S], None, f_shuffle);
    reg(r, &["snakecase"], &[S], None, f_snakecase);
    reg(r, &["camelcase"], &[S], None, f_camelcase);
    reg(r, &["kebabcase"], &[S], None, f_kebabcase);
    reg(r, &["wrap"], &[Int, S], None, f_wrap);
    reg(r, &["wrapWith"], &[Int, S, S], None, f_wrap_with);
    reg(r, &["contains"], &[S, S], None, f_contains);
    reg(r, &["hasPrefix"], &[S, S], None, f_has_prefix);
    reg(r, &["hasSuffix"], &[S, S], None, f_has_suffix);
    reg(r, &["quote"], &[], Some(Any), f_quote);
    reg(r, &["squote"], &[], Some(Any), f_squote);
    reg(r, &["cat"], &[], Some(Any), f_cat);
    reg(r, &["indent"], &[Int, S], None, f_indent);
    reg(r, &["nindent"], &[Int, S], None, f_nindent);
    reg(r, &["replace"], &[S, S, S], None, f_replace);
    reg(r, &["plural"], &[S, S, Int], None, f_plural);
    reg(r, &["sha1sum"], &[S], None, f_sha1sum);
    reg(r, &["sha256sum"], &[S], None, f_sha256sum);
    reg(r, &["sha512sum"], &[S], None, f_sha512sum);
    reg(r, &["adler32sum"], &[S], None, f_adler32sum);
    reg(r, &["toString"], &[Any], None, f_to_string);
    reg(r, &["atoi"], &[S], None, f_atoi);
    reg(r, &["int64"], &[Any], None, f_int64);
    reg(r, &["int"], &[Any], None, f_int);
    reg(r, &["float64"], &[Any], None, f_float64);
    reg(r, &["seq"], &[], Some(Int), f_seq);
    reg(r, &["toDecimal"], &[Any], None, f_to_decimal);
    reg(r, &["split"], &[S, S], None, f_split);
    reg(r, &["splitList"], &[S, S], None, f_split_list);
    reg(r, &["splitn"], &[S, Int, S], None, f_splitn);
    reg(r, &["toStrings"], &[Any], None, f_to_strings);
    reg(r, &["until"], &[Int], None, f_until);
    reg(r, &["untilStep"], &[Int, Int, Int], None, f_until_step);
    // math
    reg(r, &["add1"], &[Any], None, f_add1);
    reg(r, &["add"], &[], Some(Any), f_add);
    reg(r, &["sub"], &[Any, Any], None, f_sub);
    reg(r, &["div"], &[Any, Any], None, f_div);
    reg(r, &["mod"], &[Any, Any], None, f_mod);
    reg(r, &["mul"], &[Any], Some(Any), f_mul);
    reg(r, &["randInt"], &[Int, Int], None, f_rand_int);
    reg(r, &["add1f"], &[Any], None, f_add1f);
    reg(r, &["addf"], &[], Some(Any), f_addf);
    reg(r, &["subf"], &[Any], Some(Any), f_subf);
    reg(r, &["divf"], &[Any], Some(Any), f_divf);
    reg(r, &["mulf"], &[Any], Some(Any), f_mulf);
    reg(r, &["biggest", "max"], &[Any], Some(Any), f_max);
    reg(r, &["min"], &[Any], Some(Any), f_min);
    reg(r, &["maxf"], &[Any], Some(Any), f_maxf);
    reg(r, &["minf"], &[Any], Some(Any), f_minf);
    reg(r, &["ceil"], &[Any], None, f_ceil);
    reg(r, &["floor"], &[Any], None, f_floor);
    reg(r, &["round"], &[Any, Int], Some(Ty::Float64), f_round);
    reg(r, &["join"], &[S, Any], None, f_join);
    reg(r, &["sortAlpha"], &[Any], None, f_sort_alpha);
    // defaults
    reg(r, &["default"], &[Any], Some(Any), f_default);
    reg(r, &["empty"], &[Any], None, f_empty);
    reg(r, &["coalesce"], &[], Some(Any), f_coalesce);
    reg(r, &["all"], &[], Some(Any), f_all);
    reg(r, &["any"], &[], Some(Any), f_any);
    reg(r, &["compact"], &[Any], None, f_compact);
    reg(r, &["mustCompact"], &[Any], None, f_must_compact);
    reg(r, &["mustFromJson"], &[S], None, f_must_from_json);
    reg(
        r,
        &["toPrettyJson", "mustToPrettyJson"],
        &[Any],
        None,
        f_to_pretty_json,
    );
    reg(r, &["toRawJson", "mustToRawJson"], &[Any], None, f_to_raw_json);
    reg(r, &["ternary"], &[Any, Any, Ty::Bool], None, f_ternary);
    reg(r, &["deepCopy", "mustDeepCopy"], &[Any], None, f_deep_copy);
    // reflection
    reg(r, &["typeOf"], &[Any], None, f_type_of);
    reg(r, &["typeIs"], &[S, Any], None, f_type_is);
    reg(r, &["typeIsLike"], &[S, Any], None, f_type_is_like);
    reg(r, &["kindOf"], &[Any], None, f_kind_of);
    reg(r, &["kindIs"], &[S, Any], None, f_kind_is);
    reg(r, &["deepEqual"], &[Any, Any], None, f_deep_equal);
    // paths (Linux: filepath == path)
    reg(r, &["base", "osBase"], &[S], None, f_base);
    reg(r, &["dir", "osDir"], &[S], None, f_dir);
    reg(r, &["clean", "osClean"], &[S], None, f_clean);
    reg(r, &["ext", "osExt"], &[S], None, f_ext);
    reg(r, &["isAbs", "osIsAbs"], &[S], None, f_is_abs);
    // encoding
    reg(r, &["b64enc"], &[S], None, f_b64enc);
    reg(r, &["b64dec"], &[S], None, f_b64dec);
    reg(r, &["b32enc"], &[S], None, f_b32enc);
    reg(r, &["b32dec"], &[S], None, f_b32dec);
    // data structures
    reg(r, &["tuple", "list"], &[], Some(Any), f_list);
    reg(r, &["dict"], &[], Some(Any), f_dict);
    reg(r, &["get"], &[Map, S], None, f_get);
    reg(r, &["set"], &[Map, S, Any], None, f_set);
    reg(r, &["unset"], &[Map, S], None, f_unset);
    reg(r, &["hasKey"], &[Map, S], None, f_has_key);
    reg(r, &["pluck"], &[S], Some(Map), f_pluck);
    reg(r, &["keys"], &[], Some(Map), f_keys);
    reg(r, &["pick"], &[Map], Some(S), f_pick);
    reg(r, &["omit"], &[Map], Some(S), f_omit);
    reg(r, &["merge", "mustMerge"], &[Map], Some(Map), f_merge);
    reg(
        r,
        &["mergeOverwrite", "mustMergeOverwrite"],
        &[Map],
        Some(Map),
        f_merge_overwrite,
    );
    reg(r, &["values"], &[Map], None, f_values);
    reg(
        r,
        &["append", "push", "mustAppend", "mustPush"],
        &[Any, Any],
        None,
        f_push,
    );
    reg(r, &["prepend", "mustPrepend"], &[Any, Any], None, f_prepend);
    reg(r, &["first", "mustFirst"], &[Any], None, f_first);
    reg(r, &["rest", "mustRest"], &[Any], None, f_rest);
    reg(r, &["last", "mustLast"], &[Any], None, f_last);
    reg(r, &["initial", "mustInitial"], &[Any], None, f_initial);
    reg(r, &["reverse", "mustReverse"], &[Any], None, f_reverse);
    reg(r, &["uniq", "mustUniq"], &[Any], None, f_uniq);
    reg(r, &["without", "mustWithout"], &[Any], Some(Any), f_without);
    reg(r, &["has", "mustHas"], &[Any, Any], None, f_has);
    reg(r, &["slice", "mustSlice"], &[Any], Some(Any), f_slice);
    reg(r, &["concat"], &[], Some(Any), f_concat);
    reg(r, &["dig"], &[], Some(Any), f_dig);
    reg(r, &["chunk", "mustChunk"], &[Int, Any], None, f_chunk);
    // crypto
    reg(r, &["bcrypt"], &[S], None, f_bcrypt);
    reg(r, &["htpasswd"], &[S, S], None, f_htpasswd);
    reg(r, &["genPrivateKey"], &[S], None, f_gen_private_key);
    reg(
        r,
        &["derivePassword"],
        &[Int, S, S, S, S],
        None,
        f_derive_password,
    );
    reg(r, &["buildCustomCert"], &[S, S], None, f_build_custom_cert);
    reg(r, &["genCA"], &[S, Int], None, f_gen_ca);
    reg(r, &["genCAWithKey"], &[S, Int, S], None, f_gen_ca_with_key);
    reg(
        r,
        &["genSelfSignedCert"],
        &[S, List, List, Int],
        None,
        f_gen_self_signed,
    );
    reg(
        r,
        &["genSelfSignedCertWithKey"],
        &[S, List, List, Int, S],
        None,
        f_gen_self_signed_with_key,
    );
    reg(
        r,
        &["genSignedCert"],
        &[S, List, List, Int, Any],
        None,
        f_gen_signed,
    );
    reg(
        r,
        &["genSignedCertWithKey"],
        &[S, List, List, Int, Any, S],
        None,
        f_gen_signed_with_key,
    );
    reg(r, &["encryptAES"], &[S, S], None, f_encrypt_aes);
    reg(r, &["decryptAES"], &[S, S], None, f_decrypt_aes);
    reg(r, &["randBytes"], &[Int], None, f_rand_bytes);
    reg(r, &["uuidv4"], &[], None, f_uuidv4);
    // semver
    reg(r, &["semver"], &[S], None, f_semver);
    reg(r, &["semverCompare"], &[S, S], None, f_semver_compare);
    // regex
    reg(r, &["regexMatch"], &[S, S], None, f_regex_match);
    reg(r, &["mustRegexMatch"], &[S, S], None, f_must_regex_match);
    reg(r, &["regexFindAll"], &[S, S, Int], None, f_regex_find_all);
    reg(
        r,
        &["mustRegexFindAll"],
        &[S, S, Int],
        None,
        f_must_regex_find_all,
    );
    reg(r, &["regexFind"], &[S, S], None, f_regex_find);
    reg(r, &["mustRegexFind"], &[S, S], None, f_must_regex_find);
    reg(r, &["regexReplaceAll"], &[S, S, S], None, f_regex_replace_all);
    reg(
        r,
        &["mustRegexReplaceAll"],
        &[S, S, S],
        None,
        f_must_regex_replace_all,
    );
    reg(
        r,
        &["regexReplaceAllLiteral"],
        &[S, S, S],
        None,
        f_regex_replace_all_literal,
    );
    reg(
        r,
        &["mustRegexReplaceAllLiteral"],
        &[S, S, S],
        None,
        f_must_regex_replace_all_literal,
    );
    reg(r, &["regexSplit"], &[S, S, Int], None, f_regex_split);
    reg(r, &["mustRegexSplit"], &[S, S, Int], None, f_must_regex_split);
    reg(r, &["regexQuoteMeta"], &[S], None, f_regex_quote_meta);
    // urls
    reg(r, &["urlParse"], &[S], None, f_url_parse);
    reg(r, &["urlJoin"], &[Map], None, f_url_join);
    // dates
    reg(r, &["ago"], &[Any], None, f_ago);
    reg(r, &["date"], &[S, Any], None, f_date);
    reg(
        r,
        &["date_in_zone", "dateInZone"],
        &[S, Any, S],
        None,
        f_date_in_zone,
    );
    reg(r, &["date_modify", "dateModify"], &[S, Any], None, f_date_modify);
    reg(
        r,
        &["must_date_modify", "mustDateModify"],
        &[S, Any],
        None,
        f_must_date_modify,
    );
    reg(r, &["duration"], &[Any], None, f_duration);
    reg(r, &["durationRound"], &[Any], None, f_duration_round);
    reg(r, &["htmlDate"], &[Any], None, f_html_date);
    reg(r, &["htmlDateInZone"], &[Any, S], None, f_html_date_in_zone);
    reg(r, &["now"], &[], None, f_now);
    reg(r, &["toDate"], &[S, S], None, f_to_date);
    reg(r, &["mustToDate"], &[S, S], None, f_must_to_date);
    reg(r, &["unixEpoch"], &[Any], None, f_unix_epoch);
    // sprig's own fromJson/toJson, replaced by Helm's in `helm::register`.
    reg(r, &["fromJson"], &[S], None, f_sprig_from_json);
    reg(r, &["toJson", "mustToJson"], &[Any], None, f_must_to_json);
}
