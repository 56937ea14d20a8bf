//! A person's verdict on a translated file (issue 12): who approved or rejected it,
//! when, and the exact source and translation hashes they saw. The review module
//! compares those hashes with the files to tell `reviewed` from `needs-review`.

use super::{Memory, MemoryError, hash};

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
        self.store.end_read()?;
        self.store.record_approval(approval)
    }

    /// The last verdict on `path`, if any.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn approval(&self, path: &str) -> Result<Option<Approval>, MemoryError> {
        self.store.approval(path)
    }

    /// How many verdicts the memory holds.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn approval_count(&self) -> Result<u64, MemoryError> {
        self.store.approval_count()
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
        self.store.end_read()?;
        self.store
            .settle_file(path, written_hash, &hash(content), content)
    }
}
