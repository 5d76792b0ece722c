//! Parse tree of a Go template (the node kinds of `text/template/parse`).
//! `Display` gives Go's `String()` forms, used in "executing … at <…>" errors.

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

#[derive(Clone, Debug)]
pub struct Number {
    pub text: Arc<str>,
    pub int: Option<i64>,
    pub float: Option<f64>,
    /// Go's constant kind for an untyped constant passed to `interface{}`:
    /// true when it would become a float64.
    pub is_float_const: bool,
}

#[derive(Debug)]
pub enum Arg {
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Box<Number>),
    /// quoted source text, unquoted value
    String(usize, Arc<str>, Arc<str>),
    Field(usize, Vec<Arc<str>>),
    /// `$x.a.b`: name first, then fields
    Variable(usize, Vec<Arc<str>>),
    Identifier(usize, Arc<str>),
    Pipe(usize, Box<Pipe>),
    Chain(usize, Box<Arg>, Vec<Arc<str>>),
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Number(p, _)
            | Arg::String(p, _, _)
            | Arg::Field(p, _)
            | Arg::Variable(p, _)
            | Arg::Identifier(p, _)
            | Arg::Pipe(p, _)
            | Arg::Chain(p, _, _) => *p,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::String(_, q, _) => f.write_str(q),
            Arg::Field(_, idents) => {
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Variable(_, idents) => {
                for (k, i) in idents.iter().enumerate() {
                    if k > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(i)?;
                }
                Ok(())
            }
            Arg::Identifier(_, name) => f.write_str(name),
            Arg::Pipe(_, p) => write!(f, "({p})"),
            Arg::Chain(_, node, fields) => {
                if let Arg::Pipe(_, p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for i in fields {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(_, p) = a {
                write!(f, "({p})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, d) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(d)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
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
