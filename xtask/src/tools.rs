//! The one seam to the outside world.
//!
//! Every outside program the toolkit runs (docker, kind, minikube, kubectl,
//! helm, curl, python, …) is started through [`Toolbox`]. That gives three
//! things in one place:
//!
//! * **resolution**: a program is looked up first in the project's own
//!   `target/tools/bin` (pinned copies fetched by the toolkit), then on `PATH`;
//!   tests put fake executables first on `PATH` to replace every tool;
//! * **deadlines and interrupts**: each call can carry a timeout, and a
//!   Ctrl-C/SIGTERM observed by [`interrupted`] kills the running child;
//! * **a record**: every call is kept (program, arguments, exit status,
//!   duration) so reports and diagnostics can show what ran, and, when
//!   `ASKY_TOOLS_LOG` names a file, appended to it as JSON lines.

use std::ffi::OsString;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use wait_timeout::ChildExt;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// True once SIGINT/SIGTERM has been received (see [`mark_interrupted`]).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Records that the process was asked to stop; running and future tool calls
/// fail with [`ToolError::Interrupted`] so callers unwind to their cleanup.
pub fn mark_interrupted() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Clears the interrupt flag (used by cleanup code that must still run tools
/// after an interrupt, such as diagnostics and teardown, and by tests).
pub fn clear_interrupted() {
    INTERRUPTED.store(false, Ordering::SeqCst);
}

/// One command line to run.
#[derive(Clone, Debug)]
pub struct Cmd {
    program: String,
    args: Vec<OsString>,
    env: Vec<(String, String)>,
    cwd: Option<PathBuf>,
    stdin: Option<Vec<u8>>,
    timeout: Option<Duration>,
    ignore_interrupt: bool,
}

impl Cmd {
    pub fn new(program: impl Into<String>) -> Self {
        Cmd {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            cwd: None,
            stdin: None,
            timeout: None,
            ignore_interrupt: false,
        }
    }
    pub fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.args.push(a.into());
        self
    }
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }
    pub fn env(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }
    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(data.into());
        self
    }
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }
    /// Cleanup commands (diagnostics, teardown) keep running after Ctrl-C.
    pub fn ignore_interrupt(mut self) -> Self {
        self.ignore_interrupt = true;
        self
    }
    pub fn program(&self) -> &str {
        &self.program
    }
    pub fn arg_strings(&self) -> Vec<String> {
        self.args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }
    pub fn env_pairs(&self) -> &[(String, String)] {
        &self.env
    }
    pub fn stdin_data(&self) -> Option<&[u8]> {
        self.stdin.as_deref()
    }
    pub fn timeout_value(&self) -> Option<Duration> {
        self.timeout
    }
}

impl fmt::Display for Cmd {
    /// The command as a user could paste it into a POSIX shell (environment
    /// assignments first).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, v) in &self.env {
            write!(f, "{k}={} ", shell_quote(v))?;
        }
        write!(f, "{}", shell_quote(&self.program))?;
        for a in &self.args {
            write!(f, " {}", shell_quote(&a.to_string_lossy()))?;
        }
        Ok(())
    }
}

/// Quotes a word for a POSIX shell only when it needs quoting.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | '@' | ',' | '+' | '%')
        });
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// What a finished command printed.
#[derive(Clone, Debug)]
pub struct Output {
    /// Exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub duration: Duration,
}

impl Output {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

#[derive(Debug)]
pub enum ToolError {
    /// The program is neither in `target/tools/bin` nor on `PATH`.
    NotFound { program: String },
    /// The program ran and exited non-zero.
    Failed {
        cmd: String,
        code: Option<i32>,
        stdout: String,
        stderr: String,
    },
    /// The deadline passed; the child was killed.
    TimedOut { cmd: String, after: Duration },
    /// Ctrl-C/SIGTERM arrived; the child was killed.
    Interrupted { cmd: String },
    /// The program could not be started or talked to.
    Io { cmd: String, error: std::io::Error },
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::NotFound { program } => write!(
                f,
                "`{program}` was not found in target/tools/bin or on PATH (run `cargo xtask doctor` for how to install it)"
            ),
            ToolError::Failed { cmd, code, stderr, .. } => {
                let code = code.map_or("a signal".to_string(), |c| format!("exit code {c}"));
                let tail = last_lines(stderr, 12);
                if tail.is_empty() {
                    write!(f, "`{cmd}` failed with {code}")
                } else {
                    write!(f, "`{cmd}` failed with {code}:\n{tail}")
                }
            }
            ToolError::TimedOut { cmd, after } => {
                write!(f, "`{cmd}` did not finish within {}s and was stopped", after.as_secs())
            }
            ToolError::Interrupted { cmd } => write!(f, "interrupted while running `{cmd}`"),
            ToolError::Io { cmd, error } => write!(f, "could not run `{cmd}`: {error}"),
        }
    }
}

impl std::error::Error for ToolError {}

fn last_lines(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.trim_end().lines().collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].join("\n")
}

/// One call as recorded by the seam.
#[derive(Clone, Debug, Serialize)]
pub struct CallRecord {
    pub program: String,
    pub args: Vec<String>,
    pub code: Option<i32>,
    pub outcome: &'static str,
    pub millis: u128,
}

/// Runs outside programs. Cheap to clone; clones share the call record.
#[derive(Clone)]
pub struct Toolbox {
    /// Directories searched before `PATH` (the project's pinned tools).
    pinned_dirs: Vec<PathBuf>,
    calls: Arc<Mutex<Vec<CallRecord>>>,
    log_file: Option<PathBuf>,
}

impl Default for Toolbox {
    fn default() -> Self {
        Toolbox::new(Vec::new())
    }
}

impl Toolbox {
    /// A toolbox that looks in `pinned_dirs`, then `PATH`.
    pub fn new(pinned_dirs: Vec<PathBuf>) -> Self {
        Toolbox {
            pinned_dirs,
            calls: Arc::new(Mutex::new(Vec::new())),
            log_file: std::env::var_os("ASKY_TOOLS_LOG").map(PathBuf::from),
        }
    }

    /// The toolbox for a project checkout: pinned tools live in
    /// `<root>/target/tools/bin`. `ASKY_TOOLS_DIR` replaces that folder
    /// (tests point it at a folder of fake tools).
    pub fn for_project(root: &Path) -> Self {
        let dir = std::env::var_os("ASKY_TOOLS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target").join("tools").join("bin"));
        Toolbox::new(vec![dir])
    }

    pub fn pinned_dirs(&self) -> &[PathBuf] {
        &self.pinned_dirs
    }

    /// Where `program` would be run from, if anywhere.
    pub fn resolve(&self, program: &str) -> Option<PathBuf> {
        if program.contains('/') {
            let p = PathBuf::from(program);
            return is_executable(&p).then_some(p);
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        self.pinned_dirs
            .iter()
            .cloned()
            .chain(std::env::split_paths(&path))
            .map(|d| d.join(program))
            .find(|p| is_executable(p))
    }

    /// Runs `cmd` and returns its output whatever its exit code; errors only
    /// when it cannot run, times out or is interrupted.
    pub fn output(&self, cmd: &Cmd) -> Result<Output, ToolError> {
        let shown = cmd.to_string();
        if interrupted() && !cmd.ignore_interrupt {
            return Err(ToolError::Interrupted { cmd: shown });
        }
        let Some(path) = self.resolve(&cmd.program) else {
            self.record(cmd, None, "not-found", Duration::ZERO);
            return Err(ToolError::NotFound {
                program: cmd.program.clone(),
            });
        };
        let mut command = Command::new(&path);
        command
            .args(&cmd.args)
            .stdin(if cmd.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &cmd.env {
            command.env(k, v);
        }
        if let Some(dir) = &cmd.cwd {
            command.current_dir(dir);
        }
        #[cfg(unix)]
        {
            // Own process group: a timeout or interrupt kills the tool and
            // everything it started (a shell's children keep pipes open).
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let start = Instant::now();
        let mut child = command.spawn().map_err(|error| ToolError::Io {
            cmd: shown.clone(),
            error,
        })?;
        if let Some(data) = cmd.stdin.clone() {
            let mut sink = child.stdin.take().expect("stdin was piped");
            std::thread::spawn(move || {
                let _ = sink.write_all(&data);
            });
        }
        let out_reader = spawn_reader(child.stdout.take());
        let err_reader = spawn_reader(child.stderr.take());

        let deadline = cmd.timeout.map(|t| start + t);
        let status = loop {
            let slice = Duration::from_millis(50);
            match child.wait_timeout(slice) {
                Ok(Some(status)) => break Ok(status),
                Ok(None) => {}
                Err(error) => {
                    break Err(ToolError::Io {
                        cmd: shown.clone(),
                        error,
                    })
                }
            }
            if interrupted() && !cmd.ignore_interrupt {
                kill_tree(&mut child);
                break Err(ToolError::Interrupted { cmd: shown.clone() });
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                kill_tree(&mut child);
                break Err(ToolError::TimedOut {
                    cmd: shown.clone(),
                    after: cmd.timeout.unwrap_or_default(),
                });
            }
        };
        let stdout = out_reader.join().unwrap_or_default();
        let stderr = err_reader.join().unwrap_or_default();
        let duration = start.elapsed();
        match status {
            Ok(status) => {
                let code = status.code();
                self.record(cmd, code, if code == Some(0) { "ok" } else { "failed" }, duration);
                Ok(Output {
                    code,
                    stdout,
                    stderr,
                    duration,
                })
            }
            Err(e) => {
                let outcome = match e {
                    ToolError::TimedOut { .. } => "timed-out",
                    ToolError::Interrupted { .. } => "interrupted",
                    _ => "io-error",
                };
                self.record(cmd, None, outcome, duration);
                Err(e)
            }
        }
    }

    /// Runs `cmd`; a non-zero exit is an error carrying its output.
    pub fn run(&self, cmd: &Cmd) -> Result<Output, ToolError> {
        let out = self.output(cmd)?;
        if out.success() {
            Ok(out)
        } else {
            Err(ToolError::Failed {
                cmd: cmd.to_string(),
                code: out.code,
                stdout: out.stdout,
                stderr: out.stderr,
            })
        }
    }

    /// Every call made through this toolbox (and its clones) so far.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn record(&self, cmd: &Cmd, code: Option<i32>, outcome: &'static str, d: Duration) {
        let rec = CallRecord {
            program: cmd.program.clone(),
            args: cmd.arg_strings(),
            code,
            outcome,
            millis: d.as_millis(),
        };
        if let Some(file) = &self.log_file {
            if let Ok(line) = serde_json::to_string(&rec) {
                if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(file) {
                    let _ = writeln!(f, "{line}");
                }
            }
        }
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(rec);
        }
    }
}

/// Kills a child started in its own process group, and the group with it.
fn kill_tree(child: &mut std::process::Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals the process group we
        // created for this child; it touches no memory.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn spawn_reader<R: Read + Send + 'static>(src: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut r) = src {
            let _ = r.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_quote("kind"), "kind");
        assert_eq!(shell_quote("--name=asky-lab"), "--name=asky-lab");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn runs_records_and_reports_failures() {
        let tb = Toolbox::default();
        let out = tb
            .run(&Cmd::new("sh").args(["-c", "echo hi; echo err >&2"]))
            .unwrap();
        assert_eq!(out.stdout, "hi\n");
        assert_eq!(out.stderr, "err\n");
        let err = tb
            .run(&Cmd::new("sh").args(["-c", "echo boom >&2; exit 3"]))
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("exit code 3") && msg.contains("boom"), "{msg}");
        let calls = tb.calls();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[1].code, Some(3));
        assert_eq!(calls[1].outcome, "failed");
    }

    #[test]
    fn times_out_and_kills() {
        let tb = Toolbox::default();
        let t0 = Instant::now();
        let err = tb
            .run(
                &Cmd::new("sh")
                    .args(["-c", "sleep 30"])
                    .timeout(Duration::from_millis(300)),
            )
            .unwrap_err();
        assert!(matches!(err, ToolError::TimedOut { .. }), "{err}");
        assert!(t0.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn missing_program_is_not_found() {
        let tb = Toolbox::default();
        let err = tb.run(&Cmd::new("definitely-not-a-real-tool-asky")).unwrap_err();
        assert!(matches!(err, ToolError::NotFound { .. }));
        assert!(err.to_string().contains("cargo xtask doctor"));
    }

    #[test]
    fn stdin_is_fed() {
        let tb = Toolbox::default();
        let out = tb.run(&Cmd::new("cat").stdin("data")).unwrap();
        assert_eq!(out.stdout, "data");
    }
}
