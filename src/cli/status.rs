//! `dich status`: per article and language, what state its translation is in.

use std::path::Path;

use clap::Args;
use dich::pipeline::{StatusReport, UiStatus};
use dich::review::{self, Entry, ReviewState};

use super::Exit;
use super::output::{ErrorObject, Format, FormatArgs, print_json, print_line};

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Exit 1 when anything is failed, stale, missing or in conflict (the CI freshness gate).
    #[arg(long)]
    check: bool,
    /// With `--check`, also fail unless every translation is in this review state
    /// (`reviewed`: the CI gate before publication).
    #[arg(long, requires = "check", value_parser = ["reviewed"])]
    require: Option<String>,
    #[command(flatten)]
    pub(crate) output: FormatArgs,
    #[command(flatten)]
    scope: super::ScopeArgs,
}

pub(crate) fn execute(config_path: &Path, args: StatusArgs) -> anyhow::Result<Exit> {
    let project = super::load_project(config_path)?;
    let options = args.scope.options(&project)?;
    let status = project.status(&options)?;
    let memory = review::open_memory(&project)?;
    let reviews = review::entries(&project, &status, &memory)?;
    // `--require reviewed`: anything not approved (missing included) fails the gate.
    let unapproved: Vec<&Entry> = reviews
        .iter()
        .filter(|e| args.require.is_some() && e.state() != Some(ReviewState::Reviewed))
        .collect();
    let failed = args.check && (status.fails_check() || !unapproved.is_empty());
    match args.output.format() {
        Format::Json => {
            let mut value = json(&status)?;
            for (i, entry) in status_order(&status, &reviews).into_iter().enumerate() {
                let (list, i) = if i < status.articles.len() {
                    ("articles", i)
                } else {
                    ("ui", i - status.articles.len())
                };
                value[list][i]["review"] = serde_json::to_value(&entry.review)?;
            }
            value["unapproved"] = unapproved.len().into();
            value["fails_check"] = failed.into();
            print_json(&value)?;
        }
        Format::Human => print_human(&status, &reviews, (args.check, unapproved.len()))?,
        Format::Github => {
            for entry in &unapproved {
                let state = entry.state().map_or("missing", ReviewState::as_str);
                let message = format!("the {} translation is {state}, not reviewed", entry.lang);
                let finding = ErrorObject::about(Some(&entry.path), Some("not-reviewed"), &message);
                print_line(&finding.annotation("error"))?;
            }
            print_github(&status, (args.check, unapproved.len()))?;
        }
    }

    Ok(if failed { Exit::Failed } else { Exit::Ok })
}

/// `ui.error` as the shared error object.
fn ui_error(ui: &UiStatus) -> Option<ErrorObject> {
    let error = ui.error.as_deref()?;
    Some(ErrorObject::about(Some(&ui.path), None, error))
}

/// The report with every error as the shared error object, and `fails_check` (what
/// `--check` decides on). Schema: docs/schema/status.schema.json.
fn json(status: &StatusReport) -> anyhow::Result<serde_json::Value> {
    let mut value = serde_json::to_value(status)?;
    let errors: Vec<ErrorObject> = status
        .errors
        .iter()
        .map(|e| ErrorObject::about(None, None, e))
        .collect();
    value["errors"] = serde_json::to_value(errors)?;
    for (i, ui) in status.ui.iter().enumerate() {
        value["ui"][i]["error"] = serde_json::to_value(ui_error(ui))?;
    }
    value["fails_check"] = status.fails_check().into();
    Ok(value)
}

/// The review entries in the order of the status report (articles, then UI files).
fn status_order<'a>(status: &StatusReport, reviews: &'a [Entry]) -> Vec<&'a Entry> {
    reviews
        .iter()
        .take(status.articles.len() + status.ui.len())
        .collect()
}

fn review_name(entry: Option<&&Entry>) -> &'static str {
    entry
        .and_then(|e| e.state())
        .map_or("-", ReviewState::as_str)
}

/// `check`: `--check` was given, with `unapproved` translations failing
/// `--require reviewed`.
fn print_human(
    status: &StatusReport,
    reviews: &[Entry],
    check: (bool, usize),
) -> anyhow::Result<()> {
    let reviews = status_order(status, reviews);
    for (i, article) in status.articles.iter().enumerate() {
        let detail = article
            .detail
            .as_deref()
            .map(|d| format!("  ({d})"))
            .unwrap_or_default();
        print_line(&format!(
            "{:<13} {:<12} {:<8} {}{detail}",
            article.state.as_str(),
            review_name(reviews.get(i)),
            article.lang,
            article.path
        ))?;
    }
    for (i, ui) in status.ui.iter().enumerate() {
        let detail = match ui_error(ui) {
            Some(e) => format!("  ({})", e.message),
            None => format!(
                "  ({}/{} messages, {} stale, {} machine-translated not reviewed)",
                ui.messages - ui.missing.min(ui.messages),
                ui.messages,
                ui.stale,
                ui.machine
            ),
        };
        let location = ui_error(ui)
            .and_then(|e| e.location())
            .unwrap_or_else(|| ui.path.clone());
        print_line(&format!(
            "{:<13} {:<12} {:<8} {location}{detail}",
            ui_state(ui),
            review_name(reviews.get(status.articles.len() + i)),
            ui.lang
        ))?;
    }
    for error in &status.errors {
        print_line(&format!("error         {error}"))?;
    }
    print_line(&closing_line(status, check))?;
    Ok(())
}

fn ui_state(ui: &UiStatus) -> &'static str {
    match (&ui.error, ui.missing, ui.stale) {
        (Some(_), _, _) => "error",
        (None, 0, 0) => "complete",
        (None, 0, _) => "stale",
        (None, _, _) => "missing",
    }
}

/// The last line counts everything listed above it (articles, UI files, unreadable
/// sources) and, with `--check`, says whether the check failed, so that it always
/// agrees with the exit code (issue 14).
fn closing_line(status: &StatusReport, (check, unapproved): (bool, usize)) -> String {
    let counts: Vec<String> = status
        .counts
        .iter()
        .map(|(state, n)| format!("{n} {state}"))
        .collect();
    let mut line = format!(
        "{} translations: {}",
        status.articles.len(),
        if counts.is_empty() {
            "none".to_owned()
        } else {
            counts.join(", ")
        }
    );
    if !status.ui.is_empty() {
        let mut ui_counts = std::collections::BTreeMap::<&str, usize>::new();
        for ui in &status.ui {
            *ui_counts.entry(ui_state(ui)).or_default() += 1;
        }
        let ui_counts: Vec<String> = ui_counts
            .iter()
            .map(|(state, n)| format!("{n} {state}"))
            .collect();
        line.push_str(&format!(
            "; {} UI files: {}",
            status.ui.len(),
            ui_counts.join(", ")
        ));
    }
    if !status.errors.is_empty() {
        line.push_str(&format!("; {} unreadable", status.errors.len()));
    }
    if unapproved > 0 {
        line.push_str(&format!("; {unapproved} not reviewed"));
    }
    if check {
        line.push_str(if status.fails_check() || unapproved > 0 {
            " — check failed"
        } else {
            " — check passed"
        });
    }
    line
}

/// GitHub annotations for what needs attention (stale, missing, conflicts, errors):
/// errors with `--check` (they fail it), warnings without; then the closing line.
fn print_github(status: &StatusReport, check: (bool, usize)) -> anyhow::Result<()> {
    let level = if check.0 { "error" } else { "warning" };
    for article in status.articles.iter().filter(|a| a.state.fails_check()) {
        let detail = article
            .detail
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let finding = ErrorObject {
            path: Some(article.source.clone()),
            line: None,
            column: None,
            code: Some(article.state.as_str().to_owned()),
            message: format!(
                "the {} translation ({}) is {}{detail}",
                article.lang,
                article.path,
                article.state.as_str()
            ),
        };
        print_line(&finding.annotation(level))?;
    }
    for ui in &status.ui {
        let finding = match ui_error(ui) {
            Some(error) => error,
            None if ui.missing + ui.stale > 0 => ErrorObject {
                path: Some(ui.path.clone()),
                line: None,
                column: None,
                code: Some(ui_state(ui).to_owned()),
                message: format!(
                    "{} of {} messages missing, {} stale: run `dich translate`",
                    ui.missing, ui.messages, ui.stale
                ),
            },
            None => continue,
        };
        print_line(&finding.annotation(level))?;
    }
    for error in &status.errors {
        print_line(&ErrorObject::about(None, None, error).annotation("error"))?;
    }
    print_line(&closing_line(status, check))?;
    Ok(())
}
