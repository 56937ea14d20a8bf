//! Markdown body → translatable leaves (paragraphs, headings, list-item text, block-quote
//! paragraphs, table cells, image alt texts) with exact byte spans, via pulldown-cmark's
//! offset iterator.
//!
//! A leaf is kept as a list of [`InlinePart`]s that tile its span exactly: verbatim text,
//! markup (which becomes tags), line breaks and images. Building the tagged text from
//! the pieces and restoring it reproduces the span byte for byte; that is the identity
//! the renderer relies on.
//!
//! Design decisions:
//! - **Soft line breaks** are `\n` in the tagged text. The bytes they stand for (the
//!   newline plus the next line's container prefix, e.g. `\n> ` in a block quote or
//!   `\n   ` in a list item) are kept in the piece, and the renderer puts them back for
//!   the k-th newline of the translation, so block-quote markers are never sent for
//!   translation and never lost.
//! - **Images** are a standalone tag in their paragraph; their alt text is a separate
//!   [`UnitKind::ImageAlt`] unit whose span lies inside the paragraph's. The renderer
//!   rebuilds the paragraph's tag table with the image markup carrying the translated alt.
//! - **Hard breaks**, inline code, autolinks, footnote references and unpaired inline
//!   HTML are standalone tags with their exact bytes; emphasis, links and paired inline
//!   HTML are paired tags whose open/close markup is the source slice around the content.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use super::pieces::{Found, PIECE, StandIn};
use super::protect::Protect;
use super::{Unit, UnitKind};
use crate::markup::{self, Tagged, TaggedBuilder, Token};

/// One piece of a leaf; ranges are byte ranges of the document text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum InlinePart {
    /// Text to translate, verbatim.
    Text(Range<usize>),
    /// A soft line break with the next line's prefix (`\n` in the tagged text).
    Break(Range<usize>),
    /// Opening markup of a paired tag.
    Open(Range<usize>),
    /// Closing markup of a paired tag.
    Close(Range<usize>),
    /// Closing markup of a shortcut or collapsed reference link (`]`, `][]`) and its
    /// label: a translated text no longer matches the label, so the renderer writes
    /// the full form `][label]` instead.
    RefClose(Range<usize>, Range<usize>),
    /// Markup that stands alone.
    Standalone(Range<usize>),
    /// An image, by index into [`Blocks::images`].
    Image(usize),
    /// Closing markup of an inline link with a translatable title (`](url "Tựa")`),
    /// and the index of the title in its leaf's [`Leaf::titles`] (issue 14).
    TitledClose(Range<usize>, usize),
}

/// A link or image title translated with its unit (issue 14): its text is appended to
/// the unit's tagged text as a paired tag of its own, after a blank line, so it is a
/// segment of the unit's block and travels with it; the renderer takes it out again and
/// writes it back between the title's delimiters, escaped for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Title {
    /// The title between its delimiters, as written (escapes included).
    pub(super) raw: Range<usize>,
    /// Its closing delimiter: `"`, `'` or `)`.
    pub(super) delimiter: char,
    /// Its text with backslash escapes resolved: what is translated.
    pub(super) text: String,
}

/// What separates a unit's text from its titles, and one title from the next, in the
/// tagged text: a blank line, at which the segmenter always splits.
pub(super) const TITLE_SEPARATOR: &str = "\n\n";

/// A block of inline content: a unit when it has anything to translate.
#[derive(Debug, Clone)]
pub(super) struct Leaf {
    pub(super) kind: UnitKind,
    pub(super) span: Range<usize>,
    pub(super) pieces: Vec<InlinePart>,
    /// Headings written with `#` and table cells: a translation's newline becomes a space.
    pub(super) one_line: bool,
    /// Newline plus container prefix for translation lines beyond the source's breaks.
    pub(super) continuation: String,
    /// Index of its unit in [`super::Document::units`].
    pub(super) unit: Option<usize>,
    /// Its translatable link titles (for an image alt: the image's title), in order.
    pub(super) titles: Vec<Title>,
}

/// An image inside a leaf.
#[derive(Debug, Clone)]
pub(super) struct Image {
    /// The whole image markup, `![alt](url "title")`.
    pub(super) range: Range<usize>,
    /// Its alt text (empty pieces when there is none).
    pub(super) alt: Leaf,
    /// The label of a shortcut or collapsed reference image (`![logo]`, `![logo][]`).
    pub(super) label: Option<Range<usize>>,
}

/// All leaves of a body, in document order.
#[derive(Debug, Clone, Default)]
pub(super) struct Blocks {
    pub(super) leaves: Vec<Leaf>,
    pub(super) images: Vec<Image>,
    /// Protected template syntax in the body, sorted.
    pub(super) protected: Vec<Range<usize>>,
    /// The labels of the body's link reference definitions, normalised: a translated
    /// `[label]` would become a link.
    pub(super) labels: Vec<String>,
}

/// A link label as CommonMark matches it: case-folded, inner whitespace collapsed.
pub(super) fn normalise_label(label: &str) -> String {
    // Word by word, not collected and joined: the escaper normalises a whole unit, which
    // can be megabytes long (issue 10, item 14). Lowercasing each word alone is the
    // same: a word's case mapping (a final sigma) looks no further than the spaces.
    let mut out = String::with_capacity(label.len());
    for word in label.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

/// The Markdown extensions dich reads (and checks translations with).
/// Definition lists (`Term` then `: definition`) are on by default in Hugo: read as
/// one paragraph, a definition's `: ` was sent to the backend, which changed it or
/// joined its line to the term's (Hugo's own docs, 132 pages). Task lists (`- [x] Mục`)
/// are read by GitHub, Hugo, Jekyll, VitePress, Docusaurus and MkDocs' pymdownx: read
/// as text, the `[x]` was sent and came back as `［ｘ］`, an item without its checkbox
/// (VitePress' docs).
pub(super) const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_HEADING_ATTRIBUTES)
    .union(Options::ENABLE_DEFINITION_LIST)
    .union(Options::ENABLE_TASKLISTS);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Item,
    Quote,
    Other,
}

type Spanned<'a> = (Event<'a>, Range<usize>);

/// The labels of `body`'s reference definitions (normalised), its events with their
/// ranges (`range` maps a parse range to the text's), and what decides whether a
/// stand-in parses as its text ([`Found`]).
fn events(
    body: &str,
    range: impl Fn(Range<usize>) -> Range<usize>,
) -> (Vec<String>, Vec<Spanned<'_>>, Found) {
    let iter = Parser::new_ext(body, OPTIONS).into_offset_iter();
    let labels = iter
        .reference_definitions()
        .iter()
        .map(|(label, _)| normalise_label(label))
        .collect::<Vec<_>>();
    let mut found = Found {
        definitions: !labels.is_empty(),
        ..Found::default()
    };
    let mut events: Vec<Spanned<'_>> = Vec::new();
    for (event, r) in iter {
        found.see(&event, &r);
        let r = range(r);
        // Escapes, entities and special characters cut text into many events (a
        // pseudo translation's `\~` padding makes one per two bytes, about 100
        // bytes of memory each). The walker reads a text event only as "text up
        // to here" (the escape's backslash between two events included), so
        // consecutive text events are kept as one (issue 10, item 14: memory
        // bounded by the file).
        if let (Event::Text(_), Some((Event::Text(_), last))) = (&event, events.last_mut())
            && last.end <= r.start
        {
            last.end = r.end;
            continue;
        }
        events.push((event, r));
    }
    (labels, events, found)
}

impl Blocks {
    /// Parses the body starting at `body_start`; returns the leaves and their units,
    /// numbered from `first_unit`.
    /// Template syntax (`protect`) is masked for the parser and becomes standalone tags.
    pub(super) fn parse(
        text: &Arc<String>,
        body_start: usize,
        first_unit: usize,
        protect: &Protect,
    ) -> (Blocks, Vec<Unit>) {
        Self::parse_in_pieces(text, (body_start, first_unit), protect, PIECE)
    }

    /// [`Blocks::parse`], with lines longer than two `piece`s parsed in pieces of about
    /// `piece` bytes where they can be (see [`super::pieces`]): the tree of a
    /// translation's paragraph of megabytes was 12 times its size.
    fn parse_in_pieces(
        text: &Arc<String>,
        (body_start, first_unit): (usize, usize),
        protect: &Protect,
        piece: usize,
    ) -> (Blocks, Vec<Unit>) {
        let (masked, spans) = protect.mask_body(text, body_start);
        let body = &masked[body_start..];
        let shift = |r: Range<usize>| r.start + body_start..r.end + body_start;
        let stand_in = StandIn::of(body, piece);
        let in_pieces = stand_in.as_ref().and_then(|stand_in| {
            let (labels, events, found) = events(&stand_in.text, |r| shift(stand_in.original(r)));
            stand_in.holds(body, &found).then_some((labels, events))
        });
        let (labels, events) = in_pieces.unwrap_or_else(|| {
            let (labels, events, _) = events(body, shift);
            (labels, events)
        });
        let mut blocks = Blocks {
            protected: spans,
            labels,
            ..Blocks::default()
        };
        blocks.walk_blocks(text, &events);
        let units = blocks.number_units(text, first_unit);
        (blocks, units)
    }

    fn walk_blocks(&mut self, text: &str, events: &[Spanned<'_>]) {
        let mut containers: Vec<Container> = Vec::new();
        let mut i = 0;
        while i < events.len() {
            let (event, range) = &events[i];
            match event {
                Event::Start(Tag::Paragraph) => {
                    let end = matching_end(events, i);
                    let kind = kind_in(&containers);
                    let first_in_quote =
                        i > 0 && matches!(events[i - 1].0, Event::Start(Tag::BlockQuote(_)));
                    self.add_leaf(text, &events[i + 1..end], kind, false, first_in_quote);
                    i = end;
                }
                Event::Start(Tag::Heading { .. }) => {
                    let end = matching_end(events, i);
                    // A setext heading spans its text and its underline: two lines at
                    // least. (`#*` over `--` starts with `#` yet is setext; found by
                    // the proptest.)
                    let atx = !text[range.clone()].trim_end().contains('\n');
                    self.add_leaf(text, &events[i + 1..end], UnitKind::Heading, atx, false);
                    i = end;
                }
                Event::Start(Tag::TableCell) => {
                    let end = matching_end(events, i);
                    self.add_leaf(text, &events[i + 1..end], UnitKind::TableCell, true, false);
                    i = end;
                }
                Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_)) => {
                    i = matching_end(events, i);
                }
                Event::Start(tag) if !is_inline_tag(tag) => containers.push(match tag {
                    Tag::Item => Container::Item,
                    Tag::BlockQuote(_) => Container::Quote,
                    _ => Container::Other,
                }),
                Event::End(end) if !is_inline_end(*end) => {
                    containers.pop();
                }
                event if is_inline(event) => {
                    // Inline content outside a paragraph: the text of a tight list item.
                    let end = (i..events.len())
                        .find(|&j| !is_inline(&events[j].0))
                        .unwrap_or(events.len());
                    let kind = kind_in(&containers);
                    self.add_leaf(text, &events[i..end], kind, false, false);
                    i = end;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// Adds the leaf of one block's inline `events`; `first_in_quote`: the block is the
    /// first paragraph of a block quote, where an alert marker may open it.
    fn add_leaf(
        &mut self,
        text: &str,
        events: &[Spanned<'_>],
        kind: UnitKind,
        one_line: bool,
        first_in_quote: bool,
    ) {
        // A task list item's checkbox (`[ ]`, `[x]`) is markup that starts the item:
        // never sent, it stays in place.
        let events = match events {
            [(Event::TaskListMarker(_), _), rest @ ..] => rest,
            _ => events,
        };
        let mut walker = Walker::new(text, true);
        walker.walk(events);
        let Walker {
            pieces,
            images,
            titles,
            ..
        } = walker;
        let mut pieces = protect_pieces(pieces, &self.protected);
        if first_in_quote {
            skip_alert_marker(text, &mut pieces);
        }
        // A fence's title is one line: a line break in its translation would end it.
        let one_line = skip_container_fences(text, &mut pieces) || one_line;
        keep_html_code_whole(text, &mut pieces);
        keep_markup_lines_out(text, &mut pieces);
        let Some((pieces, span)) = trim(text, &pieces, &images) else {
            return;
        };
        if is_mdx_code(text, &span) {
            return;
        }
        let pieces = renumber_images(pieces, self.images.len());
        let continuation = continuation(text, span.start);
        for (range, alt_pieces, label, title) in images {
            let alt_pieces = protect_pieces(alt_pieces, &self.protected);
            let alt_span =
                trim(text, &alt_pieces, &[]).unwrap_or((Vec::new(), range.end..range.end));
            self.images.push(Image {
                range,
                label,
                alt: Leaf {
                    kind: UnitKind::ImageAlt,
                    span: alt_span.1,
                    pieces: alt_span.0,
                    one_line,
                    continuation: continuation.clone(),
                    unit: None,
                    titles: title.into_iter().collect(),
                },
            });
        }
        self.leaves.push(Leaf {
            kind,
            span,
            pieces,
            one_line,
            continuation,
            unit: None,
            titles,
        });
    }

    /// Makes units of the leaves (and image alts) that hold letters, in document order.
    fn number_units(&mut self, text: &Arc<String>, first_unit: usize) -> Vec<Unit> {
        let mut units = Vec::new();
        let images = &mut self.images;
        for leaf in &mut self.leaves {
            let image = |i: usize| text[images[i].range.clone()].to_owned();
            // Whether a block is a unit depends on its text only, not on its titles:
            // the units of a document are what existing translations are matched by.
            // Built once where there are no titles, and not at all for a block of text
            // alone, which is its own tagged text: a unit can be megabytes long.
            let plain = match leaf.pieces.as_slice() {
                [InlinePart::Text(r)]
                    if leaf.titles.is_empty() && r.len() >= super::SHARED_AT_LEAST =>
                {
                    Tagged::plain_slice(text, r.clone())
                }
                _ => None,
            }
            .unwrap_or_else(|| build(text, &leaf.pieces, &image, false, None, &[]));
            if has_letters(&plain) {
                leaf.unit = Some(first_unit + units.len());
                let tagged = if leaf.titles.is_empty() {
                    plain
                } else {
                    drop(plain);
                    build(text, &leaf.pieces, &image, false, None, &leaf.titles)
                };
                units.push(Unit {
                    kind: leaf.kind.clone(),
                    span: leaf.span.clone(),
                    tagged,
                });
            }
            for piece in &leaf.pieces {
                let InlinePart::Image(i) = piece else {
                    continue;
                };
                let alt = &mut images[*i].alt;
                let none = |_| String::new();
                if has_letters(&build(text, &alt.pieces, &none, false, None, &[])) {
                    alt.unit = Some(first_unit + units.len());
                    units.push(Unit {
                        kind: UnitKind::ImageAlt,
                        span: alt.span.clone(),
                        tagged: build(text, &alt.pieces, &none, false, None, &alt.titles),
                    });
                }
            }
        }
        units
    }
}

/// Whether the block at `span` is MDX code: Docusaurus, Nextra and Astro compile `.md`
/// pages as MDX, and a translated piece of code fails the site's build. Two kinds, at
/// the start of a line (not inside a list item or a quote), whatever pulldown-cmark
/// made of the block (before a `:::` container line it reads a definition term):
/// - ECMAScript, `import Tabs from '@theme/Tabs';`, `export const meta = {…}`: MDX
///   reads it only in lower case, and prose starts its sentences in upper case;
/// - a JSX element's opening tag alone on its line that CommonMark does not read as
///   HTML (`<DetailedExplanation title={`…`}>`, an attribute in braces): a component's
///   name is written in Pascal case, an HTML element's in lower or upper case
///   (`<B>Chú ý</B>` of an old CMS stays text).
fn is_mdx_code(text: &str, span: &Range<usize>) -> bool {
    if !(span.start == 0 || text[..span.start].ends_with('\n')) {
        return false;
    }
    let block = &text[span.clone()];
    let esm = ["import", "export"].iter().any(|keyword| {
        block
            .strip_prefix(keyword)
            .is_some_and(|rest| rest.starts_with([' ', '\t', '{', '*', '\'', '"']))
    });
    let name: &str = block.strip_prefix('<').map_or("", |rest| {
        rest.split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("")
    });
    let jsx_tag = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.contains(|c: char| c.is_ascii_lowercase())
        && block.ends_with('>')
        && !block.contains('\n')
        && !block.contains("</");
    esm || jsx_tag
}

/// Whether the text between `tagged`'s tags has a letter (read in place, not copied
/// without its tags: a unit can be megabytes long).
fn has_letters(tagged: &Tagged) -> bool {
    markup::tokens(tagged.text())
        .iter()
        .any(|t| matches!(t, Token::Text(s) if s.chars().any(char::is_alphabetic)))
}

/// Takes the alert marker that opens a block quote (`[!NOTE]`, `[!warning]-`) out of
/// its first paragraph's pieces: GitHub and Hugo read it as the alert's type, so it is
/// never sent and stays where it is (MDN's and Hugo's docs: 1,300 of them; sent, it
/// came back as `[en] [!NOTE]` or `[! 注意]`, a plain quote). A title after the marker
/// (`[!TIP] Mẹo`) is text like any other.
fn skip_alert_marker(text: &str, pieces: &mut Vec<InlinePart>) {
    let Some(InlinePart::Text(r)) = pieces.first_mut() else {
        return;
    };
    let Some(len) = alert_marker_len(&text[r.clone()]) else {
        return;
    };
    r.start += len;
    if text[r.clone()].trim().is_empty() {
        pieces.remove(0);
        if matches!(pieces.first(), Some(InlinePart::Break(_))) {
            pieces.remove(0);
        }
    }
}

/// The length of the alert marker `s` starts with: `[!` letters `]`, then an optional
/// fold sign (`+`, `-`), then the end of the word.
fn alert_marker_len(s: &str) -> Option<usize> {
    let name = s
        .strip_prefix("[!")?
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .count();
    let mut len = 2 + name;
    if name == 0 || s.as_bytes().get(len) != Some(&b']') {
        return None;
    }
    len += 1;
    if matches!(s.as_bytes().get(len), Some(b'+' | b'-')) {
        len += 1;
    }
    s[len..]
        .chars()
        .next()
        .is_none_or(char::is_whitespace)
        .then_some(len)
}

/// HTML elements whose content is code (`<code>`, `<kbd>`, `<samp>`, `<tt>`) become one
/// standalone tag with their content, as a Markdown code span is: sent, the content came
/// back translated (`<code>output: true</code>` in Jekyll's docs). An element around an
/// image or a link title is left as it is: those are units or pieces of their own.
fn keep_html_code_whole(text: &str, pieces: &mut Vec<InlinePart>) {
    const CODE: [&str; 4] = ["code", "kbd", "samp", "tt"];
    let element = |r: &Range<usize>| html_tag(&text[r.clone()]);
    let mut i = 0;
    while i < pieces.len() {
        if let InlinePart::Open(open) = &pieces[i]
            && let Some((false, name)) = element(open)
            && CODE.contains(&name.as_str())
            && let Some(j) = matching_html_close(pieces, i, &name, element)
            && let Some(close) = piece_range(&pieces[j])
        {
            let whole = open.start..close.end;
            pieces.splice(i..=j, [InlinePart::Standalone(whole)]);
        }
        i += 1;
    }
}

/// The index of the piece that closes the HTML element `name` opened at `open`;
/// `None` when an image or a titled link comes first, or nothing closes it.
fn matching_html_close(
    pieces: &[InlinePart],
    open: usize,
    name: &str,
    element: impl Fn(&Range<usize>) -> Option<(bool, String)>,
) -> Option<usize> {
    let mut depth = 0usize;
    for (j, piece) in pieces.iter().enumerate().skip(open + 1) {
        match piece {
            InlinePart::Image(_) | InlinePart::TitledClose(..) => return None,
            InlinePart::Open(r) if element(r).is_some_and(|(_, n)| n == name) => depth += 1,
            InlinePart::Close(r) if element(r).is_some_and(|(_, n)| n == name) => {
                if depth == 0 {
                    return Some(j);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// Leaves markup that fills whole lines at the start or the end of a block out of its
/// unit, where it stays as it is: kramdown's block attribute lists (`{: .note}` on the
/// line above a paragraph: 1,180 of them in Jekyll's docs), Liquid tags and shortcodes
/// on a line of their own. Sent, they are tags a backend moves with the words around
/// them; the pseudo-translator put its `[ko]` before them, and kramdown no longer
/// reads `[ko]{: .note}` as an attribute list.
fn keep_markup_lines_out(text: &str, pieces: &mut Vec<InlinePart>) {
    let blank =
        |p: &InlinePart| matches!(p, InlinePart::Text(r) if text[r.clone()].trim().is_empty());
    while let Some(InlinePart::Standalone(_)) = pieces.first() {
        let mut next = 1;
        while pieces.get(next).is_some_and(blank) {
            next += 1;
        }
        if !matches!(pieces.get(next), Some(InlinePart::Break(_))) {
            break;
        }
        pieces.drain(..=next);
    }
    while let Some(InlinePart::Standalone(_)) = pieces.last() {
        let mut before = pieces.len() - 1;
        while before > 0 && blank(&pieces[before - 1]) {
            before -= 1;
        }
        if before == 0 || !matches!(pieces[before - 1], InlinePart::Break(_)) {
            break;
        }
        pieces.truncate(before - 1);
    }
}

/// Leaves the fences of container directives out of a paragraph's unit, where they stay
/// as they are: `:::tip`, `::: warning Tựa`, `:::note[Tựa]`, `::: {.note}` and the
/// closing `:::` (Docusaurus admonitions, VitePress and markdown-it containers, Pandoc
/// fenced divs). CommonMark reads them as text of the paragraph they open or close;
/// sent, they came back as `[ko]:::tip` or with the name translated, and the container
/// was gone. A title after the name (`::: warning Tựa`) is translated; a title in
/// brackets stays with the fence, brackets and all. Returns whether what is left is a
/// fence's title alone, which must stay on the fence's line.
fn skip_container_fences(text: &str, pieces: &mut Vec<InlinePart>) -> bool {
    let mut opened = false;
    // The parser may split a line's text in several pieces (`:` then `::tip`): the
    // fences are read on the lines, and the pieces they cover are dropped.
    while let Some(start) = pieces.first().and_then(piece_range).map(|r| r.start) {
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        // A fence after a paragraph is a definition to pulldown-cmark (`:` then `::tip`,
        // blank line or not): its marker's colon belongs to the fence.
        let line_start = super::line_start(text, start);
        let lead = &text[line_start..start];
        let marker = lead.len() - lead.trim_end_matches(':').len();
        let Some(len) = opening_fence_len(&text[start - marker..line_end]) else {
            break;
        };
        let fence_end = start - marker + len;
        opened = true;
        while let Some(InlinePart::Text(r)) = pieces.first_mut()
            && r.start < fence_end
        {
            if r.end <= fence_end {
                pieces.remove(0);
            } else {
                r.start = fence_end;
            }
        }
        if let Some(InlinePart::Text(r)) = pieces.first()
            && text[r.clone()].trim().is_empty()
        {
            pieces.remove(0);
        }
        // An attribute list after the fence (`::: {.note}`) is template syntax: it
        // leaves with its line in `keep_markup_lines_out`.
        if !matches!(pieces.first(), Some(InlinePart::Break(_))) {
            break;
        }
        pieces.remove(0);
    }
    // A fence's attributes after its title (`::: details Tựa {open}`, VitePress) stay with
    // the fence when the title is the whole block: sent, a backend could put words after
    // them, and markdown-it-attrs reads them only at the line's end.
    let title = opened && !pieces.iter().any(|p| matches!(p, InlinePart::Break(_)));
    if title
        && let Some(InlinePart::Standalone(r)) = pieces.last()
        && text[r.clone()].starts_with('{')
        && text[r.end..].starts_with(['\n', '\r'])
        && super::on_fence_line(text, r.start)
    {
        pieces.pop();
    }
    while let Some(last_break) = pieces
        .iter()
        .rposition(|p| matches!(p, InlinePart::Break(_)))
    {
        let last_line = &pieces[last_break + 1..];
        let all_text = last_line.iter().all(|p| matches!(p, InlinePart::Text(_)));
        let (Some(first), Some(last)) = (
            last_line.first().and_then(piece_range),
            last_line.last().and_then(piece_range),
        ) else {
            break;
        };
        if !all_text || !is_closing_fence(&text[first.start..last.end]) {
            break;
        }
        pieces.truncate(last_break);
    }
    title
}

/// The length of the container fence `line` starts with: three colons or more, then
/// the container's name, and a title in brackets when the line ends with it.
fn opening_fence_len(line: &str) -> Option<usize> {
    let colons = line.bytes().take_while(|&b| b == b':').count();
    if colons < 3 {
        return None;
    }
    let spaces = line[colons..].len() - line[colons..].trim_start_matches([' ', '\t']).len();
    let name_start = colons + spaces;
    // MyST (Jupyter Book, Sphinx): the directive's name in braces, `:::{note}`; a title
    // after it (`:::{admonition} Mẹo`) is translated.
    let directive = line[name_start..].strip_prefix('{').and_then(|rest| {
        let name = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'))
            .count();
        (name > 0 && rest[name..].starts_with('}')).then_some(name + 2)
    });
    if let Some(len) = directive {
        return Some(name_start + len);
    }
    let name = line[name_start..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        .count();
    let end = name_start + name;
    let rest = &line[end..];
    if rest.starts_with('[') && rest.trim_end().ends_with(']') {
        return Some(end + rest.trim_end().len());
    }
    // DocFX (Microsoft Learn): attributes, not a title, follow the name, and a line that
    // also ends with colons is the whole extension (`:::code language="csharp"
    // source="a.cs":::`, `:::zone pivot="windows"`). Sent, the paths and values came
    // back translated.
    let attributes = rest.split_whitespace().next().is_some_and(|word| {
        word.split_once("=\"").is_some_and(|(key, _)| {
            !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        })
    });
    if name > 0 && (attributes || rest.trim_end().ends_with(":::")) {
        return Some(end + rest.trim_end().len());
    }
    let follows = rest.chars().next();
    follows
        .is_none_or(|c| c.is_whitespace() || c == '{')
        .then_some(end)
}

/// Whether `line` is a closing container fence: colons only, three or more.
fn is_closing_fence(line: &str) -> bool {
    let line = line.trim_end();
    line.len() >= 3 && line.bytes().all(|b| b == b':')
}

/// Image pieces are numbered per walker; make them index the document's image list.
fn renumber_images(pieces: Vec<InlinePart>, first: usize) -> Vec<InlinePart> {
    pieces
        .into_iter()
        .map(|p| match p {
            InlinePart::Image(i) => InlinePart::Image(first + i),
            other => other,
        })
        .collect()
}

/// Removes leading and trailing whitespace from the text pieces at the ends; returns
/// the pieces and their span, or `None` when nothing is left.
fn trim(
    text: &str,
    pieces: &[InlinePart],
    images: &[WalkedImage],
) -> Option<(Vec<InlinePart>, Range<usize>)> {
    let mut pieces = pieces.to_vec();
    while let Some(InlinePart::Text(r)) = pieces.first_mut() {
        let s = &text[r.clone()];
        r.start += s.len() - s.trim_start().len();
        if r.start < r.end {
            break;
        }
        pieces.remove(0);
    }
    while let Some(InlinePart::Text(r)) = pieces.last_mut() {
        r.end = r.start + text[r.clone()].trim_end().len();
        if r.start < r.end {
            break;
        }
        pieces.pop();
    }
    let range_of = |p: &InlinePart| match p {
        InlinePart::Text(r)
        | InlinePart::Break(r)
        | InlinePart::Open(r)
        | InlinePart::Close(r)
        | InlinePart::RefClose(r, _)
        | InlinePart::TitledClose(r, _)
        | InlinePart::Standalone(r) => r.clone(),
        InlinePart::Image(i) => images.get(*i).map_or(0..0, |(r, ..)| r.clone()),
    };
    let start = range_of(pieces.first()?).start;
    let end = range_of(pieces.last()?).end;
    Some((pieces, start..end))
}

/// Newline plus the container prefix of the line where a leaf starts: `>` markers
/// kept, list markers turned into spaces.
fn continuation(text: &str, start: usize) -> String {
    let line_start = super::line_start(text, start);
    let newline = if text[start..].contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let prefix: String = text[line_start..start]
        .chars()
        // `>` markers and tabs stay; list markers become spaces so a new line stays
        // inside its list item.
        .map(|c| if c == '>' || c == '\t' { c } else { ' ' })
        .collect();
    format!("{newline}{prefix}")
}

/// The unit kind of a paragraph in these containers: the innermost list item or quote.
fn kind_in(containers: &[Container]) -> UnitKind {
    match containers.iter().rev().find(|c| **c != Container::Other) {
        Some(Container::Item) => UnitKind::ListItem,
        Some(Container::Quote) => UnitKind::BlockQuote,
        _ => UnitKind::Paragraph,
    }
}

/// Index of the `End` matching the `Start` at `i` (or the last event).
fn matching_end(events: &[Spanned<'_>], i: usize) -> usize {
    let mut depth = 0usize;
    for (j, (event, _)) in events.iter().enumerate().skip(i) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

fn is_inline_tag(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_end(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

fn is_inline(event: &Event<'_>) -> bool {
    match event {
        Event::Start(tag) => is_inline_tag(tag),
        Event::End(end) => is_inline_end(*end),
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::TaskListMarker(_) => true,
        _ => false,
    }
}

/// Builds the tagged text of `pieces`; `image` gives the markup of image `i`; with
/// `full_refs`, shortcut and collapsed reference links close in the full form
/// `][label]`, so a translated link text still finds its definition. `closes` gives
/// the closing markup of titled link `k` (its title translated), `None` as written;
/// `titles` are appended as paired tags after [`TITLE_SEPARATOR`]s (a unit's text).
/// Consecutive text is merged first, so text that merely looks like a tag (`<g1>` in
/// the source) is found and kept as a standalone tag instead of confusing the restore.
pub(super) fn build(
    text: &str,
    pieces: &[InlinePart],
    image: &dyn Fn(usize) -> String,
    full_refs: bool,
    closes: Option<&[String]>,
    titles: &[Title],
) -> Tagged {
    let mut b = TaggedBuilder::new();
    // The text pieces since the last tag, escaped together.
    let mut pending: Vec<Range<usize>> = Vec::new();
    for piece in pieces {
        if let InlinePart::Text(r) = piece {
            pending.push(r.clone());
            continue;
        }
        push_pending(&mut b, text, &mut pending);
        match piece {
            InlinePart::Break(_) => b.push_text("\n"),
            InlinePart::Open(r) => {
                b.open(&text[r.clone()]);
            }
            InlinePart::Close(r) => b.close(&text[r.clone()]),
            InlinePart::RefClose(r, label) if full_refs => {
                b.close(format!("][{}]", &text[label.clone()]));
            }
            InlinePart::RefClose(r, _) => b.close(&text[r.clone()]),
            InlinePart::Standalone(r) => {
                b.standalone(&text[r.clone()]);
            }
            InlinePart::Image(i) => {
                b.standalone(image(*i));
            }
            InlinePart::TitledClose(r, k) => match closes.and_then(|c| c.get(*k)) {
                Some(close) => b.close(close.clone()),
                None => b.close(&text[r.clone()]),
            },
            InlinePart::Text(_) => {}
        }
    }
    push_pending(&mut b, text, &mut pending);
    for title in titles {
        b.push_text(TITLE_SEPARATOR);
        // Empty markup: the renderer takes the pair out before restoring.
        b.open("");
        b.push_text(&title.text);
        b.close("");
    }
    b.finish()
}

/// Tagged text of a plain string (a front-matter value).
pub(super) fn plain_tagged(value: &str) -> Tagged {
    let mut b = TaggedBuilder::new();
    push_escaped(&mut b, value);
    b.finish()
}

/// Escapes the text pieces `pending` of `text` into `b` as one text, and empties it.
/// A single piece (a whole paragraph of megabytes, issue 10, item 14) is escaped
/// straight from the source rather than copied first.
fn push_pending(b: &mut TaggedBuilder, text: &str, pending: &mut Vec<Range<usize>>) {
    match pending.as_slice() {
        [] => {}
        [one] => push_escaped(b, &text[one.clone()]),
        many => {
            let joined: String = many.iter().map(|r| &text[r.clone()]).collect();
            push_escaped(b, &joined);
        }
    }
    pending.clear();
}

fn push_escaped(b: &mut TaggedBuilder, text: &str) {
    for token in markup::tokens(text) {
        match token {
            Token::Text(s) => b.push_text(s),
            tag => {
                b.standalone(tag_literal(tag));
            }
        }
    }
}

/// The text of a tag token (tokens only match the canonical spelling, so this is exact).
pub(super) fn tag_literal(token: Token<'_>) -> String {
    match token {
        Token::Text(s) => s.to_owned(),
        Token::Open(id) => format!("<g{id}>"),
        Token::Close(id) => format!("</g{id}>"),
        Token::Standalone(id) => format!("<x{id}/>"),
    }
}

/// Walks the inline events of one leaf into pieces.
struct Walker<'t> {
    text: &'t str,
    /// Whether images become alt units (false inside an alt: nested images stay verbatim).
    images_as_units: bool,
    pieces: Vec<InlinePart>,
    images: Vec<WalkedImage>,
    cursor: Option<usize>,
    /// Open inline containers: full range, whether the open markup is emitted,
    /// whether it is a shortcut or collapsed reference link, and its title.
    frames: Vec<(Range<usize>, bool, bool, Option<Title>)>,
    /// The translatable titles of the links closed so far.
    titles: Vec<Title>,
    /// A line break seen: (hard?, start); its extent is known at the next event.
    pending_break: Option<(bool, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HtmlRole {
    Open,
    Close,
}

impl<'t> Walker<'t> {
    fn new(text: &'t str, images_as_units: bool) -> Self {
        Walker {
            text,
            images_as_units,
            pieces: Vec::new(),
            images: Vec::new(),
            cursor: None,
            frames: Vec::new(),
            titles: Vec::new(),
            pending_break: None,
        }
    }

    /// Moves the cursor to `to`, returning the range passed over (never backwards).
    fn take(&mut self, to: usize) -> Range<usize> {
        let from = self.cursor.unwrap_or(to);
        let to = to.max(from);
        self.cursor = Some(to);
        from..to
    }

    fn flush_text(&mut self, to: usize) {
        let r = self.take(to);
        if r.start >= r.end {
            return;
        }
        // Touching text is one piece: the same text, a fraction of the memory.
        match self.pieces.last_mut() {
            Some(InlinePart::Text(last)) if last.end == r.start => last.end = r.end,
            _ => self.pieces.push(InlinePart::Text(r)),
        }
    }

    fn walk(&mut self, events: &[Spanned<'_>]) {
        let html = pair_html(events);
        if self.cursor.is_none() {
            // pulldown-cmark starts an escaped character's text after its backslash: a
            // leaf that starts with one (`\[en\] …`) starts at the backslash, or a kept
            // block would lose it and turn into markup (found with issue 14's test).
            self.cursor = events.first().map(|(event, r)| match event {
                Event::Text(_) if r.start > 0 && self.text.as_bytes()[r.start - 1] == b'\\' => {
                    r.start - 1
                }
                _ => r.start,
            });
        }
        let mut j = 0;
        while j < events.len() {
            let (event, r) = &events[j];
            self.prelude(event, r.start);
            match event {
                Event::Text(_) => self.flush_text(r.end),
                Event::SoftBreak | Event::HardBreak => {
                    self.flush_text(r.start);
                    self.pending_break = Some((matches!(event, Event::HardBreak), r.start));
                }
                Event::InlineHtml(_) => {
                    self.flush_text(r.start);
                    let range = self.take(r.end);
                    self.pieces.push(match html.get(&j) {
                        Some(HtmlRole::Open) => InlinePart::Open(range),
                        Some(HtmlRole::Close) => InlinePart::Close(range),
                        None => InlinePart::Standalone(range),
                    });
                }
                Event::Start(Tag::Image {
                    link_type, title, ..
                }) => {
                    let end = matching_end(events, j);
                    let r = self.with_brackets(r.clone(), *link_type);
                    let title = title_in(self.text, &r, *link_type, title);
                    self.image(&events[j + 1..end], r, is_label_ref(*link_type), title);
                    j = end;
                }
                Event::Start(Tag::Link {
                    link_type: LinkType::Autolink | LinkType::Email,
                    ..
                }) => {
                    self.standalone(r.clone());
                    j = matching_end(events, j);
                }
                Event::Start(tag) => {
                    self.flush_text(r.start);
                    let (r, label_ref, title) = match tag {
                        Tag::Link {
                            link_type, title, ..
                        } => {
                            let r = self.with_brackets(r.clone(), *link_type);
                            // Links inside an image's alt text stay as written.
                            let title = if self.images_as_units {
                                title_in(self.text, &r, *link_type, title)
                            } else {
                                None
                            };
                            (r, is_label_ref(*link_type), title)
                        }
                        _ => (r.clone(), false, None),
                    };
                    self.frames.push((r, false, label_ref, title));
                }
                Event::End(_) => self.end_frame(),
                _ => self.standalone(r.clone()),
            }
            j += 1;
        }
        if let Some((_, start)) = self.pending_break.take() {
            self.flush_text(start);
        }
    }

    /// Settles what the previous event left open now that the next one starts at `at`.
    fn prelude(&mut self, event: &Event<'_>, at: usize) {
        if let Some((hard, start)) = self.pending_break.take() {
            self.flush_text(start);
            let range = self.take(at);
            self.pieces.push(if hard {
                InlinePart::Standalone(range)
            } else {
                InlinePart::Break(range)
            });
        }
        let closing = matches!(event, Event::End(_));
        if let Some((_, opened, ..)) = self.frames.last_mut()
            && !*opened
            && !closing
        {
            *opened = true;
            let range = self.take(at);
            self.pieces.push(InlinePart::Open(range));
        }
    }

    fn standalone(&mut self, r: Range<usize>) {
        self.flush_text(r.start);
        let range = self.take(r.end);
        self.pieces.push(InlinePart::Standalone(range));
    }

    fn end_frame(&mut self) {
        let Some((range, opened, label_ref, title)) = self.frames.pop() else {
            return;
        };
        if opened {
            let close = self.take(range.end);
            if label_ref && range.start < close.start {
                self.pieces.push(InlinePart::RefClose(
                    close.clone(),
                    range.start + 1..close.start,
                ));
            } else if let Some(title) =
                title.filter(|t| close.start <= t.raw.start && t.raw.end <= close.end)
            {
                self.pieces
                    .push(InlinePart::TitledClose(close, self.titles.len()));
                self.titles.push(title);
            } else {
                self.pieces.push(InlinePart::Close(close));
            }
        } else {
            // Nothing inside (`[](url)`): the whole thing is one standalone tag.
            self.standalone(range);
        }
    }

    /// pulldown-cmark ends a collapsed reference (`[text][]`) before its `[]`; the
    /// `[]` is markup, not text to translate.
    fn with_brackets(&self, r: Range<usize>, link_type: LinkType) -> Range<usize> {
        let collapsed = matches!(link_type, LinkType::Collapsed | LinkType::CollapsedUnknown);
        if collapsed && !self.text[..r.end].ends_with("][]") && self.text[r.end..].starts_with("[]")
        {
            r.start..r.end + 2
        } else {
            r
        }
    }

    fn image(
        &mut self,
        inner: &[Spanned<'_>],
        range: Range<usize>,
        label_ref: bool,
        title: Option<Title>,
    ) {
        if !self.images_as_units {
            self.standalone(range);
            return;
        }
        self.flush_text(range.start);
        let mut alt = Walker::new(self.text, false);
        alt.walk(inner);
        self.take(range.end);
        // `![label]` or `![label][]`: the label is the source text between the brackets.
        let label = label_ref.then(|| {
            let close = if self.text[..range.end].ends_with("][]") {
                3
            } else {
                1
            };
            range.start + 2..range.end.saturating_sub(close).max(range.start + 2)
        });
        self.pieces.push(InlinePart::Image(self.images.len()));
        self.images.push((range, alt.pieces, label, title));
    }
}

/// An image found by a walker: its range, its alt pieces, its reference label, its
/// translatable title.
type WalkedImage = (
    Range<usize>,
    Vec<InlinePart>,
    Option<Range<usize>>,
    Option<Title>,
);

/// The translatable title of the inline link or image at `range` whose title
/// pulldown-cmark read as `title`. Only a title dich can find byte for byte is
/// translated: one with letters, no text that looks like a tag, and no entity or line
/// prefix that makes its text differ from what is written between its delimiters
/// (those stay as written). Reference links have their title in the definition.
fn title_in(text: &str, range: &Range<usize>, link_type: LinkType, title: &str) -> Option<Title> {
    if link_type != LinkType::Inline
        || !title.chars().any(char::is_alphabetic)
        || markup::has_tags(title)
    {
        return None;
    }
    // `](dest "title")`: the title is the last thing before the closing parenthesis.
    let body = text.get(range.clone())?.strip_suffix(')')?.trim_end();
    let delimiter = body.chars().next_back()?;
    let open = match delimiter {
        '"' => b'"',
        '\'' => b'\'',
        ')' => b'(',
        _ => return None,
    };
    let content_end = range.start + body.len() - 1;
    let bytes = text.as_bytes();
    // The opening delimiter is the last one not escaped: the title cannot hold one.
    let mut i = content_end;
    let start = loop {
        if i <= range.start {
            return None;
        }
        i -= 1;
        if bytes[i] == open {
            let slashes = bytes[range.start..i]
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            if slashes % 2 == 0 {
                break i;
            }
        }
    };
    let raw = start + 1..content_end;
    (unescape_title(&text[raw.clone()]) == title).then(|| Title {
        raw,
        delimiter,
        text: title.to_owned(),
    })
}

/// A title's text as written with its backslash escapes resolved.
fn unescape_title(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(&next) if c == '\\' && next.is_ascii_punctuation() => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// A translated title written for its delimiter: backslashes, `&` (an entity would be
/// read) and the delimiter escaped, line breaks as spaces (a title cannot hold a blank
/// line, and a line of its own would need its container's prefix). `hard` escapes every
/// ASCII punctuation character, so no template syntax can be spelled.
pub(super) fn escape_title(title: &str, delimiter: char, hard: bool) -> String {
    let mut out = String::with_capacity(title.len() + 8);
    for c in title.chars() {
        match c {
            '\\' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if hard && c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            '"' | '\'' if c == delimiter => {
                out.push('\\');
                out.push(c);
            }
            '(' | ')' if delimiter == ')' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Shortcut (`[text]`) and collapsed (`[text][]`) references: their text is their label.
fn is_label_ref(link_type: LinkType) -> bool {
    matches!(link_type, LinkType::Shortcut | LinkType::Collapsed)
}

/// Turns the pieces that cover a protected span into one standalone tag with its exact
/// bytes, so template syntax is never sent and never moved apart. A span that overlaps
/// markup (which masking makes impossible for the built-in patterns) is left alone.
fn protect_pieces(pieces: Vec<InlinePart>, spans: &[Range<usize>]) -> Vec<InlinePart> {
    // Images have no range of their own here: a leaf may start with one
    // (`![](a.png){.border}`), and the spans after it are protected all the same.
    let Some(first) = pieces.iter().find_map(piece_range) else {
        return pieces;
    };
    let end = pieces
        .iter()
        .rev()
        .find_map(piece_range)
        .map_or(first.end, |r| r.end);
    let mut pieces = pieces;
    // A span larger than the leaf (a protected pair with blank lines inside) covers
    // the part of the leaf it overlaps.
    let clipped = spans
        .iter()
        .filter(|s| s.start < end && first.start < s.end)
        .map(|s| s.start.max(first.start)..s.end.min(end));
    for span in clipped {
        let span = &span;
        let hit: Vec<usize> = (0..pieces.len())
            .filter(|&i| {
                piece_range(&pieces[i]).is_some_and(|r| r.start < span.end && span.start < r.end)
            })
            .collect();
        let (Some(&a), Some(&b)) = (hit.first(), hit.last()) else {
            continue;
        };
        // Contiguous (no image between), and only text or markup inside the span.
        let ok = hit.len() == b - a + 1
            && hit.iter().all(|&i| match &pieces[i] {
                InlinePart::Text(_) => true,
                InlinePart::Break(r) | InlinePart::Standalone(r) => {
                    r.start >= span.start && r.end <= span.end
                }
                _ => false,
            });
        if !ok {
            continue;
        }
        let mut replacement = Vec::new();
        if let Some(InlinePart::Text(r)) = pieces.get(a)
            && r.start < span.start
        {
            replacement.push(InlinePart::Text(r.start..span.start));
        }
        replacement.push(InlinePart::Standalone(span.clone()));
        if let Some(InlinePart::Text(r)) = pieces.get(b)
            && r.end > span.end
        {
            replacement.push(InlinePart::Text(span.end..r.end));
        }
        pieces.splice(a..=b, replacement);
    }
    pieces
}

fn piece_range(piece: &InlinePart) -> Option<Range<usize>> {
    match piece {
        InlinePart::Text(r)
        | InlinePart::Break(r)
        | InlinePart::Open(r)
        | InlinePart::Close(r)
        | InlinePart::RefClose(r, _)
        | InlinePart::TitledClose(r, _)
        | InlinePart::Standalone(r) => Some(r.clone()),
        InlinePart::Image(_) => None,
    }
}

/// Pairs inline HTML start and end tags at the same nesting depth (`<span>…</span>`);
/// anything else (void elements, comments, unmatched tags) stays standalone.
fn pair_html(events: &[Spanned<'_>]) -> HashMap<usize, HtmlRole> {
    let mut roles = HashMap::new();
    let mut open: Vec<(String, usize, usize)> = Vec::new();
    let mut depth = 0usize;
    for (j, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                open.retain(|(_, _, d)| *d <= depth);
            }
            Event::InlineHtml(html) => match html_tag(html) {
                Some((false, name)) => open.push((name, j, depth)),
                Some((true, name)) => {
                    if let Some((top, i, d)) = open.last()
                        && *top == name
                        && *d == depth
                    {
                        roles.insert(*i, HtmlRole::Open);
                        roles.insert(j, HtmlRole::Close);
                        open.pop();
                    }
                }
                None => {}
            },
            _ => {}
        }
    }
    roles
}

/// `(closing?, lowercase name)` of a pairable HTML tag.
fn html_tag(html: &str) -> Option<(bool, String)> {
    const VOID: [&str; 13] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let inner = html.trim().strip_prefix('<')?.strip_suffix('>')?;
    if inner.ends_with('/') {
        return None;
    }
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase();
    let first_ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && !VOID.contains(&name.as_str())).then_some((closing, name))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::content::pieces::samples;
    use proptest::prelude::*;

    use super::{PIECE, StandIn};
    use crate::content::{Document, Protect, Unit, UnitKind};

    fn units(body: &str) -> Vec<Unit> {
        Document::parse(Path::new("t.md"), body.as_bytes(), &[])
            .unwrap()
            .units
    }

    /// (kind, source slice, tagged text) of every unit.
    fn summary(body: &str) -> Vec<(UnitKind, String, String)> {
        units(body)
            .into_iter()
            .map(|u| (u.kind, body[u.span].to_owned(), u.tagged.text().to_owned()))
            .collect()
    }

    fn texts(body: &str) -> Vec<String> {
        summary(body).into_iter().map(|(_, _, t)| t).collect()
    }

    #[test]
    fn headings_cover_only_their_text() {
        let s = summary("# Tin *mới* #\n\nTiêu đề phụ\n===\n\n## Mục {#muc}\n");
        assert_eq!(
            s[0],
            (
                UnitKind::Heading,
                "Tin *mới*".into(),
                "Tin <g1>mới</g1>".into()
            )
        );
        assert_eq!(s[1].1, "Tiêu đề phụ");
        assert_eq!(s[2].1, "Mục");
    }

    #[test]
    fn paragraphs_with_inline_markup() {
        let body = "Xem **báo cáo** và `mã`, [trang](https://a.vn/x \"T\") <span class=\"k\">đỏ</span>~~cũ~~<br>.\n";
        let s = summary(body);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].0, UnitKind::Paragraph);
        assert_eq!(
            s[0].2,
            "Xem <g1>báo cáo</g1> và <x2/>, <g3>trang</g3> <g4>đỏ</g4><g5>cũ</g5><x6/>.\n\n<g7>T</g7>"
        );
    }

    #[test]
    fn list_items_tight_loose_and_nested() {
        let s = summary("- Một *hai*\n- Ba\n  - Bốn\n\n1. Năm\n\n   Sáu\n");
        let kinds: Vec<_> = s.iter().map(|(k, _, _)| k.clone()).collect();
        assert!(kinds.iter().all(|k| *k == UnitKind::ListItem));
        let slices: Vec<_> = s.iter().map(|(_, t, _)| t.as_str()).collect();
        assert_eq!(slices, ["Một *hai*", "Ba", "Bốn", "Năm", "Sáu"]);
    }

    #[test]
    fn block_quote_markers_stay_out_of_the_text() {
        let s = summary("> Dòng một\n> dòng hai\n>\n> > Trích dẫn\n");
        assert_eq!(s[0].0, UnitKind::BlockQuote);
        assert_eq!(s[0].1, "Dòng một\n> dòng hai");
        assert_eq!(s[0].2, "Dòng một\ndòng hai");
        assert_eq!(s[1].2, "Trích dẫn");
    }

    #[test]
    fn table_cells_are_units() {
        let s = summary("| Ngày | Sự kiện |\n|---|---|\n| 12 | Khai *mạc* |\n");
        let t: Vec<_> = s.iter().map(|(k, _, t)| (k.clone(), t.as_str())).collect();
        assert_eq!(
            t,
            [
                (UnitKind::TableCell, "Ngày"),
                (UnitKind::TableCell, "Sự kiện"),
                (UnitKind::TableCell, "Khai <g1>mạc</g1>")
            ]
        );
    }

    #[test]
    fn image_alt_is_its_own_unit_inside_the_paragraph() {
        let body = "Ảnh: ![Toàn cảnh *hội nghị*](/a.jpg \"t\") hôm qua.\n\n![Chỉ ảnh](/b.jpg)\n";
        let s = summary(body);
        assert_eq!(s[0].2, "Ảnh: <x1/> hôm qua.");
        assert_eq!(
            s[1],
            (
                UnitKind::ImageAlt,
                "Toàn cảnh *hội nghị*".into(),
                "Toàn cảnh <g1>hội nghị</g1>\n\n<g2>t</g2>".into()
            )
        );
        assert_eq!(
            s[2],
            (UnitKind::ImageAlt, "Chỉ ảnh".into(), "Chỉ ảnh".into())
        );
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn code_html_and_letterless_blocks_are_not_units() {
        let body = "```rust\nlet x = \"chào\";\n```\n\n    thụt lề\n\n<div>\nkhối HTML\n</div>\n\n2019 - 2020!\n\n---\n\n<https://a.vn> chữ\n";
        assert_eq!(texts(body), ["<x1/> chữ"]);
    }

    #[test]
    fn mdx_imports_exports_and_jsx_tags_are_not_units() {
        // Docusaurus' docs: ESM at the top level is code; in a list, in upper case, or
        // as a word that only starts with the keyword, it is prose.
        let body = "import Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n\n\
                    Cài đặt gói.\n\nexport const Highlight = ({children}) => children;\n\n\
                    import './styles.css';\n\nexport {x} from './y';\n\n\
                    import { A } from './a'\n\n:::tip Mẹo\n\n\
                    <Chi title={`Giải thích: \"x\"`}>\n\nChi tiết.\n\n</Chi>\n\n\
                    <B>Chú ý</B>\n\n<Highlight>chữ màu</Highlight>\n\nImport dữ liệu.\n\nimporter là tên gói.\n\n- import thư viện\n";
        assert_eq!(
            texts(body),
            [
                "Cài đặt gói.",
                "Mẹo",
                "Chi tiết.",
                "<g1>Chú ý</g1>",
                "<g1>chữ màu</g1>",
                "Import dữ liệu.",
                "importer là tên gói.",
                "import thư viện"
            ]
        );
    }

    #[test]
    fn hard_breaks_footnotes_and_literal_tags() {
        // `</x2>` is an HTML end tag to pulldown-cmark, `<g1>` text that looks like a tag.
        let body = "Một  \nhai\\\nba[^1] <g1> </x2>\n\n[^1]: Chú thích.\n";
        assert_eq!(
            texts(body),
            ["Một<x1/>hai<x2/>ba<x3/> <x4/> <x5/>", "Chú thích."]
        );
    }

    #[test]
    fn unpaired_and_crossing_html_stays_standalone() {
        assert_eq!(texts("a <b>*c</b> d* e\n"), ["a <x1/><g2>c<x3/> d</g2> e"]);
        assert_eq!(texts("a <span>b\n"), ["a <x1/>b"]);
    }

    #[test]
    fn an_alert_marker_is_not_sent() {
        // MDN's Vietnamese pages and Hugo's docs open block quotes with alert markers.
        assert_eq!(
            texts("> [!NOTE]\n> URL có thể trỏ đến *tệp*.\n"),
            ["URL có thể trỏ đến <g1>tệp</g1>."]
        );
        assert_eq!(
            texts("> [!warning]- Nguy hiểm\n> Chữ.\n"),
            ["Nguy hiểm\nChữ."]
        );
        assert_eq!(texts("  > [!TIP]\n  >\n  > Mẹo.\n"), ["Mẹo."]);
        assert!(texts("> [!CAUTION]\n").is_empty());
        // Only a marker that opens the quote, and only a whole one.
        assert_eq!(texts("> Chữ [!NOTE] giữa.\n"), ["Chữ [!NOTE] giữa."]);
        assert_eq!(texts("> [!NOTE]x chữ.\n"), ["[!NOTE]x chữ."]);
        assert_eq!(texts("[!NOTE] chữ.\n"), ["[!NOTE] chữ."]);
    }

    #[test]
    fn container_fences_are_not_sent() {
        // Docusaurus and VitePress sites: admonitions and custom containers.
        assert_eq!(
            texts(":::tip Mẹo hay\n\nNội dung.\n\n:::\n"),
            ["Mẹo hay", "Nội dung."]
        );
        assert_eq!(texts("::: warning\nCảnh báo.\n:::\n"), ["Cảnh báo."]);
        assert_eq!(texts(":::note[Tiêu đề]\nChữ.\n:::\n"), ["Chữ."]);
        assert_eq!(texts("::: {.note}\nChữ.\n:::\n"), ["Chữ."]);
        // VitePress: attributes after the name or the title stay with the fence, and a
        // title alone is one line.
        assert_eq!(texts("::: tip {no-title}\nChữ.\n:::\n"), ["Chữ."]);
        let s = summary("::: details Bấm để mở {open}\n```js\nx\n```\n:::\n");
        let spans: Vec<&str> = s.iter().map(|(_, span, _)| span.as_str()).collect();
        assert_eq!(spans, ["Bấm để mở"]);
        let leaves = |body: &str| {
            let text = std::sync::Arc::new(body.to_owned());
            let (blocks, _) = super::Blocks::parse(&text, 0, 0, &Protect::default());
            blocks.leaves.iter().map(|l| l.one_line).collect::<Vec<_>>()
        };
        assert_eq!(
            leaves("::: details Tựa {open}\n```js\nx\n```\n:::\n\n:::tip Mẹo\nChữ.\n:::\n"),
            [true, false]
        );
        // MyST (Jupyter Book): the directive's name in braces, a title after it.
        assert_eq!(texts(":::{note}\nGhi chú.\n:::\n"), ["Ghi chú."]);
        assert_eq!(
            texts(":::{admonition} Mẹo\n\nNội dung.\n:::\n"),
            ["Mẹo", "Nội dung."]
        );
        assert_eq!(
            texts("::::caution\n\n:::tip\nChữ.\n:::\n\n::::\n"),
            ["Chữ."]
        );
        assert!(texts(":::\n").is_empty());
        // After a paragraph, pulldown-cmark reads a fence as a definition (`:` `::tip`).
        assert_eq!(
            texts("Đoạn.\n\n:::tip Mẹo\n\nNội dung.\n\n:::\n"),
            ["Đoạn.", "Mẹo", "Nội dung."]
        );
        // DocFX extensions: attributes after the name, the whole line when it ends
        // with colons too.
        assert_eq!(
            texts(":::code language=\"csharp\" source=\"~/mẫu/a.cs\" range=\"11-30\":::\n"),
            Vec::<String>::new()
        );
        assert_eq!(
            texts(":::zone pivot=\"windows\"\n\nTrên Windows.\n\n::: zone-end\n"),
            ["Trên Windows."]
        );
        assert_eq!(
            texts("Đoạn.\n\n:::image type=\"content\" source=\"a.png\" alt-text=\"Ảnh\":::\n"),
            ["Đoạn."]
        );
        // Colons inside a line, or two of them, are text.
        assert_eq!(texts("Tỷ số:::3\n"), ["Tỷ số:::3"]);
        assert_eq!(texts(":: chữ\n"), [":: chữ"]);
        assert_eq!(texts(":::chữ\n"), [":::chữ"]);
    }

    #[test]
    fn task_list_checkboxes_are_not_sent() {
        // VitePress' docs (`guide/markdown.md`): GitHub-style task lists, tight and loose.
        let s = summary("- [ ] Viết thông cáo\n- [x] Cập nhật *trang*\n");
        let spans: Vec<&str> = s.iter().map(|(_, span, _)| span.as_str()).collect();
        assert_eq!(spans, ["Viết thông cáo", "Cập nhật *trang*"]);
        assert_eq!(texts("1. [X] Một\n\n2. [ ] Hai\n"), ["Một", "Hai"]);
        assert!(texts("- [x]\n").is_empty());
        // Elsewhere brackets are text.
        assert_eq!(texts("[ ] chưa xong\n"), ["[ ] chưa xong"]);
    }

    #[test]
    fn html_code_elements_are_not_sent() {
        assert_eq!(
            texts("Đặt <code>output: true</code> cho <kbd>Ctrl</kbd>+<kbd>C</kbd>.\n"),
            ["Đặt <x1/> cho <x2/>+<x3/>."]
        );
        // Markup inside stays inside; other elements are tags around text as before.
        assert_eq!(
            texts("Xem <code>a <b>b</b> *c*</code> và <span>chữ</span>.\n"),
            ["Xem <x1/> và <g2>chữ</g2>."]
        );
        assert_eq!(texts("<code>chỉ mã</code>\n"), Vec::<String>::new());
    }

    #[test]
    fn markup_on_lines_of_its_own_at_a_block_edge_is_not_sent() {
        // Jekyll's docs: a kramdown attribute list above or below a paragraph.
        assert_eq!(
            texts("{: .note .info}\nKhi định nghĩa.\n"),
            ["Khi định nghĩa."]
        );
        assert_eq!(texts("Chữ một.\n{: #id }\n"), ["Chữ một."]);
        assert_eq!(
            texts("{% if a %}\n{{< x >}}\nHai dòng\nnữa.\n{% endif %}\n"),
            ["Hai dòng\nnữa."]
        );
        // Inline, or on a line with text, it is a tag of the unit as before.
        assert_eq!(texts("{: .a} Chữ.\n"), ["<x1/> Chữ."]);
        assert_eq!(texts("Chữ\n{{< x >}} tiếp.\n"), ["Chữ\n<x1/> tiếp."]);
        assert_eq!(
            summary("- {: .a}\n  Mục.\n")[0].1,
            "Mục.",
            "the span starts after the line"
        );
    }

    #[test]
    fn template_syntax_after_an_image_at_a_leaf_start_is_not_sent() {
        // Quarto's docs: a figure's attribute list, right after the image.
        assert_eq!(
            texts("![](a.png){.border fig-alt=\"Hai phần: tài liệu, chú thích.\"}\n"),
            Vec::<String>::new()
        );
        assert_eq!(
            texts("![Con voi](voi.png){#fig-voi width=50%} và {{< meta x >}} chữ.\n"),
            ["<x1/><x2/> và <x3/> chữ.", "Con voi"]
        );
    }

    #[test]
    fn definition_list_terms_and_definitions_are_units_of_their_own() {
        // Hugo's docs: a term, then `: ` definitions (Hugo reads them by default).
        let body = "`enable`\n: {{< new-in 0.151.0 />}}\n: (`bool`) Bật tiện ích.\n  Dòng hai.\n";
        let s = summary(body);
        let spans: Vec<&str> = s.iter().map(|(_, span, _)| span.as_str()).collect();
        assert_eq!(spans, ["(`bool`) Bật tiện ích.\n  Dòng hai."]);
        assert_eq!(
            texts("Thuật ngữ\n: Định nghĩa.\n"),
            ["Thuật ngữ", "Định nghĩa."]
        );
    }

    /// The blocks and units of `body` (no front matter) with its long lines parsed in
    /// pieces of `piece` bytes, written out for comparison.
    fn parsed_in_pieces(body: &str, piece: usize) -> String {
        let text = std::sync::Arc::new(body.to_owned());
        let (blocks, units) =
            super::Blocks::parse_in_pieces(&text, (0, 0), &Protect::default(), piece);
        format!("{blocks:?}\n{units:?}")
    }

    /// Issue 10, item 14: a translated paragraph of megabytes, a `\~` escape every few
    /// bytes (a pseudo translation), made a parse tree 12 times its size when dich read
    /// the translation again to see what a person changed. It is parsed in pieces, into
    /// the blocks and units of a whole parse.
    #[test]
    fn a_long_escaped_paragraph_is_parsed_in_pieces_as_a_whole() {
        let line = "Trang \\~ một hai, ba \\[bốn\\] [năm] &amp; sáu ".repeat(20_000);
        let body = format!("# Tiêu đề\n\n> {line}cuối.\n\n- mục *một*\n");
        let stand_in = StandIn::of(&body, PIECE).unwrap();
        let (_, _, found) = super::events(&stand_in.text, |r| r);
        assert!(stand_in.holds(&body, &found), "not parsed in pieces");
        assert!(stand_in.text.len() < 5 * PIECE);
        assert!(parsed_in_pieces(&body, PIECE) == parsed_in_pieces(&body, usize::MAX));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Whatever the line and its surroundings, the blocks and units parsed in
        /// pieces are those of the whole parse (every range in the text's offsets).
        #[test]
        fn pieces_give_the_blocks_of_the_whole(
            before in samples::before(),
            prefix in samples::prefix(),
            tokens in prop::collection::vec(samples::token(), 20..120),
            after in samples::after(),
            piece in 2usize..24,
        ) {
            let text = format!("{before}{prefix}{}{after}", tokens.concat());
            prop_assert_eq!(
                parsed_in_pieces(&text, piece),
                parsed_in_pieces(&text, usize::MAX),
                "{:?}", text
            );
        }
    }
}
