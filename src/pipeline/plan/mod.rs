//! Planning: which sources are in scope, and for each source and target language the
//! job that says how every unit gets its translation (kept from the existing file, a
//! human's, or machine-translated by segments).
//!
//! No backend and no network: `--dry-run` and `dich status` use it as it is. The only
//! writes are to the memory (edits a person made to a translated file are learned).

use crate::memory::{Memory, MemoryError};

use crate::pipeline::progress::Progress;
use crate::pipeline::report::Report;

mod article;
mod human_blocks;
mod job;
mod layout;
mod read_ahead;
mod segments;
mod settings;
mod sources;
mod translated_file;
mod ui_strings;
mod unchanged;
mod unit_keys;

pub(crate) use job::{Job, JobDoc, JobUnit};
pub(crate) use layout::Layout;
pub(crate) use read_ahead::{Next, ParsedSource, READ_AHEAD_BYTES, ReadAhead, Room};
pub(crate) use segments::KeyCopies;
pub(crate) use settings::PlanSettings;
pub use sources::SourcesError;
pub(crate) use sources::{FtlSource, Source, find_sources, ftl_sources, list_sources};
pub(crate) use translated_file::{AlignedFile, TranslatedFile, analyse};
pub(crate) use unchanged::{
    Records, SETTLE_AFTER, Settled, Unsettled, load_source, output_unchanged, record_output,
    recorded_article, skip_unchanged, stamp, written_record,
};
pub(crate) use unit_keys::unit_keys;

/// The jobs of one source: one per target language whose translation is missing or
/// stale. A source that cannot be read fails here, alone (in `report`); so does a
/// translation in conflict, unless `force` replaces it.
///
/// # Errors
/// [`MemoryError`]: the memory failed, and the run cannot go on.
pub(crate) fn jobs(
    settings: &PlanSettings<'_>,
    source: ParsedSource,
    memory: &mut Memory,
    report: &mut Report,
    progress: &dyn Progress,
) -> Result<Vec<Job>, MemoryError> {
    match source {
        ParsedSource::Ftl { reference, rel } => Ok(ui_strings::jobs(
            settings, &reference, &rel, report, progress,
        )),
        ParsedSource::Article(article, Err(e)) => {
            let path = settings.layout.display_path(&article.source);
            report.fail(path, None, e.to_string());
            Ok(Vec::new())
        }
        ParsedSource::Article(article, Ok(segmented)) => {
            // One read transaction for the article's look-ups (stat records, what was
            // written, failures…): SQLite locks once instead of once per query. A
            // write (a refreshed record, a human unit) ends it first.
            memory.begin_read()?;
            let jobs = article::jobs(settings, &article, &segmented, memory, report, progress);
            let ended = memory.end_read();
            let jobs = jobs?;
            ended?;
            Ok(jobs)
        }
    }
}
