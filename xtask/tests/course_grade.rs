//! `course grade` over the sample class (tests/fixtures/course/class): seven
//! students with mixed mistakes, one hostile (an app that loops forever, a
//! manifest that links to /etc/passwd, a link out of the folder, a YAML
//! alias bomb). The matrix, CSV, JUnit and HTML reports are checked; the
//! HTML page is rendered by headless Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn class() -> PathBuf {
    root().join("xtask/tests/fixtures/course/class")
}

fn require(what: &str, ok: bool) -> bool {
    if !ok {
        if std::env::var("ASKY_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
            panic!("ASKY_REQUIRE_TOOLS=1 but {what} is missing; run scripts/test-deps.sh");
        }
        eprintln!("skipping: {what} is missing");
    }
    ok
}

fn tools_ready() -> bool {
    let venv = root().join("target/tools/venv/bin/python");
    let py = if venv.is_file() {
        venv.to_string_lossy().into_owned()
    } else {
        "python3".into()
    };
    let fastapi = Command::new(&py)
        .args(["-c", "import fastapi, uvicorn"])
        .status()
        .is_ok_and(|s| s.success());
    require("fastapi/uvicorn", fastapi)
        && require(
            "target/tools/bin/helm",
            root().join("target/tools/bin/helm").is_file(),
        )
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut v = Vec::new();
    fn go(d: &Path, v: &mut Vec<(PathBuf, u64)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                go(&e.path(), v);
            } else {
                v.push((e.path(), e.metadata().map(|m| m.len()).unwrap_or(0)));
            }
        }
    }
    go(dir, &mut v);
    v.sort();
    v
}

fn grade(lang: &str, extra: &[&str], reports: &Path) -> (String, Duration) {
    let t0 = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["course", "grade"])
        .arg(class())
        .args([
            "--lang",
            lang,
            "--app-timeout",
            "15",
            "--timeout",
            "90",
            "--report-dir",
        ])
        .arg(reports)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).into_owned(), t0.elapsed())
}

#[test]
fn grade_the_sample_class() {
    if !tools_ready() {
        return;
    }
    let before = snapshot(&class());
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let (matrix, elapsed) = grade(
        "en",
        &["--report", "html", "--report", "csv", "--report", "junit"],
        &reports,
    );
    let html = reports.join("course-grade.html");
    let csv = reports.join("course-grade.csv");
    let junit = reports.join("course-grade.junit.xml");

    // The matrix: the first failing check of each cell.
    let row = |name: &str| {
        matrix
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row {name}:\n{matrix}"))
            .to_string()
    };
    let ana = row("ana");
    assert_eq!(ana.matches('✓').count(), 10, "ana passes everything: {ana}");
    let bruno = row("bruno");
    for cell in [
        "✗ dockerfile-sources Dockerfile:8:6",
        "✗ yaml k8s/deployment.yaml:9:5",
        "✗ service-name k8s/service.yaml:4:9",
    ] {
        assert!(bruno.contains(cell), "bruno: {cell} missing in {bruno}");
    }
    let carla = row("carla");
    for cell in [
        "✗ app-runs app/main.py:8:1",
        "✗ image k8s/pod.yaml:10:14",
        "✗ service-ports k8s/service.yaml:10:19",
    ] {
        assert!(carla.contains(cell), "carla: {cell} missing in {carla}");
    }
    let diego = row("diego");
    assert!(
        diego.contains("✗ app-runs app/main.py"),
        "the endless app is stopped: {diego}"
    );
    assert!(
        diego.contains("✗ yaml k8s/pod.yaml"),
        "the alias bomb is refused: {diego}"
    );
    assert!(matrix.contains("link `k8s/deployment.yaml` skipped"), "{matrix}");
    assert!(matrix.contains("link `escape` skipped"), "{matrix}");
    assert!(
        row("eva").contains("✗ yaml kind.yaml:13:1"),
        "the TAB line: {}",
        row("eva")
    );
    let felipe = row("felipe");
    assert!(
        felipe.contains("✗ requirements app/requirements.txt")
            && felipe.contains("✗ yaml k8s/deployment.yaml:1:1"),
        "{felipe}"
    );
    let gabi = row("gabi");
    assert!(
        gabi.contains("✗ chart-render") && gabi.contains("✗ postgres-storage k8s/asky/postgres.yaml:28:15"),
        "{gabi}"
    );
    // Seven students, one with an app that hangs: bounded by the time limits.
    assert!(elapsed < Duration::from_secs(300), "grading took {elapsed:?}");

    // Nothing written in the class folder (no __pycache__, no report).
    assert_eq!(before, snapshot(&class()), "grading changed the class folder");

    // CSV: one line per student × exercise.
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(csv.lines().count(), 1 + 7 * 10, "{csv}");
    assert!(
        csv.contains("bruno,deployment,failed,yaml,k8s/deployment.yaml:9:5,"),
        "{csv}"
    );
    assert!(csv.contains("ana,chart,passed,"), "{csv}");

    // JUnit: a suite per student, a failure per failed cell.
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert!(junit.starts_with("<?xml"));
    assert_eq!(junit.matches("<testsuite ").count(), 7);
    assert_eq!(junit.matches("<testcase ").count(), 70);
    let failed_cells = csv
        .lines()
        .filter(|l| l.split(',').nth(2) == Some("failed"))
        .count();
    assert_eq!(junit.matches("<failure ").count(), failed_cells);

    // HTML: self-contained (no script, no outside resource).
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("<script"), "no script");
    for outside in ["src=\"http", "href=\"http", "@import", "url(", "@font-face"] {
        assert!(
            !page.contains(outside),
            "the page loads something from outside: {outside}"
        );
    }
    rendered_in_chromium(&html, tmp.path());

    // The same report in Portuguese.
    let notas = tmp.path().join("notas");
    let (matrix_pt, _) = grade(
        "pt-BR",
        &[
            "--only",
            "deployment",
            "--only",
            "kind-cluster",
            "--report",
            "html",
        ],
        &notas,
    );
    let html_pt = notas.join("course-grade.html");
    assert!(matrix_pt.starts_with("aluno"), "{matrix_pt}");
    assert!(matrix_pt.contains("não iniciado"), "{matrix_pt}");
    let page_pt = std::fs::read_to_string(&html_pt).unwrap();
    assert!(
        page_pt.contains("<html lang=\"pt-BR\">") && page_pt.contains("dica"),
        "pt-BR page"
    );
    assert!(page_pt.contains("precisa ficar dois espaços mais para dentro, debaixo de `matchLabels`"));
}

fn rendered_in_chromium(html: &Path, tmp: &Path) {
    let chromium = ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !require("chromium (Debian package `chromium`)", chromium.is_some()) {
        return;
    }
    let chromium = chromium.unwrap();
    let profile = tmp.join("chromium-profile");
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ];
    let url = format!("file://{}", html.display());
    let out = Command::new(chromium)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    // The rendered DOM has the matrix: 7 student rows, 10 exercise columns.
    assert!(dom.contains("<table id=\"matrix\">"), "{dom}");
    assert_eq!(dom.matches("<tr data-student=").count(), 7, "{dom}");
    assert_eq!(dom.matches("data-exercise=").count(), 70);
    assert!(dom.contains("<tr data-student=\"bruno\">"));
    assert!(dom.contains("class=\"failed\" data-exercise=\"deployment\">✗ <code>yaml</code><span class=\"loc\">k8s/deployment.yaml:9:5</span>"), "{dom}");
    assert!(dom.contains("must sit two spaces deeper under `matchLabels`"));
    assert!(dom.contains("id=\"student-diego\""));
    // And it paints: a screenshot of the page.
    let shot = tmp.join("grades.png");
    let out = Command::new(chromium)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1400,900")
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "screenshot of {} bytes",
        png.len()
    );
}
