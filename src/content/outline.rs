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

use pulldown_cmark::{Event, Parser, Tag};

use super::blocks::OPTIONS;
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
        let (masked, spans) = protect.mask_body(body, 0);
        let mut protected: Vec<String> = spans.iter().map(|r| body[r.clone()].to_owned()).collect();
        protected.sort();
        let mut blocks = Vec::new();
        let mut inline: Vec<String> = Vec::new();
        // Whether the current block has text: a flag, not one item per text event (a
        // long paragraph has hundreds of thousands of them; issue 10, item 14).
        let mut text = false;
        let mut in_code = false;
        for event in Parser::new_ext(&masked, OPTIONS) {
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

fn is_block_end(end: pulldown_cmark::TagEnd) -> bool {
    use pulldown_cmark::TagEnd as E;
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

#[cfg(test)]
mod tests {
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
}
