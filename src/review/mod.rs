//! Review states, approvals and the publish manifest (issue 12).
//!
//! A translation's review state says whether a person stands behind it: `machine`,
//! `reviewed` (approved by a named person at a time), `needs-review`, `held` or
//! `pseudo`. An approval covers the exact source and translation hashes it saw, so any
//! later change of either turns it back to `needs-review`. Verdicts are stored in the
//! memory and mirrored in each file's provenance (see `mirror.rs`): the files stay the
//! truth, and deleting `.dich/` loses no approval.

pub mod manifest;
mod mirror;
pub mod proposals;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::content::{self, Document, Protect};
use crate::memory::{self, Approval, FileNotes, Memory, MemoryError, Verdict};
use crate::pipeline::{ArticleStatus, Known, Project, State, StatusReport, UiStatus};

use mirror::FileKind;

/// Whether a person stands behind a translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    /// Not publishable until fixed: a reviewer rejected it (or QA held it).
    Held,
    /// The source or the translation changed under an approval, or a person edited
    /// it without approving it.
    NeedsReview,
    /// Written by the pseudo backend: never publishable.
    Pseudo,
    /// Written by a backend, not yet reviewed.
    Machine,
    /// Approved by a named person, unchanged since.
    Reviewed,
}

impl ReviewState {
    /// The name used in output and in `--state`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Held => "held",
            ReviewState::NeedsReview => "needs-review",
            ReviewState::Pseudo => "pseudo",
            ReviewState::Machine => "machine",
            ReviewState::Reviewed => "reviewed",
        }
    }

    /// The state named `name`, if it is one.
    pub fn parse(name: &str) -> Option<ReviewState> {
        [
            ReviewState::Held,
            ReviewState::NeedsReview,
            ReviewState::Pseudo,
            ReviewState::Machine,
            ReviewState::Reviewed,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// The review of one translated file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// Its state.
    pub state: ReviewState,
    /// Who gave the last verdict, if anyone did.
    pub by: Option<String>,
    /// When, RFC 3339.
    pub at: Option<String>,
    /// Why, where the state needs a reason.
    pub detail: Option<String>,
}

/// One translated file (article or Fluent file) in one language, with its review.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The source article or reference `.ftl` file, relative to the project root.
    pub source: String,
    /// The target language.
    pub lang: String,
    /// The translated file, relative to the project root.
    pub path: String,
    /// `article` or `ui`.
    pub kind: &'static str,
    /// The translation state (`up-to-date`, `stale`, `missing`, …).
    pub translation: &'static str,
    /// The review; `None` while there is no translation.
    pub review: Option<Review>,
    /// Hash of the source now.
    #[serde(skip)]
    pub source_hash: Option<String>,
    /// The backend named in the file's provenance, if any.
    #[serde(skip)]
    pub backend: Option<String>,
    #[serde(skip)]
    translation_hash: Option<String>,
    /// The QA warnings recorded when dich last wrote the file.
    #[serde(skip)]
    pub qa_warnings: usize,
    /// The source's `title`, for the manifest (articles only).
    #[serde(skip)]
    pub(crate) source_title: Option<String>,
    /// The translation's `title`, for the manifest.
    #[serde(skip)]
    pub(crate) title: Option<String>,
    /// When the translated file last changed, RFC 3339.
    #[serde(skip)]
    pub(crate) changed_at: Option<String>,
}

impl Entry {
    /// The review state, `None` while there is no translation.
    pub fn state(&self) -> Option<ReviewState> {
        self.review.as_ref().map(|r| r.state)
    }
}

/// Why a review command failed as a whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewError {
    /// The memory could not be read or written.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] crate::fs::FsError),
    /// The verdicts in the files could not be recovered.
    #[error("cannot recover the review verdicts from the files: {0}")]
    Recover(String),
    /// A proposal could not be put in its file.
    #[error("{path}: cannot accept the proposal: {message}")]
    Proposal {
        /// The translated file.
        path: String,
        /// Why.
        message: String,
    },
    /// The manifest could not be built.
    #[error("cannot write the manifest {}: {message}", path.display())]
    Manifest {
        /// The manifest's path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// The memory if there is one, else an empty one: reading states creates nothing.
///
/// # Errors
/// [`MemoryError`] when the memory exists but cannot be opened.
pub fn open_memory(project: &Project) -> Result<Memory, MemoryError> {
    if project.config().memory.exists() {
        project.open_memory()
    } else {
        Memory::in_memory()
    }
}

/// What the review and the manifest need from a file's content. Recorded with the
/// file's stat record (issue 15), so a file the records prove unchanged is not read
/// and parsed again for them: the no-op run costs a `stat` per file. The JSON is this
/// module's own; a record without it (or that does not parse) means "read the file".
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Facts {
    /// The `title` front-matter field.
    title: Option<String>,
    /// The backend the provenance names (a translation).
    backend: Option<String>,
    /// The hash approvals compare, [`mirror::translation_hash`] (a translation).
    review_hash: Option<String>,
    /// Whether the file mirrors a verdict (then it is read when the memory has none).
    mirrored: bool,
}

impl Facts {
    /// The facts of a source article's `text`, as recorded.
    pub(crate) fn of_source(text: &str) -> String {
        Facts {
            title: content::read_title(text),
            ..Facts::default()
        }
        .to_json()
    }

    /// The facts of the translated article `rel` whose content is `text`, as recorded.
    pub(crate) fn of_translation(rel: &str, text: &str) -> String {
        Facts::translation(rel, text).to_json()
    }

    fn translation(rel: &str, text: &str) -> Facts {
        Facts {
            title: content::read_title(text),
            backend: content::read_provenance(text).map(|p| p.backend),
            review_hash: Some(mirror::translation_hash(FileKind::Markdown, text)),
            mirrored: mirror::read(FileKind::Markdown, rel, text).is_some(),
        }
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn parse(json: &str) -> Option<Facts> {
        serde_json::from_str(json).ok()
    }
}

/// The review of every translation in `status`.
///
/// # Errors
/// [`MemoryError`] when the memory cannot be read.
pub fn entries(
    project: &Project,
    status: &StatusReport,
    memory: &Memory,
) -> Result<Vec<Entry>, MemoryError> {
    let mut out = Vec::with_capacity(status.articles.len() + status.ui.len());
    let notes = FileNotes::of(memory)?;
    let mut articles = ArticleEntries::new(project, notes);
    for article in &status.articles {
        out.push(articles.entry(article, memory)?);
    }
    for ui in &status.ui {
        out.push(ui_entry(project, ui, (memory, notes))?);
    }
    Ok(out)
}

/// Makes the entries of articles one at a time, in status order.
pub(crate) struct ArticleEntries<'p> {
    project: &'p Project,
    /// The last source read: its path, hash and title. Each source is read once for
    /// all its languages, and not at all where the stat records proved it unchanged:
    /// the manifest is rebuilt on every run (issue 15).
    last_source: Option<(String, Option<String>, Option<String>)>,
    /// Which notes about single files the memory holds.
    notes: FileNotes,
}

impl<'p> ArticleEntries<'p> {
    /// Entries of the articles of `project`.
    pub(crate) fn new(project: &'p Project, notes: FileNotes) -> ArticleEntries<'p> {
        ArticleEntries {
            project,
            last_source: None,
            notes,
        }
    }

    /// The entry of `article`.
    ///
    /// # Errors
    /// [`MemoryError`] when the memory cannot be read.
    pub(crate) fn entry(
        &mut self,
        article: &ArticleStatus,
        memory: &Memory,
    ) -> Result<Entry, MemoryError> {
        let verdict = self.notes.approval(memory, &article.path)?;
        if let Some(known) = article.known.as_deref().and_then(KnownFacts::parse) {
            return Ok(known_entry(self.project, article, known, verdict));
        }
        if self
            .last_source
            .as_ref()
            .is_none_or(|(s, _, _)| *s != article.source)
        {
            let (hash, title) = read_source(self.project, &article.source);
            self.last_source = Some((article.source.clone(), hash, title));
        }
        let (hash, title) = self
            .last_source
            .as_ref()
            .map(|(_, h, t)| (h.clone(), t.clone()))
            .unwrap_or_default();
        Ok(article_entry(self.project, article, (hash, title), verdict))
    }
}

fn read(project: &Project, rel: &str) -> Option<String> {
    std::fs::read_to_string(project.config().root.join(rel)).ok()
}

/// The hash and title of the source article at `rel`, `None` when it cannot be read
/// or parsed.
fn read_source(project: &Project, rel: &str) -> (Option<String>, Option<String>) {
    let config = project.config();
    let path = config.root.join(rel);
    let Ok(bytes) = std::fs::read(&path) else {
        return (None, None);
    };
    let hash = Document::parse_with(
        &path,
        &bytes,
        &config.content.translatable_fields,
        &Protect::default(),
    )
    .ok()
    .map(|d| d.source_hash());
    let title = std::str::from_utf8(&bytes)
        .ok()
        .and_then(content::read_title);
    (hash, title)
}

/// The recorded facts of a translation and its source.
struct KnownFacts<'a> {
    known: &'a Known,
    source: Facts,
    translation: Facts,
    review_hash: String,
}

impl KnownFacts<'_> {
    fn parse(known: &Known) -> Option<KnownFacts<'_>> {
        let source = Facts::parse(&known.source_facts)?;
        let mut translation = Facts::parse(&known.facts)?;
        let review_hash = translation.review_hash.take()?;
        Some(KnownFacts {
            known,
            source,
            translation,
            review_hash,
        })
    }
}

/// The entry of a translation the stat records proved unchanged, with its source:
/// from the recorded facts and the memory, without reading either file.
fn known_entry(
    project: &Project,
    article: &ArticleStatus,
    known: KnownFacts<'_>,
    verdict: Option<Approval>,
) -> Entry {
    let KnownFacts {
        known,
        source,
        translation,
        review_hash,
    } = known;
    let pseudo = translation
        .backend
        .as_deref()
        .is_some_and(|b| b.starts_with("pseudo"));
    let mut entry = Entry {
        source: article.source.clone(),
        lang: article.lang.clone(),
        path: article.path.clone(),
        kind: "article",
        translation: article.state.as_str(),
        review: None,
        source_hash: Some(known.source_hash.clone()),
        backend: translation.backend,
        translation_hash: None,
        qa_warnings: article.qa_warnings,
        source_title: source.title,
        title: translation.title,
        changed_at: rfc3339(known.mtime_ns),
    };
    let (human, fresh) = flags(article.state);
    // The verdict mirrored in the file counts only when the memory has none (it was
    // deleted): then the file is read for it.
    let mirrored = || {
        translation
            .mirrored
            .then(|| read(project, &article.path))
            .flatten()
            .and_then(|text| mirror::read(FileKind::Markdown, &article.path, &text))
    };
    settle(
        &mut entry,
        verdict,
        review_hash,
        mirrored,
        (pseudo, human, fresh),
    );
    entry
}

/// Whether a translation in `state` was edited by a person, and whether it is fresh
/// (rendered from the current source).
fn flags(state: State) -> (bool, bool) {
    let human = matches!(state, State::NeedsReview | State::HumanEdited);
    let fresh = !matches!(state, State::Stale | State::Conflict);
    (human, fresh)
}

fn rfc3339(ns: i64) -> Option<String> {
    let time = chrono::DateTime::from_timestamp_nanos(ns);
    Some(time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn changed_at(path: &Path) -> Option<String> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let time: chrono::DateTime<chrono::Utc> = modified.into();
    Some(time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn article_entry(
    project: &Project,
    article: &ArticleStatus,
    (source_hash, source_title): (Option<String>, Option<String>),
    verdict: Option<Approval>,
) -> Entry {
    let text = read(project, &article.path).filter(|_| article.state != State::Missing);
    let facts = text
        .as_deref()
        .map(|t| Facts::translation(&article.path, t));
    let mut entry = Entry {
        source: article.source.clone(),
        lang: article.lang.clone(),
        path: article.path.clone(),
        kind: "article",
        translation: article.state.as_str(),
        review: None,
        source_hash,
        backend: None,
        translation_hash: None,
        qa_warnings: article.qa_warnings,
        source_title,
        title: None,
        changed_at: text
            .as_ref()
            .and_then(|_| changed_at(&project.config().root.join(&article.path))),
    };
    if let (Some(text), Some(facts)) = (text, facts) {
        let pseudo = facts
            .backend
            .as_deref()
            .is_some_and(|b| b.starts_with("pseudo"));
        let (human, fresh) = flags(article.state);
        entry.backend = facts.backend;
        entry.title = facts.title;
        let mirrored = || mirror::read(FileKind::Markdown, &article.path, &text);
        let review_hash = facts.review_hash.unwrap_or_default();
        settle(
            &mut entry,
            verdict,
            review_hash,
            mirrored,
            (pseudo, human, fresh),
        );
    }
    entry
}

pub(crate) fn ui_entry(
    project: &Project,
    ui: &UiStatus,
    (memory, notes): (&Memory, FileNotes),
) -> Result<Entry, MemoryError> {
    let config = project.config();
    let locales = project.display_path(&config.locales_dir);
    let rel = ui
        .path
        .strip_prefix(&format!("{locales}/{}/", ui.lang))
        .unwrap_or(&ui.path);
    let reference = config.locales_dir.join(config.source.as_str()).join(rel);
    let source_text = crate::fluent::read_ftl(&reference).ok().flatten();
    let text = crate::fluent::read_ftl(&config.root.join(&ui.path))
        .ok()
        .flatten();
    let translation = match (&ui.error, &text) {
        (Some(_), _) => "conflict",
        (None, None) => "missing",
        (None, Some(_)) if ui.missing + ui.stale > 0 => "stale",
        (None, Some(_)) => "up-to-date",
    };
    let mut entry = Entry {
        source: project.display_path(&reference),
        lang: ui.lang.clone(),
        path: ui.path.clone(),
        kind: "ui",
        translation,
        review: None,
        source_hash: source_text.as_deref().map(memory::hash),
        backend: None,
        translation_hash: None,
        qa_warnings: notes.qa_warnings(memory, &ui.path)?.len(),
        source_title: None,
        title: None,
        changed_at: None,
    };
    if let Some(text) = text {
        let pseudo = text
            .lines()
            .any(|l| l.starts_with("# dich: machine (pseudo"));
        let fresh = matches!(translation, "up-to-date");
        let review_hash = mirror::translation_hash(FileKind::Ftl, &text);
        let mirrored = || mirror::read(FileKind::Ftl, &ui.path, &text);
        settle(
            &mut entry,
            notes.approval(memory, &ui.path)?,
            review_hash,
            mirrored,
            (pseudo, false, fresh),
        );
    }
    Ok(entry)
}

/// Decides the review of an existing translation from the last verdict (`recorded`
/// in the memory first, else the one `mirrored` in the file) and its
/// `translation_hash` now.
fn settle(
    entry: &mut Entry,
    recorded: Option<Approval>,
    translation_hash: String,
    mirrored: impl FnOnce() -> Option<Approval>,
    (pseudo, human, fresh): (bool, bool, bool),
) {
    let verdict = recorded.or_else(mirrored);
    let same_text = |a: &Approval| a.translation_hash == translation_hash;
    let same_source = |a: &Approval| Some(&a.source_hash) == entry.source_hash.as_ref();
    let review = |state, a: Option<&Approval>, detail: Option<String>| Review {
        state,
        by: a.map(|a| a.by.clone()),
        at: a.map(|a| a.at.clone()),
        detail,
    };
    entry.review = Some(match &verdict {
        Some(a) if a.verdict == Verdict::Rejected && same_text(a) => review(
            ReviewState::Held,
            Some(a),
            Some(format!("rejected by {}: {}", a.by, a.reason)),
        ),
        Some(a) if a.verdict == Verdict::Approved && same_text(a) && same_source(a) && fresh => {
            review(ReviewState::Reviewed, Some(a), None)
        }
        Some(a) if a.verdict == Verdict::Approved => {
            let what = if same_text(a) {
                "the source"
            } else {
                "the translation"
            };
            review(
                ReviewState::NeedsReview,
                Some(a),
                Some(format!(
                    "{what} changed since {} approved it at {}",
                    a.by, a.at
                )),
            )
        }
        _ if pseudo => review(ReviewState::Pseudo, None, None),
        _ if human => review(
            ReviewState::NeedsReview,
            None,
            Some("edited by a person, not approved".to_owned()),
        ),
        _ => review(ReviewState::Machine, None, None),
    });
    entry.translation_hash = Some(translation_hash);
}

/// Copies the verdicts mirrored in the files into `memory` (the project's) when it
/// holds none (it was deleted or is new), before a run may rewrite those files: the
/// next run can then still tell `needs-review` from `machine`. Returns how many were
/// recovered.
///
/// # Errors
/// [`ReviewError`] when the memory or the content cannot be read.
pub fn recover(project: &Project, memory: &mut Memory) -> Result<usize, ReviewError> {
    // Why not on every run: recovering costs a whole status pass (every source parsed,
    // every translation read). Once a memory has taken in the files' verdicts it
    // records every later verdict itself, so this runs once per memory: when it is
    // new (first run, or `.dich/` deleted) or older than this marker. A memory that
    // already holds approvals needs no recovery either.
    if memory.verdicts_recovered()? {
        return Ok(0);
    }
    // Verdicts are mirrored in translated files only: with none on disk (a project's
    // first run) there is nothing to recover, and the pass would parse every source
    // for it (about 0.2 s before a first run of 1,000 articles could translate).
    let nothing_mirrored = || {
        project
            .has_translations()
            .map(|any| !any)
            .map_err(|e| ReviewError::Recover(e.to_string()))
    };
    if memory.approval_count()? > 0 || nothing_mirrored()? {
        memory.mark_verdicts_recovered()?;
        return Ok(0);
    }
    let mut recovered = 0;
    let mut recover_entry = |memory: &mut Memory, entry: &Entry| {
        let kind = if entry.kind == "ui" {
            FileKind::Ftl
        } else {
            FileKind::Markdown
        };
        let mirrored = read(project, &entry.path).and_then(|t| mirror::read(kind, &entry.path, &t));
        if let Some(approval) = mirrored {
            memory.record_approval(&approval)?;
            recovered += 1;
        }
        Ok::<_, MemoryError>(())
    };
    // Article by article, as the manifest's pass: the status of a whole project held
    // at once grew by about 2 KB per article, 220 MB at 100,000 (issue 15, peak
    // memory), and this pass is every first run's.
    // A connection of its own: the sink writes what it recovers through `memory`.
    let mut status_memory = open_memory(project)?;
    let notes = FileNotes::of(&status_memory)?;
    let mut articles = ArticleEntries::new(project, notes);
    let mut sink = |status_memory: &Memory, status: crate::pipeline::ArticleStatus| {
        // No file, no verdict in it: the source is not parsed again for its entry (a
        // second copy of a megabytes long article beside the status's, issue 10,
        // item 14).
        if status.state == State::Missing {
            return Ok(());
        }
        let entry = articles.entry(&status, status_memory)?;
        recover_entry(memory, &entry)
    };
    let status = project
        .status_each(None, (&mut status_memory, notes), &mut sink)
        .map_err(|e| ReviewError::Recover(e.to_string()))?;
    for ui in &status.ui {
        let entry = ui_entry(project, ui, (memory, notes))?;
        recover_entry(memory, &entry)?;
    }
    memory.mark_verdicts_recovered()?;
    Ok(recovered)
}

/// The reviewer's name: `--by`, else `DICH_REVIEWER`, else `git config user.name`.
pub fn reviewer(by: Option<&str>, root: &Path) -> Option<String> {
    let name = by
        .map(str::to_owned)
        .or_else(|| std::env::var("DICH_REVIEWER").ok());
    let name = name.or_else(|| {
        let out = std::process::Command::new("git")
            .args(["config", "user.name"])
            .current_dir(root)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    });
    name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())
}

/// What a verdict did to one file.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The translated file.
    pub path: String,
    /// The target language.
    pub lang: String,
    /// `None` when the verdict was recorded, else why it was refused.
    pub refused: Option<String>,
}

/// Records `verdict` by `by` on every entry in `selected` (memory and file mirror).
/// Approving a missing, stale, conflicting, failed or pseudo translation is refused
/// (that entry's [`Outcome::refused`]); rejecting needs only an existing file.
///
/// # Errors
/// [`ReviewError`] when the memory or a file cannot be written.
pub fn give_verdict(
    project: &Project,
    memory: &mut Memory,
    selected: &[Entry],
    (verdict, by, reason): (Verdict, &str, &str),
) -> Result<Vec<Outcome>, ReviewError> {
    let mut outcomes = Vec::new();
    for entry in selected {
        let refused = refusal(entry, verdict);
        if refused.is_none() {
            record(project, memory, entry, (verdict, by, reason))?;
        }
        outcomes.push(Outcome {
            path: entry.path.clone(),
            lang: entry.lang.clone(),
            refused,
        });
    }
    Ok(outcomes)
}

fn refusal(entry: &Entry, verdict: Verdict) -> Option<String> {
    let state = entry.state();
    match (entry.translation, verdict) {
        ("missing", _) => Some("there is no translation yet; run `dich translate`".to_owned()),
        ("stale", Verdict::Approved) => Some(
            "the translation is stale (its source changed); run `dich translate` first".to_owned(),
        ),
        ("conflict", Verdict::Approved) => {
            Some("the translation is in conflict with its source; see `dich status`".to_owned())
        }
        ("failed", Verdict::Approved) => {
            Some("the last translation failed; see `dich status`".to_owned())
        }
        _ if verdict == Verdict::Approved && state == Some(ReviewState::Pseudo) => Some(
            "it is a pseudo-translation, never publishable; translate it with a real backend"
                .to_owned(),
        ),
        _ if entry.translation_hash.is_none() || entry.source_hash.is_none() => {
            Some("the file or its source cannot be read".to_owned())
        }
        _ => None,
    }
}

fn record(
    project: &Project,
    memory: &mut Memory,
    entry: &Entry,
    (verdict, by, reason): (Verdict, &str, &str),
) -> Result<(), ReviewError> {
    let approval = Approval {
        path: entry.path.clone(),
        verdict,
        by: by.to_owned(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source_hash: entry.source_hash.clone().unwrap_or_default(),
        translation_hash: entry.translation_hash.clone().unwrap_or_default(),
        reason: reason.to_owned(),
    };
    memory.record_approval(&approval)?;
    if verdict == Verdict::Approved {
        // Approving the file as it is keeps the people's blocks: their proposals are
        // settled.
        memory.settle_proposals(&entry.path, None)?;
    }
    let kind = if entry.kind == "ui" {
        FileKind::Ftl
    } else {
        FileKind::Markdown
    };
    let path = project.config().root.join(&entry.path);
    let Some(text) = read(project, &entry.path) else {
        return Ok(());
    };
    match mirror::write(kind, &text, &approval) {
        Some(mirrored) => {
            crate::fs::write_atomic(&path, mirrored.as_bytes())?;
            memory.settle_file(&entry.path, &memory::hash(&text), &mirrored)?;
        }
        None => tracing::warn!(
            "{}: no provenance table to mirror the verdict in; it is kept in the memory only",
            entry.path
        ),
    }
    Ok(())
}
