//! Parse tree of a Go template (the node kinds of `text/template/parse`).
//! Text and leaf operands are byte ranges of the template's source; `show`
//! (with that source) gives Go's `String()` forms, used in "executing … at
//! <…>" errors.

use std::fmt;
use std::sync::Arc;

use crate::chart::blob::SharedText;

/// Where a parsed tree came from: the file name (Go's `ParseName`) and its
/// text, for `file:line:col` error locations.
#[derive(Debug)]
pub struct Source {
    pub name: Arc<str>,
    pub text: SharedText,
}

impl Source {
    /// Go's `ErrorContext` location: `name:line:col` with a 0-based byte column.
    pub fn location(&self, pos: usize) -> String {
        let pos = pos.min(self.text.len());
        let before = &self.text.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
        let col = match before.iter().rposition(|&c| c == b'\n') {
            Some(i) => pos - (i + 1),
            None => pos,
        };
        format!("{}:{}:{}", self.name, line, col)
    }
}

pub type List = Vec<Node>;

#[derive(Debug)]
pub enum Node {
    /// Text between actions: its byte range in the template's source
    /// ([`Template::text`]), so parsing copies none of it.
    Text(usize, usize),
    // Large parts are boxed: a list of nodes (mostly text and actions) then
    // takes three words per node, not the size of its largest kind.
    Action(Box<Pipe>),
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    Template(Box<TemplateCall>),
    Break(usize),
    Continue(usize),
}

/// `{{template "name" pipe}}` (also what a `{{block}}` leaves in place).
#[derive(Debug)]
pub struct TemplateCall {
    pub pos: usize,
    pub name: Arc<str>,
    pub pipe: Option<Pipe>,
}

#[derive(Debug)]
pub struct Branch {
    pub pos: usize,
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
}

#[derive(Debug)]
pub struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<Arc<str>>,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug)]
pub struct Cmd {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// A byte range `pos..end` of a template's source ([`Source::text`]):
/// leaf operands (fields, variables, names, literals) are the source text
/// they were written as, so parsing copies and allocates none of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub pos: usize,
    pub end: usize,
}

impl Span {
    /// The spanned text of `src`, the source it was parsed from.
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        &src[self.pos..self.end]
    }
}

#[derive(Clone, Debug)]
pub struct Number {
    /// the literal as written
    pub span: Span,
    pub int: Option<i64>,
    pub float: Option<f64>,
    /// Go's constant kind for an untyped constant passed to `interface{}`:
    /// true when it would become a float64.
    pub is_float_const: bool,
}

/// Field names of a chain: the source text `.a.b.c` (one name or more).
#[derive(Clone, Copy, Debug)]
pub struct Fields(pub Span);

impl Fields {
    /// The names joined by dots, without the leading one (`a.b.c`).
    pub fn names<'s>(&self, src: &'s str) -> &'s str {
        &self.0.text(src)[1..]
    }
}

#[derive(Debug)]
pub enum Arg {
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Box<Number>),
    /// the quoted literal as written, and its value when that is not the
    /// text between the quotes (escapes, or a raw string's carriage returns)
    String(Span, Option<Box<str>>),
    /// `.a.b`: its position (Go's: that of the last field when chained)
    /// and its fields
    Field(usize, Fields),
    /// `$x.a.b`: its position (as for a field) and its text, name first
    Variable(usize, Span),
    /// a function name
    Identifier(Span),
    Pipe(usize, Box<Pipe>),
    /// a parenthesized pipeline or a function name followed by fields
    Chain(usize, Box<Arg>, Fields),
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Number(p, _)
            | Arg::Field(p, _)
            | Arg::Variable(p, _)
            | Arg::Pipe(p, _)
            | Arg::Chain(p, _, _) => *p,
            Arg::String(s, _) | Arg::Identifier(s) => s.pos,
        }
    }

    /// Go's `String()` of this node, parsed from `src`.
    pub fn show<'a>(&'a self, src: &'a str) -> Shown<'a, Arg> {
        Shown(self, src)
    }

    /// A string literal's value.
    pub fn string_value<'a>(span: &Span, value: &'a Option<Box<str>>, src: &'a str) -> &'a str {
        match value {
            Some(v) => v,
            None => &src[span.pos + 1..span.end - 1],
        }
    }
}

/// A node shown with the source it was parsed from (Go's `String()`).
pub struct Shown<'a, T>(pub &'a T, pub &'a str);

impl fmt::Display for Shown<'_, Arg> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let src = self.1;
        match self.0 {
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(n.span.text(src)),
            Arg::String(s, _) | Arg::Identifier(s) | Arg::Variable(_, s) => f.write_str(s.text(src)),
            Arg::Field(_, fields) => f.write_str(fields.0.text(src)),
            Arg::Pipe(_, p) => write!(f, "({})", p.show(src)),
            Arg::Chain(_, node, fields) => {
                write!(f, "{}", node.show(src))?;
                f.write_str(fields.0.text(src))
            }
        }
    }
}

impl Cmd {
    /// Go's `String()` of this command, parsed from `src`.
    pub fn show<'a>(&'a self, src: &'a str) -> Shown<'a, Cmd> {
        Shown(self, src)
    }
}

impl fmt::Display for Shown<'_, Cmd> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.0.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}", a.show(self.1))?;
        }
        Ok(())
    }
}

impl Pipe {
    /// Go's `String()` of this pipeline, parsed from `src`.
    pub fn show<'a>(&'a self, src: &'a str) -> Shown<'a, Pipe> {
        Shown(self, src)
    }
}

impl fmt::Display for Shown<'_, Pipe> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pipe = self.0;
        if !pipe.decl.is_empty() {
            for (i, d) in pipe.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(d)?;
            }
            f.write_str(if pipe.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in pipe.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{}", c.show(self.1))?;
        }
        Ok(())
    }
}

/// A parsed template: its body and where it came from.
#[derive(Debug)]
pub struct Template {
    pub name: Arc<str>,
    pub source: Arc<Source>,
    pub root: List,
}

impl Template {
    /// The text of a [`Node::Text`] of this template.
    pub fn text(&self, start: usize, end: usize) -> &str {
        &self.source.text[start..end]
    }

    /// Go's `parse.IsEmptyTree` on this template's body.
    pub fn is_empty(&self) -> bool {
        is_empty_tree(&self.root, &self.source.text)
    }
}

/// Go's `parse.IsEmptyTree`: only whitespace text (and nothing else);
/// `source` is the text the list was parsed from.
fn is_empty_tree(list: &List, source: &str) -> bool {
    list.iter().all(|n| match n {
        Node::Text(start, end) => source[*start..*end]
            .trim_matches([' ', '\t', '\r', '\n'])
            .is_empty(),
        _ => false,
    })
}
