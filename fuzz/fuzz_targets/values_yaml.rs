//! Values parsing and YAML/JSON/TOML emitting must never panic, and
//! whatever `toYaml` prints must parse back to the same values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use xtask::chart::yaml;

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
        let simple = json.bytes().all(|b| (0x20..0x7f).contains(&b)) && !json.contains("\\u00");
        if simple && !out.is_empty() {
            let back = yaml::unmarshal(&out).expect("toYaml output must parse");
            assert_eq!(
                yaml::to_json(&back),
                json,
                "toYaml round trip changed the values:\n{out}"
            );
        }
    }
});
