//! Tag-safe translation: the text runs between tags are sent as separate plain texts
//! and the tags are put back around their translations.
//!
//! Tags can never be lost this way, at the price of word order across tags (a run is
//! translated without the words on the other side of its tag). It serves languages a
//! service has no tag handling for (DeepL and Vietnamese), and repairs an answer that
//! lost, duplicated or mis-nested tags (issue 9).

use crate::markup::{self, Token};

/// How one segment is put back together from the translations of its runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunPlan {
    parts: Vec<RunPart>,
}

/// A part of a segment in tag-safe mode.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RunPart {
    /// Kept as it is: tags, whitespace, runs without a letter or digit.
    Keep(String),
    /// Replaced by the translation of run number `n`.
    Translate(usize),
}

/// The runs to translate for `segments`, in order, and per segment its plan.
pub fn plan_runs<'a>(segments: impl IntoIterator<Item = &'a str>) -> (Vec<String>, Vec<RunPlan>) {
    let mut runs = Vec::new();
    let plans = segments
        .into_iter()
        .map(|segment| {
            let mut parts = Vec::new();
            for token in markup::tokens(segment) {
                match token {
                    Token::Text(text) => push_run(text, &mut runs, &mut parts),
                    Token::Open(id) => parts.push(RunPart::Keep(format!("<g{id}>"))),
                    Token::Close(id) => parts.push(RunPart::Keep(format!("</g{id}>"))),
                    Token::Standalone(id) => parts.push(RunPart::Keep(format!("<x{id}/>"))),
                }
            }
            RunPlan { parts }
        })
        .collect();
    (runs, plans)
}

/// A text run: its edge whitespace is kept (services trim it), its core is sent.
fn push_run(run: &str, runs: &mut Vec<String>, parts: &mut Vec<RunPart>) {
    let core = run.trim();
    if !core.chars().any(char::is_alphanumeric) {
        parts.push(RunPart::Keep(run.to_owned()));
        return;
    }
    let lead = &run[..run.len() - run.trim_start().len()];
    let trail = &run[run.trim_end().len()..];
    parts.push(RunPart::Keep(lead.to_owned()));
    parts.push(RunPart::Translate(runs.len()));
    runs.push(core.to_owned());
    parts.push(RunPart::Keep(trail.to_owned()));
}

impl RunPlan {
    /// The segment with each run replaced by its translation from `answers` (indexed as
    /// [`plan_runs`] numbered the runs).
    pub fn assemble(&self, answers: &[String]) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                RunPart::Keep(text) => text.as_str(),
                RunPart::Translate(n) => answers.get(*n).map_or("", String::as_str),
            })
            .collect()
    }

    /// The run numbers this segment needs.
    pub fn runs(&self) -> impl Iterator<Item = usize> + '_ {
        self.parts.iter().filter_map(|part| match part {
            RunPart::Translate(n) => Some(*n),
            RunPart::Keep(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_between_tags_are_sent_and_tags_put_back() {
        let (runs, plans) = plan_runs(["Xem <g1>báo cáo</g1> tại <x2/>.", "<g1>Hà Nội</g1>"]);
        assert_eq!(runs, ["Xem", "báo cáo", "tại", "Hà Nội"]);
        let answers: Vec<String> = ["See", "the report", "at", "Hanoi"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            plans[0].assemble(&answers),
            "See <g1>the report</g1> at <x2/>."
        );
        assert_eq!(plans[1].assemble(&answers), "<g1>Hanoi</g1>");
        assert_eq!(plans[1].runs().collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn punctuation_only_runs_are_not_sent() {
        let (runs, plans) = plan_runs(["<g1>A</g1>, <g2>B</g2>!"]);
        assert_eq!(runs, ["A", "B"]);
        let answers = vec!["x".to_owned(), "y".to_owned()];
        assert_eq!(plans[0].assemble(&answers), "<g1>x</g1>, <g2>y</g2>!");
    }
}
