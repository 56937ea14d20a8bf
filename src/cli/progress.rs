//! The progress of `dich translate`: an indicatif bar on a terminal (elapsed time,
//! files done of all, rate, ETA, segments sent, requests in flight, the last file),
//! log lines otherwise.
//!
//! The bar never wraps (issue 14): the message is a `wide_msg`, which indicatif cuts to
//! what is left of the line, and on a terminal narrower than the full template the
//! bar drops to a short one.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use dich::lang::Lang;
use dich::pipeline::{InFlight, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use super::output::thousands;

/// Everything but the message, at its widest for a run of 9,999 files, fits in
/// this many columns (see the test); below it the short template is used.
const FULL_WIDTH: u16 = 72;

const FULL: &str = "{elapsed_precise} {bar:8} {pos}/{len} files {per_sec:1} ETA {eta} {segments} {requests} {wide_msg}";
const SHORT: &str = "{pos}/{len} {wide_msg}";

/// A progress bar on a terminal; log lines otherwise.
pub(crate) struct Bar {
    bar: Option<ProgressBar>,
    segments: Arc<AtomicUsize>,
    /// Requests on their way, read at each redraw (set when the run starts).
    in_flight: Arc<OnceLock<InFlight>>,
}

impl Bar {
    /// A bar on stderr when it is a terminal and stdout is for people.
    pub(crate) fn new(machine_output: bool) -> Self {
        let visible = !machine_output && std::io::stderr().is_terminal();
        Bar::with_target(visible.then(ProgressDrawTarget::stderr))
    }

    /// A bar drawn on `target`, or log lines when there is none.
    pub(crate) fn with_target(target: Option<ProgressDrawTarget>) -> Self {
        Bar {
            bar: target.map(|target| ProgressBar::with_draw_target(None, target)),
            segments: Arc::new(AtomicUsize::new(0)),
            in_flight: Arc::default(),
        }
    }

    fn style(&self, width: u16) -> ProgressStyle {
        let template = if width >= FULL_WIDTH + 8 { FULL } else { SHORT };
        let segments = Arc::clone(&self.segments);
        let in_flight = Arc::clone(&self.in_flight);
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "segments",
                move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let n = segments.load(Ordering::Relaxed);
                    let _ = write!(w, "{} seg", thousands(n));
                },
            )
            .with_key(
                "requests",
                move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let n = in_flight.get().map_or(0, |read| read());
                    let _ = write!(w, "{n} req");
                },
            )
            .progress_chars("=> ")
    }
}

impl Progress for Bar {
    fn watch_requests(&self, in_flight: InFlight) {
        // One run per bar: a second gauge would be the same chain's.
        let _ = self.in_flight.set(in_flight);
    }

    fn start(&self, jobs: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(jobs as u64);
            bar.set_style(self.style(terminal_width()));
        }
    }

    fn file_done(&self, path: &str, lang: &Lang, outcome: &str) {
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(format!("{path} [{lang}] {outcome}"));
            }
            // Per-file lines for what did not change would drown the ones that
            // matter (1,818 lines for a no-op run of 604 articles, issue 14).
            None if matches!(outcome, "up to date" | "unchanged") => {
                tracing::debug!("{path} [{lang}]: {outcome}");
            }
            None => tracing::info!("{path} [{lang}]: {outcome}"),
        }
    }

    fn batch_sent(&self, lang: &Lang, segments: usize) {
        self.segments.fetch_add(segments, Ordering::Relaxed);
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

/// The width of stderr's terminal (80 when it cannot be known).
fn terminal_width() -> u16 {
    console::Term::stderr()
        .size_checked()
        .map_or(80, |(_, columns)| columns)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use indicatif::TermLike;

    use super::*;

    /// A terminal `columns` wide that records every line drawn on it.
    #[derive(Debug, Clone)]
    struct Screen {
        columns: u16,
        lines: Arc<Mutex<Vec<String>>>,
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            self.columns
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            if let Ok(mut lines) = self.lines.lock() {
                lines.extend(s.lines().map(str::to_owned));
            }
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn draw(columns: u16) -> Vec<String> {
        let screen = Screen {
            columns,
            lines: Arc::default(),
        };
        let bar = Bar::with_target(Some(ProgressDrawTarget::term_like(Box::new(
            screen.clone(),
        ))));
        let inner = bar.bar.clone().expect("a bar");
        inner.set_length(9_999);
        inner.set_style(bar.style(columns));
        bar.watch_requests(Arc::new(|| 16));
        bar.batch_sent(&Lang::parse("zh-Hans").expect("tag"), 123_456);
        inner.set_position(9_998);
        let long = format!("content/{}.zh-Hans.md", "bai-viet-rat-dai-".repeat(8));
        bar.file_done(&long, &Lang::parse("zh-Hans").expect("tag"), "written");
        inner.force_draw();
        let lines = screen.lines.lock().expect("lines").clone();
        assert!(!lines.is_empty(), "nothing drawn");
        lines
    }

    #[test]
    fn the_bar_shows_progress_and_never_outgrows_the_terminal() {
        let lines = draw(80);
        let last = lines.last().expect("a line");
        for part in ["9999/9999 files", "ETA", "123,456 seg", "16 req"] {
            assert!(last.contains(part), "{part:?} missing: {last:?}");
        }
        // The rate depends on the test's timing; with room to spare the file shows.
        let wide = draw(200);
        let last = wide.last().expect("a line");
        assert!(last.contains("content/bai-viet"), "{last:?}");
        for columns in [80, 60, 40, 200] {
            for line in draw(columns) {
                let width = console::measure_text_width(&line);
                assert!(width <= columns as usize, "{width} > {columns}: {line:?}");
            }
        }
    }
}
