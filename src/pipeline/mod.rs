//! The translation pipeline: discover → parse → plan → translate → assemble → write →
//! report.
//!
//! [`Project`] is the orchestrator: it loads the config, finds the articles and UI
//! string files, and runs them through a backend [`Chain`]. Only the backend calls are
//! concurrent (the `run` stage); planning and rendering are plain functions.
//!
//! Invariants: a second run with no source change makes no backend call and writes no
//! file; a failing article fails alone; every file is written atomically.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::Chain;
use crate::config::Config;
use crate::content::{self, Article, Document};
use crate::error::ConfigError;
use crate::fluent::FtlPlan;
use crate::lang::Lang;
use crate::memory::{Memory, MemoryError};
use crate::segment::Segmenter;

mod existing;
pub(crate) mod plan;
mod progress;
mod report;
mod run;
mod slots;
mod status;

pub use progress::{NoProgress, Progress};
pub use report::{Failure, LangReport, Report};
pub use status::{ArticleStatus, State, StatusReport, UiStatus};

use existing::Existing;
use plan::JobUnit;

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
    /// The locales folder could not be read.
    #[error("cannot read the locales folder: {0}")]
    Locales(String),
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
    /// A Fluent file of the reference locale; `rel` is its path below the locale folder.
    Ftl {
        /// The reference file.
        reference: PathBuf,
        /// Its path below `locales/<source>/`.
        rel: PathBuf,
    },
}

/// What a job renders.
#[derive(Debug)]
pub(crate) enum JobDoc {
    /// A Markdown article, shared by the jobs of all its languages.
    Article(Arc<Document>),
    /// The missing messages of one Fluent file.
    Ftl(Box<FtlPlan>),
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
                report.fail(self.display_path(error.path()), None, error.to_string());
            }
            sources.extend(
                articles
                    .into_iter()
                    .filter(|a| in_scope(&a.source))
                    .map(Source::Article),
            );
        }
        report.articles = sources.len();
        let ftl = self.ftl_sources()?;
        sources.extend(ftl.into_iter().filter(|s| match s {
            Source::Ftl { reference, .. } => in_scope(reference),
            Source::Article(_) => true,
        }));
        report.ui_files = sources.len() - report.articles;
        Ok(sources)
    }

    /// The `.ftl` files of the reference locale, sorted.
    fn ftl_sources(&self) -> Result<Vec<Source>, PipelineError> {
        let root = self.config.locales_dir.join(self.config.source.as_str());
        if !root.is_dir() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let entry = entry.map_err(|e| PipelineError::Locales(e.to_string()))?;
            let path = entry.path();
            if entry.file_type().is_file() && path.extension().is_some_and(|x| x == "ftl") {
                let rel = path.strip_prefix(&root).unwrap_or(path).to_owned();
                out.push(Source::Ftl {
                    reference: path.to_owned(),
                    rel,
                });
            }
        }
        Ok(out)
    }

    fn only_paths(&self, options: &Options) -> Result<Vec<PathBuf>, PipelineError> {
        options
            .only
            .iter()
            .map(|p| p.canonicalize().map_err(|_| PipelineError::Only(p.clone())))
            .collect()
    }

    /// The jobs of one source: one per target language whose translation is missing or
    /// stale. A source that cannot be read fails here, alone; a translation in conflict
    /// is reported and left alone (or backed up and replaced with `force`).
    pub(crate) fn jobs(
        &self,
        prepared: Prepared,
        targets: &[Lang],
        memory: &mut Memory,
        ctx: &mut JobContext<'_>,
    ) -> Result<Vec<Job>, MemoryError> {
        let (article, shared) = match prepared {
            Prepared::Ftl { reference, rel } => {
                return Ok(self.ftl_jobs(&reference, &rel, targets, ctx));
            }
            Prepared::Article(article, Err(e)) => {
                ctx.report
                    .fail(self.display_path(&article.source), None, e.to_string());
                return Ok(Vec::new());
            }
            Prepared::Article(article, Ok(shared)) => (article, shared),
        };
        let fields = &self.config.content.translatable_fields;
        let doc = Arc::clone(&shared.doc);
        let mut jobs = Vec::new();
        for target in targets {
            ctx.report.lang(target).articles += 1;
            let out_path = content::translation_path(&article.source, target);
            let rel = self.display_path(&out_path);
            let pair = (&self.config.source, target);
            let learn = !ctx.dry_run;
            let found = match existing::analyse(memory, &doc, pair, &out_path, &rel, fields, learn)?
            {
                Existing::Missing => None,
                Existing::Conflict(reason) if !ctx.force => {
                    let reason = format!("conflict: {reason}");
                    ctx.report.fail(rel.clone(), Some(target), reason);
                    ctx.progress.file_done(&rel, target, "conflict");
                    continue;
                }
                Existing::Conflict(_) => {
                    if !ctx.dry_run {
                        back_up(&out_path).map_err(|e| MemoryError::Folder {
                            path: out_path.clone(),
                            source: e,
                        })?;
                    }
                    None
                }
                Existing::Found(found) if found.up_to_date => {
                    ctx.progress.file_done(&rel, target, "up to date");
                    continue;
                }
                Existing::Found(found) => Some(found),
            };
            let job = self.plan_job(&shared, target, out_path, rel, found.as_ref(), memory)?;
            jobs.push(job);
        }
        Ok(jobs)
    }

    /// Decides unit by unit: a human translation, a block kept from the existing file
    /// (its source is unchanged), or machine translation by segments.
    fn plan_job(
        &self,
        shared: &SharedPlan,
        target: &Lang,
        out_path: PathBuf,
        rel: String,
        found: Option<&existing::Found>,
        memory: &Memory,
    ) -> Result<Job, MemoryError> {
        let source = &self.config.source;
        let doc = &shared.doc;
        let keys = shared.keys.clone();
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
        for (j, key) in keys.iter().enumerate() {
            if let Some(human) = human(key)? {
                units.push(JobUnit::Raw(human));
                continue;
            }
            if let Some(block) = found.and_then(|f| f.blocks.get(key)) {
                if earlier_reviews.contains(key) {
                    reviews.push(key.clone());
                }
                units.push(JobUnit::Raw(block.clone()));
                continue;
            }
            // The source under a human-edited block changed: translate it again, and
            // ask for a review. The editor's text stays in the memory.
            let previous = found.and_then(|f| f.keys.get(j));
            if let Some(previous) = previous.filter(|p| *p != key)
                && human(previous)?.is_some()
            {
                reviews.push(key.clone());
            }
            units.push(JobUnit::Machine(Arc::clone(&shared.units[j])));
        }
        Ok(Job {
            target: target.clone(),
            out_path,
            rel,
            source_rel: self.display_path(&doc.path),
            doc: JobDoc::Article(Arc::clone(doc)),
            units,
            keys,
            reviews,
        })
    }

    /// The jobs of one reference `.ftl` file: one per target locale that lacks
    /// messages. The existing file is spliced, never re-serialised.
    fn ftl_jobs(
        &self,
        reference: &Path,
        rel: &Path,
        targets: &[Lang],
        ctx: &mut JobContext<'_>,
    ) -> Vec<Job> {
        let source_rel = self.display_path(reference);
        let text = match crate::fs::read(reference).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                ctx.report.fail(source_rel, None, "not valid UTF-8");
                return Vec::new();
            }
            Err(e) => {
                ctx.report.fail(source_rel, None, e.to_string());
                return Vec::new();
            }
        };
        let mut jobs = Vec::new();
        for target in targets {
            let out_path = self.config.locales_dir.join(target.as_str()).join(rel);
            let out_rel = self.display_path(&out_path);
            let existing = std::fs::read_to_string(&out_path).ok();
            let plan = match FtlPlan::new(
                reference,
                &text,
                &out_path,
                existing.as_deref(),
                &self.config.source,
                target,
            ) {
                Ok(plan) => plan,
                Err(e) => {
                    ctx.report.fail(out_rel, Some(target), e.to_string());
                    continue;
                }
            };
            if plan.units().is_empty() {
                ctx.progress.file_done(&out_rel, target, "up to date");
                continue;
            }
            let units = plan
                .units()
                .iter()
                .map(|u| {
                    JobUnit::Machine(Arc::new(plan::plan_unit(&self.segmenter, u.tagged.text())))
                })
                .collect();
            jobs.push(Job {
                target: target.clone(),
                out_path,
                rel: out_rel,
                source_rel: source_rel.clone(),
                doc: JobDoc::Ftl(Box::new(plan)),
                units,
                keys: Vec::new(),
                reviews: Vec::new(),
            });
        }
        jobs
    }
}

/// What every language's job of one article shares: the document, its unit keys and
/// its units split into segments (done once, not once per language).
#[derive(Debug)]
pub(crate) struct SharedPlan {
    doc: Arc<Document>,
    keys: Vec<String>,
    units: Vec<Arc<plan::PlannedUnit>>,
}

impl SharedPlan {
    fn new(doc: Document, segmenter: &Segmenter) -> Self {
        let doc = Arc::new(doc);
        SharedPlan {
            keys: existing::unit_keys(&doc),
            units: doc
                .units
                .iter()
                .map(|u| Arc::new(plan::plan_unit(segmenter, u.tagged.text())))
                .collect(),
            doc,
        }
    }
}

/// A source read, parsed and split into segments: the part of planning that needs
/// neither the memory nor the network, so it runs ahead on a thread of its own.
#[derive(Debug)]
pub(crate) enum Prepared {
    /// An article, or why it could not be read.
    Article(Article, Result<SharedPlan, content::ContentError>),
    /// A Fluent reference file (planned against its targets later).
    Ftl {
        /// The reference file.
        reference: PathBuf,
        /// Its path below `locales/<source>/`.
        rel: PathBuf,
    },
}

/// Sources prepared on a background thread, a few ahead of the consumer.
pub(crate) struct Prefetch {
    receiver: std::sync::mpsc::Receiver<Prepared>,
}

impl Prefetch {
    /// Starts preparing `sources` in order.
    pub(crate) fn start(project: &Project, sources: Vec<Source>) -> Prefetch {
        /// Sources prepared ahead: enough to cover a burst of free request slots,
        /// few enough that memory stays flat.
        const AHEAD: usize = 8;
        let (sender, receiver) = std::sync::mpsc::sync_channel(AHEAD);
        let segmenter = project.segmenter.clone();
        let fields = project.config.content.translatable_fields.clone();
        // Checked when the config was loaded.
        let protect = content::Protect::new(&project.config.content.protect).unwrap_or_default();
        std::thread::spawn(move || {
            for source in sources {
                let prepared = match source {
                    Source::Article(article) => {
                        let plan = Document::load_with(&article.source, &fields, &protect)
                            .map(|doc| SharedPlan::new(doc, &segmenter));
                        Prepared::Article(article, plan)
                    }
                    Source::Ftl { reference, rel } => Prepared::Ftl { reference, rel },
                };
                // The receiver is gone when the run stopped early: stop too.
                if sender.send(prepared).is_err() {
                    break;
                }
            }
        });
        Prefetch { receiver }
    }

    /// The next prepared source; `None` when all are done.
    pub(crate) fn next(&self) -> Option<Prepared> {
        self.receiver.recv().ok()
    }
}

/// What job planning reports to and how it behaves.
pub(crate) struct JobContext<'a> {
    pub(crate) report: &'a mut Report,
    pub(crate) progress: &'a dyn Progress,
    pub(crate) force: bool,
    pub(crate) dry_run: bool,
}

/// Saves a file about to be replaced as `<name>.bak` (or `.bak.2`, … if taken).
fn back_up(path: &Path) -> std::io::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut backup = path.with_file_name(format!("{name}.bak"));
    let mut n = 2;
    while backup.exists() {
        backup = path.with_file_name(format!("{name}.bak.{n}"));
        n += 1;
    }
    std::fs::copy(path, &backup)?;
    Ok(backup)
}
