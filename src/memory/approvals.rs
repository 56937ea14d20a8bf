//! A person's verdict on a translated file (issue 12): who approved or rejected it,
//! when, and the exact source and translation hashes they saw. The review module
//! compares those hashes with the files to tell `reviewed` from `needs-review`.

use rusqlite::{OptionalExtension as _, params};

use super::{Memory, MemoryError, hash, sqlite};

/// What the person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Fit to publish, as it was.
    Approved,
    /// Not fit to publish; the reason says why.
    Rejected,
}

impl Verdict {
    /// The name stored in the memory and in the file's provenance.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approved => "approved",
            Verdict::Rejected => "rejected",
        }
    }

    /// The verdict named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Verdict> {
        match name {
            "approved" => Some(Verdict::Approved),
            "rejected" => Some(Verdict::Rejected),
            _ => None,
        }
    }
}

/// A verdict on one translated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The translated file, relative to the project root, `/` separated.
    pub path: String,
    /// Approved or rejected.
    pub verdict: Verdict,
    /// The person's name.
    pub by: String,
    /// When, RFC 3339.
    pub at: String,
    /// The hash of the source they reviewed against.
    pub source_hash: String,
    /// The hash of the translation they saw (provenance excluded).
    pub translation_hash: String,
    /// Why, for a rejection; empty otherwise.
    pub reason: String,
}

impl Memory {
    /// Stores `approval`, replacing any earlier verdict on the same file.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn record_approval(&mut self, approval: &Approval) -> Result<(), MemoryError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO approvals
                 (path, verdict, by, at, source_hash, translation_hash, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    approval.path,
                    approval.verdict.as_str(),
                    approval.by,
                    approval.at,
                    approval.source_hash,
                    approval.translation_hash,
                    approval.reason
                ],
            )
            .map(|_| ())
            .map_err(|e| sqlite(&self.path, e))
    }

    /// The last verdict on `path`, if any.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn approval(&self, path: &str) -> Result<Option<Approval>, MemoryError> {
        self.conn
            .prepare_cached(
                "SELECT verdict, by, at, source_hash, translation_hash, reason
                 FROM approvals WHERE path = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([path], |row| {
                    let verdict: String = row.get(0)?;
                    Ok(Approval {
                        path: path.to_owned(),
                        // An unknown verdict (a newer dich) is read as the safer one.
                        verdict: Verdict::parse(&verdict).unwrap_or(Verdict::Rejected),
                        by: row.get(1)?,
                        at: row.get(2)?,
                        source_hash: row.get(3)?,
                        translation_hash: row.get(4)?,
                        reason: row.get(5)?,
                    })
                })
                .optional()
            })
            .map_err(|e| sqlite(&self.path, e))
    }

    /// How many verdicts the memory holds.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn approval_count(&self) -> Result<u64, MemoryError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM approvals", [], |row| row.get(0))
            .map_err(|e| sqlite(&self.path, e))
    }

    /// After a reviewer settles `path`: its blocks no longer need a review, and when
    /// the file on disk was exactly what dich wrote (`written_hash`), the record of
    /// what dich wrote becomes `content` (the same file with the verdict mirrored in
    /// its provenance), so the mirror is not mistaken for a human edit. A file a
    /// person edited keeps its old record: its edits are still to be learned.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn settle_file(
        &mut self,
        path: &str,
        written_hash: &str,
        content: &str,
    ) -> Result<(), MemoryError> {
        let db = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite(&db, e))?;
        tx.execute("DELETE FROM reviews WHERE path = ?1", [path])
            .map_err(|e| sqlite(&db, e))?;
        tx.execute(
            "UPDATE files SET hash = ?2, content = ?3 WHERE path = ?1 AND hash = ?4",
            params![path, hash(content), content, written_hash],
        )
        .map_err(|e| sqlite(&db, e))?;
        tx.commit().map_err(|e| sqlite(&db, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_round_trips_and_is_replaced() {
        let mut memory = Memory::in_memory().unwrap();
        assert_eq!(memory.approval("content/a.en.md").unwrap(), None);
        let mut approval = Approval {
            path: "content/a.en.md".into(),
            verdict: Verdict::Approved,
            by: "Nguyễn Văn A".into(),
            at: "2026-11-30T10:00:00Z".into(),
            source_hash: "sha256:1".into(),
            translation_hash: "2".into(),
            reason: String::new(),
        };
        memory.record_approval(&approval).unwrap();
        assert_eq!(
            memory.approval("content/a.en.md").unwrap(),
            Some(approval.clone())
        );
        approval.verdict = Verdict::Rejected;
        approval.reason = "wrong name".into();
        memory.record_approval(&approval).unwrap();
        assert_eq!(memory.approval("content/a.en.md").unwrap(), Some(approval));
    }
}
