//! Machine proposals kept beside a person's block (issue 12, invariant 8): when the
//! source under a human-edited block changes, the person's text stays in the file and
//! the machine's translation of the new source waits here until a reviewer accepts it
//! (`dich review accept-proposal`) or settles the file (`dich review approve`).

use super::{Memory, MemoryError, now};
use crate::lang::Lang;

/// Schema migration 6: the proposals. (Migration 5 is another change's.)
pub(super) const MIGRATION: &str = "CREATE TABLE proposals (
        path TEXT NOT NULL, unit_key TEXT NOT NULL, old_source TEXT NOT NULL,
        new_source TEXT NOT NULL, person TEXT NOT NULL, proposal TEXT NOT NULL,
        in_file INTEGER NOT NULL, created_at TEXT NOT NULL,
        PRIMARY KEY (path, unit_key));
     CREATE TABLE review_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE written_sources (path TEXT PRIMARY KEY, source TEXT NOT NULL);";

/// Schema migration 8 (SQLite): the text of each written source once, by its hash
/// (`source_texts`); `written_sources` names the text of each translated file's source.
pub(super) const SOURCE_TEXTS: &str =
    "CREATE TABLE source_texts (hash TEXT PRIMARY KEY, text TEXT NOT NULL);
     ALTER TABLE written_sources ADD COLUMN text_hash TEXT NOT NULL DEFAULT '';
     CREATE INDEX written_sources_text ON written_sources (text_hash);";

/// The `review_meta` row set once the verdicts mirrored in the files were recovered.
const RECOVERED: &str = "verdicts_recovered";

/// A person's translation of a whole block (a human unit), current or earlier: the
/// human history that TMX export carries and import restores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanUnit {
    /// The block's unit key.
    pub key: String,
    /// The block's source, Markdown (empty when it was not known).
    pub source_text: String,
    /// The person's block, Markdown.
    pub translation: String,
    /// True for the text in use, false for an earlier version it replaced.
    pub current: bool,
    /// When it was stored (current) or replaced (earlier), RFC 3339.
    pub at: String,
}

/// A person's block whose source changed, with the machine's proposal for the new
/// source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Proposal {
    /// The translated file, relative to the project root.
    pub path: String,
    /// The key of the block's new source (as in the file's provenance).
    pub unit_key: String,
    /// The block's source when the person wrote their text (empty when unknown).
    pub old_source: String,
    /// The block's source now.
    pub new_source: String,
    /// The person's text, as it was before the source changed.
    pub person: String,
    /// The machine's proposal: the block as dich would write it for the new source.
    pub proposal: String,
    /// True when the proposal is already in the file: the sentences lined up, so only
    /// the changed sentence was translated again and the person's others kept.
    pub in_file: bool,
    /// When it was recorded, RFC 3339.
    pub created_at: String,
}

impl Memory {
    /// Stores `proposals` (replacing earlier ones for the same file and block).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; nothing is stored then.
    pub fn record_proposals(&mut self, proposals: &[Proposal]) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.record_proposals(proposals)
    }

    /// The pending proposals of `path`, in the order they were recorded.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn proposals(&self, path: &str) -> Result<Vec<Proposal>, MemoryError> {
        self.store.proposals(path)
    }

    /// Forgets the proposals of `path` (all of them, or only the block `unit_key`):
    /// a reviewer settled them.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn settle_proposals(
        &mut self,
        path: &str,
        unit_key: Option<&str>,
    ) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.settle_proposals(path, unit_key)
    }

    /// Every human unit from `source` into `target` with its earlier versions: for each
    /// key the earlier versions oldest first, then the current one.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn human_history(
        &self,
        source: &Lang,
        target: &Lang,
    ) -> Result<Vec<HumanUnit>, MemoryError> {
        self.store.human_history(source, target)
    }

    /// True once this memory took in the verdicts mirrored in the files (see
    /// [`Memory::mark_verdicts_recovered`]).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn verdicts_recovered(&self) -> Result<bool, MemoryError> {
        self.store.has_meta(RECOVERED)
    }

    /// Remembers that the verdicts mirrored in the files were recovered into this
    /// memory: from then on the memory records every verdict itself, so the files need
    /// not be read again for them.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn mark_verdicts_recovered(&mut self) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.set_meta(RECOVERED, &now())
    }

    /// Records the source text the translated file `path` was just written from, so
    /// an edit learned after the source changed still knows the source it translated.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn record_written_source(&mut self, path: &str, source: &str) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store
            .record_written_source(path, source, &super::hash(source))
    }

    /// The source text the translated file `path` was last written from, if recorded.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn written_source(&self, path: &str) -> Result<Option<String>, MemoryError> {
        self.store.written_source(path)
    }

    /// The source text a human unit was stored with (empty when it was not known).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn human_unit_source(
        &self,
        source: &Lang,
        target: &Lang,
        key: &str,
    ) -> Result<Option<String>, MemoryError> {
        self.store.human_unit_source(source, target, key)
    }

    /// Moves the human unit `key` to the history (a reviewer accepted the machine's
    /// proposal in its place): later runs no longer put the person's text back.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; nothing is moved then.
    pub fn retire_human_unit(
        &mut self,
        source: &Lang,
        target: &Lang,
        key: &str,
    ) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.retire_human_unit(source, target, key, &now())
    }
}
