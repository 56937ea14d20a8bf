//! Planning, without a backend: a document's units become sentence segments with
//! canonical tags, the memory says which are already translated, and a planned job
//! renders its translated file once every segment is known.
//!
//! Pure apart from reading the memory, so `--dry-run` and `dich status` share it.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::content::UnitTranslation;
use crate::lang::Lang;
use crate::markup;
use crate::memory::{Memory, MemoryError, Origin};
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

/// How one unit of a job gets its translation.
#[derive(Debug, Clone)]
pub(crate) enum JobUnit {
    /// Kept as it is: a human translation, or a block of the existing file whose
    /// source did not change.
    Raw(String),
    /// Machine translation, sentence by sentence (shared by the article's languages).
    Machine(Arc<PlannedUnit>),
}

impl JobUnit {
    /// The segments to translate (none for a kept block).
    pub(crate) fn machine(&self) -> Option<&PlannedUnit> {
        match self {
            JobUnit::Machine(unit) => Some(unit),
            JobUnit::Raw(_) => None,
        }
    }
}

/// A job's translations assembled from the memory, with the backends that made them.
/// A unit is `None` when one of its segments has no translation (it failed).
pub(crate) struct Assembled {
    pub(crate) translations: Vec<Option<UnitTranslation>>,
    pub(crate) backends: BTreeSet<String>,
}

impl Assembled {
    /// Every unit, or `None` if any is missing.
    pub(crate) fn complete(self) -> Option<(Vec<UnitTranslation>, BTreeSet<String>)> {
        let translations = self.translations.into_iter().collect::<Option<Vec<_>>>()?;
        Some((translations, self.backends))
    }
}

/// Assembles every unit's tagged translation from the memory. `None` when a segment is
/// missing (it failed or was never translated).
pub(crate) fn assemble(
    memory: &Memory,
    source: &Lang,
    target: &Lang,
    units: &[JobUnit],
) -> Result<Assembled, MemoryError> {
    let mut translations = Vec::with_capacity(units.len());
    let mut backends = BTreeSet::new();
    for unit in units {
        let unit = match unit {
            JobUnit::Raw(raw) => {
                backends.insert("kept (human or earlier translation)".to_owned());
                translations.push(Some(UnitTranslation::Raw(raw.clone())));
                continue;
            }
            JobUnit::Machine(unit) => unit,
        };
        let mut text = String::new();
        let mut complete = true;
        for (i, segment) in unit.segments.iter().enumerate() {
            if i > 0 {
                text.push_str(&joiner(&unit.gaps[i - 1], target));
            }
            if segment.verbatim {
                text.push_str(&markup::restore_ids(&segment.key, &segment.ids));
                continue;
            }
            let Some(entry) = memory.segment(source, target, &segment.key)? else {
                complete = false;
                break;
            };
            backends.insert(match entry.origin {
                Origin::Machine => entry.backend,
                other => other.as_str().to_owned(),
            });
            text.push_str(&markup::restore_ids(&entry.translation, &segment.ids));
        }
        translations.push(complete.then_some(UnitTranslation::Tagged(text)));
    }
    Ok(Assembled {
        translations,
        backends,
    })
}

/// What separates two translated sentences: a line break stays a line break; otherwise
/// a space, or nothing in languages written without spaces between sentences.
fn joiner(source_gap: &str, target: &Lang) -> String {
    if source_gap.contains('\n') {
        "\n".to_owned()
    } else if target.joins_sentences_without_space() {
        String::new()
    } else {
        " ".to_owned()
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
        assert_eq!(unit.segments[1].key, "Xem <g1>báo cáo</g1> mới.");
        assert_eq!(unit.segments[1].ids, vec![3]);
        assert_eq!(unit.gaps, vec![" "]);
    }

    #[test]
    fn numbers_only_are_verbatim() {
        let segmenter = Segmenter::for_language("vi");
        assert!(plan_unit(&segmenter, "2019").segments[0].verbatim);
    }

    #[test]
    fn chinese_joins_sentences_without_space() {
        let zh = Lang::parse("zh-Hans").unwrap();
        assert_eq!(joiner(" ", &zh), "");
        assert_eq!(joiner(" ", &Lang::parse("en").unwrap()), " ");
        assert_eq!(joiner("\n", &zh), "\n");
    }
}
