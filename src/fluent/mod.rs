//! Fluent (`.ftl`) UI strings: checks for CI (`dich check`), translation of missing
//! messages through the pipeline's backends, and runtime lookup with fallback for the
//! portal.
//!
//! - [`check()`] reads every locale under `locales_dir` and returns a [`CheckReport`];
//!   [`report`] renders it for people, JSON consumers and GitHub Actions.
//! - [`FtlPlan`] lists what a target file lacks as tagged units and splices their
//!   translations into the file.
//! - [`Localizer`] loads all locales and formats messages with a fallback chain (it
//!   is the `dich-runtime` crate's, re-exported).
//! - [`pair_pieces`] pairs a translation's values, attributes and variants with the
//!   reference's, for `dich qa`.
//! - [`ftl_files`] is the one walker that says which `.ftl` files a locale holds.
//! - [`read_ftl`] is how a target or reference `.ftl` file is read: UTF-8 (with or
//!   without a byte order mark) or UTF-16 with one; anything else is an error for that
//!   file, never "absent", so a person's translation is never overwritten.
//!
//! See `docs/fluent.md` for the check codes and `docs/output.md` for the output formats.

mod check;
mod diagnostic;
mod encoding;
mod parse;
mod pieces;
mod plural;
pub mod report;
mod runtime;
mod runtime_check;
mod serialize;
mod source;
mod translate;

pub use check::check;
pub use diagnostic::{CheckCode, CheckReport, Diagnostic, Severity, Summary, codes, severity_for};
// The runtime lookup, its error type and the `.ftl` walker live in the `dich-runtime`
// crate so the portal can depend on them without the CLI; re-exported so callers keep
// their `dich::fluent::` paths.
pub use dich_runtime::{FluentError, ftl_files};
// The Fluent functions are shared with `runtime_check` from there too.
use dich_runtime::functions;
pub use encoding::{FtlReadError, decode_ftl, read_ftl};
pub(crate) use parse::FileModel;
pub use pieces::{PiecePair, pair_pieces};
pub use runtime::{Formatted, Localizer, MissingMessage};
pub use translate::{FtlPlan, FtlUnit, MACHINE_MARKER_PREFIX, entry_count, machine_marked_ids};
