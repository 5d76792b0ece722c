//! Go `fmt` for template values: `%v` printing (what `{{ x }}` writes),
//! `Sprint`, `Sprintln` and `Sprintf` with Go's verbs, flags and error forms
//! (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA …)`), plus `strconv.Quote`.

use super::value::Value;

/// Go `strconv.FormatFloat(f, 'g', -1, 64)` / `%v` of a float64.
pub fn float_v(f: f64) -> String {
    super::strconv::format_float_v(f)
}

/// Go `strconv.FormatFloat(f, fmt, prec, 64)`.
pub fn format_float(f: f64, fmt: u8, prec: i32) -> String {
    super::strconv::format_float(f, fmt as char, prec, 64)
}

/// Go `fmt.Sprint(v)` for one value (`%v`).
pub fn sprint_v(v: &Value) -> String {
    let mut out = String::new();
    write_v(&mut out, v, false);
    out
}

fn write_v(out: &mut String, v: &Value, nested: bool) {
    match v {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&float_v(*f)),
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) => {
            out.push('[');
            for (i, x) in b.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&x.to_string());
            }
            out.push(']');
        }
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.items().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, x, true);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, x)) in m.entries().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, x, true);
            }
            out.push(']');
        }
        Value::Object(o) => {
            let _ = nested;
            out.push_str(&o.format_v())
        }
    }
}

/// Go `fmt.Sprint(args...)`: spaces between operands when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        write_v(&mut out, a, false);
        prev_string = is_string;
    }
    out
}

/// Go `fmt.Sprintln(args...)`.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_v(&mut out, a, false);
    }
    out.push('\n');
    out
}

/// Go `strconv.Quote`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    quote_into(&mut out, s, '"');
    out.push('"');
    out
}

fn quote_into(out: &mut String, s: &str, q: char) {
    for c in s.chars() {
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            '\u{FFFD}' => out.push('\u{FFFD}'),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
}

/// Approximation of Go's `unicode.IsPrint`.
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFFFE | 0xFFFF | 0xD800..=0xDFFF)
}

#[derive(Default, Clone, Copy)]
struct Flags {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Go `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let b = format.as_bytes();
    let mut i = 0;
    let mut argn = 0;
    let mut reordered = false;
    while i < b.len() {
        // literal run
        let start = i;
        while i < b.len() && b[i] != b'%' {
            i += 1;
        }
        out.push_str(&format[start..i]);
        if i >= b.len() {
            break;
        }
        i += 1; // skip %
        let mut fl = Flags::default();
        while i < b.len() {
            match b[i] {
                b'-' => {
                    fl.minus = true;
                    fl.zero = false;
                }
                b'+' => fl.plus = true,
                b'#' => fl.sharp = true,
                b' ' => fl.space = true,
                b'0' => fl.zero = !fl.minus,
                _ => break,
            }
            i += 1;
        }
        // width
        if i < b.len() && b[i] == b'*' {
            i += 1;
            match args.get(argn) {
                Some(Value::Int(n)) | Some(Value::Int64(n)) if !too_large(*n) => {
                    let n = *n;
                    if n < 0 {
                        fl.minus = true;
                        fl.zero = false;
                    }
                    fl.width = Some(n.unsigned_abs() as usize);
                }
                // Go's intFromArg: a width past 1e6 is no width either
                _ => out.push_str("%!(BADWIDTH)"),
            }
            argn += 1;
        } else {
            let (num, next) = parsenum(b, i);
            fl.width = num;
            i = next;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            if i < b.len() && b[i] == b'*' {
                i += 1;
                match args.get(argn) {
                    Some(Value::Int(n)) | Some(Value::Int64(n)) if *n >= 0 && !too_large(*n) => {
                        fl.prec = Some(*n as usize)
                    }
                    _ => out.push_str("%!(BADPREC)"),
                }
                argn += 1;
            } else {
                let (num, next) = parsenum(b, i);
                fl.prec = Some(num.unwrap_or(0));
                i = next;
            }
        }
        if i < b.len() && b[i] == b'[' {
            // explicit argument indexes are rare in charts; treat as bad verb
            reordered = true;
        }
        if i >= b.len() {
            out.push_str("%!(NOVERB)");
            break;
        }
        let verb = format[i..].chars().next().unwrap_or('?');
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(argn) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        argn += 1;
        fmt_arg(&mut out, arg, verb, fl);
    }
    if !reordered && argn < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, a) in args[argn..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            match a {
                Value::Nil => out.push_str("<nil>"),
                _ => {
                    out.push_str(&a.type_name());
                    out.push('=');
                    write_v(&mut out, a, false);
                }
            }
        }
        out.push(')');
    }
    out
}

/// Go fmt's `tooLarge`: widths and precisions are at most 1e6.
fn too_large(n: i64) -> bool {
    !(-1_000_000..=1_000_000).contains(&n)
}

/// Go fmt's `parsenum`: the digits at `start` as a width or precision, and
/// where parsing stopped. A crazy long number (past 1e6 before its last
/// digit) gives no number and consumes the whole format, as in Go.
fn parsenum(b: &[u8], start: usize) -> (Option<usize>, usize) {
    let mut num: usize = 0;
    let mut isnum = false;
    let mut i = start;
    while i < b.len() && b[i].is_ascii_digit() {
        if num > 1_000_000 {
            return (None, b.len());
        }
        num = num * 10 + usize::from(b[i] - b'0');
        isnum = true;
        i += 1;
    }
    (isnum.then_some(num), i)
}

fn pad(out: &mut String, s: &str, fl: Flags, zero_ok: bool) {
    let len = s.chars().count();
    let w = fl.width.unwrap_or(0);
    if len >= w {
        out.push_str(s);
        return;
    }
    let n = w - len;
    if fl.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', n));
    } else if fl.zero && zero_ok {
        // zero padding goes after the sign
        let (sign, rest) = if s.starts_with(['-', '+', ' ']) {
            s.split_at(1)
        } else {
            ("", s)
        };
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', n));
        out.push_str(rest);
    } else {
        out.extend(std::iter::repeat_n(' ', n));
        out.push_str(s);
    }
}

fn bad_verb(out: &mut String, verb: char, v: &Value) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    match v {
        Value::Nil => out.push_str("<nil>"),
        _ => {
            out.push_str(&v.type_name());
            out.push('=');
            write_v(out, v, false);
        }
    }
    out.push(')');
}

fn fmt_int(out: &mut String, n: i128, verb: char, fl: Flags) {
    let neg = n < 0;
    let a = n.unsigned_abs();
    let mut digits = match verb {
        'd' | 'v' => a.to_string(),
        'x' => format!("{a:x}"),
        'X' => format!("{a:X}"),
        'o' | 'O' => format!("{a:o}"),
        'b' => format!("{a:b}"),
        _ => a.to_string(),
    };
    if let Some(p) = fl.prec {
        if p == 0 && a == 0 {
            digits.clear();
        }
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    let prefix = match (verb, fl.sharp) {
        ('x', true) => "0x",
        ('X', true) => "0X",
        ('o', true) => "0",
        ('O', _) => "0o",
        ('b', true) => "0b",
        _ => "",
    };
    let sign = if neg {
        "-"
    } else if fl.plus {
        "+"
    } else if fl.space {
        " "
    } else {
        ""
    };
    let s = format!("{sign}{prefix}{digits}");
    pad(out, &s, fl, fl.prec.is_none());
}

fn fmt_float(out: &mut String, f: f64, verb: char, fl: Flags) {
    let s = match verb {
        'v' | 'g' => format_float(f, b'g', fl.prec.map_or(-1, |p| p as i32)),
        'G' => format_float(f, b'G', fl.prec.map_or(-1, |p| p as i32)),
        'e' | 'E' => format_float(f, verb as u8, fl.prec.map_or(6, |p| p as i32)),
        'f' | 'F' => format_float(f, b'f', fl.prec.map_or(6, |p| p as i32)),
        _ => format_float(f, b'g', -1),
    };
    let s = if fl.plus && !s.starts_with(['-', '+']) {
        format!("+{s}")
    } else if fl.space && !s.starts_with(['-', '+']) {
        format!(" {s}")
    } else {
        s
    };
    pad(out, &s, fl, f.is_finite());
}

fn fmt_str(out: &mut String, s: &str, verb: char, fl: Flags) {
    match verb {
        'v' | 's' => {
            let s: String = match fl.prec {
                Some(p) => s.chars().take(p).collect(),
                None => s.to_string(),
            };
            pad(out, &s, fl, true)
        }
        'q' => {
            let s = if fl.sharp && !s.contains('`') && s.chars().all(|c| c != '\n' && is_print(c)) {
                format!("`{s}`")
            } else {
                quote(s)
            };
            pad(out, &s, fl, true)
        }
        'x' | 'X' => {
            let mut h = String::new();
            for (i, byte) in s.bytes().enumerate() {
                if fl.space && i > 0 {
                    h.push(' ');
                }
                if verb == 'x' {
                    h.push_str(&format!("{byte:02x}"));
                } else {
                    h.push_str(&format!("{byte:02X}"));
                }
            }
            pad(out, &h, fl, true)
        }
        _ => bad_verb(out, verb, &Value::str(s)),
    }
}

fn fmt_arg(out: &mut String, v: &Value, verb: char, fl: Flags) {
    if verb == 'T' {
        pad(out, &v.type_name(), fl, false);
        return;
    }
    match v {
        Value::Nil => match verb {
            'v' => pad(out, "<nil>", fl, false),
            _ => bad_verb(out, verb, v),
        },
        Value::Bool(b) => match verb {
            'v' | 't' => pad(out, if *b { "true" } else { "false" }, fl, false),
            _ => bad_verb(out, verb, v),
        },
        Value::Int(n) | Value::Int64(n) => match verb {
            'v' | 'd' | 'x' | 'X' | 'o' | 'O' | 'b' => fmt_int(out, i128::from(*n), verb, fl),
            'c' => {
                let c = u32::try_from(*n)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                pad(out, &c.to_string(), fl, false)
            }
            'q' => {
                let c = u32::try_from(*n)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                let mut s = String::from("'");
                quote_into(&mut s, &c.to_string(), '\'');
                s.push('\'');
                pad(out, &s, fl, false)
            }
            'U' => pad(out, &format!("U+{:04X}", n), fl, false),
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => bad_verb(out, verb, v),
            _ => bad_verb(out, verb, v),
        },
        Value::Float(f) => match verb {
            'v' | 'g' | 'G' | 'e' | 'E' | 'f' | 'F' => fmt_float(out, *f, verb, fl),
            _ => bad_verb(out, verb, v),
        },
        Value::String(s) => fmt_str(out, s, verb, fl),
        Value::Bytes(b) => match verb {
            's' | 'q' | 'x' | 'X' => fmt_str(out, &String::from_utf8_lossy(b), verb, fl),
            _ => {
                out.push('[');
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    fmt_arg(out, &Value::Int(i64::from(*x)), verb, fl);
                }
                out.push(']');
            }
        },
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.items().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_arg(out, x, verb, fl);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, x)) in m.entries().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_str(out, k, verb, fl);
                out.push(':');
                fmt_arg(out, x, verb, fl);
            }
            out.push(']');
        }
        Value::Object(o) => match verb {
            'v' | 's' => pad(out, &o.format_v(), fl, false),
            _ => bad_verb(out, verb, v),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_go() {
        assert_eq!(float_v(1e6), "1e+06");
        assert_eq!(float_v(100000.0), "100000");
        assert_eq!(float_v(1.5), "1.5");
        assert_eq!(float_v(1.0), "1");
        assert_eq!(float_v(0.0001), "0.0001");
        assert_eq!(float_v(0.00001), "1e-05");
        assert_eq!(float_v(1234567.0), "1.234567e+06");
        assert_eq!(float_v(-0.0), "-0");
        assert_eq!(float_v(356136738.0), "3.56136738e+08");
        assert_eq!(format_float(1.23456, b'f', 2), "1.23");
        assert_eq!(format_float(1.0, b'e', 6), "1.000000e+00");
        assert_eq!(format_float(1.0, b'g', 3), "1");
        assert_eq!(format_float(123456.0, b'g', 3), "1.23e+05");
        assert_eq!(format_float(0.0, b'g', -1), "0");
    }

    #[test]
    fn printf_like_go() {
        let s = |x: &str| Value::str(x);
        assert_eq!(sprintf("%s-%d", &[s("a"), Value::Int(3)]), "a-3");
        assert_eq!(sprintf("%d", &[s("x")]), "%!d(string=x)");
        assert_eq!(sprintf("%s", &[]), "%!s(MISSING)");
        assert_eq!(sprintf("a", &[Value::Int(1)]), "a%!(EXTRA int=1)");
        assert_eq!(
            sprintf("%05d|%-4s|%4s", &[Value::Int(42), s("ab"), s("cd")]),
            "00042|ab  |  cd"
        );
        assert_eq!(sprintf("%q", &[s("a\"b")]), "\"a\\\"b\"");
        assert_eq!(sprintf("%v", &[Value::Nil]), "<nil>");
        assert_eq!(sprintf("%.2f", &[Value::Float(2.0 / 3.0)]), "0.67");
        assert_eq!(sprintf("%x", &[Value::Int(255)]), "ff");
        assert_eq!(sprintf("%T", &[Value::Float(1.0)]), "float64");
        assert_eq!(sprintf("%s", &[Value::Int(1)]), "%!s(int=1)");
        assert_eq!(sprintf("%d%%", &[Value::Int(5)]), "5%");
    }

    #[test]
    fn sprint_spacing() {
        assert_eq!(sprint(&[Value::Int(1), Value::Int(2)]), "1 2");
        assert_eq!(sprint(&[Value::str("a"), Value::Int(2)]), "a2");
        assert_eq!(sprint(&[Value::Nil]), "<nil>");
        assert_eq!(sprintln(&[Value::str("a"), Value::str("b")]), "a b\n");
    }
}
