//! `dich export manifest`: writes `translations.json` for the portal.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use dich::pipeline::Project;

use super::Exit;
use super::output::{Format, FormatArgs, print_json, print_line};

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    #[command(subcommand)]
    command: ExportCommand,
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Write the publish manifest (`translations.json`, see docs/manifest.md).
    Manifest(ManifestArgs),
}

#[derive(Debug, Args)]
struct ManifestArgs {
    /// Where to write it (default: `[review] manifest` in the config).
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    format: FormatArgs,
}

impl ExportArgs {
    /// The output format chosen.
    pub(crate) fn format(&self) -> Format {
        match &self.command {
            ExportCommand::Manifest(m) => m.format.format(),
        }
    }
}

pub(crate) fn execute(config_path: &Path, args: ExportArgs) -> anyhow::Result<Exit> {
    let project = Project::load(config_path)?;
    let ExportCommand::Manifest(args) = args.command;
    let path = args
        .output
        .unwrap_or_else(|| project.config().review.manifest.clone());
    let manifest = dich::review::manifest::write(&project, &path)?;
    let shown = project.display_path(&path);
    match args.format.format() {
        Format::Json => print_json(&serde_json::json!({
            "path": shown,
            "articles": manifest.articles,
            "ui_locales": manifest.ui_locales,
        }))?,
        _ => print_line(&format!(
            "wrote {shown}: {} articles, {} UI locales",
            manifest.articles, manifest.ui_locales
        ))?,
    }
    Ok(Exit::Ok)
}
