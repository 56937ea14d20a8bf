//! The publish manifest `translations.json` (issue 12): per article and language,
//! what exists, in which translation and review state, written by which backend; per
//! UI locale, how complete it is. Output for the portal, never input: it is rewritten
//! whole and atomically by every `dich translate` and `dich export manifest`.
//! Schema: `docs/schema/translations.schema.json` (its `version` is [`VERSION`]).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::pipeline::{Project, StatusReport, UiStatus};

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
        let article = articles.entry(entry.source.clone()).or_insert_with(|| {
            let mut titles = BTreeMap::new();
            if let Some(title) = &entry.source_title {
                titles.insert(config.source.to_string(), title.clone());
            }
            ManifestArticle {
                source: entry.source.clone(),
                slug: slug(&entry.source),
                titles,
                languages: BTreeMap::new(),
            }
        });
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
    let mut ui: BTreeMap<String, UiLocale> = BTreeMap::new();
    for (status, entry) in status
        .ui
        .iter()
        .zip(entries.iter().filter(|e| e.kind == "ui"))
    {
        add_ui(ui.entry(status.lang.clone()).or_default(), status, entry);
    }
    Manifest {
        version: VERSION,
        source_language: config.source.to_string(),
        targets: config.targets.iter().map(ToString::to_string).collect(),
        articles: articles.into_values().collect(),
        ui,
    }
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

/// Writes the manifest of `project` to `path` atomically, unless the file already
/// says exactly that: the manifest holds no time of its own, so a run that changed
/// nothing writes nothing (design invariant 2).
///
/// # Errors
/// [`ReviewError::Manifest`] naming the path when it cannot be built or written.
pub fn write(project: &Project, path: &Path) -> Result<Manifest, ReviewError> {
    let fail = |message: String| ReviewError::Manifest {
        path: path.to_owned(),
        message,
    };
    let status = project
        .status(&crate::pipeline::Options::default())
        .map_err(|e| fail(e.to_string()))?;
    let memory = super::open_memory(project).map_err(|e| fail(e.to_string()))?;
    let entries = super::entries(project, &status, &memory).map_err(|e| fail(e.to_string()))?;
    let manifest = build(project, &status, &entries);
    let mut json = serde_json::to_string_pretty(&manifest).map_err(|e| fail(e.to_string()))?;
    json.push('\n');
    if std::fs::read_to_string(path).is_ok_and(|old| old == json) {
        return Ok(manifest);
    }
    crate::fs::write_atomic(path, json.as_bytes()).map_err(|e| fail(e.source.to_string()))?;
    Ok(manifest)
}

fn slug(source: &str) -> String {
    let name = source.rsplit('/').next().unwrap_or(source);
    let stem = name.strip_suffix(".md").unwrap_or(name);
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

    #[test]
    fn slug_is_the_stem_or_the_section_folder() {
        assert_eq!(slug("content/tin/le-hoi.md"), "le-hoi");
        assert_eq!(slug("content/tin/_index.md"), "tin");
    }
}
