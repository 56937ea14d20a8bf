//! The WAL checkpoint of an SQLite memory, on a thread and connection of its own.
//!
//! A checkpoint copies the pages a WAL holds back into the database file, with an
//! fsync. SQLite runs it inside the commit that crosses `wal_autocheckpoint`, on the
//! connection that commits: during `dich translate` that is the run loop, and every
//! request slot whose result waits for that commit waits for the checkpoint too
//! (issue 15: with no checkpoint during a run, the slots were busy 93–95 % of the
//! time instead of 85–88 %). Here a passive checkpoint runs every
//! [`CHECKPOINT_EVERY`] beside the writer, which it never blocks; the writer's own
//! automatic checkpoint stays as a bound on the WAL and finds little left to copy.
//!
//! Invariant: a checkpoint only copies committed pages, so it changes nothing a crash
//! could lose; the thread is stopped and joined when the store is dropped, before the
//! store's own connection closes (and, as the last one, checkpoints what is left).

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

/// How often the WAL is checkpointed while the memory is open.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// A thread checkpointing the WAL of one database file.
#[derive(Debug)]
pub(super) struct Checkpointer {
    /// Dropped to stop the thread.
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` (in WAL mode already). `None` when
    /// its connection or thread cannot start: the writer's automatic checkpoint then
    /// does all the work, as it always could.
    pub(super) fn start(path: &Path) -> Option<Checkpointer> {
        let conn = Connection::open(path).ok()?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("dich-checkpoint".to_owned())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
                    // Passive: copies what no reader still needs and never waits for a
                    // lock; what it cannot do now, the next one (or the writer) does.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .ok()?;
        Some(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // A checkpoint in progress finishes first; a panic there changes nothing.
            let _ = thread.join();
        }
    }
}
