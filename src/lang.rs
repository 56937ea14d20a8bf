//! Language tags: BCP 47 parsing and canonical form through `unic-langid`, checked
//! against the IANA Language Subtag Registry.
//!
//! Every language tag that enters dich (config, file names, locale folders, CLI flags)
//! becomes a [`Lang`], so `zh-hans`, `zh_Hans` and `zh-Hans` are one language and the
//! canonical spelling (`zh-Hans`) is what appears in file names and output.
//!
//! Syntax alone accepts `kr` and `english` (issue 14): dich would then plan `.kr.md`
//! files next to the existing `.ko.md` ones. So the language, script and region
//! subtags must also be registered with IANA (`data/language-subtags.txt`, generated
//! by `scripts/language-subtags.py`), and a refused tag comes with the likely intent.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use unic_langid::LanguageIdentifier;

/// A validated, canonicalised BCP 47 language tag.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lang {
    id: LanguageIdentifier,
    canonical: String,
}

/// A string that is not a usable language tag: bad syntax, a subtag the IANA registry
/// does not know, a deprecated subtag, or a known confusion (`kr` for Korean).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LangError {
    /// The tag as written.
    pub tag: String,
    /// What is wrong with it.
    pub problem: String,
    /// The tag the writer most likely meant, when there is one (`ko` for `kr`).
    pub suggestion: Option<String>,
}

impl fmt::Display for LangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.tag, self.problem)?;
        match &self.suggestion {
            Some(suggestion) => write!(f, "; did you mean `{suggestion}`?"),
            None => f.write_str(" (examples: `en`, `ko`, `zh-Hans`, `pt-BR`)"),
        }
    }
}

/// Country codes and names people write for a language, with the tag they mean.
/// `kr` is in the registry (Kanuri) but in a news portal's config it is Korea's
/// country code, so it is refused like the others; `tw` (Twi) and `se` (Northern
/// Sami) are left alone because their languages are plausible targets.
const CONFUSIONS: &[(&str, &str)] = &[
    ("kr", "ko"),
    ("cn", "zh-Hans"),
    ("chinese", "zh-Hans"),
    ("mandarin", "zh-Hans"),
    ("jp", "ja"),
    ("vn", "vi"),
    ("gr", "el"),
    ("cz", "cs"),
    ("dk", "da"),
    ("ua", "uk"),
    ("us", "en"),
];

impl Lang {
    /// Parses and canonicalises a tag, and checks its subtags against the IANA
    /// registry.
    ///
    /// # Errors
    /// [`LangError`] when `tag` is empty, not BCP 47, uses a subtag the registry does
    /// not list (or lists as deprecated), or is a known confusion such as `kr`; the
    /// error suggests the likely intent where there is one.
    pub fn parse(tag: &str) -> Result<Self, LangError> {
        if let Some(error) = confusion(tag) {
            return Err(error);
        }
        // A language's name (`Vietnamese`) is often too long to be a subtag at all.
        let syntax = || LangError {
            tag: tag.to_owned(),
            problem: "is not a valid BCP 47 language tag".to_owned(),
            suggestion: REGISTRY.language_named(tag).map(str::to_owned),
        };
        if tag.trim().is_empty() || tag.contains(char::is_whitespace) {
            return Err(syntax());
        }
        let id: LanguageIdentifier = tag.parse().map_err(|_| syntax())?;
        if id.language.is_empty() {
            return Err(syntax());
        }
        let lang = Lang {
            canonical: id.to_string(),
            id,
        };
        lang.check_registry(tag)?;
        Ok(lang)
    }

    fn check_registry(&self, tag: &str) -> Result<(), LangError> {
        let registry = &*REGISTRY;
        let error = |problem: String, suggestion: Option<String>| LangError {
            tag: tag.to_owned(),
            problem,
            suggestion,
        };
        let language = self.language();
        if let Some(preferred) = registry.deprecated.get(language) {
            let suggestion = self.canonical.replacen(language, preferred, 1);
            return Err(error(
                format!("uses the deprecated language subtag `{language}`"),
                Some(suggestion),
            ));
        }
        if !registry.has_language(language) {
            return Err(error(
                format!("is not in the IANA language subtag registry (language `{language}`)"),
                registry.language_named(tag).map(str::to_owned),
            ));
        }
        if let Some(script) = self.script().filter(|s| !registry.has_script(s)) {
            return Err(error(
                format!("has a script subtag the IANA registry does not list: `{script}`"),
                None,
            ));
        }
        if let Some(region) = self.region().filter(|r| !registry.has_region(r)) {
            return Err(error(
                format!("has a region subtag the IANA registry does not list: `{region}`"),
                None,
            ));
        }
        Ok(())
    }

    /// Advice on a valid tag that is rarely the right target: `zh-CN` is valid, but
    /// `zh-Hans` is how services and site generators name Simplified Chinese.
    pub fn advice(&self) -> Option<String> {
        if self.language() != "zh" || self.script().is_some() {
            return None;
        }
        let (usual, name) = match self.region() {
            Some("TW" | "HK" | "MO") => ("zh-Hant", "Traditional Chinese"),
            Some(_) => ("zh-Hans", "Simplified Chinese"),
            None => {
                return Some(format!(
                    "`{self}` does not say which script: `zh-Hans` (Simplified Chinese) or `zh-Hant` (Traditional Chinese) is the usual target"
                ));
            }
        };
        Some(format!(
            "`{self}` is valid, but `{usual}` is the usual target for {name} (translation services and site generators key Chinese by script)"
        ))
    }

    /// The canonical tag, e.g. `zh-Hans`.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// The primary language subtag, e.g. `zh`.
    pub fn language(&self) -> &str {
        self.id.language.as_str()
    }

    /// The script subtag, if any, e.g. `Hans`.
    pub fn script(&self) -> Option<&str> {
        self.id.script.as_ref().map(|s| s.as_str())
    }

    /// The region subtag, if any, e.g. `BR`.
    pub fn region(&self) -> Option<&str> {
        self.id.region.as_ref().map(|r| r.as_str())
    }

    /// The `unic-langid` identifier (for Fluent and plural rules).
    pub fn id(&self) -> &LanguageIdentifier {
        &self.id
    }

    /// True for languages written without spaces between sentences (Chinese, Japanese).
    pub fn joins_sentences_without_space(&self) -> bool {
        matches!(self.language(), "zh" | "ja" | "yue")
    }
}

/// A tag from [`CONFUSIONS`], refused with the tag that was meant (any casing).
fn confusion(tag: &str) -> Option<LangError> {
    let lower = tag.to_ascii_lowercase();
    let (_, meant) = CONFUSIONS.iter().find(|(wrong, _)| *wrong == lower)?;
    let problem = match REGISTRY.name_of(&lower) {
        Some(name) => format!(
            "is registered for {name}, but is almost always a country code written for a language"
        ),
        None => "is a country code or a name, not a language subtag".to_owned(),
    };
    Some(LangError {
        tag: tag.to_owned(),
        problem,
        suggestion: Some((*meant).to_owned()),
    })
}

/// The IANA registry, parsed once from the data file compiled into the binary.
static REGISTRY: LazyLock<Registry> =
    LazyLock::new(|| Registry::parse(include_str!("../data/language-subtags.txt")));

/// The subtags dich checks (see `scripts/language-subtags.py` for the file format).
struct Registry {
    /// Two-letter language subtags with their English names (`|`-separated).
    names: HashMap<&'static str, &'static str>,
    language3: HashSet<&'static str>,
    deprecated: HashMap<&'static str, &'static str>,
    scripts: HashSet<&'static str>,
    regions: HashSet<&'static str>,
}

impl Registry {
    fn parse(text: &'static str) -> Registry {
        let mut registry = Registry {
            names: HashMap::new(),
            language3: HashSet::new(),
            deprecated: HashMap::new(),
            scripts: HashSet::new(),
            regions: HashSet::new(),
        };
        let mut section = "";
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            if let Some(name) = line.strip_prefix('@') {
                section = name;
                continue;
            }
            match section {
                "language2" | "deprecated" => {
                    let (subtag, value) = line.split_once('\t').unwrap_or((line, ""));
                    let map = if section == "deprecated" {
                        &mut registry.deprecated
                    } else {
                        &mut registry.names
                    };
                    map.insert(subtag, value);
                }
                "language3" => registry.language3.extend(line.split(' ')),
                "script" => registry.scripts.extend(line.split(' ')),
                "region" => registry.regions.extend(line.split(' ')),
                _ => {}
            }
        }
        registry
    }

    fn has_language(&self, subtag: &str) -> bool {
        self.names.contains_key(subtag)
            || self.language3.contains(subtag)
            || in_range(subtag, "qaa", "qtz")
    }

    fn has_script(&self, subtag: &str) -> bool {
        self.scripts.contains(subtag) || in_range(subtag, "Qaaa", "Qabx")
    }

    fn has_region(&self, subtag: &str) -> bool {
        self.regions.contains(subtag)
            || in_range(subtag, "QM", "QZ")
            || in_range(subtag, "XA", "XZ")
    }

    /// The first English name of a two-letter subtag.
    fn name_of(&self, subtag: &str) -> Option<&'static str> {
        self.names.get(subtag)?.split('|').next()
    }

    /// The two-letter subtag whose English name is `name` (`English` → `en`).
    fn language_named(&self, name: &str) -> Option<&'static str> {
        self.names
            .iter()
            .find(|(_, names)| names.split('|').any(|n| n.eq_ignore_ascii_case(name)))
            .map(|(subtag, _)| *subtag)
    }
}

/// Private-use ranges (`qaa..qtz`): same length, between the ends in ASCII order.
fn in_range(subtag: &str, first: &str, last: &str) -> bool {
    subtag.len() == first.len() && (first..=last).contains(&subtag)
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.canonical)
    }
}

impl FromStr for Lang {
    type Err = LangError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::parse(s)
    }
}

impl serde::Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.canonical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalises_case_and_separator() {
        assert_eq!(Lang::parse("zh-hans").unwrap().as_str(), "zh-Hans");
        assert_eq!(Lang::parse("zh_Hans").unwrap().as_str(), "zh-Hans");
        assert_eq!(Lang::parse("EN").unwrap().as_str(), "en");
        assert_eq!(Lang::parse("pt-br").unwrap().region(), Some("BR"));
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", " ", "english language", "x", "123", "en--US"] {
            assert!(Lang::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    fn suggestion(tag: &str) -> Option<String> {
        Lang::parse(tag).expect_err(tag).suggestion
    }

    #[test]
    fn country_codes_and_names_are_refused_with_the_likely_intent() {
        for (wrong, meant) in [
            ("kr", "ko"),
            ("KR", "ko"),
            ("english", "en"),
            ("Vietnamese", "vi"),
            ("cn", "zh-Hans"),
            ("jp", "ja"),
            ("vn", "vi"),
        ] {
            assert_eq!(suggestion(wrong).as_deref(), Some(meant), "{wrong}");
        }
        let message = Lang::parse("kr").unwrap_err().to_string();
        assert!(
            message.contains("Kanuri") && message.contains("`ko`"),
            "{message}"
        );
    }

    #[test]
    fn subtags_must_be_registered() {
        // Syntactically fine, unknown to IANA: language, script, region.
        for bad in ["xx", "draft", "en-Abcd", "en-QA1", "zh-Hanz", "en-AB"] {
            assert!(Lang::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        for good in [
            "yue",
            "fil",
            "es-419",
            "sr-Latn-RS",
            "qaa",
            "de-CH-1996",
            "ko",
        ] {
            assert!(Lang::parse(good).is_ok(), "{good:?} should be accepted");
        }
    }

    #[test]
    fn deprecated_subtags_point_to_their_replacement() {
        assert_eq!(suggestion("iw").as_deref(), Some("he"));
        assert_eq!(suggestion("in-ID").as_deref(), Some("id-ID"));
    }

    #[test]
    fn regional_chinese_is_valid_with_advice() {
        let advice = Lang::parse("zh-CN").unwrap().advice().unwrap();
        assert!(advice.contains("`zh-Hans`"), "{advice}");
        let advice = Lang::parse("zh-TW").unwrap().advice().unwrap();
        assert!(advice.contains("`zh-Hant`"), "{advice}");
        assert_eq!(Lang::parse("zh-Hans").unwrap().advice(), None);
        assert_eq!(Lang::parse("ko").unwrap().advice(), None);
    }

    #[test]
    fn chinese_joins_without_space() {
        assert!(
            Lang::parse("zh-Hans")
                .unwrap()
                .joins_sentences_without_space()
        );
        assert!(!Lang::parse("ko").unwrap().joins_sentences_without_space());
    }
}
