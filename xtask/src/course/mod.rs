//! The kind course as checkable exercises, and a grader for teachers.
//!
//! Exercises are data under `lab/course/<id>/`: `exercise.yaml` (title and
//! the list of checks), `README.md` / `README.pt-BR.md` (the statement),
//! `starter/` (the files a student starts from, with the course's typical
//! mistakes) and `solution/` (a reference that passes every check). The
//! checks live in [`checks`]; every message is in Brazilian Portuguese and
//! English ([`msg`]).

/// Prints to stdout, ignoring a closed pipe (`course check … | head`).
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($t)*);
    }};
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

pub mod checks;
pub mod fsutil;
pub mod grade;
pub mod live;
pub mod model;
#[macro_use]
pub mod msg;
pub mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use crate::exit::{Class, Failure};
use crate::tools::Toolbox;
use model::{course_root, load_all, load_exercise, Status, EXERCISE_IDS};
use msg::Lang;

#[derive(Args, Debug)]
pub struct CourseArgs {
    /// Language of the messages (default: from LC_ALL/LC_MESSAGES/LANG; pt_BR* means pt-BR).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
    #[command(subcommand)]
    pub command: CourseCommand,
}

#[derive(Subcommand, Debug)]
pub enum CourseCommand {
    /// List the exercises with their status for a folder.
    List {
        /// The student's folder (default: the current folder).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Print an exercise's statement and its checks.
    Show { id: String },
    /// Copy an exercise's starter files into a folder.
    Init {
        id: String,
        dir: PathBuf,
        /// Copy the reference solution instead (for teachers).
        #[arg(long)]
        solution: bool,
    },
    /// Check a student's folder against one exercise, or all of them.
    Check(CheckArgs),
    /// Grade a class: one sub-folder per student, a matrix of students × exercises.
    Grade(GradeArgs),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The exercise id (omit with --all).
    pub id: Option<String>,
    /// Check every exercise (those not started are listed as such).
    #[arg(long, conflicts_with = "id")]
    pub all: bool,
    /// With --all: only these exercises (repeatable).
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
    /// The student's folder (default: the current folder).
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Also apply the manifests to a running lab (`lab up --keep`), wait, probe, clean up.
    #[arg(long)]
    pub live: bool,
    /// kubeconfig for --live (default: the kubeconfig of the lab kept by
    /// `lab up --keep`, target/lab/<LAB>/kubeconfig, when it exists; else
    /// KUBECONFIG or kubectl's default).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<String>,
    /// Name of the kept lab whose kubeconfig --live uses.
    #[arg(long, value_name = "LAB", default_value = "asky-lab")]
    pub lab: String,
    /// kube context for --live.
    #[arg(long)]
    pub context: Option<String>,
    /// --live: seconds to wait for the Deployment/Pod to be ready.
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub ready_timeout: u64,
    /// --live: seconds the port-forward stays open for the probe.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub probe_seconds: u64,
    /// Seconds the student's app gets to start and answer.
    #[arg(long, default_value_t = 20, value_name = "SECS")]
    pub app_timeout: u64,
    /// Print the results as JSON (used by `course grade`).
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Csv,
    Junit,
}

#[derive(Args, Debug)]
pub struct GradeArgs {
    /// The class folder: one sub-folder per student.
    pub class_dir: PathBuf,
    /// Report format (repeatable); the matrix is always printed.
    #[arg(long, value_enum)]
    pub report: Vec<ReportFormat>,
    /// Where to write the report (only with a single --report; default
    /// course-grade.html / .csv / .junit.xml in the current folder).
    #[arg(long, value_name = "FILE", conflicts_with = "report_dir")]
    pub report_file: Option<PathBuf>,
    /// Folder for the reports (course-grade.html / .csv / .junit.xml).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Only these exercises (repeatable; default: all).
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
    /// Seconds one student's whole check may take.
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub timeout: u64,
    /// Seconds a student's app gets to start and answer.
    #[arg(long, default_value_t = 20, value_name = "SECS")]
    pub app_timeout: u64,
}

pub fn run(args: CourseArgs) -> Result<()> {
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    let root = crate::project_root();
    let toolbox = Toolbox::for_project(&root);
    let course = course_root();
    match args.command {
        CourseCommand::List { dir } => list(&course, &dir, &toolbox, lang),
        CourseCommand::Show { id } => show(&course, &id, lang),
        CourseCommand::Init { id, dir, solution } => init(&course, &id, &dir, solution, lang),
        CourseCommand::Check(c) => check(&course, c, &toolbox, lang),
        CourseCommand::Grade(g) => grade_cmd(&course, g, &toolbox, lang),
    }
}

fn options(app_timeout: u64) -> checks::Options {
    checks::Options {
        app_timeout: Duration::from_secs(app_timeout.max(1)),
        project_root: crate::project_root(),
        self_exe: std::env::current_exe().ok(),
    }
}

fn require_dir(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(Failure::bad_input(format!("{}: no such folder", dir.display())).into());
    }
    Ok(())
}

fn list(course: &Path, dir: &Path, toolbox: &Toolbox, lang: Lang) -> Result<()> {
    require_dir(dir)?;
    let exercises = load_all(course)?;
    let opts = options(20);
    let l = msg::labels(lang);
    outln!("{}: {}", lang.pick("pasta", "folder"), dir.display());
    for ex in &exercises {
        let ctx = checks::Ctx::new(dir, toolbox, &opts);
        let r = checks::run_exercise(ex, &ctx);
        let status = match r.status {
            Status::Passed => l.passed.to_string(),
            Status::NotStarted => l.not_started.to_string(),
            Status::Skipped => l.skipped.to_string(),
            Status::Failed => {
                let first = r
                    .first_failure()
                    .map(|(c, p)| format!("{} {}", c.check, p.map(|p| p.location()).unwrap_or_default()));
                format!("{} ({})", l.failed, first.unwrap_or_default().trim())
            }
        };
        outln!(
            "{} {:<14} {:<48} {}",
            report::mark(r.status),
            ex.id,
            ex.title(lang),
            status
        );
    }
    Ok(())
}

fn show(course: &Path, id: &str, lang: Lang) -> Result<()> {
    let ex = load_exercise(course, id)?;
    out!("{}", ex.statement(lang)?);
    outln!();
    outln!("{}:", lang.pick("Verificações", "Checks"));
    for c in &ex.checks {
        let file = c.file.as_deref().unwrap_or("");
        outln!("  - {} ({file})", c.check);
    }
    outln!();
    outln!(
        "{}: cargo xtask course init {id} <{}>   ·   cargo xtask course check {id} --dir <{}>",
        lang.pick("Comandos", "Commands"),
        lang.pick("pasta", "folder"),
        lang.pick("pasta", "folder")
    );
    Ok(())
}

fn init(course: &Path, id: &str, dir: &Path, solution: bool, lang: Lang) -> Result<()> {
    let ex = load_exercise(course, id)?;
    let src = if solution {
        ex.solution_dir()
    } else {
        ex.starter_dir()
    };
    let files = walk_files(&src)?;
    for f in &files {
        let target = dir.join(f);
        if target.exists() {
            return Err(Failure::bad_input(format!(
                "{}: already exists; choose an empty folder or remove it (nothing was copied)",
                target.display()
            ))
            .into());
        }
    }
    for f in &files {
        let target = dir.join(f);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::copy(src.join(f), &target).with_context(|| format!("writing {}", target.display()))?;
        outln!("  + {}", target.display());
    }
    outln!(
        "{}",
        lang.pick(
            &format!("Pronto. Leia o enunciado com `cargo xtask course show {id}` e confira com `cargo xtask course check {id} --dir {}`.", dir.display()),
            &format!("Done. Read the statement with `cargo xtask course show {id}` and check with `cargo xtask course check {id} --dir {}`.", dir.display()),
        )
    );
    Ok(())
}

fn walk_files(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    fn go(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let p = e?.path();
            if p.is_dir() {
                go(root, &p, out)?;
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.push(rel.to_path_buf());
            }
        }
        Ok(())
    }
    go(root, root, &mut out)?;
    out.sort();
    Ok(out)
}

fn check(course: &Path, args: CheckArgs, toolbox: &Toolbox, lang: Lang) -> Result<()> {
    require_dir(&args.dir)?;
    let exercises = match (&args.id, args.all) {
        (Some(id), _) => vec![load_exercise(course, id)?],
        (None, true) => {
            for o in &args.only {
                if !EXERCISE_IDS.contains(&o.as_str()) {
                    return Err(Failure::bad_input(format!(
                        "unknown exercise `{o}` in --only; exercises: {}",
                        EXERCISE_IDS.join(", ")
                    ))
                    .into());
                }
            }
            load_all(course)?
                .into_iter()
                .filter(|e| args.only.is_empty() || args.only.contains(&e.id))
                .collect()
        }
        (None, false) => {
            return Err(
                Failure::bad_input("name an exercise (`course check deployment`) or use --all").into(),
            );
        }
    };
    let opts = options(args.app_timeout);
    let ctx = checks::Ctx::new(&args.dir, toolbox, &opts);
    let mut results: Vec<model::ExerciseResult> = exercises
        .iter()
        .map(|ex| checks::run_exercise(ex, &ctx))
        .collect();
    if args.live {
        let lo = live::LiveOptions {
            kubeconfig: args
                .kubeconfig
                .clone()
                .or_else(|| lab_kubeconfig(&args.lab))
                .or_else(|| std::env::var("KUBECONFIG").ok().filter(|s| !s.is_empty())),
            context: args.context.clone(),
            ready_timeout: Duration::from_secs(args.ready_timeout.max(1)),
            probe_window: Duration::from_secs(args.probe_seconds.max(1)),
        };
        results.push(live::run(&ctx, toolbox, &lo));
    }
    let prerequisites = ctx.missing_prerequisites();
    if args.json {
        let rep = grade::CheckReport {
            results: results.clone(),
            prerequisites: prerequisites.clone(),
        };
        outln!("{}", serde_json::to_string_pretty(&rep)?);
    } else {
        for r in &results {
            let title = exercises.iter().find(|e| e.id == r.exercise).map_or_else(
                || {
                    lang.pick("no cluster (--live)", "on the cluster (--live)")
                        .to_string()
                },
                |e| e.title(lang).to_string(),
            );
            out!("{}", report::exercise_text(r, &title, lang));
        }
    }
    let single = args.id.is_some();
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| r.status == Status::Failed || (single && r.status == Status::NotStarted))
        .map(|r| r.exercise.as_str())
        .collect();
    if !failed.is_empty() {
        if single && results.first().is_some_and(|r| r.status == Status::NotStarted) {
            let ex = &exercises[0];
            return Err(Failure::new(
                Class::CheckFailed,
                match lang {
                    Lang::PtBr => format!("{}: nenhum dos arquivos do exercício existe ({}); comece com `cargo xtask course init {} {}`", args.dir.display(), ex.files.join(", "), ex.id, args.dir.display()),
                    Lang::En => format!("{}: none of the exercise's files exists ({}); start with `cargo xtask course init {} {}`", args.dir.display(), ex.files.join(", "), ex.id, args.dir.display()),
                },
            )
            .into());
        }
        return Err(Failure::new(
            Class::CheckFailed,
            match lang {
                Lang::PtBr => format!("exercícios com problemas: {}", failed.join(", ")),
                Lang::En => format!("exercises with problems: {}", failed.join(", ")),
            },
        )
        .into());
    }
    if !prerequisites.is_empty() {
        return Err(Failure::new(Class::MissingPrerequisite, prerequisites.join("; ")).into());
    }
    Ok(())
}

fn grade_cmd(course: &Path, args: GradeArgs, toolbox: &Toolbox, lang: Lang) -> Result<()> {
    require_dir(&args.class_dir)?;
    if let Some(d) = &args.report_dir {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    if args.report_file.is_some() && args.report.len() != 1 {
        return Err(Failure::bad_input("--report-file needs exactly one --report FORMAT").into());
    }
    let exercises: Vec<model::Exercise> = load_all(course)?
        .into_iter()
        .filter(|e| args.only.is_empty() || args.only.contains(&e.id))
        .collect();
    if exercises.is_empty() {
        return Err(Failure::bad_input(format!(
            "--only names no exercise; exercises: {}",
            EXERCISE_IDS.join(", ")
        ))
        .into());
    }
    let self_exe = std::env::current_exe().context("finding this program's path")?;
    let opts = grade::GradeOptions {
        self_exe,
        lang,
        student_timeout: Duration::from_secs(args.timeout.max(1)),
        app_timeout: Duration::from_secs(args.app_timeout.max(1)),
    };
    let matrix = grade::grade(&args.class_dir, &exercises, toolbox, &opts)?;
    out!("{}", report::matrix_text(&matrix, lang));
    let title = match lang {
        Lang::PtBr => format!("Correção da turma {}", args.class_dir.display()),
        Lang::En => format!("Grades for class {}", args.class_dir.display()),
    };
    for f in &args.report {
        let (text, default) = match f {
            ReportFormat::Html => (report::html(&matrix, lang, &title), "course-grade.html"),
            ReportFormat::Csv => (report::csv(&matrix, lang), "course-grade.csv"),
            ReportFormat::Junit => (report::junit(&matrix, lang), "course-grade.junit.xml"),
        };
        let path = match (&args.report_file, &args.report_dir) {
            (Some(f), _) => f.clone(),
            (None, Some(d)) => d.join(default),
            (None, None) => PathBuf::from(default),
        };
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        outln!("{}: {}", lang.pick("relatório", "report"), path.display());
    }
    Ok(())
}

/// The isolated kubeconfig `lab up --keep` wrote for lab `name`, if any.
fn lab_kubeconfig(name: &str) -> Option<String> {
    let file = crate::lab::run::work_dir().join(name).join("kubeconfig");
    file.is_file().then(|| file.to_string_lossy().into_owned())
}
