//! The fault injector: the ways real engines break an answer, one function.

use dich::lang::Lang;
use dich::qa::{Glossary, QaCode};
use dich::segment::Segmenter;
use rand::Rng;
use rand::rngs::StdRng;

/// A kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    NumberChanged,
    NumberDropped,
    SentenceDropped,
    Untranslated,
    PhraseRepeated,
    Truncated,
    TermSwapped,
    AsciiPunctuation,
}

impl Fault {
    pub(crate) const ALL: [Fault; 8] = [
        Fault::NumberChanged,
        Fault::NumberDropped,
        Fault::SentenceDropped,
        Fault::Untranslated,
        Fault::PhraseRepeated,
        Fault::Truncated,
        Fault::TermSwapped,
        Fault::AsciiPunctuation,
    ];

    /// The check meant to catch this fault.
    pub(crate) fn code(self) -> QaCode {
        match self {
            Fault::NumberChanged | Fault::NumberDropped => QaCode::NumberMismatch,
            Fault::SentenceDropped => QaCode::SentenceMissing,
            Fault::Untranslated => QaCode::Untranslated,
            Fault::PhraseRepeated => QaCode::Repetition,
            Fault::Truncated => QaCode::Truncated,
            Fault::TermSwapped => QaCode::Terminology,
            Fault::AsciiPunctuation => QaCode::CjkPunctuation,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Fault::NumberChanged => "number changed",
            Fault::NumberDropped => "number dropped",
            Fault::SentenceDropped => "sentence dropped",
            Fault::Untranslated => "untranslated",
            Fault::PhraseRepeated => "phrase repeated",
            Fault::Truncated => "truncated",
            Fault::TermSwapped => "term swapped",
            Fault::AsciiPunctuation => "ASCII punct. (zh)",
        }
    }
}

/// Byte ranges of the numbers of `text` (digits with inner `.`/`,`).
fn number_tokens(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_digit()
                || (matches!(bytes[i], b'.' | b',')
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)))
        {
            i += 1;
        }
        out.push(start..i);
    }
    out
}

fn is_chinese(lang: &Lang) -> bool {
    lang.language() == "zh"
}

/// `answer` with `fault` injected, or `None` when the fault cannot apply to it.
pub(crate) fn corrupt(
    fault: Fault,
    source: &str,
    answer: &str,
    lang: &Lang,
    glossary: &Glossary,
    rng: &mut StdRng,
) -> Option<String> {
    match fault {
        Fault::NumberChanged => {
            let digits: Vec<usize> = answer
                .bytes()
                .enumerate()
                .filter(|(_, b)| b.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            let at = *digits.get(rng.random_range(0..digits.len().max(1)))?;
            let old = answer.as_bytes()[at] - b'0';
            let new = (old + rng.random_range(1..10)) % 10;
            let mut out = answer.to_owned();
            out.replace_range(at..at + 1, &new.to_string());
            Some(out)
        }
        Fault::NumberDropped => {
            let tokens = number_tokens(answer);
            let range = tokens
                .get(rng.random_range(0..tokens.len().max(1)))?
                .clone();
            let mut out = answer.to_owned();
            out.replace_range(range, "");
            Some(out.replace("  ", " "))
        }
        Fault::SentenceDropped => {
            let sentences = Segmenter::for_language(lang.as_str()).split(answer);
            if sentences.len() < 2 {
                return None;
            }
            let drop = rng.random_range(0..sentences.len());
            let joiner = if is_chinese(lang) { "" } else { " " };
            let kept: Vec<&str> = sentences
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, r)| &answer[r.clone()])
                .collect();
            Some(kept.join(joiner))
        }
        Fault::Untranslated => Some(source.to_owned()),
        Fault::PhraseRepeated => {
            if is_chinese(lang) {
                let chars: Vec<char> = answer.chars().collect();
                let len = rng.random_range(4..7).min(chars.len());
                // A phrase starts and ends between words, not inside a number.
                let inside = |i: usize| {
                    i > 0
                        && i < chars.len()
                        && chars[i - 1].is_ascii_alphanumeric()
                        && chars[i].is_ascii_alphanumeric()
                };
                let mut start = rng.random_range(0..=chars.len() - len);
                for _ in 0..20 {
                    if !inside(start) && !inside(start + len) {
                        break;
                    }
                    start = rng.random_range(0..=chars.len() - len);
                }
                let mut out: String = chars[..start + len].iter().collect();
                out.extend(&chars[start..start + len]);
                out.extend(&chars[start + len..]);
                Some(out)
            } else {
                let words: Vec<&str> = answer.split(' ').collect();
                if words.len() < 4 {
                    return None;
                }
                let len = rng.random_range(3..6).min(words.len());
                let start = rng.random_range(0..=words.len() - len);
                let mut out: Vec<&str> = words[..start + len].to_vec();
                out.extend(&words[start..start + len]);
                out.extend(&words[start + len..]);
                Some(out.join(" "))
            }
        }
        Fault::Truncated => {
            let cut = answer.len() * rng.random_range(40..86) / 100;
            let mut at = cut;
            while !answer.is_char_boundary(at) {
                at -= 1;
            }
            if !is_chinese(lang) {
                at = answer[..at].rfind(' ')?;
            }
            let out = answer[..at].trim_end_matches(|c: char| {
                c.is_whitespace() || c.is_ascii_punctuation() || "，。、：；！？".contains(c)
            });
            (!out.is_empty()).then(|| out.to_owned())
        }
        Fault::TermSwapped => {
            let terms = glossary.terms();
            let found = glossary.find(source);
            let present: Vec<&str> = found
                .iter()
                .filter_map(|m| terms[m.term].required(lang, &source[m.span.clone()]))
                .flat_map(|forms| forms.into_iter().filter(|f| answer.contains(*f)).take(1))
                .collect();
            let form = *present.get(rng.random_range(0..present.len().max(1)))?;
            // Another term's rendering in the same language: the confusion a engine
            // makes between two agencies, two titles or two districts.
            let others: Vec<&str> = terms
                .iter()
                .filter(|t| t.translate)
                .filter_map(|t| t.required(lang, "").and_then(|f| f.first().copied()))
                .filter(|f| *f != form && !f.contains(form) && !form.contains(*f))
                .collect();
            let other = others[rng.random_range(0..others.len())];
            Some(answer.replace(form, other))
        }
        Fault::AsciiPunctuation => {
            if !is_chinese(lang) {
                return None;
            }
            let out = answer
                .replace('，', ",")
                .replace('。', ".")
                .replace('：', ":");
            (out != answer).then_some(out)
        }
    }
}
