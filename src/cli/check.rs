//! `dich check`: validate the config and the `.ftl` files, for people and for CI.

use std::path::Path;

use clap::Args;
use dich::config::Config;
use dich::fluent::{self, CheckReport, Diagnostic, report};
use serde::Serialize;

use super::Exit;
use super::output::{ErrorObject, Format, FormatArgs, print_line};

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) output: FormatArgs,
    /// Warnings fail the check too (also `[check] strict = true` in config.toml).
    #[arg(long)]
    strict: bool,
}

pub(crate) fn execute(config_path: &Path, args: CheckArgs) -> anyhow::Result<Exit> {
    // An invalid config is reported like every config error: exit code 2.
    let config = Config::from_file(config_path)?;
    dich::backend::check_config(&config)?;
    super::warn_about_languages(&config);
    let result = fluent::check(&config);
    let text = match args.output.format() {
        Format::Human => report::human(&result),
        Format::Json => serde_json::to_string_pretty(&JsonReport::new(&result))?,
        Format::Github => result
            .diagnostics
            .iter()
            .map(|d| finding(d).annotation(d.severity.as_str()) + "\n")
            .collect(),
    };
    let text = text.trim_end();
    if !text.is_empty() {
        print_line(text)?;
    }
    Ok(if result.failed(args.strict || config.check.strict) {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

/// A diagnostic as the shared error object; line 0 (a whole-file finding) is `null`.
fn finding(d: &Diagnostic) -> ErrorObject {
    let line = (d.line > 0).then_some(d.line);
    ErrorObject {
        path: Some(path_of(d)),
        line,
        column: line.map(|_| d.column),
        code: Some(d.code.as_str().to_owned()),
        message: d.message.clone(),
    }
}

/// The diagnostic's file as the library serialises it (`/`-separated everywhere);
/// `fluent::diagnostic::path_string` is crate-private, so the CLI reads it back from
/// the serialised form rather than keeping a second copy of that rule.
fn path_of(d: &Diagnostic) -> String {
    serde_json::to_value(d)
        .ok()
        .and_then(|v| v["file"].as_str().map(str::to_owned))
        .unwrap_or_else(|| d.file.display().to_string())
}

/// `dich check --format json` (schema: docs/schema/check.schema.json).
#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: &'a fluent::Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    #[serde(flatten)]
    finding: ErrorObject,
    severity: &'static str,
    id: Option<&'a str>,
    source_line: Option<&'a str>,
}

impl<'a> JsonReport<'a> {
    fn new(report: &'a CheckReport) -> Self {
        let diagnostics = report
            .diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                finding: finding(d),
                severity: d.severity.as_str(),
                id: d.id.as_deref(),
                source_line: d.source_line.as_deref(),
            })
            .collect();
        JsonReport {
            diagnostics,
            summary: &report.summary,
        }
    }
}
