//! The writer: files are rendered and go to disk atomically on a blocking thread, so
//! neither rendering nor syncing files holds up the run loop (and with it the request
//! slots); and the backup of a file `--force` replaces.
//!
//! Invariants: one writer thread at a time; at most [`MAX_QUEUED`] rendered files wait
//! in memory (planning pauses beyond), so memory stays flat in the number of articles.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};

use crate::content::Document;
use crate::fs::FsError;
use crate::lang::Lang;

use crate::memory::FileRecord;

use super::plan;
use super::render::Prepared;

/// Rendered files waiting to be written; planning pauses beyond it, so memory stays
/// bounded.
pub(crate) const MAX_QUEUED: usize = 16;

/// Files written at once. More threads only contend on the file system's inode
/// allocation lock (measured: a quarter of the run spinning in ext4 with 16).
const WRITE_THREADS: usize = 1;

/// A file on its way to disk, with what is recorded once it is written.
#[derive(Debug)]
pub(crate) struct FileToWrite {
    pub(crate) out_path: PathBuf,
    /// `out_path` relative to the project root.
    pub(crate) rel: String,
    /// The source file, relative to the project root (for failures).
    pub(crate) source_rel: String,
    pub(crate) target: Lang,
    /// The file's text (empty until `to_render` is rendered).
    pub(crate) content: String,
    /// What is still to be rendered into `content`, on the write thread.
    pub(crate) to_render: Option<Prepared>,
    /// The hash of the source it was rendered from.
    pub(crate) source_hash: String,
    /// Units to be reviewed.
    pub(crate) reviews: Vec<String>,
    /// QA warnings on its translations, recorded with it (the file needs review).
    pub(crate) qa_warnings: Vec<String>,
    /// The machine's proposals beside people's blocks, recorded with it.
    pub(crate) proposals: Vec<crate::memory::Proposal>,
    /// The source article it was rendered from, recorded with it (none for Fluent
    /// files).
    pub(crate) source_text: Option<SourceText>,
    /// The source's share of the read-ahead budget, given back once the write is
    /// recorded.
    pub(crate) room: crate::pipeline::plan::Room,
    /// Once written: its stat record ([`plan::written_record`]), made on the write
    /// thread; none for Fluent files or without the no-op shortcut.
    pub(crate) record: Option<FileRecord>,
}

/// The source article of a file: whole until the file is rendered, then only its text
/// where no other file of the article holds it still, so the units of a megabytes long
/// article are not held while the memory records it (issue 10, item 14).
#[derive(Debug)]
pub(crate) enum SourceText {
    /// The parsed article, shared by the files of its languages.
    Article(Arc<Document>),
    /// Its text alone, once the last of its files is rendered (the units that shared
    /// it are let go of with the article).
    Text(Arc<String>),
}

impl SourceText {
    /// The source text, exactly as in the file.
    pub(crate) fn text(&self) -> &str {
        match self {
            SourceText::Article(doc) => &doc.text,
            SourceText::Text(text) => text,
        }
    }

    fn article(&self) -> Option<&Document> {
        match self {
            SourceText::Article(doc) => Some(doc),
            SourceText::Text(_) => None,
        }
    }

    /// Only the text, if no other file holds the article.
    fn text_only(self) -> SourceText {
        match self {
            SourceText::Article(doc) => match Arc::try_unwrap(doc) {
                Ok(doc) => SourceText::Text(doc.text),
                Err(doc) => SourceText::Article(doc),
            },
            text @ SourceText::Text(_) => text,
        }
    }
}

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    /// It could not be rendered (the reason).
    #[error("{0}")]
    Render(String),
    /// It could not be written.
    #[error(transparent)]
    Fs(#[from] FsError),
}

/// A finished write: whether the file changed (`Ok(false)`: it already held these
/// bytes), or why it could not be rendered or written. `Err` when the write thread
/// panicked (nothing was renamed into place then).
pub(crate) type Written = Result<(FileToWrite, Result<bool, WriteError>), tokio::task::JoinError>;

/// Files queued for writing and the writes in progress.
#[derive(Default)]
pub(crate) struct Writer {
    queued: Vec<FileToWrite>,
    writing: FuturesUnordered<tokio::task::JoinHandle<(FileToWrite, Result<bool, WriteError>)>>,
    /// Nanoseconds spent writing (`--timings`).
    busy: Arc<AtomicU64>,
    /// The layout's stamp ([`plan::stamp`]): written files get a stat record with it;
    /// none when the no-op shortcut is off.
    stamp: Option<Arc<str>>,
}

impl Writer {
    /// A writer whose files are recorded with `stamp` (see [`Writer::stamp`]).
    pub(crate) fn new(stamp: Option<&str>) -> Self {
        Writer {
            stamp: stamp.map(Arc::from),
            ..Writer::default()
        }
    }

    /// Queues a file; [`Writer::start`] hands it to a write thread.
    pub(crate) fn queue(&mut self, file: FileToWrite) {
        self.queued.push(file);
    }

    /// Files queued and not yet being written.
    pub(crate) fn queued(&self) -> usize {
        self.queued.len()
    }

    /// True when no write is in progress.
    pub(crate) fn is_idle(&self) -> bool {
        self.writing.is_empty()
    }

    /// Starts writing queued files, as many as there are free write threads.
    pub(crate) fn start(&mut self) {
        let free = WRITE_THREADS
            .saturating_sub(self.writing.len())
            .min(self.queued.len());
        for mut file in self.queued.drain(..free) {
            let busy = Arc::clone(&self.busy);
            let stamp = self.stamp.clone();
            self.writing.push(tokio::task::spawn_blocking(move || {
                let started = Instant::now();
                let result = render(&mut file).and_then(|()| {
                    crate::fs::write_if_changed(&file.out_path, file.content.as_bytes())
                        .map_err(WriteError::from)
                });
                if let (Ok(_), Some(stamp)) = (&result, stamp) {
                    let at = (file.out_path.as_path(), file.rel.as_str());
                    file.record = plan::written_record(&stamp, at, &file.content);
                }
                let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
                busy.fetch_add(nanos, Ordering::Relaxed);
                (file, result)
            }));
        }
    }

    /// The next finished write; `None` when none is in progress.
    pub(crate) async fn next(&mut self) -> Option<Written> {
        self.writing.next().await
    }

    /// A finished write if there is one, without waiting.
    pub(crate) fn try_next(&mut self) -> Option<Written> {
        self.writing.next().now_or_never().flatten()
    }

    /// Time spent writing files so far.
    pub(crate) fn busy(&self) -> Duration {
        Duration::from_nanos(self.busy.load(Ordering::Relaxed))
    }
}

/// Renders what is still to be rendered of `file` into its content.
fn render(file: &mut FileToWrite) -> Result<(), WriteError> {
    if let Some(prepared) = file.to_render.take() {
        let doc = file.source_text.as_ref().and_then(SourceText::article);
        let rendered = prepared.render(doc).map_err(WriteError::Render)?;
        file.content = rendered.content;
    }
    file.source_text = file.source_text.take().map(SourceText::text_only);
    Ok(())
}

/// Saves a file about to be replaced as `<name>.bak` (or `.bak.2`, … if taken).
///
/// # Errors
/// [`FsError`] naming the file that could not be backed up.
pub(crate) fn back_up(path: &Path) -> Result<PathBuf, FsError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut backup = path.with_file_name(format!("{name}.bak"));
    let mut n = 2;
    while backup.exists() {
        backup = path.with_file_name(format!("{name}.bak.{n}"));
        n += 1;
    }
    std::fs::copy(path, &backup).map_err(|source| FsError {
        action: "cannot replace the translation in conflict with --force: failed to back up",
        path: path.to_owned(),
        source,
    })?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_never_overwrite_an_earlier_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bai.en.md");
        std::fs::write(&path, "v1").unwrap();
        assert_eq!(back_up(&path).unwrap(), dir.path().join("bai.en.md.bak"));
        std::fs::write(&path, "v2").unwrap();
        assert_eq!(back_up(&path).unwrap(), dir.path().join("bai.en.md.bak.2"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("bai.en.md.bak")).unwrap(),
            "v1"
        );
    }

    #[test]
    fn a_failed_backup_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.en.md");
        let message = back_up(&path).unwrap_err().to_string();
        assert!(message.contains("gone.en.md"), "{message}");
        assert!(message.contains("back up"), "{message}");
    }
}
