//! Fluent (`.ftl`) UI strings: checks for CI (`dich check`), translation of missing
//! messages through the pipeline's backends, and runtime lookup with fallback for the
//! portal.
//!
//! - [`check()`] reads every locale under `locales_dir` and returns a [`CheckReport`];
//!   [`report`] renders it for people, JSON consumers and GitHub Actions.
//! - [`FtlPlan`] lists what a target file lacks as tagged units and splices their
//!   translations into the file.
//! - [`Localizer`] loads all locales and formats messages with a fallback chain.
//! - [`read_ftl`] is how a target or reference `.ftl` file is read: UTF-8 (with or
//!   without a byte order mark) or UTF-16 with one; anything else is an error for that
//!   file, never "absent", so a person's translation is never overwritten.
//!
//! See `docs/fluent.md` for the check codes and the output formats.

mod check;
mod diagnostic;
mod encoding;
mod functions;
mod parse;
mod plural;
pub mod report;
mod runtime;
mod runtime_check;
mod serialize;
mod source;
mod translate;

use std::path::PathBuf;

pub use check::check;
pub use diagnostic::{CheckCode, CheckReport, Diagnostic, Severity, Summary, codes, severity_for};
pub use encoding::{FtlReadError, decode_ftl, read_ftl};
pub use runtime::{Formatted, Localizer, MissingMessage};
pub use translate::{FtlPlan, FtlUnit, MACHINE_MARKER_PREFIX, entry_count, machine_marked_ids};

/// Errors of the Fluent APIs that cannot collect problems as diagnostics.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FluentError {
    /// A `.ftl` text does not parse.
    #[error("{path}:{line}:{column}: {message} (fix the syntax error first; `dich check` lists them all)", path = path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first error.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// The parser's error.
        message: String,
    },
    /// A locale folder or file could not be read.
    #[error("failed to read `{path}`: {source}", path = path.display())]
    Io {
        /// The folder or file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A resource could not be added to a bundle (an id defined twice).
    #[error("{path}: {message}", path = path.display())]
    Bundle {
        /// The file.
        path: PathBuf,
        /// fluent-bundle's error.
        message: String,
    },
}
