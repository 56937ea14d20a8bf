//! CLDR cardinal plural categories of a locale, from `intl_pluralrules`, with sample
//! numbers for each category.
//!
//! `intl_pluralrules` 7 (CLDR 37) exposes the rules only as `select(number) →
//! category`, neither the list of categories nor CLDR's `@integer`/`@decimal` samples,
//! so both are found by selecting a spread of numbers: every integer 0–1000, powers of
//! ten up to a billion (Breton and Welsh rules look at `n % 1000000`), and decimals with
//! one and two fraction digits. Every CLDR rule for a cardinal category is reached by
//! one of them.
//!
//! Which categories a message must have is a separate question from which exist: see
//! [`PluralCategories`].

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use unic_langid::LanguageIdentifier;

pub(crate) use crate::config::PluralCategories;

use super::parse::CLDR_CATEGORIES;

/// How many integer samples are kept per category (the smallest ones).
const MAX_INTEGER_SAMPLES: usize = 12;
/// The decimals tried, as CLDR writes them (the visible fraction digits matter:
/// `1.0` is not `1`).
const DECIMALS: [&str; 9] = [
    "1.5",
    "2.5",
    "0.5",
    "0.1",
    "1.1",
    "0.01",
    "1.01",
    "1.25",
    "1000000.0",
];

/// The plural rules of one language, and sample numbers for each of its categories.
pub(crate) struct Plural {
    rules: PluralRules,
    /// Index = position in [`CLDR_CATEGORIES`].
    samples: [Samples; 6],
}

#[derive(Default, Clone)]
struct Samples {
    /// The smallest integers the category selects, ascending.
    integers: Vec<u64>,
    /// Decimals it selects, in [`DECIMALS`] order.
    decimals: Vec<&'static str>,
}

impl Samples {
    fn is_empty(&self) -> bool {
        self.integers.is_empty() && self.decimals.is_empty()
    }
}

impl std::fmt::Debug for Plural {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plural")
            .field("categories", &self.categories())
            .finish()
    }
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

fn index(category: &str) -> usize {
    CLDR_CATEGORIES
        .iter()
        .position(|c| *c == category)
        .unwrap_or(5)
}

impl Plural {
    /// The rules of `lang`, falling back to its bare language (`zh-Hans` → `zh`);
    /// `None` when CLDR has no rules for it.
    pub(crate) fn new(lang: &LanguageIdentifier) -> Option<Plural> {
        let rules = PluralRules::create(lang.clone(), PluralRuleType::CARDINAL)
            .ok()
            .or_else(|| {
                let bare = LanguageIdentifier::from_parts(lang.language, None, None, &[]);
                PluralRules::create(bare, PluralRuleType::CARDINAL).ok()
            })?;
        let mut samples: [Samples; 6] = Default::default();
        let powers = (4..=9).map(|e| 10u64.pow(e));
        for n in (0..=1000).chain(powers) {
            if let Ok(category) = rules.select(n) {
                let found = &mut samples[index(name(&category))].integers;
                if found.len() < MAX_INTEGER_SAMPLES {
                    found.push(n);
                }
            }
        }
        for decimal in DECIMALS {
            if let Ok(category) = rules.select(decimal) {
                samples[index(name(&category))].decimals.push(decimal);
            }
        }
        Some(Plural { rules, samples })
    }

    /// Every cardinal category the language uses, in CLDR order (`zero`…`other`).
    pub(crate) fn categories(&self) -> Vec<&'static str> {
        self.categories_where(|s| !s.is_empty())
    }

    /// The categories some integer selects: the ones a count (of files, of minutes)
    /// can reach.
    pub(crate) fn integer_categories(&self) -> Vec<&'static str> {
        self.categories_where(|s| !s.integers.is_empty())
    }

    /// The categories a plural select must have under `scope`.
    pub(crate) fn required(&self, scope: PluralCategories) -> Vec<&'static str> {
        match scope {
            PluralCategories::Integers => self.integer_categories(),
            PluralCategories::All => self.categories(),
        }
    }

    fn categories_where(&self, keep: impl Fn(&Samples) -> bool) -> Vec<&'static str> {
        CLDR_CATEGORIES
            .iter()
            .zip(&self.samples)
            .filter_map(|(c, s)| keep(s).then_some(*c))
            .collect()
    }

    /// The category `number` (as Fluent would pass it, e.g. `21` or `1.5`) selects.
    pub(crate) fn select(&self, number: &str) -> &'static str {
        self.rules
            .select(number)
            .map_or("other", |category| name(&category))
    }

    /// The smallest integers `category` selects (at most a dozen), ascending.
    pub(crate) fn integers(&self, category: &str) -> &[u64] {
        &self.samples[index(category)].integers
    }

    /// Decimals `category` selects, e.g. `1.5` for Russian `other`.
    pub(crate) fn decimals(&self, category: &str) -> &[&'static str] {
        &self.samples[index(category)].decimals
    }

    /// Numbers of `category` to put in the text a backend translates, best first:
    /// integers from 2 up (`21` for Russian `one` shows a count, as `1` might read as
    /// "a"), then 1 and 0, then decimals. Numbers a numeric variant (`[0]`) catches
    /// first are left out. At most five.
    pub(crate) fn translation_samples(&self, category: &str, numeric_keys: &[f64]) -> Vec<String> {
        // Integer samples are below 10^10: exact in an f64.
        let free = |n: &&u64| !numeric_keys.contains(&(**n as f64));
        let integers = self.integers(category);
        let mut out: Vec<String> = integers
            .iter()
            .filter(|n| **n >= 2)
            .filter(free)
            .map(u64::to_string)
            .collect();
        out.extend(
            integers
                .iter()
                .filter(|n| **n < 2)
                .rev()
                .filter(free)
                .map(u64::to_string),
        );
        out.extend(self.decimals(category).iter().map(|d| (*d).to_owned()));
        out.truncate(5);
        out
    }

    /// Every sample of `category`: its integers, then its decimals.
    pub(crate) fn all_samples(&self, category: &str) -> Vec<String> {
        let samples = &self.samples[index(category)];
        let integers = samples.integers.iter().map(u64::to_string);
        integers
            .chain(samples.decimals.iter().map(|d| (*d).to_owned()))
            .collect()
    }

    /// True when `number` is the only number `category` selects (English `one` is 1
    /// alone; Russian `one` is 1, 21, 31 …; French `one` is 0, 1 and 1.5).
    pub(crate) fn holds_only(&self, category: &str, number: &str) -> bool {
        let samples = &self.samples[index(category)];
        samples.decimals.is_empty()
            && samples.integers.len() == 1
            && samples.integers.first().map(u64::to_string).as_deref() == Some(number)
    }

    /// Numbers that together select every category of the language, one integer and
    /// one decimal per category where it has them, plus `0` (for `[0]` variants):
    /// what the runtime check formats each numeric variable with.
    pub(crate) fn sample_numbers(&self) -> Vec<f64> {
        let mut out = vec![0.0];
        for samples in &self.samples {
            if let Some(n) = samples.integers.first() {
                // Integer samples are below 10^10: exact in an f64.
                out.push(*n as f64);
            }
            if let Some(d) = samples.decimals.first().and_then(|d| d.parse().ok()) {
                out.push(d);
            }
        }
        out.sort_by(f64::total_cmp);
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plural(tag: &str) -> Plural {
        Plural::new(&tag.parse().unwrap()).unwrap()
    }

    fn cats(tag: &str) -> Vec<&'static str> {
        plural(tag).categories()
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

    /// Czech, Slovak and Lithuanian `many` is for fractions only (`1.5 souboru`);
    /// Russian `other` likewise. Whole numbers never reach them.
    #[test]
    fn integer_categories_leave_out_fraction_only_ones() {
        let ints = |tag: &str| plural(tag).integer_categories();
        assert_eq!(ints("cs"), ["one", "few", "other"]);
        assert_eq!(ints("sk"), ["one", "few", "other"]);
        assert_eq!(ints("lt"), ["one", "few", "other"]);
        assert_eq!(ints("ru"), ["one", "few", "many"]);
        assert_eq!(ints("pl"), ["one", "few", "many"]);
        assert_eq!(ints("he"), ["one", "two", "many", "other"]);
        assert_eq!(ints("en"), ["one", "other"]);
        assert_eq!(ints("ar"), ["zero", "one", "two", "few", "many", "other"]);
        assert_eq!(plural("cs").required(PluralCategories::All), cats("cs"));
        assert_eq!(
            plural("cs").required(PluralCategories::Integers),
            ["one", "few", "other"]
        );
    }

    #[test]
    fn samples_follow_the_rules() {
        let ru = plural("ru");
        assert_eq!(&ru.integers("one")[..4], [1, 21, 31, 41]);
        assert_eq!(&ru.integers("few")[..4], [2, 3, 4, 22]);
        assert_eq!(&ru.integers("many")[..3], [0, 5, 6]);
        assert!(ru.integers("other").is_empty());
        assert_eq!(ru.decimals("other")[0], "1.5");
        assert_eq!(ru.select("21"), "one");
        assert_eq!(ru.select("1.5"), "other");
        assert_eq!(plural("en").integers("one"), [1]);
        assert_eq!(plural("ar").integers("two"), [2]);
        assert_eq!(plural("ar").integers("many")[0], 11);
        // One number per category, so a runtime check reaches every variant.
        let numbers = plural("ar").sample_numbers();
        let reached: std::collections::BTreeSet<&str> = numbers
            .iter()
            .map(|n| plural("ar").select(&n.to_string()))
            .collect();
        assert_eq!(reached.len(), 6, "{numbers:?}");
    }
}
