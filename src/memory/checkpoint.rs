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
    /// A message checkpoints at once ([`Checkpointer::soon`]); dropped, it stops the
    /// thread.
    wake: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` (in WAL mode already). `None` when
    /// its connection or thread cannot start: the writer's automatic checkpoint then
    /// does all the work, as it always could.
    pub(super) fn start(path: &Path) -> Option<Checkpointer> {
        Checkpointer::every(path, CHECKPOINT_EVERY)
    }

    /// [`Checkpointer::start`], checkpointing every `period`.
    fn every(path: &Path, period: Duration) -> Option<Checkpointer> {
        let conn = Connection::open(path).ok()?;
        let (wake, woken) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("dich-checkpoint".to_owned())
            .spawn(move || {
                crate::priority::mark_as_background();
                while let Ok(()) | Err(RecvTimeoutError::Timeout) = woken.recv_timeout(period) {
                    // Passive: copies what no reader still needs and never waits for a
                    // lock; what it cannot do now, the next one (or the writer) does.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .ok()?;
        Some(Checkpointer {
            wake: Some(wake),
            thread: Some(thread),
        })
    }

    /// Checkpoints now rather than at the next period: the writes are over, and the
    /// copy runs beside what reads the memory next instead of inside its close.
    pub(super) fn soon(&self) {
        if let Some(wake) = &self.wake {
            // A thread already gone has nothing left to do.
            let _ = wake.send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.wake.take());
        if let Some(thread) = self.thread.take() {
            // A checkpoint in progress finishes first; a panic there changes nothing.
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows the database file itself holds, ignoring its WAL.
    fn rows_in_main_file(path: &Path) -> i64 {
        let uri = format!("file:{}?immutable=1", path.display());
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        Connection::open_with_flags(uri, flags)
            .and_then(|c| c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)))
            .unwrap_or(0)
    }

    #[test]
    fn soon_checkpoints_without_waiting_for_the_period() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memory.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        // No automatic checkpoint: only the thread copies the WAL back.
        conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        // Once a day: a checkpoint seen below comes from `soon`.
        let checkpointer = Checkpointer::every(&path, Duration::from_secs(86_400)).unwrap();
        conn.execute_batch("INSERT INTO t VALUES (1), (2), (3)")
            .unwrap();
        assert_eq!(rows_in_main_file(&path), 0, "the rows are in the WAL only");
        checkpointer.soon();
        // A bound, not a window: the checkpoint is a few milliseconds away.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while rows_in_main_file(&path) != 3 {
            assert!(
                std::time::Instant::now() < deadline,
                "no checkpoint after `soon`"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // Dropped, the thread stops (and the test does not hang on it).
        drop(checkpointer);
    }
}
