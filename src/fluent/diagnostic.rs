//! What `dich check` reports: check codes with their default severities, one
//! [`Diagnostic`] per problem, and the sorted [`CheckReport`] of a run.
//!
//! Codes are stable kebab-case strings: CI configurations and `[check.levels]` name
//! them, so a code is never renamed, only added.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::config::Level;

/// How serious a reported diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the check only with `--strict`.
    Warning,
    /// Fails the check.
    Error,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! check_codes {
    ($( $variant:ident => $code:literal, $severity:ident, $doc:literal; )*) => {
        /// Every check `dich check` runs, with a stable kebab-case code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum CheckCode {
            $( #[doc = $doc] $variant, )*
        }

        impl CheckCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [CheckCode] = &[ $( CheckCode::$variant, )* ];

            /// The stable code, e.g. `missing-message`.
            pub fn as_str(self) -> &'static str {
                match self { $( CheckCode::$variant => $code, )* }
            }

            /// The severity when `[check.levels]` does not override it.
            pub fn default_severity(self) -> Severity {
                match self { $( CheckCode::$variant => Severity::$severity, )* }
            }

            /// One line on what the check finds.
            pub fn description(self) -> &'static str {
                match self { $( CheckCode::$variant => $doc, )* }
            }
        }
    };
}

check_codes! {
    SyntaxError => "syntax-error", Error, "The file does not parse as Fluent (the entry becomes Junk).";
    IoError => "io-error", Error, "A locale folder or file could not be read.";
    MissingLocale => "missing-locale", Warning, "A configured target language has no folder under the locales directory.";
    UnknownLocale => "unknown-locale", Warning, "A folder under the locales directory is not a configured language (or not a language tag).";
    MissingFile => "missing-file", Warning, "A file of the reference locale has no counterpart in a target locale.";
    ObsoleteFile => "obsolete-file", Warning, "A target locale has a file the reference locale does not have.";
    MissingMessage => "missing-message", Warning, "A message or term of the reference file is not in the translation.";
    ObsoleteMessage => "obsolete-message", Warning, "A message or term of the translation is not in the reference file.";
    MissingValue => "missing-value", Error, "The reference message has a value, the translation has none.";
    ObsoleteValue => "obsolete-value", Warning, "The translation has a value, the reference message has none.";
    MissingAttribute => "missing-attribute", Warning, "An attribute of the reference message is not in the translation.";
    ObsoleteAttribute => "obsolete-attribute", Warning, "An attribute of the translation is not in the reference message.";
    DuplicateMessage => "duplicate-message", Error, "The same message or term id is defined twice in a locale.";
    DuplicateAttribute => "duplicate-attribute", Warning, "The same attribute is defined twice on one message.";
    DuplicateVariant => "duplicate-variant", Warning, "The same variant key appears twice in one select expression.";
    UnknownVariable => "unknown-variable", Error, "The translation uses a `$variable` the reference does not pass.";
    MissingVariable => "missing-variable", Warning, "A `$variable` of the reference is not used in the translation.";
    MissingReference => "missing-reference", Warning, "A `{ message }` or `{ -term }` of the reference is not used in the translation.";
    ObsoleteReference => "obsolete-reference", Warning, "The translation uses a `{ message }` or `{ -term }` the reference does not.";
    UnresolvedReference => "unresolved-reference", Error, "A message or term reference does not resolve in this locale.";
    PluralCategoryInvalid => "plural-category-invalid", Warning, "A plural variant key is not a CLDR plural category of the locale.";
    PluralCategoryMissing => "plural-category-missing", Warning, "A plural select lacks a CLDR plural category the locale needs.";
    RuntimeError => "runtime-error", Error, "Formatting the message with sample arguments failed.";
    UnknownCheckCode => "unknown-check-code", Error, "`[check.levels]` in the config names a code that does not exist.";
}

impl CheckCode {
    /// Looks a code up by its kebab-case name.
    pub fn parse(code: &str) -> Option<CheckCode> {
        CheckCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for CheckCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CheckCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Every check code (for validating `[check.levels]` and for `--help` tables).
pub fn codes() -> &'static [CheckCode] {
    CheckCode::ALL
}

/// The effective severity of `code` under the `[check.levels]` overrides; `None` = off.
pub fn severity_for(code: CheckCode, levels: &BTreeMap<String, Level>) -> Option<Severity> {
    match levels.get(code.as_str()) {
        None => Some(code.default_severity()),
        Some(Level::Off) => None,
        Some(Level::Warning) => Some(Severity::Warning),
        Some(Level::Error) => Some(Severity::Error),
    }
}

/// One problem found in a `.ftl` file or the locale layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, relative to the config folder when it is inside it.
    #[serde(serialize_with = "path_as_string")]
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file (e.g. a missing file).
    pub line: usize,
    /// 1-based column in characters; 0 together with `line`.
    pub column: usize,
    /// Error or warning, after `[check.levels]`.
    pub severity: Severity,
    /// The stable check code.
    pub code: CheckCode,
    /// The message or term id concerned (terms with their leading `-`).
    pub id: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
    /// The text of `line`, without its line break, when there is one.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at a file as a whole, with the code's default severity.
    pub fn file_level(
        file: impl Into<PathBuf>,
        code: CheckCode,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line: 0,
            column: 0,
            severity: code.default_severity(),
            code,
            id: None,
            message: message.into(),
            source_line: None,
        }
    }

    /// An `io-error` for a file that cannot be read or decoded, at the first byte that
    /// is not text when there is one.
    pub fn unreadable(file: impl Into<PathBuf>, error: &super::FtlReadError) -> Self {
        let mut diagnostic = Diagnostic::file_level(file, CheckCode::IoError, error.problem());
        if let Some((line, column)) = error.position() {
            diagnostic.line = line;
            diagnostic.column = column;
        }
        diagnostic
    }

    /// Sets the message or term id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    fn sort_key(&self) -> (&PathBuf, usize, usize, CheckCode, &str) {
        (&self.file, self.line, self.column, self.code, &self.message)
    }
}

/// Paths are written with `/` on every platform, so JSON output is stable.
fn path_as_string<S: serde::Serializer>(
    path: &std::path::Path,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path_string(path))
}

/// `path` as a string with `/` separators (a `\\` is a separator only on Windows).
pub(crate) fn path_string(path: &std::path::Path) -> String {
    let text = path.to_string_lossy();
    if cfg!(windows) {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    }
}

/// Counts of a check run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Diagnostics with severity error.
    pub errors: usize,
    /// Diagnostics with severity warning.
    pub warnings: usize,
    /// `.ftl` files checked.
    pub files: usize,
}

/// The result of [`check()`](super::check()): diagnostics sorted by file, line and column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Every diagnostic, sorted by file, line, column, code.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts.
    pub summary: Summary,
}

impl CheckReport {
    /// Sorts and counts `diagnostics` over `files` checked files.
    pub fn new(mut diagnostics: Vec<Diagnostic>, files: usize) -> Self {
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics.dedup();
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        CheckReport {
            summary: Summary {
                errors,
                warnings: diagnostics.len() - errors,
                files,
            },
            diagnostics,
        }
    }

    /// True when the check fails: any error, or with `strict` any warning.
    pub fn failed(&self, strict: bool) -> bool {
        self.summary.errors > 0 || (strict && self.summary.warnings > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for code in codes() {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{s}");
            assert_eq!(CheckCode::parse(s), Some(*code));
        }
        assert_eq!(CheckCode::parse("no-such-code"), None);
    }

    #[test]
    fn levels_override_defaults() {
        let mut levels = BTreeMap::new();
        levels.insert("missing-message".to_owned(), Level::Error);
        levels.insert("obsolete-message".to_owned(), Level::Off);
        assert_eq!(
            severity_for(CheckCode::MissingMessage, &levels),
            Some(Severity::Error)
        );
        assert_eq!(severity_for(CheckCode::ObsoleteMessage, &levels), None);
        assert_eq!(
            severity_for(CheckCode::SyntaxError, &levels),
            Some(Severity::Error)
        );
    }

    #[test]
    fn report_sorts_counts_and_fails() {
        let w = Diagnostic::file_level("b.ftl", CheckCode::MissingFile, "w");
        let mut e = Diagnostic::file_level("a.ftl", CheckCode::SyntaxError, "e");
        e.line = 3;
        let report = CheckReport::new(vec![w.clone(), e], 2);
        assert_eq!(report.diagnostics[0].file, PathBuf::from("a.ftl"));
        assert_eq!((report.summary.errors, report.summary.warnings), (1, 1));
        assert!(report.failed(false));
        let only_warning = CheckReport::new(vec![w], 1);
        assert!(!only_warning.failed(false));
        assert!(only_warning.failed(true));
    }
}
