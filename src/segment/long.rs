//! Splitting a segment longer than a request can carry: a paragraph with no sentence
//! punctuation is one segment, and a service refuses a request above its limit
//! (DeepL: 128 KiB). The parts are cut at the last clause boundary that fits, else the
//! last word boundary, else between characters; never inside a tag pair
//! (`<g1>…</g1>`) or a tag, so each part is valid markup on its own.
//!
//! Pure and linear in the text: each part is scanned once more at most.

use std::ops::Range;

/// Characters after which a clause ends: Latin and CJK commas, semicolons, colons,
/// the ideographic comma, dashes and closing brackets.
const CLAUSE_ENDS: &[char] = &[
    ',', ';', ':', '，', '；', '：', '、', '—', '–', ')', '）', '」', '』',
];

/// Byte ranges of `text` that concatenate to `text`, each at most `max_chars`
/// characters where a boundary outside every tag pair allows it. A text within the
/// limit is one range. A part ends after a clause mark and the spaces after it, or
/// after a run of spaces; with neither in reach, at the last character that fits
/// outside a tag pair; with no such point either, at the next one after the limit.
pub fn split_long(text: &str, max_chars: usize) -> Vec<Range<usize>> {
    let max_chars = max_chars.max(1);
    let mut parts = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = next_cut(text, start, max_chars);
        parts.push(start..end);
        start = end;
    }
    parts
}

/// The end of the part that starts at `start`.
fn next_cut(text: &str, start: usize, max_chars: usize) -> usize {
    let rest = &text[start..];
    let mut depth = 0usize;
    let (mut clause, mut word, mut any) = (None, None, None);
    let mut count = 0;
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '<'
            && let Some(len) = tag_len(&rest[i..])
        {
            let tag = &rest[i..i + len];
            if tag.starts_with("</") {
                depth = depth.saturating_sub(1);
            } else if !tag.ends_with("/>") {
                depth += 1;
            }
            // Skip the tag's other characters; they count towards the limit.
            for _ in 1..tag.chars().count() {
                chars.next();
            }
            count += len;
        } else {
            count += 1;
        }
        let after = chars.peek().map_or(rest.len(), |&(j, _)| j);
        if count > max_chars && any.is_some() {
            break;
        }
        if depth == 0 && after < rest.len() {
            let next = rest[after..].chars().next();
            let next_is_space = next.is_some_and(char::is_whitespace);
            if !next_is_space {
                if CLAUSE_ENDS.contains(&c) {
                    clause = Some(after);
                } else if c.is_whitespace() {
                    // After a run of spaces that follows a clause mark, the clause cut
                    // moves here too, so the spaces stay with the part they end.
                    let trimmed = rest[..after].trim_end();
                    if trimmed.ends_with(CLAUSE_ENDS) {
                        clause = Some(after);
                    }
                    word = Some(after);
                }
            }
            any = Some(after);
        }
        if count >= max_chars && any.is_some() {
            // The limit is reached: the next character would not fit.
            break;
        }
    }
    let cut = clause.or(word).or(any).unwrap_or(rest.len());
    if count <= max_chars && chars.peek().is_none() {
        return text.len();
    }
    start + cut
}

/// The length of the dich tag (`<g1>`, `</g1>`, `<x2/>`) at the start of `text`.
fn tag_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let kind = *bytes.get(i)?;
    if kind != b'g' && kind != b'x' {
        return None;
    }
    i += 1;
    let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    i += digits;
    match (kind, closing) {
        (b'g', _) if bytes.get(i) == Some(&b'>') => Some(i + 1),
        (b'x', false) if bytes.get(i..i + 2) == Some(b"/>") => Some(i + 2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parts(text: &str, max: usize) -> Vec<&str> {
        split_long(text, max)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn a_text_within_the_limit_is_one_part() {
        assert_eq!(parts("một hai ba", 100), ["một hai ba"]);
        assert!(parts("", 10).is_empty());
    }

    #[test]
    fn a_clause_boundary_is_preferred_to_a_word_boundary() {
        assert_eq!(
            parts("một hai, ba bốn năm sáu", 14),
            ["một hai, ", "ba bốn năm sáu"]
        );
        assert_eq!(parts("一二三，四五六七", 5), ["一二三，", "四五六七"]);
    }

    #[test]
    fn without_a_clause_the_last_word_boundary_that_fits() {
        assert_eq!(parts("một hai ba bốn", 9), ["một hai ", "ba bốn"]);
    }

    #[test]
    fn a_word_longer_than_the_limit_is_cut_between_characters() {
        assert_eq!(parts("abcdefgh", 3), ["abc", "def", "gh"]);
    }

    #[test]
    fn a_tag_pair_is_never_cut() {
        let text = "a, <g1>b c d e f</g1> g";
        for part in parts(text, 6) {
            assert_eq!(
                part.matches("<g1>").count(),
                part.matches("</g1>").count(),
                "{part:?}"
            );
        }
    }

    proptest! {
        /// The parts rejoin to the original, each fits the limit unless a tag pair or
        /// the limit itself forbids it, and no part cuts a tag pair.
        #[test]
        fn parts_rejoin_to_the_original(
            text in "([a-zà-ỹ一二]{1,6}[ ,;，]{0,2}|<g1>[a-z ]{0,8}</g1>|<x2/>){0,40}",
            max in 1usize..30,
        ) {
            let ranges = split_long(&text, max);
            let joined: String = ranges.iter().map(|r| &text[r.clone()]).collect();
            prop_assert_eq!(&joined, &text);
            for r in &ranges {
                let part = &text[r.clone()];
                prop_assert!(!part.is_empty());
                prop_assert_eq!(part.matches("<g1>").count(), part.matches("</g1>").count());
                if !part.contains('<') {
                    prop_assert!(part.chars().count() <= max, "{:?} > {}", part, max);
                }
            }
        }
    }
}
