//! Printing: errors with their cause chain, tables, and stdout writes that treat a
//! closed pipe as success (`dich segment | head`).

use std::io::Write as _;

use dich::backend::BackendError;
use dich::config::ConfigError;
use dich::pipeline::PipelineError;

use super::Exit;

/// Prints an error with its causes and picks the exit code: configuration and usage
/// problems are 2, everything else 1.
pub(crate) fn report_error(error: &anyhow::Error) -> Exit {
    if is_broken_pipe(error) {
        return Exit::Ok;
    }
    eprintln!("error: {error:#}");
    let usage = error.chain().any(|cause| {
        cause.is::<ConfigError>()
            || matches!(
                cause.downcast_ref::<BackendError>(),
                Some(BackendError::Config { .. })
            )
            || cause.is::<UsageError>()
            || matches!(
                cause.downcast_ref::<PipelineError>(),
                Some(PipelineError::Config(_) | PipelineError::Only(_))
            )
    });
    if usage { Exit::Usage } else { Exit::Failed }
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
