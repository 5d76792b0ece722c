//! The template engine's value model, with Go's typing.
//!
//! Helm templates see Go values: `float64` from values files, `int64` from
//! `--set`, `int` from template literals and `len`, strings, `[]byte`, `nil`,
//! `map[string]interface {}` and `[]interface {}`. Maps are **shared mutable
//! references** (sprig `set`/`merge` semantics: `$_ := set .Values "x" 1` is
//! visible everywhere), so they live behind `Rc<RefCell<..>>`; lists are
//! shared (`Rc`) but never changed in place (sprig's `append` and the other
//! list functions return new lists). Struct-like objects (`.Capabilities`,
//! …) implement [`Object`].
//!
//! Interchange with the YAML/JSON layer is `serde_json::Value`: an `f64`
//! number is a Go `float64`, an `i64`/`u64` number a Go `int64`.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use super::blob::Blob;

/// The Go element type of a list, for `%T`, `typeOf` and `kindOf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// `[]interface {}`
    Any,
    /// `[]string`
    Strings,
    /// `[]int`
    Ints,
    /// `common.VersionSet` (a `[]string` with a `Has` method)
    VersionSet,
}

/// The Go type of a map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKind {
    /// `map[string]interface {}`
    Any,
    /// `map[string]string`
    Strings,
    /// Helm's `engine.files` (`map[string][]byte` with `Get`, `Glob`, … methods)
    Files,
}

/// A shared Go slice. Never changed in place (sprig's list functions all
/// return new lists), which [`begin_epoch`]'s bookkeeping relies on.
#[derive(Debug)]
pub struct ListObj {
    pub kind: ListKind,
    items: Vec<Value>,
}

impl ListObj {
    pub fn items(&self) -> &[Value] {
        &self.items
    }
}

/// A shared, mutable Go map with string keys. Iteration is bytewise sorted,
/// which is what `range` and `fmt` do in Go.
#[derive(Debug)]
pub struct MapObj {
    pub kind: MapKind,
    /// the execution epoch (see [`begin_epoch`]) the map was made in
    epoch: u64,
    /// read through [`MapObj::entries`], changed only through
    /// [`MapObj::entries_mut`] (which notes changes to older maps)
    entries: RefCell<BTreeMap<String, Value>>,
}

impl MapObj {
    fn new(kind: MapKind, entries: BTreeMap<String, Value>) -> MapObj {
        MapObj {
            kind,
            epoch: EPOCH.with(Cell::get),
            entries: RefCell::new(entries),
        }
    }

    pub fn entries(&self) -> std::cell::Ref<'_, BTreeMap<String, Value>> {
        self.entries.borrow()
    }

    /// The entries, to change: a map made before the current epoch began is
    /// noted as changed (see [`older_map_changed`]).
    pub fn entries_mut(&self) -> std::cell::RefMut<'_, BTreeMap<String, Value>> {
        if self.epoch < EPOCH.with(Cell::get) {
            OLDER_MAP_CHANGED.with(|c| c.set(true));
        }
        self.entries.borrow_mut()
    }
}

thread_local! {
    /// The current execution epoch of this thread's values (64 bits: a
    /// thread never runs out of them).
    static EPOCH: Cell<u64> = const { Cell::new(0) };
    /// Whether a map made before the current epoch was changed in it.
    static OLDER_MAP_CHANGED: Cell<bool> = const { Cell::new(false) };
}

/// Starts a new execution epoch on this thread. Maps are only ever changed
/// in place by template functions (`set`, `unset`, `merge`…) and
/// [`Value::set`]; after running one template in its own epoch,
/// [`older_map_changed`] says whether it changed a map that existed before
/// (values, `$`, …: a change other templates could see) or only maps it made
/// itself. Lists are never changed in place.
pub fn begin_epoch() {
    EPOCH.with(|e| e.set(e.get().saturating_add(1)));
    OLDER_MAP_CHANGED.with(|c| c.set(false));
}

/// Whether a map made before the current epoch (see [`begin_epoch`]) has
/// been changed since it began.
pub fn older_map_changed() -> bool {
    OLDER_MAP_CHANGED.with(Cell::get)
}

/// A Go struct or other typed value exposed to templates.
pub trait Object: fmt::Debug {
    /// Go type as `%T` prints it, e.g. `*common.Capabilities`.
    fn type_name(&self) -> String;
    /// A field or method by name. `None` when the type has neither, which the
    /// executor reports as "can't evaluate field X in type T".
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>>;
    /// What `fmt` `%v` prints.
    fn format_v(&self) -> String;
    /// The JSON form (`encoding/json` of the Go struct), for `toJson`/`toYaml`.
    fn to_json(&self) -> serde_json::Value;
    /// Access for functions that know the concrete type.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// A Go value as seen by a template.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// A nil interface / missing map entry. At the end of a pipeline it prints
    /// `<no value>`; formatted by `fmt` inside a function it prints `<nil>`.
    #[default]
    Nil,
    Bool(bool),
    /// Go `int` (template literals, `len`, `atoi`, `int`).
    Int(i64),
    /// Go `int64` (`--set`, sprig math results).
    Int64(i64),
    /// Go `float64` (values files, JSON).
    Float(f64),
    String(Rc<str>),
    /// Go `[]byte`, never changed in place. An `Arc`, unlike the rest, so
    /// that `.Files` shares the chart files' bytes (read on several threads
    /// by the loader) instead of copying them.
    Bytes(Arc<Blob>),
    List(Rc<ListObj>),
    Map(Rc<MapObj>),
    Object(Rc<dyn Object>),
}

impl Value {
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::String(Rc::from(s.as_ref()))
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(ListObj {
            kind: ListKind::Any,
            items,
        }))
    }
    pub fn typed_list(kind: ListKind, items: Vec<Value>) -> Value {
        Value::List(Rc::new(ListObj { kind, items }))
    }
    pub fn string_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::typed_list(
            ListKind::Strings,
            items.into_iter().map(|s| Value::str(s.as_ref())).collect(),
        )
    }
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(MapObj::new(MapKind::Any, entries)))
    }
    pub fn typed_map(kind: MapKind, entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(MapObj::new(kind, entries)))
    }
    pub fn empty_map() -> Value {
        Value::map(BTreeMap::new())
    }
    pub fn bytes(b: Vec<u8>) -> Value {
        Value::Bytes(Arc::new(Blob::from(b)))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Go's `%T`.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::Bytes(_) => "[]uint8".into(),
            Value::List(l) => match l.kind {
                ListKind::Any => "[]interface {}".into(),
                ListKind::Strings => "[]string".into(),
                ListKind::Ints => "[]int".into(),
                ListKind::VersionSet => "common.VersionSet".into(),
            },
            Value::Map(m) => match m.kind {
                MapKind::Any => "map[string]interface {}".into(),
                MapKind::Strings => "map[string]string".into(),
                MapKind::Files => "engine.files".into(),
            },
            Value::Object(o) => o.type_name(),
        }
    }

    /// Go's `reflect.Kind` name (sprig `kindOf`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => {
                if o.type_name().starts_with('*') {
                    "ptr"
                } else {
                    "struct"
                }
            }
        }
    }

    /// Go template truthiness (`if`, `with`, `and`, `or`, `not`).
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.items().is_empty(),
            Value::Map(m) => !m.entries().is_empty(),
            Value::Object(_) => true,
        }
    }

    /// Converts from the YAML/JSON interchange type.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                if n.is_f64() {
                    Value::Float(n.as_f64().unwrap_or(0.0))
                } else if let Some(i) = n.as_i64() {
                    Value::Int64(i)
                } else {
                    // u64 above i64::MAX: Go's strvals would give a string; keep a float.
                    Value::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(m) => {
                Value::map(m.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }

    /// Converts to the interchange type the way `encoding/json` sees the Go
    /// value: ints stay integers, floats stay floats, `[]byte` is base64.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Bytes(b) => serde_json::Value::String(base64_std(b)),
            Value::List(l) => serde_json::Value::Array(l.items().iter().map(Value::to_json).collect()),
            Value::Map(m) => serde_json::Value::Object(
                m.entries()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            Value::Object(o) => o.to_json(),
        }
    }

    /// A deep copy (maps and lists are fresh; objects stay shared).
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::List(l) => Value::typed_list(l.kind, l.items().iter().map(Value::deep_copy).collect()),
            Value::Map(m) => Value::typed_map(
                m.kind,
                m.entries()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy()))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Map lookup (`None` when not a map or no such key).
    pub fn get(&self, key: &str) -> Option<Value> {
        match self {
            Value::Map(m) => m.entries().get(key).cloned(),
            _ => None,
        }
    }

    /// Inserts into a map in place (no-op on non-maps).
    pub fn set(&self, key: &str, v: Value) {
        if let Value::Map(m) = self {
            m.entries_mut().insert(key.to_string(), v);
        }
    }

    /// Identity of shared containers (Go pointer equality for maps/slices).
    pub fn same_ref(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Map(a), Value::Map(b)) => Rc::ptr_eq(a, b),
            (Value::List(a), Value::List(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Rc::from(s))
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

/// Standard base64 with padding (`encoding/base64.StdEncoding`).
pub fn base64_std(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_go_types() {
        let j: serde_json::Value = serde_json::from_str(r#"{"a":1.0,"b":2,"c":[true,null,"x"]}"#).unwrap();
        let v = Value::from_json(&j);
        assert_eq!(v.get("a").unwrap().type_name(), "float64");
        assert_eq!(v.get("b").unwrap().type_name(), "int64");
        assert_eq!(v.get("c").unwrap().type_name(), "[]interface {}");
        assert_eq!(v.to_json()["b"], serde_json::json!(2));
    }

    #[test]
    fn maps_are_shared() {
        let m = Value::empty_map();
        let alias = m.clone();
        alias.set("k", Value::Int(1));
        assert!(matches!(m.get("k"), Some(Value::Int(1))));
        let copy = m.deep_copy();
        copy.set("k", Value::Int(2));
        assert!(matches!(m.get("k"), Some(Value::Int(1))));
    }

    #[test]
    fn base64_matches_go() {
        assert_eq!(base64_std(b""), "");
        assert_eq!(base64_std(b"f"), "Zg==");
        assert_eq!(base64_std(b"fo"), "Zm8=");
        assert_eq!(base64_std(b"foobar"), "Zm9vYmFy");
    }
}
