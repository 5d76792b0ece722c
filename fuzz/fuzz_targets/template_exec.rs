//! Parsing and executing arbitrary templates (with Helm's function set) on a
//! small values tree must never panic; errors are fine. Like `chart
//! template`, execution runs on a 512 MiB stack (deep `include` nesting is
//! legal up to Helm's limits), with a small step budget so that
//! loops end in the engine's step-limit error rather than a libFuzzer
//! timeout.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::rc::Rc;
use xtask::chart::template::exec::Engine;
use xtask::chart::value::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.to_owned();
    xtask::chart::cli::render_on_big_stack(move || {
        let mut engine = Engine::new(Rc::new(xtask::chart::render::helm_registry()));
        engine.step_limit = 200_000;
        if engine.parse_file("fuzz.yaml", &text).is_err() {
            return;
        }
        let vals: serde_json::Value = serde_json::json!({
            "Values": {"a": {"b": 1.5, "s": "x", "l": [1, "two", null]}, "n": 1000000.0},
            "Release": {"Name": "r", "Namespace": "ns"},
        });
        let _ = engine.execute("fuzz.yaml", Value::from_json(&vals));
    });
});
