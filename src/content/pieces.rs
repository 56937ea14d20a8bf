//! Parsing long lines in pieces: pulldown-cmark builds its whole tree before the first
//! event, about 64 bytes per text node, and an escape or an entity starts a node; a
//! pseudo translation's `\~` padding made 130 MB of tree of a 10 MB paragraph (issue
//! 10, item 14: memory bounded by the file, not a multiple of it). A [`StandIn`] is the
//! text with the middle pieces of its long lines left out: parsed instead of the text,
//! it gives the same blocks, and events whose ranges map back to the text.
//!
//! A line is cut only when the pieces provably parse as they would together:
//!
//! - The line holds no unescaped `` ` ``, `*`, `_`, `~`, `<` or `|` (escapes are `\`
//!   and an ASCII punctuation character, as in CommonMark), no line ending but its
//!   own, and no `]` followed by `(`, `[` or `:`. So no code span, emphasis,
//!   strikethrough, raw HTML, autolink, table cell, inline link, full or collapsed
//!   reference or definition can start in the line; what remains that reaches beyond
//!   a few bytes are bracket pairs (`[x]`, `![x]`, `[^x]`), each closed by the
//!   nearest open one as in CommonMark's bracket stack, and only resolved against the
//!   document's definitions.
//! - Each cut is before a letter, after a space or after a letter outside ASCII (a
//!   Chinese or Japanese line has no spaces), with every bracket before it in the
//!   line closed: no escape, entity or bracket pair spans it, and a piece that starts
//!   a line of its own starts with a letter, which starts no block.
//! - The document without the middle pieces (the line's head and tail kept) parses
//!   with the line as one whole paragraph of its own, so the line's block and
//!   everything around it are what they are with the pieces back.
//! - Each middle piece, parsed alone, is one paragraph of plain text (no link, no
//!   footnote reference), and where the line has brackets the document has no
//!   definition a bracket pair could resolve against.
//!
//! Then the line's paragraph is, with its middle pieces back, the same paragraph with
//! more text where the head meets the tail (the cut is inside text, between a space
//! and a letter): the same outline, and the same events but for that text. Where any of
//! this fails ([`StandIn::holds`]), the caller parses the text whole. Property tests in
//! `outline` and `blocks` compare both on random long lines in random surroundings.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::blocks::OPTIONS;

/// Lines longer than two of these are parsed in pieces of about this size where they
/// can be. The head and tail of a cut line are parsed together, a tree of about 12
/// times their size where a pseudo translation escapes every few bytes: at 64 KiB that
/// was 1.5 MB at the peak of rendering a paragraph of megabytes.
pub(super) const PIECE: usize = 16 * 1024;

/// A long line cut into a head, middle pieces and a tail (byte offsets in the text).
struct Cut {
    line: Range<usize>,
    head_end: usize,
    tail_start: usize,
    middle: Vec<Range<usize>>,
    brackets: bool,
}

/// A cut line in the stand-in: where it starts, where its head ends (its tail starts)
/// and where it ends, and how many bytes of the text were left out before its head's
/// end (this cut's middle excluded).
#[derive(Clone, Copy)]
struct Kept {
    line_start: usize,
    head_end: usize,
    line_end: usize,
    removed_before: usize,
    removed: usize,
}

/// A text with the middle pieces of its long lines left out (see the module docs).
pub(super) struct StandIn {
    /// What is parsed instead of the text.
    pub(super) text: String,
    cuts: Vec<Cut>,
    kept: Vec<Kept>,
}

/// What a parse of a [`StandIn`] found that decides whether it parses as the text.
#[derive(Default)]
pub(super) struct Found {
    /// The ranges of its paragraphs (in the stand-in).
    pub(super) paragraphs: Vec<Range<usize>>,
    /// Whether it has a footnote definition.
    pub(super) footnotes: bool,
    /// Whether it has a link reference definition.
    pub(super) definitions: bool,
}

impl Found {
    /// Notes what `event` (at `range` of the stand-in) tells.
    pub(super) fn see(&mut self, event: &Event<'_>, range: &Range<usize>) {
        match event {
            Event::Start(Tag::Paragraph) => self.paragraphs.push(range.clone()),
            Event::Start(Tag::FootnoteDefinition(_)) => self.footnotes = true,
            _ => {}
        }
    }
}

impl StandIn {
    /// `text` with the middle of each line longer than two `piece`s left out where the
    /// line can be cut; `None` where no line is long or can be (parse the text whole).
    pub(super) fn of(text: &str, piece: usize) -> Option<StandIn> {
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
        let removed: usize = cuts.iter().map(|c| c.tail_start - c.head_end).sum();
        let mut stand_in = String::with_capacity(text.len() - removed);
        let mut kept = Vec::with_capacity(cuts.len());
        let mut pos = 0;
        let mut removed_before = 0;
        for cut in &cuts {
            let line_start = stand_in.len() + (cut.line.start - pos);
            stand_in.push_str(&text[pos..cut.head_end]);
            let head_end = stand_in.len();
            stand_in.push_str(&text[cut.tail_start..cut.line.end]);
            let removed = cut.tail_start - cut.head_end;
            kept.push(Kept {
                line_start,
                head_end,
                line_end: stand_in.len(),
                removed_before,
                removed,
            });
            removed_before += removed;
            pos = cut.line.end;
        }
        stand_in.push_str(&text[pos..]);
        Some(StandIn {
            text: stand_in,
            cuts,
            kept,
        })
    }

    /// Whether the stand-in, whose parse `found`, parses as `text` (what it stands in
    /// for) would: each cut line a whole paragraph, no definition a bracket could
    /// resolve against, every middle piece plain text.
    pub(super) fn holds(&self, text: &str, found: &Found) -> bool {
        let whole_paragraph = |k: &Kept| {
            found.paragraphs.iter().any(|p| {
                k.line_start <= p.start
                    && p.start < k.head_end
                    && k.head_end < p.end
                    && p.end <= k.line_end
            })
        };
        if !self.kept.iter().all(whole_paragraph)
            || ((found.definitions || found.footnotes) && self.cuts.iter().any(|c| c.brackets))
        {
            return false;
        }
        self.cuts
            .iter()
            .flat_map(|c| &c.middle)
            .all(|r| plain_paragraph(&text[r.clone()]))
    }

    /// The range of the text that `range` of the stand-in stands for: a range that
    /// reaches from a cut line's head into its tail holds the middle pieces too.
    pub(super) fn original(&self, range: Range<usize>) -> Range<usize> {
        self.offset(range.start, false)..self.offset(range.end, true)
    }

    /// The text's offset of the stand-in's `at`; at a head's end, the head's end
    /// (`end` of a range) or the tail's start.
    fn offset(&self, at: usize, end: bool) -> usize {
        let past = self
            .kept
            .partition_point(|k| k.head_end < at || (!end && k.head_end == at));
        match past.checked_sub(1).and_then(|i| self.kept.get(i)) {
            Some(k) => at + k.removed_before + k.removed,
            None => at,
        }
    }
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
            // The first byte of a character outside ASCII.
            0xC0.. if depth == 0 && i - last >= piece && between_letters(s, i) => {
                points.push(i);
                last = i;
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

/// Whether `s` has a letter outside ASCII before byte `at` and a letter at it: Chinese
/// and Japanese put no space between words, and a line of theirs has no other place to
/// cut. No escape or entity (ASCII only) ends in such a letter.
fn between_letters(s: &str, at: usize) -> bool {
    let (Some(before), Some(after)) = (s.get(..at), s.get(at..)) else {
        return false;
    };
    before
        .chars()
        .next_back()
        .is_some_and(|c| !c.is_ascii() && c.is_alphabetic())
        && after.chars().next().is_some_and(char::is_alphabetic)
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

/// Random long lines in random surroundings, for the property tests of the modules
/// that parse in pieces (`blocks`, `outline`): both must give what a whole parse gives.
#[cfg(test)]
pub(super) mod samples {
    use proptest::prelude::*;

    /// A word, a space, or (rarely) markup that may start, end or break a construct.
    pub(in crate::content) fn token() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            12 => prop::sample::select(vec!["xã", "Bắc", "an", "ở", "中文", "한국어", "ｋｏ"]),
            12 => Just(" "),
            1 => prop::sample::select(vec![
                "[", "]", "(", ")", "!", "\\~", "\\", "&amp;", "*", "`", "<b>", "|", "^",
                ":", "1.", "#", "-", ">", ",", "[en]", "\\[", "\r", "{", "}", "[^1]", "\n",
                "  ", "=", "_", "~", "{{< x >}}",
            ]),
        ]
    }

    /// What comes before the line.
    pub(in crate::content) fn before() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "",
            "Trước.\n\n",
            "Trước\n",
            "<!--\n",
            "```\n",
            "[en]: /x\n\n",
            "| a |\n",
            "<div>\n",
            "> ",
            "- a\n",
            "[^1]: chú\n\n",
            "    mã\n",
            "# Đầu\n\n",
        ])
    }

    /// What starts the line.
    pub(in crate::content) fn prefix() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "", "> ", "- ", "1. ", "    ", "[^1]: ", "# ", "[en]: ", " ",
        ])
    }

    /// What comes after the line.
    pub(in crate::content) fn after() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "",
            "\n",
            "\nsau\n",
            "\n===\n",
            "\n-|-\n",
            "\n```\n",
            "\n-->\n",
            "\n[^1]: chú\n",
            "\n\n[en]: /x\n",
            "\n  tiếp\n",
            "\n</div>\n",
            "\n\nxã [en] *an*\n",
        ])
    }
}
