//! Parser for Go `text/template`, following the grammar and error messages of
//! Go's `text/template/parse/parse.go`. Never panics: every malformed input is
//! a [`ParseError`].

use crate::chart::fxhash::FxHashSet;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use super::ast::{Arg, Branch, Cmd, Fields, List, Node, Number, Pipe, Source, Span, Template, TemplateCall};
use super::lex::{lex_into, line_at, Item, Tok};
use crate::chart::blob::SharedText;

/// Maximum nesting of parentheses and control structures.
const MAX_DEPTH: usize = 1000;

/// A parse error as Go prints it: `template: <name>:<line>: <msg>`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub name: String,
    pub line: usize,
    pub msg: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "template: {}:{}: {}", self.name, self.line, self.msg)
    }
}

impl std::error::Error for ParseError {}

/// The result of parsing one file: its own body and the `define`/`block`
/// templates it declares, in source order.
#[derive(Debug)]
pub struct Parsed {
    pub main: Template,
    pub defines: Vec<Template>,
}

impl Parsed {
    /// The same trees as if the file had been parsed under `name`: parsing
    /// never depends on the file name, which only shows in the locations of
    /// later execution errors. (A file that does not parse is parsed again
    /// under its real name, for the error text.)
    pub fn renamed(mut self, name: &str) -> Parsed {
        let source = Arc::new(Source {
            name: Arc::from(name),
            text: self.main.source.text.clone(),
        });
        self.main.name = source.name.clone();
        for d in &mut self.defines {
            d.source = source.clone();
        }
        self.main.source = source;
        self
    }
}

struct Parser<'a, 'f> {
    /// the text being parsed (text nodes are byte ranges of it)
    input: &'a str,
    items: Vec<Item>,
    /// the lexer's message for a final `Tok::Error` item
    lex_error: String,
    i: usize,
    last: usize,
    source: Arc<Source>,
    vars: Vec<&'a str>,
    /// arguments of the commands being parsed, innermost last
    args: Vec<Arg>,
    /// nodes of the lists being parsed, innermost last (each list then
    /// moves to a vector of its exact length, without regrowing)
    nodes: Vec<Node>,
    range_depth: usize,
    depth: usize,
    /// where the `{{` of the action being parsed is, for error messages
    action_pos: Option<usize>,
    has_func: &'f dyn Fn(&str) -> bool,
    defines: Vec<Template>,
    define_index: HashMap<Arc<str>, usize>,
    /// the shared names (see [`Parser::shared`]), out of [`SHARED`] while
    /// this file is parsed
    names: FxHashSet<Arc<str>>,
}

type PResult<T> = Result<T, ParseError>;

/// Parses `text` as the template file `name`. `has_func` says whether an
/// identifier is a known function (Go checks this at parse time).
pub fn parse(name: &str, text: &str, has_func: &dyn Fn(&str) -> bool) -> Result<Parsed, ParseError> {
    parse_text(name, SharedText::from(text), has_func)
}

/// [`parse`] of a text the parse tree shares (a chart file's, uncopied).
pub fn parse_text(
    name: &str,
    text: SharedText,
    has_func: &dyn Fn(&str) -> bool,
) -> Result<Parsed, ParseError> {
    let source = Arc::new(Source {
        name: Arc::from(name),
        text,
    });
    let text: &str = &source.text;
    let lexed = lex_into(text, ITEMS.take());
    let mut p = Parser {
        input: text,
        items: lexed.items,
        lex_error: lexed.error,
        i: 0,
        last: 0,
        source: source.clone(),
        vars: vec!["$"],
        args: Vec::new(),
        nodes: Vec::new(),
        range_depth: 0,
        depth: 0,
        action_pos: None,
        has_func,
        defines: Vec::new(),
        define_index: HashMap::new(),
        names: SHARED.with(|set| std::mem::take(&mut *set.borrow_mut())),
    };
    let root = p.parse_top();
    SHARED.with(|set| *set.borrow_mut() = std::mem::take(&mut p.names));
    if p.items.capacity() <= MAX_KEPT_ITEMS {
        ITEMS.set(std::mem::take(&mut p.items));
    }
    let root = root?;
    Ok(Parsed {
        main: Template {
            name: Arc::from(name),
            source: Arc::clone(&source),
            root,
        },
        defines: p.defines,
    })
}

/// The largest item vector kept for the next file (24 MiB of items).
const MAX_KEPT_ITEMS: usize = 1 << 20;

thread_local! {
    /// The item vector of the last file parsed on this thread, for the
    /// next ([`lex_into`]).
    static ITEMS: std::cell::Cell<Vec<Item>> = const { std::cell::Cell::new(Vec::new()) };
    /// The names shared by the trees parsed on this thread (see [`Parser::shared`]).
    static SHARED: std::cell::RefCell<FxHashSet<Arc<str>>> = std::cell::RefCell::default();
}

enum Ctl {
    Node(Node),
    End,
    Else,
}

impl<'a> Parser<'a, '_> {
    /// A shared copy of a declared variable's or a template's name (the
    /// names a tree holds as text of its own; every other operand is a span
    /// of the source): templates repeat the same few names many times, and
    /// one allocation per distinct name (per parsing thread) instead of one
    /// per use keeps parse trees smaller.
    fn shared(&mut self, text: &str) -> Arc<str> {
        /// longer texts are rarely repeated: not worth keeping
        const MAX_SHARED_LEN: usize = 64;
        if text.len() > MAX_SHARED_LEN {
            return Arc::from(text);
        }
        if let Some(s) = self.names.get(text) {
            return s.clone();
        }
        let s: Arc<str> = Arc::from(text);
        self.names.insert(s.clone());
        s
    }

    /// The text of token `t`.
    fn val(&self, t: &Item) -> &'a str {
        t.val(self.input)
    }

    fn err<T>(&self, msg: impl Into<String>) -> PResult<T> {
        let line = self
            .items
            .get(self.last)
            .or(self.items.last())
            .map_or(1, |t| line_at(&self.source.text, t.pos));
        Err(ParseError {
            name: self.source.name.to_string(),
            line,
            msg: msg.into(),
        })
    }

    fn next(&mut self) -> Item {
        // past the end (the last item is `Eof` or `Error`), the last again
        let idx = self.i;
        match self.items.get(idx) {
            Some(&t) => {
                self.i = idx + 1;
                self.last = idx;
                t
            }
            None => {
                self.last = self.items.len() - 1;
                self.items[self.last]
            }
        }
    }
    fn backup(&mut self) {
        if self.i > 0 {
            self.i -= 1;
        }
    }
    fn peek(&self) -> &Item {
        &self.items[self.i.min(self.items.len() - 1)]
    }
    fn next_non_space(&mut self) -> Item {
        loop {
            let t = self.next();
            if t.typ != Tok::Space {
                return t;
            }
        }
    }
    fn peek_non_space(&mut self) -> Item {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn unexpected<T>(&self, tok: &Item, context: &str) -> PResult<T> {
        if tok.typ == Tok::Error {
            let mut extra = String::new();
            let action_line = self.action_pos.map(|p| line_at(&self.source.text, p));
            if let Some(action_line) = action_line.filter(|&l| l != line_at(&self.source.text, tok.pos)) {
                extra = format!(" in action started at {}:{}", self.source.name, action_line);
                if self.lex_error.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.err(format!("{}{}", self.lex_error, extra));
        }
        self.err(format!("unexpected {} in {}", tok.describe(self.input), context))
    }

    fn expect(&mut self, typ: Tok, context: &str) -> PResult<Item> {
        let t = self.next_non_space();
        if t.typ != typ {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn parse_top(&mut self) -> PResult<List> {
        let base = self.nodes.len();
        while self.peek().typ != Tok::Eof {
            if self.peek().typ == Tok::LeftDelim {
                let save = self.i;
                self.next();
                if self.next_non_space().typ == Tok::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.i = save;
            }
            let tok = self.next_non_space();
            match self.text_or_action(tok)? {
                Ctl::End => return self.err("unexpected {{end}}"),
                Ctl::Else => return self.err("unexpected {{else}}"),
                Ctl::Node(n) => {
                    if let Some(n) = keep_node(n) {
                        self.nodes.push(n);
                    }
                }
            }
        }
        Ok(self.nodes.split_off(base))
    }

    fn add_define(&mut self, name: Arc<str>, root: List) -> PResult<()> {
        let t = Template {
            name: name.clone(),
            source: self.source.clone(),
            root,
        };
        let empty = t.is_empty();
        if let Some(&idx) = self.define_index.get(&name) {
            if self.defines[idx].is_empty() {
                self.defines[idx] = t;
                return Ok(());
            }
            if !empty {
                return self.err(format!(
                    "template: multiple definition of template {}",
                    crate::chart::gofmt::quote(&name)
                ));
            }
            return Ok(());
        }
        self.define_index.insert(name, self.defines.len());
        self.defines.push(t);
        Ok(())
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let tok = self.next_non_space();
        if tok.typ != Tok::String && tok.typ != Tok::RawString {
            return self.unexpected(&tok, context);
        }
        let Some(name) = unquote(self.val(&tok)) else {
            return self.err("invalid syntax");
        };
        self.expect(Tok::RightDelim, context)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$"]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let Ctl::Else = end {
            return self.err(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_define(Arc::from(name), list)
    }

    fn item_list(&mut self) -> PResult<(List, Ctl)> {
        let base = self.nodes.len();
        loop {
            let tok = self.next_non_space();
            if tok.typ == Tok::Eof {
                break;
            }
            match self.text_or_action(tok)? {
                Ctl::Node(n) => {
                    if let Some(n) = keep_node(n) {
                        self.nodes.push(n);
                    }
                }
                other => return Ok((self.nodes.split_off(base), other)),
            }
        }
        self.err("unexpected EOF")
    }

    /// The node that starts with `tok`, the token just taken.
    fn text_or_action(&mut self, tok: Item) -> PResult<Ctl> {
        match tok.typ {
            Tok::Text => Ok(Ctl::Node(Node::Text(tok.pos, tok.end))),
            Tok::LeftDelim => {
                self.action_pos = Some(tok.pos);
                let r = self.action();
                self.action_pos = None;
                r
            }
            Tok::Comment => Ok(Ctl::Node(Node::Text(0, 0))),
            _ => self.unexpected(&tok, "input"),
        }
    }

    fn action(&mut self) -> PResult<Ctl> {
        let tok = self.next_non_space();
        match tok.typ {
            Tok::Block => return self.block_control(),
            Tok::Break => return self.break_control(tok.pos, true),
            Tok::Continue => return self.break_control(tok.pos, false),
            Tok::Else => return self.else_control(),
            Tok::End => {
                let t = self.expect(Tok::RightDelim, "end")?;
                let _ = t;
                return Ok(Ctl::End);
            }
            Tok::If => return self.if_control().map(Ctl::Node),
            Tok::Range => return self.range_control().map(Ctl::Node),
            Tok::Template => return self.template_control(),
            Tok::With => return self.with_control().map(Ctl::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline_at("command", Tok::RightDelim, tok)?;
        Ok(Ctl::Node(Node::Action(Box::new(pipe))))
    }

    fn break_control(&mut self, pos: usize, is_break: bool) -> PResult<Ctl> {
        let word = if is_break { "break" } else { "continue" };
        let tok = self.next_non_space();
        if tok.typ != Tok::RightDelim {
            return self.unexpected(&tok, &format!("{{{{{word}}}}}"));
        }
        if self.range_depth == 0 {
            return self.err(format!("{{{{{word}}}}} outside {{{{range}}}}"));
        }
        Ok(Ctl::Node(if is_break {
            Node::Break(pos)
        } else {
            Node::Continue(pos)
        }))
    }

    fn else_control(&mut self) -> PResult<Ctl> {
        let peek = self.peek_non_space();
        if peek.typ == Tok::If || peek.typ == Tok::With {
            return Ok(Ctl::Else);
        }
        let t = self.expect(Tok::RightDelim, "else")?;
        {
            let _ = t;
            Ok(Ctl::Else)
        }
    }

    fn parse_control(&mut self, context: &str) -> PResult<Branch> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("max expression depth exceeded");
        }
        let nvars = self.vars.len();
        let r = self.parse_control_inner(context);
        self.vars.truncate(nvars);
        self.depth -= 1;
        r
    }

    fn parse_control_inner(&mut self, context: &str) -> PResult<Branch> {
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let Ctl::Else = next {
            if context == "if" && self.peek().typ == Tok::If {
                self.next();
                else_list = Some(vec![self.if_control()?]);
            } else if context == "with" && self.peek().typ == Tok::With {
                self.next();
                else_list = Some(vec![self.with_control()?]);
            } else {
                let (el, next) = self.item_list()?;
                if let Ctl::Else = next {
                    return self.err("expected end; found {{else}}");
                }
                else_list = Some(el);
            }
        }
        Ok(Branch {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })
    }

    fn if_control(&mut self) -> PResult<Node> {
        Ok(Node::If(Box::new(self.parse_control("if")?)))
    }
    fn range_control(&mut self) -> PResult<Node> {
        Ok(Node::Range(Box::new(self.parse_control("range")?)))
    }
    fn with_control(&mut self) -> PResult<Node> {
        Ok(Node::With(Box::new(self.parse_control("with")?)))
    }

    fn template_name(&mut self, tok: &Item, context: &str) -> PResult<Arc<str>> {
        match tok.typ {
            Tok::String | Tok::RawString => match unquote(self.val(tok)) {
                Some(s) => Ok(self.shared(&s)),
                None => self.err("invalid syntax"),
            },
            _ => self.unexpected(tok, context),
        }
    }

    fn template_control(&mut self) -> PResult<Ctl> {
        let context = "template clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let mut pipe = None;
        let next = self.next_non_space();
        if next.typ != Tok::RightDelim {
            self.backup();
            pipe = Some(self.pipeline_at(context, Tok::RightDelim, next)?);
        }
        Ok(Ctl::Node(Node::Template(Box::new(TemplateCall {
            pos: tok.pos,
            name,
            pipe,
        }))))
    }

    fn block_control(&mut self) -> PResult<Ctl> {
        let context = "block clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$"]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let r = self.item_list();
        self.vars = saved_vars;
        self.range_depth = saved_range;
        let (list, end) = r?;
        if let Ctl::Else = end {
            return self.err(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_define(name.clone(), list)?;
        Ok(Ctl::Node(Node::Template(Box::new(TemplateCall {
            pos: tok.pos,
            name,
            pipe: Some(pipe),
        }))))
    }

    fn pipeline(&mut self, context: &str, end: Tok) -> PResult<Pipe> {
        let start = self.peek_non_space();
        self.pipeline_at(context, end, start)
    }

    /// [`Parser::pipeline`] from `start`, the token just peeked at (taken
    /// and backed up over: the state `peek_non_space` leaves).
    fn pipeline_at(&mut self, context: &str, end: Tok, start: Item) -> PResult<Pipe> {
        let mut pipe = Pipe {
            pos: start.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::with_capacity(2),
        };
        let mut v = start;
        loop {
            if v.typ != Tok::Variable {
                break;
            }
            let save = self.i;
            self.next_non_space();
            let next = self.peek_non_space();
            if next.typ == Tok::Assign || next.typ == Tok::Declare {
                pipe.is_assign = next.typ == Tok::Assign;
                self.next_non_space();
                pipe.decl.push(self.shared(self.val(&v)));
                self.vars.push(self.val(&v));
                break;
            } else if next.typ == Tok::Char && self.val(&next) == "," {
                self.next_non_space();
                pipe.decl.push(self.shared(self.val(&v)));
                self.vars.push(self.val(&v));
                if context == "range" && pipe.decl.len() < 2 {
                    let after = self.peek_non_space();
                    match after.typ {
                        Tok::Variable | Tok::RightDelim | Tok::RightParen => {
                            v = after;
                            continue;
                        }
                        _ => return self.err("range can only initialize variables"),
                    }
                }
                return self.err(format!("too many declarations in {context}"));
            } else {
                self.i = save;
                break;
            }
        }
        loop {
            let tok = self.next_non_space();
            if tok.typ == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match tok.typ {
                Tok::Bool
                | Tok::CharConstant
                | Tok::Dot
                | Tok::Field
                | Tok::Identifier
                | Tok::Number
                | Tok::Nil
                | Tok::RawString
                | Tok::String
                | Tok::Variable
                | Tok::LeftParen => {
                    let c = self.command(tok)?;
                    pipe.cmds.push(c);
                }
                _ => return self.unexpected(&tok, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.err(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::String(..))
            ) {
                return self.err(format!("non executable command in pipeline stage {}", i + 1));
            }
        }
        Ok(())
    }

    /// The command that starts with `first`, the token just taken.
    fn command(&mut self, first: Item) -> PResult<Cmd> {
        let pos = first.pos;
        // the arguments gather on a stack shared with nested commands, then
        // move to a vector of their exact number (most commands have one)
        let base = self.args.len();
        let mut taken = Some(first);
        loop {
            if let Some(op) = self.operand(taken.take())? {
                self.args.push(op);
            }
            let tok = self.next();
            match tok.typ {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return self.unexpected(&tok, "operand"),
            }
            break;
        }
        let args = self.args.split_off(base);
        if args.is_empty() {
            return self.err("empty command");
        }
        Ok(Cmd { pos, args })
    }

    /// An operand: `taken` if given (the token just taken), else the next.
    fn operand(&mut self, taken: Option<Item>) -> PResult<Option<Arg>> {
        let Some(node) = self.term(taken)? else {
            return Ok(None);
        };
        if self.peek().typ == Tok::Field {
            let chain_pos = self.peek().pos;
            return match node {
                // `.a.b` and `$x.a` lex as one token per field, written
                // one after the other: the term's text runs on to the last
                Arg::Field(_, Fields(span)) => Ok(Some(Arg::Field(
                    chain_pos,
                    Fields(Span {
                        pos: span.pos,
                        end: self.chained_fields(),
                    }),
                ))),
                Arg::Variable(_, span) => Ok(Some(Arg::Variable(
                    chain_pos,
                    Span {
                        pos: span.pos,
                        end: self.chained_fields(),
                    },
                ))),
                Arg::Bool(..) | Arg::String(..) | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                    self.err(format!(
                        "unexpected . after term {}",
                        crate::chart::gofmt::quote(&node.show(self.input).to_string())
                    ))
                }
                other => {
                    let end = self.chained_fields();
                    Ok(Some(Arg::Chain(
                        chain_pos,
                        Box::new(other),
                        Fields(Span { pos: chain_pos, end }),
                    )))
                }
            };
        }
        Ok(Some(node))
    }

    /// Consumes the `Tok::Field` items from the current one on (there is
    /// one at least); returns where the last ends.
    fn chained_fields(&mut self) -> usize {
        let mut end = self.peek().end;
        while self.peek().typ == Tok::Field {
            end = self.next().end;
        }
        end
    }

    fn term(&mut self, taken: Option<Item>) -> PResult<Option<Arg>> {
        let tok = match taken {
            Some(t) => t,
            None => self.next_non_space(),
        };
        let span = Span {
            pos: tok.pos,
            end: tok.end,
        };
        Ok(Some(match tok.typ {
            Tok::Identifier => {
                if !(self.has_func)(self.val(&tok)) {
                    return self.err(format!(
                        "function {} not defined",
                        crate::chart::gofmt::quote(self.val(&tok))
                    ));
                }
                Arg::Identifier(span)
            }
            Tok::Dot => Arg::Dot(tok.pos),
            Tok::Nil => Arg::Nil(tok.pos),
            Tok::Variable => {
                // (a variable token never holds a dot: fields follow as
                // their own tokens)
                if !self.vars.contains(&self.val(&tok)) {
                    return self.err(format!(
                        "undefined variable {}",
                        crate::chart::gofmt::quote(self.val(&tok))
                    ));
                }
                Arg::Variable(tok.pos, span)
            }
            Tok::Field => Arg::Field(tok.pos, Fields(span)),
            Tok::Bool => Arg::Bool(tok.pos, self.val(&tok) == "true"),
            Tok::CharConstant | Tok::Number => match parse_number(self.val(&tok), span, tok.typ) {
                Ok(n) => Arg::Number(tok.pos, Box::new(n)),
                Err(e) => return self.err(e),
            },
            Tok::LeftParen => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return self.err("max expression depth exceeded");
                }
                let r = self.pipeline("parenthesized pipeline", Tok::RightParen);
                self.depth -= 1;
                Arg::Pipe(tok.pos, Box::new(r?))
            }
            Tok::String | Tok::RawString => match unquote(self.val(&tok)) {
                Some(Cow::Borrowed(_)) => Arg::String(span, None),
                Some(Cow::Owned(s)) => Arg::String(span, Some(s.into_boxed_str())),
                None => return self.err("invalid syntax"),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

fn keep_node(n: Node) -> Option<Node> {
    match &n {
        Node::Text(start, end) if start == end => None,
        _ => Some(n),
    }
}

/// Go `strconv.Unquote` for `"…"`, `` `…` `` and `'…'` literals.
/// Borrows the body when there is nothing to decode.
pub fn unquote(s: &str) -> Option<Cow<'_, str>> {
    let b = s.as_bytes();
    if b.len() < 2 {
        return None;
    }
    let q = b[0];
    if b[b.len() - 1] != q {
        return None;
    }
    let body = &s[1..s.len() - 1];
    match q {
        b'`' => {
            if body.contains('`') {
                return None;
            }
            if body.contains('\r') {
                Some(Cow::Owned(body.replace('\r', "")))
            } else {
                Some(Cow::Borrowed(body))
            }
        }
        b'"' if memchr::memchr3(b'\\', b'"', b'\n', body.as_bytes()).is_none() => Some(Cow::Borrowed(body)),
        b'"' | b'\'' => {
            let mut out = String::with_capacity(body.len());
            let mut chars = body.chars().peekable();
            let mut count = 0;
            while let Some(c) = chars.next() {
                count += 1;
                if c == '\n' {
                    return None;
                }
                if c == q as char {
                    return None;
                }
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                let e = chars.next()?;
                match e {
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\x0b'),
                    '\\' => out.push('\\'),
                    '\'' if q == b'\'' => out.push('\''),
                    '"' if q == b'"' => out.push('"'),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut v: u32 = 0;
                        for _ in 0..n {
                            let d = chars.next()?.to_digit(16)?;
                            v = v * 16 + d;
                        }
                        if e == 'x' {
                            // a byte; only valid as a whole char when ASCII
                            if v < 0x80 {
                                out.push(char::from_u32(v)?);
                            } else {
                                out.push('\u{FFFD}');
                            }
                        } else {
                            out.push(char::from_u32(v)?);
                        }
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            v = v * 8 + chars.next()?.to_digit(8)?;
                        }
                        if v > 255 {
                            return None;
                        }
                        if v < 0x80 {
                            out.push(char::from_u32(v)?);
                        } else {
                            out.push('\u{FFFD}');
                        }
                    }
                    _ => return None,
                }
            }
            if q == b'\'' && count == 0 {
                return None;
            }
            Some(Cow::Owned(out))
        }
        _ => None,
    }
}

fn parse_go_int(text: &str) -> Option<i64> {
    let (neg, t) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits, prefixed) = if let Some(r) = t.strip_prefix("0x").or(t.strip_prefix("0X")) {
        (16, r, true)
    } else if let Some(r) = t.strip_prefix("0o").or(t.strip_prefix("0O")) {
        (8, r, true)
    } else if let Some(r) = t.strip_prefix("0b").or(t.strip_prefix("0B")) {
        (2, r, true)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..], true)
    } else {
        (10, t, false)
    };
    if digits.is_empty()
        || digits.starts_with('_') && !prefixed
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    if digits.contains('_') && !prefixed && radix == 10 && digits.starts_with('_') {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    let u = u64::from_str_radix(&clean, radix).ok()?;
    if neg {
        if u > (i64::MAX as u64) + 1 {
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

/// A Go hexadecimal floating-point literal (`0x1p60`, `-0x1.8p-3`): hex
/// mantissa with an optional point, a mandatory binary exponent. Rust's
/// `f64::from_str` does not read these.
fn parse_hex_float(text: &str) -> Option<f64> {
    let (neg, t) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let t = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"))?;
    let (mant, exp) = t.split_once(['p', 'P'])?;
    let exp: i32 = exp.parse().ok()?;
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut m = 0f64;
    for c in int_part.chars().chain(frac_part.chars()) {
        m = m * 16.0 + f64::from(c.to_digit(16)?);
    }
    let shift = exp.checked_sub(4 * i32::try_from(frac_part.len()).ok()?)?;
    let v = m * 2f64.powi(shift);
    Some(if neg { -v } else { v })
}

/// Go's `parse.NumberNode` construction for the literal `text`, written at
/// `span` of its source.
pub fn parse_number(text: &str, span: Span, typ: Tok) -> Result<Number, String> {
    if typ == Tok::CharConstant {
        let s = unquote(text).ok_or_else(|| "invalid syntax".to_string())?;
        let mut cs = s.chars();
        let c = cs.next().ok_or_else(|| "invalid syntax".to_string())?;
        if cs.next().is_some() {
            return Err(format!("malformed character constant: {text}"));
        }
        return Ok(Number {
            span,
            int: Some(i64::from(c as u32)),
            float: Some(f64::from(c as u32)),
            is_float_const: false,
        });
    }
    if text.ends_with('i') {
        return Err(format!(
            "illegal number syntax: {}",
            crate::chart::gofmt::quote(text)
        ));
    }
    let looks_float = {
        let is_hex = text
            .trim_start_matches(['+', '-'])
            .to_ascii_lowercase()
            .starts_with("0x");
        if is_hex {
            text.contains(['p', 'P'])
        } else {
            text.contains(['.', 'e', 'E', 'p', 'P'])
        }
    };
    let int = parse_go_int(text);
    let mut n = Number {
        span,
        int,
        float: int.map(|i| i as f64),
        is_float_const: false,
    };
    if n.int.is_none() {
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        match clean
            .parse::<f64>()
            .ok()
            .or_else(|| parse_hex_float(&clean))
            .ok_or(())
        {
            Ok(f)
                if clean
                    .trim_start_matches(['+', '-'])
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || c == '.') =>
            {
                if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                    return Err(format!("integer overflow: {}", crate::chart::gofmt::quote(text)));
                }
                n.float = Some(f);
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
                    n.int = Some(f as i64);
                }
            }
            _ => {
                return Err(format!(
                    "illegal number syntax: {}",
                    crate::chart::gofmt::quote(text)
                ))
            }
        }
    }
    n.is_float_const = looks_float && n.float.is_some();
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_tree_nodes_stay_small() {
        // a template's body is mostly a long list of text and action nodes;
        // their large kinds are boxed so the list stays three words a node
        assert!(std::mem::size_of::<Node>() <= 3 * std::mem::size_of::<usize>());
        assert!(std::mem::size_of::<Arg>() <= 5 * std::mem::size_of::<usize>());
    }

    #[test]
    fn text_nodes_are_ranges_of_the_source() {
        let p = parse("t", "a {{- 1 -}} b {{/* c */}}\n", &|_| false).unwrap();
        let texts: Vec<&str> = p
            .main
            .root
            .iter()
            .filter_map(|n| match n {
                Node::Text(s, e) => Some(p.main.text(*s, *e)),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["a", "b ", "\n"]);
        assert!(!p.main.is_empty());
        assert!(parse("t", " \n{{/* c */}}\t", &|_| false)
            .unwrap()
            .main
            .is_empty());
    }

    fn p(s: &str) -> Result<Parsed, ParseError> {
        parse("t.yaml", s, &|n| {
            matches!(n, "quote" | "include" | "printf" | "eq")
        })
    }

    #[test]
    fn parses_common_forms() {
        let r = p("{{ define \"x\" }}a{{ end }}{{ if .A }}b{{ else if .B }}c{{ else }}d{{ end }}{{ range $i, $v := .L }}{{ $v | quote }}{{ end }}").unwrap();
        assert_eq!(r.defines.len(), 1);
        assert_eq!(r.main.root.len(), 2);
        let r = p("{{ (include \"x\" .).a }}").unwrap();
        match &r.main.root[0] {
            Node::Action(pipe) => {
                assert_eq!(pipe.show(&r.main.source.text).to_string(), "(include \"x\" .).a")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_like_go() {
        assert_eq!(p("{{ nope }}").unwrap_err().msg, "function \"nope\" not defined");
        assert_eq!(p("{{ if .A }}").unwrap_err().msg, "unexpected EOF");
        assert_eq!(p("{{ end }}").unwrap_err().msg, "unexpected {{end}}");
        assert_eq!(p("{{ $x }}").unwrap_err().msg, "undefined variable \"$x\"");
        assert_eq!(p("{{ break }}").unwrap_err().msg, "{{break}} outside {{range}}");
        assert_eq!(
            p("a\n{{ .A ").unwrap_err().to_string(),
            "template: t.yaml:2: unclosed action"
        );
        assert_eq!(
            p("{{ \"a\".b }}").unwrap_err().msg,
            "unexpected . after term \"\\\"a\\\"\""
        );
    }

    fn parse_number(text: &str, typ: Tok) -> Result<Number, String> {
        let span = Span {
            pos: 0,
            end: text.len(),
        };
        super::parse_number(text, span, typ)
    }

    #[test]
    fn leaf_operands_are_spans_of_the_source() {
        let src = "{{ $x := 1 }}{{ .a.b | printf \"%s\\n\" $x.c (len .d).e `r\r` 0x1F }}";
        let r = parse("t", src, &|n| matches!(n, "printf" | "len")).unwrap();
        let Node::Action(pipe) = &r.main.root[1] else {
            panic!("{:?}", r.main.root)
        };
        assert_eq!(
            pipe.show(src).to_string(),
            ".a.b | printf \"%s\\n\" $x.c (len .d).e `r\r` 0x1F"
        );
        let args = &pipe.cmds[1].args;
        // the chain's position is its last field's, as in Go
        assert!(
            matches!(args[2], Arg::Variable(p, s) if s.text(src) == "$x.c" && p == src.find(".c").unwrap())
        );
        let values: Vec<&str> = args
            .iter()
            .filter_map(|a| match a {
                Arg::String(span, value) => Some(Arg::string_value(span, value, src)),
                _ => None,
            })
            .collect();
        assert_eq!(values, ["%s\n", "r"]);
        assert!(matches!(&args[5], Arg::Number(_, n) if n.span.text(src) == "0x1F" && n.int == Some(31)));
        assert!(matches!(&args[1], Arg::String(_, Some(_))));
        // a literal with nothing to decode keeps no copy of its value
        let r = parse("t", "{{ \"a b\" }}", &|_| false).unwrap();
        let Node::Action(pipe) = &r.main.root[0] else {
            panic!("{:?}", r.main.root)
        };
        assert!(matches!(&pipe.cmds[0].args[0], Arg::String(s, None) if s.pos == 3 && s.end == 8));
    }

    #[test]
    fn numbers() {
        let n = parse_number("1.0", Tok::Number).unwrap();
        assert!(n.is_float_const);
        let n = parse_number("0x1F", Tok::Number).unwrap();
        assert_eq!(n.int, Some(31));
        assert!(!n.is_float_const);
        // Go hex floats (Traefik's chart multiplies by 0x1p60 for "Ei")
        let n = parse_number("0x1p60", Tok::Number).unwrap();
        assert_eq!(n.float, Some(1_152_921_504_606_846_976.0));
        assert!(n.is_float_const);
        assert_eq!(parse_number("0x1.8p1", Tok::Number).unwrap().float, Some(3.0));
        assert_eq!(parse_number("0x.8p0", Tok::Number).unwrap().float, Some(0.5));
        assert!(parse_number("0x1.8", Tok::Number).is_err());
        assert_eq!(parse_number("'a'", Tok::CharConstant).unwrap().int, Some(97));
    }
}
