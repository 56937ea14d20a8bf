//! TMX 1.4 export and import of the translation memory, so translators' tools
//! (OmegaT, Trados, memoQ) can seed and reuse it.
//!
//! dich's inline tags map to TMX level 2 inline elements: `<gN>…</gN>` becomes
//! `<bpt i="N" x="N">…</bpt>…<ept i="N">…</ept>` and `<xN/>` becomes `<ph x="N">…</ph>`,
//! with the dich tag itself as the escaped native code. Invariants: every text goes
//! through quick-xml's escaping (never hand-built XML); an export is written
//! atomically; an import parses the whole file before it stores anything, so a
//! malformed document stores nothing, while unusable `<tu>`s are skipped and reported
//! with their line.
//!
//! The human history (issue 12) travels too: each block a person wrote, current and
//! earlier versions, is a `<tu>` with `<prop type="x-dich-origin">human</prop>`,
//! `x-dich-unit` (the block's key) and `x-dich-version` (`current` or `earlier`), its
//! dates as `creationdate`/`changedate`, and its Markdown as plain text. Import
//! restores them as human units, so a memory rebuilt from an export still keeps every
//! person's block.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesRef, BytesStart, BytesText, Event};

use super::{HumanUnit, Memory, MemoryError, NewEntry, Origin, StoredSegment};
use crate::lang::Lang;
use crate::markup::{self, Token};
use crate::text_position::{self, LineIndex, Location};

/// A TMX export or import failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TmxError {
    /// The TMX file could not be read or written.
    #[error("TMX file `{path}`: {source}")]
    Io {
        /// The TMX file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not well-formed XML, or not a TMX document dich can read.
    #[error("{path}:{line}:{column}: {message}")]
    Malformed {
        /// The TMX file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The translation memory failed.
    #[error(transparent)]
    Memory(#[from] MemoryError),
}

/// What [`export`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// Number of `<tu>` elements written.
    pub units: usize,
}

/// What [`import`] read and stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Number of `<tu>` elements that gave at least one stored translation.
    pub units: usize,
    /// Number of (source, translation) pairs stored, over all target languages.
    pub segments: usize,
    /// `<tu>`s (or single `<tuv>`s) left out: their 1-based line and why.
    pub skipped: Vec<(usize, String)>,
    /// Canonical tags of the target languages stored, sorted.
    pub languages: Vec<String>,
    /// How `<tuv>` languages were matched to configured targets, one line each
    /// (`zh-CN` entries stored for `zh-Hans`).
    pub notes: Vec<String>,
    /// People's blocks restored (current and earlier versions), over all languages.
    pub human_units: usize,
}

// ---------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------

/// Writes every stored translation from `source` into `target` (all origins) to `path`
/// as a TMX 1.4 document, atomically.
///
/// # Errors
/// [`TmxError::Memory`] when the memory cannot be read, [`TmxError::Io`] when the file
/// cannot be written.
pub fn export(
    memory: &Memory,
    source: &Lang,
    target: &Lang,
    path: &Path,
) -> Result<ExportReport, TmxError> {
    let entries = memory.entries(source, target)?;
    let human = memory.human_history(source, target)?;
    let io = |source| TmxError::Io {
        path: path.to_owned(),
        source,
    };
    let bytes = render(source, target, &entries, &human).map_err(io)?;
    crate::fs::write_atomic(path, &bytes).map_err(|e| io(e.source))?;
    Ok(ExportReport {
        units: entries.len() + human.len(),
    })
}

/// The TMX document for `entries`. Writing into a `Vec` cannot fail in practice; the
/// `io::Result` is quick-xml's writer signature.
fn render(
    source: &Lang,
    target: &Lang,
    entries: &[StoredSegment],
    human: &[HumanUnit],
) -> std::io::Result<Vec<u8>> {
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    newline(&mut w, 0)?;
    w.write_event(Event::DocType(BytesText::from_escaped(
        r#"tmx SYSTEM "tmx14.dtd""#,
    )))?;
    newline(&mut w, 0)?;
    w.write_event(Event::Start(
        BytesStart::new("tmx").with_attributes([("version", "1.4")]),
    ))?;
    newline(&mut w, 1)?;
    w.write_event(Event::Empty(BytesStart::new("header").with_attributes([
        ("creationtool", "dich"),
        ("creationtoolversion", env!("CARGO_PKG_VERSION")),
        ("segtype", "sentence"),
        ("o-tmf", "dich"),
        ("adminlang", "en"),
        ("srclang", source.as_str()),
        ("datatype", "plaintext"),
    ])))?;
    newline(&mut w, 1)?;
    w.write_event(Event::Start(BytesStart::new("body")))?;
    for entry in entries {
        newline(&mut w, 2)?;
        write_unit(&mut w, source, target, entry)?;
    }
    for unit in human {
        newline(&mut w, 2)?;
        write_human_unit(&mut w, source, target, unit)?;
    }
    newline(&mut w, 1)?;
    w.write_event(Event::End(BytesEnd::new("body")))?;
    newline(&mut w, 0)?;
    w.write_event(Event::End(BytesEnd::new("tmx")))?;
    newline(&mut w, 0)?;
    Ok(w.into_inner())
}

/// Line breaks and indentation between structural elements. quick-xml's own indenting
/// writer is not used because it would also indent inside `<seg>`, changing the text.
fn newline(w: &mut Writer<Vec<u8>>, depth: usize) -> std::io::Result<()> {
    let indent = format!("\n{}", "  ".repeat(depth));
    w.write_event(Event::Text(BytesText::from_escaped(indent)))
}

fn write_unit(
    w: &mut Writer<Vec<u8>>,
    source: &Lang,
    target: &Lang,
    entry: &StoredSegment,
) -> std::io::Result<()> {
    let mut tu = BytesStart::new("tu");
    if let Some(date) = tmx_date(&entry.created_at) {
        tu.push_attribute(("creationdate", date.as_str()));
    }
    w.write_event(Event::Start(tu))?;
    newline(w, 3)?;
    write_prop(w, ORIGIN, entry.origin.as_str())?;
    if !entry.backend.is_empty() {
        newline(w, 3)?;
        write_prop(w, "x-dich-backend", &entry.backend)?;
    }
    for (lang, text) in [(source, &entry.source), (target, &entry.translation)] {
        newline(w, 3)?;
        w.write_event(Event::Start(
            BytesStart::new("tuv").with_attributes([("xml:lang", lang.as_str())]),
        ))?;
        w.write_event(Event::Start(BytesStart::new("seg")))?;
        write_segment(w, text)?;
        w.write_event(Event::End(BytesEnd::new("seg")))?;
        w.write_event(Event::End(BytesEnd::new("tuv")))?;
    }
    newline(w, 2)?;
    w.write_event(Event::End(BytesEnd::new("tu")))
}

/// A person's block: Markdown as plain text (it holds no dich tags), with its key,
/// version and date. The memory does not know who wrote it, so no `changeid`.
fn write_human_unit(
    w: &mut Writer<Vec<u8>>,
    source: &Lang,
    target: &Lang,
    unit: &HumanUnit,
) -> std::io::Result<()> {
    let mut tu = BytesStart::new("tu");
    if let Some(date) = tmx_date(&unit.at) {
        let attribute = if unit.current {
            "creationdate"
        } else {
            "changedate"
        };
        tu.push_attribute((attribute, date.as_str()));
    }
    w.write_event(Event::Start(tu))?;
    let version = if unit.current { "current" } else { "earlier" };
    for (kind, value) in [
        (ORIGIN, Origin::Human.as_str()),
        (UNIT, unit.key.as_str()),
        (VERSION, version),
    ] {
        newline(w, 3)?;
        write_prop(w, kind, value)?;
    }
    for (lang, text) in [(source, &unit.source_text), (target, &unit.translation)] {
        newline(w, 3)?;
        w.write_event(Event::Start(
            BytesStart::new("tuv").with_attributes([("xml:lang", lang.as_str())]),
        ))?;
        w.write_event(Event::Start(BytesStart::new("seg")))?;
        write_text(w, text)?;
        w.write_event(Event::End(BytesEnd::new("seg")))?;
        w.write_event(Event::End(BytesEnd::new("tuv")))?;
    }
    newline(w, 2)?;
    w.write_event(Event::End(BytesEnd::new("tu")))
}

/// The `<prop>` types of a person's block.
const ORIGIN: &str = "x-dich-origin";
const UNIT: &str = "x-dich-unit";
const VERSION: &str = "x-dich-version";

fn write_prop(w: &mut Writer<Vec<u8>>, kind: &str, value: &str) -> std::io::Result<()> {
    w.write_event(Event::Start(
        BytesStart::new("prop").with_attributes([("type", kind)]),
    ))?;
    write_text(w, value)?;
    w.write_event(Event::End(BytesEnd::new("prop")))
}

/// TMX dates are `YYYYMMDDThhmmssZ`; the memory stores RFC 3339. An unreadable date
/// leaves the optional attribute out rather than failing the export.
fn tmx_date(rfc3339: &str) -> Option<String> {
    let date = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    Some(
        date.with_timezone(&chrono::Utc)
            .format("%Y%m%dT%H%M%SZ")
            .to_string(),
    )
}

/// Writes tagged text as `<seg>` content. A paired tag whose partner is missing (the
/// memory should not hold one, but an export must not produce invalid TMX) becomes an
/// isolated `<it>`, since TMX requires every `<bpt>` to have its `<ept>` in the segment.
fn write_segment(w: &mut Writer<Vec<u8>>, text: &str) -> std::io::Result<()> {
    let tokens = markup::tokens(text);
    for (index, token) in tokens.iter().enumerate() {
        let (before, after) = (&tokens[..index], &tokens[index + 1..]);
        let (element, native) = match *token {
            Token::Text(s) => {
                write_text(w, s)?;
                continue;
            }
            Token::Open(id) if after.contains(&Token::Close(id)) => (
                inline("bpt", &[("i", id), ("x", id)], None),
                format!("<g{id}>"),
            ),
            Token::Close(id) if before.contains(&Token::Open(id)) => {
                (inline("ept", &[("i", id)], None), format!("</g{id}>"))
            }
            Token::Open(id) => (
                inline("it", &[("x", id)], Some("begin")),
                format!("<g{id}>"),
            ),
            Token::Close(id) => (inline("it", &[("x", id)], Some("end")), format!("</g{id}>")),
            Token::Standalone(id) => (inline("ph", &[("x", id)], None), format!("<x{id}/>")),
        };
        w.write_event(Event::Start(element.borrow()))?;
        write_text(w, &native)?;
        w.write_event(Event::End(element.to_end()))?;
    }
    Ok(())
}

/// An inline element with numeric attributes and, for `<it>`, its `pos`.
fn inline(name: &'static str, ids: &[(&str, u32)], pos: Option<&str>) -> BytesStart<'static> {
    let mut element = BytesStart::new(name);
    if let Some(pos) = pos {
        element.push_attribute(("pos", pos));
    }
    for (key, id) in ids {
        element.push_attribute((*key, id.to_string().as_str()));
    }
    element
}

/// Escapes `&`, `<` and `>`, and writes a carriage return as a character reference:
/// XML readers turn a literal CR (or CRLF) into LF, so it would not survive otherwise.
fn write_text(w: &mut Writer<Vec<u8>>, text: &str) -> std::io::Result<()> {
    let escaped = quick_xml::escape::partial_escape(text);
    let escaped = if escaped.contains('\r') {
        escaped.replace('\r', "&#13;").into()
    } else {
        escaped
    };
    w.write_event(Event::Text(BytesText::from_escaped(escaped)))
}

// ---------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------

/// Reads the TMX file at `path` and stores, with origin [`Origin::Import`], every pair
/// of its `<tu>`s from the `source` language into each other language, one transaction
/// per target language. The source text is normalised, as the memory keys on it.
///
/// A `<tuv>` language that is not one of `targets` but names the same language in a
/// form a translator's tool writes (`zh-CN` for `zh-Hans`, `zh-TW` for `zh-Hant`,
/// `ko-KR` for `ko`) is stored for that target, with a line in [`ImportReport::notes`].
///
/// Imported pairs outrank machine translations, so they are checked as answers are:
/// a translation that loses, invents or mis-nests the source's tags is never stored.
/// Such a pair, a `<tu>` with no source `<tuv>`, an empty source or no translation is
/// skipped and listed in [`ImportReport::skipped`] with its line.
///
/// # Errors
/// [`TmxError::Io`] when the file cannot be read, [`TmxError::Malformed`] (with line
/// and column) when it is not well-formed XML or not TMX — nothing is stored then —
/// and [`TmxError::Memory`] when storing fails.
pub fn import(
    memory: &mut Memory,
    source: &Lang,
    targets: &[Lang],
    path: &Path,
) -> Result<ImportReport, TmxError> {
    let bytes = std::fs::read(path).map_err(|e| TmxError::Io {
        path: path.to_owned(),
        source: e,
    })?;
    let text = decode(path, &bytes)?;
    let units = Parser::new(&text, path).document()?;
    let mut report = ImportReport::default();
    let mut pairs = BTreeMap::new();
    let mut matched = BTreeMap::new();
    let mut human: Vec<(Lang, &RawUnit, String)> = Vec::new();
    for unit in &units {
        if let Some(key) = unit.prop(UNIT) {
            // A person's block (exported by dich): restored as such below.
            if let Some(target) = human_target(source, targets, unit) {
                human.push((target, unit, key.to_owned()));
                report.units += 1;
                continue;
            }
        }
        let languages = Languages {
            source,
            targets,
            matched: &mut matched,
        };
        if collect_unit(languages, unit, &mut pairs, &mut report.skipped) > 0 {
            report.units += 1;
        }
    }
    report.notes = matched
        .into_iter()
        .map(|(written, target)| {
            format!("`{written}` entries were stored for the configured target `{target}`")
        })
        .collect();
    for (target, list) in &pairs {
        let entries: Vec<NewEntry<'_>> = list
            .iter()
            .map(|(source_text, translation)| NewEntry {
                source: source_text,
                translation,
                origin: Origin::Import,
                backend: "",
            })
            .collect();
        memory.store_segments(source, target, &entries)?;
        report.segments += entries.len();
        report.languages.push(target.to_string());
    }
    report.human_units = restore_human(memory, source, &human)?;
    Ok(report)
}

/// The configured target of a person's block exported by dich (its `<tuv>` other than
/// the source's), if there is one.
fn human_target(source: &Lang, targets: &[Lang], unit: &RawUnit) -> Option<Lang> {
    unit.variants
        .iter()
        .filter_map(|v| Lang::parse(&v.lang).ok())
        .find(|lang| lang != source && targets.contains(lang))
}

/// Restores people's blocks, in the order exported (earlier versions, then the
/// current one, so the history is rebuilt by the memory's own rule). A block the memory
/// already holds a person's text for is left alone: the memory's is newer or the same.
fn restore_human(
    memory: &mut Memory,
    source: &Lang,
    units: &[(Lang, &RawUnit, String)],
) -> Result<usize, MemoryError> {
    let mut known: HashSet<(Lang, String)> = HashSet::new();
    for (target, _, key) in units {
        if memory.human_unit(source, target, key)?.is_some() {
            known.insert((target.clone(), key.clone()));
        }
    }
    let mut restored = 0;
    for (target, unit, key) in units {
        if known.contains(&(target.clone(), key.clone())) {
            continue;
        }
        let text = |lang: &Lang| {
            unit.variants
                .iter()
                .find(|v| Lang::parse(&v.lang).ok().as_ref() == Some(lang))
                .map(|v| v.text.as_str())
        };
        let (Some(source_text), Some(translation)) = (text(source), text(target)) else {
            continue;
        };
        memory.store_human_unit(source, target, key, source_text, translation)?;
        restored += 1;
    }
    Ok(restored)
}

/// (normalised source, translation) pairs per target language.
type Pairs = BTreeMap<Lang, Vec<(String, String)>>;

/// The languages of an import: the source, the configured targets, and the `<tuv>`
/// languages matched to a target so far (for the report's notes).
struct Languages<'a> {
    source: &'a Lang,
    targets: &'a [Lang],
    matched: &'a mut BTreeMap<String, Lang>,
}

impl Languages<'_> {
    /// The configured target a `<tuv>` language stands for: itself when configured or
    /// when no target is of its language, else the target of the same language whose
    /// script it implies (`zh-CN` → `zh-Hans`, `zh-TW` → `zh-Hant`, `ko-KR` → `ko`).
    fn target_for(&mut self, lang: Lang) -> Lang {
        if self.targets.contains(&lang) {
            return lang;
        }
        let script = lang.script().or_else(|| implied_script(&lang));
        let found = self.targets.iter().find(|t| {
            t.language() == lang.language()
                && (t.region().is_none() || t.region() == lang.region())
                && (t.script().is_none() || t.script() == script)
        });
        match found {
            Some(target) => {
                self.matched.insert(lang.to_string(), target.clone());
                target.clone()
            }
            None => lang,
        }
    }
}

/// The script a language tag without one implies, where tools leave it out: Chinese
/// by region (CLDR likely subtags).
fn implied_script(lang: &Lang) -> Option<&'static str> {
    match (lang.language(), lang.region()) {
        ("zh", Some("TW" | "HK" | "MO")) => Some("Hant"),
        ("zh", _) => Some("Hans"),
        _ => None,
    }
}

/// Adds the pairs of one unit; returns how many. Reasons for what is left out go to
/// `skipped`.
fn collect_unit(
    mut languages: Languages<'_>,
    unit: &RawUnit,
    pairs: &mut Pairs,
    skipped: &mut Vec<(usize, String)>,
) -> usize {
    let mut exact = None;
    let mut close = None;
    let mut targets = Vec::new();
    let source = languages.source;
    for variant in &unit.variants {
        match Lang::parse(&variant.lang) {
            Err(e) => skipped.push((variant.line, format!("<tuv> left out: {e}"))),
            Ok(lang) if lang == *source => exact = exact.or(Some(variant)),
            Ok(lang) if same_language(source, &lang) => close = close.or(Some(variant)),
            Ok(lang) => targets.push((languages.target_for(lang), variant)),
        }
    }
    let Some(original) = exact.or(close) else {
        skipped.push((unit.line, format!("<tu> has no <tuv> in `{source}`")));
        return 0;
    };
    if original.text.trim().is_empty() {
        skipped.push((unit.line, format!("<tu> has an empty `{source}` <seg>")));
        return 0;
    }
    if targets.is_empty() {
        skipped.push((unit.line, "<tu> has no translation".to_owned()));
        return 0;
    }
    let source_text = crate::segment::normalize(&original.text);
    let mut stored = 0;
    for (lang, variant) in targets {
        if variant.text.trim().is_empty() {
            skipped.push((
                variant.line,
                format!("<tuv> left out: empty `{lang}` <seg>"),
            ));
            continue;
        }
        if let Err(e) = markup::check_same_tags(&source_text, &variant.text) {
            skipped.push((
                variant.line,
                format!(
                    "<tuv> left out: the `{lang}` translation does not match the source's tags: {e}"
                ),
            ));
            continue;
        }
        let list = pairs.entry(lang).or_default();
        list.push((source_text.clone(), variant.text.clone()));
        stored += 1;
    }
    stored
}

/// A bare source language (`vi`) also accepts a regional variant (`vi-VN`), which is
/// how several tools label every `<tuv>`; an exact match is still preferred.
fn same_language(source: &Lang, lang: &Lang) -> bool {
    source.script().is_none() && source.region().is_none() && source.language() == lang.language()
}

/// The file's text. TMX files are UTF-8 or, from some tools (older Trados), UTF-16 with
/// a byte-order mark.
fn decode(path: &Path, bytes: &[u8]) -> Result<String, TmxError> {
    let utf16 = |rest: &[u8], word: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|pair| word([pair[0], pair[1]]))
            .collect();
        String::from_utf16(&units).map_err(|_| {
            let message = "the file is not valid UTF-16 text".to_owned();
            malformed(path, Location::START, message)
        })
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let message = "the file is not valid UTF-8 text (save it as UTF-8)".to_owned();
            Err(malformed(
                path,
                text_position::location(valid, valid.len()),
                message,
            ))
        }
    }
}

fn malformed(path: &Path, at: Location, message: String) -> TmxError {
    let Location { line, column } = at;
    TmxError::Malformed {
        path: path.to_owned(),
        line,
        column,
        message,
    }
}

/// One `<tu>` as read.
#[derive(Debug)]
struct RawUnit {
    line: usize,
    variants: Vec<RawVariant>,
    /// Its `<prop>`s: (type, text).
    props: Vec<(String, String)>,
}

impl RawUnit {
    /// The text of its `<prop type="kind">`, if it has one.
    fn prop(&self, kind: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, v)| v.as_str())
    }
}

/// One `<tuv>` as read: its language attribute as written and its dich-tagged text.
#[derive(Debug)]
struct RawVariant {
    lang: String,
    text: String,
    line: usize,
}

/// A piece of `<seg>` content before dich tag ids are assigned.
#[derive(Debug, PartialEq, Eq)]
enum SegPart {
    Text(String),
    /// `<bpt>`: its `i` (pairs it with an `<ept>`) and wanted id.
    Begin {
        i: Option<String>,
        id: Option<u32>,
    },
    /// `<ept>`
    End {
        i: Option<String>,
    },
    /// `<ph>`, `<it>`, `<ut>`
    Alone {
        id: Option<u32>,
    },
}

/// A pull parser over the TMX structure; every position it reports is a byte offset
/// into `text`, turned into line and column only for errors and skips.
struct Parser<'a> {
    reader: Reader<&'a [u8]>,
    text: &'a str,
    /// Built once: every unit records its line, so a per-call scan would be quadratic.
    lines: LineIndex,
    path: &'a Path,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, path: &'a Path) -> Self {
        Parser {
            reader: Reader::from_str(text),
            text,
            lines: LineIndex::new(text),
            path,
        }
    }

    /// The next event and the offset where it starts.
    fn next(&mut self) -> Result<(Event<'a>, usize), TmxError> {
        let at = self.offset(self.reader.buffer_position());
        match self.reader.read_event() {
            Ok(event) => Ok((event, at)),
            Err(e) => {
                let at = self.offset(self.reader.error_position());
                Err(self.error(at, e.to_string()))
            }
        }
    }

    fn offset(&self, position: u64) -> usize {
        usize::try_from(position).unwrap_or(usize::MAX)
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> TmxError {
        let at = self.lines.location(self.text, offset);
        malformed(self.path, at, message.into())
    }

    fn unclosed(&self, name: &str, open: usize) -> TmxError {
        self.error(open, format!("<{name}> is never closed"))
    }

    fn line(&self, offset: usize) -> usize {
        self.lines.location(self.text, offset).line
    }

    /// The units of the document's `<body>`.
    fn document(&mut self) -> Result<Vec<RawUnit>, TmxError> {
        loop {
            let (event, at) = self.next()?;
            match event {
                Event::Start(e) if e.name().as_ref() == b"tmx" => return self.tmx(at),
                Event::Empty(e) if e.name().as_ref() == b"tmx" => {
                    return Err(self.error(at, "<tmx> has no <body>"));
                }
                Event::Start(e) | Event::Empty(e) => {
                    let message = format!("the root element is <{}>, not <tmx>", name(&e));
                    return Err(self.error(at, message));
                }
                Event::Eof => return Err(self.error(at, "no <tmx> element: not a TMX file")),
                // The declaration, DOCTYPE, comments and whitespace.
                _ => {}
            }
        }
    }

    fn tmx(&mut self, open: usize) -> Result<Vec<RawUnit>, TmxError> {
        let mut units = None;
        self.children("tmx", open, |p, e, empty, at| {
            if e.name().as_ref() != b"body" {
                return p.skip_unless(empty, &e, at);
            }
            let body = if empty { Vec::new() } else { p.body(at)? };
            units.get_or_insert_with(Vec::new).extend(body);
            Ok(())
        })?;
        units.ok_or_else(|| self.error(open, "<tmx> has no <body>"))
    }

    fn body(&mut self, open: usize) -> Result<Vec<RawUnit>, TmxError> {
        let mut units = Vec::new();
        self.children("body", open, |p, e, empty, at| {
            match (e.name().as_ref(), empty) {
                (b"tu", true) => return Err(p.error(at, "<tu> without <tuv>")),
                (b"tu", false) => units.push(p.unit(at)?),
                _ => p.skip_unless(empty, &e, at)?,
            }
            Ok(())
        })?;
        Ok(units)
    }

    fn unit(&mut self, open: usize) -> Result<RawUnit, TmxError> {
        let mut variants = Vec::new();
        let mut props = Vec::new();
        self.children("tu", open, |p, e, empty, at| {
            match (e.name().as_ref(), empty) {
                (b"tuv", true) => return Err(p.error(at, "<tuv> without <seg>")),
                (b"tuv", false) => variants.push(p.variant(&e, at)?),
                // dich's own props mark a person's block; other tools' are read past.
                (b"prop", false) => {
                    let kind = p.attribute(&e, "type", at)?.unwrap_or_default();
                    let mut pieces = Vec::new();
                    p.inline_content("prop", at, &mut pieces)?;
                    props.push((kind, assign_ids(&pieces)));
                }
                // <note>: dich keeps no metadata from other tools.
                _ => p.skip_unless(empty, &e, at)?,
            }
            Ok(())
        })?;
        if variants.is_empty() {
            return Err(self.error(open, "<tu> without <tuv>"));
        }
        Ok(RawUnit {
            line: self.line(open),
            variants,
            props,
        })
    }

    fn variant(&mut self, start: &BytesStart<'_>, open: usize) -> Result<RawVariant, TmxError> {
        let lang = self
            .attribute(start, "xml:lang", open)?
            // TMX 1.1 called it `lang`; older tools still write it.
            .or(self.attribute(start, "lang", open)?)
            .ok_or_else(|| self.error(open, "<tuv> has no xml:lang attribute"))?;
        let mut text = None;
        self.children("tuv", open, |p, e, empty, at| {
            match (e.name().as_ref(), empty) {
                (b"seg", true) => text = Some(String::new()),
                (b"seg", false) => text = Some(p.seg(at)?),
                _ => p.skip_unless(empty, &e, at)?,
            }
            Ok(())
        })?;
        let text = text.ok_or_else(|| self.error(open, "<tuv> without <seg>"))?;
        Ok(RawVariant {
            lang: lang.trim().to_owned(),
            text,
            line: self.line(open),
        })
    }

    fn attribute(
        &self,
        element: &BytesStart<'_>,
        key: &str,
        at: usize,
    ) -> Result<Option<String>, TmxError> {
        match element.try_get_attribute(key) {
            Ok(None) => Ok(None),
            Ok(Some(attribute)) => attribute
                .unescape_value()
                .map(|v| Some(v.into_owned()))
                .map_err(|e| self.error(at, format!("attribute `{key}`: {e}"))),
            Err(e) => Err(self.error(at, format!("<{}>: {e}", name(element)))),
        }
    }

    /// Visits the child elements of the element `name` opened at `open`, up to its end
    /// tag. `visit` gets each child, whether it is empty, and its offset; it must read a
    /// non-empty child to its end. Text between structural elements is ignored.
    fn children(
        &mut self,
        name: &str,
        open: usize,
        mut visit: impl FnMut(&mut Self, BytesStart<'a>, bool, usize) -> Result<(), TmxError>,
    ) -> Result<(), TmxError> {
        loop {
            let (event, at) = self.next()?;
            match event {
                Event::Start(e) => visit(self, e, false, at)?,
                Event::Empty(e) => visit(self, e, true, at)?,
                // quick-xml checks that it is this element's end tag.
                Event::End(_) => return Ok(()),
                Event::Eof => return Err(self.unclosed(name, open)),
                Event::GeneralRef(r) => {
                    self.entity(&r, at)?;
                }
                _ => {}
            }
        }
    }

    /// Reads past an element dich does not use (still checking it is well-formed).
    fn skip_unless(
        &mut self,
        empty: bool,
        element: &BytesStart<'_>,
        open: usize,
    ) -> Result<(), TmxError> {
        if empty {
            return Ok(());
        }
        let name = name(element);
        let mut depth = 0usize;
        loop {
            let (event, at) = self.next()?;
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => return Ok(()),
                Event::End(_) => depth -= 1,
                Event::Eof => return Err(self.unclosed(&name, open)),
                Event::GeneralRef(r) => {
                    self.entity(&r, at)?;
                }
                _ => {}
            }
        }
    }

    /// A `<seg>`'s content as dich-tagged text.
    fn seg(&mut self, open: usize) -> Result<String, TmxError> {
        let mut pieces = Vec::new();
        self.inline_content("seg", open, &mut pieces)?;
        Ok(assign_ids(&pieces))
    }

    /// Mixed content up to the end tag of `name`: text and inline elements. `<hi>` and
    /// unknown elements keep their content as text; `<sub>` (a sub-flow, such as a
    /// footnote, not part of the sentence) is left out.
    fn inline_content(
        &mut self,
        name: &str,
        open: usize,
        pieces: &mut Vec<SegPart>,
    ) -> Result<(), TmxError> {
        loop {
            let (event, at) = self.next()?;
            match event {
                Event::Text(t) => pieces.push(SegPart::Text(self.text_of(&t, at)?)),
                Event::CData(c) => {
                    let text = c.decode().map_err(|e| self.error(at, e.to_string()))?;
                    pieces.push(SegPart::Text(text.into_owned()));
                }
                Event::GeneralRef(r) => {
                    pieces.push(SegPart::Text(self.entity(&r, at)?.to_string()))
                }
                Event::Start(e) => self.inline_element(&e, at, pieces)?,
                Event::Empty(e) if is_tag_element(&e) => {
                    pieces.push(self.tag_piece(&e, "", at)?);
                }
                Event::End(_) => return Ok(()),
                Event::Eof => return Err(self.unclosed(name, open)),
                _ => {}
            }
        }
    }

    fn inline_element(
        &mut self,
        element: &BytesStart<'_>,
        at: usize,
        pieces: &mut Vec<SegPart>,
    ) -> Result<(), TmxError> {
        if is_tag_element(element) {
            let code = self.native_code(&name(element), at)?;
            pieces.push(self.tag_piece(element, &code, at)?);
            Ok(())
        } else if element.name().as_ref() == b"sub" {
            self.skip_unless(false, element, at)
        } else {
            self.inline_content(&name(element), at, pieces)
        }
    }

    /// The native code inside `<bpt>`, `<ept>`, `<ph>`, `<it>` or `<ut>`, without its
    /// `<sub>` elements.
    fn native_code(&mut self, name: &str, open: usize) -> Result<String, TmxError> {
        let mut code = String::new();
        loop {
            let (event, at) = self.next()?;
            match event {
                Event::Text(t) => code.push_str(&self.text_of(&t, at)?),
                Event::GeneralRef(r) => code.push(self.entity(&r, at)?),
                Event::Start(e) => self.skip_unless(false, &e, at)?,
                Event::End(_) => return Ok(code),
                Event::Eof => return Err(self.unclosed(name, open)),
                _ => {}
            }
        }
    }

    fn tag_piece(
        &self,
        element: &BytesStart<'_>,
        code: &str,
        at: usize,
    ) -> Result<SegPart, TmxError> {
        // The `x` attribute links a tag across the languages of a unit, so it is the
        // best dich id; dich's own export also leaves the tag as the native code.
        let id = self
            .attribute(element, "x", at)?
            .and_then(|x| x.trim().parse::<u32>().ok())
            .filter(|&id| id > 0)
            .or_else(|| dich_tag_id(code));
        Ok(match element.name().as_ref() {
            b"bpt" => SegPart::Begin {
                i: self.attribute(element, "i", at)?,
                id,
            },
            b"ept" => SegPart::End {
                i: self.attribute(element, "i", at)?,
            },
            _ => SegPart::Alone { id },
        })
    }

    /// Text content, with line ends normalised as XML requires.
    fn text_of(&self, text: &BytesText<'_>, at: usize) -> Result<String, TmxError> {
        text.xml_content()
            .map(|t| t.into_owned())
            .map_err(|e| self.error(at, e.to_string()))
    }

    /// The character an entity or character reference stands for. Only XML's own
    /// entities exist in TMX (the DTD declares none).
    fn entity(&self, reference: &BytesRef<'_>, at: usize) -> Result<char, TmxError> {
        if reference.is_char_ref() {
            return match reference.resolve_char_ref() {
                Ok(Some(c)) => Ok(c),
                Ok(None) => Err(self.error(at, "invalid character reference")),
                Err(e) => Err(self.error(at, format!("invalid character reference: {e}"))),
            };
        }
        let entity = reference
            .decode()
            .map_err(|e| self.error(at, e.to_string()))?;
        match entity.as_ref() {
            "amp" => Ok('&'),
            "lt" => Ok('<'),
            "gt" => Ok('>'),
            "quot" => Ok('"'),
            "apos" => Ok('\''),
            other => Err(self.error(
                at,
                format!("unknown entity `&{other};` (write `&amp;` for a literal `&`)"),
            )),
        }
    }
}

fn name(element: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(element.name().as_ref()).into_owned()
}

fn is_tag_element(element: &BytesStart<'_>) -> bool {
    matches!(
        element.name().as_ref(),
        b"bpt" | b"ept" | b"ph" | b"it" | b"ut"
    )
}

/// The id of native code that is exactly one dich tag (`<g1>`, `</g1>`, `<x2/>`).
fn dich_tag_id(code: &str) -> Option<u32> {
    match markup::tokens(code).as_slice() {
        [Token::Open(id) | Token::Close(id) | Token::Standalone(id)] => Some(*id),
        _ => None,
    }
}

/// Builds dich-tagged text from a segment's pieces. A `<bpt>` with its `<ept>` later in
/// the segment becomes `<gN>…</gN>`; every other tag becomes `<xN/>`. Wanted ids are
/// kept unless already used; the others get the lowest ids nobody wants, in order.
fn assign_ids(pieces: &[SegPart]) -> String {
    let mut ids = Ids {
        wanted: pieces
            .iter()
            .filter_map(|p| match p {
                SegPart::Begin { id, .. } | SegPart::Alone { id } => *id,
                _ => None,
            })
            .collect(),
        taken: HashSet::new(),
        last: 0,
    };
    let mut open: HashMap<&str, u32> = HashMap::new();
    let mut out = String::new();
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            SegPart::Text(text) => out.push_str(text),
            SegPart::Begin { i: Some(i), id } if closes_later(&pieces[index + 1..], i) => {
                let n = ids.pick(*id);
                open.insert(i, n);
                out.push_str(&format!("<g{n}>"));
            }
            SegPart::End { i: Some(i) } if open.contains_key(i.as_str()) => {
                let n = open.remove(i.as_str()).unwrap_or_default();
                out.push_str(&format!("</g{n}>"));
            }
            SegPart::Begin { id, .. } | SegPart::Alone { id } => {
                out.push_str(&format!("<x{}/>", ids.pick(*id)));
            }
            SegPart::End { .. } => out.push_str(&format!("<x{}/>", ids.pick(None))),
        }
    }
    out
}

fn closes_later(rest: &[SegPart], i: &str) -> bool {
    rest.iter()
        .any(|p| matches!(p, SegPart::End { i: Some(j) } if j == i))
}

/// Tag id allocation within one segment.
struct Ids {
    wanted: HashSet<u32>,
    taken: HashSet<u32>,
    last: u32,
}

impl Ids {
    fn pick(&mut self, wanted: Option<u32>) -> u32 {
        let id = match wanted {
            Some(id) if !self.taken.contains(&id) => id,
            _ => loop {
                self.last += 1;
                if !self.wanted.contains(&self.last) && !self.taken.contains(&self.last) {
                    break self.last;
                }
            },
        };
        self.taken.insert(id);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample project's targets.
    fn targets() -> Vec<Lang> {
        ["en", "ko", "zh-Hans"].map(lang).to_vec()
    }

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
    }

    fn machine<'a>(source: &'a str, translation: &'a str) -> NewEntry<'a> {
        NewEntry {
            source,
            translation,
            origin: Origin::Machine,
            backend: "deepl",
        }
    }

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn pairs(memory: &Memory, source: &str, target: &str) -> Vec<(String, String, Origin)> {
        let entries = memory.entries(&lang(source), &lang(target)).unwrap();
        entries
            .into_iter()
            .map(|e| (e.source, e.translation, e.origin))
            .collect()
    }

    const TAGGED: &str = "<g1>Hà Nội</g1> mưa <x2/> & 1 < 2 > 0";

    #[test]
    fn export_then_import_keeps_texts_tags_and_scripts() {
        let (vi, dir) = (lang("vi"), tempfile::tempdir().unwrap());
        let mut memory = Memory::in_memory().unwrap();
        let en = [
            machine(TAGGED, "<x2/> rain in <g1>Hanoi</g1> & 1 < 2 > 0"),
            machine("Tin A.\r\nTin B.", "News A.\r\nNews B."),
        ];
        memory.store_segments(&vi, &lang("en"), &en).unwrap();
        let ko = [machine("Xin chào.", "안녕하세요.")];
        memory.store_segments(&vi, &lang("ko"), &ko).unwrap();
        let zh = [machine("Xin chào.", "你好。")];
        memory.store_segments(&vi, &lang("zh-Hans"), &zh).unwrap();

        let mut fresh = Memory::in_memory().unwrap();
        for target in ["en", "ko", "zh-Hans"] {
            let path = dir.path().join(format!("{target}.tmx"));
            let exported = export(&memory, &vi, &lang(target), &path).unwrap();
            let report = import(&mut fresh, &vi, &targets(), &path).unwrap();
            assert_eq!(report.units, exported.units);
            assert_eq!(report.languages, vec![target.to_owned()]);
            assert!(report.skipped.is_empty(), "{:?}", report.skipped);
            let before: Vec<_> = pairs(&memory, "vi", target)
                .into_iter()
                .map(|(s, t, _)| (s, t, Origin::Import))
                .collect();
            assert_eq!(pairs(&fresh, "vi", target), before);
        }
    }

    #[test]
    fn export_is_tmx_with_header_languages_and_escaped_inline_tags() {
        let (vi, en, dir) = (lang("vi"), lang("en"), tempfile::tempdir().unwrap());
        let mut memory = Memory::in_memory().unwrap();
        memory
            .store_segments(&vi, &en, &[machine(TAGGED, "<x2/> <g1>Hanoi</g1>")])
            .unwrap();
        let path = dir.path().join("out/vi-en.tmx");
        assert_eq!(export(&memory, &vi, &en, &path).unwrap().units, 1);
        let text = std::fs::read_to_string(&path).unwrap();

        let mut reader = Reader::from_str(&text);
        let mut names = Vec::new();
        loop {
            match reader.read_event().unwrap() {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) => names.push(name(&e)),
                _ => {}
            }
        }
        assert_eq!(&names[..4], ["tmx", "header", "body", "tu"]);
        for needle in [
            r#"<tmx version="1.4">"#,
            r#"creationtool="dich""#,
            r#"srclang="vi""#,
            r#"<tuv xml:lang="vi">"#,
            r#"<tuv xml:lang="en">"#,
            r#"<prop type="x-dich-origin">machine</prop>"#,
            r#"<prop type="x-dich-backend">deepl</prop>"#,
            r#"<seg><bpt i="1" x="1">&lt;g1&gt;</bpt>Hà Nội<ept i="1">&lt;/g1&gt;</ept> mưa <ph x="2">&lt;x2/&gt;</ph> &amp; 1 &lt; 2 &gt; 0</seg>"#,
        ] {
            assert!(text.contains(needle), "missing {needle} in\n{text}");
        }
        let date = text.split("creationdate=\"").nth(1).unwrap();
        assert_eq!(date.find('"'), Some(16), "YYYYMMDDThhmmssZ in {date}");
    }

    #[test]
    fn omegat_file_imports_with_tags_and_skips_the_untranslated_unit() {
        let dir = tempfile::tempdir().unwrap();
        let fixture = include_str!("../../tests/fixtures/tmx/omegat.tmx");
        let path = write(&dir, "project_save.tmx", fixture);
        let mut memory = Memory::in_memory().unwrap();
        let report = import(&mut memory, &lang("vi"), &targets(), &path).unwrap();

        assert_eq!(report.units, 3);
        assert_eq!(report.segments, 4);
        assert_eq!(report.languages, ["en", "ko", "zh-Hans"]);
        assert_eq!(
            report.notes,
            ["`zh-CN` entries were stored for the configured target `zh-Hans`"]
        );
        assert_eq!(report.skipped, [(26, "<tu> has no translation".to_owned())]);
        let (vi, source) = (lang("vi"), "Xem <g1>báo cáo</g1> và <x2/> ảnh.");
        let ko = memory.segment(&vi, &lang("ko"), source).unwrap().unwrap();
        assert_eq!(ko.translation, "<x2/> <g1>보고서</g1>와 사진을 보세요.");
        assert_eq!(ko.origin, Origin::Import);
        let zh = memory
            .segment(&vi, &lang("zh-Hans"), source)
            .unwrap()
            .unwrap();
        assert_eq!(zh.translation, "请看<g1>报告</g1>和<x2/>照片。");
        let en = memory.segment(&vi, &lang("en"), "Giá tăng 5% & hơn");
        assert_eq!(en.unwrap().unwrap().translation, "Prices rise 5% & more");
    }

    /// Issue 10: one imported pair without the source's tags failed every article
    /// with that sentence, on every run.
    #[test]
    fn a_pair_that_breaks_the_tags_is_skipped_and_listed() {
        let dir = tempfile::tempdir().unwrap();
        let tmx = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="vi" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/>
<body>
<tu>
<tuv xml:lang="vi"><seg>Xem <bpt i="1" x="1">&lt;g1&gt;</bpt>báo cáo<ept i="1">&lt;/g1&gt;</ept>.</seg></tuv>
<tuv xml:lang="en"><seg>See the report.</seg></tuv>
<tuv xml:lang="zh-TW"><seg>請看<bpt i="1" x="1">&lt;g1&gt;</bpt>報告<ept i="1">&lt;/g1&gt;</ept>。</seg></tuv>
</tu>
</body></tmx>"#;
        let mut memory = Memory::in_memory().unwrap();
        let targets = ["en", "zh-Hant"].map(lang);
        let report = import(
            &mut memory,
            &lang("vi"),
            &targets,
            &write(&dir, "t.tmx", tmx),
        )
        .unwrap();
        assert_eq!(report.segments, 1, "{report:?}");
        assert_eq!(report.skipped.len(), 1, "{report:?}");
        assert_eq!(report.skipped[0].0, 6);
        assert!(report.skipped[0].1.contains("`en`"), "{report:?}");
        let source = "Xem <g1>báo cáo</g1>.";
        assert!(
            memory
                .segment(&lang("vi"), &lang("en"), source)
                .unwrap()
                .is_none()
        );
        let zh = memory
            .segment(&lang("vi"), &lang("zh-Hant"), source)
            .unwrap()
            .unwrap();
        assert_eq!(zh.translation, "請看<g1>報告</g1>。");
        assert_eq!(
            report.notes,
            ["`zh-TW` entries were stored for the configured target `zh-Hant`"]
        );
    }

    #[test]
    fn imported_translation_outranks_machine() {
        let (vi, en, dir) = (lang("vi"), lang("en"), tempfile::tempdir().unwrap());
        let mut memory = Memory::in_memory().unwrap();
        memory
            .store_segments(&vi, &en, &[machine("Hà Nội mưa lớn.", "Hanoi big rain.")])
            .unwrap();
        let fixture = include_str!("../../tests/fixtures/tmx/omegat.tmx");
        import(&mut memory, &vi, &targets(), &write(&dir, "a.tmx", fixture)).unwrap();
        let best = memory
            .segment(&vi, &en, "Hà Nội mưa lớn.")
            .unwrap()
            .unwrap();
        assert_eq!(
            (best.translation.as_str(), best.origin),
            ("Heavy rain in Hanoi.", Origin::Import)
        );
    }

    #[test]
    fn decomposed_source_is_normalised_before_storing() {
        let dir = tempfile::tempdir().unwrap();
        // "Hà" with a combining grave accent (NFD), as some tools write it.
        let tmx = "<tmx><body><tu><tuv xml:lang=\"vi\"><seg>Ha\u{300}.</seg></tuv>\
                   <tuv xml:lang=\"en\"><seg>Ha.</seg></tuv></tu></body></tmx>";
        let mut memory = Memory::in_memory().unwrap();
        import(
            &mut memory,
            &lang("vi"),
            &targets(),
            &write(&dir, "n.tmx", tmx),
        )
        .unwrap();
        assert!(
            memory
                .segment(&lang("vi"), &lang("en"), "Hà.")
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn malformed_xml_is_an_error_with_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "<tmx version=\"1.4\">\n<body>\n  <tu><tuv xml:lang=\"vi\"><seg>a</tuv>",
                3,
                32,
            ),
            (
                "<tmx>\n<body>\n<tu>\n <tuv xml:lang=\"vi\"><seg>R&D</seg>",
                4,
                27,
            ),
            ("<tmx>\n<body><tu>&nbsp;</tu></body></tmx>", 2, 11),
            ("<tmx>\n <body>\n  <tu>\n", 3, 3),
        ];
        for (text, line, column) in cases {
            let path = write(&dir, "bad.tmx", text);
            let mut memory = Memory::in_memory().unwrap();
            let err = import(&mut memory, &lang("vi"), &targets(), &path).unwrap_err();
            let shown = err.to_string();
            let place = format!("{}:{line}:{column}: ", path.display());
            assert!(shown.starts_with(&place), "{shown:?} for {text:?}");
            assert_eq!(memory.segment_count().unwrap(), 0);
        }
    }

    #[test]
    fn structural_errors_name_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("<html/>", "not <tmx>"),
            ("<tmx><header/></tmx>", "no <body>"),
            ("<tmx><body>\n<tu></tu></body></tmx>", "<tu> without <tuv>"),
            (
                "<tmx><body><tu><tuv><seg>a</seg></tuv></tu></body></tmx>",
                "xml:lang",
            ),
        ];
        for (text, expected) in cases {
            let path = write(&dir, "bad.tmx", text);
            let err = import(
                &mut Memory::in_memory().unwrap(),
                &lang("vi"),
                &targets(),
                &path,
            )
            .unwrap_err();
            assert!(matches!(err, TmxError::Malformed { .. }));
            assert!(err.to_string().contains(expected), "{err} for {text:?}");
        }
    }

    #[test]
    fn unusable_units_are_skipped_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let tmx = "<tmx version=\"1.4\"><header srclang=\"*all*\"/><body>\n\
            <tu><tuv xml:lang=\"vi\"><seg>Một.</seg></tuv></tu>\n\
            <tu><tuv xml:lang=\"en\"><seg>Two.</seg></tuv><tuv xml:lang=\"ko\"><seg>둘.</seg></tuv></tu>\n\
            <tu><tuv xml:lang=\"vi\"><seg> </seg></tuv><tuv xml:lang=\"en\"><seg>Three.</seg></tuv></tu>\n\
            <tu><tuv xml:lang=\"vi-VN\"><seg>Bốn.</seg></tuv><tuv xml:lang=\"en\"><seg>Four.</seg></tuv></tu>\n\
            </body></tmx>";
        let mut memory = Memory::in_memory().unwrap();
        let report = import(
            &mut memory,
            &lang("vi"),
            &targets(),
            &write(&dir, "s.tmx", tmx),
        )
        .unwrap();
        let lines: Vec<usize> = report.skipped.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 3, 4], "{:?}", report.skipped);
        assert!(report.skipped[1].1.contains("no <tuv> in `vi`"));
        assert_eq!((report.units, report.segments), (1, 1));
    }

    #[test]
    fn foreign_tags_without_ids_are_numbered_in_order() {
        let pieces = [
            SegPart::Begin {
                i: Some("7".into()),
                id: None,
            },
            SegPart::Text("a".into()),
            SegPart::End {
                i: Some("7".into()),
            },
            SegPart::Alone { id: Some(1) },
            SegPart::Begin { i: None, id: None },
            SegPart::End {
                i: Some("9".into()),
            },
        ];
        assert_eq!(assign_ids(&pieces), "<g2>a</g2><x1/><x3/><x4/>");
    }

    #[test]
    fn the_human_history_round_trips_with_its_origin() {
        let (vi, en) = (lang("vi"), lang("en"));
        let mut memory = Memory::in_memory().unwrap();
        memory
            .store_human_unit(&vi, &en, "k1", "Làng *mở* hội.", "First & <edit>.")
            .unwrap();
        memory
            .store_human_unit(
                &vi,
                &en,
                "k1",
                "Làng *mở* hội.",
                "The village *opens* its festival.",
            )
            .unwrap();
        memory
            .store_human_unit(&vi, &en, "k2", "Câu hai.", "Sentence two.")
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memory.tmx");
        let report = export(&memory, &vi, &en, &path).unwrap();
        assert_eq!(report.units, 3);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(r#"<prop type="x-dich-origin">human</prop>"#),
            "{text}"
        );
        assert!(
            text.contains(r#"<prop type="x-dich-version">earlier</prop>"#),
            "{text}"
        );
        assert!(text.contains("First &amp; &lt;edit&gt;."), "{text}");
        assert!(text.contains("changedate=\""), "{text}");

        let mut restored = Memory::in_memory().unwrap();
        let report = import(&mut restored, &vi, std::slice::from_ref(&en), &path).unwrap();
        assert_eq!(report.human_units, 3, "{report:?}");
        assert_eq!(report.segments, 0, "{report:?}");
        assert_eq!(
            restored.human_unit(&vi, &en, "k1").unwrap().as_deref(),
            Some("The village *opens* its festival.")
        );
        assert_eq!(
            restored.unit_history(&vi, &en, "k1").unwrap(),
            vec!["First & <edit>."]
        );
        assert_eq!(
            restored
                .human_unit_source(&vi, &en, "k2")
                .unwrap()
                .as_deref(),
            Some("Câu hai.")
        );
        // Importing again over what the memory holds adds nothing to the history.
        let again = import(&mut restored, &vi, std::slice::from_ref(&en), &path).unwrap();
        assert_eq!(again.human_units, 0);
        assert_eq!(restored.unit_history(&vi, &en, "k1").unwrap().len(), 1);
    }
}
