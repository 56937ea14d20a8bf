//! The Fluent page's model and its one change: every message of the reference locale
//! with its translation in one language (missing, machine-only or reviewed), and the
//! edit of one simple message.
//!
//! Invariants: placeables are protected (an edit must keep exactly the variables and
//! references of the reference message); an edit is refused unless the form saw the
//! file as it is (its hash); the file is spliced, never re-serialised, so comments and
//! order survive, and written atomically. An edited message loses its `# dich:
//! machine` marker: a person wrote it.

use std::collections::BTreeSet;
use std::path::Path;

use crate::fluent::{self, FileModel, MACHINE_MARKER_PREFIX};
use crate::memory;

use super::ServeError;

/// A message's translation state in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageState {
    /// Not in the target file.
    Missing,
    /// Marked `# dich: machine …`: no person has written or approved it.
    Machine,
    /// Written or kept by a person.
    Reviewed,
}

impl MessageState {
    /// The name used in filters and CSS classes.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            MessageState::Missing => "missing",
            MessageState::Machine => "machine",
            MessageState::Reviewed => "reviewed",
        }
    }
}

/// One message of the reference locale, and its translation.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) id: String,
    /// The reference value as written (placeables included).
    pub(crate) source: String,
    /// The translated value as written, when the target has it.
    pub(crate) translation: Option<String>,
    pub(crate) state: MessageState,
    /// Simple one-line messages without attributes or selects: editable here (the rest
    /// are edited in the file).
    pub(crate) editable: bool,
}

/// One reference `.ftl` file and its translation in one language.
#[derive(Debug, Clone)]
pub(crate) struct UiFile {
    /// The file's path inside a locale folder (`main.ftl`, `article/share.ftl`).
    pub(crate) rel: String,
    /// Hash of the target file as shown (of the empty text when it does not exist).
    pub(crate) hash: String,
    pub(crate) messages: Vec<Message>,
}

/// Where a message or term sits in a file.
#[derive(Debug, Clone)]
struct EntryView {
    id: String,
    /// Its first line, comment included.
    start: usize,
    /// The id.
    id_at: usize,
    /// Just after its last non-blank character.
    end: usize,
    /// The entry's text after `=`: the value, and the attributes and variants of
    /// an entry that is not simple (shown as written).
    value: std::ops::Range<usize>,
    /// A one-line value without attributes or selects.
    simple: bool,
}

impl EntryView {
    /// Every message and term of `text`, from the project's one Fluent parser.
    fn all(text: &str) -> Vec<EntryView> {
        FileModel::parse(text)
            .entries
            .into_iter()
            .map(|e| {
                let after_id = (e.offset + e.id.len()).min(e.end);
                let from = text[after_id..e.end]
                    .find('=')
                    .map_or(e.end, |i| after_id + i + 1);
                let simple = e.attributes.is_empty()
                    && e.value.as_ref().is_some_and(|v| v.selects.is_empty())
                    && !text[from..e.end].trim().contains('\n');
                EntryView {
                    id: e.id,
                    start: e.start,
                    id_at: e.offset,
                    end: e.end,
                    value: from..e.end,
                    simple,
                }
            })
            .collect()
    }
}

/// The value text of an entry: what follows `id =`, up to the entry's end.
fn value_text<'t>(text: &'t str, entry: &EntryView) -> &'t str {
    text.get(entry.value.clone()).unwrap_or("").trim()
}

/// The reference file `reference` next to its translation `target`.
///
/// # Errors
/// [`ServeError::Invalid`] when either file cannot be read as Fluent text.
pub(crate) fn file(rel: &str, reference: &Path, target: &Path) -> Result<UiFile, ServeError> {
    let source_text = read(reference)?.unwrap_or_default();
    let target_text = read(target)?;
    let source_model = EntryView::all(&source_text);
    let target_model = target_text
        .as_deref()
        .map(EntryView::all)
        .unwrap_or_default();
    let machine = target_text
        .as_deref()
        .map(fluent::machine_marked_ids)
        .unwrap_or_default();
    let messages = source_model
        .iter()
        .map(|entry| {
            let translated = target_model.iter().find(|t| t.id == entry.id);
            let translation = translated
                .zip(target_text.as_deref())
                .map(|(t, text)| value_text(text, t).to_owned());
            let state = match translated {
                None => MessageState::Missing,
                Some(_) if machine.contains(&entry.id) => MessageState::Machine,
                Some(_) => MessageState::Reviewed,
            };
            Message {
                id: entry.id.clone(),
                source: value_text(&source_text, entry).to_owned(),
                translation,
                state,
                editable: entry.simple,
            }
        })
        .collect();
    Ok(UiFile {
        rel: rel.to_owned(),
        hash: memory::hash(target_text.as_deref().unwrap_or("")),
        messages,
    })
}

fn read(path: &Path) -> Result<Option<String>, ServeError> {
    fluent::read_ftl(path).map_err(|e| ServeError::Invalid(e.to_string()))
}

/// The variables and message/term references of a pattern: what an edit must keep.
fn placeables(text: &str, id: &str) -> Option<BTreeSet<String>> {
    let model = FileModel::parse(text);
    if !model.syntax.is_empty() {
        return None;
    }
    let entry = model.get(id)?;
    let value = entry.value.as_ref()?;
    let mut out: BTreeSet<String> = value.variables.keys().map(|v| format!("${v}")).collect();
    out.extend(value.references.iter().map(|r| match &r.attribute {
        Some(attribute) => format!("{}.{attribute}", r.id),
        None => r.id.clone(),
    }));
    Some(out)
}

/// One message edit, as the form sent it.
#[derive(Debug, Clone)]
pub(crate) struct MessageEdit {
    pub(crate) id: String,
    /// The new value, Fluent syntax (placeables as `{ $name }`).
    pub(crate) value: String,
    /// [`UiFile::hash`] of the page the form was on.
    pub(crate) hash: String,
}

/// Writes the edited message into `target` (created when missing). The caller holds
/// the run lock.
///
/// # Errors
/// [`ServeError::Stale`] when the target changed since the form was shown;
/// [`ServeError::Refused`] when the message is not editable here, the value is empty,
/// spans lines, is not valid Fluent, or drops or adds a placeable.
pub(crate) fn edit(reference: &Path, target: &Path, edit: &MessageEdit) -> Result<(), ServeError> {
    let source_text = read(reference)?.unwrap_or_default();
    let target_text = read(target)?.unwrap_or_default();
    if memory::hash(&target_text) != edit.hash {
        return Err(ServeError::Stale);
    }
    let value = edit.value.trim();
    if value.is_empty() {
        return Err(ServeError::Refused("serve-error-empty"));
    }
    if value.contains(['\n', '\r']) {
        return Err(ServeError::Refused("serve-error-multiline"));
    }
    let sources = EntryView::all(&source_text);
    let Some(reference_entry) = sources.iter().find(|e| e.id == edit.id && e.simple) else {
        return Err(ServeError::Refused("serve-error-not-editable"));
    };
    let line = format!("{} = {value}", edit.id);
    let wanted = placeables(
        &source_text[reference_entry.start..reference_entry.end],
        &edit.id,
    );
    match placeables(&format!("{line}\n"), &edit.id) {
        None => return Err(ServeError::Refused("serve-error-syntax")),
        Some(found) if Some(&found) != wanted.as_ref() => {
            return Err(ServeError::Refused("serve-error-placeables"));
        }
        Some(_) => {}
    }
    let targets = EntryView::all(&target_text);
    let updated = match targets.iter().find(|e| e.id == edit.id) {
        Some(entry) => {
            // Keep a person's comment lines; drop the machine marker.
            let comments: String = target_text[entry.start..entry.id_at]
                .lines()
                .filter(|l| {
                    !l.trim_start_matches('#')
                        .trim_start()
                        .starts_with(MACHINE_MARKER_PREFIX)
                })
                .map(|l| format!("{l}\n"))
                .collect();
            format!(
                "{}{comments}{line}{}",
                &target_text[..entry.start],
                &target_text[entry.end..]
            )
        }
        None => {
            let mut text = target_text.clone();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            format!("{text}{line}\n")
        }
    };
    crate::fs::write_atomic(target, updated.as_bytes())
        .map_err(|e| ServeError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_found_with_their_values() {
        let text = "hello = Xin chào { $name }\nbye = Tạm biệt\n";
        let all = EntryView::all(text);
        let values: Vec<(&str, &str, bool)> = all
            .iter()
            .map(|e| (e.id.as_str(), value_text(text, e), e.simple))
            .collect();
        assert_eq!(
            values,
            [
                ("hello", "Xin chào { $name }", true),
                ("bye", "Tạm biệt", true)
            ]
        );
    }
}
