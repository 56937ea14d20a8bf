//! The storage behind [`Memory`](super::Memory): one trait, two databases (the
//! embedded SQLite file, the shared PostgreSQL server). The facade does everything
//! that is not SQL (hashing, timestamps, validation), so the two stores differ only in
//! their statements.

use std::fmt::Debug;

use super::notes::NoteTable;
use super::{
    Approval, Entry, FileRecord, HumanUnit, MemoryError, Proposal, StoredSegment, WrittenFile,
};
use crate::lang::Lang;

/// How lookups rank origins, shared by both stores so the order is written once:
/// a person's text, then a translator's import, then a machine's.
pub(super) const ORIGIN_RANK: &str =
    "CASE origin WHEN 'human' THEN 0 WHEN 'import' THEN 1 ELSE 2 END";

/// One segment translation to store, already hashed.
#[derive(Debug, Clone)]
pub(super) struct SegmentRow {
    /// Key: sha256 of the source.
    pub(super) hash: String,
    /// The normalised, tagged source segment.
    pub(super) source: String,
    /// Its translation.
    pub(super) translation: String,
    /// `machine`, `import` or `human`.
    pub(super) origin: &'static str,
    /// The backend label.
    pub(super) backend: String,
}

/// The tables a memory holds and their columns, in the order [`Dump`] rows use: the
/// list `dich memory migrate` copies. Columns a store adds for sharing (the
/// repository, the checkout) are not listed: the receiving store fills its own.
pub(super) const TABLES: &[(&str, &[&str])] = &[
    (
        "segments",
        &[
            "source_lang",
            "target_lang",
            "source_hash",
            "source_text",
            "translation",
            "origin",
            "backend",
            "created_at",
        ],
    ),
    (
        "units",
        &[
            "source_lang",
            "target_lang",
            "source_hash",
            "source_text",
            "translation",
            "origin",
            "needs_review",
            "created_at",
        ],
    ),
    (
        "unit_history",
        &[
            "source_lang",
            "target_lang",
            "source_hash",
            "source_text",
            "translation",
            "origin",
            "replaced_at",
        ],
    ),
    (
        "files",
        &["path", "hash", "content", "source_hash", "written_at"],
    ),
    ("reviews", &["path", "unit_key", "since"]),
    ("failures", &["path", "reason", "failed_at"]),
    (
        "approvals",
        &[
            "path",
            "verdict",
            "by",
            "at",
            "source_hash",
            "translation_hash",
            "reason",
        ],
    ),
    ("qa_warnings", &["path", "reason", "recorded_at"]),
    (
        "proposals",
        &[
            "path",
            "unit_key",
            "old_source",
            "new_source",
            "person",
            "proposal",
            "in_file",
            "created_at",
        ],
    ),
    ("review_meta", &["name", "value"]),
    ("written_sources", &["path", "source", "text_hash"]),
    ("source_texts", &["hash", "text"]),
    // Not `file_stats`: a cache, rebuilt by the next run in the new memory.
];

/// Rows of one table, every value as text (columns as in [`TABLES`]).
pub(super) type Rows = Vec<Vec<String>>;

/// What a store does. Reads take `&self`, writes `&mut self`; every write that
/// stores several rows is one transaction.
pub(super) trait Store: Send + Debug {
    /// The best visible translation of the segment `hash` (see [`ORIGIN_RANK`]).
    fn segment(&self, source: &str, target: &str, hash: &str)
    -> Result<Option<Entry>, MemoryError>;
    /// [`Store::segment`] of each of `hashes`, in their order. A store whose every
    /// call is a round trip to a server reads them in one.
    fn segments(
        &self,
        source: &str,
        target: &str,
        hashes: &[String],
    ) -> Result<Vec<Option<Entry>>, MemoryError> {
        hashes
            .iter()
            .map(|hash| self.segment(source, target, hash))
            .collect()
    }
    /// Stores segment translations in one transaction (and releases their claims).
    fn store_segments(
        &mut self,
        source: &str,
        target: &str,
        rows: &[SegmentRow],
        now: &str,
    ) -> Result<(), MemoryError>;
    /// Every stored segment translation, in insertion order.
    fn entries(&self, source: &str, target: &str) -> Result<Vec<StoredSegment>, MemoryError>;
    /// The target languages with entries from `source`.
    fn target_languages(&self, source: &str) -> Result<Vec<String>, MemoryError>;
    /// Number of stored segment translations.
    fn segment_count(&self) -> Result<u64, MemoryError>;
    /// Whether any human unit is stored for the pair.
    fn has_human_units(&self, source: &str, target: &str) -> Result<bool, MemoryError>;
    /// The human translation of a unit.
    fn human_unit(
        &self,
        source: &str,
        target: &str,
        key: &str,
    ) -> Result<Option<String>, MemoryError>;
    /// Stores a human unit, moving a different earlier one to the history.
    fn store_human_unit(&mut self, unit: [&str; 5], now: &str) -> Result<(), MemoryError>;
    /// Earlier human translations of a unit, oldest first.
    fn unit_history(
        &self,
        source: &str,
        target: &str,
        key: &str,
    ) -> Result<Vec<String>, MemoryError>;
    /// What dich last wrote at `path`.
    fn written(&self, path: &str) -> Result<Option<WrittenFile>, MemoryError>;
    /// Records a write: the file, no failure, the units to review.
    fn record_file(
        &mut self,
        file: [&str; 4],
        reviews: &[String],
        now: &str,
    ) -> Result<(), MemoryError>;
    /// The unit keys of `path` to review.
    fn reviews(&self, path: &str) -> Result<Vec<String>, MemoryError>;
    /// Records the last failure of `path`.
    fn record_failure(&mut self, path: &str, reason: &str, now: &str) -> Result<(), MemoryError>;
    /// The last failure of `path`.
    fn failure(&self, path: &str) -> Result<Option<String>, MemoryError>;
    /// Moves what is kept under `from` to `to`.
    fn move_path(&mut self, from: &str, to: &str) -> Result<(), MemoryError>;
    /// Replaces the QA warnings of `path`.
    fn record_qa_warnings(
        &mut self,
        path: &str,
        reasons: &[String],
        now: &str,
    ) -> Result<(), MemoryError>;
    /// The QA warnings of `path`, in order.
    fn qa_warnings(&self, path: &str) -> Result<Vec<String>, MemoryError>;
    /// Stores a verdict, replacing an earlier one.
    fn record_approval(&mut self, approval: &Approval) -> Result<(), MemoryError>;
    /// The verdict on `path`.
    fn approval(&self, path: &str) -> Result<Option<Approval>, MemoryError>;
    /// How many verdicts are stored.
    fn approval_count(&self) -> Result<u64, MemoryError>;
    /// Whether the note table holds any row (of this project's files).
    fn has_notes(&self, table: NoteTable) -> Result<bool, MemoryError>;
    /// Clears the reviews of `path` and, when the record is `written_hash`, replaces
    /// it with `content` (whose hash is `content_hash`).
    fn settle_file(
        &mut self,
        path: &str,
        written_hash: &str,
        content_hash: &str,
        content: &str,
    ) -> Result<(), MemoryError>;

    // Issue 15: the stat cache of files read and written (per checkout).
    /// The stat record of `path`.
    fn file_record(&self, path: &str) -> Result<Option<FileRecord>, MemoryError>;
    /// Stores (or replaces) stat records in one transaction.
    fn record_file_stats(&mut self, records: &[(String, FileRecord)]) -> Result<(), MemoryError>;
    /// The hash of what dich last wrote at `path`.
    fn written_hash(&self, path: &str) -> Result<Option<String>, MemoryError>;

    // Issue 12: machine proposals beside a person's block, review bookkeeping.
    /// Stores proposals, replacing earlier ones of the same file and block.
    fn record_proposals(&mut self, proposals: &[Proposal]) -> Result<(), MemoryError>;
    /// The pending proposals of `path`, in the order recorded.
    fn proposals(&self, path: &str) -> Result<Vec<Proposal>, MemoryError>;
    /// Forgets the proposals of `path` (or of one block).
    fn settle_proposals(&mut self, path: &str, unit_key: Option<&str>) -> Result<(), MemoryError>;
    /// Every human unit of the pair with its earlier versions.
    fn human_history(&self, source: &Lang, target: &Lang) -> Result<Vec<HumanUnit>, MemoryError>;
    /// A number that changes whenever anything the manifest is made from changes in
    /// the memory (every table but the machine segments, the stat records and the
    /// review flags); `None`
    /// when the store keeps none (then the manifest is always rebuilt).
    fn revision(&self) -> Result<Option<i64>, MemoryError>;
    /// Whether the review flag `name` is set.
    fn has_meta(&self, name: &str) -> Result<bool, MemoryError>;
    /// Sets the review flag `name`.
    fn set_meta(&mut self, name: &str, value: &str) -> Result<(), MemoryError>;
    /// Records the source text `path` was written from; `hash` is the text's
    /// [`hash`](super::hash), under which the text is stored once for every file.
    fn record_written_source(
        &mut self,
        path: &str,
        source: &str,
        hash: &str,
    ) -> Result<(), MemoryError>;
    /// The source text `path` was last written from.
    fn written_source(&self, path: &str) -> Result<Option<String>, MemoryError>;
    /// The source text a human unit was stored with.
    fn human_unit_source(
        &self,
        source: &Lang,
        target: &Lang,
        key: &str,
    ) -> Result<Option<String>, MemoryError>;
    /// Moves a human unit to the history.
    fn retire_human_unit(
        &mut self,
        source: &Lang,
        target: &Lang,
        key: &str,
        now: &str,
    ) -> Result<(), MemoryError>;

    /// Starts a group of writes that [`Store::commit_group`] commits together; does
    /// nothing when one is open. Every write method is atomic on its own inside a group.
    fn begin_group(&mut self) -> Result<(), MemoryError>;
    /// Commits the open group, if any.
    fn commit_group(&mut self) -> Result<(), MemoryError>;

    /// Claims the segments `hashes` for this process; returns those it now holds.
    /// A store that only one process uses at a time (the file lock guards SQLite)
    /// grants every claim.
    fn claim(
        &mut self,
        _source: &str,
        _target: &str,
        hashes: &[String],
    ) -> Result<Vec<String>, MemoryError> {
        Ok(hashes.to_vec())
    }
    /// Extends this process's claims (it is alive and still working).
    fn renew_claims(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }
    /// How often this process's claims must be renewed (`None`: they never expire).
    fn renew_every(&self) -> Option<std::time::Duration> {
        None
    }
    /// Whether other processes write to this store while this one runs.
    fn is_shared(&self) -> bool {
        false
    }
    /// Opens a read transaction, so the statements until [`Store::end_read`] lock the
    /// database once instead of once each (issue 15). Nothing by default: only SQLite
    /// takes a file lock per statement.
    fn begin_read(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }
    /// Ends the read transaction [`Store::begin_read`] opened, if one is open.
    fn end_read(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }
    /// The writes of a run are over: what a store copies in the background (SQLite's
    /// WAL checkpoint) starts now. Nothing by default.
    fn writes_done(&self) {}

    /// Every row of `table` (one of [`TABLES`]) this store would hand to another.
    fn dump(&self, table: &str) -> Result<Rows, MemoryError>;
    /// Adds `rows` of `table`, skipping rows already there; returns how many were new.
    fn load(&mut self, table: &str, rows: &[Vec<String>]) -> Result<u64, MemoryError>;
}

/// The columns of `table`, from [`TABLES`].
pub(super) fn columns(table: &str) -> &'static [&'static str] {
    TABLES
        .iter()
        .find(|(name, _)| *name == table)
        .map_or(&[], |(_, columns)| columns)
}
