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
//! parsed in pieces where that provably gives the same outline (see [`pieces`]):
//! pulldown-cmark builds its whole tree before the first event, one node per escape, 12
//! bytes of tree per byte of a pseudo translation's `\~` padding.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::blocks::OPTIONS;
use super::protect::Protect;

/// Lines longer than this are parsed in pieces of about this size where they can be.
const PIECE: usize = 64 * 1024;

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
    /// `piece` bytes where [`pieces::blocks`] can.
    fn in_pieces(body: &str, protect: &Protect, piece: usize) -> Outline {
        let (masked, spans) = protect.mask_body(body, 0);
        let mut protected: Vec<String> = spans.iter().map(|r| body[r.clone()].to_owned()).collect();
        protected.sort();
        let blocks = pieces::blocks(&masked, piece)
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

/// Parsing a long line in pieces: pulldown-cmark keeps its whole tree in memory, about
/// 64 bytes per text node, and an escape or an entity starts a node.
///
/// A line is cut only when the pieces provably parse as they would together:
///
/// - The line holds no unescaped `` ` ``, `*`, `_`, `~`, `<` or `|` (escapes are `\`
///   and an ASCII punctuation character, as in CommonMark), no line ending but its
///   own, and no `]` followed by `(`, `[` or `:`. So no code span, emphasis,
///   strikethrough, raw HTML, autolink, table cell, inline link, full or collapsed
///   reference or definition can start in the line; what remains that reaches beyond
///   a few bytes are bracket pairs (`[x]`, `![x]`, `[^x]`), each closed by the
///   nearest open one as in CommonMark's bracket stack, and only resolved against the
///   document's definitions.
/// - Each cut is after a space and before a letter, with every bracket before it in
///   the line closed: no escape, entity or bracket pair spans it, and a piece that
///   starts a line of its own starts with a letter, which starts no block.
/// - The document without the middle pieces (the line's head and tail kept) parses
///   with the line as one whole paragraph of its own, so the line's block and
///   everything around it are what they are with the pieces back.
/// - Each middle piece, parsed alone, is one paragraph of plain text (no link, no
///   footnote reference), and where the line has brackets the document has no
///   definition a bracket pair could resolve against.
///
/// Then the line's paragraph has the same outline with or without its middle pieces
/// (they add text, which it has already), and so does the document. Where any of
/// this fails, the caller parses the text whole. The property test below compares
/// both on random long lines in random surroundings.
mod pieces {
    use super::*;

    /// A long line cut into a head, middle pieces and a tail (byte offsets in the text).
    struct Cut {
        line: Range<usize>,
        head_end: usize,
        tail_start: usize,
        middle: Vec<Range<usize>>,
        brackets: bool,
    }

    /// The outline blocks of `text` with its long lines parsed in pieces of about
    /// `piece` bytes, or `None` where no line can be (the caller parses it whole).
    pub(super) fn blocks(text: &str, piece: usize) -> Option<Vec<String>> {
        let long = piece.saturating_mul(2);
        if text.len() <= long {
            return None;
        }
        let mut cuts = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let range = start..start + line.len();
            start = range.end;
            if line.len() > long
                && let Some(cut) = cut_line(text, range, piece)
            {
                cuts.push(cut);
            }
        }
        if cuts.is_empty() {
            return None;
        }
        // The text without the middle pieces, and where each cut line is in it:
        // (line start, head end, line end).
        let removed: usize = cuts.iter().map(|c| c.tail_start - c.head_end).sum();
        let mut stand_in = String::with_capacity(text.len() - removed);
        let mut kept = Vec::with_capacity(cuts.len());
        let mut pos = 0;
        for cut in &cuts {
            let line_start = stand_in.len() + (cut.line.start - pos);
            stand_in.push_str(&text[pos..cut.head_end]);
            let head_end = stand_in.len();
            stand_in.push_str(&text[cut.tail_start..cut.line.end]);
            kept.push((line_start, head_end, stand_in.len()));
            pos = cut.line.end;
        }
        stand_in.push_str(&text[pos..]);

        let mut paragraphs = Vec::new();
        let mut footnotes = false;
        let parser = Parser::new_ext(&stand_in, OPTIONS).into_offset_iter();
        let definitions = parser.reference_definitions().iter().next().is_some();
        let blocks = walk(parser.map(|(event, range)| {
            match &event {
                Event::Start(Tag::Paragraph) => paragraphs.push(range),
                Event::Start(Tag::FootnoteDefinition(_)) => footnotes = true,
                _ => {}
            }
            event
        }));
        let whole_paragraph = |&(line_start, head_end, line_end): &(usize, usize, usize)| {
            paragraphs.iter().any(|p| {
                line_start <= p.start && p.start < head_end && head_end < p.end && p.end <= line_end
            })
        };
        if !kept.iter().all(whole_paragraph)
            || ((definitions || footnotes) && cuts.iter().any(|c| c.brackets))
        {
            return None;
        }
        cuts.iter()
            .flat_map(|c| &c.middle)
            .all(|r| plain_paragraph(&text[r.clone()]))
            .then_some(blocks)
    }

    /// Where `text[line]` can be cut (see the rules above), at least `piece` bytes
    /// apart; `None` when it cannot be, or into fewer than three parts.
    fn cut_line(text: &str, line: Range<usize>, piece: usize) -> Option<Cut> {
        let s = &text[line.clone()];
        let bytes = s.as_bytes();
        let mut depth = 0usize;
        let mut brackets = false;
        let mut points = Vec::new();
        let mut last = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if bytes.get(i + 1).is_some_and(u8::is_ascii_punctuation) => {
                    i += 2;
                    continue;
                }
                b'`' | b'*' | b'_' | b'~' | b'<' | b'|' => return None,
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => return None,
                b'[' => {
                    depth += 1;
                    brackets = true;
                }
                b']' => {
                    if matches!(bytes.get(i + 1), Some(b'(' | b'[' | b':')) {
                        return None;
                    }
                    depth = depth.saturating_sub(1);
                    brackets = true;
                }
                b' ' if depth == 0
                    && i + 1 - last >= piece
                    && s[i + 1..].chars().next().is_some_and(char::is_alphabetic) =>
                {
                    points.push(i + 1);
                    last = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        let (&first, &end) = (points.first()?, points.last()?);
        if points.len() < 2 {
            return None;
        }
        Some(Cut {
            head_end: line.start + first,
            tail_start: line.start + end,
            middle: points
                .windows(2)
                .map(|w| line.start + w[0]..line.start + w[1])
                .collect(),
            line,
            brackets,
        })
    }

    /// Whether `piece`, parsed alone, is one paragraph of text only.
    fn plain_paragraph(piece: &str) -> bool {
        let mut events = Parser::new_ext(piece, OPTIONS);
        if !matches!(events.next(), Some(Event::Start(Tag::Paragraph))) {
            return false;
        }
        let mut ended = false;
        for event in events {
            match event {
                Event::Text(_) if !ended => {}
                Event::End(TagEnd::Paragraph) if !ended => ended = true,
                _ => return false,
            }
        }
        ended
    }
}

#[cfg(test)]
mod tests {
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
        assert!(pieces::blocks(&line, PIECE).is_some());
        // … with the outline of one paragraph of text, which a whole parse gives.
        assert_eq!(
            of(&line),
            Outline::in_pieces(&line, &Protect::default(), usize::MAX)
        );
        assert_eq!(of(&line), of("Một câu.\n"));
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

    fn token() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            12 => prop::sample::select(vec!["xã", "Bắc", "an", "ở"]),
            12 => Just(" "),
            1 => prop::sample::select(vec![
                "[", "]", "(", ")", "!", "\\~", "\\", "&amp;", "*", "`", "<b>", "|", "^",
                ":", "1.", "#", "-", ">", ",", "[en]", "\\[", "\r", "{", "}", "[^1]", "\n",
                "  ", "=", "_", "~",
            ]),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the line and its surroundings, the outline taken in pieces is the
        /// outline of the whole.
        #[test]
        fn pieces_give_the_outline_of_the_whole(
            before in prop::sample::select(vec![
                "", "Trước.\n\n", "Trước\n", "<!--\n", "```\n", "[en]: /x\n\n",
                "| a |\n", "<div>\n", "> ", "- a\n", "[^1]: chú\n\n", "    mã\n",
            ]),
            prefix in prop::sample::select(vec![
                "", "> ", "- ", "1. ", "    ", "[^1]: ", "# ", "[en]: ", " ",
            ]),
            tokens in prop::collection::vec(token(), 20..120),
            after in prop::sample::select(vec![
                "", "\n", "\nsau\n", "\n===\n", "\n-|-\n", "\n```\n", "\n-->\n",
                "\n[^1]: chú\n", "\n\n[en]: /x\n", "\n  tiếp\n", "\n</div>\n",
            ]),
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
