//! A fast path for decoding the block YAML that charts are made of.
//!
//! The full decoder (`load.rs`) scans every character through
//! saphyr-parser's token machinery and builds a tree of the whole document
//! (~50-170 instructions per byte). Two hot callers need less:
//! - Helm's `SortManifests` ([`super::unmarshal_head`]) needs a rendered
//!   document's verdict (does go-yaml accept it?) and its `kind`,
//!   `apiVersion` and `metadata` only: [`head`];
//! - values files ([`super::unmarshal`]) are large, commented block
//!   mappings: [`document`].
//!
//! Both walk the block subset line by line — indented mappings and
//! sequences, one-line plain or quoted scalars, multi-line plain scalars,
//! literal and folded block scalars, one-line flow collections — check it
//! the way go-yaml v2 would, and build values only where asked. They are
//! conservative: on anything outside the subset (anchors, aliases, tags,
//! `?` and `<<` keys, keys that are not strings, `.nan`/`.inf` values,
//! multi-line quoted or flow scalars, tabs outside block scalar text,
//! characters go-yaml rejects, `\r`, several documents, and, where values
//! are built, multi-line plain and folded scalars) or anything that might
//! be an error, they answer `None` and the caller runs the full decoder,
//! which stays the reference: every error text is still its own, and tests
//! check that whenever the fast path answers, the full decoder gives the
//! same value.

use std::borrow::Cow;

use saphyr_parser::ScalarStyle;
use serde_json::{Map, Value};

use super::load::{decode_scalar, to_json_value, Node, PairMap};
use super::resolve::{resolve_plain, Resolved};

/// Nesting past which the fast path gives up (the full decoder decides).
const MAX_DEPTH: usize = 64;

/// go-yaml's limit on a simple key's length (longer keys are errors).
const MAX_KEY_LEN: usize = 1000;

/// The value `unmarshal_head(src)` returns when `src` is a valid document
/// of the block subset; `None` when the full decoder has to decide.
pub fn head(src: &str) -> Option<Value> {
    let Some(pairs) = top_mapping(src, true)? else {
        // nothing but comments and blank lines: no document (`null`)
        return Some(Value::Null);
    };
    let mut m = Map::new();
    for (k, v) in pairs {
        let Node::Str(k) = k else { return None };
        m.insert(k, to_json_value(v).ok()?);
    }
    Some(Value::Object(m))
}

/// The first document of `src` as go-yaml v2 decodes it (what
/// `load::decode_first` returns) when it is a block mapping of the subset;
/// `None` when the full decoder has to decide. An empty document is
/// `Some(None)`.
pub fn document(src: &str) -> Option<Option<Node>> {
    Some(top_mapping(src, false)?.map(Node::Map))
}

/// The pairs of the block mapping `src` holds (only the head keys with
/// `head_only`); `Some(None)` for a document of only comments and blank
/// lines. A stream that does not end in a line break is read as if it did,
/// as go-yaml reads it.
fn top_mapping(src: &str, head_only: bool) -> Option<Option<Vec<(Node, Node)>>> {
    if !src.is_empty() && !src.ends_with('\n') {
        return top_mapping(&format!("{src}\n"), head_only);
    }
    if !plain_characters(src.as_bytes()) {
        return None;
    }
    let mut p = Scan {
        s: src,
        b: src.as_bytes(),
        pos: 0,
        peeked: None,
        head_only,
    };
    let Some(first) = p.peek()? else {
        return Some(None);
    };
    p.key_at(&first, first.content)??;
    let mut pairs = PairMap::default();
    p.mapping(first, first.content, 0, Some(&mut pairs))?;
    if p.peek()?.is_some() {
        return None;
    }
    Some(Some(pairs.pairs))
}

/// Whether every character is one go-yaml accepts and the subset handles:
/// printable ASCII, line feeds, tabs (rejected later outside block scalar
/// text) and the printable BMP ranges of go-yaml's `is_printable` (no BOM,
/// no C1 controls, no characters outside the BMP, no `\r`).
fn plain_characters(b: &[u8]) -> bool {
    // blocks of printable ASCII (nearly all of a manifest) in one test each
    let mut i = 0;
    while i + 32 <= b.len() {
        let odd = b[i..i + 32].iter().fold(false, |acc, &c| {
            acc | (c.wrapping_sub(0x20) >= 0x5f && c != b'\n')
        });
        if odd {
            break;
        }
        i += 32;
    }
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if !(0x20..0x7f).contains(&c) && c != b'\n' && c != b'\t' {
                return false;
            }
            i += 1;
            continue;
        }
        // multi-byte: the input is valid UTF-8, so the lead byte says the length
        let ok = match c {
            0xC2 => b[i + 1] >= 0xA0,
            0xC3..=0xDF => true,
            0xE0..=0xEC | 0xEE => true,
            0xED => b[i + 1] < 0xA0,
            0xEF => !(b[i + 1] == 0xBB && b[i + 2] == 0xBF || b[i + 1] == 0xBF && b[i + 2] >= 0xBE),
            _ => false,
        };
        if !ok {
            return false;
        }
        i += if c >= 0xE0 { 3 } else { 2 };
    }
    true
}

/// One line with content: where it starts, where its content starts (after
/// its indentation, spaces) and where it ends (its `\n`, or the end of input).
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    content: usize,
    end: usize,
}

impl Line {
    /// The line's indentation (spaces before its content).
    fn indent(&self) -> usize {
        self.content - self.start
    }
}

/// A key found at the start of an entry: its text, whether it is plain
/// (resolved as go-yaml does) or quoted, and where the value after `:`
/// starts (spaces skipped).
struct Key<'a> {
    text: Cow<'a, str>,
    plain: bool,
    value: usize,
}

struct Scan<'a> {
    s: &'a str,
    b: &'a [u8],
    /// start of the first line not consumed yet
    pos: usize,
    /// the last line [`Scan::peek`] returned (lines are peeked several
    /// times: by a value, then by the collection holding it)
    peeked: Option<Line>,
    /// build only the values of the top-level `kind`, `apiVersion` and
    /// `metadata` (else every value)
    head_only: bool,
}

fn skip_spaces(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && b[i] == b' ' {
        i += 1;
    }
    i
}

/// Whether `b[from..end]` is only spaces, then the end of the line or a
/// comment (which needs a space before it).
fn is_blank_rest(b: &[u8], from: usize, end: usize) -> bool {
    let i = skip_spaces(b, from, end);
    i == end || (b[i] == b'#' && i > from)
}

impl<'a> Scan<'a> {
    fn line_end(&self, from: usize) -> usize {
        memchr::memchr(b'\n', &self.b[from..]).map_or(self.b.len(), |i| from + i)
    }

    fn after(&self, end: usize) -> usize {
        (end + 1).min(self.b.len())
    }

    /// The next line with content (blank and comment lines skipped, and
    /// consumed), not consumed itself; `Some(None)` at the end of input,
    /// `None` for a structural line the subset does not handle (tabs,
    /// document markers).
    fn peek(&mut self) -> Option<Option<Line>> {
        if let Some(line) = self.peeked.filter(|l| l.start == self.pos) {
            return Some(Some(line));
        }
        let b = self.b;
        loop {
            if self.pos >= b.len() {
                return Some(None);
            }
            let start = self.pos;
            let c = skip_spaces(b, start, b.len());
            // the line's end, or a tab in it (which the subset leaves alone
            // outside block scalar text)
            let stop = memchr::memchr2(b'\n', b'\t', &b[c..]).map_or(b.len(), |i| c + i);
            let tab = stop < b.len() && b[stop] == b'\t';
            if c < b.len() && b[c] == b'#' {
                self.pos = self.after(if tab { self.line_end(stop) } else { stop });
                continue;
            }
            if tab {
                return None;
            }
            if c == stop {
                self.pos = self.after(stop);
                continue;
            }
            let line = &b[start..stop];
            if line.starts_with(b"---") || line.starts_with(b"...") {
                return None;
            }
            let line = Line {
                start,
                content: c,
                end: stop,
            };
            self.peeked = Some(line);
            return Some(Some(line));
        }
    }

    fn consume(&mut self, line: &Line) {
        self.pos = self.after(line.end);
    }

    /// A block mapping whose first key is at byte `at` of `first` (the
    /// line's content, or after a sequence entry's `- `); its keys sit at
    /// column `at - first.start`. With `build`, its pairs are collected
    /// (at depth 0, the document's top level, only the head keys).
    fn mapping(
        &mut self,
        first: Line,
        at: usize,
        depth: usize,
        mut build: Option<&mut PairMap>,
    ) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let indent = at - first.start;
        let (mut line, mut at) = (first, at);
        loop {
            let key = self.key_at(&line, at)??;
            if key.plain && !plain_key_ok(&key.text) {
                return None; // a null, big unsigned, timestamp or merge key
            }
            let wanted = build.is_some()
                && (depth > 0 || !self.head_only || matches!(&*key.text, "kind" | "apiVersion" | "metadata"));
            let value = self.value(&line, key.value, indent, true, depth, wanted)?;
            if wanted {
                if let Some(m) = build.as_deref_mut() {
                    m.set(key_node(key.text, key.plain)?, value);
                }
            }
            let Some(next) = self.peek()? else { return Some(()) };
            if next.indent() < indent {
                return Some(());
            }
            if next.indent() > indent {
                return None;
            }
            (line, at) = (next, next.content);
        }
    }

    /// A block sequence whose first `-` is at byte `at` of `first`.
    fn sequence(&mut self, first: Line, at: usize, depth: usize, build: bool) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let indent = at - first.start;
        let mut items = Vec::new();
        let (mut line, mut at) = (first, at);
        loop {
            // `at` is a `-` followed by a space or the end of the line
            let v = skip_spaces(self.b, at + 1, line.end);
            let item = self.value(&line, v, indent, false, depth, build)?;
            if build {
                items.push(item);
            }
            let Some(next) = self.peek()? else { break };
            if next.indent() != indent || !self.is_dash(&next, next.content) {
                // a less indented line closes the sequence; a line at its
                // column without `-` is the next key of a mapping holding
                // it at the same column, or an error its parent reports
                if next.indent() > indent {
                    return None;
                }
                break;
            }
            (line, at) = (next, next.content);
        }
        Some(if build { Node::Seq(items) } else { Node::Null })
    }

    fn is_dash(&self, line: &Line, at: usize) -> bool {
        self.b[at] == b'-' && (at + 1 == line.end || self.b[at + 1] == b' ')
    }

    /// The value of a mapping entry or sequence item that starts at byte
    /// `v` of `line` (after `key:` or `- ` and spaces). `parent` is the
    /// column of the collection holding it; `in_map` whether that is a
    /// mapping (whose value may be a sequence at the same column).
    /// Consumes the lines of the value.
    fn value(
        &mut self,
        line: &Line,
        v: usize,
        parent: usize,
        in_map: bool,
        depth: usize,
        build: bool,
    ) -> Option<Node> {
        let b = self.b;
        if v == line.end || b[v] == b'#' {
            // the value is on the following lines (or null)
            self.consume(line);
            let Some(next) = self.peek()? else {
                return Some(Node::Null);
            };
            if next.indent() < parent
                || (next.indent() == parent && !(in_map && self.is_dash(&next, next.content)))
            {
                return Some(Node::Null);
            }
            return self.block_node(next, parent, depth + 1, build);
        }
        if self.is_dash(line, v) {
            if in_map {
                return None; // `key: - x` is an error
            }
            return self.sequence(*line, v, depth + 1, build);
        }
        if !in_map && self.key_at(line, v)?.is_some() {
            // `- key: value`: a mapping at this column
            let mut m = PairMap::default();
            self.mapping(*line, v, depth + 1, build.then_some(&mut m))?;
            return Some(if build { Node::Map(m.pairs) } else { Node::Null });
        }
        if b[v] == b'|' || b[v] == b'>' {
            let text = self.block_scalar(line, v, parent, build)?;
            return Some(text.map_or(Node::Null, Node::Str));
        }
        self.inline(line, v, parent, build)
    }

    /// A scalar or one-line flow collection at byte `v` of `line`, in a
    /// collection at column `parent`; consumes its lines (a plain scalar
    /// may continue on more indented lines).
    fn inline(&mut self, line: &Line, v: usize, parent: usize, build: bool) -> Option<Node> {
        let (node, plain_end) = self.scalar(line, v, build)?;
        self.consume(line);
        if let Some(end) = plain_end {
            if end == line.end {
                // a plain scalar without a comment: more indented lines
                // continue it (only checked: never in the head)
                if self.continuation(parent)? && build {
                    return None;
                }
            }
        }
        // a more indented line after a scalar is an error or a case the
        // subset does not take: the full decoder decides
        if let Some(next) = self.peek()? {
            if next.indent() > parent {
                return None;
            }
        }
        Some(node)
    }

    /// Consumes the continuation lines of a multi-line plain scalar (lines
    /// more indented than `parent`, blank lines between them, up to a
    /// comment line); whether there were any. `None` for a continuation the
    /// subset does not check (indicators, `: `, ` #`, tabs).
    fn continuation(&mut self, parent: usize) -> Option<bool> {
        let b = self.b;
        let mut any = false;
        let mut pos = self.pos;
        while pos < b.len() {
            let end = self.line_end(pos);
            let c = skip_spaces(b, pos, end);
            if c == end {
                pos = self.after(end);
                continue;
            }
            if c - pos <= parent {
                break;
            }
            let text = &b[c..end];
            if text[0] == b'#' {
                break; // a comment ends the scalar
            }
            if starts_special(text[0], text.get(1).copied())
                || memchr::memchr(b'\t', text).is_some()
                || text.ends_with(b":")
                || memchr::memmem::find(text, b": ").is_some()
                || memchr::memmem::find(text, b" #").is_some()
            {
                return None;
            }
            any = true;
            pos = self.after(end);
            self.pos = pos;
        }
        Some(any)
    }

    /// A node that starts on its own line `line` (more indented than its
    /// parent collection at column `parent`, or a sequence at a mapping's
    /// column).
    fn block_node(&mut self, line: Line, parent: usize, depth: usize, build: bool) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        if self.is_dash(&line, line.content) {
            return self.sequence(line, line.content, depth, build);
        }
        if self.key_at(&line, line.content)?.is_some() {
            let mut m = PairMap::default();
            self.mapping(line, line.content, depth, build.then_some(&mut m))?;
            return Some(if build { Node::Map(m.pairs) } else { Node::Null });
        }
        if matches!(self.b[line.content], b'|' | b'>') {
            return None;
        }
        // a scalar or flow collection on its own line (`{}` under a key)
        self.inline(&line, line.content, parent, build)
    }

    /// An inline scalar at byte `v` of `line` (not consumed): a quoted
    /// one-line scalar, a one-line flow collection, or the first line of a
    /// plain scalar (then also where its text ends: the end of the line or
    /// a comment).
    fn scalar(&self, line: &Line, v: usize, build: bool) -> Option<(Node, Option<usize>)> {
        let b = self.b;
        match b[v] {
            b'"' | b'\'' => {
                let (text, end) = self.quoted(v, line.end, build)?;
                if !is_blank_rest(b, end, line.end) {
                    return None;
                }
                let node = if build {
                    Node::Str(text.into_owned())
                } else {
                    Node::Null
                };
                Some((node, None))
            }
            b'{' | b'[' => {
                let (end, node) = self.flow(v, line.end, 0, build)?;
                if !is_blank_rest(b, end, line.end) {
                    return None;
                }
                Some((node, None))
            }
            c if starts_special(c, b.get(v + 1).copied()) => None,
            _ => {
                let (end, stop) = self.plain_end(v, line.end)?;
                let node = self.plain_scalar(&self.s[v..end], build)?;
                Some((node, Some(stop)))
            }
        }
    }

    /// A flow collection starting at byte `at` (`[` or `{`) and closed
    /// before `end` (the end of its line): the byte after it, and with
    /// `build` its value. Entries are quoted scalars, plain scalars without
    /// `:` or `#`, and nested collections; `key: value` pairs only in
    /// mappings, every key a string with a value.
    fn flow(&self, at: usize, end: usize, depth: usize, build: bool) -> Option<(usize, Node)> {
        let b = self.b;
        if depth > MAX_DEPTH {
            return None;
        }
        let map = b[at] == b'{';
        let close = if map { b'}' } else { b']' };
        let mut items = Vec::new();
        let mut pairs = PairMap::default();
        let done = |i: usize, items: Vec<Node>, pairs: PairMap| {
            let node = match (build, map) {
                (false, _) => Node::Null,
                (true, true) => Node::Map(pairs.pairs),
                (true, false) => Node::Seq(items),
            };
            Some((i + 1, node))
        };
        let mut i = skip_spaces(b, at + 1, end);
        if i < end && b[i] == close {
            return done(i, items, pairs);
        }
        loop {
            let (next, node) = self.flow_node(i, end, depth, map, build)?;
            i = skip_spaces(b, next, end);
            if map {
                if i >= end || b[i] != b':' {
                    return None;
                }
                i = skip_spaces(b, i + 1, end);
                let (next, value) = self.flow_node(i, end, depth, false, build)?;
                i = skip_spaces(b, next, end);
                if build {
                    pairs.set(node, value);
                }
            } else if build {
                items.push(node);
            }
            if i >= end {
                return None;
            }
            if b[i] == b',' {
                i = skip_spaces(b, i + 1, end);
                if i < end && b[i] == close {
                    return done(i, items, pairs);
                }
                continue;
            }
            if b[i] == close {
                return done(i, items, pairs);
            }
            return None;
        }
    }

    /// One node inside a flow collection at byte `i` (spaces skipped): the
    /// byte after it and with `build` its value. `key` when it is a mapping
    /// key (must be a string).
    fn flow_node(&self, i: usize, end: usize, depth: usize, key: bool, build: bool) -> Option<(usize, Node)> {
        let b = self.b;
        if i >= end {
            return None;
        }
        match b[i] {
            b'[' | b'{' if !key => self.flow(i, end, depth + 1, build),
            b'"' | b'\'' => {
                let (text, e) = self.quoted(i, end, build)?;
                Some((
                    e,
                    if build {
                        Node::Str(text.into_owned())
                    } else {
                        Node::Null
                    },
                ))
            }
            c if starts_special(c, b.get(i + 1).copied()) || c == b'-' && i + 1 < end && b[i + 1] == b' ' => {
                None
            }
            c => {
                let mut j = i;
                if matches!(c, b'-' | b'?' | b':') && !b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) {
                    return None;
                }
                while j < end && !matches!(b[j], b',' | b'[' | b']' | b'{' | b'}' | b':' | b'#' | b'?') {
                    j += 1;
                }
                if j < end && b[j] == b'#' {
                    return None;
                }
                let mut k = j;
                while k > i && b[k - 1] == b' ' {
                    k -= 1;
                }
                // a `:` must be a mapping's value indicator (`key: value`)
                if j < end && b[j] == b':' && !(key && j + 1 < end && b[j + 1] == b' ') {
                    return None;
                }
                let text = &self.s[i..k];
                if key {
                    if !plain_key_ok(text) {
                        return None;
                    }
                    let node = if build {
                        key_node(Cow::Borrowed(text), true)?
                    } else {
                        Node::Null
                    };
                    return Some((j, node));
                }
                Some((j, self.plain_scalar(text, build)?))
            }
        }
    }

    /// A one-line plain scalar's value (only checked without `build`: a
    /// float must be finite for JSON).
    fn plain_scalar(&self, text: &str, build: bool) -> Option<Node> {
        if !build {
            // only numbers can resolve to a float (`.nan`, `.inf` included)
            if matches!(text.as_bytes().first(), Some(b'+' | b'-' | b'.' | b'0'..=b'9')) {
                if let Resolved::Float(f) = resolve_plain(text) {
                    if !f.is_finite() {
                        return None;
                    }
                }
            }
            return Some(Node::Null);
        }
        let node = decode_scalar(Cow::Borrowed(text), ScalarStyle::Plain, None).ok()?;
        if matches!(node, Node::Float(f) if !f.is_finite()) {
            return None;
        }
        Some(node)
    }

    /// The end (trailing spaces trimmed) of the first line of a plain
    /// value starting at `v`, and where its line stops (its end, or the
    /// `#` of a comment); `None` when it holds `: ` or ends with `:` (a
    /// mapping where none may start: an error).
    fn plain_end(&self, v: usize, end: usize) -> Option<(usize, usize)> {
        let b = self.b;
        let mut i = v;
        let mut last = v;
        while i < end {
            match b[i] {
                b' ' => {
                    if i + 1 < end && b[i + 1] == b'#' {
                        return Some((last, i + 1));
                    }
                }
                b':' => {
                    if i + 1 == end || b[i + 1] == b' ' {
                        return None;
                    }
                    last = i + 1;
                }
                _ => last = i + 1,
            }
            i += 1;
        }
        Some((last, end))
    }

    /// A one-line quoted scalar starting at byte `at` (its quote): its
    /// text (only computed with `build`) and the byte after the closing
    /// quote. `None` when it runs past the line or has `\x`, `\u` or `\U`
    /// escapes (or one go-yaml rejects).
    fn quoted(&self, at: usize, end: usize, build: bool) -> Option<(Cow<'a, str>, usize)> {
        let b = self.b;
        let q = b[at];
        let mut i = at + 1;
        let mut escaped = false;
        while i < end {
            let c = b[i];
            if q == b'\'' && c == b'\'' {
                if i + 1 < end && b[i + 1] == b'\'' {
                    escaped = true;
                    i += 2;
                    continue;
                }
                let text = &self.s[at + 1..i];
                let text = if escaped && build {
                    Cow::Owned(text.replace("''", "'"))
                } else {
                    Cow::Borrowed(text)
                };
                return Some((text, i + 1));
            }
            if q == b'"' {
                if c == b'"' {
                    let text = &self.s[at + 1..i];
                    let text = if escaped && build {
                        Cow::Owned(unescape(text))
                    } else {
                        Cow::Borrowed(text)
                    };
                    return Some((text, i + 1));
                }
                if c == b'\\' {
                    let e = *b.get(i + 1).filter(|_| i + 1 < end)?;
                    escape(e)?;
                    escaped = true;
                    i += 2;
                    continue;
                }
            }
            i += 1;
        }
        None
    }

    /// The key starting at byte `at` whose `:` is at byte `colon`; `None`
    /// past go-yaml's simple-key length.
    fn key(&self, line: &Line, at: usize, colon: usize, text: Cow<'a, str>, plain: bool) -> Option<Key<'a>> {
        if colon - at > MAX_KEY_LEN {
            return None;
        }
        Some(Key {
            text,
            plain,
            value: skip_spaces(self.b, colon + 1, line.end),
        })
    }

    /// The key of a mapping entry at byte `at` of `line`: `Some(None)`
    /// when the line holds no `key:` there (a scalar), `None` when the
    /// subset cannot tell.
    fn key_at(&self, line: &Line, at: usize) -> Option<Option<Key<'a>>> {
        let b = self.b;
        let c = b[at];
        if c == b'"' || c == b'\'' {
            let (text, i) = self.quoted(at, line.end, true)?;
            let i = skip_spaces(b, i, line.end);
            if i < line.end && b[i] == b':' {
                if i + 1 < line.end && b[i + 1] != b' ' {
                    return None;
                }
                return self.key(line, at, i, text, false).map(Some);
            }
            return Some(None);
        }
        if starts_special(c, b.get(at + 1).copied()) {
            // not a plain key (`- ` entries, quoted or block scalars, flow
            // collections and other indicators): the caller decides
            return Some(None);
        }
        let mut i = at;
        while i < line.end {
            match b[i] {
                b':' if i + 1 == line.end || b[i + 1] == b' ' => {
                    let mut k = i;
                    while k > at && b[k - 1] == b' ' {
                        k -= 1;
                    }
                    return self
                        .key(line, at, i, Cow::Borrowed(&self.s[at..k]), true)
                        .map(Some);
                }
                b' ' if i + 1 < line.end && b[i + 1] == b'#' => return Some(None),
                _ => {}
            }
            i += 1;
        }
        Some(None)
    }

    /// A block scalar whose header (`|`, `>`, optionally `-` or `+`) is at
    /// byte `v` of `line`, inside a collection at column `parent`. Consumes
    /// its lines; with `build`, its text (literal scalars only: folded ones
    /// go to the full decoder when built).
    fn block_scalar(&mut self, line: &Line, v: usize, parent: usize, build: bool) -> Option<Option<String>> {
        let b = self.b;
        let literal = b[v] == b'|';
        if build && !literal {
            return None;
        }
        let mut h = v + 1;
        let chomp = if h < line.end && (b[h] == b'-' || b[h] == b'+') {
            h += 1;
            b[h - 1]
        } else {
            b' '
        };
        if !(h == line.end || (b[h] == b' ' && is_blank_rest(b, h, line.end))) {
            return None; // indentation indicators and the like
        }
        self.consume(line);
        let mut indent: Option<usize> = None;
        let mut leading_blank = 0;
        // with `build`: the text so far, and the line breaks of the empty
        // lines seen since the last line with text
        let mut text = String::new();
        let mut breaks = 0;
        while self.pos < b.len() {
            let start = self.pos;
            let end = self.line_end(start);
            let c = skip_spaces(b, start, end);
            let spaces = c - start;
            if c == end {
                // an empty or all-space line belongs to the scalar
                match indent {
                    None => leading_blank = leading_blank.max(spaces),
                    // spaces past the indentation are text: not taken here
                    Some(i) if build && spaces > i => return None,
                    Some(_) => {}
                }
                breaks += 1;
                self.pos = self.after(end);
                continue;
            }
            match indent {
                None => {
                    if spaces <= parent {
                        break; // an empty scalar
                    }
                    if leading_blank > spaces || b[c] == b'\t' {
                        return None;
                    }
                    indent = Some(spaces);
                }
                Some(i) if spaces < i => {
                    if b[c] == b'\t' {
                        return None;
                    }
                    break;
                }
                Some(_) => {}
            }
            if build {
                let i = indent.unwrap_or(spaces);
                for _ in 0..breaks {
                    text.push('\n');
                }
                breaks = 0;
                text.push_str(&self.s[start + i..end]);
                text.push('\n');
            }
            self.pos = self.after(end);
        }
        if !build {
            return Some(None);
        }
        if indent.is_none() && breaks > 0 && chomp == b'+' {
            return None; // only empty lines, kept: left to the full decoder
        }
        match chomp {
            b'-' => {
                text.pop();
            }
            b'+' => {
                for _ in 0..breaks {
                    text.push('\n');
                }
            }
            _ => {}
        }
        Some(Some(text))
    }
}

/// What a double-quoted scalar's `\\e` escape stands for (the escapes of
/// go-yaml v2 but `\\x`, `\\u` and `\\U`, and a backslash before a line
/// break, which the fast path leaves to the full decoder).
fn escape(e: u8) -> Option<char> {
    Some(match e {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        _ => return None,
    })
}

/// The text of a one-line double-quoted scalar whose escapes [`escape`]
/// takes (checked by the caller).
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(e) = chars.next().and_then(|e| u8::try_from(e).ok()).and_then(escape) {
                out.push(e);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a plain key is one the fast path takes: a string, bool, int or
/// float (JSON-able; null and big unsigned keys are errors, timestamps and
/// `<<` merges are left to the full decoder).
fn plain_key_ok(key: &str) -> bool {
    key != "<<"
        && match resolve_plain(key) {
            Resolved::Str | Resolved::Bool(_) | Resolved::Int(_) => true,
            Resolved::Float(f) => f.is_finite(),
            Resolved::Null | Resolved::Uint(_) | Resolved::Timestamp | Resolved::Merge => false,
        }
}

/// The node of a key (plain keys resolved as go-yaml v2 does).
fn key_node(text: Cow<'_, str>, plain: bool) -> Option<Node> {
    if !plain {
        return Some(Node::Str(text.into_owned()));
    }
    decode_scalar(text, ScalarStyle::Plain, None).ok()
}

/// Whether a value or key starting with `c` (then `next`) is something
/// other than a plain scalar the subset takes: YAML indicators (flow
/// collections, anchors, aliases, tags, directives, reserved characters,
/// comments, `?`/`:` keys), `- ` entries excepted (their callers check).
fn starts_special(c: u8, next: Option<u8>) -> bool {
    match c {
        b'[' | b']' | b'{' | b'}' | b',' | b'#' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b'|' | b'>'
        | b'"' | b'\'' => true,
        b'?' | b':' | b'-' => matches!(next, None | Some(b' ') | Some(b'\n')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::yaml::unmarshal_head_full;

    /// The fast path either declines or agrees with the full decoder.
    /// The whole-document fast path either declines or decodes exactly
    /// what the full decoder does.
    fn check_document(doc: &str) -> Option<Option<Node>> {
        let fast = document(doc);
        if let Some(n) = &fast {
            assert_eq!(
                crate::chart::yaml::load::decode_first(doc).as_ref(),
                Ok(n),
                "fast path disagrees with the full decoder on {doc:?}"
            );
        }
        fast
    }

    pub(super) fn check(doc: &str) -> Option<Value> {
        let fast = head(doc);
        if let Some(v) = &fast {
            assert_eq!(
                unmarshal_head_full(doc).as_ref(),
                Ok(v),
                "fast path disagrees with the full decoder on {doc:?}"
            );
        }
        fast
    }

    pub(super) const DEPLOYMENT: &str = r#"# Source: demo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "demo-web"
  namespace: 'it''s'
  labels:
    app.kubernetes.io/name: web
    helm.sh/chart: demo-0.1.0
    version: 1
    enabled: true
    ratio: 0.5
    empty:
    nothing: ~
  annotations: {}
  finalizers: []
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web # trailing comment
  template:
    spec:
      containers:
        - name: web
          image: "nginx:1.27"
          args:
            - --port=80
          command:
          - /bin/sh
          - -c
          - |
            echo "hello: world"

            exec nginx -g 'daemon off;'
          env:
            - name: A
              value: "x \" y"
            -
              name: B
              value: >-
                folded
                text
      tolerations: []
      nodeSelector: {}
"#;

    #[test]
    fn typical_manifests_take_the_fast_path() {
        let docs = [
            DEPLOYMENT,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a.conf: |-\n    x: 1\n\n    \ty\n  b: \"2\"\n",
            "# only a comment\n\n",
            "",
            "kind: List\nitems:\n- a\n- - b\n  - c\n-\n- d: e\n  f:\n  - g\n",
            "  kind: Indented\n  metadata:\n    name: x\n",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels:\n    a: b\n    a: c\nstringData:\n  k: \"v\\n\"\n",
        ];
        for d in docs {
            assert!(check(d).is_some(), "expected a fast answer for {d:?}");
        }
        let head = check(DEPLOYMENT).unwrap();
        assert_eq!(head["kind"], "Deployment");
        assert_eq!(head["metadata"]["namespace"], "it's");
        assert_eq!(head["metadata"]["labels"]["version"], 1.0);
        assert!(head.get("spec").is_none());
        assert_eq!(check("").unwrap(), Value::Null);
    }

    #[test]
    fn errors_and_unusual_yaml_are_left_to_the_full_decoder() {
        let docs = [
            "a: b: c\n",
            "a: b\n  c: d\n",
            "a:\n  b: c\n d: e\n",
            "a: 'x\n  y'\n",
            "a: \"x\\\n  y\"\n",
            "a: \"\\x41\"\n",
            "a:\tb\n",
            "\ta: b\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: {b: c}\n",
            "a: [b]\n",
            "a: .nan\n",
            "a: -.inf\n",
            "b:\n  - .inf\n",
            "1: x\n",
            "~: x\n",
            "true: x\n",
            "<<: {a: b}\n",
            "a: |2\n   x\n",
            "a: |\n     \n  x\n",
            "a: b\n---\nc: d\n",
            "- a\n- b\n",
            "plain\n",
            "a: b\nc\n",
            "a: - b\n",
            "a: b # c\n  d: e\n",
            "a:\n  plain\n  text\n",
            "a: b\r\n",
            "a: \u{feff}b\n",
            "a: \u{85}\n",
            "a: 😀\n",
            "metadata:\n  annotations:\n    x: |\n      y\n",
            "metadata:\n  name: \"a\\tb\"\n",
            "a:\n- b\n - c\n",
            "? a\n: b\n",
            "a: `b`\n",
            "a: @b\n",
            "a: %b\n",
            "a: b:\n",
            "a: \"b\"c\n",
            "a: 'b'#c\n",
            "a:b\n",
        ];
        for d in docs {
            check(d);
        }
        for d in [
            "a: b: c\n",
            "a: b\n  c: d\n",
            "a:\tb\n",
            "~: x\n",
            "a: .nan\n",
            "- a\n",
        ] {
            assert!(head(d).is_none(), "{d:?} must go to the full decoder");
        }
    }

    /// Every document of the Helm outputs recorded for the tests (real
    /// charts' manifests): the fast path agrees with the full decoder, and
    /// answers for nearly all of them.
    #[test]
    fn agrees_on_recorded_helm_outputs() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let mut files = Vec::new();
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                let ft = e.file_type().unwrap();
                if ft.is_dir() {
                    dirs.push(p);
                } else if ft.is_file() && !ft.is_symlink() {
                    if let Ok(text) = std::fs::read_to_string(&p) {
                        if text.contains("\nkind: ") {
                            files.push(text);
                        }
                    }
                }
            }
        }
        // and the project's charts, rendered (their templates are the
        // lab's, the kind of YAML this path is for)
        let charts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../charts");
        for name in ["asky", "hello-fastapi"] {
            let chart = crate::chart::load::load(&charts.join(name)).unwrap();
            let out = crate::chart::render::render_files(&chart, Map::new(), &Default::default()).unwrap();
            files.extend(out.into_values());
        }
        let (mut docs, mut fast) = (0, 0);
        for text in &files {
            for doc in crate::chart::render::split_manifests(text, false) {
                let answered = check(&doc).is_some();
                // template sources (with actions) are in the data too:
                // checked, not counted
                if !doc.contains("{{") {
                    docs += 1;
                    fast += usize::from(answered);
                }
            }
        }
        assert!(docs > 150, "only {docs} documents found");
        eprintln!("fast path answered {fast} of {docs} documents");
        assert!(
            fast * 10 >= docs * 9,
            "fast path answered {fast} of {docs} documents"
        );
    }

    const VALUES: &str = r#"# Default values
replicaCount: 1
image:
  repository: "ghcr.io/asky/web"   # comment
  tag: ''
  pullPolicy: IfNotPresent
  digest: ~
escaped: "tab\tquote\" slash\/ nel\N"
quoted: 'it''s'
ports: [80, "443", {name: http, port: 8080}, []]
labels: {}
nested: {a: {b: [1, 2.5, true, null, -3]}}
script: |
  #!/bin/sh

  echo "hi: there"
    indented
stripped: |-
  last

kept: |+
  kept


list:
- a
- b: c
  d:
  - e
-
  f: g
empty:
neg: -1
float: 1e3
"#;

    #[test]
    fn values_files_take_the_whole_document_path() {
        let n = check_document(VALUES)
            .expect("a fast answer")
            .expect("a document");
        let Node::Map(pairs) = n else { panic!("a mapping") };
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == Node::Str(k.into()))
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            get("escaped"),
            Some(Node::Str("tab\tquote\" slash/ nel\u{85}".into()))
        );
        assert_eq!(
            get("script"),
            Some(Node::Str("#!/bin/sh\n\necho \"hi: there\"\n  indented\n".into()))
        );
        assert_eq!(get("stripped"), Some(Node::Str("last".into())));
        assert_eq!(get("kept"), Some(Node::Str("kept\n\n\n".into())));
        assert_eq!(check_document("# nothing\n"), Some(None));
        // every values file of the repository
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let (mut files, mut fast) = (0, 0);
        let mut dirs = vec![root.join("charts"), root.join("xtask/tests")];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let (p, ft) = (e.path(), e.file_type().unwrap());
                if ft.is_dir() {
                    dirs.push(p);
                } else if ft.is_file() && p.to_string_lossy().ends_with("values.yaml") {
                    if let Ok(text) = std::fs::read_to_string(&p) {
                        let answered = check_document(&text).is_some();
                        // templates named values.yaml and the YAML edge-case
                        // fixtures are checked, not counted
                        let path = p.to_string_lossy();
                        if !path.contains("/templates/") && !path.contains("fixtures/yaml/") {
                            files += 1;
                            fast += usize::from(answered);
                        }
                    }
                }
            }
        }
        assert!(
            files > 30 && fast * 10 >= files * 9,
            "fast path answered {fast} of {files} values files"
        );
    }

    /// Random edits of valid documents (the kinds of characters and
    /// indentation YAML cares about): the fast path never answers
    /// differently from the full decoder.
    #[test]
    fn agrees_on_mutated_documents() {
        let seeds = [
            DEPLOYMENT,
            VALUES,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    a: \"1\"\ndata:\n  x: |\n    y\n  z: w\n",
            "kind: A\nmetadata:\n  name: n\nitems:\n- a: 1\n  b:\n  - c\n- 'd'\n",
            "kind: B\nspec:\n  args: [\"a\", b, 1.5, {\"k\":\"v\", x: [y]}]\n  sel:\n    {}\n  d: a long\n    description\n\n    continued\n  e: -1\n",
            "kind: C\nx:\n  - |-\n    line: 1\n\n      more\n  - >\n    folded\n  - 'q'\ny: :z\n",
        ];
        let alphabet: &[u8] = b" \n\n  :-#|>\"'{}[],.0123456789aenfty~&*!?%@`\\\t+";
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rand = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut tried, mut answered) = (0, 0);
        for round in 0..60000 {
            let mut doc = seeds[round % seeds.len()].as_bytes().to_vec();
            for _ in 0..1 + rand(3) {
                let at = rand(doc.len() + 1);
                match rand(4) {
                    0 => doc.insert(at, alphabet[rand(alphabet.len())]),
                    1 if at < doc.len() => {
                        doc.remove(at);
                    }
                    2 => {
                        // indent or dedent the line holding `at`
                        let start = doc[..at].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
                        if rand(2) == 0 {
                            doc.insert(start, b' ');
                        } else if doc.get(start) == Some(&b' ') {
                            doc.remove(start);
                        }
                    }
                    _ => {
                        let c = alphabet[rand(alphabet.len())];
                        if at < doc.len() {
                            doc[at] = c;
                        }
                    }
                }
            }
            let Ok(doc) = String::from_utf8(doc) else { continue };
            tried += 1;
            answered += usize::from(check(&doc).is_some());
            check_document(&doc);
        }
        eprintln!("mutations: fast path answered {answered} of {tried}");
        // the test means something only if both paths are exercised
        assert!(answered * 5 > tried && answered < tried, "{answered} of {tried}");
    }
}
