//! Link settings for the `xtask` binary only.
//!
//! On Linux the binary is linked as a position-dependent executable
//! (`-no-pie`): a PIE of this size carries ~20 000 relative relocations
//! that the dynamic loader applies at every start, and the pages it writes
//! are copied on write — about 80 page faults, 4% of a small chart's
//! `chart template` run. The trade-off (no address randomisation of the
//! executable image itself) is recorded in docs/decisions.md.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
