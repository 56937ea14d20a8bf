//! Escaping a long unit of plain text in the buffer of its own translation, and
//! undoing it: a paragraph of megabytes was held three times while its file was
//! rendered, as the source, the translation and the escaped text (issue 10, item 14).
//!
//! The translation is moved to the end of its buffer, grown to the most escaping can
//! add ([`escape::escaped_len_at_most`]), and escaped piece by piece over the start of
//! the buffer: the writing never overtakes the reading. The pieces are cut between two
//! letters, where no escape decision looks across (letters are never escaped; a
//! line-start marker, a heading's closing run and a backslash pair all end before a
//! letter), so the pieces escaped one by one are the bytes the whole escaped at once
//! is. Plain text only: without tags or line breaks, escaping adds backslashes and
//! nothing else, and which of the escaped text's backslashes it added (one bit each)
//! is all it takes to get the translation back for a harder pass.

use super::escape::{self, Context, Level};
use crate::markup::{self, Tagged};

/// The bytes escaped at a time (more where no cut between letters comes sooner).
const PIECE: usize = 64 * 1024;

/// A translation escaped in its own buffer, with what undoes the escaping.
#[derive(Debug)]
pub(super) struct EscapedInPlace {
    /// The escaped text.
    pub(super) text: String,
    /// Which of its backslashes the escaping added.
    pub(super) added: AddedBackslashes,
}

/// One bit per backslash of an escaped text, in order: set where the escaping added
/// it, clear where the translation had it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct AddedBackslashes {
    bits: bit_vec::BitVec,
}

impl AddedBackslashes {
    fn push(&mut self, added: bool) {
        self.bits.push(added);
    }

    fn get(&self, k: usize) -> bool {
        self.bits.get(k).unwrap_or(false)
    }

    /// Records the backslashes of `escaped`, the escaping of `piece`; `None` unless
    /// `escaped` is `piece` with backslashes added and nothing else.
    fn record(&mut self, piece: &str, escaped: &str) -> Option<()> {
        // Greedy matching finds the piece in the escaped text whenever it is there;
        // the backslashes it leaves out give the piece back when removed.
        let piece = piece.as_bytes();
        let mut i = 0;
        for &b in escaped.as_bytes() {
            let matched = piece.get(i) == Some(&b);
            if matched {
                i += 1;
            } else if b != b'\\' {
                return None;
            }
            if b == b'\\' {
                self.push(!matched);
            }
        }
        (i == piece.len()).then_some(())
    }
}

/// Whether a translation can be escaped in place: it has neither tags nor line breaks.
pub(super) fn fits(translation: &str) -> bool {
    !translation.contains(['\n', '\r']) && !markup::has_tags(translation)
}

/// `translation` escaped for `ctx` at `level` as [`escape::escape_with`] escapes it
/// (`brackets` as it is told), in the translation's own buffer. The translation comes
/// back, as it was, where it does not [`fits`], or has whitespace at its edges (which
/// the escaping would trim).
pub(super) fn escape(
    translation: String,
    ctx: Context,
    level: Level,
    brackets: bool,
) -> Result<EscapedInPlace, String> {
    escape_in_pieces(translation, ctx, level, brackets, PIECE)
}

fn escape_in_pieces(
    translation: String,
    ctx: Context,
    level: Level,
    brackets: bool,
    piece: usize,
) -> Result<EscapedInPlace, String> {
    if !fits(&translation) || translation.trim().len() != translation.len() {
        return Err(translation);
    }
    let len = translation.len();
    let room = escape::escaped_len_at_most(&translation, ctx);
    let mut buf = translation.into_bytes();
    // Exactly: `resize` alone would double the buffer.
    buf.reserve_exact(room.saturating_sub(len));
    buf.resize(room.max(len), 0);
    let start = buf.len() - len;
    buf.copy_within(..len, start);
    let (mut read, mut write) = (start, 0);
    let mut added = AddedBackslashes::default();
    let plain = Tagged::default();
    while read < buf.len() {
        let (text, first) = (next_piece(&buf[read..], piece), read == start);
        let cut = text.len();
        if cut == 0 {
            // Cannot happen (the rest is a string's suffix); it would never end.
            return Err(undo(&buf, write, read, &added));
        }
        let piece_ctx = Context {
            starts_line: ctx.starts_line && first,
            ..ctx
        };
        let escaped = escape::escape_with(text, &plain, piece_ctx, level, brackets);
        let end = read + cut;
        // Neither can fail (escaping plain text adds backslashes, at most as many as
        // reserved); if one did, the translation is given back whole.
        if added.record(text, &escaped).is_none() || write + escaped.len() > end {
            return Err(undo(&buf, write, read, &added));
        }
        buf[write..write + escaped.len()].copy_from_slice(escaped.as_bytes());
        write += escaped.len();
        read = end;
    }
    buf.truncate(write);
    if buf.capacity() - buf.len() > escape::SPARE {
        buf.shrink_to_fit();
    }
    // Whole escaped strings were copied in: always UTF-8.
    let text = String::from_utf8(buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(EscapedInPlace { text, added })
}

/// The translation back from a buffer escaped up to `write` and not yet from `read`.
fn undo(buf: &[u8], write: usize, read: usize, added: &AddedBackslashes) -> String {
    let mut out = unescape(valid_prefix(&buf[..write]), added);
    out.push_str(valid_prefix(&buf[read..]));
    out
}

/// The next piece of `rest` (see [`cut_between_letters`]), looked for in a window of
/// `rest` that grows until it holds a cut: the rest can be megabytes.
fn next_piece(rest: &[u8], piece: usize) -> &str {
    let mut window = piece + 4;
    loop {
        let text = valid_prefix(&rest[..window.min(rest.len())]);
        let cut = cut_between_letters(text, piece);
        if cut < text.len() || window >= rest.len() {
            return &text[..cut];
        }
        window *= 2;
    }
}

/// The longest UTF-8 prefix of `bytes` (a window may end inside a character).
fn valid_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// Where to end the next piece of `text`: the last place between two letters within
/// `piece` bytes, else the first after, else the end. Looked for backwards from
/// `piece`: one is rarely more than a word away.
fn cut_between_letters(text: &str, piece: usize) -> usize {
    if text.len() <= piece {
        return text.len();
    }
    let mut at = piece;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let (head, tail) = text.split_at(at);
    let mut next_letter = tail.chars().next().is_some_and(char::is_alphabetic);
    for (p, c) in head.char_indices().rev() {
        let letter = c.is_alphabetic();
        if letter && next_letter {
            return p + c.len_utf8();
        }
        next_letter = letter;
    }
    let mut prev_letter = false;
    for (p, c) in tail.char_indices() {
        let letter = c.is_alphabetic();
        if letter && prev_letter {
            return at + p;
        }
        prev_letter = letter;
    }
    text.len()
}

/// The translation an [`EscapedInPlace`] was escaped from: `escaped` without the
/// backslashes `added` marks.
pub(super) fn unescape(escaped: &str, added: &AddedBackslashes) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut from = 0;
    for (k, (at, _)) in escaped.match_indices('\\').enumerate() {
        if added.get(k) {
            out.push_str(&escaped[from..at]);
            from = at + 1;
        }
    }
    out.push_str(&escaped[from..]);
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn contexts() -> Vec<Context> {
        vec![
            Context {
                starts_line: true,
                ..Context::default()
            },
            Context {
                starts_line: true,
                one_line: true,
                atx_heading: true,
                ..Context::default()
            },
        ]
    }

    fn whole(text: &str, ctx: Context, level: Level, brackets: bool) -> String {
        escape::escape_with(text, &Tagged::default(), ctx, level, brackets)
    }

    #[test]
    fn a_text_escaped_in_pieces_is_the_text_escaped_whole_and_comes_back() {
        let text = "1. Một *hai* ba_bốn \\* &amp; [x](y) ~ 5 * 3 {#id} ".repeat(40) + "cuối #";
        for ctx in contexts() {
            for level in [Level::Minimal, Level::Hard] {
                let escaped = escape_in_pieces(text.clone(), ctx, level, true, 7).unwrap();
                assert_eq!(escaped.text, whole(&text, ctx, level, true));
                assert_ne!(escaped.text, text);
                assert_eq!(unescape(&escaped.text, &escaped.added), text);
            }
        }
    }

    #[test]
    fn tags_line_breaks_and_edge_spaces_are_given_back() {
        for text in ["a <g1>b</g1> c", "a\nb", " a b", "a b "] {
            let given = escape(text.to_owned(), contexts()[0], Level::Minimal, false);
            assert_eq!(given.unwrap_err(), text);
        }
    }

    #[test]
    fn pieces_end_between_two_letters() {
        assert_eq!(cut_between_letters("ab cd ef", 4), 4);
        assert_eq!(cut_between_letters("ab c. ** đe", 4), 1);
        assert_eq!(cut_between_letters(". c. ** đe", 4), 10);
        assert_eq!(cut_between_letters("a. b. c.", 2), 8);
        assert_eq!(cut_between_letters("ab", 4), 2);
    }

    fn plainish() -> impl Strategy<Value = String> {
        let atoms = prop::sample::select(vec![
            "a", "đ", "ề", "xin", " ", "  ", "1", "1. ", "#", "# ", "*", "_", "`", "[", "]", "](",
            "<", "<b>", ">", "|", "-", "+", ":", "~", "\\", "\\*", "&amp;", "&", ";", "{", "}",
            "(", ")", "!", ".", "=", "中文",
        ]);
        prop::collection::vec(atoms, 1..60)
            .prop_map(|v| v.concat().trim().to_owned())
            .prop_filter("not empty", |s| !s.is_empty())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// Whatever the text and however it is cut, escaping it in place gives the
        /// bytes of escaping it whole, and undoing gives the text back.
        #[test]
        fn escaping_in_place_is_escaping_whole(
            text in plainish(),
            piece in 1usize..12,
            heading in any::<bool>(),
            hard in any::<bool>(),
            brackets in any::<bool>(),
        ) {
            let ctx = contexts()[usize::from(heading)];
            let level = if hard { Level::Hard } else { Level::Minimal };
            let escaped = escape_in_pieces(text.clone(), ctx, level, brackets, piece).unwrap();
            prop_assert_eq!(&escaped.text, &whole(&text, ctx, level, brackets));
            prop_assert_eq!(unescape(&escaped.text, &escaped.added), text);
        }
    }
}
