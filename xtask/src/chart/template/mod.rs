//! Go `text/template` for Helm charts: lexer, parser, executor and the
//! function registry.
//!
//! # Registering functions (for `chart/funcs/`)
//!
//! ```ignore
//! use crate::chart::template::{CallCtx, FuncError, Registry, Ty};
//! use crate::chart::value::Value;
//!
//! fn trunc(_: &mut CallCtx, a: &[Value]) -> Result<Value, FuncError> {
//!     // a[0] is already a Value::Int and a[1] a Value::String: the executor
//!     // converted/checked them against the declared Go parameter types,
//!     // producing Go's "wrong type for value; expected int; got float64".
//!     ...
//! }
//! pub fn register(reg: &mut Registry) {
//!     reg.register("trunc", &[Ty::Int, Ty::String], None, trunc);
//!     reg.register("list", &[], Some(Ty::Any), list); // func(...interface{})
//! }
//! ```
//! A returned `FuncError` becomes Go's `error calling trunc: <msg>`.

pub mod ast;
pub mod exec;
pub mod lex;
pub mod parse;

use super::fxhash::FxHashMap;
use super::value::Value;

/// A Go parameter type, used to check and convert arguments the way
/// `text/template` does (`validateType`, untyped constants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `interface{}`: anything, including nil.
    Any,
    /// `string`
    String,
    /// `int`
    Int,
    /// `int64`
    Int64,
    /// `float64`
    Float64,
    /// `bool`
    Bool,
    /// `map[string]interface{}` (nil allowed, passed as `Value::Nil`)
    Map,
    /// `[]interface{}` (nil allowed)
    List,
    /// `[]string` (nil allowed)
    Strings,
    /// `[]byte` (nil allowed)
    Bytes,
}

impl Ty {
    /// The Go type name used in error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::String => "string",
            Ty::Int => "int",
            Ty::Int64 => "int64",
            Ty::Float64 => "float64",
            Ty::Bool => "bool",
            Ty::Map => "map[string]interface {}",
            Ty::List => "[]interface {}",
            Ty::Strings => "[]string",
            Ty::Bytes => "[]uint8",
        }
    }
    pub fn can_be_nil(self) -> bool {
        matches!(self, Ty::Any | Ty::Map | Ty::List | Ty::Strings | Ty::Bytes)
    }
}

/// Context handed to every function call.
pub struct CallCtx<'a> {
    /// Helm's lint mode (`required`/`fail` do not fail).
    pub lint: bool,
    /// The function's registered name.
    pub name: &'a str,
    /// The most bytes the function may build from a count (`repeat`,
    /// `until`, ...): `exec::MAX_VALUE_BYTES` or the step budget left.
    pub max_bytes: usize,
}

/// An error returned by a template function. Its text becomes
/// `error calling <name>: <text>`; `chain` holds the wrapped errors' texts
/// (Go's `errors.Unwrap` chain), outermost first.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncError {
    pub chain: Vec<String>,
}

impl FuncError {
    pub fn new(msg: impl Into<String>) -> Self {
        FuncError {
            chain: vec![msg.into()],
        }
    }
    pub fn message(&self) -> &str {
        self.chain.first().map_or("", String::as_str)
    }
}

impl std::fmt::Display for FuncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl From<String> for FuncError {
    fn from(s: String) -> Self {
        FuncError::new(s)
    }
}
impl From<&str> for FuncError {
    fn from(s: &str) -> Self {
        FuncError::new(s)
    }
}

/// A template function: receives arguments already converted to the declared types.
pub type Func = fn(&mut CallCtx, &[Value]) -> Result<Value, FuncError>;

/// Functions the executor implements itself (they need its state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    And,
    Or,
    Include,
    Tpl,
    Call,
}

#[derive(Clone, Copy)]
pub enum Impl {
    Plain(Func),
    Special(Special),
}

#[derive(Clone)]
pub struct FuncDef {
    pub params: Vec<Ty>,
    pub variadic: Option<Ty>,
    pub imp: Impl,
    /// Go's built-in functions (`and`, `or`, `len`, …) as opposed to the FuncMap.
    pub builtin: bool,
    /// Deliberately slow (key generation, password hashing): charged
    /// `exec::SLOW_CALL_STEPS` per call.
    pub slow: bool,
}

/// Functions charged `exec::SLOW_CALL_STEPS` per call.
fn is_slow(name: &str) -> bool {
    matches!(
        name,
        "genPrivateKey"
            | "genCA"
            | "genSelfSignedCert"
            | "genSignedCert"
            | "derivePassword"
            | "bcrypt"
            | "htpasswd"
    )
}

/// Function table keyed by name. Later registrations replace earlier ones
/// (Helm's FuncMap shadows Go's builtins, e.g. sprig's `slice`).
#[derive(Clone, Default)]
pub struct Registry {
    funcs: FxHashMap<String, FuncDef>,
}

impl Registry {
    /// Go's builtins plus Helm's engine functions (`include`, `tpl`,
    /// `required`, `fail`, `lookup`, `getHostByName`).
    pub fn new() -> Self {
        let mut r = Registry::default();
        exec::register_builtins(&mut r);
        r
    }

    /// Registers (or replaces) a function.
    pub fn register(&mut self, name: &str, params: &[Ty], variadic: Option<Ty>, f: Func) {
        self.funcs.insert(
            name.to_string(),
            FuncDef {
                params: params.to_vec(),
                variadic,
                imp: Impl::Plain(f),
                builtin: false,
                slow: is_slow(name),
            },
        );
    }

    pub(crate) fn register_def(&mut self, name: &str, mut def: FuncDef) {
        def.slow = is_slow(name);
        self.funcs.insert(name.to_string(), def);
    }

    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    pub fn get(&self, name: &str) -> Option<&FuncDef> {
        self.funcs.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(String::as_str)
    }
}
