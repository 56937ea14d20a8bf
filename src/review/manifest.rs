//! The publish manifest `translations.json` (issue 12): per article and language,
//! what exists, in which translation and review state, written by which backend; per
//! UI locale, how complete it is. Output for the portal, never input: it is rewritten
//! whole and atomically by every `dich translate` and `dich export manifest`.
//! Schema: `docs/schema/translations.schema.json` (its `version` is [`VERSION`]).

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::memory::FileNotes;
use crate::pipeline::{Meanwhile, Project, Source, StatusReport, UiStatus};

use super::{Entry, Review, ReviewError, ReviewState};

/// The manifest format version; a change that can break a reader bumps it.
pub const VERSION: u32 = 1;

/// The whole manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// Always [`VERSION`].
    pub version: u32,
    /// The source language.
    pub source_language: String,
    /// The target languages.
    pub targets: Vec<String>,
    /// Every article, sorted by source path.
    pub articles: Vec<ManifestArticle>,
    /// Per UI locale: how complete its Fluent files are.
    pub ui: BTreeMap<String, UiLocale>,
}

/// One source article and its translations.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestArticle {
    /// The source file, relative to the project root.
    pub source: String,
    /// The canonical slug (file stem without a language suffix).
    pub slug: String,
    /// The `title` front-matter field per language, the source's included.
    pub titles: BTreeMap<String, String>,
    /// Per target language.
    pub languages: BTreeMap<String, ManifestTranslation>,
}

/// One translation of an article.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestTranslation {
    /// The translated file, relative to the project root.
    pub path: String,
    /// Whether the file exists.
    pub exists: bool,
    /// The translation state (`up-to-date`, `stale`, `missing`, `conflict`, …).
    pub translation: String,
    /// The review; `null` while there is no translation.
    pub review: Option<Review>,
    /// Hash of the source now.
    pub source_hash: Option<String>,
    /// The backend named in the file's provenance.
    pub backend: Option<String>,
    /// True unless a person approved it (a reader should say a machine wrote it).
    pub machine_translated: bool,
    /// A pseudo-translation: never publish.
    pub pseudo: bool,
    /// The QA warnings recorded when dich last wrote this translation.
    pub qa_warnings: u32,
    /// When the file last changed (its modification time), RFC 3339.
    pub changed_at: Option<String>,
}

/// How complete one UI locale is, over all its Fluent files.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UiLocale {
    /// Messages and terms in the source locale.
    pub messages: usize,
    /// Of those, present in this locale.
    pub present: usize,
    /// Present, machine-translated and not in an approved file.
    pub machine_only: usize,
    /// Present in files a person approved.
    pub reviewed: usize,
    /// Each Fluent file of the locale and its review state.
    pub files: BTreeMap<String, Option<ReviewState>>,
}

/// The manifest for `status` (all articles and languages) and its review `entries`.
pub fn build(project: &Project, status: &StatusReport, entries: &[Entry]) -> Manifest {
    let config = project.config();
    let mut articles: BTreeMap<String, ManifestArticle> = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.kind == "article") {
        let article = articles
            .entry(entry.source.clone())
            .or_insert_with(|| new_article(entry, config.source.as_str()));
        add_translation(article, entry);
    }
    Manifest {
        version: VERSION,
        source_language: config.source.to_string(),
        targets: config.targets.iter().map(ToString::to_string).collect(),
        articles: articles.into_values().collect(),
        ui: ui_locales(status, entries.iter().filter(|e| e.kind == "ui")),
    }
}

/// The article of `entry`, with its source's title and no translation yet.
fn new_article(entry: &Entry, source_lang: &str) -> ManifestArticle {
    let mut titles = BTreeMap::new();
    if let Some(title) = &entry.source_title {
        titles.insert(source_lang.to_owned(), title.clone());
    }
    ManifestArticle {
        source: entry.source.clone(),
        slug: slug(&entry.source),
        titles,
        languages: BTreeMap::new(),
    }
}

/// Adds the translation of `entry` (an article's) to `article`.
fn add_translation(article: &mut ManifestArticle, entry: &Entry) {
    let exists = entry.review.is_some();
    if exists && let Some(title) = &entry.title {
        article.titles.insert(entry.lang.clone(), title.clone());
    }
    let state = entry.state();
    article.languages.insert(
        entry.lang.clone(),
        ManifestTranslation {
            path: entry.path.clone(),
            exists,
            translation: entry.translation.to_owned(),
            review: entry.review.clone(),
            source_hash: entry.source_hash.clone(),
            backend: entry.backend.clone(),
            machine_translated: exists && state != Some(ReviewState::Reviewed),
            pseudo: state == Some(ReviewState::Pseudo),
            qa_warnings: u32::try_from(entry.qa_warnings).unwrap_or(u32::MAX),
            changed_at: entry.changed_at.clone().filter(|_| exists),
        },
    );
}

/// The UI locales of `status`, with the review entries of its Fluent files in order.
fn ui_locales<'a>(
    status: &StatusReport,
    entries: impl Iterator<Item = &'a Entry>,
) -> BTreeMap<String, UiLocale> {
    let mut ui: BTreeMap<String, UiLocale> = BTreeMap::new();
    for (status, entry) in status.ui.iter().zip(entries) {
        add_ui(ui.entry(status.lang.clone()).or_default(), status, entry);
    }
    ui
}

fn add_ui(locale: &mut UiLocale, status: &UiStatus, entry: &Entry) {
    let present = status.messages.saturating_sub(status.missing);
    locale.messages += status.messages;
    locale.present += present;
    if entry.state() == Some(ReviewState::Reviewed) {
        locale.reviewed += present;
    } else {
        locale.machine_only += status.machine.min(present);
    }
    locale.files.insert(entry.path.clone(), entry.state());
}

/// What [`write()`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Articles listed.
    pub articles: usize,
    /// UI locales listed.
    pub ui_locales: usize,
}

/// Writes the manifest of `project` to `path` atomically, unless the file already
/// says exactly that: the manifest holds no time of its own, so a run that changed
/// nothing writes nothing (design invariant 2).
///
/// Streamed: each article is written as soon as its translations are known, and the
/// old file is compared on the way, so a project of 100,000 articles never holds its
/// manifest in memory (issue 15). The bytes are those of `serde_json`'s pretty form of
/// the whole [`Manifest`] that [`build`] returns.
///
/// # Errors
/// [`ReviewError::Manifest`] naming the path when it cannot be built or written.
pub fn write(project: &Project, path: &Path) -> Result<Written, ReviewError> {
    let mut memory = super::open_memory(project).map_err(|e| ReviewError::Manifest {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    write_pass(project, path, (None, None), &mut memory)
}

/// The manifest after a run of `dich translate`: the pass over the articles the run
/// has finished is made while the run waits for its last answers (as its
/// [`Meanwhile`]), and [`AfterRun::write`] adds the others once the run is over. A
/// backend's round trip takes about as long as that pass over a thousand articles
/// (50 against 60 ms), which the end of every run waited for (issue 15). The bytes
/// are those [`write()`] gives.
pub struct AfterRun<'p> {
    project: &'p Project,
    path: PathBuf,
    early: Option<EarlyPass<'p>>,
}

impl<'p> AfterRun<'p> {
    /// The manifest of `project` at `path`, nothing made yet.
    pub fn new(project: &'p Project, path: &Path) -> AfterRun<'p> {
        AfterRun {
            project,
            path: path.to_owned(),
            early: None,
        }
    }

    /// Writes the manifest after `report`'s run, as [`write()`] does, unless the run
    /// proved that nothing the manifest is made from changed since it was written: no
    /// file in the project (the stat records), nothing in the memory (its revision),
    /// and the manifest file itself is the one written then. Then the file is kept
    /// without a pass over the project: a run with nothing to do costs one `stat` per
    /// file, not two passes (issue 15). Returns whether it was rebuilt.
    ///
    /// Keeping it is only a shortcut: a memory that cannot be read or written for it
    /// (busy beyond its timeout, read-only) costs a rebuild and a warning, never the
    /// run. `memory` is the run's own, still open ([`Project::translate_with_memory`]).
    ///
    /// # Errors
    /// [`ReviewError::Manifest`] naming the path when it cannot be built or written.
    pub fn write(
        self,
        report: &crate::pipeline::Report,
        memory: &mut crate::memory::Memory,
    ) -> Result<bool, ReviewError> {
        let (project, path) = (self.project, self.path.as_path());
        let warn = |what: &str, e: &dyn std::fmt::Display| {
            tracing::warn!("{}: {what}: {e}", path.display());
        };
        let inputs = project.manifest_inputs(report, memory).unwrap_or_else(|e| {
            warn("cannot read the memory's revision", &e);
            None
        });
        if let Some(inputs) = &inputs {
            match project.output_unchanged(memory, inputs, path) {
                Ok(true) => return Ok(false),
                Ok(false) => {}
                Err(e) => warn("cannot read the manifest's record", &e),
            }
        }
        let spooled = self.early.and_then(|early| match early.finish(memory) {
            Ok(spooled) => {
                tracing::debug!(
                    "{}: {} articles made while the last answers came, {} left for after the run",
                    path.display(),
                    spooled.end.articles,
                    spooled
                        .later
                        .iter()
                        .filter(|(_, mark)| mark.is_some())
                        .count()
                );
                Some(spooled)
            }
            Err(e) => {
                early_pass_failed(path, &e);
                None
            }
        });
        write_pass(project, path, (report.started_at, spooled), memory)?;
        if let Some(inputs) = &inputs
            && let Err(e) = project.record_output(memory, inputs, path)
        {
            // The next run rebuilds it once more, nothing else.
            warn("cannot record the manifest", &e);
        }
        Ok(true)
    }
}

impl Meanwhile for AfterRun<'_> {
    fn begin(
        &mut self,
        memory: &mut crate::memory::Memory,
        unfinished: HashSet<String>,
        started_at: Option<std::time::SystemTime>,
    ) {
        match EarlyPass::begin(self.project, memory, unfinished, started_at) {
            Ok(early) => self.early = Some(early),
            Err(e) => self.give_up(&e),
        }
    }

    fn step(&mut self, memory: &mut crate::memory::Memory) -> bool {
        let Some(early) = &mut self.early else {
            return false;
        };
        match early.step(memory) {
            Ok(more) => more,
            Err(e) => {
                self.give_up(&e);
                false
            }
        }
    }
}

impl AfterRun<'_> {
    /// Drops the pass begun beside the last answers.
    fn give_up(&mut self, e: &str) {
        self.early = None;
        early_pass_failed(&self.path, e);
    }
}

/// Says why the pass beside the last answers was dropped: the whole pass is made
/// after the run instead, so only time is lost.
fn early_pass_failed(path: &Path, e: &str) {
    tracing::debug!(
        "{}: the pass beside the last answers failed ({e}); made after the run",
        path.display()
    );
}

/// Sources an [`EarlyPass`] step goes through at most: about 5 ms of a thousand
/// articles' 70, so that answers are taken in as they come.
const EARLY_STEP: usize = 64;

/// The pass over the articles a run has finished, made step by step while it waits
/// for its last answers: they go to a spool, and the sources left for after the run
/// are kept with where they go.
struct EarlyPass<'p> {
    project: &'p Project,
    /// The sources not yet gone through, in order (reversed: taken from the end).
    sources: Vec<Source>,
    /// The articles whose files may still change.
    unfinished: HashSet<String>,
    written_since: Option<std::time::SystemTime>,
    notes: FileNotes,
    /// The articles, each as it follows another in the manifest (`,` and its line).
    spool: Counted<std::io::BufWriter<std::fs::File>>,
    /// Articles in the spool.
    articles: usize,
    /// The sources left, in order: the articles not finished, each with where it goes
    /// in the spool, then the Fluent files (the UI locales are made after the run).
    later: Vec<(Source, Option<(String, SpoolMark)>)>,
}

/// A place in the spool: after `bytes` bytes and `articles` articles.
#[derive(Debug, Clone, Copy)]
struct SpoolMark {
    bytes: u64,
    articles: usize,
}

/// What an [`EarlyPass`] leaves for [`write_pass`]: the spool and the sources left.
struct Spooled {
    spool: std::fs::File,
    end: SpoolMark,
    later: Vec<(Source, Option<(String, SpoolMark)>)>,
}

impl<'p> EarlyPass<'p> {
    /// Lists the sources; none is gone through yet.
    fn begin(
        project: &'p Project,
        memory: &crate::memory::Memory,
        unfinished: HashSet<String>,
        written_since: Option<std::time::SystemTime>,
    ) -> Result<EarlyPass<'p>, String> {
        let (mut sources, _) = project.sorted_sources().map_err(|e| e.to_string())?;
        sources.reverse();
        let notes = FileNotes::of(memory).map_err(|e| e.to_string())?;
        let file = tempfile::tempfile().map_err(|e| e.to_string())?;
        Ok(EarlyPass {
            project,
            sources,
            unfinished,
            written_since,
            notes,
            spool: Counted {
                out: std::io::BufWriter::new(file),
                bytes: 0,
            },
            articles: 0,
            later: Vec::new(),
        })
    }

    /// Goes through the next [`EARLY_STEP`] sources; false once none is left.
    fn step(&mut self, memory: &mut crate::memory::Memory) -> Result<bool, String> {
        let mut finished = Vec::new();
        for _ in 0..EARLY_STEP {
            let Some(source) = self.sources.pop() else {
                break;
            };
            match self.project.article_name(&source) {
                Some(name) if !self.unfinished.contains(&name) => finished.push(source),
                name => {
                    self.spool_articles(&finished, memory)?;
                    finished.clear();
                    let place = SpoolMark {
                        bytes: self.spool.bytes,
                        articles: self.articles,
                    };
                    self.later.push((source, name.map(|name| (name, place))));
                }
            }
        }
        self.spool_articles(&finished, memory)?;
        Ok(!self.sources.is_empty())
    }

    /// The articles of `finished` (sources in order, none left for later) into the
    /// spool.
    fn spool_articles(
        &mut self,
        finished: &[Source],
        memory: &mut crate::memory::Memory,
    ) -> Result<(), String> {
        if finished.is_empty() {
            return Ok(());
        }
        let (spool, articles) = (&mut self.spool, &mut self.articles);
        let mut write = |article: &ManifestArticle| {
            *articles += 1;
            spool_article(spool, article)
        };
        let pass = (memory, self.notes);
        articles_of(self.project, finished, self.written_since, pass, &mut write)
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Goes through the sources left, then hands the spool over.
    fn finish(mut self, memory: &mut crate::memory::Memory) -> Result<Spooled, String> {
        while self.step(memory)? {}
        let end = SpoolMark {
            bytes: self.spool.bytes,
            articles: self.articles,
        };
        let spool = self
            .spool
            .out
            .into_inner()
            .map_err(|e| e.error().to_string())?;
        Ok(Spooled {
            spool,
            end,
            later: self.later,
        })
    }
}

/// Counts the bytes written through it.
struct Counted<W> {
    out: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// A pass's statuses gathered into articles: a source's languages, in order.
struct Gather<'p> {
    entries: super::ArticleEntries<'p>,
    source_lang: &'p str,
    current: Option<ManifestArticle>,
}

impl<'p> Gather<'p> {
    fn new(project: &'p Project, notes: FileNotes) -> Gather<'p> {
        Gather {
            entries: super::ArticleEntries::new(project, notes),
            source_lang: project.config().source.as_str(),
            current: None,
        }
    }

    /// Adds the status of one translation; returns the article before it once this
    /// one starts another.
    fn add(
        &mut self,
        status: &crate::pipeline::ArticleStatus,
        memory: &crate::memory::Memory,
    ) -> Result<Option<ManifestArticle>, crate::memory::MemoryError> {
        let entry = self.entries.entry(status, memory)?;
        let done = self
            .current
            .take_if(|article| article.source != entry.source);
        let source_lang = self.source_lang;
        let article = self
            .current
            .get_or_insert_with(|| new_article(&entry, source_lang));
        add_translation(article, &entry);
        Ok(done)
    }

    /// The last article.
    fn finish(&mut self) -> Option<ManifestArticle> {
        self.current.take()
    }
}

/// The status pass over `sources`, each article handed to `write` once all its
/// languages are known (see `Records::trusting_writes_since` for `written_since`);
/// the pass's report, which holds the UI locales' statuses.
fn articles_of(
    project: &Project,
    sources: &[Source],
    written_since: Option<std::time::SystemTime>,
    (memory, notes): (&mut crate::memory::Memory, FileNotes),
    write: &mut dyn FnMut(&ManifestArticle) -> std::io::Result<()>,
) -> std::io::Result<StatusReport> {
    let mut gather = Gather::new(project, notes);
    // What failed inside the pass: the status pass only carries memory errors.
    let mut failed = None;
    let mut sink = |memory: &crate::memory::Memory, status| {
        if let Some(done) = gather.add(&status, memory)?
            && failed.is_none()
        {
            failed = write(&done).err();
        }
        Ok(())
    };
    let status = project.status_of(
        (sources, Vec::new()),
        written_since,
        (memory, notes),
        &mut sink,
    );
    let status = status.map_err(|e| std::io::Error::other(e.to_string()))?;
    if let Some(e) = failed {
        return Err(e);
    }
    if let Some(done) = gather.finish() {
        write(&done)?;
    }
    Ok(status)
}

/// The pass that writes the manifest: over every source, or over the sources an
/// [`EarlyPass`] left, with its spool copied in between. Right after a run,
/// `written_since` is when it began (see `Records::trusting_writes_since`).
fn write_pass(
    project: &Project,
    path: &Path,
    (written_since, early): (Option<std::time::SystemTime>, Option<Spooled>),
    memory: &mut crate::memory::Memory,
) -> Result<Written, ReviewError> {
    let fail = |message: String| ReviewError::Manifest {
        path: path.to_owned(),
        message,
    };
    let config = project.config();
    let head = Head {
        version: VERSION,
        source_language: config.source.to_string(),
        targets: config.targets.iter().map(ToString::to_string).collect(),
    };
    let (sources, mut spool) = match early {
        Some(early) => {
            let (sources, marks): (Vec<Source>, Vec<_>) = early.later.into_iter().unzip();
            let spool = Spool::new(early.spool, marks, early.end);
            (sources, Some(spool.map_err(|e| fail(e.to_string()))?))
        }
        None => {
            let (sources, _) = project.sorted_sources().map_err(|e| fail(e.to_string()))?;
            (sources, None)
        }
    };
    let mut written = Written {
        articles: 0,
        ui_locales: 0,
    };
    let notes = FileNotes::of(memory).map_err(|e| fail(e.to_string()))?;
    let result = crate::fs::write_streamed_if_changed(path, |out| {
        let mut json = JsonWriter::start(out, &head)?;
        let mut write = |article: &ManifestArticle| {
            if let Some(spool) = &mut spool {
                spool.copy_before(&article.source, &mut json)?;
            }
            json.article(article)
        };
        let status = articles_of(
            project,
            &sources,
            written_since,
            (memory, notes),
            &mut write,
        )?;
        if let Some(spool) = &mut spool {
            spool.copy_rest(&mut json)?;
        }
        let mut ui_entries = Vec::with_capacity(status.ui.len());
        for ui in &status.ui {
            let entry = super::ui_entry(project, ui, (memory, notes));
            ui_entries.push(entry.map_err(std::io::Error::other)?);
        }
        let ui = ui_locales(&status, ui_entries.iter());
        written = Written {
            articles: json.articles,
            ui_locales: ui.len(),
        };
        json.finish(&ui)
    });
    result.map_err(|e| fail(e.source.to_string()))?;
    Ok(written)
}

/// An [`EarlyPass`]'s spool read back in order, the articles left for after the run
/// put in their places.
struct Spool {
    file: std::io::BufReader<std::fs::File>,
    /// Where each article left goes, by its source, in order.
    marks: std::collections::VecDeque<(String, SpoolMark)>,
    /// How far it has been copied.
    copied: SpoolMark,
    /// Its end.
    end: SpoolMark,
}

impl Spool {
    fn new(
        mut file: std::fs::File,
        marks: Vec<Option<(String, SpoolMark)>>,
        end: SpoolMark,
    ) -> std::io::Result<Spool> {
        use std::io::Seek;
        file.rewind()?;
        Ok(Spool {
            file: std::io::BufReader::new(file),
            marks: marks.into_iter().flatten().collect(),
            copied: SpoolMark {
                bytes: 0,
                articles: 0,
            },
            end,
        })
    }

    /// Copies what goes before the article of `source` (one left for after the run).
    fn copy_before(&mut self, source: &str, json: &mut JsonWriter) -> std::io::Result<()> {
        // An article left that has no status (its source could not be read) was
        // skipped by the pass: the spool is copied past its place too.
        while let Some((name, mark)) = self.marks.pop_front() {
            self.copy_to(mark, json)?;
            if name == source {
                break;
            }
        }
        Ok(())
    }

    /// Copies the rest of the spool.
    fn copy_rest(&mut self, json: &mut JsonWriter) -> std::io::Result<()> {
        self.copy_to(self.end, json)
    }

    fn copy_to(&mut self, mark: SpoolMark, json: &mut JsonWriter) -> std::io::Result<()> {
        use std::io::Read;
        let bytes = mark.bytes.saturating_sub(self.copied.bytes);
        let articles = mark.articles.saturating_sub(self.copied.articles);
        json.spooled(&mut (&mut self.file).take(bytes), articles)?;
        self.copied = mark;
        Ok(())
    }
}

/// The fields of the manifest before its articles.
#[derive(Serialize)]
struct Head {
    version: u32,
    source_language: String,
    targets: Vec<String>,
}

/// Writes a manifest piece by piece in exactly the bytes `serde_json::to_string_pretty`
/// gives for the whole [`Manifest`] (then a newline): the head, each article, the UI
/// locales. Hand-made on purpose: serde drives its own serialization, while here the
/// status pass drives and hands over one article at a time.
struct JsonWriter<'w> {
    out: &'w mut dyn Write,
    /// Articles written so far.
    articles: usize,
}

impl<'w> JsonWriter<'w> {
    fn start(out: &'w mut dyn Write, head: &Head) -> std::io::Result<JsonWriter<'w>> {
        let head = serde_json::to_string_pretty(head)?;
        // `{ …fields… }` without its closing line: the articles follow.
        let open = head.strip_suffix("\n}").unwrap_or(&head);
        out.write_all(open.as_bytes())?;
        out.write_all(b",\n  \"articles\": [")?;
        Ok(JsonWriter { out, articles: 0 })
    }

    fn article(&mut self, article: &ManifestArticle) -> std::io::Result<()> {
        if self.articles == 0 {
            self.out.write_all(&NEXT_ARTICLE[1..])?;
            write_nested(&mut *self.out, article, b"    ")?;
        } else {
            spool_article(&mut *self.out, article)?;
        }
        self.articles += 1;
        Ok(())
    }

    /// Copies `count` articles written by [`spool_article`] from `spooled`.
    fn spooled(&mut self, spooled: &mut impl std::io::Read, count: usize) -> std::io::Result<()> {
        if count == 0 {
            return Ok(());
        }
        if self.articles == 0 {
            // The first article of the list follows no other: no comma.
            spooled.read_exact(&mut [0; 1])?;
        }
        std::io::copy(spooled, &mut *self.out)?;
        self.articles += count;
        Ok(())
    }

    fn finish(self, ui: &BTreeMap<String, UiLocale>) -> std::io::Result<()> {
        let close: &[u8] = if self.articles == 0 { b"]" } else { b"\n  ]" };
        self.out.write_all(close)?;
        self.out.write_all(b",\n  \"ui\": ")?;
        write_nested(&mut *self.out, ui, b"  ")?;
        self.out.write_all(b"\n}\n")
    }
}

/// What comes before an article that follows another in the list.
const NEXT_ARTICLE: &[u8] = b",\n    ";

/// Writes `article` as it follows another in the manifest's list.
fn spool_article(out: &mut dyn Write, article: &ManifestArticle) -> std::io::Result<()> {
    out.write_all(NEXT_ARTICLE)?;
    write_nested(out, article, b"    ")
}

/// Writes `value` to `out` in pretty JSON as it appears nested at `indent`.
fn write_nested(out: &mut dyn Write, value: &impl Serialize, indent: &[u8]) -> std::io::Result<()> {
    // Straight into the output: a string per article, then a copy of it with every
    // line indented, were 14 % of the manifest's pass after a run (issue 15).
    let indented = Indented { out, indent };
    serde_json::to_writer_pretty(indented, value).map_err(std::io::Error::from)
}

/// Passes what is written on to `out` with `indent` after every line break. Strings
/// hold no raw line break (JSON escapes it), so each one is between two lines.
struct Indented<'w> {
    out: &'w mut dyn Write,
    indent: &'w [u8],
}

impl Write for Indented<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, mut buf: &[u8]) -> std::io::Result<()> {
        while let Some(end) = memchr::memchr(b'\n', buf) {
            let (line, rest) = buf.split_at(end + 1);
            self.out.write_all(line)?;
            self.out.write_all(self.indent)?;
            buf = rest;
        }
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn slug(source: &str) -> String {
    let name = source.rsplit('/').next().unwrap_or(source);
    let stem = crate::content::markdown_extension(Path::new(name))
        .map_or(name, |extension| &name[..name.len() - extension.len() - 1]);
    // Zola's section pages are `_index.md`: the folder is the slug.
    if stem == "_index" || stem == "index" {
        let folder = source.rsplit('/').nth(1).unwrap_or("");
        return folder.to_owned();
    }
    stem.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translation(lang: &str) -> ManifestTranslation {
        ManifestTranslation {
            path: format!("content/a.{lang}.md"),
            exists: true,
            translation: "up-to-date".into(),
            review: Some(Review {
                state: ReviewState::Machine,
                by: None,
                at: None,
                detail: Some("a \"quoted\"\nline".into()),
            }),
            source_hash: Some("sha256:x".into()),
            backend: Some("pseudo".into()),
            machine_translated: true,
            pseudo: false,
            qa_warnings: 0,
            changed_at: None,
        }
    }

    fn manifest(articles: usize, ui: bool) -> Manifest {
        let article = |i: usize| ManifestArticle {
            source: format!("content/{i}.md"),
            slug: i.to_string(),
            titles: [("vi".to_owned(), "Tin".to_owned())].into(),
            languages: [
                ("en".to_owned(), translation("en")),
                ("ko".to_owned(), translation("ko")),
            ]
            .into(),
        };
        let mut locales = BTreeMap::new();
        if ui {
            let mut locale = UiLocale::default();
            locale.files.insert("locales/en/main.ftl".into(), None);
            locales.insert("en".to_owned(), locale);
        }
        Manifest {
            version: VERSION,
            source_language: "vi".into(),
            targets: vec!["en".into(), "ko".into()],
            articles: (0..articles).map(article).collect(),
            ui: locales,
        }
    }

    #[test]
    fn the_streamed_manifest_is_byte_for_byte_serdes_pretty_form() {
        for (articles, ui) in [(0, false), (1, true), (3, false), (2, true)] {
            let whole = manifest(articles, ui);
            let mut expected = serde_json::to_string_pretty(&whole).unwrap();
            expected.push('\n');
            let mut out = Vec::new();
            let mut json = JsonWriter::start(&mut out, &head(&whole)).unwrap();
            for article in &whole.articles {
                json.article(article).unwrap();
            }
            json.finish(&whole.ui).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    fn head(whole: &Manifest) -> Head {
        Head {
            version: whole.version,
            source_language: whole.source_language.clone(),
            targets: whole.targets.clone(),
        }
    }

    /// The articles made while a run waits for its last answers (spooled) and those
    /// made after it (left), in every mix: the bytes of serde's pretty form of the
    /// whole, as when every article is made after the run.
    #[test]
    fn spooled_and_later_articles_make_serdes_pretty_form_in_every_mix() {
        let whole = manifest(5, true);
        let mut expected = serde_json::to_string_pretty(&whole).unwrap();
        expected.push('\n');
        for left in 0..(1_u32 << 5) {
            let is_left = |i: usize| left & (1 << i) != 0;
            let mut spool = Counted {
                out: tempfile::tempfile().unwrap(),
                bytes: 0,
            };
            // A source left that the pass after the run cannot read: no article.
            let unreadable = SpoolMark {
                bytes: 0,
                articles: 0,
            };
            let mut marks = vec![Some(("content/-.md".to_owned(), unreadable))];
            let mut spooled = 0;
            for (i, article) in whole.articles.iter().enumerate() {
                if is_left(i) {
                    let place = SpoolMark {
                        bytes: spool.bytes,
                        articles: spooled,
                    };
                    marks.push(Some((article.source.clone(), place)));
                } else {
                    spool_article(&mut spool, article).unwrap();
                    spooled += 1;
                }
            }
            let end = SpoolMark {
                bytes: spool.bytes,
                articles: spooled,
            };
            let mut spool = Spool::new(spool.out, marks, end).unwrap();
            let mut out = Vec::new();
            let mut json = JsonWriter::start(&mut out, &head(&whole)).unwrap();
            let later = whole
                .articles
                .iter()
                .enumerate()
                .filter(|(i, _)| is_left(*i));
            for (_, article) in later {
                spool.copy_before(&article.source, &mut json).unwrap();
                json.article(article).unwrap();
            }
            spool.copy_rest(&mut json).unwrap();
            assert_eq!(json.articles, whole.articles.len());
            json.finish(&whole.ui).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "left {left:05b}");
        }
    }

    #[test]
    fn slug_is_the_stem_or_the_section_folder() {
        assert_eq!(slug("content/tin/le-hoi.md"), "le-hoi");
        assert_eq!(slug("content/tin/_index.md"), "tin");
        assert_eq!(
            slug("content/_posts/2024-01-01-le-hoi.markdown"),
            "2024-01-01-le-hoi"
        );
    }
}
