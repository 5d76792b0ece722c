//! Port of `Masterminds/semver` v3 (the version Helm v4.3.1 links): loose
//! version parsing (`NewVersion` with coercion: `1.2`, `v1`, `1.2.3-rc.1+b`)
//! and constraints (`>=1.21-0`, `~1.2`, `^0.3`, `1.2 - 1.4`, `1.x`, `,`
//! and `||`), with the same prerelease rules: a prerelease version only
//! satisfies an AND group that itself mentions a prerelease.

use std::cmp::Ordering;
use std::fmt;
#[path = "semver_match.rs"]
mod matcher;

/// A parsed semantic version (`semver.Version`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
    pub original: String,
}

const NUM: &str = "0123456789";
const ALLOWED: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789";

fn contains_only(s: &str, set: &str) -> bool {
    s.chars().all(|c| set.contains(c))
}

// The expressions of Masterminds/semver v3, as the regex crate spells them
// (Go's `\s` is ASCII `[\t\n\f\r ]`; `\d` is ASCII). They are the
// specification: [`matcher`] implements them by hand and the tests compare
// the two.
#[cfg(test)]
const LOOSE: &str = r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
#[cfg(test)]
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
#[cfg(test)]
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
#[cfg(test)]
const WS: &str = r"[\t\n\f\r ]";

#[cfg(test)]
struct Regexes {
    loose: regex::Regex,
    constraint: regex::Regex,
    range: regex::Regex,
    find: regex::Regex,
    valid: regex::Regex,
}

#[cfg(test)]
fn regexes() -> &'static Regexes {
    static R: std::sync::OnceLock<Regexes> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        let mk = |s: String| regex::Regex::new(&s).expect("static semver regex");
        Regexes {
            loose: mk(format!("^{LOOSE}$")),
            constraint: mk(format!("^{WS}*({OPS}){WS}*({CV}){WS}*$")),
            range: mk(format!("{WS}*({CV}){WS}+-{WS}+({CV}){WS}*")),
            find: mk(format!("({OPS}){WS}*({CV})")),
            valid: mk(format!(
                "^({WS}*({OPS}){WS}*({CV}){WS}*)((?:{WS}+|,{WS}*)({OPS}){WS}*({CV}){WS}*)*$"
            )),
        }
    })
}

fn parse_u64(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| {
        format!("error parsing version segment: strconv.ParseUint: parsing {s:?}: value out of range")
    })
}

fn validate_prerelease(p: &str) -> Result<(), String> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err("invalid prerelease string".into());
        } else if contains_only(part, NUM) {
            if part.len() > 1 && part.starts_with('0') {
                return Err("version segment starts with 0".into());
            }
        } else if !contains_only(part, ALLOWED) {
            return Err("invalid prerelease string".into());
        }
    }
    Ok(())
}

fn validate_metadata(m: &str) -> Result<(), String> {
    for part in m.split('.') {
        if part.is_empty() || !contains_only(part, ALLOWED) {
            return Err("invalid metadata string".into());
        }
    }
    Ok(())
}

impl Version {
    /// `semver.NewVersion` (with `CoerceNewVersion = true`, the default).
    pub fn parse(v: &str) -> Result<Version, String> {
        let m = matcher::loose(v).ok_or_else(|| "invalid semantic version".to_string())?;
        let g = |(a, b): (usize, usize)| &v[a..b];
        let major = parse_u64(g(m.major))?;
        let minor = if g(m.minor).is_empty() {
            0
        } else {
            parse_u64(&g(m.minor)[1..])?
        };
        let patch = if g(m.patch).is_empty() {
            0
        } else {
            parse_u64(&g(m.patch)[1..])?
        };
        let pre = g(m.pre).get(1..).unwrap_or("").to_string();
        let metadata = g(m.meta).get(1..).unwrap_or("").to_string();
        if !pre.is_empty() {
            validate_prerelease(&pre)?;
        }
        if !metadata.is_empty() {
            validate_metadata(&metadata)?;
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
            metadata,
            original: v.to_string(),
        })
    }

    /// `semver.StrictNewVersion`: exactly `X.Y.Z[-pre][+meta]`, no `v`, no leading zeros.
    pub fn parse_strict(v: &str) -> Result<Version, String> {
        if v.is_empty() {
            return Err("version string empty".into());
        }
        let mut parts: Vec<String> = v.splitn(3, '.').map(str::to_string).collect();
        if parts.len() != 3 {
            return Err("invalid semantic version".into());
        }
        let mut metadata = String::new();
        let mut pre = String::new();
        if let Some((a, b)) = parts[2].clone().split_once('+') {
            metadata = b.to_string();
            parts[2] = a.to_string();
            validate_metadata(&metadata)?;
        }
        if let Some((a, b)) = parts[2].clone().split_once('-') {
            pre = b.to_string();
            parts[2] = a.to_string();
            validate_prerelease(&pre)?;
        }
        for p in &parts {
            if !contains_only(p, NUM) {
                return Err("invalid characters in version".into());
            }
            if p.len() > 1 && p.starts_with('0') {
                return Err("version segment starts with 0".into());
            }
        }
        let seg = |s: &str| {
            s.parse::<u64>()
                .map_err(|_| format!("strconv.ParseUint: parsing {s:?}: invalid syntax"))
        };
        Ok(Version {
            major: seg(&parts[0])?,
            minor: seg(&parts[1])?,
            patch: seg(&parts[2])?,
            pre,
            metadata,
            original: v.to_string(),
        })
    }

    /// `Version.Compare`: -1, 0, 1; metadata ignored, prerelease lower.
    pub fn compare(&self, o: &Version) -> i32 {
        for (a, b) in [
            (self.major, o.major),
            (self.minor, o.minor),
            (self.patch, o.patch),
        ] {
            match a.cmp(&b) {
                Ordering::Less => return -1,
                Ordering::Greater => return 1,
                Ordering::Equal => {}
            }
        }
        match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => -1,
            (false, false) => compare_prerelease(&self.pre, &o.pre),
        }
    }

    fn less_than(&self, o: &Version) -> bool {
        self.compare(o) < 0
    }
}

impl fmt::Display for Version {
    /// `Version.String()`: canonical form without a `v`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(v: &str, o: &str) -> i32 {
    let s: Vec<&str> = v.split('.').collect();
    let t: Vec<&str> = o.split('.').collect();
    for i in 0..s.len().max(t.len()) {
        let a = s.get(i).copied().unwrap_or("");
        let b = t.get(i).copied().unwrap_or("");
        let d = compare_pre_part(a, b);
        if d != 0 {
            return d;
        }
    }
    0
}

fn compare_pre_part(s: &str, o: &str) -> i32 {
    if s == o {
        return 0;
    }
    if s.is_empty() {
        return -1;
    }
    if o.is_empty() {
        return 1;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                1
            } else {
                -1
            }
        }
        (_, Err(_)) => -1,
        (Err(_), _) => 1,
        (Ok(a), Ok(b)) => {
            if a > b {
                1
            } else {
                -1
            }
        }
    }
}

#[derive(Clone, Debug)]
struct Constraint {
    con: Version,
    orig: String,
    op: String,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

/// `semver.Constraints`: OR groups of AND-ed constraints.
#[derive(Clone, Debug)]
pub struct Constraints {
    groups: Vec<Vec<Constraint>>,
    contains_pre: Vec<bool>,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "*" | "X")
}

fn rewrite_range(i: &str) -> String {
    let mut o = i.to_string();
    for ((start, end), a, b) in matcher::ranges(i) {
        let whole = &i[start..end];
        let (a, b) = (&i[a.start..a.end], &i[b.start..b.end]);
        let t = format!(">= {a}, <= {b} ");
        o = o.replacen(whole, &t, 1);
    }
    o
}

fn parse_constraint(c: &str) -> Result<Constraint, String> {
    if c.is_empty() {
        return Ok(Constraint {
            con: Version::parse_strict("0.0.0")?,
            orig: String::new(),
            op: String::new(),
            minor_dirty: false,
            patch_dirty: false,
            dirty: true,
        });
    }
    let (op, v) = matcher::constraint(c).ok_or_else(|| format!("improper constraint: {}", go_quote(c)))?;
    let g = |(a, b): (usize, usize)| &c[a..b];
    let whole = &c[v.start..v.end];
    let (m3, m4, m5, m6) = (g(v.major), g(v.minor), g(v.patch), g(v.pre));
    let mut ver = whole.to_string();
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    if is_x(m3) || m3.is_empty() {
        ver = format!("0.0.0{m6}");
        dirty = true;
    } else if is_x(m4.trim_start_matches('.')) || m4.is_empty() {
        minor_dirty = true;
        dirty = true;
        ver = format!("{m3}.0.0{m6}");
    } else if is_x(m5.trim_start_matches('.')) || m5.is_empty() {
        dirty = true;
        patch_dirty = true;
        ver = format!("{m3}{m4}.0{m6}");
    }
    let con = Version::parse(&ver).map_err(|_| "constraint parser error".to_string())?;
    Ok(Constraint {
        con,
        orig: whole.to_string(),
        op: op.to_string(),
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

/// Go's `%q` for ASCII-printable strings (enough for constraint errors).
fn go_quote(s: &str) -> String {
    super::strings::go_quote(s)
}

impl Constraints {
    /// `semver.NewConstraint`.
    pub fn parse(c: &str) -> Result<Constraints, String> {
        let c = rewrite_range(c);
        let mut groups = Vec::new();
        let mut contains_pre = Vec::new();
        for part in c.split("||") {
            if !matcher::valid(part) {
                return Err(format!("improper constraint: {}", go_quote(part)));
            }
            let mut found = matcher::finds(part);
            if found.is_empty() {
                found.push(part);
            }
            let mut group = Vec::new();
            let mut has_pre = false;
            for s in found {
                let pc = parse_constraint(s)?;
                if !pc.con.pre.is_empty() {
                    has_pre = true;
                }
                group.push(pc);
            }
            groups.push(group);
            contains_pre.push(has_pre);
        }
        Ok(Constraints { groups, contains_pre })
    }

    /// `Constraints.Check`.
    pub fn check(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .zip(&self.contains_pre)
            .any(|(group, pre)| group.iter().all(|c| check_one(c, v, *pre)))
    }
}

fn check_one(c: &Constraint, v: &Version, include_pre: bool) -> bool {
    if !v.pre.is_empty() && !include_pre {
        return false;
    }
    match c.op.as_str() {
        "" | "=" => {
            if c.dirty {
                tilde(c, v)
            } else {
                v.compare(&c.con) == 0
            }
        }
        "!=" => not_equal(c, v),
        ">" => greater_than(c, v),
        "<" => v.less_than(&c.con),
        ">=" | "=>" => v.compare(&c.con) >= 0,
        "<=" | "=<" => less_equal(c, v),
        "~" | "~>" => tilde(c, v),
        "^" => caret(c, v),
        _ => false,
    }
}

fn not_equal(c: &Constraint, v: &Version) -> bool {
    if c.dirty {
        if c.con.major != v.major {
            return true;
        }
        if c.con.minor != v.minor && !c.minor_dirty {
            return true;
        } else if c.minor_dirty {
            return false;
        } else if c.con.patch != v.patch && !c.patch_dirty {
            return true;
        } else if c.patch_dirty {
            if !v.pre.is_empty() || !c.con.pre.is_empty() {
                return compare_prerelease(&v.pre, &c.con.pre) != 0;
            }
            return false;
        }
    }
    v.compare(&c.con) != 0
}

fn greater_than(c: &Constraint, v: &Version) -> bool {
    if !c.dirty {
        return v.compare(&c.con) == 1;
    }
    if v.major > c.con.major {
        true
    } else if v.major < c.con.major || c.minor_dirty {
        false
    } else if c.patch_dirty {
        v.minor > c.con.minor
    } else {
        v.compare(&c.con) == 1
    }
}

fn less_equal(c: &Constraint, v: &Version) -> bool {
    if !c.dirty {
        return v.compare(&c.con) <= 0;
    }
    !(v.major > c.con.major || (v.major == c.con.major && v.minor > c.con.minor && !c.minor_dirty))
}

fn tilde(c: &Constraint, v: &Version) -> bool {
    if v.less_than(&c.con) {
        return false;
    }
    if c.con.major == 0 && c.con.minor == 0 && c.con.patch == 0 && !c.minor_dirty && !c.patch_dirty {
        return true;
    }
    if v.major != c.con.major {
        return false;
    }
    v.minor == c.con.minor || c.minor_dirty
}

fn caret(c: &Constraint, v: &Version) -> bool {
    if v.less_than(&c.con) {
        return false;
    }
    if c.con.major > 0 || c.minor_dirty {
        return v.major == c.con.major;
    }
    if v.major > 0 {
        return false;
    }
    if c.con.minor > 0 || c.patch_dirty {
        return v.minor == c.con.minor;
    }
    if v.minor > 0 {
        return false;
    }
    c.con.patch == v.patch
}

impl fmt::Display for Constraints {
    /// `Constraints.String()`: AND groups space-separated, ORs joined by ` || `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|c| format!("{}{}", c.op, c.orig))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        f.write_str(&groups.join(" || "))
    }
}

/// sprig `semverCompare constraint version`.
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    let c = Constraints::parse(constraint)?;
    let v = Version::parse(version)?;
    Ok(c.check(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_loose_versions() {
        let v = Version::parse("v1.30.2-gke.1+b7").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 30, 2));
        assert_eq!(v.pre, "gke.1");
        assert_eq!(v.metadata, "b7");
        assert_eq!(v.to_string(), "1.30.2-gke.1+b7");
        assert_eq!(Version::parse("1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(Version::parse("01.2.3").unwrap().to_string(), "1.2.3");
        assert!(Version::parse("1.2.3.4").is_err());
        assert!(Version::parse("x1").is_err());
        assert_eq!(
            Version::parse("1.2.3-01").unwrap_err(),
            "version segment starts with 0"
        );
        assert!(Version::parse_strict("v1.2.3").is_err());
        assert!(Version::parse_strict("1.2").is_err());
        assert!(Version::parse_strict("1.2.3-rc.1+x").is_ok());
    }

    #[test]
    fn compares_prereleases() {
        let p = |s| Version::parse(s).unwrap();
        assert_eq!(p("1.0.0-alpha").compare(&p("1.0.0")), -1);
        assert_eq!(p("1.0.0-alpha.10").compare(&p("1.0.0-alpha.9")), 1);
        assert_eq!(p("1.0.0-alpha").compare(&p("1.0.0-alpha.1")), -1);
        assert_eq!(p("1.0.0-beta").compare(&p("1.0.0-1")), 1);
        assert_eq!(p("1.0.0+a").compare(&p("1.0.0+b")), 0);
    }

    // Expected values recorded from `helm template` (Helm v4.3.1) with
    // `{{ semverCompare C V }}`; see tests/fixtures/chart_funcs/cases.json.
    #[test]
    fn constraints_match_helm() {
        let cases = [
            (">=1.21-0", "v1.30.2-gke.1", true),
            (">=1.21-0", "1.20.9", false),
            (">=1.21", "1.30.2-gke.1", false),
            (">=1.21", "1.30.2", true),
            ("<1.25.0-0", "1.24.9-eks-1", true),
            ("^1.2.3", "1.9.0", true),
            ("^1.2.3", "2.0.0", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("^0.0.3", "0.0.4", false),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("~1", "1.9.0", true),
            ("1.2.x", "1.2.7", true),
            ("1.2.x", "1.3.0", false),
            ("*", "3.4.5", true),
            ("1.2 - 1.4", "1.4.9", true),
            ("1.2 - 1.4.0", "1.4.1", false),
            (">1.2", "1.2.9", false),
            (">1.2", "1.3.0", true),
            ("<=1.2", "1.2.9", true),
            ("!=1.2.3", "1.2.4", true),
            ("!=1.2.x", "1.2.4", false),
            (">=1.0, <2.0", "1.5.0", true),
            (">=1.0 <2.0", "2.0.0", false),
            ("<1.0 || >=3", "3.1.0", true),
            ("=1.2.3", "v1.2.3", true),
        ];
        for (c, v, want) in cases {
            assert_eq!(semver_compare(c, v).unwrap(), want, "{c:?} {v:?}");
        }
    }

    /// Strings made of semver-ish tokens (a deterministic pseudo-random
    /// sample), for comparing [`matcher`] with the regexes.
    fn generated() -> Vec<String> {
        let tokens = [
            "1",
            "0",
            "12",
            "01",
            "2.3",
            ".",
            "-",
            "+",
            "v",
            "x",
            "X",
            "*",
            "|",
            "||",
            " ",
            "\t",
            "\x0b",
            "\n",
            ",",
            ", ",
            "=",
            "!=",
            ">",
            "<",
            ">=",
            "=>",
            "<=",
            "=<",
            "~",
            "~>",
            "^",
            "a",
            "rc.1",
            "Z-9",
            " - ",
            "é",
            "1.2.3",
            "v1.2",
            "-0",
            "1.x",
            ".*",
            "99999999999999999999",
            "-beta.2",
            "+b.7",
        ];
        let mut out = Vec::new();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for _ in 0..40_000 {
            let len = next() % 9;
            let s: String = (0..len).map(|_| tokens[next() % tokens.len()]).collect();
            out.push(s);
        }
        out
    }

    #[test]
    fn matchers_agree_with_the_regexes() {
        let r = regexes();
        let caps = |c: Option<regex::Captures>, idx: &[usize]| {
            c.map(|c| {
                idx.iter()
                    .map(|&i| c.get(i).map_or(String::new(), |m| m.as_str().to_string()))
                    .collect::<Vec<_>>()
            })
        };
        let mut inputs = generated();
        inputs.extend(
            [
                "",
                " ",
                "v",
                "1.2.3-rc.1+b.2",
                ">=1.21-0",
                "1.2 - 1.4",
                "1.2.3.4 - 2",
                "a1 - 2.3.4.5",
                " >= 1, <2 ",
                ">=1,<2",
                "=>1",
                "~>1.x",
                "1.2.3-",
                "1 -2",
                "1  -  2-a.",
                "x1.2 - 3",
            ]
            .map(String::from),
        );
        let mut hits = [0usize; 5];
        for s in &inputs {
            let s = s.as_str();
            let span = |(a, b): (usize, usize)| s[a..b].to_string();
            let want = caps(r.loose.captures(s), &[1, 2, 3, 5, 8]);
            let got = matcher::loose(s).map(|m| {
                let strip = |x: String| x.get(1..).unwrap_or("").to_string();
                vec![
                    span(m.major),
                    span(m.minor),
                    span(m.patch),
                    strip(span(m.pre)),
                    strip(span(m.meta)),
                ]
            });
            hits[0] += want.is_some() as usize;
            assert_eq!(got, want, "loose {s:?}");

            let want = caps(r.constraint.captures(s), &[1, 2, 3, 4, 5, 6]);
            let got = matcher::constraint(s).map(|(op, m)| {
                vec![
                    op.to_string(),
                    span((m.start, m.end)),
                    span(m.major),
                    span(m.minor),
                    span(m.patch),
                    span(m.pre),
                ]
            });
            hits[1] += want.is_some() as usize;
            assert_eq!(got, want, "constraint {s:?}");

            let want: Vec<Vec<String>> = r
                .range
                .captures_iter(s)
                .map(|c| caps(Some(c), &[0, 1, 11]).unwrap())
                .collect();
            let got: Vec<Vec<String>> = matcher::ranges(s)
                .into_iter()
                .map(|(w, a, b)| vec![span(w), span((a.start, a.end)), span((b.start, b.end))])
                .collect();
            hits[2] += !want.is_empty() as usize;
            assert_eq!(got, want, "range {s:?}");

            let want: Vec<&str> = r.find.find_iter(s).map(|m| m.as_str()).collect();
            hits[3] += !want.is_empty() as usize;
            assert_eq!(matcher::finds(s), want, "find {s:?}");

            hits[4] += r.valid.is_match(s) as usize;
            assert_eq!(matcher::valid(s), r.valid.is_match(s), "valid {s:?}");
        }
        // every expression matches a fair share of the inputs
        assert!(hits.iter().all(|&h| h > 300), "{hits:?}");
    }

    #[test]
    fn constraints_display() {
        let c = Constraints::parse(">=1.2, <2 || ~3.x").unwrap();
        assert_eq!(c.to_string(), ">=1.2 <2 || ~3.x");
    }

    #[test]
    fn constraint_errors() {
        assert_eq!(
            semver_compare(">=a.b", "1.0.0").unwrap_err(),
            "improper constraint: \">=a.b\""
        );
        assert_eq!(
            semver_compare(">=1.0", "abc").unwrap_err(),
            "invalid semantic version"
        );
        assert_eq!(
            semver_compare("", "1.0.0").unwrap_err(),
            "improper constraint: \"\""
        );
    }
}
