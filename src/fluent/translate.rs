//! Translating UI strings: what a target `.ftl` file lacks, as tagged units for the
//! pipeline's backends ([`FtlPlan::units`]), and the target file with their
//! translations spliced in ([`FtlPlan::render`]).
//!
//! Rules:
//! - only text is translated; placeables become standalone tags (`<x1/>`) and must come
//!   back intact, or the whole message fails QA and is left out;
//! - selects are translated variant by variant; plural selects are rebuilt with the
//!   target language's CLDR categories, numeric variants such as `[0]` are kept. Each
//!   category is translated from the reference variant the source language selects
//!   for a sample number of that category, with the number in the text the backend
//!   sees (`<g1>21</g1> downloads` for Russian `[one]`), so that it writes the right
//!   grammatical number; the tag comes back as the placeable (`{ $count }`), never as
//!   the literal, which would be wrong for the other numbers of the category (Russian
//!   `one` is also 21, 31, 101 …). A literal number in the reference (`[one] 1
//!   download`) becomes the placeable too, unless the category holds that number only
//!   (English `one`). A category no sample can be checked for (the reference variant
//!   has no number) is marked `# dich: review` (issue 10, item 10);
//! - message attributes are translated; term attributes (grammatical data such as
//!   `.gender`) are copied unchanged;
//! - an existing file is never re-serialized: new messages are inserted as text after
//!   the nearest preceding reference message the file has, so translations, comments
//!   and order survive byte for byte. A new file is written whole;
//! - every machine-translated message carries a `# dich: <marker>` comment.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fluent_syntax::ast;
use fluent_syntax::parser;

use crate::lang::Lang;
use crate::markup::{self, Tagged, TaggedBuilder};
use crate::text_position::{self, Location};

use super::FluentError;
use super::parse::{FileModel, offset_in, plural_selector};
use super::plural::Plural;
use super::serialize::{self, Out, OutVariant};

/// The comment prefix that marks a machine-translated message.
pub const MACHINE_MARKER_PREFIX: &str = "dich:";

/// One translatable piece of text of a message: a value, an attribute or a variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtlUnit {
    /// Where it goes, e.g. `search-results[one]` or `search-input.placeholder`.
    pub id: String,
    /// The source text with placeables as tags.
    pub tagged: Tagged,
}

/// A pattern to write: units to translate, text to copy, selects to rebuild.
#[derive(Debug, Clone)]
enum PatternPart {
    Unit(usize),
    Verbatim(String),
    Select {
        selector: String,
        variants: Vec<(String, bool, Vec<PatternPart>)>,
    },
}

#[derive(Debug, Clone)]
struct EntryPlan {
    id: String,
    value: Option<Vec<PatternPart>>,
    attributes: Vec<(String, Vec<PatternPart>)>,
    /// Key of the reference entry's text, recorded in the marker comment.
    reference_key: String,
    /// The span of a machine-translated entry (comment included) this one replaces,
    /// because its reference changed since.
    replaces: Option<(usize, usize)>,
    /// Unit ids of plural variants a person should review (see the module docs).
    review: Vec<String>,
}

/// The messages and terms of one reference file that a target file lacks, as
/// translatable units, and how to write them back.
#[derive(Debug, Clone)]
pub struct FtlPlan {
    target_path: PathBuf,
    existing: Option<String>,
    units: Vec<FtlUnit>,
    /// For each unit, its sample-number tags: their content is dropped on restore.
    sample_tags: Vec<Vec<u32>>,
    entries: Vec<EntryPlan>,
    /// For each planned entry, the id of the nearest preceding reference entry present
    /// in the existing file.
    anchors: Vec<Anchor>,
}

impl FtlPlan {
    /// Plans the translation of `reference` (the source-language file) into the file at
    /// `target_path`, whose current text is `existing` when it exists.
    ///
    /// # Errors
    /// [`FluentError::Syntax`] when either text has a syntax error: a message hidden in
    /// Junk would be planned twice, so the file must be fixed first.
    pub fn new(
        reference_path: &Path,
        reference: &str,
        target_path: &Path,
        existing: Option<&str>,
        source: &Lang,
        target: &Lang,
    ) -> Result<FtlPlan, FluentError> {
        let resource = parse_clean(reference_path, reference)?;
        let existing_model = match existing {
            Some(text) => {
                parse_clean(target_path, text)?;
                Some(FileModel::parse(text))
            }
            None => None,
        };
        let reference_model = FileModel::parse(reference);
        let existing_text = existing.unwrap_or("");
        let has = |id: &str| existing_model.as_ref().and_then(|m| m.get(id));
        let target_plural = Plural::new(target.id());
        let source_plural = Plural::new(source.id());
        let mut builder = Builder {
            units: Vec::new(),
            sample_tags: Vec::new(),
            offsets: Vec::new(),
            text: reference,
            defaults: Vec::new(),
            review: Vec::new(),
            target: target_plural.as_ref(),
            source: source_plural.as_ref(),
        };
        let mut entries = Vec::new();
        let mut anchors = Vec::new();
        let mut anchor: Option<String> = None;
        // A `##` (or `###`) comment since the anchor: a missing message then opens a
        // section and belongs before the next message present, not after the anchor.
        let mut new_section = false;
        for (index, entry) in resource.body.iter().enumerate() {
            if matches!(
                entry,
                ast::Entry::GroupComment(_) | ast::Entry::ResourceComment(_)
            ) {
                new_section = true;
            }
            let Some(id) = entry_id(entry) else { continue };
            let reference_key = reference_model
                .get(&id)
                .map(|e| reference_entry_key(reference, e.offset, e.end))
                .unwrap_or_default();
            let mut replaces = None;
            if let Some(found) = has(&id) {
                // A machine translation whose reference text changed is translated
                // again in place; anything else present (human work) is kept.
                let comment = existing_text.get(found.start..found.offset).unwrap_or("");
                match machine_reference_key(comment) {
                    Some(key) if key != reference_key => replaces = Some((found.start, found.end)),
                    _ => {
                        anchor = Some(id);
                        new_section = false;
                        continue;
                    }
                }
            }
            let mut plan = builder.entry(entry, &id);
            plan.reference_key = reference_key;
            plan.replaces = replaces;
            entries.push(plan);
            let next_present = || {
                resource.body[index + 1..]
                    .iter()
                    .filter_map(entry_id)
                    .find(|id| has(id).is_some())
            };
            anchors.push(match (&anchor, new_section.then(next_present).flatten()) {
                (_, Some(next)) => Anchor::Before(next),
                (Some(previous), None) => Anchor::After(previous.clone()),
                (None, None) => Anchor::End,
            });
        }
        Ok(FtlPlan {
            target_path: target_path.to_owned(),
            existing: existing.map(str::to_owned),
            units: builder.units,
            sample_tags: builder.sample_tags,
            entries,
            anchors,
        })
    }

    /// The units to translate, in file order.
    pub fn units(&self) -> &[FtlUnit] {
        &self.units
    }

    /// Ids of the messages and terms (`-id`) the target lacks, in reference order.
    pub fn missing_ids(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.replaces.is_none())
            .map(|e| e.id.clone())
            .collect()
    }

    /// Ids of machine-translated messages whose reference changed since: they are
    /// translated again.
    pub fn stale_ids(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.replaces.is_some())
            .map(|e| e.id.clone())
            .collect()
    }

    /// The target file's new text, with `translations[i]` (the tagged translation of
    /// `units()[i]`) restored and spliced in, and the messages that failed QA (a tag
    /// lost, invented or duplicated; no translation), which are left out.
    pub fn render(
        &self,
        translations: &[Option<String>],
        marker: &str,
    ) -> (String, Vec<(String, String)>) {
        let mut failures = Vec::new();
        let mut blocks: Vec<Option<String>> = Vec::new();
        for entry in &self.entries {
            match self.write_entry(entry, translations, marker) {
                Ok(block) => blocks.push(Some(block)),
                Err(reason) => {
                    failures.push((entry.id.clone(), reason));
                    blocks.push(None);
                }
            }
        }
        let text = match &self.existing {
            Some(existing) => self.splice(existing, &blocks),
            None => blocks
                .iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n"),
        };
        (text, failures)
    }

    /// The path this plan writes.
    pub fn target_path(&self) -> &Path {
        &self.target_path
    }

    fn write_entry(
        &self,
        entry: &EntryPlan,
        translations: &[Option<String>],
        marker: &str,
    ) -> Result<String, String> {
        let mut out = format!(
            "# {MACHINE_MARKER_PREFIX} {marker} {REFERENCE_KEY_PREFIX}{}\n",
            entry.reference_key
        );
        // After the marker line, which holds the reference key.
        if !entry.review.is_empty() {
            let ids: Vec<String> = entry.review.iter().map(|id| format!("`{id}`")).collect();
            let _ = writeln!(
                out,
                "# {MACHINE_MARKER_PREFIX} review {}: the reference words the numbers of this category differently and shows none of them; check the grammatical number",
                ids.join(", ")
            );
        }
        let value = match &entry.value {
            Some(pieces) => self.restore(pieces, translations)?,
            None => Vec::new(),
        };
        serialize::field(&mut out, &entry.id, &value, 0);
        if entry.value.is_none() {
            // `id =` with attributes only: the field writer left a blank block.
            out = out.trim_end().to_owned() + "\n";
        }
        for (name, pieces) in &entry.attributes {
            let pattern = self.restore(pieces, translations)?;
            serialize::field(&mut out, &format!(".{name}"), &pattern, 4);
        }
        Ok(out)
    }

    fn restore(
        &self,
        pieces: &[PatternPart],
        translations: &[Option<String>],
    ) -> Result<Vec<Out>, String> {
        pieces
            .iter()
            .map(|piece| match piece {
                PatternPart::Verbatim(text) => Ok(Out::Text(text.clone())),
                PatternPart::Unit(i) => self.restore_unit(*i, translations).map(Out::Text),
                PatternPart::Select { selector, variants } => Ok(Out::Select {
                    selector: selector.clone(),
                    variants: variants
                        .iter()
                        .map(|(key, default, pieces)| {
                            Ok(OutVariant {
                                key: key.clone(),
                                default: *default,
                                pattern: self.restore(pieces, translations)?,
                            })
                        })
                        .collect::<Result<_, String>>()?,
                }),
            })
            .collect()
    }

    fn restore_unit(&self, i: usize, translations: &[Option<String>]) -> Result<String, String> {
        let unit = &self.units[i];
        let translated = translations
            .get(i)
            .and_then(Option::as_deref)
            .filter(|t| !markup::strip_tags(t).trim().is_empty())
            .ok_or_else(|| format!("{}: no translation", unit.id))?;
        let sample_tags = self.sample_tags.get(i).map_or(&[][..], Vec::as_slice);
        restore_tagged(&unit.tagged, translated, sample_tags)
            .map_err(|e| format!("{}: {e}", unit.id))
    }

    /// Inserts each block after its anchor's last line, or at the end of the file.
    fn splice(&self, existing: &str, blocks: &[Option<String>]) -> String {
        let model = FileModel::parse(existing);
        let mut inserts: Vec<(usize, String)> = Vec::new();
        let mut replacements: Vec<(usize, usize, String)> = Vec::new();
        let mut at_end = String::new();
        for ((block, anchor), entry) in blocks.iter().zip(&self.anchors).zip(&self.entries) {
            let Some(block) = block else { continue };
            if let Some((start, end)) = entry.replaces {
                replacements.push((start, end, block.trim_end_matches('\n').to_owned()));
                continue;
            }
            // Blocks end with a line break. After an entry, the text that follows `end`
            // starts with its own line break; before one, `start` begins a line.
            let place = match anchor {
                Anchor::After(id) => model
                    .get(id)
                    .map(|e| (e.end, format!("\n{}", block.trim_end_matches('\n')))),
                Anchor::Before(id) => model.get(id).map(|e| (e.start, block.clone())),
                Anchor::End => None,
            };
            match place {
                Some((at, text)) => match inserts.iter_mut().find(|(a, _)| *a == at) {
                    Some((_, existing)) => existing.push_str(&text),
                    None => inserts.push((at, text)),
                },
                None => {
                    at_end.push('\n');
                    at_end.push_str(block);
                }
            }
        }
        // Insertions happen at entry ends or starts, replacements over whole entries:
        // as edits (start, end, text) they never overlap.
        let mut edits: Vec<(usize, usize, String)> = inserts
            .into_iter()
            .map(|(at, text)| (at, at, text))
            .chain(replacements)
            .collect();
        edits.sort_by_key(|(start, end, _)| (*start, *end));
        let mut out = String::with_capacity(existing.len() + 256);
        let mut copied = 0;
        for (start, end, text) in edits {
            if start < copied {
                continue;
            }
            out.push_str(&existing[copied..start]);
            out.push_str(&text);
            copied = end;
        }
        out.push_str(&existing[copied..]);
        if !at_end.is_empty() {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&at_end);
        }
        out
    }
}

/// Where a missing entry goes in the existing target file.
#[derive(Debug, Clone)]
enum Anchor {
    /// After the nearest preceding reference entry the file has.
    After(String),
    /// Before the next reference entry the file has (the entry opens a section).
    Before(String),
    /// At the end of the file.
    End,
}

/// What precedes the reference key in a machine marker comment.
const REFERENCE_KEY_PREFIX: &str = "ref:";

/// The key of a reference entry: a hash of its text from the id to its end.
fn reference_entry_key(text: &str, offset: usize, end: usize) -> String {
    let entry = text.get(offset..end).unwrap_or("");
    crate::memory::hash(entry)[..12].to_owned()
}

/// The reference key in a `# dich: … ref:<key>` comment, if the comment is one.
fn machine_reference_key(comment: &str) -> Option<&str> {
    comment
        .lines()
        .map(|line| line.trim_start_matches('#').trim())
        .find(|line| line.starts_with(MACHINE_MARKER_PREFIX))?
        .rsplit_once(REFERENCE_KEY_PREFIX)
        .map(|(_, key)| key.trim())
}

/// Number of messages and terms in `text` (Junk not counted).
pub fn entry_count(text: &str) -> usize {
    FileModel::parse(text).entries.len()
}

/// Ids of the messages and terms of `text` marked as machine translations.
pub fn machine_marked_ids(text: &str) -> Vec<String> {
    let resource = match parser::parse(text) {
        Ok(resource) | Err((resource, _)) => resource,
    };
    let marked = |comment: &Option<ast::Comment<&str>>| {
        comment.as_ref().is_some_and(|c| {
            c.content
                .iter()
                .any(|line| line.trim_start().starts_with(MACHINE_MARKER_PREFIX))
        })
    };
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            ast::Entry::Message(m) if marked(&m.comment) => Some(m.id.name.to_owned()),
            ast::Entry::Term(t) if marked(&t.comment) => Some(format!("-{}", t.id.name)),
            _ => None,
        })
        .collect()
}

fn parse_clean<'t>(path: &Path, text: &'t str) -> Result<ast::Resource<&'t str>, FluentError> {
    match parser::parse(text) {
        Ok(resource) => Ok(resource),
        Err((_, errors)) => {
            let first = &errors[0];
            let Location { line, column } = text_position::location(text, first.pos.start);
            Err(FluentError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: first.kind.to_string(),
            })
        }
    }
}

fn entry_id(entry: &ast::Entry<&str>) -> Option<String> {
    match entry {
        ast::Entry::Message(m) => Some(m.id.name.to_owned()),
        ast::Entry::Term(t) => Some(format!("-{}", t.id.name)),
        _ => None,
    }
}

/// Collects units while walking the reference AST.
struct Builder<'p> {
    units: Vec<FtlUnit>,
    /// Parallel to `units`.
    sample_tags: Vec<Vec<u32>>,
    /// Parallel to `units`: the byte offset in `text` of each unit's first text, for
    /// `dich qa`'s line and column (`None` when a placeable comes first).
    offsets: Vec<Option<usize>>,
    /// The text the AST was parsed from.
    text: &'p str,
    /// Unit-id prefixes (`id[key]`) of the default variants of non-plural selects, so
    /// `dich qa` can compare a variant the reference lacks with its default.
    defaults: Vec<String>,
    /// Unit ids to review, for the entry being built.
    review: Vec<String>,
    target: Option<&'p Plural>,
    source: Option<&'p Plural>,
}

/// A number put in place of a plural selector's placeable (or of the reference's
/// literal number) in the text a backend sees.
struct Sample<'s> {
    /// The selector's variable.
    var: &'s str,
    /// The placeable the tag stands for, e.g. `{ $count }`.
    placeable: String,
    number: String,
    /// Also wrap the literal `number` in the text (the reference wrote `1 download`).
    wrap_literal: bool,
}

impl Builder<'_> {
    fn entry(&mut self, entry: &ast::Entry<&str>, id: &str) -> EntryPlan {
        let (value, attributes) = match entry {
            ast::Entry::Message(m) => (
                m.value.as_ref().map(|v| self.pattern(v, id)),
                m.attributes
                    .iter()
                    .map(|a| {
                        let unit_id = format!("{id}.{}", a.id.name);
                        (a.id.name.to_owned(), self.pattern(&a.value, &unit_id))
                    })
                    .collect(),
            ),
            ast::Entry::Term(t) => (
                Some(self.pattern(&t.value, id)),
                // Term attributes are each language's grammar (e.g. `.gender`): copied.
                t.attributes
                    .iter()
                    .map(|a| {
                        (
                            a.id.name.to_owned(),
                            vec![PatternPart::Verbatim(verbatim(&a.value))],
                        )
                    })
                    .collect(),
            ),
            _ => (None, Vec::new()),
        };
        EntryPlan {
            id: id.to_owned(),
            value,
            attributes,
            reference_key: String::new(),
            replaces: None,
            review: std::mem::take(&mut self.review),
        }
    }

    /// Text and inline placeables become one unit; a select splits the pattern.
    fn pattern(&mut self, pattern: &ast::Pattern<&str>, id: &str) -> Vec<PatternPart> {
        self.pattern_sampled(pattern, id, None)
    }

    /// [`Self::pattern`], with `sample`'s number in place of the selector's placeable.
    fn pattern_sampled(
        &mut self,
        pattern: &ast::Pattern<&str>,
        id: &str,
        sample: Option<&Sample<'_>>,
    ) -> Vec<PatternPart> {
        let mut pieces = Vec::new();
        let mut current = TaggedBuilder::new();
        let mut empty = true;
        let mut sample_tags = Vec::new();
        let mut literal_wrapped = false;
        let mut first_text = None;
        for element in &pattern.elements {
            match element {
                ast::PatternElement::TextElement { value } => {
                    if first_text.is_none() {
                        first_text = offset_in(self.text, value);
                    }
                    let literal = sample
                        .filter(|s| s.wrap_literal && !literal_wrapped)
                        .and_then(|s| find_number(value, &s.number).map(|at| (s, at)));
                    match literal {
                        Some((s, at)) => {
                            current.push_text(&value[..at]);
                            sample_tags.push(current.open(s.placeable.clone()));
                            current.push_text(&s.number);
                            current.close("");
                            current.push_text(&value[at + s.number.len()..]);
                            literal_wrapped = true;
                        }
                        None => current.push_text(value),
                    }
                    empty = false;
                }
                ast::PatternElement::Placeable {
                    expression: ast::Expression::Inline(inline),
                } => {
                    let markup = format!("{{ {} }}", serialize::inline(inline));
                    match sample.filter(|s| is_selector(inline, s.var)) {
                        Some(s) => {
                            sample_tags.push(current.open(markup));
                            current.push_text(&s.number);
                            current.close("");
                        }
                        None => {
                            current.standalone(markup);
                        }
                    }
                    empty = false;
                }
                ast::PatternElement::Placeable {
                    expression: ast::Expression::Select { selector, variants },
                } => {
                    if !empty {
                        let done = std::mem::take(&mut current);
                        let unit_id = format!("{id}#{}", pieces.len());
                        let tags = std::mem::take(&mut sample_tags);
                        let at = first_text.take();
                        pieces.push(self.unit(done.finish(), &unit_id, tags, at));
                        empty = true;
                    }
                    pieces.push(self.select(selector, variants, id));
                }
            }
        }
        if !empty {
            let unit_id = if pieces.is_empty() {
                id.to_owned()
            } else {
                format!("{id}#{}", pieces.len())
            };
            pieces.push(self.unit(current.finish(), &unit_id, sample_tags, first_text));
        }
        pieces
    }

    /// A unit, or verbatim text when there is nothing to translate (`{ -brand }`).
    fn unit(
        &mut self,
        tagged: Tagged,
        id: &str,
        sample_tags: Vec<u32>,
        offset: Option<usize>,
    ) -> PatternPart {
        let without_samples = markup::strip_tags(&drop_sample_text(tagged.text(), &sample_tags));
        if !without_samples.chars().any(char::is_alphabetic) {
            let text = restore_tagged(&tagged, tagged.text(), &sample_tags).unwrap_or_default();
            return PatternPart::Verbatim(text);
        }
        self.units.push(FtlUnit {
            id: id.to_owned(),
            tagged,
        });
        self.sample_tags.push(sample_tags);
        self.offsets.push(offset);
        PatternPart::Unit(self.units.len() - 1)
    }

    fn select(
        &mut self,
        selector: &ast::InlineExpression<&str>,
        variants: &[ast::Variant<&str>],
        id: &str,
    ) -> PatternPart {
        let key_name = |v: &ast::Variant<&str>| match v.key {
            ast::VariantKey::Identifier { name } => name.to_owned(),
            ast::VariantKey::NumberLiteral { value } => value.to_owned(),
        };
        let plural = plural_selector(selector).is_some()
            && variants.iter().all(|v| match v.key {
                ast::VariantKey::Identifier { name } => super::parse::is_cldr(name),
                ast::VariantKey::NumberLiteral { .. } => true,
            });
        let mut out = Vec::new();
        match (plural, self.target, plural_selector(selector)) {
            (true, Some(target), Some(var)) => {
                let fallback = variants.iter().find(|v| v.default).or(variants.last());
                for v in variants
                    .iter()
                    .filter(|v| matches!(v.key, ast::VariantKey::NumberLiteral { .. }))
                {
                    let key = key_name(v);
                    out.push((
                        key.clone(),
                        false,
                        self.pattern(&v.value, &format!("{id}[{key}]")),
                    ));
                }
                let numeric_keys: Vec<f64> = variants
                    .iter()
                    .filter_map(|v| match v.key {
                        ast::VariantKey::NumberLiteral { value } => value.parse().ok(),
                        ast::VariantKey::Identifier { .. } => None,
                    })
                    .collect();
                let placeable = format!("{{ {} }}", serialize::inline(selector));
                for category in target.categories() {
                    let unit_id = format!("{id}[{category}]");
                    let source_for = |number: &str| -> Option<&ast::Variant<&str>> {
                        let exact = variants.iter().find(|v| {
                            matches!(v.key, ast::VariantKey::NumberLiteral { value }
                                if value.parse::<f64>().ok() == number.parse::<f64>().ok())
                        });
                        let source_category = self.source.map_or("other", |p| p.select(number));
                        exact
                            .or_else(|| variants.iter().find(|v| key_name(v) == source_category))
                            .or(fallback)
                    };
                    let candidates = target.translation_samples(category, &numeric_keys);
                    // The first sample whose reference variant shows the number.
                    let chosen = candidates.iter().find_map(|number| {
                        let variant = source_for(number)?;
                        let shows = has_selector(&variant.value, var);
                        let literal = !shows && pattern_has_number(&variant.value, number);
                        (shows || literal)
                            .then(|| Sample {
                                var,
                                placeable: placeable.clone(),
                                number: number.clone(),
                                wrap_literal: literal && !target.holds_only(category, number),
                            })
                            .map(|sample| (variant, sample))
                    });
                    let pieces = match chosen {
                        Some((variant, sample)) => {
                            self.pattern_sampled(&variant.value, &unit_id, Some(&sample))
                        }
                        None => {
                            // No variant shows the number: what matters is the
                            // grammatical number, so take the smallest count (1 for
                            // Russian `one`, not 21).
                            let smallest = target
                                .integers(category)
                                .iter()
                                // Integer samples are below 10^10: exact in an f64.
                                .find(|n| **n >= 1 && !numeric_keys.contains(&(**n as f64)))
                                .map(u64::to_string)
                                .or_else(|| candidates.first().cloned());
                            let Some(variant) =
                                smallest.as_deref().and_then(source_for).or(fallback)
                            else {
                                continue;
                            };
                            // A person decides when the reference words numbers of this
                            // category differently (English "this file" for 1, "these
                            // files" for 21; both are Russian `one`).
                            let mut used = target
                                .all_samples(category)
                                .into_iter()
                                .filter_map(|n| source_for(&n));
                            let first = used.next();
                            if first.is_some_and(|f| used.any(|v| !std::ptr::eq(v, f))) {
                                self.review.push(unit_id.clone());
                            }
                            self.pattern(&variant.value, &unit_id)
                        }
                    };
                    out.push((category.to_owned(), category == "other", pieces));
                }
            }
            _ => {
                for v in variants {
                    let key = key_name(v);
                    if v.default {
                        self.defaults.push(format!("{id}[{key}]"));
                    }
                    out.push((
                        key.clone(),
                        v.default,
                        self.pattern(&v.value, &format!("{id}[{key}]")),
                    ));
                }
            }
        }
        PatternPart::Select {
            selector: serialize::inline(selector),
            variants: out,
        }
    }
}

/// A pattern copied as Fluent source (term attributes).
fn verbatim(pattern: &ast::Pattern<&str>) -> String {
    pattern
        .elements
        .iter()
        .map(|e| match e {
            ast::PatternElement::TextElement { value } => serialize::escape_text(value),
            ast::PatternElement::Placeable {
                expression: ast::Expression::Inline(inline),
            } => format!("{{ {} }}", serialize::inline(inline)),
            ast::PatternElement::Placeable {
                expression: ast::Expression::Select { selector, .. },
            } => format!("{{ {} }}", serialize::inline(selector)),
        })
        .collect()
}

/// True when `inline` formats the plural selector's variable: `$var` or `NUMBER($var, …)`.
fn is_selector(inline: &ast::InlineExpression<&str>, var: &str) -> bool {
    match inline {
        ast::InlineExpression::VariableReference { id } => id.name == var,
        ast::InlineExpression::FunctionReference { id, arguments } if id.name == "NUMBER" => {
            matches!(arguments.positional.first(),
                Some(ast::InlineExpression::VariableReference { id }) if id.name == var)
        }
        _ => false,
    }
}

/// True when `pattern` shows the selector's variable.
fn has_selector(pattern: &ast::Pattern<&str>, var: &str) -> bool {
    pattern.elements.iter().any(|e| {
        matches!(e, ast::PatternElement::Placeable { expression: ast::Expression::Inline(inline) }
            if is_selector(inline, var))
    })
}

/// True when `pattern`'s text shows `number` as a number of its own.
fn pattern_has_number(pattern: &ast::Pattern<&str>, number: &str) -> bool {
    pattern.elements.iter().any(|e| {
        matches!(e, ast::PatternElement::TextElement { value } if find_number(value, number).is_some())
    })
}

/// Where `number` stands as a number of its own in `text` (not inside `21` or `1.5`).
fn find_number(text: &str, number: &str) -> Option<usize> {
    let digit_after = |rest: &str| {
        let mut chars = rest.chars();
        match chars.next() {
            Some(c) if c.is_ascii_digit() => true,
            Some('.' | ',') => chars.next().is_some_and(|c| c.is_ascii_digit()),
            _ => false,
        }
    };
    text.match_indices(number).map(|(at, _)| at).find(|&at| {
        let before = text[..at].chars().next_back();
        !before.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',')
            && !digit_after(&text[at + number.len()..])
    })
}

/// `text` with the content of its sample-number tags dropped: `<g1>21</g1>` →
/// `<g1></g1>`, which restores to the placeable alone, whatever the backend made of
/// the number (`1`, `one`, `1,5`).
fn drop_sample_text(text: &str, sample_tags: &[u32]) -> String {
    if sample_tags.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut inside: Option<u32> = None;
    for token in markup::tokens(text) {
        match (inside, token) {
            (Some(open), markup::Token::Close(id)) if id == open => {
                inside = None;
                let _ = write!(out, "</g{id}>");
            }
            (Some(_), _) => {}
            (None, markup::Token::Open(id)) if sample_tags.contains(&id) => {
                inside = Some(id);
                let _ = write!(out, "<g{id}>");
            }
            (None, markup::Token::Text(text)) => out.push_str(text),
            (None, markup::Token::Open(id)) => {
                let _ = write!(out, "<g{id}>");
            }
            (None, markup::Token::Close(id)) => {
                let _ = write!(out, "</g{id}>");
            }
            (None, markup::Token::Standalone(id)) => {
                let _ = write!(out, "<x{id}/>");
            }
        }
    }
    out
}

/// A translation with its tags replaced by the Fluent markup they stand for.
fn restore_tagged(
    tagged: &Tagged,
    translated: &str,
    sample_tags: &[u32],
) -> Result<String, markup::TagError> {
    tagged.restore(&escape_tagged(&drop_sample_text(translated, sample_tags)))
}

/// Escapes the text between the tags of tagged text for Fluent; tags stay as they are.
fn escape_tagged(text: &str) -> String {
    markup::tokens(text)
        .into_iter()
        .map(|token| match token {
            markup::Token::Text(text) => serialize::escape_text(text),
            markup::Token::Open(id) => format!("<g{id}>"),
            markup::Token::Close(id) => format!("</g{id}>"),
            markup::Token::Standalone(id) => format!("<x{id}/>"),
        })
        .collect()
}

/// One message or term of a text, as [`text_units`] finds it.
#[derive(Debug, Clone)]
pub(super) struct TextEntry {
    /// `id` or `-term`.
    pub(super) id: String,
    /// Byte offset of the id.
    pub(super) offset: usize,
    /// Its comment, when it is a machine marker (`# dich: …`).
    pub(super) machine: Option<String>,
    /// Its units in [`TextUnits::units`].
    pub(super) units: std::ops::Range<usize>,
}

/// The translatable units of every message and term of a text, as the translator
/// splits them (values, attributes, each variant of a select as its own unit), for
/// `dich qa`.
#[derive(Debug, Clone)]
pub(super) struct TextUnits {
    pub(super) units: Vec<FtlUnit>,
    /// Parallel to `units`: byte offset of the unit's first text, if any.
    pub(super) offsets: Vec<Option<usize>>,
    pub(super) entries: Vec<TextEntry>,
    /// Unit-id prefixes (`id[key]`) of the default variants.
    pub(super) defaults: Vec<String>,
}

/// [`TextUnits`] of `text`; Junk is skipped (`dich check` reports it). Selects are
/// kept as written, variant by variant (no plural rebuilding), so a translation's
/// variants can be paired with the reference's.
pub(super) fn text_units(text: &str) -> TextUnits {
    let resource = match parser::parse(text) {
        Ok(resource) | Err((resource, _)) => resource,
    };
    let mut builder = Builder {
        units: Vec::new(),
        sample_tags: Vec::new(),
        offsets: Vec::new(),
        text,
        defaults: Vec::new(),
        review: Vec::new(),
        target: None,
        source: None,
    };
    let mut entries = Vec::new();
    for entry in &resource.body {
        let (name, comment) = match entry {
            ast::Entry::Message(m) => (m.id.name, m.comment.as_ref()),
            ast::Entry::Term(t) => (t.id.name, t.comment.as_ref()),
            _ => continue,
        };
        let Some(id) = entry_id(entry) else { continue };
        let first = builder.units.len();
        builder.entry(entry, &id);
        let machine = comment.map(|c| c.content.join("\n")).filter(|c| {
            c.lines()
                .any(|line| line.trim_start().starts_with(MACHINE_MARKER_PREFIX))
        });
        entries.push(TextEntry {
            id,
            offset: offset_in(text, name).unwrap_or(0),
            machine,
            units: first..builder.units.len(),
        });
    }
    TextUnits {
        units: builder.units,
        offsets: builder.offsets,
        entries,
        defaults: builder.defaults,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::pseudo::pseudo_translate;
    use crate::config::Config;

    const VI: &str = include_str!("../../locales/vi/main.ftl");
    const MARKER: &str = "machine (pseudo, 2026-11-28)";

    /// The text without the reference keys of the markers, which hash the source.
    fn unkeyed(text: &str) -> String {
        text.lines()
            .map(|line| match line.split_once(" ref:") {
                Some((head, _)) if line.starts_with("# dich:") => head,
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n")
            + if text.ends_with('\n') { "\n" } else { "" }
    }

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
    }

    fn plan(reference: &str, existing: Option<&str>, target: &str) -> FtlPlan {
        FtlPlan::new(
            Path::new("locales/vi/main.ftl"),
            reference,
            Path::new("locales/x/main.ftl"),
            existing,
            &lang("vi"),
            &lang(target),
        )
        .unwrap()
    }

    fn pseudo(plan: &FtlPlan, target: &str) -> Vec<Option<String>> {
        plan.units()
            .iter()
            .map(|u| Some(pseudo_translate(u.tagged.text(), &lang(target))))
            .collect()
    }

    /// Checks `vi` + the rendered target in a temporary project; returns the report.
    fn check_pair(vi: &str, target_tag: &str, target: &str) -> crate::fluent::CheckReport {
        let dir = tempfile::tempdir().unwrap();
        for (tag, text) in [("vi", vi), (target_tag, target)] {
            std::fs::create_dir_all(dir.path().join("locales").join(tag)).unwrap();
            std::fs::write(dir.path().join("locales").join(tag).join("main.ftl"), text).unwrap();
        }
        let toml = format!("[project]\nsource = \"vi\"\ntargets = [\"{target_tag}\"]\n");
        let config = Config::parse(&toml, &dir.path().join("config.toml")).unwrap();
        crate::fluent::check(&config)
    }

    #[test]
    fn new_files_from_the_sample_locale_check_clean() {
        for target in ["en", "ko", "zh-Hans"] {
            let plan = plan(VI, None, target);
            let (text, failures) = plan.render(&pseudo(&plan, target), MARKER);
            assert!(failures.is_empty(), "{failures:?}");
            let report = check_pair(VI, target, &text);
            assert_eq!(
                report.diagnostics,
                vec![],
                "{target}:\n{text}\n{}",
                crate::fluent::report::human(&report)
            );
            assert_eq!(machine_marked_ids(&text).len(), plan.missing_ids().len());
        }
    }

    #[test]
    fn placeables_become_tags_and_terms_stay_references() {
        let plan = plan(
            "-brand = Cổng\nfooter = © { $year } { -brand }, trang { NUMBER($n) }\n",
            None,
            "en",
        );
        let ids: Vec<&str> = plan.units().iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["-brand", "footer"]);
        assert_eq!(plan.units()[1].tagged.text(), "© <x1/> <x2/>, trang <x3/>");
        let (text, _) = plan.render(&pseudo(&plan, "en"), MARKER);
        assert!(text.contains("-brand = [en] Cong"), "{text}");
        assert!(
            text.contains("footer = [en] © { $year } { -brand }, trang { NUMBER($n) }"),
            "{text}"
        );
    }

    #[test]
    fn plural_selects_get_the_target_categories() {
        let vi = "views =\n    { $count ->\n        [0] Chưa có lượt xem\n       *[other] { $count } lượt xem\n    }\n";
        let en = plan(vi, None, "en");
        let ids: Vec<&str> = en.units().iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["views[0]", "views[one]", "views[other]"]);
        // Each category is sent with a number it selects, so the backend sees a
        // singular for `[one]` (issue 10: "1 minutes read").
        assert_eq!(en.units()[1].tagged.text(), "<g1>1</g1> lượt xem");
        assert_eq!(en.units()[2].tagged.text(), "<g1>2</g1> lượt xem");
        let translations = vec![
            Some("No views".to_owned()),
            Some("<g1>1</g1> view".to_owned()),
            Some("<g1>2</g1> views".to_owned()),
        ];
        let (text, failures) = en.render(&translations, MARKER);
        assert!(failures.is_empty());
        assert_eq!(
            unkeyed(&text),
            "# dich: machine (pseudo, 2026-11-28)\nviews =\n    { $count ->\n        [0] No views\n        [one] { $count } view\n       *[other] { $count } views\n    }\n"
        );
        let ko = plan(vi, None, "ko");
        let ids: Vec<&str> = ko.units().iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["views[0]", "views[other]"]);
    }

    /// Formats message `id` of `text` in `lang` with `$count` (or `$num`) = `n`.
    fn format(lang: &str, text: &str, id: &str, n: f64) -> String {
        let mut bundle = fluent_bundle::FluentBundle::new(vec![lang.parse().unwrap()]);
        bundle.set_use_isolating(false);
        bundle
            .add_resource(fluent_bundle::FluentResource::try_new(text.to_owned()).unwrap())
            .unwrap();
        let pattern = bundle.get_message(id).unwrap().value().unwrap();
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("count", n);
        args.set("num", n);
        let mut errors = Vec::new();
        let out = bundle.format_pattern(pattern, Some(&args), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        out.into_owned()
    }

    /// The units' texts, by id.
    fn texts(plan: &FtlPlan) -> Vec<(&str, &str)> {
        plan.units()
            .iter()
            .map(|u| (u.id.as_str(), u.tagged.text()))
            .collect()
    }

    /// Issue 10: an added English `[one]` came from the same text as `[other]`, and
    /// the UI showed "1 minutes read".
    #[test]
    fn an_added_english_one_is_translated_from_a_singular_sample() {
        let vi = "read-time = { $count ->\n   *[other] { $count } phút đọc\n}\n";
        let en = plan(vi, None, "en");
        assert_eq!(
            texts(&en),
            [
                ("read-time[one]", "<g1>1</g1> phút đọc"),
                ("read-time[other]", "<g1>2</g1> phút đọc"),
            ]
        );
        // What a backend answers: the sample number may even come back as a word.
        let answers = [
            Some("<g1>one</g1> minute read".to_owned()),
            Some("<g1>2</g1> minutes read".to_owned()),
        ];
        let (text, failures) = en.render(&answers, MARKER);
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(format("en", &text, "read-time", 1.0), "1 minute read");
        assert_eq!(format("en", &text, "read-time", 7.0), "7 minutes read");
        assert_eq!(check_pair(vi, "en", &text).diagnostics, vec![]);
    }

    /// Mozilla Send's `en-US` strings into Russian: Russian `one` also selects 21, 31,
    /// 101 …, so the English literal `1` must become the placeable.
    #[test]
    fn send_strings_into_russian_use_the_placeable_for_every_category() {
        let en_us =
            "downloadCount = { $num ->\n    [one] 1 download\n   *[other] { $num } downloads\n}\n";
        let plan = FtlPlan::new(
            Path::new("locales/en-US/send.ftl"),
            en_us,
            Path::new("locales/ru/send.ftl"),
            None,
            &lang("en-US"),
            &lang("ru"),
        )
        .unwrap();
        assert_eq!(
            texts(&plan),
            [
                ("downloadCount[one]", "<g1>21</g1> downloads"),
                ("downloadCount[few]", "<g1>2</g1> downloads"),
                ("downloadCount[many]", "<g1>5</g1> downloads"),
                ("downloadCount[other]", "<g1>1.5</g1> downloads"),
            ]
        );
        let answers = [
            "<g1>21</g1> загрузка",
            "<g1>2</g1> загрузки",
            "<g1>5</g1> загрузок",
            "<g1>1,5</g1> загрузки",
        ]
        .map(|t| Some(t.to_owned()));
        let (text, failures) = plan.render(&answers, MARKER);
        assert!(failures.is_empty(), "{failures:?}");
        assert!(!text.contains("1 "), "no literal number left:\n{text}");
        for (n, expected) in [
            (1.0, "1 загрузка"),
            (21.0, "21 загрузка"),
            (101.0, "101 загрузка"),
            (3.0, "3 загрузки"),
            (11.0, "11 загрузок"),
            (1.5, "1.5 загрузки"),
        ] {
            assert_eq!(format("ru", &text, "downloadCount", n), expected);
        }
    }

    /// The same strings into English keep the literal where `one` is exactly 1, and
    /// into French (`one` = 0 and 1) the literal becomes the placeable.
    #[test]
    fn send_strings_into_english_and_french() {
        let en_us =
            "downloadCount = { $num ->\n    [one] 1 download\n   *[other] { $num } downloads\n}\n";
        let into = |target: &str| {
            FtlPlan::new(
                Path::new("en-US.ftl"),
                en_us,
                Path::new("x.ftl"),
                None,
                &lang("en-US"),
                &lang(target),
            )
            .unwrap()
        };
        let en = into("en-GB");
        assert_eq!(
            texts(&en),
            [
                ("downloadCount[one]", "1 download"),
                ("downloadCount[other]", "<g1>2</g1> downloads"),
            ]
        );
        let fr = into("fr");
        assert_eq!(fr.units()[0].tagged.text(), "<g1>1</g1> download");
        let answers =
            ["<g1>1</g1> téléchargement", "<g1>2</g1> téléchargements"].map(|t| Some(t.to_owned()));
        let (text, _) = fr.render(&answers, MARKER);
        assert_eq!(
            format("fr", &text, "downloadCount", 0.0),
            "0 téléchargement"
        );
    }

    /// A source variant with no number at all cannot be checked against the target's
    /// wider category: the added variant is marked for review.
    #[test]
    fn a_variant_without_a_number_for_a_wider_category_is_marked_for_review() {
        let en_us = "files = { $n ->\n    [one] One file\n   *[other] Several files\n}\n";
        let plan = FtlPlan::new(
            Path::new("en-US.ftl"),
            en_us,
            Path::new("fr.ftl"),
            None,
            &lang("en-US"),
            &lang("fr"),
        )
        .unwrap();
        let (text, _) = plan.render(&pseudo(&plan, "fr"), MARKER);
        // French `one` is 0 and 1: English says "Several files" for 0, "One file" for 1.
        assert!(text.contains("# dich: review `files[one]`:"), "{text}");
        // French `other` (2, 3 …) is all English `other`: nothing to decide.
        assert!(!text.contains("`files[other]`"), "{text}");
        // Russian `one` (1, 21 …) is translated from the singular, and reviewed.
        let ru = FtlPlan::new(
            Path::new("en-US.ftl"),
            en_us,
            Path::new("ru.ftl"),
            None,
            &lang("en-US"),
            &lang("ru"),
        )
        .unwrap();
        assert_eq!(texts(&ru)[0], ("files[one]", "One file"));
        let (ru_text, _) = ru.render(&pseudo(&ru, "ru"), MARKER);
        assert!(
            ru_text.contains("# dich: review `files[one]`:"),
            "{ru_text}"
        );
        // English into English: the same rules, nothing to review.
        let (gb, _) = {
            let gb = plan_from(en_us, "", "en-GB");
            gb.render(&pseudo(&gb, "en-GB"), MARKER)
        };
        assert!(!gb.contains("review"), "{gb}");
        assert_eq!(machine_marked_ids(&text), ["files"]);
        // The review line does not disturb the reference key of the marker.
        assert!(plan_from(en_us, &text, "fr").units().is_empty(), "{text}");
    }

    fn plan_from(reference: &str, existing: &str, target: &str) -> FtlPlan {
        FtlPlan::new(
            Path::new("en-US.ftl"),
            reference,
            Path::new("x.ftl"),
            Some(existing),
            &lang("en-US"),
            &lang(target),
        )
        .unwrap()
    }

    #[test]
    fn attributes_and_string_selects_are_translated_one_by_one() {
        let vi = "search =\n    .placeholder = Nhập từ khóa\n    .aria-label = Ô tìm kiếm\nrole = { $gender ->\n    [male] Ông { $name }\n   *[other] { $name }\n}\n";
        let plan = plan(vi, None, "en");
        let ids: Vec<&str> = plan.units().iter().map(|u| u.id.as_str()).collect();
        // `[other]` is only a placeable: nothing to translate, copied as is.
        assert_eq!(
            ids,
            ["search.placeholder", "search.aria-label", "role[male]"]
        );
        let (text, _) = plan.render(&pseudo(&plan, "en"), MARKER);
        assert!(
            text.contains("search =\n    .placeholder = [en] Nhap tu khoa"),
            "{text}"
        );
        assert!(text.contains("       *[other] { $name }"), "{text}");
        assert_eq!(check_pair(vi, "en", &text).diagnostics, vec![]);
    }

    #[test]
    fn a_broken_tag_fails_only_that_message() {
        let vi = "a = Trang { $page }\nb = Tác giả { $author }\n";
        let plan = plan(vi, None, "en");
        let translations = vec![Some("Page".to_owned()), Some("By <x1/>".to_owned())];
        let (text, failures) = plan.render(&translations, MARKER);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].0, "a");
        assert!(failures[0].1.contains("<x1/>"), "{}", failures[0].1);
        assert_eq!(
            unkeyed(&text),
            "# dich: machine (pseudo, 2026-11-28)\nb = By { $author }\n"
        );
        let (_, failures) = plan.render(&[None, Some("<x1/><x1/>".into())], MARKER);
        assert_eq!(failures.len(), 2);
    }

    #[test]
    fn splices_into_existing_text_without_touching_it() {
        let vi = "## Đầu trang\nhome = Trang chủ\nnews = Tin tức\n\n## Tìm kiếm\nsearch = Tìm\nsearch-hint = Gợi ý\n";
        let existing =
            "## Header\n# Keep this comment.\nhome   =   Home\n\n## Search\nsearch = Search\n";
        let plan = plan(vi, Some(existing), "en");
        assert_eq!(plan.missing_ids(), ["news", "search-hint"]);
        let translations = vec![Some("News".to_owned()), Some("Hint".to_owned())];
        let (text, _) = plan.render(&translations, MARKER);
        assert_eq!(
            unkeyed(&text),
            "## Header\n# Keep this comment.\nhome   =   Home\n# dich: machine (pseudo, 2026-11-28)\nnews = News\n\n## Search\nsearch = Search\n# dich: machine (pseudo, 2026-11-28)\nsearch-hint = Hint\n"
        );
        assert_eq!(machine_marked_ids(&text), ["news", "search-hint"]);
        let nothing_missing = super::FtlPlan::new(
            Path::new("vi.ftl"),
            vi,
            Path::new("en.ftl"),
            Some(&text),
            &lang("vi"),
            &lang("en"),
        )
        .unwrap();
        assert!(nothing_missing.units().is_empty());
        assert_eq!(nothing_missing.render(&[], MARKER).0, text);
    }

    #[test]
    fn a_message_before_every_existing_one_goes_to_the_end() {
        let plan = plan("first = Đầu\nsecond = Hai\n", Some("second = Two"), "en");
        let (text, _) = plan.render(&[Some("First".into())], MARKER);
        assert_eq!(
            unkeyed(&text),
            "second = Two\n\n# dich: machine (pseudo, 2026-11-28)\nfirst = First\n"
        );
    }

    #[test]
    fn a_machine_message_is_translated_again_when_its_reference_changes() {
        let vi = "hello = Xin chào { $name }\nbye = Tạm biệt\n";
        let first = plan(vi, Some("bye = Goodbye\n"), "en");
        let (text, failures) = first.render(&pseudo(&first, "en"), "machine (pseudo, 2026-11-28)");
        assert!(failures.is_empty(), "{failures:?}");
        assert!(
            text.contains("# dich: machine (pseudo, 2026-11-28) ref:"),
            "{text}"
        );

        // Unchanged reference: nothing to do.
        assert!(plan(vi, Some(&text), "en").units().is_empty());

        // Changed reference: the machine message is replaced in place, the human one kept.
        let changed = vi
            .replace("Xin chào", "Chào mừng")
            .replace("Tạm biệt", "Hẹn gặp lại");
        let again = plan(&changed, Some(&text), "en");
        assert_eq!(again.stale_ids(), vec!["hello".to_owned()]);
        assert!(again.missing_ids().is_empty());
        let (updated, _) = again.render(&pseudo(&again, "en"), "machine (pseudo, 2026-11-29)");
        assert!(updated.contains("Chao mung"), "{updated}");
        assert!(!updated.contains("Xin chao"), "{updated}");
        assert!(updated.contains("bye = Goodbye"), "{updated}");
        assert_eq!(updated.matches("hello =").count(), 1, "{updated}");
    }

    #[test]
    fn a_message_that_opens_a_section_goes_into_that_section() {
        let vi = "## Đầu\na = A\n\n## Tìm kiếm\nb = B\nc = C\n";
        let existing = "## Head\na = A\n\n## Search\nc = C\n";
        let plan = plan(vi, Some(existing), "en");
        let (text, _) = plan.render(&[Some("Bee".to_owned())], MARKER);
        assert_eq!(
            unkeyed(&text),
            "## Head\na = A\n\n## Search\n# dich: machine (pseudo, 2026-11-28)\nb = Bee\nc = C\n"
        );
    }

    #[test]
    fn multiline_text_is_one_unit() {
        let vi = "body =\n    Dòng một { $x }.\n    Dòng hai.\n";
        let plan = plan(vi, None, "en");
        assert_eq!(plan.units().len(), 1);
        assert_eq!(plan.units()[0].tagged.text(), "Dòng một <x1/>.\nDòng hai.");
        let (text, _) = plan.render(&[Some("Line one <x1/>.\nLine {two}.".into())], MARKER);
        assert_eq!(
            unkeyed(&text),
            "# dich: machine (pseudo, 2026-11-28)\nbody =\n    Line one { $x }.\n    Line { \"{\" }two{ \"}\" }.\n"
        );
        assert_eq!(check_pair(vi, "en", &text).diagnostics, vec![]);
    }

    #[test]
    fn syntax_errors_stop_the_plan() {
        let err = FtlPlan::new(
            Path::new("vi.ftl"),
            "ok = 1\nbad = {\n",
            Path::new("en.ftl"),
            None,
            &lang("vi"),
            &lang("en"),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("vi.ftl:3:1: Expected"), "{err}");
    }
}
