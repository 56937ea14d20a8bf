//! Link titles in translations written before dich translated them (issue 14): the
//! marker a translated file carries once its titles are translated, and the patch that
//! translates the titles of a kept block (a person's edit included) without touching
//! anything else in it.
//!
//! A file without the marker was written by an older dich, which left every title in
//! the source language. Its blocks are kept as before (their keys did not change), and
//! each title still equal to its source's is replaced by its translation; a title a
//! person translated by hand differs from the source's and stays.

use std::ops::Range;
use std::path::Path;

use super::blocks::{self, Title};
use super::protect::Protect;
use super::render::split_titles;
use super::{Document, front_matter};

/// What the stamp of the no-op shortcut includes besides dich's version: a change in
/// what dich derives from a Markdown file, so records written before it are not trusted.
pub const FORMAT: &str = "markdown: link titles translated (issue 14); LoveIt icons, MDX, TeX math, MyST kept; \
     Material icons, emoji, annotations, attribute lists, snippets, fence attributes, task lists";

/// The provenance key whose presence says that the file's link titles are translated.
pub(super) const MARKER: (&str, &str) = ("link_titles", "translated");

/// Whether a translated file's provenance says its link titles were translated (false
/// for a file written before dich translated titles, or one without titles).
pub fn link_titles_translated(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Marker {
        link_titles: Option<String>,
    }
    front_matter::read_dich::<Marker>(text)
        .and_then(|m| m.link_titles)
        .is_some_and(|v| v == MARKER.1)
}

impl Document {
    /// The titles translated with unit `i` (its links' titles, or its image's title for
    /// an image alt), in order; empty for most units.
    pub fn unit_titles(&self, i: usize) -> Vec<String> {
        let leaves = self
            .blocks
            .leaves
            .iter()
            .chain(self.blocks.images.iter().map(|image| &image.alt));
        leaves
            .filter(|leaf| leaf.unit == Some(i))
            .flat_map(|leaf| leaf.titles.iter().map(|t| t.text.clone()))
            .collect()
    }

    /// The titles written inside the block of unit `i` as a translated file has it:
    /// its own and those of the images inside it (an image alt's block is its alt text
    /// only, which holds no title).
    pub fn block_titles(&self, i: usize) -> Vec<String> {
        let Some(leaf) = self.blocks.leaves.iter().find(|l| l.unit == Some(i)) else {
            return Vec::new();
        };
        let images = leaf.pieces.iter().filter_map(|p| match p {
            blocks::InlinePart::Image(k) => self.blocks.images.get(*k),
            _ => None,
        });
        leaf.titles
            .iter()
            .chain(images.flat_map(|image| &image.alt.titles))
            .map(|t| t.text.clone())
            .collect()
    }

    /// Whether unit `i` is an image's alt text.
    pub fn is_image_alt(&self, i: usize) -> bool {
        self.units
            .get(i)
            .is_some_and(|u| u.kind == super::UnitKind::ImageAlt)
    }

    /// Whether any unit carries a title (then the provenance gets the marker).
    pub(super) fn has_titles(&self) -> bool {
        (0..self.units.len()).any(|i| !self.unit_titles(i).is_empty())
    }
}

/// A kept block whose titles are still the source's, and how to translate them.
#[derive(Debug, Clone)]
pub struct Retitle {
    block: String,
    /// Where each title to replace is in the block, its closing delimiter and which
    /// source title it is.
    slots: Vec<(Range<usize>, char, usize)>,
    /// The source titles, as `split_titles` reads them.
    titles: Vec<Title>,
    tagged: String,
    protect: Protect,
}

impl Retitle {
    /// The patch of `block` (Markdown as in a translated file) for the source `titles`
    /// of its unit; `None` when no title of the block is still one of them.
    pub fn new(block: &str, titles: &[String], protect: &Protect) -> Option<Retitle> {
        if titles.is_empty() {
            return None;
        }
        let doc =
            Document::parse_with(Path::new("block.md"), block.as_bytes(), &[], protect).ok()?;
        let found = doc
            .blocks
            .leaves
            .iter()
            .chain(doc.blocks.images.iter().map(|image| &image.alt))
            .flat_map(|leaf| &leaf.titles);
        let slots: Vec<_> = found
            .filter_map(|t| {
                let k = titles.iter().position(|s| *s == t.text)?;
                Some((t.raw.clone(), t.delimiter, k))
            })
            .collect();
        if slots.is_empty() {
            return None;
        }
        let mut retitle = Retitle {
            block: block.to_owned(),
            slots,
            titles: Vec::new(),
            tagged: String::new(),
            protect: protect.clone(),
        };
        retitle.set_titles(titles);
        Some(retitle)
    }

    /// The patch of a kept image alt text: the alt holds no title, so the image's
    /// title is translated again (a memory hit, once translated) and carried with the
    /// alt text for the renderer, after a blank line (which no alt text holds).
    pub fn for_alt(alt: &str, titles: &[String]) -> Retitle {
        let mut retitle = Retitle {
            block: alt.to_owned(),
            slots: Vec::new(),
            titles: Vec::new(),
            tagged: String::new(),
            protect: Protect::default(),
        };
        retitle.set_titles(titles);
        retitle
    }

    fn set_titles(&mut self, titles: &[String]) {
        self.tagged = titles
            .iter()
            .enumerate()
            .map(|(k, t)| format!("<g{n}>{t}</g{n}>", n = k + 1))
            .collect::<Vec<_>>()
            .join(blocks::TITLE_SEPARATOR);
        self.titles = titles
            .iter()
            .map(|t| Title {
                raw: 0..0,
                delimiter: '"',
                text: t.clone(),
            })
            .collect();
    }

    /// The source titles as one tagged text, each a paired tag, to translate as a unit.
    pub fn tagged(&self) -> &str {
        &self.tagged
    }

    /// The block with each of its source titles replaced by its translation (from the
    /// translation of [`Retitle::tagged`]); the block as kept when the translation's
    /// tags do not match.
    pub fn apply(&self, translation: &str) -> String {
        let Ok((_, translated)) = split_titles(translation, 1, &self.titles) else {
            return self.block.clone();
        };
        if self.slots.is_empty() {
            // An alt text: the titles go after it, for the renderer.
            let pairs: Vec<String> = translated
                .iter()
                .enumerate()
                .map(|(k, t)| format!("<g{n}>{t}</g{n}>", n = k + 1))
                .collect();
            return format!(
                "{}{}{}",
                self.block,
                blocks::TITLE_SEPARATOR,
                pairs.join(blocks::TITLE_SEPARATOR)
            );
        }
        let mut slots = self.slots.clone();
        slots.sort_by_key(|(r, ..)| std::cmp::Reverse(r.start));
        let mut out = self.block.clone();
        for (range, delimiter, k) in slots {
            let Some(t) = translated.get(k).filter(|t| **t != self.titles[k].text) else {
                continue;
            };
            // Escaped harder, or left as it is, where the title would spell template
            // syntax (as the renderer does).
            let escaped = [false, true]
                .into_iter()
                .map(|hard| blocks::escape_title(t, delimiter, hard))
                .find(|e| self.protect.spans(e, 0).is_empty());
            if let Some(escaped) = escaped {
                out.replace_range(range, &escaped);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_titles_still_in_the_source_language_are_replaced() {
        let block = "My own *words*, [a page](/a \"Tựa đề\") and [another](/b 'My title').";
        let titles = vec!["Tựa đề".to_owned(), "Tựa hai".to_owned()];
        let patch = Retitle::new(block, &titles, &Protect::default()).unwrap();
        assert_eq!(patch.tagged(), "<g1>Tựa đề</g1>\n\n<g2>Tựa hai</g2>");
        assert_eq!(
            patch.apply("<g1>A \"title\"</g1>\n<g2>Second</g2>"),
            "My own *words*, [a page](/a \"A \\\"title\\\"\") and [another](/b 'My title')."
        );
        // A broken answer keeps the block as it is.
        assert_eq!(patch.apply("<g1>A</g1>"), block);
        assert!(Retitle::new("[x](/a \"Other\")", &titles, &Protect::default()).is_none());
    }

    #[test]
    fn the_marker_is_written_only_for_documents_with_titles() {
        let prov = crate::content::Provenance {
            source: "a.md".into(),
            source_hash: "sha256:0".into(),
            lang: "en".into(),
            backend: "pseudo".into(),
            translated_at: "2024-01-01T00:00:00Z".into(),
            units: String::new(),
        };
        let parse = |s: &str| Document::parse(Path::new("a.md"), s.as_bytes(), &[]).unwrap();
        let titled = parse("---\nx: 1\n---\nXem [a](/a \"Tựa\").\n");
        let own: Vec<String> = titled
            .units
            .iter()
            .map(|u| u.tagged.text().into())
            .collect();
        let out = titled.render(&own, &prov).unwrap();
        assert!(link_titles_translated(&out), "{out}");
        assert_eq!(titled.unit_titles(0), ["Tựa"]);
        let plain = parse("+++\n+++\nXem [a](/a).\n");
        let own: Vec<String> = plain.units.iter().map(|u| u.tagged.text().into()).collect();
        let out = plain.render(&own, &prov).unwrap();
        assert!(!link_titles_translated(&out), "{out}");
        assert!(!out.contains("link_titles"));
    }
}
