//! `dich translate`: run the pipeline and print its summary.

use std::path::{Path, PathBuf};

use clap::Args;
use dich::backend::{self, Estimate, Usage};
use dich::lang::Lang;
use dich::pipeline::{Failure, NoProgress, Options, PlannedFiles, Project, Report};
use serde::Serialize;

use super::Exit;
use super::output::{
    ErrorObject, Format, FormatArgs, UsageError, WIDTH, fit, print_json, print_line, thousands,
    wrap,
};
use super::progress::Bar;
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
    #[command(flatten)]
    pub(crate) output: FormatArgs,
    /// Replace translations in conflict with their source (the old file is kept as
    /// `<name>.bak`).
    #[arg(long)]
    force: bool,
    /// Refuse to start when the estimated cost exceeds this (overrides `[budget] max_cost`).
    #[arg(long, value_parser = positive_cost)]
    max_cost: Option<f64>,
    /// Print where the run's time went on stderr: how busy each request slot was,
    /// when the first request went out, what the run loop spent its time on
    /// (docs/benchmarks.md).
    #[arg(long)]
    timings: bool,
}

/// `--max-cost`: a finite number above 0, as `[budget] max_cost` must be.
fn positive_cost(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value),
        _ => Err(format!("`{text}` is not a finite number above 0")),
    }
}

pub(crate) async fn execute(config_path: &Path, args: TranslateArgs) -> anyhow::Result<Exit> {
    let started = std::time::Instant::now();
    let project = super::load_project(config_path)?;
    let mut options = Options {
        targets: targets(&project, &args.lang)?,
        only: args.only.clone(),
        dry_run: true,
        force: args.force,
        handle_interrupt: true,
        read_ahead_bytes: None,
    };
    // Terms are enforced on every backend: DeepL's glossary API, the prompt of an
    // OpenAI-compatible model, placeholders elsewhere (docs/qa.md).
    let chain = backend::chain_from_config(project.config(), args.backend.as_deref())?
        .with_glossary(project.glossary());
    let max_cost = args.max_cost.or(project.config().budget.max_cost);
    if max_cost.is_some()
        && let Some(label) = backend::unpriced(&chain)
    {
        // Without a price the estimate is 0 and the budget would never bind.
        return Err(dich::config::ConfigError::Other {
            path: project.config().path.clone(),
            message: format!(
                "a budget is set (--max-cost or [budget] max_cost) but the backend `{label}` has no price; set `price_per_million` in its table, or remove the budget"
            ),
        }
        .into());
    }
    if args.dry_run || max_cost.is_some() {
        let mut plan = project.translate(&chain, &options, &NoProgress).await?;
        let estimate = backend::estimate(&chain, &chars_per_lang(&plan));
        if args.dry_run {
            let usage = match chain.primary() {
                Some(primary) => primary.usage().await,
                None => None,
            };
            return print_plan(&mut plan, &estimate, usage.as_ref(), args.output.format());
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
    // One connection for the recovery, the run and the manifest (each close of the
    // last one checkpoints and deletes the WAL).
    let mut memory = project.open_memory()?;
    // Before files are rewritten: approvals live on in the files when `.dich/` is gone.
    dich::review::recover(&project, &mut memory)?;
    let progress = Bar::new(args.output.is_machine());
    let translating = std::time::Instant::now();
    // This thread is the run loop (planning, committing, recording): the runtime's
    // workers, started before, hold the request slots and keep their policy, so an
    // answer is not kept waiting for the loop's CPU. Nothing after the run is urgent.
    // Threads started from here inherit the policy: the write thread and the parser
    // should; anything latency-bound (a `spawn_blocking` the slots would reuse) must be
    // started from a worker instead.
    dich::priority::mark_as_background();
    // Written after every real run, even one with failures: it says what is there
    // (kept as it is when the run proved it current). Most of it while the run waits
    // for its last answers.
    let mut manifest =
        dich::review::manifest::AfterRun::new(&project, &project.config().review.manifest);
    let (mut report, mut memory) = project
        .translate_with_memory((memory, Some(&mut manifest)), &chain, &options, &progress)
        .await?;
    let translated = std::time::Instant::now();
    let manifest = manifest.write(&report, &mut memory);
    // Closed here, the last connection checkpoints the WAL once: after the manifest's
    // pass, not between the run and the pass as well.
    drop(memory);
    if args.timings {
        let seconds = |from: std::time::Instant, to: std::time::Instant| (to - from).as_secs_f64();
        let manifest_step = match manifest {
            Ok(false) => "keeping the manifest (proved current)",
            _ => "writing the manifest",
        };
        eprintln!(
            "timings: {:.3} s in all: {:.3} s before translating (configuration, recovering approvals), {:.3} s translating, {:.3} s {manifest_step}",
            started.elapsed().as_secs_f64(),
            seconds(started, translating),
            seconds(translating, translated),
            translated.elapsed().as_secs_f64(),
        );
        for line in report.timings.lines() {
            eprintln!("{line}");
        }
    }
    match args.output.format() {
        Format::Json => print_json(&json_report(&mut report)?)?,
        Format::Human => print_summary(&report)?,
        Format::Github => {
            print_summary(&report)?;
            print_annotations(&report)?;
        }
    }
    manifest?;
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
    plan: &mut Report,
    estimate: &Estimate,
    usage: Option<&Usage>,
    format: Format,
) -> anyhow::Result<Exit> {
    if format == Format::Json {
        let mut summary = json_report(plan)?;
        summary
            .head
            .insert("estimate".to_owned(), serde_json::to_value(estimate)?);
        summary
            .head
            .insert("usage".to_owned(), serde_json::to_value(usage)?);
        print_json(&summary)?;
        return Ok(Exit::Ok);
    }
    print_summary(plan)?;
    if format == Format::Github {
        print_annotations(plan)?;
    }
    for line in file_lines(plan) {
        print_line(&line)?;
    }
    print_line("Cost estimate (primary backend):")?;
    // 2 + 14 + 20 + 11 + 18 + 9 columns and 5 spaces: 79, within WIDTH.
    let lang_width =
        column_width(estimate.lines.iter().map(|l| l.lang.as_str()), "language").min(20);
    let row = |backend: &str, lang: &str, units: &str, unit: &str, cost: &str| {
        fit(
            &format!("  {backend:<14} {lang:<lang_width$} {units:>11} {unit:<18} {cost:>9}"),
            WIDTH,
        )
    };
    print_line(&row("backend", "language", "units", "unit", "cost"))?;
    for line in &estimate.lines {
        let cost = line
            .cost
            .map_or_else(|| "no price".to_owned(), |c| format!("{c:.2}"));
        print_line(&row(
            &fit(&line.backend, 14),
            &fit(line.lang.as_str(), lang_width),
            &thousands(line.units as usize),
            line.unit.unit_name(),
            &cost,
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
        print_line(&fit(
            &format!(
                "  account: {} {} used this period, {left} left",
                thousands(usage.used as usize),
                usage.unit.unit_name()
            ),
            WIDTH,
        ))?;
    }
    Ok(Exit::Ok)
}

/// The files a dry run would write, one a line under column headers: why, then the
/// path (cut to [`WIDTH`]), then details where there are any.
fn file_lines(plan: &Report) -> Vec<String> {
    if plan.files.is_empty() {
        return vec!["Files to write: none".to_owned()];
    }
    let mut out = vec![
        format!("Files to write ({}):", thousands(plan.files.len())),
        format!("  {:<18} file", "why"),
    ];
    for file in plan.files.iter() {
        let detail = file
            .detail
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        out.push(fit(
            &format!("  {:<18} {}{detail}", file.reason.as_str(), file.path),
            WIDTH,
        ));
    }
    out
}

/// One `::error` workflow command per failure (`--format github`).
fn print_annotations(report: &Report) -> anyhow::Result<()> {
    for failure in &report.failures {
        let JsonFailure { mut object, lang } = failure_object(failure);
        if let Some(lang) = lang {
            object.message = format!("[{lang}] {}", object.message);
        }
        print_line(&object.annotation("error"))?;
    }
    Ok(())
}

/// The summary as `dich translate --json` prints it: the library's report with each
/// failure as the shared error object (schema: docs/schema/translate.schema.json).
/// Going through a `Value` gives a dry run and a real run the same key order.
fn json_report(report: &mut Report) -> anyhow::Result<JsonReport<'_>> {
    // The file list stays out of the `Value` (see [`JsonReport`]).
    let files = std::mem::take(&mut report.files);
    let value = serde_json::to_value(&*report);
    report.files = files;
    let serde_json::Value::Object(mut head) = value? else {
        anyhow::bail!("the summary is not a JSON object");
    };
    let failures: Vec<JsonFailure> = report.failures.iter().map(failure_object).collect();
    head.insert("failures".to_owned(), serde_json::to_value(failures)?);
    // A dry run fills these; a real run has them too, as null, so that both have the
    // same keys (issue 14).
    head.insert("estimate".to_owned(), serde_json::Value::Null);
    head.insert("usage".to_owned(), serde_json::Value::Null);
    Ok(JsonReport {
        head,
        files: &report.files,
    })
}

/// The JSON summary: every key but `files` as a `Value`, and the file list
/// serialised straight from the report in its place. A `Value` of 300,000 files (a
/// run over 100,000 articles into three languages) would take about 250 MB; this
/// takes none (issue 15, peak memory).
struct JsonReport<'a> {
    /// The summary without its file list (`files` is an empty array here).
    head: serde_json::Map<String, serde_json::Value>,
    files: &'a PlannedFiles,
}

impl Serialize for JsonReport<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.head.len()))?;
        for (key, value) in &self.head {
            if key == "files" {
                map.serialize_entry(key, self.files)?;
            } else {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// A failure in JSON: the shared error object plus the language it concerns.
#[derive(Serialize)]
struct JsonFailure {
    #[serde(flatten)]
    object: ErrorObject,
    lang: Option<String>,
}

fn failure_object(failure: &Failure) -> JsonFailure {
    JsonFailure {
        object: ErrorObject::about(
            Some(&failure.path),
            failure.code.as_deref(),
            &failure.reason,
        ),
        lang: failure.lang.clone(),
    }
}

/// Width of the first column: its header or longest entry, at most 24 columns so
/// that a table row stays within [`WIDTH`] (longer tags are cut with `…`).
fn column_width<'a>(entries: impl Iterator<Item = &'a str>, header: &str) -> usize {
    entries
        .map(|e| e.chars().count())
        .chain([header.len()])
        .max()
        .unwrap_or(0)
        .min(24)
}

fn print_summary(report: &Report) -> anyhow::Result<()> {
    for line in summary_lines(report) {
        print_line(&line)?;
    }
    Ok(())
}

/// The human summary, every line at most [`WIDTH`] columns. The table's rows add up
/// to its `total` row: failures of a whole file (before any language) get a row of
/// their own instead of vanishing from the per-language columns (issue 14).
fn summary_lines(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let title = if report.dry_run {
        "Plan (dry run: nothing sent, nothing written)"
    } else {
        "Translation summary"
    };
    out.push(fit(
        &format!("{title} — backend: {}", report.backend),
        WIDTH,
    ));
    if report.pseudo {
        out.push("  note: PSEUDO-TRANSLATION — marked test output, not a real translation".into());
    }
    let per_lang_failed: usize = report.languages.values().map(|l| l.failed).sum();
    let whole_file = report.failed.saturating_sub(per_lang_failed);
    const WHOLE: &str = "whole file";
    let extra = (whole_file > 0).then_some(WHOLE);
    let width = column_width(
        report.languages.keys().map(String::as_str).chain(extra),
        "language",
    );
    let row = |name: &str, cells: [String; 5]| {
        let [written, segments, characters, memory, failed] = cells;
        format!(
            "  {:<width$} {written:>8} {segments:>9} {characters:>11} {memory:>8} {failed:>7}",
            fit(name, width)
        )
    };
    let (sent, chars) = if report.dry_run {
        ("to send", "chars")
    } else {
        ("segments", "characters")
    };
    out.push(row(
        "language",
        ["written", sent, chars, "memory", "failed"].map(str::to_owned),
    ));
    for (lang, l) in &report.languages {
        out.push(row(
            lang,
            [
                thousands(l.files_written),
                thousands(l.segments_sent),
                thousands(l.characters_sent),
                thousands(l.segments_from_memory),
                thousands(l.failed),
            ],
        ));
    }
    if whole_file > 0 {
        let zero = || "0".to_owned();
        out.push(row(
            WHOLE,
            [zero(), zero(), zero(), zero(), thousands(whole_file)],
        ));
    }
    out.push(row(
        "total",
        [
            thousands(report.files_written),
            thousands(report.segments_sent),
            thousands(report.characters_sent),
            thousands(report.segments_from_memory),
            thousands(report.failed),
        ],
    ));
    let retries = match report.retries {
        0 => String::new(),
        1 => " (1 retry)".to_owned(),
        n => format!(" ({} retries)", thousands(n)),
    };
    out.push(fit(
        &format!(
            "  {} and {} in scope; {}{retries} in {:.1} s",
            counted(report.articles, "article"),
            counted(report.ui_files, "UI file"),
            counted(report.requests, "request"),
            report.elapsed_seconds
        ),
        WIDTH,
    ));
    if let Some(billed) = report.characters_billed {
        out.push(fit(
            &format!(
                "  billed by the service: {} (it reported them)",
                counted(billed, "character")
            ),
            WIDTH,
        ));
    }
    if report.segments_repaired > 0 {
        out.extend(wrap(
            &format!(
                "  {} lost their tags and were repaired (the text between the tags translated separately)",
                counted(report.segments_repaired, "segment")
            ),
            WIDTH,
            4,
        ));
    }
    for handover in &report.handovers {
        out.extend(wrap(
            &format!(
                "  handed over: `{}` was retired ({}); the next backend took its segments",
                handover.backend, handover.reason
            ),
            WIDTH,
            4,
        ));
    }
    if let Some(fatal) = &report.fatal {
        out.extend(wrap(&format!("  stopped: {fatal}"), WIDTH, 4));
    }
    if report.interrupted {
        out.push("  interrupted: finished work was kept; run again to resume".into());
    }
    if !report.failures.is_empty() {
        out.push("Failures:".into());
        for failure in &report.failures {
            let lang = failure
                .lang
                .as_deref()
                .map(|l| format!("[{l}] "))
                .unwrap_or_default();
            let object = failure_object(failure).object;
            out.extend(wrap(&format!("  {lang}{}", object.human()), WIDTH, 4));
        }
    }
    out
}

/// "1 article", "2,000 articles".
fn counted(n: usize, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", thousands(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_shows_retries_and_billed_characters_within_80_columns() {
        let report = Report {
            backend: "deepl".into(),
            articles: 604,
            ui_files: 12,
            requests: 1_234_567,
            retries: 89_012,
            characters_billed: Some(987_654_321),
            elapsed_seconds: 12_345.6,
            ..Report::default()
        };
        let lines = summary_lines(&report);
        let text = lines.join("\n");
        assert!(
            text.contains("1,234,567 requests (89,012 retries)"),
            "{text}"
        );
        assert!(
            text.contains("billed by the service: 987,654,321 characters"),
            "{text}"
        );
        for line in &lines {
            assert!(line.chars().count() <= WIDTH, "{line:?}");
        }
        let unknown = Report {
            characters_billed: None,
            retries: 1,
            ..report
        };
        let text = summary_lines(&unknown).join("\n");
        assert!(text.contains("(1 retry)"), "{text}");
        assert!(
            !text.contains("billed"),
            "unknown billing is not shown: {text}"
        );
    }
}
