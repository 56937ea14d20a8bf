//! Where the project's files are and what language they are in: the part of the
//! configuration that planning reads.

use std::path::{Path, PathBuf};

use crate::content::{FrontMatterFormat, Protect};
use crate::lang::Lang;

/// Where the project's files are and what language they are in: the part of the
/// configuration that planning reads.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The project root; reported paths are relative to it.
    pub(crate) root: PathBuf,
    /// The folder of articles.
    pub(crate) content_dir: PathBuf,
    /// The folder of Fluent locales.
    pub(crate) locales_dir: PathBuf,
    /// The source language.
    pub(crate) source: Lang,
    /// Every configured target language (file names in other languages are errors).
    pub(crate) targets: Vec<Lang>,
    /// The key of each target in file names.
    pub(crate) keys: crate::config::FileKeys,
    /// Front-matter fields that are translated.
    pub(crate) fields: Vec<String>,
    /// Template syntax that is never translated (built-in and `[content] protect`).
    pub(crate) protect: Protect,
    /// The syntax of the front matter a translation gets when its source has none.
    pub(crate) added_front_matter: FrontMatterFormat,
    /// What besides the files decides what planning derives from them (see
    /// [`super::unchanged::stamp`]); `None` turns the no-op shortcut off.
    pub(crate) stamp: Option<String>,
}

impl Layout {
    /// Where the translation into `target` of the article at `source` is.
    pub(crate) fn article_translation(&self, source: &Path, target: &Lang) -> PathBuf {
        crate::content::translation_path(source, &self.keys.key(target))
    }

    /// Where the translation into `target` of the Fluent file at `rel` below the
    /// reference locale is.
    pub(crate) fn ftl_translation(&self, rel: &Path, target: &Lang) -> PathBuf {
        self.locales_dir.join(target.as_str()).join(rel)
    }

    /// A path relative to the project root, with `/` separators, for reports.
    pub(crate) fn display_path(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        rel.to_string_lossy().replace('\\', "/")
    }
}
