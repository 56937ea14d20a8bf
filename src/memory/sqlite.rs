//! The embedded store: one SQLite file per checkout (the default). One dich process
//! uses it at a time (the run lock), so claims are granted at once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::checkpoint::Checkpointer;
use super::notes::NoteTable;
use super::store::{ORIGIN_RANK, Rows, SegmentRow, Store, columns};
use super::{
    Approval, Entry, FileRecord, HumanUnit, MemoryError, Origin, Proposal, StoredSegment, Verdict,
    WrittenFile,
};
use crate::lang::Lang;

/// The SQL of triggers that add one to `revision` on every row inserted, updated or
/// deleted in each of the tables named.
macro_rules! counted_changes {
    ($($table:literal),+) => {
        concat!($(
            "CREATE TRIGGER ", $table, "_inserted AFTER INSERT ON ", $table,
            " BEGIN UPDATE revision SET value = value + 1; END;\n",
            "CREATE TRIGGER ", $table, "_updated AFTER UPDATE ON ", $table,
            " BEGIN UPDATE revision SET value = value + 1; END;\n",
            "CREATE TRIGGER ", $table, "_deleted AFTER DELETE ON ", $table,
            " BEGIN UPDATE revision SET value = value + 1; END;\n",
        )+)
    };
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
    // 5: what proves a source or translated file unchanged since it was last read
    // (issue 15): its stat data and content hash, and what was derived from it.
    "CREATE TABLE file_stats (
        path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
        file_id INTEGER NOT NULL, checked_ns INTEGER NOT NULL, content_hash TEXT NOT NULL,
        stamp TEXT NOT NULL, source_hash TEXT NOT NULL, text_hash TEXT NOT NULL,
        keys TEXT NOT NULL);",
    // 6: machine proposals beside a person's block whose source changed (issue 12).
    super::proposals::MIGRATION,
    // 7: what the review and the manifest derive from a file (title, backend, review
    // hash), so a file its stat record proves unchanged is not read for them (issue 15).
    "ALTER TABLE file_stats ADD COLUMN facts TEXT NOT NULL DEFAULT '';",
    // 8: a written source once per text, not once per translated file (issue 15): the
    // three translations of one source wrote its text three times in every group
    // commit. Rows recorded before keep their text in `source` (`text_hash` empty).
    super::proposals::SOURCE_TEXTS,
    // 9: a count of every change to what the manifest is made from (issue 15): a run
    // that proved every file unchanged, with the count where it was when the manifest
    // was written, need not rebuild it. Every table but the machine segments, the stat
    // records (proved by the run itself) and the review flags counts; a table added
    // later counts too (`every_table_but_the_exempt_counts_its_changes`).
    concat!(
        "CREATE TABLE revision (value INTEGER NOT NULL);
         INSERT INTO revision (value) VALUES (0);",
        counted_changes!(
            "units",
            "unit_history",
            "files",
            "reviews",
            "failures",
            "approvals",
            "qa_warnings",
            "proposals",
            "written_sources",
            "source_texts"
        )
    ),
    // 10: the text of a translated file of at least `LONG_TEXT` bytes (`content` is
    // then empty), written into its row in place (issue 10, item 14). The last column
    // of the row, so that SQLite stores the `zeroblob` it starts as without building
    // it in memory.
    "ALTER TABLE files ADD COLUMN long_content BLOB;",
    // 11: the hash of what dich wrote at a path, read from the index alone. Every pass
    // over the project asks it of each translated file (`written_hash`), and the rows
    // of `files` hold the whole text written: each lookup read a page of the table
    // that held little else (issue 15).
    "CREATE INDEX files_written_hash ON files (path, hash);",
];

/// Tables whose changes do not count in `revision` (see migration 9).
#[cfg(test)]
const UNCOUNTED: &[&str] = &["segments", "file_stats", "review_meta", "revision"];

/// Pages the WAL may hold before a commit checkpoints it (see `configure`).
const WAL_AUTOCHECKPOINT: i64 = 2_500;

/// Texts from this size are written into their row in place ([`write_long`]) rather
/// than bound: rusqlite binds a text as `SQLITE_TRANSIENT`, so SQLite copies it once
/// to bind it and once more to build the row, two copies of a file of megabytes at
/// the peak of a run (issue 10, item 14). Shorter texts are bound (one statement).
const LONG_TEXT: usize = 1 << 20;

/// Deletes the written source text `?1` once no translated file refers to it.
const DELETE_UNUSED_TEXT: &str = "DELETE FROM source_texts WHERE hash = ?1
     AND NOT EXISTS (SELECT 1 FROM written_sources WHERE text_hash = ?1)";

/// The SQLite store.
#[derive(Debug)]
pub(super) struct Sqlite {
    /// Checkpoints the WAL beside the writer (none in memory). First, so that it is
    /// stopped before `conn` closes.
    checkpointer: Option<Checkpointer>,
    conn: Connection,
    path: PathBuf,
    /// A read batch (`begin_read`) is open: the open transaction is one `end_read`
    /// may commit, unlike a group's.
    reading: bool,
}

impl Sqlite {
    /// Deletes the long text recorded at `path`, in a transaction of its own (the open
    /// group is committed first and opened again after), before a long text replaces
    /// it. Replaced in the same transaction, the old text's pages went into SQLite's
    /// statement journal as the new text reused them, and statement journals are kept
    /// in memory (`temp_store`, see `configure`): 20 MB more at the peak of recording a
    /// 20 MB file (issue 10, item 14). Freed by a committed transaction, they are
    /// reused without. A crash in between loses only the old record, which the next
    /// `record_file` of the path would replace anyway.
    fn free_long_content(&mut self, path: &str) -> Result<(), MemoryError> {
        let long = self
            .conn
            .prepare_cached("SELECT 1 FROM files WHERE path = ?1 AND long_content IS NOT NULL")
            .and_then(|mut stmt| stmt.exists([path]))
            .map_err(|e| self.err(e))?;
        if !long {
            return Ok(());
        }
        let in_group = !self.conn.is_autocommit();
        self.commit_group()?;
        self.conn
            .execute("DELETE FROM files WHERE path = ?1", [path])
            .map_err(|e| self.err(e))?;
        if in_group {
            self.begin_group()?;
        }
        Ok(())
    }

    /// Opens (creating if needed) the file at `path`, in WAL mode, migrated. A
    /// concurrent writer is waited for up to 10 seconds.
    pub(super) fn open(path: &Path) -> Result<Sqlite, MemoryError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| MemoryError::Folder {
                path: path.to_owned(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|e| sqlite(path, e))?;
        let mut store = Sqlite {
            checkpointer: None,
            conn,
            path: path.to_owned(),
            reading: false,
        };
        store.configure(true)?;
        store.checkpointer = Checkpointer::start(path);
        Ok(store)
    }

    /// A throw-away store in memory.
    pub(super) fn in_memory() -> Result<Sqlite, MemoryError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| sqlite(&path, e))?;
        let mut store = Sqlite {
            checkpointer: None,
            conn,
            path,
            reading: false,
        };
        store.configure(false)?;
        Ok(store)
    }

    fn configure(&mut self, wal: bool) -> Result<(), MemoryError> {
        let path = self.path.clone();
        self.conn
            .busy_timeout(Duration::from_secs(10))
            .map_err(|e| sqlite(&path, e))?;
        // Statement journals in memory: a statement that changes many rows inside a
        // group (50 segments stored at once) keeps the pages it changes until it
        // ends, and past 64 KiB SQLite spilled them to a temporary file, about 40 MB
        // of writes to /var/tmp in a run of 1,000 articles (issue 15). They are
        // freed when the statement ends.
        self.conn
            .pragma_update(None, "temp_store", "MEMORY")
            .map_err(|e| sqlite(&path, e))?;
        if wal {
            self.conn
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| sqlite(&path, e))?;
            self.conn
                .pragma_update(None, "synchronous", "NORMAL")
                .map_err(|e| sqlite(&path, e))?;
            // A checkpoint runs inside the commit that crosses the limit, on the run's
            // loop, and copies every page the WAL holds back into the database, with
            // an fsync. At SQLite's default (1,000 pages, 4 MB) a run of 1,000
            // articles checkpointed every few dozen group commits, copying the same
            // hot index pages again each time. Most of the copying is now done beside
            // the writer, by the `Checkpointer`, and this limit is what lets the WAL
            // start over: the file keeps the largest size it reached, and the close
            // of the memory deletes it, which costs the kernel a step per cached
            // page. At 10,000 pages (40 MB) that deletion took 20–28 ms after a run
            // of 1,000 articles, at 2,500 pages (10 MB) 9–11 ms, with the loop's
            // time committing the same. The last checkpoint runs when the memory is
            // closed. (Issue 15; figures in docs/benchmarks.md.)
            self.conn
                .pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)
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
                path: path.display().to_string(),
                found: version,
                supported,
            });
        }
        if version == supported {
            // Up to date: no write, so opening the memory never waits for (or fails
            // on) a run holding the write lock for its group of writes.
            return Ok(());
        }
        for migration in &MIGRATIONS[version as usize..] {
            tx.execute_batch(migration).map_err(|e| sqlite(&path, e))?;
        }
        tx.pragma_update(None, "user_version", supported)
            .map_err(|e| sqlite(&path, e))?;
        tx.commit().map_err(|e| sqlite(&path, e))
    }

    fn err(&self, e: rusqlite::Error) -> MemoryError {
        sqlite(&self.path, e)
    }

    fn strings(&self, sql: &str, args: &[&str]) -> Result<Vec<String>, MemoryError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |row| row.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn string(&self, sql: &str, args: &[&str]) -> Result<Option<String>, MemoryError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut stmt| {
                stmt.query_row(rusqlite::params_from_iter(args), |row| row.get(0))
                    .optional()
            })
            .map_err(|e| self.err(e))
    }

    fn count(&self, sql: &str) -> Result<u64, MemoryError> {
        self.conn
            .query_row(sql, [], |row| row.get(0))
            .map_err(|e| self.err(e))
    }
}

impl Store for Sqlite {
    fn begin_group(&mut self) -> Result<(), MemoryError> {
        // A group's writes must not join a read batch (its COMMIT is `end_read`'s).
        self.end_read()?;
        // IMMEDIATE: the group writes anyway, and taking the write lock now means no
        // read snapshot has to be upgraded later (which fails if another connection
        // wrote meanwhile). Readers are not blocked in WAL mode.
        if self.conn.is_autocommit() {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn commit_group(&mut self) -> Result<(), MemoryError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            // Never left half open: later writes would join a group nobody commits.
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            return Err(self.err(e));
        }
        Ok(())
    }

    fn writes_done(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.soon();
        }
    }

    // A deferred BEGIN takes no lock until the first read; from then on, the reads share
    // one snapshot and one WAL read lock, where autocommit locks and unlocks around
    // every statement (`fcntl` was ~19 % of a no-op run, issue 15). Inside an open
    // group it does nothing: the group's transaction already holds the snapshot.
    fn begin_read(&mut self) -> Result<(), MemoryError> {
        if self.conn.is_autocommit() {
            self.conn.execute_batch("BEGIN").map_err(|e| self.err(e))?;
            self.reading = true;
        }
        Ok(())
    }

    // Ends only a transaction `begin_read` opened: every write calls this first, and
    // a write inside a group must stay in the group, not commit it.
    fn end_read(&mut self) -> Result<(), MemoryError> {
        if std::mem::take(&mut self.reading) && !self.conn.is_autocommit() {
            self.conn.execute_batch("COMMIT").map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn segment(
        &self,
        source: &str,
        target: &str,
        hash: &str,
    ) -> Result<Option<Entry>, MemoryError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT translation, origin, backend FROM segments
                 WHERE source_lang = ?1 AND target_lang = ?2 AND source_hash = ?3
                 ORDER BY {ORIGIN_RANK} LIMIT 1"
            ))
            .and_then(|mut stmt| {
                stmt.query_row(params![source, target, hash], |row| {
                    Ok(Entry {
                        translation: row.get(0)?,
                        origin: Origin::parse(&row.get::<_, String>(1)?),
                        backend: row.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }

    fn store_segments(
        &mut self,
        source: &str,
        target: &str,
        rows: &[SegmentRow],
        now: &str,
    ) -> Result<(), MemoryError> {
        let path = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&path, e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO segments
                     (source_lang, target_lang, source_hash, source_text, translation, origin, backend, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(|e| sqlite(&path, e))?;
            for row in rows {
                stmt.execute(params![
                    source,
                    target,
                    row.hash,
                    row.source,
                    row.translation,
                    row.origin,
                    row.backend,
                    now,
                ])
                .map_err(|e| sqlite(&path, e))?;
            }
        }
        tx.commit().map_err(|e| sqlite(&path, e))
    }

    fn entries(&self, source: &str, target: &str) -> Result<Vec<StoredSegment>, MemoryError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT source_text, translation, origin, backend, created_at FROM segments
                 WHERE source_lang = ?1 AND target_lang = ?2 ORDER BY rowid",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![source, target], |row| {
                Ok(StoredSegment {
                    source: row.get(0)?,
                    translation: row.get(1)?,
                    origin: Origin::parse(&row.get::<_, String>(2)?),
                    backend: row.get(3)?,
                    created_at: row.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn target_languages(&self, source: &str) -> Result<Vec<String>, MemoryError> {
        self.strings(
            "SELECT DISTINCT target_lang FROM segments WHERE source_lang = ?1 ORDER BY 1",
            &[source],
        )
    }

    fn segment_count(&self) -> Result<u64, MemoryError> {
        self.count("SELECT COUNT(*) FROM segments")
    }

    fn has_human_units(&self, source: &str, target: &str) -> Result<bool, MemoryError> {
        // Cached: planning asks this for every article and language.
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM units WHERE source_lang = ?1 AND target_lang = ?2)",
            )
            .and_then(|mut stmt| stmt.query_row(params![source, target], |row| row.get(0)))
            .map_err(|e| self.err(e))
    }

    fn human_unit(
        &self,
        source: &str,
        target: &str,
        key: &str,
    ) -> Result<Option<String>, MemoryError> {
        self.string(
            "SELECT translation FROM units
             WHERE source_lang = ?1 AND target_lang = ?2 AND source_hash = ?3",
            &[source, target, key],
        )
    }

    fn store_human_unit(&mut self, unit: [&str; 5], now: &str) -> Result<(), MemoryError> {
        let [source, target, key, source_text, translation] = unit;
        let path = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&path, e))?;
        tx.execute(
            "INSERT INTO unit_history
             (source_lang, target_lang, source_hash, source_text, translation, origin, replaced_at)
             SELECT source_lang, target_lang, source_hash, source_text, translation, origin, ?4
             FROM units WHERE source_lang = ?1 AND target_lang = ?2 AND source_hash = ?3
               AND translation <> ?5",
            params![source, target, key, now, translation],
        )
        .map_err(|e| sqlite(&path, e))?;
        tx.execute(
            "INSERT OR REPLACE INTO units
             (source_lang, target_lang, source_hash, source_text, translation, origin, needs_review, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'human', 0, ?6)",
            params![source, target, key, source_text, translation, now],
        )
        .map_err(|e| sqlite(&path, e))?;
        tx.commit().map_err(|e| sqlite(&path, e))
    }

    fn unit_history(
        &self,
        source: &str,
        target: &str,
        key: &str,
    ) -> Result<Vec<String>, MemoryError> {
        self.strings(
            "SELECT translation FROM unit_history
             WHERE source_lang = ?1 AND target_lang = ?2 AND source_hash = ?3 ORDER BY rowid",
            &[source, target, key],
        )
    }

    fn written(&self, path: &str) -> Result<Option<WrittenFile>, MemoryError> {
        self.conn
            .prepare_cached(
                "SELECT hash, COALESCE(long_content, content), source_hash FROM files
                 WHERE path = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([path], |row| {
                    Ok(WrittenFile {
                        hash: row.get(0)?,
                        content: text_or_long(row, 1)?,
                        source_hash: row.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }

    fn record_file(
        &mut self,
        file: [&str; 4],
        reviews: &[String],
        now: &str,
    ) -> Result<(), MemoryError> {
        let [path, hash, content, source_hash] = file;
        if content.len() >= LONG_TEXT {
            self.free_long_content(path)?;
        }
        let db = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&db, e))?;
        // Cached statements: this runs for every file a run writes.
        if content.len() < LONG_TEXT {
            execute(
                &tx,
                "INSERT OR REPLACE INTO files (path, hash, content, source_hash, written_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![path, hash, content, source_hash, now],
            )
            .map(drop)
        } else {
            execute(
                &tx,
                "INSERT OR REPLACE INTO files
                 (path, hash, content, source_hash, written_at, long_content)
                 VALUES (?1, ?2, '', ?3, ?4, zeroblob(?5))",
                params![path, hash, source_hash, now, content.len()],
            )
            .and_then(|_| {
                write_long(
                    &tx,
                    "files",
                    "long_content",
                    tx.last_insert_rowid(),
                    content,
                )
            })
        }
        .map_err(|e| sqlite(&db, e))?;
        execute(&tx, "DELETE FROM failures WHERE path = ?1", [path]).map_err(|e| sqlite(&db, e))?;
        execute(&tx, "DELETE FROM reviews WHERE path = ?1", [path]).map_err(|e| sqlite(&db, e))?;
        for key in reviews {
            execute(
                &tx,
                "INSERT OR IGNORE INTO reviews (path, unit_key, since) VALUES (?1, ?2, ?3)",
                params![path, key, now],
            )
            .map_err(|e| sqlite(&db, e))?;
        }
        tx.commit().map_err(|e| sqlite(&db, e))
    }

    fn reviews(&self, path: &str) -> Result<Vec<String>, MemoryError> {
        self.strings(
            "SELECT unit_key FROM reviews WHERE path = ?1 ORDER BY rowid",
            &[path],
        )
    }

    fn record_failure(&mut self, path: &str, reason: &str, now: &str) -> Result<(), MemoryError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO failures (path, reason, failed_at) VALUES (?1, ?2, ?3)",
                params![path, reason, now],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn failure(&self, path: &str) -> Result<Option<String>, MemoryError> {
        self.string("SELECT reason FROM failures WHERE path = ?1", &[path])
    }

    fn move_path(&mut self, from: &str, to: &str) -> Result<(), MemoryError> {
        let path = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&path, e))?;
        for table in [
            "files",
            "reviews",
            "failures",
            "proposals",
            "written_sources",
            "file_stats",
        ] {
            tx.execute(&format!("DELETE FROM {table} WHERE path = ?1"), [to])
                .and_then(|_| {
                    tx.execute(
                        &format!("UPDATE {table} SET path = ?2 WHERE path = ?1"),
                        [from, to],
                    )
                })
                .map_err(|e| sqlite(&path, e))?;
        }
        // The text of a written source replaced by the move may be used by no file now.
        tx.execute(
            "DELETE FROM source_texts WHERE hash NOT IN (SELECT text_hash FROM written_sources)",
            [],
        )
        .map_err(|e| sqlite(&path, e))?;
        tx.commit().map_err(|e| sqlite(&path, e))
    }

    fn record_qa_warnings(
        &mut self,
        path: &str,
        reasons: &[String],
        now: &str,
    ) -> Result<(), MemoryError> {
        let db = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&db, e))?;
        execute(&tx, "DELETE FROM qa_warnings WHERE path = ?1", [path])
            .map_err(|e| sqlite(&db, e))?;
        for reason in reasons {
            execute(
                &tx,
                "INSERT INTO qa_warnings (path, reason, recorded_at) VALUES (?1, ?2, ?3)",
                params![path, reason, now],
            )
            .map_err(|e| sqlite(&db, e))?;
        }
        tx.commit().map_err(|e| sqlite(&db, e))
    }

    fn qa_warnings(&self, path: &str) -> Result<Vec<String>, MemoryError> {
        self.strings(
            "SELECT reason FROM qa_warnings WHERE path = ?1 ORDER BY rowid",
            &[path],
        )
    }

    fn record_approval(&mut self, approval: &Approval) -> Result<(), MemoryError> {
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
            .map_err(|e| self.err(e))
    }

    fn approval(&self, path: &str) -> Result<Option<Approval>, MemoryError> {
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
            .map_err(|e| self.err(e))
    }

    fn approval_count(&self) -> Result<u64, MemoryError> {
        self.count("SELECT COUNT(*) FROM approvals")
    }

    fn has_notes(&self, table: NoteTable) -> Result<bool, MemoryError> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", table.name());
        self.conn
            .query_row(&sql, [], |row| row.get(0))
            .map_err(|e| self.err(e))
    }

    fn settle_file(
        &mut self,
        path: &str,
        written_hash: &str,
        content_hash: &str,
        content: &str,
    ) -> Result<(), MemoryError> {
        let db = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&db, e))?;
        tx.execute("DELETE FROM reviews WHERE path = ?1", [path])
            .map_err(|e| sqlite(&db, e))?;
        tx.execute(
            "UPDATE files SET hash = ?2, content = ?3, long_content = NULL
             WHERE path = ?1 AND hash = ?4",
            params![path, content_hash, content, written_hash],
        )
        .map_err(|e| sqlite(&db, e))?;
        tx.commit().map_err(|e| sqlite(&db, e))
    }

    fn dump(&self, table: &str) -> Result<Rows, MemoryError> {
        let columns = columns(table);
        let select = columns
            .iter()
            .map(|c| match (table, *c) {
                // A long file's text (migration 10) is handed on as its content.
                ("files", "content") => "CAST(COALESCE(long_content, content) AS TEXT)".to_owned(),
                _ => format!("CAST({c} AS TEXT)"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {select} FROM {table} ORDER BY rowid"))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |row| {
                (0..columns.len())
                    .map(|i| row.get::<_, String>(i))
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn load(&mut self, table: &str, rows: &[Vec<String>]) -> Result<u64, MemoryError> {
        let columns = columns(table);
        let marks = (1..=columns.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>();
        // A row counts as there when every column matches, so tables without a key
        // (the histories) are copied once however often the copy runs.
        let same = columns
            .iter()
            .zip(&marks)
            .map(|(c, m)| format!("{c} = {m}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let sql = format!(
            "INSERT OR IGNORE INTO {table} ({}) SELECT {} WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {same})",
            columns.join(", "),
            marks.join(", ")
        );
        let db = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&db, e))?;
        let mut added = 0;
        {
            let mut stmt = tx.prepare(&sql).map_err(|e| sqlite(&db, e))?;
            for row in rows {
                added += stmt
                    .execute(rusqlite::params_from_iter(row))
                    .map_err(|e| sqlite(&db, e))? as u64;
            }
        }
        tx.commit().map_err(|e| sqlite(&db, e))?;
        Ok(added)
    }

    fn file_record(&self, path: &str) -> Result<Option<FileRecord>, MemoryError> {
        self.conn
            .prepare_cached(
                "SELECT size, mtime_ns, file_id, checked_ns, content_hash, stamp, source_hash,
                        text_hash, keys, facts
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
                        facts: row.get(9)?,
                    })
                })
                .optional()
            })
            .map_err(|e| sqlite(&self.path, e))
    }

    fn record_file_stats(&mut self, records: &[(String, FileRecord)]) -> Result<(), MemoryError> {
        if records.is_empty() {
            return Ok(());
        }
        let db = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&db, e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO file_stats (path, size, mtime_ns, file_id,
                        checked_ns, content_hash, stamp, source_hash, text_hash, keys, facts)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
                    r.keys,
                    r.facts
                ])
                .map_err(|e| sqlite(&db, e))?;
            }
        }
        tx.commit().map_err(|e| sqlite(&db, e))
    }

    fn written_hash(&self, path: &str) -> Result<Option<String>, MemoryError> {
        self.conn
            // Named: the planner takes the primary key's index, which is not covering.
            .prepare_cached("SELECT hash FROM files INDEXED BY files_written_hash WHERE path = ?1")
            .and_then(|mut stmt| stmt.query_row([path], |row| row.get(0)).optional())
            .map_err(|e| sqlite(&self.path, e))
    }

    fn record_proposals(&mut self, proposals: &[Proposal]) -> Result<(), MemoryError> {
        let db = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&db, e))?;
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

    fn proposals(&self, path: &str) -> Result<Vec<Proposal>, MemoryError> {
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

    fn settle_proposals(&mut self, path: &str, unit_key: Option<&str>) -> Result<(), MemoryError> {
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

    fn human_history(&self, source: &Lang, target: &Lang) -> Result<Vec<HumanUnit>, MemoryError> {
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

    fn revision(&self) -> Result<Option<i64>, MemoryError> {
        self.conn
            .prepare_cached("SELECT value FROM revision")
            .and_then(|mut stmt| stmt.query_row([], |row| row.get(0)))
            .map(Some)
            .map_err(|e| sqlite(&self.path, e))
    }

    fn has_meta(&self, name: &str) -> Result<bool, MemoryError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM review_meta WHERE name = ?1)",
                [name],
                |row| row.get(0),
            )
            .map_err(|e| sqlite(&self.path, e))
    }

    fn set_meta(&mut self, name: &str, value: &str) -> Result<(), MemoryError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO review_meta (name, value) VALUES (?1, ?2)",
                [name, value],
            )
            .map(|_| ())
            .map_err(|e| sqlite(&self.path, e))
    }

    fn record_written_source(
        &mut self,
        path: &str,
        source: &str,
        hash: &str,
    ) -> Result<(), MemoryError> {
        let db = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&db, e))?;
        let old: Option<String> = tx
            .prepare_cached("SELECT text_hash FROM written_sources WHERE path = ?1")
            .and_then(|mut stmt| stmt.query_row([path], |row| row.get(0)).optional())
            .map_err(|e| sqlite(&db, e))?;
        if old.as_deref() != Some(hash) {
            // The text is stored once, whichever translations were written from it.
            if source.len() < LONG_TEXT {
                tx.prepare_cached("INSERT OR IGNORE INTO source_texts (hash, text) VALUES (?1, ?2)")
                    .and_then(|mut stmt| stmt.execute([hash, source]))
            } else {
                // `text` is the row's last column (see `LONG_TEXT`).
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO source_texts (hash, text) VALUES (?1, zeroblob(?2))",
                )
                .and_then(|mut stmt| stmt.execute(params![hash, source.len()]))
                .and_then(|added| {
                    if added == 0 {
                        return Ok(0);
                    }
                    let rowid = tx.last_insert_rowid();
                    write_long(&tx, "source_texts", "text", rowid, source).map(|()| added)
                })
            }
            .map_err(|e| sqlite(&db, e))?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO written_sources (path, source, text_hash)
                 VALUES (?1, '', ?2)",
            )
            .and_then(|mut stmt| stmt.execute([path, hash]))
            .map_err(|e| sqlite(&db, e))?;
            if let Some(old) = old.filter(|old| !old.is_empty()) {
                tx.prepare_cached(DELETE_UNUSED_TEXT)
                    .and_then(|mut stmt| stmt.execute([old]))
                    .map_err(|e| sqlite(&db, e))?;
            }
        }
        tx.commit().map_err(|e| sqlite(&db, e))
    }

    fn written_source(&self, path: &str) -> Result<Option<String>, MemoryError> {
        self.conn
            .prepare_cached(
                "SELECT COALESCE(t.text, w.source) FROM written_sources w
                 LEFT JOIN source_texts t ON t.hash = w.text_hash
                 WHERE w.path = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([path], |row| text_or_long(row, 0))
                    .optional()
            })
            .map_err(|e| sqlite(&self.path, e))
    }

    fn human_unit_source(
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

    fn retire_human_unit(
        &mut self,
        source: &Lang,
        target: &Lang,
        key: &str,
        now: &str,
    ) -> Result<(), MemoryError> {
        let db = self.path.clone();
        let tx = self.conn.savepoint().map_err(|e| sqlite(&db, e))?;
        let args = params![source.as_str(), target.as_str(), key, now];
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

/// Runs `sql` through the connection's statement cache: for the writes made once per
/// file, where preparing the statement again each time showed in profiles (issue 15).
/// Writes `text` into `column` of the row `rowid` of `table`, which holds a `zeroblob`
/// of its length, by incremental I/O: through SQLite's page cache, never whole in
/// memory again (see [`LONG_TEXT`]).
fn write_long(
    conn: &Connection,
    table: &str,
    column: &str,
    rowid: i64,
    text: &str,
) -> rusqlite::Result<()> {
    conn.blob_open(rusqlite::MAIN_DB, table, column, rowid, false)?
        .write_at(text.as_bytes(), 0)
}

/// Column `i` of `row` as text: bound as text, or written in place by [`write_long`]
/// (a blob holding the text's bytes).
fn text_or_long(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
    match row.get_ref(i)? {
        rusqlite::types::ValueRef::Blob(bytes) => String::from_utf8(bytes.to_vec()).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, Box::new(e))
        }),
        _ => row.get(i),
    }
}

fn execute(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(args)
}

fn sqlite(path: &Path, source: rusqlite::Error) -> MemoryError {
    MemoryError::Sqlite {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_written_before_migration_8_is_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        {
            // A memory as dich wrote it before migration 8: the text in `source`.
            let conn = Connection::open(&path).unwrap();
            for migration in &MIGRATIONS[..7] {
                conn.execute_batch(migration).unwrap();
            }
            conn.pragma_update(None, "user_version", 7).unwrap();
            conn.execute(
                "INSERT INTO written_sources (path, source) VALUES ('a.en.md', 'Nguồn cũ.')",
                [],
            )
            .unwrap();
        }
        let mut store = Sqlite::open(&path).unwrap();
        assert_eq!(
            store.written_source("a.en.md").unwrap().as_deref(),
            Some("Nguồn cũ.")
        );
        store
            .record_written_source("a.en.md", "Nguồn.", "h")
            .unwrap();
        assert_eq!(
            store.written_source("a.en.md").unwrap().as_deref(),
            Some("Nguồn.")
        );
    }

    #[test]
    fn every_table_but_the_exempt_counts_its_changes() {
        let store = Sqlite::in_memory().unwrap();
        let names = |kind: &str| {
            let mut stmt = store
                .conn
                .prepare("SELECT name FROM sqlite_master WHERE type = ?1")
                .unwrap();
            stmt.query_map([kind], |row| row.get::<_, String>(0))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
        };
        let triggers = names("trigger");
        for table in names("table") {
            let counted = ["inserted", "updated", "deleted"]
                .iter()
                .all(|event| triggers.contains(&format!("{table}_{event}")));
            assert_eq!(
                counted,
                !UNCOUNTED.contains(&table.as_str()),
                "{table}: a table the manifest is made from must count its changes"
            );
        }
    }

    #[test]
    fn every_insert_update_and_delete_in_a_counted_table_moves_the_revision() {
        let store = Sqlite::in_memory().unwrap();
        let conn = &store.conn;
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let revision = || -> i64 {
            conn.query_row("SELECT value FROM revision", [], |row| row.get(0))
                .unwrap()
        };
        for table in tables.iter().filter(|t| !UNCOUNTED.contains(&t.as_str())) {
            let columns: Vec<String> = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .unwrap()
                .query_map([], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let values = vec!["'1'"; columns.len()].join(", ");
            let first = &columns[0];
            for sql in [
                format!(
                    "INSERT INTO {table} ({}) VALUES ({values})",
                    columns.join(", ")
                ),
                format!("UPDATE {table} SET {first} = {first}"),
                format!("DELETE FROM {table}"),
            ] {
                let before = revision();
                conn.execute(&sql, []).unwrap();
                assert!(revision() > before, "{sql} did not count");
            }
        }
    }

    #[test]
    fn a_change_to_a_counted_table_moves_the_revision_and_a_review_flag_does_not() {
        let mut store = Sqlite::in_memory().unwrap();
        let before = store.revision().unwrap().unwrap();
        store
            .record_failure("a.en.md", "timeout", "2026-12-01T00:00:00Z")
            .unwrap();
        let failed = store.revision().unwrap().unwrap();
        assert!(failed > before);
        store.set_meta("flag", "x").unwrap();
        assert_eq!(store.revision().unwrap().unwrap(), failed);
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
            Sqlite::open(&path),
            Err(MemoryError::TooNew { .. })
        ));
    }
}
