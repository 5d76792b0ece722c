//! The checks an exercise lists, by name. Each returns problems in both
//! languages with `file:line:column`.

mod app;
mod asky;
mod chart;
mod dockerfile;
mod kind;
mod manifests;
pub mod yamlfile;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::model::{CheckOutcome, CheckSpec, Exercise, ExerciseResult, Problem, Status};
use super::msg::Msg;
use crate::k8s::Node;
use crate::msg;
use crate::tools::Toolbox;

pub use app::{free_port, http_get, python_for};

/// Every check an `exercise.yaml` may name.
pub const KNOWN_CHECKS: &[&str] = &[
    "yaml",
    "schema",
    "replicas",
    "selector",
    "image",
    "container-port",
    "service-name",
    "service-ports",
    "service-selector",
    "ingress-host",
    "ingress-backend",
    "kind-config",
    "kind-nodes",
    "requirements",
    "app-runs",
    "dockerfile-sources",
    "dockerfile-cmd",
    "dockerfile-port",
    "dockerfile-user",
    "dockerfile-base",
    "hadolint",
    "chart-lint",
    "chart-render",
    "asky-namespace",
    "asky-configmaps",
    "secrets-only",
    "postgres-storage",
    "postgres-readiness",
];

/// Options that change how checks run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Time limit for the student's app to start and answer.
    pub app_timeout: Duration,
    /// The project checkout (for target/tools/venv and the chart engine).
    pub project_root: PathBuf,
    /// This program, for the native chart engine (`xtask chart template|lint`).
    pub self_exe: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            app_timeout: Duration::from_secs(20),
            project_root: crate::project_root(),
            self_exe: None,
        }
    }
}

/// One object of a YAML file: its file (relative) and root node.
#[derive(Clone, Debug)]
pub struct Obj {
    pub file: String,
    pub root: Node,
}

impl Obj {
    pub fn kind(&self) -> &str {
        self.root.get("kind").and_then(Node::as_str).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.root
            .path("metadata.name")
            .and_then(Node::as_str)
            .unwrap_or("")
    }
}

/// What checks share while running over one student folder.
pub struct Ctx<'a> {
    pub dir: &'a Path,
    pub toolbox: &'a Toolbox,
    pub opts: &'a Options,
    /// Files whose `yaml` check failed: later checks on them are skipped.
    broken: RefCell<BTreeSet<String>>,
    parsed: RefCell<HashMap<String, Option<Vec<Obj>>>>,
    prerequisites: RefCell<Vec<String>>,
}

impl<'a> Ctx<'a> {
    pub fn new(dir: &'a Path, toolbox: &'a Toolbox, opts: &'a Options) -> Ctx<'a> {
        Ctx {
            dir,
            toolbox,
            opts,
            broken: RefCell::new(BTreeSet::new()),
            parsed: RefCell::new(HashMap::new()),
            prerequisites: RefCell::new(Vec::new()),
        }
    }

    /// Records that a check could not run because this machine lacks a tool.
    pub fn missing_prerequisite(&self, what: String) {
        self.prerequisites.borrow_mut().push(what);
    }

    pub fn missing_prerequisites(&self) -> Vec<String> {
        self.prerequisites.borrow().clone()
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.dir.join(rel).exists()
    }

    pub fn read(&self, rel: &str) -> Option<String> {
        let p = self.dir.join(rel);
        // Never follow a link out of the student's folder.
        if !inside(self.dir, &p) {
            return None;
        }
        std::fs::read_to_string(p).ok()
    }

    /// The YAML files named by `rel`: the file itself, or the `*.yaml`/`*.yml`
    /// files of a folder, sorted.
    pub fn yaml_files(&self, rel: &str) -> Vec<String> {
        let p = self.dir.join(rel);
        if p.is_dir() {
            let mut v: Vec<String> = std::fs::read_dir(&p)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
                        .map(|n| format!("{}/{n}", rel.trim_end_matches('/')))
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            v
        } else if p.is_file() {
            vec![rel.to_string()]
        } else {
            Vec::new()
        }
    }

    /// The objects of `rel` (file or folder); `None` if a file does not parse.
    pub fn objects(&self, rel: &str) -> Option<Vec<Obj>> {
        if let Some(v) = self.parsed.borrow().get(rel) {
            return v.clone();
        }
        let mut all = Vec::new();
        let mut ok = true;
        for f in self.yaml_files(rel) {
            match self.read(&f).map(|t| crate::k8s::parse_documents(&t)) {
                Some(Ok(docs)) => all.extend(docs.into_iter().filter(|d| !d.root.is_null()).map(|d| Obj {
                    file: f.clone(),
                    root: d.root,
                })),
                _ => ok = false,
            }
        }
        let v = ok.then_some(all);
        self.parsed.borrow_mut().insert(rel.to_string(), v.clone());
        v
    }

    pub fn mark_broken(&self, rel: &str) {
        self.broken.borrow_mut().insert(rel.to_string());
    }

    pub fn is_broken(&self, rel: &str) -> bool {
        self.broken.borrow().contains(rel)
    }
}

/// True when `p` (after resolving links) is inside `root`.
pub fn inside(root: &Path, p: &Path) -> bool {
    match (root.canonicalize(), p.canonicalize()) {
        (Ok(r), Ok(c)) => c.starts_with(r),
        // A file that does not exist is not outside.
        (Ok(_), Err(_)) => true,
        _ => false,
    }
}

/// What one check function returns.
pub enum Verdict {
    Pass(Vec<Msg>),
    Fail(Vec<Problem>, Vec<Msg>),
    Skip(Msg),
}

impl Verdict {
    pub fn from_problems(problems: Vec<Problem>) -> Verdict {
        if problems.is_empty() {
            Verdict::Pass(Vec::new())
        } else {
            Verdict::Fail(problems, Vec::new())
        }
    }
}

/// Runs every check of `ex` over the folder in `ctx`.
pub fn run_exercise(ex: &Exercise, ctx: &Ctx<'_>) -> ExerciseResult {
    let started = ex.files.iter().any(|f| ctx.exists(f));
    if !started {
        return ExerciseResult {
            exercise: ex.id.clone(),
            status: Status::NotStarted,
            checks: Vec::new(),
        };
    }
    let mut checks = Vec::new();
    for spec in &ex.checks {
        let verdict = if spec.file.as_deref().is_some_and(|f| ctx.is_broken(f)) && spec.check != "yaml" {
            Verdict::Skip(Msg::new(
                "corrija primeiro o YAML deste arquivo (verificação `yaml`)",
                "fix this file's YAML first (check `yaml`)",
            ))
        } else {
            run_check(spec, ctx)
        };
        let (status, problems, notes) = match verdict {
            Verdict::Pass(notes) => (Status::Passed, Vec::new(), notes),
            Verdict::Fail(p, notes) => (Status::Failed, p, notes),
            Verdict::Skip(why) => (Status::Skipped, Vec::new(), vec![why]),
        };
        checks.push(CheckOutcome {
            check: spec.check.clone(),
            status,
            problems,
            notes,
        });
    }
    let status = if checks.iter().any(|c| c.status == Status::Failed) {
        Status::Failed
    } else {
        Status::Passed
    };
    ExerciseResult {
        exercise: ex.id.clone(),
        status,
        checks,
    }
}

fn run_check(spec: &CheckSpec, ctx: &Ctx<'_>) -> Verdict {
    let file = spec.file.as_deref().unwrap_or("");
    match spec.check.as_str() {
        "yaml" => yamlfile::check_yaml(ctx, file),
        "schema" => manifests::schema(ctx, file, spec.kind.as_deref()),
        "replicas" => manifests::replicas(
            ctx,
            file,
            spec.expect.as_ref().and_then(|v| v.as_i64()).unwrap_or(3),
        ),
        "selector" => manifests::selector(ctx, file),
        "image" => manifests::image(ctx, file, expect_str(spec, "hello-fastapi")),
        "container-port" => manifests::container_port(
            ctx,
            file,
            spec.expect.as_ref().and_then(|v| v.as_i64()).unwrap_or(8000),
        ),
        "service-name" => manifests::service_name(ctx, file, expect_str(spec, "hello-fastapi")),
        "service-ports" => manifests::service_ports(ctx, file),
        "service-selector" => manifests::service_selector(ctx, file),
        "ingress-host" => manifests::ingress_host(ctx, file, expect_str(spec, "hello.localhost")),
        "ingress-backend" => manifests::ingress_backend(ctx, file),
        "kind-config" => kind::kind_config(ctx, file),
        "kind-nodes" => kind::kind_nodes(ctx, file),
        "requirements" => app::requirements(ctx, file),
        "app-runs" => app::app_runs(ctx, file),
        "dockerfile-sources" => dockerfile::sources(ctx, file),
        "dockerfile-cmd" => dockerfile::cmd(ctx, file),
        "dockerfile-port" => dockerfile::port(ctx, file),
        "dockerfile-user" => dockerfile::user(ctx, file),
        "dockerfile-base" => dockerfile::base(ctx, file),
        "hadolint" => dockerfile::hadolint(ctx, file),
        "chart-lint" => chart::lint(ctx, file),
        "chart-render" => chart::render(ctx, file),
        "asky-namespace" => asky::namespace(ctx, file),
        "asky-configmaps" => asky::configmaps(ctx, file),
        "secrets-only" => asky::secrets_only(ctx, file),
        "postgres-storage" => asky::postgres_storage(ctx, file),
        "postgres-readiness" => asky::postgres_readiness(ctx, file),
        other => Verdict::Skip(msg!("verificação desconhecida `{}`", other; "unknown check `{}`", other)),
    }
}

fn expect_str<'s>(spec: &'s CheckSpec, default: &'s str) -> &'s str {
    spec.expect.as_ref().and_then(|v| v.as_str()).unwrap_or(default)
}

/// A problem about a missing file.
pub fn missing_file(file: &str) -> Problem {
    Problem::new(
        file,
        0,
        0,
        msg!("o arquivo `{}`", file; "the file `{}`", file),
        Msg::new("o arquivo não existe", "the file does not exist"),
        msg!(
            "crie `{}` na pasta do exercício (veja `cargo xtask course show` para o enunciado)", file;
            "create `{}` in the exercise folder (see `cargo xtask course show` for the statement)", file
        ),
    )
}

/// Levenshtein distance, for "did you mean" hints.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest of `candidates` to `word`, if close enough to be a typo.
pub fn closest<'c>(word: &str, candidates: &'c [String]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d > 0)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}
