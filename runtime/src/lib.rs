//! dich-runtime: the portal's side of dich's Fluent UI strings. It loads
//! `locales/<lang>/**/*.ftl`, picks a locale from an HTTP `Accept-Language` header, and
//! formats messages with a fallback chain (requested → `en` → the source language) that
//! reports misses instead of panicking.
//!
//! It is the small crate a web server depends on: no CLI, no HTTP client, no async
//! runtime, no database (see `README.md` for why a crate and not cargo features).
//! `dich` depends on it and re-exports it, so `dich::fluent::Localizer` is the same type.
//!
//! # Example
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use dich_runtime::{FluentArgs, Lang, Localizer};
//!
//! // A tiny locales tree: Vietnamese is the source, English and Korean translations.
//! let dir = tempfile::tempdir()?;
//! let locales = dir.path().join("locales");
//! for (file, text) in [
//!     ("vi/main.ftl", "home = Trang chủ\nviews = { $count } lượt xem\n"),
//!     ("en/main.ftl", "home = Home\nviews = { $count ->\n    [one] { $count } view\n   *[other] { $count } views\n}\n"),
//!     ("ko/main.ftl", "home = 홈\n"),
//!     // Hidden folders are not part of a locale: this old copy is never loaded.
//!     ("ko/.backup/main.ftl", "home = 옛 홈\nviews = { $count } 조회\n"),
//! ] {
//!     let path = locales.join(file);
//!     std::fs::create_dir_all(path.parent().unwrap())?;
//!     std::fs::write(path, text)?;
//! }
//!
//! let localizer = Localizer::load(&locales, &Lang::parse("vi")?)?;
//! assert!(localizer.problems().is_empty());
//!
//! // Negotiation: the best loaded locale for the browser's header, else English.
//! let ko = localizer.negotiate("ko-KR,ko;q=0.9,en;q=0.5");
//! assert_eq!(ko.as_str(), "ko");
//! assert_eq!(localizer.negotiate("fr-FR").as_str(), "en");
//! assert_eq!(localizer.format(&ko, "home", None)?, "홈");
//!
//! // Korean lacks `views`: English is used, and the miss is reported for the log.
//! let mut args = FluentArgs::new();
//! args.set("count", 3);
//! let shown = localizer.format_with_fallback(&ko, "views", Some(&args));
//! assert_eq!(shown.text, "3 views");
//! assert_eq!(shown.lang.as_ref().map(Lang::as_str), Some("en"));
//! assert_eq!(shown.misses[0].to_string(), "no message `views` in locale `ko`");
//!
//! // No locale has it: the id itself is shown, so the page renders and the gap shows.
//! assert_eq!(localizer.format_with_fallback(&ko, "nope", None).text, "nope");
//! # Ok(())
//! # }
//! ```
//!
//! # Modules
//!
//! - [`Localizer`] (loading, negotiation, formatting) and [`ftl_files`], the one
//!   `.ftl` discovery function `dich check`, `dich translate` and `dich status` share;
//! - [`lang`]: BCP 47 language tags ([`Lang`]);
//! - [`functions`]: `NUMBER()` and `DATETIME()`, the same in `dich check` and here;
//! - [`text_position`]: byte offset → line:column for errors.

mod discover;
mod error;
pub mod functions;
pub mod lang;
mod localizer;
pub mod text_position;

pub use discover::ftl_files;
pub use error::FluentError;
pub use lang::{Lang, LangError};
pub use localizer::{Formatted, Localizer, MissingMessage};

/// Re-exported so the portal passes message arguments without depending on
/// `fluent-bundle` itself (and on the same version of it).
pub use fluent_bundle::{FluentArgs, FluentValue};
