//! What proves a file unchanged since dich last read or wrote it (issue 15): its stat
//! data (size, modification time in nanoseconds, file id), its content hash, when
//! that stat was taken, and what was derived from the content — the way git's index
//! and ninja's log remember files. Planning compares these with a fresh `stat` and
//! skips reading and parsing what did not change.
//!
//! Safe to lose: without a record the file is read and parsed as before.

use rusqlite::{OptionalExtension as _, params};

use super::{Memory, MemoryError, sqlite};

/// What dich knows about one file the last time it read or wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    /// The file's id on its device (the inode on Unix; 0 where there is none).
    pub file_id: u64,
    /// When the stat data were taken, nanoseconds since the Unix epoch: a file whose
    /// modification time is this close to it may have changed unseen (racy).
    pub checked_ns: i64,
    /// sha256 of the file's bytes, hex.
    pub content_hash: String,
    /// Hash of everything else that influenced what was derived (config, rules,
    /// glossary, dich's version): a record with another stamp proves nothing.
    pub stamp: String,
    /// For a source, `Document::source_hash` of it; for a translation, the source
    /// hash its provenance names.
    pub source_hash: String,
    /// For a translation, `hash` of its decoded text (compared with what dich wrote to
    /// tell a human edit); empty for a source.
    pub text_hash: String,
    /// For a translation, its provenance's unit keys, space-separated; empty for a
    /// source.
    pub keys: String,
}

impl Memory {
    /// The record of the file at `path` (relative to the project root), if any.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn file_record(&self, path: &str) -> Result<Option<FileRecord>, MemoryError> {
        self.conn
            .prepare_cached(
                "SELECT size, mtime_ns, file_id, checked_ns, content_hash, stamp, source_hash,
                        text_hash, keys
                 FROM file_stats WHERE path = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([path], |row| {
                    Ok(FileRecord {
                        // Stored as SQLite's signed integers, bit for bit.
                        size: row.get::<_, i64>(0)? as u64,
                        mtime_ns: row.get(1)?,
                        file_id: row.get::<_, i64>(2)? as u64,
                        checked_ns: row.get(3)?,
                        content_hash: row.get(4)?,
                        stamp: row.get(5)?,
                        source_hash: row.get(6)?,
                        text_hash: row.get(7)?,
                        keys: row.get(8)?,
                    })
                })
                .optional()
            })
            .map_err(|e| sqlite(&self.path, e))
    }

    /// Stores (or replaces) the records of several files in one transaction.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; nothing is recorded then.
    pub fn record_file_stats(
        &mut self,
        records: &[(String, FileRecord)],
    ) -> Result<(), MemoryError> {
        if records.is_empty() {
            return Ok(());
        }
        let db = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite(&db, e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO file_stats (path, size, mtime_ns, file_id,
                        checked_ns, content_hash, stamp, source_hash, text_hash, keys)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(|e| sqlite(&db, e))?;
            for (path, r) in records {
                stmt.execute(params![
                    path,
                    r.size as i64,
                    r.mtime_ns,
                    r.file_id as i64,
                    r.checked_ns,
                    r.content_hash,
                    r.stamp,
                    r.source_hash,
                    r.text_hash,
                    r.keys
                ])
                .map_err(|e| sqlite(&db, e))?;
            }
        }
        tx.commit().map_err(|e| sqlite(&db, e))
    }

    /// The hash of what dich last wrote at `path`, without the content
    /// ([`Memory::written`] returns both).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn written_hash(&self, path: &str) -> Result<Option<String>, MemoryError> {
        self.conn
            .prepare_cached("SELECT hash FROM files WHERE path = ?1")
            .and_then(|mut stmt| stmt.query_row([path], |row| row.get(0)).optional())
            .map_err(|e| sqlite(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(size: u64) -> FileRecord {
        FileRecord {
            size,
            mtime_ns: 1_700_000_000_123_456_789,
            file_id: u64::MAX - 1,
            checked_ns: 1_700_000_005_000_000_000,
            content_hash: "c".into(),
            stamp: "s".into(),
            source_hash: "sha256:x".into(),
            text_hash: "t".into(),
            keys: "k1 k2".into(),
        }
    }

    #[test]
    fn records_round_trip_and_are_replaced() {
        let mut memory = Memory::in_memory().unwrap();
        assert_eq!(memory.file_record("a.md").unwrap(), None);
        memory
            .record_file_stats(&[("a.md".into(), record(10))])
            .unwrap();
        assert_eq!(memory.file_record("a.md").unwrap(), Some(record(10)));
        memory
            .record_file_stats(&[("a.md".into(), record(11))])
            .unwrap();
        assert_eq!(memory.file_record("a.md").unwrap(), Some(record(11)));
    }

    #[test]
    fn a_moved_file_keeps_its_record() {
        let mut memory = Memory::in_memory().unwrap();
        memory
            .record_file_stats(&[("a.en.md".into(), record(10))])
            .unwrap();
        memory.move_path("a.en.md", "a.en-US.md").unwrap();
        assert_eq!(memory.file_record("a.en.md").unwrap(), None);
        assert_eq!(memory.file_record("a.en-US.md").unwrap(), Some(record(10)));
    }
}
