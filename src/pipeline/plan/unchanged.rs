//! The no-op shortcut (issue 15): a file whose stat data match what the memory
//! recorded when dich last read or wrote it is not read again, and a source whose
//! translations are all unchanged and up to date is not parsed at all.
//!
//! Like git's index: a record holds the file's size, modification time (ns) and file
//! id, its content hash, when the stat was taken, and what was derived from it. When
//! the stat data differ the file is hashed, and only a different hash counts as a
//! change (a `touch` refreshes the record). Racy timestamps: a file modified within
//! [`RACY_NS`] of when its record was taken may have changed since without a new
//! modification time, so its stat data prove nothing and it is hashed.
//!
//! Invariants: every record carries the layout's stamp (a hash of the config, the
//! rules and glossary files, dich's version and what it derives from Markdown), and a
//! record with another stamp is ignored, so a changed setting is never hidden. Losing the records (deleting the
//! memory) only costs a full read.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::content::{self, Article, ContentError, Document};
use crate::lang::Lang;
use crate::memory::{self, FileRecord, Memory, MemoryError};
use crate::review::Facts;

use super::layout::Layout;
use super::settings::PlanSettings;
use super::sources::{FtlSource, Source};
use crate::pipeline::progress::Progress;
use crate::pipeline::report::Report;

/// How close to the time its record was taken a file's modification time may be
/// before the stat data prove nothing. Generous on purpose: it covers filesystems
/// with 1 or 2 s timestamps (FAT) and the coarse clock Linux stamps files with; the
/// cost of a racy file is one hash, once.
pub(crate) const RACY_NS: i64 = 2_000_000_000;

/// Whether a file modified at `mtime_ns` may have changed unseen since a stat taken at
/// `checked_ns`: within [`RACY_NS`] of it, a later change can keep the same time.
fn racy(mtime_ns: i64, checked_ns: i64) -> bool {
    mtime_ns >= checked_ns.saturating_sub(RACY_NS)
}

/// Records written in one transaction at most.
const FLUSH_EVERY: usize = 256;

/// A file's stat data, taken before its content is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stat {
    size: u64,
    mtime_ns: i64,
    file_id: u64,
    /// When the stat was taken.
    checked_ns: i64,
}

impl Stat {
    /// The stat data of `path`; `None` when it cannot be read (missing, …).
    pub(crate) fn of(path: &Path) -> Option<Stat> {
        // Taken first: a change after this moment is racy, never missed.
        let checked_ns = now_ns();
        let meta = std::fs::metadata(path).ok()?;
        let mtime_ns = meta.modified().ok().map(ns_since_epoch)?;
        Some(Stat {
            size: meta.len(),
            mtime_ns,
            file_id: file_id(&meta),
            checked_ns,
        })
    }

    /// The record of a file with these stat data and the content hash `content_hash`
    /// ([`memory::hash_bytes`] of its bytes, which callers have taken already).
    pub(crate) fn record(self, stamp: &str, content_hash: String, derived: Derived) -> FileRecord {
        FileRecord {
            size: self.size,
            mtime_ns: self.mtime_ns,
            file_id: self.file_id,
            checked_ns: self.checked_ns,
            content_hash,
            stamp: stamp.to_owned(),
            source_hash: derived.source_hash,
            text_hash: derived.text_hash,
            keys: derived.keys,
            facts: derived.facts,
        }
    }

    /// The stat data `record` was made from.
    fn of_record(record: &FileRecord) -> Stat {
        Stat {
            size: record.size,
            mtime_ns: record.mtime_ns,
            file_id: record.file_id,
            checked_ns: record.checked_ns,
        }
    }

    /// The same file, unchanged by its stat data: size, modification time, file id
    /// (not when they were taken).
    fn same_file(self, other: Stat) -> bool {
        self.size == other.size && self.mtime_ns == other.mtime_ns && self.file_id == other.file_id
    }

    fn matches(self, record: &FileRecord) -> bool {
        self.same_file(Stat::of_record(record))
    }
}

/// What was derived from a file's content (see [`FileRecord`]).
#[derive(Debug, Default)]
pub(crate) struct Derived {
    pub(crate) source_hash: String,
    pub(crate) text_hash: String,
    pub(crate) keys: String,
    /// What the review derives from the content (see `review::Facts`).
    pub(crate) facts: String,
}

/// The stamp of a configuration: a hash of everything besides the files themselves
/// that decides what planning derives from them — the config file, the segmentation
/// rules and glossary files, and dich's version. `None` (no shortcut) when the config
/// file cannot be read.
pub(crate) fn stamp(config: &Config) -> Option<String> {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION"));
    hasher.update(content::FORMAT);
    // What a record holds: records of an older shape (without the review's facts)
    // prove nothing, so they are read once and recorded again.
    hasher.update("records: stat, hashes, keys, facts");
    hasher.update(std::fs::read(&config.path).ok()?);
    for path in [&config.segmentation.rules, &config.qa.glossary]
        .into_iter()
        .flatten()
    {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(path).unwrap_or_default());
    }
    Some(memory::hex(&hasher.finalize()))
}

/// Records waiting to be written to the memory, a few hundred at a time.
#[derive(Debug, Default)]
pub(crate) struct Records {
    /// The layout's stamp; without one nothing is recorded.
    stamp: Option<String>,
    pending: Vec<(String, FileRecord)>,
    /// When the run whose writes are trusted began (see [`Records::trusting_writes_since`]).
    written_since_ns: Option<i64>,
}

impl Records {
    /// Records for files read with `layout`.
    pub(crate) fn new(layout: &Layout) -> Records {
        Records {
            stamp: layout.stamp.clone(),
            pending: Vec::new(),
            written_since_ns: None,
        }
    }

    /// Trusts the records of files the run that began at `since` wrote (the pass
    /// after that run, under its lock: the manifest's). Such a record is racy by
    /// construction ([`written_record`]), so a later pass hashes the file; but for
    /// this pass the record holds the hash of the very bytes the run wrote, and a
    /// change made since in the same clock tick is no different from one made just
    /// after the pass: the next run sees it, since the record stays racy (it is not
    /// refreshed here). Only the files written within [`RACY_NS`] of the pass are
    /// trusted: hashing them would leave their records racy all the same. A file
    /// written earlier in the run was settled by the write thread ([`Unsettled`]), so
    /// its record is not racy any more; one it could not settle is hashed here, and
    /// its refreshed record spares the next run that hash. Re-hashing the 3,000 files
    /// a run had just written was half of the manifest's time after it (issue 15).
    pub(crate) fn trusting_writes_since(mut self, since: Option<SystemTime>) -> Records {
        self.written_since_ns = since.map(ns_since_epoch);
        self
    }

    /// Whether `record`, found now by `stat`, is trusted (see
    /// [`Records::trusting_writes_since`]): a write of the trusted run made it (only
    /// [`written_record`] takes its stat time from the modification time, and no
    /// other run writes while one holds the lock), and so recently that a refreshed
    /// record would still be racy.
    fn trusts(&self, record: &FileRecord, stat: &Stat) -> bool {
        let by_the_run = |since| record.checked_ns == record.mtime_ns && record.mtime_ns >= since;
        let recent = racy(record.mtime_ns, stat.checked_ns);
        recent && self.written_since_ns.is_some_and(by_the_run)
    }

    /// Adds the record of the file at `rel`.
    pub(crate) fn push(&mut self, rel: &str, record: FileRecord) {
        if self.stamp.is_some() {
            self.pending.push((rel.to_owned(), record));
        }
    }

    /// Adds the record of the file at `rel`, read as `bytes` after `stat`.
    pub(crate) fn push_read(
        &mut self,
        rel: &str,
        stat: Option<Stat>,
        content_hash: String,
        derived: Derived,
    ) {
        if let (Some(stamp), Some(stat)) = (&self.stamp, stat) {
            let record = stat.record(stamp, content_hash, derived);
            self.pending.push((rel.to_owned(), record));
        }
    }

    /// Writes the pending records when there are many.
    ///
    /// # Errors
    /// [`MemoryError`].
    pub(crate) fn flush_some(&mut self, memory: &mut Memory) -> Result<(), MemoryError> {
        if self.pending.len() >= FLUSH_EVERY {
            self.flush(memory)?;
        }
        Ok(())
    }

    /// Writes every pending record, in one transaction.
    ///
    /// # Errors
    /// [`MemoryError`].
    pub(crate) fn flush(&mut self, memory: &mut Memory) -> Result<(), MemoryError> {
        memory.record_file_stats(&self.pending)?;
        self.pending.clear();
        Ok(())
    }
}

/// The record of the file at `path` (`rel` from the project root) if it still
/// describes the file: the same stamp, and the same stat data (not racy) or, failing
/// that, the same content hash — then the record is refreshed with the new stat data.
///
/// # Errors
/// [`MemoryError`].
pub(crate) fn unchanged(
    memory: &Memory,
    stamp: &str,
    (path, rel): (&Path, &str),
    records: &mut Records,
) -> Result<Option<FileRecord>, MemoryError> {
    let Some(mut record) = memory.file_record(rel)? else {
        return Ok(None);
    };
    if record.stamp != stamp {
        return Ok(None);
    }
    let Some(stat) = Stat::of(path) else {
        return Ok(None);
    };
    let proven = !racy(record.mtime_ns, record.checked_ns) || records.trusts(&record, &stat);
    if stat.matches(&record) && proven {
        return Ok(Some(record));
    }
    if stat.size != record.size {
        return Ok(None);
    }
    // Same size, other stat data (or racy): the content decides.
    let Ok(hash) = std::fs::File::open(path).and_then(memory::hash_reader) else {
        return Ok(None);
    };
    if hash != record.content_hash {
        return Ok(None);
    }
    record.mtime_ns = stat.mtime_ns;
    record.file_id = stat.file_id;
    record.checked_ns = stat.checked_ns;
    records.push(rel, record.clone());
    Ok(Some(record))
}

/// An article's source record and the records of its translations, in order.
pub(crate) type Recorded = (FileRecord, Vec<Option<FileRecord>>);

/// What the records say about an article: its source's record, and per target
/// language the record of its translation (`None` where the file changed, is missing
/// or has no record). `None` when the source itself changed (or there is no stamp).
///
/// # Errors
/// [`MemoryError`].
pub(crate) fn recorded_article(
    layout: &Layout,
    targets: &[Lang],
    article: &Article,
    memory: &Memory,
    records: &mut Records,
) -> Result<Option<Recorded>, MemoryError> {
    let Some(stamp) = &layout.stamp else {
        return Ok(None);
    };
    let rel = layout.display_path(&article.source);
    let Some(source) = unchanged(memory, stamp, (&article.source, &rel), records)? else {
        return Ok(None);
    };
    let mut translations = Vec::with_capacity(targets.len());
    for target in targets {
        let out_path = layout.article_translation(&article.source, target);
        let rel = layout.display_path(&out_path);
        translations.push(unchanged(memory, stamp, (&out_path, &rel), records)?);
    }
    Ok(Some((source, translations)))
}

/// The records of an article and its translations into `targets` when they prove
/// them unchanged since they were found up to date: then there is nothing to plan.
///
/// # Errors
/// [`MemoryError`].
fn up_to_date(
    layout: &Layout,
    targets: &[Lang],
    source: &Article,
    memory: &Memory,
    records: &mut Records,
) -> Result<Option<Recorded>, MemoryError> {
    let Some((source, translations)) = recorded_article(layout, targets, source, memory, records)?
    else {
        return Ok(None);
    };
    let current = translations.iter().all(|t| {
        t.as_ref()
            .is_some_and(|t| t.source_hash == source.source_hash)
    });
    Ok(current.then_some((source, translations)))
}

/// What a pass proved about every file the manifest is made from (issue 15): a digest
/// of the content hash and modification time of each source and translation found
/// unchanged, and of the content of each Fluent file. Lost (`None`) as soon as one
/// article has anything to plan.
#[derive(Debug)]
pub(crate) struct UnchangedInputs(Option<Sha256>);

impl UnchangedInputs {
    /// A digest for files read with `layout` into `targets`; none without a stamp.
    pub(crate) fn new(layout: &Layout, targets: &[Lang]) -> UnchangedInputs {
        UnchangedInputs(layout.stamp.as_ref().map(|stamp| {
            let mut hasher = Sha256::new();
            hasher.update(stamp);
            for target in targets {
                hasher.update([0]);
                hasher.update(target.as_str());
            }
            hasher
        }))
    }

    /// Something is to be planned: nothing is proved.
    pub(crate) fn lose(&mut self) {
        self.0 = None;
    }

    /// Adds the article at `rel` whose files `recorded` proved unchanged.
    pub(crate) fn article(&mut self, rel: &str, (source, translations): &Recorded) {
        let Some(hasher) = &mut self.0 else { return };
        hasher.update([1]);
        hasher.update(rel);
        for record in std::iter::once(source).chain(translations.iter().flatten()) {
            hasher.update([2]);
            hasher.update(&record.content_hash);
            hasher.update(record.mtime_ns.to_le_bytes());
        }
    }

    /// Adds the Fluent reference file `ftl` and its translations into `targets`, by
    /// their content (a missing file counts as missing): what the manifest says of a
    /// UI locale depends on its content alone, and UI files are few and small.
    pub(crate) fn ftl(&mut self, layout: &Layout, targets: &[Lang], ftl: &FtlSource) {
        let Some(hasher) = &mut self.0 else { return };
        let paths = std::iter::once(ftl.reference.clone())
            .chain(targets.iter().map(|t| layout.ftl_translation(&ftl.rel, t)));
        for path in paths {
            hasher.update([3]);
            hasher.update(path.to_string_lossy().as_bytes());
            match std::fs::File::open(&path).and_then(memory::hash_reader) {
                Ok(hash) => hasher.update(hash),
                Err(_) => hasher.update([0]),
            }
        }
    }

    /// The digest, hex; `None` when something was to be planned.
    pub(crate) fn finish(self) -> Option<String> {
        self.0.map(|hasher| memory::hex(&hasher.finalize()))
    }
}

/// The sources left to plan: the articles the records prove up to date in every
/// target language are reported as such (in `report` and `progress`) and dropped.
/// Refreshed records are written, except in a dry run.
///
/// # Errors
/// [`MemoryError`].
pub(crate) fn skip_unchanged(
    settings: &PlanSettings<'_>,
    sources: Vec<Source>,
    memory: &mut Memory,
    report: &mut Report,
    progress: &dyn Progress,
) -> Result<Vec<Source>, MemoryError> {
    let (layout, targets) = (settings.layout, settings.targets);
    if layout.stamp.is_none() {
        return Ok(sources);
    }
    let mut records = Records::new(layout);
    let mut inputs = UnchangedInputs::new(layout, targets);
    let mut to_plan = Vec::with_capacity(sources.len());
    for source in sources {
        // The lookups share one read transaction until a flush of refreshed records
        // ends it, as in the status pass: each lookup on its own took and released
        // SQLite's locks, which was 70 % of this pass on a first run.
        memory.begin_read()?;
        match source {
            Source::Article(article) => {
                match up_to_date(layout, targets, &article, memory, &mut records)? {
                    Some(recorded) => {
                        inputs.article(&layout.display_path(&article.source), &recorded);
                        for target in targets {
                            report.lang(target).articles += 1;
                            let out = layout.article_translation(&article.source, target);
                            progress.file_done(&layout.display_path(&out), target, "up to date");
                        }
                    }
                    None => {
                        inputs.lose();
                        to_plan.push(Source::Article(article));
                    }
                }
            }
            Source::Ftl(ftl) => {
                inputs.ftl(layout, targets, &ftl);
                to_plan.push(Source::Ftl(ftl));
            }
        }
        if !settings.dry_run {
            records.flush_some(memory)?;
        }
    }
    memory.end_read()?;
    if !settings.dry_run {
        records.flush(memory)?;
    }
    report.unchanged_inputs = inputs.finish();
    Ok(to_plan)
}

/// Whether the file dich wrote at `path` (`rel` from the project root) is still the
/// one [`record_output`] recorded with `stamp` (what it was made from). Refreshes the
/// record when only its stat data moved.
///
/// # Errors
/// [`MemoryError`].
pub(crate) fn output_unchanged(
    memory: &mut Memory,
    stamp: &str,
    (path, rel): (&Path, &str),
) -> Result<bool, MemoryError> {
    let mut records = Records {
        stamp: Some(stamp.to_owned()),
        ..Records::default()
    };
    let kept = unchanged(memory, stamp, (path, rel), &mut records)?.is_some();
    records.flush(memory)?;
    Ok(kept)
}

/// Records the file dich has just written at `path` (`rel`) as made from `stamp`.
/// Nothing is recorded when it cannot be read.
///
/// # Errors
/// [`MemoryError`].
pub(crate) fn record_output(
    memory: &mut Memory,
    stamp: &str,
    (path, rel): (&Path, &str),
) -> Result<(), MemoryError> {
    // The stat first: a change made after it is racy, and hashed by the next run.
    let Some(stat) = Stat::of(path) else {
        return Ok(());
    };
    let Ok(hash) = std::fs::File::open(path).and_then(memory::hash_reader) else {
        return Ok(());
    };
    let record = stat.record(stamp, hash, Derived::default());
    memory.record_file_stats(&[(rel.to_owned(), record)])
}

/// Reads and parses the source at `path`, with its record (stat data taken before
/// the read; none without a stamp).
///
/// # Errors
/// [`ContentError`] when it cannot be read or parsed.
pub(crate) fn load_source(
    layout: &Layout,
    path: &Path,
) -> Result<(Document, Option<FileRecord>), ContentError> {
    let stat = Stat::of(path);
    let bytes = crate::fs::read(path).map_err(|e| ContentError::Unreadable {
        path: path.to_owned(),
        message: e.source.to_string(),
    })?;
    // The document's text is the file's bytes, taken over rather than copied.
    let doc = Document::parse_owned(path, bytes, &layout.fields, &layout.protect)?
        .with_added_front_matter(layout.added_front_matter);
    let record = match (stat, &layout.stamp) {
        (Some(stat), Some(stamp)) => {
            let derived = Derived {
                source_hash: doc.source_hash(),
                facts: Facts::of_source(&doc.text),
                ..Derived::default()
            };
            Some(stat.record(stamp, doc.text_hash().to_owned(), derived))
        }
        _ => None,
    };
    Ok((doc, record))
}

/// The record of a translation dich has just written (`content` at `path`): it is up
/// to date with the source hash its provenance names. `None` for Fluent files, which
/// have no provenance, and when the file cannot be stat'ed. Pure work on the file: the
/// writer thread makes it, so the run loop only stores it (issue 15).
pub(crate) fn written_record(
    stamp: &str,
    (path, rel): (&Path, &str),
    content: &str,
) -> Option<FileRecord> {
    let provenance = content::read_provenance(content)?;
    let mut stat = Stat::of(path)?;
    // The stat is taken after the write, so a change made in between would go unseen:
    // the record is made racy on purpose, and the next run hashes the file once.
    stat.checked_ns = stat.mtime_ns;
    // The content hash is the text hash: taken once.
    let hash = memory::hash(content);
    let derived = Derived {
        source_hash: provenance.source_hash,
        text_hash: hash.clone(),
        keys: provenance.units,
        facts: Facts::of_translation(rel, content),
    };
    Some(stat.record(stamp, hash, derived))
}

/// The longest a file just written waits to be settled ([`Unsettled::wait`]), with a
/// margin: a longer wait means a modification time in the future (a skewed clock).
pub(crate) const SETTLE_AFTER: std::time::Duration =
    std::time::Duration::from_nanos(RACY_NS.unsigned_abs() + 1_000_000_000);

/// A file this run wrote, whose record [`written_record`] made racy: once the file is
/// older than [`RACY_NS`] the write thread hashes it again, and a match proves the
/// record, which then spares the next pass that hash. Without this, the manifest
/// pass after a run hashed every file the run had written more than [`RACY_NS`]
/// before it (half of the manifest's time; issue 15), or the next run did.
///
/// It holds only the stat data and the hash, not the whole record (unit keys, facts):
/// a run writes hundreds of files in that window, and the loop reads the record back
/// to prove it ([`Settled::prove`]).
#[derive(Debug)]
pub(crate) struct Unsettled {
    path: std::path::PathBuf,
    rel: String,
    written: Stat,
    content_hash: String,
}

/// What settling proved of a file: it still held the bytes written, unchanged, at
/// `checked_ns`, later than [`RACY_NS`] after it was written.
#[derive(Debug)]
pub(crate) struct Settled {
    pub(crate) rel: String,
    written: Stat,
    content_hash: String,
    checked_ns: i64,
}

impl Unsettled {
    /// The file at `path` (`rel` from the project root), as its `record` describes it.
    pub(crate) fn new(path: &Path, rel: &str, record: &FileRecord) -> Unsettled {
        Unsettled {
            path: path.to_owned(),
            rel: rel.to_owned(),
            written: Stat::of_record(record),
            content_hash: record.content_hash.clone(),
        }
    }

    /// How long until a stat of the file can prove its record (zero once it can).
    pub(crate) fn wait(&self) -> std::time::Duration {
        let due = self.written.mtime_ns.saturating_add(RACY_NS + 1);
        let ns = due.saturating_sub(now_ns());
        std::time::Duration::from_nanos(u64::try_from(ns).unwrap_or(0))
    }

    /// Stats and hashes the file again: [`Settled`] when it still holds the bytes
    /// written, with the same stat data, and the stat was taken late enough to prove
    /// them; `None` otherwise (changed, unreadable or too early: the record stays racy
    /// and the next pass hashes the file, as before).
    pub(crate) fn settle(self) -> Option<Settled> {
        let stat = Stat::of(&self.path)?;
        if !stat.same_file(self.written) || racy(self.written.mtime_ns, stat.checked_ns) {
            return None;
        }
        // Read after the stat: a change from here on gets a later modification time.
        let hash = std::fs::File::open(&self.path)
            .and_then(memory::hash_reader)
            .ok()?;
        (hash == self.content_hash).then_some(Settled {
            rel: self.rel,
            written: self.written,
            content_hash: self.content_hash,
            checked_ns: stat.checked_ns,
        })
    }
}

impl Settled {
    /// `record` proven by this settling, if it is still the record of the bytes that
    /// were settled (nothing recorded the file anew meanwhile).
    pub(crate) fn prove(&self, mut record: FileRecord) -> Option<FileRecord> {
        let same = self.written.matches(&record) && record.content_hash == self.content_hash;
        if !same || record.checked_ns >= self.checked_ns {
            return None;
        }
        record.checked_ns = self.checked_ns;
        Some(record)
    }
}

fn now_ns() -> i64 {
    ns_since_epoch(SystemTime::now())
}

fn ns_since_epoch(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_nanos()).unwrap_or(i64::MAX),
    }
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> u64 {
    // No stable file id in std elsewhere: size and time alone, with the hash behind.
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAMP: &str = "stamp";

    /// A file as dich writes it, `written_at` (now by default), with its record as
    /// [`written_record`] makes it (racy on purpose), stored in a memory.
    fn written(
        dir: &Path,
        written_at: Option<SystemTime>,
    ) -> (std::path::PathBuf, FileRecord, Memory) {
        let path = dir.join("bai.en.md");
        std::fs::write(&path, "Written by dich.\n").unwrap();
        if let Some(at) = written_at {
            let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            file.set_modified(at).unwrap();
        }
        let mut stat = Stat::of(&path).unwrap();
        stat.checked_ns = stat.mtime_ns;
        let hash = memory::hash_bytes(b"Written by dich.\n");
        let record = stat.record(STAMP, hash, Derived::default());
        let mut memory = Memory::in_memory().unwrap();
        memory
            .record_file_stats(&[("bai.en.md".to_owned(), record.clone())])
            .unwrap();
        (path, record, memory)
    }

    /// Changes the file in place as someone else in the same clock tick would: the
    /// same size, the same modification time, the same inode; only the bytes differ.
    fn change_unseen(path: &Path) {
        let modified = std::fs::metadata(path).unwrap().modified().unwrap();
        let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        std::io::Write::write_all(&mut &file, b"Edited by someone").unwrap();
        file.set_modified(modified).unwrap();
    }

    /// A file as dich writes it, then changed unseen ([`change_unseen`]).
    fn written_then_changed_unseen(
        dir: &Path,
        written_at: Option<SystemTime>,
    ) -> (std::path::PathBuf, Memory) {
        let (path, _, memory) = written(dir, written_at);
        change_unseen(&path);
        (path, memory)
    }

    fn records(written_since: Option<SystemTime>) -> Records {
        Records {
            stamp: Some(STAMP.to_owned()),
            ..Records::default()
        }
        .trusting_writes_since(written_since)
    }

    #[test]
    fn a_file_this_run_wrote_is_taken_as_recorded_and_stays_racy_for_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let before_the_run = SystemTime::now() - std::time::Duration::from_secs(1);
        let (path, memory) = written_then_changed_unseen(dir.path(), None);
        let at = (path.as_path(), "bai.en.md");

        // The pass right after the run trusts what the run wrote: the file is not
        // read, so the change made in the same tick is not seen by it…
        let mut trusting = records(Some(before_the_run));
        assert!(
            unchanged(&memory, STAMP, at, &mut trusting)
                .unwrap()
                .is_some()
        );
        assert!(
            trusting.pending.is_empty(),
            "a trusted record is not refreshed"
        );

        // …and every later pass hashes the file, since its record is still racy.
        let mut later = records(None);
        assert_eq!(unchanged(&memory, STAMP, at, &mut later).unwrap(), None);
    }

    #[test]
    fn a_file_the_run_wrote_long_enough_ago_is_hashed_so_its_record_can_be_refreshed() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let before_the_run = now - std::time::Duration::from_secs(60);
        let a_while_ago = now - std::time::Duration::from_secs(10);
        let (path, memory) = written_then_changed_unseen(dir.path(), Some(a_while_ago));
        let mut trusting = records(Some(before_the_run));
        let at = (path.as_path(), "bai.en.md");
        assert_eq!(unchanged(&memory, STAMP, at, &mut trusting).unwrap(), None);
    }

    #[test]
    fn a_file_written_before_the_run_began_is_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let (path, memory) = written_then_changed_unseen(dir.path(), None);
        let after_the_write = SystemTime::now() + std::time::Duration::from_secs(1);
        let mut trusting = records(Some(after_the_write));
        let at = (path.as_path(), "bai.en.md");
        assert_eq!(unchanged(&memory, STAMP, at, &mut trusting).unwrap(), None);
    }

    #[test]
    fn a_written_file_settled_later_needs_no_hash_in_the_next_pass() {
        let dir = tempfile::tempdir().unwrap();
        let a_while_ago = SystemTime::now() - std::time::Duration::from_secs(10);
        let (path, record, mut memory) = written(dir.path(), Some(a_while_ago));
        let unsettled = Unsettled::new(&path, "bai.en.md", &record);
        assert!(unsettled.wait().is_zero());
        let settled = unsettled.settle().expect("unchanged since written");
        let proven = settled.prove(record).expect("the record written");
        memory
            .record_file_stats(&[("bai.en.md".to_owned(), proven)])
            .unwrap();

        // Now changed unseen: the proven record is taken as it is (not racy any
        // more), without reading the file.
        change_unseen(&path);
        let mut later = records(None);
        let at = (path.as_path(), "bai.en.md");
        assert!(unchanged(&memory, STAMP, at, &mut later).unwrap().is_some());
        assert!(later.pending.is_empty(), "no hash, nothing to refresh");
    }

    #[test]
    fn a_written_file_changed_unseen_is_not_settled() {
        let dir = tempfile::tempdir().unwrap();
        let a_while_ago = SystemTime::now() - std::time::Duration::from_secs(10);
        let (path, record, _memory) = written(dir.path(), Some(a_while_ago));
        change_unseen(&path);
        assert!(
            Unsettled::new(&path, "bai.en.md", &record)
                .settle()
                .is_none()
        );
    }

    #[test]
    fn a_file_just_written_is_not_settled_yet() {
        let dir = tempfile::tempdir().unwrap();
        let (path, record, _memory) = written(dir.path(), None);
        let unsettled = Unsettled::new(&path, "bai.en.md", &record);
        assert!(unsettled.wait() > std::time::Duration::from_secs(1));
        assert!(unsettled.settle().is_none());
    }

    #[test]
    fn a_settling_does_not_prove_a_record_made_since() {
        let dir = tempfile::tempdir().unwrap();
        let a_while_ago = SystemTime::now() - std::time::Duration::from_secs(10);
        let (path, record, _memory) = written(dir.path(), Some(a_while_ago));
        let settled = Unsettled::new(&path, "bai.en.md", &record)
            .settle()
            .unwrap();
        let rewritten = FileRecord {
            content_hash: memory::hash_bytes(b"Written again.\n"),
            ..record.clone()
        };
        assert_eq!(settled.prove(rewritten), None);
        assert!(settled.prove(record).is_some());
    }
}
