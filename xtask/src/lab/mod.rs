//! `cargo xtask lab …`: the lab harness.
//!
//! Data flows one way: **spec → plan → run → report**.
//!
//! * [`spec`]: `lab/lab.yaml` (+ `lab/kind.yaml`, `lab/minikube.yaml`), typed,
//!   unknown fields rejected with file:line:column;
//! * [`plan`]: the phases and the exact commands, built from the spec, a
//!   [`providers::Provider`] (kind, minikube) and an [`ingress::Ingress`]
//!   (Traefik, ingress-nginx); `lab plan` prints it without running anything;
//! * [`run`]: executes the plan through the tool seam with a deadline per
//!   phase, collects [`diagnostics`] on failure, tears down exactly once;
//! * [`install`]: charts packaged in-process, installed by helm or natively
//!   (rendered here, labelled, `kubectl apply --server-side`);
//! * [`report`]: JSON (versioned schema) and JUnit.

pub mod diagnostics;
pub mod ingress;
pub mod install;
pub mod plan;
pub mod probe;
pub mod providers;
pub mod report;
pub mod run;
pub mod signals;
pub mod spec;
pub mod ui;
pub mod wait;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};

use crate::exit::Failure;
use spec::{IngressKind, Installer, ProviderKind};

/// Create, verify and tear down the Asky lab (kind or minikube).
#[derive(Args, Debug)]
#[command(long_about = "Create, verify and tear down the Asky lab.\n\n\
`lab up` runs these phases, each with a time budget from the spec:\n  \
preflight -> cluster -> images -> ingress -> charts -> ready -> probes\n\
then writes a report; when anything fails (or on Ctrl-C/SIGTERM) it collects a \
diagnostics bundle under target/lab/<run-id>/ and deletes the cluster unless \
--keep or --keep-on-failure says otherwise.\n\n\
Start with `cargo xtask doctor`, then `cargo xtask lab plan` to see every command \
`lab up` would run.\n\n\
Exit codes: 0 ok, 1 probe failed, 2 bad input, 3 missing prerequisite, \
4 cluster/infrastructure failure or timeout, 130 interrupted.")]
pub struct LabArgs {
    #[command(subcommand)]
    pub command: LabCommand,
}

#[derive(Subcommand, Debug)]
pub enum LabCommand {
    /// Create the cluster, install ingress, images and charts, probe, report, tear down.
    Up(UpArgs),
    /// Delete the lab cluster (nothing to delete is success); --orphans sweeps every
    /// cluster carrying the lab's ownership label.
    Down(DownArgs),
    /// Show whether the lab cluster exists, its nodes, pods and releases (Helm
    /// releases when helm is there, natively installed workloads by label).
    Status(CommonArgs),
    /// Re-run the spec's HTTP probes against a lab kept with `lab up --keep`.
    Probe(ProbeArgs),
    /// Print every phase and the exact commands `lab up` would run, without running
    /// anything (no docker or kind needed).
    Plan(PlanArgs),
}

/// Options shared by every `lab` command.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// The lab spec.
    #[arg(long, value_name = "FILE", env = "ASKY_LAB_SPEC")]
    pub spec: Option<PathBuf>,
    /// Cluster tool (default: the spec's `provider`).
    #[arg(long, value_enum)]
    pub provider: Option<ProviderKind>,
    /// Cluster name (default: the spec's `name`).
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct UpArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Host port for HTTP to the ingress (default: the spec's `ingress.httpPort`).
    #[arg(long, value_name = "P")]
    pub http_port: Option<u16>,
    /// Host port for HTTPS to the ingress (default: the spec's `ingress.httpsPort`).
    #[arg(long, value_name = "P")]
    pub https_port: Option<u16>,
    /// Ingress controller (default: the spec's `ingress.controller`; nginx is legacy).
    #[arg(long, value_enum)]
    pub ingress: Option<IngressKind>,
    /// How charts are installed (default: the spec's `installer`, else auto):
    /// helm, or native (this program's renderer + `kubectl apply --server-side`);
    /// auto picks helm when a helm binary is found, native otherwise.
    #[arg(long, value_enum, value_name = "I")]
    pub installer: Option<Installer>,
    /// Keep the cluster afterwards (success or failure).
    #[arg(long)]
    pub keep: bool,
    /// Keep the cluster only when something failed (diagnostics are still collected).
    #[arg(long)]
    pub keep_on_failure: bool,
    /// Also write a report in this format (a JSON report is always written to
    /// target/lab/<run-id>/report.json).
    #[arg(long, value_enum, requires = "report_file")]
    pub report: Option<ReportFormat>,
    /// Where to write the --report.
    #[arg(long, value_name = "F", requires = "report")]
    pub report_file: Option<PathBuf>,
    /// Override a phase budget, e.g. `--budget charts=15m` (repeatable).
    #[arg(long = "budget", value_name = "PHASE=DURATION")]
    pub budgets: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct DownArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Delete every cluster of the provider that carries the lab's ownership label
    /// (leftovers of interrupted runs), not only --name.
    #[arg(long)]
    pub orphans: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ProbeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Host port for HTTP to the ingress (default: the spec's `ingress.httpPort`).
    #[arg(long, value_name = "P")]
    pub http_port: Option<u16>,
    /// How long to retry the probes.
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub timeout: String,
}

#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    #[command(flatten)]
    pub up: UpArgs,
    /// Docker's image store to plan for (`lab up` detects it).
    #[arg(long, value_enum, default_value = "containerd")]
    pub image_store: ImageStore,
    /// Also print the manifests the native installer applies for each chart
    /// (rendered in-process with the ownership labels; needs no tool).
    #[arg(long)]
    pub rendered: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Json,
    Junit,
}

/// Docker's image store decides how images are exported for side-loading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImageStore {
    /// The classic overlay2 store: `docker save IMAGE`.
    Classic,
    /// The containerd image store (default on Docker Desktop and Docker 29+):
    /// `docker save --platform linux/<arch> IMAGE`, because multi-platform
    /// images otherwise break `kind load` (kind#3795).
    Containerd,
}

pub fn run(args: LabArgs) -> Result<()> {
    match args.command {
        LabCommand::Up(a) => run::up(a),
        LabCommand::Down(a) => run::down(a),
        LabCommand::Status(a) => run::status(a),
        LabCommand::Probe(a) => run::probe(a),
        LabCommand::Plan(a) => run::plan(a),
    }
}

/// Parses `PHASE=DURATION` overrides.
pub fn parse_budget_overrides(items: &[String]) -> Result<Vec<(String, Duration)>, Failure> {
    items
        .iter()
        .map(|s| {
            let (phase, dur) = s.split_once('=').ok_or_else(|| {
                Failure::bad_input(format!("--budget {s}: expected PHASE=DURATION, e.g. charts=15m"))
            })?;
            if !spec::PHASE_BUDGETS.contains(&phase) {
                return Err(Failure::bad_input(format!(
                    "--budget {s}: unknown phase `{phase}` (phases: {})",
                    spec::PHASE_BUDGETS.join(", ")
                )));
            }
            let d = spec::Budget::parse(dur).map_err(|e| Failure::bad_input(format!("--budget {s}: {e}")))?;
            if d.0.is_zero() {
                return Err(Failure::bad_input(format!("--budget {s}: must be more than 0s")));
            }
            Ok((phase.to_string(), d.0))
        })
        .collect()
}
