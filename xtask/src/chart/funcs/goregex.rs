//! Go `regexp` (RE2) on top of the `regex` crate, for sprig's `regex*`
//! functions.
//!
//! Both engines implement RE2 syntax with leftmost-first semantics. The
//! differences handled here: Go's `\d \w \s \b` (and their negations) are
//! ASCII-only (`\s` is `[\t\n\f\r ]`, no `\v`), `\Q…\E` quoting, Go's rule
//! that an empty match right after a previous match is skipped, and
//! `regexp.QuoteMeta`. Error texts keep Go's `error parsing regexp:` prefix
//! with the `regex` crate's description (Go's exact wording is not copied).

use std::cell::RefCell;
use std::rc::Rc;

use regex::{Captures, Regex};

use crate::chart::fxhash::FxHashMap;

/// A compiled Go regular expression.
pub struct GoRegex {
    re: Regex,
    expr: String,
}

const SPACE: &str = r"\t\n\f\r ";
const WORD: &str = "0-9A-Za-z_";

/// Rewrites Go-only syntax into the `regex` crate's dialect.
fn translate(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len() + 16);
    let mut chars = expr.chars().peekable();
    let mut in_class = false;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push('\\');
                    break;
                };
                match (n, in_class) {
                    ('d', false) => out.push_str("[0-9]"),
                    ('D', false) => out.push_str("[^0-9]"),
                    ('w', false) => out.push_str(&format!("[{WORD}]")),
                    ('W', false) => out.push_str(&format!("[^{WORD}]")),
                    ('s', false) => out.push_str(&format!("[{SPACE}]")),
                    ('S', false) => out.push_str(&format!("[^{SPACE}]")),
                    ('d', true) => out.push_str("0-9"),
                    ('w', true) => out.push_str(WORD),
                    ('s', true) => out.push_str(SPACE),
                    ('D', true) => out.push_str("[^0-9]"),
                    ('W', true) => out.push_str(&format!("[^{WORD}]")),
                    ('S', true) => out.push_str(&format!("[^{SPACE}]")),
                    ('b', false) => out.push_str(r"(?-u:\b)"),
                    ('B', false) => out.push_str(r"(?-u:\B)"),
                    ('Q', false) => {
                        let mut lit = String::new();
                        loop {
                            match chars.next() {
                                None => break,
                                Some('\\') if chars.peek() == Some(&'E') => {
                                    chars.next();
                                    break;
                                }
                                Some(x) => lit.push(x),
                            }
                        }
                        out.push_str(&regex::escape(&lit));
                    }
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
                class_start = false;
            }
            '[' if !in_class => {
                in_class = true;
                class_start = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                // A leading ']' is a literal in Go.
                if chars.peek() == Some(&']') {
                    chars.next();
                    out.push_str(r"\]");
                }
                continue;
            }
            '[' if in_class => {
                // `[:alpha:]` classes pass through; a bare '[' is literal in Go.
                if chars.peek() == Some(&':') {
                    out.push('[');
                } else {
                    out.push_str(r"\[");
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            // Inside a class the regex crate treats `&&`, `--`, `~~` as set
            // operations; Go treats them literally.
            '&' | '-' | '~' if in_class && chars.peek() == Some(&c) => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        let _ = class_start;
    }
    out
}

impl GoRegex {
    /// `regexp.Compile`.
    pub fn new(expr: &str) -> Result<GoRegex, String> {
        let re = Regex::new(&translate(expr)).map_err(|e| go_error(expr, &e))?;
        Ok(GoRegex {
            re,
            expr: expr.to_string(),
        })
    }

    /// [`GoRegex::new`], memoized per thread: templates call the regex
    /// functions with the same few literal patterns over and over, and
    /// compiling costs far more than matching. Errors are not cached.
    pub fn cached(expr: &str) -> Result<Rc<GoRegex>, String> {
        /// Patterns kept before the cache starts over.
        const MAX_CACHED: usize = 256;
        thread_local! {
            static CACHE: RefCell<FxHashMap<String, Rc<GoRegex>>> = RefCell::new(FxHashMap::default());
        }
        if let Some(r) = CACHE.with(|c| c.borrow().get(expr).cloned()) {
            return Ok(r);
        }
        let r = Rc::new(GoRegex::new(expr)?);
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= MAX_CACHED {
                c.clear();
            }
            c.insert(expr.to_string(), r.clone());
        });
        Ok(r)
    }

    /// `regexp.MustCompile`'s panic text, as text/template reports it.
    pub fn must(expr: &str) -> Result<Rc<GoRegex>, String> {
        GoRegex::cached(expr).map_err(|e| format!("regexp: Compile({}): {e}", go_backquote(expr)))
    }

    /// Matches in Go's order (empty matches right after a match are dropped).
    fn captures_go<'h>(&self, s: &'h str, n: i64) -> Vec<Captures<'h>> {
        let mut out = Vec::new();
        if n == 0 {
            return out;
        }
        let mut prev_end: Option<usize> = None;
        for c in self.re.captures_iter(s) {
            let m = c.get(0).expect("group 0");
            if m.start() == m.end() && prev_end == Some(m.start()) {
                continue;
            }
            prev_end = Some(m.end());
            out.push(c);
            if n > 0 && out.len() as i64 >= n {
                break;
            }
        }
        out
    }

    /// `MatchString`.
    pub fn is_match(&self, s: &str) -> bool {
        self.re.is_match(s)
    }

    /// `FindString`.
    pub fn find(&self, s: &str) -> String {
        self.re
            .find(s)
            .map(|m| m.as_str().to_string())
            .unwrap_or_default()
    }

    /// `FindAllString(s, n)`; `None` is Go's nil slice (no match).
    pub fn find_all(&self, s: &str, n: i64) -> Vec<String> {
        self.captures_go(s, n)
            .iter()
            .map(|c| c.get(0).map(|m| m.as_str().to_string()).unwrap_or_default())
            .collect()
    }

    /// `ReplaceAllString` (with `$1`, `${name}` expansion) or
    /// `ReplaceAllLiteralString`.
    pub fn replace_all(&self, s: &str, repl: &str, literal: bool) -> String {
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for c in self.captures_go(s, -1) {
            let m = c.get(0).expect("group 0");
            out.push_str(&s[last..m.start()]);
            if literal {
                out.push_str(repl);
            } else {
                c.expand(repl, &mut out);
            }
            last = m.end();
        }
        out.push_str(&s[last..]);
        out
    }

    /// `Split(s, n)`.
    pub fn split(&self, s: &str, n: i64) -> Vec<String> {
        if n == 0 {
            return Vec::new();
        }
        if !self.expr.is_empty() && s.is_empty() {
            return vec![String::new()];
        }
        let matches = self.captures_go(s, n);
        let mut out = Vec::new();
        let (mut beg, mut end) = (0usize, 0usize);
        for c in matches {
            if n > 0 && out.len() as i64 == n - 1 {
                break;
            }
            let m = c.get(0).expect("group 0");
            end = m.start();
            if m.end() != 0 {
                out.push(s[beg..end].to_string());
            }
            beg = m.end();
        }
        if end != s.len() {
            out.push(s[beg..].to_string());
        }
        out
    }
}

/// Go's `regexp/syntax` error text for the common mistakes (the
/// offending fragment is taken from the `regex` crate's caret span).
fn go_error(expr: &str, e: &regex::Error) -> String {
    let regex::Error::Syntax(text) = e else {
        return format!("error parsing regexp: {e}: `{expr}`");
    };
    let lines: Vec<&str> = text.lines().collect();
    let kind = lines
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.as_str());
    // The caret line marks the span in the pattern line above it.
    let span = lines
        .iter()
        .position(|l| l.trim_start().starts_with('^'))
        .and_then(|i| {
            let carets = lines[i];
            let start = carets.find('^')?;
            let len = carets.trim().len();
            let pat = lines.get(i.checked_sub(1)?)?;
            let indent = pat.len() - pat.trim_start().len();
            let from = start.checked_sub(indent)?;
            expr.get(from..from + len).map(|f| (from, f.to_string()))
        });
    let frag = |whole: bool| match (&span, whole) {
        (Some((_, f)), false) => f.clone(),
        _ => expr.to_string(),
    };
    let (code, arg) = match kind {
        "unclosed group" => ("missing closing )", expr.to_string()),
        "unopened group" => ("unexpected )", expr.to_string()),
        "unclosed character class" => (
            "missing closing ]",
            span.as_ref()
                .map(|(from, _)| expr[*from..].to_string())
                .unwrap_or_else(|| expr.to_string()),
        ),
        "repetition operator missing expression" => ("missing argument to repetition operator", frag(false)),
        "invalid repetition count range, the start must be <= the end"
        | "repetition quantifier expects a valid decimal"
        | "unclosed counted repetition" => ("invalid repeat count", frag(false)),
        k if k.contains("escape") || k.contains("backreferences") => ("invalid escape sequence", frag(false)),
        other => (other, expr.to_string()),
    };
    format!("error parsing regexp: {code}: `{arg}`")
}

/// Go's `%#q`-like back-quoting used in `MustCompile` panics.
fn go_backquote(s: &str) -> String {
    if s.contains('`') {
        super::strings::go_quote(s)
    } else {
        format!("`{s}`")
    }
}

/// `regexp.QuoteMeta`.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values recorded from Helm v4.3.1.
    #[test]
    fn go_semantics() {
        let r = GoRegex::new("a*").unwrap();
        assert_eq!(r.find_all("baaab", -1), vec!["", "aaa", ""]);
        assert_eq!(r.replace_all("baaab", "X", false), "XbXbX");
        let r = GoRegex::new(r"(\w+)@(\w+)\.com").unwrap();
        assert_eq!(
            r.replace_all("bob@example.com x", "${2}:$1", false),
            "example:bob x"
        );
        assert_eq!(r.replace_all("bob@example.com", "$1", true), "$1");
        assert!(!GoRegex::new(r"^\d+$").unwrap().is_match("١٢"));
        assert!(!GoRegex::new(r"\s").unwrap().is_match("\u{b}"));
        let r = GoRegex::new("z+").unwrap();
        assert_eq!(r.split("pizza", -1), vec!["pi", "a"]);
        assert_eq!(r.split("pizza", 1), vec!["pizza"]);
        assert_eq!(GoRegex::new("").unwrap().split("abc", -1), vec!["a", "b", "c"]);
        assert_eq!(quote_meta("1.2[3]+$"), r"1\.2\[3\]\+\$");
        assert_eq!(GoRegex::new(r"\Qa.b\E+").unwrap().find("xa.bbb"), "a.bbb");
        assert_eq!(GoRegex::new("[a-]+").unwrap().find("x--a"), "--a");
        let err = |p: &str| GoRegex::new(p).err().unwrap_or_default();
        assert_eq!(err("(abc"), "error parsing regexp: missing closing ): `(abc`");
        assert_eq!(err("a)"), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(err("[a"), "error parsing regexp: missing closing ]: `[a`");
        assert_eq!(
            err("*a"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            err("a{2,1}"),
            "error parsing regexp: invalid repeat count: `{2,1}`"
        );
        assert_eq!(err("\\8"), "error parsing regexp: invalid escape sequence: `\\8`");
    }
}
