//! What the memory notes about single files — the last failure, the units to review,
//! the QA warnings, a person's verdict — asked only of the tables that hold any.
//!
//! A pass over every translated file (`dich status`, the review list, the manifest
//! rebuilt after every run) looked each of them up for every file: five queries per
//! file and language (the QA warnings twice), 15,000 for 1,000 articles in three
//! languages, into tables that a first run and most projects leave empty (issue 15).
//! On the shared PostgreSQL memory each is a round trip. The caller of a pass takes
//! the notes once and uses them for the status and for what it makes of it.

use super::{Approval, Memory, MemoryError};

/// A table of notes about single files, keyed by the file's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoteTable {
    Failures,
    Reviews,
    QaWarnings,
    Approvals,
}

impl NoteTable {
    /// The table's name, in both stores.
    pub(crate) fn name(self) -> &'static str {
        match self {
            NoteTable::Failures => "failures",
            NoteTable::Reviews => "reviews",
            NoteTable::QaWarnings => "qa_warnings",
            NoteTable::Approvals => "approvals",
        }
    }
}

/// Which of the note tables hold any row, as a pass found them when it began.
///
/// Only for a pass that writes none of these tables through the connection it reads
/// with; a note written meanwhile by another writer may be missed, as it would be
/// by a pass that had already looked at its file.
#[derive(Debug, Clone, Copy)]
pub struct FileNotes {
    failures: bool,
    reviews: bool,
    qa_warnings: bool,
    approvals: bool,
}

impl FileNotes {
    /// Looks at each note table of `memory` once.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn of(memory: &Memory) -> Result<FileNotes, MemoryError> {
        let any = |table| memory.store.has_notes(table);
        Ok(FileNotes {
            failures: any(NoteTable::Failures)?,
            reviews: any(NoteTable::Reviews)?,
            qa_warnings: any(NoteTable::QaWarnings)?,
            approvals: any(NoteTable::Approvals)?,
        })
    }

    /// [`Memory::failure`], without a query when no file has failed.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn failure(&self, memory: &Memory, path: &str) -> Result<Option<String>, MemoryError> {
        if !self.failures {
            return Ok(None);
        }
        memory.failure(path)
    }

    /// [`Memory::reviews`], without a query when no unit waits for a review.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn reviews(&self, memory: &Memory, path: &str) -> Result<Vec<String>, MemoryError> {
        if !self.reviews {
            return Ok(Vec::new());
        }
        memory.reviews(path)
    }

    /// [`Memory::qa_warnings`], without a query when no file has a warning.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn qa_warnings(&self, memory: &Memory, path: &str) -> Result<Vec<String>, MemoryError> {
        if !self.qa_warnings {
            return Ok(Vec::new());
        }
        memory.qa_warnings(path)
    }

    /// [`Memory::approval`], without a query when no verdict is stored.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn approval(&self, memory: &Memory, path: &str) -> Result<Option<Approval>, MemoryError> {
        if !self.approvals {
            return Ok(None);
        }
        memory.approval(path)
    }
}
