//! Runs the Fluent check of `dich check` on a project through the library, and prints
//! the report (`human` or `json`; GitHub annotations are the CLI's `--format github`) and the time taken. Used by
//! `scripts/bench-check.sh` until the CLI command exists.
//!
//! Usage: `cargo run --release --example check_tree -- CONFIG [human|json]`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use dich::config::Config;
use dich::fluent::{check, report};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(config_path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: check_tree CONFIG [human|json]");
        return ExitCode::from(2);
    };
    let format = args.next().unwrap_or_else(|| "human".to_owned());
    let config = match Config::from_file(&config_path) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let result = check(&config);
    let elapsed = started.elapsed();
    let text = match format.as_str() {
        "json" => report::json(&result),
        _ => report::human(&result),
    };
    print!("{text}");
    eprintln!(
        "checked {} files in {:.3}s",
        result.summary.files,
        elapsed.as_secs_f64()
    );
    if result.failed(false) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
