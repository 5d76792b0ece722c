//! `.helmignore` with Helm's semantics (`pkg/ignore/rules.go`).
//!
//! This is deliberately *not* gitignore:
//! - one rule per line, trimmed; blank lines and `#` comments skipped;
//!   `**` is rejected; every rule must be a valid Go `filepath.Match` pattern;
//! - a rule without `/` matches the base name, a rule with `/` matches the
//!   whole slash-separated path (`*` never crosses `/`), a leading `/` is
//!   stripped, a trailing `/` restricts the rule to directories;
//! - the **first** matching rule decides;
//! - a negated rule `!p` ignores every path that does *not* match `p` (and
//!   every non-directory when `p` ends in `/`), and lets matching paths fall
//!   through to the next rule: it never re-includes anything (helm/helm#8688);
//! - the rule `templates/.?*` is always appended.

use std::fmt;

/// Go's `filepath.ErrBadPattern` text.
pub const BAD_PATTERN: &str = "syntax error in pattern";

#[derive(Debug, PartialEq, Eq)]
pub struct IgnoreError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for IgnoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Helm's message has no line number; ours adds it after Helm's text.
        write!(f, "{} (.helmignore line {})", self.message, self.line)
    }
}

impl std::error::Error for IgnoreError {}

#[derive(Clone, Debug)]
struct Pattern {
    rule: String,
    negate: bool,
    must_dir: bool,
    kind: MatchKind,
    shape: Shape,
}

/// How a rule can be matched: most rules are a plain name or `*` and a
/// plain suffix, which need no pattern matcher (a chart walk asks every
/// rule about every file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// no `*`, `?`, `[` or `\`: the rule matches only itself
    Literal,
    /// `*` then a literal: a suffix, with no `/` before it
    StarSuffix,
    /// anything else: Go's `filepath.Match`
    General,
}

impl Shape {
    fn of(rule: &str) -> Shape {
        let plain = |s: &str| !s.bytes().any(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'));
        if plain(rule) {
            Shape::Literal
        } else if rule.strip_prefix('*').is_some_and(plain) {
            Shape::StarSuffix
        } else {
            Shape::General
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MatchKind {
    Rooted,
    Structural,
    Basename,
}

/// A parsed `.helmignore`.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

impl Rules {
    /// No rules.
    pub fn empty() -> Self {
        Rules::default()
    }

    /// Parses `.helmignore` text (a leading UTF-8 BOM is dropped).
    pub fn parse(text: &[u8]) -> Result<Self, IgnoreError> {
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        let mut rules = Rules::empty();
        // bufio.ScanLines: split on \n, drop one trailing \r.
        let mut lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
        if lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        for (i, line) in lines.into_iter().enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let line = String::from_utf8_lossy(line);
            rules
                .parse_rule(&line)
                .map_err(|message| IgnoreError { line: i + 1, message })?;
        }
        Ok(rules)
    }

    /// Appends Helm's default rule `templates/.?*`.
    pub fn add_defaults(&mut self) {
        self.parse_rule("templates/.?*")
            .expect("the default rule is valid");
    }

    fn parse_rule(&mut self, rule: &str) -> Result<(), String> {
        let rule = go_trim_space(rule);
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        match_pattern(rule, "abc")?;
        let mut r = rule;
        let negate = r.starts_with('!');
        if negate {
            r = &r[1..];
        }
        let must_dir = r.ends_with('/');
        if must_dir {
            r = &r[..r.len() - 1];
        }
        let kind = if r.starts_with('/') {
            r = &r[1..];
            MatchKind::Rooted
        } else if r.contains('/') {
            MatchKind::Structural
        } else {
            MatchKind::Basename
        };
        self.patterns.push(Pattern {
            rule: r.to_string(),
            negate,
            must_dir,
            kind,
            shape: Shape::of(r),
        });
        Ok(())
    }

    /// Whether `path` (slash-separated, relative to the chart root) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        let base = go_base(path);
        for p in &self.patterns {
            if p.must_dir && !is_dir {
                // a directory rule on a file: a negated one ignores it (as Helm does)
                if p.negate {
                    return true;
                }
                continue;
            }
            let matched = p.matches(path, base);
            if p.negate {
                if !matched {
                    return true;
                }
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

impl Pattern {
    /// `base` is `go_base(path)`, worked out once for all the rules.
    fn matches(&self, path: &str, base: &str) -> bool {
        let target = match self.kind {
            MatchKind::Rooted | MatchKind::Structural => path,
            MatchKind::Basename => base,
        };
        match self.shape {
            Shape::Literal => target == self.rule,
            Shape::StarSuffix => target
                .strip_suffix(&self.rule[1..])
                .is_some_and(|before| !before.contains('/')),
            Shape::General => match_pattern(&self.rule, target).unwrap_or(false),
        }
    }
}

/// Go's `strings.TrimSpace` (Unicode white space).
fn go_trim_space(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace())
}

/// Go's `filepath.Base` on a slash path.
fn go_base(p: &str) -> &str {
    if p.is_empty() {
        return ".";
    }
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        return "/";
    }
    match p.rfind('/') {
        Some(i) => &p[i + 1..],
        None => p,
    }
}

/// Go's `filepath.Match` on Unix: `*`, `?`, `[...]` (with `^` negation and
/// ranges), `\` escapes; `*` and `?` never match `/`. Errors are
/// `syntax error in pattern`.
pub fn match_pattern(pattern: &str, name: &str) -> Result<bool, String> {
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&b'/'));
        }
        let (t, ok, err) = match_chunk(chunk, name);
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if let Some(e) = err {
            return Err(e);
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                let (t, ok, err) = match_chunk(chunk, &name[i + 1..]);
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                if let Some(e) = err {
                    return Err(e);
                }
                i += 1;
            }
        }
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            if let (_, _, Some(e)) = match_chunk(chunk, b"") {
                return Err(e);
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while !pattern.is_empty() && pattern[0] == b'*' {
        pattern = &pattern[1..];
        star = true;
    }
    let mut inrange = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => inrange = true,
            b']' => inrange = false,
            b'*' if !inrange => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Decodes one rune like Go's `utf8.DecodeRune` (RuneError, width 1 on bad
/// input; width 0 on empty input).
fn decode_rune(s: &[u8]) -> (u32, usize) {
    if s.is_empty() {
        return (0xFFFD, 0);
    }
    let len = match s[0] {
        0x00..=0x7F => return (s[0] as u32, 1),
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return (0xFFFD, 1),
    };
    if s.len() >= len {
        if let Ok(st) = std::str::from_utf8(&s[..len]) {
            if let Some(c) = st.chars().next() {
                return (c as u32, len);
            }
        }
    }
    (0xFFFD, 1)
}

type ChunkResult<'a> = (&'a [u8], bool, Option<String>);

fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> ChunkResult<'a> {
    let bad = || Some(BAD_PATTERN.to_string());
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            b'[' => {
                let mut r = 0u32;
                if !failed {
                    let (rr, n) = decode_rune(s);
                    r = rr;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let mut negated = false;
                if !chunk.is_empty() && chunk[0] == b'^' {
                    negated = true;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if !chunk.is_empty() && chunk[0] == b']' && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = match get_esc(chunk) {
                        Ok(v) => v,
                        Err(()) => return (b"", false, bad()),
                    };
                    chunk = rest;
                    let mut hi = lo;
                    if chunk[0] == b'-' {
                        let (h, rest) = match get_esc(&chunk[1..]) {
                            Ok(v) => v,
                            Err(()) => return (b"", false, bad()),
                        };
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    let (_, n) = decode_rune(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            c => {
                let c = if c == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return (b"", false, bad());
                    }
                    chunk[0]
                } else {
                    c
                };
                if !failed {
                    if c != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        return (b"", false, None);
    }
    (s, true, None)
}

/// Go's `getEsc`: one possibly escaped rune of a character class; the rest
/// must not be empty.
fn get_esc(mut chunk: &[u8]) -> Result<(u32, &[u8]), ()> {
    if chunk.is_empty() || chunk[0] == b'-' || chunk[0] == b']' {
        return Err(());
    }
    if chunk[0] == b'\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return Err(());
        }
    }
    let (r, n) = decode_rune(chunk);
    if r == 0xFFFD && n == 1 {
        return Err(());
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return Err(());
    }
    Ok((r, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_shapes_match_like_filepath_match() {
        let rules = [
            "*",
            "*.swp",
            "*~",
            "OWNERS",
            ".git",
            "a.b",
            "*.tar.gz",
            "*/x",
            "x/*.y",
            "*b",
            "a?c",
            "[ab]c",
            "*[c]",
            "\\*",
            "*\\.txt",
            "ci",
            "templates/x.yaml",
            "",
        ];
        let names = [
            "",
            "a",
            "abc",
            "bc",
            "x.swp",
            "d/x.swp",
            ".swp",
            "a~",
            "~",
            "OWNERS",
            "d/OWNERS",
            ".git",
            "a.b",
            "axb",
            "a.tar.gz",
            "d/a.tar.gz",
            "x",
            "d/x",
            "d/e/x",
            "x/a.y",
            "*",
            "*.txt",
            "ci",
            "ci/",
            "templates/x.yaml",
            "templates/d/x.yaml",
        ];
        for rule in rules {
            let shape = Shape::of(rule);
            if rule.contains('?') || rule.contains('[') {
                assert_eq!(shape, Shape::General, "{rule}");
            }
            let p = Pattern {
                rule: rule.to_string(),
                negate: false,
                must_dir: false,
                kind: MatchKind::Structural,
                shape,
            };
            for name in names {
                let want = match_pattern(rule, name).unwrap_or(false);
                assert_eq!(
                    p.matches(name, go_base(name)),
                    want,
                    "rule {rule:?} ({shape:?}) on {name:?}"
                );
            }
        }
        assert_eq!(Shape::of("*.swp"), Shape::StarSuffix);
        assert_eq!(Shape::of("OWNERS"), Shape::Literal);
    }

    #[test]
    fn filepath_match_like_go() {
        // Cases from Go's path/filepath match_test.go.
        let cases: &[(&str, &str, Result<bool, ()>)] = &[
            ("abc", "abc", Ok(true)),
            ("*", "abc", Ok(true)),
            ("*c", "abc", Ok(true)),
            ("a*", "a", Ok(true)),
            ("a*", "abc", Ok(true)),
            ("a*", "ab/c", Ok(false)),
            ("a*/b", "abc/b", Ok(true)),
            ("a*/b", "a/c/b", Ok(false)),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Ok(false)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Ok(false)),
            ("a*b?c*x", "abxbbxdbxebxczzx", Ok(true)),
            ("a*b?c*x", "abxbbxdbxebxczzy", Ok(false)),
            ("ab[c]", "abc", Ok(true)),
            ("ab[b-d]", "abc", Ok(true)),
            ("ab[e-g]", "abc", Ok(false)),
            ("ab[^c]", "abc", Ok(false)),
            ("ab[^b-d]", "abc", Ok(false)),
            ("ab[^e-g]", "abc", Ok(true)),
            ("a\\*b", "a*b", Ok(true)),
            ("a\\*b", "ab", Ok(false)),
            ("a?b", "a☺b", Ok(true)),
            ("a[^a]b", "a☺b", Ok(true)),
            ("a???b", "a☺b", Ok(false)),
            ("a[^a][^a][^a]b", "a☺b", Ok(false)),
            ("[a-ζ]*", "α", Ok(true)),
            ("*[a-ζ]", "A", Ok(false)),
            ("a?b", "a/b", Ok(false)),
            ("a*b", "a/b", Ok(false)),
            ("[\\]a]", "]", Ok(true)),
            ("[\\-]", "-", Ok(true)),
            ("[x\\-]", "x", Ok(true)),
            ("[x\\-]", "-", Ok(true)),
            ("[x\\-]", "z", Ok(false)),
            ("[\\-x]", "x", Ok(true)),
            ("[\\-x]", "-", Ok(true)),
            ("[\\-x]", "a", Ok(false)),
            ("[]a]", "]", Err(())),
            ("[-]", "-", Err(())),
            ("[x-]", "x", Err(())),
            ("[x-]", "-", Err(())),
            ("[x-]", "z", Err(())),
            ("[-x]", "x", Err(())),
            ("[-x]", "-", Err(())),
            ("[-x]", "a", Err(())),
            ("\\", "a", Err(())),
            ("[a-b-c]", "a", Err(())),
            ("[", "a", Err(())),
            ("[^", "a", Err(())),
            ("[^bc", "a", Err(())),
            ("a[", "a", Err(())),
            ("a[", "ab", Err(())),
            ("a[", "x", Err(())),
            ("a/b[", "x", Err(())),
            ("*x", "xxx", Ok(true)),
        ];
        for (p, n, want) in cases {
            let got = match_pattern(p, n).map_err(|_| ());
            assert_eq!(&got, want, "Match({p:?}, {n:?})");
        }
    }

    fn rules(text: &str) -> Rules {
        let mut r = Rules::parse(text.as_bytes()).unwrap();
        r.add_defaults();
        r
    }

    #[test]
    fn helm_rules_test_cases() {
        // From Helm's pkg/ignore/rules_test.go (TestIgnore), plus negation
        // behaviour that Helm actually has.
        let cases: &[(&str, &str, bool, bool)] = &[
            ("helm.txt", "helm.txt", false, true),
            ("helm.*", "helm.txt", false, true),
            ("helm.*", "rudder.txt", false, false),
            ("*.txt", "tiller.txt", false, true),
            ("*.txt", "cargo/a.txt", false, true),
            ("cargo/*.txt", "cargo/a.txt", false, true),
            ("cargo/*.*", "cargo/a.txt", false, true),
            ("cargo/*.txt", "mast/a.txt", false, false),
            ("ru[c-e]?er.txt", "rudder.txt", false, true),
            ("templates/.?*", "templates/.dotfile", false, true),
            ("/helm.txt", "helm.txt", false, true),
            ("/helm.txt", "cargo/helm.txt", false, false),
            ("cargo/", "cargo", true, true),
            ("cargo/", "cargo/", true, true),
            ("cargo/", "mast/", true, false),
            ("helm.txt/", "helm.txt", false, false),
            ("!helm.txt", "helm.txt", false, false),
            ("!helm.txt", "tiller.txt", false, true),
            ("!*.txt", "cargo", true, true),
            ("!cargo/", "mast/", true, true),
            ("!cargo/", "cargo/a.txt", false, true),
            ("*.txt\n!a.txt", "a.txt", false, true),
            ("!a.txt\n*.txt", "a.txt", false, true),
            ("!a.txt\n*.txt", "b.txt", false, true),
            ("mast/", "mast/a.txt", false, false),
            ("", "templates/.hidden", false, true),
            ("", "templates/x/.hidden", false, false),
        ];
        for (text, path, dir, want) in cases {
            assert_eq!(
                rules(text).ignore(path, *dir),
                *want,
                "rules {text:?} path {path:?}"
            );
        }
    }

    #[test]
    fn rejects_bad_rules_with_line() {
        let e = Rules::parse(b"# c\n\nfoo/**/bar\n").unwrap_err();
        assert_eq!(e.message, "double-star (**) syntax is not supported");
        assert_eq!(e.line, 3);
        let e = Rules::parse(b"a[\n").unwrap_err();
        assert_eq!(e.message, BAD_PATTERN);
        assert!(Rules::parse(b"\xEF\xBB\xBF*.txt\r\n  # x  \n").is_ok());
    }
}
