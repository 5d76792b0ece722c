//! YAML decoding with go-yaml v2 semantics into `interface{}`-like nodes,
//! then `sigs.k8s.io/yaml`'s JSON normalisation into `serde_json::Value`.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};
use serde_json::{Map, Number, Value};

use super::resolve::{resolve_plain, Resolved};
use crate::chart::strconv::format_float;

const STR: &str = "tag:yaml.org,2002:str";
const INT: &str = "tag:yaml.org,2002:int";
const FLOAT: &str = "tag:yaml.org,2002:float";
const BOOL: &str = "tag:yaml.org,2002:bool";
const NULL: &str = "tag:yaml.org,2002:null";
const TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
const BINARY: &str = "tag:yaml.org,2002:binary";
const MERGE: &str = "tag:yaml.org,2002:merge";

/// Upper bound on decoded nodes (alias expansion guard, like go-yaml's
/// "document contains excessive aliasing").
const MAX_NODES: usize = 4_000_000;

/// A value as go-yaml v2 decodes it into `interface{}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// `map[interface{}]interface{}`: pairs, keys unique (last write wins).
    Map(Vec<(Node, Node)>),
}

impl Node {
    fn size(&self) -> usize {
        match self {
            Node::Seq(v) => 1 + v.iter().map(Node::size).sum::<usize>(),
            Node::Map(v) => 1 + v.iter().map(|(k, v)| k.size() + v.size()).sum::<usize>(),
            _ => 1,
        }
    }
}

/// A `map[interface{}]interface{}` under construction: insertion-ordered
/// pairs, so a later duplicate key replaces the value (Go map assignment).
/// Small maps (nearly all of them) are searched in place; past
/// [`PairMap::INDEXED`] pairs an index keeps the search O(1).
#[derive(Default)]
pub(super) struct PairMap {
    pub(super) pairs: Vec<(Node, Node)>,
    index: Option<HashMap<String, usize>>,
}

/// Go `==` identity of a scalar key; `None` for NaN (never equal).
fn key_repr(k: &Node) -> Option<String> {
    Some(match k {
        Node::Null => "n".into(),
        Node::Bool(b) => format!("b:{b}"),
        Node::Int(i) => format!("i:{i}"),
        Node::Uint(u) => format!("u:{u}"),
        Node::Float(f) if f.is_nan() => return None,
        Node::Float(f) if *f == 0.0 => "f:0".into(),
        Node::Float(f) => format!("f:{}", f.to_bits()),
        Node::Str(s) => format!("s:{s}"),
        Node::Seq(_) | Node::Map(_) => return None,
    })
}

/// Go `==` of two `interface{}` map keys: same dynamic type and value
/// (NaN never equal, `0 == -0`); the same relation as equal [`key_repr`]s.
fn key_eq(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::Null, Node::Null) => true,
        (Node::Bool(x), Node::Bool(y)) => x == y,
        (Node::Int(x), Node::Int(y)) => x == y,
        (Node::Uint(x), Node::Uint(y)) => x == y,
        (Node::Float(x), Node::Float(y)) => x == y,
        (Node::Str(x), Node::Str(y)) => x == y,
        _ => false,
    }
}

impl PairMap {
    const INDEXED: usize = 16;

    pub(super) fn set(&mut self, k: Node, v: Node) {
        if let Some(index) = &mut self.index {
            match key_repr(&k) {
                Some(r) => match index.get(&r) {
                    Some(&i) => self.pairs[i].1 = v,
                    None => {
                        index.insert(r, self.pairs.len());
                        self.pairs.push((k, v));
                    }
                },
                None => self.pairs.push((k, v)),
            }
            return;
        }
        if let Some(slot) = self.pairs.iter_mut().find(|(old, _)| key_eq(old, &k)) {
            slot.1 = v;
            return;
        }
        self.pairs.push((k, v));
        if self.pairs.len() > Self::INDEXED {
            let mut index = HashMap::with_capacity(self.pairs.len() * 2);
            for (i, (key, _)) in self.pairs.iter().enumerate() {
                if let Some(r) = key_repr(key) {
                    index.insert(r, i);
                }
            }
            self.index = Some(index);
        }
    }
}

/// Go `%#v` of a decoded value (used in a few error texts).
fn go_sharp_v(n: &Node) -> String {
    match n {
        Node::Null => "interface {}(nil)".into(),
        Node::Bool(b) => b.to_string(),
        Node::Int(i) => i.to_string(),
        Node::Uint(u) => format!("0x{u:x}"),
        Node::Float(f) => format_float(*f, 'g', -1, 64),
        Node::Str(s) => format!("{s:?}"),
        Node::Seq(v) => format!(
            "[]interface {{}}{{{}}}",
            v.iter().map(go_sharp_v).collect::<Vec<_>>().join(", ")
        ),
        Node::Map(v) => format!(
            "map[interface {{}}]interface {{}}{{{}}}",
            v.iter()
                .map(|(k, v)| format!("{}:{}", go_sharp_v(k), go_sharp_v(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A YAML error with go-yaml's wording where we can match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Text after `yaml: ` e.g. `line 2: did not find expected key`.
    pub msg: String,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "yaml: {}", self.msg)
    }
}

fn scan_error(e: &ScanError, src: &str) -> YamlError {
    let line = e.marker().line();
    let info = e.info();
    // saphyr says "while parsing X, problem"; libyaml reports the problem
    // and go-yaml prints "line N: problem".
    let problem = match info.split_once(", ") {
        Some((ctx, p)) if ctx.starts_with("while ") => p,
        _ => info,
    };
    let parser_error = info.starts_with("while parsing a block")
        || info.starts_with("while parsing a flow")
        || info.starts_with("while parsing a node")
        || info.starts_with("did not find expected <document")
        || info == "did not find expected next token";
    if info.contains("found unknown anchor") {
        // go-yaml: "unknown anchor 'x' referenced" (no line)
        let name = alias_name_at(src, e.marker().index());
        return plain_err(format!("unknown anchor '{name}' referenced"));
    }
    let mut parser_error = parser_error;
    let mut msg = match problem {
        "expected ',' or ']'" => "did not find expected ',' or ']'".to_string(),
        p if p.starts_with("tabs disallowed") => "found character that cannot start any token".to_string(),
        // libyaml has no indentation rule inside quoted scalars: it runs
        // to the end of the stream looking for the closing quote
        "invalid indentation in quoted scalar" => "found unexpected end of stream".to_string(),
        // a `key: value` inside a flow collection spanning lines
        p if p.contains("illegal placement of ':'") => {
            parser_error = true;
            match innermost_open_bracket(src, e.marker().index()) {
                Some('{') => "did not find expected ',' or '}'".to_string(),
                _ => "did not find expected ',' or ']'".to_string(),
            }
        }
        "unexpected eof" => "did not find expected node content".to_string(),
        "simple key expected" | "simple key expect ':'" => "could not find expected ':'".to_string(),
        p if p.starts_with("unexpected character") => {
            "found character that cannot start any token".to_string()
        }
        p => p.to_string(),
    };
    if msg.contains("mapping values are not allowed") {
        msg = "mapping values are not allowed in this context".to_string();
    }
    // go-yaml: parser errors print the 0-based problem line, scanner errors
    // the 1-based one; line 0 is never printed.
    let go_line = if msg == "found unexpected end of stream" {
        src.matches('\n').count() + 1
    } else if parser_error {
        line.saturating_sub(1)
    } else {
        line
    };
    if go_line <= 1 && !parser_error || go_line == 0 {
        return YamlError { msg, line: None };
    }
    YamlError {
        msg: format!("line {go_line}: {msg}"),
        line: Some(go_line),
    }
}

/// The innermost unclosed `[` or `{` before a character index (quotes
/// are skipped roughly).
fn innermost_open_bracket(src: &str, index: usize) -> Option<char> {
    let mut stack = Vec::new();
    let mut quote: Option<char> = None;
    for c in src.chars().take(index) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => stack.push(c),
            (None, ']' | '}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

/// The alias name (`*name`) at or after a character index.
fn alias_name_at(src: &str, index: usize) -> String {
    let rest: String = src.chars().skip(index).collect();
    let rest = match rest.find('*') {
        Some(i) => &rest[i + 1..],
        None => {
            // search backwards on the same line
            let before: String = src.chars().take(index).collect();
            return match before.rfind('*') {
                Some(i) => before[i + 1..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                    .collect(),
                None => String::new(),
            };
        }
    };
    rest.chars()
        .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
        .collect()
}

fn plain_err(msg: impl Into<String>) -> YamlError {
    YamlError {
        msg: msg.into(),
        line: None,
    }
}

fn tag_string(tag: &saphyr_parser::Tag) -> String {
    if tag.handle == "!!" {
        format!("tag:yaml.org,2002:{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

fn short_tag(t: &str) -> String {
    match t.strip_prefix("tag:yaml.org,2002:") {
        Some(s) => format!("!!{s}"),
        None => t.to_string(),
    }
}

fn resolved_tag(r: &Resolved) -> &'static str {
    match r {
        Resolved::Null => NULL,
        Resolved::Bool(_) => BOOL,
        Resolved::Int(_) | Resolved::Uint(_) => INT,
        Resolved::Float(_) => FLOAT,
        Resolved::Timestamp => TIMESTAMP,
        Resolved::Str => STR,
        Resolved::Merge => MERGE,
    }
}

fn resolved_node(r: Resolved, text: Cow<'_, str>) -> Node {
    match r {
        Resolved::Null => Node::Null,
        Resolved::Bool(b) => Node::Bool(b),
        Resolved::Int(i) => Node::Int(i),
        Resolved::Uint(u) => Node::Uint(u),
        Resolved::Float(f) => Node::Float(f),
        Resolved::Timestamp | Resolved::Str | Resolved::Merge => Node::Str(text.into_owned()),
    }
}

/// go-yaml v2 `decoder.scalar` into `interface{}`.
pub(super) fn decode_scalar(
    value: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<String>,
) -> Result<Node, YamlError> {
    let Some(tag) = tag else {
        if style == ScalarStyle::Plain {
            return Ok(resolved_node(resolve_plain(&value), value));
        }
        return Ok(Node::Str(value.into_owned()));
    };
    if tag == BINARY {
        let data =
            base64_decode(&value).ok_or_else(|| plain_err("!!binary value contains invalid base64 data"))?;
        return Ok(Node::Str(String::from_utf8_lossy(&data).into_owned()));
    }
    if tag == "!" {
        // non-specific tag on a quoted/plain scalar: a string
        return Ok(Node::Str(value.into_owned()));
    }
    let resolvable = [STR, BOOL, INT, FLOAT, NULL, TIMESTAMP].contains(&tag.as_str());
    if !resolvable || tag == STR {
        return Ok(Node::Str(value.into_owned()));
    }
    let r = resolve_plain(&value);
    let rtag = resolved_tag(&r);
    if rtag == tag {
        return Ok(resolved_node(r, value));
    }
    if tag == FLOAT {
        if let Resolved::Int(i) = r {
            return Ok(Node::Float(i as f64));
        }
        if let Resolved::Uint(u) = r {
            return Ok(Node::Float(u as f64));
        }
    }
    Err(plain_err(format!(
        "cannot decode {} `{}` as a {}",
        short_tag(rtag),
        value,
        short_tag(&tag)
    )))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 26,
            b'0'..=b'9' => (c - b'0') as u32 + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = if i >= 4 - pad { 0 } else { val(c)? };
            n = (n << 6) | v;
        }
        out.push((n >> 16) as u8);
        if pad < 2 {
            out.push((n >> 8) as u8);
        }
        if pad < 1 {
            out.push(n as u8);
        }
    }
    Some(out)
}

/// Pull-based builder over saphyr events.
struct Builder<'a> {
    src: &'a str,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
}

/// How a key node was written (needed for merge-key detection).
enum Item {
    /// node, is merge key `<<`, is an explicitly `!!null`-tagged scalar
    Node(Node, bool, bool),
    End,
}

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<Option<(Event<'a>, Span)>, YamlError> {
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok(ev)) => Ok(Some(ev)),
            Some(Err(e)) => Err(scan_error(&e, self.src)),
        }
    }

    fn count(&mut self, n: usize) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(plain_err("document contains excessive aliasing"));
        }
        Ok(())
    }

    fn register(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }

    /// Read one node, or `End` on a sequence/mapping end.
    fn item(&mut self) -> Result<Item, YamlError> {
        let Some((ev, _span)) = self.next()? else {
            return Err(plain_err("found unexpected end of stream"));
        };
        match ev {
            Event::SequenceEnd | Event::MappingEnd => Ok(Item::End),
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| plain_err("unknown anchor referenced"))?;
                self.count(node.size())?;
                Ok(Item::Node(node, false, false))
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.count(1)?;
                let tag = tag.map(|t| tag_string(&t));
                let null_tag = tag.as_deref() == Some(NULL);
                let is_merge = value == "<<"
                    && ((style == ScalarStyle::Plain && tag.is_none()) || tag.as_deref() == Some(MERGE));
                let node = decode_scalar(value, style, tag)?;
                self.register(anchor, &node);
                Ok(Item::Node(node, is_merge, null_tag))
            }
            Event::SequenceStart(anchor, _tag) => {
                self.count(1)?;
                let mut items = Vec::new();
                loop {
                    match self.item()? {
                        Item::End => break,
                        Item::Node(n, _, _) => items.push(n),
                    }
                }
                let node = Node::Seq(items);
                self.register(anchor, &node);
                Ok(Item::Node(node, false, false))
            }
            Event::MappingStart(anchor, _tag) => {
                self.count(1)?;
                let mut pairs = PairMap::default();
                loop {
                    let (key, is_merge) = match self.item()? {
                        Item::End => break,
                        Item::Node(n, m, _) => (n, m),
                    };
                    let Item::Node(value, _, null_tag) = self.item()? else {
                        return Err(plain_err("did not find expected node content"));
                    };
                    if null_tag {
                        // go-yaml v2 leaves `key: !!null ...` out of the map
                        continue;
                    }
                    if is_merge {
                        merge_into(&mut pairs, value)?;
                        continue;
                    }
                    if matches!(key, Node::Seq(_) | Node::Map(_)) {
                        return Err(plain_err(format!("invalid map key: {}", go_sharp_v(&key))));
                    }
                    pairs.set(key, value);
                }
                let node = Node::Map(pairs.pairs);
                self.register(anchor, &node);
                Ok(Item::Node(node, false, false))
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::DocumentEnd => {
                Err(plain_err("did not find expected node content"))
            }
            Event::Nothing => self.item(),
        }
    }
}

fn merge_into(pairs: &mut PairMap, value: Node) -> Result<(), YamlError> {
    let want = || plain_err("map merge requires map or sequence of maps as the value");
    match value {
        Node::Map(m) => {
            for (k, v) in m {
                pairs.set(k, v);
            }
        }
        Node::Seq(items) => {
            // Step backwards as earlier nodes take precedence.
            for item in items.into_iter().rev() {
                let Node::Map(m) = item else {
                    return Err(want());
                };
                for (k, v) in m {
                    pairs.set(k, v);
                }
            }
        }
        _ => return Err(want()),
    }
    Ok(())
}

/// Decode the documents of a YAML stream (go-yaml v2 semantics), at most
/// `max_docs` of them. An empty stream gives no documents.
pub fn decode_docs(src: &str, max_docs: usize) -> Result<Vec<Node>, YamlError> {
    // go-yaml reads a stream that does not end in a line break as if it did:
    // `lit: |\n x\n ` is "x\n" in Helm (saphyr-parser alone gives "x\n\n")
    // and `lit: |+\n x\n ` keeps a second "\n" (found by fuzz/values_yaml).
    let terminated;
    let src = if src.is_empty() || src.ends_with('\n') {
        src
    } else {
        terminated = format!("{src}\n");
        terminated.as_str()
    };
    let mut b = Builder {
        src,
        parser: Parser::new_from_str(src),
        anchors: HashMap::new(),
        nodes: 0,
    };
    let mut docs = Vec::new();
    while docs.len() < max_docs {
        let Some((ev, _)) = b.next()? else { break };
        match ev {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                b.anchors.clear();
                match b.item()? {
                    Item::Node(n, _, _) => docs.push(n),
                    Item::End => return Err(plain_err("did not find expected node content")),
                }
            }
            _ => {
                return Err(plain_err("did not find expected <document start>"));
            }
        }
    }
    Ok(docs)
}

/// Decode the first document (go-yaml v2 `Unmarshal`); `None` for an empty
/// stream.
pub fn decode_first(src: &str) -> Result<Option<Node>, YamlError> {
    Ok(decode_docs(src, 1)?.into_iter().next())
}

/// `sigs.k8s.io/yaml` conversion of a decoded node to JSON: map keys
/// stringified, every number a float64, NaN/Inf rejected. The error text is
/// the part after `error converting YAML to JSON: `. Key errors anywhere in
/// the tree come before value errors, as in Go (keys are converted first).
pub fn node_to_json(n: Node) -> Result<Value, String> {
    check_keys(&n)?;
    to_json_value(n)
}

/// [`node_to_json`] reduced to what Helm's `SortManifests` reads: the same
/// verdict on the whole document (key errors, then the first NaN/Inf in
/// document order), but only `kind`, `apiVersion` and `metadata` converted.
pub fn node_to_json_head(n: Node) -> Result<Value, String> {
    check_keys(&n)?;
    first_float_error(&n)?;
    match n {
        Node::Map(pairs) => {
            let mut m = Map::new();
            for (k, v) in pairs {
                if let Node::Str(key) = &k {
                    if matches!(key.as_str(), "kind" | "apiVersion" | "metadata") {
                        let key = key_string(k, &v)?;
                        m.insert(key, to_json_value(v)?);
                    }
                }
            }
            Ok(Value::Object(m))
        }
        other => to_json_value(other),
    }
}

/// The error [`to_json_value`] would stop at: the first NaN or infinite
/// float, in the order it converts (map pairs, then sequence items, in order).
fn first_float_error(n: &Node) -> Result<(), String> {
    match n {
        Node::Float(f) => float_value(*f).map(drop),
        Node::Seq(v) => v.iter().try_for_each(first_float_error),
        Node::Map(pairs) => pairs.iter().try_for_each(|(_, v)| first_float_error(v)),
        _ => Ok(()),
    }
}

fn check_keys(n: &Node) -> Result<(), String> {
    match n {
        Node::Seq(v) => v.iter().try_for_each(check_keys),
        Node::Map(pairs) => {
            for (k, v) in pairs {
                if !matches!(k, Node::Str(_) | Node::Int(_) | Node::Float(_) | Node::Bool(_)) {
                    key_string(k.clone(), v)?;
                }
                check_keys(v)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn go_plus_v(n: &Node) -> String {
    match n {
        Node::Null => "<nil>".into(),
        other => go_sharp_v(other),
    }
}

fn key_string(k: Node, v: &Node) -> Result<String, String> {
    Ok(match k {
        Node::Str(s) => s,
        Node::Int(i) => i.to_string(),
        Node::Float(f) => {
            let s = format_float(f, 'g', -1, 32);
            match s.as_str() {
                "+Inf" => ".inf".into(),
                "-Inf" => "-.inf".into(),
                "NaN" => ".nan".into(),
                _ => s,
            }
        }
        Node::Bool(b) => b.to_string(),
        Node::Null => {
            return Err(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                go_plus_v(v)
            ))
        }
        Node::Uint(u) => {
            return Err(format!(
                "unsupported map key of type: uint64, key: 0x{u:x}, value: {}",
                go_plus_v(v)
            ))
        }
        other => {
            return Err(format!(
                "unsupported map key of type: interface, key: {}, value: {}",
                go_sharp_v(&other),
                go_plus_v(v)
            ))
        }
    })
}

fn float_value(f: f64) -> Result<Value, String> {
    if f.is_nan() {
        return Err("json: unsupported value: NaN".into());
    }
    if f.is_infinite() {
        return Err(format!(
            "json: unsupported value: {}",
            if f > 0.0 { "+Inf" } else { "-Inf" }
        ));
    }
    Ok(Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null))
}

pub(super) fn to_json_value(n: Node) -> Result<Value, String> {
    Ok(match n {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Int(i) => float_value(i as f64)?,
        Node::Uint(u) => float_value(u as f64)?,
        Node::Float(f) => float_value(f)?,
        Node::Str(s) => Value::String(s),
        Node::Seq(v) => Value::Array(v.into_iter().map(to_json_value).collect::<Result<_, _>>()?),
        Node::Map(pairs) => {
            let mut m = Map::new();
            for (k, v) in pairs {
                let key = key_string(k, &v)?;
                m.insert(key, to_json_value(v)?);
            }
            Value::Object(m)
        }
    })
}
