//! Hand-written matchers for the five regular expressions of
//! `Masterminds/semver` v3 (kept in `semver.rs` as `#[cfg(test)]` oracles
//! and compared against these on generated inputs), so that no regex is
//! compiled at run time.
//!
//! The expressions are built from `CV` (a version that may hold `x`, `X`,
//! `*` or `|` in its numbers), the operator alternation `OPS` (which begins
//! `=`, then the empty operator, then the others) and Go's ASCII `\s`.
//! Leftmost-first matching with greedy quantifiers makes every capture here
//! the longest version at the first start position that works: the parts
//! of a version are separated by `.`, `-` and `+`, which no number class
//! contains, so a shorter version never ends where a longer one could not.
//! The `valid` expression is only ever asked "does it match?", so it is
//! decided on sets of reachable positions.

/// The operator alternatives, in the expression's order.
const OPS: [&str; 12] = ["=", "", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^"];

fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn cv_class(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'|' | b'x' | b'X' | b'*')
}

fn ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_ws(s[i]) {
        i += 1;
    }
    i
}

fn run(s: &[u8], mut i: usize, class: fn(u8) -> bool) -> usize {
    while i < s.len() && class(s[i]) {
        i += 1;
    }
    i
}

/// A version matched at some position: byte ranges into the input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Ver {
    pub start: usize,
    pub end: usize,
    /// The first number (after any `v`).
    pub major: (usize, usize),
    /// `.minor` and `.patch`, dot included, empty when absent.
    pub minor: (usize, usize),
    pub patch: (usize, usize),
    /// `-pre` and `+meta`, sign included, empty when absent.
    pub pre: (usize, usize),
    pub meta: (usize, usize),
}

/// `ident(\.ident)*`, longest, from `i`: its end, or `None`.
fn dotted(s: &[u8], i: usize) -> Option<usize> {
    let mut j = run(s, i, ident_char);
    if j == i {
        return None;
    }
    while j + 1 < s.len() && s[j] == b'.' && ident_char(s[j + 1]) {
        j = run(s, j + 1, ident_char);
    }
    Some(j)
}

/// The longest `v?(N+)(\.N+)?(\.N+)?(-dotted)?(\+dotted)?` at `i`, where
/// `N` is `class` (digits for a plain version, [`cv_class`] in constraints).
fn version_at(s: &[u8], i: usize, class: fn(u8) -> bool) -> Option<Ver> {
    let mut j = i;
    if j + 1 < s.len() && s[j] == b'v' && class(s[j + 1]) {
        j += 1;
    }
    let major_end = run(s, j, class);
    if major_end == j {
        return None;
    }
    let mut v = Ver {
        start: i,
        major: (j, major_end),
        ..Ver::default()
    };
    let mut k = major_end;
    let number = |k: &mut usize| {
        let at = *k;
        if at + 1 < s.len() && s[at] == b'.' && class(s[at + 1]) {
            *k = run(s, at + 1, class);
        }
        (at, *k)
    };
    v.minor = number(&mut k);
    v.patch = number(&mut k);
    let part = |k: &mut usize, sign: u8| {
        let at = *k;
        if at < s.len() && s[at] == sign {
            if let Some(e) = dotted(s, at + 1) {
                *k = e;
            }
        }
        (at, *k)
    };
    v.pre = part(&mut k, b'-');
    v.meta = part(&mut k, b'+');
    v.end = k;
    Some(v)
}

/// `^LOOSE$`: a whole plain version.
pub(super) fn loose(s: &str) -> Option<Ver> {
    let b = s.as_bytes();
    version_at(b, 0, |c| c.is_ascii_digit()).filter(|v| v.end == b.len())
}

/// `^\s*(OPS)\s*(CV)\s*$`: the operator and the version.
pub(super) fn constraint(s: &str) -> Option<(&'static str, Ver)> {
    let b = s.as_bytes();
    let i = skip_ws(b, 0);
    OPS.iter().find_map(|op| {
        if !b[i..].starts_with(op.as_bytes()) {
            return None;
        }
        let v = version_at(b, skip_ws(b, i + op.len()), cv_class)?;
        (skip_ws(b, v.end) == b.len()).then_some((*op, v))
    })
}

/// Every match of `\s*(CV)\s+-\s+(CV)\s*`, left to right: the whole match
/// and the two versions.
pub(super) fn ranges(s: &str) -> Vec<((usize, usize), Ver, Ver)> {
    let b = s.as_bytes();
    let at = |p: usize| {
        let a = version_at(b, skip_ws(b, p), cv_class)?;
        let dash = skip_ws(b, a.end);
        if dash == a.end || dash >= b.len() || b[dash] != b'-' {
            return None;
        }
        let c = skip_ws(b, dash + 1);
        if c == dash + 1 {
            return None;
        }
        let z = version_at(b, c, cv_class)?;
        Some(((p, skip_ws(b, z.end)), a, z))
    };
    let mut out = Vec::new();
    let mut p = 0;
    while p < b.len() {
        match at(p) {
            Some(m) => {
                p = m.0 .1;
                out.push(m);
            }
            None => p += 1,
        }
    }
    out
}

/// Every match of `(OPS)\s*(CV)`, left to right.
pub(super) fn finds(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let at = |p: usize| {
        OPS.iter().find_map(|op| {
            if !b[p..].starts_with(op.as_bytes()) {
                return None;
            }
            version_at(b, skip_ws(b, p + op.len()), cv_class).map(|v| v.end)
        })
    };
    let mut out = Vec::new();
    let mut p = 0;
    while p < b.len() {
        match at(p) {
            Some(end) => {
                out.push(&s[p..end]);
                p = end;
            }
            None => p += 1,
        }
    }
    out
}

/// A set of positions `0..=len`.
type Set = Vec<bool>;

/// `set` ∪ [`plus`]`(is_ws)`: zero or more white-space bytes.
fn ws_star(s: &[u8], set: &Set) -> Set {
    let mut out = plus(s, set, is_ws);
    for (o, &p) in out.iter_mut().zip(set) {
        *o |= p;
    }
    out
}

fn ops(s: &[u8], set: &Set) -> Set {
    let mut out = vec![false; set.len()];
    for p in (0..set.len()).filter(|&p| set[p]) {
        for op in OPS {
            if s[p..].starts_with(op.as_bytes()) {
                out[p + op.len()] = true;
            }
        }
    }
    out
}

/// All `q` with `s[p..q]` one or more `class` bytes, `p` in `set`.
fn plus(s: &[u8], set: &Set, class: fn(u8) -> bool) -> Set {
    let mut out = vec![false; set.len()];
    for p in (0..set.len()).filter(|&p| set[p]) {
        let mut q = p;
        while q < s.len() && class(s[q]) {
            q += 1;
            out[q] = true;
        }
    }
    out
}

/// `set` ∪ `set · byte · rest`.
fn optional(s: &[u8], set: &Set, byte: u8, rest: impl Fn(&Set) -> Set) -> Set {
    let mut after = vec![false; set.len()];
    for p in (0..set.len()).filter(|&p| set[p]) {
        if p < s.len() && s[p] == byte {
            after[p + 1] = true;
        }
    }
    let tail = rest(&after);
    set.iter().zip(&tail).map(|(a, b)| *a || *b).collect()
}

/// All ends of `ident(\.ident)*` from `set`.
fn dotted_set(s: &[u8], set: &Set) -> Set {
    let mut all = plus(s, set, ident_char);
    let mut cur = all.clone();
    while cur.iter().any(|&x| x) {
        let mut dot = vec![false; set.len()];
        for p in (0..set.len()).filter(|&p| cur[p]) {
            if p < s.len() && s[p] == b'.' {
                dot[p + 1] = true;
            }
        }
        let next = plus(s, &dot, ident_char);
        cur = next.iter().zip(&all).map(|(n, a)| *n && !*a).collect();
        for (a, n) in all.iter_mut().zip(&cur) {
            *a |= *n;
        }
    }
    all
}

/// All ends of a constraint version `CV` from `set`.
fn cv_set(s: &[u8], set: &Set) -> Set {
    let v = optional(s, set, b'v', |x| x.clone());
    let major = plus(s, &v, cv_class);
    let minor = optional(s, &major, b'.', |x| plus(s, x, cv_class));
    let patch = optional(s, &minor, b'.', |x| plus(s, x, cv_class));
    let pre = optional(s, &patch, b'-', |x| dotted_set(s, x));
    optional(s, &pre, b'+', |x| dotted_set(s, x))
}

/// `^(\s*(OPS)\s*(CV)\s*)((?:\s+|,\s*)(OPS)\s*(CV)\s*)*$` matches `s`.
pub(super) fn valid(s: &str) -> bool {
    let b = s.as_bytes();
    let item = |set: &Set| ws_star(b, &cv_set(b, &ws_star(b, &ops(b, set))));
    let mut start = vec![false; b.len() + 1];
    start[0] = true;
    let mut reach = item(&ws_star(b, &start));
    let mut cur = reach.clone();
    while cur.iter().any(|&x| x) {
        let ws1 = plus(b, &cur, is_ws);
        let mut after_comma = vec![false; cur.len()];
        for p in (0..cur.len()).filter(|&p| cur[p]) {
            if p < b.len() && b[p] == b',' {
                after_comma[p + 1] = true;
            }
        }
        let comma = ws_star(b, &after_comma);
        let sep: Set = ws1.iter().zip(&comma).map(|(a, c)| *a || *c).collect();
        let next = item(&sep);
        cur = next.iter().zip(&reach).map(|(n, r)| *n && !*r).collect();
        for (r, n) in reach.iter_mut().zip(&cur) {
            *r |= *n;
        }
    }
    reach[b.len()]
}
