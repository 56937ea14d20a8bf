//! Argument parsing and dispatch. No business logic lives here: each subcommand is a
//! short `execute` over the `dich` library.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod check;
mod memory;
mod output;
mod segment;
mod status;
mod translate;

/// The process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Everything worked.
    Ok = 0,
    /// The work ran but something failed (an article, a check).
    Failed = 1,
    /// Usage or configuration error.
    Usage = 2,
    /// Stopped by Ctrl-C.
    Interrupted = 130,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// dich — translate a Vietnamese news portal's articles and UI strings.
#[derive(Debug, Parser)]
#[command(name = "dich", version, about, long_about = None)]
pub(crate) struct Args {
    /// The project's configuration file; paths in it are relative to it.
    #[arg(long, global = true, default_value = dich::config::DEFAULT_FILE)]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Translate all content and UI strings that are missing or stale.
    Translate(translate::TranslateArgs),
    /// Validate the config and the `.ftl` files (syntax, against the reference locale,
    /// runtime formatting).
    Check(check::CheckArgs),
    /// Per article and language: up to date, stale, missing, human-edited, …
    Status(status::StatusArgs),
    /// Translation memory: TMX export and import.
    Memory(memory::MemoryArgs),
    /// Split text into sentences (JSON Lines: one array per paragraph), for debugging.
    Segment(segment::SegmentArgs),
}

impl Args {
    /// Commands whose stdout is machine-readable keep log lines to warnings.
    pub(crate) fn quiet_logs(&self) -> bool {
        match &self.command {
            Command::Translate(args) => args.json,
            Command::Status(args) => args.json,
            Command::Segment(_) | Command::Memory(_) | Command::Check(_) => true,
        }
    }
}

/// Logging to stderr through `tracing`, filtered by `DICH_LOG` (default `info`, or
/// `warn` when stdout carries JSON).
pub(crate) fn init_logging(quiet: bool) {
    let default = if quiet { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DICH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .with_target(false)
        .try_init();
}

/// Runs the command and returns its exit code; errors are printed with their causes.
pub(crate) async fn run(args: Args) -> Exit {
    let result = match args.command {
        Command::Translate(cmd) => translate::execute(&args.config, cmd).await,
        Command::Check(cmd) => check::execute(&args.config, cmd),
        Command::Status(cmd) => status::execute(&args.config, cmd),
        Command::Memory(cmd) => memory::execute(&args.config, cmd),
        Command::Segment(cmd) => segment::execute(&args.config, cmd),
    };
    match result {
        Ok(exit) => exit,
        Err(error) => output::report_error(&error),
    }
}
