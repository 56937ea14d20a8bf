//! Paths sent by the browser: relative to the project root, and never anywhere but
//! inside the content or locales folder.
//!
//! A path is refused when it is absolute, has a `..`, `.` or drive component, or
//! resolves (after following symbolic links) outside the allowed folders.

use std::path::{Component, Path, PathBuf};

use super::ServeError;

/// The existing file `rel` (relative to `root`) as `root.join(rel)`, when its canonical
/// path lies inside one of `allowed` (folders, canonicalised here too).
///
/// # Errors
/// [`ServeError::Forbidden`] for a path that is absolute, climbs, or escapes (also
/// through a symbolic link); [`ServeError::NotFound`] when it does not exist.
pub(crate) fn resolve(root: &Path, allowed: &[&Path], rel: &str) -> Result<PathBuf, ServeError> {
    let path = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains(['\\', '\0'])
        && rel
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        return Err(ServeError::Forbidden("serve-error-path"));
    }
    let canonical = root
        .join(path)
        .canonicalize()
        .map_err(|_| ServeError::NotFound(rel.to_owned()))?;
    let inside = allowed
        .iter()
        .filter_map(|dir| dir.canonicalize().ok())
        .any(|dir| canonical.starts_with(dir));
    if inside && canonical.is_file() {
        // The path as the rest of dich spells it (root-relative for reports); it names
        // the same file as `canonical`, which was checked.
        Ok(root.join(path))
    } else if inside {
        Err(ServeError::NotFound(rel.to_owned()))
    } else {
        Err(ServeError::Forbidden("serve-error-path"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_inside_the_allowed_folders_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/news")).unwrap();
        std::fs::write(root.join("content/news/a.en.md"), "x").unwrap();
        std::fs::write(root.join("config.toml"), "x").unwrap();
        let content = root.join("content");
        let allowed = [content.as_path()];
        assert!(resolve(root, &allowed, "content/news/a.en.md").is_ok());
        for bad in [
            "config.toml",
            "content/../config.toml",
            "content/./news/a.en.md",
            "/etc/passwd",
            "",
            "content\\news\\a.en.md",
        ] {
            let error = resolve(root, &allowed, bad).unwrap_err();
            assert!(
                matches!(error, ServeError::Forbidden(_)),
                "{bad}: {error:?}"
            );
        }
        assert!(matches!(
            resolve(root, &allowed, "content/news/none.md"),
            Err(ServeError::NotFound(_))
        ));
        assert!(matches!(
            resolve(root, &allowed, "content/news"),
            Err(ServeError::NotFound(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_out_of_the_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(root.join("secret.md"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("secret.md"), root.join("content/a.en.md")).unwrap();
        let content = root.join("content");
        let error = resolve(root, &[content.as_path()], "content/a.en.md").unwrap_err();
        assert!(matches!(error, ServeError::Forbidden(_)), "{error:?}");
    }
}
