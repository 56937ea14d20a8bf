//! The writer: files are rendered and go to disk atomically on a thread of their own,
//! so neither rendering nor syncing files holds up the run loop (and with it the
//! request slots); and the backup of a file `--force` replaces.
//!
//! Between writes the thread also settles the files it wrote earlier in the run
//! ([`plan::Unsettled`]): once a file is older than the racy window, a stat and a hash
//! prove its record, so neither the manifest pass after the run nor the next run
//! hashes it again.
//!
//! Invariants: one write thread per run, taking the files in the order they were
//! queued; at most [`MAX_QUEUED`] rendered files wait in memory (planning pauses
//! beyond), so memory stays flat in the number of articles.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::content::Document;
use crate::fs::FsError;
use crate::lang::Lang;

use crate::memory::FileRecord;

use super::plan;
use super::render::Prepared;

/// Rendered files waiting to be written, or being written; planning pauses beyond
/// it, so memory stays bounded.
pub(crate) const MAX_QUEUED: usize = 16;

/// The source size from which an article's file is long: the run holds one long file
/// at a time between its assembly and its record, so the translations of a paragraph
/// of megabytes into three languages are not in memory together (issue 10, item 14).
pub(crate) const LONG_FILE: usize = 1 << 20;

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

    /// Whether the file rendered from this source is long ([`LONG_FILE`]).
    pub(crate) fn is_long(&self) -> bool {
        self.text().len() >= LONG_FILE
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
    /// Rendering or writing it panicked (a bug in dich): it was not renamed into
    /// place.
    #[error("writing it failed unexpectedly (a bug in dich; please report it)")]
    Panicked,
}

/// A finished write: the file, and whether it changed (`Ok(false)`: it already held
/// these bytes), or why it could not be rendered or written.
pub(crate) type Written = (FileToWrite, Result<bool, WriteError>);

impl FileToWrite {
    /// Whether it is rendered from a long source ([`LONG_FILE`]).
    fn is_long(&self) -> bool {
        self.source_text.as_ref().is_some_and(SourceText::is_long)
    }
}

/// What comes back from the write thread.
#[derive(Debug)]
pub(crate) enum Done {
    /// A file sent to it (boxed: a settled file is a tenth of its size).
    Written(Box<Written>),
    /// A file written earlier in the run, proven unchanged once its record could stop
    /// being racy ([`plan::Unsettled`]).
    Settled(plan::Settled),
}

/// The write thread, and the files sent to it whose write has not come back.
///
/// One thread that takes the next file the moment the last is written, rather than a
/// blocking task started by the run loop per file: the loop, busy storing answers,
/// left the writer idle, the queue filled, planning paused and the request slots
/// waited for batches (issue 15: 0.5–0.8 s of a 7 s run). One thread, because more
/// only contend on the file system's inode allocation lock (measured: a quarter of
/// the run spinning in ext4 with 16).
pub(crate) struct Writer {
    /// Files for the thread; `None` once it is told to stop.
    to_write: Option<std_mpsc::Sender<FileToWrite>>,
    done: mpsc::UnboundedReceiver<Done>,
    /// Files sent to the thread and not yet back.
    pending: usize,
    /// Of these, the long ones ([`LONG_FILE`]).
    long_pending: usize,
    /// Set when the writer is dropped: files still queued are left unwritten (and
    /// unrecorded), as a run that stops leaves them.
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Nanoseconds spent writing and settling (`--timings`).
    busy: Arc<AtomicU64>,
}

impl Writer {
    /// A writer whose files are recorded with `stamp` (the layout's [`plan::stamp`]:
    /// written files get a stat record with it; none when the no-op shortcut is off),
    /// and settled when `settle` (not for a shared memory, where proving a record costs
    /// the loop two round trips to the server, more than the hash it spares).
    ///
    /// # Errors
    /// When the system refuses a new thread.
    pub(crate) fn start(stamp: Option<&str>, settle: bool) -> std::io::Result<Self> {
        let (to_write, files) = std_mpsc::channel();
        let (finished, done) = mpsc::unbounded_channel();
        let stop = Arc::new(AtomicBool::new(false));
        let busy = Arc::new(AtomicU64::new(0));
        let thread = WriteThread {
            stamp: stamp.map(Arc::from),
            settle,
            stop: Arc::clone(&stop),
            busy: Arc::clone(&busy),
        };
        let thread = std::thread::Builder::new()
            .name("dich-writer".to_owned())
            .spawn(move || {
                crate::priority::mark_as_background();
                thread.run(&files, &finished);
            })?;
        Ok(Writer {
            to_write: Some(to_write),
            done,
            pending: 0,
            long_pending: 0,
            stop,
            thread: Some(thread),
            busy,
        })
    }

    /// Sends a file to the write thread; gives it back if the thread has ended (it
    /// catches every panic, so only a bug could end it early), for the caller to
    /// record as failed.
    #[expect(
        clippy::result_large_err,
        reason = "the file is handed back to be recorded as failed, not an error to propagate"
    )]
    pub(crate) fn queue(&mut self, file: FileToWrite) -> Result<(), FileToWrite> {
        let Some(to_write) = &self.to_write else {
            return Err(file);
        };
        let long = file.is_long();
        to_write.send(file).map_err(|unsent| unsent.0)?;
        self.pending += 1;
        self.long_pending += usize::from(long);
        Ok(())
    }

    /// Whether a long file ([`LONG_FILE`]) was sent and is not back.
    pub(crate) fn holds_long_file(&self) -> bool {
        self.long_pending > 0
    }

    /// Files sent and not yet taken back: waiting, being written, or written with the
    /// result not yet taken.
    pub(crate) fn queued(&self) -> usize {
        self.pending
    }

    /// True when every file sent is back.
    pub(crate) fn is_idle(&self) -> bool {
        self.pending == 0
    }

    /// The next finished write or settled file; `None` when no write is pending (a
    /// settled file is worth no wait). Cancel-safe.
    pub(crate) async fn next(&mut self) -> Option<Done> {
        if self.pending == 0 {
            return None;
        }
        let done = self.done.recv().await;
        self.finished(done)
    }

    /// A finished write or settled file if there is one, without waiting.
    pub(crate) fn try_next(&mut self) -> Option<Done> {
        match self.done.try_recv() {
            Ok(done) => self.finished(Some(done)),
            Err(mpsc::error::TryRecvError::Disconnected) => self.finished(None),
            Err(mpsc::error::TryRecvError::Empty) => None,
        }
    }

    /// Counts what came back; `None` from a closed channel means the thread is gone
    /// and every result it sent has been taken: nothing more comes back.
    fn finished(&mut self, done: Option<Done>) -> Option<Done> {
        match done {
            Some(done) => {
                if let Done::Written(written) = &done {
                    self.pending = self.pending.saturating_sub(1);
                    if written.0.is_long() {
                        self.long_pending = self.long_pending.saturating_sub(1);
                    }
                }
                Some(done)
            }
            None => {
                self.pending = 0;
                self.long_pending = 0;
                None
            }
        }
    }

    /// Time spent writing and settling files so far.
    pub(crate) fn busy(&self) -> Duration {
        Duration::from_nanos(self.busy.load(Ordering::Relaxed))
    }
}

impl Drop for Writer {
    /// Lets the file being written finish (its rename is what makes it whole) and
    /// leaves the rest: nothing is written after the run has ended.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.to_write = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the write thread holds.
struct WriteThread {
    stamp: Option<Arc<str>>,
    settle: bool,
    stop: Arc<AtomicBool>,
    busy: Arc<AtomicU64>,
}

impl WriteThread {
    /// Writes each file as it comes, and settles the files written once they can be,
    /// until the writer is dropped.
    fn run(&self, files: &std_mpsc::Receiver<FileToWrite>, done: &mpsc::UnboundedSender<Done>) {
        let mut unsettled = VecDeque::new();
        loop {
            if self.settle_due(&mut unsettled, done).is_err() {
                return;
            }
            let next = match unsettled.front() {
                Some(file) => files.recv_timeout(file.wait()),
                None => files.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            let mut file = match next {
                Ok(file) => file,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            let result = self.timed(|| self.write(&mut file));
            if self.settle
                && let Some(record) = &file.record
            {
                unsettled.push_back(plan::Unsettled::new(&file.out_path, &file.rel, record));
            }
            if done.send(Done::Written(Box::new((file, result)))).is_err() {
                return;
            }
        }
    }

    /// Settles the files old enough to be (few, and cheap: a stat and a hash of a file
    /// just written, still in the page cache), between writes. `Err` when the loop is
    /// gone.
    fn settle_due(
        &self,
        unsettled: &mut VecDeque<plan::Unsettled>,
        done: &mpsc::UnboundedSender<Done>,
    ) -> Result<(), ()> {
        while let Some(file) = unsettled.front() {
            // A proof is only a shortcut for the next pass: the end of the run does not
            // wait for the files left.
            if self.stop.load(Ordering::SeqCst) {
                return Err(());
            }
            let wait = file.wait();
            // A modification time in the future (a skewed clock, a network file
            // system): not provable soon, and it must not hold up the files after it.
            if wait > plan::SETTLE_AFTER {
                unsettled.pop_front();
                continue;
            }
            if !wait.is_zero() {
                break;
            }
            let Some(file) = unsettled.pop_front() else {
                break;
            };
            // A panic here loses only the proof (the file is hashed by the next pass).
            let settled = self.timed(|| std::panic::catch_unwind(|| file.settle()).ok().flatten());
            if let Some(settled) = settled {
                done.send(Done::Settled(settled)).map_err(|_| ())?;
            }
        }
        Ok(())
    }

    /// Runs `work`, counting its time as the thread's (`--timings`).
    fn timed<T>(&self, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = work();
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.busy.fetch_add(nanos, Ordering::Relaxed);
        result
    }

    /// Renders and writes one file, and makes its stat record. A panic fails its
    /// file, not the run: one in rendering or writing leaves the file as it was (the
    /// rename is the last step); one in making the record leaves the file written
    /// and unrecorded (the next pass reads it).
    fn write(&self, file: &mut FileToWrite) -> Result<bool, WriteError> {
        let written = std::panic::catch_unwind(AssertUnwindSafe(|| {
            render(file)?;
            crate::fs::write_if_changed(&file.out_path, file.content.as_bytes())
                .map_err(WriteError::from)
        }));
        let changed = written.unwrap_or(Err(WriteError::Panicked))?;
        if let Some(stamp) = &self.stamp {
            let at = (file.out_path.as_path(), file.rel.as_str());
            let content = &file.content;
            file.record = std::panic::catch_unwind(|| plan::written_record(stamp, at, content))
                .ok()
                .flatten();
        }
        Ok(changed)
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

    fn file(dir: &Path, name: &str, content: &str) -> FileToWrite {
        FileToWrite {
            out_path: dir.join(name),
            rel: name.to_owned(),
            source_rel: "bai.md".to_owned(),
            target: Lang::parse("en").unwrap(),
            content: content.to_owned(),
            to_render: None,
            source_hash: String::new(),
            reviews: Vec::new(),
            qa_warnings: Vec::new(),
            proposals: Vec::new(),
            source_text: None,
            room: plan::Room::default(),
            record: None,
        }
    }

    #[tokio::test]
    async fn the_writer_says_whether_a_long_file_is_on_its_way() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = Writer::start(None, true).unwrap();
        writer
            .queue(file(dir.path(), "short.en.md", "A\n"))
            .unwrap();
        assert!(!writer.holds_long_file());
        let mut long = file(dir.path(), "long.en.md", "B\n");
        long.source_text = Some(SourceText::Text(Arc::new("b".repeat(LONG_FILE))));
        writer.queue(long).unwrap();
        assert!(writer.holds_long_file());
        // Taken back in the order queued: the long file is on its way until its own
        // write is.
        assert!(matches!(writer.next().await, Some(Done::Written(_))));
        assert!(writer.holds_long_file());
        assert!(matches!(writer.next().await, Some(Done::Written(_))));
        assert!(!writer.holds_long_file());
        assert!(writer.is_idle());
    }

    #[tokio::test]
    async fn files_come_back_in_the_order_queued_each_written_or_failed() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should be: the write fails.
        std::fs::create_dir_all(dir.path().join("b.en.md/kept")).unwrap();
        let mut writer = Writer::start(None, true).unwrap();
        writer.queue(file(dir.path(), "a.en.md", "A\n")).unwrap();
        writer.queue(file(dir.path(), "b.en.md", "B\n")).unwrap();
        writer.queue(file(dir.path(), "c.en.md", "C\n")).unwrap();
        assert_eq!(writer.queued(), 3);
        let mut back = Vec::new();
        while let Some(Done::Written(written)) = writer.next().await {
            let (file, result) = *written;
            back.push((file.rel, result.map_err(|e| e.to_string())));
        }
        assert!(writer.is_idle());
        assert_eq!(back[0], ("a.en.md".to_owned(), Ok(true)));
        assert_eq!(back[1].0, "b.en.md");
        let failure = back[1].1.as_ref().unwrap_err();
        assert!(failure.contains("b.en.md"), "{failure}");
        // A failed write does not stop the ones after it.
        assert_eq!(back[2], ("c.en.md".to_owned(), Ok(true)));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("c.en.md")).unwrap(),
            "C\n"
        );
    }

    #[tokio::test]
    async fn a_file_that_already_holds_the_bytes_is_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.en.md"), "A\n").unwrap();
        let mut writer = Writer::start(None, true).unwrap();
        writer.queue(file(dir.path(), "a.en.md", "A\n")).unwrap();
        let Some(Done::Written(written)) = writer.next().await else {
            panic!("the write should come back");
        };
        let (_, result) = *written;
        assert!(!result.unwrap());
        assert!(writer.next().await.is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_file_written_is_settled_once_older_than_the_racy_window() {
        let dir = tempfile::tempdir().unwrap();
        let text = "---\ndich:\n  source: \"bai.md\"\n  source_hash: \"sha256:ab\"\n  \
                    lang: \"en\"\n  backend: \"pseudo\"\n  translated_at: \"2026-12-01T00:00:00Z\"\n\
                    ---\n\nText.\n";
        let mut writer = Writer::start(Some("stamp"), true).unwrap();
        writer.queue(file(dir.path(), "bai.en.md", text)).unwrap();
        let Some(Done::Written(written)) = writer.next().await else {
            panic!("the write should come back");
        };
        let (file, result) = *written;
        assert!(result.unwrap());
        let record = file.record.expect("a file with provenance gets a record");
        // The thread settles it on its own about 2 s later, with no file to write:
        // waited for with a generous bound, since it is the thread's clock, not tokio's.
        let deadline = Instant::now() + Duration::from_secs(60);
        let settled = loop {
            if let Some(Done::Settled(settled)) = writer.try_next() {
                break settled;
            }
            assert!(Instant::now() < deadline, "never settled");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(settled.rel, "bai.en.md");
        let proven = settled.prove(record.clone()).expect("the record written");
        assert!(proven.checked_ns > record.mtime_ns + 2_000_000_000);
    }

    #[test]
    fn a_writer_dropped_with_files_queued_ends_its_thread() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = Writer::start(None, true).unwrap();
        for n in 0..100 {
            writer
                .queue(file(dir.path(), &format!("{n}.en.md"), "x\n"))
                .unwrap();
        }
        // Returns once the thread has finished the file in hand: every file there is
        // whole, and no temporary file is left behind.
        drop(writer);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.ends_with(".en.md"), "left behind: {name}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "x\n", "{name}");
        }
    }

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
