//! The shared store: a PostgreSQL database that many checkouts, repositories and CI
//! runners use at once (issue 16).
//!
//! Why a thread of its own: the memory's API is synchronous (the pipeline calls it
//! between awaits, as it does SQLite) and is called from inside the tokio runtime,
//! where the blocking `postgres` client panics ("Cannot start a runtime from within a
//! runtime") and `block_in_place` is refused on a current-thread runtime. Making the
//! whole memory async would change every caller in the pipeline for one store. So the
//! blocking client lives on a dedicated thread (with its own runtime, outside tokio's
//! context), and each call sends it a closure and waits for the answer: the same
//! blocking-call shape the SQLite store has, one round trip per call.
//!
//! Sharing: segments and human units carry the repository that stored them and are
//! read across repositories as `[memory] share` allows; what dich wrote, failures,
//! reviews, QA warnings and approvals are per checkout (`workspace`), because two
//! clones' files differ until each has run.

mod connection;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use postgres::Client;
use postgres::config::SslMode;
use postgres::error::SqlState;
use secrecy::ExposeSecret as _;

use self::connection::Connection;
use super::notes::NoteTable;
use super::store::{ORIGIN_RANK, Rows, SegmentRow, Store, TABLES, columns};
use super::{
    Approval, Entry, FileRecord, HumanUnit, MemoryError, Origin, Proposal, Share, Shared,
    StoredSegment, Verdict, WrittenFile,
};
use crate::lang::Lang;

/// Schema migrations, applied in order in one transaction under an advisory lock (so
/// processes starting together migrate once); the index + 1 is the schema version,
/// kept in `dich_schema`.
const MIGRATIONS: &[&str] = &[
    // 1: what the SQLite memory holds, with the repository (segments, units) or the
    // checkout (per-file tables) each row belongs to.
    "CREATE TABLE segments (
        source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, source_hash TEXT NOT NULL,
        source_text TEXT NOT NULL, translation TEXT NOT NULL, origin TEXT NOT NULL,
        backend TEXT NOT NULL DEFAULT '', repository TEXT NOT NULL, created_at TEXT NOT NULL,
        seq BIGSERIAL NOT NULL,
        PRIMARY KEY (source_lang, target_lang, source_hash, origin, backend, repository));
     CREATE TABLE units (
        repository TEXT NOT NULL,
        source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, source_hash TEXT NOT NULL,
        source_text TEXT NOT NULL, translation TEXT NOT NULL, origin TEXT NOT NULL,
        needs_review INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
        seq BIGSERIAL NOT NULL,
        PRIMARY KEY (source_lang, target_lang, source_hash, repository));
     CREATE TABLE unit_history (
        repository TEXT NOT NULL,
        source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, source_hash TEXT NOT NULL,
        source_text TEXT NOT NULL, translation TEXT NOT NULL, origin TEXT NOT NULL,
        replaced_at TEXT NOT NULL, seq BIGSERIAL NOT NULL);
     CREATE INDEX unit_history_key ON unit_history (source_lang, target_lang, source_hash);
     CREATE TABLE files (
        workspace TEXT NOT NULL, path TEXT NOT NULL, hash TEXT NOT NULL,
        content TEXT NOT NULL, source_hash TEXT NOT NULL, written_at TEXT NOT NULL,
        PRIMARY KEY (workspace, path));
     CREATE TABLE reviews (
        workspace TEXT NOT NULL, path TEXT NOT NULL, unit_key TEXT NOT NULL,
        since TEXT NOT NULL, seq BIGSERIAL NOT NULL,
        PRIMARY KEY (workspace, path, unit_key));
     CREATE TABLE failures (
        workspace TEXT NOT NULL, path TEXT NOT NULL, reason TEXT NOT NULL,
        failed_at TEXT NOT NULL, PRIMARY KEY (workspace, path));
     CREATE TABLE approvals (
        workspace TEXT NOT NULL, path TEXT NOT NULL, verdict TEXT NOT NULL,
        \"by\" TEXT NOT NULL, at TEXT NOT NULL, source_hash TEXT NOT NULL,
        translation_hash TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (workspace, path));
     CREATE TABLE qa_warnings (
        workspace TEXT NOT NULL, path TEXT NOT NULL, reason TEXT NOT NULL,
        recorded_at TEXT NOT NULL, seq BIGSERIAL NOT NULL);
     CREATE INDEX qa_warnings_path ON qa_warnings (workspace, path);",
    // 2: claims on segments being translated, with a lease that expires when their
    // holder dies (several writers, each segment paid once).
    "CREATE TABLE claims (
        source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, source_hash TEXT NOT NULL,
        holder TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (source_lang, target_lang, source_hash));
     CREATE INDEX claims_holder ON claims (holder);",
    // 3: what SQLite's migrations 5 and 6 added (issues 15 and 12), per checkout: the
    // stat records of files, machine proposals beside a person's block, review flags,
    // and the source each translation was written from.
    "CREATE TABLE file_stats (
        workspace TEXT NOT NULL, path TEXT NOT NULL, size BIGINT NOT NULL,
        mtime_ns BIGINT NOT NULL, file_id BIGINT NOT NULL, checked_ns BIGINT NOT NULL,
        content_hash TEXT NOT NULL, stamp TEXT NOT NULL, source_hash TEXT NOT NULL,
        text_hash TEXT NOT NULL, keys TEXT NOT NULL, PRIMARY KEY (workspace, path));
     CREATE TABLE proposals (
        workspace TEXT NOT NULL, path TEXT NOT NULL, unit_key TEXT NOT NULL,
        old_source TEXT NOT NULL, new_source TEXT NOT NULL, person TEXT NOT NULL,
        proposal TEXT NOT NULL, in_file BOOLEAN NOT NULL, created_at TEXT NOT NULL,
        seq BIGSERIAL NOT NULL, PRIMARY KEY (workspace, path, unit_key));
     CREATE TABLE review_meta (
        workspace TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (workspace, name));
     CREATE TABLE written_sources (
        workspace TEXT NOT NULL, path TEXT NOT NULL, source TEXT NOT NULL,
        PRIMARY KEY (workspace, path));",
    // 4: what SQLite's migration 7 added (issue 15): what the review and the manifest
    // derive from a file, kept with its stat record.
    "ALTER TABLE file_stats ADD COLUMN facts TEXT NOT NULL DEFAULT '';",
    // 5: what SQLite's migration 8 added (issue 15): each written source's text once
    // per checkout, by its hash. Rows recorded before keep their text in `source`.
    "CREATE TABLE source_texts (
        workspace TEXT NOT NULL, hash TEXT NOT NULL, text TEXT NOT NULL,
        PRIMARY KEY (workspace, hash));
     ALTER TABLE written_sources ADD COLUMN text_hash TEXT NOT NULL DEFAULT '';
     CREATE INDEX written_sources_text ON written_sources (workspace, text_hash);",
];

/// Any number: the advisory lock the migrations take.
const MIGRATION_LOCK: i64 = 0x6469_6368;

/// A claim statement's condition: the claims matching `filter`, locked first in key
/// order. Every statement that locks claim rows (claiming, renewing, releasing)
/// takes them in this one order, so two processes working on the same segments
/// wait for each other at most in turn, never in a cycle. In the table's order, a
/// renewal and another process's claim used to deadlock, and PostgreSQL then failed
/// one of them, and its run with it.
fn claims_in_key_order(filter: &str) -> String {
    format!(
        "(source_lang, target_lang, source_hash) IN (
            SELECT source_lang, target_lang, source_hash FROM claims WHERE {filter}
            ORDER BY source_lang, target_lang, source_hash FOR UPDATE)"
    )
}

/// Releases this process's claims on some segments of one language pair
/// (`$1`, `$2`: the pair; `$3`: the hashes; `$4`: the holder).
fn release_claims_sql() -> String {
    format!(
        "DELETE FROM claims WHERE {}",
        claims_in_key_order(
            "source_lang = $1 AND target_lang = $2 AND source_hash = ANY($3) AND holder = $4"
        )
    )
}

/// How many times in all a job is tried when the server fails it to break a deadlock
/// or a serialization conflict: its transaction was rolled back whole, and a second
/// try meets the other process in another state.
const TRANSIENT_TRIES: u32 = 5;

/// Whether `error` is one the server asks the client to retry: a deadlock broken
/// (`40P01`) or a serialization conflict (`40001`). Not the rest of class 40: a
/// statement whose outcome is unknown (`40003`) must not run twice.
fn is_transient(error: &postgres::Error) -> bool {
    error.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// Which segments (alias `s`) this repository sees: its own, and others' as `share`
/// allows. `$R` is the repository, `$S` the share mode.
const VISIBLE: &str =
    "(s.repository = $R OR $S = 'all' OR ($S = 'human-only' AND s.origin <> 'machine'))";

/// A row when the segment `h` of the pair `$1`, `$2` has a visible translation: the
/// claims' test of "translated already", joined laterally to the hashes of a call.
/// Written as a lateral subquery with a limit, not `EXISTS`, so that each hash is
/// looked up in the index whatever the plan: a plan cached while the table was small
/// turned `EXISTS` into a join reading every row of the language pair, and kept it
/// as the table grew (4-5 ms a call at 48,000 segments).
fn translated_sql() -> String {
    format!(
        "SELECT 1 AS found FROM segments s WHERE s.source_lang = $1 AND s.target_lang = $2
         AND s.source_hash = h AND {VISIBLE} LIMIT 1"
    )
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The PostgreSQL store: a handle on the thread that owns the connection.
#[derive(Debug)]
pub(super) struct Postgres {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    server: String,
    repository: String,
    workspace: String,
    share: Share,
    lease_seconds: f64,
    /// This process in the claims table: host, process id and a random part.
    holder: String,
    /// Calls made and the time spent waiting for their answers, logged at the end
    /// (`DICH_LOG=dich::memory=debug`) for the benchmark's database share.
    busy: std::cell::Cell<(u64, std::time::Duration)>,
}

impl Postgres {
    /// Connects (TLS when the URL says `sslmode=require`) and migrates.
    pub(super) fn connect(settings: &Shared) -> Result<Postgres, MemoryError> {
        let server = settings.url.clone();
        let mut config: postgres::Config =
            settings
                .url
                .parse()
                .map_err(|source| MemoryError::Postgres {
                    server: server.clone(),
                    source,
                })?;
        if let Some(password) = &settings.password {
            config.password(password.expose_secret());
        }
        let tls = match config.get_ssl_mode() {
            SslMode::Require => Some(tls_config()?),
            _ => None,
        };
        let (jobs, receive) = mpsc::channel::<Job>();
        let (ready, connected) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("dich-postgres".into())
            .spawn(move || {
                let client = match tls {
                    Some(tls) => config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls)),
                    None => config.connect(postgres::NoTls),
                };
                let mut connection = match client.and_then(|mut c| migrate(&mut c).map(|v| (c, v)))
                {
                    Ok((client, version)) => {
                        let _ = ready.send(Ok(version));
                        Connection::new(client)
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                for job in receive {
                    job(&mut connection);
                }
            })
            .map_err(|e| MemoryError::Settings(format!("cannot start the database thread: {e}")))?;
        let version = connected
            .recv()
            .map_err(|_| MemoryError::Disconnected(server.clone()))?
            .map_err(|source| MemoryError::Postgres {
                server: server.clone(),
                source,
            })?;
        let supported = MIGRATIONS.len() as i32;
        if version > supported {
            return Err(MemoryError::TooNew {
                path: server,
                found: i64::from(version),
                supported: i64::from(supported),
            });
        }
        let host = std::env::var("HOSTNAME").unwrap_or_default();
        Ok(Postgres {
            jobs: Some(jobs),
            thread: Some(thread),
            server,
            repository: settings.repository.clone(),
            workspace: settings.workspace.clone(),
            share: settings.share,
            lease_seconds: settings.lease.as_secs_f64(),
            holder: format!(
                "{host}:{}:{:016x}",
                std::process::id(),
                rand::random::<u64>()
            ),
            busy: std::cell::Cell::default(),
        })
    }

    /// Runs `f` on the connection's thread and waits for its answer.
    /// Every job is one transaction, or statements that may run again (upserts), so a
    /// job failed by a transient conflict ([`is_transient`]) is tried again, up to
    /// [`TRANSIENT_TRIES`] times in all.
    fn call<T: Send + 'static>(
        &self,
        mut f: impl FnMut(&mut Connection) -> Result<T, postgres::Error> + Send + 'static,
    ) -> Result<T, MemoryError> {
        let gone = || MemoryError::Disconnected(self.server.clone());
        let started = std::time::Instant::now();
        let _timer = Timer(&self.busy, started);
        let (answer, answered) = mpsc::sync_channel(1);
        self.jobs
            .as_ref()
            .ok_or_else(gone)?
            .send(Box::new(move |client| {
                let mut tries = 1;
                let result = loop {
                    match f(client) {
                        Err(e) if is_transient(&e) && tries < TRANSIENT_TRIES => tries += 1,
                        result => break result,
                    }
                };
                let _ = answer.send(result);
            }))
            .map_err(|_| gone())?;
        answered
            .recv()
            .map_err(|_| gone())?
            .map_err(|source| MemoryError::Postgres {
                server: self.server.clone(),
                source,
            })
    }

    /// `sql` with `$R` and `$S` (see [`VISIBLE`]) bound to the parameters after
    /// the first `used` ones.
    fn visible(&self, sql: &str, used: usize) -> String {
        sql.replace("$R", &format!("${}", used + 1))
            .replace("$S", &format!("${}", used + 2))
    }

    fn owned(&self) -> (String, String, String) {
        (
            self.repository.clone(),
            self.share.as_str().to_owned(),
            self.workspace.clone(),
        )
    }

    /// The strings of the first column of `sql`'s rows, with `args` (all text).
    fn strings(&self, sql: &str, args: Vec<String>) -> Result<Vec<String>, MemoryError> {
        let sql = sql.to_owned();
        self.call(move |c| {
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                args.iter().map(|a| a as _).collect();
            Ok(c.query(&sql, &params)?
                .iter()
                .map(|row| row.get(0))
                .collect())
        })
    }

    fn string(&self, sql: &str, args: Vec<String>) -> Result<Option<String>, MemoryError> {
        Ok(self.strings(sql, args)?.into_iter().next())
    }

    /// One column of the newest human unit for `[source, target, key]` that this
    /// repository may see: its own first, then (unless `share = "none"`) others'.
    /// `column` is one of this file's literals, never input.
    fn latest_unit(
        &self,
        column: &str,
        [source, target, key]: [&str; 3],
    ) -> Result<Option<String>, MemoryError> {
        let (repository, share, _) = self.owned();
        self.string(
            &format!(
                "SELECT {column} FROM units
                 WHERE source_lang = $1 AND target_lang = $2 AND source_hash = $3
                   AND (repository = $4 OR $5 <> 'none')
                 ORDER BY (repository = $4) DESC, seq DESC LIMIT 1"
            ),
            vec![
                source.to_owned(),
                target.to_owned(),
                key.to_owned(),
                repository,
                share,
            ],
        )
    }

    fn execute(&self, sql: &str, args: Vec<String>) -> Result<(), MemoryError> {
        let sql = sql.to_owned();
        self.call(move |c| {
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                args.iter().map(|a| a as _).collect();
            c.execute(&sql, &params).map(|_| ())
        })
    }

    fn count(&self, sql: &str, args: Vec<String>) -> Result<u64, MemoryError> {
        let sql = sql.to_owned();
        self.call(move |c| {
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                args.iter().map(|a| a as _).collect();
            let n: i64 = c.query_one(&sql, &params)?.get(0);
            Ok(n.max(0) as u64)
        })
    }
}

/// Adds the time since `.1` to the busy counter when dropped (every way out of a call).
struct Timer<'a>(
    &'a std::cell::Cell<(u64, std::time::Duration)>,
    std::time::Instant,
);

impl Drop for Timer<'_> {
    fn drop(&mut self) {
        let (calls, time) = self.0.get();
        self.0.set((calls + 1, time + self.1.elapsed()));
    }
}

impl Drop for Postgres {
    /// Releases this process's claims (a clean exit need not wait for the lease),
    /// then lets the connection's thread end.
    fn drop(&mut self) {
        let holder = self.holder.clone();
        let release = format!(
            "DELETE FROM claims WHERE {}",
            claims_in_key_order("holder = $1")
        );
        let _ = self.call(move |c| c.execute(&release, &[&holder]));
        let (calls, time) = self.busy.get();
        tracing::debug!(
            "postgres memory: {calls} calls, {:.3} s waiting for the database",
            time.as_secs_f64()
        );
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// rustls with the web's root certificates, plus the PEM certificates of the file
/// `PGSSLROOTCERT` names (libpq's variable) for a server with a private CA.
fn tls_config() -> Result<rustls::ClientConfig, MemoryError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Ok(file) = std::env::var("PGSSLROOTCERT") {
        let certs = CertificateDer::pem_file_iter(&file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| MemoryError::Settings(format!("PGSSLROOTCERT `{file}`: {e}")))?;
        roots.add_parsable_certificates(certs);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| MemoryError::Settings(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Applies the migrations this database lacks; returns its version before (a newer
/// one than this build knows is left alone and refused by the caller).
fn migrate(client: &mut Client) -> Result<i32, postgres::Error> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS dich_schema (version INTEGER NOT NULL)")?;
    let version: i32 = tx
        .query_opt("SELECT version FROM dich_schema", &[])?
        .map_or(0, |row| row.get(0));
    let supported = MIGRATIONS.len() as i32;
    if version >= supported {
        tx.commit()?;
        return Ok(version);
    }
    for migration in &MIGRATIONS[version.max(0) as usize..] {
        tx.batch_execute(migration)?;
    }
    tx.execute("DELETE FROM dich_schema", &[])?;
    tx.execute(
        "INSERT INTO dich_schema (version) VALUES ($1)",
        &[&supported],
    )?;
    tx.commit()?;
    Ok(version)
}

/// `$first::text, $first+1::text, …` for `n` parameters.
fn marks(first: usize, n: usize) -> Vec<String> {
    (first..first + n).map(|i| format!("${i}::text")).collect()
}

impl Store for Postgres {
    fn segment(
        &self,
        source: &str,
        target: &str,
        hash: &str,
    ) -> Result<Option<Entry>, MemoryError> {
        let mut found = self.segments(source, target, &[hash.to_owned()])?;
        Ok(found.pop().flatten())
    }

    fn segments(
        &self,
        source: &str,
        target: &str,
        hashes: &[String],
    ) -> Result<Vec<Option<Entry>>, MemoryError> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        // `segment`'s query for each hash. Each looks its hash up in the index: the
        // planner may read `source_hash = ANY($3)` as a filter on every row of the
        // language pair instead (it did, 8 ms for 48 hashes in 1,605 rows, 0.6 ms so).
        let sql = self.visible(
            &format!(
                "SELECT h, e.translation, e.origin, e.backend FROM unnest($3::text[]) AS h
                 CROSS JOIN LATERAL (SELECT translation, origin, backend FROM segments s
                    WHERE source_lang = $1 AND target_lang = $2 AND source_hash = h
                      AND {VISIBLE}
                    ORDER BY {ORIGIN_RANK}, (s.repository = $R) DESC, seq DESC LIMIT 1) e"
            ),
            3,
        );
        let (repository, share, _) = self.owned();
        let (source, target, wanted) = (source.to_owned(), target.to_owned(), hashes.to_vec());
        let found: HashMap<String, Entry> = self.call(move |c| {
            let rows = c.query(&sql, &[&source, &target, &wanted, &repository, &share])?;
            Ok(rows
                .iter()
                .map(|row| {
                    let entry = Entry {
                        translation: row.get(1),
                        origin: Origin::parse(row.get(2)),
                        backend: row.get(3),
                    };
                    (row.get(0), entry)
                })
                .collect())
        })?;
        Ok(hashes.iter().map(|hash| found.get(hash).cloned()).collect())
    }

    fn store_segments(
        &mut self,
        source: &str,
        target: &str,
        rows: &[SegmentRow],
        now: &str,
    ) -> Result<(), MemoryError> {
        let (repository, _, _) = self.owned();
        let (source, target, now) = (source.to_owned(), target.to_owned(), now.to_owned());
        // One statement cannot update a row twice: of the same segment stored twice
        // by one call, the last is kept, in its place, as storing them one after the
        // other did. The rows keep the call's order, and `seq` (the order `entries`
        // exports) with it. Two processes storing the same segments (one took the
        // other's expired claims over) may then deadlock on them: rare, and the job
        // is run again ([`is_transient`]).
        let mut seen = std::collections::HashSet::new();
        let mut rows: Vec<&SegmentRow> = (rows.iter().rev())
            .filter(|r| seen.insert((&r.hash, r.origin, &r.backend)))
            .collect();
        rows.reverse();
        let rows: Vec<SegmentRow> = rows.into_iter().cloned().collect();
        let holder = self.holder.clone();
        self.call(move |c| {
            let mut tx = c.transaction()?;
            // Every row in one statement (a round trip per row was most of a store).
            let column = |field: fn(&SegmentRow) -> &str| rows.iter().map(field).collect::<Vec<_>>();
            tx.execute(
                "INSERT INTO segments
                 (source_lang, target_lang, source_hash, source_text, translation, origin, backend, repository, created_at)
                 SELECT $1, $2, r.hash, r.source, r.translation, r.origin, r.backend, $8, $9
                 FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                    AS r(hash, source, translation, origin, backend)
                 ON CONFLICT (source_lang, target_lang, source_hash, origin, backend, repository)
                 DO UPDATE SET source_text = EXCLUDED.source_text,
                    translation = EXCLUDED.translation, created_at = EXCLUDED.created_at,
                    seq = nextval(pg_get_serial_sequence('segments', 'seq'))",
                &[
                    &source,
                    &target,
                    &column(|r| &r.hash),
                    &column(|r| &r.source),
                    &column(|r| &r.translation),
                    &column(|r| r.origin),
                    &column(|r| &r.backend),
                    &repository,
                    &now,
                ],
            )?;
            // Released with the commit that makes the translations visible, so a
            // process waiting on them sees either the claim or the result.
            let hashes: Vec<&str> = rows.iter().map(|r| r.hash.as_str()).collect();
            tx.execute(&release_claims_sql(), &[&source, &target, &hashes, &holder])?;
            tx.commit()
        })
    }

    fn entries(&self, source: &str, target: &str) -> Result<Vec<StoredSegment>, MemoryError> {
        let sql = self.visible(
            &format!(
                "SELECT source_text, translation, origin, backend, created_at FROM segments s
                 WHERE source_lang = $1 AND target_lang = $2 AND {VISIBLE} ORDER BY seq"
            ),
            2,
        );
        let (repository, share, _) = self.owned();
        let (source, target) = (source.to_owned(), target.to_owned());
        self.call(move |c| {
            Ok(c.query(&sql, &[&source, &target, &repository, &share])?
                .iter()
                .map(|row| StoredSegment {
                    source: row.get(0),
                    translation: row.get(1),
                    origin: Origin::parse(row.get(2)),
                    backend: row.get(3),
                    created_at: row.get(4),
                })
                .collect())
        })
    }

    fn target_languages(&self, source: &str) -> Result<Vec<String>, MemoryError> {
        let (repository, share, _) = self.owned();
        self.strings(
            &self.visible(
                &format!(
                    "SELECT DISTINCT target_lang FROM segments s
                     WHERE source_lang = $1 AND {VISIBLE} ORDER BY 1"
                ),
                1,
            ),
            vec![source.to_owned(), repository, share],
        )
    }

    fn segment_count(&self) -> Result<u64, MemoryError> {
        let (repository, share, _) = self.owned();
        self.count(
            &self.visible(
                &format!("SELECT COUNT(*) FROM segments s WHERE {VISIBLE}"),
                0,
            ),
            vec![repository, share],
        )
    }

    fn has_human_units(&self, source: &str, target: &str) -> Result<bool, MemoryError> {
        let (repository, share, _) = self.owned();
        let n = self.count(
            "SELECT COUNT(*) FROM (SELECT 1 FROM units
             WHERE source_lang = $1 AND target_lang = $2 AND (repository = $3 OR $4 <> 'none')
             LIMIT 1) AS one",
            vec![source.to_owned(), target.to_owned(), repository, share],
        )?;
        Ok(n > 0)
    }

    fn human_unit(
        &self,
        source: &str,
        target: &str,
        key: &str,
    ) -> Result<Option<String>, MemoryError> {
        self.latest_unit("translation", [source, target, key])
    }

    fn store_human_unit(&mut self, unit: [&str; 5], now: &str) -> Result<(), MemoryError> {
        let (repository, _, _) = self.owned();
        let [source, target, key, source_text, translation] = unit.map(str::to_owned);
        let now = now.to_owned();
        self.call(move |c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "INSERT INTO unit_history
                 (repository, source_lang, target_lang, source_hash, source_text, translation, origin, replaced_at)
                 SELECT repository, source_lang, target_lang, source_hash, source_text, translation, origin, $5
                 FROM units WHERE source_lang = $1 AND target_lang = $2 AND source_hash = $3
                   AND repository = $4 AND translation <> $6",
                &[&source, &target, &key, &repository, &now, &translation],
            )?;
            tx.execute(
                "INSERT INTO units
                 (repository, source_lang, target_lang, source_hash, source_text, translation, origin, needs_review, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'human', 0, $7)
                 ON CONFLICT (source_lang, target_lang, source_hash, repository)
                 DO UPDATE SET source_text = EXCLUDED.source_text, translation = EXCLUDED.translation,
                    origin = 'human', needs_review = 0, created_at = EXCLUDED.created_at,
                    seq = nextval(pg_get_serial_sequence('units', 'seq'))",
                &[&repository, &source, &target, &key, &source_text, &translation, &now],
            )?;
            tx.commit()
        })
    }

    fn unit_history(
        &self,
        source: &str,
        target: &str,
        key: &str,
    ) -> Result<Vec<String>, MemoryError> {
        let (repository, share, _) = self.owned();
        self.strings(
            "SELECT translation FROM unit_history
             WHERE source_lang = $1 AND target_lang = $2 AND source_hash = $3
               AND (repository = $4 OR $5 <> 'none')
             ORDER BY seq",
            vec![
                source.to_owned(),
                target.to_owned(),
                key.to_owned(),
                repository,
                share,
            ],
        )
    }

    fn written(&self, path: &str) -> Result<Option<WrittenFile>, MemoryError> {
        let (_, _, workspace) = self.owned();
        let path = path.to_owned();
        self.call(move |c| {
            Ok(c.query_opt(
                "SELECT hash, content, source_hash FROM files WHERE workspace = $1 AND path = $2",
                &[&workspace, &path],
            )?
            .map(|row| WrittenFile {
                hash: row.get(0),
                content: row.get(1),
                source_hash: row.get(2),
            }))
        })
    }

    fn record_file(
        &mut self,
        file: [&str; 4],
        reviews: &[String],
        now: &str,
    ) -> Result<(), MemoryError> {
        let (_, _, workspace) = self.owned();
        let [path, hash, content, source_hash] = file.map(str::to_owned);
        let (reviews, now) = (reviews.to_vec(), now.to_owned());
        self.call(move |c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "INSERT INTO files (workspace, path, hash, content, source_hash, written_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (workspace, path) DO UPDATE SET hash = EXCLUDED.hash,
                    content = EXCLUDED.content, source_hash = EXCLUDED.source_hash,
                    written_at = EXCLUDED.written_at",
                &[&workspace, &path, &hash, &content, &source_hash, &now],
            )?;
            for table in ["failures", "reviews"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE workspace = $1 AND path = $2"),
                    &[&workspace, &path],
                )?;
            }
            for key in &reviews {
                tx.execute(
                    "INSERT INTO reviews (workspace, path, unit_key, since) VALUES ($1, $2, $3, $4)
                     ON CONFLICT DO NOTHING",
                    &[&workspace, &path, key, &now],
                )?;
            }
            tx.commit()
        })
    }

    fn reviews(&self, path: &str) -> Result<Vec<String>, MemoryError> {
        let (_, _, workspace) = self.owned();
        self.strings(
            "SELECT unit_key FROM reviews WHERE workspace = $1 AND path = $2 ORDER BY seq",
            vec![workspace, path.to_owned()],
        )
    }

    fn record_failure(&mut self, path: &str, reason: &str, now: &str) -> Result<(), MemoryError> {
        let (_, _, workspace) = self.owned();
        self.execute(
            "INSERT INTO failures (workspace, path, reason, failed_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (workspace, path) DO UPDATE SET reason = EXCLUDED.reason,
                failed_at = EXCLUDED.failed_at",
            vec![
                workspace,
                path.to_owned(),
                reason.to_owned(),
                now.to_owned(),
            ],
        )
    }

    fn failure(&self, path: &str) -> Result<Option<String>, MemoryError> {
        let (_, _, workspace) = self.owned();
        self.string(
            "SELECT reason FROM failures WHERE workspace = $1 AND path = $2",
            vec![workspace, path.to_owned()],
        )
    }

    fn move_path(&mut self, from: &str, to: &str) -> Result<(), MemoryError> {
        let (_, _, workspace) = self.owned();
        let (from, to) = (from.to_owned(), to.to_owned());
        self.call(move |c| {
            let mut tx = c.transaction()?;
            for table in [
                "files",
                "reviews",
                "failures",
                "proposals",
                "written_sources",
                "file_stats",
            ] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE workspace = $1 AND path = $2"),
                    &[&workspace, &to],
                )?;
                tx.execute(
                    &format!("UPDATE {table} SET path = $3 WHERE workspace = $1 AND path = $2"),
                    &[&workspace, &from, &to],
                )?;
            }
            // The text of a written source replaced by the move may be used by no file now.
            tx.execute(
                "DELETE FROM source_texts s WHERE workspace = $1 AND NOT EXISTS
                 (SELECT 1 FROM written_sources w WHERE w.workspace = $1 AND w.text_hash = s.hash)",
                &[&workspace],
            )?;
            tx.commit()
        })
    }

    fn record_qa_warnings(
        &mut self,
        path: &str,
        reasons: &[String],
        now: &str,
    ) -> Result<(), MemoryError> {
        let (_, _, workspace) = self.owned();
        let (path, reasons, now) = (path.to_owned(), reasons.to_vec(), now.to_owned());
        self.call(move |c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "DELETE FROM qa_warnings WHERE workspace = $1 AND path = $2",
                &[&workspace, &path],
            )?;
            for reason in &reasons {
                tx.execute(
                    "INSERT INTO qa_warnings (workspace, path, reason, recorded_at)
                     VALUES ($1, $2, $3, $4)",
                    &[&workspace, &path, reason, &now],
                )?;
            }
            tx.commit()
        })
    }

    fn qa_warnings(&self, path: &str) -> Result<Vec<String>, MemoryError> {
        let (_, _, workspace) = self.owned();
        self.strings(
            "SELECT reason FROM qa_warnings WHERE workspace = $1 AND path = $2 ORDER BY seq",
            vec![workspace, path.to_owned()],
        )
    }

    fn record_approval(&mut self, approval: &Approval) -> Result<(), MemoryError> {
        let (_, _, workspace) = self.owned();
        self.execute(
            "INSERT INTO approvals
             (workspace, path, verdict, \"by\", at, source_hash, translation_hash, reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (workspace, path) DO UPDATE SET verdict = EXCLUDED.verdict,
                \"by\" = EXCLUDED.\"by\", at = EXCLUDED.at, source_hash = EXCLUDED.source_hash,
                translation_hash = EXCLUDED.translation_hash, reason = EXCLUDED.reason",
            vec![
                workspace,
                approval.path.clone(),
                approval.verdict.as_str().to_owned(),
                approval.by.clone(),
                approval.at.clone(),
                approval.source_hash.clone(),
                approval.translation_hash.clone(),
                approval.reason.clone(),
            ],
        )
    }

    fn approval(&self, path: &str) -> Result<Option<Approval>, MemoryError> {
        let (_, _, workspace) = self.owned();
        let path = path.to_owned();
        self.call(move |c| {
            Ok(c.query_opt(
                "SELECT verdict, \"by\", at, source_hash, translation_hash, reason
                 FROM approvals WHERE workspace = $1 AND path = $2",
                &[&workspace, &path],
            )?
            .map(|row| Approval {
                path: path.clone(),
                // An unknown verdict (a newer dich) is read as the safer one.
                verdict: Verdict::parse(row.get(0)).unwrap_or(Verdict::Rejected),
                by: row.get(1),
                at: row.get(2),
                source_hash: row.get(3),
                translation_hash: row.get(4),
                reason: row.get(5),
            }))
        })
    }

    fn approval_count(&self) -> Result<u64, MemoryError> {
        let (_, _, workspace) = self.owned();
        self.count(
            "SELECT COUNT(*) FROM approvals WHERE workspace = $1",
            vec![workspace],
        )
    }

    fn has_notes(&self, table: NoteTable) -> Result<bool, MemoryError> {
        let (_, _, workspace) = self.owned();
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {} WHERE workspace = $1 LIMIT 1) AS one",
            table.name()
        );
        Ok(self.count(&sql, vec![workspace])? > 0)
    }

    fn settle_file(
        &mut self,
        path: &str,
        written_hash: &str,
        content_hash: &str,
        content: &str,
    ) -> Result<(), MemoryError> {
        let (_, _, workspace) = self.owned();
        let [path, written_hash, content_hash, content] =
            [path, written_hash, content_hash, content].map(str::to_owned);
        self.call(move |c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "DELETE FROM reviews WHERE workspace = $1 AND path = $2",
                &[&workspace, &path],
            )?;
            tx.execute(
                "UPDATE files SET hash = $3, content = $4
                 WHERE workspace = $1 AND path = $2 AND hash = $5",
                &[&workspace, &path, &content_hash, &content, &written_hash],
            )?;
            tx.commit()
        })
    }

    fn file_record(&self, path: &str) -> Result<Option<FileRecord>, MemoryError> {
        let (_, _, workspace) = self.owned();
        let path = path.to_owned();
        self.call(move |c| {
            Ok(c.query_opt(
                "SELECT size, mtime_ns, file_id, checked_ns, content_hash, stamp, source_hash,
                        text_hash, keys, facts
                 FROM file_stats WHERE workspace = $1 AND path = $2",
                &[&workspace, &path],
            )?
            .map(|row| FileRecord {
                // Stored as PostgreSQL's signed integers, bit for bit.
                size: row.get::<_, i64>(0) as u64,
                mtime_ns: row.get(1),
                file_id: row.get::<_, i64>(2) as u64,
                checked_ns: row.get(3),
                content_hash: row.get(4),
                stamp: row.get(5),
                source_hash: row.get(6),
                text_hash: row.get(7),
                keys: row.get(8),
                facts: row.get(9),
            }))
        })
    }

    fn record_file_stats(&mut self, records: &[(String, FileRecord)]) -> Result<(), MemoryError> {
        if records.is_empty() {
            return Ok(());
        }
        let (_, _, workspace) = self.owned();
        let records = records.to_vec();
        self.call(move |c| {
            let mut tx = c.transaction()?;
            let upsert =
                "INSERT INTO file_stats (workspace, path, size, mtime_ns, file_id, checked_ns,
                    content_hash, stamp, source_hash, text_hash, keys, facts)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT (workspace, path) DO UPDATE SET size = EXCLUDED.size,
                    mtime_ns = EXCLUDED.mtime_ns, file_id = EXCLUDED.file_id,
                    checked_ns = EXCLUDED.checked_ns, content_hash = EXCLUDED.content_hash,
                    stamp = EXCLUDED.stamp, source_hash = EXCLUDED.source_hash,
                    text_hash = EXCLUDED.text_hash, keys = EXCLUDED.keys,
                    facts = EXCLUDED.facts";
            for (path, r) in &records {
                tx.execute(
                    upsert,
                    &[
                        &workspace,
                        path,
                        &(r.size as i64),
                        &r.mtime_ns,
                        &(r.file_id as i64),
                        &r.checked_ns,
                        &r.content_hash,
                        &r.stamp,
                        &r.source_hash,
                        &r.text_hash,
                        &r.keys,
                        &r.facts,
                    ],
                )?;
            }
            tx.commit()
        })
    }

    fn written_hash(&self, path: &str) -> Result<Option<String>, MemoryError> {
        let (_, _, workspace) = self.owned();
        self.string(
            "SELECT hash FROM files WHERE workspace = $1 AND path = $2",
            vec![workspace, path.to_owned()],
        )
    }

    fn record_proposals(&mut self, proposals: &[Proposal]) -> Result<(), MemoryError> {
        let (_, _, workspace) = self.owned();
        let proposals = proposals.to_vec();
        self.call(move |c| {
            let mut tx = c.transaction()?;
            for p in &proposals {
                tx.execute(
                    "INSERT INTO proposals (workspace, path, unit_key, old_source, new_source,
                        person, proposal, in_file, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (workspace, path, unit_key) DO UPDATE SET
                        old_source = EXCLUDED.old_source, new_source = EXCLUDED.new_source,
                        person = EXCLUDED.person, proposal = EXCLUDED.proposal,
                        in_file = EXCLUDED.in_file, created_at = EXCLUDED.created_at,
                        seq = nextval(pg_get_serial_sequence('proposals', 'seq'))",
                    &[
                        &workspace,
                        &p.path,
                        &p.unit_key,
                        &p.old_source,
                        &p.new_source,
                        &p.person,
                        &p.proposal,
                        &p.in_file,
                        &p.created_at,
                    ],
                )?;
            }
            tx.commit()
        })
    }

    fn proposals(&self, path: &str) -> Result<Vec<Proposal>, MemoryError> {
        let (_, _, workspace) = self.owned();
        let path = path.to_owned();
        self.call(move |c| {
            Ok(c.query(
                "SELECT path, unit_key, old_source, new_source, person, proposal, in_file, created_at
                 FROM proposals WHERE workspace = $1 AND path = $2 ORDER BY seq",
                &[&workspace, &path],
            )?
            .iter()
            .map(|row| Proposal {
                path: row.get(0),
                unit_key: row.get(1),
                old_source: row.get(2),
                new_source: row.get(3),
                person: row.get(4),
                proposal: row.get(5),
                in_file: row.get(6),
                created_at: row.get(7),
            })
            .collect())
        })
    }

    fn settle_proposals(&mut self, path: &str, unit_key: Option<&str>) -> Result<(), MemoryError> {
        let (_, _, workspace) = self.owned();
        match unit_key {
            Some(key) => self.execute(
                "DELETE FROM proposals WHERE workspace = $1 AND path = $2 AND unit_key = $3",
                vec![workspace, path.to_owned(), key.to_owned()],
            ),
            None => self.execute(
                "DELETE FROM proposals WHERE workspace = $1 AND path = $2",
                vec![workspace, path.to_owned()],
            ),
        }
    }

    fn human_history(&self, source: &Lang, target: &Lang) -> Result<Vec<HumanUnit>, MemoryError> {
        let (repository, _, _) = self.owned();
        let (source, target) = (source.as_str().to_owned(), target.as_str().to_owned());
        // This repository's people's blocks (what an export of this memory carries).
        self.call(move |c| {
            Ok(c.query(
                "SELECT source_hash, source_text, translation, false, replaced_at, seq, 0 FROM unit_history
                 WHERE source_lang = $1 AND target_lang = $2 AND repository = $3
                 UNION ALL
                 SELECT source_hash, source_text, translation, true, created_at, seq, 1 FROM units
                 WHERE source_lang = $1 AND target_lang = $2 AND repository = $3
                 ORDER BY 1, 7, 6",
                &[&source, &target, &repository],
            )?
            .iter()
            .map(|row| HumanUnit {
                key: row.get(0),
                source_text: row.get(1),
                translation: row.get(2),
                current: row.get(3),
                at: row.get(4),
            })
            .collect())
        })
    }

    fn revision(&self) -> Result<Option<i64>, MemoryError> {
        // None: other checkouts change the shared tables (a person's unit stored by one
        // is "human-edited" in all), so a count of this checkout's changes would prove
        // nothing; the manifest of a shared memory is rebuilt on every run.
        Ok(None)
    }

    fn has_meta(&self, name: &str) -> Result<bool, MemoryError> {
        let (_, _, workspace) = self.owned();
        Ok(self.count(
            "SELECT COUNT(*) FROM review_meta WHERE workspace = $1 AND name = $2",
            vec![workspace, name.to_owned()],
        )? > 0)
    }

    fn set_meta(&mut self, name: &str, value: &str) -> Result<(), MemoryError> {
        let (_, _, workspace) = self.owned();
        self.execute(
            "INSERT INTO review_meta (workspace, name, value) VALUES ($1, $2, $3)
             ON CONFLICT (workspace, name) DO UPDATE SET value = EXCLUDED.value",
            vec![workspace, name.to_owned(), value.to_owned()],
        )
    }

    fn record_written_source(
        &mut self,
        path: &str,
        source: &str,
        hash: &str,
    ) -> Result<(), MemoryError> {
        let (_, _, workspace) = self.owned();
        let (path, source, hash) = (path.to_owned(), source.to_owned(), hash.to_owned());
        self.call(move |c| {
            let mut tx = c.transaction()?;
            let old: Option<String> = tx
                .query_opt(
                    "SELECT text_hash FROM written_sources WHERE workspace = $1 AND path = $2",
                    &[&workspace, &path],
                )?
                .map(|row| row.get(0));
            if old.as_deref() == Some(hash.as_str()) {
                return Ok(());
            }
            // The text is stored once, whichever translations were written from it.
            tx.execute(
                "INSERT INTO source_texts (workspace, hash, text) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&workspace, &hash, &source],
            )?;
            tx.execute(
                "INSERT INTO written_sources (workspace, path, source, text_hash)
                 VALUES ($1, $2, '', $3)
                 ON CONFLICT (workspace, path) DO UPDATE SET source = '',
                    text_hash = EXCLUDED.text_hash",
                &[&workspace, &path, &hash],
            )?;
            if let Some(old) = old.filter(|old| !old.is_empty()) {
                tx.execute(
                    "DELETE FROM source_texts WHERE workspace = $1 AND hash = $2
                     AND NOT EXISTS (SELECT 1 FROM written_sources
                                     WHERE workspace = $1 AND text_hash = $2)",
                    &[&workspace, &old],
                )?;
            }
            tx.commit()
        })
    }

    fn written_source(&self, path: &str) -> Result<Option<String>, MemoryError> {
        let (_, _, workspace) = self.owned();
        self.string(
            "SELECT COALESCE(t.text, w.source) FROM written_sources w
             LEFT JOIN source_texts t ON t.workspace = w.workspace AND t.hash = w.text_hash
             WHERE w.workspace = $1 AND w.path = $2",
            vec![workspace, path.to_owned()],
        )
    }

    fn human_unit_source(
        &self,
        source: &Lang,
        target: &Lang,
        key: &str,
    ) -> Result<Option<String>, MemoryError> {
        self.latest_unit("source_text", [source.as_str(), target.as_str(), key])
    }

    fn retire_human_unit(
        &mut self,
        source: &Lang,
        target: &Lang,
        key: &str,
        now: &str,
    ) -> Result<(), MemoryError> {
        let (repository, _, _) = self.owned();
        let args = [source.as_str(), target.as_str(), key, &repository, now].map(str::to_owned);
        // This repository's block; another repository's stays theirs.
        self.call(move |c| {
            let [s, t, k, r, now] = &args;
            let mut tx = c.transaction()?;
            tx.execute(
                "INSERT INTO unit_history
                 (repository, source_lang, target_lang, source_hash, source_text, translation, origin, replaced_at)
                 SELECT repository, source_lang, target_lang, source_hash, source_text, translation, origin, $5
                 FROM units WHERE source_lang = $1 AND target_lang = $2 AND source_hash = $3
                   AND repository = $4",
                &[s, t, k, r, now],
            )?;
            tx.execute(
                "DELETE FROM units WHERE source_lang = $1 AND target_lang = $2 AND source_hash = $3
                   AND repository = $4",
                &[s, t, k, r],
            )?;
            tx.commit()
        })
    }

    fn claim(
        &mut self,
        source: &str,
        target: &str,
        hashes: &[String],
    ) -> Result<Vec<String>, MemoryError> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        // A segment already translated (visibly to this repository) is not claimed:
        // its holder just finished it. An expired claim is taken over. The rows are
        // met, and locked, in key order ([`claims_in_key_order`]).
        let translated = translated_sql();
        let claim = self.visible(
            &format!(
                "INSERT INTO claims (source_lang, target_lang, source_hash, holder, expires_at)
                 SELECT $1, $2, h, $4, now() + make_interval(secs => $5)
                 FROM unnest($3::text[]) AS h LEFT JOIN LATERAL ({translated}) done ON true
                 WHERE done.found IS NULL
                 ORDER BY h
                 ON CONFLICT (source_lang, target_lang, source_hash) DO UPDATE
                    SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
                    WHERE claims.expires_at < now() OR claims.holder = EXCLUDED.holder
                 RETURNING source_hash"
            ),
            5,
        );
        // The insert may have waited for a holder that committed its translations
        // (and dropped its claim) meanwhile; a new statement sees them, so such a
        // segment is handed back instead of being paid twice.
        let finished = self.visible(
            &format!(
                "SELECT h FROM unnest($3::text[]) AS h CROSS JOIN LATERAL ({translated}) done"
            ),
            3,
        );
        let (repository, share, _) = self.owned();
        let (source, target, hashes) = (source.to_owned(), target.to_owned(), hashes.to_vec());
        let (holder, lease) = (self.holder.clone(), self.lease_seconds);
        self.call(move |c| {
            // One transaction: run again after a conflict, the job must not leave a
            // claim on a segment the first try found finished and released. Each
            // statement still sees what others committed before it began.
            let mut tx = c.transaction()?;
            let held: Vec<String> = tx
                .query(
                    &claim,
                    &[
                        &source,
                        &target,
                        &hashes,
                        &holder,
                        &lease,
                        &repository,
                        &share,
                    ],
                )?
                .iter()
                .map(|row| row.get(0))
                .collect();
            if held.is_empty() {
                tx.commit()?;
                return Ok(held);
            }
            let done: std::collections::HashSet<String> = tx
                .query(&finished, &[&source, &target, &held, &repository, &share])?
                .iter()
                .map(|row| row.get(0))
                .collect();
            if !done.is_empty() {
                let done: Vec<&String> = done.iter().collect();
                tx.execute(&release_claims_sql(), &[&source, &target, &done, &holder])?;
            }
            tx.commit()?;
            Ok(held.into_iter().filter(|h| !done.contains(h)).collect())
        })
    }

    fn renew_claims(&mut self) -> Result<(), MemoryError> {
        let (holder, lease) = (self.holder.clone(), self.lease_seconds);
        self.call(move |c| {
            c.execute(
                &format!(
                    "UPDATE claims SET expires_at = now() + make_interval(secs => $2) WHERE {}",
                    claims_in_key_order("holder = $1")
                ),
                &[&holder, &lease],
            )
            .map(|_| ())
        })
    }

    fn is_shared(&self) -> bool {
        true
    }

    // Groups are not used on the shared memory: other processes wait for the segments
    // this one claimed until their translations are committed (`Elsewhere`), so each
    // store commits at once, and the server, not a file lock, is what each commit costs.
    fn begin_group(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }

    fn commit_group(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }

    // `begin_read`/`end_read`: the trait's defaults (nothing). The server takes no file
    // lock per statement, and a BEGIN/COMMIT pair would add two round trips to a read
    // batch instead of saving any.

    fn renew_every(&self) -> Option<std::time::Duration> {
        // Three renewals per lease: one late renewal still keeps the claims.
        Some(std::time::Duration::from_secs_f64(self.lease_seconds / 3.0))
    }

    fn dump(&self, table: &str) -> Result<Rows, MemoryError> {
        let cols = columns(table);
        // A boolean as 0/1, as SQLite stores it.
        let select = cols
            .iter()
            .map(|c| match *c {
                "in_file" => format!("\"{c}\"::int::text"),
                _ => format!("\"{c}\"::text"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        // What this repository sees, the preferred entry of a key first (a SQLite
        // memory keeps one per origin and key); the per-file tables of this checkout.
        let (repository, share, workspace) = self.owned();
        let (sql, args) = match table {
            "segments" => (
                self.visible(
                    &format!(
                        "SELECT {select} FROM segments s WHERE {VISIBLE}
                         ORDER BY {ORIGIN_RANK}, (s.repository = $R) DESC, seq DESC"
                    ),
                    0,
                ),
                vec![repository, share],
            ),
            "units" | "unit_history" => (
                format!(
                    "SELECT {select} FROM {table} WHERE repository = $1 OR $2 <> 'none'
                     ORDER BY (repository = $1) DESC, seq"
                ),
                vec![repository, share],
            ),
            "reviews" | "qa_warnings" | "proposals" => (
                format!("SELECT {select} FROM {table} WHERE workspace = $1 ORDER BY seq"),
                vec![workspace],
            ),
            _ => (
                format!(
                    "SELECT {select} FROM {table} WHERE workspace = $1 ORDER BY {}",
                    cols[0]
                ),
                vec![workspace],
            ),
        };
        let n = cols.len();
        self.call(move |c| {
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                args.iter().map(|a| a as _).collect();
            Ok(c.query(&sql, &params)?
                .iter()
                .map(|row| (0..n).map(|i| row.get::<_, String>(i)).collect())
                .collect())
        })
    }

    fn load(&mut self, table: &str, rows: &[Vec<String>]) -> Result<u64, MemoryError> {
        let Some((table, cols)) = TABLES.iter().find(|(name, _)| *name == table) else {
            return Ok(0);
        };
        let owner = match *table {
            "segments" | "units" | "unit_history" => "repository",
            _ => "workspace",
        };
        let (repository, _, workspace) = self.owned();
        let owner_value = if owner == "repository" {
            repository
        } else {
            workspace
        };
        let n = cols.len();
        let cast = |c: &str| match c {
            "needs_review" => "::integer",
            "in_file" => "::boolean",
            _ => "",
        };
        let values: Vec<String> = marks(1, n)
            .into_iter()
            .zip(cols.iter())
            .map(|(m, c)| format!("{m}{}", cast(c)))
            .collect();
        let same = cols
            .iter()
            .zip(&values)
            .map(|(c, v)| format!("\"{c}\" = {v}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let names = cols
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        // Skipping rows already there (every column equal, or the key taken) makes a
        // second copy add nothing, tables without a key included.
        let sql = format!(
            "INSERT INTO {table} ({names}, {owner}) SELECT {}, ${} WHERE NOT EXISTS
             (SELECT 1 FROM {table} WHERE {same} AND {owner} = ${})
             ON CONFLICT DO NOTHING",
            values.join(", "),
            n + 1,
            n + 1
        );
        let rows = rows.to_vec();
        self.call(move |c| {
            let mut tx = c.transaction()?;
            let mut added = 0;
            for row in &rows {
                let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    row.iter().map(|v| v as _).collect();
                params.push(&owner_value);
                added += tx.execute(&sql, &params)?;
            }
            tx.commit()?;
            Ok(added)
        })
    }
}
