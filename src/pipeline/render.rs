//! Assembly and rendering: once every segment of a job is known, its units are put
//! together from the memory (tags restored, sentences joined as the target language
//! writes them) and the translated file's text is rendered.
//!
//! Reads the memory (only what the run does not hold already), writes nothing. An
//! article's text is rendered apart ([`Prepared::render`]), on the writer's thread: the
//! run loop only assembles.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::content::{Document, Provenance, UnitKind, UnitTranslation};
use crate::lang::Lang;
use crate::markup;
use crate::memory::{Entry, Memory, MemoryError, Origin, Proposal};

use super::plan::{Job, JobDoc, JobUnit};

/// Appended to a memory entry's backend when the answer lost its tags and was
/// repaired by translating the text between them separately (issue 9).
pub(crate) const REPAIRED: &str = " [tags repaired]";

/// How a kept block is named among the backends of a file's provenance.
const KEPT: &str = "kept (human or earlier translation)";

/// Memory entries by segment key. The key is the planned segment's own
/// ([`super::plan`]), shared rather than copied: a paragraph of megabytes cut in parts
/// would otherwise be held once more as keys (issue 10, item 14).
///
/// Hashed with foldhash, as the run stage's other sets of segment keys (see
/// `run::waiting`).
pub(crate) type Entries = foldhash::HashMap<Arc<str>, Entry>;

/// The longest translation held by segment key for a file's assembly and review; a
/// longer one is read from the memory where it is needed. Only the parts of a sentence
/// cut for length come near it: holding those (a copy of the part and of its
/// translation per job) put a paragraph of megabytes in memory twice more, while its
/// batches were in flight and again while it was assembled (issue 10, item 14).
/// Ordinary sentences are far shorter and are all held.
const HOLD_AT_MOST: usize = 16 * 1024;

/// Whether `entry` is held for assembly and review rather than read again.
pub(crate) fn worth_holding(entry: &Entry) -> bool {
    entry.translation.len() <= HOLD_AT_MOST
}

/// A translated file's text, ready to be written.
#[derive(Debug)]
pub(crate) struct RenderedFile {
    /// The file's content.
    pub(crate) content: String,
    /// The hash of the source it was rendered from (empty for Fluent files).
    pub(crate) source_hash: String,
    /// Fluent messages left out of the file, with why: `(id, reason)`.
    pub(crate) left_out: Vec<(String, String)>,
    /// The machine's proposals beside people's blocks whose source changed.
    pub(crate) proposals: Vec<Proposal>,
    /// The memory entries the file was rendered from, by segment key: the QA gate's
    /// review judges these rather than reading each segment from the memory again
    /// (issue 11: checking is to stay a small part of a run's time).
    pub(crate) entries: Entries,
}

/// A job's file with everything read from the memory: rendered, or an article whose
/// text is still to be rendered from its translations (pure work on the document,
/// done off the run loop).
#[derive(Debug)]
pub(crate) enum Prepared {
    /// Rendered already: a Fluent file, or an article with proposals beside people's
    /// blocks (which need the memory).
    Rendered(RenderedFile),
    /// An article's translations, unit by unit, its provenance and the memory entries
    /// they came from (for the QA gate's review).
    Article(Vec<UnitTranslation>, Provenance, Entries),
}

impl Prepared {
    /// The memory entries the file's translations came from, by segment key.
    pub(crate) fn entries(&self) -> &Entries {
        match self {
            Prepared::Rendered(file) => &file.entries,
            Prepared::Article(_, _, entries) => entries,
        }
    }

    /// The file's text: `doc` (the job's source article) rendered with the
    /// translations. The error is why this file cannot be rendered.
    pub(crate) fn render(self, doc: Option<&Document>) -> Result<RenderedFile, String> {
        match (self, doc) {
            (Prepared::Rendered(file), _) => Ok(file),
            (Prepared::Article(translations, provenance, entries), Some(doc)) => {
                let content = doc
                    .render_owned(translations, &provenance)
                    .map_err(|e| e.to_string())?;
                Ok(RenderedFile {
                    content,
                    source_hash: provenance.source_hash,
                    left_out: Vec::new(),
                    proposals: Vec::new(),
                    entries,
                })
            }
            (Prepared::Article(..), None) => Err("the source article is missing".to_owned()),
        }
    }
}

/// Reads what one job's file needs from the memory and renders what needs the memory
/// (see [`Prepared`]). The job's kept texts are taken from it (see [`assemble`]). `held` are translations of the job's segments the run holds
/// already, by segment key: only the others are read from the memory. The inner error
/// is why this file cannot be rendered (it fails alone); the outer one is a memory
/// failure that stops the run.
pub(crate) fn prepare(
    job: &mut Job,
    held: Entries,
    memory: &Memory,
    source: &Lang,
) -> Result<Result<Prepared, String>, MemoryError> {
    let mut entries = held;
    let assembled = assemble(memory, source, &job.target, &mut job.units, &mut entries)?;
    Ok(match &job.doc {
        JobDoc::Article(doc) => {
            if let Some(reason) = assembled.unreadable {
                return Ok(Err(reason));
            }
            let repaired = assembled.repaired;
            let Some((translations, backends)) = assembled.complete() else {
                return Ok(Err("a segment has no translation".to_owned()));
            };
            let mut backend = backend_label(&backends);
            if repaired > 0 {
                let segments = if repaired == 1 { "segment" } else { "segments" };
                backend.push_str(&format!(
                    "; {repaired} {segments} repaired after the answer lost its tags"
                ));
            }
            let provenance = Provenance {
                source: job.source_rel.clone(),
                source_hash: doc.source_hash(),
                lang: job.target.to_string(),
                backend,
                translated_at: chrono::Utc::now()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                units: job.keys.join(" "),
            };
            if job.proposals.is_empty() {
                return Ok(Ok(Prepared::Article(translations, provenance, entries)));
            }
            let content = match doc.render_units(&translations, &provenance) {
                Ok(content) => content,
                Err(e) => return Ok(Err(e.to_string())),
            };
            let rendered = (&translations[..], &provenance, content.as_str());
            let proposals = proposals(job, doc, (memory, &mut entries), source, rendered)?;
            Ok(Prepared::Rendered(RenderedFile {
                content,
                source_hash: provenance.source_hash,
                left_out: Vec::new(),
                proposals,
                entries,
            }))
        }
        JobDoc::Ftl(plan) => {
            let marker = format!(
                "machine ({}, {})",
                backend_label(&assembled.backends),
                chrono::Utc::now().format("%Y-%m-%d")
            );
            let translations: Vec<Option<String>> = assembled
                .translations
                .into_iter()
                .map(|t| t.map(|(UnitTranslation::Tagged(text) | UnitTranslation::Raw(text))| text))
                .collect();
            let (content, left_out) = plan.render(&translations, &marker);
            Ok(Prepared::Rendered(RenderedFile {
                content,
                source_hash: String::new(),
                left_out,
                proposals: Vec::new(),
                entries,
            }))
        }
    })
}

/// The proposals of a job's people's blocks whose source changed, as Markdown: the
/// block as written when its sentences lined up (the proposal is in the file), else the
/// block as dich would write the new source's machine translation. A proposal whose
/// translation failed is left out (the person's block is kept all the same).
fn proposals(
    job: &Job,
    doc: &Document,
    (memory, entries): (&Memory, &mut Entries),
    source: &Lang,
    (translations, provenance, content): (&[UnitTranslation], &Provenance, &str),
) -> Result<Vec<Proposal>, MemoryError> {
    let mut proposed = translations.to_vec();
    let mut pending = Vec::new();
    for p in &job.proposals {
        let Some(unit) = &p.unit else {
            pending.push(p);
            continue;
        };
        let mut machine = JobUnit::Machine(Arc::clone(unit));
        let units = std::slice::from_mut(&mut machine);
        let assembled = assemble(memory, source, &job.target, units, entries)?;
        if let Some(Some(text)) = assembled.translations.into_iter().next()
            && let Some(slot) = proposed.get_mut(p.index)
        {
            *slot = text;
            pending.push(p);
        }
    }
    let blocks = |text: &str| {
        // The document's own front-matter fields, so the units line up with it.
        let fields: Vec<String> = doc
            .units
            .iter()
            .filter_map(|u| match &u.kind {
                UnitKind::FrontMatter(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        Document::parse_with(&doc.path, text.as_bytes(), &fields, doc.protect()).ok()
    };
    let written = blocks(content);
    let alternative = pending
        .iter()
        .any(|p| p.unit.is_some())
        .then(|| doc.render_units(&proposed, provenance).ok())
        .flatten()
        .and_then(|text| blocks(&text));
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut out = Vec::new();
    for p in pending {
        let from = if p.unit.is_some() {
            alternative.as_ref()
        } else {
            written.as_ref()
        };
        let (Some(from), Some(key)) = (from, job.keys.get(p.index)) else {
            continue;
        };
        out.push(Proposal {
            path: job.rel.clone(),
            unit_key: key.clone(),
            old_source: p.old_source.clone(),
            new_source: doc.raw(p.index).to_owned(),
            person: p.person.clone(),
            proposal: from.raw(p.index).to_owned(),
            in_file: p.unit.is_none(),
            created_at: now.clone(),
        });
    }
    Ok(out)
}

fn backend_label(backends: &BTreeSet<String>) -> String {
    if backends.is_empty() {
        "none (nothing to translate)".to_owned()
    } else {
        backends.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// A job's translations assembled from the memory, with the backends that made them.
/// A unit is `None` when one of its segments has no translation (it failed).
struct Assembled {
    translations: Vec<Option<UnitTranslation>>,
    backends: BTreeSet<String>,
    /// Segments whose answer was repaired ([`REPAIRED`]).
    repaired: usize,
    /// Why a kept block could not be read from its file ([`JobUnit::KeptInFile`]).
    unreadable: Option<String>,
}

impl Assembled {
    /// Every unit, or `None` if any is missing.
    fn complete(self) -> Option<(Vec<UnitTranslation>, BTreeSet<String>)> {
        let translations = self.translations.into_iter().collect::<Option<Vec<_>>>()?;
        Some((translations, self.backends))
    }
}

/// Assembles every unit's tagged translation from `entries` (by segment key), and
/// from the memory what `entries` does not have; a kept text is taken from `units`
/// (left empty) where nothing else holds it. A unit is `None` when a segment is
/// missing (it failed or was never translated). Each entry read is kept in `entries`.
fn assemble(
    memory: &Memory,
    source: &Lang,
    target: &Lang,
    units: &mut [JobUnit],
    entries: &mut Entries,
) -> Result<Assembled, MemoryError> {
    let mut read_ahead = read_ahead(memory, source, target, units, entries)?;
    let mut translations = Vec::with_capacity(units.len());
    let mut backends = BTreeSet::new();
    let mut repaired = 0;
    let mut unreadable = None;
    for unit in units {
        let (retitle, unit) = match unit {
            JobUnit::KeptInFile(block) => {
                backends.insert(KEPT.to_owned());
                match block.read() {
                    Ok(text) => translations.push(Some(UnitTranslation::Raw(text))),
                    Err(reason) => {
                        unreadable.get_or_insert(reason);
                        translations.push(None);
                    }
                }
                continue;
            }
            JobUnit::Kept(kept) => {
                backends.insert(KEPT.to_owned());
                // Taken from the job where it holds the text alone (nothing reads it
                // after assembly): a kept paragraph of megabytes was copied.
                let kept = Arc::try_unwrap(std::mem::take(kept))
                    .unwrap_or_else(|shared| String::clone(&shared));
                translations.push(Some(UnitTranslation::Raw(kept)));
                continue;
            }
            JobUnit::Machine(unit) => (None, unit),
            JobUnit::Retitled(retitle, titles) => {
                backends.insert(KEPT.to_owned());
                (Some(retitle), titles)
            }
        };
        let mut text = String::new();
        let mut complete = true;
        for (i, segment) in unit.segments.iter().enumerate() {
            if i > 0 {
                let gap = &unit.gaps[i - 1];
                text.push_str(if segment.continues {
                    part_joiner(gap, target)
                } else {
                    joiner(gap, target)
                });
            }
            if segment.verbatim {
                push_growing(&mut text, &markup::restore_ids(&segment.key, &segment.ids));
                continue;
            }
            // Read, and kept for the review unless it is long (the review reads it
            // again): the parts of a paragraph of megabytes are not held beside it.
            let read;
            let mut entry = entries.get(&*segment.key);
            if needs_reading(entry, memory)
                && let Some(found) = match read_ahead.remove(&*segment.key) {
                    Some(found) => found,
                    None => memory.segment(source, target, &segment.key)?,
                }
            {
                if worth_holding(&found) {
                    entries.insert(segment.key.to_arc(), found);
                    entry = entries.get(&*segment.key);
                } else {
                    // Nor an older one held for it: the review reads what is used here.
                    entries.remove(&*segment.key);
                    read = found;
                    entry = Some(&read);
                }
            }
            let Some(entry) = entry else {
                complete = false;
                break;
            };
            backends.insert(match entry.origin {
                Origin::Machine => match entry.backend.strip_suffix(REPAIRED) {
                    Some(backend) => {
                        repaired += 1;
                        backend.to_owned()
                    }
                    None => entry.backend.clone(),
                },
                other => other.as_str().to_owned(),
            });
            push_growing(
                &mut text,
                &markup::restore_ids(&entry.translation, &segment.ids),
            );
        }
        // What growing left spare (an eighth at most for a long unit, see
        // `push_growing`) is not kept until the unit is rendered.
        if text.capacity() - text.len() > 64 * 1024 {
            text.shrink_to_fit();
        }
        translations.push(complete.then(|| match retitle {
            Some(retitle) => UnitTranslation::Raw(retitle.apply(&text)),
            None => UnitTranslation::Tagged(text),
        }));
    }
    Ok(Assembled {
        translations,
        backends,
        repaired,
        unreadable,
    })
}

/// Appends `part` to a unit's `text`, growing a long text by an eighth of its length
/// rather than doubling it: the parts of a paragraph of megabytes, appended one by one,
/// left up to as much again spare beside it until it was rendered (issue 10, item 14).
/// Shorter texts grow as usual.
fn push_growing(text: &mut String, part: &str) {
    const GROW_SLOWLY_FROM: usize = 1 << 20;
    if text.len() >= GROW_SLOWLY_FROM && text.capacity() - text.len() < part.len() {
        text.reserve_exact(part.len().max(text.len() / 8));
    }
    text.push_str(part);
}

/// On a shared memory, the translations [`assemble`] will read ([`needs_reading`]),
/// read at once: one query for the job instead of one per segment, each a round trip
/// to the server. They are held until assembly takes them, as much again as the
/// translations assembled. A local memory is read segment by segment, as it goes: no
/// round trip, and a paragraph of megabytes is not held twice.
fn read_ahead(
    memory: &Memory,
    source: &Lang,
    target: &Lang,
    units: &[JobUnit],
    entries: &Entries,
) -> Result<HashMap<String, Option<Entry>>, MemoryError> {
    if !memory.is_shared() {
        return Ok(HashMap::new());
    }
    let mut keys: Vec<&str> = (units.iter())
        .filter_map(JobUnit::machine)
        .flat_map(|unit| &unit.segments)
        .filter(|segment| !segment.verbatim && needs_reading(entries.get(&*segment.key), memory))
        .map(|segment| &*segment.key)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let found = memory.segments(source, target, &keys)?;
    Ok(keys.into_iter().map(str::to_owned).zip(found).collect())
}

/// Whether a segment's translation is read from the memory: when the run does not hold
/// it, or holds a machine translation of a shared memory, where another checkout may
/// have stored a person's or an imported one meanwhile, which outranks it. A local
/// memory has no other writer while the run holds its lock.
fn needs_reading(held: Option<&Entry>, memory: &Memory) -> bool {
    held.is_none_or(|entry| entry.origin == Origin::Machine && memory.is_shared())
}

/// What separates two translated sentences: a line break stays a line break; otherwise
/// a space, or nothing in languages written without spaces between sentences.
fn joiner(source_gap: &str, target: &Lang) -> &'static str {
    if source_gap.contains('\n') {
        "\n"
    } else if target.joins_sentences_without_space() {
        ""
    } else {
        " "
    }
}

/// What joins the parts of a sentence cut for length (a segment that `continues` the
/// one before): nothing where the source was cut inside a word (no gap), else as
/// [`joiner`] joins sentences (the source's space; none in languages written without
/// spaces).
fn part_joiner(source_gap: &str, target: &Lang) -> &'static str {
    if source_gap.is_empty() {
        ""
    } else {
        joiner(source_gap, target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_joins_sentences_without_space() {
        let zh = Lang::parse("zh-Hans").unwrap();
        assert_eq!(joiner(" ", &zh), "");
        assert_eq!(joiner(" ", &Lang::parse("en").unwrap()), " ");
        assert_eq!(joiner("\n", &zh), "\n");
    }

    /// Issue 10, item 14: a unit assembled from many parts keeps at most an eighth of
    /// its length spare, not as much again.
    #[test]
    fn a_long_unit_grows_by_an_eighth_not_by_doubling() {
        let part = "một phần, ".repeat(4_000);
        let mut text = String::new();
        for _ in 0..100 {
            push_growing(&mut text, &part);
        }
        assert_eq!(text, part.repeat(100));
        assert!(text.capacity() <= text.len() + text.len() / 8);
    }

    #[test]
    fn parts_of_a_sentence_cut_inside_a_word_join_without_space() {
        let en = Lang::parse("en").unwrap();
        assert_eq!(part_joiner("", &en), "");
        assert_eq!(part_joiner(" ", &en), " ");
        assert_eq!(part_joiner(" ", &Lang::parse("zh-Hans").unwrap()), "");
    }
}
