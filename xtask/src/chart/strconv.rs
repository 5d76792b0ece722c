//! Go's `strconv.FormatFloat` and `fmt`'s `%v` for floats.
//!
//! Helm prints numbers the way Go does: `{{ 1000000.0 }}` writes `1e+06`,
//! `toYaml` writes non-integral floats with `FormatFloat(f, 'g', -1, 64)`,
//! Chart.yaml string fields turn floats into `FormatFloat(f, 'g', -1, 32)`.
//!
//! The decimal digits come from Rust's float formatting, which produces the
//! same digits as Go: the shortest round-tripping digit string (closest to
//! the exact value) for precision -1, and the exactly rounded expansion
//! (ties to even) for an explicit precision. The layout rules ('e', 'f', 'g'
//! and the switch between them) are a port of Go's `src/strconv/ftoa.go`.

/// Decimal digits of a finite, non-negative float: `0.d1d2d3... * 10^dp`.
/// `digits` has no leading or trailing zeros (empty for zero).
struct Decimal {
    digits: Vec<u8>,
    dp: i32,
}

/// Parse Rust's `{:e}` output (`d.ddde-N` / `de5`) into a [`Decimal`].
fn parse_sci(s: &str) -> Decimal {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    // Exponent of the first digit: value = d.ddd * 10^exp = 0.dddd * 10^(exp+1)
    let mut dp = exp + 1;
    // strip leading zeros (only for zero itself or rounding artefacts)
    while digits.first() == Some(&b'0') {
        digits.remove(0);
        dp -= 1;
    }
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        dp = 0;
    }
    Decimal { digits, dp }
}

/// Shortest digits that round-trip for the given bit size.
fn shortest(f: f64, bits: u32) -> Decimal {
    if bits == 32 {
        parse_sci(&format!("{:e}", f as f32))
    } else {
        parse_sci(&format!("{:e}", f))
    }
}

/// `n` significant digits, exactly rounded (ties to even). `n >= 1`.
fn fixed_sig(f: f64, n: usize) -> Decimal {
    parse_sci(&format!("{:.*e}", n - 1, f))
}

/// Digits rounded at `prec` places after the decimal point.
fn fixed_frac(f: f64, prec: usize) -> Decimal {
    let s = format!("{:.*}", prec, f);
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let mut dp = int.len() as i32;
    while digits.first() == Some(&b'0') {
        digits.remove(0);
        dp -= 1;
    }
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        dp = 0;
    }
    Decimal { digits, dp }
}

/// Go `strconv.FormatFloat(f, fmt, prec, bit_size)` for `fmt` in
/// `'e' 'E' 'f' 'g' 'G'` (any other byte behaves like Go's `%` + fmt error
/// form `%c`), `prec` -1 for the shortest representation, `bit_size` 32 or 64.
pub fn format_float(f: f64, fmt: char, prec: i32, bit_size: u32) -> String {
    let f = if bit_size == 32 { f as f32 as f64 } else { f };
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let neg = f.is_sign_negative();
    let a = f.abs();
    let short = prec < 0;
    let (digs, prec) = if short {
        let d = shortest(a, bit_size);
        let nd = d.digits.len() as i32;
        let p = match fmt {
            'e' | 'E' => (nd - 1).max(0),
            'f' => (nd - d.dp).max(0),
            _ => nd,
        };
        (d, p)
    } else {
        match fmt {
            'e' | 'E' => (fixed_sig(a, prec as usize + 1), prec),
            'f' => (fixed_frac(a, prec as usize), prec),
            'g' | 'G' => {
                let p = prec.max(1);
                (fixed_sig(a, p as usize), p)
            }
            _ => return format!("%{fmt}"),
        }
    };
    format_digits(neg, &digs, prec, fmt, short)
}

fn format_digits(neg: bool, d: &Decimal, prec: i32, fmt: char, shortest: bool) -> String {
    match fmt {
        'e' | 'E' => fmt_e(neg, d, prec, fmt),
        'f' => fmt_f(neg, d, prec),
        'g' | 'G' => {
            let nd = d.digits.len() as i32;
            let mut eprec = prec;
            if eprec > nd && nd >= d.dp {
                eprec = nd;
            }
            // %e is used if the exponent from the conversion is less than -4
            // or greater than or equal to the precision. If precision was the
            // shortest possible, use precision 6 for this decision.
            if shortest {
                eprec = 6;
            }
            let exp = d.dp - 1;
            let efmt = if fmt == 'g' { 'e' } else { 'E' };
            if exp < -4 || exp >= eprec {
                let mut p = prec;
                if p > nd {
                    p = nd;
                }
                return fmt_e(neg, d, p - 1, efmt);
            }
            let mut p = prec;
            if p > d.dp {
                p = nd;
            }
            fmt_f(neg, d, (p - d.dp).max(0))
        }
        other => format!("%{other}"),
    }
}

fn digit(d: &Decimal, i: i32) -> char {
    if i >= 0 && (i as usize) < d.digits.len() {
        d.digits[i as usize] as char
    } else {
        '0'
    }
}

/// `%e`: -d.ddddde±dd
fn fmt_e(neg: bool, d: &Decimal, prec: i32, fmt: char) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push(if d.digits.is_empty() { '0' } else { digit(d, 0) });
    if prec > 0 {
        s.push('.');
        let mut i = 1;
        let m = (d.digits.len() as i32).min(prec + 1);
        while i < m {
            s.push(digit(d, i));
            i += 1;
        }
        while i <= prec {
            s.push('0');
            i += 1;
        }
    }
    s.push(fmt);
    let mut exp = d.dp - 1;
    if d.digits.is_empty() {
        exp = 0;
    }
    if exp < 0 {
        s.push('-');
        exp = -exp;
    } else {
        s.push('+');
    }
    if exp < 10 {
        s.push('0');
    }
    s.push_str(&exp.to_string());
    s
}

/// `%f`: -ddddddd.ddddd
fn fmt_f(neg: bool, d: &Decimal, prec: i32) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if d.dp > 0 {
        let m = (d.digits.len() as i32).min(d.dp);
        for i in 0..m {
            s.push(digit(d, i));
        }
        for _ in m..d.dp {
            s.push('0');
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for i in 1..=prec {
            s.push(digit(d, d.dp + i - 1));
        }
    }
    s
}

/// Go's `fmt` `%v` (and `Sprint`) of a float64: `%g` with the shortest
/// precision. `+Inf` keeps its sign, `NaN` has none.
pub fn format_float_v(f: f64) -> String {
    format_float(f, 'g', -1, 64)
}

/// Go's `fmt` `%v` of a float32.
pub fn format_float32_v(f: f32) -> String {
    format_float(f as f64, 'g', -1, 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v_matches_go() {
        // Expected strings recorded from Helm v4.3.1 (`{{ $v }}` of values).
        let cases = [
            (1000000.0, "1e+06"),
            (1.5, "1.5"),
            (0.00001, "1e-05"),
            (123456789012.0, "1.23456789012e+11"),
            (1e21, "1e+21"),
            (0.0001, "0.0001"),
            (100000.0, "100000"),
            (0.0, "0"),
            (-0.0, "-0"),
            (-2.5, "-2.5"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
            (1234567.5, "1.2345675e+06"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_v(f), want, "{f:?}");
        }
    }

    #[test]
    fn explicit_precision_matches_go() {
        // printf "%.1f %.2e %g %.3g %e %f %G %E" from Helm v4.3.1
        let f = 1000000.0;
        assert_eq!(format_float(f, 'f', 1, 64), "1000000.0");
        assert_eq!(format_float(f, 'e', 2, 64), "1.00e+06");
        assert_eq!(format_float(f, 'g', 3, 64), "1e+06");
        assert_eq!(format_float(f, 'e', 6, 64), "1.000000e+06");
        assert_eq!(format_float(f, 'f', 6, 64), "1000000.000000");
        assert_eq!(format_float(f, 'G', -1, 64), "1E+06");
        assert_eq!(format_float(f, 'E', 6, 64), "1.000000E+06");
        assert_eq!(format_float(0.00001, 'f', 1, 64), "0.0");
        assert_eq!(format_float(0.00001, 'f', 6, 64), "0.000010");
        assert_eq!(format_float(123456789012.0, 'g', 3, 64), "1.23e+11");
        assert_eq!(format_float(123456789012.0, 'e', 6, 64), "1.234568e+11");
        assert_eq!(format_float(100000.0, 'g', 3, 64), "1e+05");
        assert_eq!(format_float(100000.0, 'G', -1, 64), "100000");
        assert_eq!(format_float(1e21, 'f', 1, 64), "1000000000000000000000.0");
        // ties to even, like Go
        assert_eq!(format_float(0.25, 'f', 1, 64), "0.2");
        assert_eq!(format_float(0.35, 'f', 1, 64), "0.3");
        assert_eq!(format_float(0.5, 'f', 0, 64), "0");
        assert_eq!(format_float(1.5, 'f', 0, 64), "2");
        assert_eq!(format_float(125.0, 'e', 2, 64), "1.25e+02");
        assert_eq!(format_float(0.0, 'e', -1, 64), "0e+00");
        assert_eq!(format_float(0.0, 'f', -1, 64), "0");
        assert_eq!(format_float(1.5, 'f', -1, 64), "1.5");
        assert_eq!(format_float(1e-7, 'f', -1, 64), "0.0000001");
        assert_eq!(format_float(123.456, 'g', 4, 64), "123.5");
        assert_eq!(format_float(123.0, 'g', 10, 64), "123");
    }

    #[test]
    fn bit_size_32() {
        // Chart.yaml `appVersion: 1.10` -> "1.1"; sigs.k8s.io/yaml keys.
        assert_eq!(format_float(1.10, 'g', -1, 32), "1.1");
        assert_eq!(format_float(0.1, 'g', -1, 32), "0.1");
        assert_eq!(format_float(1.0, 'g', -1, 32), "1");
        assert_eq!(format_float(16777217.0, 'g', -1, 32), "1.6777216e+07");
        assert_eq!(format_float(1.23456789, 'g', -1, 32), "1.2345679");
        assert_eq!(format_float(0.1, 'g', -1, 64), "0.1");
    }
}
