//! Reading ahead: sources are read, parsed and split into segments on a thread of
//! their own, a few ahead of the planning loop — the part of planning that needs
//! neither the memory nor the network.
//!
//! Invariant: at most [`AHEAD`] parsed sources wait in the channel, so memory stays
//! flat in the number of articles.

use std::path::PathBuf;

use crate::content::{self, Article};
use crate::segment::Segmenter;

use super::article::SegmentedArticle;
use super::layout::Layout;
use super::sources::{FtlSource, Source};

/// Sources parsed ahead: enough to cover a burst of free request slots, few enough
/// that memory stays flat.
const AHEAD: usize = 8;

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
    receiver: tokio::sync::mpsc::Receiver<ParsedSource>,
}

/// What [`ReadAhead::try_next`] found.
pub(crate) enum Next {
    /// A parsed source.
    Ready(ParsedSource),
    /// None parsed yet: the parser is still at work.
    NotYet,
    /// Every source was handed over.
    Done,
}

impl ReadAhead {
    /// Starts parsing `sources` in order, with the layout's translatable front-matter
    /// fields and protected patterns.
    pub(crate) fn start(sources: Vec<Source>, layout: &Layout, segmenter: Segmenter) -> Self {
        // A tokio channel: the run loop can wait for a source beside its results, and
        // never blocks on the parser while a result waits to be committed.
        let (sender, receiver) = tokio::sync::mpsc::channel(AHEAD);
        let layout = layout.clone();
        std::thread::spawn(move || {
            for source in sources {
                let parsed = match source {
                    Source::Article(article) => {
                        let segmented = super::unchanged::load_source(&layout, &article.source)
                            .map(|(doc, record)| {
                                SegmentedArticle::new(doc, &segmenter).with_record(record)
                            });
                        ParsedSource::Article(article, segmented)
                    }
                    Source::Ftl(ftl) => {
                        let FtlSource { reference, rel } = *ftl;
                        ParsedSource::Ftl { reference, rel }
                    }
                };
                // The receiver is gone when the run stopped early: stop too.
                if sender.blocking_send(parsed).is_err() {
                    break;
                }
            }
        });
        ReadAhead { receiver }
    }

    /// The next parsed source if one is ready, without waiting.
    pub(crate) fn try_next(&mut self) -> Next {
        match self.receiver.try_recv() {
            Ok(parsed) => Next::Ready(parsed),
            Err(tokio::sync::mpsc::error::TryRecvError::Empty) => Next::NotYet,
            Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => Next::Done,
        }
    }

    /// The next parsed source; `None` when all are done. Cancel-safe.
    pub(crate) async fn next(&mut self) -> Option<ParsedSource> {
        self.receiver.recv().await
    }
}
