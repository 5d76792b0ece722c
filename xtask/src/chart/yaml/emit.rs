//! A port of the parts of go-yaml's libyaml emitter (`emitterc.go`) and
//! encoder (`encode.go`, `sorter.go`) that `yaml.Marshal` of decoded JSON
//! values uses: block mappings and sequences, `{}`/`[]` for empty
//! collections, scalar analysis and style selection, plain / single / double
//! quoted and literal writers with go-yaml's line folding.

use serde_json::Value;

use super::resolve::{is_base60_float, resolve_plain, Resolved};
use crate::chart::strconv::format_float;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// Emitter settings: go-yaml v2 `Marshal` (width 80, indentless sequences in
/// mappings) or go-yaml v3 `Encoder` with `SetIndent(2)` (no wrapping,
/// sequences indented under their key).
#[derive(Clone, Copy)]
pub struct Flavor {
    pub best_width: i64,
    pub v3: bool,
}

pub const V2: Flavor = Flavor {
    best_width: 80,
    v3: false,
};
pub const V3: Flavor = Flavor {
    best_width: i32::MAX as i64,
    v3: true,
};

struct ScalarData {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

pub struct Emitter {
    out: Vec<u8>,
    flavor: Flavor,
    best_indent: i64,
    column: i64,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
    flow_level: i32,
    root_context: bool,
    mapping_context: bool,
    simple_key_context: bool,
}

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn width(c: u8) -> usize {
    if c & 0x80 == 0 {
        1
    } else if c & 0xE0 == 0xC0 {
        2
    } else if c & 0xF0 == 0xE0 {
        3
    } else if c & 0xF8 == 0xF0 {
        4
    } else {
        1
    }
}

fn is_printable(b: &[u8], i: usize) -> bool {
    let c = at(b, i);
    let c1 = at(b, i + 1);
    let c2 = at(b, i + 2);
    c == 0x0A
        || (0x20..=0x7E).contains(&c)
        || (c == 0xC2 && c1 >= 0xA0)
        || (c > 0xC2 && c < 0xED)
        || (c == 0xED && c1 < 0xA0)
        || c == 0xEE
        || (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)))
}

fn is_space(b: &[u8], i: usize) -> bool {
    at(b, i) == b' '
}

fn is_blank(b: &[u8], i: usize) -> bool {
    matches!(at(b, i), b' ' | b'\t')
}

fn is_break(b: &[u8], i: usize) -> bool {
    let c = at(b, i);
    c == b'\r'
        || c == b'\n'
        || (c == 0xC2 && at(b, i + 1) == 0x85)
        || (c == 0xE2 && at(b, i + 1) == 0x80 && (at(b, i + 2) == 0xA8 || at(b, i + 2) == 0xA9))
}

fn is_blankz(b: &[u8], i: usize) -> bool {
    is_blank(b, i) || is_break(b, i) || at(b, i) == 0
}

fn is_bom(b: &[u8]) -> bool {
    b.len() >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF
}

/// Bytes that never make a scalar need quoting or a block style anywhere
/// after its first byte: ASCII letters, digits and `-_./+=`.
const PLAIN_SAFE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'/' | b'+' | b'=');
        b += 1;
    }
    t
};

fn analyze_scalar(value: &[u8], v3: bool) -> ScalarData {
    // Fast path for the common identifier-like scalar (names, images,
    // label values): it starts with a letter or digit (so it cannot open
    // with an indicator, `---` or `...`) and holds no space, break,
    // indicator or non-printable byte, so the full scan finds nothing.
    if value.first().is_some_and(u8::is_ascii_alphanumeric) && value.iter().all(|&b| PLAIN_SAFE[b as usize]) {
        return ScalarData {
            multiline: false,
            flow_plain_allowed: true,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
    }
    if value.is_empty() {
        return ScalarData {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut tab_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;

    if value.len() >= 3 && (value.starts_with(b"---") || value.starts_with(b"...")) {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let mut i = 0;
    while i < value.len() {
        let w = width(value[i]);
        let followed_by_whitespace = i + w >= value.len() || is_blank(value, i + w);
        if i == 0 {
            match value[i] {
                b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"'
                | b'%' | b'@' | b'`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                b'?' | b':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                b'-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match value[i] {
                b',' | b'?' | b'[' | b']' | b'{' | b'}' => flow_indicators = true,
                b':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                b'#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if v3 && value[i] == b'\t' {
            tab_characters = true;
        } else if !is_printable(value, i) {
            special_characters = true;
        }
        if is_space(value, i) {
            if i == 0 {
                leading_space = true;
            }
            if i + w == value.len() {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(value, i) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + w == value.len() {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(value, i);
        i += w;
    }
    let mut d = ScalarData {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        d.flow_plain_allowed = false;
        d.block_plain_allowed = false;
    }
    if trailing_space {
        d.block_allowed = false;
    }
    if break_space {
        d.flow_plain_allowed = false;
        d.block_plain_allowed = false;
        d.single_quoted_allowed = false;
    }
    if space_break || tab_characters || special_characters {
        d.flow_plain_allowed = false;
        d.block_plain_allowed = false;
        d.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        d.block_allowed = false;
    }
    if line_breaks {
        d.flow_plain_allowed = false;
        d.block_plain_allowed = false;
    }
    if flow_indicators {
        d.flow_plain_allowed = false;
    }
    if block_indicators {
        d.block_plain_allowed = false;
    }
    d
}

/// go-yaml v2 "natural" key order (`sorter.go` `keyList.Less`) for string keys.
pub fn natural_less(a: &str, b: &str) -> bool {
    natural_less_impl(a, b, false)
}

/// go-yaml v3's variant of [`natural_less`] (a letter after a digit run
/// sorts first).
pub fn natural_less_v3(a: &str, b: &str) -> bool {
    natural_less_impl(a, b, true)
}

fn natural_less_impl(a: &str, b: &str, v3: bool) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    let mut digits = false;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            digits = ar[i].is_numeric();
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if v3 && digits { al } else { bl };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i as isize - 1;
            while j >= 0 && ar[j as usize].is_ascii_digit() {
                if ar[j as usize] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
                j -= 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// Keys of a map in go-yaml's natural order.
pub fn sorted_keys(m: &serde_json::Map<String, Value>) -> Vec<&String> {
    sorted_keys_with(m, natural_less)
}

fn sorted_keys_with(m: &serde_json::Map<String, Value>, less: fn(&str, &str) -> bool) -> Vec<&String> {
    let mut keys: Vec<&String> = m.keys().collect();
    sort_by_less(&mut keys, less);
    keys
}

/// Sorts with a `less` that need not be a total order: go-yaml's natural key
/// order is not one for some key sets (found by fuzz/values_yaml), and Rust's
/// `sort_by` panics on such a comparator where Go's `sort.Sort` just returns
/// some order. Up to 12 keys this is Go's own insertion sort (same result
/// for any `less`); above, a stable merge sort (same result as Go whenever
/// `less` is a strict total order).
fn sort_by_less(keys: &mut [&String], less: fn(&str, &str) -> bool) {
    if keys.len() <= 12 {
        for i in 1..keys.len() {
            let mut j = i;
            while j > 0 && less(keys[j], keys[j - 1]) {
                keys.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    let mid = keys.len() / 2;
    sort_by_less(&mut keys[..mid], less);
    sort_by_less(&mut keys[mid..], less);
    let (left, right) = (keys[..mid].to_vec(), keys[mid..].to_vec());
    let (mut i, mut j) = (0, 0);
    for slot in keys.iter_mut() {
        let take_right = i == left.len() || (j < right.len() && less(right[j], left[i]));
        if take_right {
            *slot = right[j];
            j += 1;
        } else {
            *slot = left[i];
            i += 1;
        }
    }
}

/// How a scalar is presented to the emitter.
struct Scalar {
    text: String,
    style: Style,
}

/// Go `encoding/json` number text, then go-yaml v2 resolution and
/// formatting (the toYaml JSON round trip).
fn v2_number(n: &serde_json::Number) -> String {
    let text = super::json::number_text(n);
    match resolve_plain(&text) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(f) => float_yaml(f),
        _ => text,
    }
}

fn float_yaml(f: f64) -> String {
    let s = format_float(f, 'g', -1, 64);
    match s.as_str() {
        "+Inf" => ".inf".into(),
        "-Inf" => "-.inf".into(),
        "NaN" => ".nan".into(),
        _ => s,
    }
}

/// go-yaml v3 `isOldBool`.
fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// go-yaml v3 resolution of a plain scalar as far as `stringv` cares:
/// does it resolve to `!!str`?
fn v3_plain_is_str(s: &str) -> bool {
    let hint = match s.as_bytes().first() {
        None => return false,
        Some(b'+' | b'-' | b'0'..=b'9') => b'D',
        Some(b't' | b'T' | b'f' | b'F' | b'n' | b'N' | b'~') => b'M',
        Some(b'.') => b'.',
        _ => return true,
    };
    match s {
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" | "~" | "null" | "Null" | "NULL" | ".nan"
        | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf"
        | "-.INF" => return false,
        _ => {}
    }
    if hint == b'M' {
        return true;
    }
    !matches!(
        resolve_plain(s),
        Resolved::Int(_) | Resolved::Uint(_) | Resolved::Float(_) | Resolved::Timestamp
    )
}

fn string_scalar(s: &str, flavor: Flavor) -> Scalar {
    let can_use_plain = if flavor.v3 {
        v3_plain_is_str(s) && !(is_base60_float(s) || is_old_bool(s))
    } else {
        matches!(resolve_plain(s), Resolved::Str | Resolved::Merge) && !is_base60_float(s)
    };
    let style = if s.contains('\n') {
        Style::Literal
    } else if can_use_plain {
        Style::Plain
    } else {
        Style::Double
    };
    Scalar {
        text: s.to_string(),
        style,
    }
}

impl Emitter {
    pub fn new(flavor: Flavor) -> Self {
        Emitter {
            out: Vec::new(),
            flavor,
            best_indent: 2,
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
            flow_level: 0,
            root_context: false,
            mapping_context: false,
            simple_key_context: false,
        }
    }

    /// Emit one document (no `---`), ending with a line break.
    pub fn document(mut self, v: &Value) -> String {
        self.node(v, true, false, false, false);
        // document end: write_indent
        self.write_indent();
        String::from_utf8(self.out).unwrap_or_default()
    }

    fn put(&mut self, c: u8) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push(b'\n');
        self.column = 0;
    }

    fn write(&mut self, s: &[u8], i: &mut usize) {
        let w = width(s[*i]).min(s.len() - *i);
        self.out.extend_from_slice(&s[*i..*i + w]);
        self.column += 1;
        *i += w;
    }

    fn write_all(&mut self, s: &[u8]) {
        let mut i = 0;
        while i < s.len() {
            self.write(s, &mut i);
        }
    }

    fn write_break(&mut self, s: &[u8], i: &mut usize) {
        if s[*i] == b'\n' {
            self.put_break();
            *i += 1;
        } else {
            self.write(s, i);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            self.indent += self.best_indent;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(b' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        ind: &[u8],
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(b' ');
        }
        self.write_all(ind);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn node(&mut self, v: &Value, root: bool, _sequence: bool, mapping: bool, simple_key: bool) {
        self.root_context = root;
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match v {
            Value::Null => self.scalar(&Scalar {
                text: "null".into(),
                style: Style::Plain,
            }),
            Value::Bool(b) => self.scalar(&Scalar {
                text: b.to_string(),
                style: Style::Plain,
            }),
            Value::Number(n) => {
                let text = if self.flavor.v3 {
                    if let Some(i) = n.as_i64() {
                        i.to_string()
                    } else if let Some(u) = n.as_u64() {
                        u.to_string()
                    } else {
                        float_yaml(n.as_f64().unwrap_or(0.0))
                    }
                } else {
                    v2_number(n)
                };
                self.scalar(&Scalar {
                    text,
                    style: Style::Plain,
                })
            }
            Value::String(s) => {
                let sc = string_scalar(s, self.flavor);
                self.scalar(&sc)
            }
            Value::Array(items) => {
                if items.is_empty() {
                    self.empty_flow(b"[", b"]");
                } else {
                    self.block_sequence(items);
                }
            }
            Value::Object(m) => {
                if m.is_empty() {
                    self.empty_flow(b"{", b"}");
                } else {
                    self.block_mapping(m);
                }
            }
        }
    }

    fn empty_flow(&mut self, open: &[u8], close: &[u8]) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Value]) {
        let indentless = if self.flavor.v3 {
            // go-yaml v3 without compact sequences indents them under keys
            false
        } else {
            self.mapping_context && !self.indention
        };
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator(b"-", true, false, true);
            self.node(item, false, true, false, false);
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, m: &serde_json::Map<String, Value>) {
        self.increase_indent(false, false);
        let less = if self.flavor.v3 {
            natural_less_v3
        } else {
            natural_less
        };
        for k in sorted_keys_with(m, less) {
            self.write_indent();
            let key = string_scalar(k, self.flavor);
            let data = analyze_scalar(key.text.as_bytes(), self.flavor.v3);
            let simple = !data.multiline && key.text.len() <= 128;
            if simple {
                self.root_context = false;
                self.mapping_context = true;
                self.simple_key_context = true;
                self.scalar(&key);
                self.write_indicator(b":", false, false, false);
            } else {
                self.write_indicator(b"?", true, false, true);
                self.root_context = false;
                self.mapping_context = true;
                self.simple_key_context = false;
                self.scalar(&key);
                self.write_indent();
                self.write_indicator(b":", true, false, true);
            }
            self.node(&m[k.as_str()], false, false, true, false);
        }
        self.pop_indent();
    }

    fn scalar(&mut self, sc: &Scalar) {
        let value = sc.text.as_bytes();
        let data = analyze_scalar(value, self.flavor.v3);
        // select_scalar_style
        let mut style = sc.style;
        if self.simple_key_context && data.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            if (self.flow_level > 0 && !data.flow_plain_allowed)
                || (self.flow_level == 0 && !data.block_plain_allowed)
            {
                style = Style::Single;
            }
            if value.is_empty() && (self.flow_level > 0 || self.simple_key_context) {
                style = Style::Single;
            }
        }
        if style == Style::Single && !data.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!data.block_allowed || self.flow_level > 0 || self.simple_key_context)
        {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::Single => self.write_single(value, allow_breaks),
            Style::Double => self.write_double(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &[u8], allow_breaks: bool) {
        if !self.whitespace {
            self.put(b' ');
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < value.len() {
            if is_space(value, i) {
                if allow_breaks && !spaces && self.column > self.flavor.best_width && !is_space(value, i + 1)
                {
                    self.write_indent();
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(value, i) {
                if !breaks && value[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(value, &mut i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, value: &[u8], allow_breaks: bool) {
        self.write_indicator(b"'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < value.len() {
            if is_space(value, i) {
                if allow_breaks
                    && !spaces
                    && self.column > self.flavor.best_width
                    && i > 0
                    && i < value.len() - 1
                    && !is_space(value, i + 1)
                {
                    self.write_indent();
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(value, i) {
                if !breaks && value[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if value[i] == b'\'' {
                    self.put(b'\'');
                }
                self.write(value, &mut i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator(b"'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, value: &[u8], allow_breaks: bool) {
        let mut spaces = false;
        self.write_indicator(b"\"", true, false, false);
        let bom = is_bom(value);
        let mut i = 0;
        while i < value.len() {
            if !is_printable(value, i) || bom || is_break(value, i) || value[i] == b'"' || value[i] == b'\\' {
                let octet = value[i];
                let (w, mut v): (usize, u32) = if octet & 0x80 == 0 {
                    (1, (octet & 0x7F) as u32)
                } else if octet & 0xE0 == 0xC0 {
                    (2, (octet & 0x1F) as u32)
                } else if octet & 0xF0 == 0xE0 {
                    (3, (octet & 0x0F) as u32)
                } else {
                    (4, (octet & 0x07) as u32)
                };
                for k in 1..w {
                    v = (v << 6) + (at(value, i + k) as u32 & 0x3F);
                }
                i += w;
                self.put(b'\\');
                match v {
                    0x00 => self.put(b'0'),
                    0x07 => self.put(b'a'),
                    0x08 => self.put(b'b'),
                    0x09 => self.put(b't'),
                    0x0A => self.put(b'n'),
                    0x0B => self.put(b'v'),
                    0x0C => self.put(b'f'),
                    0x0D => self.put(b'r'),
                    0x1B => self.put(b'e'),
                    0x22 => self.put(b'"'),
                    0x5C => self.put(b'\\'),
                    0x85 => self.put(b'N'),
                    0xA0 => self.put(b'_'),
                    0x2028 => self.put(b'L'),
                    0x2029 => self.put(b'P'),
                    _ => {
                        let (c, n) = if v <= 0xFF {
                            (b'x', 2)
                        } else if v <= 0xFFFF {
                            (b'u', 4)
                        } else {
                            (b'U', 8)
                        };
                        self.put(c);
                        let mut k: i32 = (n - 1) * 4;
                        while k >= 0 {
                            let d = ((v >> k) & 0x0F) as u8;
                            self.put(if d < 10 { d + b'0' } else { d + b'A' - 10 });
                            k -= 4;
                        }
                    }
                }
                spaces = false;
            } else if is_space(value, i) {
                if allow_breaks
                    && !spaces
                    && self.column > self.flavor.best_width
                    && i > 0
                    && i < value.len() - 1
                {
                    self.write_indent();
                    if is_space(value, i + 1) {
                        self.put(b'\\');
                    }
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else {
                self.write(value, &mut i);
                spaces = false;
            }
        }
        self.write_indicator(b"\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_block_hints(&mut self, value: &[u8]) {
        if is_space(value, 0) || is_break(value, 0) {
            let hint = [b'0' + self.best_indent as u8];
            self.write_indicator(&hint, false, false, false);
        }
        let mut chomp: Option<u8> = None;
        if value.is_empty() {
            chomp = Some(b'-');
        } else {
            let mut i = value.len() - 1;
            while value[i] & 0xC0 == 0x80 {
                i -= 1;
            }
            if !is_break(value, i) {
                chomp = Some(b'-');
            } else if i == 0 {
                chomp = Some(b'+');
            } else {
                i -= 1;
                while value[i] & 0xC0 == 0x80 {
                    i -= 1;
                }
                if is_break(value, i) {
                    chomp = Some(b'+');
                }
            }
        }
        if let Some(c) = chomp {
            self.write_indicator(&[c], false, false, false);
        }
    }

    fn write_literal(&mut self, value: &[u8]) {
        self.write_indicator(b"|", true, false, false);
        self.write_block_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        let mut i = 0;
        while i < value.len() {
            if is_break(value, i) {
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(value, &mut i);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// What a string becomes when Go's JSON text of it is re-read by go-yaml
/// (the `sigs.k8s.io/yaml` round trip): `encoding/json` leaves U+0085 (NEL)
/// raw and the YAML scanner folds it like a line break inside a
/// double-quoted scalar; DEL and C1 controls are rejected by the YAML
/// reader ("control characters are not allowed").
fn json_yaml_roundtrip_str(s: &str) -> Result<String, String> {
    if s.chars()
        .any(|c| matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}'))
    {
        return Err("yaml: control characters are not allowed".into());
    }
    if !s.contains('\u{85}') {
        return Ok(s.to_string());
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != ' ' && c != '\u{85}' {
            out.push(c);
            i += 1;
            continue;
        }
        let mut whitespace = String::new();
        let mut leading = false;
        let mut trailing = 0;
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\u{85}') {
            if chars[i] == ' ' {
                if !leading {
                    whitespace.push(' ');
                }
            } else if !leading {
                whitespace.clear();
                leading = true;
            } else {
                trailing += 1;
            }
            i += 1;
        }
        if leading {
            if trailing == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', trailing));
            }
        } else {
            out.push_str(&whitespace);
        }
    }
    Ok(out)
}

fn json_yaml_roundtrip(v: &Value) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(json_yaml_roundtrip_str(s)?),
        Value::Array(a) => Value::Array(a.iter().map(json_yaml_roundtrip).collect::<Result<_, _>>()?),
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                out.insert(json_yaml_roundtrip_str(k)?, json_yaml_roundtrip(v)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// `sigs.k8s.io/yaml.Marshal` (JSON round trip, go-yaml v2 `Marshal`), with
/// the trailing newline; e.g. for re-serialising Chart.yaml. The error is
/// the Go error text.
pub fn try_marshal(v: &Value) -> Result<String, String> {
    let v = json_yaml_roundtrip(v)?;
    Ok(Emitter::new(V2).document(&v))
}

/// `sigs.k8s.io/yaml.Marshal` bytes; `""` when Go would fail.
pub fn marshal(v: &Value) -> String {
    try_marshal(v).unwrap_or_default()
}

/// Helm `toYaml`: [`marshal`] with the trailing newline removed; `""` on
/// error (Helm swallows it).
pub fn to_yaml(v: &Value) -> String {
    let mut s = marshal(v);
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

/// Helm `toYamlPretty`: go-yaml v3 encoder with indent 2 (sequences
/// indented under their key, no line wrapping), trailing newline removed.
pub fn to_yaml_pretty(v: &Value) -> String {
    let mut s = Emitter::new(V3).document(v);
    if s.ends_with('\n') {
        s.pop();
    }
    s
}
