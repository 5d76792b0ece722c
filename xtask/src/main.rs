//! Command-line entry point: argument parsing only; the work lives in the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// Rendering allocates many small values; mimalloc is markedly faster than
// glibc malloc for that pattern (docs/decisions.md, benchmark figures).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Asky Lab: chart toolkit, kind/minikube lab harness and classroom exercises.
#[derive(Parser)]
#[command(name = "cargo xtask", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Helm-compatible chart toolkit (package, lint, …).
    Chart {
        #[command(subcommand)]
        command: xtask::chart::cli::ChartCommand,
    },
    /// Run every test suite of the project (installs pinned test tools first).
    Test(xtask::testrun::TestArgs),
    /// The kind course: exercises, checks in pt-BR/en, and a grader for teachers.
    Course(xtask::course::CourseArgs),
    /// The lab harness: create, verify and tear down a kind/minikube lab.
    Lab(xtask::lab::LabArgs),
    /// Check this machine for what the lab needs; prints the fix for each problem.
    Doctor(xtask::doctor::DoctorArgs),
    /// Download the pinned kind, kubectl and helm into target/tools/bin (sha256-checked).
    Tools(xtask::toolchain::ToolsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Test(args) => xtask::testrun::run(args),
        Command::Chart { command } => xtask::chart::cli::run(command),
        Command::Course(args) => xtask::course::run(args),
        Command::Lab(args) => xtask::lab::run(args),
        Command::Doctor(args) => xtask::doctor::run(args),
        Command::Tools(args) => xtask::toolchain::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(xtask::exit::code_of(&err) as u8)
        }
    }
}
