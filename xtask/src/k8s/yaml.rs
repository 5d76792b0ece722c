//! Spanned YAML documents: every node keeps the line and column where it
//! starts, so checks can say `file:line:column`. Built on the event stream of
//! `saphyr-parser`; scalars are resolved with the YAML 1.2 core schema (the
//! one Kubernetes' decoder uses for plain scalars), quoted scalars stay
//! strings.

use std::collections::HashMap;
use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// A YAML value with its position (1-based line and column).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys keep their own positions; order is the file's order.
    Map(Vec<(Node, Node)>),
}

/// One document of a (possibly multi-document) YAML file.
#[derive(Clone, Debug)]
pub struct Document {
    /// 0-based position of the document in the file.
    pub index: usize,
    pub root: Node,
}

/// A syntax error, 1-based line and column.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for YamlError {}

impl Node {
    fn new(value: Value, span: &Span) -> Node {
        Node {
            value,
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node under `key`.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Follows a dotted path of keys and `[i]` indexes: `spec.ports[0].port`.
    pub fn path(&self, path: &str) -> Option<&Node> {
        let mut cur = self;
        for part in path.split('.').filter(|p| !p.is_empty()) {
            let (name, idx) = match part.find('[') {
                Some(i) => (&part[..i], Some(&part[i..])),
                None => (part, None),
            };
            if !name.is_empty() {
                cur = cur.get(name)?;
            }
            if let Some(mut rest) = idx {
                while let Some(close) = rest.find(']') {
                    let n: usize = rest[1..close].parse().ok()?;
                    cur = cur.seq()?.get(n)?;
                    rest = &rest[close + 1..];
                }
            }
        }
        Some(cur)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// A short text for the value as a student wrote it (for "found: …").
    pub fn display(&self) -> String {
        match &self.value {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => s.clone(),
            Value::Seq(items) => format!("a list of {}", items.len()),
            Value::Map(_) => "a mapping".into(),
        }
    }

    /// The JSON type name (as JSON Schema names types).
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// The same data as JSON (positions dropped; non-string keys printed).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().map_or_else(|| k.display(), str::to_string),
                            v.to_json(),
                        )
                    })
                    .collect(),
            ),
        }
    }
}

/// Parses every document of `text`.
pub fn parse_documents(text: &str) -> Result<Vec<Document>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder::default();
    loop {
        match parser.next_event() {
            None => break,
            Some(Err(e)) => {
                return Err(YamlError {
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                    message: e.info().to_string(),
                })
            }
            Some(Ok((event, span))) => {
                if b.event(event, span)? {
                    break;
                }
            }
        }
    }
    Ok(b.docs)
}

enum Frame {
    Seq(Node, Vec<Node>, usize),
    Map(Node, Vec<(Node, Node)>, Option<Node>, usize),
}

#[derive(Default)]
struct Builder {
    docs: Vec<Document>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    /// Nodes copied by aliases so far (bounded: a "billion laughs" file
    /// must not eat the machine's memory).
    expanded: usize,
}

/// At most this many nodes may be produced by alias expansion per file.
pub const MAX_ALIAS_EXPANSION: usize = 100_000;

fn size_of(n: &Node) -> usize {
    1 + match &n.value {
        Value::Seq(items) => items.iter().map(size_of).sum(),
        Value::Map(entries) => entries.iter().map(|(k, v)| size_of(k) + size_of(v)).sum(),
        _ => 0,
    }
}

impl Builder {
    /// Returns true at the end of the stream.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<bool, YamlError> {
        match event {
            Event::StreamEnd => return Ok(true),
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart(_) => self.root = None,
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or(Node {
                    value: Value::Null,
                    line: span.start.line(),
                    column: 1,
                });
                let index = self.docs.len();
                self.docs.push(Document { index, root });
            }
            Event::Alias(id) => {
                let (node, size) = self.anchors.get(&id).cloned().ok_or_else(|| YamlError {
                    line: span.start.line(),
                    column: span.start.col() + 1,
                    message: "alias to an unknown anchor".into(),
                })?;
                self.expanded += size;
                if self.expanded > MAX_ALIAS_EXPANSION {
                    return Err(YamlError {
                        line: span.start.line(),
                        column: span.start.col() + 1,
                        message: format!("aliases expand to more than {MAX_ALIAS_EXPANSION} nodes (a \"billion laughs\" document?)"),
                    });
                }
                let node = Node {
                    line: span.start.line(),
                    column: span.start.col() + 1,
                    ..node
                };
                self.push(node, 0);
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| t.suffix.clone());
                let value = resolve_scalar(&text, style, tag.as_deref());
                self.push(Node::new(value, &span), anchor);
            }
            Event::SequenceStart(anchor, _) => {
                self.stack
                    .push(Frame::Seq(Node::new(Value::Null, &span), Vec::new(), anchor))
            }
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map(
                Node::new(Value::Null, &span),
                Vec::new(),
                None,
                anchor,
            )),
            Event::SequenceEnd => {
                if let Some(Frame::Seq(mut n, items, anchor)) = self.stack.pop() {
                    n.value = Value::Seq(items);
                    self.push(n, anchor);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(mut n, entries, _, anchor)) = self.stack.pop() {
                    n.value = Value::Map(entries);
                    self.push(n, anchor);
                }
            }
        }
        Ok(false)
    }

    fn push(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            let size = size_of(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(_, items, _)) => items.push(node),
            Some(Frame::Map(_, entries, pending, _)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    // A later duplicate key replaces the earlier one (as the
                    // Kubernetes decoder does in non-strict mode).
                    if let Some(k) = key.as_str() {
                        entries.retain(|(e, _)| e.as_str() != Some(k));
                    }
                    entries.push((key, node));
                }
            },
        }
    }
}

fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    if let Some(tag) = tag {
        return match tag {
            "str" => Value::Str(text.to_string()),
            "int" => text.parse().map_or(Value::Str(text.to_string()), Value::Int),
            "float" => text.parse().map_or(Value::Str(text.to_string()), Value::Float),
            "bool" => match text {
                "true" | "True" | "TRUE" => Value::Bool(true),
                "false" | "False" | "FALSE" => Value::Bool(false),
                _ => Value::Str(text.to_string()),
            },
            "null" => Value::Null,
            _ => Value::Str(text.to_string()),
        };
    }
    if !matches!(style, ScalarStyle::Plain) {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return Value::Int(i);
    }
    if is_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(text.to_string())
}

fn parse_int(t: &str) -> Option<i64> {
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let v = if let Some(h) = digits.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(o) = digits.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

fn is_float(t: &str) -> bool {
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let mut seen_digit = false;
    let mut seen_dot = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '0'..='9' => seen_digit = true,
            '.' if !seen_dot => seen_dot = true,
            'e' | 'E' if seen_digit => {
                let rest: String = chars.collect();
                let rest = rest.strip_prefix(['-', '+']).unwrap_or(&rest);
                return !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit());
            }
            _ => return false,
        }
    }
    seen_digit
}

/// A place where the indentation of a block probably went wrong, found by
/// reading the lines (not the parse tree), for messages a beginner follows.
#[derive(Clone, Debug, PartialEq)]
pub enum StructureHint {
    /// A tab character in the indentation (YAML forbids tabs there).
    Tab { line: usize, column: usize },
    /// `parent:` has no value, and the next line `child: …` sits at the same
    /// column: the child was meant to be nested `indent` spaces deeper.
    LostChildren {
        parent: String,
        parent_line: usize,
        parent_column: usize,
        child: String,
        child_line: usize,
        child_column: usize,
        indent: usize,
    },
    /// A line indented to a column no enclosing block uses.
    BadIndent {
        line: usize,
        column: usize,
        /// The columns that would be valid at this point.
        expected: Vec<usize>,
    },
}

impl StructureHint {
    pub fn line(&self) -> usize {
        match self {
            StructureHint::Tab { line, .. } | StructureHint::BadIndent { line, .. } => *line,
            StructureHint::LostChildren { child_line, .. } => *child_line,
        }
    }
}

struct Line<'a> {
    no: usize,
    indent: usize,
    /// Text after the indentation and an optional `- ` list marker.
    body: &'a str,
    /// Column (0-based) where `body` starts.
    body_col: usize,
}

fn content_lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut block_scalar_indent: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start_matches(' ');
        let indent = raw.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // Tabs in the indentation are reported on their own (StructureHint::Tab).
        if trimmed.starts_with('\t') {
            continue;
        }
        if let Some(bi) = block_scalar_indent {
            if indent > bi {
                continue;
            }
            block_scalar_indent = None;
        }
        if trimmed == "---" || trimmed.starts_with("--- ") || trimmed == "..." {
            out.push(Line {
                no: i + 1,
                indent: 0,
                body: "---",
                body_col: 0,
            });
            continue;
        }
        let mut body = trimmed;
        let mut body_col = indent;
        while let Some(rest) = body.strip_prefix("- ") {
            let rest_trim = rest.trim_start_matches(' ');
            body_col += body.len() - rest_trim.len();
            body = rest_trim;
        }
        let value_part = body.split_once(": ").map(|(_, v)| v.trim());
        let ends_block = body.trim_end().ends_with('|')
            || body.trim_end().ends_with('>')
            || matches!(value_part, Some(v) if v.starts_with('|') || v.starts_with('>'));
        if ends_block {
            block_scalar_indent = Some(indent);
        }
        out.push(Line {
            no: i + 1,
            indent,
            body,
            body_col,
        });
    }
    out
}

/// The key of a `key:` or `key: value` line, if it is one.
fn line_key(body: &str) -> Option<(&str, bool)> {
    if body.starts_with(['"', '\'', '{', '[', '#']) {
        return None;
    }
    let (k, rest) = if let Some(k) = body.strip_suffix(':') {
        (k, "")
    } else {
        body.split_once(": ")?
    };
    if k.is_empty() || k.contains(' ') && !k.starts_with('"') {
        return None;
    }
    let rest = rest.split(" #").next().unwrap_or("").trim();
    Some((k, rest.is_empty()))
}

/// Reads the lines of `text` and reports where its block structure looks
/// broken: tabs, a `parent:` whose children were not indented, a line at a
/// column no open block uses. Works on files the parser rejects as well.
pub fn structure_hints(text: &str) -> Vec<StructureHint> {
    let mut hints = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let lead: String = raw.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        if let Some(pos) = lead.find('\t') {
            hints.push(StructureHint::Tab {
                line: i + 1,
                column: pos + 1,
            });
        }
    }
    let lines = content_lines(text);
    // Typical nesting step of the file (2 unless it clearly uses another).
    let step = lines
        .windows(2)
        .filter(|w| w[1].indent > w[0].indent)
        .map(|w| w[1].indent - w[0].indent)
        .min()
        .unwrap_or(2)
        .clamp(1, 8);
    // Columns of the open blocks (the body column of each enclosing line).
    let mut open: Vec<usize> = vec![0];
    for (i, l) in lines.iter().enumerate() {
        if l.body == "---" {
            open = vec![0];
            continue;
        }
        let prev = i.checked_sub(1).map(|p| &lines[p]).filter(|p| p.body != "---");
        let prev_opens = prev.is_some_and(|p| matches!(line_key(p.body), Some((_, true))));
        if let Some(p) = prev {
            let (pk, pempty) = line_key(p.body).unwrap_or(("", false));
            if pempty && l.indent == p.body_col && !l.body.starts_with("- ") && l.body_col == p.body_col {
                if let Some((ck, _)) = line_key(l.body) {
                    // `parent:` then `child: …` at the same column; a list
                    // (`- item`) at the same column is valid YAML for a
                    // mapping key, so only plain keys are reported.
                    if !lines_under_same_column_is_list(l) {
                        hints.push(StructureHint::LostChildren {
                            parent: pk.to_string(),
                            parent_line: p.no,
                            parent_column: p.body_col + 1,
                            child: ck.to_string(),
                            child_line: l.no,
                            child_column: l.body_col + 1,
                            indent: step,
                        });
                    }
                }
            }
        }
        // Indentation bookkeeping: a line may start at an open column, or
        // deeper than the previous body when the previous line opened a block.
        let start_col = l.indent;
        let deeper_ok = prev.is_some_and(|p| start_col > p.body_col && prev_opens)
            || prev
                .is_some_and(|p| start_col > p.indent && p.body.starts_with("- ") && start_col <= p.body_col);
        if deeper_ok {
            if let Some(p) = prev {
                open.retain(|c| *c <= p.body_col);
                if !open.contains(&p.body_col) {
                    open.push(p.body_col);
                }
            }
            open.push(start_col);
        } else if open.contains(&start_col) {
            open.retain(|c| *c <= start_col);
        } else if prev.is_some_and(|p| start_col > p.body_col) && !prev_opens && line_key(l.body).is_none() {
            // continuation of a multi-line plain scalar: allowed
            continue;
        } else {
            let mut expected: Vec<usize> = open.iter().map(|c| c + 1).collect();
            expected.sort_unstable();
            expected.dedup();
            hints.push(StructureHint::BadIndent {
                line: l.no,
                column: start_col + 1,
                expected,
            });
            open.retain(|c| *c < start_col);
            open.push(start_col);
        }
        let body_col = l.body_col;
        open.retain(|c| *c <= body_col);
        if !open.contains(&body_col) {
            open.push(body_col);
        }
    }
    hints
}

fn lines_under_same_column_is_list(l: &Line<'_>) -> bool {
    l.body.starts_with("- ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_types() {
        let docs = parse_documents("a: 1\nb:\n  - x\n  - 'y'\nc: true\nd: ~\ne: 1.5\n---\nk: v\n").unwrap();
        assert_eq!(docs.len(), 2);
        let r = &docs[0].root;
        assert_eq!(r.get("a").unwrap().as_i64(), Some(1));
        let b = r.get("b").unwrap();
        assert_eq!((b.line, b.column), (3, 3));
        assert_eq!(r.path("b[1]").unwrap().as_str(), Some("y"));
        assert_eq!(
            (r.path("b[1]").unwrap().line, r.path("b[1]").unwrap().column),
            (4, 5)
        );
        assert_eq!(r.get("c").unwrap().value, Value::Bool(true));
        assert!(r.get("d").unwrap().is_null());
        assert_eq!(r.get("e").unwrap().value, Value::Float(1.5));
        let (k, _) = docs[1].root.entry("k").unwrap();
        assert_eq!((k.line, k.column), (9, 1));
        assert_eq!(r.to_json()["b"][0], "x");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, c) in "bcdefgh".chars().enumerate() {
            let prev = (b'a' + i as u8) as char;
            text.push_str(&format!(
                "{c}: &{c} [{}]\n",
                vec![format!("*{prev}"); 10].join(", ")
            ));
        }
        let e = parse_documents(&text).unwrap_err();
        assert!(e.message.contains("billion laughs"), "{e}");
        let ok = parse_documents("a: &a {k: v}\nb: *a\n").unwrap();
        assert_eq!(ok[0].root.path("b.k").unwrap().as_str(), Some("v"));
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse_documents("a:\n  b: 1\n   c: 2\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
    }

    #[test]
    fn lost_children_found() {
        let text = "spec:\n  selector:\n    matchLabels:\n    app: hello\n";
        let hints = structure_hints(text);
        assert_eq!(
            hints,
            vec![StructureHint::LostChildren {
                parent: "matchLabels".into(),
                parent_line: 3,
                parent_column: 5,
                child: "app".into(),
                child_line: 4,
                child_column: 5,
                indent: 2,
            }]
        );
        assert!(structure_hints("a:\n  b: 1\nc:\n- x\n").is_empty());
    }

    #[test]
    fn tabs_and_bad_indent() {
        let hints = structure_hints("a:\n\tb: 1\n");
        assert!(
            matches!(hints[0], StructureHint::Tab { line: 2, column: 1 }),
            "{hints:?}"
        );
        let hints = structure_hints("a:\n  b: 1\n   c: 2\n");
        assert!(
            matches!(
                &hints[0],
                StructureHint::BadIndent {
                    line: 3,
                    column: 4,
                    ..
                }
            ),
            "{hints:?}"
        );
        let ok = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: b\n      ports:\n      - containerPort: 8000\n  restartPolicy: Always\n";
        assert!(structure_hints(ok).is_empty(), "{:?}", structure_hints(ok));
    }
}
