//! Helm's own template functions from `pkg/engine/funcs.go` that are plain
//! functions (the engine-bound ones — `include`, `tpl`, `required`,
//! `fail`, `lookup`, `getHostByName` — live in the template executor):
//! `toYaml`, `mustToYaml`, `toYamlPretty`, `fromYaml`, `fromYamlArray`,
//! `toJson`, `mustToJson`, `fromJson`, `fromJsonArray`, `toToml`,
//! `mustToToml`, `fromToml` (parsed with the `toml` crate). Serialisation is delegated to `chart::yaml`.

use crate::chart::template::{CallCtx, FuncError, Registry, Ty};
use crate::chart::value::Value;
use crate::chart::yaml;

type FR = Result<Value, FuncError>;

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// `json.Marshal` refuses NaN and ±Inf anywhere in the value.
fn json_error(v: &Value) -> Option<String> {
    match v {
        Value::Float(f) if !f.is_finite() => Some(format!(
            "json: unsupported value: {}",
            crate::chart::gofmt::float_v(*f)
        )),
        Value::List(l) => l.items().iter().find_map(json_error),
        Value::Map(m) => m.entries().values().find_map(json_error),
        _ => None,
    }
}

fn to_yaml(_: &mut CallCtx, a: &[Value]) -> FR {
    if json_error(&a[0]).is_some() {
        return Ok(Value::str(""));
    }
    Ok(Value::str(yaml::to_yaml(&a[0].to_json())))
}
fn must_to_yaml(_: &mut CallCtx, a: &[Value]) -> FR {
    if let Some(e) = json_error(&a[0]) {
        return Err(FuncError::new(format!("error marshaling into JSON: {e}")));
    }
    Ok(Value::str(yaml::to_yaml(&a[0].to_json())))
}
fn to_yaml_pretty(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::str(yaml::to_yaml_pretty(&a[0].to_json())))
}
fn from_yaml(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::from_json(&serde_json::Value::Object(yaml::from_yaml(s(
        &a[0],
    )))))
}
fn from_yaml_array(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::from_json(&serde_json::Value::Array(
        yaml::from_yaml_array(s(&a[0])),
    )))
}
fn to_json(_: &mut CallCtx, a: &[Value]) -> FR {
    if json_error(&a[0]).is_some() {
        return Ok(Value::str(""));
    }
    Ok(Value::str(yaml::to_json(&a[0].to_json())))
}
fn must_to_json(_: &mut CallCtx, a: &[Value]) -> FR {
    if let Some(e) = json_error(&a[0]) {
        return Err(FuncError::new(e));
    }
    Ok(Value::str(yaml::to_json(&a[0].to_json())))
}
fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}
fn from_json(_: &mut CallCtx, a: &[Value]) -> FR {
    let m = match yaml::from_json(s(&a[0])) {
        Ok(serde_json::Value::Object(m)) => m,
        // `null` leaves the map as made (empty).
        Ok(serde_json::Value::Null) => serde_json::Map::new(),
        Ok(other) => error_map(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
        Err(e) => error_map(e),
    };
    Ok(Value::from_json(&serde_json::Value::Object(m)))
}
fn error_map(e: String) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("Error".into(), serde_json::Value::String(e));
    m
}
fn from_json_array(_: &mut CallCtx, a: &[Value]) -> FR {
    let v = match yaml::from_json(s(&a[0])) {
        Ok(serde_json::Value::Array(v)) => v,
        Ok(serde_json::Value::Null) => Vec::new(),
        Ok(other) => vec![serde_json::Value::String(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))],
        Err(e) => vec![serde_json::Value::String(e)],
    };
    Ok(Value::from_json(&serde_json::Value::Array(v)))
}
fn to_toml(_: &mut CallCtx, a: &[Value]) -> FR {
    Ok(Value::str(yaml::to_toml(&a[0].to_json())))
}

/// A BurntSushi/toml decoded value: integers int64, floats float64,
/// offset date-times `time.Time`, tables `map[string]interface{}`.
fn toml_to_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::str(s),
        toml::Value::Integer(i) => Value::Int64(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => {
            let text = d.to_string();
            let layouts = [
                "2006-01-02T15:04:05.999999999Z07:00",
                "2006-01-02 15:04:05.999999999Z07:00",
            ];
            layouts
                .iter()
                .find_map(|l| super::godate::parse_in_location(l, &text, &super::godate::Location::Utc).ok())
                .map(super::objects::time_value)
                .unwrap_or_else(|| Value::str(text))
        }
        toml::Value::Array(a) => Value::list(a.iter().map(toml_to_value).collect()),
        toml::Value::Table(t) => Value::map(t.iter().map(|(k, v)| (k.clone(), toml_to_value(v))).collect()),
    }
}
fn from_toml(_: &mut CallCtx, a: &[Value]) -> FR {
    match s(&a[0]).parse::<toml::Table>() {
        Ok(t) => Ok(toml_to_value(&toml::Value::Table(t))),
        Err(e) => {
            let msg = e.to_string().lines().next_back().unwrap_or("").trim().to_string();
            let mut m = std::collections::BTreeMap::new();
            m.insert("Error".to_string(), Value::str(format!("toml: {msg}")));
            Ok(Value::map(m))
        }
    }
}

/// Registers Helm's functions (after sprig's, which they replace).
pub fn register(r: &mut Registry) {
    use Ty::{Any, String as S};
    r.register("toYaml", &[Any], None, to_yaml);
    r.register("mustToYaml", &[Any], None, must_to_yaml);
    r.register("toYamlPretty", &[Any], None, to_yaml_pretty);
    r.register("fromYaml", &[S], None, from_yaml);
    r.register("fromYamlArray", &[S], None, from_yaml_array);
    r.register("toJson", &[Any], None, to_json);
    r.register("mustToJson", &[Any], None, must_to_json);
    r.register("fromJson", &[S], None, from_json);
    r.register("fromJsonArray", &[S], None, from_json_array);
    r.register("toToml", &[Any], None, to_toml);
    r.register("mustToToml", &[Any], None, to_toml);
    r.register("fromToml", &[S], None, from_toml);
}
