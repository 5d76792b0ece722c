//! Command-line entry point: argument parsing only; the work lives in the library.

use clap::{Parser, Subcommand};

// An arena that hands memory out in order, kept by `chart template` and
// `chart lint`, which exit when done; for every other command mimalloc
// (markedly faster than glibc malloc for many small values). See
// xtask::arena and docs/decisions.md.
#[global_allocator]
static GLOBAL: xtask::arena::Allocator = xtask::arena::Allocator;

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

impl Command {
    /// Whether the command renders charts and exits, keeping the arena
    /// allocator (the others may run for long: lab, course, tests).
    fn renders_and_exits(&self) -> bool {
        use xtask::chart::cli::ChartCommand;
        matches!(
            self,
            Command::Chart {
                command: ChartCommand::Template(_) | ChartCommand::Lint(_)
            }
        )
    }
}

fn main() {
    #[cfg(target_os = "linux")]
    report_truncated_files();
    let cli = Cli::parse();
    if !cli.command.renders_and_exits() {
        xtask::arena::stop();
    }
    let result = match cli.command {
        Command::Test(args) => xtask::testrun::run(args),
        Command::Chart { command } => xtask::chart::cli::run(command),
        Command::Course(args) => xtask::course::run(args),
        Command::Lab(args) => xtask::lab::run(args),
        Command::Doctor(args) => xtask::doctor::run(args),
        Command::Tools(args) => xtask::toolchain::run(args),
    };
    let code = match result {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("error: {err:#}");
            xtask::exit::code_of(&err) as u8
        }
    };
    exit_now(code)
}

/// A large chart file is mapped into memory (`chart::blob`); if another
/// program truncates it while this one runs, reading the lost pages raises
/// SIGBUS. Say so and exit 1 instead of dying of the signal. (Linux only:
/// there nothing else in this program raises a bus error; on macOS a stack
/// overflow does, and Rust's own report of that must stay.)
#[cfg(target_os = "linux")]
fn report_truncated_files() {
    extern "C" fn on_sigbus(_: libc::c_int) {
        const MSG: &[u8] =
            b"error: a chart file was truncated by another program while it was being read (SIGBUS)\n";
        // SAFETY: `write` and `_exit` are async-signal-safe.
        unsafe {
            libc::write(2, MSG.as_ptr().cast(), MSG.len());
            libc::_exit(1);
        }
    }
    // SAFETY: installs a handler that calls only async-signal-safe functions.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    }
}

/// Ends the process once stdout is flushed, without the exit-time handlers:
/// mimalloc's would return every freed page to the kernel first (dozens of
/// `madvise` calls, each splitting a huge page), just before the process
/// gives all its memory back anyway. Everything the command owned has been
/// dropped by now; stderr is unbuffered.
fn exit_now(code: u8) -> ! {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    #[cfg(unix)]
    // SAFETY: `_exit` only ends the process; no Rust code runs after it.
    unsafe {
        libc::_exit(code.into())
    }
    #[cfg(not(unix))]
    std::process::exit(code.into())
}
