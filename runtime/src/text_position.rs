//! Byte offsets → 1-based line and column, for errors that point into a `.ftl` text.
//!
//! It lives in this crate because the runtime reports syntax errors with a position and
//! cannot depend on `dich`; `dich` re-exports it rather than keeping its own copy.
//! Columns count characters, not bytes: a Vietnamese line is full of multi-byte
//! letters, and an editor's "column 9" means the ninth character.

use std::fmt;

/// A 1-based line and column (in characters) inside a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters from the start of the line.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where each line of a text starts; built once per text, so many positions in one
/// file cost one pass plus a binary search each.
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
    /// Never panics: an offset past the end is clamped to the end, one inside a
    /// multi-byte character moves back to that character's start.
    pub fn location(&self, text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
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
}

/// The location of byte `offset` in `text`, for a single error (builds a throw-away
/// [`LineIndex`]).
pub fn location(text: &str, offset: usize) -> Location {
    LineIndex::new(text).location(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_offsets_never_panic() {
        let text = "a = 1\r\nbài = Tiếng Việt\n";
        let at = |line, column| Location { line, column };
        assert_eq!(location(text, 0), at(1, 1));
        let t = text.find("Tiếng").unwrap();
        assert_eq!(location(text, t), at(2, 7));
        // Inside the two-byte "à": back to its start.
        assert_eq!(location(text, 9), at(2, 2));
        assert_eq!(location(text, text.len() + 10), at(3, 1));
        assert_eq!(at(3, 14).to_string(), "3:14");
    }
}
