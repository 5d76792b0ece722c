//! Phase lines like kind's: ` ✓ Creating cluster "asky-lab" (41.2s)` on a
//! terminal (colour unless `NO_COLOR`), plain `lab: …` lines in CI or when
//! output is not a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use super::probe::ProbeResult;

#[derive(Clone, Copy, Debug)]
pub struct Ui {
    pub tty: bool,
    pub color: bool,
}

impl Ui {
    pub fn detect() -> Ui {
        let tty = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let color = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Ui { tty, color }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn phase_start(&self, title: &str) {
        if self.tty {
            eprintln!(" • {title} ...");
        } else {
            eprintln!("lab: start {title}");
        }
    }

    pub fn phase_end(&self, title: &str, ok: bool, took: Duration) {
        let secs = format!("{:.1}s", took.as_secs_f64());
        if self.tty {
            let mark = if ok {
                self.paint("32", "✓")
            } else {
                self.paint("31", "✗")
            };
            eprintln!(" {mark} {title} ({secs})");
        } else {
            eprintln!("lab: {} {title} ({secs})", if ok { "ok" } else { "FAILED" });
        }
    }

    pub fn step(&self, title: &str) {
        if self.tty {
            eprintln!("   - {title}");
        } else {
            eprintln!("lab:   {title}");
        }
    }

    pub fn note(&self, msg: &str) {
        if self.tty {
            eprintln!(" {} {msg}", self.paint("33", "!"));
        } else {
            eprintln!("lab: {msg}");
        }
    }

    /// The final table of probes (stdout).
    pub fn probe_table(&self, probes: &[ProbeResult]) {
        if probes.is_empty() {
            return;
        }
        let w = probes.iter().map(|p| p.name.len()).max().unwrap_or(5).max(5);
        let u = probes
            .iter()
            .map(|p| p.url.len() + p.host.len() + 3)
            .max()
            .unwrap_or(3)
            .max(3);
        println!(
            "{:<w$}  {:<6}  {:<u$}  {:>6}  {:>8}  {:>8}",
            "probe", "result", "url (host)", "status", "attempts", "latency"
        );
        for p in probes {
            let res = if p.ok {
                self.paint("32", "ok    ")
            } else {
                self.paint("31", "FAILED")
            };
            let target = format!("{} ({})", p.url, p.host);
            let status = p.status.map(|s| s.to_string()).unwrap_or_else(|| "-".into());
            let lat = p
                .latency_ms
                .map(|l| format!("{l:.1}ms"))
                .unwrap_or_else(|| "-".into());
            println!(
                "{:<w$}  {res}  {target:<u$}  {status:>6}  {:>8}  {lat:>8}",
                p.name, p.attempts
            );
            if let Some(e) = &p.error {
                if !p.ok {
                    println!("{:<w$}  └ {e}", "");
                }
            }
        }
    }
}
