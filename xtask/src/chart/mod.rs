//! Helm-compatible chart engine (see CONTRACTS.md for the module tree).

pub mod funcs;
pub mod strconv;
pub mod strvals;
pub mod values;
pub mod yaml;
