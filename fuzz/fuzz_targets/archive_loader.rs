//! Fuzzes the chart archive loader (`chart::archive` + `chart::load`): any
//! input must give a chart or a clean error, never a panic, a hang or
//! unbounded memory. The first byte picks the mode: even = the input is the
//! `.tgz` itself; odd = the rest is a tar stream that the harness gzips, so
//! the fuzzer reaches the tar and chart layers directly.
//!
//! Run: `cargo +nightly fuzz run archive_loader` (from the repository root).
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use xtask::chart::archive::{load_archive_files_with, Limits};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let gz;
    let input: &[u8] = if mode % 2 == 0 {
        rest
    } else {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(rest).unwrap();
        gz = enc.finish().unwrap();
        &gz
    };
    // Small limits so the fuzzer also exercises the caps.
    let limits = Limits {
        max_total_bytes: 1 << 20,
        max_file_bytes: 256 << 10,
        max_entries: 256,
    };
    if let Ok(files) = load_archive_files_with(input, limits) {
        for f in &files {
            assert!(!f.name.starts_with('/') && !f.name.split('/').any(|p| p == ".."));
        }
        let _ = xtask::chart::load::load_files(files);
    }
});
