//! The expected length of an answer relative to its source, per target language.
//!
//! Lengths are counted in characters without tags. Vietnamese spells every syllable
//! apart, so an English answer is about as long as its source, a Korean one about
//! half and a Chinese one about a third. Short segments vary too much to judge and
//! are not checked.

use crate::lang::Lang;

/// Sources shorter than this (in characters) are not length-checked.
pub const MIN_SOURCE_CHARS: usize = 30;

/// Pairs needed before [`LengthBand::learn`] trusts the data.
pub const MIN_LEARN_PAIRS: usize = 200;

/// The accepted range of `answer chars / source chars`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LengthBand {
    /// Lowest accepted ratio.
    pub min: f64,
    /// Highest accepted ratio.
    pub max: f64,
}

impl LengthBand {
    /// The documented default for answers in `target` from Vietnamese (see
    /// `docs/qa.md`): wide enough for every clean pair of the benchmark corpus.
    pub fn default_for(target: &Lang) -> LengthBand {
        let (min, max) = match target.language() {
            "zh" | "ja" | "yue" => (0.15, 0.65),
            "ko" => (0.25, 0.9),
            "th" | "lo" | "km" | "my" => (0.5, 2.0),
            _ => (0.6, 1.9),
        };
        LengthBand { min, max }
    }

    /// A band learned from accepted `(source, answer)` pairs (e.g. the memory's
    /// human-reviewed entries): the 0.5th to 99.5th percentile of their ratios,
    /// widened by 10 %. `None` with fewer than [`MIN_LEARN_PAIRS`] usable pairs.
    pub fn learn<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<LengthBand> {
        let mut ratios: Vec<f64> = pairs.into_iter().filter_map(|(s, a)| ratio(s, a)).collect();
        if ratios.len() < MIN_LEARN_PAIRS {
            return None;
        }
        ratios.sort_by(f64::total_cmp);
        let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
        Some(LengthBand {
            min: at(0.005) * 0.9,
            max: at(0.995) * 1.1,
        })
    }

    /// The ratio of `answer` to `source` when it is outside the band.
    pub fn violation(&self, source: &str, answer: &str) -> Option<f64> {
        ratio(source, answer).filter(|r| *r < self.min || *r > self.max)
    }

    /// [`LengthBand::violation`] of an answer whose tags are blanked out already
    /// (white space does not count, so a blank is no character: no copy without tags)
    /// against a source of `source_chars` counted characters ([`count`], worked out
    /// once per source).
    pub(crate) fn violation_untagged(&self, source_chars: usize, answer: &str) -> Option<f64> {
        ratio_of(source_chars, count(answer)).filter(|r| *r < self.min || *r > self.max)
    }
}

/// Characters of `answer` per character of `source`, when the source is long enough
/// to judge. Tags and surrounding white space do not count.
fn ratio(source: &str, answer: &str) -> Option<f64> {
    let strip = crate::markup::strip_tags;
    ratio_of(count(&strip(source)), count(&strip(answer)))
}

fn ratio_of(source_chars: usize, answer_chars: usize) -> Option<f64> {
    (source_chars >= MIN_SOURCE_CHARS).then(|| answer_chars as f64 / source_chars as f64)
}

/// The characters of `text` (without tags) that count for its length.
pub(crate) fn count(text: &str) -> usize {
    // Placeables (`{ DATETIME($date) }`) are code, the same length in every language.
    let mut depth = 0usize;
    text.chars()
        .filter(|c| {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => return depth == 0 && !c.is_whitespace(),
            }
            false
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str =
        "Tổng kết công tác thông tin đối ngoại trên địa bàn tỉnh giai đoạn 2016-2020";

    #[test]
    fn defaults_accept_real_translations_and_reject_halves() {
        let en = LengthBand::default_for(&Lang::parse("en").unwrap());
        let full = "Review of external information work in the province for 2016-2020";
        assert_eq!(en.violation(SOURCE, full), None);
        assert!(en.violation(SOURCE, "Review of external").is_some());
        let zh = LengthBand::default_for(&Lang::parse("zh-Hans").unwrap());
        assert_eq!(
            zh.violation(SOURCE, "全省2016-2020年对外信息工作总结"),
            None
        );
        assert!(zh.violation(SOURCE, full).is_some());
        // Too short to judge.
        assert_eq!(en.violation("Xin chào", "Hi"), None);
        // Placeables do not count.
        let source = "{ $name } lúc { DATETIME($date, timeStyle: \"short\") }";
        let answer = "{ $name } at { DATETIME($date, timeStyle: \"short\") }";
        assert_eq!(en.violation(source, answer), None);
    }

    #[test]
    fn learning_needs_enough_pairs_and_covers_them() {
        let answer = "x".repeat(40);
        let pairs: Vec<(&str, &str)> = (0..MIN_LEARN_PAIRS)
            .map(|_| (SOURCE, answer.as_str()))
            .collect();
        assert_eq!(LengthBand::learn(pairs[1..].iter().copied()), None);
        let band = LengthBand::learn(pairs.iter().copied()).unwrap();
        assert_eq!(band.violation(SOURCE, &answer), None);
        assert!(band.violation(SOURCE, &"x".repeat(80)).is_some());
    }
}
