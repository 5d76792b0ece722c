//! Go values sprig returns that are not plain data: `time.Time`,
//! `*semver.Version` and `sprig.certificate`, as engine [`Object`]s.

use std::any::Any;
use std::rc::Rc;

use super::crypto::Certificate;
use super::godate::{self, GoTime, Location};
use super::semver::Version;
use crate::chart::value::{Object, Value};

/// `time.Time`.
#[derive(Clone, Debug)]
pub struct TimeObj(pub GoTime);

impl Object for TimeObj {
    fn type_name(&self) -> String {
        "time.Time".into()
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let t = &self.0;
        let int = |v: i64| Some(Ok(Value::Int(v)));
        Some(Ok(match (name, args) {
            ("Unix", []) => Value::Int64(t.sec),
            ("UnixNano", []) => Value::Int64(t.sec.saturating_mul(1_000_000_000) + i64::from(t.nsec)),
            ("UnixMilli", []) => Value::Int64(t.sec.saturating_mul(1000) + i64::from(t.nsec / 1_000_000)),
            ("Year", []) => return int(t.year()),
            ("Month", []) => Value::str(t.format("January")),
            ("Weekday", []) => Value::str(t.format("Monday")),
            ("Day", []) => return int(t.format("2").parse().unwrap_or(0)),
            ("Hour", []) => return int(t.format("15").parse().unwrap_or(0)),
            ("Minute", []) => return int(t.format("4").parse().unwrap_or(0)),
            ("Second", []) => return int(t.format("5").parse().unwrap_or(0)),
            ("Nanosecond", []) => return int(i64::from(t.nsec)),
            ("YearDay", []) => return int(t.format("002").parse().unwrap_or(0)),
            ("IsZero", []) => Value::Bool(t.sec == godate::GoTime::zero().sec && t.nsec == 0),
            ("String", []) => Value::str(t.go_string()),
            ("UTC", []) => time_value(t.in_loc(Location::Utc)),
            ("Local", []) => time_value(t.in_loc(Location::Local)),
            ("Format", [Value::String(layout)]) => Value::str(t.format(layout)),
            ("Add", [Value::Int(d) | Value::Int64(d)]) => time_value(t.add(*d)),
            ("Sub", [Value::Object(o)]) => match o.as_any().downcast_ref::<TimeObj>() {
                Some(u) => Value::Int64(t.sub(&u.0)),
                None => return Some(Err("wrong type for value; expected time.Time".into())),
            },
            _ => return None,
        }))
    }
    fn format_v(&self) -> String {
        self.0.go_string()
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.0.to_json_string())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Wraps a Go time as a template value.
pub fn time_value(t: GoTime) -> Value {
    Value::Object(Rc::new(TimeObj(t)))
}

/// The `time.Time` inside a value, if it is one.
pub fn as_time(v: &Value) -> Option<GoTime> {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<TimeObj>().map(|t| t.0.clone()),
        _ => None,
    }
}

/// `*semver.Version`.
#[derive(Clone, Debug)]
pub struct VersionObj(pub Version);

impl Object for VersionObj {
    fn type_name(&self) -> String {
        "*semver.Version".into()
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let v = &self.0;
        let other = |a: &Value| match a {
            Value::Object(o) => o.as_any().downcast_ref::<VersionObj>().map(|x| x.0.clone()),
            _ => None,
        };
        Some(Ok(match (name, args) {
            ("Major", []) => Value::Int64(v.major as i64),
            ("Minor", []) => Value::Int64(v.minor as i64),
            ("Patch", []) => Value::Int64(v.patch as i64),
            ("Prerelease", []) => Value::str(&v.pre),
            ("Metadata", []) => Value::str(&v.metadata),
            ("Original", []) => Value::str(&v.original),
            ("String", []) => Value::str(v.to_string()),
            ("Compare" | "LessThan" | "GreaterThan" | "Equal", [a]) => {
                let Some(o) = other(a) else {
                    return Some(Err(format!(
                        "wrong type for value; expected *semver.Version; got {}",
                        a.type_name()
                    )));
                };
                let c = v.compare(&o);
                match name {
                    "Compare" => Value::Int(i64::from(c)),
                    "LessThan" => Value::Bool(c < 0),
                    "GreaterThan" => Value::Bool(c > 0),
                    _ => Value::Bool(c == 0),
                }
            }
            _ => return None,
        }))
    }
    fn format_v(&self) -> String {
        self.0.to_string()
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.0.to_string())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `sprig.certificate{Cert, Key}`.
#[derive(Clone, Debug)]
pub struct CertObj(pub Certificate);

impl Object for CertObj {
    fn type_name(&self) -> String {
        "sprig.certificate".into()
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match (name, args) {
            ("Cert", []) => Some(Ok(Value::str(&self.0.cert))),
            ("Key", []) => Some(Ok(Value::str(&self.0.key))),
            _ => None,
        }
    }
    fn format_v(&self) -> String {
        format!("{{{} {}}}", self.0.cert, self.0.key)
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"Cert": self.0.cert, "Key": self.0.key})
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
