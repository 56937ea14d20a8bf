//! The app's own UI strings: Fluent files embedded in the binary, looked up with the
//! runtime crate's [`Localizer`], the language negotiated from `Accept-Language`.

use dich_runtime::{FluentArgs, Lang, Localizer};

/// The embedded `.ftl` files, `(language, text)`. Vietnamese is the reference.
pub(crate) const LOCALES: &[(&str, &str)] = &[
    ("vi", include_str!("locales/vi/serve.ftl")),
    ("en", include_str!("locales/en/serve.ftl")),
];

/// All UI locales, loaded once.
pub(crate) fn localizer() -> Localizer {
    let resources = LOCALES
        .iter()
        .filter_map(|(tag, text)| Some((Lang::parse(tag).ok()?, (*text).to_owned())));
    let source = Lang::parse("vi").unwrap_or_else(|_| unreachable_lang());
    Localizer::from_resources(&source, resources)
}

/// `vi` always parses; this keeps the code free of `unwrap` all the same.
fn unreachable_lang() -> Lang {
    Lang::parse("en").unwrap_or_else(|_| unreachable!("`en` is a valid language tag"))
}

/// The strings of one request, in its negotiated language.
pub(crate) struct Texts<'a> {
    localizer: &'a Localizer,
    /// The language the page is shown in.
    pub(crate) lang: Lang,
}

impl<'a> Texts<'a> {
    /// The strings for a request with this `Accept-Language` header.
    pub(crate) fn negotiate(localizer: &'a Localizer, accept_language: &str) -> Texts<'a> {
        Texts {
            lang: localizer.negotiate(accept_language),
            localizer,
        }
    }

    /// Message `id`.
    pub(crate) fn t(&self, id: &str) -> String {
        self.localizer
            .format_with_fallback(&self.lang, id, None)
            .text
    }

    /// Message `id` with string arguments.
    pub(crate) fn with(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, (*value).to_owned());
        }
        self.localizer
            .format_with_fallback(&self.lang, id, Some(&fluent_args))
            .text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ui_strings_pass_dich_check_strictly() {
        let dir = tempfile::tempdir().unwrap();
        let locales = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/serve/locales");
        let config = format!(
            "[project]\nsource = \"vi\"\ntargets = [\"en\"]\nlocales_dir = '{}'\n",
            locales.display()
        );
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let config = crate::config::Config::from_file(&dir.path().join("config.toml")).unwrap();
        let report = crate::fluent::check(&config);
        assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
        assert_eq!(
            report.summary.files,
            LOCALES.len(),
            "both files were checked"
        );
    }

    #[test]
    fn a_message_is_formatted_in_the_negotiated_language_with_its_arguments() {
        let localizer = localizer();
        assert!(
            localizer.problems().is_empty(),
            "{:?}",
            localizer.problems()
        );
        let vi = Texts::negotiate(&localizer, "vi");
        assert_eq!(
            vi.with("serve-signed-in-as", &[("name", "An")]),
            "Đã đăng nhập: An"
        );
        let en = Texts::negotiate(&localizer, "ko-KR,en;q=0.5");
        assert_eq!(en.t("serve-save"), "Save");
    }
}
