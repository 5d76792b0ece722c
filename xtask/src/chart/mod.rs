//! Helm-compatible chart engine (see CONTRACTS.md for the module tree).

pub mod funcs;
pub mod strconv;
