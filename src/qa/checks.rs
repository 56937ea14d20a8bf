//! The checks themselves, run in a fixed order by [`run`].
//!
//! An empty or untranslated answer stops the run: every later check would only repeat
//! that in other words.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::facts::SourceFacts;
use super::glossary::{TermMatch, fold};
use super::length;
use super::numbers::{
    Number, answer_values, is_alphabetic, is_alphanumeric, is_cjk, numbers, same_value,
};
use super::{Checker, Finding, Pair, QaCode};
use crate::lang::Lang;
use crate::markup::{self, Token};
use crate::segment::Segmenter;

/// Collects findings, skipping codes that are turned off.
struct Out<'a> {
    checker: &'a Checker,
    findings: Vec<Finding>,
}

impl Out<'_> {
    fn on(&self, code: QaCode) -> bool {
        self.checker.severity(code).is_some()
    }

    fn push(&mut self, code: QaCode, message: String, span: Option<Range<usize>>) {
        if let Some(severity) = self.checker.severity(code) {
            self.findings.push(Finding {
                code,
                severity,
                message,
                span,
            });
        }
    }
}

/// Runs every check that is on.
pub(super) fn run(checker: &Checker, source: &str, answer: &str, pair: Pair<'_>) -> Vec<Finding> {
    let mut out = Out {
        checker,
        findings: Vec::new(),
    };
    let source_text = without_tags(source);
    let answer_text = without_tags(answer);
    if answer_text.trim().is_empty() {
        if !source_text.trim().is_empty() {
            out.push(QaCode::EmptyAnswer, "the answer is empty".to_owned(), None);
        }
        return out.findings;
    }
    let target = pair.target.language();
    if target != pair.source.language()
        && answer_text.trim() == source_text.trim()
        && has_words_to_translate(&source_text, pair.source)
    {
        out.push(
            QaCode::Untranslated,
            "the answer is the source text, untranslated".to_owned(),
            None,
        );
        return out.findings;
    }
    // Without a `<` there is no tag to compare.
    if out.on(QaCode::TagMismatch)
        && (source.contains('<') || answer.contains('<'))
        && let Err(e) = markup::check_same_tags(source, answer)
    {
        out.push(QaCode::TagMismatch, e.to_string(), None);
    }
    placeables(&mut out, source, answer);
    let (source_masked, answer_masked) = verbatim(&mut out, &source_text, &answer_text);
    // What depends on the source alone is worked out once for all its answers (one
    // per target language).
    let facts = checker.source_facts(pair.source.as_str(), source);
    if out.on(QaCode::NumberMismatch) {
        let wanted = facts
            .numbers
            .get_or_init(|| numbers(&source_masked, pair.source.language(), true));
        number_check(&mut out, &source_masked, wanted, &answer_masked, pair);
    }
    // Worked out once for the checks that need them, and only if one does: the answer
    // case-folded, and the glossary terms of the source (issue 11: checking is to stay
    // a small part of a run's time).
    let texts = Texts {
        source: &source_text,
        answer: &answer_text,
        folded_answer: OnceCell::new(),
        facts: &facts,
    };
    if out.on(QaCode::VietnameseLeft) && pair.source.language() == "vi" && target != "vi" {
        vietnamese_left(&mut out, &texts, pair.target);
    }
    if out.on(QaCode::LengthRatio) {
        let source_chars = *facts.length.get_or_init(|| length::count(&source_text));
        length_ratio(&mut out, source_chars, &answer_text, pair);
    }
    completeness(
        &mut out,
        &facts,
        (source, &source_text),
        (answer, &answer_text),
        pair,
    );
    if out.on(QaCode::Repetition) {
        repetition(&mut out, &texts, target);
    }
    if out.on(QaCode::CjkPunctuation) {
        cjk_punctuation(&mut out, &answer_text, target);
    }
    if out.on(QaCode::Terminology) {
        terminology(&mut out, &texts, pair);
    }
    out.findings
}

/// A segment's source and answer without tags, with what several checks derive from
/// them, computed on first use.
struct Texts<'a> {
    source: &'a str,
    answer: &'a str,
    folded_answer: OnceCell<String>,
    facts: &'a SourceFacts,
}

impl Texts<'_> {
    /// The answer case-folded ([`fold`]: same byte offsets).
    fn folded_answer(&self) -> &str {
        self.folded_answer.get_or_init(|| fold(self.answer))
    }

    /// The glossary terms of the source.
    fn terms(&self, checker: &Checker) -> &[TermMatch] {
        self.facts
            .terms
            .get_or_init(|| checker.glossary().find(self.source))
    }
}

/// True when `source` has words a translation must change: Vietnamese words, or for
/// another source language any lower-case word (a name or brand alone may stay).
fn has_words_to_translate(source: &str, language: &Lang) -> bool {
    if language.language() == "vi" {
        !vietnamese_words(source, "", &[], "en").is_empty()
    } else {
        // A lone letter is a unit abbreviation (`{ $hours }h { $minutes }m` in Mozilla
        // Send's real locales), kept as it is by every locale that writes it so.
        source
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w.chars().count() > 1 && w.chars().next().is_some_and(char::is_lowercase))
    }
}

/// The text with each tag replaced by a space of the same byte length, so spans stay
/// those of the answer and digits on both sides of a tag do not join. A text without
/// `<` has no tag and is borrowed as it is (most segments).
fn without_tags(text: &str) -> Cow<'_, str> {
    if !text.contains('<') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for token in markup::tokens(text) {
        match token {
            Token::Text(s) => out.push_str(s),
            Token::Open(id) | Token::Close(id) | Token::Standalone(id) => {
                // `<gN>` is 3 bytes besides its digits, `</gN>` and `<xN/>` 4.
                let len = if matches!(token, Token::Open(_)) {
                    3
                } else {
                    4
                };
                let len = len + id.to_string().len();
                out.extend(std::iter::repeat_n(' ', len));
            }
        }
    }
    Cow::Owned(out)
}

static PLACEABLE: LazyLock<Regex> = LazyLock::new(|| {
    // A Fluent placeable without nested braces; selectors and functions included.
    Regex::new(r"\{[^{}]*\}").expect("valid placeable pattern")
});

/// Fluent placeables: the same multiset in both, compared without white space.
fn placeables(out: &mut Out<'_>, source: &str, answer: &str) {
    if !out.on(QaCode::PlaceableMismatch) || !source.contains('{') && !answer.contains('{') {
        return;
    }
    let collect = |text: &str| -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for m in PLACEABLE.find_iter(text) {
            let key: String = m.as_str().split_whitespace().collect();
            *counts.entry(key).or_default() += 1;
        }
        counts
    };
    let (want, got) = (collect(source), collect(answer));
    for (placeable, n) in &want {
        if got.get(placeable) != Some(n) {
            out.push(
                QaCode::PlaceableMismatch,
                format!("placeable `{placeable}` is missing from the answer"),
                None,
            );
        }
    }
    for placeable in got.keys().filter(|p| !want.contains_key(*p)) {
        out.push(
            QaCode::PlaceableMismatch,
            format!("placeable `{placeable}` is not in the source"),
            None,
        );
    }
}

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:https?://|www\.)[^\s<>"'“”，。）]+"#).expect("valid URL pattern")
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
        .expect("valid e-mail pattern")
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    // Vietnamese numbers: +84 or 0, then 8 to 10 digits in groups.
    Regex::new(r"(?:\+84|\(\+84\)|\b0)[ .]?\d{2,4}(?:[ .-]?\d{2,4}){2,3}\b")
        .expect("valid phone pattern")
});

/// True when `text` has what every match of [`URL`] holds: `://` or `www.` in any
/// case.
fn may_hold_url(text: &str) -> bool {
    text.contains("://")
        || text
            .match_indices('.')
            .any(|(i, _)| i >= 3 && text.as_bytes()[i - 3..i].eq_ignore_ascii_case(b"www"))
}

/// True when `text` has what every match of [`EMAIL`] holds.
fn may_hold_email(text: &str) -> bool {
    text.contains('@')
}

/// True when `text` has what every match of [`PHONE`] holds: `+84`, or a `0` at the
/// start of a word. (A `0` after a letter, a digit or `_` is after a word character,
/// as in `2020`; the regex's Unicode `\b` is slow on non-ASCII text.)
fn may_hold_phone(text: &str) -> bool {
    text.contains("+84")
        || text.match_indices('0').any(|(i, _)| {
            !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || is_alphabetic(c))
        })
}

/// A test of what every match of a pattern contains.
type Prefilter = fn(&str) -> bool;

/// URLs, e-mail addresses and phone numbers byte for byte. Returns both texts with
/// them blanked out, so their digits are not read as numbers (borrowed when there is
/// nothing to blank out, as in most segments).
fn verbatim<'t>(
    out: &mut Out<'_>,
    source: &'t str,
    answer: &'t str,
) -> (Cow<'t, str>, Cow<'t, str>) {
    let mut source_masked = Cow::Borrowed(source);
    let mut answer_masked = Cow::Borrowed(answer);
    // Each pattern with a test of what any of its matches must contain: the tests are
    // plain substring searches, cheaper than the regexes on text that cannot match.
    let kinds: [(&Regex, Prefilter, QaCode, &str); 3] = [
        (&URL, may_hold_url, QaCode::UrlMismatch, "URL"),
        (
            &EMAIL,
            may_hold_email,
            QaCode::EmailMismatch,
            "e-mail address",
        ),
        (
            &PHONE,
            may_hold_phone,
            QaCode::PhoneMismatch,
            "phone number",
        ),
    ];
    for (pattern, may_hold, code, what) in kinds {
        let holds = |text: &str| may_hold(text) && pattern.is_match(text);
        if !holds(&source_masked) && !holds(&answer_masked) {
            continue;
        }
        let items: Vec<Range<usize>> = pattern
            .find_iter(&source_masked)
            .map(|m| trim_trailing(&source_masked, m.range()))
            .collect();
        let mut missing = false;
        for range in items {
            let item = source_masked[range.clone()].to_owned();
            match answer_masked.find(&item) {
                Some(at) => blank(answer_masked.to_mut(), at..at + item.len()),
                None => {
                    missing = true;
                    out.push(code, format!("{what} `{item}` is not in the answer"), None);
                }
            }
            blank(source_masked.to_mut(), range);
        }
        if missing {
            // The changed item is what is left in the answer: said once is enough.
            continue;
        }
        // What is left in the answer looks like one and is not in the source.
        let extra: Vec<Range<usize>> = pattern
            .find_iter(&answer_masked)
            .map(|m| trim_trailing(&answer_masked, m.range()))
            .collect();
        for range in extra {
            let item = answer_masked[range.clone()].to_owned();
            out.push(
                code,
                format!("{what} `{item}` is not in the source"),
                Some(range.clone()),
            );
            blank(answer_masked.to_mut(), range);
        }
    }
    (source_masked, answer_masked)
}

/// Sentence punctuation right after a URL belongs to the sentence.
fn trim_trailing(text: &str, range: Range<usize>) -> Range<usize> {
    let trimmed = text[range.clone()].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    range.start..range.start + trimmed.len()
}

fn blank(text: &mut String, range: Range<usize>) {
    let spaces = " ".repeat(range.len());
    text.replace_range(range, &spaces);
}

/// Every number of the source, as a value, is in the answer.
fn number_check(out: &mut Out<'_>, source: &str, wanted: &[Number], answer: &str, pair: Pair<'_>) {
    if wanted.is_empty() {
        return;
    }
    // Each value of the answer accounts for one number of the source: a date
    // `7/7/2021` needs two sevens.
    let mut have: Vec<Option<f64>> = answer_values(answer, pair.target.language())
        .into_iter()
        .map(Some)
        .collect();
    for number in wanted {
        let slot = have
            .iter_mut()
            .find(|h| h.is_some_and(|h| number.values.iter().any(|v| same_value(h, *v))));
        let found = slot.map(Option::take).is_some();
        if !found {
            let written = source[number.span.clone()].trim();
            let value = number.values.first().copied().unwrap_or_default();
            out.push(
                QaCode::NumberMismatch,
                format!("the number `{written}` (value {value}) is not in the answer"),
                None,
            );
        }
    }
}

/// True for letters only Vietnamese writes: đ ă ơ ư, ĩ ũ and the tone-marked vowels
/// of Latin Extended Additional.
fn is_vietnamese_letter(c: char) -> bool {
    matches!(
        c,
        'đ' | 'Đ' | 'ă' | 'Ă' | 'ơ' | 'Ơ' | 'ư' | 'Ư' | 'ĩ' | 'Ĩ' | 'ũ' | 'Ũ'
    ) || ('\u{1EA0}'..='\u{1EF9}').contains(&c)
}

/// The accented letters Vietnamese shares with French, Portuguese and others (`ê`,
/// `á`, `ô`, …): Vietnamese in a language that does not write them itself.
fn is_shared_accent(c: char) -> bool {
    matches!(
        c,
        'à' | 'á'
            | 'â'
            | 'ã'
            | 'è'
            | 'é'
            | 'ê'
            | 'ì'
            | 'í'
            | 'ò'
            | 'ó'
            | 'ô'
            | 'õ'
            | 'ù'
            | 'ú'
            | 'ý'
            | 'À'
            | 'Á'
            | 'Â'
            | 'Ã'
            | 'È'
            | 'É'
            | 'Ê'
            | 'Ì'
            | 'Í'
            | 'Ò'
            | 'Ó'
            | 'Ô'
            | 'Õ'
            | 'Ù'
            | 'Ú'
            | 'Ý'
    )
}

/// Languages whose own words never hold `ê`, `á`, `ô` and the like.
fn writes_no_accents(language: &str) -> bool {
    matches!(
        language,
        "en" | "ko" | "zh" | "ja" | "yue" | "th" | "id" | "ms" | "ru" | "uk"
    )
}

/// Words of `text` written with Vietnamese letters that are neither inside a
/// `protected` span nor a capitalised word of `names` (a name kept from the source).
fn vietnamese_words<'a>(
    text: &'a str,
    names: &str,
    protected: &[Range<usize>],
    language: &str,
) -> Vec<(Range<usize>, &'a str)> {
    let broad = writes_no_accents(language);
    let marked = |c: char| is_vietnamese_letter(c) || broad && is_shared_accent(c);
    // Every such word has one of these letters, all outside ASCII: most answers have
    // none, and this scan is far cheaper than cutting the text into words.
    if text.is_ascii() || !text.chars().any(marked) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if !is_cjk(c) && is_alphabetic(c) {
            start.get_or_insert(i);
            continue;
        }
        let Some(s) = start.take() else { continue };
        let word = &text[s..i];
        if !word.chars().any(marked) {
            continue;
        }
        if protected.iter().any(|p| p.start <= s && i <= p.end) {
            continue;
        }
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        if capitalised && contains_word(names, word) {
            continue;
        }
        found.push((s..i, word));
    }
    found
}

fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word)
        .any(|(at, _)| super::glossary::is_word_boundary(text, at, at + word.len()))
}

/// Vietnamese words left in the answer, outside protected terms and names.
fn vietnamese_left(out: &mut Out<'_>, texts: &Texts<'_>, target: &Lang) {
    let (source, answer) = (texts.source, texts.answer);
    let glossary = out.checker.glossary();
    let mut protected: Vec<Range<usize>> = Vec::new();
    if !glossary.terms().is_empty() {
        let folded = texts.folded_answer();
        protected.extend(
            glossary
                .find_folded(answer, folded)
                .into_iter()
                .filter(|m| !glossary.terms()[m.term].translate)
                .map(|m| m.span),
        );
        // A required rendering may itself be Vietnamese (`quan họ` in English).
        for m in texts.terms(out.checker) {
            let term = &glossary.terms()[m.term];
            for form in term
                .required(target, &source[m.span.clone()])
                .unwrap_or_default()
            {
                let form = fold(form);
                protected.extend(folded.match_indices(&form).map(|(at, f)| at..at + f.len()));
            }
        }
    }
    let words = vietnamese_words(answer, source, &protected, target.language());
    if let (Some((first, _)), Some((last, _))) = (words.first(), words.last()) {
        let span = first.start..last.end;
        let list: Vec<&str> = words.iter().map(|(_, w)| *w).take(5).collect();
        out.push(
            QaCode::VietnameseLeft,
            format!(
                "the answer keeps Vietnamese words: {} (a name or loanword that must stay belongs in the glossary with `translate = false`)",
                list.join(", ")
            ),
            Some(span),
        );
    }
}

fn length_ratio(out: &mut Out<'_>, source_chars: usize, answer: &str, pair: Pair<'_>) {
    let band = out.checker.length_band(pair.target);
    if let Some(ratio) = band.violation_untagged(source_chars, answer) {
        out.push(
            QaCode::LengthRatio,
            format!(
                "the answer is {ratio:.2} times the source's length; {} answers are usually {:.2}–{:.2} times",
                pair.target, band.min, band.max
            ),
            None,
        );
    }
}

const TERMINALS: &[char] = &['.', '!', '?', '…', '。', '！', '？', ':', ';', '：', '；'];
const CLOSERS: &[char] = &[
    '"', '\'', ')', ']', '”', '’', '」', '』', '）', '》', '»', '*', '_', ' ',
];

/// True when `text` ends a sentence (behind closing quotes and brackets).
fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(CLOSERS)
        .ends_with(TERMINALS)
}

/// True when `text` cannot be more than one sentence, so no sentence of it can be
/// missing: no character before its final punctuation can end a sentence. (UAX #29
/// and the segmentation rules only break after a terminal or at a line end; `.`
/// before a digit, as in `1.676`, never ends one.) Most segments are one sentence,
/// and the segmenter is the costliest part of the checks: this keeps them cheap.
pub(super) fn single_sentence(text: &str) -> bool {
    // Punctuation that ends no sentence in UAX #29 (not STerm, ATerm or a separator).
    let is_inner = |c: char| {
        matches!(
            c,
            ',' | ';'
                | ':'
                | '-'
                | '–'
                | '—'
                | '('
                | ')'
                | '"'
                | '\''
                | '“'
                | '”'
                | '‘'
                | '’'
                | '«'
                | '»'
                | '%'
                | '/'
                | '&'
                | '+'
                | '='
                | '#'
                | '@'
                | '*'
                | '_'
                | '['
                | ']'
                | '{'
                | '}'
                | '<'
                | '>'
                | '$'
                | '€'
                | '₫'
                | '，'
                | '、'
                | '：'
                | '；'
                | '（'
                | '）'
                | '《'
                | '》'
                | '「'
                | '」'
                | '『'
                | '』'
                | '·'
        )
    };
    let body = text
        .trim_end()
        .trim_end_matches(|c: char| CLOSERS.contains(&c) || TERMINALS.contains(&c));
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        let inner = is_alphanumeric(c)
            || (c.is_whitespace()
                && !matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
            || is_inner(c)
            || (c == '.' && chars.peek().is_some_and(char::is_ascii_digit));
        if !inner {
            return false;
        }
    }
    true
}

/// True when a standalone tag (a Fluent placeable, an image) ends the text: the
/// punctuation before it (`Tác giả: { $author }`) does not end the text.
fn ends_with_placeable(tagged: &str) -> bool {
    matches!(
        markup::tokens(tagged.trim_end()).last(),
        Some(Token::Standalone(_))
    )
}

/// True for a Korean answer that ends with a placeable and a counter of at most two
/// syllables (`… 결과 { NUMBER($count) }건`, "… results: N"): a complete UI string,
/// written without a full stop.
fn ends_with_counted_placeable(tagged: &str, language: &str) -> bool {
    if language != "ko" {
        return false;
    }
    let tokens = markup::tokens(tagged.trim_end());
    match tokens.as_slice() {
        [.., Token::Standalone(_), Token::Text(counter)] => {
            let n = counter.chars().count();
            (1..=2).contains(&n) && counter.chars().all(|c| ('가'..='힣').contains(&c))
        }
        _ => false,
    }
}

/// Commas and semicolons between clauses (not inside numbers such as `1,676`).
fn clause_marks(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len())
        .filter(|&i| match chars[i] {
            '，' | '、' | '；' | ';' => true,
            // Not inside a number (`1,676`) nor in an English date (`May 23, 2019`).
            ',' => {
                !(i > 0
                    && chars[i - 1].is_ascii_digit()
                    && chars[i + 1..]
                        .iter()
                        .find(|c| **c != ' ')
                        .is_some_and(char::is_ascii_digit))
            }
            _ => false,
        })
        .count()
}

/// Dropped sentences and a truncated end.
/// `source` and `answer` are each (tagged, tags blanked out).
fn completeness(
    out: &mut Out<'_>,
    facts: &SourceFacts,
    (source_tagged, source): (&str, &str),
    (answer_tagged, answer): (&str, &str),
    pair: Pair<'_>,
) {
    let want = || {
        *facts.sentences.get_or_init(|| {
            (!single_sentence(source)).then(|| {
                Segmenter::for_language(pair.source.as_str())
                    .split(source)
                    .len()
            })
        })
    };
    if out.on(QaCode::SentenceMissing)
        && let Some(want) = want()
    {
        let got = Segmenter::for_language(pair.target.as_str())
            .split(answer)
            .len();
        // Translators join two short sentences with a comma or a semicolon
        // (`出现错误，请稍后再试。`); a dropped sentence takes its clauses with it.
        if got < want && got + clause_marks(answer) < want + clause_marks(source) {
            out.push(
                QaCode::SentenceMissing,
                format!("the source has {want} sentences, the answer {got}"),
                None,
            );
        }
    }
    if out.on(QaCode::Truncated)
        && ends_sentence(source)
        && !ends_with_placeable(source_tagged)
        && !ends_sentence(answer)
        && !ends_with_counted_placeable(answer_tagged, pair.target.language())
    {
        let end = answer.trim_end().len();
        let start = answer[..end]
            .char_indices()
            .rev()
            .nth(19)
            .map_or(0, |(i, _)| i);
        out.push(
            QaCode::Truncated,
            format!(
                "the answer ends mid-sentence: `…{}`",
                answer[start..end].trim_start()
            ),
            Some(start..end),
        );
    }
}

/// One unit of a repeated phrase: its byte span and a hash of its text, so most
/// comparisons are of two integers.
struct Unit {
    hash: u64,
    span: Range<usize>,
}

/// FNV-1a: a few instructions per byte for the short units of [`units`]. Equal hashes
/// are confirmed by comparing the text, so a collision costs a comparison, never a
/// wrong answer; std's SipHash needs a hasher per unit and is several times slower.
fn unit_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The units a repeated phrase is made of: characters in Chinese and Japanese, words
/// elsewhere, each with its byte span. `text` is case-folded ([`fold`] keeps every
/// byte offset), so a unit is compared by its span in it, not as a string of its own:
/// this runs on every answer (issue 11: checking must stay a small part of a run).
fn units(text: &str, language: &str) -> Vec<Unit> {
    if matches!(language, "zh" | "ja" | "yue") {
        // Punctuation counts: a loop repeats it too (`增长10.2%。0.2%。`).
        text.char_indices()
            .filter(|(_, c)| !c.is_whitespace())
            .map(|(i, c)| Unit {
                hash: u64::from(u32::from(c)),
                span: i..i + c.len_utf8(),
            })
            .collect()
    } else {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            if is_alphanumeric(c) {
                start.get_or_insert(i);
            } else if let Some(s) = start.take() {
                out.push(Unit {
                    hash: unit_hash(&text.as_bytes()[s..i]),
                    span: s..i,
                });
            }
        }
        out
    }
}

/// The first phrase of `min..=max` units said twice in a row, with its span. The
/// units are of `folded`; `text` is the same text before folding.
fn immediate_repeat(text: &str, folded: &str, units: &[Unit], min: usize) -> Option<Range<usize>> {
    const STOPS: &[char] = &['.', '!', '?', '。', '！', '？'];
    let same =
        |a: &Unit, b: &Unit| a.hash == b.hash && folded[a.span.clone()] == folded[b.span.clone()];
    for n in min..=12 {
        if 2 * n > units.len() {
            break;
        }
        for i in 0..=units.len() - 2 * n {
            if !(0..n).all(|k| same(&units[i + k], &units[i + n + k])) {
                continue;
            }
            // `… at the conference. The conference …` ends one sentence and starts
            // the next with the same words; a repeated sentence repeats its full stop.
            let gap = &text[units[i + n - 1].span.end..units[i + n].span.start];
            let after = text[units[i + 2 * n - 1].span.end..].trim_start();
            if let Some(stop) = gap.chars().find(|c| STOPS.contains(c))
                && !after.starts_with(stop)
            {
                continue;
            }
            return Some(units[i].span.start..units[i + 2 * n - 1].span.end);
        }
    }
    None
}

/// A phrase said twice in a row: an LLM loop. (A phrase said three times apart is
/// not one: a paragraph may name the Provincial People's Committee three times.)
fn repetition(out: &mut Out<'_>, texts: &Texts<'_>, target: &str) {
    let (source, answer) = (texts.source, texts.answer);
    let cjk = matches!(target, "zh" | "ja" | "yue");
    // Chinese doubles two-character words on purpose (研究研究); Korean and English do
    // not double two-word phrases.
    let min = if cjk { 3 } else { 2 };
    let folded_answer = texts.folded_answer();
    let answer_units = units(folded_answer, target);
    let Some(span) = immediate_repeat(answer, folded_answer, &answer_units, min) else {
        return;
    };
    // A source that repeats itself within a clause (`từng bước, từng bước`) may be
    // translated with a repeat; across clauses (`… hội nghị. Hội nghị …`) it is no
    // repeat at all. (Asked only about an answer that repeats: most do not.)
    let folded_source = fold(source);
    let source_repeats = folded_source
        .split(['.', ',', ';', ':', '!', '?', '…'])
        .any(|clause| immediate_repeat(clause, clause, &units(clause, "vi"), 2).is_some());
    if !source_repeats {
        out.push(
            QaCode::Repetition,
            format!("the answer repeats `{}`", &answer[span.clone()]),
            Some(span),
        );
    }
}

/// Chinese wants full-width punctuation next to Han characters; Korean writes ASCII
/// punctuation, not Chinese full-width marks.
fn cjk_punctuation(out: &mut Out<'_>, answer: &str, target: &str) {
    let is_han = |c: char| is_cjk(c) && !('\u{AC00}'..='\u{D7AF}').contains(&c);
    match target {
        // Only ASCII punctuation can be at fault (most answers have none).
        "zh" | "yue" if answer.contains([',', '.', ':', ';', '?', '!', '(', ')']) => {
            let chars: Vec<(usize, char)> = answer.char_indices().collect();
            for (k, &(i, c)) in chars.iter().enumerate() {
                if !matches!(c, ',' | '.' | ':' | ';' | '?' | '!' | '(' | ')') {
                    continue;
                }
                let prev = chars[..k]
                    .iter()
                    .rev()
                    .map(|x| x.1)
                    .find(|c| !c.is_whitespace());
                let next = chars[k + 1..]
                    .iter()
                    .map(|x| x.1)
                    .find(|c| !c.is_whitespace());
                let prev_han = prev.is_some_and(is_han);
                let next_han = next.is_some_and(is_han);
                let prev_ascii = prev.is_some_and(|p| p.is_ascii_alphanumeric());
                let bad = match c {
                    '(' => next_han,
                    ')' => prev_han,
                    // `…比例达11.1%.`: a full stop ending Chinese text.
                    '.' | '?' | '!' if next.is_none() => !prev_ascii || prev_han,
                    _ => prev_han || (next_han && !prev_ascii),
                };
                if bad {
                    out.push(
                        QaCode::CjkPunctuation,
                        format!("ASCII `{c}` next to Chinese text; write the full-width form"),
                        Some(i..i + 1),
                    );
                    return;
                }
            }
        }
        "ko" => {
            if let Some((i, c)) = answer
                .char_indices()
                .find(|(_, c)| matches!(c, '。' | '，' | '、' | '：' | '；'))
            {
                out.push(
                    QaCode::CjkPunctuation,
                    format!("Chinese full-width `{c}` in Korean text"),
                    Some(i..i + c.len_utf8()),
                );
            }
        }
        _ => {}
    }
}

/// Each glossary term of the source has a required form in the answer.
fn terminology(out: &mut Out<'_>, texts: &Texts<'_>, pair: Pair<'_>) {
    let (source, answer) = (texts.source, texts.answer);
    let glossary = out.checker.glossary();
    let matches = texts.terms(out.checker);
    if matches.is_empty() {
        return;
    }
    let folded_answer = texts.folded_answer();
    let mut missing = Vec::new();
    for m in matches {
        let term = &glossary.terms()[m.term];
        let matched = &source[m.span.clone()];
        let Some(forms) = term.required(pair.target, matched) else {
            continue;
        };
        let present = forms.iter().any(|form| {
            if term.translate {
                folded_answer.contains(&fold(form))
            } else {
                answer.contains(form)
            }
        });
        if !present {
            missing.push(format!(
                "`{matched}` must be `{}`",
                forms.first().copied().unwrap_or_default()
            ));
        }
    }
    missing.dedup();
    for message in missing {
        out.push(
            QaCode::Terminology,
            format!("glossary: {message} in {}", pair.target),
            None,
        );
    }
}

#[cfg(test)]
mod tests;
