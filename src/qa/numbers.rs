//! Numbers as values: each language's digit separators and spelled-out magnitudes.
//!
//! `1.676,5` in Vietnamese is `1,676.5` in English; `3,5 tỷ` is `3.5 billion`,
//! `35亿` and `35억`. The check compares values, not spellings, so every correct
//! rendering passes and a changed, dropped or unconverted number does not: an English
//! `1.676` is the value 1.676, not 1676, and is reported.
//!
//! Dates, times and ranges (`12/11/2019`, `7 giờ 30`, `2016-2020`) are their component
//! numbers, so `12/11/2019` is satisfied by `November 12, 2019` (month names count as
//! their number) and by `2019年11月12日`.

use std::ops::Range;

/// How a language writes the separators of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Separators {
    /// Characters that group thousands.
    group: &'static [char],
    /// The decimal mark.
    decimal: char,
}

const COMMA_GROUPS: Separators = Separators {
    group: &[','],
    decimal: '.',
};
const DOT_GROUPS: Separators = Separators {
    group: &['.'],
    decimal: ',',
};
const SPACE_GROUPS: Separators = Separators {
    group: &['\u{a0}', '\u{202f}'],
    decimal: ',',
};

/// The separators of a language (its primary subtag). Languages not listed write
/// `1,676.5`, as English, Chinese, Korean and Japanese do.
fn separators(language: &str) -> Separators {
    match language {
        "vi" | "id" | "de" | "es" | "it" | "pt" | "nl" | "tr" | "da" | "el" | "ro" | "hr"
        | "sl" | "sr" => DOT_GROUPS,
        "fr" | "ru" | "uk" | "pl" | "cs" | "sk" | "sv" | "fi" | "nb" | "no" | "hu" | "bg" => {
            SPACE_GROUPS
        }
        _ => COMMA_GROUPS,
    }
}

/// How a language spells magnitudes after a number.
#[derive(Debug, Clone, Copy, PartialEq)]
enum MagnitudeStyle {
    /// Words after a space: `3,5 tỷ`, `3.5 billion`.
    Words(&'static [(&'static str, f64)]),
    /// Characters right after the digits, multiplied when chained: `35亿`, `2천억`.
    Chars(&'static [(char, f64)]),
}

const VI_WORDS: &[(&str, f64)] = &[
    ("trăm", 1e2),
    ("nghìn", 1e3),
    ("ngàn", 1e3),
    ("triệu", 1e6),
    ("tỷ", 1e9),
    ("tỉ", 1e9),
];
const EN_WORDS: &[(&str, f64)] = &[
    ("hundred", 1e2),
    ("thousand", 1e3),
    ("million", 1e6),
    ("billion", 1e9),
    ("bn", 1e9),
    ("trillion", 1e12),
];
const ZH_CHARS: &[(char, f64)] = &[
    ('百', 1e2),
    ('千', 1e3),
    ('万', 1e4),
    ('萬', 1e4),
    ('亿', 1e8),
    ('億', 1e8),
];
const KO_CHARS: &[(char, f64)] = &[
    ('백', 1e2),
    ('천', 1e3),
    ('만', 1e4),
    ('억', 1e8),
    ('조', 1e12),
];

fn magnitude_style(language: &str) -> Option<MagnitudeStyle> {
    match language {
        "vi" => Some(MagnitudeStyle::Words(VI_WORDS)),
        "en" => Some(MagnitudeStyle::Words(EN_WORDS)),
        "zh" | "ja" | "yue" => Some(MagnitudeStyle::Chars(ZH_CHARS)),
        "ko" => Some(MagnitudeStyle::Chars(KO_CHARS)),
        _ => None,
    }
}

/// A number found in a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    /// Byte span of the digits and any magnitude words.
    pub(crate) span: Range<usize>,
    /// The values it may mean; one unless the writer used the other convention.
    pub(crate) values: Vec<f64>,
    /// The product of its magnitude words (1 without any).
    magnitude: f64,
}

/// True when two values are the same number (floating point from decimal text).
pub(crate) fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Reads `token` (digits and separators) under `seps`; `None` when it does not follow
/// them (e.g. `12.11.2019` in English).
fn strict_value(token: &str, seps: Separators) -> Option<f64> {
    let parts: Vec<&str> = token
        .split(|c: char| !c.is_ascii_digit())
        .collect::<Vec<_>>();
    let marks: Vec<char> = token.chars().filter(|c| !c.is_ascii_digit()).collect();
    if marks.is_empty() {
        return token.parse().ok();
    }
    let (int_parts, fraction) = match marks.last() {
        Some(&last) if last == seps.decimal => (
            &parts[..parts.len() - 1],
            parts.last().copied().unwrap_or(""),
        ),
        _ => (&parts[..], ""),
    };
    let int_marks = &marks[..int_parts.len() - 1];
    if !int_marks.iter().all(|m| seps.group.contains(m)) {
        return None;
    }
    if int_parts.len() > 1
        && (int_parts[0].len() > 3 || int_parts[1..].iter().any(|p| p.len() != 3))
    {
        return None;
    }
    let mut digits: String = int_parts.concat();
    if !fraction.is_empty() {
        digits.push('.');
        digits.push_str(fraction);
    }
    digits.parse().ok()
}

/// The components of a token that follows no convention (`12.11.2019`).
fn components(token: &str) -> Vec<f64> {
    token
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Length of the digit-and-separator token at the start of `s`.
fn token_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut end = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            i += 1;
            end = i;
            continue;
        }
        // A separator counts only when a digit follows it.
        let sep_len = match s[i..].chars().next() {
            Some(c @ ('.' | ',' | '\u{a0}' | '\u{202f}')) => c.len_utf8(),
            _ => break,
        };
        if bytes.get(i + sep_len).is_some_and(u8::is_ascii_digit) {
            i += sep_len;
        } else {
            break;
        }
    }
    end
}

/// The magnitude spelled right after a number, and the bytes it takes.
fn magnitude_after(rest: &str, style: MagnitudeStyle) -> (f64, usize) {
    let mut product = 1.0;
    let mut used = 0;
    match style {
        MagnitudeStyle::Chars(table) => {
            for c in rest.chars() {
                match table.iter().find(|(m, _)| *m == c) {
                    Some((_, value)) => {
                        product *= value;
                        used += c.len_utf8();
                    }
                    None => break,
                }
            }
        }
        MagnitudeStyle::Words(table) => loop {
            let after = &rest[used..];
            let trimmed = after.trim_start_matches([' ', '\u{a0}']);
            let gap = after.len() - trimmed.len();
            // Words follow a space, except the press's `3.5bn`.
            if gap == 0 && !(used == 0 && trimmed.starts_with("bn")) {
                break;
            }
            let word_end = trimmed
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(trimmed.len());
            let word = trimmed[..word_end].to_lowercase();
            // "billion" and "billions" both count.
            let word = word.strip_suffix('s').unwrap_or(&word);
            match table.iter().find(|(w, _)| *w == word) {
                Some((_, value)) => {
                    product *= value;
                    used += gap + word_end;
                }
                None => break,
            }
        },
    }
    (product, used)
}

/// True when `c` continues a word, so digits glued to it are part of a code (`H5N1`).
fn is_letter(c: char) -> bool {
    !is_cjk(c) && is_alphabetic(c)
}

/// Letters the portal's text is mostly made of (Vietnamese Latin, Hangul syllables,
/// CJK ideographs), known without the Unicode tables: their lookup was most of the
/// checks' time on Vietnamese, Korean and Chinese text, and the checks run on every
/// answer (issue 11: under 5 % of a run). A unit test compares with `char`'s answers.
fn common_letter(c: char) -> bool {
    matches!(c as u32,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F | 0x1E00..=0x1EFF
        | 0xAC00..=0xD7A3 | 0x4E00..=0x9FFF)
}

/// `char::is_alphabetic`, faster on the portal's text ([`common_letter`]).
pub(crate) fn is_alphabetic(c: char) -> bool {
    c.is_ascii_alphabetic() || common_letter(c) || (!c.is_ascii() && c.is_alphabetic())
}

/// `char::is_alphanumeric`, faster on the portal's text ([`common_letter`]).
pub(crate) fn is_alphanumeric(c: char) -> bool {
    c.is_ascii_alphanumeric() || common_letter(c) || (!c.is_ascii() && c.is_alphanumeric())
}

/// True when `before` ends with a currency code written against the amount
/// (`VND3.5 billion`, `US$5`), which is no part of a code such as `H5N1`.
fn after_currency_code(before: &str) -> bool {
    let letters: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    matches!(
        letters.as_str(),
        "DNV" | "DSU" | "RUE" | "WRK" | "YNC" | "BMR" | "YPJ"
    )
}

/// Han, Hangul and kana: scripts that write numbers right against words.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF)
}

/// Every number of `text` written in `language` (a primary subtag), with magnitudes
/// applied and `3 tỷ 500 triệu` merged into one value.
pub(crate) fn numbers(text: &str, language: &str, source_side: bool) -> Vec<Number> {
    let seps = separators(language);
    let style = magnitude_style(language);
    let mut out: Vec<Number> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        // To the next digit: an ASCII byte, never inside a longer character's bytes.
        let Some(skip) = text.as_bytes()[i..].iter().position(u8::is_ascii_digit) else {
            break;
        };
        i += skip;
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        // Asked at digits only: `is_letter` is slow on non-ASCII text, and this runs on
        // every answer.
        let glued = text[..i].chars().next_back().is_some_and(is_letter)
            && !after_currency_code(&text[..i]);
        if glued {
            // Skip the rest of a glued code such as `H5N1` so `1` is not read alone.
            i += c.len_utf8();
            i += token_len(&text[i..]);
            continue;
        }
        let len = token_len(&text[i..]);
        let token = &text[i..i + len];
        let mut values: Vec<f64> = strict_value(token, seps).into_iter().collect();
        if values.is_empty() && source_side {
            // A Vietnamese writer who used the other convention (`2.5`) meant it.
            let other = if seps == COMMA_GROUPS {
                DOT_GROUPS
            } else {
                COMMA_GROUPS
            };
            values.extend(strict_value(token, other));
        }
        let (magnitude, used) = style.map_or((1.0, 0), |s| magnitude_after(&text[i + len..], s));
        if values.is_empty() {
            // A date or version written with dots: its parts are the numbers.
            for part in components(token) {
                out.push(Number {
                    span: i..i + len,
                    values: vec![part],
                    magnitude: 1.0,
                });
            }
        } else {
            let values = values.into_iter().map(|v| v * magnitude).collect();
            let number = Number {
                span: i..i + len + used,
                values,
                magnitude,
            };
            merge_or_push(&mut out, number, text);
        }
        i += len + used;
    }
    out
}

/// Adds `number`, merging it into the previous one when it continues a compound
/// magnitude (`3 tỷ 500 triệu`, `1조 2천억`).
fn merge_or_push(out: &mut Vec<Number>, number: Number, text: &str) {
    if let Some(prev) = out.last_mut()
        && prev.magnitude > 1.0
        && number.magnitude > 1.0
        && number.magnitude < prev.magnitude
        && text[prev.span.end..number.span.start].trim().is_empty()
        && prev.values.len() == 1
        && number.values.len() == 1
    {
        prev.values[0] += number.values[0];
        prev.span.end = number.span.end;
        prev.magnitude = number.magnitude;
        return;
    }
    out.push(number);
}

/// The value of an English number or month word (`three`, `first`, `November`,
/// `Sept`), in any case. A `match` rather than a table searched word by word: this is
/// asked of every word of every English answer.
fn en_number_word(word: &str) -> Option<f64> {
    // The longest word is `september`.
    let mut buf = [0u8; 9];
    let lower = buf.get_mut(..word.len())?;
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    let value = match &*lower {
        b"one" | b"first" | b"january" | b"jan" => 1.0,
        b"two" | b"second" | b"february" | b"feb" => 2.0,
        b"three" | b"third" | b"march" => 3.0,
        b"four" | b"fourth" | b"april" => 4.0,
        b"five" | b"fifth" | b"may" => 5.0,
        b"six" | b"june" => 6.0,
        b"seven" | b"july" => 7.0,
        b"eight" | b"august" | b"aug" => 8.0,
        b"nine" | b"september" | b"sept" => 9.0,
        b"ten" | b"october" | b"oct" => 10.0,
        b"eleven" | b"november" | b"nov" => 11.0,
        b"twelve" | b"december" | b"dec" => 12.0,
        _ => return None,
    };
    Some(value)
}

/// Every value the answer states: its numbers, the parts of dates and times, and in
/// English small numbers and months spelled as words (`three`, `November`), in
/// Chinese small numbers in Han numerals (`三`, `十二`).
pub(crate) fn answer_values(text: &str, language: &str) -> Vec<f64> {
    let mut values: Vec<f64> = Vec::new();
    for number in numbers(text, language, false) {
        values.extend(&number.values);
        // `7.30` may be a time in English. Only that shape gives its parts: `1.676`
        // must not pass for 1676, nor `339.8` for an 8.
        let token = &text[number.span.clone()];
        if is_time_like(token) {
            values.extend(components(token));
        }
    }
    match language {
        "en" => {
            // Compared without case and without a lower-cased copy of every word: the
            // number words are ASCII, and this runs on every English answer.
            let words: Vec<&str> = text
                .split(|c: char| !is_alphabetic(c))
                .filter(|w| !w.is_empty())
                .collect();
            let article = |w: &str| w.eq_ignore_ascii_case("a") || w.eq_ignore_ascii_case("an");
            for (i, word) in words.iter().enumerate() {
                let value = en_number_word(word).or_else(|| article(word).then_some(1.0));
                let Some(value) = value else { continue };
                // `a million`, `two billion`.
                let magnitude = words.get(i + 1).and_then(|next| {
                    let next = next
                        .strip_suffix('s')
                        .or_else(|| next.strip_suffix('S'))
                        .unwrap_or(next);
                    EN_WORDS
                        .iter()
                        .find(|(w, _)| w.eq_ignore_ascii_case(next))
                        .map(|(_, m)| *m)
                });
                match magnitude {
                    Some(m) => values.push(value * m),
                    // `a` alone is an article, not the number one.
                    None if article(word) => {}
                    None => values.push(value),
                }
            }
        }
        "zh" | "ja" => values.extend(han_numerals(text)),
        _ => {}
    }
    values
}

/// `7.30`, `19.45`: one or two digits, a dot, two digits.
fn is_time_like(token: &str) -> bool {
    token.split_once('.').is_some_and(|(h, m)| {
        (1..=2).contains(&h.len()) && m.len() == 2 && m.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Values of runs of Han numerals up to 99 (`三`, `十五`, `二十`).
fn han_numerals(text: &str) -> Vec<f64> {
    let digit = |c: char| match c {
        '零' => Some(0),
        '一' => Some(1),
        '二' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    };
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && (digit(chars[i]).is_some() || matches!(chars[i], '十' | '两')) {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let run = &chars[start..i];
        let value = match run {
            ['两'] => Some(2),
            ['十'] => Some(10),
            [d] => digit(*d),
            ['十', d] => digit(*d).map(|d| 10 + d),
            [t, '十'] => digit(*t).map(|t| t * 10),
            [t, '十', d] => digit(*t).zip(digit(*d)).map(|(t, d)| t * 10 + d),
            _ => None,
        };
        if let Some(v) = value {
            out.push(v as f64);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_letter_tests_agree_with_char() {
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    fn source(text: &str) -> Vec<Vec<f64>> {
        numbers(text, "vi", true)
            .into_iter()
            .map(|n| n.values)
            .collect()
    }

    fn has(values: &[f64], v: f64) -> bool {
        values.iter().any(|x| same_value(*x, v))
    }

    #[test]
    fn vietnamese_separators_are_read_as_values() {
        assert_eq!(source("1.676,5 người"), vec![vec![1676.5]]);
        assert_eq!(source("tăng 3,5%"), vec![vec![3.5]]);
        assert_eq!(source("Số lượt xem: 1676"), vec![vec![1676.0]]);
        assert_eq!(source("đạt 1.200.000 lượt"), vec![vec![1_200_000.0]]);
        // The English convention in a Vietnamese text still means what it says.
        assert_eq!(source("tăng 2.5 lần"), vec![vec![2.5]]);
    }

    #[test]
    fn dates_ranges_and_times_are_their_parts() {
        assert_eq!(
            source("12/11/2019 20:14, giai đoạn 2016-2020, 7 giờ 30"),
            vec![
                vec![12.0],
                vec![11.0],
                vec![2019.0],
                vec![20.0],
                vec![14.0],
                vec![2016.0],
                vec![2020.0],
                vec![7.0],
                vec![30.0]
            ]
        );
        assert_eq!(
            source("ngày 12.11.2019"),
            vec![vec![12.0], vec![11.0], vec![2019.0]]
        );
    }

    #[test]
    fn magnitudes_agree_across_languages() {
        let v = source("3,5 tỷ đồng")[0][0];
        assert!(same_value(v, 3.5e9));
        assert!(has(&answer_values("3.5 billion dong", "en"), v));
        assert!(has(&answer_values("35亿越南盾", "zh"), v));
        assert!(has(&answer_values("35억 동", "ko"), v));
        assert!(has(&answer_values("3,500 million dong", "en"), v));
        assert!(has(&answer_values("VND3.5 billion", "en"), v));
        assert!(has(&answer_values("VND3.5bn", "en"), v));
        assert!(has(&answer_values("VND 3.5 bn", "en"), v));
        assert!(!has(&answer_values("3.5 million dong", "en"), v));
        let compound = source("3 tỷ 500 triệu đồng")[0][0];
        assert!(same_value(compound, 3.5e9));
        assert!(has(&answer_values("1조 2천억 원", "ko"), 1.2e12));
        assert!(has(&answer_values("1.2万亿", "zh"), 1.2e12));
        assert!(same_value(source("2 nghìn tỷ")[0][0], 2e12));
        assert!(same_value(source("25 triệu")[0][0], 25e6));
        assert!(has(&answer_values("2500万", "zh"), 25e6));
    }

    #[test]
    fn an_unconverted_separator_is_a_different_value() {
        let v = source("1.676 du khách")[0][0];
        assert!(has(&answer_values("1,676 visitors", "en"), v));
        assert!(!has(&answer_values("1.676 visitors", "en"), v));
        assert!(has(&answer_values("1,676名游客", "zh"), v));
        let dec = source("3,5%")[0][0];
        assert!(has(&answer_values("3.5%", "en"), dec));
        assert!(!has(&answer_values("3,5%", "en"), dec));
    }

    #[test]
    fn words_and_han_numerals_count_in_answers() {
        let en = answer_values("three delegations met on November 12", "en");
        assert!(has(&en, 3.0) && has(&en, 11.0) && has(&en, 12.0));
        let en = answer_values("more than a million visitors and two billion dong", "en");
        assert!(has(&en, 1e6) && has(&en, 2e9));
        assert!(!has(&answer_values("a visit", "en"), 1.0));
        let zh = answer_values("三个代表团和十二名记者", "zh");
        assert!(has(&zh, 3.0) && has(&zh, 12.0));
    }

    #[test]
    fn digits_glued_to_letters_are_codes() {
        assert!(source("virus H5N1 và COVID-19").len() == 1);
        assert_eq!(source("COVID-19"), vec![vec![19.0]]);
    }

    /// `n` with `sep` between groups of three digits.
    fn grouped(n: u64, sep: char) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    proptest::proptest! {
        /// A Vietnamese number and its English, Korean and Chinese renderings are
        /// the same value; the English one with Vietnamese separators is not.
        #[test]
        fn renderings_agree(whole in 0u64..10_000_000, tenth in 1u64..10) {
            let vi = format!("đạt {},{tenth} tỷ đồng", grouped(whole, '.'));
            let value = source(&vi)[0][0];
            let en = format!("reached VND {}.{tenth} billion", grouped(whole, ','));
            proptest::prop_assert!(has(&answer_values(&en, "en"), value));
            let hundred_millions = whole * 10 + tenth;
            let ko = format!("{}억 동", grouped(hundred_millions, ','));
            proptest::prop_assert!(has(&answer_values(&ko, "ko"), value));
            let zh = format!("{hundred_millions}亿越南盾");
            proptest::prop_assert!(has(&answer_values(&zh, "zh"), value));
            if whole >= 1000 {
                let unconverted = format!("reached VND {},{tenth} billion", grouped(whole, '.'));
                proptest::prop_assert!(!has(&answer_values(&unconverted, "en"), value));
            }
        }
    }
}
