//! Output: text for a terminal, and the teacher's reports (self-contained
//! HTML, CSV, JUnit XML) for a class matrix.

use std::fmt::Write as _;

use super::model::{ExerciseResult, Status};
use super::msg::{labels, Lang, Msg};

/// The text a student reads for one exercise.
pub fn exercise_text(r: &ExerciseResult, title: &str, lang: Lang) -> String {
    let l = labels(lang);
    let mut s = String::new();
    let status = match r.status {
        Status::Passed => l.passed,
        Status::Failed => l.failed,
        Status::Skipped => l.skipped,
        Status::NotStarted => l.not_started,
    };
    let mark = mark(r.status);
    let _ = writeln!(s, "{mark} {} — {title}: {status}", r.exercise);
    for c in &r.checks {
        match c.status {
            Status::Passed => {
                let _ = writeln!(s, "  ✓ {} {}", l.check, c.check);
            }
            Status::Skipped => {
                let why = c
                    .notes
                    .first()
                    .map(|m| m.get(lang).to_string())
                    .unwrap_or_default();
                let _ = writeln!(s, "  - {} {}: {} ({why})", l.check, c.check, l.skipped);
                continue;
            }
            Status::Failed | Status::NotStarted => {
                for p in &c.problems {
                    let _ = writeln!(s, "  ✗ {} {}: {}", l.check, c.check, p.location());
                    let w = [l.expected, l.found, l.hint]
                        .iter()
                        .map(|x| x.chars().count())
                        .max()
                        .unwrap_or(0)
                        + 1;
                    let _ = writeln!(
                        s,
                        "      {:<w$} {}",
                        format!("{}:", l.expected),
                        p.expected.get(lang)
                    );
                    let _ = writeln!(s, "      {:<w$} {}", format!("{}:", l.found), p.found.get(lang));
                    let _ = writeln!(s, "      {:<w$} {}", format!("{}:", l.hint), p.hint.get(lang));
                }
            }
        }
        for n in c.notes.iter().filter(|_| c.status != Status::Skipped) {
            let _ = writeln!(s, "      {}: {}", l.note, n.get(lang));
        }
    }
    s
}

pub fn mark(s: Status) -> &'static str {
    match s {
        Status::Passed => "✓",
        Status::Failed => "✗",
        Status::Skipped => "-",
        Status::NotStarted => "·",
    }
}

/// One cell of the class matrix.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Cell {
    pub status: Status,
    /// First failing check, its location and its problem.
    pub check: Option<String>,
    pub location: Option<String>,
    pub expected: Option<Msg>,
    pub found: Option<Msg>,
    pub hint: Option<Msg>,
}

impl Cell {
    pub fn from_result(r: &ExerciseResult) -> Cell {
        let first = r.first_failure();
        Cell {
            status: r.status,
            check: first.map(|(c, _)| c.check.clone()),
            location: first.and_then(|(_, p)| p.map(|p| p.location())),
            expected: first.and_then(|(_, p)| p.map(|p| p.expected.clone())),
            found: first.and_then(|(_, p)| p.map(|p| p.found.clone())),
            hint: first.and_then(|(_, p)| p.map(|p| p.hint.clone())),
        }
    }
    /// Short text for a table cell.
    pub fn short(&self, lang: Lang) -> String {
        match self.status {
            Status::Failed => match (&self.check, &self.location) {
                (Some(c), Some(l)) => format!("✗ {c} {l}"),
                (Some(c), None) => format!("✗ {c}"),
                _ => "✗".into(),
            },
            Status::NotStarted => labels(lang).not_started.to_string(),
            s => mark(s).to_string(),
        }
    }
}

/// One student's row.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Row {
    pub student: String,
    pub cells: Vec<Cell>,
    /// Something that stopped this student's grading (timeout, crash).
    pub error: Option<Msg>,
    /// Things left out of the copy (links out of the folder, huge files).
    pub notes: Vec<Msg>,
    pub seconds: f64,
}

pub struct Matrix {
    pub exercises: Vec<(String, String)>,
    pub rows: Vec<Row>,
}

pub fn matrix_text(m: &Matrix, lang: Lang) -> String {
    let mut widths: Vec<usize> = vec![m
        .rows
        .iter()
        .map(|r| r.student.chars().count())
        .max()
        .unwrap_or(7)
        .max(7)];
    for (i, (id, _)) in m.exercises.iter().enumerate() {
        let w = m
            .rows
            .iter()
            .map(|r| r.cells.get(i).map_or(1, |c| c.short(lang).chars().count()))
            .max()
            .unwrap_or(1)
            .max(id.chars().count());
        widths.push(w);
    }
    let mut s = String::new();
    let student = lang.pick("aluno", "student");
    let _ = write!(s, "{:<w$}", student, w = widths[0]);
    for (i, (id, _)) in m.exercises.iter().enumerate() {
        let _ = write!(s, "  {:<w$}", id, w = widths[i + 1]);
    }
    s.push('\n');
    for r in &m.rows {
        let _ = write!(s, "{:<w$}", r.student, w = widths[0]);
        for (i, c) in r.cells.iter().enumerate() {
            let _ = write!(s, "  {:<w$}", c.short(lang), w = widths[i + 1]);
        }
        if let Some(e) = &r.error {
            let _ = write!(s, "  [{}]", e.get(lang));
        }
        s.push('\n');
        for n in &r.notes {
            let _ = writeln!(s, "    {}: {}", labels(lang).note, n.get(lang));
        }
    }
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A self-contained HTML page: inline CSS, no script, no outside font or image.
pub fn html(m: &Matrix, lang: Lang, title: &str) -> String {
    let l = labels(lang);
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n\
body{{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;margin:1.5rem;color:#1b1f24}}\n\
table{{border-collapse:collapse;margin:1rem 0}}\nth,td{{border:1px solid #c9ced6;padding:.35rem .5rem;vertical-align:top;font-size:.9rem}}\n\
th{{background:#eef1f5;text-align:left}}\ntd.passed{{background:#dff3e4}}\ntd.failed{{background:#fde2e1}}\ntd.not-started{{background:#f4f5f7;color:#6b7280}}\ntd.error{{background:#fff0c2}}\n\
code{{font-family:ui-monospace,monospace;font-size:.85rem}}\n.loc{{display:block;font-family:ui-monospace,monospace;font-size:.8rem}}\nsection{{margin-top:1.5rem}}\ndl{{margin:.3rem 0 .8rem 1rem}}\ndt{{font-weight:600}}\n\
</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        lang.code(),
        esc(title),
        esc(title)
    );
    let passed: usize = m
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .filter(|c| c.status == Status::Passed)
        .count();
    let failed: usize = m
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .filter(|c| c.status == Status::Failed)
        .count();
    let _ = writeln!(
        s,
        "<p id=\"summary\">{}: {} · {}: {} · {}: {}</p>",
        lang.pick("alunos", "students"),
        m.rows.len(),
        l.passed,
        passed,
        l.failed,
        failed
    );
    let _ = write!(
        s,
        "<table id=\"matrix\">\n<thead><tr><th>{}</th>",
        lang.pick("aluno", "student")
    );
    for (id, t) in &m.exercises {
        let _ = write!(s, "<th title=\"{}\">{}</th>", esc(t), esc(id));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in &m.rows {
        let _ = write!(
            s,
            "<tr data-student=\"{}\"><th>{}</th>",
            esc(&r.student),
            esc(&r.student)
        );
        for (i, c) in r.cells.iter().enumerate() {
            let class = match (c.status, &r.error) {
                (_, Some(_)) if c.check.as_deref() == Some("grading") => "error",
                (Status::Passed, _) => "passed",
                (Status::Failed, _) => "failed",
                (Status::NotStarted, _) => "not-started",
                (Status::Skipped, _) => "not-started",
            };
            let ex = m.exercises.get(i).map_or("", |e| e.0.as_str());
            let _ = write!(s, "<td class=\"{class}\" data-exercise=\"{}\">", esc(ex));
            match c.status {
                Status::Failed => {
                    let _ = write!(s, "✗ <code>{}</code>", esc(c.check.as_deref().unwrap_or("")));
                    if let Some(loc) = &c.location {
                        let _ = write!(s, "<span class=\"loc\">{}</span>", esc(loc));
                    }
                }
                Status::Passed => s.push('✓'),
                _ => s.push_str(&esc(l.not_started)),
            }
            s.push_str("</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    for r in &m.rows {
        let _ = writeln!(
            s,
            "<section id=\"student-{}\">\n<h2>{}</h2>",
            esc(&r.student),
            esc(&r.student)
        );
        if let Some(e) = &r.error {
            let _ = writeln!(s, "<p class=\"error\">{}</p>", esc(e.get(lang)));
        }
        for n in &r.notes {
            let _ = writeln!(s, "<p class=\"note\">{}: {}</p>", l.note, esc(n.get(lang)));
        }
        for (i, c) in r.cells.iter().enumerate() {
            if c.status != Status::Failed {
                continue;
            }
            let ex = m.exercises.get(i).map_or("", |e| e.0.as_str());
            let _ = writeln!(
                s,
                "<h3>{} — {} <code>{}</code> <span class=\"loc\">{}</span></h3>\n<dl>",
                esc(ex),
                l.check,
                esc(c.check.as_deref().unwrap_or("")),
                esc(c.location.as_deref().unwrap_or(""))
            );
            for (label, v) in [(l.expected, &c.expected), (l.found, &c.found), (l.hint, &c.hint)] {
                if let Some(v) = v {
                    let _ = writeln!(s, "<dt>{}</dt><dd>{}</dd>", label, esc(v.get(lang)));
                }
            }
            s.push_str("</dl>\n");
        }
        s.push_str("</section>\n");
    }
    s.push_str("</body>\n</html>\n");
    s
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn csv(m: &Matrix, lang: Lang) -> String {
    let mut s = String::from("student,exercise,status,check,location,expected,found,hint\n");
    for r in &m.rows {
        for (i, c) in r.cells.iter().enumerate() {
            let ex = m.exercises.get(i).map_or("", |e| e.0.as_str());
            let status = match c.status {
                Status::Passed => "passed",
                Status::Failed => "failed",
                Status::Skipped => "skipped",
                Status::NotStarted => "not-started",
            };
            let get = |m: &Option<Msg>| m.as_ref().map(|m| m.get(lang).to_string()).unwrap_or_default();
            let fields = [
                r.student.clone(),
                ex.to_string(),
                status.to_string(),
                c.check.clone().unwrap_or_default(),
                c.location.clone().unwrap_or_default(),
                get(&c.expected),
                get(&c.found),
                get(&c.hint),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            s.push_str(&line.join(","));
            s.push('\n');
        }
    }
    s
}

fn xml(s: &str) -> String {
    esc(s)
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

pub fn junit(m: &Matrix, lang: Lang) -> String {
    let l = labels(lang);
    let total: usize = m.rows.iter().map(|r| r.cells.len()).sum();
    let failures: usize = m
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .filter(|c| c.status == Status::Failed)
        .count();
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"course grade\" tests=\"{total}\" failures=\"{failures}\">\n"
    );
    for r in &m.rows {
        let f = r.cells.iter().filter(|c| c.status == Status::Failed).count();
        let sk = r
            .cells
            .iter()
            .filter(|c| matches!(c.status, Status::NotStarted | Status::Skipped))
            .count();
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" skipped=\"{sk}\" time=\"{:.2}\">",
            xml(&r.student),
            r.cells.len(),
            r.seconds
        );
        for (i, c) in r.cells.iter().enumerate() {
            let ex = m.exercises.get(i).map_or("", |e| e.0.as_str());
            let _ = write!(
                s,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(&r.student),
                xml(ex)
            );
            match c.status {
                Status::Failed => {
                    let msg = format!(
                        "{} {}: {}",
                        c.check.as_deref().unwrap_or(""),
                        c.location.as_deref().unwrap_or(""),
                        c.found.as_ref().map(|m| m.get(lang)).unwrap_or("")
                    );
                    let body = format!(
                        "{}: {}\n{}: {}\n{}: {}",
                        l.expected,
                        c.expected.as_ref().map(|m| m.get(lang)).unwrap_or(""),
                        l.found,
                        c.found.as_ref().map(|m| m.get(lang)).unwrap_or(""),
                        l.hint,
                        c.hint.as_ref().map(|m| m.get(lang)).unwrap_or("")
                    );
                    let _ = writeln!(
                        s,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml(&msg),
                        xml(&body)
                    );
                }
                Status::NotStarted | Status::Skipped => {
                    let _ = writeln!(
                        s,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml(l.not_started)
                    );
                }
                Status::Passed => s.push_str("/>\n"),
            }
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}
