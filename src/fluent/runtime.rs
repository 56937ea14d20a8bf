//! Runtime lookup for the portal: all locales loaded into thread-safe bundles,
//! `Accept-Language` negotiation, and formatting with a fallback chain
//! (requested → `en` → the source language) that reports misses instead of panicking.

use std::collections::BTreeMap;
use std::path::Path;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use fluent_langneg::{
    LanguageIdentifier as NegId, NegotiationStrategy, accepted_languages, negotiate_languages,
};

use crate::lang::Lang;
use crate::text_position::{self, Location};

use super::FluentError;
use super::functions::add_functions;

/// A message that a locale does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no message `{id}` in locale `{lang}`")]
pub struct MissingMessage {
    /// The locale asked.
    pub lang: Lang,
    /// The message id, or `id.attribute`.
    pub id: String,
}

/// The result of [`Localizer::format_with_fallback`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    /// The formatted text; the id itself when no locale has the message.
    pub text: String,
    /// The locale that had it (`None` when none had it).
    pub lang: Option<Lang>,
    /// The locales tried before, which lack the message (log these).
    pub misses: Vec<MissingMessage>,
}

/// All locales of a project, ready to format messages for the portal.
///
/// ```
/// use dich::fluent::Localizer;
/// use dich::lang::Lang;
/// use fluent_bundle::FluentArgs;
///
/// let vi = Lang::parse("vi")?;
/// let en = Lang::parse("en")?;
/// let ko = Lang::parse("ko")?;
/// let localizer = Localizer::from_resources(
///     &vi,
///     [
///         (vi.clone(), "nav-home = Trang chủ\nviews = { $count } lượt xem\n".to_owned()),
///         (en.clone(), "nav-home = Home\nviews = { $count ->\n    [one] { $count } view\n   *[other] { $count } views\n}\n".to_owned()),
///         (ko.clone(), "nav-home = 홈\n".to_owned()),
///     ],
/// );
///
/// let lang = localizer.negotiate("ko-KR,ko;q=0.9,en;q=0.5");
/// assert_eq!(lang, ko);
/// assert_eq!(localizer.negotiate("fr-FR"), en); // nothing matches: English
///
/// let mut args = FluentArgs::new();
/// args.set("count", 1);
/// assert_eq!(localizer.format(&en, "views", Some(&args))?, "1 view");
///
/// // Korean lacks `views`: English is used, and the miss is reported.
/// let shown = localizer.format_with_fallback(&ko, "views", Some(&args));
/// assert_eq!(shown.text, "1 view");
/// assert_eq!(shown.lang, Some(en));
/// assert_eq!(shown.misses[0].to_string(), "no message `views` in locale `ko`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Localizer {
    source: Lang,
    bundles: BTreeMap<Lang, FluentBundle<FluentResource>>,
    problems: Vec<FluentError>,
}

impl std::fmt::Debug for Localizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Localizer")
            .field("source", &self.source)
            .field("locales", &self.bundles.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Localizer {
    /// Loads every `<locales_dir>/<lang>/**/*.ftl`. Syntax errors and duplicate ids do
    /// not stop loading (what parsed is used); they are kept in [`Self::problems`].
    /// Folders whose names are not language tags are skipped.
    ///
    /// # Errors
    /// [`FluentError::Io`] when the folder or a file cannot be read.
    pub fn load(locales_dir: &Path, source: &Lang) -> Result<Localizer, FluentError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| FluentError::Io { path, source }
        };
        let mut resources = Vec::new();
        for entry in std::fs::read_dir(locales_dir).map_err(io(locales_dir))? {
            let entry = entry.map_err(io(locales_dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(lang) = Lang::parse(&name) else {
                continue;
            };
            if !entry.path().is_dir() {
                continue;
            }
            for file in walkdir::WalkDir::new(entry.path()).sort_by_file_name() {
                let file = file.map_err(|e| FluentError::Io {
                    path: entry.path(),
                    source: e.into(),
                })?;
                if file.file_type().is_file() && file.path().extension().is_some_and(|x| x == "ftl")
                {
                    let text = std::fs::read_to_string(file.path()).map_err(io(file.path()))?;
                    resources.push((lang.clone(), file.path().display().to_string(), text));
                }
            }
        }
        Ok(Self::build(source, resources))
    }

    /// Builds a localizer from `(language, ftl text)` pairs (tests, embedded strings).
    pub fn from_resources(
        source: &Lang,
        resources: impl IntoIterator<Item = (Lang, String)>,
    ) -> Localizer {
        let named = resources
            .into_iter()
            .map(|(lang, text)| (lang.clone(), format!("<{lang}>"), text));
        Self::build(source, named)
    }

    fn build(
        source: &Lang,
        resources: impl IntoIterator<Item = (Lang, String, String)>,
    ) -> Localizer {
        let mut bundles: BTreeMap<Lang, FluentBundle<FluentResource>> = BTreeMap::new();
        let mut problems = Vec::new();
        for (lang, name, text) in resources {
            let bundle = bundles.entry(lang.clone()).or_insert_with(|| {
                let mut bundle = FluentBundle::new_concurrent(vec![lang.id().clone()]);
                bundle.set_use_isolating(false);
                add_functions(&mut bundle);
                bundle
            });
            let resource = match FluentResource::try_new(text) {
                Ok(resource) => resource,
                Err((resource, errors)) => {
                    if let Some(first) = errors.first() {
                        let Location { line, column } =
                            text_position::location(resource.source(), first.pos.start);
                        problems.push(FluentError::Syntax {
                            path: name.clone().into(),
                            line,
                            column,
                            message: first.kind.to_string(),
                        });
                    }
                    resource
                }
            };
            if let Err(errors) = bundle.add_resource(resource) {
                problems.extend(errors.into_iter().map(|e| FluentError::Bundle {
                    path: name.clone().into(),
                    message: e.to_string(),
                }));
            }
        }
        Localizer {
            source: source.clone(),
            bundles,
            problems,
        }
    }

    /// What went wrong while loading (syntax errors, duplicate ids), for the log.
    pub fn problems(&self) -> &[FluentError] {
        &self.problems
    }

    /// The loaded locales.
    pub fn locales(&self) -> impl Iterator<Item = &Lang> {
        self.bundles.keys()
    }

    /// The best loaded locale for an HTTP `Accept-Language` header; `en` when nothing
    /// matches (the source language if there is no `en`).
    pub fn negotiate(&self, accept_language: &str) -> Lang {
        let requested = accepted_languages::parse(accept_language);
        // fluent-langneg has its own identifier type; tags go across as strings.
        let available: Vec<(NegId, &Lang)> = self
            .bundles
            .keys()
            .filter_map(|l| Some((l.as_str().parse().ok()?, l)))
            .collect();
        let ids: Vec<NegId> = available.iter().map(|(id, _)| id.clone()).collect();
        let default = self.default_lang();
        let default_id: Option<NegId> = default.as_str().parse().ok();
        let chosen = negotiate_languages(
            &requested,
            &ids,
            default_id.as_ref(),
            NegotiationStrategy::Filtering,
        );
        chosen
            .first()
            .and_then(|id| available.iter().find(|(a, _)| a == *id))
            .map(|(_, lang)| (*lang).clone())
            .unwrap_or(default)
    }

    fn default_lang(&self) -> Lang {
        self.bundles
            .keys()
            .find(|l| l.as_str() == "en")
            .cloned()
            .unwrap_or_else(|| self.source.clone())
    }

    /// Formats message `id` (or `id.attribute`) in `lang`. Formatting errors inside the
    /// message (e.g. a missing argument) leave Fluent's placeholder text, as at runtime.
    ///
    /// # Errors
    /// [`MissingMessage`] when `lang` is not loaded or lacks the message.
    pub fn format(
        &self,
        lang: &Lang,
        id: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Result<String, MissingMessage> {
        let missing = || MissingMessage {
            lang: lang.clone(),
            id: id.to_owned(),
        };
        let bundle = self.bundles.get(lang).ok_or_else(missing)?;
        let (message_id, attribute) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        let message = bundle.get_message(message_id).ok_or_else(missing)?;
        let pattern = match attribute {
            Some(name) => message.get_attribute(name).map(|a| a.value()),
            None => message.value(),
        }
        .ok_or_else(missing)?;
        let mut errors = Vec::new();
        Ok(bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned())
    }

    /// Formats `id` in `lang`, else in `en`, else in the source language; never fails.
    /// When no locale has the message the text is the id itself, so the page still
    /// renders and the miss is visible.
    pub fn format_with_fallback(
        &self,
        lang: &Lang,
        id: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Formatted {
        let mut chain = vec![lang.clone()];
        for next in [self.default_lang(), self.source.clone()] {
            if !chain.contains(&next) {
                chain.push(next);
            }
        }
        let mut misses = Vec::new();
        for candidate in chain {
            match self.format(&candidate, id, args) {
                Ok(text) => {
                    return Formatted {
                        text,
                        lang: Some(candidate),
                        misses,
                    };
                }
                Err(miss) => misses.push(miss),
            }
        }
        Formatted {
            text: id.to_owned(),
            lang: None,
            misses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
    }

    #[test]
    fn loads_the_sample_locales_and_formats_with_fallback() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let localizer = Localizer::load(&dir, &lang("vi")).unwrap();
        assert!(
            localizer.problems().is_empty(),
            "{:?}",
            localizer.problems()
        );
        assert_eq!(localizer.locales().count(), 4);
        let mut args = FluentArgs::new();
        args.set("page", 2);
        args.set("total", 10);
        let en = localizer
            .format(&lang("en"), "pagination-page", Some(&args))
            .unwrap();
        assert_eq!(en, "Page 2 of 10");
        let zh = localizer
            .format(&lang("zh-Hans"), "search-input.placeholder", None)
            .unwrap();
        assert_eq!(zh, "请输入搜索关键词…");
        assert_eq!(localizer.negotiate("zh-CN,zh;q=0.9"), lang("zh-Hans"));
        assert_eq!(localizer.negotiate(""), lang("en"));
        let missing = localizer.format_with_fallback(&lang("ko"), "no-such-message", None);
        assert_eq!(missing.text, "no-such-message");
        assert_eq!(missing.lang, None);
        assert_eq!(missing.misses.len(), 3);
    }

    #[test]
    fn syntax_errors_and_duplicates_are_collected_not_fatal() {
        let vi = lang("vi");
        let localizer = Localizer::from_resources(
            &vi,
            [
                (vi.clone(), "a = A\nbad = {\n".to_owned()),
                (vi.clone(), "a = again\n".to_owned()),
            ],
        );
        assert_eq!(localizer.problems().len(), 2);
        assert_eq!(localizer.format(&vi, "a", None).unwrap(), "A");
        assert!(localizer.format(&lang("en"), "a", None).is_err());
    }
}
