//! Language tags: BCP 47 parsing and canonical form, through `unic-langid`.
//!
//! Every language tag that enters dich (config, file names, locale folders, CLI flags)
//! becomes a [`Lang`], so `zh-hans`, `zh_Hans` and `zh-Hans` are one language and the
//! canonical spelling (`zh-Hans`) is what appears in file names and output.
//!
//! It lives in the runtime crate because [`Localizer`](crate::Localizer) speaks it;
//! `dich` re-exports this module as `dich::lang`.

use std::fmt;
use std::str::FromStr;

use unic_langid::LanguageIdentifier;

/// A validated, canonicalised BCP 47 language tag.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lang {
    id: LanguageIdentifier,
    canonical: String,
}

/// A string that is not a valid BCP 47 language tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{tag}` is not a valid BCP 47 language tag (examples: `en`, `ko`, `zh-Hans`, `pt-BR`)")]
pub struct LangError {
    /// The tag as written.
    pub tag: String,
}

impl Lang {
    /// Parses and canonicalises a tag.
    ///
    /// # Errors
    /// [`LangError`] when `tag` is empty or not BCP 47.
    pub fn parse(tag: &str) -> Result<Self, LangError> {
        let error = || LangError {
            tag: tag.to_owned(),
        };
        if tag.trim().is_empty() || tag.contains(char::is_whitespace) {
            return Err(error());
        }
        let id: LanguageIdentifier = tag.parse().map_err(|_| error())?;
        if id.language.is_empty() {
            return Err(error());
        }
        Ok(Lang {
            canonical: id.to_string(),
            id,
        })
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
