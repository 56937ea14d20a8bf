//! A unit's text split into sentence segments with canonical tags: what the memory
//! stores and backends receive. Pure: no memory, no network.

use std::collections::HashMap;
use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

use crate::markup::{self, Tagged};
use crate::segment::{self, Segmenter, long};

/// A segment's memory key: its own text, or the slice of its document's text it is
/// equal to. The parts of a paragraph of megabytes cut for length were a copy of it
/// that the job held until its file was assembled, beside the document and the
/// assembled translation (issue 10, item 14); the run stage takes its own copy of a
/// part only while the part is on its way ([`SegmentKey::to_arc`]).
#[derive(Clone)]
pub(crate) enum SegmentKey {
    Own(Arc<str>),
    Slice(Arc<String>, Range<usize>),
}

impl SegmentKey {
    /// The key as the run stage shares it between its lists: the same `Arc` for a key
    /// of its own, a copy of a slice.
    pub(crate) fn to_arc(&self) -> Arc<str> {
        match self {
            SegmentKey::Own(key) => Arc::clone(key),
            SegmentKey::Slice(..) => Arc::from(&**self),
        }
    }
}

/// The run stage's copies of the keys that are slices, made once for all the jobs of
/// one source: its languages plan the same parts of a paragraph of megabytes, and a
/// copy per language held it three times over while the batches were on their way
/// (issue 10, item 14).
#[derive(Default)]
pub(crate) struct KeyCopies(HashMap<(usize, Range<usize>), Arc<str>>);

impl KeyCopies {
    /// `key` as the run stage shares it ([`SegmentKey::to_arc`]), a slice copied once.
    pub(crate) fn get(&mut self, key: &SegmentKey) -> Arc<str> {
        match key {
            SegmentKey::Own(own) => Arc::clone(own),
            // The address tells documents apart: they outlive the copies.
            SegmentKey::Slice(whole, range) => Arc::clone(
                self.0
                    .entry((Arc::as_ptr(whole) as usize, range.clone()))
                    .or_insert_with(|| key.to_arc()),
            ),
        }
    }
}

impl From<String> for SegmentKey {
    fn from(key: String) -> Self {
        SegmentKey::Own(Arc::from(key))
    }
}

impl Deref for SegmentKey {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            SegmentKey::Own(key) => key,
            SegmentKey::Slice(whole, range) => whole.get(range.clone()).unwrap_or_default(),
        }
    }
}

impl PartialEq for SegmentKey {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for SegmentKey {}

impl fmt::Debug for SegmentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for SegmentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// The length from which a segment's key is a slice of its document's text where it
/// can be; shorter ones are copied, as ordinary sentences always were.
const SLICED_AT_LEAST: usize = 4 * 1024;

/// One sentence of a unit, as the memory and backends see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlannedSegment {
    /// NFC-normalised text with tags renumbered from 1: the memory key and what is sent.
    /// Shared, not copied, by the lists of the run stage that name it (the batch it
    /// is sent in, the keys on their way, the jobs waiting for it), or a slice of the
    /// document's text ([`SegmentKey`]).
    pub(crate) key: SegmentKey,
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
    plan(segmenter, tagged, None)
}

/// As [`plan_unit`], for a unit's tagged text: where it is a slice of its document's
/// text ([`Tagged::share`]), a long segment without tags is keyed by a slice of it
/// too ([`SegmentKey`]).
pub(crate) fn plan_tagged(segmenter: &Segmenter, tagged: &Tagged) -> PlannedUnit {
    plan(segmenter, tagged.text(), tagged.shared())
}

fn plan(
    segmenter: &Segmenter,
    tagged: &str,
    shared: Option<(&Arc<String>, Range<usize>)>,
) -> PlannedUnit {
    let text = segment::normalize(tagged);
    // Only text that normalising left as it was is the document's.
    let shared = shared
        .filter(|_| text == tagged)
        .map(|(whole, unit)| (whole, unit.start));
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
        let at = shared.map(|(whole, start)| (whole, start + range.start));
        segments.push(planned(&text[range.clone()], *continues, at));
    }
    if segments.is_empty() && !text.trim().is_empty() {
        // The segmenter found no sentence (e.g. only tags): keep the unit whole.
        segments.push(planned(text.trim(), false, None));
    }
    PlannedUnit { segments, gaps }
}

/// The segment `text`; `at` is where it starts in its document's text, if it is there
/// as it is.
fn planned(text: &str, continues: bool, at: Option<(&Arc<String>, usize)>) -> PlannedSegment {
    let (key, ids) = markup::canonicalize_ids(text);
    let verbatim = !markup::strip_tags(&key).chars().any(char::is_alphabetic);
    let slice = at
        .map(|(whole, start)| (whole, start..start + key.len()))
        .filter(|(whole, range)| {
            key.len() >= SLICED_AT_LEAST && whole.get(range.clone()) == Some(key.as_str())
        });
    PlannedSegment {
        key: match slice {
            Some((whole, range)) => SegmentKey::Slice(Arc::clone(whole), range),
            None => SegmentKey::from(key),
        },
        ids,
        verbatim,
        continues,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::content::Document;

    #[test]
    fn a_slice_key_is_copied_once_for_all_the_jobs_of_its_source() {
        let text = Arc::new("một hai ba bốn năm sáu".to_owned());
        let part = |words: &str| {
            let at = text.find(words).unwrap();
            SegmentKey::Slice(Arc::clone(&text), at..at + words.len())
        };
        let (first, second) = (part("một hai"), part("ba bốn"));
        let own = SegmentKey::from("bảy".to_owned());
        let mut copies = KeyCopies::default();
        let copy = copies.get(&first);
        assert_eq!(&*copy, "một hai");
        // Another language's job planned the same part: the same copy.
        assert!(Arc::ptr_eq(&copy, &copies.get(&first.clone())));
        assert_eq!(&*copies.get(&second), "ba bốn");
        assert!(!Arc::ptr_eq(&copy, &copies.get(&second)));
        // A key of its own is shared as it is.
        let SegmentKey::Own(shared) = &own else {
            unreachable!()
        };
        assert!(Arc::ptr_eq(shared, &copies.get(&own)));
    }

    #[test]
    fn units_are_split_and_tags_renumbered_per_segment() {
        let segmenter = Segmenter::for_language("vi");
        let unit = plan_unit(&segmenter, "Câu một. Xem <g3>báo cáo</g3> mới.");
        assert_eq!(unit.segments.len(), 2);
        assert_eq!(&*unit.segments[1].key, "Xem <g1>báo cáo</g1> mới.");
        assert_eq!(unit.segments[1].ids, vec![3]);
        assert_eq!(unit.gaps, vec![" "]);
    }

    /// Issue 10, item 14: the parts of a long paragraph held as a slice of its
    /// document are keyed by slices of it, not copies, with the same keys; a part
    /// with tags, or text normalising changes, is its own copy as before.
    #[test]
    fn long_parts_of_a_shared_unit_are_keyed_by_slices_of_the_document() {
        let segmenter = Segmenter::for_language("vi").with_max_chars(5_000);
        let long = "Một hai ba bốn năm, sáu bảy tám ".repeat(1_000);
        for (paragraph, sliced) in [
            (long.trim_end().to_owned(), true),
            (format!("{}*đậm*", long.trim_start()), false),
            (
                long.replace("ố", "o\u{302}\u{301}").trim_end().to_owned(),
                false,
            ),
        ] {
            let body = format!("# Tiêu đề\n\n{paragraph}\n");
            let doc = Document::parse(Path::new("a.md"), body.as_bytes(), &[]).unwrap();
            let unit = &doc.units[1];
            let planned = plan_tagged(&segmenter, &unit.tagged);
            let copied = plan_unit(&segmenter, unit.tagged.text());
            assert!(planned.segments.len() > 3);
            assert_eq!(planned.segments, copied.segments);
            assert_eq!(planned.gaps, copied.gaps);
            for segment in &planned.segments {
                let slice = matches!(segment.key, SegmentKey::Slice(..));
                assert_eq!(slice, sliced && segment.key.len() >= SLICED_AT_LEAST);
            }
        }
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
