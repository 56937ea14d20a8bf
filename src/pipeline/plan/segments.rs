//! A unit's text split into sentence segments with canonical tags: what the memory
//! stores and backends receive. Pure: no memory, no network.

use crate::markup;
use crate::segment::{self, Segmenter};

/// One sentence of a unit, as the memory and backends see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlannedSegment {
    /// NFC-normalised text with tags renumbered from 1: the memory key and what is sent.
    pub(crate) key: String,
    /// The unit's tag ids, in the order of the renumbered ones.
    pub(crate) ids: Vec<u32>,
    /// Text with nothing to translate (numbers, punctuation) is kept as it is.
    pub(crate) verbatim: bool,
}

/// A unit split into segments, with what goes between them in the source.
#[derive(Debug, Clone)]
pub(crate) struct PlannedUnit {
    pub(crate) segments: Vec<PlannedSegment>,
    /// `gaps[i]` separates `segments[i]` and `segments[i + 1]` in the source.
    pub(crate) gaps: Vec<String>,
}

/// Splits a unit's tagged text into planned segments.
pub(crate) fn plan_unit(segmenter: &Segmenter, tagged: &str) -> PlannedUnit {
    let text = segment::normalize(tagged);
    let ranges = segmenter.split(&text);
    let mut segments = Vec::with_capacity(ranges.len());
    let mut gaps = Vec::new();
    for (i, range) in ranges.iter().enumerate() {
        if i > 0 {
            gaps.push(text[ranges[i - 1].end..range.start].to_owned());
        }
        let (key, ids) = markup::canonicalize_ids(&text[range.clone()]);
        let verbatim = !markup::strip_tags(&key).chars().any(char::is_alphabetic);
        segments.push(PlannedSegment { key, ids, verbatim });
    }
    if segments.is_empty() && !text.trim().is_empty() {
        // The segmenter found no sentence (e.g. only tags): keep the unit whole.
        let (key, ids) = markup::canonicalize_ids(text.trim());
        let verbatim = !markup::strip_tags(&key).chars().any(char::is_alphabetic);
        segments.push(PlannedSegment { key, ids, verbatim });
    }
    PlannedUnit { segments, gaps }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_split_and_tags_renumbered_per_segment() {
        let segmenter = Segmenter::for_language("vi");
        let unit = plan_unit(&segmenter, "Câu một. Xem <g3>báo cáo</g3> mới.");
        assert_eq!(unit.segments.len(), 2);
        assert_eq!(unit.segments[1].key, "Xem <g1>báo cáo</g1> mới.");
        assert_eq!(unit.segments[1].ids, vec![3]);
        assert_eq!(unit.gaps, vec![" "]);
    }

    #[test]
    fn numbers_only_are_verbatim() {
        let segmenter = Segmenter::for_language("vi");
        assert!(plan_unit(&segmenter, "2019").segments[0].verbatim);
    }
}
