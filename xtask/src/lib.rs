//! Asky Lab toolkit: a Helm-compatible chart toolkit (`chart`), a kind/minikube
//! lab harness (`lab`), classroom exercises (`course`), and the seam through
//! which every outside program runs (`tools`).

pub mod arena;
pub mod chart;
pub mod course;
pub mod doctor;
pub mod exit;
pub mod k8s;
pub mod lab;
pub mod testrun;
pub mod toolchain;
pub mod tools;

use std::path::PathBuf;

/// The root of the repository this xtask was built from.
pub fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
