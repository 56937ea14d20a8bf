//! Byte offsets → 1-based line and column, the one helper behind every error that
//! points into a file (config, articles, `.ftl`, TMX, segmentation rules).
//!
//! It lives in this crate because the runtime reports `.ftl` syntax errors with a
//! position and cannot depend on `dich`; `dich` re-exports it rather than keeping its
//! own copy.
//!
//! Columns count characters (Unicode scalar values), not bytes: a Vietnamese line is
//! full of two- and three-byte letters, and an editor's "column 9" means the ninth
//! character. A display-width column (East Asian wide characters count two) is a
//! different measure and would be a separate method, not a change to this one.
//!
//! [`LineIndex`] is built once per text, so a reader that reports many positions (a
//! TMX file with thousands of units, an `.ftl` file with many diagnostics) pays one
//! pass over the text plus a binary search per position.

use std::fmt;

/// A 1-based line and column (in characters) inside a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters from the start of the line.
    pub column: usize,
}

impl Location {
    /// Line 1, column 1: the start of a text, for errors about the whole file.
    pub const START: Location = Location { line: 1, column: 1 };
}

impl fmt::Display for Location {
    /// `line:column`, the form editors and CI annotations understand.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where each line of a text starts, for turning byte offsets into [`Location`]s.
///
/// The index holds only the line starts, not the text, so it can live beside the
/// owned text it was built from; every query takes that same text again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the start of every line; the first is always 0.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `text`. A line ends after `\n` (so `\r\n` works too).
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The location of byte `offset` of `text` (the text the index was built from).
    ///
    /// Never panics: an offset past the end is clamped to the end, and an offset
    /// inside a multi-byte character is moved back to the start of that character.
    pub fn location(&self, text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        // `starts[0] == 0 <= offset`, so the partition point is at least 1.
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = text
            .get(start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        Location {
            line,
            column: column + 1,
        }
    }

    /// The byte offset of `at` in `text`: the inverse of [`LineIndex::location`], for
    /// parsers that report a line and column (YAML) when dich needs an offset.
    ///
    /// A line past the end means the last line; a column past the end of its line
    /// means the end of that line (before its line break).
    pub fn offset(&self, text: &str, at: Location) -> usize {
        let line = at.line.clamp(1, self.starts.len());
        let start = self
            .starts
            .get(line - 1)
            .copied()
            .unwrap_or(0)
            .min(text.len());
        let end = self
            .starts
            .get(line)
            .map_or(text.len(), |next| next.saturating_sub(1))
            .clamp(start, text.len());
        let in_line = text.get(start..end).unwrap_or_default();
        in_line
            .char_indices()
            .nth(at.column.saturating_sub(1))
            .map_or(end, |(i, _)| start + i)
    }

    /// The text of 1-based `line`, without its line break (`\n` or `\r\n`).
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> Option<&'t str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).copied().unwrap_or(text.len());
        text.get(start..end)
            .map(|l| l.strip_suffix('\n').unwrap_or(l))
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
    }
}

/// The location of byte `offset` in `text`, for a single error: builds a throw-away
/// [`LineIndex`]. Code that reports many positions in one text keeps the index.
pub fn location(text: &str, offset: usize) -> Location {
    LineIndex::new(text).location(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Location {
        Location { line, column }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "a = b\nđường = Đ { $x }\n";
        let offset = text.find('{').expect("brace");
        assert_eq!(location(text, offset), at(2, 11));
        assert_eq!(location("ủy\nhòa x", 9), at(2, 4));
    }

    #[test]
    fn start_end_and_empty_text() {
        assert_eq!(location("", 0), at(1, 1));
        assert_eq!(location("ab", 0), at(1, 1));
        // The offset right after a newline is the first column of the next line.
        assert_eq!(location("ab\n", 3), at(2, 1));
        // The newline itself belongs to the line it ends.
        assert_eq!(location("ab\ncd", 2), at(1, 3));
    }

    #[test]
    fn out_of_range_and_mid_character_offsets_do_not_panic() {
        assert_eq!(location("", 5), at(1, 1));
        assert_eq!(location("ab\ncđe", 70), at(2, 4));
        // Offset 2 is inside "ủ" (3 bytes): it is moved back to the character's start.
        assert_eq!(location("ủy", 2), at(1, 1));
    }

    #[test]
    fn crlf_lines() {
        let text = "một\r\nhai ba\r\n";
        let index = LineIndex::new(text);
        let offset = text.find("ba").expect("ba");
        assert_eq!(index.location(text, offset), at(2, 5));
        assert_eq!(index.line_text(text, 1), Some("một"));
        assert_eq!(index.line_text(text, 2), Some("hai ba"));
        assert_eq!(index.line_text(text, 3), Some(""));
        assert_eq!(index.line_text(text, 4), None);
        assert_eq!(index.line_text(text, 0), None);
    }

    #[test]
    fn offset_is_the_inverse_of_location() {
        let text = "tiêu đề: a\nx: [1, 2\n";
        let index = LineIndex::new(text);
        for offset in text.char_indices().map(|(i, _)| i) {
            let at = index.location(text, offset);
            assert_eq!(index.offset(text, at), offset, "{at}");
        }
        // Past the end of a line: the end of that line; past the last line: the last.
        let first_end = text.find('\n').expect("newline");
        assert_eq!(
            index.offset(
                text,
                Location {
                    line: 1,
                    column: 99
                }
            ),
            first_end
        );
        assert_eq!(
            index.offset(text, Location { line: 9, column: 1 }),
            text.len()
        );
        assert_eq!(index.offset(text, Location { line: 0, column: 0 }), 0);
    }

    #[test]
    fn displays_as_line_colon_column() {
        assert_eq!(at(3, 14).to_string(), "3:14");
    }

    proptest::proptest! {
        /// The index agrees with counting by hand, for any text and offset.
        #[test]
        fn index_agrees_with_counting(text in "[a-zđưở\n\r ]{0,40}", offset in 0usize..60) {
            let mut end = offset.min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let before = &text[..end];
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[line_start..].chars().count() + 1;
            proptest::prop_assert_eq!(location(&text, offset), at(line, column));
        }
    }
}
