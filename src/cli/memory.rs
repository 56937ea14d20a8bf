//! `dich memory`: TMX export and import, so translators' tools can seed and reuse
//! the translation memory.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use dich::lang::Lang;
use dich::memory::tmx;
use dich::pipeline::Project;

use super::Exit;
use super::output::{UsageError, print_line};

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
    },
}

pub(crate) fn execute(config_path: &Path, args: MemoryArgs) -> anyhow::Result<Exit> {
    let project = Project::load(config_path)?;
    // Every command rejects a bad backend table, as it did when config.rs checked it.
    dich::backend::check_config(project.config())?;
    let source = &project.config().source;
    match args.command {
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
        MemoryCommand::Import { file } => {
            let mut memory = project.open_memory()?;
            let report = tmx::import(&mut memory, source, &file)?;
            print_line(&format!(
                "imported {} translation units ({} segments; languages: {}) from {}",
                report.units,
                report.segments,
                report.languages.join(", "),
                file.display()
            ))?;
            for (line, reason) in &report.skipped {
                print_line(&format!("  skipped {}:{line}: {reason}", file.display()))?;
            }
            Ok(Exit::Ok)
        }
    }
}
