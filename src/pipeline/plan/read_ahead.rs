//! Reading ahead: sources are read, parsed and split into segments on a thread of
//! their own, a few ahead of the planning loop — the part of planning that needs
//! neither the memory nor the network.
//!
//! Invariants: at most [`AHEAD`] parsed sources wait in the channel, so memory stays
//! flat in the number of articles; and the sources read but not yet written hold
//! [`Room`] in a byte budget ([`READ_AHEAD_BYTES`] by default), so memory stays
//! bounded by the largest file, not a multiple of it: a source larger than the budget
//! is read only when nothing else is held, and is alone until it is written (issue
//! 10, item 14: two 9 MB paragraphs read ahead held both, with their segments).

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::content::{self, Article};
use crate::segment::Segmenter;

use super::article::SegmentedArticle;
use super::layout::Layout;
use super::sources::{FtlSource, Source};

/// Sources parsed ahead: enough to cover a burst of free request slots, few enough
/// that memory stays flat.
const AHEAD: usize = 8;

/// The bytes of source files read and not yet written, by default: a few hundred
/// ordinary articles (far more than the jobs a run holds at once), or one article of
/// megabytes at a time.
pub(crate) const READ_AHEAD_BYTES: usize = 16 * 1024 * 1024;

/// A source's share of the read-ahead budget, held by its jobs and the files they
/// write; the share comes back when the last of them is dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Room {
    /// Only held: dropping the last clone releases the share.
    _permit: Option<Arc<OwnedSemaphorePermit>>,
}

/// The read-ahead budget, counted in KiB (a semaphore's permits are counted in
/// `u32`; KiB cover files of up to 4 TiB).
#[derive(Debug, Clone)]
struct Budget {
    permits: Arc<Semaphore>,
    kib: u32,
}

impl Budget {
    fn new(bytes: usize) -> Self {
        let kib = u32::try_from(bytes / 1024)
            .unwrap_or(u32::MAX)
            .clamp(1, MAX_KIB);
        Budget {
            permits: Arc::new(Semaphore::new(kib as usize)),
            kib,
        }
    }

    /// The share of a file of `bytes`: its size in KiB, at least 1, at most the whole
    /// budget (so a larger file waits until nothing else is held).
    fn share(&self, bytes: u64) -> u32 {
        u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(1, self.kib)
    }

    /// The share at once, if the budget has it.
    fn try_take(&self, share: u32) -> Option<Room> {
        let permit = Arc::clone(&self.permits)
            .try_acquire_many_owned(share)
            .ok()?;
        Some(Room {
            _permit: Some(Arc::new(permit)),
        })
    }

    /// Waits (blocking the thread) until the budget has the share. `None` only if the
    /// semaphore were closed, which this module never does.
    fn take(&self, share: u32) -> Option<Room> {
        let permit =
            futures::executor::block_on(Arc::clone(&self.permits).acquire_many_owned(share))
                .ok()?;
        Some(Room {
            _permit: Some(Arc::new(permit)),
        })
    }
}

/// The most permits a tokio semaphore holds is `usize::MAX >> 3`; a budget stays far
/// below it on every platform.
const MAX_KIB: u32 = u32::MAX >> 3;

/// A source read, parsed and split into segments.
#[derive(Debug)]
pub(crate) enum ParsedSource {
    /// An article, or why it could not be read.
    Article(Article, Result<SegmentedArticle, content::ContentError>),
    /// A Fluent reference file (read and planned against its targets later).
    Ftl {
        /// The reference file.
        reference: PathBuf,
        /// Its path below `locales/<source>/`.
        rel: PathBuf,
    },
}

/// Sources parsed on a background thread, a few ahead of the consumer.
pub(crate) struct ReadAhead {
    receiver: tokio::sync::mpsc::Receiver<Ahead>,
}

/// What the parser sends.
enum Ahead {
    Parsed(ParsedSource),
    /// The parser waits for [`Room`]: see [`Next::Full`].
    Full,
}

/// What [`ReadAhead::try_next`] and [`ReadAhead::next`] found.
#[derive(Debug)]
pub(crate) enum Next {
    /// A parsed source.
    Ready(ParsedSource),
    /// None parsed yet: the parser is still at work (only from `try_next`).
    NotYet,
    /// The next source waits until the sources held are written: what holds them
    /// must go out now (partial batches sent as they are), or nothing ever comes.
    Full,
    /// Every source was handed over.
    Done,
}

impl ReadAhead {
    /// Starts parsing `sources` in order, with the layout's translatable front-matter
    /// fields and protected patterns, holding at most `budget` bytes of sources not
    /// yet written (but always one source).
    pub(crate) fn start(
        sources: Vec<Source>,
        layout: &Layout,
        segmenter: Segmenter,
        budget: usize,
    ) -> Self {
        // A tokio channel: the run loop can wait for a source beside its results, and
        // never blocks on the parser while a result waits to be committed.
        let (sender, receiver) = tokio::sync::mpsc::channel(AHEAD);
        let layout = layout.clone();
        let budget = Budget::new(budget);
        std::thread::spawn(move || {
            crate::priority::mark_as_background();
            for source in sources {
                let parsed = match source {
                    Source::Article(article) => {
                        let Some(room) = room_for(&article, &budget, &sender) else {
                            break;
                        };
                        let segmented = super::unchanged::load_source(&layout, &article.source)
                            .map(|(doc, record)| {
                                SegmentedArticle::new(doc, &segmenter)
                                    .with_record(record)
                                    .holding(room)
                            });
                        ParsedSource::Article(article, segmented)
                    }
                    Source::Ftl(ftl) => {
                        let FtlSource { reference, rel } = *ftl;
                        ParsedSource::Ftl { reference, rel }
                    }
                };
                // The receiver is gone when the run stopped early: stop too.
                if sender.blocking_send(Ahead::Parsed(parsed)).is_err() {
                    break;
                }
            }
        });
        ReadAhead { receiver }
    }

    /// The next parsed source if one is ready, without waiting.
    pub(crate) fn try_next(&mut self) -> Next {
        match self.receiver.try_recv() {
            Ok(Ahead::Parsed(parsed)) => Next::Ready(parsed),
            Ok(Ahead::Full) => Next::Full,
            Err(tokio::sync::mpsc::error::TryRecvError::Empty) => Next::NotYet,
            Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => Next::Done,
        }
    }

    /// The next parsed source, [`Next::Full`] or [`Next::Done`] (never `NotYet`).
    /// Cancel-safe.
    pub(crate) async fn next(&mut self) -> Next {
        match self.receiver.recv().await {
            Some(Ahead::Parsed(parsed)) => Next::Ready(parsed),
            Some(Ahead::Full) => Next::Full,
            None => Next::Done,
        }
    }
}

/// The article's share of the budget, taken before it is read: at once if the budget
/// has it, else after telling the consumer ([`Next::Full`]) and waiting. `None` when
/// the consumer is gone. A file whose size cannot be read takes the least share (its
/// read fails, or it is small enough not to matter).
fn room_for(
    article: &Article,
    budget: &Budget,
    sender: &tokio::sync::mpsc::Sender<Ahead>,
) -> Option<Room> {
    let size = std::fs::metadata(&article.source).map_or(0, |m| m.len());
    let share = budget.share(size);
    if let Some(room) = budget.try_take(share) {
        return Some(room);
    }
    sender.blocking_send(Ahead::Full).ok()?;
    let room = budget.take(share)?;
    // A run that stopped meanwhile freed the room by dropping its jobs: read nothing
    // more for it.
    (!sender.is_closed()).then_some(room)
}
