//! Per-language batching: segments to send collect per target language until a batch
//! is as full as the backend chain's limits allow. A sentence longer than a request
//! never reaches here whole: planning cuts it into parts, each its own segment
//! ([`crate::pipeline::plan`], `plan_unit`).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::backend::{Batch, Limits, Segment};
use crate::lang::Lang;

/// Segments of one language not yet a full batch.
#[derive(Default)]
struct Buffer {
    segments: Vec<Segment>,
    chars: usize,
}

/// Collects segments into batches that fit the chain's limits.
pub(crate) struct Batcher {
    source: Lang,
    limits: Limits,
    buffers: BTreeMap<Lang, Buffer>,
}

impl Batcher {
    /// Batches from `source` within `limits`.
    pub(crate) fn new(source: Lang, limits: Limits) -> Self {
        Batcher {
            source,
            limits,
            buffers: BTreeMap::new(),
        }
    }

    /// Adds a segment to send to `target`; returns the batches it completed (usually
    /// none). Context is dropped when the chain does not use it. The text is the
    /// planned segment's key itself, not a copy of it.
    pub(crate) fn add(
        &mut self,
        target: &Lang,
        text: Arc<str>,
        context: Option<String>,
    ) -> Vec<Batch> {
        let mut full = Vec::new();
        let chars = text.chars().count();
        let limits = self.limits;
        let no_room = self.buffers.get(target).is_some_and(|buffer| {
            !buffer.segments.is_empty()
                && (buffer.segments.len() >= limits.max_segments
                    || buffer.chars + chars > limits.max_chars)
        });
        if no_room {
            full.extend(self.flush(target));
        }
        let buffer = self.buffers.entry(target.clone()).or_default();
        buffer.segments.push(Segment {
            text,
            context: context.filter(|_| limits.accepts_context).map(Arc::from),
        });
        buffer.chars += chars;
        if buffer.segments.len() >= limits.max_segments {
            full.extend(self.flush(target));
        }
        full
    }

    /// Whether no segment waits here for a batch.
    pub(crate) fn is_empty(&self) -> bool {
        self.buffers.is_empty()
    }

    /// Every partial buffer as a batch, languages in order.
    pub(crate) fn flush_all(&mut self) -> Vec<Batch> {
        let targets: Vec<Lang> = self.buffers.keys().cloned().collect();
        targets.iter().filter_map(|t| self.flush(t)).collect()
    }

    fn flush(&mut self, target: &Lang) -> Option<Batch> {
        let buffer = self.buffers.remove(target)?;
        (!buffer.segments.is_empty()).then(|| Batch {
            source: self.source.clone(),
            target: target.clone(),
            segments: buffer.segments,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
    }

    fn arc(text: &str) -> Arc<str> {
        Arc::from(text)
    }

    fn batcher(max_segments: usize, max_chars: usize) -> Batcher {
        let limits = Limits {
            max_segments,
            max_chars,
            keeps_tags: true,
            accepts_context: false,
        };
        Batcher::new(lang("vi"), limits)
    }

    fn texts(batch: &Batch) -> Vec<&str> {
        batch.segments.iter().map(|s| &*s.text).collect()
    }

    #[test]
    fn a_batch_is_sent_when_it_has_as_many_segments_as_allowed() {
        let mut batcher = batcher(2, 1000);
        assert!(batcher.add(&lang("en"), arc("một"), None).is_empty());
        let full = batcher.add(&lang("en"), arc("hai"), None);
        assert_eq!(full.len(), 1);
        assert_eq!(texts(&full[0]), ["một", "hai"]);
        assert!(batcher.flush_all().is_empty());
    }

    #[test]
    fn a_segment_that_would_overflow_the_characters_starts_a_new_batch() {
        let mut batcher = batcher(10, 6);
        assert!(batcher.add(&lang("en"), arc("abcd"), None).is_empty());
        let full = batcher.add(&lang("en"), arc("efgh"), None);
        assert_eq!(full.iter().map(texts).collect::<Vec<_>>(), [["abcd"]]);
        assert_eq!(texts(&batcher.flush_all()[0]), ["efgh"]);
    }

    #[test]
    fn languages_are_batched_apart_and_context_is_dropped_when_unused() {
        let mut batcher = batcher(10, 1000);
        batcher.add(&lang("ko"), arc("một"), Some("hai".to_owned()));
        batcher.add(&lang("en"), arc("một"), None);
        let batches = batcher.flush_all();
        let targets: Vec<String> = batches.iter().map(|b| b.target.to_string()).collect();
        assert_eq!(targets, ["en", "ko"]);
        assert_eq!(batches[1].segments[0].context, None);
        assert!(batches.iter().all(|b| b.source == lang("vi")));
    }
}
