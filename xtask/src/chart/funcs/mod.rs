//! Sprig v3.3.0 and Helm template functions with Go semantics.
//!
//! The pure modules (no engine `Value`) hold the algorithms; each is a port
//! of the Go library Helm v4.3.1 links, checked against `helm template`.
//! [`register`] adds every function to a template [`Registry`] with Go
//! parameter types: sprig's map minus `env`/`expandenv`, then Helm's
//! replacements (`toYaml`, `toJson`, `fromJson`, …). The engine-bound
//! Helm functions (`include`, `tpl`, `required`, `fail`, `lookup`,
//! `getHostByName`) and `.Files` methods belong to the executor/renderer.

pub mod crypto;
pub mod encoding;
pub mod godate;
pub mod goregex;
pub mod helm;
pub mod objects;
pub mod semver;
pub mod sprig;
pub mod strings;

use crate::chart::template::Registry;

/// Adds every sprig and Helm function to `reg`, keeping the executor's
/// own Helm functions (`fail`, `getHostByName`, `include`, …) in place.
pub fn register(reg: &mut Registry) {
    let keep: Vec<(&str, crate::chart::template::FuncDef)> =
        ["fail", "getHostByName", "lookup", "include", "tpl", "required"]
            .into_iter()
            .filter_map(|n| reg.get(n).cloned().map(|d| (n, d)))
            .collect();
    sprig::register(reg);
    helm::register(reg);
    for (n, d) in keep {
        reg.register_def(n, d);
    }
}

/// A registry with Go's builtins, Helm's engine functions and all of these.
pub fn helm_registry() -> Registry {
    let mut r = Registry::new();
    register(&mut r);
    r
}
