//! The scanner fast paths of vendor/saphyr-parser against pristine saphyr-parser 0.3.4
//! (vendor/saphyr-parser-upstream): the same event stream, spans and errors (message and position)
//! for every YAML file of the repository, the rendered output of the charts under target/corpus
//! (when present), and generated and mutated YAML strings.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The event stream of a parser crate (the two are distinct types with no common trait), one
/// line per event, ending with the error if any.
macro_rules! event_lines {
    ($parser:path, $src:expr) => {{
        let mut out = Vec::new();
        for ev in <$parser>::new_from_str($src) {
            match ev {
                Ok((ev, span)) => out.push(format!("{ev:?} {span:?}")),
                Err(e) => {
                    out.push(format!("error {e:?} / {e}"));
                    break;
                }
            }
        }
        out
    }};
}

fn events_vendored(src: &str) -> Vec<String> {
    event_lines!(saphyr_parser::Parser<'_, saphyr_parser::StrInput<'_>>, src)
}

fn events_upstream(src: &str) -> Vec<String> {
    event_lines!(
        saphyr_parser_upstream::Parser<'_, saphyr_parser_upstream::StrInput<'_>>,
        src
    )
}

/// Compare both parsers on `src` and on each of its `---`-separated documents (as the renderer
/// decodes them); panic with the first difference.
fn check(what: &str, src: &str) {
    check_one(what, src);
    if src.contains("\n---") {
        for (i, doc) in src.split("\n---").enumerate() {
            check_one(&format!("{what} (document {i})"), doc);
        }
    }
}

fn check_one(what: &str, src: &str) {
    let new = events_vendored(src);
    let old = events_upstream(src);
    if new != old {
        let i = new.iter().zip(&old).take_while(|(a, b)| a == b).count();
        let input = if src.len() <= 2000 {
            format!("{src:?}")
        } else {
            format!("{} bytes", src.len())
        };
        panic!(
            "{what}: event {i} differs\n vendored: {:?}\n upstream: {:?}\n input: {input}",
            new.get(i),
            old.get(i)
        );
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // no symlinks followed: the course fixtures link back into themselves
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if !matches!(name.as_ref(), ".git" | "target" | "vendor" | "node_modules") {
                yaml_files(&path, out);
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".tpl") {
            out.push(path);
        }
    }
}

/// Every YAML file of the repository (charts, conformance cases, lab, fixtures), as is.
fn repo_yaml() -> Vec<(String, String)> {
    let mut files = Vec::new();
    yaml_files(&repo_root(), &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect()
}

#[test]
fn repository_yaml_files() {
    let files = repo_yaml();
    assert!(files.len() > 100, "found only {} YAML files", files.len());
    for (name, src) in &files {
        check(name, src);
        // the same with CRLF line breaks
        check(&format!("{name} (CRLF)"), &src.replace('\n', "\r\n"));
    }
}

/// The corpus charts (third-party, fetched into target/corpus, never committed): their YAML files
/// and their rendered output.
#[test]
fn corpus_charts_and_rendered_output() {
    let corpus = repo_root().join("target/corpus");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        eprintln!("no target/corpus: skipped");
        return;
    };
    let mut charts: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("chart")).collect();
    charts.sort();
    let mut n = 0;
    for chart in charts.iter().filter(|c| c.join("Chart.yaml").is_file()) {
        let mut files = Vec::new();
        yaml_files(chart, &mut files);
        for p in files {
            if let Ok(src) = std::fs::read_to_string(&p) {
                check(&p.display().to_string(), &src);
            }
        }
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["chart", "template"])
            .arg(chart)
            .env("ASKY_JOBS", "1")
            .output()
            .unwrap();
        let rendered = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && !rendered.is_empty(),
            "{}: render failed",
            chart.display()
        );
        check(&format!("{} (rendered)", chart.display()), &rendered);
        n += 1;
    }
    eprintln!("{n} corpus charts compared");
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Pieces that steer the scanner into the fast paths and out of them at every boundary.
const PIECES: &[&str] = &[
    "key",
    "a",
    "b1",
    "x.y/z",
    "-",
    "--",
    "_",
    "~",
    "=",
    "@",
    "`",
    "%",
    "!",
    "!t ",
    "&a ",
    "*a",
    "?",
    "? ",
    ": ",
    ":",
    ":x",
    "::",
    ":-",
    ": -",
    "a:b",
    "http://h:80/p",
    " #",
    "#",
    "# c",
    "a#b",
    "\t",
    " ",
    "  ",
    "    ",
    "\n",
    "\r\n",
    "\r",
    "é",
    "日本",
    "ü:",
    ":é",
    "\u{FEFF}",
    "\u{85}",
    "\u{2028}",
    "😀",
    "|",
    "|-",
    "|+",
    "|2",
    ">",
    ">-",
    ">+",
    "> ",
    "| ",
    "---",
    "--- ",
    "...",
    "- ",
    "-\t",
    "[",
    "]",
    "{",
    "}",
    ",",
    ", ",
    ":,",
    ":[",
    ":]",
    ":{",
    ":}",
    "-[",
    "-,",
    "'",
    "''",
    "\"",
    "\\",
    "\\\"",
    "\\n",
    "'q'",
    "\"q\"",
    "0",
    "1.5",
    "true",
    "null",
    "\0",
];

/// Random YAML-ish text, line by line: indentation, then a mix of pieces.
fn generated(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..1 + rng.below(12) {
        let indent = [0, 0, 1, 2, 2, 4, 4, 6, 8][rng.below(9)];
        s.extend(std::iter::repeat_n(' ', indent));
        if rng.below(10) == 0 {
            s.push('\t');
        }
        for _ in 0..rng.below(7) {
            s.push_str(rng.pick(PIECES));
        }
        s.push_str(if rng.below(8) == 0 { "\r\n" } else { "\n" });
    }
    if rng.below(4) == 0 {
        s.pop();
    }
    s
}

/// Line templates closer to real charts, with plain and block scalars to vary.
fn structured(rng: &mut Rng) -> String {
    const WORDS: &[&str] = &[
        "name",
        "app.kubernetes.io/name",
        "value",
        "x:y",
        "a b",
        "a  b",
        "a #b",
        "a# b",
        "é",
        "{{ .X }}",
        "[a, b]",
        "{a: 1, b: [c:d, e]}",
        "'s q'",
        "\"d q\"",
        "1",
        "",
        "-",
        ":",
        "a:",
        "a,b",
    ];
    let mut s = String::new();
    let mut indent = 0usize;
    for _ in 0..1 + rng.below(15) {
        match rng.below(6) {
            0 => indent = indent.saturating_sub(2),
            1 => indent += 2,
            _ => {}
        }
        let pad = " ".repeat(indent);
        match rng.below(7) {
            0 => {
                let header = rng.pick(&["|", "|-", "|+", ">", ">-", ">+", "|2", ">1-"]);
                s.push_str(&format!("{pad}{}: {header}\n", rng.pick(WORDS)));
                for _ in 0..rng.below(5) {
                    let extra = " ".repeat(rng.below(5));
                    let line = if rng.below(4) == 0 {
                        String::new()
                    } else {
                        generated_line(rng)
                    };
                    s.push_str(&format!("{pad}  {extra}{line}\n"));
                }
            }
            1 => s.push_str(&format!("{pad}- {}\n", rng.pick(WORDS))),
            2 => s.push_str(&format!("{pad}{}:\n", rng.pick(WORDS))),
            3 => s.push_str(&format!("{pad}{}\n", generated_line(rng))),
            4 => s.push_str(if rng.below(2) == 0 { "---\n" } else { "...\n" }),
            _ => s.push_str(&format!("{pad}{}: {}\n", rng.pick(WORDS), rng.pick(WORDS))),
        }
    }
    s
}

fn generated_line(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..1 + rng.below(6) {
        let p = rng.pick(PIECES);
        if !p.contains(['\n', '\r']) {
            s.push_str(p);
        }
    }
    s
}

/// `src` with a few random edits (insert a piece, delete a range, duplicate a range) at char
/// boundaries.
fn mutated(rng: &mut Rng, src: &str) -> String {
    let mut s = src.to_string();
    for _ in 0..1 + rng.below(4) {
        let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
        let a = bounds[rng.below(bounds.len())];
        let b = bounds[rng.below(bounds.len())].max(a).min(a + 40);
        let b = (b..=s.len()).find(|&i| s.is_char_boundary(i)).unwrap_or(s.len());
        match rng.below(3) {
            0 => s.insert_str(a, rng.pick(PIECES)),
            1 => s.replace_range(a..b, ""),
            _ => {
                let dup = s[a..b].to_string();
                s.insert_str(b, &dup);
            }
        }
    }
    s
}

fn cases() -> usize {
    std::env::var("ASKY_YAMLSCAN_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40_000)
}

#[test]
fn generated_strings() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..cases() {
        let src = generated(&mut rng);
        check(&format!("generated {i}"), &src);
        let src = structured(&mut rng);
        check(&format!("structured {i}"), &src);
    }
}

#[test]
fn mutated_repository_files() {
    let files: Vec<(String, String)> = repo_yaml()
        .into_iter()
        .filter(|(_, s)| s.len() < 20_000)
        .collect();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for i in 0..cases() / 4 {
        let (name, src) = &files[rng.below(files.len())];
        // a window of the file keeps the cases small
        let bounds: Vec<usize> = (0..=src.len()).filter(|&i| src.is_char_boundary(i)).collect();
        let a = bounds[rng.below(bounds.len())];
        let b = (a + 600).min(src.len());
        let b = (b..=src.len()).find(|&i| src.is_char_boundary(i)).unwrap();
        let src = mutated(&mut rng, &src[a..b]);
        check(&format!("mutation {i} of {name}"), &src);
    }
}
