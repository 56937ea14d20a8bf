//! Single-line messages and attributes of the project's `.ftl` files, paired by id.

use std::collections::BTreeMap;
use std::path::Path;

/// `id` or `id.attribute` → value, for every single-line value of one file.
fn values(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut message = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("    .") {
            if let Some((attr, value)) = rest.split_once(" = ") {
                out.insert(format!("{message}.{attr}"), value.trim().to_owned());
            }
        } else if let Some((id, value)) = line.split_once(" = ") {
            if !id.starts_with(['#', ' ']) {
                message = id.trim().to_owned();
                if !value.trim().is_empty() {
                    out.insert(message.clone(), value.trim().to_owned());
                }
            }
        } else if let Some(id) = line.strip_suffix(" =") {
            message = id.trim().to_owned();
        }
    }
    out
}

/// (Vietnamese, translation) for every id both files of `tag` have.
pub(crate) fn pairs(locales: &Path, tag: &str) -> std::io::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for file in ["main.ftl", "article/comments.ftl"] {
        let source = values(&std::fs::read_to_string(locales.join("vi").join(file))?);
        let target = values(&std::fs::read_to_string(locales.join(tag).join(file))?);
        for (id, value) in source {
            if let Some(answer) = target.get(&id) {
                out.push((value, answer.clone()));
            }
        }
    }
    Ok(out)
}
