//! The sources in scope: the Markdown articles of `content/` and the `.ftl` files of
//! the reference locale, limited to `--only` paths, sorted.

use std::path::{Path, PathBuf};

use crate::content::{self, Article, Discovered};
use crate::lang::Lang;

use super::layout::Layout;
use crate::pipeline::report::Report;

/// A source file the pipeline translates.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A Markdown article.
    Article(Article),
    /// A Fluent file of the reference locale. Boxed: the list holds one `Source` per
    /// article, and a variant of two paths made every article's entry twice as large.
    Ftl(Box<FtlSource>),
}

/// A Fluent file of the reference locale.
#[derive(Debug, Clone)]
pub(crate) struct FtlSource {
    /// The reference file.
    pub(crate) reference: PathBuf,
    /// Its path below `locales/<source>/`.
    pub(crate) rel: PathBuf,
}

/// Why the sources could not be listed at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourcesError {
    /// The content folder could not be read.
    #[error(transparent)]
    Content(#[from] content::ContentError),
    /// The locales folder could not be read.
    #[error("cannot read the locales folder: {0}")]
    Locales(String),
}

/// Finds the sources in scope: all of them, or those under one of `only` (canonical
/// paths). Articles that cannot be discovered go to `report` as failures; the
/// report's `articles` and `ui_files` counts are set.
pub(crate) fn find_sources(
    layout: &Layout,
    only: &[PathBuf],
    report: &mut Report,
) -> Result<Vec<Source>, SourcesError> {
    let discovered = if layout.content_dir.is_dir() {
        Some(content::discover(
            &layout.content_dir,
            &layout.source,
            &layout.targets,
            &layout.keys,
        )?)
    } else {
        None
    };
    list_sources(layout, only, discovered, report)
}

/// [`find_sources`] from a walk of the content folder already made (`None` when there
/// is no content folder).
pub(crate) fn list_sources(
    layout: &Layout,
    only: &[PathBuf],
    discovered: Option<Discovered>,
    report: &mut Report,
) -> Result<Vec<Source>, SourcesError> {
    let in_scope = |path: &Path| {
        only.is_empty()
            || path
                .canonicalize()
                .is_ok_and(|p| only.iter().any(|o| p.starts_with(o)))
    };
    let mut sources = Vec::new();
    if let Some((articles, errors)) = discovered {
        for error in errors {
            report.fail(layout.display_path(error.path()), None, error.to_string());
        }
        sources.extend(
            articles
                .into_iter()
                .filter(|a| in_scope(&a.source))
                .map(Source::Article),
        );
    }
    report.articles = sources.len();
    let ftl = ftl_sources(&layout.locales_dir, &layout.source)?;
    sources.extend(
        ftl.into_iter()
            .filter(|ftl| in_scope(&ftl.reference))
            .map(|ftl| Source::Ftl(Box::new(ftl))),
    );
    report.ui_files = sources.len() - report.articles;
    Ok(sources)
}

/// The `.ftl` files of the reference locale, sorted.
// Kept apart on purpose: the crate's single `.ftl` discovery function replaces this
// body (issue 8, item 3).
pub(crate) fn ftl_sources(
    locales_dir: &Path,
    source: &Lang,
) -> Result<Vec<FtlSource>, SourcesError> {
    let root = locales_dir.join(source.as_str());
    if !root.is_dir() {
        return Ok(Vec::new());
    }
    // The one discovery `dich check` and the runtime use too, so all agree on which
    // files exist (hidden files and folders are skipped).
    let files =
        crate::fluent::ftl_files(&root).map_err(|e| SourcesError::Locales(e.to_string()))?;
    Ok(files
        .into_iter()
        .map(|rel| FtlSource {
            reference: root.join(&rel),
            rel,
        })
        .collect())
}
