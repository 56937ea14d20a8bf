//! The error type of the runtime and of dich's Fluent APIs: every variant names the
//! file (or folder) it is about, so a log line says where to look.

use std::path::PathBuf;

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
