//! End-to-end tests of the `dich` binary, one module per command. One test binary on
//! purpose: every file directly under `tests/` would link its own.

mod support;

mod check;
mod config;
mod crash;
mod edits;
mod failures;
mod markdown;
mod mock;
mod segment;
mod translate;
mod ui;
