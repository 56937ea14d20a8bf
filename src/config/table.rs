//! A backend table as written: every key with where it is, so that the common keys and
//! each backend's own options are read by serde and a wrong key or value is still
//! reported at its line and column.
//!
//! `toml` keeps spans only while it deserialises the document; a backend reads its
//! options later (it alone knows them), so the entries keep their positions and are
//! read through [`read`], which remembers the entry that failed.

use std::path::PathBuf;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer as _, MapAccess};

use super::ConfigError;

/// 1-based line and column in the config file.
pub(super) use crate::text_position::Location as Position;

/// One `key = value` of a table, with the positions of both.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) key: String,
    pub(super) key_at: Position,
    pub(super) value: toml::Value,
    pub(super) value_at: Position,
}

/// Where a backend table is written.
#[derive(Debug, Clone)]
pub(super) struct Place {
    pub(super) path: PathBuf,
    /// The table itself, for errors that concern no single key (a missing one).
    pub(super) table: Position,
    /// The value of `kind` (the table when `kind` is not written).
    pub(super) kind: Position,
}

/// The keys of a backend table that only its kind knows (everything but the common
/// keys of [`super::BackendConfig`]), kept as written until the backend reads them with
/// [`BackendTable::read`].
#[derive(Debug, Clone, Default)]
pub struct BackendTable {
    pub(super) entries: Vec<Entry>,
    /// `None` for a table built in code (tests, embedding).
    pub(super) place: Option<Place>,
}

impl From<toml::Table> for BackendTable {
    /// Options given in code: no place in a file to point at.
    fn from(table: toml::Table) -> Self {
        BackendTable {
            entries: table
                .into_iter()
                .map(|(key, value)| Entry {
                    key,
                    key_at: Position::START,
                    value,
                    value_at: Position::START,
                })
                .collect(),
            place: None,
        }
    }
}

impl BackendTable {
    /// Reads the backend's options struct (which should deny unknown fields) from the
    /// table's own keys.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] at the unknown key or the wrong value (at the table for
    /// a missing key); [`ConfigError::Code`] for a table built in code.
    pub fn read<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        read(&self.entries).map_err(|(message, at)| {
            let mut message = suggest_field(&message);
            if message.starts_with("unknown field") {
                message =
                    message.replace("there are no fields", "this kind has no options of its own");
                // serde lists only the kind's own options; the key may be a misspelt
                // common one.
                message.push_str(&format!(
                    " (keys every backend takes: {})",
                    field_names::<super::BackendConfig>().join(", ")
                ));
            }
            self.error(at, message)
        })
    }

    /// Like [`BackendTable::read`], but a wrong key or value is set aside and the rest
    /// read again, so every problem of the table is found in one pass: the value read
    /// from the good entries (when they make one) and the errors, in file order.
    pub(super) fn read_every<T: DeserializeOwned>(&self) -> (Option<T>, Vec<ConfigError>) {
        let mut rest = self.clone();
        let mut errors = Vec::new();
        loop {
            match read::<T>(&rest.entries) {
                Ok(value) => return (Some(value), errors),
                Err((message, at)) => {
                    let message = suggest_field(&message);
                    errors.push(self.error(at, message));
                    let before = rest.entries.len();
                    rest.entries
                        .retain(|e| Some(e.key_at) != at && Some(e.value_at) != at);
                    if at.is_none() || rest.entries.len() == before {
                        return (None, errors);
                    }
                }
            }
        }
    }

    /// An error about the table's `kind` (an unknown kind), pointing at its value.
    pub fn kind_error(&self, message: String) -> ConfigError {
        let at = self.place.as_ref().map(|p| p.kind);
        self.error(at, message)
    }

    /// An error about the table as a whole (an undefined fallback).
    pub fn table_error(&self, message: String) -> ConfigError {
        self.error(None, message)
    }

    /// An error about the value of `key` (at the table when `key` is not written).
    pub(super) fn value_error(&self, key: &str, message: String) -> ConfigError {
        let at = self
            .entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.value_at);
        self.error(at, message)
    }

    fn error(&self, at: Option<Position>, message: String) -> ConfigError {
        match &self.place {
            Some(place) => {
                let Position { line, column } = at.unwrap_or(place.table);
                ConfigError::Invalid {
                    path: place.path.clone(),
                    line,
                    column,
                    message,
                }
            }
            None => ConfigError::Code { message },
        }
    }
}

/// Deserialises `T` from `entries`; an error comes with the position of the key or
/// value it is about, when there is one.
pub(super) fn read<T: DeserializeOwned>(
    entries: &[Entry],
) -> Result<T, (String, Option<Position>)> {
    let mut map = Entries {
        rest: entries.iter(),
        current: None,
        failed_at: None,
    };
    T::deserialize(MapAccessDeserializer::new(&mut map))
        .map_err(|e| (e.message().to_owned(), map.failed_at))
}

/// The entries as a serde map that remembers where a key or value failed.
struct Entries<'a> {
    rest: std::slice::Iter<'a, Entry>,
    current: Option<&'a Entry>,
    failed_at: Option<Position>,
}

impl<'de> MapAccess<'de> for &mut Entries<'_> {
    type Error = toml::de::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some(entry) = self.rest.next() else {
            return Ok(None);
        };
        self.current = Some(entry);
        // An unknown key fails here, in the struct's field visitor.
        seed.deserialize(entry.key.as_str().into_deserializer())
            .map(Some)
            .inspect_err(|_| self.failed_at = Some(entry.key_at))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let entry = self
            .current
            .ok_or_else(|| de::Error::custom("a value without a key"))?;
        seed.deserialize(entry.value.clone())
            .inspect_err(|_| self.failed_at = Some(entry.value_at))
    }
}

/// serde's `unknown field `tagets`, expected one of `source`, `targets`` with the
/// likely intent added (`; did you mean `targets`?`) when one known key is close.
pub(super) fn suggest_field(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let Some((unknown, expected)) = rest.split_once('`') else {
        return message.to_owned();
    };
    let closest = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|known| (strsim::jaro_winkler(unknown, known), known))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match closest {
        Some((_, known)) => format!("{message}; did you mean `{known}`?"),
        None => message.to_owned(),
    }
}

/// The keys a struct deserialises (serde's `FIELDS`), so the common keys of a backend
/// table are known from [`super::BackendConfig`] itself and no list can drift from it.
pub(super) fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut names: &'static [&'static str] = &[];
    // The recorder always fails: only the names it saw matter.
    let _ = T::deserialize(FieldNames(&mut names));
    names
}

/// A deserializer that records the field names a struct asks for, and nothing else.
struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> de::Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("field names recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Options {
        #[allow(dead_code, reason = "read to check its type")]
        model: Option<String>,
    }

    fn entry(key: &str, value: toml::Value, line: usize) -> Entry {
        Entry {
            key: key.to_owned(),
            key_at: Position { line, column: 1 },
            value,
            value_at: Position { line, column: 9 },
        }
    }

    #[test]
    fn errors_point_at_the_key_or_the_value() {
        let unknown = [entry("modle", "x".into(), 7)];
        let (message, at) = read::<Options>(&unknown).unwrap_err();
        assert!(message.contains("unknown field `modle`"), "{message}");
        assert_eq!(at, Some(Position { line: 7, column: 1 }));
        let mistyped = [entry("model", 3.into(), 8)];
        let (message, at) = read::<Options>(&mistyped).unwrap_err();
        assert!(message.contains("invalid type"), "{message}");
        assert_eq!(at, Some(Position { line: 8, column: 9 }));
    }

    #[test]
    fn field_names_come_from_the_struct() {
        assert_eq!(field_names::<Options>(), ["model"]);
    }
}
