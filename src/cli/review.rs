//! `dich review`: approve, reject and list the review states of translations; show
//! and accept the machine's proposals beside people's blocks whose source changed.

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
    /// Show, per block a person wrote whose source changed, the old source, the new
    /// source (word diff), the person's text and the machine's proposal.
    Show(ShowArgs),
    /// Put the machine's proposal in the file in place of the person's block.
    AcceptProposal(AcceptArgs),
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// A translated file, a source article (all its languages) or a folder.
    path: PathBuf,
    /// Only these target languages (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    #[command(flatten)]
    output: FormatArgs,
}

#[derive(Debug, Args)]
struct AcceptArgs {
    /// A translated file, a source article (all its languages) or a folder.
    path: PathBuf,
    /// Only these target languages (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// The block's number, as `dich review show` prints it (repeat for several).
    #[arg(long, required_unless_present = "all", conflicts_with = "all")]
    block: Vec<usize>,
    /// Every pending proposal.
    #[arg(long)]
    all: bool,
    /// The reviewer's name (default: `DICH_REVIEWER`, else `git config user.name`).
    #[arg(long)]
    by: Option<String>,
    #[command(flatten)]
    output: FormatArgs,
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
            ReviewCommand::Show(s) => s.output.format(),
            ReviewCommand::AcceptProposal(a) => a.output.format(),
        }
    }
}

pub(crate) fn execute(config_path: &Path, args: ReviewArgs) -> anyhow::Result<Exit> {
    let project = Project::load(config_path)?;
    match args.command {
        ReviewCommand::Approve(a) => verdict(&project, a, (Verdict::Approved, "")),
        ReviewCommand::Reject(r) => verdict(&project, r.target, (Verdict::Rejected, &r.reason)),
        ReviewCommand::List(l) => list(&project, l),
        ReviewCommand::Show(s) => show(&project, s),
        ReviewCommand::AcceptProposal(a) => accept(&project, a),
    }
}

/// The translations `path` names, or a usage error saying it names none.
fn selected(project: &Project, path: &Path, lang: &[String]) -> anyhow::Result<Vec<Entry>> {
    let all = entries(project, lang)?;
    let found: Vec<Entry> = matching(&project.config().root, path, &all)
        .into_iter()
        .filter(|e| e.kind == "article")
        .cloned()
        .collect();
    if found.is_empty() {
        return Err(UsageError(format!(
            "{}: not a source article, translated article or folder of this project",
            path.display()
        ))
        .into());
    }
    Ok(found)
}

fn show(project: &Project, args: ShowArgs) -> anyhow::Result<Exit> {
    let memory = review::open_memory(project)?;
    let mut files = Vec::new();
    for entry in selected(project, &args.path, &args.lang)? {
        let shown = review::proposals::show(project, &memory, &entry)?;
        files.push((entry, shown));
    }
    let pending: usize = files.iter().map(|(_, s)| s.len()).sum();
    if args.output.format() == Format::Json {
        let files: Vec<_> = files
            .iter()
            .map(|(e, shown)| {
                serde_json::json!({
                    "path": e.path,
                    "lang": e.lang,
                    "source": e.source,
                    "review": e.review,
                    "blocks": shown,
                })
            })
            .collect();
        print_json(&serde_json::json!({ "files": files, "pending": pending }))?;
        return Ok(Exit::Ok);
    }
    for (entry, shown) in &files {
        let state = entry.state().map_or("-", ReviewState::as_str);
        print_line(&format!("{} ({}, {state})", entry.path, entry.lang))?;
        for s in shown {
            let block = s.block.map_or("?".to_owned(), |b| b.to_string());
            let how = if s.proposal.in_file {
                "in the file: the person's other sentences kept, the changed one translated again"
            } else {
                "not in the file: the person's block is kept until the proposal is accepted"
            };
            print_line(&format!("  block {block} ({how})"))?;
            let old = if s.proposal.old_source.is_empty() {
                "(not known: the memory did not keep it)"
            } else {
                &s.proposal.old_source
            };
            print_line(&format!("    old source: {old}"))?;
            let diff: String = s
                .diff
                .iter()
                .map(|p| match p.op {
                    "delete" => format!("[-{}-]", p.text),
                    "insert" => format!("{{+{}+}}", p.text),
                    _ => p.text.clone(),
                })
                .collect();
            print_line(&format!("    new source: {diff}"))?;
            print_line(&format!("    person:     {}", s.proposal.person))?;
            print_line(&format!("    proposal:   {}", s.proposal.proposal))?;
        }
    }
    print_line(&format!(
        "{pending} pending proposal(s); accept with `dich review accept-proposal PATH --block N --by NAME`, or keep the person's text with `dich review approve`"
    ))?;
    Ok(Exit::Ok)
}

fn accept(project: &Project, args: AcceptArgs) -> anyhow::Result<Exit> {
    let root = &project.config().root;
    let Some(by) = review::reviewer(args.by.as_deref(), root) else {
        return Err(UsageError(
            "who is reviewing? pass --by NAME, or set DICH_REVIEWER or `git config user.name`"
                .to_owned(),
        )
        .into());
    };
    let blocks = (!args.all).then_some(args.block.as_slice());
    let mut memory = project.open_memory()?;
    let mut outcomes = Vec::new();
    for entry in selected(project, &args.path, &args.lang)? {
        let accepted = review::proposals::accept(project, &mut memory, &entry, blocks)?;
        if !accepted.is_empty() {
            tracing::info!("{}: proposals accepted by {by}: {accepted:?}", entry.path);
            outcomes.push((entry.path, accepted));
        }
    }
    let count: usize = outcomes.iter().map(|(_, a)| a.len()).sum();
    match args.output.format() {
        Format::Json => print_json(&serde_json::json!({
            "by": by,
            "accepted": outcomes
                .iter()
                .map(|(path, blocks)| serde_json::json!({ "path": path, "blocks": blocks }))
                .collect::<Vec<_>>(),
        }))?,
        _ => {
            for (path, blocks) in &outcomes {
                let blocks: Vec<String> = blocks.iter().map(ToString::to_string).collect();
                print_line(&format!("accepted {path}: block {}", blocks.join(", ")))?;
            }
            print_line(&format!("{count} proposal(s) accepted by {by}"))?;
        }
    }
    // Nothing to accept where one was asked for is a failure the caller should see.
    Ok(if count == 0 { Exit::Failed } else { Exit::Ok })
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
