//! The machine's proposals beside people's blocks whose source changed (issue 12):
//! what `dich review show` prints and `dich review accept-proposal` puts in the file.

use serde::Serialize;

use crate::content::{self, Document, UnitTranslation};
use crate::memory::{Memory, Proposal};
use crate::pipeline::Project;

use super::{Entry, ReviewError};

/// One part of a word-level diff between the old and the new source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffPart {
    /// `equal`, `delete` (only in the old source) or `insert` (only in the new one).
    pub op: &'static str,
    /// The words (with the spaces between them).
    pub text: String,
}

/// A pending proposal with where its block is in the file.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    /// The block's number in the file (1 = its first translatable block), `None` when
    /// the block is no longer in the file.
    pub block: Option<usize>,
    /// The old source and the new source, word by word.
    pub diff: Vec<DiffPart>,
    /// The proposal itself.
    #[serde(flatten)]
    pub proposal: Proposal,
}

/// The word-level difference from `old` to `new`.
pub fn word_diff(old: &str, new: &str) -> Vec<DiffPart> {
    let diff = similar::TextDiff::from_words(old, new);
    let mut out: Vec<DiffPart> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            similar::ChangeTag::Equal => "equal",
            similar::ChangeTag::Delete => "delete",
            similar::ChangeTag::Insert => "insert",
        };
        // Consecutive words of one kind read better as one part.
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => out.push(DiffPart {
                op,
                text: change.value().to_owned(),
            }),
        }
    }
    out
}

/// The unit keys in the provenance of the translated file `text`.
fn file_keys(text: &str) -> Vec<String> {
    content::read_provenance(text)
        .map(|p| p.units.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The pending proposals of `entry`'s file.
///
/// # Errors
/// [`ReviewError`] when the memory cannot be read.
pub fn show(project: &Project, memory: &Memory, entry: &Entry) -> Result<Vec<Shown>, ReviewError> {
    let keys = super::read(project, &entry.path)
        .map(|t| file_keys(&t))
        .unwrap_or_default();
    Ok(memory
        .proposals(&entry.path)?
        .into_iter()
        .map(|proposal| Shown {
            block: keys
                .iter()
                .position(|k| *k == proposal.unit_key)
                .map(|i| i + 1),
            diff: word_diff(&proposal.old_source, &proposal.new_source),
            proposal,
        })
        .collect())
}

/// Puts the proposals of `entry`'s file into it (all of them, or those of the blocks
/// numbered `blocks`), writes it atomically and records it as dich's text: the
/// person's text of those blocks goes to the memory's history. Returns the numbers of
/// the blocks changed.
///
/// # Errors
/// [`ReviewError`] when the memory or the file cannot be read or written.
pub fn accept(
    project: &Project,
    memory: &mut Memory,
    entry: &Entry,
    blocks: Option<&[usize]>,
) -> Result<Vec<usize>, ReviewError> {
    let refuse = |message: &str| ReviewError::Proposal {
        path: entry.path.clone(),
        message: message.to_owned(),
    };
    let config = project.config();
    let text = super::read(project, &entry.path).ok_or_else(|| refuse("cannot read the file"))?;
    let fields = &config.content.translatable_fields;
    let source_doc = Document::load_with(
        &config.root.join(&entry.source),
        fields,
        &content::Protect::new(&config.content.protect).unwrap_or_default(),
    )
    .map_err(|e| refuse(&e.to_string()))?
    .with_added_front_matter(config.content.added_front_matter().into());
    let translated = Document::parse_with(
        &config.root.join(&entry.path),
        text.as_bytes(),
        fields,
        source_doc.protect(),
    )
    .map_err(|e| refuse(&e.to_string()))?;
    let provenance =
        content::read_provenance(&text).ok_or_else(|| refuse("the file has no dich provenance"))?;
    let keys = file_keys(&text);
    if keys.len() != translated.units.len() || keys.len() != source_doc.units.len() {
        return Err(refuse(
            "its blocks no longer line up with its source; run `dich translate` first",
        ));
    }
    let mut translations: Vec<UnitTranslation> = (0..keys.len())
        .map(|i| UnitTranslation::Raw(translated.raw(i).to_owned()))
        .collect();
    let mut accepted = Vec::new();
    let mut settled = Vec::new();
    for proposal in memory.proposals(&entry.path)? {
        let Some(i) = keys.iter().position(|k| *k == proposal.unit_key) else {
            continue;
        };
        if blocks.is_some_and(|b| !b.contains(&(i + 1))) {
            continue;
        }
        translations[i] = UnitTranslation::Raw(proposal.proposal.clone());
        accepted.push(i + 1);
        settled.push(proposal.unit_key);
    }
    if accepted.is_empty() {
        return Ok(accepted);
    }
    let rendered = source_doc
        .render_units(&translations, &provenance)
        .map_err(|e| refuse(&e.to_string()))?;
    crate::fs::write_atomic(&config.root.join(&entry.path), rendered.as_bytes())?;
    let source = &config.source;
    let target = crate::lang::Lang::parse(&entry.lang).map_err(|e| refuse(&e.to_string()))?;
    let remaining: Vec<String> = memory
        .reviews(&entry.path)?
        .into_iter()
        .filter(|k| !settled.contains(k))
        .collect();
    // Recorded as what dich wrote: the accepted blocks are the machine's text now,
    // not a person's edit to learn at the next run.
    memory.record_file(&entry.path, &rendered, &provenance.source_hash, &remaining)?;
    for key in &settled {
        memory.retire_human_unit(source, &target, key)?;
        memory.settle_proposals(&entry.path, Some(key))?;
    }
    accepted.sort_unstable();
    Ok(accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_shows_the_changed_words() {
        let diff = word_diff("Mọi người đều vui.", "Mọi người đều rất vui.");
        let changed: Vec<(&str, &str)> = diff
            .iter()
            .filter(|p| p.op != "equal")
            .map(|p| (p.op, p.text.as_str()))
            .collect();
        assert_eq!(changed, vec![("insert", "rất ")]);
        let old: String = diff
            .iter()
            .filter(|p| p.op != "insert")
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(old, "Mọi người đều vui.");
    }
}
