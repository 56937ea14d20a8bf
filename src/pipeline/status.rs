//! `dich status`: the state of every translation, from the files and the memory
//! alone — no network, no backend.

use std::collections::BTreeMap;

use serde::Serialize;

use super::existing::{self, Existing};
use super::{Options, PipelineError, Project, Report, Source};
use std::path::Path;

use crate::content::{self, Document};
use crate::fluent::{self, FtlPlan};
use crate::lang::Lang;
use crate::memory::{Memory, MemoryError};

/// The state of one translation, most pressing first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// The translated file no longer lines up with its source; dich leaves it alone.
    Conflict,
    /// The last attempt failed.
    Failed,
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
            State::Missing => "missing",
            State::Stale => "stale",
            State::NeedsReview => "needs-review",
            State::HumanEdited => "human-edited",
            State::UpToDate => "up-to-date",
        }
    }

    /// States that fail `dich status --check`.
    pub fn fails_check(self) -> bool {
        matches!(self, State::Conflict | State::Missing | State::Stale)
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
    /// True when anything is stale, missing or in conflict (`--check` exits 1).
    pub fn fails_check(&self) -> bool {
        self.articles.iter().any(|a| a.state.fails_check())
            || self
                .ui
                .iter()
                .any(|u| u.missing + u.stale > 0 || u.error.is_some())
            || !self.errors.is_empty()
    }
}

impl Project {
    /// The state of every translation in scope.
    ///
    /// # Errors
    /// [`PipelineError`] when the content folder or the memory cannot be read.
    pub fn status(&self, options: &Options) -> Result<StatusReport, PipelineError> {
        let mut discovery = Report::default();
        let sources = self.sources(options, &mut discovery)?;
        let mut memory = if self.config.memory.path.exists() {
            self.open_memory()?
        } else {
            Memory::in_memory()?
        };
        let targets = self.targets(options);
        // Checked when the config was loaded.
        let protect = content::Protect::new(&self.config.content.protect).unwrap_or_default();
        let mut status = StatusReport {
            errors: discovery
                .failures
                .iter()
                .map(|f| f.reason.clone())
                .collect(),
            ..StatusReport::default()
        };
        for source in &sources {
            let article = match source {
                Source::Article(article) => article,
                Source::Ftl { reference, rel } => {
                    // Read and counted once, compared with every target.
                    let text = std::fs::read_to_string(reference)
                        .map_err(|e| format!("{}: {e}", reference.display()));
                    let messages = text.as_deref().map_or(0, fluent::entry_count);
                    for target in &targets {
                        let text = text.as_deref().map_err(Clone::clone);
                        let entry = self.ui_status((reference, text, messages), rel, target);
                        status.ui.push(entry);
                    }
                    continue;
                }
            };
            let fields = &self.config.content.translatable_fields;
            let doc = match Document::load_with(&article.source, fields, &protect) {
                Ok(doc) => doc,
                Err(e) => {
                    status.errors.push(e.to_string());
                    continue;
                }
            };
            for target in &targets {
                let entry = self.article_status(&mut memory, &doc, target)?;
                *status.counts.entry(entry.state.as_str()).or_default() += 1;
                status.articles.push(entry);
            }
        }
        Ok(status)
    }

    fn ui_status(
        &self,
        (reference, text, messages): (&Path, Result<&str, String>, usize),
        rel: &Path,
        target: &Lang,
    ) -> UiStatus {
        let out_path = self.config.locales_dir.join(target.as_str()).join(rel);
        let existing = std::fs::read_to_string(&out_path).ok();
        let mut status = UiStatus {
            path: self.display_path(&out_path),
            lang: target.to_string(),
            messages,
            missing: 0,
            stale: 0,
            machine: existing
                .as_deref()
                .map_or(0, |t| fluent::machine_marked_ids(t).len()),
            error: None,
        };
        let plan = text.and_then(|text| {
            let existing = existing.as_deref();
            FtlPlan::new(
                reference,
                text,
                &out_path,
                existing,
                &self.config.source,
                target,
            )
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

    fn article_status(
        &self,
        memory: &mut Memory,
        doc: &Document,
        target: &Lang,
    ) -> Result<ArticleStatus, MemoryError> {
        let out_path = content::translation_path(&doc.path, target);
        let path = self.display_path(&out_path);
        let fields = &self.config.content.translatable_fields;
        let pair = (&self.config.source, target);
        let existing = existing::analyse(memory, doc, pair, &out_path, &path, fields, false)?;
        let failure = memory.failure(&path)?;
        let reviews = memory.reviews(&path)?;
        let (state, detail) = match existing {
            Existing::Conflict(reason) => (State::Conflict, Some(reason)),
            _ if failure.is_some() => (State::Failed, failure),
            Existing::Missing => (State::Missing, None),
            Existing::Found(found) if !found.up_to_date => (State::Stale, None),
            Existing::Found(_) if !reviews.is_empty() => (
                State::NeedsReview,
                Some(format!("{} block(s) to review", reviews.len())),
            ),
            Existing::Found(found) => {
                let mut human = found.human_edited;
                for key in &found.keys {
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
            source: self.display_path(&doc.path),
            lang: target.to_string(),
            path,
            state,
            detail,
        })
    }
}
