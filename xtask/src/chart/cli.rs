//! `cargo xtask chart …`: the chart toolkit's subcommands. Each variant
//! delegates to its module (`package`, `lint`, …).

use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum ChartCommand {
    /// Package chart directories into versioned archives, like `helm package`
    /// (reproducible: every entry gets the mtime SOURCE_DATE_EPOCH, else 0).
    Package(crate::chart::package::PackageArgs),
}

/// Runs a `chart` subcommand.
pub fn run(cmd: ChartCommand) -> anyhow::Result<()> {
    match cmd {
        ChartCommand::Package(args) => crate::chart::package::run(args),
    }
}
