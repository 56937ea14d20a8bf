//! A target `.ftl` text's translated pieces paired with the reference text each one
//! translates, for `dich qa`.
//!
//! Pieces are the translator's units ([`super::FtlUnit`]): each value, attribute and
//! select variant, placeables as standalone tags. A translated piece is paired with
//! the reference piece of the same id; a variant the reference lacks (Korean has no
//! `[one]`, English adds one where Vietnamese has a plain value) with the reference's
//! default variant of that select, else with the reference value around it. Messages
//! the reference does not have, and term attributes (grammar, copied), are not paired.

use std::collections::HashMap;

use super::translate::text_units;

/// One translated piece and the reference text it translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiecePair {
    /// The message or term (`-term`) id.
    pub entry: String,
    /// The piece: `id`, `id.attribute`, `id[key]`, `id.attribute[key]`, …
    pub id: String,
    /// The reference piece, placeables as `<xN/>` tags.
    pub source: String,
    /// The translated piece, placeables as `<xN/>` tags.
    pub translation: String,
    /// Byte offset in the target text of the piece's first text (of the message id
    /// when the piece starts with a placeable).
    pub offset: usize,
    /// The machine marker comment (`dich: machine (deepl, …)`) of the message, when it
    /// has one.
    pub machine: Option<String>,
}

/// Pairs every translated piece of `target` with its piece of `reference`.
pub fn pair_pieces(reference: &str, target: &str) -> Vec<PiecePair> {
    let reference = text_units(reference);
    let target_units = text_units(target);
    let by_id: HashMap<&str, usize> = reference
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.as_str(), i))
        .collect();
    let entries: HashMap<&str, &super::translate::TextEntry> = reference
        .entries
        .iter()
        .map(|e| (e.id.as_str(), e))
        .collect();
    let mut pairs = Vec::new();
    for entry in &target_units.entries {
        let Some(reference_entry) = entries.get(entry.id.as_str()) else {
            continue;
        };
        let in_entry = |i: &usize| reference_entry.units.contains(i);
        for index in entry.units.clone() {
            let unit = &target_units.units[index];
            let Some(found) = counterpart(&unit.id, &by_id, &reference.defaults).filter(in_entry)
            else {
                continue;
            };
            pairs.push(PiecePair {
                entry: entry.id.clone(),
                id: unit.id.clone(),
                source: reference.units[found].tagged.text().to_owned(),
                translation: unit.tagged.text().to_owned(),
                offset: target_units.offsets[index].unwrap_or(entry.offset),
                machine: entry.machine.clone(),
            });
        }
    }
    pairs
}

/// The reference unit a translated unit `id` is compared with: the same id; else,
/// for a variant (`…[key]`), the default variant of the same select, then what `…`
/// itself is compared with (the reference value, for a select only the target has).
fn counterpart(id: &str, by_id: &HashMap<&str, usize>, defaults: &[String]) -> Option<usize> {
    if let Some(found) = by_id.get(id) {
        return Some(*found);
    }
    let prefix = id.strip_suffix(']')?.rsplit_once('[')?.0;
    let default = defaults.iter().find(|d| {
        d.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('[') && !rest[1..].contains('['))
    });
    default
        .and_then(|d| by_id.get(d.as_str()).copied())
        .or_else(|| counterpart(prefix, by_id, defaults))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(reference: &str, target: &str) -> Vec<(String, String, String)> {
        pair_pieces(reference, target)
            .into_iter()
            .map(|p| (p.id, p.source, p.translation))
            .collect()
    }

    #[test]
    fn values_and_attributes_pair_by_id() {
        let found = pairs(
            "a = Tin tức\n    .title = Xem { $n } tin\nb = Chỉ nguồn\n",
            "a = News\n    .title = See { $n } items\nc = Not in the reference\n",
        );
        assert_eq!(
            found,
            vec![
                ("a".into(), "Tin tức".into(), "News".into()),
                (
                    "a.title".into(),
                    "Xem <x1/> tin".into(),
                    "See <x1/> items".into()
                ),
            ]
        );
    }

    #[test]
    fn variants_pair_with_the_same_key_else_the_default_else_the_value() {
        let reference = "v =\n    { $count ->\n        [0] Chưa có lượt xem\n       *[other] { $count } lượt xem\n    }\nr = { $minutes } phút đọc\n";
        let target = "v =\n    { $count ->\n        [0] No views yet\n        [one] One view\n       *[other] { $count } views\n    }\nr =\n    { $minutes ->\n        [one] { $minutes } minute read\n       *[other] { $minutes } minutes read\n    }\n";
        let found = pairs(reference, target);
        let sources: Vec<(&str, &str)> = found
            .iter()
            .map(|(id, s, _)| (id.as_str(), s.as_str()))
            .collect();
        assert_eq!(
            sources,
            vec![
                ("v[0]", "Chưa có lượt xem"),
                ("v[one]", "<x1/> lượt xem"),
                ("v[other]", "<x1/> lượt xem"),
                ("r[one]", "<x1/> phút đọc"),
                ("r[other]", "<x1/> phút đọc"),
            ]
        );
    }

    #[test]
    fn offsets_point_at_the_first_text_of_a_piece() {
        let target = "a = News\n    .title = { $n } items\n";
        let found = pair_pieces("a = Tin\n    .title = { $n } tin\n", target);
        assert_eq!(
            &target[found[0].offset..],
            "News\n    .title = { $n } items\n"
        );
        assert!(target[found[1].offset..].starts_with(" items"));
    }

    #[test]
    fn machine_markers_come_with_their_pieces() {
        let found = pair_pieces(
            "a = Tin\n",
            "# dich: machine (pseudo, 2026-11-30) ref:abc\na = [Tin]\n",
        );
        assert!(
            found[0]
                .machine
                .as_deref()
                .is_some_and(|m| m.contains("pseudo"))
        );
    }
}
