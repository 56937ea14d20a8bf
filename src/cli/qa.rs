//! `dich qa`: every QA check on the existing translations (machine, human, imported),
//! reported like `dich check`, so CI can gate on it.

use std::path::Path;

use clap::Args;
use dich::pipeline::{QaIssue, QaReport, QaSummary};
use serde::Serialize;

use super::Exit;
use super::output::{ErrorObject, Format, FormatArgs, print_line};

#[derive(Debug, Args)]
pub(crate) struct QaArgs {
    #[command(flatten)]
    pub(crate) output: FormatArgs,
    /// Warnings fail the check too.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    scope: super::ScopeArgs,
}

pub(crate) fn execute(config_path: &Path, args: QaArgs) -> anyhow::Result<Exit> {
    let project = super::load_project(config_path)?;
    let options = args.scope.options(&project)?;
    let report = project.qa(&options)?;
    let text = match args.output.format() {
        Format::Human => human(&report),
        Format::Json => serde_json::to_string_pretty(&JsonReport::new(&report))?,
        Format::Github => report
            .issues
            .iter()
            .map(|i| finding(i).annotation(i.finding.severity.as_str()) + "\n")
            .chain(
                report
                    .errors
                    .iter()
                    .map(|e| ErrorObject::about(None, None, e).annotation("error") + "\n"),
            )
            .collect(),
    };
    let text = text.trim_end();
    if !text.is_empty() {
        print_line(text)?;
    }
    Ok(if report.failed(args.strict) {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

/// An issue as the shared error object: the translated file, line and column.
fn finding(issue: &QaIssue) -> ErrorObject {
    ErrorObject {
        path: Some(issue.path.clone()),
        line: Some(issue.line),
        column: issue.column,
        code: Some(issue.finding.code.to_string()),
        message: format!("[{}] {}", issue.lang, issue.finding.message),
    }
}

/// `path:line: severity[code]: message`, the source and the translation under it, then
/// the counts.
fn human(report: &QaReport) -> String {
    let mut out = String::new();
    for issue in &report.issues {
        let object = finding(issue);
        out.push_str(&format!(
            "{}: {}[{}]: {}\n  source:      {}\n  translation: {}\n",
            object.location().unwrap_or_default(),
            issue.finding.severity.as_str(),
            issue.finding.code,
            object.message,
            issue.source_text,
            issue.translation,
        ));
    }
    for error in &report.errors {
        out.push_str(&format!("error: {error}\n"));
    }
    let s = &report.summary;
    out.push_str(&format!(
        "{} error(s), {} warning(s) in {} translated file(s), {} sentence(s) or block(s) checked",
        s.errors, s.warnings, s.files, s.checked
    ));
    if s.pseudo_messages > 0 {
        out.push_str(&format!(
            "; {} pseudo-translated UI message(s) not judged",
            s.pseudo_messages
        ));
    }
    if s.pseudo_files > 0 {
        out.push_str(&format!(
            "; {} pseudo-translated file(s): only their hand-edited blocks judged",
            s.pseudo_files
        ));
    }
    out
}

/// `dich qa --format json` (schema: docs/schema/qa.schema.json).
#[derive(Serialize)]
struct JsonReport<'a> {
    issues: Vec<JsonIssue<'a>>,
    summary: &'a QaSummary,
    errors: Vec<ErrorObject>,
}

#[derive(Serialize)]
struct JsonIssue<'a> {
    #[serde(flatten)]
    finding: ErrorObject,
    severity: &'static str,
    lang: &'a str,
    source: &'a str,
    source_text: &'a str,
    translation: &'a str,
}

impl<'a> JsonReport<'a> {
    fn new(report: &'a QaReport) -> Self {
        JsonReport {
            issues: report
                .issues
                .iter()
                .map(|i| JsonIssue {
                    finding: finding(i),
                    severity: i.finding.severity.as_str(),
                    lang: &i.lang,
                    source: &i.source,
                    source_text: &i.source_text,
                    translation: &i.translation,
                })
                .collect(),
            summary: &report.summary,
            errors: report
                .errors
                .iter()
                .map(|e| ErrorObject::about(None, None, e))
                .collect(),
        }
    }
}
