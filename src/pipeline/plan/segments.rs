//! A unit's text split into sentence segments with canonical tags: what the memory
//! stores and backends receive. Pure: no memory, no network.

use std::sync::Arc;

use crate::markup;
use crate::segment::{self, Segmenter, long};

/// One sentence of a unit, as the memory and backends see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlannedSegment {
    /// NFC-normalised text with tags renumbered from 1: the memory key and what is sent.
    /// Shared, not copied, by the lists of the run stage that name it (the batch it
    /// is sent in, the keys on their way, the jobs waiting for it).
    pub(crate) key: Arc<str>,
    /// The unit's tag ids, in the order of the renumbered ones.
    pub(crate) ids: Vec<u32>,
    /// Text with nothing to translate (numbers, punctuation) is kept as it is.
    pub(crate) verbatim: bool,
    /// A part of the sentence before it, cut because the sentence is longer than a
    /// request ([`Segmenter::max_chars`]): joined to it as the source was (a space
    /// where the source had one), not as a new sentence, and sent without context.
    pub(crate) continues: bool,
}

/// A unit split into segments, with what goes between them in the source.
#[derive(Debug, Clone)]
pub(crate) struct PlannedUnit {
    pub(crate) segments: Vec<PlannedSegment>,
    /// `gaps[i]` separates `segments[i]` and `segments[i + 1]` in the source.
    pub(crate) gaps: Vec<String>,
}

impl PlannedUnit {
    /// Whether segment `i` is one part of a sentence cut for length.
    pub(crate) fn is_part(&self, i: usize) -> bool {
        let continues = |j: usize| self.segments.get(j).is_some_and(|s| s.continues);
        continues(i) || continues(i + 1)
    }
}

/// Splits a unit's tagged text into planned segments. A sentence longer than the
/// segmenter's limit becomes several segments, cut at clause, then word boundaries
/// ([`long::split_long`]); the spaces at a cut go to the gap between them.
pub(crate) fn plan_unit(segmenter: &Segmenter, tagged: &str) -> PlannedUnit {
    let text = segment::normalize(tagged);
    let mut ranges = Vec::new();
    for sentence in segmenter.split(&text) {
        let parts = long::split_long(&text[sentence.clone()], segmenter.max_chars());
        for (i, part) in parts.into_iter().enumerate() {
            let piece = &text[sentence.start + part.start..sentence.start + part.end];
            let start = sentence.start + part.start + (piece.len() - piece.trim_start().len());
            let end = start + piece.trim().len();
            if end > start {
                ranges.push((start..end, i > 0));
            }
        }
    }
    let mut segments = Vec::with_capacity(ranges.len());
    let mut gaps = Vec::new();
    for (i, (range, continues)) in ranges.iter().enumerate() {
        if i > 0 {
            gaps.push(text[ranges[i - 1].0.end..range.start].to_owned());
        }
        segments.push(planned(&text[range.clone()], *continues));
    }
    if segments.is_empty() && !text.trim().is_empty() {
        // The segmenter found no sentence (e.g. only tags): keep the unit whole.
        segments.push(planned(text.trim(), false));
    }
    PlannedUnit { segments, gaps }
}

fn planned(text: &str, continues: bool) -> PlannedSegment {
    let (key, ids) = markup::canonicalize_ids(text);
    let verbatim = !markup::strip_tags(&key).chars().any(char::is_alphabetic);
    PlannedSegment {
        key: Arc::from(key),
        ids,
        verbatim,
        continues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_split_and_tags_renumbered_per_segment() {
        let segmenter = Segmenter::for_language("vi");
        let unit = plan_unit(&segmenter, "Câu một. Xem <g3>báo cáo</g3> mới.");
        assert_eq!(unit.segments.len(), 2);
        assert_eq!(&*unit.segments[1].key, "Xem <g1>báo cáo</g1> mới.");
        assert_eq!(unit.segments[1].ids, vec![3]);
        assert_eq!(unit.gaps, vec![" "]);
    }

    #[test]
    fn numbers_only_are_verbatim() {
        let segmenter = Segmenter::for_language("vi");
        assert!(plan_unit(&segmenter, "2019").segments[0].verbatim);
    }

    /// Issue 10, item 14: a sentence longer than a request is planned in parts that
    /// fit, each its own memory entry; the spaces at a cut are the gap between them.
    #[test]
    fn a_sentence_longer_than_the_limit_is_planned_in_parts() {
        let segmenter = Segmenter::for_language("vi").with_max_chars(12);
        let unit = plan_unit(
            &segmenter,
            "Một hai ba, bốn <g2>năm</g2> sáu, bảy tám. Chín.",
        );
        let keys: Vec<&str> = unit.segments.iter().map(|s| &*s.key).collect();
        // Tags count towards the limit, and a tag pair is never cut.
        assert_eq!(
            keys,
            [
                "Một hai ba,",
                "bốn",
                "<g1>năm</g1>",
                "sáu,",
                "bảy tám.",
                "Chín."
            ]
        );
        let continues: Vec<bool> = unit.segments.iter().map(|s| s.continues).collect();
        assert_eq!(continues, [false, true, true, true, true, false]);
        assert_eq!(unit.segments[2].ids, [2]);
        assert_eq!(unit.gaps, [" "; 5]);
        assert!(unit.is_part(0) && unit.is_part(4) && !unit.is_part(5));
        // Without a limit, the same text is two sentences.
        let whole = plan_unit(&Segmenter::for_language("vi"), "Một hai ba, bốn năm. Chín.");
        assert_eq!(whole.segments.len(), 2);
        assert!(whole.segments.iter().all(|s| !s.continues));
    }
}
