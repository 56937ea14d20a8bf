//! The translation pipeline: discover → parse → plan → translate → assemble → write →
//! report.
//!
//! This module is the facade: [`Project`] loads the config, checks what a command may
//! do (options, the memory, the run lock) and calls the stages, which never call back:
//!
//! - `plan`: the sources in scope and, per source and language, the job to do
//!   (no backend, no network; `--dry-run` and `status` use it as it is);
//! - `run`: the one concurrent stage, which drives `scheduler` (request slots),
//!   `batching` (segments per language into batches), `render` (assembly and
//!   rendering) and `writer` (atomic writes, one thread);
//! - `status`: the state of every translation, from the files and the memory.
//!
//! Invariants: a second run with no source change makes no backend call and writes no
//! file; a failing article fails alone; every file is written atomically.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::backend::Chain;
use crate::config::Config;
use crate::config::ConfigError;
use crate::content;
use crate::fs::FsError;
use crate::lang::Lang;
use crate::memory::{FileNotes, Memory, MemoryError};
use crate::segment::Segmenter;

mod batching;
mod gate;
mod journal;
mod plan;
mod progress;
mod qa;
mod render;
mod report;
mod run;
mod scheduler;
mod status;
mod timings;
mod writer;

pub use gate::held_code;
pub(crate) use plan::Source;
pub use plan::SourcesError;
pub use progress::{InFlight, NoProgress, Progress};
pub use qa::{QaIssue, QaReport, QaSummary};
pub use report::{Failure, LangReport, PlannedFile, PlannedFiles, Report, Why};
pub use run::Meanwhile;
pub(crate) use status::Known;
pub use status::{ArticleStatus, State, StatusReport, UiStatus};
pub use timings::Timings;

pub(crate) use plan::unit_keys;
use plan::{Layout, PlanSettings};
use run::{RunError, Sending};

/// What to translate and how: the CLI's flags.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Target languages (default: all configured).
    pub targets: Option<Vec<Lang>>,
    /// Only sources under these paths (files or folders).
    pub only: Vec<PathBuf>,
    /// Plan and estimate only; no backend call, no file written.
    pub dry_run: bool,
    /// Replace translations in conflict (after backing them up).
    pub force: bool,
    /// Stop cleanly on Ctrl-C (the CLI sets this; library callers usually do not).
    pub handle_interrupt: bool,
    /// How many bytes of source articles `translate` may hold read but not yet written
    /// (default 16 MiB). A larger article is read only when nothing else is held, so
    /// the run's memory follows the largest article, not the sum of those read ahead.
    pub read_ahead_bytes: Option<usize>,
}

/// A failure that stops a command: bad config, unusable memory, unreadable folders.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The configuration is invalid (exit code 2).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The translation memory could not be used.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// A file dich must write could not be: the run lock, or the backup of a
    /// translation `--force` replaces.
    #[error(transparent)]
    Fs(#[from] FsError),
    /// The content or locales folder could not be read.
    #[error(transparent)]
    Sources(#[from] SourcesError),
    /// A `--only` path does not exist.
    #[error("`--only {0}`: no such file or folder")]
    Only(PathBuf),
    /// A `--only` path that names no source: a translation, or a path outside the
    /// content and locales folders (issue 14: it used to do nothing, silently).
    #[error("{0}")]
    OnlyNotSource(String),
    /// A translation could not be renamed to its new file key.
    #[error("cannot rename a translation to its file key: {0}")]
    Rekey(String),
    /// Another dich process holds the project's lock.
    #[error(
        "another dich process is translating this project (lock `{0}` is held); wait for it to finish"
    )]
    Locked(PathBuf),
    /// The system refused a thread dich needs (the one that writes files).
    #[error("cannot start the thread that writes files")]
    Thread(#[source] std::io::Error),
}

impl From<RunError> for PipelineError {
    fn from(error: RunError) -> Self {
        match error {
            RunError::Memory(e) => PipelineError::Memory(e),
            RunError::Fs(e) => PipelineError::Fs(e),
            RunError::WriteThread(e) => PipelineError::Thread(e),
        }
    }
}

impl From<journal::ReplayError> for PipelineError {
    fn from(error: journal::ReplayError) -> Self {
        match error {
            journal::ReplayError::Memory(e) => PipelineError::Memory(e),
            journal::ReplayError::Fs(e) => PipelineError::Fs(e),
        }
    }
}

/// A loaded project: config and segmenter.
#[derive(Debug)]
pub struct Project {
    config: Config,
    /// The QA checks (`[qa]`, the glossary); `None` when `[qa] enabled = false`.
    checker: Option<std::sync::Arc<crate::qa::Checker>>,
    /// The glossary every backend enforces, whether or not the QA gate is on.
    glossary: std::sync::Arc<crate::qa::Glossary>,
    segmenter: Segmenter,
    layout: Layout,
}

impl Project {
    /// Loads the config at `path` and the segmentation rules it names.
    ///
    /// # Errors
    /// [`ConfigError`] (exit code 2).
    pub fn load(path: &Path) -> Result<Project, ConfigError> {
        Project::from_config(Config::from_file(path)?)
    }

    /// A project from an already loaded config.
    ///
    /// # Errors
    /// [`ConfigError`] when the segmentation rules file is unusable.
    pub fn from_config(config: Config) -> Result<Project, ConfigError> {
        let segmenter = match &config.segmentation.rules {
            Some(rules) => Segmenter::from_rules_file(rules).map_err(|e| ConfigError::Other {
                path: config.path.clone(),
                message: format!("[segmentation] rules: {e}"),
            })?,
            None => Segmenter::for_language(config.source.language()),
        };
        let layout = Layout {
            root: config.root.clone(),
            content_dir: config.content_dir.clone(),
            locales_dir: config.locales_dir.clone(),
            source: config.source.clone(),
            targets: config.targets.clone(),
            keys: config.file_keys.clone(),
            fields: config.content.translatable_fields.clone(),
            // The patterns were checked when the config was loaded.
            protect: content::Protect::new(&config.content.protect).unwrap_or_default(),
            added_front_matter: config.content.added_front_matter().into(),
            stamp: plan::stamp(&config),
        };
        let checker = config.qa.checker().map_err(|e| ConfigError::Other {
            path: config.path.clone(),
            message: format!("[qa] glossary: {e}"),
        })?;
        let glossary = std::sync::Arc::new(checker.glossary().clone());
        let checker = config.qa.enabled.then(|| std::sync::Arc::new(checker));
        Ok(Project {
            checker,
            glossary,
            config,
            segmenter,
            layout,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The project's glossary (empty without one), for
    /// [`Chain::with_glossary`](crate::backend::Chain::with_glossary).
    pub fn glossary(&self) -> std::sync::Arc<crate::qa::Glossary> {
        std::sync::Arc::clone(&self.glossary)
    }

    /// The sentence splitter of the source language.
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// Opens the project's translation memory.
    ///
    /// # Errors
    /// [`MemoryError`].
    pub fn open_memory(&self) -> Result<Memory, MemoryError> {
        Memory::from_config(&self.config.memory)
    }

    /// Takes the project's run lock, the one `dich translate` holds while it runs, so
    /// that a change made beside a run (`dich serve`) neither races it nor is
    /// overwritten by it. Released when the returned file is dropped.
    ///
    /// # Errors
    /// [`PipelineError::Locked`] while another process holds it; [`PipelineError::Fs`]
    /// when the lock file cannot be created.
    pub fn run_lock(&self) -> Result<std::fs::File, PipelineError> {
        run_lock(&self.config.memory.path)
    }

    /// A path relative to the project root, with `/` separators, for reports.
    pub fn display_path(&self, path: &Path) -> String {
        self.layout.display_path(path)
    }

    /// Translates what is missing or stale. Failures of single files are in the
    /// report; only problems that stop everything are errors.
    ///
    /// # Errors
    /// [`PipelineError`] when nothing can be done (memory unusable, bad `--only`,
    /// another run holds the lock).
    pub async fn translate(
        &self,
        chain: &Chain,
        options: &Options,
        progress: &dyn Progress,
    ) -> Result<Report, PipelineError> {
        let memory = if options.dry_run && !self.config.memory.exists() {
            Memory::in_memory()?
        } else {
            self.open_memory()?
        };
        let (report, _memory) = self
            .translate_with_memory((memory, None), chain, options, progress)
            .await?;
        Ok(report)
    }

    /// [`Project::translate`] in `memory` (the project's, opened by the caller), handed
    /// back still open for the steps after the run. `dich translate` opens it once for
    /// recovering approvals, the run and the manifest: closing the last connection of
    /// an SQLite memory checkpoints its WAL, syncs and deletes it, and a first run of
    /// 1,000 articles paid that three times (17–55 ms after the run alone, issue 15).
    /// `meanwhile` is work for the time the run waits for its last answers (the
    /// manifest's pass over the finished articles).
    ///
    /// # Errors
    /// As [`Project::translate`].
    pub async fn translate_with_memory(
        &self,
        (mut memory, meanwhile): (Memory, Option<&mut dyn Meanwhile>),
        chain: &Chain,
        options: &Options,
        progress: &dyn Progress,
    ) -> Result<(Report, Memory), PipelineError> {
        let started = Instant::now();
        let mut report = Report {
            backend: chain_label(chain),
            pseudo: chain.primary().is_some_and(|b| b.is_pseudo()),
            dry_run: options.dry_run,
            ..Report::default()
        };
        let targets = self.targets(options);
        let only = self.only_paths(options)?;
        // Held until the run ends: a second `dich translate` on the same project would
        // pay for the same segments and race on the same files.
        let _lock = if options.dry_run {
            None
        } else {
            Some(run_lock(&self.config.memory.path)?)
        };
        // Under the lock: every file written from now on is this run's.
        report.started_at = Some(std::time::SystemTime::now());
        // The answers a killed run journalled go to the memory before anything is
        // planned, so none is sent again (issue 15).
        let (journal, discovered) = if options.dry_run {
            (None, None)
        } else {
            self.replay_journal(&mut memory)?;
            let discovered = self.rekey(&mut memory)?;
            let journal = journal::Journal::create(&self.config.memory.path)?;
            (Some(std::sync::Arc::new(journal)), discovered)
        };
        let sources = match discovered {
            Some(discovered) => {
                plan::list_sources(&self.layout, &only, Some(discovered), &mut report)?
            }
            None => plan::find_sources(&self.layout, &only, &mut report)?,
        };
        let watched = chain.clone();
        progress.watch_requests(std::sync::Arc::new(move || watched.in_flight()));
        progress.start(sources.len() * targets.len());
        // A sentence longer than a request is planned in parts (issue 10, item 14):
        // each part is an entry of the memory, so a huge paragraph costs no request,
        // answer or memory row larger than a request, and a stopped run resumes after
        // the parts already translated.
        let segmenter = self
            .segmenter
            .clone()
            .with_max_chars(chain.limits().max_chars);
        let settings = PlanSettings {
            layout: &self.layout,
            segmenter: &segmenter,
            targets: &targets,
            force: options.force,
            dry_run: options.dry_run,
        };
        // The no-op shortcut: what the memory proves unchanged is not read again.
        let sources = plan::skip_unchanged(&settings, sources, &mut memory, &mut report, progress)?;
        if !only.is_empty() || targets != self.config.targets {
            // Narrowed, the pass saw only part of what the manifest lists.
            report.unchanged_inputs = None;
        }
        let gate = self.checker.clone().map(|c| gate::Gate::new(c, chain));
        let sending = Sending {
            gate: gate.as_ref(),
            chain,
            concurrency: chain
                .concurrency()
                .unwrap_or(self.config.backend.concurrency),
            handle_interrupt: options.handle_interrupt,
            read_ahead_bytes: options.read_ahead_bytes.unwrap_or(plan::READ_AHEAD_BYTES),
            journal: journal.as_ref(),
        };
        let metered_before = chain.metered();
        report.timings.before_run = started.elapsed();
        // The work's own lifetime shortened to the run's (a `&mut` holds it invariant).
        let meanwhile = meanwhile.map(|work| work as &mut dyn Meanwhile);
        let (mut report, memory) = run::run(
            settings,
            sources,
            sending,
            (memory, meanwhile),
            report,
            progress,
        )
        .await?;
        if let Some(journal) = journal {
            journal.finish()?;
        }
        // What the services saw replaces the count of batches (issue 10).
        if let (false, Some(before), Some(after)) =
            (options.dry_run, metered_before, chain.metered())
        {
            report.apply_metered(&after.since(&before));
        }
        report.sum_languages();
        report.handovers = chain.handovers();
        report.elapsed_seconds = started.elapsed().as_secs_f64();
        progress.finish();
        Ok((report, memory))
    }

    /// What the manifest after `report`'s run is made from, when the run proved it:
    /// nothing was to be planned or written in the whole project, and the memory's
    /// revision. `None` (rebuild it) otherwise, and for a memory that keeps no revision.
    ///
    /// # Errors
    /// [`MemoryError`] when the memory cannot be read.
    pub(crate) fn manifest_inputs(
        &self,
        report: &Report,
        memory: &Memory,
    ) -> Result<Option<String>, MemoryError> {
        let quiet = report.files_written == 0
            && report.failed == 0
            && !report.interrupted
            && !report.dry_run
            && report.fatal.is_none();
        let proved = report.unchanged_inputs.as_ref().filter(|_| quiet);
        Ok(match (proved, memory.revision()?) {
            (Some(proved), Some(revision)) => Some(format!("{proved} {revision}")),
            _ => None,
        })
    }

    /// Whether the file dich wrote at `path` outside the content (the manifest) is
    /// still the one recorded as made from `inputs` ([`Project::record_output`]).
    ///
    /// # Errors
    /// [`MemoryError`] when the memory cannot be read or written.
    pub(crate) fn output_unchanged(
        &self,
        memory: &mut Memory,
        inputs: &str,
        path: &Path,
    ) -> Result<bool, MemoryError> {
        plan::output_unchanged(memory, inputs, (path, &self.layout.display_path(path)))
    }

    /// Records the file dich has just written at `path` as made from `inputs`.
    ///
    /// # Errors
    /// [`MemoryError`] when the memory cannot be written.
    pub(crate) fn record_output(
        &self,
        memory: &mut Memory,
        inputs: &str,
        path: &Path,
    ) -> Result<(), MemoryError> {
        plan::record_output(memory, inputs, (path, &self.layout.display_path(path)))
    }

    /// The state of every translation in scope.
    ///
    /// # Errors
    /// [`PipelineError`] when the content folder or the memory cannot be read.
    pub fn status(&self, options: &Options) -> Result<StatusReport, PipelineError> {
        let mut discovery = Report::default();
        let only = self.only_paths(options)?;
        let sources = plan::find_sources(&self.layout, &only, &mut discovery)?;
        let mut memory = if self.config.memory.exists() {
            self.open_memory()?
        } else {
            Memory::in_memory()?
        };
        let errors = discovery.failures.into_iter().map(|f| f.reason).collect();
        let targets = self.targets(options);
        Ok(status::status(
            &self.layout,
            &targets,
            &sources,
            &mut memory,
            errors,
        )?)
    }

    /// Like [`Project::status`], for a pass over every article that must not hold all
    /// of them (the manifest): each article's status goes to `sink` with the memory as
    /// soon as it is known, sources sorted by their path as a string, and the report
    /// returned holds no article. `notes` are the memory's ([`FileNotes::of`]), taken
    /// by the caller, which uses them for each status too. Right after a run,
    /// `written_since` is [`Report::started_at`]: the files that run wrote are not
    /// hashed again. The pass reads (and refreshes the stat records in) `memory`.
    ///
    /// # Errors
    /// [`PipelineError`] when the content folder or the memory cannot be read, or what
    /// `sink` returns.
    pub(crate) fn status_each(
        &self,
        written_since: Option<std::time::SystemTime>,
        (memory, notes): (&mut Memory, FileNotes),
        sink: &mut status::ArticleSink<'_>,
    ) -> Result<StatusReport, PipelineError> {
        let (sources, errors) = self.sorted_sources()?;
        self.status_of((&sources, errors), written_since, (memory, notes), sink)
    }

    /// Every source of the project in [`Project::status_each`]'s order (articles by
    /// their path as a string, then the Fluent files), and what could not be listed.
    ///
    /// # Errors
    /// [`PipelineError`] when the content folder cannot be read.
    pub(crate) fn sorted_sources(&self) -> Result<(Vec<Source>, Vec<String>), PipelineError> {
        let mut discovery = Report::default();
        let mut sources = plan::find_sources(&self.layout, &[], &mut discovery)?;
        // Articles come first; the manifest lists them by source path as a string.
        let articles = sources
            .iter()
            .take_while(|s| matches!(s, Source::Article(_)))
            .count();
        // Compared in place rather than by a cached key: a `String` per article was
        // 8 MB more at 100,000 articles (issue 15, peak memory). The same order as
        // comparing `Layout::display_path`s (chars compare as UTF-8 bytes do).
        fn display_order<'a>(root: &Path, s: &'a Source) -> std::borrow::Cow<'a, str> {
            match s {
                Source::Article(a) => a.source.strip_prefix(root).unwrap_or(&a.source),
                Source::Ftl(_) => Path::new(""),
            }
            .to_string_lossy()
        }
        let slash = |c: char| if c == '\\' { '/' } else { c };
        let root = &self.layout.root;
        sources[..articles].sort_by(|a, b| {
            let (a, b) = (display_order(root, a), display_order(root, b));
            a.chars().map(slash).cmp(b.chars().map(slash))
        });
        let errors = discovery.failures.into_iter().map(|f| f.reason).collect();
        Ok((sources, errors))
    }

    /// The status of `sources` alone (in [`Project::sorted_sources`]' order, with the
    /// `errors` of listing them), each article's going to `sink`, as in
    /// [`Project::status_each`], in every configured language.
    ///
    /// # Errors
    /// As [`Project::status_each`].
    pub(crate) fn status_of(
        &self,
        (sources, errors): (&[Source], Vec<String>),
        written_since: Option<std::time::SystemTime>,
        (memory, notes): (&mut Memory, FileNotes),
        sink: &mut status::ArticleSink<'_>,
    ) -> Result<StatusReport, PipelineError> {
        let targets = &self.config.targets;
        let each = (&targets[..], sources);
        let pass = status::status_each(
            &self.layout,
            each,
            (memory, notes),
            errors,
            written_since,
            sink,
        );
        Ok(pass?)
    }

    /// The path of an article source as the manifest and the status name it
    /// (relative to the project root); `None` for a Fluent file.
    pub(crate) fn article_name(&self, source: &Source) -> Option<String> {
        match source {
            Source::Article(article) => Some(self.layout.display_path(&article.source)),
            Source::Ftl(_) => None,
        }
    }

    /// Whether any translation is on disk: a file named as an article's translation
    /// (beside its source or orphaned), or a Fluent file of the reference locale's in
    /// a target locale. A project's first run has none: what a pass over
    /// the translations would read (e.g. `review::recover`) is then known to be
    /// nothing, without parsing every source. Stops at the first one found.
    ///
    /// # Errors
    /// [`PipelineError`] when the sources cannot be listed.
    pub fn has_translations(&self) -> Result<bool, PipelineError> {
        let layout = &self.layout;
        let targets = &self.config.targets;
        // An article's translations are beside it: the walk sees them itself.
        if layout.content_dir.is_dir()
            && crate::content::has_translation(
                &layout.content_dir,
                &layout.source,
                targets,
                &layout.keys,
            )
        {
            return Ok(true);
        }
        let ftl = plan::ftl_sources(&layout.locales_dir, &layout.source)?;
        Ok(ftl.iter().any(|ftl| {
            targets.iter().any(|target| {
                std::fs::symlink_metadata(layout.ftl_translation(&ftl.rel, target)).is_ok()
            })
        }))
    }

    /// Runs every QA check on the existing translations (`dich qa`): machine, human
    /// and imported alike, with the levels of `[qa.levels]` (even with `[qa] enabled
    /// = false`, which only turns off the gate of `dich translate`).
    ///
    /// # Errors
    /// [`PipelineError`] when the sources cannot be listed or the memory read.
    pub fn qa(&self, options: &Options) -> Result<QaReport, PipelineError> {
        let mut discovery = Report::default();
        let only = self.only_paths(options)?;
        let sources = plan::find_sources(&self.layout, &only, &mut discovery)?;
        let memory = if self.config.memory.exists() {
            self.open_memory()?
        } else {
            Memory::in_memory()?
        };
        let checker = match &self.checker {
            Some(checker) => std::sync::Arc::clone(checker),
            None => {
                std::sync::Arc::new(self.config.qa.checker().map_err(|e| ConfigError::Other {
                    path: self.config.path.clone(),
                    message: format!("[qa] glossary: {e}"),
                })?)
            }
        };
        let report = QaReport {
            errors: discovery.failures.into_iter().map(|f| f.reason).collect(),
            ..QaReport::default()
        };
        let run = qa::QaRun {
            layout: &self.layout,
            checker: &checker,
            segmenter: &self.segmenter,
            memory: &memory,
        };
        Ok(run.run(&sources, &self.targets(options), report)?)
    }

    fn targets(&self, options: &Options) -> Vec<Lang> {
        options
            .targets
            .clone()
            .unwrap_or_else(|| self.config.targets.clone())
    }

    /// Stores the answers a killed run left in the journal (see [`journal`]).
    fn replay_journal(&self, memory: &mut Memory) -> Result<(), PipelineError> {
        let replayed = journal::replay(&self.config.memory.path, memory)?;
        if replayed.records > 0 || replayed.ignored > 0 {
            tracing::info!(
                "kept {} answers of an interrupted run from its journal ({} torn, sent again)",
                replayed.records,
                replayed.ignored
            );
        }
        Ok(())
    }

    /// Renames the translations whose file key changed (`[project] file_keys`,
    /// `[file_keys]`), and moves what the memory keeps under their paths with them,
    /// so the renamed files keep their history (human edits, reviews). Returns the walk
    /// of the content folder made for it when that walk still holds (nothing was
    /// renamed): the run lists its sources from it instead of walking again.
    fn rekey(&self, memory: &mut Memory) -> Result<Option<content::Discovered>, PipelineError> {
        let layout = &self.layout;
        if !layout.content_dir.is_dir() {
            return Ok(None);
        }
        let rekeyed = content::rekey(
            &layout.content_dir,
            &layout.source,
            &layout.targets,
            &layout.keys,
        )
        .map_err(|e| PipelineError::Rekey(e.to_string()))?;
        for (from, to) in rekeyed.moved {
            let (from, to) = (layout.display_path(&from), layout.display_path(&to));
            memory.move_path(&from, &to)?;
            tracing::info!("{from}: renamed to {to} (the project's file key for its language)");
        }
        Ok(rekeyed.discovered)
    }

    fn only_paths(&self, options: &Options) -> Result<Vec<PathBuf>, PipelineError> {
        options
            .only
            .iter()
            .map(|p| {
                let path = p
                    .canonicalize()
                    .map_err(|_| PipelineError::Only(p.clone()))?;
                self.check_only(p, &path).map(|()| path)
            })
            .collect()
    }

    /// A `--only` path must hold sources: be under the content folder and not be a
    /// translation, or be under the source locale's folder. The error says what to
    /// pass instead.
    fn check_only(&self, given: &Path, path: &Path) -> Result<(), PipelineError> {
        let config = &self.config;
        let under = |dir: &Path| dir.canonicalize().is_ok_and(|d| path.starts_with(d));
        let wrong = |advice: String| {
            Err(PipelineError::OnlyNotSource(format!(
                "`--only {}` {advice}",
                given.display()
            )))
        };
        let instead = |source: &Path, lang: &Lang, what: &str| {
            wrong(format!(
                "is {what}: pass the source instead (`--only {}`), with `--lang {lang}` for that language alone",
                source.display()
            ))
        };
        if under(&config.content_dir) {
            return match content::source_of(given, &config.targets, &config.file_keys) {
                Some((source, lang)) => instead(
                    &source,
                    &lang,
                    &format!("the {lang} translation of an article"),
                ),
                None => Ok(()),
            };
        }
        if under(&config.locales_dir) {
            // `locales/<lang>/…`: the folder under the locales folder names the locale.
            let locale = path
                .strip_prefix(config.locales_dir.canonicalize().unwrap_or_default())
                .ok()
                .and_then(|rel| rel.iter().next())
                .and_then(|name| Lang::parse(&name.to_string_lossy()).ok());
            return match locale {
                Some(lang) if lang != config.source => {
                    let rel: PathBuf = given
                        .iter()
                        .skip_while(|c| {
                            Lang::parse(&c.to_string_lossy()).ok().as_ref() != Some(&lang)
                        })
                        .skip(1)
                        .collect();
                    let source = config.locales_dir.join(config.source.as_str()).join(rel);
                    instead(&source, &lang, &format!("in the {lang} locale"))
                }
                _ => Ok(()),
            };
        }
        wrong(format!(
            "is outside the content folder `{}` and the locales folder `{}`: pass a file or folder under one of them",
            self.display_path(&config.content_dir),
            self.display_path(&config.locales_dir)
        ))
    }
}

/// Takes the project's run lock (`<memory>.lock`, next to the memory), or fails at
/// once naming it.
fn run_lock(memory: &Path) -> Result<std::fs::File, PipelineError> {
    let path = memory.with_extension("lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| FsError {
            action: "cannot take the run lock: failed to create",
            path: path.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(_) => Err(PipelineError::Locked(path)),
    }
}

/// The chain as the report names it: `deepl → openai`.
fn chain_label(chain: &Chain) -> String {
    chain
        .members()
        .iter()
        .map(|b| b.label())
        .collect::<Vec<_>>()
        .join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_that_cannot_be_created_is_a_file_error_naming_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let memory = dir.path().join("no-such-folder/memory.db");
        let error = run_lock(&memory).unwrap_err();
        assert!(matches!(error, PipelineError::Fs(_)), "{error:?}");
        let message = error.to_string();
        assert!(message.contains("run lock"), "{message}");
        assert!(message.contains("memory.lock"), "{message}");
    }

    #[test]
    fn a_translation_on_disk_is_found_for_an_article_or_a_fluent_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let config = "[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\"]\n";
        std::fs::write(root.join("config.toml"), config).unwrap();
        std::fs::create_dir_all(root.join("content/tin")).unwrap();
        std::fs::write(root.join("content/tin/a.md"), "Mùa xuân đã đến.\n").unwrap();
        std::fs::create_dir_all(root.join("locales/vi")).unwrap();
        std::fs::write(root.join("locales/vi/main.ftl"), "hello = Xin chào\n").unwrap();
        let project = Project::load(&root.join("config.toml")).unwrap();
        // A first run: nothing to recover approvals from.
        assert!(!project.has_translations().unwrap());
        // Neither a language that is not a target nor a hidden folder counts.
        std::fs::write(root.join("content/tin/a.fr.md"), "Le printemps.\n").unwrap();
        std::fs::create_dir_all(root.join("content/.drafts")).unwrap();
        std::fs::write(root.join("content/.drafts/b.en.md"), "Spring.\n").unwrap();
        assert!(!project.has_translations().unwrap());
        let article = root.join("content/tin/a.ko.md");
        std::fs::write(&article, "Spring has come.\n").unwrap();
        assert!(project.has_translations().unwrap());
        std::fs::remove_file(&article).unwrap();
        std::fs::create_dir_all(root.join("locales/en")).unwrap();
        std::fs::write(root.join("locales/en/main.ftl"), "hello = Hello\n").unwrap();
        assert!(project.has_translations().unwrap());
    }

    /// What a run told its progress, in order.
    #[derive(Default)]
    struct Events(std::sync::Mutex<Vec<String>>);

    impl Progress for Events {
        fn file_done(&self, path: &str, _lang: &Lang, outcome: &str) {
            self.0.lock().unwrap().push(format!("{outcome} {path}"));
        }
        fn batch_sent(&self, _lang: &Lang, segments: usize) {
            self.0.lock().unwrap().push(format!("sent {segments}"));
        }
    }

    /// Two articles of two sentences each, translated into English with the pseudo
    /// backend, with `read_ahead_bytes` and `more_config`; what the progress saw.
    async fn translate_two_articles(
        read_ahead_bytes: Option<usize>,
        more_config: &str,
    ) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("config.toml"),
            format!("[project]\nsource = \"vi\"\ntargets = [\"en\"]\n\n[backend]\nkind = \"pseudo\"\n{more_config}"),
        )
        .unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        for (name, words) in [("a", "Mùa xuân"), ("b", "Mùa thu")] {
            let body = format!(
                "{words} đã đến. {} {words} làng mở hội.\n",
                "Cả".repeat(800)
            );
            std::fs::write(root.join(format!("content/{name}.md")), body).unwrap();
        }
        let options = Options {
            read_ahead_bytes,
            ..Options::default()
        };
        let events = translate_without_failures(root, &options).await;
        assert!(root.join("content/b.en.md").is_file());
        events
    }

    /// Translates the project at `root` with its own backends and `options`; what the
    /// progress saw. Fails on a failed file, and on a run that hangs (one that waits
    /// for room nothing will free).
    async fn translate_without_failures(root: &Path, options: &Options) -> Vec<String> {
        let project = Project::load(&root.join("config.toml")).unwrap();
        let chain = crate::backend::chain_from_config(project.config(), None).unwrap();
        let events = Events::default();
        let run = project.translate(&chain, options, &events);
        let report = tokio::time::timeout(std::time::Duration::from_secs(120), run)
            .await
            .expect("the run hung")
            .unwrap();
        assert_eq!(report.failures, [], "{:?}", report.failures);
        events.0.into_inner().unwrap()
    }

    #[tokio::test]
    async fn an_article_larger_than_the_read_ahead_budget_is_written_before_the_next_is_read() {
        // Each article is about 2 KiB; a budget of 1 KiB holds one at a time. The
        // first one's sentences go out in a batch of their own (not filled up with the
        // second's), and its file is written before the second is read.
        let events = translate_two_articles(Some(1024), "").await;
        assert_eq!(
            events,
            [
                "sent 2",
                "written content/a.en.md",
                "sent 2",
                "written content/b.en.md"
            ]
        );
        // With room for both, both are read ahead and share a batch.
        let events = translate_two_articles(None, "").await;
        assert_eq!(events[0], "sent 4", "{events:?}");
    }

    /// A project at `root` translating into `en` and `ko` with the pseudo backend, with
    /// one article titled `title` whose body is a paragraph longer than `LONG_FILE`
    /// without sentence punctuation; the number of its clauses.
    fn write_long_article(root: &Path, title: &str) -> usize {
        let config = "[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\"]\n\n[backend]\nkind = \"pseudo\"\n";
        std::fs::write(root.join("config.toml"), config).unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        let clauses = writer::LONG_FILE / 24 + 1;
        let body = "xã Bắc An mở hội làng, ".repeat(clauses);
        let article = format!("+++\ntitle = \"{title}\"\n+++\n\n{body}cuối\n");
        std::fs::write(root.join("content/dai.md"), article).unwrap();
        clauses
    }

    #[tokio::test]
    async fn a_long_article_is_written_whole_in_each_language() {
        // A paragraph longer than `LONG_FILE` without sentence punctuation, into two
        // languages: the second file waits for the first on its way to disk (its
        // translation is assembled once the first is recorded; the memory this saves
        // is measured by `scripts/bench-huge-paragraph.sh`), and neither is left
        // behind or cut short. The Korean pseudo translation has no ASCII space.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let clauses = write_long_article(root, "Tin");
        let events = translate_without_failures(root, &Options::default()).await;
        let written = events.iter().filter(|e| e.starts_with("written ")).count();
        assert_eq!(written, 2, "{events:?}");
        for (lang, last) in [("en", "cuoi"), ("ko", "ｃｕｏｉ")] {
            let text = std::fs::read_to_string(root.join(format!("content/dai.{lang}.md")));
            let text = text.unwrap();
            let (_, body) = text.rsplit_once("+++\n\n").unwrap();
            // Every clause, to the last word.
            assert_eq!(body.matches([',', '，']).count(), clauses, "{lang}");
            // The pseudo translation pads its text with (escaped) tildes.
            let end = body.rfind(last).map(|at| &body[at + last.len()..]);
            let padding = |c: char| c == '~' || c == '\\' || c.is_whitespace();
            assert!(
                end.is_some_and(|end| end.chars().all(padding)),
                "{lang}: {end:?}"
            );
        }
        // Deleted, the files are written again from the memory alone (jobs that wait
        // for nothing, under the same one-at-a-time rule), byte for byte but the time.
        let written_at = |lang: &str| {
            let text = std::fs::read_to_string(root.join(format!("content/dai.{lang}.md")));
            let text = text.unwrap();
            let at = text.find("translated_at").unwrap();
            let end = at + text[at..].find('\n').unwrap();
            format!("{}{}", &text[..at], &text[end..])
        };
        let before = [written_at("en"), written_at("ko")];
        for lang in ["en", "ko"] {
            std::fs::remove_file(root.join(format!("content/dai.{lang}.md"))).unwrap();
        }
        let events = translate_without_failures(root, &Options::default()).await;
        assert!(!events.iter().any(|e| e.starts_with("sent ")), "{events:?}");
        assert!(before == [written_at("en"), written_at("ko")]);
    }

    #[tokio::test]
    async fn a_long_paragraph_is_kept_in_each_language_when_only_the_title_changed() {
        // Kept blocks of a megabyte or more are read from the old files when the new
        // ones are assembled (`BlockInFile`), not held from planning: each file keeps
        // its paragraph byte for byte, and only the new title is sent.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_long_article(root, "Tin");
        translate_without_failures(root, &Options::default()).await;
        let paragraph = |lang: &str| {
            let text = std::fs::read_to_string(root.join(format!("content/dai.{lang}.md")));
            let text = text.unwrap();
            let (front, body) = text.rsplit_once("+++\n\n").unwrap();
            (front.to_owned(), body.to_owned())
        };
        let before = [paragraph("en"), paragraph("ko")];

        write_long_article(root, "Tin mới");
        let events = translate_without_failures(root, &Options::default()).await;
        let sent: Vec<&String> = events.iter().filter(|e| e.starts_with("sent ")).collect();
        assert_eq!(sent, ["sent 1", "sent 1"], "only the titles: {events:?}");
        for (lang, (old_front, old_body)) in ["en", "ko"].into_iter().zip(before) {
            let (front, body) = paragraph(lang);
            assert_ne!(front, old_front, "{lang}: the title is translated again");
            assert!(
                body == old_body,
                "{lang}: the paragraph is kept byte for byte"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_sentence_taken_over_while_the_reader_waits_for_room_is_still_sent() {
        use crate::memory::{Memory, Share, Shared, testing};
        let Some(url) = testing::schema_url("pipeline::room_and_takeover") else {
            return;
        };
        // Another checkout claims the first article's first sentence for 2 s, then
        // dies. The run waits for it while the second article waits for room; once
        // the claim expires the run takes the sentence over and must send it alone.
        let dying = Shared {
            url: url.clone(),
            password: None,
            repository: "portal".into(),
            workspace: "dying".into(),
            share: Share::HumanOnly,
            lease: std::time::Duration::from_secs(2),
        };
        // Kept open (a clean close releases its claims) and silent until the end.
        let (claimed_tx, claimed_rx) = std::sync::mpsc::channel();
        let (end_tx, end_rx) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            let (vi, en) = (Lang::parse("vi").unwrap(), Lang::parse("en").unwrap());
            let mut dying = Memory::connect(&dying).unwrap();
            let claimed: Vec<String> = dying
                .claim(&vi, &en, &["Mùa xuân đã đến."])
                .unwrap()
                .into_iter()
                .map(str::to_owned)
                .collect();
            claimed_tx.send(claimed).unwrap();
            let _ = end_rx.recv();
        });
        assert_eq!(claimed_rx.recv().unwrap(), ["Mùa xuân đã đến."]);
        let memory =
            format!("\n[memory]\nurl = \"{url}\"\nrepository = \"portal\"\nlease_seconds = 1\n");
        let events = translate_two_articles(Some(1024), &memory).await;
        drop(end_tx);
        holder.join().unwrap();
        assert_eq!(
            events,
            [
                "sent 1",
                "sent 1",
                "written content/a.en.md",
                "sent 2",
                "written content/b.en.md"
            ]
        );
    }

    /// Checks, when the run's last batches are sent, that each source it is not
    /// told is unfinished has every translation written and recorded.
    struct ChecksFinished {
        root: PathBuf,
        sources: usize,
        /// Sources unfinished and finished when it began (`None` before).
        begun: Option<(usize, usize)>,
    }

    impl Meanwhile for ChecksFinished {
        fn begin(
            &mut self,
            memory: &mut Memory,
            unfinished: std::collections::HashSet<String>,
            _started_at: Option<std::time::SystemTime>,
        ) {
            let mut counts = (0, 0);
            for n in 0..self.sources {
                if unfinished.contains(&format!("content/a{n:02}.md")) {
                    counts.0 += 1;
                    continue;
                }
                for lang in ["en", "ko"] {
                    let rel = format!("content/a{n:02}.{lang}.md");
                    assert!(self.root.join(&rel).is_file(), "{rel} not written");
                    assert!(
                        memory.written(&rel).unwrap().is_some(),
                        "{rel} not recorded"
                    );
                }
                counts.1 += 1;
            }
            self.begun = Some(counts);
        }

        fn step(&mut self, _memory: &mut Memory) -> bool {
            false
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_work_beside_the_last_answers_is_told_every_source_that_can_still_change() {
        // Begun once every batch is sent, while earlier answers' files may still be
        // on their way to disk: a source with such a file must count as unfinished.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Without QA: the echoed answers keep their Vietnamese words.
        let config =
            "[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\"]\n\n[qa]\nenabled = false\n";
        std::fs::write(root.join("config.toml"), config).unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        let sources = 40;
        for n in 0..sources {
            let body = format!("Bài {n} mở đầu. Ngày hội làng thứ {n}. Kết thúc bài {n}.\n");
            std::fs::write(root.join(format!("content/a{n:02}.md")), body).unwrap();
        }
        let project = Project::load(&root.join("config.toml")).unwrap();
        // Three segments a batch: many batches, some answered before the last is sent.
        let echo = crate::backend::echo::Echo {
            delay: Some(std::time::Duration::from_millis(5)),
            max_segments: 3,
            ..crate::backend::echo::Echo::default()
        };
        let chain = Chain::new(vec![std::sync::Arc::new(echo)]);
        let memory = project.open_memory().unwrap();
        let mut checks = ChecksFinished {
            root: root.to_owned(),
            sources,
            begun: None,
        };
        let options = Options::default();
        let run = project.translate_with_memory(
            (memory, Some(&mut checks)),
            &chain,
            &options,
            &NoProgress,
        );
        let (report, _memory) = tokio::time::timeout(std::time::Duration::from_secs(60), run)
            .await
            .expect("the run hung")
            .unwrap();
        assert_eq!(report.failures, [], "{:?}", report.failures);
        let (unfinished, finished) = checks.begun.expect("the work never began");
        assert_eq!(unfinished + finished, sources);
        assert!(finished > 0, "no source was finished when it began");
        assert!(unfinished > 0, "every source was finished when it began");
    }

    #[test]
    fn a_held_lock_stops_a_second_run() {
        let dir = tempfile::tempdir().unwrap();
        let memory = dir.path().join("memory.db");
        let _held = run_lock(&memory).unwrap();
        let error = run_lock(&memory).unwrap_err();
        assert!(matches!(error, PipelineError::Locked(_)), "{error:?}");
    }
}
