//! Reports of `lab up`: JSON with a versioned schema, and JUnit XML
//! (one test suite for the phases, one for the probes).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use super::probe::ProbeResult;
use crate::tools::CallRecord;

/// Bump on incompatible changes; readers check it.
pub const SCHEMA: &str = "asky.dev/lab-report/v1";

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhaseResult {
    pub id: String,
    pub title: String,
    /// `ok`, `failed`, `timed-out`, `interrupted`, `skipped`.
    pub status: String,
    pub duration_ms: u128,
    pub budget_ms: u128,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema: &'static str,
    pub name: String,
    pub run_id: String,
    pub provider: String,
    pub ingress: String,
    /// How the charts were installed: `helm` or `native` (added in place:
    /// readers of v1 ignore unknown fields).
    pub installer: String,
    pub http_port: u16,
    /// Seconds since the Unix epoch.
    pub started_at: u64,
    pub duration_ms: u128,
    /// `ok` or the failure class (`check-failed`, `bad-input`,
    /// `missing-prerequisite`, `infra`, `interrupted`).
    pub outcome: String,
    pub exit_code: i32,
    pub message: Option<String>,
    pub phases: Vec<PhaseResult>,
    pub probes: Vec<ProbeResult>,
    pub diagnostics: Option<PathBuf>,
    pub hints: Vec<String>,
    /// `deleted`, `kept`, `not-created`, `failed: …`.
    pub teardown: String,
    pub calls: Vec<CallRecord>,
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    pub fn to_junit(&self) -> String {
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let phase_fail = self
            .phases
            .iter()
            .filter(|p| p.status != "ok" && p.status != "skipped")
            .count();
        let probe_fail = self.probes.iter().filter(|p| !p.ok).count();
        let total_secs = self.duration_ms as f64 / 1000.0;
        let _ = writeln!(
            x,
            "<testsuites name=\"asky-lab {}\" tests=\"{}\" failures=\"{}\" time=\"{total_secs:.3}\">",
            esc(&self.name),
            self.phases.len() + self.probes.len(),
            phase_fail + probe_fail
        );
        let skipped = self.phases.iter().filter(|p| p.status == "skipped").count();
        let _ = writeln!(
            x,
            "  <testsuite name=\"lab.phases\" tests=\"{}\" failures=\"{phase_fail}\" skipped=\"{skipped}\" time=\"{:.3}\">",
            self.phases.len(),
            self.phases.iter().map(|p| p.duration_ms).sum::<u128>() as f64 / 1000.0
        );
        for p in &self.phases {
            let _ = write!(
                x,
                "    <testcase classname=\"lab.phases\" name=\"{}: {}\" time=\"{:.3}\"",
                esc(&p.id),
                esc(&p.title),
                p.duration_ms as f64 / 1000.0
            );
            match p.status.as_str() {
                "ok" => x.push_str("/>\n"),
                "skipped" => x.push_str("><skipped/></testcase>\n"),
                st => {
                    let msg = p.error.clone().unwrap_or_default();
                    let _ = writeln!(
                        x,
                        "><failure type=\"{}\" message=\"{}\">{}</failure></testcase>",
                        esc(st),
                        esc(first_line(&msg)),
                        esc(&msg)
                    );
                }
            }
        }
        x.push_str("  </testsuite>\n");
        let _ = writeln!(
            x,
            "  <testsuite name=\"lab.probes\" tests=\"{}\" failures=\"{probe_fail}\">",
            self.probes.len()
        );
        for p in &self.probes {
            let secs = p.latency_ms.unwrap_or(0.0) / 1000.0;
            let _ = write!(
                x,
                "    <testcase classname=\"lab.probes\" name=\"{} GET {} (Host: {})\" time=\"{secs:.3}\"",
                esc(&p.name),
                esc(&p.url),
                esc(&p.host)
            );
            if p.ok {
                x.push_str("/>\n");
            } else {
                let msg = p.error.clone().unwrap_or_default();
                let _ = writeln!(
                    x,
                    "><failure type=\"probe\" message=\"{}\">attempts: {}\n{}</failure></testcase>",
                    esc(first_line(&msg)),
                    p.attempts,
                    esc(&msg)
                );
            }
        }
        x.push_str("  </testsuite>\n</testsuites>\n");
        x
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// XML text/attribute escaping; control characters XML 1.0 forbids are dropped.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\n' | '\t' | '\r' => o.push(c),
            c if (c as u32) < 0x20 => {}
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_escapes_and_counts() {
        let r = Report {
            schema: SCHEMA,
            name: "lab".into(),
            run_id: "r".into(),
            provider: "kind".into(),
            ingress: "traefik".into(),
            installer: "helm".into(),
            http_port: 80,
            started_at: 0,
            duration_ms: 1500,
            outcome: "check-failed".into(),
            exit_code: 1,
            message: None,
            phases: vec![PhaseResult {
                id: "probes".into(),
                title: "Probing".into(),
                status: "failed".into(),
                duration_ms: 1000,
                budget_ms: 2000,
                error: Some("a <b> & \"c\"\x01".into()),
            }],
            probes: vec![],
            diagnostics: None,
            hints: vec![],
            teardown: "deleted".into(),
            calls: vec![],
        };
        let x = r.to_junit();
        assert!(x.contains("failures=\"1\""), "{x}");
        assert!(x.contains("a &lt;b&gt; &amp; &quot;c&quot;"), "{x}");
        assert!(!x.contains('\x01'));
        let j: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(j["schema"], SCHEMA);
        assert_eq!(j["phases"][0]["durationMs"], 1000);
    }
}
