//! Rendering by substitution: the translated document is the source text with each
//! unit's byte span replaced by its restored translation, plus the provenance.
//!
//! Invariants: edits never overlap (image alts are rendered inside their enclosing
//! block, not as edits of their own); identity translations reproduce the body byte for
//! byte; the same inputs always give the same bytes.

use std::ops::Range;

use super::blocks::{self, Leaf, Piece};
use super::front_matter;
use super::{Document, Provenance, RenderError, UnitKind};
use crate::markup::{self, Token};

/// See [`Document::render`].
pub(super) fn render(
    doc: &Document,
    translations: &[String],
    provenance: &Provenance,
) -> Result<String, RenderError> {
    if translations.len() != doc.units.len() {
        return Err(RenderError::CountMismatch {
            expected: doc.units.len(),
            got: translations.len(),
        });
    }
    let mut edits = front_matter_edits(doc, translations)?;
    edits.extend(body_edits(doc, translations)?);
    edits.push(front_matter::provenance_edit(
        &doc.text,
        doc.front_matter.as_ref(),
        provenance,
    )?);
    let out = apply(&doc.text, edits);
    // The inserted provenance must read back; if the source front matter is written in
    // a way that makes the insertion invalid, fail rather than publish a broken file.
    if front_matter::read_provenance(&out).as_ref() != Some(provenance) {
        return Err(RenderError::Provenance {
            reason: "the front matter would not parse with the provenance added".into(),
        });
    }
    Ok(out)
}

fn tag_error(doc: &Document, unit: usize, source: markup::TagError) -> RenderError {
    RenderError::Tags {
        unit,
        kind: doc.units[unit].kind.clone(),
        source,
    }
}

fn front_matter_edits(
    doc: &Document,
    translations: &[String],
) -> Result<Vec<(Range<usize>, String)>, RenderError> {
    let mut edits = Vec::new();
    for (i, unit) in doc.units.iter().enumerate() {
        if !matches!(unit.kind, UnitKind::FrontMatter(_)) {
            continue;
        }
        let restored = unit
            .tagged
            .restore(&translations[i])
            .map_err(|e| tag_error(doc, i, e))?;
        let original = unit.tagged.restore(unit.tagged.text()).unwrap_or_default();
        // An unchanged value keeps its token as written (quotes, escapes, style).
        if restored != original {
            edits.push((unit.span.clone(), front_matter::quote(&restored)));
        }
    }
    Ok(edits)
}

fn body_edits(
    doc: &Document,
    translations: &[String],
) -> Result<Vec<(Range<usize>, String)>, RenderError> {
    let blocks = &doc.blocks;
    // Each image's markup with its alt text translated (or as written).
    let mut images = Vec::with_capacity(blocks.images.len());
    for image in &blocks.images {
        let markup = match image.alt.unit {
            Some(unit) => {
                let alt = restore_leaf(doc, &image.alt, unit, &translations[unit], &[])?;
                let r = &image.range;
                let a = &image.alt.span;
                format!("{}{alt}{}", &doc.text[r.start..a.start], &doc.text[a.end..r.end])
            }
            None => doc.text[image.range.clone()].to_owned(),
        };
        images.push(markup);
    }
    let mut edits = Vec::new();
    for leaf in &blocks.leaves {
        match leaf.unit {
            Some(unit) => {
                let out = restore_leaf(doc, leaf, unit, &translations[unit], &images)?;
                edits.push((leaf.span.clone(), out));
            }
            None if leaf.pieces.iter().any(|p| matches!(p, Piece::Image(_))) => {
                // Nothing to translate around the image, but its alt may be translated.
                let tagged = blocks::build(&doc.text, &leaf.pieces, &|i| images[i].clone());
                let out = tagged.restore(tagged.text()).unwrap_or_default();
                edits.push((leaf.span.clone(), out));
            }
            None => {}
        }
    }
    Ok(edits)
}

/// Restores one leaf's translation: line breaks put back with their container prefix,
/// tags replaced by the source markup (images by `images[i]`).
fn restore_leaf(
    doc: &Document,
    leaf: &Leaf,
    unit: usize,
    translation: &str,
    images: &[String],
) -> Result<String, RenderError> {
    let tagged = blocks::build(&doc.text, &leaf.pieces, &|i| {
        images
            .get(i)
            .cloned()
            .unwrap_or_else(|| doc.text[doc.blocks.images[i].range.clone()].to_owned())
    });
    // Check the tags of the translation as given, before any newline handling.
    tagged
        .check(translation)
        .map_err(|e| tag_error(doc, unit, e))?;
    let prepared = prepare_lines(&doc.text, leaf, translation.trim());
    tagged
        .restore(&prepared)
        .map_err(|e| tag_error(doc, unit, e))
}

/// Newlines in the text of a translation: in one-line contexts (ATX headings, table
/// cells) a space; elsewhere the k-th newline becomes the k-th source line break with
/// its prefix (`\n> `), further ones the leaf's continuation prefix. Blank lines are
/// collapsed, so a translation never splits its block in two.
fn prepare_lines(text: &str, leaf: &Leaf, translation: &str) -> String {
    let breaks: Vec<&str> = leaf
        .pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Break(r) => Some(&text[r.clone()]),
            _ => None,
        })
        .collect();
    let mut out = String::with_capacity(translation.len());
    let mut k = 0;
    for token in markup::tokens(translation) {
        let Token::Text(s) = token else {
            out.push_str(&blocks::tag_literal(token));
            continue;
        };
        let normalised = s.replace("\r\n", "\n").replace('\r', "\n");
        let mut lines = normalised.split('\n');
        if let Some(first) = lines.next() {
            out.push_str(first);
        }
        let mut skipping = false;
        for line in lines {
            if !skipping {
                if leaf.one_line {
                    out.truncate(out.trim_end().len());
                    out.push(' ');
                } else {
                    out.push_str(breaks.get(k).copied().unwrap_or(&leaf.continuation));
                    k += 1;
                }
            }
            let line = line.trim_start();
            skipping = line.is_empty();
            out.push_str(line);
        }
    }
    out
}

/// Applies non-overlapping edits (sorted here) to `text`.
fn apply(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(text.len() + 1024);
    let mut pos = 0;
    for (range, replacement) in edits {
        if range.start < pos {
            // Cannot happen (leaves are disjoint); skipping keeps the output well-formed.
            continue;
        }
        out.push_str(&text[pos..range.start]);
        out.push_str(&replacement);
        pos = range.end;
    }
    out.push_str(&text[pos..]);
    out
}
