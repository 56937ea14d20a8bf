//! Argument parsing and dispatch. No business logic lives here: each subcommand is a
//! short `execute` over the `dich` library.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{ArgAction, CommandFactory as _, Parser, Subcommand};
use tracing_subscriber::filter::LevelFilter;

mod check;
mod export;
mod memory;
mod output;
mod progress;
mod qa;
mod review;
mod segment;
mod serve;
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
    /// Less logging on stderr (`-q` warnings only, `-qq` errors only).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    quiet: u8,
    /// More logging on stderr (`-v` debug, `-vv` trace); `DICH_LOG` directives apply
    /// on top (e.g. `DICH_LOG=dich::backend=trace`).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    verbose: u8,
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
    /// Run every QA check (numbers, URLs, untranslated, truncation, terminology, …)
    /// on the existing translations, machine, human and imported.
    Qa(qa::QaArgs),
    /// Per article and language: up to date, stale, missing, human-edited, …
    Status(status::StatusArgs),
    /// Translation memory: TMX export and import.
    Memory(memory::MemoryArgs),
    /// Review states: approve, reject and list translations.
    Review(review::ReviewArgs),
    /// Export for the portal: the publish manifest.
    Export(export::ExportArgs),
    /// The review web app: read, correct and approve translations in the browser.
    Serve(serve::ServeArgs),
    /// Split text into sentences (JSON Lines: one array per paragraph), for debugging.
    Segment(segment::SegmentArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout: `dich man > dich.1`.
    Man,
}

impl Args {
    /// The log level before `-q`/`-v`: `info`, or `warn` for commands whose stdout is
    /// the result itself (JSON, annotations, diagnostics, scripts).
    fn base_level(&self) -> usize {
        let machine = match &self.command {
            Command::Check(_)
            | Command::Segment(_)
            | Command::Completions { .. }
            | Command::Man => true,
            _ => self.format().is_some_and(|f| f != output::Format::Human),
        };
        if machine { 1 } else { 2 }
    }

    /// The `--format` of a command that reports (`None` for the others).
    fn format(&self) -> Option<output::Format> {
        match &self.command {
            Command::Translate(args) => Some(args.output.format()),
            Command::Status(args) => Some(args.output.format()),
            Command::Check(args) => Some(args.output.format()),
            Command::Qa(args) => Some(args.output.format()),
            Command::Memory(args) => args.format(),
            Command::Review(args) => Some(args.format()),
            Command::Export(args) => Some(args.format()),
            Command::Segment(_)
            | Command::Serve(_)
            | Command::Completions { .. }
            | Command::Man => None,
        }
    }

    /// The level after `-q`/`-v`, like cargo's: each `-v` one step more, each `-q`
    /// one step less.
    pub(crate) fn log_level(&self) -> LevelFilter {
        const LEVELS: [LevelFilter; 5] = [
            LevelFilter::ERROR,
            LevelFilter::WARN,
            LevelFilter::INFO,
            LevelFilter::DEBUG,
            LevelFilter::TRACE,
        ];
        let level = (self.base_level() + usize::from(self.verbose))
            .saturating_sub(usize::from(self.quiet))
            .min(LEVELS.len() - 1);
        LEVELS[level]
    }
}

/// Logging to stderr through `tracing`: `level` (from `-q`/`-v`) for everything,
/// then the directives of `DICH_LOG` on top, so `DICH_LOG=dich::backend=debug` adds
/// detail for one module without changing the rest.
pub(crate) fn init_logging(level: LevelFilter) {
    let builder = tracing_subscriber::EnvFilter::builder().with_default_directive(level.into());
    let directives = std::env::var("DICH_LOG").unwrap_or_default();
    let filter = match builder.parse(&directives) {
        Ok(filter) => filter,
        Err(e) => {
            eprintln!("warning: DICH_LOG is ignored: {e}");
            tracing_subscriber::EnvFilter::builder()
                .with_default_directive(level.into())
                .parse_lossy("")
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .with_target(false)
        .try_init();
}

/// `--lang` and `--only`: which translations a reporting command looks at.
#[derive(Debug, clap::Args)]
pub(crate) struct ScopeArgs {
    /// Only these target languages (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// Only sources under this file or folder (repeatable).
    #[arg(long)]
    only: Vec<PathBuf>,
}

impl ScopeArgs {
    /// The pipeline options for this scope; an unconfigured `--lang` is a usage error.
    pub(crate) fn options(
        self,
        project: &dich::pipeline::Project,
    ) -> anyhow::Result<dich::pipeline::Options> {
        let targets = if self.lang.is_empty() {
            None
        } else {
            Some(
                project
                    .config()
                    .select_targets(&self.lang)
                    .map_err(|e| output::UsageError(format!("--lang: {e}")))?,
            )
        };
        Ok(dich::pipeline::Options {
            targets,
            only: self.only,
            ..dich::pipeline::Options::default()
        })
    }
}

/// Loads the project for a command: the config, every backend table checked (config
/// parsing no longer knows the backend kinds), and the advice on unusual language tags.
pub(crate) fn load_project(
    config_path: &std::path::Path,
) -> anyhow::Result<dich::pipeline::Project> {
    let project = dich::pipeline::Project::load(config_path)?;
    dich::backend::check_config(project.config())?;
    warn_about_languages(project.config());
    Ok(project)
}

/// Logs the advice on configured languages that are valid but rarely what is meant
/// (`zh-CN`: `zh-Hans` is the usual target).
pub(crate) fn warn_about_languages(config: &dich::config::Config) {
    for lang in &config.targets {
        if let Some(advice) = lang.advice() {
            tracing::warn!("targets: {advice}");
        }
    }
}

/// Runs the command and returns its exit code; errors are printed with their causes
/// (and, for `--format json|github`, on stdout in that format too).
pub(crate) async fn run(args: Args) -> Exit {
    let format = args.format();
    let result = match args.command {
        Command::Translate(cmd) => translate::execute(&args.config, cmd).await,
        Command::Check(cmd) => check::execute(&args.config, cmd),
        Command::Qa(cmd) => qa::execute(&args.config, cmd),
        Command::Status(cmd) => status::execute(&args.config, cmd),
        Command::Memory(cmd) => memory::execute(&args.config, cmd),
        Command::Review(cmd) => review::execute(&args.config, cmd),
        Command::Export(cmd) => export::execute(&args.config, cmd),
        Command::Serve(cmd) => serve::execute(&args.config, cmd).await,
        Command::Segment(cmd) => segment::execute(&args.config, cmd),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
    };
    match result {
        Ok(exit) => exit,
        Err(error) => output::report_error(&error, format),
    }
}

/// `dich completions SHELL`: the completion script on stdout.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<Exit> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), "dich", &mut script);
    output::print_line(String::from_utf8_lossy(&script).trim_end())?;
    Ok(Exit::Ok)
}

/// `dich man`: the manual page (roff) on stdout.
fn man() -> anyhow::Result<Exit> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Args::command()).render(&mut page)?;
    output::print_line(String::from_utf8_lossy(&page).trim_end())?;
    Ok(Exit::Ok)
}
