//! The terminology glossary: `glossary.toml`, term lookup in a source segment, and the
//! placeholder protection that enforces terms on backends without a glossary feature.
//!
//! A term has one or more Vietnamese forms and, per target language, its required
//! translation (the first form is the preferred one; later forms are accepted
//! variants), or `translate = false` for names and brands that pass unchanged.
//!
//! ```toml
//! [[term]]
//! vi = ["UBND tỉnh", "Ủy ban nhân dân tỉnh"]
//! en = "Provincial People's Committee"
//! ko = "성 인민위원회"
//! zh-Hans = "省人民委员会"
//!
//! [[term]]
//! vi = "Viettel"
//! translate = false
//! ```
//!
//! Lookup is case-insensitive, whole-word and leftmost-longest, so `Chủ tịch UBND
//! tỉnh` is one term, not `UBND tỉnh` inside a longer one.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;

use crate::lang::Lang;

/// A glossary file that cannot be read as a glossary, with the position of the fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct GlossaryError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line; 0 when the fault concerns the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 with `line`.
    pub column: usize,
    /// What is wrong and what to do.
    pub message: String,
}

impl GlossaryError {
    /// An error at byte `offset` of `text`.
    pub(crate) fn at(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let crate::text_position::Location { line, column } =
            crate::text_position::location(text, offset);
        GlossaryError {
            path: path.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// One glossary entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Term {
    /// The Vietnamese forms (at least one), as written in the glossary.
    pub source: Vec<String>,
    /// Per target language (canonical tag), the required translation first and accepted
    /// variants after it.
    pub targets: BTreeMap<String, Vec<String>>,
    /// False for names and brands that pass through unchanged.
    pub translate: bool,
    /// The target languages (canonical tags) whose translation was confirmed from
    /// official usage; `confirmed = true` in the file means all of them.
    pub confirmed: Vec<String>,
    /// A note for terminologists.
    pub note: Option<String>,
}

impl Term {
    /// True when the translation into `target` was confirmed from official usage.
    pub fn is_confirmed(&self, target: &Lang) -> bool {
        self.confirmed
            .iter()
            .any(|c| c == target.as_str() || c == target.language())
    }

    /// The accepted renderings of this term in `target`, preferred first, for the
    /// source text `matched`. `None` when the glossary has no rendering for `target`.
    pub fn required<'a>(&'a self, target: &Lang, matched: &'a str) -> Option<Vec<&'a str>> {
        if !self.translate {
            return Some(vec![matched]);
        }
        let forms = self
            .targets
            .get(target.as_str())
            .or_else(|| self.targets.get(target.language()))?;
        Some(forms.iter().map(String::as_str).collect())
    }
}

/// A glossary term found in a source segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermMatch {
    /// Index of the term in [`Glossary::terms`].
    pub term: usize,
    /// Byte span in the source segment.
    pub span: Range<usize>,
}

/// A parsed glossary, ready to look terms up.
#[derive(Clone, Default)]
pub struct Glossary {
    terms: Vec<Term>,
    matcher: Option<AhoCorasick>,
    /// For each matcher pattern, its term.
    pattern_term: Vec<usize>,
}

impl fmt::Debug for Glossary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Glossary")
            .field("terms", &self.terms.len())
            .finish()
    }
}

/// A term as written in `glossary.toml`.
#[derive(Deserialize)]
struct RawTerm {
    vi: Forms,
    #[serde(default = "yes")]
    translate: bool,
    #[serde(default)]
    confirmed: Confirmed,
    note: Option<String>,
    /// Every other key is a target language.
    #[serde(flatten)]
    targets: BTreeMap<String, Forms>,
}

fn yes() -> bool {
    true
}

/// `confirmed = true`, `false` or a list of language tags.
#[derive(Deserialize)]
#[serde(untagged)]
enum Confirmed {
    All(bool),
    Only(Vec<String>),
}

impl Default for Confirmed {
    fn default() -> Self {
        Confirmed::All(true)
    }
}

/// One form or a list of forms.
#[derive(Deserialize)]
#[serde(untagged)]
enum Forms {
    One(String),
    Many(Vec<String>),
}

impl Forms {
    fn into_vec(self) -> Vec<String> {
        match self {
            Forms::One(s) => vec![s],
            Forms::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlossary {
    #[serde(default)]
    term: Vec<toml::Spanned<RawTerm>>,
}

/// Case folding that keeps every byte offset (a character whose lower case has another
/// length is kept as it is), so matches in the folded text are spans of the original.
pub(crate) fn fold(text: &str) -> String {
    // ASCII folded in one vectorised pass over a copy, then only the other characters
    // that change are rewritten in place (same length in UTF-8, so every byte offset
    // stays): every answer is folded, most of it ASCII, Hangul or CJK ideographs,
    // and pushing it character by character cost more than the rest of the fold
    // (issue 11: checking stays under 5 % of a run).
    let mut folded = text.to_ascii_lowercase();
    if text.is_ascii() {
        return folded;
    }
    for (i, c) in text.char_indices() {
        // The Unicode tables only where they can change something.
        if c.is_ascii() || matches!(c as u32, 0xAC00..=0xD7A3 | 0x4E00..=0x9FFF) {
            continue;
        }
        let mut lower = c.to_lowercase();
        if let (Some(l), None) = (lower.next(), lower.next())
            && l != c
            && l.len_utf8() == c.len_utf8()
        {
            let mut buf = [0u8; 4];
            folded.replace_range(i..i + c.len_utf8(), l.encode_utf8(&mut buf));
        }
    }
    folded
}

impl Glossary {
    /// Parses `glossary.toml` text; `path` is for error messages.
    ///
    /// # Errors
    /// [`GlossaryError`] with line and column for TOML syntax, a term without a
    /// Vietnamese form, an invalid language tag, or a term with neither translations
    /// nor `translate = false`.
    pub fn parse(text: &str, path: &Path) -> Result<Self, GlossaryError> {
        let raw: RawGlossary = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            GlossaryError::at(path, text, offset, e.message().to_owned())
        })?;
        let mut terms = Vec::with_capacity(raw.term.len());
        for spanned in raw.term {
            let at = spanned.span().start;
            let raw = spanned.into_inner();
            let error = |message: String| GlossaryError::at(path, text, at, message);
            let source: Vec<String> = raw
                .vi
                .into_vec()
                .into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            let Some(first) = source.first().cloned() else {
                return Err(error("a term needs a Vietnamese form in `vi`".into()));
            };
            let mut targets = BTreeMap::new();
            for (tag, forms) in raw.targets {
                let lang = target_lang(&tag).map_err(|e| {
                    error(format!(
                        "term `{first}`: unknown key `{tag}` (keys are `vi`, `translate`, `confirmed`, `note` and language tags): {e}"
                    ))
                })?;
                let forms = forms.into_vec();
                if forms.iter().all(|f| f.trim().is_empty()) {
                    return Err(error(format!(
                        "term `{first}`: the {lang} translation is empty"
                    )));
                }
                targets.insert(lang.as_str().to_owned(), forms);
            }
            if raw.translate && targets.is_empty() {
                return Err(error(format!(
                    "term `{first}` has no translation: add one per language (`en = \"…\"`) or `translate = false`"
                )));
            }
            let confirmed = match raw.confirmed {
                Confirmed::All(true) => targets.keys().cloned().collect(),
                Confirmed::All(false) => Vec::new(),
                Confirmed::Only(tags) => {
                    let mut confirmed = Vec::new();
                    for tag in tags {
                        let lang = target_lang(&tag)
                            .map_err(|e| error(format!("term `{first}`: in `confirmed`: {e}")))?;
                        confirmed.push(lang.as_str().to_owned());
                    }
                    confirmed
                }
            };
            terms.push(Term {
                source,
                targets,
                translate: raw.translate,
                confirmed,
                note: raw.note,
            });
        }
        Glossary::new(terms).map_err(|message| GlossaryError {
            path: path.to_owned(),
            line: 0,
            column: 0,
            message,
        })
    }

    /// Reads and parses a glossary file.
    ///
    /// # Errors
    /// [`GlossaryError`] when the file cannot be read or parsed.
    pub fn from_file(path: &Path) -> Result<Self, GlossaryError> {
        let text = std::fs::read_to_string(path).map_err(|e| GlossaryError {
            path: path.to_owned(),
            line: 0,
            column: 0,
            message: format!("cannot read the glossary: {e}"),
        })?;
        Glossary::parse(&text, path)
    }

    /// A glossary of `terms` (e.g. from an importer).
    ///
    /// # Errors
    /// A message when the term matcher cannot be built (far beyond any real glossary).
    pub fn new(terms: Vec<Term>) -> Result<Self, String> {
        let mut patterns = Vec::new();
        let mut pattern_term = Vec::new();
        for (index, term) in terms.iter().enumerate() {
            for form in &term.source {
                patterns.push(fold(&crate::segment::normalize(form)));
                pattern_term.push(index);
            }
        }
        let matcher = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .map_err(|e| format!("cannot build the term matcher: {e}"))?,
            )
        };
        Ok(Glossary {
            terms,
            matcher,
            pattern_term,
        })
    }

    /// Every term, in file order.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The terms found in `source` (NFC text), leftmost-longest, whole words only.
    pub fn find(&self, source: &str) -> Vec<TermMatch> {
        if self.matcher.is_none() {
            return Vec::new();
        }
        self.find_folded(source, &fold(source))
    }

    /// [`Glossary::find`] for a caller that has `fold(source)` already.
    pub(crate) fn find_folded(&self, source: &str, folded: &str) -> Vec<TermMatch> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        matcher
            .find_iter(folded)
            .filter(|m| is_word_boundary(source, m.start(), m.end()))
            .map(|m| TermMatch {
                term: self.pattern_term[m.pattern().as_usize()],
                span: m.start()..m.end(),
            })
            .collect()
    }

    /// Every (source form, required form) pair for `target`, NFC-normalised, in file
    /// order: each Vietnamese form of a term with a rendering in `target`, and each
    /// `translate = false` form as itself. A source form is listed once (the first
    /// term that has it wins), so the pairs are a valid dictionary for a service.
    pub fn entries(&self, target: &Lang) -> Vec<(String, String)> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for term in &self.terms {
            for form in &term.source {
                let form = crate::segment::normalize(form);
                let Some(required) = term
                    .required(target, &form)
                    .and_then(|forms| forms.first().map(|f| crate::segment::normalize(f)))
                else {
                    continue;
                };
                if seen.insert(form.clone()) {
                    out.push((form, required));
                }
            }
        }
        out
    }

    /// The terms of `source` (NFC text) that have a required form in `target`, each
    /// once, in order of first appearance: the text as matched and the required form.
    pub fn required_in(&self, source: &str, target: &Lang) -> Vec<(String, String)> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for m in self.find(source) {
            if seen.contains(&m.term) {
                continue;
            }
            let matched = &source[m.span];
            if let Some(required) = self.terms[m.term]
                .required(target, matched)
                .and_then(|forms| forms.first().map(|f| (*f).to_owned()))
            {
                seen.push(m.term);
                out.push((matched.to_owned(), required));
            }
        }
        out
    }

    /// The forms that must pass through unchanged (`translate = false`).
    pub fn protected_forms(&self) -> impl Iterator<Item = &str> {
        self.terms
            .iter()
            .filter(|t| !t.translate)
            .flat_map(|t| t.source.iter().map(String::as_str))
    }
}

/// A target language key or column. Its primary subtag must have 2 or 3 letters, so a
/// typo such as `english` (a valid but unregistered 7-letter subtag) is an error.
pub(crate) fn target_lang(tag: &str) -> Result<Lang, String> {
    let lang = Lang::parse(tag).map_err(|e| e.to_string())?;
    if (2..=3).contains(&lang.language().len()) {
        Ok(lang)
    } else {
        Err(format!(
            "`{tag}` is not a language tag such as `en`, `ko` or `zh-Hans`"
        ))
    }
}

/// True when `start..end` of `text` is not inside a longer word.
pub(crate) fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition of [`fold`]: each character lower-cased where that keeps its
    /// length in UTF-8.
    fn fold_by_char(text: &str) -> String {
        text.chars()
            .map(|c| {
                let mut lower = c.to_lowercase();
                match (lower.next(), lower.next()) {
                    (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
                    _ => c,
                }
            })
            .collect()
    }

    #[test]
    fn fold_keeps_offsets_on_mixed_text() {
        let text = "ỦY BAN Nhân Dân TỈNH Đắk Lắk İstanbul ẞ 省人民委员会 성 인민위원회 ΣΑΣ";
        let folded = fold(text);
        assert_eq!(folded, fold_by_char(text));
        assert_eq!(folded.len(), text.len());
        assert!(folded.starts_with("ủy ban nhân dân tỉnh đắk lắk"));
    }

    proptest::proptest! {
        #[test]
        fn fold_is_lower_case_by_character(text in "\\PC{0,40}") {
            proptest::prop_assert_eq!(fold(&text), fold_by_char(&text));
        }
    }

    pub(crate) const SAMPLE: &str = r#"
[[term]]
vi = ["UBND tỉnh", "Ủy ban nhân dân tỉnh"]
en = "Provincial People's Committee"
zh-Hans = "省人民委员会"

[[term]]
vi = "Chủ tịch UBND tỉnh"
en = ["Chairman of the Provincial People's Committee", "Chairperson of the Provincial People's Committee"]
ko = "성 인민위원회 위원장"
confirmed = ["en"]

[[term]]
vi = "Viettel"
translate = false
"#;

    fn glossary() -> Glossary {
        Glossary::parse(SAMPLE, Path::new("glossary.toml")).unwrap()
    }

    #[test]
    fn parses_forms_languages_and_flags() {
        let g = glossary();
        assert_eq!(g.terms().len(), 3);
        assert_eq!(g.terms()[0].source.len(), 2);
        assert_eq!(
            g.terms()[0].targets["zh-Hans"],
            vec!["省人民委员会".to_owned()]
        );
        let ko = Lang::parse("ko").unwrap();
        assert!(g.terms()[0].is_confirmed(&Lang::parse("zh-Hans").unwrap()));
        assert!(g.terms()[1].is_confirmed(&Lang::parse("en").unwrap()));
        assert!(!g.terms()[1].is_confirmed(&ko));
        assert!(!g.terms()[2].translate);
        let en = Lang::parse("en-GB").unwrap();
        assert_eq!(
            g.terms()[1].required(&en, "x").unwrap()[1],
            "Chairperson of the Provincial People's Committee"
        );
        assert_eq!(g.terms()[2].required(&en, "Viettel"), Some(vec!["Viettel"]));
    }

    #[test]
    fn lookup_is_longest_whole_word_and_case_insensitive() {
        let g = glossary();
        let source = "Chủ tịch UBND tỉnh gặp Viettel; ủy ban nhân dân tỉnh họp. ViettelX không.";
        let found: Vec<(usize, &str)> = g
            .find(source)
            .into_iter()
            .map(|m| (m.term, &source[m.span]))
            .collect();
        assert_eq!(
            found,
            vec![
                (1, "Chủ tịch UBND tỉnh"),
                (2, "Viettel"),
                (0, "ủy ban nhân dân tỉnh")
            ]
        );
    }

    #[test]
    fn entries_and_terms_present_per_target() {
        let g = glossary();
        let zh = Lang::parse("zh-Hans").unwrap();
        assert_eq!(
            g.entries(&zh),
            vec![
                ("UBND tỉnh".to_owned(), "省人民委员会".to_owned()),
                ("Ủy ban nhân dân tỉnh".to_owned(), "省人民委员会".to_owned()),
                ("Viettel".to_owned(), "Viettel".to_owned()),
            ]
        );
        let ko = Lang::parse("ko").unwrap();
        let source = "Chủ tịch UBND tỉnh gặp Viettel và Chủ tịch UBND tỉnh.";
        assert_eq!(
            g.required_in(source, &ko),
            vec![
                (
                    "Chủ tịch UBND tỉnh".to_owned(),
                    "성 인민위원회 위원장".to_owned()
                ),
                ("Viettel".to_owned(), "Viettel".to_owned()),
            ]
        );
    }

    #[test]
    fn errors_point_at_the_term() {
        let err = Glossary::parse(
            "[[term]]\nvi = \"a\"\nen = \"b\"\n\n[[term]]\nvi = \"Sở Ngoại vụ\"\n",
            Path::new("g.toml"),
        )
        .unwrap_err();
        assert_eq!((err.line, err.column), (5, 1));
        assert!(err.message.contains("Sở Ngoại vụ"), "{err}");
        let err = Glossary::parse(
            "[[term]]\nvi = \"a\"\nenglish = \"b\"\n",
            Path::new("g.toml"),
        )
        .unwrap_err();
        assert!(err.message.contains("`english`"), "{err}");
        let err = Glossary::parse("[[term]]\nvi = \"a\nen = 1\n", Path::new("g.toml")).unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.to_string().starts_with("g.toml:2:"), "{err}");
    }

    #[test]
    fn the_shipped_glossary_parses_and_covers_every_target() {
        let text = include_str!("../../glossary.toml");
        let g = Glossary::parse(text, Path::new("glossary.toml")).unwrap();
        assert!(g.terms().len() >= 25);
        for term in g.terms().iter().filter(|t| t.translate) {
            for lang in ["en", "ko", "zh-Hans"] {
                assert!(
                    term.targets.contains_key(lang),
                    "{:?} lacks {lang}",
                    term.source
                );
            }
        }
        let source = "Phó Chủ tịch Thường trực UBND tỉnh thăm thị xã Từ Sơn, tỉnh Bắc Ninh.";
        let found: Vec<&str> = g
            .find(source)
            .into_iter()
            .map(|m| &source[m.span])
            .collect();
        assert_eq!(
            found,
            vec![
                "Phó Chủ tịch Thường trực",
                "UBND tỉnh",
                "Từ Sơn",
                "tỉnh Bắc Ninh"
            ]
        );
    }
}
