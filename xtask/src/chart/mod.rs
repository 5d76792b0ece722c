//! Helm-compatible chart engine (see CONTRACTS.md for the module tree).

pub mod archive;
pub mod blob;
pub mod chartyaml;
pub mod cli;
pub mod funcs;
pub mod fxhash;
pub mod gofmt;
pub mod ignore;
pub mod lint;
pub mod load;
pub mod metadata;
pub mod package;
pub mod par;
pub mod preparse;
pub mod render;
pub mod schema;
pub mod strconv;
pub mod strvals;
pub mod template;
pub mod value;
pub mod values;
pub mod yaml;
