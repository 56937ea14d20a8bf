//! The answer journal (issue 15): a request slot appends each answer to a file next to
//! the memory before it sends its next request, so a slot no longer waits for the
//! run's loop to store and commit the answer.
//!
//! Invariant: every answer a slot has had is in the journal or committed to the
//! memory, except those of the requests in flight — what a crash can lose stays at
//! most `concurrency` requests, as when each slot waited for the commit. The next run
//! replays what a killed run left ([`replay`]) before it plans anything.
//!
//! Durability: one `write` per answer and no `fsync`. A write in the page cache
//! survives a SIGKILL; only a crash of the machine loses it. That is the guarantee
//! the SQLite memory gives too: it runs in WAL mode with `synchronous = NORMAL`
//! (`memory/sqlite.rs`), whose commits are not synced either. An answer lost with the
//! machine is only sent again.
//!
//! Format: JSON Lines, one record per answer, the memory's key fields and the
//! translation of each segment the memory will store. A record is complete when its
//! line ends: a run killed in the middle of a write leaves a torn last line, which
//! replay ignores (its answer is sent again). Failed segments are not journalled: the
//! memory keeps no failure of a segment either, so the next run sends them again.
//!
//! Bounded: two files take turns. Once the active one holds [`ROTATE_BYTES`], it is
//! emptied if the memory holds all of its records, or else the other one, if the memory
//! holds all of its, is emptied and becomes active. A clean run removes both at its end.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::backend::http::json_size_hint;
use crate::backend::{Batch, Translated};
use crate::fs::FsError;
use crate::lang::Lang;
use crate::memory::{Memory, MemoryError, NewEntry, Origin};

use super::render;

/// Bytes after which the active file is emptied or the other one takes over.
const ROTATE_BYTES: u64 = 1 << 20;

/// The two files of the journal next to the memory at `memory`.
fn paths(memory: &Path) -> [PathBuf; 2] {
    [
        memory.with_extension("journal-1"),
        memory.with_extension("journal-2"),
    ]
}

/// One answer as journalled: what the memory stores for it.
#[derive(Serialize)]
struct Record<'a> {
    source: &'a str,
    target: &'a str,
    /// Per segment stored: the normalised, tagged source text (the memory key), the
    /// translation, and the backend (machine entries only).
    entries: Vec<(&'a str, &'a str, Cow<'a, str>)>,
}

impl Record<'_> {
    /// About the length of its JSON line.
    fn size_hint(&self) -> usize {
        json_size_hint(
            self.entries
                .iter()
                .flat_map(|(source, translation, backend)| [*source, *translation, backend]),
        )
    }
}

/// A [`Record`] read back.
#[derive(Deserialize)]
struct ReadRecord {
    source: String,
    target: String,
    entries: Vec<(String, String, String)>,
}

thread_local! {
    /// The line being written, kept from one append to the next on each of the
    /// runtime's threads. A new buffer of tens of kilobytes per answer was mapped and
    /// unmapped by the allocator each time (glibc's mmap threshold, `src/main.rs`), a
    /// system call and a TLB shootdown on the slot's way to its next request, where a
    /// round's time is lost (issue 15, `docs/benchmarks.md`).
    static LINE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The longest line buffer kept for the next append.
const KEPT_LINE: usize = 1 << 20;

/// The journal a run appends to.
#[derive(Debug)]
pub(crate) struct Journal {
    paths: [PathBuf; 2],
    files: Mutex<Files>,
    /// A write failed: nothing more is appended (a record after a torn one would be
    /// lost with it), and slots wait for the commit again.
    broken: AtomicBool,
}

#[derive(Debug)]
struct Files {
    files: [File; 2],
    active: usize,
    /// Per file: records and bytes written since it was last emptied, and how many of
    /// those records the memory has committed.
    written: [u64; 2],
    bytes: [u64; 2],
    committed: [u64; 2],
}

/// Which file an answer was journalled in: the run counts it there once committed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    file: usize,
}

impl Journal {
    /// Opens (creating) the journal next to the memory at `memory`.
    ///
    /// # Errors
    /// [`FsError`] naming the file that cannot be created.
    pub(crate) fn create(memory: &Path) -> Result<Journal, FsError> {
        let paths = paths(memory);
        let open = |path: &PathBuf| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|source| FsError {
                    action: "cannot create the answer journal",
                    path: path.clone(),
                    source,
                })
        };
        let files = [open(&paths[0])?, open(&paths[1])?];
        Ok(Journal {
            paths,
            files: Mutex::new(Files {
                files,
                active: 0,
                written: [0; 2],
                bytes: [0; 2],
                committed: [0; 2],
            }),
            broken: AtomicBool::new(false),
        })
    }

    /// Appends the answer to `batch`, in one `write`; `None` when it could not be (the
    /// caller must then keep its slot until the answer is committed).
    pub(crate) fn append(
        &self,
        batch: &Batch,
        results: &[Result<Translated, String>],
    ) -> Option<Ticket> {
        if self.broken.load(Ordering::SeqCst) {
            return None;
        }
        let entries = batch
            .segments
            .iter()
            .zip(results)
            .filter_map(|(segment, result)| {
                let translated = result.as_ref().ok()?;
                Some((
                    &*segment.text,
                    translated.text.as_str(),
                    backend_label(translated),
                ))
            })
            .collect();
        let record = Record {
            source: batch.source.as_str(),
            target: batch.target.as_str(),
            entries,
        };
        LINE.with_borrow_mut(|line| {
            line.clear();
            line.reserve(record.size_hint());
            serde_json::to_writer(&mut *line, &record).ok()?;
            line.push(b'\n');
            let ticket = self.write_line(line);
            // The parts of a paragraph of megabytes make long lines: not kept.
            if line.capacity() > KEPT_LINE {
                *line = Vec::new();
            }
            ticket
        })
    }

    /// Writes `line`, in one `write`, to the active file.
    fn write_line(&self, line: &[u8]) -> Option<Ticket> {
        let mut files = self.files.lock().ok()?;
        let active = files.active;
        if let Err(e) = files.files[active].write_all(line) {
            self.broken.store(true, Ordering::SeqCst);
            tracing::warn!(
                "cannot append to the answer journal `{}` ({e}): each request now waits for its answer to be stored",
                self.paths[active].display()
            );
            return None;
        }
        files.written[active] += 1;
        files.bytes[active] += line.len() as u64;
        Some(Ticket { file: active })
    }

    /// Counts the records of `tickets` as committed to the memory, and keeps the
    /// journal bounded (the module's doc says how).
    pub(crate) fn committed(&self, tickets: impl IntoIterator<Item = Ticket>) {
        let Ok(mut files) = self.files.lock() else {
            return;
        };
        for ticket in tickets {
            files.committed[ticket.file] += 1;
        }
        let active = files.active;
        if files.bytes[active] < ROTATE_BYTES {
            return;
        }
        let other = 1 - active;
        if files.covered(active) {
            files.empty(active);
        } else if files.covered(other) {
            files.empty(other);
            files.active = other;
        }
    }

    /// Removes the journal when the memory holds every record in it (a clean end);
    /// otherwise it is left for the next run to replay.
    ///
    /// # Errors
    /// [`FsError`] naming the file that cannot be removed.
    pub(crate) fn finish(&self) -> Result<(), FsError> {
        let covered = self.files.lock().is_ok_and(|files| {
            let covered = files.covered(0) && files.covered(1);
            if covered {
                // Emptied before they are removed, while their pages are still only in
                // the cache: ext4 writes out the data of a file emptied earlier (the
                // journal's turns) when it is closed, and the removal then waits for
                // that write and frees its blocks, 5–12 ms at the end of every run on
                // a disk mounted with `discard` (issue 15).
                for file in &files.files {
                    let _ = file.set_len(0);
                }
            }
            covered
        });
        if covered {
            remove(&self.paths)?;
        }
        Ok(())
    }

    /// Records written, in all (tests).
    #[cfg(test)]
    pub(crate) fn written(&self) -> u64 {
        self.files
            .lock()
            .map_or(0, |files| files.written.iter().sum())
    }
}

impl Files {
    /// The memory holds every record of `file`.
    fn covered(&self, file: usize) -> bool {
        self.committed[file] == self.written[file]
    }

    /// Empties `file`: its records are all committed. On failure it is kept whole (its
    /// records are only replayed again).
    fn empty(&mut self, file: usize) {
        if self.files[file].set_len(0).is_ok() {
            self.written[file] = 0;
            self.bytes[file] = 0;
            self.committed[file] = 0;
        }
    }
}

/// The backend an answer is stored under: a repaired answer is remembered as such (see
/// [`render::REPAIRED`]).
pub(crate) fn backend_label(translated: &Translated) -> Cow<'_, str> {
    if translated.repaired {
        format!("{}{}", translated.backend, render::REPAIRED).into()
    } else {
        translated.backend.as_str().into()
    }
}

/// What [`replay`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Replayed {
    /// Answers stored.
    pub(crate) records: usize,
    /// Torn or unreadable records ignored (their segments are sent again).
    pub(crate) ignored: usize,
}

/// Why a journal could not be replayed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReplayError {
    /// A journal file could not be read or removed.
    #[error(transparent)]
    Fs(#[from] FsError),
    /// The memory failed; the journal is kept.
    #[error(transparent)]
    Memory(#[from] MemoryError),
}

/// Stores in `memory` the answers a killed run journalled next to the memory at
/// `path`, then removes the journal. Called under the run lock, before planning.
/// The answers go in one transaction per language pair (the whole group on SQLite);
/// the journal is removed only after they are committed, so a crash here replays
/// them again (storing an answer twice is harmless).
///
/// # Errors
/// [`ReplayError`]: a file cannot be read or removed, or the memory failed.
pub(crate) fn replay(path: &Path, memory: &mut Memory) -> Result<Replayed, ReplayError> {
    let paths = paths(path);
    let mut texts = Vec::new();
    for path in &paths {
        texts.extend(crate::fs::read_if_exists(path)?);
    }
    let mut replayed = Replayed::default();
    let mut records = Vec::new();
    for text in &texts {
        let (complete, torn) = match text.iter().rposition(|&b| b == b'\n') {
            Some(end) => text.split_at(end + 1),
            None => (&text[..0], &text[..]),
        };
        replayed.ignored += usize::from(!torn.is_empty());
        for line in complete.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            match serde_json::from_slice::<ReadRecord>(line) {
                Ok(record) => records.push(record),
                Err(_) => replayed.ignored += 1,
            }
        }
    }
    replayed.records = records.len();
    // Per language pair, the entries of every record (a later answer for the same
    // segment replaces an earlier one, as in the memory).
    let mut pairs: BTreeMap<(&str, &str), Vec<NewEntry<'_>>> = BTreeMap::new();
    for record in &records {
        let entries = pairs.entry((&record.source, &record.target)).or_default();
        entries.extend(record.entries.iter().map(|(s, t, b)| NewEntry {
            source: s,
            translation: t,
            origin: Origin::Machine,
            backend: b,
        }));
    }
    if !pairs.is_empty() {
        memory.begin_group()?;
        for ((source, target), entries) in &pairs {
            let (Ok(source), Ok(target)) = (Lang::parse(source), Lang::parse(target)) else {
                continue;
            };
            memory.store_segments(&source, &target, entries)?;
        }
        memory.commit_group()?;
    }
    remove(&paths)?;
    Ok(replayed)
}

/// Removes the journal's files (those that exist).
fn remove(paths: &[PathBuf; 2]) -> Result<(), FsError> {
    paths
        .iter()
        .try_for_each(|path| crate::fs::remove_if_exists(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Segment;

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
    }

    fn batch(target: &str, texts: &[&str]) -> Batch {
        Batch {
            source: lang("vi"),
            target: lang(target),
            segments: texts
                .iter()
                .map(|t| Segment {
                    text: (*t).into(),
                    context: None,
                })
                .collect(),
        }
    }

    fn answers(texts: &[&str]) -> Vec<Result<Translated, String>> {
        texts
            .iter()
            .map(|t| {
                Ok(Translated {
                    text: format!("EN:{t}"),
                    backend: "deepl".to_owned(),
                    repaired: false,
                })
            })
            .collect()
    }

    fn stored(memory: &Memory, target: &str) -> Vec<(String, String)> {
        let mut entries: Vec<(String, String)> = memory
            .entries(&lang("vi"), &lang(target))
            .unwrap()
            .into_iter()
            .map(|e| (e.source, e.translation))
            .collect();
        entries.sort();
        entries
    }

    #[test]
    fn replay_stores_the_complete_records_ignores_a_torn_one_and_removes_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let memory_path = dir.path().join("memory.db");
        let journal = Journal::create(&memory_path).unwrap();
        journal.append(
            &batch("en", &["Một.", "Hai.\nba"]),
            &answers(&["Một.", "Hai.\nba"]),
        );
        // A failed segment is not journalled: the next run sends it again.
        let mut mixed = answers(&["Bốn."]);
        mixed.push(Err("refused".to_owned()));
        journal.append(&batch("ko", &["Bốn.", "Năm."]), &mixed);
        // Killed in the middle of a write: the last record is torn.
        let torn = serde_json::to_vec(&Record {
            source: "vi",
            target: "en",
            entries: vec![("Sáu.", "EN:Sáu.", "deepl".into())],
        })
        .unwrap();
        let path = &paths(&memory_path)[0];
        let mut bytes = std::fs::read(path).unwrap();
        bytes.extend_from_slice(&torn[..torn.len() - 3]);
        std::fs::write(path, bytes).unwrap();

        let mut memory = Memory::in_memory().unwrap();
        let replayed = replay(&memory_path, &mut memory).unwrap();
        assert_eq!(
            replayed,
            Replayed {
                records: 2,
                ignored: 1
            }
        );
        assert_eq!(
            stored(&memory, "en"),
            [
                ("Hai.\nba".to_owned(), "EN:Hai.\nba".to_owned()),
                ("Một.".to_owned(), "EN:Một.".to_owned())
            ]
        );
        assert_eq!(
            stored(&memory, "ko"),
            [("Bốn.".to_owned(), "EN:Bốn.".to_owned())]
        );
        assert!(paths(&memory_path).iter().all(|p| !p.exists()));
        // Nothing left: a second replay stores nothing.
        assert_eq!(
            replay(&memory_path, &mut memory).unwrap(),
            Replayed::default()
        );
    }

    #[test]
    fn the_journal_stays_bounded_while_the_commits_follow_and_goes_at_a_clean_end() {
        let dir = tempfile::tempdir().unwrap();
        let memory_path = dir.path().join("memory.db");
        let journal = Journal::create(&memory_path).unwrap();
        let long = "x".repeat(10_000);
        let mut uncommitted = Vec::new();
        for _ in 0..400 {
            let ticket = journal.append(&batch("en", &[&long]), &answers(&[&long]));
            uncommitted.push(ticket.unwrap());
            // The commit trails the answers by two, as a run's loop does.
            if uncommitted.len() > 2 {
                journal.committed(uncommitted.drain(..1));
            }
            let size: u64 = paths(&memory_path)
                .iter()
                .map(|p| std::fs::metadata(p).unwrap().len())
                .sum();
            assert!(size <= 2 * ROTATE_BYTES + 30_000, "{size} bytes");
        }
        // Not every record committed: the journal is kept for the next run.
        journal.finish().unwrap();
        assert!(paths(&memory_path)[0].exists());
        journal.committed(uncommitted);
        journal.finish().unwrap();
        assert!(paths(&memory_path).iter().all(|p| !p.exists()));
    }
}
