//! Runtime lookup for the portal. The code is the `dich-runtime` crate's (so the portal
//! can depend on it without the CLI and the pipeline); this module re-exports it and
//! checks that the repository's own `locales/` load through it.

pub use dich_runtime::{Formatted, Localizer, MissingMessage};

#[cfg(test)]
mod tests {
    use std::path::Path;

    use dich_runtime::FluentArgs;

    use super::*;
    use crate::lang::Lang;

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
}
