//! A conservative validator of the values against the user schema, so that
//! the common case (valid values) skips boon's compile of the schema.
//!
//! [`certainly_valid`] answers `true` only when it has checked every
//! assertion itself with boon's semantics; anything it does not fully model
//! (a keyword outside its table, a `$id`, a remote or unusual `$ref`, a
//! `format` that boon asserts, a pattern that boon's ECMA conversion would
//! rewrite, a regex too costly to match here, …) and every invalid verdict
//! answer `false`, and the caller runs boon, which gives the exact error
//! text. Soundness rule: `certainly_valid ⇒ boon accepts`; the tests compare
//! both on many generated value documents.
//!
//! Before validating, the whole schema document is walked once
//! ([`Fast::supported`]): every keyword boon reads must be one modelled
//! here for the draft (others, which boon ignores too, are skipped with
//! their values), every `$ref` must resolve, every pattern must be one
//! boon's compile accepts unchanged (so boon's compile cannot fail where
//! this path says "valid").

use std::collections::HashMap;

use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{Class, Hir, HirKind, Look, Repetition};
use serde_json::{Map, Number, Value};

use super::meta::Draft;

/// `true` only if boon would certainly find `values` valid against `schema`
/// (a document the metaschema fast path has already certified).
pub(super) fn certainly_valid(schema: &Value, draft: Draft, values: &Map<String, Value>) -> bool {
    let mut f = Fast {
        root: schema,
        draft,
        regexes: HashMap::new(),
        depth: 0,
        ref_targets: Vec::new(),
    };
    f.supported(schema, true, 0) && f.valid(schema, Inst::Root(values)) == Some(true)
}

/// An instance: a map (the root values, not cloned into a `Value`) or a
/// value.
#[derive(Clone, Copy)]
enum Inst<'v> {
    Root(&'v Map<String, Value>),
    Val(&'v Value),
}

impl<'v> Inst<'v> {
    fn value(self) -> Option<&'v Value> {
        match self {
            Inst::Root(_) => None,
            Inst::Val(v) => Some(v),
        }
    }

    /// boon's `equals` of a schema value with the instance.
    fn equals(self, e: &Value) -> bool {
        match (self, e) {
            (Inst::Root(m), Value::Object(o)) => objects_equal(m, o),
            (Inst::Root(_), _) => false,
            (Inst::Val(v), e) => equals(v, e),
        }
    }
}

/// Nesting limit for schema evaluation (a `$ref` loop ends here as "unsure";
/// boon reports it).
const MAX_DEPTH: usize = 128;

/// The keywords of one schema object that validation reads, found in one
/// pass over its entries (instead of a map look-up per keyword).
#[derive(Default)]
struct Kw<'s> {
    ref_: Option<&'s Value>,
    type_: Option<&'s Value>,
    enum_: Option<&'s Value>,
    const_: Option<&'s Value>,
    all_of: Option<&'s Value>,
    any_of: Option<&'s Value>,
    one_of: Option<&'s Value>,
    not_: Option<&'s Value>,
    if_: Option<&'s Value>,
    then: Option<&'s Value>,
    else_: Option<&'s Value>,
    required: Option<&'s Value>,
    min_properties: Option<&'s Value>,
    max_properties: Option<&'s Value>,
    properties: Option<&'s Value>,
    pattern_properties: Option<&'s Value>,
    additional_properties: Option<&'s Value>,
    property_names: Option<&'s Value>,
    dependencies: Option<&'s Value>,
    dependent_required: Option<&'s Value>,
    dependent_schemas: Option<&'s Value>,
    min_items: Option<&'s Value>,
    max_items: Option<&'s Value>,
    unique_items: Option<&'s Value>,
    prefix_items: Option<&'s Value>,
    items: Option<&'s Value>,
    additional_items: Option<&'s Value>,
    contains: Option<&'s Value>,
    min_contains: Option<&'s Value>,
    max_contains: Option<&'s Value>,
    min_length: Option<&'s Value>,
    max_length: Option<&'s Value>,
    pattern: Option<&'s Value>,
    minimum: Option<&'s Value>,
    maximum: Option<&'s Value>,
    exclusive_minimum: Option<&'s Value>,
    exclusive_maximum: Option<&'s Value>,
    multiple_of: Option<&'s Value>,
}

impl<'s> Kw<'s> {
    fn of(o: &'s Map<String, Value>) -> Self {
        let mut kw = Kw::default();
        for (k, v) in o {
            match k.as_str() {
                "$ref" => kw.ref_ = Some(v),
                "type" => kw.type_ = Some(v),
                "enum" => kw.enum_ = Some(v),
                "const" => kw.const_ = Some(v),
                "allOf" => kw.all_of = Some(v),
                "anyOf" => kw.any_of = Some(v),
                "oneOf" => kw.one_of = Some(v),
                "not" => kw.not_ = Some(v),
                "if" => kw.if_ = Some(v),
                "then" => kw.then = Some(v),
                "else" => kw.else_ = Some(v),
                "required" => kw.required = Some(v),
                "minProperties" => kw.min_properties = Some(v),
                "maxProperties" => kw.max_properties = Some(v),
                "properties" => kw.properties = Some(v),
                "patternProperties" => kw.pattern_properties = Some(v),
                "additionalProperties" => kw.additional_properties = Some(v),
                "propertyNames" => kw.property_names = Some(v),
                "dependencies" => kw.dependencies = Some(v),
                "dependentRequired" => kw.dependent_required = Some(v),
                "dependentSchemas" => kw.dependent_schemas = Some(v),
                "minItems" => kw.min_items = Some(v),
                "maxItems" => kw.max_items = Some(v),
                "uniqueItems" => kw.unique_items = Some(v),
                "prefixItems" => kw.prefix_items = Some(v),
                "items" => kw.items = Some(v),
                "additionalItems" => kw.additional_items = Some(v),
                "contains" => kw.contains = Some(v),
                "minContains" => kw.min_contains = Some(v),
                "maxContains" => kw.max_contains = Some(v),
                "minLength" => kw.min_length = Some(v),
                "maxLength" => kw.max_length = Some(v),
                "pattern" => kw.pattern = Some(v),
                "minimum" => kw.minimum = Some(v),
                "maximum" => kw.maximum = Some(v),
                "exclusiveMinimum" => kw.exclusive_minimum = Some(v),
                "exclusiveMaximum" => kw.exclusive_maximum = Some(v),
                "multipleOf" => kw.multiple_of = Some(v),
                _ => {}
            }
        }
        kw
    }
}

struct Fast<'s> {
    root: &'s Value,
    draft: Draft,
    /// Every pattern of the schema, as the regex crate translates it.
    regexes: HashMap<&'s str, Hir>,
    depth: usize,
    /// `$ref` targets outside the schema's own subschemas already checked
    /// by [`Fast::ref_target_supported`].
    ref_targets: Vec<*const Value>,
}

/// Every keyword boon reads, in any draft. A keyword outside this list is
/// ignored by boon (validation and compile alike), so the fast path may
/// ignore it too; one inside it must be modelled by [`Fast::supported`].
const BOON_KEYWORDS: &[&str] = &[
    "$anchor",
    "$defs",
    "$dynamicAnchor",
    "$dynamicRef",
    "$id",
    "$recursiveAnchor",
    "$recursiveRef",
    "$ref",
    "$schema",
    "$vocabulary",
    "additionalItems",
    "additionalProperties",
    "allOf",
    "anyOf",
    "const",
    "contains",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "definitions",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "else",
    "enum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "format",
    "id",
    "if",
    "items",
    "maxContains",
    "maxItems",
    "maxLength",
    "maxProperties",
    "maximum",
    "minContains",
    "minItems",
    "minLength",
    "minProperties",
    "minimum",
    "multipleOf",
    "not",
    "oneOf",
    "pattern",
    "patternProperties",
    "prefixItems",
    "properties",
    "propertyNames",
    "required",
    "then",
    "type",
    "unevaluatedItems",
    "unevaluatedProperties",
    "uniqueItems",
];

/// Three-valued "some verdict is valid": `Some(true)` at the first valid
/// one (later ones are not evaluated), else `None` if any was unsure.
fn any_valid(verdicts: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut any = Some(false);
    for v in verdicts {
        match v {
            Some(true) => return Some(true),
            Some(false) => {}
            None => any = None,
        }
    }
    any
}

/// Folds sub-results of a conjunction: any `false` decides, else any
/// unknown makes the whole unknown.
macro_rules! all {
    ($unsure:ident, $e:expr) => {
        match $e {
            Some(true) => {}
            Some(false) => return Some(false),
            None => $unsure = true,
        }
    };
}

impl<'s> Fast<'s> {
    /// The walk that every keyword is modelled, `$ref`s resolve and patterns
    /// compile (`root`: `$schema` is allowed).
    fn supported(&mut self, s: &'s Value, root: bool, depth: usize) -> bool {
        let o = match s {
            Value::Bool(_) => return true,
            Value::Object(o) => o,
            _ => return false,
        };
        if depth > MAX_DEPTH {
            return false;
        }
        let d = self.draft;
        let old = d != Draft::V2020;
        let schemas = |f: &mut Self, v: &'s Value| match v {
            Value::Array(a) if !a.is_empty() => a.iter().all(|s| f.supported(s, false, depth + 1)),
            _ => false,
        };
        let schema_map = |f: &mut Self, v: &'s Value| match v {
            Value::Object(m) => m.values().all(|s| f.supported(s, false, depth + 1)),
            _ => false,
        };
        o.iter().all(|(k, v)| match k.as_str() {
            "$schema" => root,
            "$ref" => match v.as_str().and_then(|r| self.resolve(r)) {
                Some((_, true)) => true,
                Some((t, false)) => self.ref_target_supported(t, depth),
                None => false,
            },
            "type" => match v {
                Value::String(t) => type_name(t),
                Value::Array(a) => !a.is_empty() && a.iter().all(|t| t.as_str().is_some_and(type_name)),
                _ => false,
            },
            "enum" => v.is_array(),
            "const" => true,
            "allOf" | "anyOf" | "oneOf" => schemas(self, v),
            "not" | "propertyNames" | "contains" | "additionalProperties" => {
                self.supported(v, false, depth + 1)
            }
            "if" | "then" | "else" => d != Draft::V6 && self.supported(v, false, depth + 1),
            "items" => match v {
                Value::Array(_) => old && schemas(self, v),
                _ => self.supported(v, false, depth + 1),
            },
            "additionalItems" | "dependencies" | "definitions" if !old => false,
            "prefixItems" | "dependentRequired" | "dependentSchemas" | "$defs" if old => false,
            "additionalItems" => self.supported(v, false, depth + 1),
            "prefixItems" => schemas(self, v),
            "properties" | "definitions" | "$defs" | "dependentSchemas" => schema_map(self, v),
            "patternProperties" => {
                let Value::Object(m) = v else { return false };
                m.iter()
                    .all(|(p, s)| self.regex(p) && self.supported(s, false, depth + 1))
            }
            "dependencies" => {
                let Value::Object(m) = v else { return false };
                m.values().all(|s| {
                    if s.is_array() {
                        strings(s)
                    } else {
                        self.supported(s, false, depth + 1)
                    }
                })
            }
            "dependentRequired" => v.as_object().is_some_and(|m| m.values().all(strings)),
            "required" => strings(v),
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties" => {
                v.as_u64().is_some()
            }
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => v.is_number(),
            "multipleOf" => v.as_f64().is_some_and(|m| m > 0.0 && m.is_finite()),
            "uniqueItems" => v.is_boolean(),
            "pattern" => v.as_str().is_some_and(|p| self.regex(p)),
            // boon asserts formats up to draft 7 only
            "format" => !old,
            // not asserted by boon (content assertions are off)
            "contentEncoding" | "contentMediaType" => true,
            "title" | "description" | "default" | "examples" | "$comment" | "readOnly" | "writeOnly" => true,
            "deprecated" => !old,
            k => !BOON_KEYWORDS.contains(&k),
        })
    }

    /// A `$ref` target that is not one of the document's subschemas (say
    /// `#/definitions/config/duration`, under a keyword boon ignores): boon
    /// checks it against the draft's metaschema when it compiles the `$ref`,
    /// so it must pass that check here, and its keywords are walked as a
    /// subschema's. Each target is walked once (a `$ref` cycle ends there).
    fn ref_target_supported(&mut self, t: &'s Value, depth: usize) -> bool {
        let key = t as *const Value;
        if self.ref_targets.contains(&key) {
            return true;
        }
        self.ref_targets.push(key);
        super::meta::certainly_valid(t, self.draft) && self.supported(t, false, depth + 1)
    }

    /// Compiles and keeps pattern `p`; `false` when boon might treat it
    /// differently or this matcher cannot.
    fn regex(&mut self, p: &'s str) -> bool {
        if self.regexes.contains_key(p) {
            return true;
        }
        match compile_regex(p) {
            Some(h) => {
                self.regexes.insert(p, h);
                true
            }
            None => false,
        }
    }

    /// A local `$ref`: `#` or a JSON pointer `#/A/B/…` whose tokens are
    /// plain (no escapes), through objects with no `$id`, `id` or anchor.
    /// The flag tells whether the target is one of the document's own
    /// subschemas: the root, or `#/definitions/NAME` (drafts 6, 7) /
    /// `#/$defs/NAME` (2020-12), which the walk of the document covers.
    fn resolve(&self, r: &str) -> Option<(&'s Value, bool)> {
        if r == "#" {
            return Some((self.root, true));
        }
        let path = r.strip_prefix("#/")?;
        let defs = if self.draft == Draft::V2020 {
            "$defs"
        } else {
            "definitions"
        };
        let mut cur = self.root;
        let mut n = 0;
        for tok in path.split('/') {
            if tok.is_empty()
                || !tok
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'$'))
            {
                return None;
            }
            cur = match cur {
                Value::Object(o) => {
                    if ["$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor"]
                        .iter()
                        .any(|k| o.contains_key(*k))
                    {
                        return None;
                    }
                    o.get(tok)?
                }
                Value::Array(a) => {
                    let i = tok.parse::<usize>().ok().filter(|i| i.to_string() == tok)?;
                    a.get(i)?
                }
                _ => return None,
            };
            n += 1;
        }
        let own = n == 2 && path.split('/').next() == Some(defs);
        (cur.is_object() || cur.is_boolean()).then_some((cur, own))
    }

    /// `Some(valid)`, or `None` when unsure.
    fn valid(&mut self, s: &'s Value, i: Inst<'_>) -> Option<bool> {
        let o = match s {
            Value::Bool(b) => return Some(*b),
            Value::Object(o) => o,
            _ => return None,
        };
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let r = self.valid_obj(o, i);
        self.depth -= 1;
        r
    }

    fn valid_obj(&mut self, o: &'s Map<String, Value>, i: Inst<'_>) -> Option<bool> {
        let o = &Kw::of(o);
        let mut unsure = false;
        if let Some(r) = o.ref_ {
            let (target, _) = self.resolve(r.as_str()?)?;
            all!(unsure, self.valid(target, i));
            if self.draft != Draft::V2020 {
                // drafts before 2019-09 ignore the other keywords
                return (!unsure).then_some(true);
            }
        }
        if let Some(t) = o.type_ {
            let ok = match t {
                Value::String(t) => has_type(t, i),
                Value::Array(a) => a.iter().any(|t| t.as_str().is_some_and(|t| has_type(t, i))),
                _ => return None,
            };
            if !ok {
                return Some(false);
            }
        }
        if let Some(e) = o.enum_ {
            if !e.as_array()?.iter().any(|e| i.equals(e)) {
                return Some(false);
            }
        }
        if let Some(c) = o.const_ {
            if !i.equals(c) {
                return Some(false);
            }
        }
        if let Some(Value::Array(a)) = o.all_of {
            for s in a {
                all!(unsure, self.valid(s, i));
            }
        }
        if let Some(Value::Array(a)) = o.any_of {
            all!(unsure, any_valid(a.iter().map(|s| self.valid(s, i))));
        }
        if let Some(Value::Array(a)) = o.one_of {
            let mut n = 0;
            for s in a {
                n += usize::from(self.valid(s, i)?);
            }
            if n != 1 {
                return Some(false);
            }
        }
        if let Some(s) = o.not_ {
            all!(unsure, self.valid(s, i).map(|b| !b));
        }
        if let Some(c) = o.if_ {
            if self.draft == Draft::V6 {
                return None;
            }
            let branch = if self.valid(c, i)? { o.then } else { o.else_ };
            if let Some(s) = branch {
                all!(unsure, self.valid(s, i));
            }
        }
        match i {
            Inst::Root(m) => all!(unsure, self.object(o, m)),
            Inst::Val(Value::Object(m)) => all!(unsure, self.object(o, m)),
            Inst::Val(Value::Array(a)) => all!(unsure, self.array(o, a)),
            Inst::Val(Value::String(s)) => all!(unsure, self.string(o, s)),
            Inst::Val(Value::Number(n)) => all!(unsure, number(o, n)),
            Inst::Val(_) => {}
        }
        (!unsure).then_some(true)
    }

    fn object(&mut self, o: &Kw<'s>, m: &Map<String, Value>) -> Option<bool> {
        let mut unsure = false;
        if let Some(Value::Array(req)) = o.required {
            if !req.iter().all(|r| r.as_str().is_some_and(|r| m.contains_key(r))) {
                return Some(false);
            }
        }
        if !count_within(m.len(), o.min_properties, o.max_properties)? {
            return Some(false);
        }
        let props = o.properties.and_then(Value::as_object);
        let pats = o.pattern_properties.and_then(Value::as_object);
        let additional = o.additional_properties;
        let names = o.property_names;
        for (k, v) in m {
            let mut known = false;
            if let Some(s) = props.and_then(|p| p.get(k)) {
                known = true;
                all!(unsure, self.valid(s, Inst::Val(v)));
            }
            if let Some(p) = pats {
                for (pat, s) in p {
                    if self.matches(pat, k)? {
                        known = true;
                        all!(unsure, self.valid(s, Inst::Val(v)));
                    }
                }
            }
            if let (false, Some(s)) = (known, additional) {
                all!(unsure, self.valid(s, Inst::Val(v)));
            }
            if let Some(s) = names {
                let key = Value::String(k.clone());
                all!(unsure, self.valid(s, Inst::Val(&key)));
            }
        }
        let deps = match self.draft {
            Draft::V2020 => None,
            _ => o.dependencies.and_then(Value::as_object),
        };
        for (k, dep) in deps.into_iter().flatten() {
            if m.contains_key(k) {
                match dep {
                    Value::Array(req) => {
                        if !req.iter().all(|r| r.as_str().is_some_and(|r| m.contains_key(r))) {
                            return Some(false);
                        }
                    }
                    s => all!(unsure, self.valid(s, Inst::Root(m))),
                }
            }
        }
        if self.draft == Draft::V2020 {
            if let Some(Value::Object(deps)) = o.dependent_required {
                for (k, req) in deps {
                    if m.contains_key(k)
                        && !req
                            .as_array()?
                            .iter()
                            .all(|r| r.as_str().is_some_and(|r| m.contains_key(r)))
                    {
                        return Some(false);
                    }
                }
            }
            if let Some(Value::Object(deps)) = o.dependent_schemas {
                for (k, s) in deps {
                    if m.contains_key(k) {
                        all!(unsure, self.valid(s, Inst::Root(m)));
                    }
                }
            }
        }
        (!unsure).then_some(true)
    }

    fn array(&mut self, o: &Kw<'s>, a: &[Value]) -> Option<bool> {
        let mut unsure = false;
        if !count_within(a.len(), o.min_items, o.max_items)? {
            return Some(false);
        }
        if let Some(Value::Bool(true)) = o.unique_items {
            for (j, x) in a.iter().enumerate() {
                if a[..j].iter().any(|y| equals(x, y)) {
                    return Some(false);
                }
            }
        }
        // the schemas for the first items, then the one for the rest
        let (prefix, rest): (&'s [Value], Option<&'s Value>) = match (self.draft, o.items) {
            (Draft::V2020, items) => (
                o.prefix_items
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice),
                items,
            ),
            (_, Some(Value::Array(list))) => (list.as_slice(), o.additional_items),
            (_, items) => (&[][..], items),
        };
        for (j, v) in a.iter().enumerate() {
            let s = match prefix.get(j) {
                Some(s) => s,
                None => match rest {
                    Some(s) => s,
                    None => break,
                },
            };
            all!(unsure, self.valid(s, Inst::Val(v)));
        }
        if let Some(c) = o.contains {
            if o.min_contains.is_some() || o.max_contains.is_some() {
                return None;
            }
            all!(unsure, any_valid(a.iter().map(|v| self.valid(c, Inst::Val(v)))));
        }
        (!unsure).then_some(true)
    }

    fn string(&mut self, o: &Kw<'s>, s: &str) -> Option<bool> {
        // lengths count code points; only counted when bounded
        if (o.min_length.is_some() || o.max_length.is_some())
            && !count_within(s.chars().count(), o.min_length, o.max_length)?
        {
            return Some(false);
        }
        if let Some(p) = o.pattern {
            return self.matches(p.as_str()?, s);
        }
        Some(true)
    }

    fn matches(&self, pattern: &str, s: &str) -> Option<bool> {
        is_match(self.regexes.get(pattern)?, s)
    }
}

/// Whether a count (`len`) is within the `min*`/`max*` bounds given;
/// unsure (`None`) when a bound is not a whole non-negative number.
fn count_within(len: usize, min: Option<&Value>, max: Option<&Value>) -> Option<bool> {
    let len = len as u64;
    if let Some(n) = min {
        if len < n.as_u64()? {
            return Some(false);
        }
    }
    if let Some(n) = max {
        if len > n.as_u64()? {
            return Some(false);
        }
    }
    Some(true)
}

fn number(o: &Kw<'_>, n: &Number) -> Option<bool> {
    let x = n.as_f64()?;
    let bound = |b: Option<&Value>| b.map(Value::as_f64);
    let fails = [
        bound(o.minimum).map(|b| b.is_none_or(|b| x < b)),
        bound(o.maximum).map(|b| b.is_none_or(|b| x > b)),
        bound(o.exclusive_minimum).map(|b| b.is_none_or(|b| x <= b)),
        bound(o.exclusive_maximum).map(|b| b.is_none_or(|b| x >= b)),
        bound(o.multiple_of).map(|m| m.is_none_or(|m| (x / m).fract() != 0.0)),
    ];
    Some(!fails.contains(&Some(true)))
}

fn strings(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
}

fn type_name(t: &str) -> bool {
    matches!(
        t,
        "null" | "boolean" | "object" | "array" | "number" | "integer" | "string"
    )
}

fn has_type(t: &str, i: Inst<'_>) -> bool {
    let Some(v) = i.value() else {
        return t == "object";
    };
    match (t, v) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("object", Value::Object(_))
        | ("array", Value::Array(_))
        | ("number", Value::Number(_))
        | ("string", Value::String(_)) => true,
        // JSON Schema's integer: any number without a fraction (1.0 too)
        ("integer", Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// JSON equality with numbers compared by value (so `1 == 1.0`).
fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else {
                matches!((x.as_f64(), y.as_f64()), (Some(x), Some(y)) if x == y)
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equals(x, y))
        }
        (Value::Object(x), Value::Object(y)) => objects_equal(x, y),
        _ => a == b,
    }
}

fn objects_equal(x: &Map<String, Value>, y: &Map<String, Value>) -> bool {
    x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equals(v, w)))
}

/// Upper bound on the size of what the pattern compiles to, far below the
/// regex crate's compile limit.
const MAX_REGEX_COST: u64 = 20_000;

/// The pattern as boon's `Regex::new` sees it, when boon's ECMA conversion
/// leaves it unchanged (no `\d`, `\w`, `\s` classes, no `\a`, parsed on the
/// first try), it translates with the regex crate's default syntax options,
/// and it is small.
fn compile_regex(p: &str) -> Option<Hir> {
    let ast = ast::parse::Parser::new().parse(p).ok()?;
    ast::visit(&ast, EcmaUnchanged).ok()?;
    let hir = regex_syntax::hir::translate::Translator::new()
        .translate(p, &ast)
        .ok()?;
    (cost(&hir)? <= MAX_REGEX_COST).then_some(hir)
}

/// Fails on what boon's ECMA conversion rewrites or rejects.
struct EcmaUnchanged;

impl ast::Visitor for EcmaUnchanged {
    type Output = ();
    type Err = ();

    fn finish(self) -> Result<(), ()> {
        Ok(())
    }

    fn visit_pre(&mut self, a: &Ast) -> Result<(), ()> {
        match a {
            Ast::ClassPerl(_) => Err(()),
            Ast::Literal(l) if matches!(l.kind, ast::LiteralKind::Special(_)) => Err(()),
            _ => Ok(()),
        }
    }

    fn visit_class_set_item_pre(&mut self, item: &ast::ClassSetItem) -> Result<(), ()> {
        match item {
            ast::ClassSetItem::Perl(_) => Err(()),
            ast::ClassSetItem::Literal(l) if matches!(l.kind, ast::LiteralKind::Special(_)) => Err(()),
            _ => Ok(()),
        }
    }
}

fn cost(h: &Hir) -> Option<u64> {
    Some(match h.kind() {
        HirKind::Empty | HirKind::Look(Look::Start | Look::End) => 1,
        HirKind::Look(_) => return None,
        HirKind::Literal(l) => l.0.len() as u64,
        HirKind::Class(Class::Unicode(c)) => 8 * c.ranges().len() as u64 + 1,
        HirKind::Class(Class::Bytes(_)) => return None,
        HirKind::Repetition(r) => {
            let n = u64::from(r.max.unwrap_or(r.min).max(r.min).max(1)) + 1;
            cost(&r.sub)?.checked_mul(n)?
        }
        HirKind::Capture(c) => cost(&c.sub)?,
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            let mut sum = 1u64;
            for h in v {
                sum = sum.checked_add(cost(h)?)?;
            }
            sum
        }
    })
}

/// What is left to match after a sub-expression.
enum Next<'h, 'k> {
    Done,
    Seq(&'h [Hir], &'k Next<'h, 'k>),
    /// After iteration `n` of a repetition that began it at `start`.
    Rep(&'h Repetition, u32, usize, &'k Next<'h, 'k>),
}

struct Matcher<'t> {
    t: &'t str,
    steps: u32,
    depth: u32,
}

const MAX_STEPS: u32 = 200_000;
const MAX_MATCH_DEPTH: u32 = 1_000;

/// The regex crate's `is_match` (a match anywhere) by backtracking over the
/// translated pattern; `None` past a step or depth budget or on a construct
/// not modelled (only `^`/`$` of the text as look-arounds).
fn is_match(h: &Hir, s: &str) -> Option<bool> {
    let mut m = Matcher {
        t: s,
        steps: 0,
        depth: 0,
    };
    for start in 0..=s.len() {
        if s.is_char_boundary(start) && m.go(h, start, &Next::Done)? {
            return Some(true);
        }
    }
    Some(false)
}

impl<'t> Matcher<'t> {
    fn go<'h>(&mut self, h: &'h Hir, pos: usize, k: &Next<'h, '_>) -> Option<bool> {
        self.steps += 1;
        if self.steps > MAX_STEPS || self.depth > MAX_MATCH_DEPTH {
            return None;
        }
        self.depth += 1;
        let r = self.go1(h, pos, k);
        self.depth -= 1;
        r
    }

    fn go1<'h>(&mut self, h: &'h Hir, pos: usize, k: &Next<'h, '_>) -> Option<bool> {
        match h.kind() {
            HirKind::Empty => self.next(pos, k),
            HirKind::Literal(l) => {
                if self.t.as_bytes()[pos..].starts_with(&l.0) {
                    self.next(pos + l.0.len(), k)
                } else {
                    Some(false)
                }
            }
            HirKind::Class(Class::Unicode(c)) => {
                // `pos` is always on a char boundary
                let Some(ch) = self.t.get(pos..)?.chars().next() else {
                    return Some(false);
                };
                if c.ranges().iter().any(|r| r.start() <= ch && ch <= r.end()) {
                    self.next(pos + ch.len_utf8(), k)
                } else {
                    Some(false)
                }
            }
            HirKind::Class(Class::Bytes(_)) => None,
            HirKind::Look(Look::Start) => {
                if pos == 0 {
                    self.next(pos, k)
                } else {
                    Some(false)
                }
            }
            HirKind::Look(Look::End) => {
                if pos == self.t.len() {
                    self.next(pos, k)
                } else {
                    Some(false)
                }
            }
            HirKind::Look(_) => None,
            HirKind::Capture(c) => self.go(&c.sub, pos, k),
            HirKind::Concat(v) => self.next(pos, &Next::Seq(v, k)),
            HirKind::Alternation(v) => {
                for a in v {
                    if self.go(a, pos, k)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            HirKind::Repetition(r) => self.rep(r, 0, pos, k),
        }
    }

    /// Repetition `r` after `n` iterations, at `pos`.
    fn rep<'h>(&mut self, r: &'h Repetition, n: u32, pos: usize, k: &Next<'h, '_>) -> Option<bool> {
        if r.max.is_none_or(|max| n < max) && self.go(&r.sub, pos, &Next::Rep(r, n + 1, pos, k))? {
            return Some(true);
        }
        if n >= r.min {
            return self.next(pos, k);
        }
        Some(false)
    }

    fn next<'h>(&mut self, pos: usize, k: &Next<'h, '_>) -> Option<bool> {
        match k {
            Next::Done => Some(true),
            Next::Seq(rest, up) => match rest.split_first() {
                None => self.next(pos, up),
                Some((h, tail)) => self.go(h, pos, &Next::Seq(tail, up)),
            },
            Next::Rep(r, n, start, up) => {
                // an empty iteration past the minimum changes nothing
                if pos == *start && *n > r.min {
                    return Some(false);
                }
                self.rep(r, *n, pos, up)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> Option<bool> {
        is_match(&compile_regex(p)?, s)
    }

    /// The matcher agrees with the regex crate.
    #[test]
    fn matcher_agrees_with_regex() {
        let pats = [
            "^[0-9.]+([eE][-+]?[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$",
            "^(sha256:[a-f0-9]{64})?$",
            "^([a-z_][a-z0-9_]{0,62})?$",
            "^https?://",
            "^/",
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
            "a|b|",
            "(a*)*b",
            "(a?){3}c",
            "x{2,3}$",
            "(?i)straße",
            "^.{2,4}$",
            "[^a]b",
            "é+",
            "",
            "^$",
            "(|a)+$",
        ];
        let texts = [
            "",
            "a",
            "b",
            "ab",
            "aab",
            "c",
            "ac",
            "aac",
            "aaac",
            "xx",
            "xxx",
            "xxxx",
            "100m",
            "1.5e3Gi",
            "1e",
            "Ki",
            "sha256:",
            "/x",
            "x/",
            "http://a",
            "https://a",
            "ftp://",
            "ab_c",
            "A",
            "a-b",
            "-ab",
            "ab-",
            "STRASSE",
            "straße",
            "éé",
            "\n",
            "a\nb",
            "ßb",
            "日本語",
        ];
        for p in pats {
            let re = regex::Regex::new(p).unwrap();
            for t in texts {
                assert_eq!(m(p, t), Some(re.is_match(t)), "{p:?} on {t:?}");
            }
        }
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(m("^(sha256:[a-f0-9]{64})?$", &digest), Some(true));
    }

    /// Random patterns from a small grammar against all short strings over
    /// a small alphabet: the matcher agrees with the regex crate whenever
    /// it answers.
    #[test]
    fn matcher_agrees_on_random_patterns() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        fn gen(rnd: &mut dyn FnMut(u64) -> u64, depth: u32) -> String {
            let atom = match rnd(if depth > 2 { 6 } else { 9 }) {
                0 => "a".to_string(),
                1 => "b".to_string(),
                2 => "é".to_string(),
                3 => "[a-c]".to_string(),
                4 => "[^a]".to_string(),
                5 => ".".to_string(),
                6 => format!("({})", gen(rnd, depth + 1)),
                7 => format!("({}|{})", gen(rnd, depth + 1), gen(rnd, depth + 1)),
                _ => format!("(?:{}{})", gen(rnd, depth + 1), gen(rnd, depth + 1)),
            };
            let q = ["", "", "?", "*", "+", "{0,2}", "{2}", "*?", "{1,}"][rnd(9) as usize];
            let mut s = format!("{atom}{q}");
            if rnd(3) == 0 {
                s.push_str(&gen(rnd, depth + 1));
            }
            s
        }
        let alphabet = ["a", "b", "c", "é", "\n"];
        let mut texts = vec![String::new()];
        for len in 1..=4 {
            let mut idx = vec![0usize; len];
            loop {
                texts.push(idx.iter().map(|&i| alphabet[i]).collect());
                let mut k = 0;
                while k < len && idx[k] == alphabet.len() - 1 {
                    idx[k] = 0;
                    k += 1;
                }
                if k == len {
                    break;
                }
                idx[k] += 1;
            }
        }
        let mut answered = 0;
        for _ in 0..300 {
            let mut p = gen(&mut rnd, 0);
            match rnd(4) {
                0 => p = format!("^{p}"),
                1 => p = format!("{p}$"),
                2 => p = format!("^{p}$"),
                _ => {}
            }
            let re = regex::Regex::new(&p).unwrap();
            let Some(h) = compile_regex(&p) else { continue };
            for t in &texts {
                if let Some(got) = is_match(&h, t) {
                    answered += 1;
                    assert_eq!(got, re.is_match(t), "{p:?} on {t:?}");
                }
            }
        }
        assert!(answered > 100_000, "{answered}");
    }

    /// Schemas with something the fast path does not model are left to boon.
    #[test]
    fn unmodelled_schemas_are_unsure() {
        let values = serde_json::json!({"a": "x", "b": [1]});
        let values = values.as_object().unwrap();
        let check = |draft: Draft, s: serde_json::Value| certainly_valid(&s, draft, values);
        assert!(check(
            Draft::V7,
            serde_json::json!({"properties": {"a": {"pattern": "x"}}})
        ));
        for s in [
            serde_json::json!({"properties": {"a": {"pattern": "\\d"}}}),
            serde_json::json!({"properties": {"a": {"format": "uri"}}}),
            serde_json::json!({"$id": "http://x/y"}),
            serde_json::json!({"properties": {"a": {"$ref": "http://x/y"}}}),
            serde_json::json!({"properties": {"a": {"$ref": "#/definitions/missing"}}}),
            serde_json::json!({"properties": {"a": {"$ref": "#/definitions/a~1b"}}, "definitions": {"a/b": {}}}),
            serde_json::json!({"unevaluatedProperties": false}),
            serde_json::json!({"properties": {"c": {"$schema": "http://json-schema.org/draft-07/schema#"}}}),
            serde_json::json!({"properties": {"a": {"minLength": 1.0}}}),
            serde_json::json!({"$ref": "#"}),
            serde_json::json!({"id": "x"}),
            serde_json::json!({"unevaluatedItems": false}),
            serde_json::json!({"x": {"a": {"type": 5}}, "properties": {"a": {"$ref": "#/x/a"}}}),
            serde_json::json!({"x": {"$id": "http://y/", "a": {}}, "properties": {"a": {"$ref": "#/x/a"}}}),
            serde_json::json!({"x": {"a": {"$id": "http://y/"}}, "properties": {"a": {"$ref": "#/x/a"}}}),
            serde_json::json!({"x": [{}], "properties": {"a": {"$ref": "#/x/00"}}}),
        ] {
            assert!(!check(Draft::V7, s.clone()), "{s}");
        }
        // keywords boon ignores are ignored, and a `$ref` may point under them
        for s in [
            serde_json::json!({"weird": 1, "x-kind": {"type": 5}}),
            serde_json::json!({
                "definitions": {"config": {"str": {"type": "string"}, "note": "x"}},
                "properties": {"a": {"$ref": "#/definitions/config/str"}}
            }),
            serde_json::json!({"x": [{"type": "string"}], "properties": {"a": {"$ref": "#/x/0"}}}),
            serde_json::json!({
                "x": {"node": {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"$ref": "#/x/node"}}]}},
                "properties": {"b": {"$ref": "#/x/node"}}
            }),
        ] {
            assert!(check(Draft::V7, s.clone()), "{s}");
        }
        // a target under an ignored keyword is checked like any subschema
        assert!(!check(
            Draft::V7,
            serde_json::json!({"x": {"a": {"format": "uri"}}, "properties": {"a": {"$ref": "#/x/a"}}})
        ));
        assert!(!check(
            Draft::V7,
            serde_json::json!({"x": {"a": {"type": "integer"}}, "properties": {"a": {"$ref": "#/x/a"}}})
        ));
        // draft-specific keywords
        assert!(!check(Draft::V6, serde_json::json!({"if": true})));
        assert!(!check(Draft::V2020, serde_json::json!({"dependencies": {}})));
        assert!(!check(Draft::V7, serde_json::json!({"prefixItems": [true]})));
        assert!(check(
            Draft::V2020,
            serde_json::json!({"properties": {"a": {"format": "uri"}}})
        ));
    }

    #[test]
    fn converted_patterns_are_unsure() {
        for p in [r"\d", r"[\w-]", r"\a", "(", r"\bx", r"(?m)^x", r"(?-u)\xff"] {
            assert!(compile_regex(p).is_none(), "{p:?}");
        }
        assert!(m("(a*)*$", &"a".repeat(5000)).is_none());
    }
}
