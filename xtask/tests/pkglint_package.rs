//! `chart package` parity with Helm v4.3.1.
//!
//! - Recorded: our tar stream equals, byte for byte, the one inside the
//!   archives `helm package` wrote with `SOURCE_DATE_EPOCH=1700000000`
//!   (xtask/tests/pkglint/golden/package, re-record with
//!   `bash scripts/record-pkglint-goldens.sh`), and the gzip headers match.
//! - Live (needs target/tools/bin/helm; required when ASKY_REQUIRE_TOOLS=1):
//!   the same for the project charts (charts/*) and the fixtures, and
//!   `helm template` of our archive equals `helm template` of Helm's.
//! - Two runs of the CLI give identical bytes.

use std::io::Read;
use std::path::{Path, PathBuf};

use xtask::chart::{load, package};

const EPOCH: i64 = 1_700_000_000;

fn root() -> PathBuf {
    xtask::project_root()
}

fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("xtask/tests/pkglint/charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Gzip header up to the end of the comment.
fn gzip_header(data: &[u8]) -> &[u8] {
    let xlen = u16::from_le_bytes([data[10], data[11]]) as usize;
    let comment_start = 12 + xlen;
    let nul = data[comment_start..].iter().position(|&b| b == 0).unwrap();
    &data[..comment_start + nul + 1]
}

/// Entry names of a tar stream, in order.
fn tar_names(tar: &[u8]) -> Vec<String> {
    let mut a = tar::Archive::new(tar);
    a.entries()
        .unwrap()
        .map(|e| String::from_utf8_lossy(&e.unwrap().path_bytes()).into_owned())
        .collect()
}

fn describe_diff(ours: &[u8], helm: &[u8]) -> String {
    let pos = ours
        .iter()
        .zip(helm.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(helm.len()));
    format!(
        "tar streams differ at byte {pos} (block {}, offset {}); ours {} bytes, helm {} bytes\nours entries: {:?}\nhelm entries: {:?}\nours: {:?}\nhelm: {:?}",
        pos / 512,
        pos % 512,
        ours.len(),
        helm.len(),
        tar_names(ours),
        tar_names(helm),
        String::from_utf8_lossy(&ours[pos.saturating_sub(40)..(pos + 40).min(ours.len())]),
        String::from_utf8_lossy(&helm[pos.saturating_sub(40)..(pos + 40).min(helm.len())]),
    )
}

fn our_archive(dir: &Path) -> Vec<u8> {
    let chart = load::load(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    package::archive_bytes(&chart, package::Stamp::source_date_epoch(EPOCH)).unwrap()
}

#[test]
fn tar_streams_equal_recorded_helm_archives() {
    let golden = root().join("xtask/tests/pkglint/golden/package");
    let mut checked = 0;
    for dir in fixtures() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("bad-") {
            continue;
        }
        let chart = load::load(&dir).unwrap();
        let file = golden.join(format!("{}-{}.tgz", chart.name(), chart.metadata.version));
        let helm = std::fs::read(&file)
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/record-pkglint-goldens.sh)", file.display()));
        let ours = our_archive(&dir);
        assert_eq!(gzip_header(&ours), gzip_header(&helm), "{name}: gzip header");
        let (ours_tar, helm_tar) = (gunzip(&ours), gunzip(&helm));
        assert!(
            ours_tar == helm_tar,
            "{name}: {}",
            describe_diff(&ours_tar, &helm_tar)
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} fixtures checked");
}

#[test]
fn negated_helmignore_breaks_the_chart_like_helm() {
    let dir = root().join("xtask/tests/pkglint/charts/bad-ignore-negation");
    let err = load::load(&dir).unwrap_err();
    assert_eq!(err.0, "Chart.yaml file is missing");
}

fn run_cli(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn cli_is_reproducible_and_prints_helms_line() {
    let t = tempfile::tempdir().unwrap();
    let chart = root().join("xtask/tests/pkglint/charts/nested");
    let mut bytes = Vec::new();
    for run in 0..2 {
        let dest = t.path().join(format!("run{run}"));
        let out = run_cli(
            &[
                "chart",
                "package",
                chart.to_str().unwrap(),
                "-d",
                dest.to_str().unwrap(),
            ],
            &[("SOURCE_DATE_EPOCH", "1700000000")],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let path = dest.join("nested-0.3.0.tgz");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!(
                "Successfully packaged chart and saved it to: {}\n",
                path.display()
            )
        );
        bytes.push(std::fs::read(path).unwrap());
    }
    assert_eq!(bytes[0], bytes[1]);
    let out = run_cli(
        &[
            "chart",
            "package",
            chart.to_str().unwrap(),
            "-d",
            t.path().to_str().unwrap(),
            "--version",
            "1.2.x",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid semantic version"));
}

/// The pinned helm, or None (skip) unless ASKY_REQUIRE_TOOLS=1.
fn helm() -> Option<xtask::tools::Toolbox> {
    let tools = xtask::tools::Toolbox::for_project(&root());
    if tools.resolve("helm").is_some() {
        return Some(tools);
    }
    if std::env::var("ASKY_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("helm is required (ASKY_REQUIRE_TOOLS=1): run bash scripts/test-deps.sh");
    }
    eprintln!("skipping live helm comparison: helm not found (run bash scripts/test-deps.sh)");
    None
}

fn helm_try(tools: &xtask::tools::Toolbox, args: &[&str]) -> Result<String, String> {
    let cmd = xtask::tools::Cmd::new("helm")
        .args(args.iter().copied())
        .env("SOURCE_DATE_EPOCH", EPOCH.to_string());
    let out = tools.output(&cmd).unwrap();
    if out.success() {
        Ok(out.stdout)
    } else {
        Err(out.stderr)
    }
}

fn helm_run(tools: &xtask::tools::Toolbox, args: &[&str]) -> String {
    helm_try(tools, args).unwrap_or_else(|e| panic!("helm {args:?}: {e}"))
}

/// Entries grouped by the chart that owns them (the longest `…/charts/<x>`
/// prefix); order compared within each group, because Helm orders two or
/// more sibling subcharts randomly.
fn grouped(tar: &[u8]) -> std::collections::BTreeMap<String, Vec<(String, Vec<u8>)>> {
    let mut groups: std::collections::BTreeMap<String, Vec<(String, Vec<u8>)>> = Default::default();
    let mut a = tar::Archive::new(tar);
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        let parts: Vec<&str> = name.split('/').collect();
        let mut owner = parts[0].to_string();
        let mut i = 1;
        while i + 1 < parts.len() {
            if parts[i] == "charts" && i + 2 < parts.len() {
                owner = parts[..i + 2].join("/");
                i += 2;
            } else {
                i += 1;
            }
        }
        groups.entry(owner).or_default().push((name, data));
    }
    groups
}

#[test]
fn live_helm_package_and_template_parity() {
    let Some(tools) = helm() else { return };
    let t = tempfile::tempdir().unwrap();
    let mut charts = fixtures();
    for e in std::fs::read_dir(root().join("charts")).unwrap() {
        let p = e.unwrap().path();
        if p.join("Chart.yaml").is_file() {
            charts.push(p);
        }
    }
    // Public charts of the template corpus, when it was built locally
    // (target/corpus/<name>/chart; several subcharts, .tgz dependencies).
    if let Ok(entries) = std::fs::read_dir(root().join("target/corpus")) {
        for e in entries {
            let p = e.unwrap().path().join("chart");
            if p.join("Chart.yaml").is_file() {
                charts.push(p);
            }
        }
    }
    for dir in charts {
        let mut name = dir.file_name().unwrap().to_string_lossy().into_owned();
        // Corpus charts use random functions (randAlphaNum, genCA): their
        // `helm template` output differs between any two runs, so only the
        // archive content is compared for them.
        let corpus = name == "chart";
        if corpus {
            name = dir
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
        }
        if name.starts_with("bad-") {
            continue;
        }
        let hdir = t.path().join("helm").join(&name);
        let odir = t.path().join("ours").join(&name);
        helm_run(
            &tools,
            &["package", dir.to_str().unwrap(), "-d", hdir.to_str().unwrap()],
        );
        let helm_tgz = std::fs::read_dir(&hdir).unwrap().next().unwrap().unwrap().path();
        let ours = our_archive(&dir);
        std::fs::create_dir_all(&odir).unwrap();
        let ours_tgz = odir.join(helm_tgz.file_name().unwrap());
        std::fs::write(&ours_tgz, &ours).unwrap();
        let helm_bytes = std::fs::read(&helm_tgz).unwrap();
        assert_eq!(
            gzip_header(&ours),
            gzip_header(&helm_bytes),
            "{name}: gzip header"
        );
        let (ot, ht) = (gunzip(&ours), gunzip(&helm_bytes));
        if ot != ht {
            assert_eq!(grouped(&ot), grouped(&ht), "{name}: {}", describe_diff(&ot, &ht));
        }
        if corpus {
            continue;
        }
        // Library charts are not installable: both archives must say so.
        let a = helm_try(&tools, &["template", "parity", ours_tgz.to_str().unwrap()]);
        let b = helm_try(&tools, &["template", "parity", helm_tgz.to_str().unwrap()]);
        match (&a, &b) {
            (Ok(a), Ok(b)) if a != b => {
                // Charts that generate secrets (randAlphaNum, genCA, …) render
                // differently on every run, even from one archive: compare only
                // the lines that Helm itself renders the same twice.
                let b2 = helm_run(&tools, &["template", "parity", helm_tgz.to_str().unwrap()]);
                assert_ne!(b, &b2, "{name}: helm template differs");
                let (la, lb, lb2): (Vec<&str>, Vec<&str>, Vec<&str>) =
                    (a.lines().collect(), b.lines().collect(), b2.lines().collect());
                assert_eq!(la.len(), lb.len(), "{name}: helm template differs in line count");
                for (i, ((x, y), z)) in la.iter().zip(&lb).zip(&lb2).enumerate() {
                    if y == z {
                        assert_eq!(x, y, "{name}: helm template differs at line {}", i + 1);
                    }
                }
            }
            _ => assert_eq!(a, b, "{name}: helm template differs"),
        }
        assert!(a.is_ok() || name == "library", "{name}: {a:?}");
    }
}
