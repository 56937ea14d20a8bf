//! Where a run's time went (`dich translate --timings`, issue 15), the way cargo's
//! `--timings` shows a build: how busy the request slots were, and what the one
//! planning loop spent its time on while they worked.
//!
//! The loop's phases do not overlap (it is one task), so they add up to about the
//! wall time; the slots and the write threads run beside it.

use std::time::Duration;

/// Time spent per phase of one `dich translate`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    /// Wall time of the run stage.
    pub wall: Duration,
    /// Request slots (the backend's concurrency).
    pub slots: usize,
    /// Time the slots spent sending requests, summed over slots.
    pub slots_busy: Duration,
    /// The loop: planning sources (memory lookups, batching).
    pub planning: Duration,
    /// The loop: storing returned batches in the memory.
    pub storing: Duration,
    /// The loop: committing groups of batches and files (see `docs/benchmarks.md`).
    pub committing: Duration,
    /// Groups committed.
    pub groups: usize,
    /// The loop: rendering finished files (assembly, QA review) and queueing them.
    pub rendering: Duration,
    /// The loop: recording written files in the memory.
    pub recording: Duration,
    /// The loop: waiting for a result, a write or a parsed source.
    pub waiting: Duration,
    /// Time the write threads spent writing files.
    pub writing: Duration,
}

impl Timings {
    /// The report as lines of text, for people.
    pub fn lines(&self) -> Vec<String> {
        let wall = self.wall.as_secs_f64();
        let share = |d: Duration| {
            if wall > 0.0 {
                100.0 * d.as_secs_f64() / wall
            } else {
                0.0
            }
        };
        let capacity = self.wall * u32::try_from(self.slots).unwrap_or(u32::MAX);
        let loop_total = self.planning
            + self.storing
            + self.committing
            + self.rendering
            + self.recording
            + self.waiting;
        let mut lines = vec![
            format!("timings: {wall:.2} s in the run stage"),
            format!(
                "  request slots busy  {:6.1} %  ({} slots, {:.2} s of {:.2} s sending)",
                if capacity.is_zero() {
                    0.0
                } else {
                    100.0 * self.slots_busy.as_secs_f64() / capacity.as_secs_f64()
                },
                self.slots,
                self.slots_busy.as_secs_f64(),
                capacity.as_secs_f64()
            ),
            "  planning loop:".to_owned(),
        ];
        for (what, d) in [
            ("planning sources", self.planning),
            ("storing results", self.storing),
            ("committing", self.committing),
            ("rendering files", self.rendering),
            ("recording writes", self.recording),
            ("waiting", self.waiting),
            ("other", self.wall.saturating_sub(loop_total)),
        ] {
            lines.push(format!(
                "    {what:<18} {:8.3} s {:6.1} %",
                d.as_secs_f64(),
                share(d)
            ));
        }
        lines.push(format!("    ({} groups committed)", self.groups));
        lines.push(format!(
            "  write threads       {:8.3} s {:6.1} %",
            self.writing.as_secs_f64(),
            share(self.writing)
        ));
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_use_is_the_busy_time_over_the_slots_capacity() {
        let timings = Timings {
            wall: Duration::from_secs(2),
            slots: 4,
            slots_busy: Duration::from_secs(6),
            waiting: Duration::from_secs(1),
            ..Timings::default()
        };
        let text = timings.lines().join("\n");
        assert!(text.contains("75.0 %"), "{text}");
        let waiting = text
            .lines()
            .find(|l| l.trim_start().starts_with("waiting"))
            .unwrap_or_default();
        assert!(waiting.ends_with("50.0 %"), "{text}");
    }
}
