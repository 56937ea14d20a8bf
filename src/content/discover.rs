//! Content discovery: `<slug>.md` is a source article, `<slug>.<lang>.md` its
//! translation (Zola's convention); `.markdown` likewise (Jekyll's `jekyll new` and
//! many Hugo and Hexo sites name pages so), a translation keeping its source's
//! extension.
//!
//! Invariants: the walk is sorted, so output is deterministic; hidden files and folders
//! are skipped; one bad file name is an error for that file and the rest go on.

use std::path::{Path, PathBuf};

use super::ContentError;
use crate::config::FileKeys;
use crate::lang::Lang;

/// The file extensions of Markdown articles.
const MARKDOWN: [&str; 2] = ["md", "markdown"];

/// The extension of `path` when it is a Markdown article's.
pub(crate) fn markdown_extension(path: &Path) -> Option<&str> {
    path.extension()
        .and_then(|x| x.to_str())
        .filter(|x| MARKDOWN.contains(x))
}

/// A source article, found under the content folder. It holds one path and nothing
/// else: a project of 100,000 articles keeps the list for the whole run, so every
/// field counts (issue 15, peak memory). Its translations' paths follow from the
/// layout ([`translation_path`]); its path relative to the content folder from
/// `strip_prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Path of `<slug>.md`: the content folder joined with its relative path, e.g.
    /// `content/tin-tuc/bac-ninh.md`.
    pub source: PathBuf,
}

/// What a file name says a file is.
enum Named {
    Source,
    Translation { source: PathBuf },
}

/// Walks `content_dir` for articles. A `<slug>.<x>.md` whose `<x>` is not a language
/// tag (e.g. `2019.11.md`) is a source whose slug contains a dot.
///
/// # Errors
/// The outer [`ContentError::ContentDir`] when `content_dir` cannot be read. Problems
/// with single files come back in the list beside the articles: a translation in a
/// language that is not configured, named with the source language, or without a
/// source, and unreadable entries.
pub fn discover(
    content_dir: &Path,
    source: &Lang,
    targets: &[Lang],
    keys: &FileKeys,
) -> Result<(Vec<Article>, Vec<ContentError>), ContentError> {
    std::fs::read_dir(content_dir).map_err(|e| ContentError::ContentDir {
        path: content_dir.to_owned(),
        source: e,
    })?;
    // Walked in the order the file system gives, and sorted at the end: a sorted walk
    // reads each folder whole before going on, and a flat folder of 100,000 articles
    // and their 300,000 translations held 60 MB of entries, most of them translations
    // that are not kept (issue 15, peak memory).
    let mut articles: Vec<Article> = Vec::new();
    let mut errors = Vec::new();
    for entry in walk(content_dir) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                errors.push(ContentError::Unreadable {
                    path: e.path().unwrap_or(content_dir).to_owned(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let path = entry.path();
        let Some(named) = markdown_name(&entry, content_dir, (source, targets, keys)) else {
            continue;
        };
        match named {
            Ok(Named::Source) => articles.push(Article {
                source: path.to_owned(),
            }),
            Ok(Named::Translation { source: source_rel }) => {
                if !is_source(content_dir, &source_rel, (source, targets, keys)) {
                    errors.push(ContentError::SourceMissing {
                        expected: content_dir.join(&source_rel),
                        path: path.to_owned(),
                    });
                }
            }
            Err(e) => errors.push(e),
        }
    }
    articles.sort_unstable_by(|a, b| walk_order(&a.source, &b.source));
    articles.shrink_to_fit();
    errors.sort_by(|a, b| a.path().cmp(b.path()));
    Ok((articles, errors))
}

/// Whether `content_dir` holds a file named as a translation into one of `targets`
/// (with its source or without). The walk stops at the first one: no `lstat` per
/// source and language, which a project's first run, with no translation anywhere,
/// paid for every article before it could start (issue 15).
pub fn has_translation(
    content_dir: &Path,
    source: &Lang,
    targets: &[Lang],
    keys: &FileKeys,
) -> bool {
    walk(content_dir).filter_map(Result::ok).any(|entry| {
        matches!(
            markdown_name(&entry, content_dir, (source, targets, keys)),
            Some(Ok(Named::Translation { .. }))
        )
    })
}

/// What the name of a Markdown file the walk found says it is ([`classify`]); `None`
/// for anything else (folders, links, other files).
fn markdown_name(
    entry: &walkdir::DirEntry,
    content_dir: &Path,
    (source, targets, keys): (&Lang, &[Lang], &FileKeys),
) -> Option<Result<Named, ContentError>> {
    let path = entry.path();
    if !entry.file_type().is_file() || markdown_extension(path).is_none() {
        return None;
    }
    let rel = path.strip_prefix(content_dir).unwrap_or(path);
    Some(classify(path, rel, source, targets, keys))
}

/// The entries below `content_dir`, in the order the file system gives; hidden files
/// and folders are skipped.
fn walk(content_dir: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    walkdir::WalkDir::new(content_dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
}

/// Orders paths as a walk sorted by name, depth first, finds them (`a/z.md` before
/// `a-b.md` before `a.md`): component by component. Compared as bytes with the
/// separator below every other byte, which gives that order for the clean paths a walk
/// yields, without parsing each path into components for every comparison
/// (`Path::cmp` made sorting 5 % of a no-op run over 10,000 articles).
fn walk_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let key = |byte: &u8| {
        if std::path::is_separator(char::from(*byte)) {
            0
        } else {
            *byte
        }
    };
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    a.iter().map(key).cmp(b.iter().map(key))
}

/// Whether the walk finds `rel` as a source: a regular file (links are not followed,
/// as in the walk) that [`classify`] calls a source. The source is in the folder of
/// its translation, which the walk reads, so it is walked if and only if this holds.
/// Asked of the disk rather than of the translations seen, which the walk would keep
/// until its end (300,000 paths at 100,000 articles; issue 15, peak memory): one
/// `lstat` per translation.
fn is_source(
    content_dir: &Path,
    rel: &Path,
    (source, targets, keys): (&Lang, &[Lang], &FileKeys),
) -> bool {
    let path = content_dir.join(rel);
    std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
        && matches!(
            classify(&path, rel, source, targets, keys),
            Ok(Named::Source)
        )
}

/// Decides from the file name whether `path` is a source or a translation.
fn classify(
    path: &Path,
    rel: &Path,
    source: &Lang,
    targets: &[Lang],
    keys: &FileKeys,
) -> Result<Named, ContentError> {
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let Some((slug, suffix)) = stem.rsplit_once('.') else {
        return Ok(Named::Source);
    };
    let extension = markdown_extension(rel).unwrap_or("md");
    let source_rel = rel.with_file_name(format!("{slug}.{extension}"));
    // The key first: a key need not be a language tag (`cn`).
    if keys.lang(suffix).is_some_and(|l| targets.contains(l)) {
        return Ok(Named::Translation { source: source_rel });
    }
    let Ok(lang) = Lang::parse(suffix) else {
        return Ok(Named::Source);
    };
    if targets.contains(&lang) && keys.key(&lang) == suffix {
        return Ok(Named::Translation { source: source_rel });
    }
    if targets.contains(&lang) {
        let key = keys.key(&lang);
        return Err(ContentError::WrongFileKey {
            path: path.to_owned(),
            written: suffix.to_owned(),
            expected: translation_path(
                path.with_file_name(format!("{slug}.{extension}")).as_path(),
                &key,
            ),
            lang: lang.to_string(),
            key,
        });
    }
    if lang == *source {
        return Err(ContentError::SourceLanguageSuffix {
            path: path.to_owned(),
            lang: lang.to_string(),
            expected: source_rel,
        });
    }
    let configured: Vec<&str> = targets.iter().map(Lang::as_str).collect();
    Err(ContentError::LanguageNotConfigured {
        path: path.to_owned(),
        lang: suffix.to_owned(),
        configured: if configured.is_empty() {
            "none".to_owned()
        } else {
            configured.join(", ")
        },
    })
}

/// The source article and language of a translation file `<slug>.<lang>.md` in one
/// of `targets`; `None` for a source (or any other file).
pub fn source_of(path: &Path, targets: &[Lang], keys: &FileKeys) -> Option<(PathBuf, Lang)> {
    let extension = markdown_extension(path)?;
    let stem = path.file_stem()?.to_string_lossy();
    let (slug, suffix) = stem.rsplit_once('.')?;
    let lang = keys
        .lang(suffix)
        .cloned()
        .or_else(|| Lang::parse(suffix).ok())
        .filter(|l| targets.contains(l))?;
    Some((path.with_file_name(format!("{slug}.{extension}")), lang))
}

/// The translation file of `source` for the file key `key` (see
/// [`FileKeys`]): `tin/bai.md` + `ko` → `tin/bai.ko.md`, `bai.markdown` →
/// `bai.ko.markdown`.
pub fn translation_path(source: &Path, key: &str) -> PathBuf {
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = markdown_extension(source).unwrap_or("md");
    source.with_file_name(format!("{stem}.{key}.{extension}"))
}

/// What [`discover`] finds: the articles, and the problems with single files.
pub type Discovered = (Vec<Article>, Vec<ContentError>);

/// What [`rekey`] did.
#[derive(Debug)]
pub struct Rekeyed {
    /// Each translation renamed, `(from, to)`.
    pub moved: Vec<(PathBuf, PathBuf)>,
    /// The walk made to find them, when it renamed nothing: still what a walk finds,
    /// so the run need not walk the folder again (at 100,000 articles a walk is
    /// 400,000 directory entries).
    pub discovered: Option<Discovered>,
}

/// Renames the translations named with another spelling of their language than the
/// file key (after `[project] file_keys` or `[file_keys]` changed), when the keyed
/// name is free. A rename that would replace a file is not done (discovery then
/// reports the stray file).
///
/// # Errors
/// The I/O error of a rename, with the renames done before it lost to no one: each is
/// one `rename`, atomic on its own.
pub fn rekey(
    content_dir: &Path,
    source: &Lang,
    targets: &[Lang],
    keys: &FileKeys,
) -> std::io::Result<Rekeyed> {
    let Ok((articles, errors)) = discover(content_dir, source, targets, keys) else {
        // The run's own discovery reports why.
        return Ok(Rekeyed {
            moved: Vec::new(),
            discovered: None,
        });
    };
    let mut moved = Vec::new();
    let mut kept = Vec::with_capacity(errors.len());
    for error in errors {
        match error {
            ContentError::WrongFileKey { path, expected, .. } if !expected.exists() => {
                std::fs::rename(&path, &expected)?;
                moved.push((path, expected));
            }
            error => kept.push(error),
        }
    }
    let discovered = moved.is_empty().then_some((articles, kept));
    Ok(Rekeyed { moved, discovered })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(tags: &[&str]) -> Vec<Lang> {
        tags.iter().map(|t| Lang::parse(t).unwrap()).collect()
    }

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        dir
    }

    #[test]
    fn markdown_extension_is_a_source_and_its_translations_keep_it() {
        // `jekyll new` names posts `_posts/2024-01-01-chao.markdown`.
        let dir = tree(&[
            "_posts/2024-01-01-chao.markdown",
            "_posts/2024-01-01-chao.ko.markdown",
            "_posts/mo-coi.en.markdown",
            "ghi-chu.mdown",
        ]);
        let (vi, targets) = (Lang::parse("vi").unwrap(), langs(&["en", "ko"]));
        let keys = FileKeys::default();
        let (articles, errors) = discover(dir.path(), &vi, &targets, &keys).unwrap();
        let sources: Vec<_> = articles.iter().map(|a| a.source.clone()).collect();
        assert_eq!(
            sources,
            [dir.path().join("_posts/2024-01-01-chao.markdown")]
        );
        // A translation without its source is reported, with the source it lacks.
        let [ContentError::SourceMissing { expected, .. }] = &errors[..] else {
            panic!("{errors:?}");
        };
        assert_eq!(expected, &dir.path().join("_posts/mo-coi.markdown"));
        let ko = Lang::parse("ko").unwrap();
        assert_eq!(
            translation_path(&sources[0], "ko"),
            dir.path().join("_posts/2024-01-01-chao.ko.markdown")
        );
        assert_eq!(
            source_of(
                &dir.path().join("_posts/2024-01-01-chao.ko.markdown"),
                &targets,
                &keys
            ),
            Some((sources[0].clone(), ko))
        );
    }

    #[test]
    fn finds_sources_and_translations_sorted() {
        let dir = tree(&[
            "tin/b.md",
            "tin.md",
            "tin-moi.md",
            "tin/a.md",
            "tin/a.en.md",
            "tin/a.zh-hans.md",
            "du-lich/le-hoi.md",
            "du-lich/le-hoi.ko.md",
            ".git/x.md",
            "tin/.nhap.md",
            "tin/ghi-chu.txt",
            "2019.11.md",
        ]);
        // Hugo's key for Simplified Chinese.
        let zh = Lang::parse("zh-Hans").unwrap();
        let hugo_zh = FileKeys::new(vec![(zh.clone(), "zh-hans".into())]);
        let (articles, errors) = discover(
            dir.path(),
            &Lang::parse("vi").unwrap(),
            &langs(&["en", "ko", "zh-Hans"]),
            &hugo_zh,
        )
        .unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let rels: Vec<_> = articles
            .iter()
            .map(|a| {
                let rel = a.source.strip_prefix(dir.path()).unwrap();
                rel.to_string_lossy().into_owned()
            })
            .collect();
        assert_eq!(
            rels,
            [
                "2019.11.md",
                "du-lich/le-hoi.md",
                "tin/a.md",
                "tin/b.md",
                "tin-moi.md",
                "tin.md"
            ]
        );
        let a = &articles[2];
        assert_eq!(a.source, dir.path().join("tin/a.md"));
        // With the canonical key, `zh-hans` is another spelling: a file to rename.
        let targets = langs(&["en", "ko", "zh-Hans"]);
        let vi = Lang::parse("vi").unwrap();
        let (_, errors) = discover(dir.path(), &vi, &targets, &FileKeys::default()).unwrap();
        let [ContentError::WrongFileKey { expected, .. }] = &errors[..] else {
            panic!("{errors:?}");
        };
        assert_eq!(expected, &dir.path().join("tin/a.zh-Hans.md"));
        let rekeyed = rekey(dir.path(), &vi, &targets, &FileKeys::default()).unwrap();
        assert_eq!(rekeyed.moved.len(), 1);
        // The walk saw the old name: it no longer holds.
        assert!(rekeyed.discovered.is_none());
        assert!(dir.path().join("tin/a.zh-Hans.md").exists());
        let walked = discover(dir.path(), &vi, &targets, &FileKeys::default()).unwrap();
        assert!(walked.1.is_empty(), "{:?}", walked.1);
        // Nothing left to rename: the walk made for it is what a walk finds.
        let rekeyed = rekey(dir.path(), &vi, &targets, &FileKeys::default()).unwrap();
        assert!(rekeyed.moved.is_empty());
        let (articles, errors) = rekeyed.discovered.unwrap();
        let sources = |list: &[Article]| list.iter().map(|a| a.source.clone()).collect::<Vec<_>>();
        assert_eq!(sources(&articles), sources(&walked.0));
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn unconfigured_language_and_orphans_fail_alone() {
        // `d.ko.md` is a translation of `d.md`, not a source: `d.ko.en.md` has none.
        // `e.en.md` has a folder where its source would be; `f.en.md` has a link.
        let dir = tree(&[
            "a.md",
            "a.de.md",
            "a.en.md",
            "b.en.md",
            "c.vi.md",
            "d.ko.en.md",
            "d.ko.md",
            "e.en.md",
            "e.md/x.txt",
            "f.en.md",
        ]);
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("a.md"), dir.path().join("f.md")).unwrap();
        let (articles, errors) = discover(
            dir.path(),
            &Lang::parse("vi").unwrap(),
            &langs(&["en", "ko"]),
            &FileKeys::default(),
        )
        .unwrap();
        assert_eq!(articles.len(), 1);
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let missing: Vec<String> = errors
            .iter()
            .filter_map(|e| match e {
                ContentError::SourceMissing { path, .. } => {
                    Some(path.file_name()?.to_string_lossy().into_owned())
                }
                _ => None,
            })
            .collect();
        let mut expected = vec!["b.en.md", "d.ko.en.md", "d.ko.md", "e.en.md"];
        if cfg!(unix) {
            expected.push("f.en.md");
        }
        assert_eq!(missing, expected, "{messages:?}");
        // Plus `a.de.md` and `c.vi.md`.
        assert_eq!(messages.len(), expected.len() + 2, "{messages:?}");
        assert!(
            messages[0]
                .contains("a.de.md: `de` is not a configured target language (configured: en, ko;"),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("c.vi.md: `vi` is the source language"))
        );
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, ContentError::SourceMissing { .. }))
        );
    }

    #[test]
    fn missing_content_dir_is_an_error() {
        let err = discover(
            Path::new("/no/such/content"),
            &Lang::parse("vi").unwrap(),
            &[],
            &FileKeys::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ContentError::ContentDir { .. }));
    }

    #[test]
    fn translation_path_inserts_the_canonical_tag() {
        let zh = Lang::parse("zh-hans").unwrap();
        assert_eq!(
            translation_path(Path::new("tin/bai.md"), zh.as_str()),
            PathBuf::from("tin/bai.zh-Hans.md")
        );
        assert_eq!(
            translation_path(Path::new("tin/bai.md"), "ko"),
            PathBuf::from("tin/bai.ko.md")
        );
    }
}
