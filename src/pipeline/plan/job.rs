//! A job: one source document and one target language, with how each of its units
//! gets its translation. What planning hands to the run stage.

use std::path::PathBuf;
use std::sync::Arc;

use crate::content::{Document, Retitle};
use crate::fluent::FtlPlan;
use crate::lang::Lang;
use crate::pipeline::report::Why;

use super::read_ahead::Room;
use super::segments::{PlannedSegment, PlannedUnit};
use super::translated_file::BlockInFile;

/// What a job renders.
#[derive(Debug)]
pub(crate) enum JobDoc {
    /// A Markdown article, shared by the jobs of all its languages.
    Article(Arc<Document>),
    /// The missing messages of one Fluent file.
    Ftl(Box<FtlPlan>),
}

/// How one unit of a job gets its translation.
#[derive(Debug, Clone)]
pub(crate) enum JobUnit {
    /// Kept as it is: a human translation, or a block of the existing file whose
    /// source did not change (shared with the file's blocks: a kept paragraph of
    /// megabytes is not copied per job, issue 10, item 14).
    Kept(Arc<String>),
    /// Kept as it is, a long block of the existing file read from it at assembly.
    KeptInFile(Arc<BlockInFile>),
    /// Machine translation, sentence by sentence (shared by the article's languages).
    Machine(Arc<PlannedUnit>),
    /// Kept as it is but for its link titles, still in the source language in a file
    /// written before dich translated titles (issue 14): the patch, and its titles'
    /// segments to translate.
    Retitled(Arc<Retitle>, Arc<PlannedUnit>),
}

impl JobUnit {
    /// The segments to translate (none for a kept block).
    pub(crate) fn machine(&self) -> Option<&PlannedUnit> {
        match self {
            JobUnit::Machine(unit) | JobUnit::Retitled(_, unit) => Some(unit),
            JobUnit::Kept(_) | JobUnit::KeptInFile(_) => None,
        }
    }
}

/// A person's block whose source changed (issue 12): what the file keeps, and the
/// machine translation of the new source to record beside it.
#[derive(Debug, Clone)]
pub(crate) struct PendingProposal {
    /// The unit's index in the document.
    pub(crate) index: usize,
    /// The block's source when the person wrote their text (empty when unknown).
    pub(crate) old_source: String,
    /// The person's block as it was in the file.
    pub(crate) person: String,
    /// The new source's sentences, translated for the proposal; `None` when the
    /// sentences lined up and the job's own unit (the person's sentences with the
    /// changed one translated again) is the proposal, already in the file.
    pub(crate) unit: Option<Arc<PlannedUnit>>,
}

/// A source document and one target language: what to render and where.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) target: Lang,
    pub(crate) out_path: PathBuf,
    /// `out_path` relative to the project root.
    pub(crate) rel: String,
    /// The source file, relative to the project root (for failures).
    pub(crate) source_rel: String,
    pub(crate) doc: JobDoc,
    pub(crate) units: Vec<JobUnit>,
    /// The key of each source unit, recorded in the provenance.
    pub(crate) keys: Vec<String>,
    /// Units to be reviewed after this run.
    pub(crate) reviews: Vec<String>,
    /// People's blocks whose source changed, with the proposals to record.
    pub(crate) proposals: Vec<PendingProposal>,
    /// The file at `out_path` is in conflict and `--force` replaces it: save a copy
    /// first (never set in a dry run).
    pub(crate) back_up_first: bool,
    /// Why the file is written, with details where there are any.
    pub(crate) why: (Why, Option<String>),
    /// The source's share of the read-ahead budget, held until the file is written.
    pub(crate) room: Room,
}

impl Job {
    /// Every segment that needs a translation, once, with its neighbours as context.
    pub(crate) fn segments_to_translate(&self) -> Vec<(&PlannedSegment, Option<String>)> {
        // foldhash: see `run::waiting`.
        let mut seen = foldhash::HashSet::default();
        let mut out = Vec::new();
        let proposed = self.proposals.iter().filter_map(|p| p.unit.as_deref());
        for unit in self
            .units
            .iter()
            .filter_map(JobUnit::machine)
            .chain(proposed)
        {
            for (i, segment) in unit.segments.iter().enumerate() {
                if segment.verbatim || !seen.insert(&*segment.key) {
                    continue;
                }
                // The parts of a sentence cut for length are each as long as a
                // request: as context they would double or triple it, so they
                // neither get nor give any.
                if unit.is_part(i) {
                    out.push((segment, None));
                    continue;
                }
                let before = i.checked_sub(1);
                let context: Vec<&str> = [before, Some(i + 1)]
                    .into_iter()
                    .flatten()
                    .filter(|&j| !unit.is_part(j))
                    .filter_map(|j| unit.segments.get(j))
                    .map(|s| &*s.key)
                    .collect();
                out.push((segment, (!context.is_empty()).then(|| context.join(" "))));
            }
        }
        out
    }
}
