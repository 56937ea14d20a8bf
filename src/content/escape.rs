//! Escaping translated text for the place it goes, so that text stays text.
//!
//! A backend's answer is text between tags; pasted into Markdown as it is, `1. ` at a
//! line start becomes a list, `*x*` emphasis, `|` in a table cell a new column. Each
//! text token of a translation is escaped here with backslashes, minimally: only what
//! could become markup where it stands (`5 * 3` stays as it is, `snake_case` too). The
//! renderer checks the result by parsing it again and asks for [`Level::Hard`], which
//! escapes every Markdown-significant character, where the minimal form changed the
//! structure. The tags themselves are restored to the source's markup afterwards.

use std::borrow::Cow;

use crate::markup::{self, Tagged, Token};

/// How much to escape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    /// Only what could become markup where it stands.
    Minimal,
    /// Every ASCII character that Markdown gives a meaning to.
    Hard,
}

/// Where a unit's text goes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Context {
    /// The unit starts a line (paragraphs, list items, quotes, setext headings).
    pub(super) starts_line: bool,
    /// A newline of the translation becomes a space (ATX headings, table cells).
    pub(super) one_line: bool,
    /// A table cell: `|` ends the cell.
    pub(super) table_cell: bool,
    /// An ATX heading: a trailing `#` run or `{…}` would be read as markup.
    pub(super) atx_heading: bool,
    /// Image alt text: `]` ends it.
    pub(super) alt: bool,
}

/// Characters escaped at [`Level::Hard`]: all that start or end inline markup, blocks
/// or table cells.
const HARD: &str = "\\`*_[]<>|#+-.!~={}()";

/// [`HARD`] by byte value: a look-up per byte, not a search of `HARD`, when the
/// escaped length of a unit of megabytes is bounded (issue 10, item 14).
const IS_HARD: [bool; 256] = {
    let mut table = [false; 256];
    let hard = HARD.as_bytes();
    let mut i = 0;
    while i < hard.len() {
        table[hard[i] as usize] = true;
        i += 1;
    }
    table
};

/// `translation` (tagged) with its text escaped for `ctx`, spaces just inside paired
/// tags moved outside (`** bold**` is not emphasis), and trailing spaces before a line
/// break dropped (they would make a hard break).
/// `labels` are the document's reference definitions ([`super::blocks::normalise_label`]).
pub(super) fn escape(
    translation: &str,
    tagged: &Tagged,
    ctx: Context,
    level: Level,
    labels: &[String],
) -> String {
    let brackets = brackets_could_link(translation, labels);
    escape_with(translation, tagged, ctx, level, brackets)
}

/// As [`escape`], told whether brackets could link (see [`brackets_could_link`]):
/// the escaping of a unit in pieces asks once for the whole unit.
pub(super) fn escape_with(
    translation: &str,
    tagged: &Tagged,
    ctx: Context,
    level: Level,
    brackets: bool,
) -> String {
    let mut toks = move_edge_spaces(markup::tokens(translation));
    trim_around_line_breaks(&mut toks, tagged);
    let mut out = String::with_capacity(escaped_len_at_most(translation, ctx));
    let mut open: Vec<u32> = Vec::new();
    let mut line_start = ctx.starts_line;
    let count = toks.len();
    for (i, tok) in toks.into_iter().enumerate() {
        match tok {
            Tok::Tag(token) => {
                out.push_str(&super::blocks::tag_literal(token));
                line_start = false;
                match token {
                    Token::Open(id) => open.push(id),
                    Token::Close(_) => {
                        open.pop();
                    }
                    Token::Standalone(id) => {
                        // After a hard break (`  \n`, `\\\n`) the next text starts a line.
                        line_start =
                            !ctx.one_line && tagged.markup_of(id).is_some_and(|m| m.contains('\n'));
                    }
                    Token::Text(_) => {}
                }
            }
            Tok::Text(s) => {
                let in_link = ctx.alt
                    || open
                        .iter()
                        .any(|id| tagged.markup_of(*id).is_some_and(|m| m.ends_with('[')));
                let place = Place {
                    ctx,
                    level,
                    brackets: brackets || in_link,
                    unit_end: i + 1 == count,
                };
                escape_text(&mut out, &s, line_start, &place);
                line_start = s.ends_with('\n') && !ctx.one_line;
            }
        }
    }
    // Edge whitespace moved out of tags must not open or close a line of its own.
    // Trimmed in place: a unit can be megabytes long (issue 10, item 14).
    let end = out.trim_end().len();
    out.truncate(end);
    let start = out.len() - out.trim_start().len();
    out.drain(..start);
    // Escapes grew the buffer by doubling: a megabytes long unit would keep up to as
    // much again spare while it is checked and restored.
    if out.capacity() - out.len() > SPARE {
        out.shrink_to_fit();
    }
    out
}

/// Spare capacity worth giving back (see [`escape`]); below it, the reallocation costs
/// more than it saves.
pub(super) const SPARE: usize = 64 * 1024;

/// An upper bound of the escaped length of `translation`: one backslash for every
/// character either level could escape (a table cell's backslash becomes `&#92;`).
/// Sized once, the buffer of a megabytes long unit is not grown by doubling, which
/// held up to twice the escaped text while the file was rendered (issue 10, item 14).
pub(super) fn escaped_len_at_most(translation: &str, ctx: Context) -> usize {
    let extra: usize = translation
        .bytes()
        .map(|b| match b {
            b'\\' if ctx.table_cell => 4,
            // `:` only ever as a line-start marker (a definition-list term).
            b':' => 1,
            _ => usize::from(IS_HARD[usize::from(b)]),
        })
        .sum();
    translation.len() + extra + 8
}

/// Whether brackets in `plain` could become a link, an image, a footnote or a
/// definition: `](`, `][`, `]:`, `[^`, or `[label]` for a label defined in the document.
/// (`[en] Tin` stays as it is where no `[en]: …` is defined.)
pub(super) fn brackets_could_link(translation: &str, labels: &[String]) -> bool {
    // Every case needs a bracket; the text without tags is a copy of a unit that can be
    // megabytes long (issue 10, item 14), made only where one is, and where it has
    // tags (a text without any is its own).
    if !translation.contains(['[', ']']) {
        return false;
    }
    let plain: Cow<'_, str> = if markup::has_tags(translation) {
        Cow::Owned(markup::strip_tags(translation))
    } else {
        Cow::Borrowed(translation)
    };
    if ["](", "][", "]:", "[^"].iter().any(|p| plain.contains(p)) {
        return true;
    }
    if labels.is_empty() || !plain.contains('[') || !plain.contains(']') {
        return false;
    }
    let normalised = super::blocks::normalise_label(&plain);
    labels
        .iter()
        .any(|l| normalised.contains(&format!("[{l}]")))
}

/// A token of a translation, its text owned only where edge spaces moved (a unit can
/// be megabytes long; issue 10, item 14).
enum Tok<'a> {
    Text(Cow<'a, str>),
    Tag(Token<'static>),
}

fn move_edge_spaces<'a>(tokens: Vec<Token<'a>>) -> Vec<Tok<'a>> {
    let mut out: Vec<Tok<'a>> = Vec::with_capacity(tokens.len() + 2);
    let push_text = |out: &mut Vec<Tok<'a>>, s: Cow<'a, str>| {
        if s.is_empty() {
            return;
        }
        if let Some(Tok::Text(last)) = out.last_mut() {
            last.to_mut().push_str(&s);
        } else {
            out.push(Tok::Text(s));
        }
    };
    let mut after_open = false;
    for token in tokens {
        match token {
            Token::Text(s) => {
                let s = if after_open {
                    let trimmed = s.trim_start();
                    // The spaces go before the opening tag.
                    let spaces = &s[..s.len() - trimmed.len()];
                    if !spaces.is_empty() {
                        // Before every tag that opens right here (`<g1><g2> x`).
                        let mut opens = Vec::new();
                        while let Some(Tok::Tag(Token::Open(id))) = out.last() {
                            opens.push(Tok::Tag(Token::Open(*id)));
                            out.pop();
                        }
                        push_text(&mut out, Cow::Borrowed(spaces));
                        out.extend(opens.into_iter().rev());
                    }
                    trimmed
                } else {
                    s
                };
                push_text(&mut out, Cow::Borrowed(s));
                after_open = false;
            }
            Token::Close(id) => {
                let mut moved = Cow::Borrowed("");
                if let Some(Tok::Text(last)) = out.last_mut() {
                    let keep = last.trim_end().len();
                    moved = match last {
                        Cow::Borrowed(b) => {
                            let (kept, rest) = b.split_at(keep);
                            *last = Cow::Borrowed(kept);
                            Cow::Borrowed(rest)
                        }
                        Cow::Owned(o) => Cow::Owned(o.split_off(keep)),
                    };
                    if last.is_empty() {
                        out.pop();
                    }
                }
                out.push(Tok::Tag(Token::Close(id)));
                push_text(&mut out, moved);
                after_open = false;
            }
            Token::Open(id) => {
                out.push(Tok::Tag(Token::Open(id)));
                after_open = true;
            }
            Token::Standalone(id) => {
                out.push(Tok::Tag(Token::Standalone(id)));
                after_open = false;
            }
        }
    }
    out
}

/// A hard break's markup ends its line: whitespace around it would add a blank line
/// (a new paragraph) or, before it, a second break.
fn trim_around_line_breaks(toks: &mut [Tok<'_>], tagged: &Tagged) {
    for i in 0..toks.len() {
        let Tok::Tag(Token::Standalone(id)) = toks[i] else {
            continue;
        };
        if !tagged.markup_of(id).is_some_and(|m| m.contains('\n')) {
            continue;
        }
        if let Some(Tok::Text(before)) = i.checked_sub(1).and_then(|j| toks.get_mut(j)) {
            let end = before.trim_end().len();
            if end < before.len() {
                before.to_mut().truncate(end);
            }
        }
        if let Some(Tok::Text(after)) = toks.get_mut(i + 1) {
            let start = after.len() - after.trim_start().len();
            if start > 0 {
                after.to_mut().drain(..start);
            }
        }
    }
}

/// Where a text token stands.
struct Place {
    ctx: Context,
    level: Level,
    /// `[` and `]` could pair up or end a link text.
    brackets: bool,
    /// The token ends the unit.
    unit_end: bool,
}

/// Appends `s`, escaped, to `out`.
fn escape_text(out: &mut String, s: &str, line_start: bool, place: &Place) {
    let lines: Vec<&str> = s.split('\n').collect();
    let last = lines.len() - 1;
    for (k, line) in lines.iter().enumerate() {
        let mut line: &str = line;
        if k > 0 {
            out.push('\n');
            line = line.trim_start();
        }
        if k < last {
            line = line.trim_end();
        }
        let starts = if k == 0 {
            line_start
        } else {
            !place.ctx.one_line
        };
        escape_line(out, line, starts, place.unit_end && k == last, place);
    }
}

/// Appends `line`, escaped, to `out`. The line is walked character by character
/// without a copy of it: a paragraph can be one line of megabytes (issue 10, item 14).
fn escape_line(out: &mut String, line: &str, starts_line: bool, ends_unit: bool, place: &Place) {
    // Character indices to escape whatever the level: a line-start marker, a
    // heading's closing run or attribute braces. Few, so a sorted list.
    let mut marked: Vec<usize> = Vec::new();
    if starts_line && let Some(p) = line_start_marker(line, place.level) {
        marked.push(p);
    }
    if ends_unit && place.ctx.atx_heading {
        let chars: Vec<char> = line.chars().collect();
        mark_heading_end(&chars, &mut marked);
    }
    marked.sort_unstable();
    let mut chars = line.char_indices().enumerate().peekable();
    let mut prev = None;
    while let Some((i, (at, c))) = chars.next() {
        let next = chars.peek().map(|(_, (_, n))| *n);
        // The source's own escapes (`\*`) and references (`&amp;`) reach the backend as
        // written; kept as they are they stay text, escaped they would print.
        if c == '\\' && next.is_some_and(|n| n.is_ascii_punctuation()) {
            out.push(c);
            out.extend(next);
            chars.next();
            prev = next;
            continue;
        }
        if c == '&' && is_entity(&line[at + 1..]) {
            out.push(c);
            prev = Some(c);
            continue;
        }
        let escape = marked.binary_search(&i).is_ok()
            || match place.level {
                Level::Hard => HARD.contains(c),
                Level::Minimal => minimal(c, prev, next, place),
            };
        if escape && c == '\\' && place.ctx.table_cell {
            // `\\|` would still escape the cell's `|`: write the backslash as a reference.
            out.push_str("&#92;");
        } else {
            if escape {
                out.push('\\');
            }
            out.push(c);
        }
        prev = Some(c);
    }
}

fn is_space(c: Option<char>) -> bool {
    c.is_some_and(char::is_whitespace)
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// Whether `c` could start or end markup here.
fn minimal(c: char, prev: Option<char>, next: Option<char>, place: &Place) -> bool {
    match c {
        // A backslash at the end escapes the markup after the token, or breaks the line.
        '\\' => next.is_none(),
        '`' => true,
        // Between spaces a `*` or `~` can neither open nor close (`5 * 3`).
        '*' | '~' => !(is_space(prev) && is_space(next)),
        // `_` inside a word (`snake_case`) never opens or closes.
        '_' => !((is_word(prev) && is_word(next)) || (is_space(prev) && is_space(next))),
        '[' | ']' => place.brackets,
        '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
        '|' => place.ctx.table_cell,
        _ => false,
    }
}

/// `rest` (after `&`) reads as an entity or character reference: `amp;`, `#39;`.
fn is_entity(rest: &str) -> bool {
    let rest = rest.strip_prefix('#').unwrap_or(rest).as_bytes();
    let name = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    name > 0 && rest.get(name) == Some(&b';')
}

/// The character that would make a line start a block: `# `, `> `, `- `, `1. `, `2) `,
/// a thematic break or setext underline, a fence, a table's `|`. Returns its
/// character index. At the hard `level`, any `:` too: pulldown-cmark reads a `:` that
/// starts a line after a paragraph as a definition (`:man_raising_hand:` in MkDocs'
/// docs), not only `: `; but `\:` would undo an emoji shortcode, so only when a first
/// escaping was not enough.
fn line_start_marker(text: &str, level: Level) -> Option<usize> {
    let line = text.trim_start();
    let p = text[..text.len() - line.len()].chars().count();
    let after = |n: usize| line.chars().nth(n).is_none_or(char::is_whitespace);
    let run = |c: char| line.chars().take_while(|&x| x == c).count();
    let first = line.chars().next()?;
    let only = |set: &[char]| {
        line.chars()
            .all(|c| set.contains(&c) || c == ' ' || c == '\t')
    };
    match first {
        '#' if run('#') <= 6 && after(run('#')) => Some(p),
        // A `[` starts a definition only with `]:`, which the bracket rule catches.
        // `: ` after a line makes the line a definition-list term (Hugo).
        '>' | '|' => Some(p),
        ':' if after(1) || level == Level::Hard => Some(p),
        '-' | '+' | '*' if after(1) => Some(p),
        '-' | '*' | '_' | '=' if only(&[first]) => Some(p),
        '~' if run('~') >= 3 => Some(p),
        '0'..='9' => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            let mark = digits <= 9
                && matches!(line.chars().nth(digits), Some('.' | ')'))
                && after(digits + 1);
            mark.then_some(p + digits)
        }
        _ => None,
    }
}

/// At the end of an ATX heading, a ` #…` run is a closing sequence and `{…}` an
/// attribute list: mark their first characters (indices into `chars`).
fn mark_heading_end(chars: &[char], marked: &mut Vec<usize>) {
    let end = chars
        .iter()
        .rposition(|c| !c.is_whitespace())
        .map_or(0, |i| i + 1);
    let hashes = chars[..end].iter().rev().take_while(|c| **c == '#').count();
    if hashes > 0 {
        let start = end - hashes;
        if start == 0 || chars[start - 1].is_whitespace() {
            marked.push(start);
        }
    }
    if end > 0 && chars[end - 1] == '}' {
        for (i, c) in chars.iter().enumerate() {
            if *c == '{' {
                marked.push(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::TaggedBuilder;

    fn plain(s: &str, ctx: Context) -> String {
        escape(
            s,
            &Tagged::plain(s),
            ctx,
            Level::Minimal,
            &["cài đặt".to_owned()],
        )
    }

    fn paragraph() -> Context {
        Context {
            starts_line: true,
            ..Context::default()
        }
    }

    #[test]
    fn readable_text_stays_as_it_is() {
        for s in [
            "5 * 3 = 15",
            "snake_case và a_b",
            "1 < 2 > 0",
            "AT&T, 50% ~ 3 km",
            "C# và F#",
        ] {
            assert_eq!(plain(s, paragraph()), s);
        }
    }

    #[test]
    fn line_starts_are_escaped() {
        let cases = [
            ("1. Một", "1\\. Một"),
            ("2) Hai", "2\\) Hai"),
            ("- a", "\\- a"),
            ("+ a", "\\+ a"),
            ("* a", "\\* a"),
            ("# a", "\\# a"),
            ("> a", "\\> a"),
            ("a\n===", "a\n\\==="),
            ("a\n    - b", "a\n\\- b"),
            ("a  \nb", "a\nb"),
            ("a\n: b", "a\n\\: b"),
        ];
        for (s, want) in cases {
            assert_eq!(plain(s, paragraph()), want, "{s}");
        }
        // Not at a line start in a table cell or a heading.
        let cell = Context {
            one_line: true,
            table_cell: true,
            ..Context::default()
        };
        assert_eq!(plain("1. a | b", cell), "1. a \\| b");
    }

    #[test]
    fn inline_markup_characters_are_escaped() {
        let cases = [
            ("*x*", "\\*x\\*"),
            ("_x_", "\\_x\\_"),
            ("`x`", "\\`x\\`"),
            ("[a](b)", "\\[a\\](b)"),
            ("[cài  Đặt] x", "\\[cài  Đặt\\] x"),
            ("[en] [^1]", "\\[en\\] \\[^1\\]"),
            ("~~x~~", "\\~\\~x\\~\\~"),
            ("<b>x", "\\<b>x"),
            ("&amp; &#39; a&b", "&amp; &#39; a&b"),
            ("a\\*b c\\", "a\\*b c\\\\"),
        ];
        for (s, want) in cases {
            assert_eq!(
                plain(&format!("x {s}"), paragraph()),
                format!("x {want}"),
                "{s}"
            );
        }
    }

    #[test]
    fn heading_ends_and_link_texts() {
        let heading = Context {
            one_line: true,
            atx_heading: true,
            ..Context::default()
        };
        assert_eq!(plain("Tin #", heading), "Tin \\#");
        assert_eq!(plain("Tin {#x}", heading), "Tin \\{#x}");
        let mut b = TaggedBuilder::new();
        b.push_text("xem ");
        b.open("[");
        b.push_text("trang");
        b.close("](/a)");
        let tagged = b.finish();
        assert_eq!(
            escape(
                "see <g1>the ]page</g1>",
                &tagged,
                paragraph(),
                Level::Minimal,
                &[]
            ),
            "see <g1>the \\]page</g1>"
        );
    }

    #[test]
    fn spaces_inside_paired_tags_move_outside() {
        let mut b = TaggedBuilder::new();
        b.open("**");
        b.push_text("đậm");
        b.close("**");
        let tagged = b.finish();
        assert_eq!(
            escape(
                "a<g1> bold </g1>b",
                &tagged,
                paragraph(),
                Level::Minimal,
                &[]
            ),
            "a <g1>bold</g1> b"
        );
    }

    proptest::proptest! {
        /// The buffer sized by `escaped_len_at_most` is never grown (issue 10, item 14).
        #[test]
        fn the_escaped_text_fits_the_size_reserved_for_it(
            s in "[a-z :\\\\`*_\\[\\]<>|#+\\-.!~={}()&;\n]{0,40}",
            hard: bool,
            cell: bool,
            heading: bool,
        ) {
            let ctx = Context {
                starts_line: !cell && !heading,
                one_line: cell || heading,
                table_cell: cell,
                atx_heading: heading && !cell,
                alt: false,
            };
            let level = if hard { Level::Hard } else { Level::Minimal };
            let out = escape(&s, &Tagged::plain(&s), ctx, level, &[]);
            proptest::prop_assert!(out.len() <= escaped_len_at_most(&s, ctx), "{s:?} -> {out:?}");
        }
    }

    #[test]
    fn hard_escapes_every_markdown_character() {
        assert_eq!(
            escape("a-b.c|d", &Tagged::plain(""), paragraph(), Level::Hard, &[]),
            "a\\-b\\.c\\|d"
        );
    }
}
