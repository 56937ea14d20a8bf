//! Machine proposals kept beside a person's block (issue 12, invariant 8): when the
//! source under a human-edited block changes, the person's text stays in the file and
//! the machine's translation of the new source waits here until a reviewer accepts it
//! (`dich review accept-proposal`) or settles the file (`dich review approve`).

use rusqlite::{OptionalExtension as _, params};

use super::{Memory, MemoryError, now, sqlite};
use crate::lang::Lang;

/// Schema migration 6: the proposals. (Migration 5 is another change's.)
pub(super) const MIGRATION: &str = "CREATE TABLE proposals (
        path TEXT NOT NULL, unit_key TEXT NOT NULL, old_source TEXT NOT NULL,
        new_source TEXT NOT NULL, person TEXT NOT NULL, proposal TEXT NOT NULL,
        in_file INTEGER NOT NULL, created_at TEXT NOT NULL,
        PRIMARY KEY (path, unit_key));
     CREATE TABLE review_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE written_sources (path TEXT PRIMARY KEY, source TEXT NOT NULL);";

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
        let db = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite(&db, e))?;
        for p in proposals {
            tx.execute(
                "INSERT OR REPLACE INTO proposals
                 (path, unit_key, old_source, new_source, person, proposal, in_file, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    p.path,
                    p.unit_key,
                    p.old_source,
                    p.new_source,
                    p.person,
                    p.proposal,
                    p.in_file,
                    p.created_at
                ],
            )
            .map_err(|e| sqlite(&db, e))?;
        }
        tx.commit().map_err(|e| sqlite(&db, e))
    }

    /// The pending proposals of `path`, in the order they were recorded.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn proposals(&self, path: &str) -> Result<Vec<Proposal>, MemoryError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT path, unit_key, old_source, new_source, person, proposal, in_file, created_at
                 FROM proposals WHERE path = ?1 ORDER BY rowid",
            )
            .map_err(|e| sqlite(&self.path, e))?;
        let rows = stmt
            .query_map([path], |row| {
                Ok(Proposal {
                    path: row.get(0)?,
                    unit_key: row.get(1)?,
                    old_source: row.get(2)?,
                    new_source: row.get(3)?,
                    person: row.get(4)?,
                    proposal: row.get(5)?,
                    in_file: row.get(6)?,
                    created_at: row.get(7)?,
                })
            })
            .map_err(|e| sqlite(&self.path, e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| sqlite(&self.path, e))
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
        let result = match unit_key {
            Some(key) => self.conn.execute(
                "DELETE FROM proposals WHERE path = ?1 AND unit_key = ?2",
                [path, key],
            ),
            None => self
                .conn
                .execute("DELETE FROM proposals WHERE path = ?1", [path]),
        };
        result.map(|_| ()).map_err(|e| sqlite(&self.path, e))
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
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT source_hash, source_text, translation, 0, replaced_at, rowid, 0 FROM unit_history
                 WHERE source_lang = ?1 AND target_lang = ?2
                 UNION ALL
                 SELECT source_hash, source_text, translation, 1, created_at, rowid, 1 FROM units
                 WHERE source_lang = ?1 AND target_lang = ?2
                 ORDER BY 1, 7, 6",
            )
            .map_err(|e| sqlite(&self.path, e))?;
        let rows = stmt
            .query_map(params![source.as_str(), target.as_str()], |row| {
                Ok(HumanUnit {
                    key: row.get(0)?,
                    source_text: row.get(1)?,
                    translation: row.get(2)?,
                    current: row.get(3)?,
                    at: row.get(4)?,
                })
            })
            .map_err(|e| sqlite(&self.path, e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| sqlite(&self.path, e))
    }

    /// True once this memory took in the verdicts mirrored in the files (see
    /// [`Memory::mark_verdicts_recovered`]).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn verdicts_recovered(&self) -> Result<bool, MemoryError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM review_meta WHERE name = ?1)",
                [RECOVERED],
                |row| row.get(0),
            )
            .map_err(|e| sqlite(&self.path, e))
    }

    /// Remembers that the verdicts mirrored in the files were recovered into this
    /// memory: from then on the memory records every verdict itself, so the files need
    /// not be read again for them.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn mark_verdicts_recovered(&mut self) -> Result<(), MemoryError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO review_meta (name, value) VALUES (?1, ?2)",
                [RECOVERED, &now()],
            )
            .map(|_| ())
            .map_err(|e| sqlite(&self.path, e))
    }

    /// Records the source text the translated file `path` was just written from, so
    /// an edit learned after the source changed still knows the source it translated.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn record_written_source(&mut self, path: &str, source: &str) -> Result<(), MemoryError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO written_sources (path, source) VALUES (?1, ?2)",
                [path, source],
            )
            .map(|_| ())
            .map_err(|e| sqlite(&self.path, e))
    }

    /// The source text the translated file `path` was last written from, if recorded.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn written_source(&self, path: &str) -> Result<Option<String>, MemoryError> {
        self.conn
            .prepare_cached("SELECT source FROM written_sources WHERE path = ?1")
            .and_then(|mut stmt| stmt.query_row([path], |row| row.get(0)).optional())
            .map_err(|e| sqlite(&self.path, e))
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
        self.conn
            .prepare_cached(
                "SELECT source_text FROM units
                 WHERE source_lang = ?1 AND target_lang = ?2 AND source_hash = ?3",
            )
            .and_then(|mut stmt| {
                stmt.query_row(params![source.as_str(), target.as_str(), key], |row| {
                    row.get(0)
                })
                .optional()
            })
            .map_err(|e| sqlite(&self.path, e))
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
        let db = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite(&db, e))?;
        let args = params![source.as_str(), target.as_str(), key, now()];
        tx.execute(
            "INSERT INTO unit_history
             (source_lang, target_lang, source_hash, source_text, translation, origin, replaced_at)
             SELECT source_lang, target_lang, source_hash, source_text, translation, origin, ?4
             FROM units WHERE source_lang = ?1 AND target_lang = ?2 AND source_hash = ?3",
            args,
        )
        .map_err(|e| sqlite(&db, e))?;
        tx.execute(
            "DELETE FROM units WHERE source_lang = ?1 AND target_lang = ?2 AND source_hash = ?3",
            params![source.as_str(), target.as_str(), key],
        )
        .map_err(|e| sqlite(&db, e))?;
        tx.commit().map_err(|e| sqlite(&db, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal(key: &str) -> Proposal {
        Proposal {
            path: "content/a.en.md".into(),
            unit_key: key.into(),
            old_source: "Câu một.".into(),
            new_source: "Câu hai.".into(),
            person: "Sentence one.".into(),
            proposal: "Sentence two.".into(),
            in_file: false,
            created_at: "2026-11-30T10:00:00Z".into(),
        }
    }

    #[test]
    fn proposals_are_kept_until_settled() {
        let mut memory = Memory::in_memory().unwrap();
        memory
            .record_proposals(&[proposal("k1"), proposal("k2")])
            .unwrap();
        assert_eq!(memory.proposals("content/a.en.md").unwrap().len(), 2);
        assert!(memory.proposals("content/a.ko.md").unwrap().is_empty());
        memory
            .settle_proposals("content/a.en.md", Some("k1"))
            .unwrap();
        assert_eq!(
            memory.proposals("content/a.en.md").unwrap(),
            vec![proposal("k2")]
        );
        memory.settle_proposals("content/a.en.md", None).unwrap();
        assert!(memory.proposals("content/a.en.md").unwrap().is_empty());
    }

    #[test]
    fn recovery_is_remembered() {
        let mut memory = Memory::in_memory().unwrap();
        assert!(!memory.verdicts_recovered().unwrap());
        memory.mark_verdicts_recovered().unwrap();
        assert!(memory.verdicts_recovered().unwrap());
    }

    #[test]
    fn a_retired_human_unit_goes_to_the_history() {
        let (vi, en) = (Lang::parse("vi").unwrap(), Lang::parse("en").unwrap());
        let mut memory = Memory::in_memory().unwrap();
        memory
            .store_human_unit(&vi, &en, "k", "Nguồn.", "Edit.")
            .unwrap();
        assert_eq!(
            memory.human_unit_source(&vi, &en, "k").unwrap().as_deref(),
            Some("Nguồn.")
        );
        memory.retire_human_unit(&vi, &en, "k").unwrap();
        assert_eq!(memory.human_unit(&vi, &en, "k").unwrap(), None);
        assert_eq!(memory.unit_history(&vi, &en, "k").unwrap(), vec!["Edit."]);
    }
}
