//! Exercises as data (`lab/course/<id>/exercise.yaml`) and check results.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::msg::{Lang, Msg};
use crate::exit::Failure;

/// The exercise ids, in course order.
pub const EXERCISE_IDS: &[&str] = &[
    "kind-cluster",
    "app",
    "dockerfile",
    "pod",
    "deployment",
    "service",
    "ingress",
    "chart",
    "asky-config",
    "asky-postgres",
];

/// `lab/course/<id>/exercise.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    pub id: String,
    pub title: Titles,
    /// Files (or folders) of the student's folder the exercise is about.
    /// When none exists the exercise is "not started".
    pub files: Vec<String>,
    pub checks: Vec<CheckSpec>,
    #[serde(skip)]
    pub dir: PathBuf,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Titles {
    #[serde(rename = "pt-BR")]
    pub pt: String,
    pub en: String,
}

/// One check with its parameters: `{check: replicas, file: k8s/deployment.yaml, expect: 3}`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    pub check: String,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub expect: Option<serde_json::Value>,
}

impl Exercise {
    pub fn title(&self, lang: Lang) -> &str {
        lang.pick(&self.title.pt, &self.title.en)
    }
    pub fn starter_dir(&self) -> PathBuf {
        self.dir.join("starter")
    }
    pub fn solution_dir(&self) -> PathBuf {
        self.dir.join("solution")
    }
    pub fn statement(&self, lang: Lang) -> Result<String> {
        let file = self.dir.join(lang.pick("README.pt-BR.md", "README.md"));
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))
    }
}

/// Where the exercises live: `lab/course/` of the checkout, or `ASKY_COURSE_DIR`.
pub fn course_root() -> PathBuf {
    std::env::var_os("ASKY_COURSE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::project_root().join("lab").join("course"))
}

pub fn load_exercise(root: &Path, id: &str) -> Result<Exercise> {
    if !EXERCISE_IDS.contains(&id) {
        return Err(Failure::bad_input(format!(
            "unknown exercise `{id}`; exercises: {}",
            EXERCISE_IDS.join(", ")
        ))
        .into());
    }
    let dir = root.join(id);
    let file = dir.join("exercise.yaml");
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let docs = crate::k8s::parse_documents(&text).map_err(|e| {
        Failure::bad_input(format!(
            "{}:{}:{}: {}",
            file.display(),
            e.line,
            e.column,
            e.message
        ))
    })?;
    let root_node = docs
        .first()
        .map(|d| d.root.to_json())
        .ok_or_else(|| Failure::bad_input(format!("{}: empty file", file.display())))?;
    let mut ex: Exercise = serde_json::from_value(root_node)
        .map_err(|e| Failure::bad_input(format!("{}: {e}", file.display())))?;
    if ex.id != id {
        return Err(Failure::bad_input(format!(
            "{}: field `id` is `{}`, expected `{id}`",
            file.display(),
            ex.id
        ))
        .into());
    }
    for c in &ex.checks {
        if !super::checks::KNOWN_CHECKS.contains(&c.check.as_str()) {
            return Err(Failure::bad_input(format!(
                "{}: field `checks`: unknown check `{}` (known: {})",
                file.display(),
                c.check,
                super::checks::KNOWN_CHECKS.join(", ")
            ))
            .into());
        }
    }
    ex.dir = dir;
    Ok(ex)
}

pub fn load_all(root: &Path) -> Result<Vec<Exercise>> {
    EXERCISE_IDS.iter().map(|id| load_exercise(root, id)).collect()
}

/// One thing wrong, where, and how to fix it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Problem {
    /// Path relative to the student's folder.
    pub file: String,
    /// 1-based; 0 when the problem is about the whole file.
    pub line: usize,
    pub column: usize,
    pub expected: Msg,
    pub found: Msg,
    pub hint: Msg,
}

impl Problem {
    pub fn new(file: &str, line: usize, column: usize, expected: Msg, found: Msg, hint: Msg) -> Problem {
        Problem {
            file: file.to_string(),
            line,
            column,
            expected,
            found,
            hint,
        }
    }
    /// `file:line:column` (or just `file`).
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, self.line, self.column.max(1))
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
    NotStarted,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub check: String,
    pub status: Status,
    pub problems: Vec<Problem>,
    /// Extra information: hadolint hints, which chart engine ran, why skipped.
    pub notes: Vec<Msg>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExerciseResult {
    pub exercise: String,
    pub status: Status,
    pub checks: Vec<CheckOutcome>,
}

impl ExerciseResult {
    /// The first failing check and its first problem.
    pub fn first_failure(&self) -> Option<(&CheckOutcome, Option<&Problem>)> {
        self.checks
            .iter()
            .find(|c| c.status == Status::Failed)
            .map(|c| (c, c.problems.first()))
    }
}
