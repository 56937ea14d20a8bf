//! `[project] file_keys` and `[file_keys]`: the key each target language has in file
//! names (`<slug>.<key>.md`), which must be the key the site generator gives that
//! language (issue 14: Hugo lower-cases language keys and publishes a
//! `<slug>.zh-Hans.md` as a page of the default language).

use serde::Deserialize;

use crate::lang::Lang;

/// Where the key of each language comes from, before `[file_keys]` overrides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKeyPreset {
    /// The canonical BCP 47 tag (`zh-Hans`).
    #[default]
    Canonical,
    /// Hugo: the tag in lower case (`zh-hans`), as Hugo matches language keys.
    Hugo,
    /// Zola: the tag as written in `targets`, which must be the key of
    /// `[languages.<key>]` in Zola's config.
    Zola,
}

/// The key each target language has in file names and output paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileKeys {
    /// Target and key, in the order of `targets`; a target not listed uses its
    /// canonical tag.
    keys: Vec<(Lang, String)>,
}

impl FileKeys {
    /// Keys given in code: target and key.
    pub fn new(keys: Vec<(Lang, String)>) -> Self {
        FileKeys { keys }
    }

    /// The key of `lang` in file names (its canonical tag when none is configured).
    pub fn key(&self, lang: &Lang) -> String {
        self.keys
            .iter()
            .find(|(l, _)| l == lang)
            .map_or_else(|| lang.as_str().to_owned(), |(_, key)| key.clone())
    }

    /// The target language whose key is `key`, exactly as written.
    pub fn lang(&self, key: &str) -> Option<&Lang> {
        self.keys.iter().find(|(_, k)| k == key).map(|(l, _)| l)
    }
}

/// The key of one target under `preset`; `written` is the tag as `targets` spells it.
pub(super) fn preset_key(preset: FileKeyPreset, lang: &Lang, written: &str) -> String {
    match preset {
        FileKeyPreset::Canonical => lang.as_str().to_owned(),
        FileKeyPreset::Hugo => lang.as_str().to_lowercase(),
        FileKeyPreset::Zola => written.to_owned(),
    }
}

/// Why `key` cannot name a language in a file name, if it cannot.
pub(super) fn key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        Some("a file key cannot be empty")
    } else if key.contains(['.', '/', '\\']) || key.chars().any(char::is_whitespace) {
        Some(
            "a file key cannot contain `.`, `/`, `\\` or spaces (it goes between the slug and `.md`)",
        )
    } else {
        None
    }
}
