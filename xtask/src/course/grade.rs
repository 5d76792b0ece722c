//! `course grade CLASS_DIR`: every student folder is copied to a temporary
//! folder (links out of the folder are left out) and checked by a child
//! process of this same program, with a time limit. A broken or hostile
//! folder (an app that loops forever, a link to `/etc`, a YAML bomb) costs at
//! most its time limit and never stops the others.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::fsutil::{copy_tree, TempDir};
use super::model::{Exercise, ExerciseResult, Status};
use super::msg::{Lang, Msg};
use super::report::{Cell, Matrix, Row};
use crate::exit::Failure;
use crate::msg;
use crate::tools::{Cmd, ToolError, Toolbox};

pub struct GradeOptions {
    /// This program (the child that checks one student).
    pub self_exe: PathBuf,
    pub lang: Lang,
    /// Time limit for one student's whole check.
    pub student_timeout: Duration,
    /// Time limit for the student's app to start and answer.
    pub app_timeout: Duration,
}

/// The JSON `course check --all --json` prints.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct CheckReport {
    pub results: Vec<ExerciseResult>,
    #[serde(default)]
    pub prerequisites: Vec<String>,
}

/// Student folders of a class: its visible sub-folders, sorted.
pub fn students(class_dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(class_dir).map_err(|e| {
        Failure::bad_input(format!(
            "{}: cannot read the class folder: {e}",
            class_dir.display()
        ))
    })?;
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    Ok(v)
}

pub fn grade(
    class_dir: &Path,
    exercises: &[Exercise],
    toolbox: &Toolbox,
    opts: &GradeOptions,
) -> Result<Matrix> {
    let class_real = class_dir
        .canonicalize()
        .with_context(|| format!("reading {}", class_dir.display()))?;
    let mut rows = Vec::new();
    for student_dir in students(class_dir)? {
        let name = student_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        eprintln!("grading {name} …");
        let t0 = Instant::now();
        let mut row = grade_one(&class_real, &student_dir, &name, exercises, toolbox, opts);
        row.seconds = t0.elapsed().as_secs_f64();
        rows.push(row);
    }
    Ok(Matrix {
        exercises: exercises
            .iter()
            .map(|e| (e.id.clone(), e.title(opts.lang).to_string()))
            .collect(),
        rows,
    })
}

fn error_row(name: &str, exercises: &[Exercise], why: Msg, notes: Vec<Msg>) -> Row {
    Row {
        student: name.to_string(),
        cells: exercises
            .iter()
            .map(|_| Cell {
                status: Status::Failed,
                check: Some("grading".into()),
                location: None,
                expected: Some(Msg::new("a correção terminar", "grading to finish")),
                found: Some(why.clone()),
                hint: Some(Msg::new(
                    "rode `cargo xtask course check --all --dir <pasta>` na pasta do aluno para ver o detalhe",
                    "run `cargo xtask course check --all --dir <folder>` on the student's folder to see the details",
                )),
            })
            .collect(),
        error: Some(why),
        notes,
        seconds: 0.0,
    }
}

fn grade_one(
    class_real: &Path,
    dir: &Path,
    name: &str,
    exercises: &[Exercise],
    toolbox: &Toolbox,
    opts: &GradeOptions,
) -> Row {
    // A student folder that is itself a link out of the class folder is not read.
    match dir.canonicalize() {
        Ok(real) if real.starts_with(class_real) => {}
        _ => {
            return error_row(
                name,
                exercises,
                Msg::new(
                    "a pasta do aluno é um link para fora da turma; não foi lida",
                    "the student folder is a link out of the class folder; it was not read",
                ),
                Vec::new(),
            )
        }
    }
    let tmp = match TempDir::new("asky-course-grade") {
        Ok(t) => t,
        Err(e) => return error_row(name, exercises, Msg::same(e.to_string()), Vec::new()),
    };
    let copy = tmp.path().join("student");
    let mut notes = Vec::new();
    let copied = std::fs::create_dir_all(&copy)
        .map_err(anyhow::Error::from)
        .and_then(|_| copy_tree(dir, &copy));
    match copied {
        Ok(rep) => {
            for l in rep.skipped_links {
                notes.push(msg!("link `{}` ignorado: aponta para fora da pasta do aluno", l; "link `{}` skipped: it points out of the student's folder", l));
            }
            for b in rep.skipped_big {
                notes.push(msg!("arquivo `{}` ignorado: grande demais ou arquivos demais", b; "file `{}` skipped: too big or too many files", b));
            }
        }
        Err(e) => {
            return error_row(
                name,
                exercises,
                msg!("cópia falhou: {}", e; "copy failed: {}", e),
                notes,
            )
        }
    }
    let mut cmd = Cmd::new(opts.self_exe.to_string_lossy().into_owned())
        .args(["course", "check", "--all", "--json", "--dir"])
        .arg(&copy)
        .args([
            "--lang",
            opts.lang.code(),
            "--app-timeout",
            &opts.app_timeout.as_secs().max(1).to_string(),
        ])
        .cwd(tmp.path())
        .env("HOME", tmp.path().to_string_lossy().into_owned())
        .timeout(opts.student_timeout);
    for id in exercises.iter().map(|e| e.id.as_str()) {
        cmd = cmd.args(["--only", id]);
    }
    let out = toolbox.output(&cmd);
    let out = match out {
        Ok(o) => o,
        Err(ToolError::TimedOut { after, .. }) => {
            return error_row(
                name,
                exercises,
                msg!("tempo esgotado: a correção passou de {}s e foi interrompida", after.as_secs(); "timed out: grading took more than {}s and was stopped", after.as_secs()),
                notes,
            )
        }
        Err(e) => return error_row(name, exercises, Msg::same(e.to_string()), notes),
    };
    let report: CheckReport = match serde_json::from_str(out.stdout.trim()) {
        Ok(r) => r,
        Err(_) => {
            let tail = out.stderr.lines().last().unwrap_or("").to_string();
            return error_row(
                name,
                exercises,
                msg!("a verificação terminou sem resultado (código {:?}): {}", out.code, tail; "the check ended without a result (code {:?}): {}", out.code, tail),
                notes,
            );
        }
    };
    for p in &report.prerequisites {
        notes.push(
            msg!("pré-requisito ausente nesta máquina: {}", p; "missing prerequisite on this machine: {}", p),
        );
    }
    let cells = exercises
        .iter()
        .map(|e| {
            report
                .results
                .iter()
                .find(|r| r.exercise == e.id)
                .map(Cell::from_result)
                .unwrap_or(Cell {
                    status: Status::NotStarted,
                    check: None,
                    location: None,
                    expected: None,
                    found: None,
                    hint: None,
                })
        })
        .collect();
    Row {
        student: name.to_string(),
        cells,
        error: None,
        notes,
        seconds: 0.0,
    }
}
