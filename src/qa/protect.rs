//! Placeholder protection: glossary terms as standalone tags for backends that have no
//! glossary feature.
//!
//! [`protect()`] replaces each term of a source segment that has a required form in the
//! target language by a fresh `<xN/>` tag (numbered after the segment's own tags).
//! Backends keep standalone tags in place, so after translation
//! [`Protected::restore`] puts the required form where the tag landed. A lost tag is an
//! error, never a silently missing term.

use std::fmt::Write as _;

use super::glossary::Glossary;
use crate::lang::Lang;
use crate::markup::{self, Token};

/// A source segment with its terms replaced by placeholder tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    /// The segment to send to the backend.
    pub text: String,
    /// Per placeholder tag id, the form to put back.
    pub slots: Vec<(u32, String)>,
}

/// A translation that lost or duplicated a placeholder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the placeholder <x{id}/> for `{form}` is {problem} in the translation")]
pub struct UnprotectError {
    /// The placeholder's tag id.
    pub id: u32,
    /// The required form it stands for.
    pub form: String,
    /// `missing` or `duplicated`.
    pub problem: &'static str,
}

/// Replaces each glossary term of `source` that has a form in `target` (or is a
/// `translate = false` name) by a standalone tag.
pub fn protect(glossary: &Glossary, source: &str, target: &Lang) -> Protected {
    let mut next = markup::tokens(source)
        .iter()
        .filter_map(|t| match t {
            Token::Open(id) | Token::Close(id) | Token::Standalone(id) => Some(*id),
            Token::Text(_) => None,
        })
        .max()
        .unwrap_or(0);
    let mut text = String::with_capacity(source.len());
    let mut slots = Vec::new();
    let mut copied = 0;
    for m in glossary.find(source) {
        let matched = &source[m.span.clone()];
        // A term inside a tag's digits cannot happen: terms hold letters and tags are
        // ASCII, so spans never cut a tag.
        let Some(form) = glossary.terms()[m.term]
            .required(target, matched)
            .and_then(|forms| forms.first().map(|f| (*f).to_owned()))
        else {
            continue;
        };
        next += 1;
        text.push_str(&source[copied..m.span.start]);
        let _ = write!(text, "<x{next}/>");
        slots.push((next, form));
        copied = m.span.end;
    }
    text.push_str(&source[copied..]);
    Protected { text, slots }
}

impl Protected {
    /// Puts the required forms in place of the placeholders of `translated`.
    ///
    /// # Errors
    /// [`UnprotectError`] when a placeholder is missing or appears twice.
    pub fn restore(&self, translated: &str) -> Result<String, UnprotectError> {
        let tokens = markup::tokens(translated);
        for (id, form) in &self.slots {
            let count = tokens
                .iter()
                .filter(|t| **t == Token::Standalone(*id))
                .count();
            if count != 1 {
                return Err(UnprotectError {
                    id: *id,
                    form: form.clone(),
                    problem: if count == 0 { "missing" } else { "duplicated" },
                });
            }
        }
        let mut out = String::with_capacity(translated.len());
        for token in tokens {
            match token {
                Token::Text(s) => out.push_str(s),
                Token::Standalone(id) => match self.slots.iter().find(|(slot, _)| *slot == id) {
                    Some((_, form)) => out.push_str(form),
                    None => {
                        let _ = write!(out, "<x{id}/>");
                    }
                },
                Token::Open(id) => {
                    let _ = write!(out, "<g{id}>");
                }
                Token::Close(id) => {
                    let _ = write!(out, "</g{id}>");
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn glossary() -> Glossary {
        Glossary::parse(
            "[[term]]\nvi = \"UBND tỉnh\"\nen = \"Provincial People's Committee\"\n\n\
             [[term]]\nvi = \"Sở Ngoại vụ\"\nko = \"외무국\"\n\n\
             [[term]]\nvi = \"Viettel\"\ntranslate = false\n",
            Path::new("g.toml"),
        )
        .unwrap()
    }

    #[test]
    fn terms_become_tags_after_the_segments_own_and_come_back() {
        let en = Lang::parse("en").unwrap();
        let p = protect(
            &glossary(),
            "<g1>UBND tỉnh</g1> và Viettel ký kết với Sở Ngoại vụ.",
            &en,
        );
        // Sở Ngoại vụ has no English form: it is left for the backend.
        assert_eq!(p.text, "<g1><x2/></g1> và <x3/> ký kết với Sở Ngoại vụ.");
        let answer = "<g1><x2/></g1> and <x3/> signed with the Department of Foreign Affairs.";
        assert_eq!(
            p.restore(answer).unwrap(),
            "<g1>Provincial People's Committee</g1> and Viettel signed with the Department of Foreign Affairs."
        );
    }

    #[test]
    fn a_lost_or_doubled_placeholder_is_an_error() {
        let en = Lang::parse("en").unwrap();
        let p = protect(&glossary(), "UBND tỉnh họp.", &en);
        assert_eq!(p.text, "<x1/> họp.");
        assert_eq!(
            p.restore("The committee met.").unwrap_err().problem,
            "missing"
        );
        assert_eq!(
            p.restore("<x1/> <x1/> met.").unwrap_err().problem,
            "duplicated"
        );
    }

    #[test]
    fn no_terms_no_change() {
        let ko = Lang::parse("ko").unwrap();
        let p = protect(&glossary(), "Trời đẹp.", &ko);
        assert_eq!(
            p,
            Protected {
                text: "Trời đẹp.".into(),
                slots: vec![]
            }
        );
        assert_eq!(p.restore("날씨가 좋다.").unwrap(), "날씨가 좋다.");
    }
}
