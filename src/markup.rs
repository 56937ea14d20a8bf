//! Inline markup ⇄ numbered tags.
//!
//! Before a unit of text goes to a translation backend, every piece of inline markup in
//! it (emphasis, links, inline code, HTML, Fluent placeables) is replaced by a numbered
//! tag: `<g1>…</g1>` for markup that wraps text, `<x2/>` for markup that stands alone.
//! Backends see short, uniform tokens they are good at keeping; after translation the
//! tags are checked and replaced by the original markup again.
//!
//! Invariant: a translation that loses, invents, duplicates or mis-nests a tag is a
//! [`TagError`], never silently published.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

/// What a tag in a translation went wrong with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TagError {
    /// A tag of the source is not in the translation.
    #[error("tag {0} is missing from the translation")]
    Missing(String),
    /// The translation holds a tag the source does not have.
    #[error("tag {0} is not in the source")]
    Unknown(String),
    /// A tag appears more than once.
    #[error("tag {0} appears more than once")]
    Duplicate(String),
    /// Paired tags are closed in the wrong order or not closed at all.
    #[error("tag {0} is not properly nested")]
    Misnested(String),
}

/// One token of tagged text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// Plain text between tags.
    Text(&'a str),
    /// `<gN>`
    Open(u32),
    /// `</gN>`
    Close(u32),
    /// `<xN/>`
    Standalone(u32),
}

impl Token<'_> {
    fn label(&self) -> String {
        match self {
            Token::Text(text) => (*text).to_owned(),
            Token::Open(id) => format!("<g{id}>"),
            Token::Close(id) => format!("</g{id}>"),
            Token::Standalone(id) => format!("<x{id}/>"),
        }
    }
}

/// Splits tagged text into text and tag tokens. Anything that is not exactly a
/// well-formed tag token (`<g1>`, `</g1>`, `<x1/>`) is text, so this never fails.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    // From one `<` to the next (a memchr search), not byte by byte: request slots
    // tokenize every segment several times per request (issue 15).
    while let Some(found) = text[i..].find('<') {
        i += found;
        if let Some((token, len)) = tag_at(&text[i..]) {
            if text_start < i {
                out.push(Token::Text(&text[text_start..i]));
            }
            out.push(token);
            i += len;
            text_start = i;
        } else {
            i += 1;
        }
    }
    if text_start < text.len() {
        out.push(Token::Text(&text[text_start..]));
    }
    out
}

/// Parses one tag token at the start of `s`; returns it and its byte length.
///
/// The one definition of what a tag is, shared by the segmenter (which must never cut
/// inside a tag) so that both agree: the id is 1 to 6 digits without a leading zero,
/// exactly what [`TaggedBuilder`] writes. Anything else (`<g01>`, `<g1234567>`) is
/// text that happens to look like a tag.
pub(crate) fn tag_at(s: &str) -> Option<(Token<'static>, usize)> {
    let (close, rest) = match s.strip_prefix("</") {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('<')?),
    };
    let kind = rest.as_bytes().first().copied()?;
    // Only `g` and `x` start a tag; checking first also keeps `rest[1..]` on a char
    // boundary when the `<` is followed by a multi-byte letter (found by proptest).
    if kind != b'g' && kind != b'x' {
        return None;
    }
    let after_kind = &rest[1..];
    let digit_count = after_kind.bytes().take_while(u8::is_ascii_digit).count();
    // ASCII digits: the slice ends on a char boundary.
    let digits = &after_kind[..digit_count];
    if digits.is_empty() || digits.len() > 6 || digits.starts_with('0') {
        return None;
    }
    let id: u32 = digits.parse().ok()?;
    let after = &after_kind[digit_count..];
    let prefix = if close { 2 } else { 1 } + 1 + digits.len();
    match (kind, close) {
        (b'g', false) if after.starts_with('>') => Some((Token::Open(id), prefix + 1)),
        (b'g', true) if after.starts_with('>') => Some((Token::Close(id), prefix + 1)),
        (b'x', false) if after.starts_with("/>") => Some((Token::Standalone(id), prefix + 2)),
        _ => None,
    }
}

/// True when `text` holds at least one tag token.
pub fn has_tags(text: &str) -> bool {
    tokens(text).iter().any(|t| !matches!(t, Token::Text(_)))
}

/// The text with every tag token removed (for counting characters and for QA).
pub fn strip_tags(text: &str) -> String {
    tokens(text)
        .into_iter()
        .filter_map(|t| match t {
            Token::Text(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// Checks that `translated` holds exactly the tags of `source`, each once, properly
/// nested. Order may change: languages reorder phrases.
///
/// # Errors
/// The first [`TagError`] found.
pub fn check_same_tags(source: &str, translated: &str) -> Result<(), TagError> {
    let expected: Vec<Token<'_>> = tokens(source)
        .into_iter()
        .filter(|t| !matches!(t, Token::Text(_)))
        .collect();
    check_structure(&expected, translated)
}

fn check_structure(expected: &[Token<'_>], translated: &str) -> Result<(), TagError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut stack: Vec<u32> = Vec::new();
    for token in tokens(translated) {
        if matches!(token, Token::Text(_)) {
            continue;
        }
        let label = token.label();
        if !expected.contains(&token) {
            return Err(TagError::Unknown(label));
        }
        let count = seen.entry(label.clone()).or_default();
        *count += 1;
        if *count > 1 {
            return Err(TagError::Duplicate(label));
        }
        match token {
            Token::Open(id) => stack.push(id),
            Token::Close(id) if stack.pop() != Some(id) => return Err(TagError::Misnested(label)),
            _ => {}
        }
    }
    if let Some(id) = stack.pop() {
        return Err(TagError::Misnested(format!("<g{id}>")));
    }
    for token in expected {
        if !seen.contains_key(&token.label()) {
            return Err(TagError::Missing(token.label()));
        }
    }
    Ok(())
}

/// Renumbers the tags of a segment from 1 in order of appearance, so the same sentence
/// carries the same tags wherever it occurs (the memory keys on the text). Returns the
/// canonical text and the original ids, indexed by new id − 1.
pub fn canonicalize_ids(text: &str) -> (String, Vec<u32>) {
    let mut originals: Vec<u32> = Vec::new();
    let mut out = String::with_capacity(text.len());
    for token in tokens(text) {
        let new_id = |id: u32, originals: &mut Vec<u32>| -> u32 {
            match originals.iter().position(|&o| o == id) {
                Some(pos) => pos as u32 + 1,
                None => {
                    originals.push(id);
                    originals.len() as u32
                }
            }
        };
        match token {
            Token::Text(s) => out.push_str(s),
            Token::Open(id) => {
                let n = new_id(id, &mut originals);
                let _ = write!(out, "<g{n}>");
            }
            Token::Close(id) => {
                let n = new_id(id, &mut originals);
                let _ = write!(out, "</g{n}>");
            }
            Token::Standalone(id) => {
                // Standalone and paired ids share one numbering in the source, so a
                // standalone id never collides with a paired one.
                let n = new_id(id, &mut originals);
                let _ = write!(out, "<x{n}/>");
            }
        }
    }
    (out, originals)
}

/// Undoes [`canonicalize_ids`]: maps tag ids `1..` back to `originals`. Ids outside the
/// table are kept as they are (the tag check reports them).
pub fn restore_ids(text: &str, originals: &[u32]) -> String {
    let map = |id: u32| originals.get(id as usize - 1).copied().unwrap_or(id);
    let mut out = String::with_capacity(text.len());
    for token in tokens(text) {
        match token {
            Token::Text(s) => out.push_str(s),
            Token::Open(id) => {
                let _ = write!(out, "<g{}>", map(id));
            }
            Token::Close(id) => {
                let _ = write!(out, "</g{}>", map(id));
            }
            Token::Standalone(id) => {
                let _ = write!(out, "<x{}/>", map(id));
            }
        }
    }
    out
}

/// The markup a tag stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TagMarkup {
    Paired { open: String, close: String },
    Standalone(String),
}

/// A tagged text: its own, or the slice of the document's text it is equal to (see
/// [`Tagged::share`]).
#[derive(Debug, Clone)]
enum Text {
    Own(String),
    Slice(Arc<String>, Range<usize>),
}

impl Text {
    fn as_str(&self) -> &str {
        match self {
            Text::Own(text) => text,
            Text::Slice(whole, range) => whole.get(range.clone()).unwrap_or_default(),
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::Own(String::new())
    }
}

/// A unit's text with its inline markup replaced by numbered tags, and the table to put
/// the markup back.
#[derive(Debug, Clone, Default)]
pub struct Tagged {
    text: Text,
    tags: Vec<(u32, TagMarkup)>,
}

impl PartialEq for Tagged {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() && self.tags == other.tags
    }
}

impl Eq for Tagged {}

impl Tagged {
    /// Text without any markup.
    pub fn plain(text: impl Into<String>) -> Self {
        Tagged {
            text: Text::Own(text.into()),
            tags: Vec::new(),
        }
    }

    /// The tagged text, as sent for translation.
    pub fn text(&self) -> &str {
        self.text.as_str()
    }

    /// Text without any markup, held as the slice `range` of `whole` (the document's
    /// text) rather than copied: `None` unless `whole[range]` is such text (it has no
    /// tag literal).
    pub fn plain_slice(whole: &Arc<String>, range: Range<usize>) -> Option<Self> {
        let text = whole.get(range.clone())?;
        (!has_tags(text)).then(|| Tagged {
            text: Text::Slice(Arc::clone(whole), range),
            tags: Vec::new(),
        })
    }

    /// Holds the text as the slice `range` of `whole` (the document's text) where it
    /// is exactly that, rather than as a copy: a paragraph without markup is its own
    /// tagged text, and one of megabytes was held twice (issue 10, item 14).
    pub fn share(&mut self, whole: &Arc<String>, range: Range<usize>) {
        // A slice is shared already ([`Tagged::plain_slice`]): comparing its megabytes
        // with themselves again would only cost time.
        if matches!(self.text, Text::Own(_)) && whole.get(range.clone()) == Some(self.text()) {
            self.text = Text::Slice(Arc::clone(whole), range);
        }
    }

    /// The document's text and the range of it this text is, where it is held as a
    /// slice of it ([`Tagged::share`]).
    pub(crate) fn shared(&self) -> Option<(&Arc<String>, Range<usize>)> {
        match &self.text {
            Text::Slice(whole, range) => Some((whole, range.clone())),
            Text::Own(_) => None,
        }
    }

    /// Number of tags.
    pub fn tag_count(&self) -> usize {
        self.tags.len()
    }

    /// Checks a translation's tags against this source.
    ///
    /// # Errors
    /// A [`TagError`] when a tag is missing, unknown, duplicated or mis-nested.
    pub fn check(&self, translated: &str) -> Result<(), TagError> {
        let expected: Vec<Token<'static>> = self
            .tags
            .iter()
            .flat_map(|(id, markup)| match markup {
                TagMarkup::Paired { .. } => vec![Token::Open(*id), Token::Close(*id)],
                TagMarkup::Standalone(_) => vec![Token::Standalone(*id)],
            })
            .collect();
        check_structure(&expected, translated)
    }

    /// Replaces the tags of a checked translation by the original markup.
    ///
    /// # Errors
    /// A [`TagError`] when the translation's tags do not match the source's.
    pub fn restore(&self, translated: &str) -> Result<String, TagError> {
        self.check(translated)?;
        let mut out = String::with_capacity(translated.len() + 16 * self.tags.len());
        for token in tokens(translated) {
            match token {
                Token::Text(s) => out.push_str(s),
                Token::Open(id) | Token::Close(id) | Token::Standalone(id) => {
                    out.push_str(self.markup_for(token, id));
                }
            }
        }
        Ok(out)
    }

    /// As [`Tagged::restore`], taking the translation by value: a source without tags
    /// gives the translation back as it is, not a copy of it (a unit can be megabytes,
    /// issue 10, item 14).
    ///
    /// # Errors
    /// As [`Tagged::restore`].
    pub fn restore_owned(&self, translated: String) -> Result<String, TagError> {
        if self.tags.is_empty() {
            // Checked against no tags: the translation has none, so nothing changes.
            self.check(&translated)?;
            return Ok(translated);
        }
        self.restore(&translated)
    }

    /// The markup tag `id` stands for: a paired tag's opening markup (`**`, `[`), a
    /// standalone tag's markup (`` `code` ``, a hard break). `None` for an unknown id.
    pub fn markup_of(&self, id: u32) -> Option<&str> {
        self.tags
            .iter()
            .find(|(tag_id, _)| *tag_id == id)
            .map(|(_, markup)| match markup {
                TagMarkup::Paired { open, .. } => open.as_str(),
                TagMarkup::Standalone(m) => m.as_str(),
            })
    }

    /// A copy whose paired tags have their markup replaced where `f` returns new
    /// `(open, close)` markup; `None` when `f` replaces none.
    pub fn map_paired(&self, f: impl Fn(&str, &str) -> Option<(String, String)>) -> Option<Tagged> {
        let mut changed = false;
        let tags = self
            .tags
            .iter()
            .map(|(id, markup)| match markup {
                TagMarkup::Paired { open, close } => match f(open, close) {
                    Some((open, close)) => {
                        changed = true;
                        (*id, TagMarkup::Paired { open, close })
                    }
                    None => (*id, markup.clone()),
                },
                TagMarkup::Standalone(_) => (*id, markup.clone()),
            })
            .collect();
        changed.then(|| Tagged {
            text: self.text.clone(),
            tags,
        })
    }

    fn markup_for(&self, token: Token<'_>, id: u32) -> &str {
        let markup = self.tags.iter().find(|(tag_id, _)| *tag_id == id);
        match (token, markup) {
            (Token::Open(_), Some((_, TagMarkup::Paired { open, .. }))) => open,
            (Token::Close(_), Some((_, TagMarkup::Paired { close, .. }))) => close,
            (Token::Standalone(_), Some((_, TagMarkup::Standalone(m)))) => m,
            // `check` ran first, so every token has its markup.
            _ => "",
        }
    }
}

/// Builds a [`Tagged`] while walking a unit's inline content.
#[derive(Debug, Default)]
pub struct TaggedBuilder {
    tagged: Tagged,
    /// The text so far (the builder's own).
    text: String,
    open: Vec<u32>,
    next_id: u32,
}

impl TaggedBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends text that is to be translated.
    pub fn push_text(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Opens a paired tag for `markup` (e.g. `**`, `[`, `<span>`); returns its id.
    pub fn open(&mut self, markup: impl Into<String>) -> u32 {
        let id = self.fresh_id();
        let _ = write!(self.text, "<g{id}>");
        self.tagged.tags.push((
            id,
            TagMarkup::Paired {
                open: markup.into(),
                close: String::new(),
            },
        ));
        self.open.push(id);
        id
    }

    /// Closes the innermost open tag with `markup` (e.g. `**`, `](https://…)`).
    /// A close without an open tag is kept as a standalone tag, so no markup is lost.
    pub fn close(&mut self, markup: impl Into<String>) {
        let markup = markup.into();
        let Some(id) = self.open.pop() else {
            self.standalone(markup);
            return;
        };
        let _ = write!(self.text, "</g{id}>");
        if let Some((_, TagMarkup::Paired { close, .. })) = self
            .tagged
            .tags
            .iter_mut()
            .find(|(tag_id, _)| *tag_id == id)
        {
            *close = markup;
        }
    }

    /// Adds a standalone tag for `markup` (e.g. inline code, an image, a line break).
    pub fn standalone(&mut self, markup: impl Into<String>) -> u32 {
        let id = self.fresh_id();
        let _ = write!(self.text, "<x{id}/>");
        self.tagged
            .tags
            .push((id, TagMarkup::Standalone(markup.into())));
        id
    }

    /// Finishes the unit; tags still open are closed with empty markup.
    pub fn finish(mut self) -> Tagged {
        while !self.open.is_empty() {
            self.close("");
        }
        Tagged {
            text: Text::Own(self.text),
            tags: self.tagged.tags,
        }
    }

    fn fresh_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_slice_is_the_text_itself_unless_it_spells_a_tag() {
        let whole = Arc::new("xin chào, thế giới <g1>".to_owned());
        let plain = Tagged::plain_slice(&whole, 0..9).unwrap();
        assert_eq!(plain.text(), "xin chào");
        assert_eq!(plain.text().as_ptr(), whole.as_ptr());
        assert_eq!(plain, Tagged::plain("xin chào"));
        // A tag literal in the text becomes a tag of its own when built: no slice.
        assert!(Tagged::plain_slice(&whole, 0..whole.len()).is_none());
        assert!(Tagged::plain_slice(&whole, 0..100).is_none());
    }

    fn sample() -> Tagged {
        let mut b = TaggedBuilder::new();
        b.push_text("Xem ");
        b.open("[");
        b.push_text("báo cáo");
        b.close("](https://example.vn/bc)");
        b.push_text(" và ");
        b.standalone("`code`");
        b.finish()
    }

    #[test]
    fn builder_numbers_tags_in_order() {
        assert_eq!(sample().text(), "Xem <g1>báo cáo</g1> và <x2/>");
    }

    #[test]
    fn a_source_without_tags_takes_a_translation_without_tags_only() {
        let mut b = TaggedBuilder::new();
        b.push_text("Không có thẻ.");
        let plain = b.finish();
        assert_eq!(
            plain.restore_owned("No tags.".to_owned()).as_deref(),
            Ok("No tags.")
        );
        assert!(plain.restore_owned("No <g1>tags</g1>.".to_owned()).is_err());
        assert_eq!(
            sample()
                .restore_owned("<x2/> and see <g1>the report</g1>".to_owned())
                .as_deref(),
            Ok("`code` and see [the report](https://example.vn/bc)")
        );
    }

    #[test]
    fn restore_puts_markup_back_even_when_reordered() {
        let restored = sample()
            .restore("<x2/> and see <g1>the report</g1>")
            .unwrap();
        assert_eq!(
            restored,
            "`code` and see [the report](https://example.vn/bc)"
        );
    }

    #[test]
    fn lost_invented_duplicated_and_misnested_tags_are_errors() {
        let s = sample();
        assert_eq!(
            s.check("see the report <x2/>"),
            Err(TagError::Missing("<g1>".into()))
        );
        assert_eq!(
            s.check("<g1>a</g1> <x2/> <x3/>"),
            Err(TagError::Unknown("<x3/>".into()))
        );
        assert_eq!(
            s.check("<g1>a</g1> <x2/><x2/>"),
            Err(TagError::Duplicate("<x2/>".into()))
        );
        assert!(matches!(
            s.check("</g1>a<g1> <x2/>"),
            Err(TagError::Misnested(_))
        ));
    }

    #[test]
    fn a_multibyte_letter_after_a_bracket_is_text() {
        assert_eq!(tokens("a <à b </đ"), vec![Token::Text("a <à b </đ")]);
    }

    #[test]
    fn text_that_only_looks_like_a_tag_is_text() {
        assert_eq!(tokens("a <b> <g0> <g1 > < x1/>").len(), 1);
        assert!(!has_tags("1 < 2 > 0"));
        // Ids are what the builder writes: 1 to 6 digits, no leading zero.
        for text in ["<g>", "<x1>", "<g01>", "</g007>", "<x01/>", "<g1234567>"] {
            assert_eq!(tokens(text), vec![Token::Text(text)], "{text}");
        }
        assert_eq!(tag_at("<g12> x"), Some((Token::Open(12), 5)));
        assert_eq!(tag_at("</g123456>"), Some((Token::Close(123_456), 10)));
        assert_eq!(tag_at("<x7/>"), Some((Token::Standalone(7), 5)));
    }

    #[test]
    fn canonical_ids_round_trip() {
        let (canon, ids) = canonicalize_ids("<g3>Hà Nội</g3> mưa <x5/>");
        assert_eq!(canon, "<g1>Hà Nội</g1> mưa <x2/>");
        assert_eq!(ids, vec![3, 5]);
        assert_eq!(
            restore_ids("<x2/> rain in <g1>Hanoi</g1>", &ids),
            "<x5/> rain in <g3>Hanoi</g3>"
        );
    }

    #[test]
    fn strip_tags_leaves_text() {
        assert_eq!(strip_tags("<g1>Hà</g1> Nội<x2/>"), "Hà Nội");
    }

    proptest::proptest! {
        /// Any text: tokenising never panics and gives the text back; renumbering tags
        /// and restoring the ids is the identity.
        #[test]
        fn tokens_and_ids_round_trip(text in "(<g[0-9]{1,2}>|</g[0-9]{1,2}>|<x[0-9]{1,2}/>|[a-zà-ỹ .<>/0-9]){0,40}") {
            let joined: String = tokens(&text)
                .into_iter()
                .map(|t| match t {
                    Token::Text(s) => s.to_owned(),
                    other => other.label(),
                })
                .collect();
            proptest::prop_assert_eq!(&joined, &text);
            let (canon, ids) = canonicalize_ids(&text);
            proptest::prop_assert_eq!(restore_ids(&canon, &ids), text);
        }

        /// A unit built from random pieces restores its own tagged text exactly.
        #[test]
        fn builder_identity_restores_the_markup(pieces in proptest::collection::vec((0u8..4, "[a-zđ ]{0,6}"), 0..12)) {
            let mut builder = TaggedBuilder::new();
            let mut expected = String::new();
            for (kind, text) in &pieces {
                match kind {
                    0 => { builder.push_text(text); expected.push_str(text); }
                    1 => { builder.open("**"); expected.push_str("**"); }
                    2 => { builder.close("**"); expected.push_str("**"); }
                    _ => { builder.standalone("`c`"); expected.push_str("`c`"); }
                }
            }
            let tagged = builder.finish();
            proptest::prop_assert_eq!(tagged.restore(tagged.text()), Ok(expected));
        }
    }

    #[test]
    fn same_tags_check_between_segments() {
        assert!(check_same_tags("<g1>a</g1> b", "b <g1>A</g1>").is_ok());
        assert!(check_same_tags("<g1>a</g1> b", "b A").is_err());
    }
}
