//! Executor for parsed Go templates, following `text/template/exec.go`:
//! pipelines, variables, control structures, field chains on maps, nil and
//! objects, Go's argument typing, builtins (`and`/`or` short-circuit, `eq`
//! with many arguments, comparisons with Go's type errors, `index`, `len`,
//! `print*`, `html`, `js`, `urlquery`), and Helm's `include`/`tpl`/
//! `required`/`fail`/`lookup`. Errors carry Go's text
//! (`template: f:L:C: executing "f" at <…>: …`) and its wrap chain.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use super::ast::{Arg, Branch, Cmd, List, Node, Number, Pipe, Template, TemplateCall};
use super::parse::{parse, ParseError, Parsed};
use super::{CallCtx, FuncDef, FuncError, Impl, Registry, Special, Ty};
use crate::chart::fxhash::FxHashMap;
use crate::chart::gofmt;
use crate::chart::value::{ListKind, MapKind, Value};

/// Helm's include recursion limit per template name.
pub const INCLUDE_MAX: usize = 1000;
/// Nesting limit of template invocations (Go allows 100000; the Rust stack
/// is the limit here, and Helm's include limit triggers far earlier).
pub const MAX_DEPTH: usize = 3000;
/// Execution step limit (nodes walked + function calls) per render.
pub const STEP_LIMIT: u64 = 200_000_000;
/// Data produced counts against the step limit too: one step per this many
/// bytes of text written, of function results and of `tpl` source, so a
/// loop over huge values (`range until 100000` of `repeat 100000000 "x"`)
/// ends in the step-limit error instead of exhausting time and memory.
pub const BYTES_PER_STEP: u64 = 64;
/// What generating a key costs in steps (`genPrivateKey`, `genCA`,
/// `genSelfSignedCert`, `genSignedCert`; also the deliberately slow
/// `derivePassword`/`bcrypt`/`htpasswd`): ~0.1 s of CPU each, so a loop of
/// them ends in the step-limit error (at most 2000 per render) instead of
/// running for hours.
pub const SLOW_CALL_STEPS: u64 = 100_000;
/// The largest string or list (in bytes, 16 per element) one function call
/// may build from a count (`repeat`, `indent`, `until`, ...). Helm has no
/// limit (Go runs out of memory); here the call fails with an error.
pub const MAX_VALUE_BYTES: usize = 1 << 28;

const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

/// Methods of typed maps (Helm's `.Files`): `(receiver, method, args)`.
pub type MethodHook = fn(&Value, &str, &[Value]) -> Option<Result<Value, String>>;

/// An execution error: Go's error text and the texts of the errors it wraps
/// (outermost first), which is what Helm 4 parses to format its message.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecError {
    pub chain: Vec<String>,
    /// A `text/template.ExecError` (as opposed to e.g. a missing template).
    pub is_exec: bool,
}

impl ExecError {
    pub fn message(&self) -> &str {
        self.chain.first().map_or("", String::as_str)
    }
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ExecError {}

type TSet = FxHashMap<Arc<str>, Arc<Template>>;

/// Named templates visible to an execution: the engine's set, plus the
/// definitions of enclosing `tpl` calls (Go clones the whole set per `tpl`;
/// an overlay chain gives the same lookups without the copy).
struct Scope {
    map: TSet,
    parent: Option<Rc<Scope>>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<&Arc<Template>> {
        let mut s = self;
        loop {
            if let Some(t) = s.map.get(name) {
                return Some(t);
            }
            s = s.parent.as_deref()?;
        }
    }
}

/// An engine's named templates and settings, shareable between threads
/// (parse trees are immutable).
pub struct Templates {
    set: TSet,
    lint: bool,
    method_hook: Option<MethodHook>,
    step_limit: u64,
}

/// A set of named templates plus the functions they may call.
pub struct Engine {
    set: Rc<Scope>,
    registry: Rc<Registry>,
    pub lint: bool,
    pub method_hook: Option<MethodHook>,
    include_counts: RefCell<FxHashMap<String, usize>>,
    steps: Cell<u64>,
    /// The name of the root variable, shared by every invocation's stack.
    dollar: Arc<str>,
    pub step_limit: u64,
}

fn associate(set: &mut TSet, t: Template) {
    if let Some(old) = set.get(&t.name) {
        if t.is_empty() && !old.is_empty() {
            return;
        }
        if t.is_empty() && old.is_empty() {
            // keep the older one as Go does for an empty redefinition
            return;
        }
    }
    set.insert(t.name.clone(), Arc::new(t));
}

fn add_parsed(set: &mut TSet, parsed: Parsed) {
    // Go adds the file's own tree unconditionally (it is new in the set),
    // then its definitions with the associate rule.
    set.insert(parsed.main.name.clone(), Arc::new(parsed.main));
    for d in parsed.defines {
        associate(set, d);
    }
}

impl Engine {
    pub fn new(registry: Rc<Registry>) -> Self {
        Engine {
            set: Rc::new(Scope {
                map: TSet::default(),
                parent: None,
            }),
            registry,
            lint: false,
            method_hook: None,
            include_counts: RefCell::new(FxHashMap::default()),
            steps: Cell::new(0),
            dollar: Arc::from("$"),
            step_limit: STEP_LIMIT,
        }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The engine's named templates and settings, to build another engine
    /// like it, on another thread if need be ([`Engine::from_templates`]).
    pub fn templates(&self) -> Templates {
        Templates {
            set: self.set.map.clone(),
            lint: self.lint,
            method_hook: self.method_hook,
            step_limit: self.step_limit,
        }
    }

    /// An engine over `templates` (see [`Engine::templates`]) and the
    /// functions of `registry`, no steps taken yet.
    pub fn from_templates(registry: Rc<Registry>, templates: Templates) -> Engine {
        let mut e = Engine::new(registry);
        e.lint = templates.lint;
        e.method_hook = templates.method_hook;
        e.step_limit = templates.step_limit;
        e.set = Rc::new(Scope {
            map: templates.set,
            parent: None,
        });
        e
    }

    /// Steps taken by every execution so far (see [`STEP_LIMIT`]).
    pub fn steps_taken(&self) -> u64 {
        self.steps.get()
    }

    /// Counts `n` steps as taken (by executions that ran elsewhere).
    pub fn charge_steps(&self, n: u64) {
        self.steps.set(self.steps.get().saturating_add(n));
    }

    /// Parses a file's text as template `name` and adds it and its `define`s.
    pub fn parse_file(&mut self, name: &str, text: &str) -> Result<(), ParseError> {
        let reg = self.registry.clone();
        let parsed = parse(name, text, &|n| reg.contains(n))?;
        self.add(parsed);
        Ok(())
    }

    /// Adds a parsed file to the set (copied first when a `tpl` overlay
    /// still shares it), as [`Engine::parse_file`] would after parsing.
    pub fn add(&mut self, parsed: Parsed) {
        match Rc::get_mut(&mut self.set) {
            Some(scope) => add_parsed(&mut scope.map, parsed),
            None => {
                let mut map = self.set.map.clone();
                add_parsed(&mut map, parsed);
                self.set = Rc::new(Scope {
                    map,
                    parent: self.set.parent.clone(),
                });
            }
        }
    }

    /// Parses many files (on several threads) and adds them to the set in
    /// the given order, as successive [`Engine::parse_file`] calls would.
    /// Stops at the first file, in that order, that does not parse.
    pub fn parse_files(&mut self, files: &[(&str, &str)]) -> Result<(), (usize, ParseError)> {
        let reg: &Registry = &self.registry;
        let has_func = |n: &str| reg.contains(n);
        let parsed = crate::chart::par::map(files, |(name, text)| parse(name, text, &has_func));
        for (i, p) in parsed.into_iter().enumerate() {
            self.add(p.map_err(|e| (i, e))?);
        }
        Ok(())
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.set.get(name).is_some()
    }

    /// Executes the named template with `data` as dot.
    pub fn execute(&self, name: &str, data: Value) -> Result<String, ExecError> {
        let Some(t) = self.set.get(name).cloned() else {
            return Err(ExecError {
                chain: vec![format!(
                    "template: no template {} associated with template \"gotpl\"",
                    gofmt::quote(name)
                )],
                is_exec: false,
            });
        };
        // a template's output is usually about as long as its source
        let mut out = String::with_capacity(t.source.text.len().max(1024));
        let invalid = data.is_nil();
        let mut st = State {
            eng: self,
            set: self.set.clone(),
            tmpl: &t,
            vars: vec![Var {
                name: self.dollar.clone(),
                v: data.clone(),
                invalid,
            }],
            depth: 0,
        };
        st.walk_list(&mut out, &data, invalid, &t.root)?;
        Ok(out)
    }
}

/// A rendered text without Go's `<no value>` markers, as Helm strips them
/// (from each template's output and from `tpl`'s); most texts hold none and
/// are returned as they are, without a copy.
pub fn without_no_value(s: String) -> String {
    if memchr::memmem::find(s.as_bytes(), b"<no value>").is_some() {
        s.replace("<no value>", "")
    } else {
        s
    }
}

#[derive(Clone)]
struct Var {
    name: Arc<str>,
    v: Value,
    invalid: bool,
}

struct State<'e, 't> {
    eng: &'e Engine,
    set: Rc<Scope>,
    /// the template being run: the nodes walked are its, and their leaf
    /// operands are spans of its source ([`State::src`])
    tmpl: &'t Template,
    vars: Vec<Var>,
    depth: usize,
}

enum Flow {
    Normal,
    Break,
    Continue,
}

/// What an error is reported "at".
enum At<'a> {
    None,
    Arg(&'a Arg),
    Cmd(&'a Cmd),
    Pipe(&'a Pipe),
    Ident(usize, &'a str),
    Text(usize, String),
}

type R<T> = Result<T, ExecError>;

/// Go 1.27's `ErrorContext` no longer truncates the node text.
fn truncate_context(s: &str) -> String {
    s.to_string()
}

impl<'t> State<'_, 't> {
    /// The source text of the template being run (for the spans of its
    /// nodes); borrowed for as long as the template, not the state.
    fn src(&self) -> &'t str {
        let t: &'t Template = self.tmpl;
        &t.source.text
    }

    fn error_at(&self, at: At<'_>, msg: String, wrapped: Vec<String>) -> ExecError {
        let (pos, ctx) = match at {
            At::None => (None, String::new()),
            At::Arg(a) => (Some(a.pos()), a.show(self.src()).to_string()),
            At::Cmd(c) => (Some(c.pos), c.show(self.src()).to_string()),
            At::Pipe(p) => (Some(p.pos), p.show(self.src()).to_string()),
            At::Ident(p, s) => (Some(p), s.to_string()),
            At::Text(p, s) => (Some(p), s),
        };
        let full = match pos {
            Some(pos) => format!(
                "template: {}: executing {} at <{}>: {}",
                self.tmpl.source.location(pos),
                gofmt::quote(&self.tmpl.name),
                truncate_context(&ctx),
                msg
            ),
            None => format!("template: {}: {}", self.tmpl.name, msg),
        };
        let mut chain = vec![full];
        chain.extend(wrapped);
        ExecError { chain, is_exec: true }
    }

    fn errorf(&self, at: At<'_>, msg: impl Into<String>) -> ExecError {
        self.error_at(at, msg.into(), Vec::new())
    }

    fn step(&self) -> R<()> {
        self.steps(1)
    }

    /// Charges for `bytes` of produced data (see [`BYTES_PER_STEP`]).
    fn charge(&self, bytes: usize) -> R<()> {
        match bytes as u64 / BYTES_PER_STEP {
            0 => Ok(()),
            n => self.steps(n),
        }
    }

    /// What a function may still build: [`MAX_VALUE_BYTES`], or less when
    /// the step budget left is smaller.
    fn bytes_left(&self) -> usize {
        let left = self.eng.step_limit.saturating_sub(self.eng.steps.get());
        usize::try_from(left.saturating_mul(BYTES_PER_STEP))
            .unwrap_or(usize::MAX)
            .min(MAX_VALUE_BYTES)
    }

    fn steps(&self, k: u64) -> R<()> {
        let n = self.eng.steps.get().saturating_add(k);
        self.eng.steps.set(n);
        if n > self.eng.step_limit {
            return Err(self.errorf(
                At::None,
                format!(
                    "template execution exceeded the step limit ({} steps)",
                    self.eng.step_limit
                ),
            ));
        }
        Ok(())
    }

    fn walk_list(&mut self, out: &mut String, dot: &Value, dinv: bool, list: &List) -> R<Flow> {
        for n in list {
            match self.walk(out, dot, dinv, n)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, out: &mut String, dot: &Value, dinv: bool, node: &Node) -> R<Flow> {
        self.step()?;
        match node {
            Node::Text(start, end) => {
                self.charge(end - start)?;
                out.push_str(self.tmpl.text(*start, *end));
            }
            Node::Action(pipe) => {
                let (v, _) = self.eval_pipeline(dot, dinv, pipe)?;
                if pipe.decl.is_empty() {
                    let before = out.len();
                    print_value(out, &v);
                    self.charge(out.len() - before)?;
                }
            }
            Node::If(b) => return self.walk_if_with(out, dot, dinv, b, false),
            Node::With(b) => return self.walk_if_with(out, dot, dinv, b, true),
            Node::Range(b) => return self.walk_range(out, dot, dinv, b),
            Node::Template(call) => {
                let TemplateCall { pos, name, pipe } = &**call;
                let Some(t) = self.set.get(name).cloned() else {
                    return Err(self.errorf(
                        At::Text(*pos, template_string(name, pipe.as_ref(), self.src())),
                        format!("template {} not defined", gofmt::quote(name)),
                    ));
                };
                let (data, dinv2) = match pipe {
                    Some(p) => self.eval_pipeline(dot, dinv, p)?,
                    None => (Value::Nil, true),
                };
                if self.depth >= MAX_DEPTH {
                    return Err(self.errorf(
                        At::Text(*pos, template_string(name, pipe.as_ref(), self.src())),
                        format!("exceeded maximum template depth ({MAX_DEPTH})"),
                    ));
                }
                let mut sub = State {
                    eng: self.eng,
                    set: self.set.clone(),
                    tmpl: &t,
                    vars: vec![Var {
                        name: self.eng.dollar.clone(),
                        v: data.clone(),
                        invalid: dinv2,
                    }],
                    depth: self.depth + 1,
                };
                sub.walk_list(out, &data, dinv2, &t.root)?;
            }
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_with(
        &mut self,
        out: &mut String,
        dot: &Value,
        dinv: bool,
        b: &Branch,
        is_with: bool,
    ) -> R<Flow> {
        let mark = self.vars.len();
        let r = (|| {
            let (v, vinv) = self.eval_pipeline(dot, dinv, &b.pipe)?;
            if v.truthy() {
                if is_with {
                    self.walk_list(out, &v, vinv, &b.list)
                } else {
                    self.walk_list(out, dot, dinv, &b.list)
                }
            } else if let Some(el) = &b.else_list {
                self.walk_list(out, dot, dinv, el)
            } else {
                Ok(Flow::Normal)
            }
        })();
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, out: &mut String, dot: &Value, dinv: bool, b: &Branch) -> R<Flow> {
        let mark0 = self.vars.len();
        let r = self.walk_range_inner(out, dot, dinv, b);
        self.vars.truncate(mark0);
        r
    }

    fn walk_range_inner(&mut self, out: &mut String, dot: &Value, dinv: bool, b: &Branch) -> R<Flow> {
        let (val, _) = self.eval_pipeline(dot, dinv, &b.pipe)?;
        let mark = self.vars.len();
        let items: Vec<(Value, Value)> = match &val {
            Value::List(l) => l
                .items()
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::Int(i as i64), v.clone()))
                .collect(),
            Value::Map(m) => m
                .entries()
                .iter()
                .map(|(k, v)| (Value::str(k), v.clone()))
                .collect(),
            Value::Bytes(bs) => bs
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::Int(i as i64), Value::Int(i64::from(*v))))
                .collect(),
            Value::Int(n) | Value::Int64(n) => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.errorf(
                        At::Pipe(&b.pipe),
                        format!(
                            "can't use {} to iterate over more than one variable",
                            gofmt::sprint_v(&val)
                        ),
                    ));
                }
                let mk = |i: i64| {
                    if matches!(val, Value::Int(_)) {
                        Value::Int(i)
                    } else {
                        Value::Int64(i)
                    }
                };
                (0..*n).map(|i| (mk(i), mk(i))).collect()
            }
            Value::Nil => Vec::new(),
            other => {
                return Err(self.errorf(
                    At::Pipe(&b.pipe),
                    format!("range can't iterate over {}", gofmt::sprint_v(other)),
                ))
            }
        };
        if items.is_empty() {
            if let Some(el) = &b.else_list {
                return self.walk_list(out, dot, dinv, el);
            }
            return Ok(Flow::Normal);
        }
        for (index, elem) in items {
            let nd = b.pipe.decl.len();
            if nd > 0 {
                if b.pipe.is_assign {
                    if nd > 1 {
                        self.set_var(&b.pipe.decl[0], index.clone(), false);
                    } else {
                        self.set_var(&b.pipe.decl[0], elem.clone(), false);
                    }
                } else {
                    let top = self.vars.len() - 1;
                    self.vars[top].v = elem.clone();
                    self.vars[top].invalid = false;
                }
            }
            if nd > 1 {
                if b.pipe.is_assign {
                    self.set_var(&b.pipe.decl[1], elem.clone(), false);
                } else {
                    let i = self.vars.len() - 2;
                    self.vars[i].v = index.clone();
                    self.vars[i].invalid = false;
                }
            }
            let r = self.walk_list(out, &elem, false, &b.list);
            self.vars.truncate(mark);
            match r? {
                Flow::Break => break,
                Flow::Continue | Flow::Normal => {}
            }
        }
        Ok(Flow::Normal)
    }

    fn set_var(&mut self, name: &str, v: Value, invalid: bool) {
        for var in self.vars.iter_mut().rev() {
            if &*var.name == name {
                var.v = v;
                var.invalid = invalid;
                return;
            }
        }
    }

    fn var_value(&self, name: &str, at: At<'_>) -> R<(Value, bool)> {
        for var in self.vars.iter().rev() {
            if &*var.name == name {
                return Ok((var.v.clone(), var.invalid));
            }
        }
        Err(self.errorf(at, format!("undefined variable: {name}")))
    }

    fn eval_pipeline(&mut self, dot: &Value, dinv: bool, pipe: &Pipe) -> R<(Value, bool)> {
        let mut value: Option<(Value, bool)> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, dinv, cmd, value.take())?;
            // interface{} results are unwrapped: a nil becomes "invalid"
            let inv = v.is_nil();
            value = Some((v, inv));
        }
        let (v, inv) = value.unwrap_or((Value::Nil, true));
        for d in &pipe.decl {
            if pipe.is_assign {
                self.set_var(d, v.clone(), inv);
            } else {
                self.vars.push(Var {
                    name: d.clone(),
                    v: v.clone(),
                    invalid: inv,
                });
            }
        }
        Ok((v, inv))
    }

    fn not_a_function(&self, cmd: &Cmd, final_: &Option<(Value, bool)>) -> R<()> {
        if cmd.args.len() > 1 || final_.is_some() {
            return Err(self.errorf(
                At::Arg(&cmd.args[0]),
                format!(
                    "can't give argument to non-function {}",
                    cmd.args[0].show(self.src())
                ),
            ));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        dot: &Value,
        dinv: bool,
        cmd: &Cmd,
        final_: Option<(Value, bool)>,
    ) -> R<Value> {
        let first = &cmd.args[0];
        match first {
            Arg::Field(_, fields) => {
                let fields = fields.names(self.src());
                self.eval_field_chain(dot, dot, dinv, first, fields, &cmd.args[1..], final_, dinv)
            }
            Arg::Chain(_, node, fields) => {
                let (recv, rinv) = self.eval_chain_receiver(dot, dinv, node)?;
                let fields = fields.names(self.src());
                self.eval_field_chain(dot, &recv, rinv, first, fields, &cmd.args[1..], final_, dinv)
            }
            Arg::Identifier(name) => {
                let name = name.text(self.src());
                self.eval_function(dot, dinv, first.pos(), name, cmd, final_)
            }
            Arg::Pipe(_, p) => {
                self.not_a_function(cmd, &final_)?;
                Ok(self.eval_pipeline(dot, dinv, p)?.0)
            }
            Arg::Variable(_, text) => {
                let (name, fields) = variable_parts(text.text(self.src()));
                let (v, vinv) = self.var_value(name, At::Arg(first))?;
                if fields.is_empty() {
                    self.not_a_function(cmd, &final_)?;
                    return Ok(v);
                }
                self.eval_field_chain(dot, &v, vinv, first, fields, &cmd.args[1..], final_, dinv)
            }
            _ => {
                self.not_a_function(cmd, &final_)?;
                match first {
                    Arg::Bool(_, b) => Ok(Value::Bool(*b)),
                    Arg::Dot(_) => Ok(dot.clone()),
                    Arg::Nil(_) => Err(self.errorf(At::Arg(first), "nil is not a command")),
                    Arg::Number(_, n) => self.ideal_constant(first, n),
                    Arg::String(span, value) => Ok(Value::String(Rc::from(Arg::string_value(
                        span,
                        value,
                        self.src(),
                    )))),
                    _ => Err(self.errorf(
                        At::Arg(first),
                        format!("can't evaluate command {}", first.show(self.src())),
                    )),
                }
            }
        }
    }

    fn ideal_constant(&self, at: &Arg, n: &Number) -> R<Value> {
        if n.is_float_const {
            return Ok(Value::Float(n.float.unwrap_or(0.0)));
        }
        match n.int {
            Some(i) => Ok(Value::Int(i)),
            None => Err(self.errorf(At::Arg(at), format!("{} overflows int", n.span.text(self.src())))),
        }
    }

    fn eval_chain_receiver(&mut self, dot: &Value, dinv: bool, node: &Arg) -> R<(Value, bool)> {
        match node {
            Arg::Pipe(_, p) => {
                let (v, _) = self.eval_pipeline(dot, dinv, p)?;
                let inv = v.is_nil();
                Ok((v, inv))
            }
            other => {
                let v = self.eval_arg_any(dot, dinv, other)?;
                let inv = v.is_nil();
                Ok((v, inv))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Value,
        receiver: &Value,
        rinv: bool,
        node: &Arg,
        fields: &str,
        args: &[Arg],
        final_: Option<(Value, bool)>,
        dinv: bool,
    ) -> R<Value> {
        let mut recv = receiver.clone();
        let mut inv = rinv;
        let mut rest = fields;
        while let Some((name, more)) = split_at_dot(rest) {
            recv = self.eval_field(dot, dinv, name, node, &[], None, &recv, inv)?;
            inv = false;
            rest = more;
        }
        self.eval_field(dot, dinv, rest, node, args, final_, &recv, inv)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &Value,
        dinv: bool,
        name: &str,
        node: &Arg,
        args: &[Arg],
        final_: Option<(Value, bool)>,
        recv: &Value,
        rinv: bool,
    ) -> R<Value> {
        let has_args = !args.is_empty() || final_.is_some();
        match recv {
            Value::Nil => {
                if rinv {
                    return Ok(Value::Nil);
                }
                Err(self.errorf(
                    At::Arg(node),
                    format!("nil pointer evaluating interface {{}}.{name}"),
                ))
            }
            Value::Map(m) => {
                if m.kind == MapKind::Files {
                    if let Some(hook) = self.eng.method_hook {
                        if files_method(name) {
                            let argv = self.eval_method_args(dot, dinv, args, final_, node)?;
                            return match hook(recv, name, &argv) {
                                Some(Ok(v)) => Ok(v),
                                Some(Err(e)) => Err(self.error_at(
                                    At::Arg(node),
                                    format!("error calling {name}: {e}"),
                                    vec![e],
                                )),
                                None => Err(self.errorf(
                                    At::Arg(node),
                                    format!("can't evaluate field {name} in type {}", recv.type_name()),
                                )),
                            };
                        }
                    }
                }
                if has_args {
                    return Err(
                        self.errorf(At::Arg(node), format!("{name} is not a method but has arguments"))
                    );
                }
                Ok(m.entries().get(name).cloned().unwrap_or(Value::Nil))
            }
            Value::List(l) if l.kind == ListKind::VersionSet && name == "Has" => {
                let argv = self.eval_method_args(dot, dinv, args, final_, node)?;
                if argv.len() != 1 {
                    return Err(self.errorf(
                        At::Arg(node),
                        format!("wrong number of args for Has: want 1 got {}", argv.len()),
                    ));
                }
                let Value::String(s) = &argv[0] else {
                    return Err(self.errorf(
                        At::Arg(node),
                        format!(
                            "wrong type for value; expected string; got {}",
                            argv[0].type_name()
                        ),
                    ));
                };
                let found = l.items().iter().any(|v| v.as_str() == Some(s));
                Ok(Value::Bool(found))
            }
            Value::Object(o) => {
                let argv = self.eval_method_args(dot, dinv, args, final_, node)?;
                match o.call(name, &argv) {
                    Some(Ok(v)) => Ok(v),
                    Some(Err(e)) => {
                        Err(self.error_at(At::Arg(node), format!("error calling {name}: {e}"), vec![e]))
                    }
                    None => Err(self.errorf(
                        At::Arg(node),
                        format!("can't evaluate field {name} in type {}", o.type_name()),
                    )),
                }
            }
            _ => Err(self.errorf(
                At::Arg(node),
                format!("can't evaluate field {name} in type interface {{}}"),
            )),
        }
    }

    fn eval_method_args(
        &mut self,
        dot: &Value,
        dinv: bool,
        args: &[Arg],
        final_: Option<(Value, bool)>,
        _node: &Arg,
    ) -> R<Vec<Value>> {
        let mut argv = Vec::with_capacity(args.len() + 1);
        for a in args {
            argv.push(self.eval_arg_any(dot, dinv, a)?);
        }
        if let Some((v, _)) = final_ {
            argv.push(v);
        }
        Ok(argv)
    }

    /// Evaluates an argument for an `interface{}` parameter.
    fn eval_arg_any(&mut self, dot: &Value, dinv: bool, a: &Arg) -> R<Value> {
        Ok(self.eval_arg(dot, dinv, a, Ty::Any)?.0)
    }

    /// Evaluates an argument for a parameter of Go type `ty`.
    fn eval_arg(&mut self, dot: &Value, dinv: bool, a: &Arg, ty: Ty) -> R<(Value, bool)> {
        let (v, inv) = match a {
            Arg::Dot(_) => (dot.clone(), dinv),
            Arg::Nil(_) => {
                if ty.can_be_nil() {
                    return Ok((Value::Nil, false));
                }
                return Err(self.errorf(At::Arg(a), format!("cannot assign nil to {}", ty.go_name())));
            }
            Arg::Field(_, fields) => {
                let fields = fields.names(self.src());
                (
                    self.eval_field_chain(dot, dot, dinv, a, fields, &[], None, dinv)?,
                    false,
                )
            }
            Arg::Variable(_, text) => {
                let (name, fields) = variable_parts(text.text(self.src()));
                let (v, vinv) = self.var_value(name, At::Arg(a))?;
                if fields.is_empty() {
                    (v, vinv)
                } else {
                    (
                        self.eval_field_chain(dot, &v, vinv, a, fields, &[], None, dinv)?,
                        false,
                    )
                }
            }
            Arg::Pipe(_, p) => {
                let (v, _) = self.eval_pipeline(dot, dinv, p)?;
                let inv = v.is_nil();
                (v, inv)
            }
            Arg::Identifier(name) => {
                let cmd = Cmd {
                    pos: name.pos,
                    args: Vec::new(),
                };
                let name = name.text(self.src());
                (self.eval_function(dot, dinv, cmd.pos, name, &cmd, None)?, false)
            }
            Arg::Chain(_, node, fields) => {
                let (recv, rinv) = self.eval_chain_receiver(dot, dinv, node)?;
                let fields = fields.names(self.src());
                (
                    self.eval_field_chain(dot, &recv, rinv, a, fields, &[], None, dinv)?,
                    false,
                )
            }
            Arg::Bool(_, b) => {
                return match ty {
                    Ty::Bool | Ty::Any => Ok((Value::Bool(*b), false)),
                    _ => Err(self.const_mismatch(a, ty)),
                }
            }
            Arg::String(span, value) => {
                return match ty {
                    Ty::String | Ty::Any => Ok((
                        Value::String(Rc::from(Arg::string_value(span, value, self.src()))),
                        false,
                    )),
                    _ => Err(self.const_mismatch(a, ty)),
                }
            }
            Arg::Number(_, n) => {
                return match ty {
                    Ty::Any => Ok((self.ideal_constant(a, n)?, false)),
                    Ty::Int | Ty::Int64 => match n.int {
                        Some(i)
                            if !n.span.text(self.src()).contains(['.', 'e', 'E'])
                                || n.float == Some(i as f64) =>
                        {
                            Ok((
                                if ty == Ty::Int {
                                    Value::Int(i)
                                } else {
                                    Value::Int64(i)
                                },
                                false,
                            ))
                        }
                        _ => Err(self.const_mismatch(a, ty)),
                    },
                    Ty::Float64 => match n.float {
                        Some(f) => Ok((Value::Float(f), false)),
                        None => Err(self.const_mismatch(a, ty)),
                    },
                    _ => Err(self.const_mismatch(a, ty)),
                }
            }
        };
        self.validate_type(a, v, inv, ty)
    }

    fn const_mismatch(&self, arg: &Arg, ty: Ty) -> ExecError {
        let a = arg.show(self.src());
        let msg = match ty {
            Ty::Bool => format!("expected bool; found {a}"),
            Ty::String => format!("expected string; found {a}"),
            Ty::Int | Ty::Int64 => format!("expected integer; found {a}"),
            Ty::Float64 => format!("expected float; found {a}"),
            _ => format!("can't handle {a} for arg of type {}", ty.go_name()),
        };
        self.errorf(At::Arg(arg), msg)
    }

    fn validate_type(&self, a: &Arg, v: Value, inv: bool, ty: Ty) -> R<(Value, bool)> {
        validate(&v, inv, ty)
            .map(|()| (v, inv))
            .map_err(|msg| self.errorf(At::Arg(a), msg))
    }

    fn eval_function(
        &mut self,
        dot: &Value,
        dinv: bool,
        pos: usize,
        name: &str,
        cmd: &Cmd,
        final_: Option<(Value, bool)>,
    ) -> R<Value> {
        self.step()?;
        let eng: &Engine = self.eng;
        let Some(def) = eng.registry.get(name) else {
            return Err(self.errorf(
                At::Ident(pos, name),
                format!("{} is not a defined function", gofmt::quote(name)),
            ));
        };
        let args: &[Arg] = if cmd.args.is_empty() { &[] } else { &cmd.args[1..] };
        // and/or short-circuit (Go 1.18+), only for the builtins
        if let Impl::Special(sp @ (Special::And | Special::Or)) = def.imp {
            let is_or = sp == Special::Or;
            let num_in = args.len() + usize::from(final_.is_some());
            if num_in < 1 {
                return Err(self.errorf(
                    At::Ident(pos, name),
                    format!(
                        "wrong number of args for {name}: want at least 1 got {}",
                        args.len()
                    ),
                ));
            }
            let mut v = Value::Nil;
            for a in args {
                v = self.eval_arg_any(dot, dinv, a)?;
                if v.truthy() == is_or {
                    return Ok(v);
                }
            }
            if let Some((f, _)) = final_ {
                v = f;
            }
            return Ok(v);
        }
        let num_in = args.len() + usize::from(final_.is_some());
        let nparams = def.params.len();
        if def.variadic.is_some() {
            if num_in < nparams {
                return Err(self.errorf(
                    At::Ident(pos, name),
                    format!(
                        "wrong number of args for {name}: want at least {nparams} got {}",
                        args.len()
                    ),
                ));
            }
        } else if num_in != nparams {
            return Err(self.errorf(
                At::Ident(pos, name),
                format!("wrong number of args for {name}: want {nparams} got {num_in}"),
            ));
        }
        let ty_of = |i: usize, def: &FuncDef| -> Ty {
            if i < def.params.len() {
                def.params[i]
            } else {
                def.variadic.unwrap_or(Ty::Any)
            }
        };
        let mut argv = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            let (v, _) = self.eval_arg(dot, dinv, a, ty_of(i, def))?;
            argv.push(v);
        }
        if let Some((f, finv)) = final_ {
            let t = ty_of(argv.len(), def);
            if let Err(msg) = validate(&f, finv, t) {
                return Err(self.errorf(At::Cmd(cmd), msg));
            }
            argv.push(f);
        }
        let result = match def.imp {
            Impl::Plain(f) => {
                if def.slow {
                    self.steps(SLOW_CALL_STEPS)?;
                }
                let mut ctx = CallCtx {
                    lint: self.eng.lint,
                    name,
                    max_bytes: self.bytes_left(),
                };
                let r = f(&mut ctx, &argv);
                if let Ok(v) = &r {
                    self.charge(value_size(v))?;
                }
                r
            }
            Impl::Special(Special::Include) => self.include(&argv),
            Impl::Special(Special::Tpl) => self.tpl(&argv),
            Impl::Special(Special::Call) => Err(FuncError::new(format!(
                "non-function {} of type {}",
                argv.first().map(gofmt::sprint_v).unwrap_or_default(),
                argv.first().map(Value::type_name).unwrap_or_default()
            ))),
            Impl::Special(_) => Ok(Value::Nil),
        };
        match result {
            Ok(v) => Ok(v),
            Err(e) => Err(self.error_at(
                At::Cmd(cmd),
                format!("error calling {name}: {}", e.message()),
                e.chain,
            )),
        }
    }

    fn include(&mut self, argv: &[Value]) -> Result<Value, FuncError> {
        let name = argv[0].as_str().unwrap_or_default();
        let data = argv[1].clone();
        {
            let mut counts = self.eng.include_counts.borrow_mut();
            let c = match counts.get_mut(name) {
                Some(c) => c,
                None => counts.entry(name.to_string()).or_insert(0),
            };
            if *c > INCLUDE_MAX {
                return Err(FuncError {
                    chain: vec![
                        format!(
                            "rendering template has a nested reference name: {name}: unable to execute template"
                        ),
                        "unable to execute template".to_string(),
                    ],
                });
            }
            *c += 1;
        }
        let r = self.exec_named(name, data);
        if let Some(c) = self.eng.include_counts.borrow_mut().get_mut(name) {
            *c = c.saturating_sub(1);
        }
        r.map(Value::from)
    }

    fn exec_named(&mut self, name: &str, data: Value) -> Result<String, FuncError> {
        let Some(t) = self.set.get(name).cloned() else {
            return Err(FuncError::new(format!(
                "template: no template {} associated with template \"gotpl\"",
                gofmt::quote(name)
            )));
        };
        if self.depth >= MAX_DEPTH {
            return Err(FuncError::new(format!(
                "template: {}: exceeded maximum template depth ({MAX_DEPTH})",
                name
            )));
        }
        let invalid = data.is_nil();
        let mut sub = State {
            eng: self.eng,
            set: self.set.clone(),
            tmpl: &t,
            vars: vec![Var {
                name: self.eng.dollar.clone(),
                v: data.clone(),
                invalid,
            }],
            depth: self.depth + 1,
        };
        // named templates mostly render short strings (names, labels):
        // start past the first few growth steps
        let mut out = String::with_capacity(64);
        match sub.walk_list(&mut out, &data, invalid, &t.root) {
            Ok(_) => Ok(out),
            Err(e) => Err(FuncError { chain: e.chain }),
        }
    }

    fn tpl(&mut self, argv: &[Value]) -> Result<Value, FuncError> {
        let text = argv[0].as_str().unwrap_or_default().to_string();
        self.charge(text.len())
            .map_err(|e| FuncError { chain: e.chain })?;
        let data = argv[1].clone();
        let reg = self.eng.registry.clone();
        let parsed = match parse("gotpl", &text, &|n| reg.contains(n)) {
            Ok(p) => p,
            Err(e) => {
                let inner = e.to_string();
                return Err(FuncError {
                    chain: vec![
                        format!("cannot parse template {}: {inner}", gofmt::quote(&text)),
                        inner,
                    ],
                });
            }
        };
        let mut map = TSet::default();
        // definitions in the tpl text only replace visible ones per Go's
        // associate rule (an empty redefinition keeps the old template)
        for d in parsed.defines {
            if d.is_empty() && self.set.get(&d.name).is_some() {
                continue;
            }
            associate(&mut map, d);
        }
        map.insert(parsed.main.name.clone(), Arc::new(parsed.main));
        let set = Rc::new(Scope {
            map,
            parent: Some(self.set.clone()),
        });
        let saved = std::mem::replace(&mut self.set, set);
        let r = self.exec_named("gotpl", data);
        self.set = saved;
        match r {
            Ok(s) => Ok(Value::from(without_no_value(s))),
            Err(e) => {
                let mut chain = vec![format!(
                    "error during tpl function execution for {}: {}",
                    gofmt::quote(&text),
                    e.message()
                )];
                chain.extend(e.chain);
                Err(FuncError { chain })
            }
        }
    }
}

/// A variable operand's name and the fields after it (`a.b`, or empty).
fn variable_parts(text: &str) -> (&str, &str) {
    split_at_dot(text).unwrap_or((text, ""))
}

/// `s.split_once('.')` for the short names of a field chain (a byte loop:
/// the general pattern search costs more than the names are long).
fn split_at_dot(s: &str) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == b'.')?;
    Some((&s[..i], &s[i + 1..]))
}

fn files_method(name: &str) -> bool {
    matches!(
        name,
        "Get" | "GetBytes" | "Glob" | "Lines" | "AsConfig" | "AsSecrets"
    )
}

/// Go's `String()` of a `{{template}}` node (its pipeline parsed from `src`).
fn template_string(name: &str, pipe: Option<&Pipe>, src: &str) -> String {
    match pipe {
        Some(p) => format!("{{{{template {} {}}}}}", gofmt::quote(name), p.show(src)),
        None => format!("{{{{template {}}}}}", gofmt::quote(name)),
    }
}

/// Go's `validateType` for a non-constant value.
fn validate(v: &Value, invalid: bool, ty: Ty) -> Result<(), String> {
    if ty == Ty::Any {
        return Ok(());
    }
    if v.is_nil() {
        if ty.can_be_nil() {
            return Ok(());
        }
        if invalid {
            return Err(format!("invalid value; expected {}", ty.go_name()));
        }
        return Err(format!(
            "wrong type for value; expected {}; got interface {{}}",
            ty.go_name()
        ));
    }
    let ok = match ty {
        Ty::Any => true,
        Ty::String => matches!(v, Value::String(_)),
        Ty::Int => matches!(v, Value::Int(_)),
        Ty::Int64 => matches!(v, Value::Int64(_)),
        Ty::Float64 => matches!(v, Value::Float(_)),
        Ty::Bool => matches!(v, Value::Bool(_)),
        Ty::Map => matches!(v, Value::Map(m) if m.kind == MapKind::Any),
        Ty::List => matches!(v, Value::List(l) if l.kind == ListKind::Any),
        Ty::Strings => matches!(v, Value::List(l) if l.kind == ListKind::Strings),
        Ty::Bytes => matches!(v, Value::Bytes(_)),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "wrong type for value; expected {}; got {}",
            ty.go_name(),
            v.type_name()
        ))
    }
}

/// The bytes a function result holds at its top level (what it cost to build).
fn value_size(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.items().len().saturating_mul(16),
        Value::Map(m) => m.entries().len().saturating_mul(32),
        _ => 0,
    }
}

/// What `{{ x }}` writes (Go's `printValue`).
fn print_value(out: &mut String, v: &Value) {
    match v {
        Value::Nil => out.push_str("<no value>"),
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => {
            use std::fmt::Write;
            let _ = write!(out, "{i}");
        }
        other => out.push_str(&gofmt::sprint_v(other)),
    }
}

// ---------------------------------------------------------------------------
// builtins

fn def(params: &[Ty], variadic: Option<Ty>, f: super::Func) -> FuncDef {
    FuncDef {
        params: params.to_vec(),
        variadic,
        imp: Impl::Plain(f),
        builtin: true,
        slow: false,
    }
}

fn special(params: &[Ty], variadic: Option<Ty>, s: Special, builtin: bool) -> FuncDef {
    FuncDef {
        params: params.to_vec(),
        variadic,
        imp: Impl::Special(s),
        builtin,
        slow: false,
    }
}

pub(crate) fn register_builtins(r: &mut Registry) {
    use Ty::*;
    r.register_def("and", special(&[Any], Some(Any), Special::And, true));
    r.register_def("or", special(&[Any], Some(Any), Special::Or, true));
    r.register_def("call", special(&[Any], Some(Any), Special::Call, true));
    r.register_def("not", def(&[Any], None, b_not));
    r.register_def("len", def(&[Any], None, b_len));
    r.register_def("index", def(&[Any], Some(Any), b_index));
    r.register_def("slice", def(&[Any], Some(Any), b_slice));
    r.register_def("print", def(&[], Some(Any), b_print));
    r.register_def("printf", def(&[String], Some(Any), b_printf));
    r.register_def("println", def(&[], Some(Any), b_println));
    r.register_def("html", def(&[], Some(Any), b_html));
    r.register_def("js", def(&[], Some(Any), b_js));
    r.register_def("urlquery", def(&[], Some(Any), b_urlquery));
    r.register_def("eq", def(&[Any], Some(Any), b_eq));
    r.register_def("ne", def(&[Any, Any], None, b_ne));
    r.register_def("lt", def(&[Any, Any], None, b_lt));
    r.register_def("le", def(&[Any, Any], None, b_le));
    r.register_def("gt", def(&[Any, Any], None, b_gt));
    r.register_def("ge", def(&[Any, Any], None, b_ge));
    // Helm engine functions
    r.register_def("include", special(&[String, Any], None, Special::Include, false));
    r.register_def("tpl", special(&[String, Any], None, Special::Tpl, false));
    r.register_def("required", def(&[String, Any], None, h_required));
    r.register_def("fail", def(&[String], None, h_fail));
    r.register_def("lookup", def(&[String, String, String, String], None, h_lookup));
    r.register_def("getHostByName", def(&[String], None, h_get_host_by_name));
}

type FR = Result<Value, FuncError>;

fn b_not(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(!a[0].truthy()))
}

fn b_len(_: &mut CallCtx, a: &[Value]) -> FR {
    let n = match &a[0] {
        Value::String(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.items().len(),
        Value::Map(m) => m.entries().len(),
        Value::Nil => return Err(FuncError::new("len of nil pointer")),
        other => return Err(FuncError::new(format!("len of type {}", other.type_name()))),
    };
    Ok(Value::Int(n as i64))
}

fn index_int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) | Value::Int64(i) => Ok(*i),
        Value::Nil => Err("cannot index slice/array with nil".into()),
        other => Err(format!(
            "cannot index slice/array with type {}",
            other.type_name()
        )),
    }
}

fn b_index(_: &mut CallCtx, a: &[Value]) -> FR {
    let mut item = a[0].clone();
    if item.is_nil() {
        return Err(FuncError::new("index of untyped nil"));
    }
    for idx in &a[1..] {
        item = match &item {
            Value::List(l) => {
                let items = l.items();
                let i = index_int(idx)?;
                if i < 0 || i as usize >= items.len() {
                    return Err(FuncError::new(format!("index out of range: {i}")));
                }
                items[i as usize].clone()
            }
            Value::Bytes(b) => {
                let i = index_int(idx)?;
                if i < 0 || i as usize >= b.len() {
                    return Err(FuncError::new(format!("index out of range: {i}")));
                }
                Value::Int(i64::from(b[i as usize]))
            }
            Value::String(s) => {
                let i = index_int(idx)?;
                if i < 0 || i as usize >= s.len() {
                    return Err(FuncError::new(format!("index out of range: {i}")));
                }
                Value::Int(i64::from(s.as_bytes()[i as usize]))
            }
            Value::Map(m) => match idx {
                Value::String(k) => m.entries().get(&**k).cloned().unwrap_or(Value::Nil),
                Value::Nil => return Err(FuncError::new("value is nil; should be of type string")),
                other => {
                    return Err(FuncError::new(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    )))
                }
            },
            Value::Nil => return Err(FuncError::new("index of nil pointer")),
            other => {
                return Err(FuncError::new(format!(
                    "can't index item of type {}",
                    other.type_name()
                )))
            }
        };
    }
    Ok(item)
}

fn b_slice(_: &mut CallCtx, a: &[Value]) -> FR {
    let item = &a[0];
    if item.is_nil() {
        return Err(FuncError::new("slice of untyped nil"));
    }
    let idx: Vec<i64> = a[1..].iter().map(index_int).collect::<Result<_, _>>()?;
    if idx.len() > 3 {
        return Err(FuncError::new(format!("too many slice indexes: {}", idx.len())));
    }
    let len = match item {
        Value::String(s) => s.len(),
        Value::List(l) => l.items().len(),
        Value::Bytes(b) => b.len(),
        other => {
            return Err(FuncError::new(format!(
                "can't slice item of type {}",
                other.type_name()
            )))
        }
    } as i64;
    let lo = idx.first().copied().unwrap_or(0);
    let hi = idx.get(1).copied().unwrap_or(len);
    if lo < 0 || hi < lo || hi > len {
        return Err(FuncError::new(format!("invalid slice index: {lo} > {hi}")));
    }
    let (lo, hi) = (lo as usize, hi as usize);
    Ok(match item {
        Value::String(s) => match s.get(lo..hi) {
            Some(x) => Value::str(x),
            None => Value::from(String::from_utf8_lossy(&s.as_bytes()[lo..hi]).into_owned()),
        },
        Value::List(l) => Value::typed_list(l.kind, l.items()[lo..hi].to_vec()),
        Value::Bytes(b) => Value::bytes(b[lo..hi].to_vec()),
        _ => Value::Nil,
    })
}

fn b_print(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::from(gofmt::sprint(a)))
}
fn b_printf(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::from(gofmt::sprintf(
        a[0].as_str().unwrap_or_default(),
        &a[1..],
    )))
}
fn b_println(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::from(gofmt::sprintln(a)))
}

fn eval_args_string(a: &[Value]) -> String {
    if a.len() == 1 {
        if let Value::String(s) = &a[0] {
            return s.to_string();
        }
    }
    gofmt::sprint(a)
}

fn b_html(_: &mut CallCtx, a: &[Value]) -> FR {
    let s = eval_args_string(a);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Ok(Value::from(out))
}

fn b_js(_: &mut CallCtx, a: &[Value]) -> FR {
    let s = eval_args_string(a);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if (c as u32) < 0x80 => out.push(c),
            c if gofmt::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    Ok(Value::from(out))
}

/// Go `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn b_urlquery(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::from(query_escape(&eval_args_string(a))))
}

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Nil => Kind::Invalid,
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Other,
    }
}

fn bad_cmp(a: &Value, b: &Value) -> FuncError {
    FuncError::new(format!(
        "incompatible types for comparison: {} and {}",
        a.type_name(),
        b.type_name()
    ))
}
const BAD_CMP_TYPE: &str = "invalid type for comparison";

fn eq2(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 != k2 {
        if !a.is_nil() && !b.is_nil() {
            return Err(bad_cmp(a, b));
        }
        return Ok(false);
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Nil, Value::Nil) => true,
        (x, y) => {
            if x.type_name() != y.type_name() {
                return Err(FuncError::new(format!(
                    "non-comparable types {}: {}, {}: {}",
                    gofmt::sprintf("%s", std::slice::from_ref(x)),
                    x.type_name(),
                    y.type_name(),
                    gofmt::sprint_v(y)
                )));
            }
            match (x, y) {
                (Value::Object(p), Value::Object(q)) => Rc::ptr_eq(p, q),
                _ => {
                    return Err(FuncError::new(format!(
                        "non-comparable type {}: {}",
                        gofmt::sprintf("%s", std::slice::from_ref(y)),
                        y.type_name()
                    )))
                }
            }
        }
    })
}

fn b_eq(_: &mut CallCtx, a: &[Value]) -> FR {
    if a.len() < 2 {
        return Err(FuncError::new("missing argument for comparison"));
    }
    for b in &a[1..] {
        if eq2(&a[0], b)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn b_ne(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(!eq2(&a[0], &a[1])?))
}

fn lt2(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if matches!(k1, Kind::Invalid | Kind::Other) || matches!(k2, Kind::Invalid | Kind::Other) {
        return Err(FuncError::new(BAD_CMP_TYPE));
    }
    if k1 != k2 {
        return Err(bad_cmp(a, b));
    }
    Ok(match (a, b) {
        (Value::Bool(_), Value::Bool(_)) => return Err(FuncError::new(BAD_CMP_TYPE)),
        (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::String(x), Value::String(y)) => x < y,
        _ => return Err(FuncError::new(BAD_CMP_TYPE)),
    })
}

fn b_lt(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(lt2(&a[0], &a[1])?))
}
fn b_le(_: &mut CallCtx, a: &[Value]) -> FR {
    let lt = lt2(&a[0], &a[1])?;
    Ok(Value::Bool(lt || eq2(&a[0], &a[1])?))
}
fn b_gt(_: &mut CallCtx, a: &[Value]) -> FR {
    let lt = lt2(&a[0], &a[1])?;
    Ok(Value::Bool(!(lt || eq2(&a[0], &a[1])?)))
}
fn b_ge(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::Bool(!lt2(&a[0], &a[1])?))
}

fn h_required(ctx: &mut CallCtx, a: &[Value]) -> FR {
    let warn = a[0].as_str().unwrap_or_default();
    let missing = match &a[1] {
        Value::Nil => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    if missing {
        if ctx.lint {
            return Ok(Value::str(""));
        }
        return Err(FuncError::new(format!("{WARN_START}{warn}{WARN_END}")));
    }
    Ok(a[1].clone())
}

fn h_fail(ctx: &mut CallCtx, a: &[Value]) -> FR {
    if ctx.lint {
        return Ok(Value::str(""));
    }
    Err(FuncError::new(format!(
        "{WARN_START}{}{WARN_END}",
        a[0].as_str().unwrap_or_default()
    )))
}

fn h_lookup(_: &mut CallCtx, _: &[Value]) -> FR {
    Ok(Value::map(BTreeMap::new()))
}

fn h_get_host_by_name(_: &mut CallCtx, _: &[Value]) -> FR {
    Ok(Value::str(""))
}

/// Helm's formatting of an execution error for file `filename`
/// (`reformatExecErrorMsg`, Helm 4), or the Go text for `--compat helm3`.
pub fn helm_exec_error(filename: &str, err: &ExecError, helm3: bool) -> String {
    let full = err.message();
    if !err.is_exec {
        return full.to_string();
    }
    let tokens: Vec<&str> = full.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({filename}): {full}");
    }
    let location = tokens[1];
    if let Some(s) = tokens[2].find(WARN_START) {
        let rest = &tokens[2][s + WARN_START.len()..];
        if let Some(e) = rest.rfind(WARN_END) {
            return format!("execution error at ({location}): {}", &rest[..e]);
        }
    }
    if helm3 {
        return full.to_string();
    }
    let mut locs: Vec<(String, String, String)> = Vec::new();
    for level in &err.chain {
        match parse_exec_error_string(level) {
            Some(t) => {
                if locs.last() != Some(&t) {
                    locs.push(t);
                }
            }
            None => return full.to_string(),
        }
    }
    let mut s = String::new();
    for (location, func, message) in locs {
        if !location.is_empty() {
            s.push_str(&location);
            s.push_str("\n  ");
        }
        if !func.is_empty() {
            s.push_str(&func);
            s.push_str("\n    ");
        }
        if !message.is_empty() {
            s.push_str(&message);
            s.push('\n');
        }
    }
    s.trim().to_string()
}

fn parse_exec_error_string(s: &str) -> Option<(String, String, String)> {
    let rem = s.strip_prefix("template: ")?;
    if rem.starts_with("no template ") {
        return Some((String::new(), String::new(), s.to_string()));
    }
    if let Some((tname, after)) = rem.split_once(": executing ") {
        if let Some(after) = after.strip_prefix('"') {
            if let Some(endq) = after.find('"') {
                let func = &after[..endq];
                let after_func = &after[endq + 1..];
                if let Some(after_at) = after_func.strip_prefix(" at <") {
                    if let Some((loc, msg)) = after_at.split_once(">: ") {
                        let msg = match msg.find(" template:") {
                            Some(c) => &msg[..c],
                            None => msg,
                        };
                        return Some((
                            tname.to_string(),
                            format!("executing \"{func}\" at <{loc}>:"),
                            msg.to_string(),
                        ));
                    }
                }
            }
        }
        return None;
    }
    let sep = rem.rfind(": ")?;
    let tname = &rem[..sep];
    let mut msg = &rem[sep + 2..];
    if let Some(c) = msg.find(" template:") {
        msg = &msg[..c];
    }
    Some((tname.to_string(), String::new(), msg.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(src: &str, data: Value) -> Result<String, ExecError> {
        let mut e = Engine::new(Rc::new(Registry::new()));
        e.parse_file("t.yaml", src).map_err(|p| ExecError {
            chain: vec![p.to_string()],
            is_exec: false,
        })?;
        e.execute("t.yaml", data)
    }

    fn vals(json: &str) -> Value {
        Value::from_json(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn basics() {
        let d = vals(r#"{"a":{"b":1000000.0,"s":"x"},"l":[1,2,3],"m":{"z":1,"a":2}}"#);
        assert_eq!(render("{{ .a.b }} {{ .a.s }}", d.clone()).unwrap(), "1e+06 x");
        assert_eq!(
            render("{{ range $i, $v := .l }}{{$i}}={{$v}},{{ end }}", d.clone()).unwrap(),
            "0=1,1=2,2=3,"
        );
        assert_eq!(
            render("{{ range $k, $v := .m }}{{$k}}{{ end }}", d.clone()).unwrap(),
            "az"
        );
        assert_eq!(
            render("{{ .missing }}|{{ print .missing }}", d.clone()).unwrap(),
            "<no value>|<nil>"
        );
        assert_eq!(
            render(
                "{{ if and .a (eq .a.s \"x\" \"y\") }}yes{{ else }}no{{ end }}",
                d.clone()
            )
            .unwrap(),
            "yes"
        );
        assert_eq!(
            render(
                "{{- define \"x\" }}X{{ . }}{{ end -}}\n{{ include \"x\" 3 }}",
                d.clone()
            )
            .unwrap(),
            "X3"
        );
        assert_eq!(
            render(
                "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}",
                d.clone()
            )
            .unwrap(),
            "2"
        );
        assert_eq!(render("{{ range .l }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 3 }}{{ break }}{{ end }}{{ . }}{{ end }}", d.clone()).unwrap(), "1");
        assert_eq!(
            render("{{ with .nope }}a{{ else with .a }}{{ .s }}{{ end }}", d.clone()).unwrap(),
            "x"
        );
        assert_eq!(render("{{ tpl \"{{ .a.s }}\" . }}", d.clone()).unwrap(), "x");
        assert_eq!(
            render("{{ len .l }} {{ index .l 1 }} {{ index .m \"z\" }}", d.clone()).unwrap(),
            "3 2 1"
        );
        assert_eq!(
            render("{{ printf \"%v-%s\" .m .a.s }}", d).unwrap(),
            "map[a:2 z:1]-x"
        );
    }

    #[test]
    fn errors_like_go() {
        let d = vals(r#"{"Values":{"n":1.0}}"#);
        let e = render("x\n  {{ .Values.a.b }}", d.clone()).unwrap_err();
        assert_eq!(
            e.message(),
            "template: t.yaml:2:12: executing \"t.yaml\" at <.Values.a.b>: nil pointer evaluating interface {}.b"
        );
        let e = render("{{ gt .Values.n 1 }}", d.clone()).unwrap_err();
        assert_eq!(
            e.message(),
            "template: t.yaml:1:3: executing \"t.yaml\" at <gt .Values.n 1>: error calling gt: incompatible types for comparison: float64 and int"
        );
        let e = render("{{ required \"need x\" .Values.x }}", d).unwrap_err();
        assert_eq!(
            helm_exec_error("t.yaml", &e, false),
            "execution error at (t.yaml:1:3): need x"
        );
    }
}
