//! YAML and JSON with Go's semantics, for Helm compatibility.
//!
//! Values are `serde_json::Value`: an f64 `Number` is a Go float64 (what
//! values files, `fromYaml`, `fromJson` and `--set-json` give), an i64
//! `Number` is a Go int64 (what `--set` gives).
//!
//! Parsing (go-yaml v2 rules + `sigs.k8s.io/yaml` JSON normalisation):
//! - [`parse_values`]: a values file / `-f` file (Helm 4: every document,
//!   deep-merged). Error text = what follows `cannot load values.yaml: `.
//! - [`unmarshal`]: `sigs.k8s.io/yaml.Unmarshal` into `interface{}` (first
//!   document). [`from_yaml`] / [`from_yaml_array`]: Helm's template
//!   functions (errors folded into the result like Helm does).
//! - [`split_documents`]: the `k8s.io/apimachinery` YAML document reader.
//!
//! Emitting:
//! - [`to_yaml`] (Helm `toYaml`), [`marshal`] (with trailing newline),
//!   [`to_yaml_pretty`] (`toYamlPretty`), [`to_json`] (`toJson`),
//!   [`to_raw_json`], [`to_pretty_json`], [`to_toml`].
//! - [`from_json`]: Go `json.Unmarshal` into `interface{}`.

mod block;
pub mod emit;
pub mod json;
pub mod load;
pub mod resolve;
pub mod toml;

use serde_json::{Map, Value};

pub use emit::{marshal, natural_less, sorted_keys, to_yaml, to_yaml_pretty, try_marshal};
pub use json::{float_text, floatify, from_json, to_json, to_pretty_json, to_raw_json};
pub use load::YamlError;
pub use toml::to_toml;

/// Go `%T`-ish name used in `encoding/json` "cannot unmarshal X" errors.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `sigs.k8s.io/yaml.Unmarshal(src, &interface{})`: the first document,
/// go-yaml v2 resolution, map keys stringified, all numbers float64.
/// An empty document is `null`. Errors read like Go's:
/// `error converting YAML to JSON: yaml: line 3: ...`.
pub fn unmarshal(src: &str) -> Result<Value, String> {
    match block::document(src) {
        Some(None) => Ok(Value::Null),
        Some(Some(node)) => load::node_to_json(node).or_else(|_| unmarshal_full(src)),
        None => unmarshal_full(src),
    }
}

/// [`unmarshal`] without its fast path: the full decoder (the reference
/// the fast path is tested against).
pub fn unmarshal_full(src: &str) -> Result<Value, String> {
    unmarshal_with(src, load::node_to_json)
}

/// The fast path of [`unmarshal`] alone, as a decoded node: `None` when
/// the full decoder has to decide (see `block.rs`); `Some(None)` for an
/// empty document.
pub fn decode_first_fast(src: &str) -> Option<Option<load::Node>> {
    block::document(src)
}

/// The first document of `src` decoded and converted by `convert`, with
/// sigs.k8s.io/yaml's error prefix.
fn unmarshal_with(src: &str, convert: fn(load::Node) -> Result<Value, String>) -> Result<Value, String> {
    let node = load::decode_first(src).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    match node {
        None => Ok(Value::Null),
        Some(n) => convert(n).map_err(|e| format!("error converting YAML to JSON: {e}")),
    }
}

/// [`unmarshal`] as Helm's `SortManifests` uses it (into a struct holding
/// `kind`, `apiVersion` and `metadata`): the same errors for the whole
/// document, but only those fields converted.
pub fn unmarshal_head(src: &str) -> Result<Value, String> {
    if let Some(head) = unmarshal_head_fast(src) {
        return Ok(head);
    }
    unmarshal_head_full(src)
}

/// [`unmarshal_head`]'s fast path alone: `None` when the full decoder has
/// to decide (see `block.rs`).
pub fn unmarshal_head_fast(src: &str) -> Option<Value> {
    block::head(src)
}

/// [`unmarshal_head`] without its fast path: the full decoder (the
/// reference the fast path is tested against).
pub fn unmarshal_head_full(src: &str) -> Result<Value, String> {
    unmarshal_with(src, load::node_to_json_head)
}

/// `sigs.k8s.io/yaml.Unmarshal` into `map[string]interface{}` (a `null`
/// document gives an empty map).
pub fn unmarshal_map(src: &str) -> Result<Map<String, Value>, String> {
    match unmarshal(src)? {
        Value::Null => Ok(Map::new()),
        Value::Object(m) => Ok(m),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
    }
}

/// `sigs.k8s.io/yaml.Unmarshal` into `[]interface{}`.
pub fn unmarshal_array(src: &str) -> Result<Vec<Value>, String> {
    match unmarshal(src)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => Ok(a),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        )),
    }
}

/// Helm `fromYaml`: a map; on error `{"Error": "<message>"}`.
pub fn from_yaml(src: &str) -> Map<String, Value> {
    match unmarshal_map(src) {
        Ok(m) => m,
        Err(e) => {
            let mut m = Map::new();
            m.insert("Error".into(), Value::String(e));
            m
        }
    }
}

/// Helm `fromYamlArray`: a list; on error `["<message>"]`.
pub fn from_yaml_array(src: &str) -> Vec<Value> {
    match unmarshal_array(src) {
        Ok(a) => a,
        Err(e) => vec![Value::String(e)],
    }
}

/// The byte offsets of the lines of `s` that start with `---` (document
/// separators for Helm and the Kubernetes YAML reader), found by searching
/// for `\n---` rather than walking every line.
pub fn separator_lines(s: &str) -> impl Iterator<Item = usize> + '_ {
    let first = s.starts_with("---").then_some(0);
    first
        .into_iter()
        .chain(memchr::memmem::find_iter(s.as_bytes(), b"\n---").map(|i| i + 1))
}

/// `k8s.io/apimachinery/pkg/util/yaml.YAMLReader`: split a stream into
/// documents at lines starting with `---` (only spaces or a comment may
/// follow). Separator lines are dropped; empty documents are skipped. The
/// documents are slices of `src` (the lines between two separators).
pub fn split_documents(src: &str) -> Result<Vec<&str>, String> {
    let mut docs = Vec::new();
    let mut start = 0;
    for sep in separator_lines(src) {
        let end = memchr::memchr(b'\n', &src.as_bytes()[sep..]).map_or(src.len(), |i| sep + i + 1);
        let trimmed = src[sep + 3..end].trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            return Err(format!("invalid Yaml document separator: {trimmed}"));
        }
        if sep > start {
            docs.push(&src[start..sep]);
        }
        start = end;
    }
    if start < src.len() {
        docs.push(&src[start..]);
    }
    Ok(docs)
}

/// Helm's `MergeMaps`: `b` wins; nested maps merge recursively.
pub fn merge_maps(a: Map<String, Value>, b: Map<String, Value>) -> Map<String, Value> {
    if a.is_empty() {
        return b; // what merging into nothing gives, without rebuilding it
    }
    let mut out = a;
    for (k, v) in b {
        if let Value::Object(vm) = v {
            if let Some(Value::Object(bm)) = out.get_mut(&k) {
                let merged = merge_maps(std::mem::take(bm), vm);
                out.insert(k, Value::Object(merged));
                continue;
            }
            out.insert(k, Value::Object(vm));
            continue;
        }
        out.insert(k, v);
    }
    out
}

/// Helm 4 `loader.LoadValues`: every document of a values file decoded as a
/// map and deep-merged in order. The error text is what Helm prints after
/// `cannot load values.yaml: ` (or `-f` file context), e.g.
/// `cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 2: ...`.
/// Line numbers count from the start of the failing document, like Helm's.
pub fn parse_values(src: &str) -> Result<Map<String, Value>, String> {
    let docs = split_documents(src).map_err(|e| format!("error reading yaml document: {e}"))?;
    let mut values = Map::new();
    for doc in docs {
        let m = unmarshal_map(doc).map_err(|e| format!("cannot unmarshal yaml document: {e}"))?;
        values = merge_maps(values, m);
    }
    Ok(values)
}

/// Helm 3 values loading: a single `yaml.Unmarshal` (first document only).
pub fn parse_values_single(src: &str) -> Result<Map<String, Value>, String> {
    unmarshal_map(src)
}

/// Helm `fromJson`: a map; on error `{"Error": "<message>"}`.
pub fn from_json_map(src: &str) -> Map<String, Value> {
    let err = |e: String| {
        let mut m = Map::new();
        m.insert("Error".into(), Value::String(e));
        m
    };
    match from_json(src) {
        Ok(Value::Object(m)) => m,
        Ok(Value::Null) => Map::new(),
        Ok(other) => err(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
        Err(e) => err(e),
    }
}

/// Helm `fromJsonArray`: a list; on error `["<message>"]`.
pub fn from_json_array(src: &str) -> Vec<Value> {
    match from_json(src) {
        Ok(Value::Array(a)) => a,
        Ok(Value::Null) => Vec::new(),
        Ok(other) => vec![Value::String(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))],
        Err(e) => vec![Value::String(e)],
    }
}

/// `count` strings made of up to 8 of `parts` each, chosen by a fixed
/// xorshift sequence from `seed`: inputs for tests that check a fast
/// separator search against a line-by-line reference.
#[cfg(test)]
pub(crate) fn random_joins(parts: &[&str], seed: u64, count: usize) -> Vec<String> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            let mut doc = String::new();
            for _ in 0..(state % 9) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                doc.push_str(parts[(state % parts.len() as u64) as usize]);
            }
            state = state.wrapping_add(1);
            doc
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Kubernetes YAML reader line by line, as it reads: the reference
    /// for `split_documents`' separator search.
    fn split_by_lines(src: &str) -> Result<Vec<String>, String> {
        let mut docs = Vec::new();
        let mut buf = String::new();
        for line in src.split_inclusive('\n') {
            if let Some(rest) = line.strip_prefix("---") {
                let trimmed = rest.trim();
                if !trimmed.is_empty() && !trimmed.starts_with('#') {
                    return Err(format!("invalid Yaml document separator: {trimmed}"));
                }
                if !buf.is_empty() {
                    docs.push(std::mem::take(&mut buf));
                }
                continue;
            }
            buf.push_str(line);
        }
        if !buf.is_empty() {
            docs.push(buf);
        }
        Ok(docs)
    }

    #[test]
    fn split_documents_matches_the_line_by_line_reader() {
        let parts = [
            "---", "\n", "a: 1", " ", "# c", "x", "--", "\n---", "\n\n", "---\n",
        ];
        for doc in random_joins(&parts, 11, 20_000) {
            let ours = split_documents(&doc).map(|d| d.into_iter().map(String::from).collect::<Vec<_>>());
            assert_eq!(ours, split_by_lines(&doc), "{doc:?}");
        }
    }

    /// What Helm's SortManifests reads (unmarshal_head) agrees with the full
    /// unmarshal: the same error text, the same kind/apiVersion/metadata.
    #[test]
    fn head_decoding_gives_unmarshal_verdicts_and_fields() {
        let docs = [
            "kind: A\napiVersion: v1\nmetadata:\n  name: x\n  annotations:\n    helm.sh/hook: test\nspec: {a: 1}\n",
            "kind: A\nspec:\n  x: .nan\n",
            "spec:\n  x: .inf\n  y: -.inf\nkind: B\n",
            "spec:\n  - [1, .nan]\nkind: C\nmetadata: {name: .inf}\n",
            "? [a]\n: 1\nkind: D\n",
            "~: 1\nx: .nan\n",
            "kind: [1, 2]\nmetadata: 3\n",
            "- a\n- b\n",
            "just text\n",
            "",
            "kind: A\nkind: B\n1: one\ntrue: yes\n",
            "a: [1\n",
        ];
        for d in docs {
            let full = unmarshal(d);
            let head = unmarshal_head(d);
            match (&full, &head) {
                (Err(a), Err(b)) => assert_eq!(a, b, "{d:?}"),
                (Ok(Value::Object(f)), Ok(Value::Object(h))) => {
                    for k in ["kind", "apiVersion", "metadata"] {
                        assert_eq!(f.get(k), h.get(k), "{d:?} {k}");
                    }
                }
                (Ok(f), Ok(h)) => assert_eq!(f, h, "{d:?}"),
                _ => panic!("{d:?}: {full:?} vs {head:?}"),
            }
        }
    }

    /// Expected values recorded from Helm v4.3.1 (`{{ fromYaml ... | toJson }}`).
    #[test]
    fn from_functions_match_helm() {
        let j = |m: Map<String, Value>| to_json(&Value::Object(m));
        let a = |v: Vec<Value>| to_json(&Value::Array(v));
        assert_eq!(
            j(from_yaml("a: [")),
            r#"{"Error":"error converting YAML to JSON: yaml: line 1: did not find expected node content"}"#
        );
        assert_eq!(
            a(from_yaml_array("a: 1")),
            r#"["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"]"#
        );
        assert_eq!(
            j(from_yaml("- 1")),
            r#"{"Error":"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"}"#
        );
        assert_eq!(j(from_yaml("x: 1\n---\ny: 2")), r#"{"x":1}"#);
        assert_eq!(a(from_yaml_array("- 1\n- on")), "[1,true]");
        assert_eq!(j(from_yaml("")), "{}");
        assert_eq!(
            j(from_json_map("{\"a\": 1")),
            r#"{"Error":"unexpected end of JSON input"}"#
        );
        assert_eq!(
            j(from_json_map("[1]")),
            r#"{"Error":"json: cannot unmarshal array into Go value of type map[string]interface {}"}"#
        );
        assert_eq!(
            a(from_json_array("{}")),
            r#"["json: cannot unmarshal object into Go value of type []interface {}"]"#
        );
        assert_eq!(
            j(from_json_map("{\"a\": x}")),
            r#"{"Error":"invalid character 'x' looking for beginning of value"}"#
        );
    }
}
