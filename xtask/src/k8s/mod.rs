//! Kubernetes documents for checks: spanned YAML (every node knows its line
//! and column) and offline schema validation for a Kubernetes version.
//! Shared by `course` and `chart lint`.
//!
//! ```no_run
//! let docs = xtask::k8s::parse_documents("apiVersion: v1\nkind: Pod\n").unwrap();
//! for f in xtask::k8s::validate(&docs[0].root, "1.36") {
//!     println!("{}:{}: {} ({})", f.line, f.column, f.message, f.path);
//! }
//! ```

pub mod schema;
pub mod yaml;

pub use schema::{bundled_versions, validate, Finding, FindingKind};
pub use yaml::{parse_documents, structure_hints, Document, Node, StructureHint, Value, YamlError};

/// The Kubernetes version of the lab (kind node image `kindest/node:v1.36.4`).
pub const LAB_KUBE_VERSION: &str = "1.36";
