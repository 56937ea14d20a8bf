//! What an existing translated file tells us: whether it is up to date, which of its
//! blocks a person edited since dich wrote it, and which blocks can be kept as they
//! are because their source did not change.
//!
//! Invariant 1 of the design lives here: an edited translation is never overwritten
//! by a machine translation of the same source. The file itself is the truth: its
//! provenance lists the key of each block's source, so even without the memory every
//! block whose source is unchanged is kept, edits included.

use std::collections::HashMap;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::content::{self, Document, Retitle};
use crate::lang::Lang;
use crate::memory::{FileRecord, Memory, MemoryError};
use crate::review::Facts;

use super::unchanged::{Derived, Records, Stat};
use super::unit_keys::unit_keys;

/// The state of a translated file next to its source.
#[derive(Debug)]
pub(crate) enum TranslatedFile {
    /// No translated file yet.
    Missing,
    /// dich cannot tell which block is which: left alone, reported.
    Conflict(String),
    /// A file dich can work with.
    Aligned(AlignedFile),
}

/// A translated file whose blocks line up with the keys in its provenance.
#[derive(Debug)]
pub(crate) struct AlignedFile {
    /// Rendered from the current source text.
    pub(crate) up_to_date: bool,
    /// A person changed it since dich wrote it (or the memory does not know the file).
    pub(crate) human_edited: bool,
    /// Unit key → the block's text as in the file, shared with the jobs that keep it.
    pub(crate) blocks: HashMap<String, Arc<String>>,
    /// The unit keys the file was written from, in order.
    pub(crate) keys: Vec<String>,
    /// Written before dich translated link titles (issue 14): its kept blocks get
    /// their titles that are still the source's translated.
    pub(crate) old_titles: bool,
    /// A block of it still has such a title (the file is not up to date then).
    pub(crate) untranslated_titles: bool,
    /// Where each block of at least [`LONG_BLOCK`] bytes is in the file, by unit key.
    pub(crate) long_blocks: HashMap<String, Range<usize>>,
}

/// The length from which a kept block is read from its file again when its file is
/// assembled ([`BlockInFile`]) rather than held from planning.
pub(crate) const LONG_BLOCK: usize = 1 << 20;

/// A block kept from the existing translation, read from the file when the new file is
/// assembled. The languages of an article are planned together, and each held its kept
/// paragraph of megabytes from planning until its file was written: three of them at
/// once (issue 10, item 14). The file is replaced only after that read, and a block
/// that changed in between fails its file rather than be written wrong.
#[derive(Debug)]
pub(crate) struct BlockInFile {
    path: PathBuf,
    range: Range<usize>,
    /// [`crate::memory::hash`] of the block as read at planning.
    hash: String,
}

impl BlockInFile {
    /// The block at `range` of the file at `path`, whose text it is.
    pub(crate) fn new(path: &Path, range: Range<usize>, text: &str) -> BlockInFile {
        BlockInFile {
            path: path.to_owned(),
            range,
            hash: crate::memory::hash(text),
        }
    }

    /// The block's text, read from the file. The error, for the file's failure, is
    /// why it cannot be: the file is gone or the block is no longer what it was.
    pub(crate) fn read(&self) -> Result<String, String> {
        let changed = || {
            format!(
                "{} changed while this run translated it; run dich translate again",
                self.path.display()
            )
        };
        let mut bytes = vec![0; self.range.len()];
        let read = std::fs::File::open(&self.path).and_then(|mut file| {
            file.seek(SeekFrom::Start(self.range.start as u64))?;
            file.read_exact(&mut bytes)
        });
        if read.is_err() {
            return Err(changed());
        }
        match String::from_utf8(bytes) {
            Ok(text) if crate::memory::hash(&text) == self.hash => Ok(text),
            _ => Err(changed()),
        }
    }
}

/// Reads and analyses the translation at `out_path` (`rel` from the project root).
/// With `learn`, blocks a person edited are stored in the memory as human
/// translations. A file dich can work with is added to `records` (for the no-op
/// shortcut of later runs).
pub(crate) fn analyse(
    memory: &mut Memory,
    doc: &Document,
    (source, target): (&Lang, &Lang),
    (out_path, rel): (&Path, &str),
    fields: &[String],
    learn: bool,
    records: &mut Records,
) -> Result<TranslatedFile, MemoryError> {
    let stat = Stat::of(out_path);
    let Ok(bytes) = std::fs::read(out_path) else {
        return Ok(TranslatedFile::Missing);
    };
    // The bytes become the document's text: a translation of megabytes is not held
    // twice while it is parsed (issue 10, item 14).
    let translated = match Document::parse_owned(out_path, bytes, fields, doc.protect()) {
        Ok(translated) => translated,
        Err(e) => {
            return Ok(TranslatedFile::Conflict(format!(
                "cannot read the translation: {e}"
            )));
        }
    };
    let Some(provenance) = content::read_provenance(&translated.text) else {
        return Ok(TranslatedFile::Conflict(
            "the file has no dich provenance (was it written by hand?); move it away or use --force"
                .to_owned(),
        ));
    };
    let keys: Vec<String> = provenance
        .units
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if keys.len() != translated.units.len() {
        return Ok(TranslatedFile::Conflict(format!(
            "its structure no longer matches the source: it has {} translatable blocks but was written with {} (blocks added or removed by hand); fix it or use --force",
            translated.units.len(),
            keys.len()
        )));
    }
    let text_hash = translated.text_hash().to_owned();
    // The hash alone decides: the content as written (as long as the file) is read
    // only to learn a person's edits (issue 10, item 14).
    let human_edited = memory
        .written_hash(rel)?
        .is_some_and(|hash| hash != text_hash);
    if learn
        && human_edited
        && let Some(written) = memory.written(rel)?
    {
        let edits = Edits {
            translated: &translated,
            written: &written.content,
            keys: &keys,
            fields,
            rel,
        };
        edits.learn(memory, (source, target), doc)?;
    }
    // A file written before dich translated titles, with a title still in the source
    // language, is stale: its blocks with such titles get them translated.
    let old_titles = !content::link_titles_translated(&translated.text);
    let untranslated_titles = old_titles && has_untranslated_titles(doc, &translated, &keys);
    let derived = Derived {
        source_hash: provenance.source_hash.clone(),
        text_hash,
        keys: provenance.units.clone(),
        facts: Facts::of_translation(rel, &translated.text),
    };
    // An edit not learned yet (`dich status` learns nothing) must be read again by
    // the next `dich translate`, which learns it: no record then.
    // Nor for a file whose titles wait for their translation: its record would say
    // it is up to date.
    if (learn || !human_edited) && !untranslated_titles {
        records.push_read(rel, stat, derived.text_hash.clone(), derived);
    }
    // The document's text is the file's bytes (a Markdown translation is UTF-8), so
    // its spans are where the blocks are in the file.
    let long_blocks = keys
        .iter()
        .zip(&translated.units)
        .filter(|(_, unit)| unit.span.len() >= LONG_BLOCK)
        .map(|(key, unit)| (key.clone(), unit.span.clone()))
        .collect();
    let blocks = keys
        .iter()
        .cloned()
        .zip(translated.into_raws().into_iter().map(Arc::new))
        .collect();
    Ok(TranslatedFile::Aligned(AlignedFile {
        up_to_date: provenance.source_hash == doc.source_hash() && !untranslated_titles,
        human_edited,
        blocks,
        keys,
        old_titles,
        untranslated_titles,
        long_blocks,
    }))
}

/// Whether a block of `translated` (whose unit keys are `keys`) still has a link title
/// of its source unit in the source language.
fn has_untranslated_titles(doc: &Document, translated: &Document, keys: &[String]) -> bool {
    // The source's keys only where it has titles: a key is a normalised copy of its
    // unit, and a unit can be megabytes long (issue 10, item 14).
    if (0..doc.units.len()).all(|j| doc.block_titles(j).is_empty()) {
        return false;
    }
    let titled: HashMap<String, Vec<String>> = unit_keys(doc)
        .into_iter()
        .enumerate()
        .map(|(j, key)| (key, doc.block_titles(j)))
        .filter(|(_, titles)| !titles.is_empty())
        .collect();
    keys.iter().enumerate().any(|(i, key)| {
        titled
            .get(key)
            .is_some_and(|titles| Retitle::new(translated.raw(i), titles, doc.protect()).is_some())
    })
}

impl AlignedFile {
    /// The file as its record describes it, when the record proves it unchanged
    /// (see `unchanged`), next to the record of its source. No blocks: only what
    /// `dich status` needs, and the unit keys only `with_keys` (when the memory holds
    /// human units to look them up in): a string per key of every file, made on every
    /// pass over the project, was for nothing in most projects (issue 15).
    ///
    /// # Errors
    /// [`MemoryError`].
    pub(crate) fn from_record(
        memory: &Memory,
        rel: &str,
        (record, source): (&FileRecord, &FileRecord),
        with_keys: bool,
    ) -> Result<AlignedFile, MemoryError> {
        let written = memory.written_hash(rel)?;
        let keys = if with_keys {
            record.keys.split_whitespace().map(str::to_owned).collect()
        } else {
            Vec::new()
        };
        Ok(AlignedFile {
            up_to_date: record.source_hash == source.source_hash,
            human_edited: written.is_some_and(|hash| hash != record.text_hash),
            blocks: HashMap::new(),
            keys,
            // No record is kept of a file whose titles wait for their translation.
            old_titles: false,
            untranslated_titles: false,
            // No blocks, so none to read again.
            long_blocks: HashMap::new(),
        })
    }
}

/// A translated file as it is now, and as dich wrote it.
struct Edits<'a> {
    translated: &'a Document,
    written: &'a str,
    keys: &'a [String],
    fields: &'a [String],
    /// The translated file, relative to the project root.
    rel: &'a str,
}

impl Edits<'_> {
    /// Stores every block that differs from what dich wrote as a human translation.
    fn learn(
        &self,
        memory: &mut Memory,
        (source, target): (&Lang, &Lang),
        doc: &Document,
    ) -> Result<(), MemoryError> {
        let Ok(written) = Document::parse_with(
            &self.translated.path,
            self.written.as_bytes(),
            self.fields,
            doc.protect(),
        ) else {
            return Ok(());
        };
        let mut source_texts: HashMap<String, String> = unit_keys(doc)
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, doc.raw(i).to_owned()))
            .collect();
        // The source may have changed since dich wrote the file, in the same step as
        // the edit: the blocks of the source it was written from (issue 12 compares a
        // person's sentences with them).
        if self.keys.iter().any(|k| !source_texts.contains_key(k))
            && let Some(old) = memory.written_source(self.rel)?
            && let Ok(old) =
                Document::parse_with(&doc.path, old.as_bytes(), self.fields, doc.protect())
        {
            for (i, key) in unit_keys(&old).into_iter().enumerate() {
                source_texts
                    .entry(key)
                    .or_insert_with(|| old.raw(i).to_owned());
            }
        }
        for (i, key) in self.keys.iter().enumerate() {
            let now = self.translated.raw(i);
            if i < written.units.len() && written.raw(i) != now {
                let source_text = source_texts.get(key).map_or("", String::as_str);
                // Learned again after its source changed: the source it was written
                // for is no longer in the file; keep the one remembered (issue 12
                // compares it with the new source).
                if source_text.is_empty()
                    && memory.human_unit(source, target, key)?.as_deref() == Some(now)
                {
                    continue;
                }
                memory.store_human_unit(source, target, key, source_text, now)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_read_again_is_the_block_or_says_its_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dai.en.md");
        let text = "+++\ntitle = \"T\"\n+++\n\nThe kept block, long in real life.\n";
        std::fs::write(&path, text).unwrap();
        let block = "The kept block, long in real life.";
        let at = text.find(block).unwrap();
        let in_file = BlockInFile {
            path: path.clone(),
            range: at..at + block.len(),
            hash: crate::memory::hash(block),
        };
        assert_eq!(in_file.read().unwrap(), block);
        // A person edited the block meanwhile: the file fails, naming itself.
        std::fs::write(&path, text.replace("kept", "KEPT")).unwrap();
        let reason = in_file.read().unwrap_err();
        assert!(
            reason.contains("dai.en.md") && reason.contains("changed"),
            "{reason}"
        );
        // Shortened, or gone.
        std::fs::write(&path, &text[..at + 3]).unwrap();
        assert!(in_file.read().is_err());
        std::fs::remove_file(&path).unwrap();
        assert!(in_file.read().is_err());
    }
}
