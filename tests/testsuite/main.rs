//! End-to-end tests of the `dich` binary, one module per command. One test binary on
//! purpose: every file directly under `tests/` would link its own.

mod support;

mod check;
mod check_fixtures;
mod config;
mod crash;
mod edits;
mod failures;
mod ftl_encoding;
mod mock;
mod segment;
mod translate;
mod ui;
mod ui_plurals;
