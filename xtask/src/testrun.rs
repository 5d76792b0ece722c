//! `cargo xtask test`: the one command that runs every test suite.
//!
//! 1. `scripts/test-deps.sh` installs the pinned, checksummed tools the
//!    suites need into `target/tools/` (reference Helm, kubectl, a Python
//!    venv with pytest, validators and the security scanner, PostgreSQL);
//! 2. `cargo test --workspace --no-fail-fast` with `ASKY_REQUIRE_TOOLS=1`, so a test that
//!    needs a reference tool fails instead of skipping;
//! 3. every executable in `scripts/checks/` (sorted by name): app tests with
//!    pytest, real `helm lint`, schema validation, security scan, …
//!
//! It ends with one line `suites: N passed, M failed` and exits non-zero when
//! any suite failed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::exit::{Class, Failure};

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Do not run scripts/test-deps.sh first (the tools are already installed).
    #[arg(long)]
    pub skip_deps: bool,
    /// Run only the suites whose name contains this text (`cargo`, or a
    /// script name from scripts/checks/). Repeatable.
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
}

struct Suite {
    name: String,
    command: Command,
}

pub fn run(args: TestArgs) -> Result<()> {
    let root = crate::project_root();
    if !args.skip_deps {
        let status = Command::new("bash")
            .arg(root.join("scripts/test-deps.sh"))
            .status()
            .context("running scripts/test-deps.sh")?;
        if !status.success() {
            return Err(Failure::new(
                Class::MissingPrerequisite,
                "scripts/test-deps.sh could not install the test tools (see its output above)",
            )
            .into());
        }
    }
    let suites: Vec<Suite> = all_suites(&root)?
        .into_iter()
        .filter(|s| args.suites.is_empty() || args.suites.iter().any(|w| s.name.contains(w.as_str())))
        .collect();
    let mut failed = Vec::new();
    let mut passed = 0;
    for mut suite in suites {
        println!("==> suite {}", suite.name);
        let t0 = Instant::now();
        let ok = suite.command.status().map(|s| s.success()).unwrap_or_else(|e| {
            eprintln!("could not start suite {}: {e}", suite.name);
            false
        });
        println!(
            "<== suite {} {} in {:.1}s",
            suite.name,
            if ok { "passed" } else { "FAILED" },
            t0.elapsed().as_secs_f64()
        );
        if ok {
            passed += 1;
        } else {
            failed.push(suite.name);
        }
    }
    if !failed.is_empty() {
        println!("failed suites: {}", failed.join(", "));
    }
    println!("suites: {passed} passed, {} failed", failed.len());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(
            Class::CheckFailed,
            format!("{} test suite(s) failed", failed.len()),
        )
        .into())
    }
}

fn tools_env(cmd: &mut Command, root: &Path) {
    let bin = root.join("target/tools/bin");
    let venv_bin = root.join("target/tools/venv/bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = vec![bin, venv_bin];
    dirs.extend(std::env::split_paths(&path));
    if let Ok(joined) = std::env::join_paths(dirs) {
        cmd.env("PATH", joined);
    }
    cmd.env("ASKY_REQUIRE_TOOLS", "1").current_dir(root);
}

fn all_suites(root: &Path) -> Result<Vec<Suite>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["test", "--workspace", "--all-targets", "--no-fail-fast"]);
    tools_env(&mut cmd, root);
    let mut suites = vec![Suite {
        name: "cargo-test".into(),
        command: cmd,
    }];

    let dir = root.join("scripts/checks");
    let mut scripts: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    scripts.sort();
    for script in scripts {
        let name = script
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut cmd = Command::new("bash");
        cmd.arg(&script);
        tools_env(&mut cmd, root);
        suites.push(Suite { name, command: cmd });
    }
    Ok(suites)
}
