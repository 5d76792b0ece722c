//! Lexer for Go `text/template` source (delimiters `{{` `}}`), following the
//! token rules of Go's `text/template/parse/lex.go`: trim markers `{{- `/` -}}`,
//! comments `{{/* */}}`, fields, variables, numbers, strings, raw strings,
//! character constants, keywords, parentheses, `:=`, `=`, `|` and `,`.

use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // keywords
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Tok {
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            Tok::Block
                | Tok::Break
                | Tok::Continue
                | Tok::Dot
                | Tok::Define
                | Tok::Else
                | Tok::End
                | Tok::If
                | Tok::Nil
                | Tok::Range
                | Tok::Template
                | Tok::With
        )
    }
}

#[derive(Clone, Debug)]
pub struct Item<'a> {
    pub typ: Tok,
    pub pos: usize,
    pub val: Cow<'a, str>,
    pub line: usize,
}

impl Item<'_> {
    /// Go's `item.String()` used in parse error messages.
    pub fn describe(&self) -> String {
        match self.typ {
            Tok::Eof => "EOF".into(),
            Tok::Error => self.val.to_string(),
            t if t.is_keyword() => format!("<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let short: String = self.val.chars().take(10).collect();
                    format!("{}...", crate::chart::gofmt::quote(&short))
                } else {
                    crate::chart::gofmt::quote(&self.val)
                }
            }
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn keyword(word: &str) -> Option<Tok> {
    Some(match word {
        "." => Tok::Dot,
        "block" => Tok::Block,
        "break" => Tok::Break,
        "continue" => Tok::Continue,
        "define" => Tok::Define,
        "else" => Tok::Else,
        "end" => Tok::End,
        "if" => Tok::If,
        "range" => Tok::Range,
        "nil" => Tok::Nil,
        "template" => Tok::Template,
        "with" => Tok::With,
        _ => return None,
    })
}

struct Lexer<'a> {
    input: &'a str,
    b: &'a [u8],
    pos: usize,
    start: usize,
    items: Vec<Item<'a>>,
    paren_depth: i32,
}

/// Lexes the whole input. The item list always ends with `Eof` or `Error`.
pub fn lex(input: &str) -> Vec<Item<'_>> {
    let mut l = Lexer {
        input,
        b: input.as_bytes(),
        pos: 0,
        start: 0,
        items: Vec::new(),
        paren_depth: 0,
    };
    l.run();
    let mut items = l.items;
    // line numbers: 1 + newlines before the item's start
    let nl: Vec<usize> = input
        .bytes()
        .enumerate()
        .filter(|(_, c)| *c == b'\n')
        .map(|(i, _)| i)
        .collect();
    for it in &mut items {
        it.line = 1 + nl.partition_point(|&p| p < it.pos);
    }
    items
}

impl<'a> Lexer<'a> {
    fn emit(&mut self, typ: Tok) {
        let val = Cow::Borrowed(&self.input[self.start..self.pos]);
        self.items.push(Item {
            typ,
            pos: self.start,
            val,
            line: 0,
        });
        self.start = self.pos;
    }
    fn ignore(&mut self) {
        self.start = self.pos;
    }
    fn errorf(&mut self, msg: String) {
        self.items.push(Item {
            typ: Tok::Error,
            pos: self.start,
            val: Cow::Owned(msg),
            line: 0,
        });
    }
    fn next(&mut self) -> Option<char> {
        let c = self.input[self.pos..].chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }
    fn backup(&mut self, c: char) {
        self.pos -= c.len_utf8();
    }
    fn peek(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }
    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    fn run(&mut self) {
        // state machine: text <-> action
        loop {
            if !self.lex_text() {
                return;
            }
            match self.lex_left_delim() {
                None => return,
                Some(false) => continue,
                Some(true) => {}
            }
            if !self.lex_inside_action() {
                return;
            }
        }
    }

    /// Returns false at EOF (Eof emitted).
    fn lex_text(&mut self) -> bool {
        if let Some(x) = self.rest().find(LEFT) {
            if x > 0 {
                self.pos += x;
                let mut trim = 0;
                let after = &self.input[self.pos + LEFT.len()..];
                if has_left_trim(after) {
                    let text = &self.input[self.start..self.pos];
                    trim = text.len() - text.trim_end_matches([' ', '\t', '\r', '\n']).len();
                }
                self.pos -= trim;
                let text_end = self.pos;
                if text_end > self.start {
                    let val = Cow::Borrowed(&self.input[self.start..text_end]);
                    self.items.push(Item {
                        typ: Tok::Text,
                        pos: self.start,
                        val,
                        line: 0,
                    });
                }
                self.pos += trim;
                self.ignore();
            }
            true
        } else {
            self.pos = self.input.len();
            if self.pos > self.start {
                let val = Cow::Borrowed(&self.input[self.start..self.pos]);
                self.items.push(Item {
                    typ: Tok::Text,
                    pos: self.start,
                    val,
                    line: 0,
                });
                self.start = self.pos;
            }
            self.emit(Tok::Eof);
            false
        }
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let r = self.rest();
        if has_right_trim(r) && r[2..].starts_with(RIGHT) {
            return (true, true);
        }
        if r.starts_with(RIGHT) {
            return (true, false);
        }
        (false, false)
    }

    /// `None` on error, `Some(true)` inside an action, `Some(false)` after a comment.
    fn lex_left_delim(&mut self) -> Option<bool> {
        self.pos += LEFT.len();
        let trim = has_left_trim(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.input[self.pos + after..].starts_with("/*") {
            self.pos += after;
            self.ignore();
            return if self.lex_comment() { Some(false) } else { None };
        }
        self.emit(Tok::LeftDelim);
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        Some(true)
    }

    fn lex_comment(&mut self) -> bool {
        self.pos += 2;
        let Some(x) = self.rest().find("*/") else {
            self.errorf("unclosed comment".into());
            return false;
        };
        self.pos += x + 2;
        let (delim, trim) = self.at_right_delim();
        if !delim {
            self.errorf("comment ends before closing delimiter".into());
            return false;
        }
        self.emit(Tok::Comment);
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.skip_trailing_space();
        }
        self.ignore();
        true
    }

    fn skip_trailing_space(&mut self) {
        while self.pos < self.b.len() && is_space(self.b[self.pos]) {
            self.pos += 1;
        }
    }

    fn lex_right_delim(&mut self, trim: bool) {
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RIGHT.len();
        self.emit(Tok::RightDelim);
        if trim {
            self.skip_trailing_space();
            self.ignore();
        }
    }

    /// Returns false when lexing must stop (error or EOF).
    fn lex_inside_action(&mut self) -> bool {
        loop {
            let (delim, trim) = self.at_right_delim();
            if delim {
                if self.paren_depth == 0 {
                    self.lex_right_delim(trim);
                    return true;
                }
                self.errorf("unclosed left paren".into());
                return false;
            }
            let Some(c) = self.next() else {
                self.errorf("unclosed action".into());
                return false;
            };
            match c {
                c if is_space(c as u32 as u8) && c.is_ascii() => {
                    self.backup(c);
                    self.lex_space();
                }
                '=' => self.emit(Tok::Assign),
                ':' => {
                    if self.next() != Some('=') {
                        self.errorf("expected :=".into());
                        return false;
                    }
                    self.emit(Tok::Declare);
                }
                '|' => self.emit(Tok::Pipe),
                '"' => {
                    if !self.lex_quote() {
                        return false;
                    }
                }
                '`' => {
                    if !self.lex_raw_quote() {
                        return false;
                    }
                }
                '$' => {
                    if !self.lex_field_or_var(Tok::Variable) {
                        return false;
                    }
                }
                '\'' => {
                    if !self.lex_char() {
                        return false;
                    }
                }
                '.' => {
                    // special look-ahead for ".field" so we don't break l.backup().
                    if let Some(n) = self.peek() {
                        if !n.is_ascii_digit() {
                            if !self.lex_field_or_var(Tok::Field) {
                                return false;
                            }
                            continue;
                        }
                    }
                    self.backup('.');
                    if !self.lex_number() {
                        return false;
                    }
                }
                '+' | '-' | '0'..='9' => {
                    self.backup(c);
                    if !self.lex_number() {
                        return false;
                    }
                }
                c if is_alnum(c) => {
                    self.backup(c);
                    if !self.lex_identifier() {
                        return false;
                    }
                }
                '(' => {
                    self.emit(Tok::LeftParen);
                    self.paren_depth += 1;
                }
                ')' => {
                    self.emit(Tok::RightParen);
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        self.errorf("unexpected right paren".into());
                        return false;
                    }
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.emit(Tok::Char);
                }
                c => {
                    self.errorf(format!("unrecognized character in action: {}", go_u(c)));
                    return false;
                }
            }
        }
    }

    fn lex_space(&mut self) {
        let mut num = 0;
        while let Some(c) = self.peek() {
            if !(c.is_ascii() && is_space(c as u8)) {
                break;
            }
            self.next();
            num += 1;
        }
        // Be careful about a trim-marked closing delimiter, which has a minus
        // after a space. We know there is a space, so check for the '-' that might follow.
        if has_right_trim(&self.input[self.pos - 1..]) && self.input[self.pos - 1 + 2..].starts_with(RIGHT) {
            self.backup(self.input[self.pos - 1..].chars().next().unwrap_or(' '));
            if num == 1 {
                // the only space is part of the trim marker
                return;
            }
        }
        self.emit(Tok::Space);
    }

    fn lex_identifier(&mut self) -> bool {
        while let Some(c) = self.next() {
            if !is_alnum(c) {
                self.backup(c);
                break;
            }
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or(' ');
            self.errorf(format!("bad character {}", go_u(c)));
            return false;
        }
        let word = &self.input[self.start..self.pos];
        let typ = if let Some(k) = keyword(word) {
            k
        } else if word.starts_with('.') {
            Tok::Field
        } else if word == "true" || word == "false" {
            Tok::Bool
        } else {
            Tok::Identifier
        };
        self.emit(typ);
        true
    }

    fn lex_field_or_var(&mut self, typ: Tok) -> bool {
        if self.at_terminator() {
            if typ == Tok::Variable {
                self.emit(Tok::Variable);
            } else {
                self.emit(Tok::Dot);
            }
            return true;
        }
        while let Some(c) = self.next() {
            if !is_alnum(c) {
                self.backup(c);
                break;
            }
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or(' ');
            self.errorf(format!("bad character {}", go_u(c)));
            return false;
        }
        self.emit(typ);
        true
    }

    fn at_terminator(&self) -> bool {
        let Some(c) = self.peek() else {
            return true;
        };
        if c.is_ascii() && is_space(c as u8) {
            return true;
        }
        if matches!(c, '.' | ',' | '|' | ':' | ')' | '(') {
            return true;
        }
        self.rest().starts_with(RIGHT)
    }

    fn lex_char(&mut self) -> bool {
        loop {
            match self.next() {
                Some('\\') => {
                    if let Some(c) = self.next() {
                        if c != '\n' {
                            continue;
                        }
                    }
                    self.errorf("unterminated character constant".into());
                    return false;
                }
                None | Some('\n') => {
                    self.errorf("unterminated character constant".into());
                    return false;
                }
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(Tok::CharConstant);
        true
    }

    fn lex_number(&mut self) -> bool {
        if !self.scan_number() {
            let bad = &self.input[self.start..self.pos];
            self.errorf(format!("bad number syntax: {}", crate::chart::gofmt::quote(bad)));
            return false;
        }
        if let Some(c) = self.peek() {
            if c == '+' || c == '-' {
                // complex: 1+2i
                if !self.scan_number() || !self.input[self.pos - 1..].starts_with('i') {
                    let bad = &self.input[self.start..self.pos];
                    self.errorf(format!("bad number syntax: {}", crate::chart::gofmt::quote(bad)));
                    return false;
                }
            }
        }
        self.emit(Tok::Number);
        true
    }

    fn accept(&mut self, valid: &str) -> bool {
        if let Some(c) = self.peek() {
            if valid.contains(c) {
                self.next();
                return true;
            }
        }
        false
    }
    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 10 + 1 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 16 + 6 + 1 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek() {
            if is_alnum(c) {
                self.next();
                return false;
            }
        }
        true
    }

    fn lex_quote(&mut self) -> bool {
        loop {
            match self.next() {
                Some('\\') => {
                    if let Some(c) = self.next() {
                        if c != '\n' {
                            continue;
                        }
                    }
                    self.errorf("unterminated quoted string".into());
                    return false;
                }
                None | Some('\n') => {
                    self.errorf("unterminated quoted string".into());
                    return false;
                }
                Some('"') => break,
                _ => {}
            }
        }
        self.emit(Tok::String);
        true
    }

    fn lex_raw_quote(&mut self) -> bool {
        match self.rest().find('`') {
            Some(i) => {
                self.pos += i + 1;
                self.emit(Tok::RawString);
                true
            }
            None => {
                self.errorf("unterminated raw quoted string".into());
                false
            }
        }
    }
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0]) && b[1] == b'-'
}

/// Go's `%#U` formatting of a rune.
pub fn go_u(c: char) -> String {
    if crate::chart::gofmt::is_print(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(Tok, String)> {
        lex(s).into_iter().map(|i| (i.typ, i.val.into_owned())).collect()
    }

    #[test]
    fn trims_and_fields() {
        let t = toks("a  {{- .Values.x | quote -}}  b");
        assert_eq!(t[0], (Tok::Text, "a".into()));
        assert_eq!(t[1].0, Tok::LeftDelim);
        assert_eq!(t[2], (Tok::Field, ".Values".into()));
        assert_eq!(t[3], (Tok::Field, ".x".into()));
        assert_eq!(t[4].0, Tok::Space);
        assert_eq!(t[5].0, Tok::Pipe);
        assert_eq!(t[7], (Tok::Identifier, "quote".into()));
        assert_eq!(t[8].0, Tok::RightDelim);
        assert_eq!(t[9], (Tok::Text, "b".into()));
    }

    #[test]
    fn comments_and_errors() {
        let t = toks("x {{- /* c */ -}} y");
        assert_eq!(t[0], (Tok::Text, "x".into()));
        assert_eq!(t[1].0, Tok::Comment);
        assert_eq!(t[2], (Tok::Text, "y".into()));
        let t = toks("{{ \"abc }}");
        assert_eq!(t.last().unwrap().0, Tok::Error);
        let t = toks("{{ 3x }}");
        assert_eq!(t.last().unwrap().1, "bad number syntax: \"3x\"");
    }
}
