//! Per-language batching: segments to send collect per target language until a batch
//! is as full as the backend chain's limits allow. A segment longer than a request
//! may carry (a paragraph without sentence punctuation) is sent in parts
//! ([`crate::segment::long`]) and its translation rejoined when every part is back,
//! so the rest of the run only ever sees whole segments.

use std::collections::BTreeMap;

use crate::backend::{Batch, Limits, Segment, Translated};
use crate::lang::Lang;
use crate::segment::long;

/// A segment sent in parts, waiting for them.
struct Split {
    target: Lang,
    full: String,
    context: Option<String>,
    parts: Vec<String>,
    results: Vec<Option<Result<Translated, String>>>,
}

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
    splits: Vec<Split>,
}

impl Batcher {
    /// Batches from `source` within `limits`.
    pub(crate) fn new(source: Lang, limits: Limits) -> Self {
        Batcher {
            source,
            limits,
            buffers: BTreeMap::new(),
            splits: Vec::new(),
        }
    }

    /// Adds a segment to send to `target`; returns the batches it completed (usually
    /// none). Context is dropped when the chain does not use it.
    pub(crate) fn add(&mut self, target: &Lang, text: &str, context: Option<String>) -> Vec<Batch> {
        let chars = text.chars().count();
        if chars > self.limits.max_chars {
            let parts: Vec<String> = long::split_long(text, self.limits.max_chars)
                .into_iter()
                .map(|range| text[range].to_owned())
                .collect();
            if parts.len() > 1 {
                let mut full = Vec::new();
                for part in &parts {
                    full.extend(self.add_whole(target, part, None));
                }
                self.splits.push(Split {
                    target: target.clone(),
                    full: text.to_owned(),
                    context,
                    results: vec![None; parts.len()],
                    parts,
                });
                return full;
            }
        }
        self.add_whole(target, text, context)
    }

    /// Puts the results of a returned batch together: the parts of a split segment
    /// are taken out and kept until all are back, then give the whole segment (its
    /// parts' translations rejoined, or the first part's failure) in their place.
    pub(crate) fn rejoin(
        &mut self,
        batch: Batch,
        results: Vec<Result<Translated, String>>,
    ) -> (Batch, Vec<Result<Translated, String>>) {
        if self.splits.is_empty() {
            return (batch, results);
        }
        let Batch {
            source,
            target,
            segments,
        } = batch;
        let mut kept = Batch {
            source,
            target,
            segments: Vec::new(),
        };
        let mut kept_results = Vec::new();
        for (segment, result) in segments.into_iter().zip(results) {
            let slot = self.splits.iter_mut().find_map(|split| {
                (split.target == kept.target)
                    .then(|| {
                        split
                            .parts
                            .iter()
                            .zip(split.results.iter_mut())
                            .find(|(part, got)| got.is_none() && **part == segment.text)
                            .map(|(_, got)| got)
                    })
                    .flatten()
            });
            match slot {
                Some(slot) => *slot = Some(result),
                None => {
                    kept.segments.push(segment);
                    kept_results.push(result);
                }
            }
        }
        let mut i = 0;
        while i < self.splits.len() {
            if self.splits[i].results.iter().all(Option::is_some) {
                let split = self.splits.swap_remove(i);
                let result = whole(&split);
                kept.segments.push(Segment {
                    text: split.full,
                    context: split.context,
                });
                kept_results.push(result);
            } else {
                i += 1;
            }
        }
        (kept, kept_results)
    }

    fn add_whole(&mut self, target: &Lang, text: &str, context: Option<String>) -> Vec<Batch> {
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
            text: text.to_owned(),
            context: context.filter(|_| limits.accepts_context),
        });
        buffer.chars += chars;
        if buffer.segments.len() >= limits.max_segments {
            full.extend(self.flush(target));
        }
        full
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

/// The whole segment's result from its parts': their translations rejoined, or the
/// first failure.
fn whole(split: &Split) -> Result<Translated, String> {
    let mut texts = Vec::with_capacity(split.results.len());
    let mut backend = String::new();
    let mut repaired = false;
    for result in split.results.iter().flatten() {
        let translated = result.as_ref().map_err(Clone::clone)?;
        texts.push(translated.text.as_str());
        if backend.is_empty() {
            backend.clone_from(&translated.backend);
        }
        repaired |= translated.repaired;
    }
    let parts: Vec<&str> = split.parts.iter().map(String::as_str).collect();
    Ok(Translated {
        text: long::rejoin(&parts, &texts),
        backend,
        repaired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
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
        batch.segments.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn a_batch_is_sent_when_it_has_as_many_segments_as_allowed() {
        let mut batcher = batcher(2, 1000);
        assert!(batcher.add(&lang("en"), "một", None).is_empty());
        let full = batcher.add(&lang("en"), "hai", None);
        assert_eq!(full.len(), 1);
        assert_eq!(texts(&full[0]), ["một", "hai"]);
        assert!(batcher.flush_all().is_empty());
    }

    #[test]
    fn a_segment_that_would_overflow_the_characters_starts_a_new_batch() {
        let mut batcher = batcher(10, 6);
        assert!(batcher.add(&lang("en"), "abcd", None).is_empty());
        let full = batcher.add(&lang("en"), "efgh", None);
        assert_eq!(full.iter().map(texts).collect::<Vec<_>>(), [["abcd"]]);
        assert_eq!(texts(&batcher.flush_all()[0]), ["efgh"]);
    }

    /// Issue 10, item 14: a segment longer than a request was sent whole, and a real
    /// service refuses it. It goes in parts that fit, and comes back whole.
    #[test]
    fn a_segment_longer_than_a_request_is_sent_in_parts_and_rejoined() {
        let mut batcher = batcher(10, 12);
        let text = "một hai ba, bốn năm sáu, bảy tám";
        let mut batches = batcher.add(&lang("en"), text, None);
        batches.extend(batcher.flush_all());
        assert!(
            batches.len() > 1,
            "{:?}",
            batches.iter().map(texts).collect::<Vec<_>>()
        );
        for batch in &batches {
            assert!(batch.chars() <= 12, "{:?}", texts(batch));
        }
        let mut whole = Vec::new();
        for batch in batches {
            let results = batch
                .segments
                .iter()
                .map(|s| {
                    Ok(Translated {
                        text: s.text.trim_end().to_uppercase(),
                        backend: "test".to_owned(),
                        repaired: false,
                    })
                })
                .collect();
            let (batch, results) = batcher.rejoin(batch, results);
            whole.extend(texts(&batch).into_iter().map(str::to_owned).zip(results));
        }
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].0, text);
        assert_eq!(
            whole[0].1.as_ref().map(|t| t.text.as_str()),
            Ok("MỘT HAI BA, BỐN NĂM SÁU, BẢY TÁM")
        );
    }

    #[test]
    fn languages_are_batched_apart_and_context_is_dropped_when_unused() {
        let mut batcher = batcher(10, 1000);
        batcher.add(&lang("ko"), "một", Some("hai".to_owned()));
        batcher.add(&lang("en"), "một", None);
        let batches = batcher.flush_all();
        let targets: Vec<String> = batches.iter().map(|b| b.target.to_string()).collect();
        assert_eq!(targets, ["en", "ko"]);
        assert_eq!(batches[1].segments[0].context, None);
        assert!(batches.iter().all(|b| b.source == lang("vi")));
    }
}
