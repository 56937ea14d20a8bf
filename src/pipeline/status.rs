//! `dich status`: the state of every translation, from the files and the memory
//! alone — no network, no backend.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use serde::Serialize;

use crate::fluent::{self, FtlPlan};
use crate::lang::Lang;
use crate::memory::{FileNotes, Memory, MemoryError};

use super::gate;
use super::plan::{self, AlignedFile, FtlSource, Layout, Records, Source, TranslatedFile};

/// The state of one translation, most pressing first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// The translated file no longer lines up with its source; dich leaves it alone.
    Conflict,
    /// The last attempt failed.
    Failed,
    /// The QA gate held the last attempt back: a machine answer had an error-level
    /// fault no backend of the chain could replace (the detail says which).
    Held,
    /// No translation yet.
    Missing,
    /// The source changed since the translation was made.
    Stale,
    /// A human-edited block was machine-translated again after its source changed.
    NeedsReview,
    /// Up to date, and a person edited it.
    HumanEdited,
    /// Up to date.
    UpToDate,
}

impl State {
    /// The name used in output (`up-to-date`, `needs-review`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Conflict => "conflict",
            State::Failed => "failed",
            State::Held => "held",
            State::Missing => "missing",
            State::Stale => "stale",
            State::NeedsReview => "needs-review",
            State::HumanEdited => "human-edited",
            State::UpToDate => "up-to-date",
        }
    }

    /// States that fail `dich status --check`: every state that is not publishable.
    pub fn fails_check(self) -> bool {
        matches!(
            self,
            State::Conflict | State::Failed | State::Held | State::Missing | State::Stale
        )
    }
}

/// One article in one language.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleStatus {
    /// The source article, relative to the project root.
    pub source: String,
    /// The target language.
    pub lang: String,
    /// The translated file, relative to the project root.
    pub path: String,
    /// Its state.
    pub state: State,
    /// Why, for conflicts, failures and reviews.
    pub detail: Option<String>,
    /// What the stat records proved about the translated file and its source, when
    /// they did: the review pass then reads neither (issue 15).
    #[serde(skip)]
    pub(crate) known: Option<Box<Known>>,
    /// How many QA warnings the memory holds for the translated file (the review
    /// pass lists the count without asking again).
    #[serde(skip)]
    pub(crate) qa_warnings: usize,
}

/// What the stat records of a translated file and its source say, when they prove
/// both unchanged since they were taken.
#[derive(Debug, Clone)]
pub(crate) struct Known {
    /// The source's `Document::source_hash`.
    pub(crate) source_hash: String,
    /// What the review derived from the source (`FileRecord::facts`).
    pub(crate) source_facts: String,
    /// What the review derived from the translated file (`FileRecord::facts`).
    pub(crate) facts: String,
    /// The translated file's modification time, ns since the Unix epoch.
    pub(crate) mtime_ns: i64,
}

/// One Fluent file in one language: how many of the reference's messages it has.
#[derive(Debug, Clone, Serialize)]
pub struct UiStatus {
    /// The target file, relative to the project root.
    pub path: String,
    /// The target language.
    pub lang: String,
    /// Messages and terms in the reference file.
    pub messages: usize,
    /// Of those, missing from the target.
    pub missing: usize,
    /// Machine-translated messages whose reference changed since (translated again by
    /// the next `dich translate`).
    pub stale: usize,
    /// Messages in the target marked `# dich: machine …`, not yet reviewed.
    pub machine: usize,
    /// Why the file could not be compared (a syntax error), if it could not.
    pub error: Option<String>,
}

/// The status of the whole project.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusReport {
    /// Every article × language in scope, sorted by source then language.
    pub articles: Vec<ArticleStatus>,
    /// Every Fluent file × language in scope.
    pub ui: Vec<UiStatus>,
    /// How many translations are in each state.
    pub counts: BTreeMap<&'static str, usize>,
    /// Sources that could not be read at all.
    pub errors: Vec<String>,
}

impl StatusReport {
    /// True when anything is failed, stale, missing or in conflict (`--check` exits 1).
    pub fn fails_check(&self) -> bool {
        self.articles.iter().any(|a| a.state.fails_check())
            || self
                .ui
                .iter()
                .any(|u| u.missing + u.stale > 0 || u.error.is_some())
            || !self.errors.is_empty()
    }
}

/// The state of every translation of `sources` in `targets`, from the files and the
/// memory alone. `errors` are the sources discovery could not read.
///
/// # Errors
/// [`MemoryError`] when the memory cannot be read.
pub(crate) fn status(
    layout: &Layout,
    targets: &[Lang],
    sources: &[Source],
    memory: &mut Memory,
    errors: Vec<String>,
) -> Result<StatusReport, MemoryError> {
    let mut articles = Vec::new();
    let notes = FileNotes::of(memory)?;
    let mut report = status_each(
        layout,
        (targets, sources),
        (memory, notes),
        errors,
        None,
        &mut |_, a| {
            articles.push(a);
            Ok(())
        },
    )?;
    report.articles = articles;
    Ok(report)
}

/// What an [`ArticleStatus`] is handed to, one at a time, with the memory.
pub(crate) type ArticleSink<'a> = dyn FnMut(&Memory, ArticleStatus) -> Result<(), MemoryError> + 'a;

/// Like [`status`], but each article's status goes to `sink` as soon as it is known
/// (in the order of `sources`, languages in the order of `targets`) instead of into
/// the report: a pass over 100,000 articles holds one at a time (issue 15). Right
/// after a run, `written_since` is when that run began: the records of the files it
/// wrote are trusted ([`Records::trusting_writes_since`]). `notes` are the memory's,
/// taken by the caller, which uses them for what it makes of each status too.
///
/// # Errors
/// [`MemoryError`] when the memory cannot be read, or what `sink` returns.
pub(crate) fn status_each(
    layout: &Layout,
    (targets, sources): (&[Lang], &[Source]),
    (memory, notes): (&mut Memory, FileNotes),
    errors: Vec<String>,
    written_since: Option<SystemTime>,
    sink: &mut ArticleSink<'_>,
) -> Result<StatusReport, MemoryError> {
    let mut status = StatusReport {
        errors,
        ..StatusReport::default()
    };
    let mut records = Records::new(layout).trusting_writes_since(written_since);
    // Asked once per language, not once per block of every file: a project where no
    // person edited anything in a language has no human unit to look up.
    let mut human = Vec::with_capacity(targets.len());
    for target in targets {
        human.push(memory.has_human_units(&layout.source, target)?);
    }
    for source in sources {
        records.flush_some(memory)?;
        // The pass's reads share one read transaction (SQLite locks once, not once per
        // query); a flush of refreshed records ends it, and the next article starts
        // another.
        memory.begin_read()?;
        let article = match source {
            Source::Article(article) => article,
            Source::Ftl(ftl) => {
                let FtlSource { reference, rel } = &**ftl;
                // Read and counted once, compared with every target.
                let text = match fluent::read_ftl(reference) {
                    Ok(text) => Ok(text.unwrap_or_default()),
                    Err(e) => Err(e.to_string()),
                };
                let messages = text.as_deref().map_or(0, fluent::entry_count);
                for target in targets {
                    let text = text.as_deref().map_err(Clone::clone);
                    let entry = ui_status(layout, (reference, text, messages), rel, target);
                    status.ui.push(entry);
                }
                continue;
            }
        };
        // The no-op shortcut: files the records prove unchanged are not read again,
        // and the source is parsed only when a translation must be.
        let (source_record, cached) =
            match plan::recorded_article(layout, targets, article, memory, &mut records)? {
                Some((source, translations)) => (Some(source), translations),
                None => (None, vec![None; targets.len()]),
            };
        let doc = if source_record.is_some() && cached.iter().all(Option::is_some) {
            None
        } else {
            match plan::load_source(layout, &article.source) {
                Ok((doc, record)) => {
                    if let Some(record) = record {
                        records.push(&layout.display_path(&article.source), record);
                    }
                    Some(doc)
                }
                Err(e) => {
                    status.errors.push(e.to_string());
                    continue;
                }
            }
        };
        for ((target, record), human) in targets.iter().zip(cached).zip(&human) {
            let out_path = layout.article_translation(&article.source, target);
            let path = layout.display_path(&out_path);
            let mut known = None;
            let existing = match (record, &source_record, &doc) {
                (Some(record), Some(source), _) => {
                    let file = AlignedFile::from_record(memory, &path, (&record, source), *human)?;
                    if !record.facts.is_empty() && !source.facts.is_empty() {
                        known = Some(Box::new(Known {
                            source_hash: source.source_hash.clone(),
                            source_facts: source.facts.clone(),
                            facts: record.facts,
                            mtime_ns: record.mtime_ns,
                        }));
                    }
                    TranslatedFile::Aligned(file)
                }
                (_, _, Some(doc)) => {
                    let pair = (&layout.source, target);
                    let file = (out_path.as_path(), path.as_str());
                    plan::analyse(memory, doc, pair, file, &layout.fields, false, &mut records)?
                }
                // Not reached: the source is parsed whenever a record is missing.
                _ => continue,
            };
            let mut entry = article_status(
                (memory, &notes),
                (&article.source, path, target),
                (existing, *human),
                layout,
            )?;
            entry.known = known;
            *status.counts.entry(entry.state.as_str()).or_default() += 1;
            sink(memory, entry)?;
        }
    }
    memory.end_read()?;
    records.flush(memory)?;
    Ok(status)
}

fn ui_status(
    layout: &Layout,
    (reference, text, messages): (&Path, Result<&str, String>, usize),
    rel: &Path,
    target: &Lang,
) -> UiStatus {
    let out_path = layout.ftl_translation(rel, target);
    // A file that cannot be decoded is an error, not a missing translation.
    let (existing, unreadable) = match fluent::read_ftl(&out_path) {
        Ok(existing) => (existing, None),
        Err(e) => (None, Some(e.to_string())),
    };
    let mut status = UiStatus {
        path: layout.display_path(&out_path),
        lang: target.to_string(),
        messages,
        missing: 0,
        stale: 0,
        machine: existing
            .as_deref()
            .map_or(0, |t| fluent::machine_marked_ids(t).len()),
        error: None,
    };
    if let Some(e) = unreadable {
        status.error = Some(e);
        return status;
    }
    let plan = text.and_then(|text| {
        let existing = existing.as_deref();
        FtlPlan::new(reference, text, &out_path, existing, &layout.source, target)
            .map_err(|e| e.to_string())
    });
    match plan {
        Ok(plan) => {
            status.missing = plan.missing_ids().len();
            status.stale = plan.stale_ids().len();
        }
        Err(e) => status.error = Some(e),
    }
    status
}

/// The state of the translation at `path` of the article at `source`, from what its
/// file tells (`existing`) and the memory.
fn article_status(
    (memory, notes): (&Memory, &FileNotes),
    (source, path, target): (&Path, String, &Lang),
    (existing, any_human): (TranslatedFile, bool),
    layout: &Layout,
) -> Result<ArticleStatus, MemoryError> {
    let pair = (&layout.source, target);
    let failure = notes.failure(memory, &path)?;
    let reviews = notes.reviews(memory, &path)?;
    let qa_warnings = notes.qa_warnings(memory, &path)?;
    let warnings = qa_warnings.len();
    let failed = if failure
        .as_deref()
        .is_some_and(|f| gate::held_code(f).is_some())
    {
        State::Held
    } else {
        State::Failed
    };
    let (state, detail) = match existing {
        TranslatedFile::Conflict(reason) => (State::Conflict, Some(reason)),
        // The failure outranks what it left behind, which the detail still says.
        TranslatedFile::Missing if failure.is_some() => {
            (failed, failure.map(|f| format!("{f} (no translation yet)")))
        }
        TranslatedFile::Aligned(found) if failure.is_some() => {
            let left = if found.up_to_date {
                "an earlier translation is in place"
            } else {
                "the existing translation is stale"
            };
            (failed, failure.map(|f| format!("{f} ({left})")))
        }
        TranslatedFile::Missing => (State::Missing, None),
        TranslatedFile::Aligned(found) if !found.up_to_date => (State::Stale, None),
        TranslatedFile::Aligned(_) if !reviews.is_empty() => (
            State::NeedsReview,
            Some(format!("{} block(s) to review", reviews.len())),
        ),
        TranslatedFile::Aligned(_) if !qa_warnings.is_empty() => {
            (State::NeedsReview, Some(qa_warnings.join("; ")))
        }
        TranslatedFile::Aligned(found) => {
            let mut human = found.human_edited;
            for key in found.keys.iter().filter(|_| any_human) {
                human = human || memory.human_unit(pair.0, target, key)?.is_some();
            }
            if human {
                (State::HumanEdited, None)
            } else {
                (State::UpToDate, None)
            }
        }
    };
    Ok(ArticleStatus {
        source: layout.display_path(source),
        lang: target.to_string(),
        path,
        state,
        detail,
        known: None,
        qa_warnings: warnings,
    })
}
