//! The Fluent functions dich provides, the same for `dich check`'s runtime check and
//! the portal's [`Localizer`](crate::Localizer): the built-in `NUMBER()` and a small
//! `DATETIME()`. One place, so a message that passes the check formats the same way
//! on the portal.
//!
//! fluent-bundle has no `DATETIME()`; this one takes an RFC 3339 string, a `YYYY-MM-DD`
//! date or a Unix timestamp (seconds) and writes `YYYY-MM-DD`, with `HH:MM` after it
//! when the call passes `timeStyle`. Anything else formats as the Fluent error value.

use std::borrow::Borrow;

use chrono::{DateTime, NaiveDate};
use fluent_bundle::bundle::FluentBundle;
use fluent_bundle::memoizer::MemoizerKind;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// Adds `NUMBER()` and `DATETIME()` to `bundle` (a new one: a name already taken is
/// left as it is).
pub fn add_functions<R: Borrow<FluentResource>, M: MemoizerKind>(bundle: &mut FluentBundle<R, M>) {
    // Both can only fail when the name is taken, and the bundle is new.
    let _ = bundle.add_builtins();
    let _ = bundle.add_function("DATETIME", datetime);
}

fn datetime<'a>(positional: &[FluentValue<'a>], named: &FluentArgs) -> FluentValue<'a> {
    let parsed = match positional.first() {
        Some(FluentValue::String(s)) => parse_date(s),
        Some(FluentValue::Number(n)) => {
            DateTime::from_timestamp(n.value as i64, 0).map(|d| d.naive_utc())
        }
        _ => None,
    };
    let Some(date) = parsed else {
        return FluentValue::Error;
    };
    let format = if named.get("timeStyle").is_some() {
        "%Y-%m-%d %H:%M"
    } else {
        "%Y-%m-%d"
    };
    FluentValue::from(date.format(format).to_string())
}

fn parse_date(text: &str) -> Option<chrono::NaiveDateTime> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.naive_local())
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()?
                .and_hms_opt(0, 0, 0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_formats_strings_and_timestamps() {
        let none = FluentArgs::new();
        let out = datetime(&[FluentValue::from("2026-11-28T09:30:00+07:00")], &none);
        assert_eq!(out, FluentValue::from("2026-11-28"));
        let mut time = FluentArgs::new();
        time.set("timeStyle", "short");
        let out = datetime(&[FluentValue::from(0)], &time);
        assert_eq!(out, FluentValue::from("1970-01-01 00:00"));
        assert!(matches!(
            datetime(&[FluentValue::from("soon")], &none),
            FluentValue::Error
        ));
    }
}
