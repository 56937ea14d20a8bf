//! The summary of a run: what was sent, written and failed, overall and per language.
//! Serialised as-is for `dich translate --json` (fields documented in docs/output.md).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::backend::{Handover, Metered};
use crate::lang::Lang;

/// Counters for one target language.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct LangReport {
    /// Source articles considered for this language.
    pub articles: usize,
    /// Files (articles and UI string files) written.
    pub files_written: usize,
    /// Segments sent to a backend.
    pub segments_sent: usize,
    /// Characters of the texts the service received (see [`Report::characters_sent`]).
    pub characters_sent: usize,
    /// Characters the service reported billing; `None` when it did not say.
    pub characters_billed: Option<usize>,
    /// Segments reused from the translation memory.
    pub segments_from_memory: usize,
    /// Segments whose answer lost its tags and was repaired by translating the text
    /// between the tags separately.
    pub segments_repaired: usize,
    /// Files that could not be translated.
    pub failed: usize,
}

/// One thing that failed, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failure {
    /// The file concerned (relative to the project root).
    pub path: String,
    /// The target language, when the failure concerns one.
    pub lang: Option<String>,
    /// What went wrong, with what to do where known.
    pub reason: String,
    /// The QA code when the file is held by the QA gate (`number-mismatch`, …).
    pub code: Option<String>,
}

/// Why a file is (or, in a dry run, would be) written.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    /// There is no translation yet.
    Missing,
    /// The source changed since the translation was written (`stale` in `dich status`).
    SourceChanged,
    /// The translation is in conflict with its source and `--force` replaces it.
    Forced,
    /// The UI strings file lacks messages of the reference file.
    UiStringsMissing,
    /// Machine-translated UI strings whose reference text changed (none missing).
    UiStringsStale,
}

impl Why {
    /// The reason as `dich translate` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Why::Missing => "missing",
            Why::SourceChanged => "source changed",
            Why::Forced => "forced",
            Why::UiStringsMissing => "UI strings missing",
            Why::UiStringsStale => "UI strings stale",
        }
    }
}

/// A file the run planned to write, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlannedFile {
    /// The translation's path (relative to the project root).
    pub path: String,
    /// Its target language.
    pub lang: String,
    /// Why it is written.
    pub reason: Why,
    /// More about the reason, where there is more (which messages, which conflict).
    pub detail: Option<String>,
}

/// The files a run planned to write ([`PlannedFile`]s, in order), kept compact: a run
/// over 100,000 articles into three languages plans 300,000 files, which as
/// `PlannedFile`s (three heap strings each) held about 45 MB until the end of the run
/// (issue 15, peak memory). A path is kept as the bytes it does not share with the
/// path before it (front coding, as a sorted index stores its keys): the three
/// translations of an article differ only in their language, and neighbouring articles
/// share their folder, so a file costs about a tenth of its path and 12 bytes more.
/// Serialised as the list of `PlannedFile`s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlannedFiles {
    /// Each path's own end, one after the other.
    suffixes: String,
    /// The languages named so far; an entry holds an index into them.
    langs: Vec<String>,
    entries: Vec<Compact>,
    /// The few details there are, by the index of their entry.
    details: BTreeMap<usize, String>,
    /// The last path pushed, which the next one is coded against.
    last: String,
}

/// A [`PlannedFile`] in [`PlannedFiles`]: how many bytes of the previous path its path
/// begins with, the length of the rest (which follows the previous entry's), its
/// language and its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Compact {
    shared: u16,
    suffix_len: u32,
    lang: u16,
    reason: Why,
}

impl PlannedFiles {
    /// Adds `file` at the end.
    pub fn push(&mut self, file: PlannedFile) {
        let lang = match self.langs.iter().position(|l| *l == file.lang) {
            Some(i) => i,
            None => {
                self.langs.push(file.lang);
                self.langs.len() - 1
            }
        };
        let shared = shared_prefix(&self.last, &file.path);
        let suffix = &file.path[shared..];
        // Both fit by far (no system has paths of 4 GB; 65,536 languages); were they
        // not to, the path would be left out and the language be another rather than
        // a panic.
        let (suffix, suffix_len) = match u32::try_from(suffix.len()) {
            Ok(len) => (suffix, len),
            Err(_) => ("", 0),
        };
        self.suffixes.push_str(suffix);
        if let Some(detail) = file.detail {
            self.details.insert(self.entries.len(), detail);
        }
        self.entries.push(Compact {
            // At most `u16::MAX` by construction of `shared_prefix`.
            shared: u16::try_from(shared).unwrap_or(0),
            suffix_len,
            lang: u16::try_from(lang).unwrap_or(u16::MAX),
            reason: file.reason,
        });
        self.last.truncate(shared);
        self.last.push_str(suffix);
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no file was planned.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The files, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = PlannedFile> + '_ {
        let mut start = 0;
        let mut path = String::new();
        self.entries.iter().enumerate().map(move |(i, entry)| {
            let end = start + entry.suffix_len as usize;
            path.truncate(usize::from(entry.shared));
            path.push_str(self.suffixes.get(start..end).unwrap_or_default());
            start = end;
            PlannedFile {
                path: path.clone(),
                lang: self
                    .langs
                    .get(usize::from(entry.lang))
                    .cloned()
                    .unwrap_or_default(),
                reason: entry.reason,
                detail: self.details.get(&i).cloned(),
            }
        })
    }
}

/// How many leading bytes `a` and `b` share, ending on a character boundary of both
/// and at most `u16::MAX`.
fn shared_prefix(a: &str, b: &str) -> usize {
    let mut shared = 0;
    for ((i, x), y) in a.char_indices().zip(b.chars()) {
        if x != y || i + x.len_utf8() > usize::from(u16::MAX) {
            break;
        }
        shared = i + x.len_utf8();
    }
    shared
}

impl Extend<PlannedFile> for PlannedFiles {
    fn extend<T: IntoIterator<Item = PlannedFile>>(&mut self, files: T) {
        for file in files {
            self.push(file);
        }
    }
}

impl FromIterator<PlannedFile> for PlannedFiles {
    fn from_iter<T: IntoIterator<Item = PlannedFile>>(files: T) -> Self {
        let mut all = PlannedFiles::default();
        all.extend(files);
        all
    }
}

impl Serialize for PlannedFiles {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// The summary of `dich translate`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The backend (chain) used; pseudo-translation says so.
    pub backend: String,
    /// True when the primary backend is the pseudo backend.
    pub pseudo: bool,
    /// True for `--dry-run`: the counts are what would be sent.
    pub dry_run: bool,
    /// Source articles in scope.
    pub articles: usize,
    /// Fluent reference files in scope.
    pub ui_files: usize,
    /// Files written.
    pub files_written: usize,
    /// Segments sent (or, with `--dry-run`, to be sent).
    pub segments_sent: usize,
    /// Characters sent (or to be sent): with a backend that counts its requests
    /// ([`Translator::meter`](crate::backend::Translator::meter)), the characters of the
    /// texts its service received in answered requests (tags it never saw and context
    /// excluded); otherwise, and in a dry run, the characters of the segments batched.
    pub characters_sent: usize,
    /// Characters the service reported billing (DeepL's `billed_characters`); `None`
    /// when it did not report them for every request.
    pub characters_billed: Option<usize>,
    /// Segments reused from the memory.
    pub segments_from_memory: usize,
    /// Segments whose answer lost its tags and was repaired (see
    /// [`Translated::repaired`](crate::backend::Translated::repaired)).
    pub segments_repaired: usize,
    /// HTTP requests the backends' services received, retries included (with a
    /// backend that does not count them, and in a dry run: batches).
    pub requests: usize,
    /// Of those, repeats after a failure (rate limit, server error, timeout).
    pub retries: usize,
    /// Number of failures.
    pub failed: usize,
    /// Per target language.
    pub languages: BTreeMap<String, LangReport>,
    /// Each failure with its reason.
    pub failures: Vec<Failure>,
    /// Every file the run planned to write and why (in a dry run: would write), in
    /// planning order. Whether it was written is in `files_written` and `failures`.
    pub files: PlannedFiles,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
    /// The run was stopped by Ctrl-C.
    pub interrupted: bool,
    /// A failure that stopped the whole run (authentication, quota, circuit breaker).
    pub fatal: Option<String>,
    /// Backends the chain retired during the run (rejected key, quota, open circuit);
    /// the next backend took their segments.
    pub handovers: Vec<Handover>,
    /// Where the time went (`dich translate --timings`); not part of the JSON summary.
    #[serde(skip)]
    pub timings: super::timings::Timings,
    /// What planning proved about every file in the project when it found nothing
    /// to do (see `plan::UnchangedInputs`); `None` when anything was to be planned or
    /// the run was narrowed (`--lang`, `--only`). Lets the manifest be kept as is
    /// ([`AfterRun::write`](crate::review::manifest::AfterRun::write)); an opaque hash.
    #[serde(skip)]
    pub unchanged_inputs: Option<String>,
    /// When the run began, under its lock (none for a dry run): the manifest written
    /// after it trusts the records of the files written since (see
    /// [`AfterRun::write`](crate::review::manifest::AfterRun::write)).
    #[serde(skip)]
    pub started_at: Option<std::time::SystemTime>,
}

impl Report {
    /// The counters of `lang`, created on first use.
    pub fn lang(&mut self, lang: &Lang) -> &mut LangReport {
        self.languages.entry(lang.to_string()).or_default()
    }

    /// Records a failure (of a whole file when `lang` is `None`).
    pub fn fail(
        &mut self,
        path: impl Into<String>,
        lang: Option<&Lang>,
        reason: impl Into<String>,
    ) {
        if let Some(lang) = lang {
            self.lang(lang).failed += 1;
        }
        self.failed += 1;
        let reason = reason.into();
        self.failures.push(Failure {
            path: path.into(),
            lang: lang.map(Lang::to_string),
            code: super::gate::held_code(&reason).map(str::to_owned),
            reason,
        });
    }

    /// Replaces the counts of batches by what the services saw: requests, retries,
    /// and per language the characters sent and billed.
    pub(crate) fn apply_metered(&mut self, metered: &Metered) {
        self.requests = metered.requests;
        self.retries = metered.retries;
        for lang in metered.languages.keys() {
            self.languages.entry(lang.clone()).or_default();
        }
        for (lang, report) in &mut self.languages {
            let seen = metered.languages.get(lang).copied().unwrap_or_default();
            report.characters_sent = seen.characters;
            report.characters_billed = if seen.characters == 0 {
                None
            } else {
                seen.billed_characters()
            };
        }
    }

    /// Adds per-language totals into the overall ones.
    pub(crate) fn sum_languages(&mut self) {
        self.files_written = self.languages.values().map(|l| l.files_written).sum();
        self.segments_sent = self.languages.values().map(|l| l.segments_sent).sum();
        self.characters_sent = self.languages.values().map(|l| l.characters_sent).sum();
        // Known when every language that sent text had its billing reported.
        let sent = || self.languages.values().filter(|l| l.characters_sent > 0);
        self.characters_billed = if sent().next().is_some() {
            sent().map(|l| l.characters_billed).sum()
        } else {
            None
        };
        self.segments_from_memory = self
            .languages
            .values()
            .map(|l| l.segments_from_memory)
            .sum();
        self.segments_repaired = self.languages.values().map(|l| l.segments_repaired).sum();
    }

    /// True when anything failed or the run was cut short.
    pub fn has_failures(&self) -> bool {
        self.failed > 0 || self.fatal.is_some() || self.interrupted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(path: &str, lang: &str, reason: Why, detail: Option<&str>) -> PlannedFile {
        PlannedFile {
            path: path.to_owned(),
            lang: lang.to_owned(),
            reason,
            detail: detail.map(str::to_owned),
        }
    }

    #[test]
    fn planned_files_give_back_what_was_planned_in_order_and_serialise_as_a_list() {
        let files = vec![
            planned("content/a.en.md", "en", Why::Missing, None),
            planned(
                "content/a.zh-Hans.md",
                "zh-Hans",
                Why::Forced,
                Some("conflict"),
            ),
            planned("", "en", Why::SourceChanged, None),
            planned(
                "locales/ko/main.ftl",
                "ko",
                Why::UiStringsStale,
                Some("2 messages"),
            ),
            planned("content/tin/bài.en.md", "en", Why::Missing, None),
            // Shares "content/tin/bà" with the path before, ending inside "à"'s
            // neighbour: the shared part ends on a character boundary.
            planned("content/tin/bàn.ko.md", "ko", Why::Missing, None),
            planned("content/tin/bàn.ko.md", "ko", Why::Missing, None),
            // A prefix of the path before, then longer than what a prefix may share.
            planned("content/tin", "en", Why::Missing, None),
            planned(
                &format!("content/{}.en.md", "ạ".repeat(30_000)),
                "en",
                Why::Missing,
                None,
            ),
            planned(
                &format!("content/{}.ko.md", "ạ".repeat(30_000)),
                "ko",
                Why::Missing,
                None,
            ),
        ];
        let mut compact = PlannedFiles::default();
        compact.extend(files.clone());
        assert_eq!(compact.len(), files.len());
        assert_eq!(compact.iter().collect::<Vec<_>>(), files);
        assert_eq!(
            serde_json::to_value(&compact).unwrap(),
            serde_json::to_value(&files).unwrap()
        );
        assert!(PlannedFiles::default().is_empty());
    }

    #[test]
    fn translations_of_one_article_store_little_more_than_their_language() {
        let mut files = PlannedFiles::default();
        for lang in ["en", "ko", "zh-Hans"] {
            let path = format!("content/tin-tuc/bac-ninh-2016-2020.{lang}.md");
            files.push(planned(&path, lang, Why::Missing, None));
        }
        // The first path whole, then only "ko.md" and "zh-Hans.md".
        assert_eq!(files.suffixes.len(), 40 + 5 + 10);
    }
}
