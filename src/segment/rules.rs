//! Segmentation rules: the schema of `rules/<lang>.toml`, its validation, and loading.
//!
//! The schema itself is documented at the top of `rules/vi.toml`. Every section and
//! field is optional: an empty file is the generic rule set (UAX #29 only, no
//! abbreviations), so a new source language is a data file, never Rust code.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::SegmentError;
use crate::text_position::{self, Location};

/// The longest abbreviation the loader accepts, in bytes; it bounds how far the
/// splitter looks back from a period, which keeps splitting linear.
pub(crate) const MAX_ABBREVIATION_LEN: usize = 32;

/// One language's rules, exactly as written in its TOML file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Rules {
    /// The language the file is for; informational only.
    pub(crate) language: Option<String>,
    /// Which characters end, close and open sentences.
    pub(crate) punctuation: Punctuation,
    /// Switches for the merge and split rules.
    pub(crate) breaks: Breaks,
    /// `punct` between two character classes never ends a sentence.
    pub(crate) joins: Vec<Join>,
    /// Words ending in a period that never end a sentence.
    pub(crate) abbreviations: Abbreviations,
}

/// The `[punctuation]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Punctuation {
    /// Characters that can end a sentence.
    pub(crate) terminals: Vec<OneChar>,
    /// Terminal runs that are an ellipsis ("...", "…").
    pub(crate) ellipses: Vec<String>,
    /// Characters that, after a terminal, still belong to the sentence they close.
    pub(crate) closing: Vec<OneChar>,
    /// Characters skipped when looking at how the next sentence starts.
    pub(crate) opening: Vec<OneChar>,
    /// A line ending in one of these continues on the next line.
    pub(crate) line_continuers: Vec<OneChar>,
}

/// The `[breaks]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Breaks {
    /// A terminal followed by a lowercase word does not end a sentence.
    pub(crate) lowercase_continues: bool,
    /// An ellipsis ends a sentence only before a capitalised word.
    pub(crate) ellipsis_needs_capital: bool,
    /// Initials ("N.V.A.", "Nguyễn V. A.") do not end a sentence.
    pub(crate) initials: bool,
    /// A line break followed by a lowercase word is a soft wrap, not a sentence end.
    pub(crate) soft_wrap_lowercase: bool,
    /// A line that ends without punctuation ends a sentence (a headline).
    pub(crate) unpunctuated_line_ends: bool,
    /// A token containing one of these (URL, e-mail) is never split.
    pub(crate) url_markers: Vec<String>,
    /// After a terminal and a closing mark, one of these dashes before a lowercase
    /// word is the attribution of quoted speech, not a new sentence.
    pub(crate) attribution_dashes: Vec<OneChar>,
    /// A single letter with a period before a number ("h. 15 tuổi") does not end a
    /// sentence.
    pub(crate) initial_before_number: bool,
    /// Punctuation with no letter or digit (a paragraph opening "...") is not a
    /// sentence of its own: it stays with the sentence after it.
    pub(crate) punctuation_only_joins: bool,
}

impl Default for Breaks {
    /// The generic behaviour: UAX #29 alone, which breaks after every line.
    fn default() -> Self {
        Breaks {
            lowercase_continues: false,
            ellipsis_needs_capital: false,
            initials: false,
            soft_wrap_lowercase: false,
            unpunctuated_line_ends: true,
            url_markers: Vec::new(),
            attribution_dashes: Vec::new(),
            initial_before_number: false,
            punctuation_only_joins: false,
        }
    }
}

/// One `[[joins]]` entry: `before` `punct` `after`, with no space, never splits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Join {
    /// Class of the character just before the punctuation.
    pub(crate) before: CharClass,
    /// The punctuation character.
    pub(crate) punct: OneChar,
    /// Class of the character just after the punctuation.
    pub(crate) after: CharClass,
}

/// A character class usable in `[[joins]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CharClass {
    /// A decimal digit.
    Digit,
    /// An uppercase letter.
    Upper,
    /// A lowercase letter.
    Lower,
    /// Any letter.
    Letter,
    /// Any character.
    Any,
}

impl CharClass {
    /// Whether `c` belongs to the class.
    pub(crate) fn matches(self, c: char) -> bool {
        match self {
            CharClass::Digit => c.is_numeric(),
            CharClass::Upper => c.is_uppercase(),
            CharClass::Lower => c.is_lowercase(),
            CharClass::Letter => c.is_alphabetic(),
            CharClass::Any => true,
        }
    }
}

/// The `[abbreviations]` table. Abbreviations are matched case-sensitively and each
/// ends in a period; an abbreviation in `list` wins over the other two kinds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Abbreviations {
    /// Never end a sentence: a name or a number always follows (titles, ranks).
    pub(crate) list: HashSet<Abbreviation>,
    /// End a sentence before a capitalised word ("… trái cây v.v. Giá cả …"), never
    /// before a lowercase word or a number.
    pub(crate) sentence_final: HashSet<Abbreviation>,
    /// End a sentence before a capitalised word unless that word starts one of the
    /// entry's names ("TP. Bắc Ninh" stays whole, "của TP. Vậy" splits).
    pub(crate) before_names: Vec<BeforeNames>,
}

/// One `[[abbreviations.before_names]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BeforeNames {
    /// The abbreviations this entry is for ("TP.", "Tp.", "tp.").
    pub(crate) abbreviations: HashSet<Abbreviation>,
    /// The names that may follow without ending the sentence.
    pub(crate) names: Vec<Name>,
}

/// How an abbreviation at the end of a sentence candidate behaves.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AbbreviationKind<'r> {
    /// Never ends a sentence.
    NeverFinal,
    /// Ends a sentence before a capitalised word.
    SentenceFinal,
    /// Ends a sentence before a capitalised word that does not start one of these.
    BeforeNames(&'r [Name]),
}

impl Abbreviations {
    /// The kind of `word` (a whole abbreviation, e.g. "TP."), if it is listed.
    pub(crate) fn kind(&self, word: &str) -> Option<AbbreviationKind<'_>> {
        if self.list.contains(word) {
            return Some(AbbreviationKind::NeverFinal);
        }
        if self.sentence_final.contains(word) {
            return Some(AbbreviationKind::SentenceFinal);
        }
        self.before_names
            .iter()
            .find(|entry| entry.abbreviations.contains(word))
            .map(|entry| AbbreviationKind::BeforeNames(&entry.names))
    }

    /// Whether no abbreviation of any kind is listed.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty() && self.sentence_final.is_empty() && self.before_names.is_empty()
    }
}

/// A name that may follow an abbreviation: one or more words, single spaces.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct Name(String);

impl TryFrom<String> for Name {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let well_formed = value.starts_with(char::is_alphanumeric)
            && value.ends_with(char::is_alphanumeric)
            && !value.contains("  ")
            && !value.contains(|c: char| c.is_whitespace() && c != ' ');
        if well_formed {
            Ok(Name(value))
        } else {
            Err(format!(
                "name {value:?} must start and end with a letter or digit, words separated by single spaces"
            ))
        }
    }
}

impl Name {
    /// Whether `text` starts with this name as whole words: letters compare without
    /// case ("TP. HỒ CHÍ MINH" in a headline), a space matches any one whitespace
    /// character, and the name must not run on into a longer word ("Vinh" is not the
    /// start of "Vinhomes").
    pub(crate) fn starts(&self, text: &str) -> bool {
        let mut rest = text.chars();
        for want in self.0.chars() {
            let Some(got) = rest.next() else {
                return false;
            };
            let same = if want == ' ' {
                got.is_whitespace()
            } else {
                got == want || got.to_lowercase().eq(want.to_lowercase())
            };
            if !same {
                return false;
            }
        }
        rest.next().is_none_or(|c| !c.is_alphanumeric())
    }
}

/// A string of exactly one character (TOML has no character type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct OneChar(pub(crate) char);

impl TryFrom<String> for OneChar {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let mut chars = value.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(OneChar(c)),
            _ => Err(format!("expected exactly one character, found {value:?}")),
        }
    }
}

/// An abbreviation: no whitespace, ends in '.', at most [`MAX_ABBREVIATION_LEN`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct Abbreviation(pub(crate) String);

impl TryFrom<String> for Abbreviation {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.len() > MAX_ABBREVIATION_LEN {
            Err(format!(
                "abbreviation {value:?} is longer than {MAX_ABBREVIATION_LEN} bytes"
            ))
        } else if value.chars().any(char::is_whitespace) || !value.ends_with('.') {
            Err(format!(
                "abbreviation {value:?} must end in '.' and contain no whitespace"
            ))
        } else {
            Ok(Abbreviation(value))
        }
    }
}

impl std::borrow::Borrow<str> for Abbreviation {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Rules {
    /// Parses rules from TOML text; `path` only labels errors.
    pub(crate) fn parse(text: &str, path: Option<&Path>) -> Result<Rules, SegmentError> {
        toml::from_str(text).map_err(|err| {
            let offset = err.span().map_or(0, |span| span.start);
            let Location { line, column } = text_position::location(text, offset);
            SegmentError::Rules {
                path: path.map(Path::to_path_buf),
                line,
                column,
                message: err.message().trim_end().to_owned(),
            }
        })
    }

    /// Whether `c` is a sentence terminal.
    pub(crate) fn is_terminal(&self, c: char) -> bool {
        contains(&self.punctuation.terminals, c)
    }

    /// Whether `c` closes a sentence (quote, bracket).
    pub(crate) fn is_closing(&self, c: char) -> bool {
        contains(&self.punctuation.closing, c)
    }

    /// Whether `c` opens a sentence (quote, bracket).
    pub(crate) fn is_opening(&self, c: char) -> bool {
        contains(&self.punctuation.opening, c)
    }

    /// Whether a line ending in `c` continues on the next line.
    pub(crate) fn is_line_continuer(&self, c: char) -> bool {
        contains(&self.punctuation.line_continuers, c)
    }

    /// Whether the terminal run `run` is (or ends in) an ellipsis.
    pub(crate) fn is_ellipsis(&self, run: &str) -> bool {
        self.punctuation
            .ellipses
            .iter()
            .any(|e| !e.is_empty() && run.ends_with(e.as_str()))
    }
}

/// Whether `set` holds `c`.
fn contains(set: &[OneChar], c: char) -> bool {
    set.iter().any(|one| one.0 == c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_error(text: &str) -> (usize, usize, String) {
        match Rules::parse(text, None) {
            Err(SegmentError::Rules {
                line,
                column,
                message,
                ..
            }) => (line, column, message),
            other => panic!("expected a rules error, got {other:?}"),
        }
    }

    #[test]
    fn empty_file_is_generic() {
        let rules = Rules::parse("", None).expect("empty rules parse");
        assert!(rules.punctuation.terminals.is_empty());
        assert!(rules.breaks.unpunctuated_line_ends);
        assert!(rules.abbreviations.list.is_empty());
    }

    #[test]
    fn bad_toml_reports_line_and_column() {
        let (line, column, _) = rules_error("[punctuation]\nterminals = [\".\", \n[breaks]\n");
        assert_eq!(line, 3);
        assert!(column >= 1);
    }

    #[test]
    fn two_char_terminal_is_rejected_at_its_position() {
        let (line, column, message) = rules_error("[punctuation]\nterminals = [\".\", \"?!\"]\n");
        // toml points at the array holding the bad element.
        assert_eq!((line, column), (2, 13));
        assert!(message.contains("exactly one character"), "{message}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let (line, _, message) = rules_error("[breaks]\nlowercase_continue = true\n");
        assert_eq!(line, 2);
        assert!(message.contains("lowercase_continue"), "{message}");
    }

    #[test]
    fn abbreviation_without_period_is_rejected() {
        let (line, _, message) = rules_error("[abbreviations]\nlist = [\"TP\"]\n");
        assert_eq!(line, 2);
        assert!(message.contains("must end in '.'"), "{message}");
    }

    #[test]
    fn names_match_whole_words_without_case() {
        let name = Name::try_from("Hồ Chí Minh".to_owned()).expect("valid name");
        assert!(name.starts("Hồ Chí Minh."));
        assert!(name.starts("HỒ CHÍ MINH DIỄN RA"));
        assert!(name.starts("Hồ\u{a0}Chí Minh"));
        assert!(!name.starts("Hồ Chí"));
        let vinh = Name::try_from("Vinh".to_owned()).expect("valid name");
        assert!(vinh.starts("Vinh, Nghệ An"));
        assert!(!vinh.starts("Vinhomes Ocean Park"));
    }

    #[test]
    fn malformed_name_is_rejected_at_its_line() {
        let text =
            "[[abbreviations.before_names]]\nabbreviations = [\"TP.\"]\nnames = [\" Huế\"]\n";
        let (line, _, message) = rules_error(text);
        assert_eq!(line, 3);
        assert!(message.contains("must start and end"), "{message}");
    }

    #[test]
    fn abbreviation_kinds() {
        let rules = Rules::parse(
            "[abbreviations]\nlist = [\"GS.\"]\nsentence_final = [\"v.v.\"]\n\
             [[abbreviations.before_names]]\nabbreviations = [\"TP.\"]\nnames = [\"Huế\"]\n",
            None,
        )
        .expect("valid rules");
        let kinds = &rules.abbreviations;
        assert!(matches!(
            kinds.kind("GS."),
            Some(AbbreviationKind::NeverFinal)
        ));
        assert!(matches!(
            kinds.kind("v.v."),
            Some(AbbreviationKind::SentenceFinal)
        ));
        assert!(matches!(
            kinds.kind("TP."),
            Some(AbbreviationKind::BeforeNames(names)) if names.len() == 1
        ));
        assert!(kinds.kind("Tp.").is_none());
    }
}
