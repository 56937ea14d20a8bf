//! The article page's model and its one change: the source and a translation aligned
//! sentence by sentence (each sentence with its origin and QA flags), and the edit of
//! one translated sentence, saved like an edit made in a text editor.
//!
//! Invariants: an edit is refused unless the form saw exactly the file on disk (its
//! hash), is written atomically, and leaves the file with the same blocks as before
//! (the structure survives, invariant 6); the edited block is stored in the memory as
//! a person's translation, as `dich translate` would learn it from the file.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::content::{self, Document, Protect};
use crate::lang::Lang;
use crate::memory::{self, Memory, Origin};
use crate::pipeline::{Project, unit_keys};
use crate::qa::{self, Checker, Pair};
use crate::segment::{self, Segmenter};

use super::ServeError;

/// Where a translated sentence came from, as far as the memory and the file tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SentenceOrigin {
    /// The backend that wrote the file (named in its provenance) translated it.
    Backend(String),
    /// A machine translation reused from the memory (another backend, earlier run).
    Memory(String),
    /// A person wrote it (the block is a stored human translation).
    Human,
    /// Imported from a translator's TMX file.
    Import,
    /// Neither the memory nor the provenance says (e.g. the memory was deleted).
    Unknown,
}

/// One row of the side-by-side view.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The source sentence (empty when the translation has more sentences).
    pub(crate) source: String,
    /// The translated sentence, and its index in the block (the edit's address).
    pub(crate) translation: Option<(usize, String)>,
    pub(crate) origin: SentenceOrigin,
    /// QA findings on this pair, `code: message`.
    pub(crate) flags: Vec<String>,
}

/// One translatable block of the article.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// The unit's index in the translated file.
    pub(crate) unit: usize,
    /// `Heading`, `Paragraph`, `FrontMatter("title")`, …
    pub(crate) kind: String,
    pub(crate) rows: Vec<Row>,
    /// Source and translation have different numbers of sentences: rows pair them
    /// by position only.
    pub(crate) unaligned: bool,
}

/// Everything the article page shows.
#[derive(Debug, Clone)]
pub(crate) struct ArticleView {
    /// The source article, relative to the project root.
    pub(crate) source: String,
    /// The translated file, relative to the project root.
    pub(crate) path: String,
    pub(crate) lang: Lang,
    /// Hash of the file as shown: an edit made from this page carries it.
    pub(crate) hash: String,
    /// The title (front matter) of the translation, if it has one.
    pub(crate) title: Option<String>,
    /// The provenance's backend.
    pub(crate) backend: Option<String>,
    /// The source changed since the file was written.
    pub(crate) stale: bool,
    pub(crate) blocks: Vec<Block>,
    /// The translated page rendered to HTML (raw HTML of the article shown as text).
    pub(crate) preview: String,
}

/// A translated file with the source article it belongs to.
struct Pairing {
    source_path: PathBuf,
    lang: Lang,
    source: Document,
    translated: Document,
    /// The source unit key of each translated unit (from the provenance).
    keys: Vec<String>,
    backend: Option<String>,
    stale: bool,
}

fn protect(project: &Project) -> Protect {
    // The patterns were checked when the config was loaded.
    Protect::new(&project.config().content.protect).unwrap_or_default()
}

fn pair(project: &Project, target: &Path, text: &str) -> Result<Pairing, ServeError> {
    let config = project.config();
    let (source_path, lang) = content::source_of(target, &config.targets, &config.file_keys)
        .ok_or_else(|| ServeError::NotFound(project.display_path(target)))?;
    let protect = protect(project);
    let fields = &config.content.translatable_fields;
    let source = Document::load_with(&source_path, fields, &protect)
        .map_err(|e| ServeError::Invalid(e.to_string()))?;
    let translated = Document::parse_with(target, text.as_bytes(), fields, &protect)
        .map_err(|e| ServeError::Invalid(e.to_string()))?;
    let provenance = content::read_provenance(&translated.text);
    let keys = provenance
        .as_ref()
        .map(|p| p.units.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    Ok(Pairing {
        stale: provenance
            .as_ref()
            .is_some_and(|p| p.source_hash != source.source_hash()),
        backend: provenance.map(|p| p.backend),
        source_path,
        lang,
        source,
        translated,
        keys,
    })
}

impl Pairing {
    /// The source unit each translated unit came from, by its key.
    fn source_units(&self) -> Vec<Option<usize>> {
        let by_key: HashMap<String, usize> = unit_keys(&self.source)
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        (0..self.translated.units.len())
            .map(|i| self.keys.get(i).and_then(|k| by_key.get(k).copied()))
            .collect()
    }
}

/// What the article page needs to know besides the file.
pub(crate) struct Context<'a> {
    pub(crate) project: &'a Project,
    pub(crate) memory: &'a Memory,
    pub(crate) checker: &'a Checker,
}

/// The side-by-side view of the translation at `target` (an absolute path inside the
/// content folder).
///
/// # Errors
/// [`ServeError::NotFound`] when `target` is not a translation of this project,
/// [`ServeError::Invalid`] when it or its source cannot be parsed.
pub(crate) fn view(cx: &Context<'_>, target: &Path) -> Result<ArticleView, ServeError> {
    let text = read(target)?;
    let pairing = pair(cx.project, target, &text)?;
    let source_lang = &cx.project.config().source;
    let target_segmenter = Segmenter::for_language(pairing.lang.language());
    let mut blocks = Vec::new();
    for (unit, source_unit) in pairing.source_units().into_iter().enumerate() {
        let translated = pairing.translated.raw(unit);
        let human = match pairing.keys.get(unit) {
            Some(key) => cx
                .memory
                .human_unit(source_lang, &pairing.lang, key)?
                .is_some_and(|h| h == translated),
            None => false,
        };
        let origins = match (human, source_unit) {
            (true, _) => Vec::new(),
            (false, Some(s)) => sentence_origins(cx, &pairing, s)?,
            (false, None) => Vec::new(),
        };
        let source_words = source_unit.map_or("", |s| words(&pairing.source, s).1);
        let sources = cx.project.segmenter().sentences(source_words);
        let targets = target_segmenter.sentences(words(&pairing.translated, unit).1);
        let aligned = sources.len() == targets.len();
        let pair = Pair {
            source: source_lang,
            target: &pairing.lang,
        };
        let rows = (0..sources.len().max(targets.len()))
            .map(|j| {
                let source = sources.get(j).copied().unwrap_or("");
                let translation = targets.get(j).map(|t| (j, (*t).to_owned()));
                let flags = match (&translation, aligned) {
                    (Some((_, t)), true) => qa::check_answer(cx.checker, source, t, pair)
                        .into_iter()
                        .map(|f| format!("{}: {}", f.code, f.message))
                        .collect(),
                    _ => Vec::new(),
                };
                let origin = if human {
                    SentenceOrigin::Human
                } else {
                    origins.get(j).cloned().unwrap_or(SentenceOrigin::Unknown)
                };
                Row {
                    source: source.to_owned(),
                    translation,
                    origin,
                    flags,
                }
            })
            .collect();
        blocks.push(Block {
            unit,
            kind: unit_kind(&pairing.translated, unit),
            rows,
            unaligned: !aligned,
        });
    }
    let title = pairing
        .translated
        .units
        .iter()
        .position(|u| u.kind == content::UnitKind::FrontMatter("title".to_owned()))
        .map(|i| words(&pairing.translated, i).1.to_owned());
    Ok(ArticleView {
        source: cx.project.display_path(&pairing.source_path),
        path: cx.project.display_path(target),
        lang: pairing.lang.clone(),
        hash: memory::hash(&text),
        title,
        backend: pairing.backend.clone(),
        stale: pairing.stale,
        blocks,
        preview: super::preview::render(&text),
    })
}

/// The text of unit `i` a person edits, and its offset in the unit: a front-matter
/// string without its quotes (`"…"` or `'…'`), since the words are theirs to change,
/// never the quoting.
fn words(doc: &Document, i: usize) -> (usize, &str) {
    let raw = doc.raw(i);
    let front_matter = doc
        .units
        .get(i)
        .is_some_and(|u| matches!(u.kind, content::UnitKind::FrontMatter(_)));
    if front_matter {
        for quote in ['"', '\''] {
            if let Some(inner) = raw.strip_prefix(quote).and_then(|r| r.strip_suffix(quote)) {
                return (1, inner);
            }
        }
    }
    (0, raw)
}

fn unit_kind(doc: &Document, unit: usize) -> String {
    match doc.units.get(unit).map(|u| &u.kind) {
        Some(content::UnitKind::FrontMatter(field)) => field.clone(),
        Some(kind) => format!("{kind:?}"),
        None => String::new(),
    }
}

/// The origin of each sentence of source unit `s`, looked up as the pipeline stores
/// it: the unit's tagged text, normalised, split, tags renumbered per sentence.
fn sentence_origins(
    cx: &Context<'_>,
    pairing: &Pairing,
    s: usize,
) -> Result<Vec<SentenceOrigin>, ServeError> {
    let Some(unit) = pairing.source.units.get(s) else {
        return Ok(Vec::new());
    };
    let text = segment::normalize(unit.tagged.text());
    let mut origins = Vec::new();
    for range in cx.project.segmenter().split(&text) {
        let (key, _) = crate::markup::canonicalize_ids(&text[range]);
        let entry = cx
            .memory
            .segment(&cx.project.config().source, &pairing.lang, &key)?;
        origins.push(match entry {
            None => SentenceOrigin::Unknown,
            Some(e) => match e.origin {
                Origin::Human => SentenceOrigin::Human,
                Origin::Import => SentenceOrigin::Import,
                Origin::Machine
                    if pairing
                        .backend
                        .as_deref()
                        .is_some_and(|b| b.starts_with(e.backend.as_str())) =>
                {
                    SentenceOrigin::Backend(e.backend)
                }
                Origin::Machine => SentenceOrigin::Memory(e.backend),
            },
        });
    }
    Ok(origins)
}

fn read(path: &Path) -> Result<String, ServeError> {
    let bytes = crate::fs::read(path).map_err(|e| ServeError::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| ServeError::Invalid("the file is not UTF-8".to_owned()))
}

/// One sentence edit, as the form sent it.
#[derive(Debug, Clone)]
pub(crate) struct SentenceEdit {
    /// The unit's index in the translated file.
    pub(crate) unit: usize,
    /// The sentence's index in the unit.
    pub(crate) sentence: usize,
    /// The new sentence.
    pub(crate) text: String,
    /// [`ArticleView::hash`] of the page the form was on.
    pub(crate) hash: String,
}

/// Replaces one sentence of the translation at `target` and stores the edited block
/// as a person's translation. The caller holds the run lock.
///
/// # Errors
/// [`ServeError::Stale`] when the file changed since the form was shown,
/// [`ServeError::Invalid`] when the edit is empty, spans lines, addresses no sentence
/// or would change the file's structure; memory and write failures otherwise.
pub(crate) fn edit(
    project: &Project,
    memory: &mut Memory,
    target: &Path,
    edit: &SentenceEdit,
) -> Result<(), ServeError> {
    let text = read(target)?;
    if memory::hash(&text) != edit.hash {
        return Err(ServeError::Stale);
    }
    let new = edit.text.trim();
    if new.is_empty() {
        return Err(ServeError::Refused("serve-error-empty"));
    }
    if new.contains(['\n', '\r']) {
        return Err(ServeError::Refused("serve-error-multiline"));
    }
    let pairing = pair(project, target, &text)?;
    let unit = pairing
        .translated
        .units
        .get(edit.unit)
        .ok_or_else(|| ServeError::Refused("serve-error-no-sentence"))?;
    let span = unit.span.clone();
    let raw = &text[span.clone()];
    let segmenter = Segmenter::for_language(pairing.lang.language());
    let (offset, inner) = words(&pairing.translated, edit.unit);
    let range: Range<usize> = segmenter
        .split(inner)
        .get(edit.sentence)
        .map(|r| r.start + offset..r.end + offset)
        .ok_or_else(|| ServeError::Refused("serve-error-no-sentence"))?;
    let block = format!("{}{new}{}", &raw[..range.start], &raw[range.end..]);
    let updated = format!("{}{block}{}", &text[..span.start], &text[span.end..]);
    // The edit must leave the same blocks, the edited one holding exactly the new text:
    // a stray `**`, a quote in a front-matter string or a new paragraph is refused.
    let reparsed = Document::parse_with(
        target,
        updated.as_bytes(),
        &project.config().content.translatable_fields,
        pairing.translated.protect(),
    )
    .map_err(|_| ServeError::Refused("serve-error-structure"))?;
    if reparsed.units.len() != pairing.translated.units.len() || reparsed.raw(edit.unit) != block {
        return Err(ServeError::Refused("serve-error-structure"));
    }
    crate::fs::write_atomic(target, updated.as_bytes())
        .map_err(|e| ServeError::Internal(e.to_string()))?;
    let source_units = pairing.source_units();
    if let (Some(key), Some(Some(s))) = (
        pairing.keys.get(edit.unit),
        source_units.get(edit.unit).copied(),
    ) {
        memory.store_human_unit(
            &project.config().source,
            &pairing.lang,
            key,
            pairing.source.raw(s),
            &block,
        )?;
    }
    Ok(())
}
