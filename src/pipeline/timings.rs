//! Where the time of one `dich translate` went (`--timings`, issue 15), the way cargo's
//! `--timings` shows a build: how busy each request slot was, when the first request
//! went out, and what the run loop spent its time on while the slots worked.
//!
//! The loop is one task, so its phases do not overlap and add up to about the run
//! stage's wall time; the slots, the parser and the writer run beside it.

use std::time::Duration;

/// Time spent per phase of one `dich translate`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    /// From the start of `translate` to the run stage: opening the memory, finding
    /// sources, the no-op shortcut.
    pub before_run: Duration,
    /// Wall time of the run stage.
    pub run: Duration,
    /// When the first request went out, from the start of the run stage.
    pub first_request: Option<Duration>,
    /// When the last request ended, from the start of the run stage.
    pub last_answer: Option<Duration>,
    /// Per request slot: the time it had a request in flight (retries included).
    pub slots: Vec<Duration>,
    /// The loop: planning sources (memory lookups, batching).
    pub planning: Duration,
    /// The loop: waiting for the parser with nothing else to do.
    pub waiting_for_sources: Duration,
    /// The loop: storing returned batches in the open group.
    pub storing: Duration,
    /// The loop: committing groups (which frees their slots).
    pub committing: Duration,
    /// Groups committed.
    pub groups: usize,
    /// The loop: assembling finished files from the memory (and the QA review); the
    /// text is rendered on the writer thread.
    pub assembling: Duration,
    /// The loop: recording written files in the memory.
    pub recording: Duration,
    /// The loop: waiting for a result, a write or a source.
    pub waiting: Duration,
    /// The loop: the work done while the last answers were on their way (the
    /// manifest's pass over the finished articles, see `Meanwhile`).
    pub meanwhile: Duration,
    /// The writer thread: rendering articles' text and writing files to disk.
    pub writing: Duration,
    /// Every slot's idle time between an answer and its next request.
    pub gaps: Vec<Duration>,
    /// Of those gaps, in all: until the slot held a permit again (its result was
    /// journalled or committed, and the slot task woken).
    pub gaps_to_permit: Duration,
    /// Answers the loop took in.
    pub answers: usize,
    /// Of those, the answers a slot journalled: it did not wait for their commit.
    pub journalled: usize,
    /// In all: from an answer until the loop took it in (the loop was busy).
    pub answers_to_loop: Duration,
    /// In all: from the loop taking an answer in until its group committed.
    pub answers_to_commit: Duration,
}

impl Timings {
    /// The report as lines of text, for people.
    pub fn lines(&self) -> Vec<String> {
        let wall = self.run.as_secs_f64();
        let share = |d: Duration| {
            if wall > 0.0 {
                100.0 * d.as_secs_f64() / wall
            } else {
                0.0
            }
        };
        let at =
            |d: Option<Duration>| d.map_or("-".to_owned(), |d| format!("{:.3} s", d.as_secs_f64()));
        let busy: Vec<String> = self
            .slots
            .iter()
            .map(|d| format!("{:.0}", share(*d)))
            .collect();
        let mean = if self.slots.is_empty() {
            0.0
        } else {
            self.slots.iter().map(|d| share(*d)).sum::<f64>() / self.slots.len() as f64
        };
        let in_loop = self.planning
            + self.waiting_for_sources
            + self.storing
            + self.committing
            + self.assembling
            + self.recording
            + self.waiting
            + self.meanwhile;
        let mut lines = vec![
            format!(
                "timings: {:.3} s before the run stage, {wall:.3} s in it",
                self.before_run.as_secs_f64()
            ),
            format!(
                "  first request at {}, last answer at {}",
                at(self.first_request),
                at(self.last_answer)
            ),
            format!(
                "  request slots busy {mean:5.1} % on average; per slot (%): {}",
                busy.join(" ")
            ),
            "  run loop:".to_owned(),
        ];
        for (what, d) in [
            ("planning", self.planning),
            ("waiting for sources", self.waiting_for_sources),
            ("storing results", self.storing),
            ("committing", self.committing),
            ("assembling files", self.assembling),
            ("recording writes", self.recording),
            ("waiting", self.waiting),
            ("meanwhile (manifest)", self.meanwhile),
            ("other", self.run.saturating_sub(in_loop)),
        ] {
            lines.push(format!(
                "    {what:<20} {:8.3} s {:5.1} %",
                d.as_secs_f64(),
                share(d)
            ));
        }
        lines.push(format!("    ({} groups committed)", self.groups));
        lines.push(format!(
            "  writer thread (render, write, settle) {:8.3} s {:5.1} %",
            self.writing.as_secs_f64(),
            share(self.writing)
        ));
        lines.extend(self.gap_lines());
        lines
    }

    /// A slot's gaps between an answer and its next request, and what they waited
    /// for: the loop (to take the answer in, to commit it) or the journal, the slot
    /// task's wake-up, a batch to send.
    fn gap_lines(&self) -> Vec<String> {
        if self.gaps.is_empty() {
            return Vec::new();
        }
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mut sorted = self.gaps.clone();
        sorted.sort_unstable();
        let all: Duration = sorted.iter().sum();
        let count = sorted.len() as f64;
        let mean = |d: Duration| ms(d) / count;
        let per_answer = |d: Duration| {
            if self.answers == 0 {
                0.0
            } else {
                ms(d) / self.answers as f64
            }
        };
        let (to_loop, to_commit) = (
            per_answer(self.answers_to_loop),
            per_answer(self.answers_to_commit),
        );
        let to_permit = mean(self.gaps_to_permit);
        let to_batch = mean(all.saturating_sub(self.gaps_to_permit));
        if self.journalled > 0 && self.journalled == self.answers {
            // The slots did not wait for the loop (issue 15): its delays come apart.
            return vec![
                self.gap_summary(&sorted),
                format!("    until journalled and woken      {to_permit:6.2} ms (mean)"),
                format!("    waiting for a batch to send     {to_batch:6.2} ms"),
                format!(
                    "  beside the slots, per answer: {to_loop:.2} ms until the loop took it in, {to_commit:.2} ms more until its group committed"
                ),
            ];
        }
        vec![
            self.gap_summary(&sorted),
            format!("    until the loop took the answer  {to_loop:6.2} ms (mean)"),
            format!("    until its group committed       {to_commit:6.2} ms"),
            format!(
                "    until the slot woke             {:6.2} ms",
                (to_permit - to_loop - to_commit).max(0.0)
            ),
            format!("    waiting for a batch to send     {to_batch:6.2} ms"),
        ]
    }

    /// The first line about the gaps: how many, and their distribution.
    fn gap_summary(&self, sorted: &[Duration]) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let at = |q: f64| {
            // The q-quantile by rank: the lists are short enough to sort.
            let rank = ((sorted.len() - 1) as f64 * q).round() as usize;
            sorted.get(rank).map_or(0.0, |d| ms(*d))
        };
        let all: Duration = sorted.iter().sum();
        format!(
            "  answer to next request, per slot: {} gaps, {:.3} s in all; mean {:.2} ms, p50 {:.2}, p90 {:.2}, p99 {:.2}, max {:.2} ms",
            sorted.len(),
            all.as_secs_f64(),
            ms(all) / sorted.len() as f64,
            at(0.5),
            at(0.9),
            at(0.99),
            at(1.0)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_as_busy_as_its_time_in_flight_over_the_run() {
        let timings = Timings {
            run: Duration::from_secs(2),
            slots: vec![Duration::from_secs(2), Duration::from_secs(1)],
            first_request: Some(Duration::from_millis(250)),
            waiting: Duration::from_secs(1),
            ..Timings::default()
        };
        let text = timings.lines().join("\n");
        assert!(text.contains("busy  75.0 % on average"), "{text}");
        assert!(text.contains("per slot (%): 100 50"), "{text}");
        assert!(text.contains("first request at 0.250 s"), "{text}");
        let waiting = text
            .lines()
            .find(|l| l.trim_start().starts_with("waiting ") && !l.contains("sources"))
            .unwrap_or_default();
        assert!(waiting.ends_with("50.0 %"), "{text}");
    }

    #[test]
    fn the_gaps_between_answers_and_requests_say_what_they_waited_for() {
        let ms = Duration::from_millis;
        let timings = Timings {
            run: Duration::from_secs(1),
            gaps: vec![ms(1), ms(2), ms(3), ms(10)],
            gaps_to_permit: ms(12),
            answers: 4,
            answers_to_loop: ms(4),
            answers_to_commit: ms(4),
            ..Timings::default()
        };
        let text = timings.lines().join("\n");
        assert!(
            text.contains("4 gaps, 0.016 s in all; mean 4.00 ms"),
            "{text}"
        );
        assert!(text.contains("max 10.00 ms"), "{text}");
        assert!(text.contains("took the answer    1.00 ms"), "{text}");
        assert!(
            text.contains("until the slot woke               1.00 ms"),
            "{text}"
        );
        assert!(text.contains("batch to send       1.00 ms"), "{text}");
    }

    #[test]
    fn journalled_answers_show_the_loop_beside_the_slots_not_in_their_gaps() {
        let ms = Duration::from_millis;
        let timings = Timings {
            run: Duration::from_secs(1),
            gaps: vec![ms(1), ms(3)],
            gaps_to_permit: ms(2),
            answers: 2,
            journalled: 2,
            answers_to_loop: ms(4),
            answers_to_commit: ms(6),
            ..Timings::default()
        };
        let text = timings.lines().join("\n");
        assert!(
            text.contains("until journalled and woken        1.00 ms"),
            "{text}"
        );
        assert!(text.contains("batch to send       1.00 ms"), "{text}");
        assert!(
            text.contains(
                "2.00 ms until the loop took it in, 3.00 ms more until its group committed"
            ),
            "{text}"
        );
        assert!(!text.contains("until the slot woke"), "{text}");
    }
}
