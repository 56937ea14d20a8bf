//! A person's block whose source changed (issue 12, invariant 8: a person's text is
//! never replaced by a machine's).
//!
//! When the block's sentences still line up one to one with the old and the new
//! source (same number of sentences, the same tags in each), only the sentences whose
//! source changed are translated again and the person's other sentences stay.
//! Otherwise the person's block stays in the file as it is and the machine's
//! translation of the new source is kept beside it, in the memory, as a proposal. In
//! both cases the block needs a review.
//!
//! This needs the old source of the block, which the memory keeps with the person's
//! text (`units.source_text`, learned from the source the file was last written from
//! when the source changed in the same step). Without it (`.dich/` deleted, a TMX
//! restore of an older block) the sentences cannot be compared, so the person's block
//! is kept whole with a proposal.

use std::path::Path;
use std::sync::Arc;

use crate::content::{Document, Protect};
use crate::lang::Lang;
use crate::memory::{Memory, MemoryError};
use crate::segment::Segmenter;

use super::job::{JobUnit, PendingProposal};
use super::segments::{PlannedSegment, PlannedUnit, plan_unit};

/// A person's block at `index` whose source key changed from `previous` to the key of
/// `new_unit`.
pub(super) struct ChangedBlock<'a> {
    pub(super) index: usize,
    pub(super) previous: &'a str,
    /// The person's block (the file's text; the memory's when the file lacks it).
    pub(super) person: String,
    pub(super) new_unit: &'a Arc<PlannedUnit>,
}

/// How the block is carried over: the job's unit, and the proposal to record.
pub(super) fn carry_over(
    memory: &Memory,
    (source, target): (&Lang, &Lang),
    segmenter: &Segmenter,
    protect: &Protect,
    block: ChangedBlock<'_>,
) -> Result<(JobUnit, PendingProposal), MemoryError> {
    let old_source = memory
        .human_unit_source(source, target, block.previous)?
        .unwrap_or_default();
    let target_segmenter =
        Segmenter::for_language(target.as_str()).with_max_chars(segmenter.max_chars());
    let aligned = align(
        (segmenter, &target_segmenter),
        protect,
        (&old_source, &block.person),
        block.new_unit,
    );
    let (unit, proposed) = match aligned {
        Some(aligned) => (JobUnit::Machine(Arc::new(aligned)), None),
        None => (
            JobUnit::Kept(Arc::new(block.person.clone())),
            Some(Arc::clone(block.new_unit)),
        ),
    };
    Ok((
        unit,
        PendingProposal {
            index: block.index,
            old_source,
            person: block.person,
            unit: proposed,
        },
    ))
}

/// The new source's unit with the person's sentences in place of every sentence whose
/// source did not change (as verbatim segments, so they are not sent), or `None` when
/// the sentences do not line up.
///
/// A person's sentence keeps its own tags; it may stand in for the source's only when
/// it carries the same tags in the same order (numbered by position in both blocks).
fn align(
    (source_segmenter, target_segmenter): (&Segmenter, &Segmenter),
    protect: &Protect,
    (old_source, person): (&str, &str),
    new: &PlannedUnit,
) -> Option<PlannedUnit> {
    let old = plan_unit(source_segmenter, &tagged_block(old_source, protect)?);
    let person = plan_unit(target_segmenter, &tagged_block(person, protect)?);
    let n = new.segments.len();
    if old.segments.len() != n || person.segments.len() != n {
        return None;
    }
    let mut segments = Vec::with_capacity(n);
    for ((old, new), mine) in old.segments.iter().zip(&new.segments).zip(&person.segments) {
        if old.ids != new.ids || mine.ids != old.ids {
            return None;
        }
        segments.push(if old.key == new.key {
            PlannedSegment {
                key: mine.key.clone(),
                ids: mine.ids.clone(),
                verbatim: true,
                continues: new.continues,
            }
        } else {
            new.clone()
        });
    }
    Some(PlannedUnit {
        segments,
        gaps: new.gaps.clone(),
    })
}

/// The tagged text of one block's Markdown, if it parses as exactly one block.
fn tagged_block(raw: &str, protect: &Protect) -> Option<String> {
    if raw.trim().is_empty() {
        return None;
    }
    let doc = Document::parse_with(Path::new("block.md"), raw.as_bytes(), &[], protect).ok()?;
    match doc.units.as_slice() {
        [unit] => Some(unit.tagged.text().to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn align_texts(old: &str, person: &str, new: &str) -> Option<PlannedUnit> {
        let vi = Segmenter::for_language("vi");
        let en = Segmenter::for_language("en");
        let protect = Protect::default();
        let new = plan_unit(&vi, &tagged_block(new, &protect).unwrap());
        align((&vi, &en), &protect, (old, person), &new)
    }

    #[test]
    fn only_the_changed_sentence_is_sent_again() {
        let unit = align_texts(
            "Câu một. Câu hai.",
            "My own first sentence. Sentence two.",
            "Câu một. Câu hai đã sửa.",
        )
        .unwrap();
        assert!(unit.segments[0].verbatim);
        assert_eq!(&*unit.segments[0].key, "My own first sentence.");
        assert!(!unit.segments[1].verbatim);
        assert_eq!(&*unit.segments[1].key, "Câu hai đã sửa.");
    }

    #[test]
    fn sentences_that_do_not_line_up_are_not_mixed() {
        // A sentence was added to the source.
        assert!(align_texts("Câu một. Câu hai.", "One. Two.", "Câu một. Câu hai. Ba.").is_none());
        // The person wrote one sentence for two.
        assert!(align_texts("Câu một. Câu hai.", "One and two.", "Câu một. Câu ba.").is_none());
        // The tags moved to another sentence.
        assert!(align_texts("Câu *một*. Câu hai.", "One. *Two*.", "Câu *một*. Câu ba.").is_none());
        // The old source is not known.
        assert!(align_texts("", "One. Two.", "Câu một. Câu ba.").is_none());
    }
}
