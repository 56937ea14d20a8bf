//! What proves a file unchanged since dich last read or wrote it (issue 15): its stat
//! data (size, modification time in nanoseconds, file id), its content hash, when
//! that stat was taken, and what was derived from the content — the way git's index
//! and ninja's log remember files. Planning compares these with a fresh `stat` and
//! skips reading and parsing what did not change.
//!
//! Safe to lose: without a record the file is read and parsed as before.

use super::{Memory, MemoryError};

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
    /// What the review and the manifest derive from the content (its title, the
    /// backend its provenance names, …), as JSON the review module writes and reads;
    /// empty when not recorded (then they read the file).
    pub facts: String,
}

impl Memory {
    /// The record of the file at `path` (relative to the project root), if any.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn file_record(&self, path: &str) -> Result<Option<FileRecord>, MemoryError> {
        self.store.file_record(path)
    }

    /// Stores (or replaces) the records of several files in one transaction.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; nothing is recorded then.
    pub fn record_file_stats(
        &mut self,
        records: &[(String, FileRecord)],
    ) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.record_file_stats(records)
    }

    /// A number that changes whenever anything besides the stat records, the machine
    /// segments and the review flags changes in the memory: with the stat records, what proves
    /// the manifest still says what it would (issue 15). `None` for a shared memory,
    /// whose other checkouts change it unseen.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn revision(&self) -> Result<Option<i64>, MemoryError> {
        self.store.revision()
    }

    /// The hash of what dich last wrote at `path`, without the content
    /// ([`Memory::written`] returns both).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn written_hash(&self, path: &str) -> Result<Option<String>, MemoryError> {
        self.store.written_hash(path)
    }
}
