//! The template parser must never panic, whatever the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = xtask::chart::template::parse::parse("fuzz.yaml", text, &|name| {
            matches!(
                name,
                "include" | "tpl" | "print" | "printf" | "len" | "index" | "eq" | "and" | "or" | "not"
            )
        });
    }
});
