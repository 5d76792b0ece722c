//! Chart metadata parsing must never panic: `Chart.yaml` / `Chart.lock` /
//! `requirements.yaml` decoding (`chart::metadata` over `chart::chartyaml`),
//! `Metadata.Validate`, the lint's duplicate-key scan, and a whole chart
//! built from the input as `Chart.yaml` plus a `values.yaml` through
//! `load::load_files` (Helm's `LoadFiles`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use xtask::chart::archive::BufferedFile;
use xtask::chart::{chartyaml, load, metadata};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = chartyaml::parse_documents(text, None);
        let _ = chartyaml::first_duplicate_key(text);
    }
    if let Ok(mut md) = metadata::Metadata::from_yaml(data) {
        let _ = md.to_json(true);
        let _ = md.validate();
        let _ = md.to_json(false);
    }
    if let Ok(lock) = metadata::Lock::from_yaml(data) {
        let _ = lock.to_json();
    }
    let mut md = metadata::Metadata::default();
    let _ = md.merge_yaml(data);
    // The same bytes as a chart: Chart.yaml, and as values.yaml next to a
    // valid Chart.yaml.
    let _ = load::load_files(vec![BufferedFile {
        name: "Chart.yaml".into(),
        data: data.to_vec(),
    }]);
    let _ = load::load_files(vec![
        BufferedFile {
            name: "Chart.yaml".into(),
            data: b"apiVersion: v2\nname: fuzz\nversion: 0.1.0\n".to_vec(),
        },
        BufferedFile {
            name: "values.yaml".into(),
            data: data.to_vec(),
        },
    ]);
});
