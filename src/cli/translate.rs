//! `dich translate`: run the pipeline and print its summary.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use clap::Args;
use dich::backend::{self, Estimate, Usage};
use dich::lang::Lang;
use dich::pipeline::{NoProgress, Options, Progress, Project, Report};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Exit;
use super::output::{UsageError, print_line, thousands};

#[derive(Debug, Args)]
pub(crate) struct TranslateArgs {
    /// Only these target languages (repeat or comma-separate: `--lang en,ko`).
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// Only sources under this file or folder (repeatable).
    #[arg(long)]
    only: Vec<PathBuf>,
    /// Use the backend `[backends.NAME]` instead of `[backend]`.
    #[arg(long)]
    backend: Option<String>,
    /// Plan and estimate only: no backend call, no file written.
    #[arg(long)]
    dry_run: bool,
    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Replace translations in conflict with their source (the old file is kept as
    /// `<name>.bak`).
    #[arg(long)]
    force: bool,
    /// Refuse to start when the estimated cost exceeds this (overrides `[budget] max_cost`).
    #[arg(long)]
    max_cost: Option<f64>,
}

pub(crate) async fn execute(config_path: &Path, args: TranslateArgs) -> anyhow::Result<Exit> {
    let project = Project::load(config_path)?;
    backend::check_config(project.config())?;
    let mut options = Options {
        targets: targets(&project, &args.lang)?,
        only: args.only.clone(),
        dry_run: true,
        force: args.force,
        handle_interrupt: true,
    };
    let chain = backend::chain_from_config(project.config(), args.backend.as_deref())?;
    let max_cost = args.max_cost.or(project.config().budget.max_cost);
    if args.dry_run || max_cost.is_some() {
        let plan = project.translate(&chain, &options, &NoProgress).await?;
        let estimate = backend::estimate(&chain, &chars_per_lang(&plan));
        if args.dry_run {
            let usage = match chain.primary() {
                Some(primary) => primary.usage().await,
                None => None,
            };
            return print_plan(&plan, &estimate, usage.as_ref(), args.json);
        }
        if let Some(max) = max_cost.filter(|max| estimate.exceeds(*max)) {
            return Err(BudgetError(format!(
                "the estimated cost {:.2} exceeds the budget {max:.2} (--max-cost or [budget] max_cost); narrow the run with --lang/--only or raise the budget",
                estimate.total_cost
            ))
            .into());
        }
    }
    options.dry_run = false;
    let progress = Bar::new(args.json);
    let report = project.translate(&chain, &options, &progress).await?;
    if args.json {
        // The backends the chain retired during the run (issue 10) beside the report.
        let mut summary = serde_json::to_value(&report)?;
        summary["handovers"] = serde_json::to_value(chain.handovers())?;
        print_line(&serde_json::to_string(&summary)?)?;
    } else {
        print_summary(&report)?;
        for handover in chain.handovers() {
            print_line(&format!(
                "  handed over: `{}` was retired ({}); the next backend of the chain took its segments",
                handover.backend, handover.reason
            ))?;
        }
    }
    Ok(if report.interrupted {
        Exit::Interrupted
    } else if report.has_failures() {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

/// A run refused because it would cost more than allowed (exit code 1: nothing ran).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BudgetError(String);

fn chars_per_lang(plan: &Report) -> Vec<(Lang, usize)> {
    plan.languages
        .iter()
        .filter_map(|(tag, l)| Some((Lang::parse(tag).ok()?, l.characters_sent)))
        .collect()
}

fn targets(project: &Project, langs: &[String]) -> anyhow::Result<Option<Vec<Lang>>> {
    if langs.is_empty() {
        return Ok(None);
    }
    let selected = project
        .config()
        .select_targets(langs)
        .map_err(|e| UsageError(format!("--lang: {e}")))?;
    Ok(Some(selected))
}

fn print_plan(
    plan: &Report,
    estimate: &Estimate,
    usage: Option<&Usage>,
    json: bool,
) -> anyhow::Result<Exit> {
    if json {
        let mut value = serde_json::to_value(plan)?;
        value["estimate"] = serde_json::to_value(estimate)?;
        value["usage"] = serde_json::to_value(usage)?;
        print_line(&value.to_string())?;
        return Ok(Exit::Ok);
    }
    print_summary(plan)?;
    print_line("Cost estimate (primary backend):")?;
    for line in &estimate.lines {
        let cost = line
            .cost
            .map_or_else(|| "no price configured".to_owned(), |c| format!("{c:.2}"));
        print_line(&format!(
            "  {:<24} {:<10} {:>11} {:<20} {cost}",
            line.backend,
            line.lang.as_str(),
            thousands(line.units as usize),
            line.unit.unit_name()
        ))?;
    }
    let note = if estimate.complete {
        ""
    } else {
        " (incomplete: set price_per_million)"
    };
    print_line(&format!("  total: {:.2}{note}", estimate.total_cost))?;
    if let Some(usage) = usage {
        let left = usage
            .left()
            .map_or_else(|| "no limit".to_owned(), |l| thousands(l as usize));
        print_line(&format!(
            "  account: {} {} used this period, {left} left",
            thousands(usage.used as usize),
            usage.unit.unit_name()
        ))?;
    }
    Ok(Exit::Ok)
}

fn print_summary(report: &Report) -> anyhow::Result<()> {
    let title = if report.dry_run {
        "Plan (dry run: nothing sent, nothing written)"
    } else {
        "Translation summary"
    };
    print_line(&format!("{title} — backend: {}", report.backend))?;
    if report.pseudo {
        print_line("  note: PSEUDO-TRANSLATION — marked test output, not a real translation")?;
    }
    print_line(&format!(
        "  {:<10} {:>8} {:>8} {:>9} {:>11} {:>8} {:>7}",
        "language", "articles", "written", "segments", "characters", "memory", "failed"
    ))?;
    for (lang, l) in &report.languages {
        print_line(&format!(
            "  {:<10} {:>8} {:>8} {:>9} {:>11} {:>8} {:>7}",
            lang,
            l.articles,
            l.files_written,
            thousands(l.segments_sent),
            thousands(l.characters_sent),
            thousands(l.segments_from_memory),
            l.failed
        ))?;
    }
    let verb = if report.dry_run { "to send" } else { "sent" };
    print_line(&format!(
        "  total: {}, {} written, {} ({} characters) {verb} in {}, {} from memory, {} failed — {:.1} s",
        counted(report.articles, "article"),
        counted(report.files_written, "file"),
        counted(report.segments_sent, "segment"),
        thousands(report.characters_sent),
        counted(report.requests, "request"),
        thousands(report.segments_from_memory),
        report.failed,
        report.elapsed_seconds
    ))?;
    if let Some(fatal) = &report.fatal {
        print_line(&format!("  stopped: {fatal}"))?;
    }
    if report.interrupted {
        print_line("  interrupted: finished work was kept; run again to resume")?;
    }
    if !report.failures.is_empty() {
        print_line("Failures:")?;
        for failure in &report.failures {
            let lang = failure
                .lang
                .as_deref()
                .map(|l| format!(" [{l}]"))
                .unwrap_or_default();
            print_line(&format!("  {}{lang}: {}", failure.path, failure.reason))?;
        }
    }
    Ok(())
}

/// "1 article", "2,000 articles".
fn counted(n: usize, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", thousands(n))
}

/// A progress bar on a terminal; log lines otherwise.
struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    fn new(json: bool) -> Self {
        let visible = !json && std::io::stderr().is_terminal();
        Bar {
            bar: visible.then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())),
        }
    }
}

impl Progress for Bar {
    fn start(&self, jobs: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(jobs as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} files  {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        }
    }

    fn file_done(&self, path: &str, lang: &Lang, outcome: &str) {
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(format!("{path} [{lang}] {outcome}"));
            }
            None => tracing::info!("{path} [{lang}]: {outcome}"),
        }
    }

    fn batch_sent(&self, lang: &Lang, segments: usize) {
        if self.bar.is_none() {
            tracing::debug!("sent {segments} segments for {lang}");
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
