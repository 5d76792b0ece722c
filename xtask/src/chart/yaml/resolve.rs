//! go-yaml v2 plain-scalar resolution (`resolve.go`): YAML 1.1 booleans,
//! nulls, ints with Go `strconv.ParseInt(s, 0, 64)` prefixes, floats,
//! timestamps and the base-60 check the encoder uses for quoting.

/// What a scalar resolves to (Go types of a value decoded into `interface{}`).
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    /// Go `int` / `int64`
    Int(i64),
    /// Go `uint64` (only above `i64::MAX`)
    Uint(u64),
    Float(f64),
    /// A timestamp-looking plain scalar (kept as its text when decoding).
    Timestamp,
    Str,
    /// The merge key `<<`.
    Merge,
}

fn map_lookup(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        "<<" => Resolved::Merge,
        _ => return None,
    })
}

/// Resolve a plain (untagged, unquoted) scalar the way go-yaml v2 does.
pub fn resolve_plain(s: &str) -> Resolved {
    let hint = match s.as_bytes().first() {
        None => b'M',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        _ => 0,
    };
    if hint == 0 {
        return Resolved::Str;
    }
    if let Some(r) = map_lookup(s) {
        // `<<` has hint 0 and never gets here; keep the table complete anyway
        return r;
    }
    match hint {
        b'.' if is_yaml_float(s) => {
            if let Some(f) = go_parse_float(s) {
                return Resolved::Float(f);
            }
        }
        b'D' | b'S' => {
            if is_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if let Some(i) = go_parse_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Resolved::Uint(u);
            }
            if is_yaml_float(&plain) {
                if let Some(f) = go_parse_float(&plain) {
                    return Resolved::Float(f);
                }
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if let Some(v) = parse_digits(rest, 2) {
                    return int_or_uint(false, v);
                }
            } else if let Some(rest) = plain.strip_prefix("-0b") {
                if let Some(v) = parse_digits(rest, 2) {
                    if v <= 1u64 << 63 {
                        return Resolved::Int((v as i64).wrapping_neg());
                    }
                }
            }
        }
        _ => {}
    }
    Resolved::Str
}

fn int_or_uint(neg: bool, v: u64) -> Resolved {
    if neg {
        Resolved::Int((v as i64).wrapping_neg())
    } else if v <= i64::MAX as u64 {
        Resolved::Int(v as i64)
    } else {
        Resolved::Uint(v)
    }
}

/// Go `strconv.ParseFloat(s, 64)` for inputs matching [`is_yaml_float`]:
/// out-of-range values are an error (Go returns `ErrRange`).
fn go_parse_float(s: &str) -> Option<f64> {
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() {
        None
    } else {
        Some(f)
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
pub fn is_yaml_float(s: &str) -> bool {
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

fn parse_digits(s: &str, base: u32) -> Option<u64> {
    let mut n: u64 = 0;
    for c in s.chars() {
        let d = c.to_digit(36)?;
        if d >= base {
            return None;
        }
        n = n.checked_mul(base as u64)?.checked_add(d as u64)?;
    }
    Some(n)
}

/// Go `strconv.ParseUint(s, 0, 64)` (underscores already removed).
pub fn go_parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (base, digits) = if b[0] == b'0' {
        if b.len() >= 3 && (b[1] | 0x20) == b'b' {
            (2, &s[2..])
        } else if b.len() >= 3 && (b[1] | 0x20) == b'o' {
            (8, &s[2..])
        } else if b.len() >= 3 && (b[1] | 0x20) == b'x' {
            (16, &s[2..])
        } else {
            (8, &s[1..])
        }
    } else {
        (10, s)
    };
    parse_digits(digits, base)
}

/// Go `strconv.ParseInt(s, 0, 64)` (underscores already removed).
pub fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(rest)?;
    if neg {
        if u > 1u64 << 63 {
            None
        } else {
            Some((u as i64).wrapping_neg())
        }
    } else if u > i64::MAX as u64 {
        None
    } else {
        Some(u as i64)
    }
}

/// go-yaml v2 `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !(b[0] == b'+' || b[0] == b'-' || b[0].is_ascii_digit()) || !s.contains(':') {
        return false;
    }
    let mut i = 0;
    if b[i] == b'+' || b[i] == b'-' {
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
        // [0-5]?[0-9]
        let d1 = i < b.len() && b[i].is_ascii_digit();
        let d2 = i + 1 < b.len() && b[i + 1].is_ascii_digit();
        if d1 && d2 && b[i] <= b'5' {
            i += 2;
        } else if d1 {
            i += 1;
        } else {
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

/// Go `getnum(s, false)`: one or two digits.
fn getnum(b: &[u8], i: &mut usize) -> Option<u32> {
    if *i >= b.len() || !b[*i].is_ascii_digit() {
        return None;
    }
    let mut v = (b[*i] - b'0') as u32;
    *i += 1;
    if *i < b.len() && b[*i].is_ascii_digit() {
        v = v * 10 + (b[*i] - b'0') as u32;
        *i += 1;
    }
    Some(v)
}

fn days_in(month: u32, year: i32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) {
                29
            } else {
                28
            }
        }
    }
}

/// go-yaml v2 `parseTimestamp`: Go `time.Parse` with the layouts
/// `2006-1-2T15:4:5.999999999Z07:00` (also lower-case `t`),
/// `2006-1-2 15:4:5.999999999` and `2006-1-2`.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || i == b.len() || b[i] != b'-' {
        return false;
    }
    let year: i32 = s[..4].parse().unwrap_or(0);
    i += 1;
    let Some(month) = getnum(b, &mut i) else {
        return false;
    };
    if !(1..=12).contains(&month) || i >= b.len() || b[i] != b'-' {
        return false;
    }
    i += 1;
    let Some(day) = getnum(b, &mut i) else {
        return false;
    };
    if day < 1 || day > days_in(month, year) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let with_zone = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let Some(h) = getnum(b, &mut i) else {
        return false;
    };
    if h >= 24 || i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(m) = getnum(b, &mut i) else {
        return false;
    };
    if m >= 60 || i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(sec) = getnum(b, &mut i) else {
        return false;
    };
    if sec >= 60 {
        return false;
    }
    // optional fractional seconds
    if i + 1 < b.len() && (b[i] == b'.' || b[i] == b',') && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if !with_zone {
        return i == b.len();
    }
    // Z07:00
    if i < b.len() && b[i] == b'Z' {
        return i + 1 == b.len();
    }
    if b.len() - i != 6 || !(b[i] == b'+' || b[i] == b'-') || b[i + 3] != b':' {
        return false;
    }
    let digits = [1, 2, 4, 5].iter().all(|&k| b[i + k].is_ascii_digit());
    if !digits {
        return false;
    }
    let hh = (b[i + 1] - b'0') as u32 * 10 + (b[i + 2] - b'0') as u32;
    let mm = (b[i + 4] - b'0') as u32 * 10 + (b[i + 5] - b'0') as u32;
    hh < 24 && mm < 60
}

/// True when go-yaml v2 would write `s` as a plain scalar as far as
/// resolution goes (it resolves to `!!str` and is not a base-60 float).
pub fn plain_resolves_to_str(s: &str) -> bool {
    matches!(resolve_plain(s), Resolved::Str | Resolved::Merge) && !is_base60_float(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_table() {
        assert_eq!(resolve_plain("yes"), Resolved::Bool(true));
        assert_eq!(resolve_plain("Off"), Resolved::Bool(false));
        assert_eq!(resolve_plain("tRUE"), Resolved::Str);
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain(""), Resolved::Null);
        assert_eq!(resolve_plain("0777"), Resolved::Int(511));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("0o17"), Resolved::Int(15));
        assert_eq!(resolve_plain("0b101"), Resolved::Int(5));
        assert_eq!(resolve_plain("-0b101"), Resolved::Int(-5));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("+5"), Resolved::Int(5));
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("1e400"), Resolved::Str);
        assert_eq!(resolve_plain("18446744073709551615"), Resolved::Uint(u64::MAX));
        assert_eq!(resolve_plain("2001-12-14"), Resolved::Timestamp);
        assert_eq!(resolve_plain("2001-12-14T21:59:43.10Z"), Resolved::Timestamp);
        assert_eq!(resolve_plain("2001-12-14 21:59:43.10"), Resolved::Timestamp);
        assert_eq!(resolve_plain("2001-12-14t21:59:43+05:00"), Resolved::Timestamp);
        assert_eq!(resolve_plain("2001-02-30"), Resolved::Str);
        assert_eq!(resolve_plain("1:20"), Resolved::Str);
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30.15"));
        assert!(!is_base60_float("1:2a"));
        assert_eq!(resolve_plain("1.2.3"), Resolved::Str);
        assert_eq!(resolve_plain("-"), Resolved::Str);
    }
}
