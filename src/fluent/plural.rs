//! CLDR cardinal plural categories of a locale, from `intl_pluralrules`.
//!
//! `intl_pluralrules` 7 exposes the rules only as `select(number) → category`, not as a
//! list of categories, so the list is found by selecting a spread of sample numbers
//! (integers 0–200, powers of ten up to a million, and decimals). Every CLDR rule for a
//! cardinal category is reached by one of them.

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use unic_langid::LanguageIdentifier;

/// The plural rules of `lang`, falling back to its bare language (`zh-Hans` → `zh`).
fn rules(lang: &LanguageIdentifier) -> Option<PluralRules> {
    PluralRules::create(lang.clone(), PluralRuleType::CARDINAL)
        .ok()
        .or_else(|| {
            let bare = LanguageIdentifier::from_parts(lang.language, None, None, &[]);
            PluralRules::create(bare, PluralRuleType::CARDINAL).ok()
        })
}

fn name(category: &PluralCategory) -> &'static str {
    match category {
        PluralCategory::ZERO => "zero",
        PluralCategory::ONE => "one",
        PluralCategory::TWO => "two",
        PluralCategory::FEW => "few",
        PluralCategory::MANY => "many",
        PluralCategory::OTHER => "other",
    }
}

/// The cardinal categories `lang` uses, in CLDR order (`zero`…`other`); `None` when
/// CLDR has no rules for it.
pub(crate) fn categories(lang: &LanguageIdentifier) -> Option<Vec<&'static str>> {
    let rules = rules(lang)?;
    let mut samples: Vec<String> = (0..=200).map(|n| n.to_string()).collect();
    samples.extend(["1000", "10000", "100000", "1000000", "1000000.0"].map(String::from));
    samples.extend((0..30).map(|n| format!("{}.{}", n / 10, n % 10)));
    samples.extend(["0.01", "1.01", "1.25", "2.5"].map(String::from));
    let mut found = [false; 6];
    for sample in &samples {
        if let Ok(category) = rules.select(sample.as_str()) {
            let index = super::parse::CLDR_CATEGORIES
                .iter()
                .position(|c| *c == name(&category))
                .unwrap_or(5);
            found[index] = true;
        }
    }
    Some(
        super::parse::CLDR_CATEGORIES
            .iter()
            .zip(found)
            .filter_map(|(c, f)| f.then_some(*c))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(tag: &str) -> Vec<&'static str> {
        categories(&tag.parse().unwrap()).unwrap()
    }

    #[test]
    fn known_locales() {
        assert_eq!(cats("vi"), ["other"]);
        assert_eq!(cats("en"), ["one", "other"]);
        assert_eq!(cats("ko"), ["other"]);
        assert_eq!(cats("zh-Hans"), ["other"]);
        assert_eq!(cats("ru"), ["one", "few", "many", "other"]);
        assert_eq!(cats("ar"), ["zero", "one", "two", "few", "many", "other"]);
        assert_eq!(cats("pl"), ["one", "few", "many", "other"]);
    }
}
