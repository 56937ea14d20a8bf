//! `dich status`: per article and language, what state its translation is in.

use std::path::{Path, PathBuf};

use clap::Args;
use dich::pipeline::{Options, Project, StatusReport};

use super::Exit;
use super::output::{UsageError, print_line};

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Exit 1 when anything is stale, missing or in conflict (the CI freshness gate).
    #[arg(long)]
    check: bool,
    /// Print the status as one JSON object on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Only these target languages (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// Only sources under this file or folder (repeatable).
    #[arg(long)]
    only: Vec<PathBuf>,
}

pub(crate) fn execute(config_path: &Path, args: StatusArgs) -> anyhow::Result<Exit> {
    let project = Project::load(config_path)?;
    // Every command rejects a bad backend table, as it did when config.rs checked it.
    dich::backend::check_config(project.config())?;
    let targets = if args.lang.is_empty() {
        None
    } else {
        Some(
            project
                .config()
                .select_targets(&args.lang)
                .map_err(|e| UsageError(format!("--lang: {e}")))?,
        )
    };
    let options = Options {
        targets,
        only: args.only,
        ..Options::default()
    };
    let status = project.status(&options)?;
    if args.json {
        print_line(&serde_json::to_string(&status)?)?;
    } else {
        print_human(&status)?;
    }
    Ok(if args.check && status.fails_check() {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

fn print_human(status: &StatusReport) -> anyhow::Result<()> {
    for article in &status.articles {
        let detail = article
            .detail
            .as_deref()
            .map(|d| format!("  ({d})"))
            .unwrap_or_default();
        print_line(&format!(
            "{:<13} {:<8} {}{detail}",
            article.state.as_str(),
            article.lang,
            article.path
        ))?;
    }
    for ui in &status.ui {
        let state = match (&ui.error, ui.missing, ui.stale) {
            (Some(_), _, _) => "error",
            (None, 0, 0) => "complete",
            (None, 0, _) => "stale",
            (None, _, _) => "missing",
        };
        let detail = match &ui.error {
            Some(e) => format!("  ({e})"),
            None => format!(
                "  ({}/{} messages, {} stale, {} machine-translated not reviewed)",
                ui.messages - ui.missing.min(ui.messages),
                ui.messages,
                ui.stale,
                ui.machine
            ),
        };
        print_line(&format!("{state:<13} {:<8} {}{detail}", ui.lang, ui.path))?;
    }
    for error in &status.errors {
        print_line(&format!("error         {error}"))?;
    }
    let counts: Vec<String> = status
        .counts
        .iter()
        .map(|(state, n)| format!("{n} {state}"))
        .collect();
    let total = status.articles.len();
    print_line(&format!("{total} translations: {}", counts.join(", ")))?;
    Ok(())
}
