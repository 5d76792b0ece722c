//! Ctrl-C / SIGTERM: the handler only records the request
//! ([`crate::tools::mark_interrupted`]); the running tool is killed by the
//! seam and `lab up` unwinds to diagnostics and teardown, which run with
//! `ignore_interrupt` so they finish.

use std::sync::OnceLock;

static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Installs the handler once per process (SIGINT, SIGTERM and SIGHUP with the
/// `termination` feature of `ctrlc`).
pub fn install() {
    INSTALLED.get_or_init(|| {
        ctrlc::set_handler(|| {
            if crate::tools::interrupted() {
                eprintln!("\nalready stopping: collecting diagnostics and tearing down, please wait");
            } else {
                eprintln!("\ninterrupted: stopping the current step, then diagnostics and teardown");
            }
            crate::tools::mark_interrupted();
        })
        .is_ok()
    });
}
