//! The catalogue of typical mistakes (`tests/fixtures/course/mistakes.yaml`):
//! each is caught by the right check, at the right line, with a hint in
//! Portuguese and in English.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), to).unwrap();
        }
    }
}

fn python_ready() -> bool {
    let venv = root().join("target/tools/venv/bin/python");
    let py = if venv.is_file() {
        venv.to_string_lossy().into_owned()
    } else {
        "python3".into()
    };
    let ok = Command::new(&py)
        .args(["-c", "import fastapi, uvicorn"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok && std::env::var("ASKY_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("ASKY_REQUIRE_TOOLS=1 but fastapi/uvicorn are not importable; run scripts/test-deps.sh");
    }
    ok
}

#[test]
fn every_catalogued_mistake_is_caught_by_the_right_check_at_the_right_line() {
    let text = std::fs::read_to_string(root().join("xtask/tests/fixtures/course/mistakes.yaml")).unwrap();
    let docs = xtask::k8s::parse_documents(&text).unwrap();
    let entries = docs[0].root.to_json();
    let entries = entries.as_array().unwrap();
    assert!(
        entries.len() >= 25,
        "the catalogue has {} mistakes",
        entries.len()
    );
    let with_python = python_ready();
    let mut names = std::collections::BTreeSet::new();
    for e in entries {
        let name = e["name"].as_str().unwrap();
        assert!(names.insert(name.to_string()), "duplicate name {name}");
    }
    // Four at a time: the app mistakes wait for uvicorn (or its time limit).
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let chunk: Vec<&serde_json::Value> = entries.iter().skip(i).step_by(4).collect();
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .flat_map(|e| run_one(e, with_python))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} mistakes not caught as catalogued:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

fn run_one(e: &serde_json::Value, with_python: bool) -> Vec<String> {
    let mut failures = Vec::new();
    let name = e["name"].as_str().unwrap();
    let exercise = e["exercise"].as_str().unwrap();
    if exercise == "app" && !with_python {
        eprintln!("skipping {name}: fastapi/uvicorn not importable");
        return failures;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("student");
    copy_dir(&root().join("lab/course").join(exercise).join("solution"), &dir);
    let edit = &e["edit"];
    let file = dir.join(edit["file"].as_str().unwrap());
    if edit["delete"].as_bool() == Some(true) {
        std::fs::remove_file(&file).unwrap();
    } else {
        let old = std::fs::read_to_string(&file).unwrap();
        let from = edit["replace"].as_str().unwrap();
        assert!(
            old.contains(from),
            "{name}: `{from}` not found in {}",
            file.display()
        );
        std::fs::write(&file, old.replacen(from, edit["with"].as_str().unwrap(), 1)).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "course",
            "check",
            exercise,
            "--json",
            "--app-timeout",
            "15",
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let v: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(err) => {
            failures.push(format!(
                "{name}: no JSON ({err}): {}",
                String::from_utf8_lossy(&out.stderr)
            ));
            return failures;
        }
    };
    if out.status.code() != Some(1) {
        failures.push(format!("{name}: exit {:?}, expected 1", out.status.code()));
        return failures;
    }
    let checks = v["results"][0]["checks"].as_array().unwrap();
    let Some(first) = checks.iter().find(|c| c["status"] == "failed") else {
        failures.push(format!("{name}: nothing failed"));
        return failures;
    };
    let p = &first["problems"][0];
    let got = (
        first["check"].as_str().unwrap_or(""),
        p["line"].as_u64().unwrap_or(999),
    );
    let want = (e["check"].as_str().unwrap(), e["line"].as_u64().unwrap());
    if got != want {
        failures.push(format!(
            "{name}: caught by {}:{} (want {}:{}) at {}: {}",
            got.0, got.1, want.0, want.1, p["file"], p["hint"]["en"]
        ));
        return failures;
    }
    for lang in ["en", "pt-BR"] {
        let needle = e["hint"][lang].as_str().unwrap();
        let all = format!("{} {} {}", p["expected"][lang], p["found"][lang], p["hint"][lang]);
        if !all.contains(needle) {
            failures.push(format!("{name}: {lang} message lacks `{needle}`: {all}"));
        }
    }
    if p["hint"]["en"] == p["hint"]["pt-BR"] {
        failures.push(format!("{name}: hint is not translated"));
    }
    failures
}
