//! Language codes: each backend maps BCP 47 tags to its own codes, and the
//! `languages` table of its config overrides (or adds) codes.
//!
//! Invariant: an unsupported pair is refused before any request is made.

use std::collections::BTreeMap;

use super::BackendError;
use crate::config::BackendConfig;
use crate::lang::Lang;

/// A backend's built-in mapping: `None` when the service does not know the language.
pub type Builtin = fn(&Lang) -> Option<String>;

/// The code table of one backend.
#[derive(Debug, Clone)]
pub struct Codes {
    backend: String,
    overrides: BTreeMap<String, String>,
    source: Builtin,
    target: Builtin,
}

impl Codes {
    /// Codes from the built-in tables, with the config's `languages` overrides
    /// (keys canonicalised; invalid keys are rejected by config validation).
    pub fn new(backend: &str, config: &BackendConfig, source: Builtin, target: Builtin) -> Self {
        let overrides = config
            .languages
            .iter()
            .filter_map(|(tag, code)| {
                Some((Lang::parse(tag).ok()?.as_str().to_owned(), code.clone()))
            })
            .collect();
        Codes {
            backend: backend.to_owned(),
            overrides,
            source,
            target,
        }
    }

    /// The service's codes for a pair.
    ///
    /// # Errors
    /// [`BackendError::UnsupportedPair`] with a hint to add an override.
    pub fn pair(&self, source: &Lang, target: &Lang) -> Result<(String, String), BackendError> {
        let src = self.lookup(source, self.source);
        let tgt = self.lookup(target, self.target);
        match (src, tgt) {
            (Some(s), Some(t)) => Ok((s, t)),
            (s, _) => {
                let missing = if s.is_none() { source } else { target };
                Err(BackendError::UnsupportedPair {
                    backend: self.backend.clone(),
                    source_lang: source.to_string(),
                    target_lang: target.to_string(),
                    hint: Some(format!(
                        "no code for `{missing}`; if the service supports it, add `languages = {{ \"{missing}\" = \"CODE\" }}` to the backend's table"
                    )),
                })
            }
        }
    }

    fn lookup(&self, lang: &Lang, builtin: Builtin) -> Option<String> {
        self.overrides
            .get(lang.as_str())
            .cloned()
            .or_else(|| builtin(lang))
    }
}

/// `lang`'s primary subtag when it is in `known` (a space-separated list).
pub fn known_language(lang: &Lang, known: &str) -> Option<String> {
    let base = lang.language();
    known
        .split_whitespace()
        .any(|k| k == base)
        .then(|| base.to_owned())
}

/// Chinese script from the tag: `Some(true)` for Traditional (Hant, TW, HK, MO),
/// `Some(false)` for Simplified, `None` when not Chinese.
pub fn chinese_traditional(lang: &Lang) -> Option<bool> {
    if lang.language() != "zh" {
        return None;
    }
    Some(match lang.script() {
        Some(script) => script == "Hant",
        None => matches!(lang.region(), Some("TW" | "HK" | "MO")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
    }

    fn base(l: &Lang) -> Option<String> {
        known_language(l, "vi en")
    }

    #[test]
    fn override_adds_a_language_and_unknown_is_refused() {
        let mut config = BackendConfig::default();
        config.languages.insert("KO".into(), "kor".into());
        let codes = Codes::new("x", &config, base, base);
        assert_eq!(
            codes.pair(&lang("vi"), &lang("ko")).unwrap(),
            ("vi".into(), "kor".into())
        );
        let err = codes
            .pair(&lang("vi"), &lang("ja"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("vi → ja") && err.contains("languages"),
            "{err}"
        );
    }

    #[test]
    fn chinese_scripts() {
        assert_eq!(chinese_traditional(&lang("zh-Hans")), Some(false));
        assert_eq!(chinese_traditional(&lang("zh-TW")), Some(true));
        assert_eq!(chinese_traditional(&lang("ko")), None);
    }
}
