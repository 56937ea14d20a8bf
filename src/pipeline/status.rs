//! `dich status`: the state of every translation, from the files and the memory
//! alone — no network, no backend.

use std::collections::BTreeMap;

use serde::Serialize;

use super::existing::{self, Existing};
use super::{Options, PipelineError, Project, Report, Source};
use crate::content::{self, Document};
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

/// The status of the whole project.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusReport {
    /// Every article × language in scope, sorted by source then language.
    pub articles: Vec<ArticleStatus>,
    /// How many translations are in each state.
    pub counts: BTreeMap<&'static str, usize>,
    /// Sources that could not be read at all.
    pub errors: Vec<String>,
}

impl StatusReport {
    /// True when anything is stale, missing or in conflict (`--check` exits 1).
    pub fn fails_check(&self) -> bool {
        self.articles.iter().any(|a| a.state.fails_check()) || !self.errors.is_empty()
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
        let mut status = StatusReport {
            errors: discovery
                .failures
                .iter()
                .map(|f| f.reason.clone())
                .collect(),
            ..StatusReport::default()
        };
        for source in &sources {
            let Source::Article(article) = source else {
                continue;
            };
            let fields = &self.config.content.translatable_fields;
            let doc = match Document::load(&article.source, fields) {
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
