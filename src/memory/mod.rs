//! The translation memory and run state: an embedded SQLite file by default, or a
//! PostgreSQL server that many checkouts share (issue 16; `store` has the trait,
//! `sqlite` and `postgres` the two stores).
//!
//! It holds segment translations keyed by source language, target language and the
//! hash of the normalised source segment, with their origin (`machine`, `human`,
//! `import`), the backend and the time; human-edited units; and the hash of every file
//! dich last wrote. Invariant: a returned batch is committed (or in the run's answer
//! journal, `pipeline/journal.rs`) before its request slot sends again, so a crash
//! never loses more than the requests in flight; entries are never deleted when an
//! article is.
//!
//! Every write method is atomic on its own; inside a group ([`Memory::begin_group`] …
//! [`Memory::commit_group`]) it joins the group's transaction, so a run commits the
//! batches that came back together and the files written meanwhile at once (issue 15:
//! one transaction per batch and four per written file cost ~160 `fcntl` calls and
//! ~90 `pwrite` calls per file).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::MemoryConfig;
use crate::lang::Lang;

mod approvals;
mod checkpoint;
mod file_stats;
mod notes;
mod postgres;
mod proposals;
mod shared;
mod sqlite;
mod store;
#[doc(hidden)]
pub mod testing;
pub mod tmx;

pub use approvals::{Approval, Verdict};
pub use file_stats::FileRecord;
pub use notes::FileNotes;
pub use proposals::{HumanUnit, Proposal};
pub use shared::{Share, Shared};
use store::{SegmentRow, Store};

/// Where a translation came from. Lookups prefer human over import over machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A backend produced it.
    Machine,
    /// Imported from a TMX file (a translator's memory).
    Import,
    /// A person wrote or corrected it.
    Human,
}

impl Origin {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Machine => "machine",
            Origin::Import => "import",
            Origin::Human => "human",
        }
    }

    fn parse(s: &str) -> Origin {
        match s {
            "human" => Origin::Human,
            "import" => Origin::Import,
            _ => Origin::Machine,
        }
    }
}

/// A memory failure, naming the database file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// SQLite refused an operation.
    #[error("translation memory `{path}`: {source}{}", hint(source))]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The folder for the database could not be created.
    #[error("cannot create the folder for the translation memory `{path}`: {source}")]
    Folder {
        /// The database file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// PostgreSQL refused an operation, or could not be reached.
    #[error("translation memory {server}: {source}")]
    Postgres {
        /// The server and database (never the password).
        server: String,
        /// The PostgreSQL error.
        #[source]
        source: ::postgres::Error,
    },
    /// The connection to the PostgreSQL memory was lost.
    #[error("translation memory {0}: the connection was lost; run again")]
    Disconnected(String),
    /// `[memory]` cannot be used as it is (no password in the environment, …).
    #[error("[memory]: {0}")]
    Settings(String),
    /// The database was written by a newer dich.
    #[error(
        "translation memory `{path}` has schema version {found}, newer than this dich understands ({supported}); upgrade dich"
    )]
    TooNew {
        /// The database file or server.
        path: String,
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
}

fn hint(e: &rusqlite::Error) -> &'static str {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            " (another dich process is using it; wait for it to finish and run again)"
        }
        _ => "",
    }
}

/// A stored segment translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The tagged translation.
    pub translation: String,
    /// Where it came from.
    pub origin: Origin,
    /// Which backend produced it (empty for human and imported entries).
    pub backend: String,
}

/// A segment translation to store.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// The normalised, tagged source segment.
    pub source: &'a str,
    /// Its translation.
    pub translation: &'a str,
    /// Where it came from.
    pub origin: Origin,
    /// The backend, for machine entries.
    pub backend: &'a str,
}

/// A stored segment translation with its metadata, as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSegment {
    /// The normalised, tagged source segment.
    pub source: String,
    /// The tagged translation.
    pub translation: String,
    /// Where it came from.
    pub origin: Origin,
    /// The backend, for machine entries.
    pub backend: String,
    /// When it was stored (RFC 3339).
    pub created_at: String,
}

/// What dich last wrote to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// sha256 of the bytes written.
    pub hash: String,
    /// The bytes written, so human edits can be found unit by unit.
    pub content: String,
    /// Hash of the source the file was rendered from.
    pub source_hash: String,
}

/// The translation memory: the API the pipeline uses, over either store.
#[derive(Debug)]
pub struct Memory {
    store: Box<dyn Store>,
}

impl Memory {
    /// Opens (creating if needed) the SQLite memory at `path`, in WAL mode, migrated
    /// to the current schema. A concurrent writer is waited for up to 10 seconds.
    ///
    /// # Errors
    /// [`MemoryError`] naming the file.
    pub fn open(path: &Path) -> Result<Memory, MemoryError> {
        Ok(Memory {
            store: Box::new(sqlite::Sqlite::open(path)?),
        })
    }

    /// A throw-away memory (tests, `--dry-run` without a store).
    ///
    /// # Errors
    /// [`MemoryError`] if SQLite cannot start.
    pub fn in_memory() -> Result<Memory, MemoryError> {
        Ok(Memory {
            store: Box::new(sqlite::Sqlite::in_memory()?),
        })
    }

    /// Connects to the shared PostgreSQL memory `settings` describe, migrated to the
    /// current schema.
    ///
    /// # Errors
    /// [`MemoryError`] naming the server (never the password).
    pub fn connect(settings: &Shared) -> Result<Memory, MemoryError> {
        Ok(Memory {
            store: Box::new(postgres::Postgres::connect(settings)?),
        })
    }

    /// The memory `config` names: PostgreSQL when `[memory] url` is set, else the
    /// SQLite file.
    ///
    /// # Errors
    /// [`MemoryError`].
    pub fn from_config(config: &MemoryConfig) -> Result<Memory, MemoryError> {
        match Shared::from_config(config)? {
            Some(shared) => Memory::connect(&shared),
            None => Memory::open(&config.path),
        }
    }

    /// Whether other processes may write to this memory while this one runs (the
    /// shared PostgreSQL memory): the run then claims segments before sending them.
    pub fn is_shared(&self) -> bool {
        self.store.is_shared()
    }

    /// Starts a read batch: the reads until [`Memory::end_read`] (or the next write,
    /// which ends the batch first) share one read transaction, so SQLite takes its lock
    /// once for all of them instead of once per statement (issue 15). The reads see
    /// the memory as it was at the first of them. Nothing on PostgreSQL.
    ///
    /// Every write method of `Memory` starts with `self.store.end_read()?`: a new one
    /// must too, or its write would wait in the read batch's transaction.
    ///
    /// # Errors
    /// [`MemoryError`] when the transaction cannot start.
    pub fn begin_read(&mut self) -> Result<(), MemoryError> {
        self.store.begin_read()
    }

    /// Tells the memory a run's writes are over, so that what it copies in the
    /// background starts now: the SQLite store checkpoints its WAL beside the reads
    /// that follow (the manifest's pass) rather than in its close (issue 15).
    pub fn writes_done(&self) {
        self.store.writes_done();
    }

    /// Ends the read batch [`Memory::begin_read`] started; nothing when none is open.
    ///
    /// # Errors
    /// [`MemoryError`] when the transaction cannot end.
    pub fn end_read(&mut self) -> Result<(), MemoryError> {
        self.store.end_read()
    }

    /// Claims the segments `texts` (normalised, tagged sources) from `source` into
    /// `target` for this process, so no other process sends them meanwhile; returns
    /// the texts this process now holds. The others are held by a live process (wait
    /// for its result, [`Memory::segment`]) or already translated. Claims are released
    /// when their translations are stored, and expire if this process dies.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn claim<'t>(
        &mut self,
        source: &Lang,
        target: &Lang,
        texts: &[&'t str],
    ) -> Result<Vec<&'t str>, MemoryError> {
        self.store.end_read()?;
        let mut hashes: Vec<String> = texts.iter().map(|t| hash(t)).collect();
        hashes.sort();
        hashes.dedup();
        let held: std::collections::HashSet<String> = self
            .store
            .claim(source.as_str(), target.as_str(), &hashes)?
            .into_iter()
            .collect();
        Ok(texts
            .iter()
            .copied()
            .filter(|t| held.contains(&hash(t)))
            .collect())
    }

    /// Extends this process's claims: called while it waits, so a slow run keeps
    /// what it is working on.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn renew_claims(&mut self) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.renew_claims()
    }

    /// How often [`Memory::renew_claims`] must be called while this process holds
    /// claims; `None` when claims never expire (SQLite).
    pub fn renew_every(&self) -> Option<std::time::Duration> {
        self.store.renew_every()
    }

    /// Starts a group of writes committed together by [`Memory::commit_group`]; does
    /// nothing when a group is open. A crash before the commit loses the whole group,
    /// so callers bound what a group holds. On the shared (PostgreSQL) memory every
    /// write still commits at once: other processes wait for what this one stores.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure (another process holds the write lock
    /// longer than the busy timeout).
    pub fn begin_group(&mut self) -> Result<(), MemoryError> {
        self.store.begin_group()
    }

    /// Commits the open group, if any.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; the group is rolled back then.
    pub fn commit_group(&mut self) -> Result<(), MemoryError> {
        self.store.commit_group()
    }

    /// The best translation of a segment: human, then imported, then machine.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn segment(
        &self,
        source: &Lang,
        target: &Lang,
        text: &str,
    ) -> Result<Option<Entry>, MemoryError> {
        self.store
            .segment(source.as_str(), target.as_str(), &hash(text))
    }

    /// [`Memory::segment`] of each of `texts`, in their order, read at once.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn segments(
        &self,
        source: &Lang,
        target: &Lang,
        texts: &[&str],
    ) -> Result<Vec<Option<Entry>>, MemoryError> {
        let hashes: Vec<String> = texts.iter().map(|text| hash(text)).collect();
        self.store
            .segments(source.as_str(), target.as_str(), &hashes)
    }

    /// Stores segment translations in one transaction.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; nothing is stored then.
    pub fn store_segments(
        &mut self,
        source: &Lang,
        target: &Lang,
        entries: &[NewEntry<'_>],
    ) -> Result<(), MemoryError> {
        let rows: Vec<SegmentRow> = entries
            .iter()
            .map(|entry| SegmentRow {
                hash: hash(entry.source),
                source: entry.source.to_owned(),
                translation: entry.translation.to_owned(),
                origin: entry.origin.as_str(),
                backend: entry.backend.to_owned(),
            })
            .collect();
        self.store.end_read()?;
        self.store
            .store_segments(source.as_str(), target.as_str(), &rows, &now())
    }

    /// What dich last wrote at `path` (a path relative to the project root).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn written(&self, path: &str) -> Result<Option<WrittenFile>, MemoryError> {
        self.store.written(path)
    }

    /// Every stored segment translation from `source` into `target` (all origins), in
    /// insertion order, for export.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn entries(&self, source: &Lang, target: &Lang) -> Result<Vec<StoredSegment>, MemoryError> {
        self.store.entries(source.as_str(), target.as_str())
    }

    /// The target languages that have entries from `source`.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn target_languages(&self, source: &Lang) -> Result<Vec<String>, MemoryError> {
        self.store.target_languages(source.as_str())
    }

    /// True when any human unit translation from `source` into `target` is stored
    /// (lets a run skip per-unit lookups in the common case of none).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn has_human_units(&self, source: &Lang, target: &Lang) -> Result<bool, MemoryError> {
        self.store.has_human_units(source.as_str(), target.as_str())
    }

    /// The human translation of a unit, by the unit's key (see the pipeline's
    /// `unit_key`): the block's text exactly as the editor wrote it.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn human_unit(
        &self,
        source: &Lang,
        target: &Lang,
        key: &str,
    ) -> Result<Option<String>, MemoryError> {
        self.store.human_unit(source.as_str(), target.as_str(), key)
    }

    /// Stores a human translation of a unit. A different earlier one moves to the
    /// history, so an editor's text is never lost.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; nothing is stored then.
    pub fn store_human_unit(
        &mut self,
        source: &Lang,
        target: &Lang,
        key: &str,
        source_text: &str,
        translation: &str,
    ) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.store_human_unit(
            [
                source.as_str(),
                target.as_str(),
                key,
                source_text,
                translation,
            ],
            &now(),
        )
    }

    /// Earlier human translations of a unit that were replaced, oldest first.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn unit_history(
        &self,
        source: &Lang,
        target: &Lang,
        key: &str,
    ) -> Result<Vec<String>, MemoryError> {
        self.store
            .unit_history(source.as_str(), target.as_str(), key)
    }

    /// The unit keys of `path` that need a review.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn reviews(&self, path: &str) -> Result<Vec<String>, MemoryError> {
        self.store.reviews(path)
    }

    /// Records why the last attempt at `path` failed; [`Memory::record_file`] clears it.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn record_failure(&mut self, path: &str, reason: &str) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.record_failure(path, reason, &now())
    }

    /// Moves everything kept under the file path `from` (what was written there, the
    /// units to review, the last failure) to `to`, in one transaction: for a
    /// translation renamed to a new file key.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; nothing is moved then.
    pub fn move_path(&mut self, from: &str, to: &str) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.move_path(from, to)
    }

    /// Why the last attempt at `path` failed, if it did.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn failure(&self, path: &str) -> Result<Option<String>, MemoryError> {
        self.store.failure(path)
    }

    /// Replaces the QA warnings recorded for `path` (none clears them).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; nothing is recorded then.
    pub fn record_qa_warnings(
        &mut self,
        path: &str,
        reasons: &[String],
    ) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.record_qa_warnings(path, reasons, &now())
    }

    /// The QA warnings recorded when `path` was last written, in order.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn qa_warnings(&self, path: &str) -> Result<Vec<String>, MemoryError> {
        self.store.qa_warnings(path)
    }

    /// Records a successful write of `path` in one transaction: what was written, from
    /// which source, the units to review, and no failure.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; nothing is recorded then.
    pub fn record_file(
        &mut self,
        path: &str,
        content: &str,
        source_hash: &str,
        reviews: &[String],
    ) -> Result<(), MemoryError> {
        self.store.end_read()?;
        self.store.record_file(
            [path, &hash(content), content, source_hash],
            reviews,
            &now(),
        )
    }

    /// Number of stored segment translations (all languages and origins).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn segment_count(&self) -> Result<u64, MemoryError> {
        self.store.segment_count()
    }

    /// Copies everything this memory holds into `to`, table by table, skipping what
    /// `to` already has (so a second copy adds nothing). `progress` is told the rows of
    /// each table before it is copied, then each chunk copied.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure of either memory; the tables copied
    /// before it stay copied (copying again completes the rest).
    pub fn copy_to(
        &self,
        to: &mut Memory,
        progress: &mut dyn FnMut(CopyEvent<'_>),
    ) -> Result<Vec<TableCount>, MemoryError> {
        const CHUNK: usize = 500;
        to.store.end_read()?;
        let mut counts = Vec::new();
        for (table, _) in store::TABLES {
            let rows = self.store.dump(table)?;
            progress(CopyEvent::Table(table, rows.len() as u64));
            let mut added = 0;
            for chunk in rows.chunks(CHUNK) {
                added += to.store.load(table, chunk)?;
                progress(CopyEvent::Copied(chunk.len() as u64));
            }
            counts.push(TableCount {
                table,
                rows: rows.len() as u64,
                added,
            });
        }
        Ok(counts)
    }
}

/// What [`Memory::copy_to`] is doing, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum CopyEvent<'a> {
    /// Starts copying the table with this many rows.
    Table(&'a str, u64),
    /// This many more rows were copied.
    Copied(u64),
}

/// What [`Memory::copy_to`] copied of one table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableCount {
    /// The table.
    pub table: &'static str,
    /// Rows read from the source memory.
    pub rows: u64,
    /// Rows the target did not have yet.
    pub added: u64,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The key of a text: sha256 of its bytes, hex. Callers normalise first.
pub fn hash(text: &str) -> String {
    hash_bytes(text.as_bytes())
}

/// [`hash`] of the texts of `parts` one after the other, without joining them.
pub fn hash_parts(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize())
}

/// sha256 of `bytes`, hex: [`hash`] of bytes that need not be UTF-8 (a file's content).
pub fn hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// [`hash_bytes`] of everything `reader` gives, read a piece at a time: a file is
/// hashed without being held whole (the manifest of 10,000 articles is megabytes).
///
/// # Errors
/// What reading fails with.
pub fn hash_reader(mut reader: impl std::io::Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Ok(hex(&hasher.finalize())),
            Ok(n) => hasher.update(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// `digest` as lowercase hex.
pub(crate) fn hex(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for &byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}
#[cfg(test)]
mod tests;
