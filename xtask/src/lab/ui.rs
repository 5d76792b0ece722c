//! Phase lines like kind's: ` ✓ Creating cluster "asky-lab" (41.2s)` on a
//! terminal (colour unless `NO_COLOR`), plain `lab: …` lines in CI or when
//! output is not a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::probe::ProbeResult;

/// The spinner frames kind uses.
const FRAMES: [&str; 8] = ["⠈⠁", "⠈⠑", "⠈⠱", "⠈⡱", "⢀⡱", "⢄⡱", "⢄⡱", "⢆⡱"];

struct Spin {
    step: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<()>,
}

#[derive(Clone)]
pub struct Ui {
    pub tty: bool,
    pub color: bool,
    spin: Arc<Mutex<Option<Spin>>>,
}

/// One redraw of the live phase line: spinner frame, title, current step, seconds so far.
pub fn live_line(frame: usize, title: &str, step: &str, elapsed: Duration) -> String {
    let step = if step.is_empty() {
        String::new()
    } else {
        format!(": {step}")
    };
    let mut line = format!(
        " {} {title}{step} ({}s)",
        FRAMES[frame % FRAMES.len()],
        elapsed.as_secs()
    );
    if line.chars().count() > 110 {
        line = line.chars().take(109).collect::<String>() + "…";
    }
    line
}

impl Ui {
    pub fn detect() -> Ui {
        let tty = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let color = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Ui {
            tty,
            color,
            spin: Arc::new(Mutex::new(None)),
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn phase_start(&self, title: &str) {
        if !self.tty {
            eprintln!("lab: start {title}");
            return;
        }
        let step = Arc::new(Mutex::new(String::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp, t) = (step.clone(), stop.clone(), title.to_string());
        let handle = std::thread::spawn(move || {
            let t0 = Instant::now();
            let mut frame = 0;
            while !sp.load(Ordering::SeqCst) {
                let cur = st.lock().map(|s| s.clone()).unwrap_or_default();
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{}", live_line(frame, &t, &cur, t0.elapsed()));
                let _ = err.flush();
                drop(err);
                frame += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        });
        if let Ok(mut s) = self.spin.lock() {
            *s = Some(Spin { step, stop, handle });
        }
    }

    fn stop_spinner(&self) {
        let spin = self.spin.lock().ok().and_then(|mut s| s.take());
        if let Some(s) = spin {
            s.stop.store(true, Ordering::SeqCst);
            let _ = s.handle.join();
        }
    }

    pub fn phase_end(&self, title: &str, ok: bool, took: Duration) {
        self.stop_spinner();
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
            if let Ok(s) = self.spin.lock() {
                if let Some(spin) = s.as_ref() {
                    if let Ok(mut cur) = spin.step.lock() {
                        *cur = title.to_string();
                    }
                }
            }
        } else {
            eprintln!("lab:   {title}");
        }
    }

    pub fn note(&self, msg: &str) {
        self.stop_spinner();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_line_shows_frame_title_step_and_seconds() {
        let l = live_line(
            1,
            "Creating kind cluster \"asky-lab\"",
            "all nodes Ready",
            Duration::from_millis(12_400),
        );
        assert_eq!(l, " ⠈⠑ Creating kind cluster \"asky-lab\": all nodes Ready (12s)");
        assert!(live_line(9, "t", "", Duration::ZERO).starts_with(" ⠈⠑ t (0s)"));
        assert!(live_line(0, &"x".repeat(200), "", Duration::ZERO).ends_with('…'));
    }
}
