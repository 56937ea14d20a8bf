//! Locale discovery for `dich check`: which locale folders exist, and their `.ftl`
//! files (listed by [`ftl_files`], the walker `translate`, `status` and the portal's
//! runtime use too, so all of them see the same files), read and parsed in parallel.
//!
//! Layout: `<locales_dir>/<lang>/<group…>/<file>.ftl`; a file of a target locale is
//! matched to the reference file with the same path below the locale folder.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use dich_runtime::ftl_files;

use crate::lang::Lang;
use crate::text_position::LineIndex;

use super::diagnostic::{CheckCode, Diagnostic};
use super::parse::FileModel;

/// One `.ftl` file, read and parsed.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// Path below the locale folder, e.g. `article/comments.ftl`.
    pub(crate) rel: PathBuf,
    /// Path as shown in diagnostics (relative to the config folder when inside it).
    pub(crate) display: PathBuf,
    pub(crate) text: String,
    pub(crate) index: LineIndex,
    pub(crate) model: FileModel,
}

impl SourceFile {
    /// Parses `text` as the file `rel`, shown as `display`.
    pub(crate) fn new(rel: PathBuf, display: PathBuf, text: String) -> Self {
        SourceFile {
            rel,
            display,
            index: LineIndex::new(&text),
            model: FileModel::parse(&text),
            text,
        }
    }

    /// A diagnostic at byte `offset` of this file, with the code's default severity.
    pub(crate) fn at(
        &self,
        offset: usize,
        code: CheckCode,
        message: impl Into<String>,
    ) -> Diagnostic {
        let at = self.index.location(&self.text, offset);
        Diagnostic {
            file: self.display.clone(),
            line: at.line,
            column: at.column,
            severity: code.default_severity(),
            code,
            id: None,
            message: message.into(),
            source_line: self.index.line_text(&self.text, at.line).map(str::to_owned),
        }
    }

    /// `file:line` of byte `offset`, for messages that point elsewhere.
    pub(crate) fn location(&self, offset: usize) -> String {
        let line = self.index.location(&self.text, offset).line;
        format!("{}:{line}", self.display.display())
    }
}

/// One locale folder.
#[derive(Debug, Clone)]
pub(crate) struct LocaleDir {
    pub(crate) lang: Lang,
    pub(crate) dir: PathBuf,
    /// Its `.ftl` files, relative to `dir`, sorted.
    pub(crate) files: Vec<PathBuf>,
}

/// `path` relative to `root` when it lies inside it.
pub(crate) fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_owned()
}

/// The locale folders of `locales_dir` whose names are one of `wanted`; everything
/// else found there (other folders, bad names, stray files) is reported, and so is a
/// wanted locale folder that cannot be read.
pub(crate) fn discover(
    root: &Path,
    locales_dir: &Path,
    wanted: &[Lang],
    out: &mut Vec<Diagnostic>,
) -> Vec<LocaleDir> {
    let shown = display_path(root, locales_dir);
    let entries = match std::fs::read_dir(locales_dir) {
        Ok(entries) => entries,
        Err(e) => {
            out.push(Diagnostic::file_level(
                shown,
                CheckCode::IoError,
                format!("cannot read the locales folder: {e} (set `locales_dir` in [project])"),
            ));
            return Vec::new();
        }
    };
    let mut found = Vec::new();
    // Unreadable locale folders, reported as such rather than also as missing.
    let mut unreadable = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !path.is_dir() {
            continue;
        }
        match Lang::parse(&name) {
            Ok(lang) if wanted.contains(&lang) => match ftl_files(&path) {
                Ok(files) => found.push(LocaleDir {
                    files,
                    lang,
                    dir: path,
                }),
                Err(e) => {
                    out.push(Diagnostic::file_level(
                        display_path(root, &path),
                        CheckCode::IoError,
                        format!("cannot list the locale's files: {e}"),
                    ));
                    unreadable.push(lang);
                }
            },
            Ok(lang) => out.push(Diagnostic::file_level(
                display_path(root, &path),
                CheckCode::UnknownLocale,
                format!("locale folder `{name}` ({lang}) is not a configured language; add it to `targets` or remove the folder"),
            )),
            Err(e) => out.push(Diagnostic::file_level(
                display_path(root, &path),
                CheckCode::UnknownLocale,
                format!("locale folder `{name}` is not a language: {e}"),
            )),
        }
    }
    found.sort_by(|a, b| a.lang.cmp(&b.lang));
    for lang in wanted {
        if !found.iter().any(|l| &l.lang == lang) && !unreadable.contains(lang) {
            out.push(Diagnostic::file_level(
                shown.join(lang.as_str()),
                CheckCode::MissingLocale,
                format!("no locale folder for `{lang}`; run `dich translate` to create it"),
            ));
        }
    }
    found
}

/// Reads and parses every file of `locale`; unreadable files are reported.
pub(crate) fn load(root: &Path, locale: &LocaleDir) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for rel in &locale.files {
        let path = locale.dir.join(rel);
        let display = display_path(root, &path);
        match super::read_ftl(&path) {
            Ok(Some(text)) => files.push(SourceFile::new(rel.clone(), display, text)),
            // Deleted since the folder was listed: nothing left to check.
            Ok(None) => {}
            Err(e) => problems.push(Diagnostic::unreadable(display, &e)),
        }
    }
    (files, problems)
}

/// Maps `f` over `items` on all cores (checking is CPU work), keeping the order.
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = f(item);
                    if let Ok(mut results) = results.lock() {
                        results[i] = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discover_and_load_skip_hidden_folders_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let locales = dir.path().join("locales");
        for rel in [
            "vi/main.ftl",
            "en/main.ftl",
            "en/.backup/old.ftl",
            "en/.main.ftl",
        ] {
            let path = locales.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "a = b\n").unwrap();
        }
        // A hidden folder at the top is neither a locale nor reported as a bad one.
        std::fs::create_dir_all(locales.join(".git")).unwrap();
        let wanted = [Lang::parse("vi").unwrap(), Lang::parse("en").unwrap()];
        let mut out = Vec::new();
        let dirs = discover(dir.path(), &locales, &wanted, &mut out);
        assert!(out.is_empty(), "{out:?}");
        let en = dirs.iter().find(|d| d.lang.as_str() == "en").unwrap();
        assert_eq!(en.files, vec![PathBuf::from("main.ftl")]);
        let (files, problems) = load(dir.path(), en);
        assert!(problems.is_empty(), "{problems:?}");
        let shown: Vec<_> = files.iter().map(|f| (&f.rel, &f.display)).collect();
        assert_eq!(
            shown,
            [(
                &PathBuf::from("main.ftl"),
                &Path::new("locales").join("en").join("main.ftl")
            )]
        );
    }

    #[test]
    fn parallel_map_keeps_order() {
        let items: Vec<u32> = (0..100).collect();
        assert_eq!(
            parallel_map(&items, |n| n * 2),
            items.iter().map(|n| n * 2).collect::<Vec<_>>()
        );
    }
}
