//! `--set` / `--set-json` parsing must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xtask::chart::strvals;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut m = serde_json::Map::new();
    let _ = strvals::parse_into(text, &mut m);
    let _ = strvals::parse_json(text, &mut m);
    let _ = strvals::parse_into_string(text, &mut m);
    let _ = strvals::parse_literal_into(text, &mut m);
});
