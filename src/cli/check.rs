//! `dich check`: validate the config and the `.ftl` files, for people and for CI.

use std::path::Path;

use clap::{Args, ValueEnum};
use dich::config::Config;
use dich::fluent::{self, report};

use super::Exit;
use super::output::print_line;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// rustc-style diagnostics with the source line and a caret.
    Human,
    /// One JSON object (schema in README.md).
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Warnings fail the check too.
    #[arg(long)]
    strict: bool,
}

pub(crate) fn execute(config_path: &Path, args: CheckArgs) -> anyhow::Result<Exit> {
    // An invalid config is reported like every config error: exit code 2.
    let config = Config::from_file(config_path)?;
    dich::backend::check_config(&config)?;
    let result = fluent::check(&config);
    let text = match args.format {
        Format::Human => report::human(&result),
        Format::Json => report::json(&result),
        Format::Github => report::github(&result),
    };
    let text = text.trim_end();
    if !text.is_empty() {
        print_line(text)?;
    }
    Ok(if result.failed(args.strict) {
        Exit::Failed
    } else {
        Exit::Ok
    })
}
