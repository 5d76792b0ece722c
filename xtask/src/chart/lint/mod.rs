//! `chart lint`: Helm v4.3.1's `helm lint` rules, messages, severities and
//! output, plus extra rules Helm does not have (see [`extra`]).
//!
//! Output (text) is Helm's:
//! ```text
//! ==> Linting <path as given>
//! [INFO] Chart.yaml: icon is recommended
//! [WARNING] templates/pdb.yaml: policy/v1beta1 PodDisruptionBudget is deprecated …
//!
//! 1 chart(s) linted, 0 chart(s) failed
//! ```
//! A chart fails when a message is an ERROR, or a WARNING with `--strict`;
//! then the summary goes to stderr as `Error: N chart(s) linted, M chart(s)
//! failed` and the exit code is 1 (as Helm). Bad flags/values: exit 2.
//! `--format json` prints one JSON document with every message (extra-rule
//! messages carry `rule`, `why`, `fix`).

pub mod extra;
pub mod rules;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

/// Helm's severities (`support.InfoSev` …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info = 1,
    Warning = 2,
    Error = 3,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }
}

/// One lint finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    pub severity: Severity,
    /// Helm's path column (`Chart.yaml`, `templates/x.yaml`, …).
    pub path: String,
    pub text: String,
    /// Extra rules only: the rule id, why it matters and how to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// 1-based line in the rendered file, when known (extra rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Message {
    pub fn new(severity: Severity, path: impl Into<String>, text: impl Into<String>) -> Self {
        Message {
            severity,
            path: path.into(),
            text: text.into(),
            rule: None,
            why: None,
            fix: None,
            line: None,
        }
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}: {}", self.severity.label(), self.path, self.text)?;
        if let Some(rule) = &self.rule {
            if let Some(line) = self.line {
                write!(f, " (line {line})")?;
            }
            write!(f, " [{rule}]")?;
            if let Some(fix) = &self.fix {
                write!(f, "\n\tfix: {fix}")?;
            }
        }
        Ok(())
    }
}

/// What to lint with.
#[derive(Clone, Debug)]
pub struct Options {
    pub strict: bool,
    /// User values (`-f`, `--set`…), already merged.
    pub values: Map<String, Value>,
    pub namespace: String,
    /// `--kube-version` as given.
    pub kube_version: Option<String>,
    pub skip_schema_validation: bool,
    /// Extra (non-Helm) rules.
    pub extra: extra::Config,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            strict: false,
            values: Map::new(),
            namespace: "default".into(),
            kube_version: None,
            skip_schema_validation: false,
            extra: extra::Config::default(),
        }
    }
}

/// The result for one chart argument.
#[derive(Clone, Debug, Serialize)]
pub struct ChartResult {
    pub chart: String,
    /// Set when the chart could not be linted at all (Helm prints
    /// `Error <this>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub messages: Vec<Message>,
    pub failed: bool,
}

/// Lints one chart (directory or `.tgz`) given as on the command line.
pub fn lint_path(path: &str, opts: &Options, engines: &rules::Engines) -> ChartResult {
    let lowest = if opts.strict {
        Severity::Warning
    } else {
        Severity::Error
    };
    let outcome = if path.ends_with(".tgz") || path.ends_with(".tar.gz") {
        lint_archive(path, opts, engines)
    } else {
        lint_dir_checked(Path::new(path), opts, engines)
    };
    match outcome {
        Ok(messages) => {
            let failed = messages.iter().any(|m| m.severity >= lowest);
            ChartResult {
                chart: path.to_string(),
                error: None,
                messages,
                failed,
            }
        }
        Err(e) => ChartResult {
            chart: path.to_string(),
            error: Some(e),
            messages: Vec::new(),
            failed: true,
        },
    }
}

fn lint_dir_checked(dir: &Path, opts: &Options, engines: &rules::Engines) -> Result<Vec<Message>, String> {
    let chart_yaml = dir.join("Chart.yaml");
    if let Err(e) = std::fs::metadata(&chart_yaml) {
        return Err(format!(
            "unable to check Chart.yaml file in chart: stat {}: {}",
            chart_yaml.display(),
            if e.kind() == std::io::ErrorKind::NotFound {
                "no such file or directory".to_string()
            } else {
                e.to_string()
            }
        ));
    }
    Ok(rules::run_all(dir, opts, engines))
}

/// A private temporary directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Helm expands the archive into a temporary directory and lints
/// `<tmp>/<file name up to the last '-'>`. We do the same with the safe
/// archive reader; every name was validated by it, and files are only ever
/// created under the fresh temporary directory.
fn lint_archive(path: &str, opts: &Options, engines: &rules::Engines) -> Result<Vec<Message>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("unable to open tarball: open {path}: {e}"))?;
    let files = crate::chart::archive::load_archive_files(std::io::BufReader::new(file))
        .map_err(|e| format!("unable to extract tarball: {e}"))?;
    let base = Path::new(path)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(hyphen) = base.rfind('-').filter(|&i| i > 0) else {
        return Err(format!("unable to parse chart archive {base:?}, missing '-'"));
    };
    let tmp = std::env::temp_dir().join(format!(
        "asky-lint-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let guard = TempDir(tmp.clone());
    let chart_dir = guard.0.join(&base[..hyphen]);
    for f in &files {
        let target = chart_dir.join(&f.name);
        if !target.starts_with(&chart_dir) {
            return Err(format!("unable to extract tarball: illegal name {:?}", f.name));
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("unable to extract tarball: {e}"))?;
        }
        std::fs::write(&target, &**f.data).map_err(|e| format!("unable to extract tarball: {e}"))?;
    }
    let result = lint_dir_checked(&chart_dir, opts, engines);
    drop(guard);
    result
}

/// Helm's text output for a whole run; returns (stdout, stderr summary or
/// None).
pub fn format_text(results: &[ChartResult], quiet: bool) -> (String, Option<String>) {
    let mut out = String::new();
    let mut failed = 0;
    let mut errors_or_warnings = 0;
    for r in results {
        let has_warn_or_err = r.error.is_some() || r.messages.iter().any(|m| m.severity >= Severity::Warning);
        if has_warn_or_err {
            errors_or_warnings += 1;
        }
        if quiet && !has_warn_or_err {
            continue;
        }
        out.push_str(&format!("==> Linting {}\n", r.chart));
        if let Some(e) = &r.error {
            out.push_str(&format!("Error {e}\n"));
        }
        for m in &r.messages {
            if !quiet || m.severity > Severity::Info {
                out.push_str(&format!("{m}\n"));
            }
        }
        if r.failed {
            failed += 1;
        }
        out.push('\n');
    }
    let summary = format!("{} chart(s) linted, {} chart(s) failed", results.len(), failed);
    if failed > 0 {
        return (out, Some(summary));
    }
    if !quiet || errors_or_warnings > 0 {
        out.push_str(&summary);
        out.push('\n');
    }
    (out, None)
}

/// `cargo xtask chart lint` arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct LintArgs {
    /// Chart directories or packaged `.tgz` files.
    #[arg(value_name = "CHART", default_value = ".")]
    pub charts: Vec<String>,
    /// Fail on lint warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Values files (repeatable).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Set values (`a.b=c,d=e`), Helm's strvals syntax.
    #[arg(long = "set", value_name = "KEY=VAL")]
    pub set: Vec<String>,
    /// Set string values.
    #[arg(long = "set-string", value_name = "KEY=VAL")]
    pub set_string: Vec<String>,
    /// Set JSON values.
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// Set values from files.
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// Kubernetes version for rendering, deprecations and schema checks.
    #[arg(long = "kube-version", value_name = "V")]
    pub kube_version: Option<String>,
    /// Namespace for rendering.
    #[arg(short = 'n', long, default_value = "default")]
    pub namespace: String,
    /// Print only warnings and errors.
    #[arg(long)]
    pub quiet: bool,
    /// Skip values.schema.json validation.
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Run only Helm's rules (output identical to `helm lint`).
    #[arg(long = "no-extra")]
    pub no_extra: bool,
    /// Disable extra rules by id (repeatable or comma-separated); see
    /// `--list-rules`.
    #[arg(long = "disable", value_name = "RULE", value_delimiter = ',')]
    pub disable: Vec<String>,
    /// List the extra rules (id, severity, why, fix) and exit.
    #[arg(long = "list-rules")]
    pub list_rules: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Runs `chart lint`.
pub fn run(args: LintArgs) -> anyhow::Result<()> {
    use crate::exit::{Class, Failure};
    if args.list_rules {
        for r in extra::RULES {
            println!(
                "{:<22} {:<8} {}\n{:<31} fix: {}",
                r.id,
                r.severity.label(),
                r.why,
                "",
                r.fix
            );
        }
        return Ok(());
    }
    for id in &args.disable {
        if !extra::RULES.iter().any(|r| r.id == id) {
            return Err(
                Failure::bad_input(format!("--disable {id}: unknown rule (see --list-rules)")).into(),
            );
        }
    }
    let value_opts = crate::chart::values::Options {
        value_files: args.values.clone(),
        json_values: args.set_json.clone(),
        values: args.set.clone(),
        string_values: args.set_string.clone(),
        file_values: args.set_file.clone(),
        literal_values: Vec::new(),
    };
    let values = value_opts
        .merge_values(|p| std::fs::read_to_string(p).map_err(|e| format!("open {p}: {e}")))
        .map_err(Failure::bad_input)?;
    let opts = Options {
        strict: args.strict,
        values,
        namespace: args.namespace.clone(),
        kube_version: args.kube_version.clone(),
        skip_schema_validation: args.skip_schema_validation,
        extra: extra::Config {
            enabled: !args.no_extra,
            disabled: args.disable.clone(),
        },
    };
    if let Some(v) = &opts.kube_version {
        if rules::parse_kube_version(v).is_none() {
            return Err(Failure::bad_input(format!("invalid kube version '{v}'")).into());
        }
    }
    let engines = default_engines();
    let results: Vec<ChartResult> = args
        .charts
        .iter()
        .map(|c| lint_path(c, &opts, &engines))
        .collect();
    let failed = results.iter().filter(|r| r.failed).count();
    match args.format {
        Format::Text => {
            let (out, err) = format_text(&results, args.quiet);
            print!("{out}");
            if let Some(summary) = err {
                return Err(Failure::new(Class::CheckFailed, summary).into());
            }
        }
        Format::Json => {
            let doc = serde_json::json!({
                "charts": results,
                "linted": results.len(),
                "failed": failed,
                "strict": args.strict,
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
            if failed > 0 {
                return Err(Failure::new(
                    Class::CheckFailed,
                    format!("{} chart(s) linted, {failed} chart(s) failed", results.len()),
                )
                .into());
            }
        }
    }
    Ok(())
}

/// The real engines: the native renderer in Helm's lint mode (release
/// `test-release`, revision 0) and values-schema validation.
pub fn default_engines() -> rules::Engines {
    rules::Engines {
        render: render_lint,
        validate_schema: crate::chart::schema::validate_single,
    }
}

fn render_lint(
    chart: &crate::chart::load::Chart,
    values: &Map<String, Value>,
    opts: &Options,
) -> rules::RenderResult {
    let ro = crate::chart::render::Options {
        release_name: "test-release".into(),
        namespace: opts.namespace.clone(),
        kube_version: opts.kube_version.clone(),
        lint: true,
        ..Default::default()
    };
    let values = values.clone();
    crate::chart::cli::render_on_big_stack(move || {
        crate::chart::render::render_files(chart, values, &ro).map_err(|e| e.message)
    })
}
