//! `dich review`: approve, reject and list the review states of translations.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use dich::memory::Verdict;
use dich::pipeline::{Options, Project};
use dich::review::{self, Entry, Outcome, ReviewState};

use super::Exit;
use super::output::{ErrorObject, Format, FormatArgs, UsageError, print_json, print_line};

#[derive(Debug, Args)]
pub(crate) struct ReviewArgs {
    #[command(subcommand)]
    command: ReviewCommand,
}

#[derive(Debug, Subcommand)]
enum ReviewCommand {
    /// Approve translations: a translated file, a source article (all its languages)
    /// or a folder. The approval covers the source and translation as they are now.
    Approve(VerdictArgs),
    /// Reject translations (held until the file changes), with a reason.
    Reject(RejectArgs),
    /// List every translation with its review state.
    List(ListArgs),
}

#[derive(Debug, Args)]
struct VerdictArgs {
    /// Translated files, source articles or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Only these target languages (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// The reviewer's name (default: `DICH_REVIEWER`, else `git config user.name`).
    #[arg(long)]
    by: Option<String>,
    #[command(flatten)]
    output: FormatArgs,
}

#[derive(Debug, Args)]
struct RejectArgs {
    #[command(flatten)]
    target: VerdictArgs,
    /// Why it cannot be published.
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Only translations in this review state (`machine`, `reviewed`, `needs-review`,
    /// `held`, `pseudo`).
    #[arg(long)]
    state: Option<String>,
    /// Only these target languages (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    #[command(flatten)]
    output: FormatArgs,
}

impl ReviewArgs {
    /// The output format chosen.
    pub(crate) fn format(&self) -> Format {
        match &self.command {
            ReviewCommand::Approve(a) => a.output.format(),
            ReviewCommand::Reject(r) => r.target.output.format(),
            ReviewCommand::List(l) => l.output.format(),
        }
    }
}

pub(crate) fn execute(config_path: &Path, args: ReviewArgs) -> anyhow::Result<Exit> {
    let project = Project::load(config_path)?;
    match args.command {
        ReviewCommand::Approve(a) => verdict(&project, a, (Verdict::Approved, "")),
        ReviewCommand::Reject(r) => verdict(&project, r.target, (Verdict::Rejected, &r.reason)),
        ReviewCommand::List(l) => list(&project, l),
    }
}

/// Every translation in scope with its review.
fn entries(project: &Project, lang: &[String]) -> anyhow::Result<Vec<Entry>> {
    let targets = if lang.is_empty() {
        None
    } else {
        Some(
            project
                .config()
                .select_targets(lang)
                .map_err(|e| UsageError(format!("--lang: {e}")))?,
        )
    };
    let options = Options {
        targets,
        ..Options::default()
    };
    let status = project.status(&options)?;
    let memory = review::open_memory(project)?;
    Ok(review::entries(project, &status, &memory)?)
}

fn verdict(
    project: &Project,
    args: VerdictArgs,
    (verdict, reason): (Verdict, &str),
) -> anyhow::Result<Exit> {
    let root = &project.config().root;
    let Some(by) = review::reviewer(args.by.as_deref(), root) else {
        return Err(UsageError(
            "who is reviewing? pass --by NAME, or set DICH_REVIEWER or `git config user.name`"
                .to_owned(),
        )
        .into());
    };
    let all = entries(project, &args.lang)?;
    let mut selected = Vec::new();
    let mut outcomes = Vec::new();
    for path in &args.paths {
        let found = matching(root, path, &all);
        if found.is_empty() {
            outcomes.push(Outcome {
                path: path.to_string_lossy().into_owned(),
                lang: String::new(),
                refused: Some(if path.exists() {
                    "not a source article, translation, Fluent file or folder of this project"
                        .to_owned()
                } else {
                    "no such file or folder".to_owned()
                }),
            });
        }
        selected.extend(found.into_iter().cloned());
    }
    selected.sort_by(|a, b| a.path.cmp(&b.path));
    selected.dedup_by(|a, b| a.path == b.path);
    let mut memory = project.open_memory()?;
    outcomes.extend(review::give_verdict(
        project,
        &mut memory,
        &selected,
        (verdict, &by, reason),
    )?);
    let failed = outcomes.iter().filter(|o| o.refused.is_some()).count();
    match args.output.format() {
        Format::Json => print_json(&serde_json::json!({
            "verdict": verdict.as_str(),
            "by": by,
            "outcomes": outcomes,
            "failed": failed,
        }))?,
        format => {
            for outcome in &outcomes {
                match (&outcome.refused, format) {
                    (Some(reason), Format::Github) => print_line(
                        &ErrorObject::about(Some(&outcome.path), Some("refused"), reason)
                            .annotation("error"),
                    )?,
                    (Some(reason), _) => {
                        print_line(&format!("refused  {}: {reason}", outcome.path))?;
                    }
                    (None, _) => print_line(&format!(
                        "{:<8} {:<8} {}",
                        verdict.as_str(),
                        outcome.lang,
                        outcome.path
                    ))?,
                }
            }
            let done = outcomes.len() - failed;
            print_line(&format!(
                "{done} {} by {by}, {failed} refused",
                verdict.as_str()
            ))?;
        }
    }
    Ok(if failed > 0 { Exit::Failed } else { Exit::Ok })
}

/// The entries `path` names: a translated file, a source article (all its
/// languages), a reference `.ftl` file, or everything under a folder.
fn matching<'a>(root: &Path, path: &Path, all: &'a [Entry]) -> Vec<&'a Entry> {
    let Ok(wanted) = std::path::absolute(path) else {
        return Vec::new();
    };
    let abs = |rel: &str| std::path::absolute(root.join(rel)).unwrap_or_default();
    all.iter()
        .filter(|e| {
            let (file, source) = (abs(&e.path), abs(&e.source));
            file == wanted
                || source == wanted
                || (wanted.is_dir() && (file.starts_with(&wanted) || source.starts_with(&wanted)))
        })
        .collect()
}

fn list(project: &Project, args: ListArgs) -> anyhow::Result<Exit> {
    let state = match args.state.as_deref() {
        None => None,
        Some(name) => Some(ReviewState::parse(name).ok_or_else(|| {
            UsageError(format!(
                "--state: `{name}` is not a review state; use machine, reviewed, needs-review, held or pseudo"
            ))
        })?),
    };
    let mut entries = entries(project, &args.lang)?;
    if let Some(state) = state {
        entries.retain(|e| e.state() == Some(state));
    }
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for e in &entries {
        *counts
            .entry(e.state().map_or("none", ReviewState::as_str))
            .or_default() += 1;
    }
    match args.output.format() {
        Format::Json => print_json(&serde_json::json!({ "entries": entries, "counts": counts }))?,
        format => {
            for e in &entries {
                let review = e.state().map_or("-", ReviewState::as_str);
                let who = e
                    .review
                    .as_ref()
                    .and_then(|r| match (&r.detail, &r.by, &r.at) {
                        (Some(detail), _, _) => Some(detail.clone()),
                        (None, Some(by), Some(at)) => Some(format!("by {by} at {at}")),
                        _ => None,
                    });
                let who = who.map(|w| format!("  ({w})")).unwrap_or_default();
                if format == Format::Github && e.state() != Some(ReviewState::Reviewed) {
                    let message = format!("the {} translation is {review}{who}", e.lang);
                    let finding = ErrorObject::about(Some(&e.path), Some(review), &message);
                    print_line(&finding.annotation("notice"))?;
                } else if format == Format::Human {
                    print_line(&format!(
                        "{review:<13} {:<11} {:<8} {}{who}",
                        e.translation, e.lang, e.path
                    ))?;
                }
            }
            let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
            print_line(&format!(
                "{} translations: {}",
                entries.len(),
                if counts.is_empty() {
                    "none".to_owned()
                } else {
                    counts.join(", ")
                }
            ))?;
        }
    }
    Ok(Exit::Ok)
}
