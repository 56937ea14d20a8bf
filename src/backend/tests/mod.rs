//! Tests of every backend against `wiremock` servers on 127.0.0.1 (and a tiny
//! script for `command`). Delays are scaled down; only `Retry-After` waits are real.

mod command;
mod common;
mod deepl_glossary;
mod glossary;
mod key_check;
mod metering;
mod shapes;
mod support;
