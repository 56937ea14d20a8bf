//! `dich translate`: run the pipeline and print its summary.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use clap::Args;
use dich::backend::{self, Chain};
use dich::lang::Lang;
use dich::pipeline::{Options, Progress, Project, Report};
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
}

pub(crate) async fn execute(config_path: &Path, args: TranslateArgs) -> anyhow::Result<Exit> {
    let project = Project::load(config_path)?;
    let options = Options {
        targets: targets(&project, &args.lang)?,
        only: args.only.clone(),
        dry_run: args.dry_run,
        handle_interrupt: true,
    };
    let chain = chain(&project, args.backend.as_deref())?;
    let progress = Bar::new(args.json);
    let report = project.translate(&chain, &options, &progress).await?;
    if args.json {
        print_line(&serde_json::to_string(&report)?)?;
    } else {
        print_summary(&report)?;
    }
    Ok(if report.interrupted {
        Exit::Interrupted
    } else if report.has_failures() {
        Exit::Failed
    } else {
        Exit::Ok
    })
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

fn chain(project: &Project, name: Option<&str>) -> anyhow::Result<Chain> {
    let config = project.config();
    let name = name.unwrap_or("default");
    let backend = config.backend_named(name).ok_or_else(|| {
        let known: Vec<&str> = config.backends.keys().map(String::as_str).collect();
        UsageError(format!(
            "--backend {name}: no [backends.{name}] table in {} (defined: {})",
            config.path.display(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ))
    })?;
    let mut members = vec![backend::create(name, backend)?];
    for fallback in &backend.fallback {
        if let Some(config) = config.backend_named(fallback) {
            members.push(backend::create(fallback, config)?);
        }
    }
    Ok(Chain::new(members))
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
        "  total: {} articles, {} files written, {} segments ({} characters) {verb} in {} requests, {} from memory, {} failed — {:.1} s",
        report.articles,
        report.files_written,
        thousands(report.segments_sent),
        thousands(report.characters_sent),
        report.requests,
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
