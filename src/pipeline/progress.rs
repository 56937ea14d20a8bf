//! Progress reporting hooks: the CLI shows a bar on a terminal and log lines
//! otherwise; library callers and tests use [`NoProgress`].

use std::sync::Arc;

use crate::lang::Lang;

/// Reads how many requests are on their way to the backends right now.
pub type InFlight = Arc<dyn Fn() -> usize + Send + Sync>;

/// Receives progress events from a run. Every method has an empty default.
pub trait Progress: Sync {
    /// The run starts with `jobs` source × language pairs in scope.
    fn start(&self, _jobs: usize) {}
    /// Before the run starts: how to read the requests in flight, whenever the
    /// progress is drawn (a gauge to read, not an event per request, so a display
    /// redrawn a few times a second costs nothing per request).
    fn watch_requests(&self, _in_flight: InFlight) {}
    /// A file was finished: `outcome` is "written", "unchanged", "up to date" or "failed".
    fn file_done(&self, _path: &str, _lang: &Lang, _outcome: &str) {}
    /// A batch of `segments` was sent for `lang`.
    fn batch_sent(&self, _lang: &Lang, _segments: usize) {}
    /// The run ended.
    fn finish(&self) {}
}

/// Progress that shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}
