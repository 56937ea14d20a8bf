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
use super::sources::Source;

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
    receiver: std::sync::mpsc::Receiver<ParsedSource>,
}

impl ReadAhead {
    /// Starts parsing `sources` in order, with the layout's translatable front-matter
    /// fields and protected patterns.
    pub(crate) fn start(sources: Vec<Source>, layout: &Layout, segmenter: Segmenter) -> Self {
        let (sender, receiver) = std::sync::mpsc::sync_channel(AHEAD);
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
                    Source::Ftl { reference, rel } => ParsedSource::Ftl { reference, rel },
                };
                // The receiver is gone when the run stopped early: stop too.
                if sender.send(parsed).is_err() {
                    break;
                }
            }
        });
        ReadAhead { receiver }
    }

    /// The next parsed source; `None` when all are done.
    pub(crate) fn next(&self) -> Option<ParsedSource> {
        self.receiver.recv().ok()
    }
}
