//! Languages and two-language messages. Every text a student or teacher
//! reads is a [`Msg`]: it cannot be built without both languages.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
pub enum Lang {
    /// Brazilian Portuguese
    #[value(name = "pt-BR", alias = "pt", alias = "pt_BR")]
    #[serde(rename = "pt-BR")]
    PtBr,
    /// English
    #[value(name = "en")]
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The language from the environment: `LC_ALL`, then `LC_MESSAGES`,
    /// then `LANG`; `pt_BR*` (or `pt-BR*`) means Portuguese, anything else English.
    pub fn from_env() -> Lang {
        Lang::from_vars(|k| std::env::var(k).ok())
    }

    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(v) = get(var).filter(|v| !v.is_empty()) {
                let v = v.replace('-', "_");
                return if v.starts_with("pt_BR") || v == "pt" || v.starts_with("pt.") {
                    Lang::PtBr
                } else {
                    Lang::En
                };
            }
        }
        Lang::En
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::PtBr => "pt-BR",
            Lang::En => "en",
        }
    }

    /// Picks the text for this language.
    pub fn pick<'a>(self, pt: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::PtBr => pt,
            Lang::En => en,
        }
    }
}

/// A text in both languages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Msg {
    #[serde(rename = "pt-BR")]
    pub pt: String,
    pub en: String,
}

impl Msg {
    pub fn new(pt: impl Into<String>, en: impl Into<String>) -> Msg {
        Msg {
            pt: pt.into(),
            en: en.into(),
        }
    }
    /// The same text in both languages (file names, values, code).
    pub fn same(s: impl Into<String>) -> Msg {
        let s = s.into();
        Msg { pt: s.clone(), en: s }
    }
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.pt, &self.en)
    }
    pub fn is_empty(&self) -> bool {
        self.pt.is_empty() && self.en.is_empty()
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// `msg!("pt {}", x; "en {}", x)` builds a [`Msg`] with `format!` on each side.
#[macro_export]
macro_rules! msg {
    ($($pt:expr),+ ; $($en:expr),+ $(,)?) => {
        $crate::course::msg::Msg::new(format!($($pt),+), format!($($en),+))
    };
}

/// Fixed labels of the text output.
pub struct Labels {
    pub check: &'static str,
    pub expected: &'static str,
    pub found: &'static str,
    pub hint: &'static str,
    pub passed: &'static str,
    pub failed: &'static str,
    pub not_started: &'static str,
    pub skipped: &'static str,
    pub note: &'static str,
}

pub fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::PtBr => Labels {
            check: "verificação",
            expected: "esperado",
            found: "encontrado",
            hint: "dica",
            passed: "passou",
            failed: "falhou",
            not_started: "não iniciado",
            skipped: "pulado",
            note: "nota",
        },
        Lang::En => Labels {
            check: "check",
            expected: "expected",
            found: "found",
            hint: "hint",
            passed: "passed",
            failed: "failed",
            not_started: "not started",
            skipped: "skipped",
            note: "note",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert_eq!(Lang::from_vars(env(&[("LANG", "pt_BR.UTF-8")])), Lang::PtBr);
        assert_eq!(Lang::from_vars(env(&[("LANG", "en_US.UTF-8")])), Lang::En);
        assert_eq!(
            Lang::from_vars(env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "pt_BR.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_vars(env(&[("LC_ALL", "pt_BR.UTF-8"), ("LANG", "C")])),
            Lang::PtBr
        );
        assert_eq!(Lang::from_vars(env(&[])), Lang::En);
        let m = msg!("olá {}", 1; "hello {}", 1);
        assert_eq!(m.get(Lang::PtBr), "olá 1");
        assert_eq!(m.get(Lang::En), "hello 1");
    }
}
