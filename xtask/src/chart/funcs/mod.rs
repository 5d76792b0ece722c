//! Sprig v3.3.0 and Helm template functions with Go semantics.
//!
//! The pure modules (no engine `Value`) hold the algorithms; each is a port
//! of the Go library Helm v4.3.1 links, checked against `helm template`.

pub mod crypto;
pub mod encoding;
pub mod godate;
pub mod goregex;
pub mod semver;
pub mod strings;
