//! The block-YAML fast paths (a rendered manifest's head: `kind`,
//! `apiVersion`, `metadata`; a whole values document) must never panic
//! and, whenever they answer, must agree with the full go-yaml-compatible
//! decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xtask::chart::yaml;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(fast) = yaml::unmarshal_head_fast(text) {
        assert_eq!(yaml::unmarshal_head_full(text), Ok(fast), "{text:?}");
    }
    if let Some(fast) = yaml::decode_first_fast(text) {
        assert_eq!(yaml::load::decode_first(text), Ok(fast), "{text:?}");
    }
});
