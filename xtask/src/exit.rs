//! Exit codes by failure class, shared by every command.
//!
//! | code | class |
//! |---|---|
//! | 0 | success |
//! | 1 | a check failed (probe, lint finding, course check, test) |
//! | 2 | bad input (spec, flags, chart, values) |
//! | 3 | a prerequisite is missing (docker, kind, helm, …) |
//! | 4 | cluster or infrastructure failure |
//! | 130 | interrupted (Ctrl-C / SIGTERM) |

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    CheckFailed,
    BadInput,
    MissingPrerequisite,
    Infra,
    Interrupted,
}

impl Class {
    pub fn code(self) -> i32 {
        match self {
            Class::CheckFailed => 1,
            Class::BadInput => 2,
            Class::MissingPrerequisite => 3,
            Class::Infra => 4,
            Class::Interrupted => 130,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Class::CheckFailed => "check-failed",
            Class::BadInput => "bad-input",
            Class::MissingPrerequisite => "missing-prerequisite",
            Class::Infra => "infra",
            Class::Interrupted => "interrupted",
        }
    }
}

/// An error that knows which exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    pub class: Class,
    pub message: String,
}

impl Failure {
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        Failure {
            class,
            message: message.into(),
        }
    }
    pub fn bad_input(message: impl Into<String>) -> Self {
        Failure::new(Class::BadInput, message)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The exit code for an error: the class of the first [`Failure`] in its
/// chain, 130 for an interrupted tool call, 3 for a missing tool, else 1.
pub fn code_of(err: &anyhow::Error) -> i32 {
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.class.code();
        }
        if let Some(t) = cause.downcast_ref::<crate::tools::ToolError>() {
            return match t {
                crate::tools::ToolError::Interrupted { .. } => Class::Interrupted.code(),
                crate::tools::ToolError::NotFound { .. } => Class::MissingPrerequisite.code(),
                _ => Class::Infra.code(),
            };
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_through_context() {
        let e = anyhow::Error::new(Failure::bad_input("bad")).context("reading lab/lab.yaml");
        assert_eq!(code_of(&e), 2);
        let e = anyhow::Error::new(crate::tools::ToolError::NotFound {
            program: "kind".into(),
        });
        assert_eq!(code_of(&e), 3);
        assert_eq!(code_of(&anyhow::anyhow!("plain")), 1);
    }
}
