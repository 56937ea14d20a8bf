//! End-to-end tests of the `dich` binary, one module per command. One test binary on
//! purpose: every file directly under `tests/` would link its own.

mod support;

mod check;
mod check_fixtures;
mod config;
mod crash;
mod docs;
mod edits;
mod failures;
mod file_keys;
mod ftl_encoding;
mod fuzz;
mod install;
mod manifest;
mod markdown;
mod mock;
mod noop;
mod output;
mod postgres;
mod qa;
mod repair;
mod review;
mod segment;
mod segment_fixtures;
mod serve;
mod titles;
mod translate;
mod ui;
mod ui_plurals;
