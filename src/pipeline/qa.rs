//! `dich qa`: every QA check on the translations already in `content/` and
//! `locales/`, machine, human and imported alike, for CI to gate on.
//!
//! Each translated article is aligned with its source: by the unit keys of its
//! provenance (a block whose key is not a unit of the current source is stale and not
//! judged), or by position when a file has no provenance but as many blocks as its
//! source (written by hand or imported). A unit without inline markup whose source
//! and translation split into as many sentences is checked sentence by sentence, every
//! other unit as a whole. Findings keep the levels of `[qa.levels]`.
//!
//! Pseudo-translated files are not judged (the pseudo backend keeps Vietnamese words
//! and writes full-width digits on purpose), except the blocks a person edited since
//! dich wrote them, which the memory tells.
//!
//! A target `.ftl` file is paired with its reference file piece by piece: every value,
//! attribute and select variant against the reference's same piece, or its default
//! variant, or its value ([`fluent::pair_pieces`]); messages marked as pseudo
//! translations are not judged. Placeables are not compared here: `dich check` does.

use std::collections::HashMap;

use serde::Serialize;

use std::path::Path;

use crate::content::{self, Document};
use crate::fluent;
use crate::lang::Lang;
use crate::memory::{Memory, MemoryError};
use crate::qa::{self, Checker, Finding, Pair, QaCode, Severity};
use crate::segment::Segmenter;
use crate::text_position::{self, LineIndex};

use super::plan::{Layout, Source, unit_keys};

/// One finding in one translated file.
#[derive(Debug, Clone, Serialize)]
pub struct QaIssue {
    /// The translated file, relative to the project root.
    pub path: String,
    /// The 1-based line of the translated sentence, block or Fluent value, attribute
    /// or variant.
    pub line: usize,
    /// The 1-based column (in characters) of a Fluent value, attribute or variant's
    /// first text; `None` for Markdown.
    pub column: Option<usize>,
    /// The target language.
    pub lang: String,
    /// The source article.
    pub source: String,
    /// The source sentence or block checked.
    pub source_text: String,
    /// The translated sentence or block checked.
    pub translation: String,
    /// What the checks found.
    pub finding: Finding,
}

/// Counts of `dich qa`.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct QaSummary {
    /// Translated files checked.
    pub files: usize,
    /// Sentences and blocks checked.
    pub checked: usize,
    /// Pseudo-translated files whose machine blocks were not judged.
    pub pseudo_files: usize,
    /// Pseudo-translated Fluent messages (`# dich: machine (pseudo, …)`), not judged.
    pub pseudo_messages: usize,
    /// Findings at error level.
    pub errors: usize,
    /// Findings at warning level.
    pub warnings: usize,
}

/// What `dich qa` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct QaReport {
    /// Every finding, by file and line.
    pub issues: Vec<QaIssue>,
    /// The counts.
    pub summary: QaSummary,
    /// Sources or translations that could not be read.
    pub errors: Vec<String>,
}

impl QaReport {
    /// True when CI should fail: an error, or with `strict` a warning, or a file that
    /// could not be read.
    pub fn failed(&self, strict: bool) -> bool {
        self.summary.errors > 0 || (strict && self.summary.warnings > 0) || !self.errors.is_empty()
    }
}

/// What the checks need for one file.
pub(crate) struct QaRun<'a> {
    pub(crate) layout: &'a Layout,
    pub(crate) checker: &'a Checker,
    pub(crate) segmenter: &'a Segmenter,
    pub(crate) memory: &'a Memory,
}

impl QaRun<'_> {
    /// Checks the translations of `sources` in `targets`.
    ///
    /// # Errors
    /// [`MemoryError`] when the memory cannot be read.
    pub(crate) fn run(
        &self,
        sources: &[Source],
        targets: &[Lang],
        mut report: QaReport,
    ) -> Result<QaReport, MemoryError> {
        for source in sources {
            let article = match source {
                Source::Article(article) => article,
                Source::Ftl(ftl) => {
                    self.ftl(&ftl.reference, &ftl.rel, targets, &mut report);
                    continue;
                }
            };
            let layout = self.layout;
            let doc = match Document::load_with(&article.source, &layout.fields, &layout.protect) {
                Ok(doc) => doc,
                Err(e) => {
                    report.errors.push(e.to_string());
                    continue;
                }
            };
            for target in targets {
                self.file(&doc, target, &mut report)?;
            }
        }
        report.issues.sort_by(|a, b| {
            (&a.path, a.line, a.column.unwrap_or(0)).cmp(&(&b.path, b.line, b.column.unwrap_or(0)))
        });
        report.summary.errors = count(&report.issues, Severity::Error);
        report.summary.warnings = count(&report.issues, Severity::Warning);
        Ok(report)
    }

    fn file(
        &self,
        doc: &Document,
        target: &Lang,
        report: &mut QaReport,
    ) -> Result<(), MemoryError> {
        let out_path = self.layout.article_translation(&doc.path, target);
        let Ok(bytes) = std::fs::read(&out_path) else {
            return Ok(());
        };
        let layout = self.layout;
        let path = layout.display_path(&out_path);
        let translated =
            match Document::parse_with(&out_path, &bytes, &layout.fields, doc.protect()) {
                Ok(translated) => translated,
                Err(e) => {
                    report.errors.push(format!("{path}: {e}"));
                    return Ok(());
                }
            };
        let source_keys = unit_keys(doc);
        let provenance = content::read_provenance(&translated.text);
        // Translated unit index → source unit index.
        let pairs: Vec<(usize, usize)> = match &provenance {
            Some(p) => {
                let keys: Vec<&str> = p.units.split_whitespace().collect();
                if keys.len() != translated.units.len() {
                    report.errors.push(format!(
                        "{path}: its blocks no longer line up with its provenance; run `dich status`"
                    ));
                    return Ok(());
                }
                let by_key: HashMap<&str, usize> = source_keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| (k.as_str(), i))
                    .collect();
                keys.iter()
                    .enumerate()
                    .filter_map(|(t, k)| Some((t, *by_key.get(k)?)))
                    .collect()
            }
            None if translated.units.len() == doc.units.len() => {
                (0..doc.units.len()).map(|i| (i, i)).collect()
            }
            None => {
                report.errors.push(format!(
                    "{path}: no dich provenance and {} blocks for the source's {}: cannot tell which block translates which",
                    translated.units.len(),
                    doc.units.len()
                ));
                return Ok(());
            }
        };
        report.summary.files += 1;
        // Only a person's blocks of a pseudo-translated file are judged.
        let edited_only = match provenance
            .as_ref()
            .filter(|p| p.backend.starts_with("pseudo"))
        {
            Some(_) => {
                report.summary.pseudo_files += 1;
                Some(self.written_blocks(&path, &translated, doc)?)
            }
            None => None,
        };
        let pair = Pair {
            source: &layout.source,
            target,
        };
        for (t, s) in pairs {
            let answer = translated.units[t].tagged.text();
            if let Some(written) = &edited_only
                && written
                    .get(t)
                    .is_none_or(|w| w.as_deref() == Some(translated.raw(t)))
            {
                continue;
            }
            let line =
                text_position::location(&translated.text, translated.units[t].span.start).line;
            let unit = Unit {
                path: &path,
                source_rel: layout.display_path(&doc.path),
                line,
                column: None,
                target,
                fluent: false,
            };
            self.unit(&unit, doc.units[s].tagged.text(), answer, pair, report);
        }
        Ok(())
    }

    /// Checks the translations of one reference `.ftl` file in `targets`: every value,
    /// attribute and variant against the reference's (see [`fluent::pair_pieces`]).
    /// Placeables are left to `dich check`, which compares them already.
    fn ftl(&self, reference: &Path, rel: &Path, targets: &[Lang], report: &mut QaReport) {
        let layout = self.layout;
        let reference_text = match fluent::read_ftl(reference) {
            Ok(text) => text.unwrap_or_default(),
            Err(e) => {
                report.errors.push(e.to_string());
                return;
            }
        };
        for target in targets {
            let out_path = layout.ftl_translation(rel, target);
            let text = match fluent::read_ftl(&out_path) {
                Ok(Some(text)) => text,
                Ok(None) => continue,
                Err(e) => {
                    report.errors.push(e.to_string());
                    continue;
                }
            };
            report.summary.files += 1;
            let path = layout.display_path(&out_path);
            let lines = LineIndex::new(&text);
            let pair = Pair {
                source: &layout.source,
                target,
            };
            let mut pseudo = Vec::new();
            for piece in fluent::pair_pieces(&reference_text, &text) {
                // The pseudo backend keeps Vietnamese on purpose (see the module docs).
                if piece
                    .machine
                    .as_deref()
                    .is_some_and(|m| m.contains("pseudo"))
                {
                    if !pseudo.contains(&piece.entry) {
                        pseudo.push(piece.entry);
                    }
                    continue;
                }
                let at = lines.location(&text, piece.offset);
                let unit = Unit {
                    path: &path,
                    source_rel: layout.display_path(reference),
                    line: at.line,
                    column: Some(at.column),
                    target,
                    fluent: true,
                };
                let source = plural_one_source(&piece.id, &piece.source);
                self.unit(&unit, &source, &piece.translation, pair, report);
            }
            report.summary.pseudo_messages += pseudo.len();
        }
    }

    /// The blocks of `path` as dich last wrote it (`None` each when the memory does not
    /// know the file, so every block counts as dich's).
    fn written_blocks(
        &self,
        path: &str,
        translated: &Document,
        doc: &Document,
    ) -> Result<Vec<Option<String>>, MemoryError> {
        let written = self.memory.written(path)?.and_then(|w| {
            Document::parse_with(
                &translated.path,
                w.content.as_bytes(),
                &self.layout.fields,
                doc.protect(),
            )
            .ok()
        });
        Ok((0..translated.units.len())
            .map(|i| match &written {
                Some(w) if i < w.units.len() => Some(w.raw(i).to_owned()),
                // Unknown to the memory: treated as dich's own, not judged.
                _ => Some(translated.raw(i).to_owned()),
            })
            .collect())
    }

    /// Checks one aligned unit, sentence by sentence where that lines up.
    fn unit(
        &self,
        unit: &Unit<'_>,
        source: &str,
        answer: &str,
        pair: Pair<'_>,
        report: &mut QaReport,
    ) {
        let plain = !source.contains('<') && !answer.contains('<');
        let source_parts = self.segmenter.split(source);
        let answer_parts = self.segmenter.split(answer);
        let pieces: Vec<(&str, &str, usize)> =
            if plain && source_parts.len() == answer_parts.len() && source_parts.len() > 1 {
                source_parts
                    .iter()
                    .zip(&answer_parts)
                    .map(|(s, a)| (&source[s.clone()], &answer[a.clone()], a.start))
                    .collect()
            } else {
                vec![(source, answer, 0)]
            };
        for (source_text, translation, offset) in pieces {
            report.summary.checked += 1;
            let line = unit.line + answer[..offset].matches('\n').count();
            // A later sentence of a piece: its column is not known.
            let column = unit.column.filter(|_| offset == 0);
            let findings =
                qa::check_answer(self.checker, source_text.trim(), translation.trim(), pair);
            for finding in findings.into_iter().filter(|f| {
                // `dich check` compares a message's placeables with the reference's.
                !(unit.fluent && matches!(f.code, QaCode::TagMismatch | QaCode::PlaceableMismatch))
            }) {
                report.issues.push(QaIssue {
                    path: unit.path.to_owned(),
                    line,
                    column,
                    lang: unit.target.to_string(),
                    source: unit.source_rel.clone(),
                    source_text: source_text.trim().to_owned(),
                    translation: translation.trim().to_owned(),
                    finding,
                });
            }
        }
    }
}

/// Where a checked unit is.
struct Unit<'a> {
    path: &'a str,
    source_rel: String,
    line: usize,
    column: Option<usize>,
    target: &'a Lang,
    /// A piece of a `.ftl` file, whose placeables `dich check` compares already.
    fluent: bool,
}

fn count(issues: &[QaIssue], severity: Severity) -> usize {
    issues
        .iter()
        .filter(|i| i.finding.severity == severity)
        .count()
}

/// The reference piece of a `[one]` variant without its literal `1`: the variant
/// already says "one", and translators spell it out (`[one] 1 hour` is `[one] einer
/// Stunde` in Mozilla Send's German), so the number check must not ask for the digit.
/// Every other piece is checked as it is.
fn plural_one_source<'a>(id: &str, source: &'a str) -> std::borrow::Cow<'a, str> {
    if !id.ends_with("[one]") {
        return std::borrow::Cow::Borrowed(source);
    }
    let part_of_number =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',');
    let mut out = String::with_capacity(source.len());
    let mut previous = None;
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        let alone = c == '1' && !part_of_number(previous) && !part_of_number(chars.peek().copied());
        if !alone {
            out.push(c);
        }
        previous = Some(c);
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_of_a_one_variant_may_be_spelled_out() {
        assert_eq!(plural_one_source("timespanHours[one]", "1 hour"), " hour");
        // Only a lone 1: 10, 1.5 and 1,000 are numbers to keep.
        assert_eq!(
            plural_one_source("x[one]", "1.5 or 10 or 1,000"),
            "1.5 or 10 or 1,000"
        );
        assert_eq!(
            plural_one_source("timespanHours[other]", "1 hour"),
            "1 hour"
        );
    }

    #[test]
    fn strict_fails_on_warnings_only() {
        let mut report = QaReport::default();
        assert!(!report.failed(true));
        report.summary.warnings = 1;
        assert!(!report.failed(false));
        assert!(report.failed(true));
    }
}
