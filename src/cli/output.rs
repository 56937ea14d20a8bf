//! Printing: the output convention every reporting command shares (`--format
//! human|json|github`, `--json`), the JSON error object, GitHub workflow commands,
//! errors with their cause chain, and stdout writes that treat a closed pipe as
//! success (`dich segment | head`).

use std::io::Write as _;

use clap::{Args, ValueEnum};
use serde::Serialize;

use dich::backend::BackendError;
use dich::config::ConfigError;
use dich::pipeline::PipelineError;

use super::Exit;

/// Prints an error with its causes and picks the exit code: configuration and usage
/// problems are 2, everything else 1. With `--format json` stdout also gets
/// `{"error": {…}}` (docs/schema/error.schema.json), and with `github` an `::error`
/// annotation, so that a program reading stdout learns why there is no report.
pub(crate) fn report_error(error: &anyhow::Error, format: Option<Format>) -> Exit {
    if is_broken_pipe(error) {
        return Exit::Ok;
    }
    // A config with several mistakes gives one error per mistake (issue 14).
    let problems: Vec<String> = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<ConfigError>())
        .map(|e| e.problems().iter().map(ToString::to_string).collect())
        .filter(|p: &Vec<String>| p.len() > 1)
        .unwrap_or_else(|| vec![format!("{error:#}")]);
    for problem in &problems {
        eprintln!("error: {problem}");
    }
    let config = error.chain().any(|cause| {
        cause.is::<ConfigError>()
            || matches!(
                cause.downcast_ref::<BackendError>(),
                Some(BackendError::Config { .. })
            )
            || matches!(
                cause.downcast_ref::<PipelineError>(),
                Some(PipelineError::Config(_))
            )
    });
    let usage = error.chain().any(|cause| {
        cause.is::<UsageError>()
            || matches!(
                cause.downcast_ref::<PipelineError>(),
                Some(PipelineError::Only(_) | PipelineError::OnlyNotSource(_))
            )
    });
    let code = if config {
        Some("config")
    } else if usage {
        Some("usage")
    } else {
        None
    };
    let objects: Vec<ErrorObject> = problems
        .iter()
        .map(|p| ErrorObject::about(None, code, p))
        .collect();
    // Nothing more can be done when stdout is gone too.
    let _ = match format {
        // `error` is the first problem, as for a single one; `errors` lists them all.
        Some(Format::Json) => print_json(&serde_json::json!({
            "error": objects.first(),
            "errors": objects,
        })),
        Some(Format::Github) => objects
            .iter()
            .try_for_each(|o| print_line(&o.annotation("error")))
            .map_err(Into::into),
        Some(Format::Human) | None => Ok(()),
    };
    if config || usage {
        Exit::Usage
    } else {
        Exit::Failed
    }
}

/// A mistake in how dich was called (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub(crate) String);

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes one line to stdout.
///
/// # Errors
/// The I/O error (a closed pipe is recognised by [`report_error`]).
pub(crate) fn print_line(line: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()
}

/// Groups digits by thousands: 27000 → "27,000".
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How a reporting command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Text for people.
    Human,
    /// One JSON object on stdout (schemas in docs/schema/).
    Json,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
}

/// `--format` and its alias `--json`, flattened into every command that reports so
/// that the same flag gives JSON everywhere (issue 14).
#[derive(Debug, Clone, Args)]
pub(crate) struct FormatArgs {
    /// Output format: `human`, `json` (one object on stdout) or `github` (workflow
    /// command annotations, see docs/output.md).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
}

impl FormatArgs {
    /// The chosen format.
    pub(crate) fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }

    /// True when stdout is for programs: logging is then kept to warnings.
    pub(crate) fn is_machine(&self) -> bool {
        self.format() != Format::Human
    }
}

/// The one shape of an error or finding in every JSON output: where (`null` when
/// unknown) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ErrorObject {
    /// The file concerned, relative to the project root.
    pub(crate) path: Option<String>,
    /// 1-based line.
    pub(crate) line: Option<usize>,
    /// 1-based column, in characters.
    pub(crate) column: Option<usize>,
    /// A stable kebab-case code, where the error has one.
    pub(crate) code: Option<String>,
    /// What is wrong, without the location.
    pub(crate) message: String,
}

impl ErrorObject {
    /// An error about `path` whose text may begin with its location (`path:3:1: …`,
    /// the convention of the library's errors): the location goes into the fields and
    /// is taken off the message, so it is never printed twice.
    pub(crate) fn about(path: Option<&str>, code: Option<&str>, text: &str) -> Self {
        let located = split_location(text).filter(|(p, ..)| path.is_none_or(|path| path == *p));
        let (found, line, column, message) = match located {
            Some((p, line, column, message)) => (Some(p), Some(line), column, message),
            None => (None, None, None, text),
        };
        ErrorObject {
            path: path.or(found).map(str::to_owned),
            line,
            column,
            code: code.map(str::to_owned),
            message: message.to_owned(),
        }
    }

    /// `path:line:col` (as far as known), for human output.
    pub(crate) fn location(&self) -> Option<String> {
        let path = self.path.as_deref()?;
        Some(match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{path}:{line}:{column}"),
            (Some(line), None) => format!("{path}:{line}"),
            _ => path.to_owned(),
        })
    }

    /// `location: message`, or the message alone.
    pub(crate) fn human(&self) -> String {
        match self.location() {
            Some(location) => format!("{location}: {}", self.message),
            None => self.message.clone(),
        }
    }

    /// A GitHub workflow command (`::error file=…,line=…,col=…,title=…::message`);
    /// `level` is `error`, `warning` or `notice`.
    pub(crate) fn annotation(&self, level: &str) -> String {
        let mut props = Vec::new();
        if let Some(path) = &self.path {
            props.push(format!("file={}", escape_property(path)));
            if let Some(line) = self.line {
                props.push(format!("line={line}"));
                if let Some(column) = self.column {
                    props.push(format!("col={column}"));
                }
            }
        }
        if let Some(code) = &self.code {
            props.push(format!("title={}", escape_property(code)));
        }
        let props = if props.is_empty() {
            String::new()
        } else {
            format!(" {}", props.join(","))
        };
        format!("::{level}{props}::{}", escape_data(&self.message))
    }
}

/// `path:line[:col]: message` → its parts, when `text` starts that way.
fn split_location(text: &str) -> Option<(&str, usize, Option<usize>, &str)> {
    let mut parts = text.splitn(4, ':');
    let path = parts.next().filter(|p| !p.is_empty() && !p.contains(' '))?;
    let line = parts.next()?.parse().ok()?;
    let third = parts.next()?;
    match third.parse::<usize>() {
        Ok(column) => Some((path, line, Some(column), parts.next()?.trim_start())),
        Err(_) => {
            let rest = &text[path.len() + 1 + line.to_string().len() + 1..];
            Some((path, line, None, rest.trim_start()))
        }
    }
}

/// Escapes a workflow command's message: `%`, `\r`, `\n`.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property: as data, plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Prints `value` as one line of JSON on stdout.
///
/// # Errors
/// Serialisation or I/O errors.
pub(crate) fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    // Streamed, not built as one string first: the summary of a run over 100,000
    // articles lists 300,000 files (issue 15, peak memory).
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer(&mut stdout, value)?;
    writeln!(stdout)?;
    stdout.flush()?;
    Ok(())
}

/// The width human output fits in: a common terminal, and what CI logs show
/// without scrolling (issue 14).
pub(crate) const WIDTH: usize = 80;

/// Cuts `text` to `width` characters, ending with `…` when something was cut.
pub(crate) fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Breaks `text` into lines of at most `width` characters at spaces, each line after
/// the first indented by `indent` spaces; a word longer than a line is cut with [`fit`].
pub(crate) fn wrap(text: &str, width: usize, indent: usize) -> Vec<String> {
    let body = text.trim_start_matches(' ');
    let mut lines = Vec::new();
    // The first line keeps the text's own leading spaces.
    let mut line = text[..text.len() - body.len()].to_owned();
    for word in body.split(' ') {
        let prefix = if lines.is_empty() { 0 } else { indent };
        let used = prefix + line.chars().count();
        if !line.trim_start().is_empty() && used + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.trim_start().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    let pad = " ".repeat(indent);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                fit(&l, width)
            } else {
                fit(&format!("{pad}{l}"), width)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_in_the_text_moves_into_the_fields() {
        let e = ErrorObject::about(
            Some("content/loi/x.md"),
            None,
            "content/loi/x.md:1:3: malformed TOML front matter",
        );
        assert_eq!(e.line, Some(1));
        assert_eq!(e.column, Some(3));
        assert_eq!(e.message, "malformed TOML front matter");
        assert_eq!(
            e.human(),
            "content/loi/x.md:1:3: malformed TOML front matter"
        );
        let plain = ErrorObject::about(Some("a.md"), None, "the backend said: no");
        assert_eq!(
            (plain.line, plain.message.as_str()),
            (None, "the backend said: no")
        );
        assert_eq!(plain.human(), "a.md: the backend said: no");
        // A location of another file is not taken for this one's.
        let other = ErrorObject::about(Some("a.md"), None, "b.md:2:1: x");
        assert_eq!(other.line, None);
        let found = ErrorObject::about(None, None, "b.md:7: x: y");
        assert_eq!((found.path.as_deref(), found.line), (Some("b.md"), Some(7)));
        assert_eq!(found.message, "x: y");
    }

    #[test]
    fn annotations_follow_the_workflow_command_syntax() {
        let e = ErrorObject {
            path: Some("locales/en/x,y.ftl".into()),
            line: Some(2),
            column: Some(8),
            code: Some("unknown-variable".into()),
            message: "100%\nsure".into(),
        };
        assert_eq!(
            e.annotation("error"),
            "::error file=locales/en/x%2Cy.ftl,line=2,col=8,title=unknown-variable::100%25%0Asure"
        );
        let bare = ErrorObject::about(None, None, "no file here");
        assert_eq!(bare.annotation("warning"), "::warning::no file here");
    }

    #[test]
    fn wrapping_keeps_every_line_within_the_width() {
        let text = "word ".repeat(40) + &"x".repeat(100);
        for line in wrap(&text, 30, 4) {
            assert!(line.chars().count() <= 30, "{line:?}");
        }
        assert_eq!(wrap("short", 30, 4), ["short"]);
        let indented = wrap("  a failure with a long reason to wrap", 20, 4);
        assert_eq!(
            indented,
            ["  a failure with a", "    long reason to", "    wrap"]
        );
    }
}
