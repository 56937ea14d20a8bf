//! The translation pipeline: discover → parse → plan → translate → assemble → write →
//! report.
//!
//! [`Project`] is the orchestrator: it loads the config, finds the articles and UI
//! string files, and runs them through a backend [`Chain`]. Only the backend calls are
//! concurrent ([`run`]); planning and rendering are plain functions.
//!
//! Invariants: a second run with no source change makes no backend call and writes no
//! file; a failing article fails alone; every file is written atomically.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::Chain;
use crate::config::Config;
use crate::content::{self, Article, Document};
use crate::error::ConfigError;
use crate::lang::Lang;
use crate::memory::{Memory, MemoryError};
use crate::segment::Segmenter;

pub(crate) mod plan;
mod progress;
mod report;
mod run;

pub use progress::{NoProgress, Progress};
pub use report::{Failure, LangReport, Report};

use plan::PlannedUnit;

/// What to translate and how: the CLI's flags.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Target languages (default: all configured).
    pub targets: Option<Vec<Lang>>,
    /// Only sources under these paths (files or folders).
    pub only: Vec<PathBuf>,
    /// Plan and estimate only; no backend call, no file written.
    pub dry_run: bool,
    /// Stop cleanly on Ctrl-C (the CLI sets this; library callers usually do not).
    pub handle_interrupt: bool,
}

/// A failure that stops a command before any work: bad config, unusable memory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The configuration is invalid (exit code 2).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The translation memory could not be used.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// The content folder could not be read.
    #[error(transparent)]
    Content(#[from] content::ContentError),
    /// A `--only` path does not exist.
    #[error("`--only {0}`: no such file or folder")]
    Only(PathBuf),
    /// Another dich process holds the project's lock.
    #[error(
        "another dich process is translating this project (lock `{0}` is held); wait for it to finish"
    )]
    Locked(PathBuf),
}

/// A loaded project: config and segmenter.
#[derive(Debug)]
pub struct Project {
    config: Config,
    segmenter: Segmenter,
}

/// A source file the pipeline translates.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A Markdown article.
    Article(Article),
}

/// A source document and one target language: what to render and where.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) target: Lang,
    pub(crate) out_path: PathBuf,
    pub(crate) doc: Arc<Document>,
    pub(crate) units: Vec<PlannedUnit>,
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
        Ok(Project { config, segmenter })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
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
        Memory::open(&self.config.memory.path)
    }

    /// A path relative to the project root, with `/` separators, for reports.
    pub fn display_path(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.config.root).unwrap_or(path);
        rel.to_string_lossy().replace('\\', "/")
    }

    /// Translates what is missing or stale. Failures of single files are in the
    /// report; only problems that stop everything are errors.
    ///
    /// # Errors
    /// [`PipelineError`] when nothing can be done (memory unusable, bad `--only`).
    pub async fn translate(
        &self,
        chain: &Chain,
        options: &Options,
        progress: &dyn Progress,
    ) -> Result<Report, PipelineError> {
        run::run(self, chain, options, progress).await
    }

    fn targets(&self, options: &Options) -> Vec<Lang> {
        options
            .targets
            .clone()
            .unwrap_or_else(|| self.config.targets.clone())
    }

    /// Finds the sources in scope; files that cannot be discovered go to `report`.
    pub(crate) fn sources(
        &self,
        options: &Options,
        report: &mut Report,
    ) -> Result<Vec<Source>, PipelineError> {
        let only = self.only_paths(options)?;
        let in_scope = |path: &Path| {
            only.is_empty()
                || path
                    .canonicalize()
                    .is_ok_and(|p| only.iter().any(|o| p.starts_with(o)))
        };
        let mut sources = Vec::new();
        if self.config.content_dir.is_dir() {
            let (articles, errors) = content::discover(
                &self.config.content_dir,
                &self.config.source,
                &self.config.targets,
            )?;
            for error in errors {
                report.fail(self.error_path(&error), None, error.to_string());
            }
            sources.extend(
                articles
                    .into_iter()
                    .filter(|a| in_scope(&a.source))
                    .map(Source::Article),
            );
        }
        report.articles = sources.len();
        Ok(sources)
    }

    fn error_path(&self, error: &content::ContentError) -> String {
        // The error's Display carries the precise place; the path column is the file.
        let text = error.to_string();
        text.split(':').next().unwrap_or(&text).to_owned()
    }

    fn only_paths(&self, options: &Options) -> Result<Vec<PathBuf>, PipelineError> {
        options
            .only
            .iter()
            .map(|p| p.canonicalize().map_err(|_| PipelineError::Only(p.clone())))
            .collect()
    }

    /// The jobs of one source: one per target language whose translation is missing or
    /// stale. A source that cannot be read fails here, alone.
    pub(crate) fn jobs(&self, source: &Source, targets: &[Lang], report: &mut Report) -> Vec<Job> {
        let Source::Article(article) = source;
        let doc = match Document::load(&article.source, &self.config.content.translatable_fields) {
            Ok(doc) => Arc::new(doc),
            Err(e) => {
                report.fail(self.display_path(&article.source), None, e.to_string());
                return Vec::new();
            }
        };
        let mut jobs = Vec::new();
        for target in targets {
            report.lang(target).articles += 1;
            let out_path = content::translation_path(&article.source, target);
            if self.is_up_to_date(&doc, &out_path) {
                continue;
            }
            let units = doc
                .units
                .iter()
                .map(|u| plan::plan_unit(&self.segmenter, u.tagged.text()))
                .collect();
            jobs.push(Job {
                target: target.clone(),
                out_path,
                doc: Arc::clone(&doc),
                units,
            });
        }
        jobs
    }

    /// A translation is up to date when it was rendered from the current source text.
    /// A person may have edited it since: it is then theirs, and still up to date.
    fn is_up_to_date(&self, doc: &Document, out_path: &Path) -> bool {
        std::fs::read_to_string(out_path)
            .ok()
            .and_then(|text| content::read_provenance(&text))
            .is_some_and(|p| p.source_hash == doc.source_hash())
    }
}
