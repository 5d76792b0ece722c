//! Lexer for Go `text/template` source (delimiters `{{` `}}`), following the
//! token rules of Go's `text/template/parse/lex.go`: trim markers `{{- `/` -}}`,
//! comments `{{/* */}}`, fields, variables, numbers, strings, raw strings,
//! character constants, keywords, parentheses, `:=`, `=`, `|` and `,`.

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

/// One token: its kind and the bytes `pos..end` of the source it was lexed
/// from (none for `Tok::Error`: the message is [`Lexed::error`]). Its line
/// (Go's `item.line`) is [`line_at`] of `pos`, computed only when an error
/// message needs it. Items hold no reference to the source, so one vector
/// of them serves every file a thread lexes ([`lex_into`]).
#[derive(Clone, Copy, Debug)]
pub struct Item {
    pub typ: Tok,
    pub pos: usize,
    pub end: usize,
}

impl Item {
    /// The token's text in `input`, the source it was lexed from.
    pub fn val<'s>(&self, input: &'s str) -> &'s str {
        &input[self.pos..self.end]
    }

    /// Go's `item.String()` used in parse error messages (not for errors:
    /// their text is [`Lexed::error`]); `input` is the lexed source.
    pub fn describe(&self, input: &str) -> String {
        let val = self.val(input);
        match self.typ {
            Tok::Eof => "EOF".into(),
            Tok::Error => val.to_string(),
            t if t.is_keyword() => format!("<{val}>"),
            _ => {
                if val.chars().count() > 10 {
                    let short: String = val.chars().take(10).collect();
                    format!("{}...", crate::chart::gofmt::quote(&short))
                } else {
                    crate::chart::gofmt::quote(val)
                }
            }
        }
    }
}

/// The token list of one input, ending with `Eof` or `Error`, and the
/// message of that error (empty when the input lexed cleanly).
#[derive(Debug)]
pub struct Lexed {
    pub items: Vec<Item>,
    pub error: String,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn is_ascii_alnum(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphanumeric()
}

/// `is_ascii_alnum` as a table (false for every non-ASCII byte).
static IDENT_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 128 {
        t[c] = c == b'_' as usize || (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    t
};

fn keyword(word: &str) -> Option<Tok> {
    // length first: most identifiers (function names) miss without a compare
    Some(match (word.len(), word) {
        (2, "if") => Tok::If,
        (3, "end") => Tok::End,
        (3, "nil") => Tok::Nil,
        (4, "else") => Tok::Else,
        (4, "with") => Tok::With,
        (5, "block") => Tok::Block,
        (5, "break") => Tok::Break,
        (5, "range") => Tok::Range,
        (6, "define") => Tok::Define,
        (8, "continue") => Tok::Continue,
        (8, "template") => Tok::Template,
        _ => return None,
    })
}

/// The 1-based line of byte offset `pos` of `input`: Go's lexer counts every
/// newline it consumes (text, trimmed space, comments, raw strings, spaces in
/// actions), so an item's line is 1 + the newlines before its start.
pub fn line_at(input: &str, pos: usize) -> usize {
    let b = input.as_bytes();
    1 + count_newlines(&b[..pos.min(b.len())])
}

/// Number of `\n` bytes in `b` (counted in blocks so it vectorizes).
fn count_newlines(b: &[u8]) -> usize {
    let mut chunks = b.chunks_exact(128);
    let mut n = 0;
    for chunk in &mut chunks {
        let mut c: u8 = 0;
        for &x in chunk {
            c += u8::from(x == b'\n');
        }
        n += usize::from(c);
    }
    n + chunks.remainder().iter().filter(|&&x| x == b'\n').count()
}

/// Byte offset of the next `{{` at or after `from` (a vectorized search:
/// most of a chart's template text is plain text between actions).
fn find_left_delim(input: &str, from: usize) -> Option<usize> {
    let b = input.as_bytes();
    let mut i = from;
    loop {
        let j = i + memchr::memchr(b'{', &b[i..])?;
        if b.get(j + 1) == Some(&b'{') {
            return Some(j);
        }
        i = j + 1;
    }
}

struct Lexer<'a> {
    input: &'a str,
    b: &'a [u8],
    pos: usize,
    start: usize,
    items: Vec<Item>,
    error: String,
    paren_depth: i32,
}

/// Lexes the whole input. The item list always ends with `Eof` or `Error`.
pub fn lex(input: &str) -> Lexed {
    lex_into(input, Vec::new())
}

/// [`lex`] into `items` (emptied first), reusing its allocation: a chart's
/// templates hold hundreds of thousands of items, and a fresh vector per
/// file costs fresh memory the kernel must clear.
pub fn lex_into(input: &str, mut items: Vec<Item>) -> Lexed {
    items.clear();
    // Helm charts average one item per 8-16 bytes: room for one per 4 bytes
    // means the vector rarely regrows (a copy), and it is reused, so the
    // room is taken once per thread, for the largest file
    items.reserve(input.len() / 4 + 4);
    let mut l = Lexer {
        input,
        b: input.as_bytes(),
        pos: 0,
        start: 0,
        items,
        error: String::new(),
        paren_depth: 0,
    };
    l.run();
    Lexed {
        items: l.items,
        error: l.error,
    }
}

impl<'a> Lexer<'a> {
    fn push(&mut self, typ: Tok, start: usize, end: usize) {
        self.items.push(Item { typ, pos: start, end });
    }
    fn emit(&mut self, typ: Tok) {
        self.push(typ, self.start, self.pos);
        self.start = self.pos;
    }
    fn ignore(&mut self) {
        self.start = self.pos;
    }
    fn errorf(&mut self, msg: String) {
        self.error = msg;
        self.items.push(Item {
            typ: Tok::Error,
            pos: self.start,
            end: self.start,
        });
    }
    fn byte(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }
    /// The char at `pos` (ASCII fast path).
    fn peek(&self) -> Option<char> {
        let c = *self.b.get(self.pos)?;
        if c < 0x80 {
            Some(char::from(c))
        } else {
            self.input[self.pos..].chars().next()
        }
    }
    fn starts_with(&self, at: usize, s: &[u8]) -> bool {
        self.b.get(at..).is_some_and(|r| r.starts_with(s))
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
        if let Some(x) = find_left_delim(self.input, self.pos) {
            if x > self.pos {
                self.pos = x;
                let mut text_end = x;
                if has_left_trim(&self.b[x + 2..]) {
                    while text_end > self.start && is_space(self.b[text_end - 1]) {
                        text_end -= 1;
                    }
                }
                if text_end > self.start {
                    self.push(Tok::Text, self.start, text_end);
                }
                self.ignore();
            }
            true
        } else {
            self.pos = self.b.len();
            if self.pos > self.start {
                self.push(Tok::Text, self.start, self.pos);
                self.start = self.pos;
            }
            self.emit(Tok::Eof);
            false
        }
    }

    /// (at a right delimiter, with a trim marker)
    fn at_right_delim(&self) -> (bool, bool) {
        let r = &self.b[self.pos..];
        if has_right_trim(r) && r[2..].starts_with(b"}}") {
            return (true, true);
        }
        (r.starts_with(b"}}"), false)
    }

    /// `None` on error, `Some(true)` inside an action, `Some(false)` after a comment.
    fn lex_left_delim(&mut self) -> Option<bool> {
        self.pos += 2;
        let after = if has_left_trim(&self.b[self.pos..]) { 2 } else { 0 };
        if self.starts_with(self.pos + after, b"/*") {
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
        let mut i = self.pos;
        let end = loop {
            let Some(j) = self.input[i..].find('*') else {
                self.errorf("unclosed comment".into());
                return false;
            };
            if self.b.get(i + j + 1) == Some(&b'/') {
                break i + j;
            }
            i += j + 1;
        };
        self.pos = end + 2;
        let (delim, trim) = self.at_right_delim();
        if !delim {
            self.errorf("comment ends before closing delimiter".into());
            return false;
        }
        self.emit(Tok::Comment);
        if trim {
            self.pos += 2;
        }
        self.pos += 2;
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
        self.pos += 2;
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
            let Some(c) = self.byte() else {
                self.errorf("unclosed action".into());
                return false;
            };
            if c >= 0x80 {
                // non-ASCII: a unicode letter or digit starts an identifier
                let c = self.peek().unwrap_or('\u{FFFD}');
                if is_alnum(c) {
                    if !self.lex_identifier() {
                        return false;
                    }
                    continue;
                }
                self.errorf(format!("unrecognized character in action: {}", go_u(c)));
                return false;
            }
            let ok = match c {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    self.lex_space();
                    true
                }
                b'=' => self.emit_one(Tok::Assign),
                b':' => {
                    if self.b.get(self.pos + 1) != Some(&b'=') {
                        self.errorf("expected :=".into());
                        return false;
                    }
                    self.pos += 2;
                    self.emit(Tok::Declare);
                    true
                }
                b'|' => self.emit_one(Tok::Pipe),
                b'"' => self.lex_quote(),
                b'`' => self.lex_raw_quote(),
                b'$' => {
                    self.pos += 1;
                    self.lex_field_or_var(Tok::Variable)
                }
                b'\'' => self.lex_char(),
                b'.' => {
                    // ".field" when a non-digit follows; ".5", and a "." at
                    // the very end, go to the number scanner as in Go
                    match self.b.get(self.pos + 1) {
                        Some(d) if !d.is_ascii_digit() => {
                            self.pos += 1;
                            self.lex_field_or_var(Tok::Field)
                        }
                        _ => self.lex_number(),
                    }
                }
                b'+' | b'-' | b'0'..=b'9' => self.lex_number(),
                b'(' => {
                    self.paren_depth += 1;
                    self.emit_one(Tok::LeftParen)
                }
                b')' => {
                    self.emit_one(Tok::RightParen);
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        self.errorf("unexpected right paren".into());
                        return false;
                    }
                    true
                }
                c if is_ascii_alnum(c) => self.lex_identifier(),
                c if !c.is_ascii_control() => self.emit_one(Tok::Char),
                c => {
                    self.errorf(format!(
                        "unrecognized character in action: {}",
                        go_u(char::from(c))
                    ));
                    return false;
                }
            };
            if !ok {
                return false;
            }
        }
    }

    /// Emits the single ASCII byte at `pos` as `typ`.
    fn emit_one(&mut self, typ: Tok) -> bool {
        self.pos += 1;
        self.emit(typ);
        true
    }

    fn lex_space(&mut self) {
        let first = self.pos;
        self.skip_trailing_space();
        let num = self.pos - first;
        // Be careful about a trim-marked closing delimiter, which has a minus
        // after a space. We know there is a space, so check for the '-' that might follow.
        if self.byte() == Some(b'-') && self.starts_with(self.pos + 1, b"}}") {
            self.pos -= 1;
            if num == 1 {
                // the only space is part of the trim marker
                return;
            }
        }
        self.emit(Tok::Space);
    }

    /// Consumes a run of letters, digits and underscores.
    fn scan_alnum(&mut self) {
        let b = self.b;
        let mut i = self.pos;
        loop {
            while i < b.len() && IDENT_BYTE[usize::from(b[i])] {
                i += 1;
            }
            if i < b.len() && b[i] >= 0x80 {
                // `i` is a char boundary: only whole chars were consumed
                if let Some(c) = self.input[i..].chars().next().filter(|&c| is_alnum(c)) {
                    i += c.len_utf8();
                    continue;
                }
            }
            break;
        }
        self.pos = i;
    }

    fn bad_character(&mut self) -> bool {
        let c = self.peek().unwrap_or(' ');
        self.errorf(format!("bad character {}", go_u(c)));
        false
    }

    fn lex_identifier(&mut self) -> bool {
        self.scan_alnum();
        if !self.at_terminator() {
            return self.bad_character();
        }
        let word = &self.input[self.start..self.pos];
        let typ = if let Some(k) = keyword(word) {
            k
        } else if word == "true" || word == "false" {
            Tok::Bool
        } else {
            Tok::Identifier
        };
        self.emit(typ);
        true
    }

    /// `pos` is just past the `$` or `.`.
    fn lex_field_or_var(&mut self, typ: Tok) -> bool {
        if self.at_terminator() {
            self.emit(if typ == Tok::Variable {
                Tok::Variable
            } else {
                Tok::Dot
            });
            return true;
        }
        self.scan_alnum();
        if !self.at_terminator() {
            return self.bad_character();
        }
        self.emit(typ);
        true
    }

    fn at_terminator(&self) -> bool {
        match self.byte() {
            None => true,
            Some(b' ' | b'\t' | b'\r' | b'\n' | b'.' | b',' | b'|' | b':' | b')' | b'(') => true,
            Some(b'}') => self.b.get(self.pos + 1) == Some(&b'}'),
            Some(_) => false,
        }
    }

    /// Scans to the closing `quote` (pos at the opening one); false with
    /// `unterminated` reported on a newline or end of input first.
    fn scan_quoted(&mut self, quote: u8, unterminated: &str) -> bool {
        self.pos += 1;
        // jump from one byte that matters (the quote, a backslash or a
        // newline) to the next
        while let Some(j) = memchr::memchr3(quote, b'\\', b'\n', &self.b[self.pos..]) {
            self.pos += j;
            match self.b[self.pos] {
                b'\n' => break,
                b'\\' => {
                    // the escaped char may be multi-byte: its continuation
                    // bytes are never a quote, backslash or newline
                    self.pos += 1;
                    match self.byte() {
                        None | Some(b'\n') => break,
                        Some(_) => self.pos += 1,
                    }
                }
                _ => {
                    self.pos += 1;
                    return true;
                }
            }
        }
        self.errorf(unterminated.into());
        false
    }

    fn lex_char(&mut self) -> bool {
        if !self.scan_quoted(b'\'', "unterminated character constant") {
            return false;
        }
        self.emit(Tok::CharConstant);
        true
    }

    fn lex_quote(&mut self) -> bool {
        if !self.scan_quoted(b'"', "unterminated quoted string") {
            return false;
        }
        self.emit(Tok::String);
        true
    }

    fn bad_number(&mut self) -> bool {
        let bad = &self.input[self.start..self.pos];
        self.errorf(format!("bad number syntax: {}", crate::chart::gofmt::quote(bad)));
        false
    }

    fn lex_number(&mut self) -> bool {
        if !self.scan_number() {
            return self.bad_number();
        }
        if matches!(self.byte(), Some(b'+' | b'-')) {
            // complex: 1+2i
            if !self.scan_number() || self.b[self.pos - 1] != b'i' {
                return self.bad_number();
            }
        }
        self.emit(Tok::Number);
        true
    }

    fn accept(&mut self, ok: impl Fn(u8) -> bool) -> bool {
        match self.byte() {
            Some(c) if ok(c) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }
    fn accept_run(&mut self, ok: impl Fn(u8) -> bool + Copy) {
        while self.accept(ok) {}
    }

    fn scan_number(&mut self) -> bool {
        #[derive(PartialEq)]
        enum Base {
            Dec,
            Hex,
            Oct,
            Bin,
        }
        let sign = |c: u8| c == b'+' || c == b'-';
        let dec = |c: u8| c.is_ascii_digit() || c == b'_';
        self.accept(sign);
        let mut base = Base::Dec;
        if self.accept(|c| c == b'0') {
            if self.accept(|c| c == b'x' || c == b'X') {
                base = Base::Hex;
            } else if self.accept(|c| c == b'o' || c == b'O') {
                base = Base::Oct;
            } else if self.accept(|c| c == b'b' || c == b'B') {
                base = Base::Bin;
            }
        }
        let digit = |c: u8| match base {
            Base::Dec => dec(c),
            Base::Hex => c.is_ascii_hexdigit() || c == b'_',
            Base::Oct => matches!(c, b'0'..=b'7' | b'_'),
            Base::Bin => matches!(c, b'0' | b'1' | b'_'),
        };
        self.accept_run(digit);
        if self.accept(|c| c == b'.') {
            self.accept_run(digit);
        }
        if base == Base::Dec && self.accept(|c| c == b'e' || c == b'E') {
            self.accept(sign);
            self.accept_run(dec);
        }
        if base == Base::Hex && self.accept(|c| c == b'p' || c == b'P') {
            self.accept(sign);
            self.accept_run(dec);
        }
        self.accept(|c| c == b'i');
        if let Some(c) = self.peek() {
            if is_alnum(c) {
                self.pos += c.len_utf8();
                return false;
            }
        }
        true
    }

    fn lex_raw_quote(&mut self) -> bool {
        match self.input[self.pos + 1..].find('`') {
            Some(i) => {
                self.pos += 1 + i + 1;
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

fn has_left_trim(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

fn has_right_trim(b: &[u8]) -> bool {
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
        let l = lex(s);
        l.items
            .iter()
            .map(|i| {
                let val = if i.typ == Tok::Error { &l.error } else { i.val(s) };
                (i.typ, val.to_string())
            })
            .collect()
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

    /// (kind, text, line) of every item
    fn lines(s: &str) -> Vec<(Tok, &str, usize)> {
        lex(s)
            .items
            .iter()
            .map(|i| (i.typ, i.val(s), line_at(s, i.pos)))
            .collect()
    }

    #[test]
    fn line_numbers_across_trims_comments_and_raw_strings() {
        let src = "a\n\n{{- /* x\ny */ -}}\n\n{{ .A\n}}\nb\n{{ `r\naw` }}{{ .B }}\n";
        assert_eq!(
            lines(src),
            vec![
                (Tok::Text, "a", 1),
                (Tok::Comment, "/* x\ny */", 3),
                (Tok::LeftDelim, "{{", 6),
                (Tok::Space, " ", 6),
                (Tok::Field, ".A", 6),
                (Tok::Space, "\n", 6),
                (Tok::RightDelim, "}}", 7),
                (Tok::Text, "\nb\n", 7),
                (Tok::LeftDelim, "{{", 9),
                (Tok::Space, " ", 9),
                (Tok::RawString, "`r\naw`", 9),
                (Tok::Space, " ", 10),
                (Tok::RightDelim, "}}", 10),
                (Tok::LeftDelim, "{{", 10),
                (Tok::Space, " ", 10),
                (Tok::Field, ".B", 10),
                (Tok::Space, " ", 10),
                (Tok::RightDelim, "}}", 10),
                (Tok::Text, "\n", 10),
                (Tok::Eof, "", 11),
            ]
        );
        // long runs of text (the newline counter works in blocks)
        let long = format!(
            "{}{{{{ .A }}}}{}{{{{ .B }}}}",
            "x\n".repeat(300),
            "yy\n".repeat(97)
        );
        let l = lines(&long);
        assert_eq!(l.iter().find(|i| i.1 == ".A").unwrap().2, 301);
        assert_eq!(l.iter().find(|i| i.1 == ".B").unwrap().2, 398);
        let src = "a\nb\n{{ \"x\n\" }}";
        assert_eq!(*lines(src).last().unwrap(), (Tok::Error, "", 3));
        assert_eq!(lex(src).error, "unterminated quoted string");
        assert_eq!(line_at(src, 0), 1);
        assert_eq!(line_at(src, 2), 2);
        assert_eq!(line_at(src, 999), 4);
    }

    #[test]
    fn left_trim_at_start_and_trim_markers() {
        let t = toks("{{- .A }}");
        assert_eq!(t[0], (Tok::LeftDelim, "{{".into()));
        assert_eq!(t[1], (Tok::Field, ".A".into()));
        let t = toks("  \n{{- .A -}}  \n");
        let kinds: Vec<Tok> = t.iter().map(|x| x.0).collect();
        assert_eq!(kinds, [Tok::LeftDelim, Tok::Field, Tok::RightDelim, Tok::Eof]);
        let l = lines("  \n{{- .A -}}  \n");
        assert_eq!(l[0].2, 2);
        assert_eq!(l.last().unwrap().2, 3);
        // one space before "-}}" belongs to the marker; more make a Space
        let kinds = |s: &str| toks(s).into_iter().map(|x| x.0).collect::<Vec<_>>();
        assert_eq!(
            kinds("{{.A -}}"),
            [Tok::LeftDelim, Tok::Field, Tok::RightDelim, Tok::Eof]
        );
        assert_eq!(
            kinds("{{.A  -}}"),
            [Tok::LeftDelim, Tok::Field, Tok::Space, Tok::RightDelim, Tok::Eof]
        );
        // "-" without a space is a number sign, not a marker
        assert_eq!(toks("{{ -3 }}")[2], (Tok::Number, "-3".into()));
        assert_eq!(toks("{{-3}}")[1], (Tok::Number, "-3".into()));
        // single braces stay text
        let t = toks("a { b {{ .A }} c } {");
        assert_eq!(t[0], (Tok::Text, "a { b ".into()));
        assert_eq!(t[6], (Tok::Text, " c } {".into()));
        // a left trim eats all white space back to the previous action
        let t = toks("{{ .A }} \t\r\n {{- .B }}");
        assert_eq!(t[5].0, Tok::LeftDelim);
    }

    #[test]
    fn unicode_identifiers_and_characters() {
        let t = toks("{{ .Ünï.日本 $变量 fünc \"é\\é\" 'ß' }}");
        assert_eq!(t[2], (Tok::Field, ".Ünï".into()));
        assert_eq!(t[3], (Tok::Field, ".日本".into()));
        assert_eq!(t[5], (Tok::Variable, "$变量".into()));
        assert_eq!(t[7], (Tok::Identifier, "fünc".into()));
        assert_eq!(t[9], (Tok::String, "\"é\\é\"".into()));
        assert_eq!(t[11], (Tok::CharConstant, "'ß'".into()));
        assert_eq!(toks("{{ .a€ }}").last().unwrap().1, "bad character U+20AC '€'");
        assert_eq!(
            toks("{{ € }}").last().unwrap().1,
            "unrecognized character in action: U+20AC '€'"
        );
        assert_eq!(
            toks("{{ 1€ }}").last().unwrap().1,
            "unrecognized character in action: U+20AC '€'"
        );
        assert_eq!(toks("{{ 1é }}").last().unwrap().1, "bad number syntax: \"1é\"");
        assert_eq!(
            toks("{{ \u{7} }}").last().unwrap().1,
            "unrecognized character in action: U+0007"
        );
        assert_eq!(toks("{{ if else end nil with }}")[2].0, Tok::If);
        let t = toks("{{ true false range iffy . }}");
        assert_eq!(t[2].0, Tok::Bool);
        assert_eq!(t[6].0, Tok::Range);
        assert_eq!(t[8], (Tok::Identifier, "iffy".into()));
        assert_eq!(t[10].0, Tok::Dot);
    }

    #[test]
    fn unterminated_and_malformed() {
        let last = |s: &str| toks(s).last().unwrap().clone();
        assert_eq!(last("{{ .A"), (Tok::Error, "unclosed action".into()));
        assert_eq!(last("{{"), (Tok::Error, "unclosed action".into()));
        assert_eq!(
            last("{{ \"abc"),
            (Tok::Error, "unterminated quoted string".into())
        );
        assert_eq!(
            last("{{ \"abc\\"),
            (Tok::Error, "unterminated quoted string".into())
        );
        assert_eq!(
            last("{{ `abc"),
            (Tok::Error, "unterminated raw quoted string".into())
        );
        assert_eq!(
            last("{{ 'a"),
            (Tok::Error, "unterminated character constant".into())
        );
        assert_eq!(last("{{/* abc"), (Tok::Error, "unclosed comment".into()));
        assert_eq!(last("{{/*/}}"), (Tok::Error, "unclosed comment".into()));
        assert_eq!(
            last("{{/* abc */ x }}"),
            (Tok::Error, "comment ends before closing delimiter".into())
        );
        assert_eq!(last("{{ (.A }}"), (Tok::Error, "unclosed left paren".into()));
        assert_eq!(last("{{ .A) }}"), (Tok::Error, "unexpected right paren".into()));
        assert_eq!(last("{{ a : b }}"), (Tok::Error, "expected :=".into()));
        assert_eq!(
            last("{{ 0x1g }}"),
            (Tok::Error, "bad number syntax: \"0x1g\"".into())
        );
        assert_eq!(
            last("{{ 1+2 }}"),
            (Tok::Error, "bad number syntax: \"1+2\"".into())
        );
        // a "." at the very end goes to the number scanner, as in Go
        let t = toks("{{ .");
        assert_eq!(t[2], (Tok::Number, ".".into()));
        assert_eq!(t[3], (Tok::Error, "unclosed action".into()));
        // error positions are where the bad token starts
        let l = lex("{{ .A \"x");
        assert_eq!(l.items.last().unwrap().pos, 6);
        let t = toks("{{ 1+2i 0x1p-2 1_000 .5 'x' }}");
        assert_eq!(t[2], (Tok::Number, "1+2i".into()));
        assert_eq!(t[4], (Tok::Number, "0x1p-2".into()));
        assert_eq!(t[6], (Tok::Number, "1_000".into()));
        assert_eq!(t[8], (Tok::Number, ".5".into()));
        assert_eq!(t[10], (Tok::CharConstant, "'x'".into()));
    }
}
