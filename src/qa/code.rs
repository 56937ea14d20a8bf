//! The QA check codes with their default levels, and the per-code overrides.
//!
//! Codes are stable kebab-case strings, as for `dich check`
//! (`crate::fluent::CheckCode`): configurations name them, so a code is never
//! renamed, only added. Severities are the same [`Severity`] type `dich check` uses,
//! and overrides the same [`Level`] values (`off`, `warning`, `error`).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::config::Level;
use crate::fluent::Severity;

macro_rules! qa_codes {
    ($( $variant:ident => $code:literal, $severity:ident, $doc:literal; )*) => {
        /// Every QA check, with a stable kebab-case code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum QaCode {
            $( #[doc = $doc] $variant, )*
        }

        impl QaCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [QaCode] = &[ $( QaCode::$variant, )* ];

            /// The stable code, e.g. `number-mismatch`.
            pub fn as_str(self) -> &'static str {
                match self { $( QaCode::$variant => $code, )* }
            }

            /// The severity when no override names the code.
            pub fn default_severity(self) -> Severity {
                match self { $( QaCode::$variant => Severity::$severity, )* }
            }

            /// One line on what the check finds.
            pub fn description(self) -> &'static str {
                match self { $( QaCode::$variant => $doc, )* }
            }
        }
    };
}

qa_codes! {
    EmptyAnswer => "empty-answer", Error, "The answer is empty or only white space while the source has text.";
    TagMismatch => "tag-mismatch", Error, "The answer loses, invents, duplicates or mis-nests a `<gN>`/`<xN/>` tag.";
    PlaceableMismatch => "placeable-mismatch", Error, "The answer does not hold exactly the Fluent `{ … }` placeables of the source.";
    NumberMismatch => "number-mismatch", Error, "A number of the source (as a value, after each language's separators and magnitudes) is not in the answer.";
    UrlMismatch => "url-mismatch", Error, "A URL of the source is not in the answer byte for byte.";
    EmailMismatch => "email-mismatch", Error, "An e-mail address of the source is not in the answer byte for byte.";
    PhoneMismatch => "phone-mismatch", Error, "A phone number of the source is not in the answer byte for byte.";
    Untranslated => "untranslated", Error, "The answer is the source text unchanged.";
    VietnameseLeft => "vietnamese-left", Error, "The answer keeps Vietnamese words that are not protected terms or names of the source.";
    LengthRatio => "length-ratio", Warning, "The answer's length is outside the expected band for the language pair.";
    SentenceMissing => "sentence-missing", Error, "The answer has fewer sentences than the source (a sentence was dropped).";
    Truncated => "truncated", Error, "The answer ends mid-sentence where the source ends a sentence.";
    Repetition => "repetition", Error, "The answer repeats a phrase the source does not repeat (a loop).";
    CjkPunctuation => "cjk-punctuation", Error, "Chinese with ASCII punctuation next to Han characters, or Korean with Chinese full-width punctuation.";
    Terminology => "terminology", Error, "A glossary term of the source is not rendered with its required translation.";
}

impl QaCode {
    /// Looks a code up by its kebab-case name.
    pub fn parse(code: &str) -> Option<QaCode> {
        QaCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for QaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for QaCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A `[qa.levels]` key that is not a QA code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a QA check code (valid codes: {codes})", codes = valid_codes())]
pub struct UnknownCode(pub String);

fn valid_codes() -> String {
    QaCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The effective level of every code: the defaults, overridden per code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Levels {
    overrides: BTreeMap<QaCode, Level>,
}

impl Levels {
    /// Levels from a `code = level` table (e.g. `[qa.levels]` of `config.toml`).
    ///
    /// # Errors
    /// [`UnknownCode`] for the first key that is not a QA code, so a typo in the
    /// configuration never silently leaves a check at its default.
    pub fn from_table(table: &BTreeMap<String, Level>) -> Result<Self, UnknownCode> {
        let mut overrides = BTreeMap::new();
        for (name, level) in table {
            let code = QaCode::parse(name).ok_or_else(|| UnknownCode(name.clone()))?;
            overrides.insert(code, *level);
        }
        Ok(Levels { overrides })
    }

    /// Sets one code's level.
    pub fn set(&mut self, code: QaCode, level: Level) {
        self.overrides.insert(code, level);
    }

    /// The severity of `code`; `None` when it is turned off.
    pub fn severity(&self, code: QaCode) -> Option<Severity> {
        match self.overrides.get(&code) {
            None => Some(code.default_severity()),
            Some(Level::Off) => None,
            Some(Level::Warning) => Some(Severity::Warning),
            Some(Level::Error) => Some(Severity::Error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for code in QaCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{s}");
            assert_eq!(QaCode::parse(s), Some(*code));
        }
    }

    #[test]
    fn overrides_change_levels_and_typos_are_errors() {
        let mut table = BTreeMap::new();
        table.insert("length-ratio".to_owned(), Level::Error);
        table.insert("repetition".to_owned(), Level::Off);
        let levels = Levels::from_table(&table).unwrap();
        assert_eq!(levels.severity(QaCode::LengthRatio), Some(Severity::Error));
        assert_eq!(levels.severity(QaCode::Repetition), None);
        assert_eq!(
            levels.severity(QaCode::NumberMismatch),
            Some(Severity::Error)
        );
        table.insert("number-mismatsh".to_owned(), Level::Off);
        let err = Levels::from_table(&table).unwrap_err();
        assert!(err.to_string().contains("number-mismatsh"));
        assert!(err.to_string().contains("number-mismatch"));
    }

    #[test]
    fn every_code_is_documented_with_its_default_level() {
        let docs = include_str!("../../docs/qa.md");
        for code in QaCode::ALL {
            let row = format!("| `{}` | {} |", code.as_str(), code.default_severity());
            assert!(docs.contains(&row), "docs/qa.md lacks the row {row}");
        }
    }
}
