//! The jobs of one Markdown article: per target language, unit by unit, a human
//! translation, a block kept from the existing file, or machine translation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::content::{Article, Document, Retitle};
use crate::lang::Lang;
use crate::memory::{FileRecord, Memory, MemoryError};
use crate::segment::Segmenter;

use super::human_blocks::{ChangedBlock, carry_over};
use super::job::{Job, JobDoc, JobUnit};
use super::read_ahead::Room;
use super::segments::{PlannedUnit, plan_tagged, plan_unit};
use super::settings::PlanSettings;
use super::translated_file::{self, AlignedFile, BlockInFile, TranslatedFile};
use super::unchanged::Records;
use super::unit_keys::unit_keys;
use crate::pipeline::progress::Progress;
use crate::pipeline::report::{Report, Why};

/// An article parsed and split into segments once, for the jobs of all its
/// languages: the document, the key of each unit and each unit's segments.
#[derive(Debug)]
pub(crate) struct SegmentedArticle {
    doc: Arc<Document>,
    keys: Vec<String>,
    units: Vec<Arc<PlannedUnit>>,
    /// The source file's record, for the no-op shortcut of later runs.
    record: Option<Box<FileRecord>>,
    /// Its share of the read-ahead budget, passed on to its jobs.
    room: Room,
}

impl SegmentedArticle {
    /// Splits every unit of `doc` into segments.
    pub(crate) fn new(doc: Document, segmenter: &Segmenter) -> Self {
        let doc = Arc::new(doc);
        SegmentedArticle {
            keys: unit_keys(&doc),
            units: doc
                .units
                .iter()
                .map(|u| Arc::new(plan_tagged(segmenter, &u.tagged)))
                .collect(),
            doc,
            record: None,
            room: Room::default(),
        }
    }

    /// The same, with the record of the source file as it was read.
    pub(crate) fn with_record(self, record: Option<FileRecord>) -> Self {
        SegmentedArticle {
            record: record.map(Box::new),
            ..self
        }
    }

    /// The same, holding `room` in the read-ahead budget until its jobs are done.
    pub(crate) fn holding(self, room: Room) -> Self {
        SegmentedArticle { room, ..self }
    }
}

/// The jobs of one article: one per target language whose translation is missing or
/// stale. A translation in conflict is reported and left alone, or replaced (after a
/// backup) with `force`.
pub(super) fn jobs(
    settings: &PlanSettings<'_>,
    article: &Article,
    segmented: &SegmentedArticle,
    memory: &mut Memory,
    report: &mut Report,
    progress: &dyn Progress,
) -> Result<Vec<Job>, MemoryError> {
    let layout = settings.layout;
    let mut jobs = Vec::new();
    // What this run learns about the files, written in one transaction (not in a dry
    // run, which writes nothing).
    let mut records = Records::new(layout);
    if let Some(record) = &segmented.record {
        records.push(&layout.display_path(&article.source), (**record).clone());
    }
    for target in settings.targets {
        report.lang(target).articles += 1;
        let out_path = layout.article_translation(&article.source, target);
        let rel = layout.display_path(&out_path);
        let pair = (&layout.source, target);
        let learn = !settings.dry_run;
        let doc = &segmented.doc;
        let file = (out_path.as_path(), rel.as_str());
        let existing =
            translated_file::analyse(memory, doc, pair, file, &layout.fields, learn, &mut records)?;
        let (found, back_up_first, why) = match existing {
            TranslatedFile::Missing => (None, false, (Why::Missing, None)),
            TranslatedFile::Conflict(reason) if !settings.force => {
                let reason = format!("conflict: {reason}");
                report.fail(rel.clone(), Some(target), reason);
                progress.file_done(&rel, target, "conflict");
                continue;
            }
            TranslatedFile::Conflict(reason) => {
                (None, !settings.dry_run, (Why::Forced, Some(reason)))
            }
            TranslatedFile::Aligned(found) if found.up_to_date => {
                progress.file_done(&rel, target, "up to date");
                continue;
            }
            TranslatedFile::Aligned(found) => {
                let detail = found.untranslated_titles.then(|| {
                    "link titles still in the source language (written before dich translated them)"
                        .to_owned()
                });
                (Some(found), false, (Why::SourceChanged, detail))
            }
        };
        let mut job = plan_job(settings, segmented, target, out_path, rel, found, memory)?;
        job.back_up_first = back_up_first;
        job.why = why;
        jobs.push(job);
    }
    if !settings.dry_run {
        records.flush(memory)?;
    }
    Ok(jobs)
}

/// Decides unit by unit: a human translation, a block kept from the existing file
/// (its source is unchanged), or machine translation by segments.
fn plan_job(
    settings: &PlanSettings<'_>,
    segmented: &SegmentedArticle,
    target: &Lang,
    out_path: PathBuf,
    rel: String,
    found: Option<AlignedFile>,
    memory: &Memory,
) -> Result<Job, MemoryError> {
    let source = &settings.layout.source;
    let found = found.as_ref();
    let keys = segmented.keys.clone();
    let earlier_reviews = memory.reviews(&rel)?;
    let any_human = memory.has_human_units(source, target)?;
    let human = |key: &str| -> Result<Option<String>, MemoryError> {
        if any_human {
            memory.human_unit(source, target, key)
        } else {
            Ok(None)
        }
    };
    let mut units = Vec::with_capacity(keys.len());
    let mut reviews = Vec::new();
    let mut proposals = Vec::new();
    let retitle = Retitling {
        segmented,
        segmenter: settings.segmenter,
        found,
    };
    for (j, key) in keys.iter().enumerate() {
        if let Some(human) = human(key)? {
            // Still under review after its source changed (see below).
            if earlier_reviews.contains(key) {
                reviews.push(key.clone());
            }
            units.push(retitle.kept(j, key, Arc::new(human)));
            continue;
        }
        if let Some(block) = found.and_then(|f| f.blocks.get(key)) {
            if earlier_reviews.contains(key) {
                reviews.push(key.clone());
            }
            let kept = retitle.kept(j, key, Arc::clone(block));
            units.push(read_later(found, &out_path, key, kept));
            continue;
        }
        // The source under a person's block changed: the person's text stays (whole,
        // or the sentences whose source is unchanged), the machine's proposal is
        // recorded beside it, and the block asks for a review.
        let previous = found.and_then(|f| f.keys.get(j)).filter(|p| *p != key);
        if let Some(previous) = previous
            && let Some(remembered) = human(previous)?
        {
            let person = found
                .and_then(|f| f.blocks.get(previous))
                .map_or(remembered, |block| String::clone(block));
            let block = ChangedBlock {
                index: j,
                previous,
                person,
                new_unit: &segmented.units[j],
            };
            let pair = (source, target);
            let protect = segmented.doc.protect();
            let (unit, proposal) = carry_over(memory, pair, settings.segmenter, protect, block)?;
            reviews.push(key.clone());
            units.push(unit);
            proposals.push(proposal);
            continue;
        }
        units.push(JobUnit::Machine(Arc::clone(&segmented.units[j])));
    }
    let doc = &segmented.doc;
    Ok(Job {
        target: target.clone(),
        out_path,
        rel,
        source_rel: settings.layout.display_path(&doc.path),
        doc: JobDoc::Article(Arc::clone(doc)),
        units,
        keys,
        reviews,
        proposals,
        back_up_first: false,
        why: (Why::Missing, None),
        room: segmented.room.clone(),
    })
}

/// `unit`, or when it keeps a long block of `found` (the file at `path`) as it is, that
/// block read from the file at assembly ([`BlockInFile`]).
fn read_later(found: Option<&AlignedFile>, path: &Path, key: &str, unit: JobUnit) -> JobUnit {
    let JobUnit::Kept(text) = &unit else {
        return unit;
    };
    let Some(file) = found else {
        return unit;
    };
    match (file.long_blocks.get(key), file.blocks.get(key)) {
        (Some(range), Some(block)) if Arc::ptr_eq(text, block) => {
            JobUnit::KeptInFile(Arc::new(BlockInFile::new(path, range.clone(), text)))
        }
        _ => unit,
    }
}

/// Link titles of kept blocks (issue 14).
struct Retitling<'a> {
    segmented: &'a SegmentedArticle,
    segmenter: &'a Segmenter,
    found: Option<&'a AlignedFile>,
}

impl Retitling<'_> {
    /// How the kept block `text` of unit `j` goes into the file: as it is, or with its
    /// titles that are still the source's translated when the file was written before
    /// dich translated titles (a kept image alt always carries its image's title). A person's block remembered with such a title while the
    /// file has it translated already gives way to the file's block: the same text but
    /// for the title dich translated.
    fn kept(&self, j: usize, key: &str, text: Arc<String>) -> JobUnit {
        let doc = &self.segmented.doc;
        if doc.is_image_alt(j) {
            let titles = doc.unit_titles(j);
            if titles.is_empty() {
                return JobUnit::Kept(text);
            }
            let retitle = Retitle::for_alt(&text, &titles);
            let unit = plan_unit(self.segmenter, retitle.tagged());
            return JobUnit::Retitled(Arc::new(retitle), Arc::new(unit));
        }
        let titles = doc.block_titles(j);
        let Some(retitle) = Retitle::new(&text, &titles, doc.protect()) else {
            return JobUnit::Kept(text);
        };
        match self.found {
            Some(found) if found.old_titles => {
                let unit = plan_unit(self.segmenter, retitle.tagged());
                JobUnit::Retitled(Arc::new(retitle), Arc::new(unit))
            }
            Some(found) => match found.blocks.get(key) {
                Some(block) if Retitle::new(block, &titles, doc.protect()).is_none() => {
                    JobUnit::Kept(Arc::clone(block))
                }
                _ => JobUnit::Kept(text),
            },
            None => JobUnit::Kept(text),
        }
    }
}
