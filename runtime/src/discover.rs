//! Which `.ftl` files a locale folder holds: the one walker behind `dich check`,
//! `dich translate`, `dich status` and [`Localizer::load`](crate::Localizer::load), so
//! they never disagree about which files exist (issue 8).
//!
//! Hidden files and folders (names starting with `.`) are skipped, as zola's content
//! discovery does: editors, backups and version control keep their copies there
//! (`.backup/old.ftl`, `.#main.ftl`), and those are not part of the locale.

use std::path::{Path, PathBuf};

use crate::FluentError;

/// The `.ftl` files below `locale_dir` (e.g. `locales/en`), as paths relative to it
/// (`main.ftl`, `article/comments.ftl`), sorted so output and plans are deterministic.
/// Hidden files and folders below `locale_dir` are skipped; `locale_dir` itself may be
/// anywhere. Symbolic links are not followed.
///
/// # Errors
/// [`FluentError::Io`] naming the folder or entry that could not be read (including
/// `locale_dir` itself when it does not exist).
pub fn ftl_files(locale_dir: &Path) -> Result<Vec<PathBuf>, FluentError> {
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(locale_dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.map_err(|e| FluentError::Io {
            path: e.path().unwrap_or(locale_dir).to_owned(),
            source: e.into(),
        })?;
        let path = entry.path();
        if entry.file_type().is_file() && path.extension().is_some_and(|x| x == "ftl") {
            // Every entry of the walk lies below its root, so the prefix is always there.
            if let Ok(rel) = path.strip_prefix(locale_dir) {
                files.push(rel.to_owned());
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "a = b\n").unwrap();
    }

    #[test]
    fn finds_ftl_files_sorted_and_relative_skipping_hidden_ones() {
        let dir = tempfile::tempdir().unwrap();
        let en = dir.path().join("en");
        for rel in [
            "main.ftl",
            "article/comments.ftl",
            "article/body.ftl",
            ".backup/old.ftl",
            "article/.draft/new.ftl",
            ".hidden.ftl",
            "notes.txt",
        ] {
            write(&en, rel);
        }
        assert_eq!(
            ftl_files(&en).unwrap(),
            ["article/body.ftl", "article/comments.ftl", "main.ftl"]
                .map(PathBuf::from)
                .to_vec()
        );
    }

    #[test]
    fn a_hidden_locale_folder_itself_is_walked() {
        // Only what lies below the folder is judged; the caller chose the folder.
        let dir = tempfile::tempdir().unwrap();
        let en = dir.path().join(".site/locales/en");
        write(&en, "main.ftl");
        assert_eq!(ftl_files(&en).unwrap(), vec![PathBuf::from("main.ftl")]);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("fr");
        let error = ftl_files(&missing).unwrap_err();
        assert!(
            matches!(&error, FluentError::Io { path, .. } if *path == missing),
            "{error:?}"
        );
        assert!(error.to_string().contains("fr"), "{error}");
    }
}
