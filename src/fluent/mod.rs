//! Fluent (`.ftl`) UI strings: checks for CI (`dich check`), translation of missing
//! messages through the pipeline's backends, and runtime lookup with fallback for the
//! portal.
//!
//! - [`check`] reads every locale under `locales_dir` and returns a [`CheckReport`];
//!   [`report`] renders it for people, JSON consumers and GitHub Actions.
//! - [`FtlPlan`] lists what a target file lacks as tagged units and splices their
//!   translations into the file.
//! - [`Localizer`] loads all locales and formats messages with a fallback chain.
//!
//! See `docs/fluent.md` for the check codes and the output formats.

mod check;
mod diagnostic;
mod functions;
mod parse;
mod plural;
pub mod report;
mod runtime_check;
mod source;

pub use check::check;
pub use diagnostic::{CheckCode, CheckReport, Diagnostic, Severity, Summary, codes, severity_for};

#[cfg(test)]
mod tests;
