//! Unicode normalisation and sentence splitting of source text.
//!
//! # Normalisation
//!
//! [`normalize`] applies NFC (Vietnamese arrives both NFC and NFD), then canonicalises
//! where the tone mark sits in the syllable-final vowel pairs *oa*, *oe* and *uy*.
//! Both styles are in use: "new" (hoà, hoá, thuỷ, khoẻ) and "old" (hòa, hóa, thủy,
//! khỏe). dich writes the **old (traditional) style**, tone on the first vowel, because
//! it is what our source articles use ("cụ thể hóa", "Ủy viên") and the translation
//! memory keys on the normalised text. The rule, per word (a run of letters):
//!
//! - the word ends in o+a, o+e or u+y with the tone on the last vowel and none on the
//!   first, and the letters before the pair are a Vietnamese initial consonant (or
//!   none): the tone moves to the first vowel, keeping each letter's case;
//! - closed syllables (hoàn, toán, khuyến) and triphthongs (ngoài, khuya) never change;
//! - "qu" is a consonant, so in quý / quỳ / quỹ the "uy" is not the diphthong: no change;
//! - anything else, including non-Vietnamese words, is left as it is.
//!
//! # Splitting
//!
//! [`Segmenter::split`] proposes boundaries with UAX #29 plus the rules' terminals, then
//! the language rules (`rules/<lang>.toml`, see the schema in `rules/vi.toml`) merge
//! the wrong ones: abbreviations (some only before a listed name, as "TP. Bắc Ninh"),
//! initials, numbers, ellipses before lowercase, quoted speech with its dash
//! attribution, a paragraph's leading ellipsis, soft-wrapped lines, URLs. The rules are
//! described for users in `docs/segmentation.md`. Inline tags (`<g1>`, `</g1>`,
//! `<x2/>`, as [`crate::markup`] defines them) are removed before the rules look at the
//! text, and a boundary never falls inside a tag or while a paired tag is open, so
//! every sentence has balanced tags.

pub mod long;
mod rules;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};
use unicode_normalization::{IsNormalized, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

use rules::{AbbreviationKind, MAX_ABBREVIATION_LEN, Rules};

use crate::markup::{self, Token};

/// The built-in Vietnamese rules.
const VI_RULES: &str = include_str!("../../rules/vi.toml");
/// The built-in English rules.
const EN_RULES: &str = include_str!("../../rules/en.toml");

/// Errors loading segmentation rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SegmentError {
    /// The rules text is not valid TOML or does not fit the schema.
    #[error("{}:{line}:{column}: {message}", path.as_deref().map_or("<rules>".into(), |p| p.display().to_string()))]
    Rules {
        /// The rules file, when the rules came from a file.
        path: Option<PathBuf>,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column (in characters) of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The rules file could not be read.
    #[error("cannot read rules file `{}`", path.display())]
    Io {
        /// The rules file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

// ---------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------

/// Vietnamese initial consonants that may precede a syllable-final oa / oe / uy.
/// "q" is deliberately absent: in "quý" the "u" belongs to the consonant "qu".
const INITIALS: [&str; 26] = [
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "r", "s", "t", "th", "tr", "v",
];

/// The five Vietnamese tone marks as combining characters.
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// NFC normalisation plus Vietnamese tone-mark placement canonicalisation (see the
/// module documentation: old style, "hòa" not "hoà"). Idempotent.
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    // Text in NFC already (nearly all) is not copied, and the copy of the rest is
    // sized once: a unit can be a paragraph of megabytes (issue 10, item 14).
    let nfc: std::borrow::Cow<'_, str> =
        if unicode_normalization::is_nfc_quick(text.chars()) == IsNormalized::Yes {
            std::borrow::Cow::Borrowed(text)
        } else {
            let mut nfc = String::with_capacity(text.len());
            nfc.extend(text.nfc());
            std::borrow::Cow::Owned(nfc)
        };
    let mut out = String::with_capacity(nfc.len());
    let mut rest: &str = &nfc;
    while let Some(start) = rest.find(char::is_alphabetic) {
        out.push_str(&rest[..start]);
        let word = &rest[start..];
        let len = word
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(word.len());
        // A combining mark right after the word would compose with the vowel the tone
        // leaves ("a" + U+0301 → "á"), and a second call would then differ.
        let mark_follows = word[len..]
            .chars()
            .next()
            .is_some_and(|c| canonical_combining_class(c) != 0);
        if mark_follows {
            out.push_str(&word[..len]);
        } else {
            push_word(&mut out, &word[..len]);
        }
        rest = &word[len..];
    }
    out.push_str(rest);
    out
}

/// Appends `word`, with its tone mark moved if it ends in a new-style oa / oe / uy.
fn push_word(out: &mut String, word: &str) {
    let mut chars = word.char_indices().rev();
    let (Some((_, second)), Some((first_at, first))) = (chars.next(), chars.next()) else {
        out.push_str(word);
        return;
    };
    let prefix = &word[..first_at];
    let moved = tone_moved(first, second).filter(|_| is_initial(prefix));
    match moved {
        Some((first, second)) => {
            out.push_str(prefix);
            out.push(first);
            out.push(second);
        }
        None => out.push_str(word),
    }
}

/// Whether `prefix` is a Vietnamese initial consonant (any case).
fn is_initial(prefix: &str) -> bool {
    prefix.chars().count() <= 3 && INITIALS.contains(&prefix.to_lowercase().as_str())
}

/// For a toneless `first` (o, u) and a toned `second` (a, e; y), the pair with the
/// tone on `first`; `None` when the pair is not one that moves.
fn tone_moved(first: char, second: char) -> Option<(char, char)> {
    let mut parts = ['\0'; 3];
    let mut count = 0;
    decompose_canonical(second, |c| {
        if let Some(slot) = parts.get_mut(count) {
            *slot = c;
        }
        count += 1;
    });
    let [base, tone, _] = parts;
    let pair = (first.to_ascii_lowercase(), base.to_ascii_lowercase());
    let moves = count == 2
        && TONE_MARKS.contains(&tone)
        && matches!(pair, ('o', 'a') | ('o', 'e') | ('u', 'y'));
    if !moves || !first.is_ascii() {
        return None;
    }
    compose(first, tone).map(|toned| (toned, base))
}

// ---------------------------------------------------------------------------------
// Segmenter
// ---------------------------------------------------------------------------------

/// A sentence splitter for one source language, driven by a rules data file.
#[derive(Debug, Clone)]
pub struct Segmenter {
    /// Shared so that cloning a built-in segmenter is cheap.
    rules: Arc<Rules>,
    /// The longest segment the pipeline may plan, in characters (a request's limit);
    /// a longer sentence is planned in parts ([`long`]).
    max_chars: usize,
}

impl Segmenter {
    /// Built-in rules for a language subtag ("vi" → rules/vi.toml, "en" →
    /// rules/en.toml; unknown → generic rules: UAX #29 only, no abbreviations).
    /// Region and script subtags are ignored ("vi-VN" is "vi").
    pub fn for_language(language: &str) -> Segmenter {
        static VI: OnceLock<Segmenter> = OnceLock::new();
        static EN: OnceLock<Segmenter> = OnceLock::new();
        static GENERIC: OnceLock<Segmenter> = OnceLock::new();
        let primary = language.split(['-', '_']).next().unwrap_or_default();
        let (cell, text) = match primary.to_ascii_lowercase().as_str() {
            "vi" => (&VI, VI_RULES),
            "en" => (&EN, EN_RULES),
            _ => (&GENERIC, ""),
        };
        cell.get_or_init(|| {
            // Built-in data, checked by the unit tests: a failure here is a build bug.
            Segmenter::from_rules_toml(text).expect("built-in segmentation rules are valid")
        })
        .clone()
    }

    /// Rules from TOML text (same schema as rules/vi.toml).
    ///
    /// # Errors
    ///
    /// [`SegmentError::Rules`] with line and column when the text is not valid TOML or
    /// does not fit the schema (unknown key, a "char" of two characters, …).
    pub fn from_rules_toml(text: &str) -> Result<Segmenter, SegmentError> {
        Rules::parse(text, None).map(|rules| Segmenter {
            rules: Arc::new(rules),
            max_chars: usize::MAX,
        })
    }

    /// Rules from a file (error names the path, line, column).
    ///
    /// # Errors
    ///
    /// [`SegmentError::Io`] when the file cannot be read, [`SegmentError::Rules`]
    /// (with the path) when its content is invalid.
    pub fn from_rules_file(path: &Path) -> Result<Segmenter, SegmentError> {
        let text = std::fs::read_to_string(path).map_err(|source| SegmentError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Rules::parse(&text, Some(path)).map(|rules| Segmenter {
            rules: Arc::new(rules),
            max_chars: usize::MAX,
        })
    }

    /// The same rules, planning no segment longer than `max_chars` characters where a
    /// boundary allows it (the backend chain's request limit): a sentence longer than
    /// that is translated in parts, each its own memory entry, so no stage holds a
    /// request, an answer or a memory row larger than a request.
    #[must_use]
    pub fn with_max_chars(self, max_chars: usize) -> Segmenter {
        Segmenter {
            max_chars: max_chars.max(1),
            ..self
        }
    }

    /// The longest segment to plan, in characters (`usize::MAX`: no limit).
    pub fn max_chars(&self) -> usize {
        self.max_chars
    }

    /// Byte ranges of the sentences of `text`, in order, non-overlapping, each trimmed
    /// of surrounding whitespace; empty/blank text → empty vec. Never panics, on any
    /// input.
    pub fn split(&self, text: &str) -> Vec<Range<usize>> {
        let plain = Plain::new(text);
        let scan = Scan::new(&plain.text, &self.rules);
        let mut sentence_start = 0;
        let boundaries = self
            .candidates(scan.text)
            .into_iter()
            .filter(|&b| self.keeps(&scan, b))
            .filter(|&b| plain.depth_at(plain.original(b)) == 0)
            .filter(|&b| {
                let keep = !self.punctuation_only(scan.text, sentence_start, b);
                if keep {
                    sentence_start = b;
                }
                keep
            })
            .map(|b| plain.original(b));
        let mut ranges = Vec::new();
        let mut start = 0;
        for end in boundaries.chain(std::iter::once(text.len())) {
            if end > start {
                push_trimmed(&mut ranges, text, start..end);
                start = end;
            }
        }
        ranges
    }

    /// Convenience: the sentence slices.
    pub fn sentences<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.split(text).into_iter().map(|r| &text[r]).collect()
    }

    /// Whether the would-be sentence `start..end` of the tag-free text is punctuation
    /// only (a paragraph that opens with "... "), which the rules may join to the
    /// sentence after it. A blank line still separates.
    fn punctuation_only(&self, text: &str, start: usize, end: usize) -> bool {
        let Some(piece) = text.get(start..end) else {
            return false;
        };
        let body = piece.trim_end();
        self.rules.breaks.punctuation_only_joins
            && !body.chars().any(char::is_alphanumeric)
            && line_breaks(&piece[body.len()..]) < 2
    }

    /// Sorted, deduplicated boundary proposals: UAX #29 plus, where UAX #29 has none,
    /// after a run of the rules' terminals, closing marks and whitespace.
    fn candidates(&self, text: &str) -> Vec<usize> {
        let mut out: Vec<usize> = text
            .split_sentence_bound_indices()
            .map(|(i, _)| i)
            .filter(|&i| i > 0)
            .collect();
        let mut after_space = false;
        for (i, c) in text.char_indices() {
            let space = c.is_whitespace();
            if after_space
                && !space
                && !self
                    .terminal_run(body_before(text, i, &self.rules))
                    .is_empty()
            {
                out.push(i);
            }
            after_space = space;
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The terminal run at the end of `body` ("", ".", "...", "?!", "…").
    fn terminal_run<'a>(&self, body: &'a str) -> &'a str {
        let start = body
            .char_indices()
            .rev()
            .take_while(|&(_, c)| self.rules.is_terminal(c))
            .last()
            .map_or(body.len(), |(i, _)| i);
        &body[start..]
    }
}

// ---------------------------------------------------------------------------------
// Boundary rules
// ---------------------------------------------------------------------------------

/// How the text after a boundary starts (after opening quotes and brackets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// A lowercase letter: usually the same sentence going on.
    Lower,
    /// An uppercase letter: usually a new sentence.
    Upper,
    /// Anything else (digit, symbol).
    Other,
}

/// Tag-free text prepared once per [`Segmenter::split`] call.
struct Scan<'t> {
    /// The text the rules look at.
    text: &'t str,
    /// Whitespace-delimited tokens that contain a URL marker, in order.
    urls: Vec<Range<usize>>,
}

impl<'t> Scan<'t> {
    /// Finds the URL-like tokens of `text` in one pass.
    fn new(text: &'t str, rules: &Rules) -> Scan<'t> {
        let markers = &rules.breaks.url_markers;
        let mut urls = Vec::new();
        if !markers.is_empty() {
            let mut start = None;
            for (i, c) in text
                .char_indices()
                .chain(std::iter::once((text.len(), ' ')))
            {
                match (start, c.is_whitespace()) {
                    (None, false) => start = Some(i),
                    (Some(s), true) => {
                        if markers
                            .iter()
                            .any(|m| !m.is_empty() && text[s..i].contains(m.as_str()))
                        {
                            urls.push(s..i);
                        }
                        start = None;
                    }
                    _ => {}
                }
            }
        }
        Scan { text, urls }
    }

    /// Whether byte `at` is strictly inside a URL-like token.
    fn in_url(&self, at: usize) -> bool {
        let idx = self.urls.partition_point(|r| r.end <= at);
        self.urls
            .get(idx)
            .is_some_and(|r| r.start < at && at < r.end)
    }
}

impl Segmenter {
    /// Whether the proposed boundary at byte `b` of the tag-free text survives the
    /// rules. Boundaries sit after the whitespace that follows a sentence.
    fn keeps(&self, scan: &Scan<'_>, b: usize) -> bool {
        let text = scan.text;
        let (Some(left), Some(after)) = (text.get(..b), text.get(b..)) else {
            return false;
        };
        let left = left.trim_end();
        let right = after.trim_start();
        if left.is_empty() || right.is_empty() {
            return false;
        }
        let gap = &text[left.len()..text.len() - right.len()];
        let lines = line_breaks(gap);
        if lines >= 2 {
            return true; // a blank line always separates paragraphs
        }
        let body = body_before(text, left.len(), &self.rules);
        let term = self.terminal_run(body);
        let start = self.start_of(right);
        let breaks = &self.rules.breaks;
        if gap.is_empty() && scan.in_url(b) {
            return false;
        }
        if term.is_empty() {
            return lines == 0 || self.line_ends(body, start);
        }
        if gap.is_empty() && self.joined(body, right) {
            return false;
        }
        if start == Start::Lower && breaks.lowercase_continues {
            return false;
        }
        if self.is_attribution(left, body, right) {
            return false;
        }
        if self.rules.is_ellipsis(term) {
            return !breaks.ellipsis_needs_capital || start == Start::Upper;
        }
        if term != "." {
            return true;
        }
        match self.abbreviation_kind(body) {
            Some(AbbreviationKind::NeverFinal) => false,
            Some(AbbreviationKind::SentenceFinal) => start == Start::Upper,
            Some(AbbreviationKind::BeforeNames(names)) => {
                start == Start::Upper && !names.iter().any(|name| name.starts(right))
            }
            None => !self.is_initial(body, right, start),
        }
    }

    /// Whether `right` is the attribution of the quoted speech that `left` closes:
    /// `"…?" - tôi hỏi.`, `"…!" – anh nói.` (a closing mark after the terminal, then a
    /// configured dash and a lowercase word).
    fn is_attribution(&self, left: &str, body: &str, right: &str) -> bool {
        let dashes = &self.rules.breaks.attribution_dashes;
        let closed = left.len() > body.len();
        let mut chars = right.chars();
        let dash = chars
            .next()
            .is_some_and(|c| dashes.iter().any(|d| d.0 == c));
        let after = chars.as_str();
        let spaced = after.starts_with(char::is_whitespace);
        closed && dash && spaced && self.start_of(after.trim_start()) == Start::Lower
    }

    /// Whether a line ending without terminal punctuation ends a sentence.
    fn line_ends(&self, body: &str, start: Start) -> bool {
        let breaks = &self.rules.breaks;
        if body
            .chars()
            .next_back()
            .is_some_and(|c| self.rules.is_line_continuer(c))
        {
            return false;
        }
        if start == Start::Lower && breaks.soft_wrap_lowercase {
            return false;
        }
        breaks.unpunctuated_line_ends
    }

    /// How `right` starts, after opening quotes and brackets.
    fn start_of(&self, right: &str) -> Start {
        match right.chars().find(|&c| !self.rules.is_opening(c)) {
            Some(c) if c.is_lowercase() => Start::Lower,
            Some(c) if c.is_uppercase() => Start::Upper,
            _ => Start::Other,
        }
    }

    /// Whether a `[[joins]]` rule glues the end of `body` to `right` (no space).
    fn joined(&self, body: &str, right: &str) -> bool {
        let mut back = body.chars().rev();
        let (Some(punct), Some(before), Some(after)) =
            (back.next(), back.next(), right.chars().next())
        else {
            return false;
        };
        self.rules
            .joins
            .iter()
            .any(|j| j.punct.0 == punct && j.before.matches(before) && j.after.matches(after))
    }

    /// The kind of the listed abbreviation `body` (ending in '.') ends in, either the
    /// whole last word or after a non-alphanumeric character ("(TP.", "PGS.TS."); the
    /// longest match wins.
    fn abbreviation_kind(&self, body: &str) -> Option<AbbreviationKind<'_>> {
        let abbreviations = &self.rules.abbreviations;
        if abbreviations.is_empty() {
            return None;
        }
        let token_start = body.len() - last_token(body, MAX_ABBREVIATION_LEN).len();
        body[token_start..].char_indices().find_map(|(i, _)| {
            let at = token_start + i;
            let at_boundary = body[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            at_boundary
                .then(|| abbreviations.kind(&body[at..]))
                .flatten()
        })
    }

    /// Whether `body` ends in initials that do not end the sentence before `right`:
    /// "N.V.A."; one "A." after a name word ("Trần V. Nam"), after another initial
    /// or before one ("V. H."); a lowercase "h." before a number ("h. 15 tuổi").
    /// "bảng A." in a sports report and "công ty TNHH K." (an acronym is not a name)
    /// still end a sentence.
    fn is_initial(&self, body: &str, right: &str, start: Start) -> bool {
        let breaks = &self.rules.breaks;
        let token = last_token(body, MAX_ABBREVIATION_LEN);
        let word = token.trim_start_matches(|c: char| !c.is_alphanumeric());
        if breaks.initial_before_number
            && start == Start::Other
            && right.starts_with(|c: char| c.is_numeric())
            && lone_letter(word)
        {
            return true;
        }
        if !breaks.initials {
            return false;
        }
        let Some(letters) = initials_count(word) else {
            return false;
        };
        if letters >= 2 {
            return true;
        }
        let before = body[..body.len() - token.len()].trim_end();
        let previous =
            last_token(before, usize::MAX).trim_start_matches(|c: char| !c.is_alphanumeric());
        let next = first_token(right);
        is_name_word(previous)
            || initials_count(previous).is_some()
            || initials_count(next).is_some()
    }
}

/// Whether `word` is one letter and a period ("h.", "K.").
fn lone_letter(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_alphabetic())
}

/// Whether `word` looks like part of a personal name: a capital followed by at least
/// one lowercase letter ("Trần", "Nguyễn"), unlike an acronym ("TNHH", "UBND").
fn is_name_word(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.any(char::is_lowercase)
}

/// The first whitespace-free token of `text` (the word after a boundary).
fn first_token(text: &str) -> &str {
    text.split(char::is_whitespace).next().unwrap_or_default()
}

/// The text before byte `end`, trimmed of trailing whitespace and closing marks: what
/// the sentence ends with.
fn body_before<'a>(text: &'a str, end: usize, rules: &Rules) -> &'a str {
    let left = text.get(..end).unwrap_or_default().trim_end();
    left.trim_end_matches(|c: char| rules.is_closing(c))
}

/// The last whitespace-free token of `text`, at most about `max` bytes long (a longer
/// token is cut at the front, which keeps the look-back bounded).
fn last_token(text: &str, max: usize) -> &str {
    let mut start = text.len();
    for (i, c) in text.char_indices().rev() {
        if c.is_whitespace() || text.len() - i > max {
            break;
        }
        start = i;
    }
    &text[start..]
}

/// Number of letters when `word` is initials ("A.", "N.V.A."), else `None`.
fn initials_count(word: &str) -> Option<usize> {
    let mut letters = 0;
    let mut chars = word.chars();
    while let Some(letter) = chars.next() {
        if !letter.is_uppercase() || chars.next() != Some('.') {
            return None;
        }
        letters += 1;
    }
    (letters > 0).then_some(letters)
}

/// Number of line breaks in `gap` (CR LF counts once; a paragraph separator twice).
fn line_breaks(gap: &str) -> usize {
    let mut count = 0;
    let mut chars = gap.chars().peekable();
    while let Some(c) = chars.next() {
        count += match c {
            '\r' if chars.peek() == Some(&'\n') => 0,
            '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' => 1,
            '\u{2029}' => 2,
            _ => 0,
        };
    }
    count
}

/// Appends `range` of `text` trimmed of whitespace, unless nothing is left.
fn push_trimmed(ranges: &mut Vec<Range<usize>>, text: &str, range: Range<usize>) {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.end - (slice.len() - slice.trim_end().len());
    if start < end {
        ranges.push(start..end);
    }
}

// ---------------------------------------------------------------------------------
// Inline tags
// ---------------------------------------------------------------------------------

/// Consecutive tags that sit at one position of the tag-free text.
#[derive(Debug)]
struct TagRun {
    /// Position in the tag-free text.
    plain: usize,
    /// Where a boundary at `plain` goes in the original: after the run's leading
    /// closing tags (they end the sentence before), before the rest.
    split: usize,
    /// Total tag bytes removed up to and including this run.
    removed: usize,
}

/// The text with inline tags removed, and the way back to original offsets.
struct Plain<'a> {
    /// The tag-free text.
    text: std::borrow::Cow<'a, str>,
    /// Tag runs in order.
    runs: Vec<TagRun>,
    /// (original end of a tag, paired tags open after it), in order.
    depths: Vec<(usize, usize)>,
}

impl<'a> Plain<'a> {
    /// Removes the tags of `text`, recording where they were.
    fn new(text: &'a str) -> Plain<'a> {
        let mut plain = Plain {
            text: text.into(),
            runs: Vec::new(),
            depths: Vec::new(),
        };
        if !text.contains('<') {
            return plain;
        }
        let mut out = String::with_capacity(text.len());
        let mut open: Vec<u32> = Vec::new();
        let (mut copied, mut at) = (0, 0);
        while let Some(found) = text[at..].find('<') {
            let tag_at = at + found;
            let Some((tag, len)) = markup::tag_at(&text[tag_at..]) else {
                at = tag_at + 1;
                continue;
            };
            out.push_str(&text[copied..tag_at]);
            plain.record(out.len(), tag_at, len, tag);
            match tag {
                Token::Open(id) => open.push(id),
                Token::Close(id) => {
                    if let Some(i) = open.iter().rposition(|&o| o == id) {
                        open.remove(i);
                    }
                }
                Token::Standalone(_) | Token::Text(_) => {}
            }
            plain.depths.push((tag_at + len, open.len()));
            (copied, at) = (tag_at + len, tag_at + len);
        }
        out.push_str(&text[copied..]);
        plain.text = out.into();
        plain
    }

    /// Adds a tag of `len` bytes at original `at`, plain position `pos`, to the runs.
    fn record(&mut self, pos: usize, at: usize, len: usize, tag: Token<'_>) {
        let closing = matches!(tag, Token::Close(_));
        match self.runs.last_mut() {
            Some(run) if run.plain == pos => {
                if closing && run.split == at {
                    run.split = at + len;
                }
                run.removed += len;
            }
            last => {
                let removed = last.map_or(0, |run| run.removed) + len;
                let split = if closing { at + len } else { at };
                self.runs.push(TagRun {
                    plain: pos,
                    split,
                    removed,
                });
            }
        }
    }

    /// The original offset of tag-free offset `pos`.
    fn original(&self, pos: usize) -> usize {
        let idx = self.runs.partition_point(|run| run.plain < pos);
        match self.runs.get(idx) {
            Some(run) if run.plain == pos => run.split,
            _ => pos + idx.checked_sub(1).map_or(0, |i| self.runs[i].removed),
        }
    }

    /// How many paired tags are open at original offset `pos`.
    fn depth_at(&self, pos: usize) -> usize {
        let idx = self.depths.partition_point(|&(end, _)| end <= pos);
        idx.checked_sub(1).map_or(0, |i| self.depths[i].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The sentences of `text` under the built-in Vietnamese rules.
    fn vi(text: &str) -> Vec<&str> {
        Segmenter::for_language("vi").sentences(text)
    }

    // --- normalisation -------------------------------------------------------------

    #[test]
    fn nfd_input_equals_nfc_result() {
        let nfc = "Tỉnh ủy Bắc Ninh tổng kết công tác thông tin đối ngoại";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfd, nfc);
        assert_eq!(normalize(&nfd), nfc);
    }

    #[test]
    fn new_and_old_style_oa_oe_agree() {
        for (new, old) in [
            ("hoà", "hòa"),
            ("hoá", "hóa"),
            ("khoẻ", "khỏe"),
            ("loè", "lòe"),
        ] {
            assert_eq!(normalize(new), old);
            assert_eq!(normalize(old), old);
        }
        assert_eq!(
            normalize("cụ thể hoá, đa dạng hoá"),
            "cụ thể hóa, đa dạng hóa"
        );
    }

    #[test]
    fn new_style_uy_becomes_old_style() {
        assert_eq!(normalize("thuỷ điện"), "thủy điện");
        assert_eq!(
            normalize("Tỉnh uỷ, Uỷ viên, tuỳ ý, huỷ bỏ, luỹ kế"),
            "Tỉnh ủy, Ủy viên, tùy ý, hủy bỏ, lũy kế"
        );
    }

    #[test]
    fn letter_case_is_preserved() {
        assert_eq!(normalize("Hoà Bình"), "Hòa Bình");
        assert_eq!(normalize("HOÀ BÌNH"), "HÒA BÌNH");
        assert_eq!(normalize("UỶ BAN"), "ỦY BAN");
        // Case is kept per letter: the tone moves, the letters do not.
        assert_eq!(normalize("KhoẺ"), "KhỏE");
    }

    #[test]
    fn qu_is_a_consonant_so_quy_stays() {
        for word in ["quý", "quỳ", "quỹ", "Quý", "QUÝ", "quỵ"] {
            assert_eq!(normalize(word), word);
        }
        assert_eq!(normalize("GDP quý III"), "GDP quý III");
    }

    #[test]
    fn closed_syllables_and_triphthongs_stay() {
        let text = "hoàn thành, toán học, khuyến nông, ngoài ra, khuya, hoặc, thuế, mùa, quà";
        assert_eq!(normalize(text), text);
    }

    #[test]
    fn non_vietnamese_text_is_untouched() {
        for text in [
            "koala shoe buoy",
            "café, naïve, Zoë",
            "北京 서울",
            "<g1>x</g1> 3,5%",
        ] {
            assert_eq!(normalize(text), text);
        }
    }

    #[test]
    fn nfd_new_style_becomes_nfc_old_style() {
        let nfd: String = "Thuỷ lợi Hoà Bình".nfd().collect();
        assert_eq!(normalize(&nfd), "Thủy lợi Hòa Bình");
    }

    #[test]
    fn combining_mark_after_word_keeps_idempotence() {
        let text = "hoà\u{301}";
        let once = normalize(text);
        assert_eq!(normalize(&once), once);
    }

    // --- the sample article, every paragraph -----------------------------------------

    #[test]
    fn sample_title_without_punctuation() {
        assert_eq!(
            vi("Tổng kết công tác thông tin đối ngoại trên địa bàn tỉnh giai đoạn 2016-2020"),
            ["Tổng kết công tác thông tin đối ngoại trên địa bàn tỉnh giai đoạn 2016-2020"]
        );
    }

    #[test]
    fn sample_dateline_then_first_paragraph() {
        let text = "12/11/2019 20:14 Số lượt xem: 1676\nNgày 12-11, tại Sở Thông tin và Truyền thông, Ban Chỉ đạo công tác thông tin đối ngoại tỉnh tổ chức tổng kết công tác thông tin đối ngoại trên địa bàn tỉnh giai đoạn 2016-2020, triển khai phương hướng, nhiệm vụ giai đoạn 2021-2025.";
        assert_eq!(
            vi(text),
            [
                "12/11/2019 20:14 Số lượt xem: 1676",
                "Ngày 12-11, tại Sở Thông tin và Truyền thông, Ban Chỉ đạo công tác thông tin đối ngoại tỉnh tổ chức tổng kết công tác thông tin đối ngoại trên địa bàn tỉnh giai đoạn 2016-2020, triển khai phương hướng, nhiệm vụ giai đoạn 2021-2025.",
            ]
        );
    }

    #[test]
    fn sample_attendees_are_one_sentence() {
        let text = "Đồng chí: Nguyễn Hữu Quất, Phó Bí thư Thường trực Tỉnh ủy, Trưởng Ban Chỉ đạo chủ trì hội nghị; cùng dự có các đồng chí: Nguyễn Tiến Nhường, Ủy viên Ban Thường vụ Tỉnh ủy, Phó Chủ tịch Thường trực, Phụ trách UBND tỉnh, Phó Trưởng ban Thường trực Ban chỉ đạo; Nguyễn Đăng Túc, Ủy viên Ban Thường vụ, Trưởng Ban Tuyên giáo Tỉnh ủy.";
        assert_eq!(vi(text), [text]);
    }

    #[test]
    fn sample_caption_with_trailing_blank_line() {
        let text = "Đồng chí Nguyễn Hữu Quất, Phó Bí thư Thường trực Tỉnh ủy, Trưởng Ban Chỉ đạo công tác thông tin đối ngoại tỉnh phát biểu chỉ đạo.\n \n";
        assert_eq!(vi(text), [text.trim_end()]);
    }

    #[test]
    fn sample_body_paragraph() {
        let expected = [
            "Quán triệt tinh thần Chỉ thị 26 của Ban Bí thư về “Tiếp tục đổi mới và tăng cường công tác thông tin đối ngoại trong tình hình mới” với phương châm “Chính xác, kịp thời, sinh động, phù hợp với từng đối tượng”, trong những năm qua, hoạt động thông tin đối ngoại của tỉnh được thực hiện toàn diện trên tất cả các lĩnh vực, qua nhiều kênh thông tin, gắn kết chặt chẽ với các hoạt động đối ngoại Đảng, ngoại giao Nhà nước, đối ngoại nhân dân và đạt được nhiều kết quả nổi bật, đóng góp tích cực trong thực hiện các mục tiêu, nhiệm vụ phát triển kinh tế- xã hội của tỉnh.",
            "Trong giai đoạn vừa qua, cơ quan quản lý nhà nước về thông tin đối ngoại thể hiện đúng vai trò tham mưu trong công tác thông tin đối ngoại tại địa phương, giúp UBND tỉnh quản lý, kịp thời định hướng hoạt động, ban hành các kế hoạch, văn bản liên quan đến hoạt động thông tin đối ngoại định kỳ và đột xuất.",
            "Việc thực hiện tốt công tác thông tin tuyên truyền đã phát huy hiệu quả, đóng góp vào thành công của các hoạt động đối ngoại quan trọng của tỉnh; hình ảnh Bắc Ninh đến với bạn bè Quốc tế ngày càng tích cực và hiệu quả hơn.",
            "Bên cạnh đó, công tác tuyên truyền bảo vệ độc lập dân tộc và lãnh thổ, về phân giới cắm mốc, tuyên truyền về biển đảo được quan tâm, chú trọng; kịp thời đấu tranh phản bác những luận điệu sai trái chống phá Đảng, Nhà nước ta.",
            "Trong giai đoạn 2021- 2025, Ban chỉ đạo tiếp tục cụ thể hóa các Chỉ thị, Nghị quyết của Đảng và Chính phủ về chiến lược công tác thông tin đối ngoại.",
            "Đẩy mạnh công tác thông tin, tuyên truyền các chủ trương, chính sách của Đảng và Nhà nước về thông tin đối ngoại.",
            "Xây dựng đề án truyền thông đối ngoại của tỉnh với các hoạt động truyền thông đồng bộ, theo đúng xu hướng, định hướng phát triển kinh tế- xã hội.",
            "Các cơ quan báo chí địa phương tích cực phối hợp với các cơ quan báo chí Trung ương đẩy mạnh công tác thông tin đối ngoại, tuyên truyền, giới thiệu quảng bá hình ảnh Bắc Ninh đến với bạn bè trong nước và Quốc tế.",
            "Xây dựng hệ thống dữ liệu, đa dạng hóa các phương thức truyền thông, tăng cường sử dụng ngôn ngữ nước ngoài.",
            "Tăng cường sử dụng các phương tiện truyền thông hiện đại có sức lan tỏa, bao phủ rộng, thông tin trực tuyến, mạng xã hội về tiềm năng, truyền thống văn hóa mảnh đất và con người Bắc Ninh nhằm thu hút các đối tác nước ngoài đến thăm và xúc tiến đầu tư trên các lĩnh vực kinh tế- văn hóa- xã hội…",
            "Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hữu Quất khẳng định: Sự phát triển toàn diện về kinh tế, văn hóa, xã hội của tỉnh thời gian qua có sự đóng góp không nhỏ của công tác thông tin đối ngoại.",
            "Trong thời gian tới, Ban Chỉ đạo và các sở, ban, ngành, địa phương tiếp tục quán triệt tốt tinh thần Chỉ thị 26 của Ban Bí thư và các kế hoạch, chỉ đạo của UBND tỉnh; có kế hoạch khai thác hiệu quả các Website của tỉnh và các ngành, địa phương trong việc cập nhật, tiếp cận thông tin.",
            "Các cơ quan báo chí của tỉnh chú trọng nâng cao trình độ ngoại ngữ cho đội ngũ phóng viên, biên tập viên…nhằm mở rộng kênh tuyên truyền bằng các thứ tiếng khác nhau.",
            "Tổ chức các lớp tập huấn, bồi dưỡng nghiệp vụ thông tin đối ngoại và quy chế phát ngôn, cung cấp thông tin cho báo chí…",
        ];
        // The paragraph's lines are joined by single newlines, as in the article.
        let (first_line, rest) = expected.split_at(1);
        let lines = [
            first_line.concat(),
            rest[..3].join(" "),
            rest[3..9].join(" "),
            rest[9..].join(" "),
        ];
        assert_eq!(vi(&lines.join("\n")), expected);
    }

    #[test]
    fn sample_byline() {
        assert_eq!(vi("Đức Quý"), ["Đức Quý"]);
    }

    // --- ellipses ----------------------------------------------------------------

    #[test]
    fn ellipsis_glued_to_lowercase_word_does_not_split() {
        let text = "Các cơ quan báo chí của tỉnh chú trọng nâng cao trình độ ngoại ngữ cho đội ngũ phóng viên, biên tập viên…nhằm mở rộng kênh tuyên truyền bằng các thứ tiếng khác nhau.";
        assert_eq!(vi(text), [text]);
    }

    #[test]
    fn ellipsis_before_capital_splits() {
        assert_eq!(
            vi(
                "Giá xăng tăng, giá điện tăng, giá thực phẩm cũng tăng... Người dân lo lắng. Nhiều hộ dân bị ảnh hưởng… Chính quyền đã vào cuộc."
            ),
            [
                "Giá xăng tăng, giá điện tăng, giá thực phẩm cũng tăng...",
                "Người dân lo lắng.",
                "Nhiều hộ dân bị ảnh hưởng…",
                "Chính quyền đã vào cuộc.",
            ]
        );
    }

    #[test]
    fn ellipsis_before_lowercase_or_number_continues() {
        let text = "Anh ấy im lặng... rồi bỏ đi, con số lên tới… 1.200 người.";
        assert_eq!(vi(text), [text]);
    }

    // --- abbreviations and initials ----------------------------------------------

    #[test]
    fn city_abbreviation_does_not_split() {
        assert_eq!(
            vi("Sáng nay, TP. Hồ Chí Minh có mưa lớn. Nhiều tuyến đường ở Tp. Thủ Đức bị ngập."),
            [
                "Sáng nay, TP. Hồ Chí Minh có mưa lớn.",
                "Nhiều tuyến đường ở Tp. Thủ Đức bị ngập."
            ]
        );
    }

    #[test]
    fn academic_titles_do_not_split() {
        assert_eq!(
            vi(
                "PGS. TS. Nguyễn Văn Hùng, Giám đốc Bệnh viện, cho biết bệnh nhân đã qua cơn nguy kịch. ThS. BS. Trần Thị Lan khuyến cáo người dân tiêm vắc-xin cúm."
            ),
            [
                "PGS. TS. Nguyễn Văn Hùng, Giám đốc Bệnh viện, cho biết bệnh nhân đã qua cơn nguy kịch.",
                "ThS. BS. Trần Thị Lan khuyến cáo người dân tiêm vắc-xin cúm.",
            ]
        );
    }

    #[test]
    fn glued_and_compound_titles_do_not_split() {
        assert_eq!(
            vi(
                "Th.S Lê Minh Tuấn trình bày tham luận. Sau đó GS.TS. Phạm Văn Đức và KS. Hoàng Nam phát biểu."
            ),
            [
                "Th.S Lê Minh Tuấn trình bày tham luận.",
                "Sau đó GS.TS. Phạm Văn Đức và KS. Hoàng Nam phát biểu."
            ]
        );
    }

    #[test]
    fn ward_district_abbreviations_in_address() {
        assert_eq!(
            vi(
                "Vụ cháy xảy ra tại số 12 đường Lê Lợi, P. Bến Thành, Q. 1, TP. Hồ Chí Minh. Không có thiệt hại về người."
            ),
            [
                "Vụ cháy xảy ra tại số 12 đường Lê Lợi, P. Bến Thành, Q. 1, TP. Hồ Chí Minh.",
                "Không có thiệt hại về người.",
            ]
        );
    }

    #[test]
    fn town_abbreviation_then_sentence_end() {
        assert_eq!(
            vi("Ông được bầu làm Chủ tịch UBND TX. Từ Sơn. Nhiệm kỳ kéo dài 5 năm."),
            [
                "Ông được bầu làm Chủ tịch UBND TX. Từ Sơn.",
                "Nhiệm kỳ kéo dài 5 năm."
            ]
        );
    }

    // Issue 9 reversed this case: "v.v." before a capitalised word ends the sentence
    // (it used to be listed as never ending one).
    #[test]
    fn vv_ends_a_sentence_before_a_capital_only() {
        assert_eq!(
            vi(
                "Hội chợ trưng bày hàng dệt may, da giày, đồ gỗ v.v. Trong đó hàng thủ công chiếm đa số."
            ),
            [
                "Hội chợ trưng bày hàng dệt may, da giày, đồ gỗ v.v.",
                "Trong đó hàng thủ công chiếm đa số.",
            ]
        );
        let text = "Rau củ, trái cây v.v. đều tăng giá từ 10 đến 15% trong tuần qua.";
        assert_eq!(vi(text), [text]);
    }

    // --- issue 9: the hard cases of real news text -------------------------------

    #[test]
    fn city_abbreviation_before_an_ordinary_word_ends_the_sentence() {
        assert_eq!(
            vi(
                "Du lịch đóng góp gần một nửa mức tăng trưởng kinh tế của TP. Vậy nguyên nhân nào khiến lượng khách quốc tế giảm mạnh trong quý III?"
            ),
            [
                "Du lịch đóng góp gần một nửa mức tăng trưởng kinh tế của TP.",
                "Vậy nguyên nhân nào khiến lượng khách quốc tế giảm mạnh trong quý III?",
            ]
        );
    }

    #[test]
    fn city_abbreviation_before_a_listed_name_stays_whole() {
        for text in [
            "Sáng 14-3, UBND TP. HCM tổ chức họp báo công bố kết quả thu hút đầu tư quý I.",
            "Hội nghị xúc tiến đầu tư được tổ chức tại TP. Bắc Ninh với sự tham gia của 200 doanh nghiệp.",
            "Lượng mưa đo được ở Tp. Hồ Chí Minh trong đêm qua vượt 100 mm.",
            "Đoàn công tác của tp. Đà Nẵng đã làm việc với các sở, ngành liên quan.",
            "HỘI NGHỊ TỔNG KẾT NĂM CỦA TP. HỒ CHÍ MINH DIỄN RA SÁNG NAY.",
            "Lễ hội pháo hoa quốc tế tại TP. Đà Nẵng thu hút hàng trăm nghìn du khách.",
        ] {
            assert_eq!(vi(text), [text]);
        }
    }

    #[test]
    fn unlisted_initial_after_an_acronym_ends_the_sentence() {
        assert_eq!(
            vi(
                "Vụ trộm xảy ra vào rạng sáng tại kho hàng của công ty TNHH K. Bảo vệ nói rằng đã báo công an ngay trong đêm."
            ),
            [
                "Vụ trộm xảy ra vào rạng sáng tại kho hàng của công ty TNHH K.",
                "Bảo vệ nói rằng đã báo công an ngay trong đêm.",
            ]
        );
    }

    #[test]
    fn quoted_speech_and_its_dash_attribution_are_one_sentence() {
        assert_eq!(
            vi(
                "\"Bắt kiểu này được bao nhiêu con?\" - tôi hỏi. Ông lão chỉ cười, tay vẫn thoăn thoắt gỡ lưới."
            ),
            [
                "\"Bắt kiểu này được bao nhiêu con?\" - tôi hỏi.",
                "Ông lão chỉ cười, tay vẫn thoăn thoắt gỡ lưới.",
            ]
        );
        assert_eq!(
            vi(
                "“Nước lên nhanh quá, cả xóm phải chạy lên đê trong đêm!” – anh Tùng nói. Đến sáng, nhiều nhà vẫn còn ngập sâu."
            ),
            [
                "“Nước lên nhanh quá, cả xóm phải chạy lên đê trong đêm!” – anh Tùng nói.",
                "Đến sáng, nhiều nhà vẫn còn ngập sâu.",
            ]
        );
        let em_dash = "“Chúng tôi sẽ hỗ trợ bà con sớm nhất.” — ông Hải cho biết.";
        assert_eq!(vi(em_dash), [em_dash]);
    }

    #[test]
    fn a_dash_before_a_capital_starts_a_new_sentence() {
        // Only a lowercase word after the dash is an attribution; a capital is a new
        // speaker's line in a dialogue.
        assert_eq!(
            vi("“Bao giờ thì nước rút?” – Chưa ai trả lời được câu hỏi ấy."),
            [
                "“Bao giờ thì nước rút?”",
                "– Chưa ai trả lời được câu hỏi ấy."
            ]
        );
    }

    #[test]
    fn spaced_initials_do_not_split() {
        let text = "Nghi phạm là V. H. Nam, 28 tuổi, quê Nghệ An, đã bị tạm giữ.";
        assert_eq!(vi(text), [text]);
        let text = "Theo lời khai của anh T. M. Quang, chiếc xe chạy với tốc độ cao.";
        assert_eq!(vi(text), [text]);
    }

    #[test]
    fn lowercase_initial_before_a_number_does_not_split() {
        let text = "Người bị thương là em Lò Thị h. 15 tuổi, trú tại bản Mường Lói.";
        assert_eq!(vi(text), [text]);
    }

    #[test]
    fn paragraph_opening_with_an_ellipsis_is_not_split_after_it() {
        assert_eq!(
            vi(
                "... Rồi cũng chính con sông này đã nuôi sống bao thế hệ người dân hai bên bờ. Mùa nước nổi năm nay về sớm hơn mọi năm."
            ),
            [
                "... Rồi cũng chính con sông này đã nuôi sống bao thế hệ người dân hai bên bờ.",
                "Mùa nước nổi năm nay về sớm hơn mọi năm.",
            ]
        );
        let text = "… Nhiều năm sau, người dân làng chài vẫn nhớ trận bão ấy.";
        assert_eq!(vi(text), [text]);
        // A blank line still separates: the ellipsis joins the sentence after it, not
        // the paragraph before.
        assert_eq!(
            vi("Bão đã tan.\n\n... Rồi nắng lên."),
            ["Bão đã tan.", "... Rồi nắng lên."]
        );
    }

    #[test]
    fn abbreviation_inside_brackets() {
        assert_eq!(
            vi("Dự án đặt tại Thuận Thành (TP. Bắc Ninh cũ). Vốn đầu tư là 300 tỷ đồng."),
            [
                "Dự án đặt tại Thuận Thành (TP. Bắc Ninh cũ).",
                "Vốn đầu tư là 300 tỷ đồng."
            ]
        );
    }

    #[test]
    fn abbreviation_must_match_case_and_whole_word() {
        // "tP." is not listed, and "ATP." only ends in "TP." inside a longer word.
        assert_eq!(
            vi("Giải quần vợt ATP. Đương kim vô địch bỏ cuộc."),
            ["Giải quần vợt ATP.", "Đương kim vô địch bỏ cuộc."]
        );
    }

    #[test]
    fn dotted_initials_do_not_split() {
        assert_eq!(
            vi(
                "Ông N.V.A. (45 tuổi, trú tại Bắc Ninh) đã bị khởi tố. Bị can Trần V. Nam khai nhận hành vi."
            ),
            [
                "Ông N.V.A. (45 tuổi, trú tại Bắc Ninh) đã bị khởi tố.",
                "Bị can Trần V. Nam khai nhận hành vi.",
            ]
        );
    }

    #[test]
    fn name_with_middle_and_last_initials() {
        let text = "Tác giả Nguyễn V. A. Đỗ Thị B. cùng ký tên.";
        assert_eq!(vi(text), [text]);
    }

    #[test]
    fn lone_letter_after_lowercase_word_ends_sentence() {
        assert_eq!(
            vi("Việt Nam đứng đầu bảng A. Thái Lan xếp thứ hai."),
            ["Việt Nam đứng đầu bảng A.", "Thái Lan xếp thứ hai."]
        );
    }

    // --- numbers and dates -------------------------------------------------------

    #[test]
    fn thousands_and_decimals_do_not_split() {
        assert_eq!(
            vi(
                "Kim ngạch xuất khẩu đạt 1.676.000 USD, tăng 3,5% so với cùng kỳ. Tỉnh đặt mục tiêu tăng 10% trong năm 2020."
            ),
            [
                "Kim ngạch xuất khẩu đạt 1.676.000 USD, tăng 3,5% so với cùng kỳ.",
                "Tỉnh đặt mục tiêu tăng 10% trong năm 2020.",
            ]
        );
    }

    #[test]
    fn dates_do_not_split() {
        assert_eq!(
            vi(
                "Ngày 12.11.2019, Sở Y tế ghi nhận 1.676 ca sốt xuất huyết. Đến ngày 12/11/2019, số ca giảm còn 1.200. Từ 12-11 đến 15-11 không có ca tử vong."
            ),
            [
                "Ngày 12.11.2019, Sở Y tế ghi nhận 1.676 ca sốt xuất huyết.",
                "Đến ngày 12/11/2019, số ca giảm còn 1.200.",
                "Từ 12-11 đến 15-11 không có ca tử vong.",
            ]
        );
    }

    #[test]
    fn weather_report_with_degrees() {
        assert_eq!(
            vi("Nhiệt độ cao nhất 35,5 độ C. Chiều tối có mưa rào và dông, lượng mưa 20-40 mm."),
            [
                "Nhiệt độ cao nhất 35,5 độ C.",
                "Chiều tối có mưa rào và dông, lượng mưa 20-40 mm."
            ]
        );
    }

    #[test]
    fn economy_report() {
        assert_eq!(
            vi(
                "GDP quý III tăng 7,31%. Đây là mức tăng cao nhất trong 9 năm qua! Vì sao kinh tế tăng tốc? Theo Tổng cục Thống kê, xuất khẩu là động lực chính."
            ),
            [
                "GDP quý III tăng 7,31%.",
                "Đây là mức tăng cao nhất trong 9 năm qua!",
                "Vì sao kinh tế tăng tốc?",
                "Theo Tổng cục Thống kê, xuất khẩu là động lực chính.",
            ]
        );
    }

    #[test]
    fn sport_report() {
        assert_eq!(
            vi(
                "Hiệp 2, Công Phượng ghi bàn ở phút 67. Chung cuộc, Việt Nam thắng Thái Lan 2-1 tại sân Mỹ Đình."
            ),
            [
                "Hiệp 2, Công Phượng ghi bàn ở phút 67.",
                "Chung cuộc, Việt Nam thắng Thái Lan 2-1 tại sân Mỹ Đình.",
            ]
        );
    }

    // --- quotes and brackets -----------------------------------------------------

    #[test]
    fn closing_quote_belongs_to_its_sentence() {
        assert_eq!(
            vi(
                "Thủ tướng nhấn mạnh: “Phải hành động ngay, không chờ đợi mới.” Tiếp đó, cuộc họp bàn về phòng chống bão."
            ),
            [
                "Thủ tướng nhấn mạnh: “Phải hành động ngay, không chờ đợi mới.”",
                "Tiếp đó, cuộc họp bàn về phòng chống bão.",
            ]
        );
    }

    #[test]
    fn closing_bracket_belongs_to_its_sentence() {
        assert_eq!(
            vi("Giá vàng tăng mạnh (theo Ngân hàng Nhà nước.) Người dân đổ xô đi mua."),
            [
                "Giá vàng tăng mạnh (theo Ngân hàng Nhà nước.)",
                "Người dân đổ xô đi mua."
            ]
        );
    }

    #[test]
    fn quoted_sentence_followed_by_lowercase_continues() {
        let text = "Ông nói: “Chúng tôi sẽ cố gắng.” và rời cuộc họp.";
        assert_eq!(vi(text), [text]);
    }

    #[test]
    fn opening_quote_before_capital_starts_a_sentence() {
        assert_eq!(
            vi("Bộ Y tế khuyến cáo người dân. “Không được chủ quan với dịch bệnh”, ông nói."),
            [
                "Bộ Y tế khuyến cáo người dân.",
                "“Không được chủ quan với dịch bệnh”, ông nói."
            ]
        );
    }

    // --- lines ---------------------------------------------------------------------

    #[test]
    fn headline_line_then_paragraph_line() {
        assert_eq!(
            vi(
                "Bắc Ninh thu hút 1,5 tỷ USD vốn FDI\nTheo Sở Kế hoạch và Đầu tư, tỉnh đứng đầu cả nước về thu hút vốn."
            ),
            [
                "Bắc Ninh thu hút 1,5 tỷ USD vốn FDI",
                "Theo Sở Kế hoạch và Đầu tư, tỉnh đứng đầu cả nước về thu hút vốn.",
            ]
        );
    }

    #[test]
    fn soft_wrapped_line_continues() {
        let text =
            "Chủ tịch UBND tỉnh yêu cầu các sở, ngành\nkhẩn trương khắc phục hậu quả mưa lũ.";
        assert_eq!(vi(text), [text]);
    }

    #[test]
    fn line_ending_in_comma_continues() {
        let text = "Tham dự có đồng chí Nguyễn Văn Phúc,\nBí thư Tỉnh ủy.";
        assert_eq!(vi(text), [text]);
    }

    #[test]
    fn blank_line_always_separates() {
        assert_eq!(
            vi("Mưa lớn kéo dài\n\nnhiều nơi bị ngập"),
            ["Mưa lớn kéo dài", "nhiều nơi bị ngập"]
        );
    }

    #[test]
    fn crlf_line_breaks() {
        assert_eq!(
            vi("Bão số 6 đổ bộ\r\nHàng nghìn hộ dân phải sơ tán.\r\n"),
            ["Bão số 6 đổ bộ", "Hàng nghìn hộ dân phải sơ tán."]
        );
    }

    // --- URLs and e-mail ----------------------------------------------------------

    #[test]
    fn urls_and_emails_do_not_split() {
        assert_eq!(
            vi(
                "Thông tin chi tiết xem tại www.bacninh.gov.vn. Mọi ý kiến gửi về a.b@c.vn hoặc So.TTTT@BacNinh.gov.vn."
            ),
            [
                "Thông tin chi tiết xem tại www.bacninh.gov.vn.",
                "Mọi ý kiến gửi về a.b@c.vn hoặc So.TTTT@BacNinh.gov.vn.",
            ]
        );
    }

    #[test]
    fn url_with_capitalised_path_does_not_split() {
        let text = "Xem tại https://bacninh.gov.vn/2019.Tin-tuc/Bac-Ninh ngay hôm nay.";
        assert_eq!(vi(text), [text]);
    }

    // --- inline tags -----------------------------------------------------------------

    #[test]
    fn open_paired_tag_is_never_split() {
        assert_eq!(
            vi("<g1>Câu một. Câu hai.</g1> Câu ba."),
            ["<g1>Câu một. Câu hai.</g1>", "Câu ba."]
        );
    }

    #[test]
    fn closing_tag_after_period_stays_left() {
        assert_eq!(
            vi("Tin từ <g1>Bộ Y tế.</g1> Hôm nay có thêm 12 ca mắc mới."),
            ["Tin từ <g1>Bộ Y tế.</g1>", "Hôm nay có thêm 12 ca mắc mới."]
        );
        assert_eq!(
            vi("Bão đổ bộ vào <g1>Quảng Ngãi</g1>. <g2>Hàng nghìn</g2> hộ dân phải sơ tán."),
            [
                "Bão đổ bộ vào <g1>Quảng Ngãi</g1>.",
                "<g2>Hàng nghìn</g2> hộ dân phải sơ tán."
            ]
        );
    }

    #[test]
    fn standalone_tags_go_with_the_text_they_touch() {
        assert_eq!(
            vi("Mưa lớn kéo dài.<x2/> Nhiều nơi bị ngập. <x3/>Giao thông tê liệt."),
            [
                "Mưa lớn kéo dài.<x2/>",
                "Nhiều nơi bị ngập.",
                "<x3/>Giao thông tê liệt."
            ]
        );
    }

    #[test]
    fn unclosed_tag_keeps_the_rest_together() {
        let text = "<g1>Câu một. Câu hai. Câu ba.";
        assert_eq!(vi(text), [text]);
    }

    #[test]
    fn text_that_markup_does_not_call_a_tag_does_not_hold_sentences_together() {
        // The segmenter once had its own tag scanner that took up to nine digits and
        // leading zeros, so an article quoting "<g01>" was never split after it while
        // the tag check treated it as text. Now both use `markup::tag_at`.
        for literal in ["<g01>", "<g1234567>", "<g0>"] {
            assert!(!markup::has_tags(literal), "{literal}");
            let text =
                format!("Mã lỗi {literal} xuất hiện trên màn hình. Kỹ thuật viên đã khắc phục.");
            assert_eq!(
                vi(&text),
                [
                    format!("Mã lỗi {literal} xuất hiện trên màn hình."),
                    "Kỹ thuật viên đã khắc phục.".to_owned(),
                ]
            );
        }
        // A real tag with the same shape still holds its sentences together.
        let tagged = "<g1>Câu một. Câu hai.</g1> Câu ba.";
        assert_eq!(vi(tagged), ["<g1>Câu một. Câu hai.</g1>", "Câu ba."]);
    }

    // --- edge cases, languages, rules files --------------------------------------------

    #[test]
    fn empty_and_blank_input_give_no_sentences() {
        assert!(vi("").is_empty());
        assert!(vi(" \n\t \r\n \u{a0}").is_empty());
        assert!(Segmenter::for_language("xx").split("  ").is_empty());
    }

    #[test]
    fn ranges_are_trimmed_byte_ranges() {
        let text = "  Giá lúa tăng. \n Giá cà phê giảm.  ";
        let ranges = Segmenter::for_language("vi").split(text);
        let second = text.find("Giá cà").expect("second sentence");
        assert_eq!(
            ranges,
            [
                2..2 + "Giá lúa tăng.".len(),
                second..second + "Giá cà phê giảm.".len()
            ]
        );
    }

    #[test]
    fn unknown_language_uses_uax29_only() {
        let generic = Segmenter::for_language("fr");
        assert_eq!(
            generic.sentences("M. Dupont est arrivé. Il pleut."),
            ["M.", "Dupont est arrivé.", "Il pleut."]
        );
        assert_eq!(
            Segmenter::for_language("vi-VN").sentences("TP. Huế đẹp."),
            ["TP. Huế đẹp."]
        );
    }

    #[test]
    fn english_rules_are_data_only() {
        assert_eq!(
            Segmenter::for_language("en")
                .sentences("Dr. Smith met Mr. Brown in the U.S. on Jan. 5. They talked."),
            [
                "Dr. Smith met Mr. Brown in the U.S. on Jan. 5.",
                "They talked."
            ]
        );
    }

    #[test]
    fn rules_from_toml_text() {
        let segmenter = Segmenter::from_rules_toml(
            "[punctuation]\nterminals = [\".\"]\n[abbreviations]\nlist = [\"Ông.\"]\n",
        )
        .expect("valid rules");
        assert_eq!(
            segmenter.sentences("Ông. Ba đến. Bà Tư về."),
            ["Ông. Ba đến.", "Bà Tư về."]
        );
    }

    #[test]
    fn built_in_rules_parse() {
        for text in [VI_RULES, EN_RULES] {
            Segmenter::from_rules_toml(text).expect("built-in rules are valid");
        }
    }

    #[test]
    fn bad_rules_toml_reports_line_and_column() {
        let err = Segmenter::from_rules_toml("[breaks]\ninitials = yes\n").expect_err("bad TOML");
        match err {
            SegmentError::Rules {
                path: None,
                line,
                column,
                ..
            } => assert_eq!((line, column), (2, 12)),
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn bad_rules_file_error_names_path_line_and_column() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("xx.toml");
        std::fs::write(
            &path,
            "language = \"xx\"\n[punctuation]\nterminals = [\"..\"]\n",
        )
        .expect("write");
        let err = Segmenter::from_rules_file(&path).expect_err("bad rules");
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("{}:3:13: ", path.display())),
            "{message}"
        );
        let missing = Segmenter::from_rules_file(&dir.path().join("missing.toml"));
        assert!(matches!(missing, Err(SegmentError::Io { .. })));
    }

    // --- properties -------------------------------------------------------------------

    /// Pieces that exercise every rule, glued at random.
    fn tricky_text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            ".",
            "…",
            "...",
            "!",
            "?",
            "<g1>",
            "</g1>",
            "<g2>",
            "</g2>",
            "<x2/>",
            "<g",
            "</",
            "<x3",
            "/>",
            "ă",
            "Ư",
            "ờ",
            "hoà",
            "quý",
            "a",
            "B",
            "1",
            "2",
            " ",
            "\n",
            "\r\n",
            "\n\n",
            "”",
            "“",
            "(",
            ")",
            "TP.",
            "v.v.",
            "N.V.",
            "www.",
            "@",
            "\u{300}",
            "\u{a0}",
            ",",
            ":",
            "- ",
            "– ",
            "K.",
            "h.",
            "Hà Nội",
            "HCM",
            "Vậy",
            "...",
        ]);
        prop_oneof![
            prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat()),
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn split_never_panics_and_covers_the_text(text in tricky_text()) {
            let ranges = Segmenter::for_language("vi").split(&text);
            let mut last_end = 0;
            for range in &ranges {
                prop_assert!(range.start >= last_end && range.start < range.end);
                prop_assert!(range.end <= text.len());
                prop_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
                let sentence = &text[range.clone()];
                prop_assert_eq!(sentence, sentence.trim());
                last_end = range.end;
            }
            for (i, c) in text.char_indices() {
                if !c.is_whitespace() {
                    prop_assert!(ranges.iter().any(|r| r.contains(&i)), "byte {} uncovered", i);
                }
            }
        }

        #[test]
        fn normalize_is_idempotent(text in "[a-zA-ZàáảãạòóỏõọùúủũụỳýỷỹỵèéẻẽẹôơưâăêđoueyqOUAEYQ \u{300}\u{301}\u{303}\u{309}\u{323}]{0,30}") {
            let once = normalize(&text);
            prop_assert_eq!(normalize(&once), once);
        }
    }
}
