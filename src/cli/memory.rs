//! `dich memory`: TMX export and import, so translators' tools can seed and reuse
//! the translation memory; `migrate`, to move it between SQLite and PostgreSQL.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use dich::lang::Lang;
use dich::memory::tmx;

use super::Exit;
use super::output::{ErrorObject, Format, FormatArgs, UsageError, print_json, print_line};

#[derive(Debug, Args)]
pub(crate) struct MemoryArgs {
    #[command(subcommand)]
    command: MemoryCommand,
}

#[derive(Debug, Subcommand)]
enum MemoryCommand {
    /// Write the memory for one target language as TMX 1.4.
    Export {
        /// Target language to export.
        #[arg(long)]
        lang: String,
        /// The TMX file to write.
        file: PathBuf,
    },
    /// Read a TMX file into the memory (entries get origin `import`).
    Import {
        /// The TMX file to read.
        file: PathBuf,
        #[command(flatten)]
        output: FormatArgs,
    },
    /// Copy this project's memory into another: a PostgreSQL URL (`postgres://…`,
    /// password from `[memory] password_env`) or a SQLite file. Idempotent: what the
    /// other already holds is skipped. Then point `[memory]` at it.
    Migrate {
        /// The memory to copy into: `postgres://user@host/db` or a `.db` file.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        output: FormatArgs,
    },
}

pub(crate) fn execute(config_path: &Path, args: MemoryArgs) -> anyhow::Result<Exit> {
    let project = super::load_project(config_path)?;
    let source = &project.config().source;
    match args.command {
        MemoryCommand::Migrate { to, output } => migrate(&project, &to, output.format()),
        MemoryCommand::Export { lang, file } => {
            let lang = Lang::parse(&lang).map_err(|e| UsageError(format!("--lang: {e}")))?;
            let memory = project.open_memory()?;
            let report = tmx::export(&memory, source, &lang, &file)?;
            print_line(&format!(
                "exported {} translation units ({source} → {lang}) to {}",
                report.units,
                file.display()
            ))?;
            Ok(Exit::Ok)
        }
        MemoryCommand::Import { file, output } => {
            let mut memory = project.open_memory()?;
            let report = tmx::import(&mut memory, source, &project.config().targets, &file)?;
            let path = file.display().to_string();
            let skipped: Vec<ErrorObject> = report
                .skipped
                .iter()
                .map(|(line, reason)| ErrorObject {
                    path: Some(path.clone()),
                    line: Some(*line),
                    column: None,
                    code: Some("skipped".to_owned()),
                    message: reason.clone(),
                })
                .collect();
            if output.format() == Format::Json {
                print_json(&serde_json::json!({
                    "file": path,
                    "units": report.units,
                    "segments": report.segments,
                    "languages": report.languages,
                    "notes": report.notes,
                    "human_units": report.human_units,
                    "skipped": skipped,
                }))?;
                return Ok(Exit::Ok);
            }
            print_line(&format!(
                "imported {} translation units ({} segments; languages: {}) from {path}",
                report.units,
                report.segments,
                report.languages.join(", "),
            ))?;
            if report.human_units > 0 {
                print_line(&format!(
                    "  restored {} version(s) of blocks people wrote",
                    report.human_units
                ))?;
            }
            for note in &report.notes {
                print_line(&format!("  note: {note}"))?;
            }
            for skip in &skipped {
                match output.format() {
                    Format::Github => print_line(&skip.annotation("warning"))?,
                    _ => print_line(&format!("  skipped {}", skip.human()))?,
                }
            }
            Ok(Exit::Ok)
        }
    }
}

impl MemoryArgs {
    /// The `--format` of `memory import` (`export` has none).
    pub(crate) fn format(&self) -> Option<Format> {
        match &self.command {
            MemoryCommand::Import { output, .. } | MemoryCommand::Migrate { output, .. } => {
                Some(output.format())
            }
            MemoryCommand::Export { .. } => None,
        }
    }
}

/// `dich memory migrate --to TARGET`: copies the configured memory into `target`
/// with a progress bar on a terminal, then prints what was copied per table.
fn migrate(
    project: &dich::pipeline::Project,
    target: &str,
    format: Format,
) -> anyhow::Result<Exit> {
    use dich::memory::{CopyEvent, Memory};
    let config = &project.config().memory;
    let from = project.open_memory()?;
    let shared = target.starts_with("postgres://") || target.starts_with("postgresql://");
    let mut to = if shared {
        Memory::from_config(&dich::config::MemoryConfig {
            url: Some(target.to_owned()),
            ..config.clone()
        })?
    } else {
        Memory::open(Path::new(target))?
    };
    let bar = if format == Format::Human {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>14} [{bar:30}] {pos}/{len} rows")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let counts = from.copy_to(&mut to, &mut |event| match event {
        CopyEvent::Table(table, rows) => {
            bar.set_message(table.to_owned());
            bar.set_length(rows);
            bar.set_position(0);
        }
        CopyEvent::Copied(rows) => bar.inc(rows),
    })?;
    bar.finish_and_clear();
    let (rows, added) = counts
        .iter()
        .fold((0, 0), |(r, a), c| (r + c.rows, a + c.added));
    if format == Format::Json {
        print_json(&serde_json::json!({
            "to": target,
            "rows": rows,
            "copied": added,
            "tables": counts,
        }))?;
        return Ok(Exit::Ok);
    }
    for count in &counts {
        print_line(&format!(
            "  {:<13} {:>8} rows, {:>8} copied",
            count.table, count.rows, count.added
        ))?;
    }
    print_line(&format!(
        "copied {added} of {rows} rows to {target} ({} already there)",
        rows - added
    ))?;
    Ok(Exit::Ok)
}
