//! Every mistake of a config file in one pass (issue 14): serde and the checks after it
//! stop at the first problem, so the entry at fault is blanked out and the text read
//! again, until it loads or a problem cannot be set aside.
//!
//! Blanking replaces the entry's characters with spaces and keeps its line breaks, so
//! every later problem is found at the line and column it has in the file as written.

use toml::de::{DeTable, DeValue};

use super::ConfigError;
use crate::text_position::{LineIndex, Location};

/// More problems than anyone fixes in one go; also bounds the re-reads.
const MOST: usize = 50;

/// All problems of `text`, `first` being what the first read found: `first` alone when
/// it is the only one, [`ConfigError::Many`] in file order otherwise.
pub(super) fn every_error(
    text: &str,
    first: ConfigError,
    read: impl Fn(&str) -> Result<(), ConfigError>,
) -> ConfigError {
    let mut text = text.to_owned();
    let mut errors: Vec<ConfigError> = Vec::new();
    let mut next = first;
    while errors.len() < MOST {
        let found = flatten(next);
        let places: Vec<Location> = found.iter().filter_map(place).collect();
        let settled = places.len() == found.len();
        errors.extend(found);
        if !settled || !blank(&mut text, &places) {
            break;
        }
        match read(&text) {
            Ok(()) => break,
            // A missing key is what blanking a required one leaves: no mistake of
            // the writer's.
            Err(e) if e.to_string().contains("missing field") => break,
            Err(e) => next = e,
        }
    }
    errors.sort_by_key(|e| {
        place(e).unwrap_or(Location {
            line: usize::MAX,
            column: 0,
        })
    });
    errors.dedup_by(|a, b| a.to_string() == b.to_string());
    if errors.len() == 1 {
        errors.remove(0)
    } else {
        ConfigError::Many(errors)
    }
}

fn flatten(error: ConfigError) -> Vec<ConfigError> {
    match error {
        ConfigError::Many(errors) => errors.into_iter().flat_map(flatten).collect(),
        other => vec![other],
    }
}

fn place(error: &ConfigError) -> Option<Location> {
    match error {
        ConfigError::Invalid { line, column, .. } => Some(Location {
            line: *line,
            column: *column,
        }),
        _ => None,
    }
}

/// Blanks the `key = value` entries holding `places`; false when one is not inside an
/// entry (a table header, a syntax error), so reading again would find it again.
fn blank(text: &mut String, places: &[Location]) -> bool {
    let Ok(document) = DeTable::parse(text) else {
        return false;
    };
    let index = LineIndex::new(text);
    let mut ranges = Vec::new();
    for at in places {
        let offset = index.offset(text, *at);
        match entry_at(document.get_ref(), offset) {
            Some(range) => ranges.push(range),
            None => return false,
        }
    }
    let blanked: String = text
        .char_indices()
        .map(|(i, c)| {
            if c != '\n' && c != '\r' && ranges.iter().any(|r| r.contains(&i)) {
                ' '
            } else {
                c
            }
        })
        .collect();
    *text = blanked;
    true
}

/// The byte range of the innermost `key = value` (not a table) that holds `offset`.
fn entry_at(table: &DeTable<'_>, offset: usize) -> Option<std::ops::Range<usize>> {
    table.iter().find_map(|(key, value)| match value.get_ref() {
        DeValue::Table(inner) => entry_at(inner, offset),
        _ => {
            let range = key.span().start..value.span().end;
            range.contains(&offset).then_some(range)
        }
    })
}
