//! Values parsing and YAML/JSON/TOML emitting must never panic, and
//! whatever `toYaml` prints must parse back to the same values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use xtask::chart::yaml;

fn unsigned_zero(v: Value) -> Value {
    match v {
        Value::Number(n) if n.as_f64() == Some(0.0) => Value::from(0),
        Value::Array(a) => Value::Array(a.into_iter().map(unsigned_zero).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, unsigned_zero(v))).collect()),
        other => other,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = yaml::from_yaml(text);
    let _ = yaml::from_yaml_array(text);
    if let Ok(values) = yaml::parse_values(text) {
        let v = Value::Object(values);
        let out = yaml::to_yaml(&v);
        let _ = yaml::to_json(&v);
        let _ = yaml::to_yaml_pretty(&v);
        let _ = yaml::to_toml(&v);
        // The round trip is exact for printable ASCII; other characters go
        // through go-yaml's own transformations (NEL folding, C1 rejection).
        let json = yaml::to_json(&v);
        // (`\u` escapes: control characters, U+2028/U+2029, which Helm's
        // toYaml writes as line breaks in block scalars, recorded in the
        // literals fixture.)
        let simple = json.bytes().all(|b| (0x20..0x7f).contains(&b)) && !json.contains("\\u");
        // The round trip uses go-yaml's Marshal output: Helm's toYaml trims
        // its final line break, which changes a `|+` block scalar at the
        // end (`t: "x\n\n"` comes back as "x\n" in Helm too).
        let marshalled = yaml::marshal(&v);
        if simple && !out.is_empty() {
            let back = yaml::unmarshal(&marshalled).expect("go-yaml Marshal output must parse");
            // Helm's toYaml goes through JSON and go-yaml, which reads the
            // `-0` it gets as the int 0 (recorded in the numbers_tojson
            // fixture: `negzero: 0`); the sign of zero is not kept.
            assert_eq!(
                yaml::to_json(&unsigned_zero(back)),
                yaml::to_json(&unsigned_zero(v)),
                "Marshal round trip changed the values:\n{marshalled}"
            );
        }
    }
});
