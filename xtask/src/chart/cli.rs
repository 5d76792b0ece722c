//! `cargo xtask chart …`: the chart toolkit's subcommands. Each variant
//! delegates to its module (`template` here, `package`, `lint`, …).

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};

use crate::chart::archive::BufferedFile;
use crate::chart::preparse::{CloseOnDrop, Preparse};
use crate::chart::{load, render, values};
use crate::exit::Failure;

#[derive(Subcommand, Debug)]
pub enum ChartCommand {
    /// Package chart directories into versioned archives, like `helm package`
    /// (reproducible: every entry gets the mtime SOURCE_DATE_EPOCH, else 0).
    Package(crate::chart::package::PackageArgs),
    /// Render chart templates locally, byte-identical to `helm template` (Helm v4.3.1).
    Template(Box<TemplateArgs>),
    /// Lint charts with Helm's rules and messages (`helm lint`), plus extra
    /// rules Helm lacks (`--list-rules`; `--no-extra` for Helm's output only).
    Lint(Box<crate::chart::lint::LintArgs>),
    /// Re-record the template conformance cases from the real Helm binaries.
    RecordConformance(RecordArgs),
}

/// Runs a `chart` subcommand.
pub fn run(cmd: ChartCommand) -> anyhow::Result<()> {
    match cmd {
        ChartCommand::Package(args) => crate::chart::package::run(args),
        ChartCommand::Template(args) => run_template(*args),
        ChartCommand::Lint(args) => crate::chart::lint::run(*args),
        ChartCommand::RecordConformance(args) => run_record(args),
    }
}

/// `chart template [NAME] CHART` with Helm's flags.
#[derive(Args, Debug, Default)]
pub struct TemplateArgs {
    /// `[NAME] CHART`: optional release name, then a chart directory or `.tgz`.
    #[arg(required = true, num_args = 1..=2, value_name = "[NAME] CHART")]
    pub args: Vec<String>,
    /// Values files (repeatable), applied in order.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Set values (`a.b=c,d[0]=e`).
    #[arg(long = "set", value_name = "VALUES")]
    pub set: Vec<String>,
    /// Set string values.
    #[arg(long = "set-string", value_name = "VALUES")]
    pub set_string: Vec<String>,
    /// Set JSON values (`a={"b":1}` or a JSON object).
    #[arg(long = "set-json", value_name = "VALUES")]
    pub set_json: Vec<String>,
    /// Set values from files (`key=path`).
    #[arg(long = "set-file", value_name = "VALUES")]
    pub set_file: Vec<String>,
    /// Set literal string values.
    #[arg(long = "set-literal", value_name = "VALUES")]
    pub set_literal: Vec<String>,
    /// Namespace (`.Release.Namespace`).
    #[arg(short = 'n', long = "namespace", default_value = "default")]
    pub namespace: String,
    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long = "kube-version")]
    pub kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions` (repeatable, comma-separated).
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    pub api_versions: Vec<String>,
    /// Only show manifests rendered from these templates (globs).
    #[arg(short = 's', long = "show-only")]
    pub show_only: Vec<String>,
    /// Include CRDs from `crds/` in the output.
    #[arg(long = "include-crds")]
    pub include_crds: bool,
    /// Skip test hooks.
    #[arg(long = "skip-tests")]
    pub skip_tests: bool,
    /// Do not print hooks.
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Set `.Release.IsUpgrade` instead of `.Release.IsInstall`.
    #[arg(long = "is-upgrade")]
    pub is_upgrade: bool,
    /// Write the manifests to files under this directory instead of stdout.
    #[arg(long = "output-dir")]
    pub output_dir: Option<PathBuf>,
    /// Use the release name in the output-dir path.
    #[arg(long = "release-name")]
    pub release_name_dir: bool,
    /// Template for the release name.
    #[arg(long = "name-template")]
    pub name_template: Option<String>,
    /// Generate a release name (ignored with one argument, like Helm).
    #[arg(short = 'g', long = "generate-name")]
    pub generate_name: bool,
    /// Reproduce Helm v3.19 output where it differs from Helm v4.
    #[arg(long = "compat", value_parser = ["helm3", "helm4"])]
    pub compat: Option<String>,
    /// Print the partial output when rendering fails.
    #[arg(long = "debug")]
    pub debug: bool,
}

fn read_input(path: &str) -> Result<String, String> {
    if path.starts_with("http://") || path.starts_with("https://") {
        return Err(format!("remote values files are not supported: {path}"));
    }
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| format!("open {path}: {}", io_text(&e)))
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Release name for `--name-template` (rendered with the engine, no data).
fn name_from_template(t: &str) -> Result<String, String> {
    let reg = std::rc::Rc::new(render::helm_registry());
    let mut e = crate::chart::template::exec::Engine::new(reg);
    e.parse_file("name-template", t).map_err(|e| e.to_string())?;
    e.execute("name-template", crate::chart::value::Value::Nil)
        .map_err(|e| e.to_string())
}

/// Resolves `[NAME] CHART` like Helm's `NameAndChart` with `helm template`'s
/// default release name.
pub fn name_and_chart(a: &TemplateArgs) -> Result<(String, String), String> {
    if a.args.len() == 2 {
        if a.generate_name {
            return Err("cannot set --generate-name and also specify a name".into());
        }
        if a.name_template.is_some() {
            return Err("cannot set --name-template and also specify a name".into());
        }
        return Ok((a.args[0].clone(), a.args[1].clone()));
    }
    if let Some(t) = &a.name_template {
        return Ok((name_from_template(t)?, a.args[0].clone()));
    }
    Ok(("release-name".into(), a.args[0].clone()))
}

/// Everything `chart template` does except printing: the stdout text, or the
/// error message plus what `--debug` prints. Meant for a process that exits
/// afterwards (the rendered chart is not freed); library users call
/// [`render::template`].
pub fn template_output(a: &TemplateArgs) -> Result<String, (String, Option<String>)> {
    let (name, chart_path) = name_and_chart(a).map_err(|e| (e, None))?;
    // A large chart's templates are parsed on a thread of their own while
    // the rest of the chart loads (chart::preparse).
    let preparse = Arc::new(Preparse::new());
    std::thread::scope(|s| {
        let _closed = CloseOnDrop(&preparse);
        let offer = |files: &[BufferedFile]| {
            if preparse.offer(files) {
                let p = preparse.clone();
                s.spawn(move || p.work());
            }
        };
        let chart = load::load_offering(std::path::Path::new(&chart_path), &offer)
            .map_err(|e| (e.to_string(), None))?;
        template_chart(a, name, chart, preparse.clone())
    })
}

/// [`template_output`] once the chart is loaded.
fn template_chart(
    a: &TemplateArgs,
    name: String,
    chart: load::Chart,
    preparse: Arc<Preparse>,
) -> Result<String, (String, Option<String>)> {
    let opts = values::Options {
        value_files: a.values.clone(),
        json_values: a.set_json.clone(),
        values: a.set.clone(),
        string_values: a.set_string.clone(),
        file_values: a.set_file.clone(),
        literal_values: a.set_literal.clone(),
    };
    let user = opts.merge_values(read_input).map_err(|e| (e, None))?;
    let ropts = render::Options {
        release_name: name,
        namespace: a.namespace.clone(),
        is_upgrade: a.is_upgrade,
        kube_version: a.kube_version.clone(),
        api_versions: a.api_versions.clone(),
        include_crds: a.include_crds,
        skip_tests: a.skip_tests,
        no_hooks: a.no_hooks,
        show_only: a.show_only.clone(),
        output_dir: a.output_dir.clone(),
        use_release_name: a.release_name_dir,
        helm3: a.compat.as_deref() == Some("helm3"),
        lint: false,
        leak: true,
        preparse: Some(preparse),
        ..Default::default()
    };
    render_on_big_stack(move || {
        let r = render::template(&chart, user, &ropts);
        // the process exits right after printing: skip tearing the chart down
        std::mem::forget(chart);
        r
    })
    .map_err(|e| {
        let partial = e.partial.clone().map(|p| format!("{}\n", p.trim()));
        if !e.during_render {
            (e.message, None)
        } else if a.debug {
            (e.message, partial.or(Some("\n".into())))
        } else {
            (
                format!("{}\n\nUse --debug flag to render out invalid YAML", e.message),
                None,
            )
        }
    })
}

/// Rendering recurses (nested `include`s): run it on a 512 MiB stack. The
/// stack is switched on the calling thread (`stacker::grow`, a fresh mapping
/// that only takes memory as it is touched) rather than a thread started for
/// it: starting and joining a thread, and the thread's own allocator heap,
/// cost ~0.3 ms a process (docs/decisions.md).
pub fn render_on_big_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::grow(RENDER_STACK, f)
}

/// Stack size of [`render_on_big_stack`]: Helm allows 1000 `include` levels
/// per name and the engine 3000 template levels (`exec::MAX_DEPTH`).
pub const RENDER_STACK: usize = 512 << 20;

fn run_template(a: TemplateArgs) -> anyhow::Result<()> {
    match template_output(&a) {
        Ok(out) => {
            let mut so = std::io::stdout().lock();
            so.write_all(out.as_bytes())?;
            so.flush()?;
            Ok(())
        }
        Err((msg, partial)) => {
            if let Some(p) = partial {
                let mut so = std::io::stdout().lock();
                so.write_all(p.as_bytes())?;
                so.flush()?;
            }
            Err(Failure::bad_input(msg).into())
        }
    }
}

/// `chart record-conformance`: re-records the expected output of every
/// conformance case from the real Helm binaries.
#[derive(Args, Debug)]
pub struct RecordArgs {
    /// Cases directory.
    #[arg(long, default_value = "xtask/tests/conformance")]
    pub dir: PathBuf,
    /// Only these cases (directory names); default: all.
    pub cases: Vec<String>,
}

/// Arguments of a case: the `args` file (one argument per line) or `chart`.
pub fn case_args(case: &std::path::Path) -> Vec<String> {
    match std::fs::read_to_string(case.join("args")) {
        Ok(s) => s
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect(),
        Err(_) => vec!["chart".to_string()],
    }
}

/// Whether a case targets Helm v3 (`compat` file containing `helm3`).
pub fn case_is_helm3(case: &std::path::Path) -> bool {
    std::fs::read_to_string(case.join("compat")).is_ok_and(|s| s.trim() == "helm3")
}

fn run_record(a: RecordArgs) -> anyhow::Result<()> {
    let root = crate::project_root();
    let dir = if a.dir.is_absolute() {
        a.dir.clone()
    } else {
        root.join(&a.dir)
    };
    let tools = crate::tools::Toolbox::for_project(&root);
    let mut names: Vec<String> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    if !a.cases.is_empty() {
        names.retain(|n| a.cases.contains(n));
    }
    let scratch = std::env::temp_dir().join(format!("asky-record-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    for name in &names {
        let case = dir.join(name);
        let helm = if case_is_helm3(&case) { "helm3" } else { "helm" };
        let cmd = crate::tools::Cmd::new(helm)
            .arg("template")
            .args(case_args(&case))
            .cwd(&case)
            .env("KUBECONFIG", scratch.join("kubeconfig").display().to_string())
            .env("HELM_CONFIG_HOME", scratch.join("config").display().to_string())
            .env("HELM_CACHE_HOME", scratch.join("cache").display().to_string())
            .env("HELM_DATA_HOME", scratch.join("data").display().to_string())
            .timeout(std::time::Duration::from_secs(120));
        let out = tools.output(&cmd)?;
        std::fs::write(case.join("expected.txt"), &out.stdout)?;
        let err_path = case.join("expected.err");
        if out.success() {
            let _ = std::fs::remove_file(&err_path);
            println!("recorded {name}");
        } else {
            let msg = match out.stderr.find("Error: ") {
                Some(i) => out.stderr[i + "Error: ".len()..].to_string(),
                None => out.stderr.clone(),
            };
            std::fs::write(&err_path, msg)?;
            println!("recorded {name} (error)");
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
