//! The QA gate: every machine answer passes [`crate::qa`] before it is stored or
//! written.
//!
//! Design: the gate wraps [`Chain::translate`] in the request slot, so the backend
//! module stays as it is and the memory never holds an answer with an error-level
//! fault. After the chain has answered a batch, each answer is checked; one with an
//! error is asked again from the backend that gave it, then from each later backend
//! of the chain, in order, until an answer passes. Each attempt goes through a chain
//! of that one backend, so its tags are checked and repaired as in the main chain.
//! When no backend passes, the segment fails with a reason starting with [`HELD`]:
//! its article is not written (a previous translation stays), the run's report and
//! `dich status` call it `held`, and the reason names the code, the segment and the
//! answer.
//!
//! Warnings never stop a file. They are found when a job is rendered ([`review`]),
//! from the memory entries the file is rendered from, so an article reusing segments
//! translated in an earlier run is judged as well; the file is written and recorded as needs-review with the reasons.
//! A person's text (human or imported memory entries) is judged as warnings only.
//!
//! The pseudo backend is not checked: it marks and widens text on purpose (it keeps
//! Vietnamese words, writes full-width digits) and is labelled "not for publication"
//! wherever it appears. For the same reason it is never asked to replace a faulty
//! answer.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::backend::{BackendError, Batch, Chain, Translated, Translator};
use crate::lang::Lang;
use crate::memory::{Entry, Memory, MemoryError, Origin};
use crate::qa::{self, Checker, Finding, Pair, Severity};

use super::plan::{Job, JobUnit};
use super::render::Entries;

/// How a failure reason of a segment held by QA starts (see [`held_code`]).
pub(crate) const HELD: &str = "held by QA: ";

/// The checker and which answers it judges.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    checker: Arc<Checker>,
    /// Labels of the chain's pseudo backends: their answers are not judged.
    pseudo: Vec<String>,
    /// The findings of the answers that passed in a request slot, by [`judged_key`],
    /// until [`review`] of their job takes them: an answer is checked once, not again
    /// when its file is written (checking is to stay a small part of a run's time,
    /// issue 11). An answer reviewed in a second job is simply checked again.
    judged: Arc<Mutex<HashMap<String, Vec<Finding>>>>,
}

/// The key of an answer in [`Gate::judged`].
fn judged_key(target: &Lang, source: &str, answer: &str) -> String {
    format!("{target}\u{0}{source}\u{0}{answer}")
}

impl Gate {
    /// The gate for `chain`'s answers.
    pub(crate) fn new(checker: Arc<Checker>, chain: &Chain) -> Gate {
        let pseudo = chain
            .members()
            .iter()
            .filter(|m| m.is_pseudo())
            .map(|m| m.label())
            .collect();
        Gate {
            checker,
            pseudo,
            judged: Arc::default(),
        }
    }

    /// The first error-level finding of `answer`; an answer without one has its
    /// findings kept for [`review`].
    fn first_error(&self, source: &str, answer: &str, pair: Pair<'_>) -> Option<Finding> {
        let findings = qa::check_answer(&self.checker, source, answer, pair);
        let error = findings
            .iter()
            .find(|f| f.severity == Severity::Error)
            .cloned();
        if error.is_none()
            && let Ok(mut judged) = self.judged.lock()
        {
            judged.insert(judged_key(pair.target, source, answer), findings);
        }
        error
    }

    /// The findings of `answer`: those kept from its request slot, else checked now.
    fn findings(&self, source: &str, answer: &str, pair: Pair<'_>) -> Vec<Finding> {
        let kept = self
            .judged
            .lock()
            .ok()
            .and_then(|mut judged| judged.remove(&judged_key(pair.target, source, answer)));
        kept.unwrap_or_else(|| qa::check_answer(&self.checker, source, answer, pair))
    }

    fn judges(&self, backend_label: &str) -> bool {
        let label = backend_label
            .strip_suffix(super::render::REPAIRED)
            .unwrap_or(backend_label);
        !self.pseudo.iter().any(|p| p == label)
    }

    /// Whether a memory entry may be reused for `source`: not a machine translation
    /// with an error-level fault (stored before the gate, or under other levels). One
    /// that has is sent again rather than holding its article for good.
    pub(crate) fn reusable(&self, source: &str, entry: &Entry, pair: Pair<'_>) -> bool {
        entry.origin != Origin::Machine
            || !self.judges(&entry.backend)
            || first_error(&self.checker, source, &entry.translation, pair).is_none()
    }
}

/// The QA code of a failure reason made by the gate, if it is one.
pub fn held_code(reason: &str) -> Option<&str> {
    let rest = reason.strip_prefix(HELD)?.strip_prefix('`')?;
    rest.split('`').next()
}

/// A segment whose answer has an error, and what to try next.
struct Pending {
    index: usize,
    /// Chain members still to ask, in order.
    attempts: std::collections::VecDeque<usize>,
    /// Backends asked so far, for the reason.
    tried: Vec<String>,
    /// The last faulty answer and its first error.
    answer: String,
    finding: Finding,
    /// An attempt passed: its answer replaced the faulty one.
    passed: bool,
}

/// Translates `batch` through `chain` and holds back every answer with an error-level
/// finding that no backend of the chain could replace by a passing one.
///
/// # Errors
/// A fatal [`BackendError`] of the chain, as [`Chain::translate`].
pub(crate) async fn translate(
    chain: &Chain,
    gate: Option<&Gate>,
    batch: &Batch,
) -> Result<Vec<Result<Translated, String>>, BackendError> {
    let mut results = chain.translate(batch).await?;
    let Some(gate) = gate else {
        return Ok(results);
    };
    let members = chain.members();
    let pair = Pair {
        source: &batch.source,
        target: &batch.target,
    };
    let retired: Vec<String> = chain.handovers().into_iter().map(|h| h.backend).collect();
    let mut pending = Vec::new();
    for (index, result) in results.iter().enumerate() {
        let Ok(answer) = result else { continue };
        if !gate.judges(&answer.backend) {
            continue;
        }
        let source = &batch.segments[index].text;
        let Some(finding) = gate.first_error(source, &answer.text, pair) else {
            continue;
        };
        let Some(member) = members.iter().position(|m| m.label() == answer.backend) else {
            continue;
        };
        // The same backend once more, then every later one that can still serve.
        let attempts = std::iter::once(member)
            .chain(member + 1..members.len())
            .filter(|&m| !members[m].is_pseudo() && !retired.iter().any(|r| r == members[m].name()))
            .collect();
        pending.push(Pending {
            index,
            attempts,
            tried: vec![members[member].name().to_owned()],
            answer: answer.text.clone(),
            finding,
            passed: false,
        });
    }
    while !pending.is_empty() {
        // One request per backend per round, for every segment that asks it next.
        let Some(member) = pending.iter().find_map(|p| p.attempts.front().copied()) else {
            break;
        };
        let asking: Vec<usize> = (0..pending.len())
            .filter(|&p| pending[p].attempts.front() == Some(&member))
            .collect();
        let sub = Batch {
            source: batch.source.clone(),
            target: batch.target.clone(),
            segments: asking
                .iter()
                .map(|&p| batch.segments[pending[p].index].clone())
                .collect(),
        };
        let answers = ask(chain, &members[member], &sub).await;
        for (&p, answer) in asking.iter().zip(answers) {
            let entry = &mut pending[p];
            entry.attempts.pop_front();
            entry.tried.push(members[member].name().to_owned());
            let Ok(answer) = answer else { continue };
            let source = &batch.segments[entry.index].text;
            match gate.first_error(source, &answer.text, pair) {
                Some(finding) => {
                    entry.answer = answer.text;
                    entry.finding = finding;
                }
                None => {
                    results[entry.index] = Ok(answer);
                    entry.passed = true;
                }
            }
        }
        let mut still = Vec::new();
        for entry in pending {
            if entry.passed {
                continue;
            }
            if entry.attempts.is_empty() {
                results[entry.index] = Err(held_reason(&batch.segments[entry.index].text, &entry));
            } else {
                still.push(entry);
            }
        }
        pending = still;
    }
    // Left only when no backend could be asked at all.
    for entry in pending {
        results[entry.index] = Err(held_reason(&batch.segments[entry.index].text, &entry));
    }
    Ok(results)
}

/// One backend's answers for `sub`, through a chain of that backend alone (tags
/// checked and repaired, glossary terms protected as in `chain`); a failed request
/// fails every segment of it.
async fn ask(
    chain: &Chain,
    member: &Arc<dyn Translator>,
    sub: &Batch,
) -> Vec<Result<Translated, String>> {
    match chain.single(member).translate(sub).await {
        Ok(answers) => answers,
        Err(e) => vec![Err(e.to_string()); sub.segments.len()],
    }
}

/// The first error-level finding of `answer`, if any.
fn first_error(checker: &Checker, source: &str, answer: &str, pair: Pair<'_>) -> Option<Finding> {
    qa::check_answer(checker, source, answer, pair)
        .into_iter()
        .find(|f| f.severity == Severity::Error)
}

/// Why a segment is held: the code, the message, the segment and the last answer, and
/// which backends were asked.
fn held_reason(source: &str, entry: &Pending) -> String {
    format!(
        "{HELD}`{code}` {message}; segment \"{source}\", answer \"{answer}\" (asked {tried})",
        code = entry.finding.code,
        message = entry.finding.message,
        answer = entry.answer,
        tried = entry.tried.join(", then "),
    )
}

/// What a rendered job's translations need before it is written: the warnings to
/// record (`Ok`), or why it is held (`Err`) when a machine translation from the memory
/// has an error-level fault (stored before the gate existed, or under other levels).
///
/// `rendered` are the entries render read, by segment key; only a segment render did
/// not read (a Fluent unit left out after a missing sentence) is read from `memory`.
///
/// # Errors
/// [`MemoryError`] when the memory cannot be read.
pub(crate) fn review(
    gate: &Gate,
    (rendered, memory): (&Entries, &Memory),
    source: &Lang,
    job: &Job,
) -> Result<Result<Vec<String>, String>, MemoryError> {
    let pair = Pair {
        source,
        target: &job.target,
    };
    let mut warnings = Vec::new();
    // The segments of `Job::segments_to_translate`, without building their context.
    let proposed = job.proposals.iter().filter_map(|p| p.unit.as_deref());
    let units = job
        .units
        .iter()
        .filter_map(JobUnit::machine)
        .chain(proposed);
    let mut seen = HashSet::new();
    let segments = units
        .flat_map(|unit| &unit.segments)
        .filter(|segment| !segment.verbatim && seen.insert(&*segment.key));
    for segment in segments {
        let read;
        let entry = match rendered.get(&*segment.key) {
            Some(entry) => entry,
            None => match memory.segment(source, &job.target, &segment.key)? {
                Some(entry) => {
                    read = entry;
                    &read
                }
                None => continue,
            },
        };
        let machine = entry.origin == Origin::Machine;
        if machine && !gate.judges(&entry.backend) {
            continue;
        }
        let findings = gate.findings(&segment.key, &entry.translation, pair);
        // A person's text is reported, never blocked.
        let findings = if machine {
            findings
        } else {
            qa::advisory(findings)
        };
        if let Some(error) = findings.iter().find(|f| f.severity == Severity::Error) {
            return Ok(Err(format!(
                "{HELD}`{code}` {message}; segment \"{key}\", answer \"{answer}\" (from the memory)",
                code = error.code,
                message = error.message,
                key = segment.key,
                answer = entry.translation,
            )));
        }
        for finding in findings {
            warnings.push(format!(
                "`{}` {} (segment \"{}\")",
                finding.code, finding.message, segment.key
            ));
        }
    }
    Ok(Ok(warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_read_back_from_a_held_reason() {
        assert_eq!(
            held_code("held by QA: `number-mismatch` 3 is missing; segment …"),
            Some("number-mismatch")
        );
        assert_eq!(held_code("deepl: quota exceeded"), None);
    }
}
