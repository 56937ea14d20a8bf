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
//! the wrong ones: abbreviations, initials, numbers, ellipses before lowercase,
//! soft-wrapped lines, URLs. Inline tags (`<g1>`, `</g1>`, `<x2/>`) are removed before
//! the rules look at the text, and a boundary never falls inside a tag or while a
//! paired tag is open, so every sentence has balanced tags.

mod rules;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{compose, decompose_canonical};
use unicode_segmentation::UnicodeSegmentation;

use rules::{MAX_ABBREVIATION_LEN, Rules};

/// The built-in Vietnamese rules.
const VI_RULES: &str = include_str!("../../rules/vi.toml");
/// The built-in English rules.
const EN_RULES: &str = include_str!("../../rules/en.toml");

/// Errors loading segmentation rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SegmentError {
    /// The rules text is not valid TOML or does not fit the schema.
    #[error("{}:{line}:{col}: {message}", path.as_deref().map_or("<rules>".into(), |p| p.display().to_string()))]
    Rules {
        /// The rules file, when the rules came from a file.
        path: Option<PathBuf>,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column (in characters) of the problem.
        col: usize,
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
    let nfc: String = text.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    let mut rest = nfc.as_str();
    while let Some(start) = rest.find(char::is_alphabetic) {
        out.push_str(&rest[..start]);
        let word = &rest[start..];
        let len = word
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(word.len());
        push_word(&mut out, &word[..len]);
        rest = &word[len..];
    }
    out.push_str(rest);
    out
}

/// Appends `word`, with its tone mark moved if it ends in a new-style oa / oe / uy.
fn push_word(out: &mut String, word: &str) {
    let mut chars = word.char_indices().rev();
    let (Some((second_at, second)), Some((first_at, first))) = (chars.next(), chars.next()) else {
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
    debug_assert!(second_at > first_at);
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
        })
    }

    /// Byte ranges of the sentences of `text`, in order, non-overlapping, each trimmed
    /// of surrounding whitespace; empty/blank text → empty vec. Never panics, on any
    /// input.
    pub fn split(&self, text: &str) -> Vec<Range<usize>> {
        let plain = Plain::new(text);
        let scan = Scan::new(&plain.text, &self.rules);
        let boundaries = self
            .candidates(scan.text)
            .into_iter()
            .filter(|&b| self.keeps(&scan, b))
            .map(|b| plain.original(b))
            .filter(|&b| plain.depth_at(b) == 0);
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
        if self.rules.is_ellipsis(term) {
            return !breaks.ellipsis_needs_capital || start == Start::Upper;
        }
        !(term == "." && (self.is_abbreviation(body) || self.is_initial(body)))
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

    /// Whether `body` (ending in '.') ends in a listed abbreviation, either the whole
    /// last word or after a non-alphanumeric character ("(TP.", "PGS.TS.").
    fn is_abbreviation(&self, body: &str) -> bool {
        let list = &self.rules.abbreviations.list;
        if list.is_empty() {
            return false;
        }
        let token_start = body.len() - last_token(body, MAX_ABBREVIATION_LEN).len();
        body[token_start..].char_indices().any(|(i, _)| {
            let at = token_start + i;
            let at_boundary = body[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            at_boundary && list.contains(&body[at..])
        })
    }

    /// Whether `body` ends in initials: "N.V.A.", or one "A." after a capitalised word
    /// ("Nguyễn V. A.") — "bảng A." in a sports report still ends a sentence.
    fn is_initial(&self, body: &str) -> bool {
        if !self.rules.breaks.initials {
            return false;
        }
        let token = last_token(body, MAX_ABBREVIATION_LEN);
        let word = token.trim_start_matches(|c: char| !c.is_alphanumeric());
        let Some(letters) = initials_count(word) else {
            return false;
        };
        if letters >= 2 {
            return true;
        }
        let before = body[..body.len() - token.len()].trim_end();
        let previous = last_token(before, usize::MAX);
        previous
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .starts_with(char::is_uppercase)
    }
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

/// One inline tag token of the pipeline's markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// `<gN>`
    Open(u32),
    /// `</gN>`
    Close(u32),
    /// `<xN/>`
    Standalone,
}

/// Parses the tag token at the start of `s`: its byte length and kind.
fn parse_tag(s: &str) -> Option<(usize, Tag)> {
    let bytes = s.as_bytes();
    let closing = bytes.get(1) == Some(&b'/');
    let name_at = if closing { 2 } else { 1 };
    let name = *bytes.get(name_at)?;
    let digits_at = name_at + 1;
    let digits = bytes
        .get(digits_at..)?
        .iter()
        .take_while(|d| d.is_ascii_digit())
        .count();
    if bytes.first() != Some(&b'<') || digits == 0 || digits > 9 {
        return None;
    }
    let id: u32 = s[digits_at..digits_at + digits].parse().ok()?;
    let rest = &s[digits_at + digits..];
    let end = digits_at + digits;
    match (closing, name) {
        (false, b'g') if rest.starts_with('>') => Some((end + 1, Tag::Open(id))),
        (true, b'g') if rest.starts_with('>') => Some((end + 1, Tag::Close(id))),
        (false, b'x') if rest.starts_with("/>") => Some((end + 2, Tag::Standalone)),
        _ => None,
    }
}

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
            let Some((len, tag)) = parse_tag(&text[tag_at..]) else {
                at = tag_at + 1;
                continue;
            };
            out.push_str(&text[copied..tag_at]);
            plain.record(out.len(), tag_at, len, tag);
            match tag {
                Tag::Open(id) => open.push(id),
                Tag::Close(id) => {
                    if let Some(i) = open.iter().rposition(|&o| o == id) {
                        open.remove(i);
                    }
                }
                Tag::Standalone => {}
            }
            plain.depths.push((tag_at + len, open.len()));
            (copied, at) = (tag_at + len, tag_at + len);
        }
        out.push_str(&text[copied..]);
        plain.text = out.into();
        plain
    }

    /// Adds a tag of `len` bytes at original `at`, plain position `pos`, to the runs.
    fn record(&mut self, pos: usize, at: usize, len: usize, tag: Tag) {
        let closing = matches!(tag, Tag::Close(_));
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

    #[test]
    fn dump_sample() {
        let seg = Segmenter::for_language("vi");
        let text =
            include_str!("../../tests/fixtures/segment/bac-ninh-foreign-information-2019.txt");
        for para in text.split("\n\n") {
            println!("=== {:?}", seg.sentences(&normalize(para)));
        }
    }
}
