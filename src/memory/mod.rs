//! The translation memory and run state, in an embedded SQLite database.
//!
//! It holds segment translations keyed by source language, target language and the
//! hash of the normalised source segment, with their origin (`machine`, `human`,
//! `import`), the backend and the time; human-edited units; and the hash of every file
//! dich last wrote. Invariant: a returned batch is committed in one transaction before
//! the next one is awaited, so a crash never loses paid work; entries are never
//! deleted when an article is.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::lang::Lang;

mod approvals;
pub mod tmx;

pub use approvals::{Approval, Verdict};

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
    /// The database was written by a newer dich.
    #[error(
        "translation memory `{path}` has schema version {found}, newer than this dich understands ({supported}); upgrade dich"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
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

/// Schema migrations, applied in order; the index + 1 is the schema version.
const MIGRATIONS: &[&str] = &[
    // 1: segments, human units and written files.
    "CREATE TABLE segments (
        source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, source_hash TEXT NOT NULL,
        source_text TEXT NOT NULL, translation TEXT NOT NULL, origin TEXT NOT NULL,
        backend TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,
        PRIMARY KEY (source_lang, target_lang, source_hash, origin));
     CREATE TABLE units (
        source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, source_hash TEXT NOT NULL,
        source_text TEXT NOT NULL, translation TEXT NOT NULL, origin TEXT NOT NULL,
        needs_review INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
        PRIMARY KEY (source_lang, target_lang, source_hash));
     CREATE TABLE unit_history (
        source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, source_hash TEXT NOT NULL,
        source_text TEXT NOT NULL, translation TEXT NOT NULL, origin TEXT NOT NULL,
        replaced_at TEXT NOT NULL);
     CREATE TABLE files (
        path TEXT PRIMARY KEY, hash TEXT NOT NULL, content TEXT NOT NULL,
        source_hash TEXT NOT NULL, written_at TEXT NOT NULL);",
    // 2: units to review after their source changed under a human edit, and the last
    // failure of each file.
    "CREATE TABLE reviews (
        path TEXT NOT NULL, unit_key TEXT NOT NULL, since TEXT NOT NULL,
        PRIMARY KEY (path, unit_key));
     CREATE TABLE failures (
        path TEXT PRIMARY KEY, reason TEXT NOT NULL, failed_at TEXT NOT NULL);",
    // 3: a person's verdict on a translated file (issue 12), mirrored in the file.
    "CREATE TABLE approvals (
        path TEXT PRIMARY KEY, verdict TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL,
        source_hash TEXT NOT NULL, translation_hash TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '');",
    // 4: the QA warnings of each written file (it needs a person's review).
    "CREATE TABLE qa_warnings (
        path TEXT NOT NULL, reason TEXT NOT NULL, recorded_at TEXT NOT NULL);
     CREATE INDEX qa_warnings_path ON qa_warnings (path);",
];

/// The translation memory.
#[derive(Debug)]
pub struct Memory {
    conn: Connection,
    path: PathBuf,
}

impl Memory {
    /// Opens (creating if needed) the memory at `path`, in WAL mode, migrated to the
    /// current schema. A concurrent writer is waited for up to 10 seconds.
    ///
    /// # Errors
    /// [`MemoryError`] naming the file.
    pub fn open(path: &Path) -> Result<Memory, MemoryError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| MemoryError::Folder {
                path: path.to_owned(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|e| sqlite(path, e))?;
        let mut memory = Memory {
            conn,
            path: path.to_owned(),
        };
        memory.configure(true)?;
        Ok(memory)
    }

    /// A throw-away memory (tests, `--dry-run` without a store).
    ///
    /// # Errors
    /// [`MemoryError`] if SQLite cannot start.
    pub fn in_memory() -> Result<Memory, MemoryError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| sqlite(&path, e))?;
        let mut memory = Memory { conn, path };
        memory.configure(false)?;
        Ok(memory)
    }

    fn configure(&mut self, wal: bool) -> Result<(), MemoryError> {
        let path = self.path.clone();
        self.conn
            .busy_timeout(Duration::from_secs(10))
            .map_err(|e| sqlite(&path, e))?;
        if wal {
            self.conn
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| sqlite(&path, e))?;
            self.conn
                .pragma_update(None, "synchronous", "NORMAL")
                .map_err(|e| sqlite(&path, e))?;
        }
        self.migrate()
    }

    fn migrate(&mut self) -> Result<(), MemoryError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite(&path, e))?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| sqlite(&path, e))?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(MemoryError::TooNew {
                path,
                found: version,
                supported,
            });
        }
        for migration in &MIGRATIONS[version as usize..] {
            tx.execute_batch(migration).map_err(|e| sqlite(&path, e))?;
        }
        tx.pragma_update(None, "user_version", supported)
            .map_err(|e| sqlite(&path, e))?;
        tx.commit().map_err(|e| sqlite(&path, e))
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
        self.conn
            .prepare_cached(
                "SELECT translation, origin, backend FROM segments
                 WHERE source_lang = ?1 AND target_lang = ?2 AND source_hash = ?3
                 ORDER BY CASE origin WHEN 'human' THEN 0 WHEN 'import' THEN 1 ELSE 2 END
                 LIMIT 1",
            )
            .and_then(|mut stmt| {
                stmt.query_row(
                    params![source.as_str(), target.as_str(), hash(text)],
                    |row| {
                        Ok(Entry {
                            translation: row.get(0)?,
                            origin: Origin::parse(&row.get::<_, String>(1)?),
                            backend: row.get(2)?,
                        })
                    },
                )
                .optional()
            })
            .map_err(|e| sqlite(&self.path, e))
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
        let path = self.path.clone();
        let now = now();
        let tx = self.conn.transaction().map_err(|e| sqlite(&path, e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO segments
                     (source_lang, target_lang, source_hash, source_text, translation, origin, backend, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(|e| sqlite(&path, e))?;
            for entry in entries {
                stmt.execute(params![
                    source.as_str(),
                    target.as_str(),
                    hash(entry.source),
                    entry.source,
                    entry.translation,
                    entry.origin.as_str(),
                    entry.backend,
                    now,
                ])
                .map_err(|e| sqlite(&path, e))?;
            }
        }
        tx.commit().map_err(|e| sqlite(&path, e))
    }

    /// What dich last wrote at `path` (a path relative to the project root).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn written(&self, path: &str) -> Result<Option<WrittenFile>, MemoryError> {
        self.conn
            .prepare_cached("SELECT hash, content, source_hash FROM files WHERE path = ?1")
            .and_then(|mut stmt| {
                stmt.query_row([path], |row| {
                    Ok(WrittenFile {
                        hash: row.get(0)?,
                        content: row.get(1)?,
                        source_hash: row.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(|e| sqlite(&self.path, e))
    }

    /// Every stored segment translation from `source` into `target` (all origins), in
    /// insertion order, for export.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn entries(&self, source: &Lang, target: &Lang) -> Result<Vec<StoredSegment>, MemoryError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT source_text, translation, origin, backend, created_at FROM segments
                 WHERE source_lang = ?1 AND target_lang = ?2 ORDER BY rowid",
            )
            .map_err(|e| sqlite(&self.path, e))?;
        let rows = stmt
            .query_map(params![source.as_str(), target.as_str()], |row| {
                Ok(StoredSegment {
                    source: row.get(0)?,
                    translation: row.get(1)?,
                    origin: Origin::parse(&row.get::<_, String>(2)?),
                    backend: row.get(3)?,
                    created_at: row.get(4)?,
                })
            })
            .map_err(|e| sqlite(&self.path, e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| sqlite(&self.path, e))
    }

    /// The target languages that have entries from `source`.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn target_languages(&self, source: &Lang) -> Result<Vec<String>, MemoryError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT target_lang FROM segments WHERE source_lang = ?1 ORDER BY 1",
            )
            .map_err(|e| sqlite(&self.path, e))?;
        let rows = stmt
            .query_map([source.as_str()], |row| row.get(0))
            .map_err(|e| sqlite(&self.path, e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| sqlite(&self.path, e))
    }

    /// True when any human unit translation from `source` into `target` is stored
    /// (lets a run skip per-unit lookups in the common case of none).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn has_human_units(&self, source: &Lang, target: &Lang) -> Result<bool, MemoryError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM units WHERE source_lang = ?1 AND target_lang = ?2)",
                params![source.as_str(), target.as_str()],
                |row| row.get(0),
            )
            .map_err(|e| sqlite(&self.path, e))
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
        self.conn
            .prepare_cached(
                "SELECT translation FROM units
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
        let path = self.path.clone();
        let now = now();
        let tx = self.conn.transaction().map_err(|e| sqlite(&path, e))?;
        tx.execute(
            "INSERT INTO unit_history
             (source_lang, target_lang, source_hash, source_text, translation, origin, replaced_at)
             SELECT source_lang, target_lang, source_hash, source_text, translation, origin, ?4
             FROM units WHERE source_lang = ?1 AND target_lang = ?2 AND source_hash = ?3
               AND translation <> ?5",
            params![source.as_str(), target.as_str(), key, now, translation],
        )
        .map_err(|e| sqlite(&path, e))?;
        tx.execute(
            "INSERT OR REPLACE INTO units
             (source_lang, target_lang, source_hash, source_text, translation, origin, needs_review, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'human', 0, ?6)",
            params![source.as_str(), target.as_str(), key, source_text, translation, now],
        )
        .map_err(|e| sqlite(&path, e))?;
        tx.commit().map_err(|e| sqlite(&path, e))
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
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT translation FROM unit_history
                 WHERE source_lang = ?1 AND target_lang = ?2 AND source_hash = ?3 ORDER BY rowid",
            )
            .map_err(|e| sqlite(&self.path, e))?;
        let rows = stmt
            .query_map(params![source.as_str(), target.as_str(), key], |row| {
                row.get(0)
            })
            .map_err(|e| sqlite(&self.path, e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| sqlite(&self.path, e))
    }

    /// The unit keys of `path` that need a review.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn reviews(&self, path: &str) -> Result<Vec<String>, MemoryError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT unit_key FROM reviews WHERE path = ?1 ORDER BY rowid")
            .map_err(|e| sqlite(&self.path, e))?;
        let rows = stmt
            .query_map([path], |row| row.get(0))
            .map_err(|e| sqlite(&self.path, e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| sqlite(&self.path, e))
    }

    /// Records why the last attempt at `path` failed; [`Memory::record_file`] clears it.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn record_failure(&mut self, path: &str, reason: &str) -> Result<(), MemoryError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO failures (path, reason, failed_at) VALUES (?1, ?2, ?3)",
                params![path, reason, now()],
            )
            .map(|_| ())
            .map_err(|e| sqlite(&self.path, e))
    }

    /// Moves everything kept under the file path `from` (what was written there, the
    /// units to review, the last failure) to `to`, in one transaction: for a
    /// translation renamed to a new file key.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure; nothing is moved then.
    pub fn move_path(&mut self, from: &str, to: &str) -> Result<(), MemoryError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite(&path, e))?;
        for table in ["files", "reviews", "failures"] {
            tx.execute(&format!("DELETE FROM {table} WHERE path = ?1"), [to])
                .and_then(|_| {
                    tx.execute(
                        &format!("UPDATE {table} SET path = ?2 WHERE path = ?1"),
                        [from, to],
                    )
                })
                .map_err(|e| sqlite(&path, e))?;
        }
        tx.commit().map_err(|e| sqlite(&path, e))
    }

    /// Why the last attempt at `path` failed, if it did.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn failure(&self, path: &str) -> Result<Option<String>, MemoryError> {
        self.conn
            .prepare_cached("SELECT reason FROM failures WHERE path = ?1")
            .and_then(|mut stmt| stmt.query_row([path], |row| row.get(0)).optional())
            .map_err(|e| sqlite(&self.path, e))
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
        let db = self.path.clone();
        let now = now();
        let tx = self.conn.transaction().map_err(|e| sqlite(&db, e))?;
        tx.execute("DELETE FROM qa_warnings WHERE path = ?1", [path])
            .map_err(|e| sqlite(&db, e))?;
        for reason in reasons {
            tx.execute(
                "INSERT INTO qa_warnings (path, reason, recorded_at) VALUES (?1, ?2, ?3)",
                params![path, reason, now],
            )
            .map_err(|e| sqlite(&db, e))?;
        }
        tx.commit().map_err(|e| sqlite(&db, e))
    }

    /// The QA warnings recorded when `path` was last written, in order.
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn qa_warnings(&self, path: &str) -> Result<Vec<String>, MemoryError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT reason FROM qa_warnings WHERE path = ?1 ORDER BY rowid")
            .map_err(|e| sqlite(&self.path, e))?;
        let rows = stmt
            .query_map([path], |row| row.get(0))
            .map_err(|e| sqlite(&self.path, e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| sqlite(&self.path, e))
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
        let db = self.path.clone();
        let now = now();
        let tx = self.conn.transaction().map_err(|e| sqlite(&db, e))?;
        tx.execute(
            "INSERT OR REPLACE INTO files (path, hash, content, source_hash, written_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![path, hash(content), content, source_hash, now],
        )
        .map_err(|e| sqlite(&db, e))?;
        tx.execute("DELETE FROM failures WHERE path = ?1", [path])
            .map_err(|e| sqlite(&db, e))?;
        tx.execute("DELETE FROM reviews WHERE path = ?1", [path])
            .map_err(|e| sqlite(&db, e))?;
        for key in reviews {
            tx.execute(
                "INSERT OR IGNORE INTO reviews (path, unit_key, since) VALUES (?1, ?2, ?3)",
                params![path, key, now],
            )
            .map_err(|e| sqlite(&db, e))?;
        }
        tx.commit().map_err(|e| sqlite(&db, e))
    }

    /// Number of stored segment translations (all languages and origins).
    ///
    /// # Errors
    /// [`MemoryError`] on a database failure.
    pub fn segment_count(&self) -> Result<u64, MemoryError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM segments", [], |row| row.get(0))
            .map_err(|e| sqlite(&self.path, e))
    }
}

fn sqlite(path: &Path, source: rusqlite::Error) -> MemoryError {
    MemoryError::Sqlite {
        path: path.to_owned(),
        source,
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The key of a text: sha256 of its bytes, hex. Callers normalise first.
pub fn hash(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs() -> (Lang, Lang) {
        (Lang::parse("vi").unwrap(), Lang::parse("en").unwrap())
    }

    fn entry<'a>(source: &'a str, translation: &'a str, origin: Origin) -> NewEntry<'a> {
        NewEntry {
            source,
            translation,
            origin,
            backend: "test",
        }
    }

    #[test]
    fn stores_and_finds_by_normalised_text() {
        let (vi, en) = langs();
        let mut memory = Memory::in_memory().unwrap();
        memory
            .store_segments(&vi, &en, &[entry("Xin chào.", "Hello.", Origin::Machine)])
            .unwrap();
        let found = memory.segment(&vi, &en, "Xin chào.").unwrap().unwrap();
        assert_eq!(found.translation, "Hello.");
        assert!(
            memory
                .segment(&vi, &Lang::parse("ko").unwrap(), "Xin chào.")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn human_outranks_import_outranks_machine() {
        let (vi, en) = langs();
        let mut memory = Memory::in_memory().unwrap();
        memory
            .store_segments(&vi, &en, &[entry("A.", "machine", Origin::Machine)])
            .unwrap();
        memory
            .store_segments(&vi, &en, &[entry("A.", "import", Origin::Import)])
            .unwrap();
        assert_eq!(
            memory.segment(&vi, &en, "A.").unwrap().unwrap().translation,
            "import"
        );
        memory
            .store_segments(&vi, &en, &[entry("A.", "human", Origin::Human)])
            .unwrap();
        assert_eq!(
            memory.segment(&vi, &en, "A.").unwrap().unwrap().origin,
            Origin::Human
        );
    }

    #[test]
    fn file_store_survives_reopen_and_records_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".dich/memory.db");
        let (vi, en) = langs();
        {
            let mut memory = Memory::open(&path).unwrap();
            memory
                .store_segments(&vi, &en, &[entry("B.", "b", Origin::Machine)])
                .unwrap();
            memory
                .record_file("content/x.en.md", "text", "sha256:1", &[])
                .unwrap();
        }
        let memory = Memory::open(&path).unwrap();
        assert_eq!(memory.segment_count().unwrap(), 1);
        let written = memory.written("content/x.en.md").unwrap().unwrap();
        assert_eq!(written.hash, hash("text"));
    }

    #[test]
    fn human_units_keep_their_history() {
        let (vi, en) = langs();
        let mut memory = Memory::in_memory().unwrap();
        memory
            .store_human_unit(&vi, &en, "k1", "Nguồn.", "First edit.")
            .unwrap();
        memory
            .store_human_unit(&vi, &en, "k1", "Nguồn.", "Second edit.")
            .unwrap();
        memory
            .store_human_unit(&vi, &en, "k1", "Nguồn.", "Second edit.")
            .unwrap();
        assert_eq!(
            memory.human_unit(&vi, &en, "k1").unwrap().as_deref(),
            Some("Second edit.")
        );
        assert_eq!(
            memory.unit_history(&vi, &en, "k1").unwrap(),
            vec!["First edit."]
        );
    }

    #[test]
    fn reviews_and_failures_are_per_file() {
        let mut memory = Memory::in_memory().unwrap();
        let keys = ["k1".to_owned(), "k2".to_owned()];
        memory.record_file("a.en.md", "v1", "s1", &keys).unwrap();
        memory
            .record_file("a.en.md", "v2", "s2", &keys[1..])
            .unwrap();
        assert_eq!(memory.reviews("a.en.md").unwrap(), vec!["k2"]);
        assert!(memory.reviews("a.ko.md").unwrap().is_empty());
        memory.record_failure("a.ko.md", "quota").unwrap();
        assert_eq!(memory.failure("a.ko.md").unwrap().as_deref(), Some("quota"));
        // A successful write clears the file's failure.
        memory.record_file("a.ko.md", "v", "s", &[]).unwrap();
        assert_eq!(memory.failure("a.ko.md").unwrap(), None);
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        assert!(matches!(
            Memory::open(&path),
            Err(MemoryError::TooNew { .. })
        ));
    }
}
