//! The structure of a Markdown text, for checking that a translation kept it: the block
//! tree (kinds, heading levels and ids, list numbering, code and HTML blocks), and per
//! block the inline markup that is not text (emphasis, links and their targets, images
//! and their sources, whether a link or image has a title, inline code, raw HTML,
//! footnote references, hard breaks), plus every piece of protected template syntax,
//! byte for byte.
//!
//! Text is ignored, and so is the order of inline markup inside one block: a language
//! may put the link before the emphasis. Soft line breaks are ignored: a translation may
//! have more or fewer lines than its source.
//!
//! A line of megabytes (a paragraph without sentence punctuation, issue 10, item 14) is
//! parsed in pieces where that provably gives the same outline (see [`super::pieces`]).

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::blocks::OPTIONS;
use super::pieces::{Found, PIECE, StandIn};
use super::protect::Protect;

/// The structure of a Markdown text (see the module docs). Two texts with equal
/// outlines differ only in their text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    blocks: Vec<String>,
    protected: Vec<String>,
}

impl Outline {
    /// The outline of a Markdown body (no front matter), with `protect`'s template
    /// syntax masked the way [`super::Document`] masks it.
    pub fn of(body: &str, protect: &Protect) -> Outline {
        Self::in_pieces(body, protect, PIECE)
    }

    /// [`Outline::of`], with lines longer than two `piece`s parsed in pieces of about
    /// `piece` bytes where they can be (see [`super::pieces`]).
    fn in_pieces(body: &str, protect: &Protect, piece: usize) -> Outline {
        let (masked, spans) = protect.mask_body(body, 0);
        let mut protected: Vec<String> = spans.iter().map(|r| body[r.clone()].to_owned()).collect();
        protected.sort();
        let blocks = blocks_in_pieces(&masked, piece)
            .unwrap_or_else(|| walk(Parser::new_ext(&masked, OPTIONS)));
        Outline { blocks, protected }
    }

    /// The first difference from `other`, for error messages: `(ours, theirs)`.
    pub fn first_difference(&self, other: &Outline) -> Option<(String, String)> {
        if self.protected != other.protected {
            return Some((
                format!("template syntax {:?}", self.protected),
                format!("{:?}", other.protected),
            ));
        }
        let n = self.blocks.len().max(other.blocks.len());
        (0..n).find_map(|i| {
            let a = self.blocks.get(i).cloned().unwrap_or_default();
            let b = other.blocks.get(i).cloned().unwrap_or_default();
            (a != b).then_some((a, b))
        })
    }
}

/// The blocks of an outline (see [`Outline`]) from a parse's events.
fn walk<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut inline: Vec<String> = Vec::new();
    // Whether the current block has text: a flag, not one item per text event (a
    // long paragraph has hundreds of thousands of them; issue 10, item 14).
    let mut text = false;
    let mut in_code = false;
    for event in events {
        let item = match event {
            Event::Start(tag) => match inline_start(&tag) {
                Some(item) => item,
                None => {
                    flush(&mut blocks, &mut inline, &mut text);
                    in_code = matches!(tag, Tag::CodeBlock(_));
                    blocks.push(format!("{tag:?}"));
                    continue;
                }
            },
            Event::End(end) => {
                if is_block_end(end) {
                    flush(&mut blocks, &mut inline, &mut text);
                    in_code = false;
                    blocks.push(format!("/{end:?}"));
                }
                continue;
            }
            Event::Text(t) if in_code => format!("code block {t}"),
            // Whether a block has text at all: a table row missing a cell is
            // padded with an empty one, so only this tells the two apart.
            Event::Text(t) if !t.is_empty() => {
                text = true;
                continue;
            }
            Event::Text(_) | Event::SoftBreak => continue,
            Event::Code(c) => format!("code {c}"),
            Event::Html(h) => format!("html {h}"),
            Event::InlineHtml(h) => format!("inline html {h}"),
            other => format!("{other:?}"),
        };
        inline.push(item);
    }
    flush(&mut blocks, &mut inline, &mut text);
    blocks
}

/// An inline tag as an outline item (`None` for block tags).
fn inline_start(tag: &Tag<'_>) -> Option<String> {
    Some(match tag {
        Tag::Emphasis => "emphasis".to_owned(),
        Tag::Strong => "strong".to_owned(),
        Tag::Strikethrough => "strikethrough".to_owned(),
        Tag::Superscript => "superscript".to_owned(),
        Tag::Subscript => "subscript".to_owned(),
        // The link type may change (a shortcut reference is written in full form), and
        // a title is translated: whether there is one counts, not its text (issue 14).
        Tag::Link {
            dest_url, title, ..
        } => format!("link {dest_url} titled: {}", !title.is_empty()),
        Tag::Image {
            dest_url, title, ..
        } => format!("image {dest_url} titled: {}", !title.is_empty()),
        _ => return None,
    })
}

fn is_block_end(end: TagEnd) -> bool {
    use TagEnd as E;
    !matches!(
        end,
        E::Emphasis
            | E::Strong
            | E::Strikethrough
            | E::Superscript
            | E::Subscript
            | E::Link
            | E::Image
    )
}

/// Appends the inline items of the block just finished, sorted, with `text` once when
/// the block has text.
fn flush(blocks: &mut Vec<String>, inline: &mut Vec<String>, text: &mut bool) {
    if std::mem::take(text) {
        inline.push("text".to_owned());
    }
    if !inline.is_empty() {
        inline.sort();
        blocks.push(format!("  {}", inline.join(" · ")));
        inline.clear();
    }
}

/// The outline blocks of `text` with its long lines parsed in pieces of about `piece`
/// bytes, or `None` where no line can be (the caller parses it whole).
fn blocks_in_pieces(text: &str, piece: usize) -> Option<Vec<String>> {
    let stand_in = StandIn::of(text, piece)?;
    let parser = Parser::new_ext(&stand_in.text, OPTIONS).into_offset_iter();
    let mut found = Found {
        definitions: parser.reference_definitions().iter().next().is_some(),
        ..Found::default()
    };
    let blocks = walk(parser.map(|(event, range)| {
        found.see(&event, &range);
        event
    }));
    stand_in.holds(text, &found).then_some(blocks)
}

#[cfg(test)]
mod tests {
    use crate::content::pieces::samples;
    use proptest::prelude::*;

    use super::*;

    fn of(s: &str) -> Outline {
        Outline::of(s, &Protect::default())
    }

    #[test]
    fn text_and_inline_order_do_not_count() {
        assert_eq!(
            of("Xem [trang](/a) và `mã`.\n"),
            of("`mã` and see\nthe [page](/a).\n")
        );
    }

    #[test]
    fn markup_made_from_text_counts() {
        let source = of("Một hai ba.\n");
        for broken in [
            "1. One two\n",
            "# One\n",
            "One *two*\n",
            "a | b\n-|-\n",
            "x `y`\n",
            "[a](b)\n",
            "a <b>c\n",
        ] {
            assert_ne!(source, of(broken), "{broken}");
        }
    }

    #[test]
    fn template_syntax_counts_byte_for_byte() {
        assert_ne!(
            of("{{< figure src=\"a\" >}}\n"),
            of("{{< Figure src=\"a\" >}}\n")
        );
        assert_eq!(of("a {{< x >}} b\n"), of("B {{< x >}} A\n"));
    }

    /// A line of `bytes` bytes of words, with `middle` in its middle.
    fn long_line(bytes: usize, middle: &str) -> String {
        let words = [
            "tỉnh", "huyện", "xã,", "\\~\\~", "[en]", "người", "&amp;", "dân",
        ];
        let mut line = String::new();
        let mut k = 0;
        let mut placed = middle.is_empty();
        while line.len() < bytes {
            if placed || line.len() < bytes / 2 {
                line.push_str(words[k % words.len()]);
            } else {
                line.push_str(middle);
                placed = true;
            }
            line.push(' ');
            k += 1;
        }
        line.push_str("cuối\n");
        line
    }

    #[test]
    fn a_long_plain_line_is_parsed_in_pieces_with_the_outline_of_its_whole() {
        let line = long_line(10 * PIECE, "");
        // Taken in pieces (not the whole parse's fallback) …
        assert!(blocks_in_pieces(&line, PIECE).is_some());
        // … with the outline of one paragraph of text, which a whole parse gives.
        assert_eq!(
            of(&line),
            Outline::in_pieces(&line, &Protect::default(), usize::MAX)
        );
        assert_eq!(of(&line), of("Một câu.\n"));
    }

    #[test]
    fn a_long_line_without_spaces_is_parsed_in_pieces_too() {
        // Chinese writes no space between words: the cuts fall between its letters.
        let mut line = "市人民委员会召开会议，".repeat(PIECE);
        line.push_str("结束。\n");
        assert!(!line.contains(' '));
        assert!(blocks_in_pieces(&line, PIECE).is_some());
        assert_eq!(of(&line), of("一句话。\n"));
        // A cut never splits an entity or an escape (ASCII, never a letter outside it).
        let marked = line.replacen('，', "&amp;\\[", 1);
        assert!(blocks_in_pieces(&marked, PIECE).is_some());
        assert_eq!(
            of(&marked),
            Outline::in_pieces(&marked, &Protect::default(), usize::MAX)
        );
    }

    #[test]
    fn markup_in_the_middle_of_a_long_line_counts() {
        let plain = of(&long_line(10 * PIECE, ""));
        for markup in [
            "*nhấn*",
            "`mã`",
            "[trang](/a)",
            "<b>đậm</b>",
            "~~gạch~~",
            "<https://a.vn>",
            "![ảnh](/a.png)",
        ] {
            let broken = long_line(10 * PIECE, markup);
            assert!(broken.contains(markup));
            assert_ne!(plain, of(&broken), "{markup}");
        }
        // A shortcut reference is a link when the document defines its label.
        let defined = format!("{}\n[en]: /en\n", long_line(10 * PIECE, ""));
        assert_ne!(
            of(&format!("{}\n[vi]: /vi\n", long_line(10 * PIECE, ""))).blocks,
            of(&defined).blocks
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the line and its surroundings, the outline taken in pieces is the
        /// outline of the whole.
        #[test]
        fn pieces_give_the_outline_of_the_whole(
            before in samples::before(),
            prefix in samples::prefix(),
            tokens in prop::collection::vec(samples::token(), 20..120),
            after in samples::after(),
            piece in 2usize..24,
        ) {
            let text = format!("{before}{prefix}{}{after}", tokens.concat());
            let protect = Protect::default();
            prop_assert_eq!(
                Outline::in_pieces(&text, &protect, piece),
                Outline::in_pieces(&text, &protect, usize::MAX),
                "{:?}", text
            );
        }
    }
}
