//! Quality checks on a machine (or human) answer before it is written.
//!
//! One call checks one segment: [`check_answer`] takes the [`Checker`] (glossary,
//! levels, length bands), the source segment, the answer and the language pair, and
//! returns every [`Finding`]. Each finding has a stable [`QaCode`] and a [`Severity`]
//! after the per-code [`Levels`]; a code turned `off` is not even computed.
//!
//! Inputs are segments as the pipeline holds them: NFC-normalised
//! ([`crate::segment::normalize`]), inline markup as `<gN>…</gN>`/`<xN/>` tags. The
//! checks are pure and allocate little; `examples/qa_recall.rs` measures their recall
//! on injected faults and their false positives on clean translations (see
//! `docs/qa.md`).
//!
//! Also here: the [`Glossary`] (`glossary.toml`, CSV and TBX importers) and the
//! placeholder protection ([`protect()`]) that enforces terms on backends that have no
//! glossary feature.

mod checks;
mod code;
mod facts;
mod glossary;
mod import;
mod length;
mod numbers;
mod protect;

use std::ops::Range;

use serde::Serialize;

pub use crate::fluent::Severity;
pub use code::{Levels, QaCode, UnknownCode};
pub use glossary::{Glossary, GlossaryError, Term, TermMatch};
pub use import::{import_csv, import_tbx};
pub use length::{LengthBand, MIN_LEARN_PAIRS, MIN_SOURCE_CHARS};
pub use protect::{Protected, UnprotectError, protect};

use crate::lang::Lang;

/// The language pair of a segment.
#[derive(Debug, Clone, Copy)]
pub struct Pair<'a> {
    /// The source language (Vietnamese for the portal).
    pub source: &'a Lang,
    /// The answer's language.
    pub target: &'a Lang,
}

/// One problem found in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable check code.
    pub code: QaCode,
    /// Error or warning, after the levels.
    pub severity: Severity,
    /// What is wrong, quoting the offending text, so a person can act on it.
    pub message: String,
    /// Byte span in the answer, when the fault is at one place of it.
    pub span: Option<Range<usize>>,
}

/// What the checks need besides the segment: glossary, levels, length bands.
#[derive(Debug, Clone, Default)]
pub struct Checker {
    glossary: Glossary,
    levels: Levels,
    bands: Vec<(String, LengthBand)>,
    /// What the checks derive from each source, kept across its target languages.
    sources: facts::SourceCache,
}

impl Checker {
    /// A checker with every code at its default level and no glossary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses `glossary` for the terminology check and to protect names.
    pub fn with_glossary(mut self, glossary: Glossary) -> Self {
        self.glossary = glossary;
        // The glossary terms of the sources seen so far are those of the old one.
        self.sources = facts::SourceCache::default();
        self
    }

    /// Uses `levels` (e.g. from `[qa.levels]`).
    pub fn with_levels(mut self, levels: Levels) -> Self {
        self.levels = levels;
        self
    }

    /// Uses `band` for answers in `target` (e.g. learned from the memory) instead of
    /// the documented default.
    pub fn with_length_band(mut self, target: &Lang, band: LengthBand) -> Self {
        self.bands.retain(|(tag, _)| tag != target.as_str());
        self.bands.push((target.as_str().to_owned(), band));
        self
    }

    /// The glossary.
    pub fn glossary(&self) -> &Glossary {
        &self.glossary
    }

    /// The length band for answers in `target`.
    pub fn length_band(&self, target: &Lang) -> LengthBand {
        self.bands
            .iter()
            .find(|(tag, _)| tag == target.as_str())
            .map_or_else(|| LengthBand::default_for(target), |(_, band)| *band)
    }

    /// The facts of `source` (tagged) in `language`, shared by its answers.
    fn source_facts(&self, language: &str, source: &str) -> std::sync::Arc<facts::SourceFacts> {
        self.sources.get(language, source)
    }

    pub(crate) fn severity(&self, code: QaCode) -> Option<Severity> {
        self.levels.severity(code)
    }
}

/// Checks `answer` against `source` for `pair`; every finding, errors first.
pub fn check_answer(checker: &Checker, source: &str, answer: &str, pair: Pair<'_>) -> Vec<Finding> {
    let mut findings = checks::run(checker, source, answer, pair);
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings
}

/// The findings as warnings only: for a person's text (a hand edit, a TMX import),
/// which QA reports but never blocks.
pub fn advisory(mut findings: Vec<Finding>) -> Vec<Finding> {
    for finding in &mut findings {
        finding.severity = Severity::Warning;
    }
    findings
}

/// True when any finding is an error (the answer must not be published).
pub fn has_error(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
