//! Segments another process is translating (issue 16): with a shared memory, a run
//! claims the segments it is about to send ([`Memory::claim`]); those another live
//! process holds are waited for here, polled with backoff, and either arrive in the
//! memory (paid once, by the holder) or, when the holder died and its lease expired,
//! are claimed and sent by this run.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::lang::Lang;
use crate::memory::{Memory, MemoryError};

/// The first wait between polls; doubled while nothing arrives, up to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::from_millis(50);
/// The longest wait between polls.
const MAX_WAIT: Duration = Duration::from_secs(1);

/// A segment to send: its memory key (the planned segment's, shared) and its context.
pub(super) type ToSend = (Arc<str>, Option<String>);

/// A segment waited for: language, memory key, the context it would be sent with.
pub(super) type Held = (Lang, Arc<str>, Option<String>);

/// What a poll found.
#[derive(Default)]
pub(super) struct Polled {
    /// Arrived in the memory: (language, keys).
    pub(super) arrived: Vec<(Lang, Vec<Arc<str>>)>,
    /// Now this run's to send: their holder's lease expired.
    pub(super) taken_over: Vec<Held>,
}

/// The segments this run waits for because another process holds them.
pub(super) struct Elsewhere {
    held: Vec<Held>,
    wait: Duration,
    next: Instant,
}

impl Default for Elsewhere {
    fn default() -> Self {
        Elsewhere {
            held: Vec::new(),
            wait: FIRST_WAIT,
            next: Instant::now(),
        }
    }
}

impl Elsewhere {
    /// Claims `wanted` of `target` for this run: returns those to send now; the rest
    /// are held by another process and waited for. Without a shared memory every
    /// segment is this run's.
    pub(super) fn claim(
        &mut self,
        memory: &mut Memory,
        source: &Lang,
        target: &Lang,
        wanted: Vec<ToSend>,
    ) -> Result<Vec<ToSend>, MemoryError> {
        if !memory.is_shared() || wanted.is_empty() {
            return Ok(wanted);
        }
        let texts: Vec<&str> = wanted.iter().map(|(key, _)| &**key).collect();
        let claimed: std::collections::HashSet<&str> =
            memory.claim(source, target, &texts)?.into_iter().collect();
        let is_mine: Vec<bool> = texts.iter().map(|key| claimed.contains(key)).collect();
        let (mine, theirs): (Vec<_>, Vec<_>) =
            wanted.into_iter().zip(is_mine).partition(|(_, mine)| *mine);
        let mine = mine.into_iter().map(|(wanted, _)| wanted).collect();
        let theirs: Vec<ToSend> = theirs.into_iter().map(|(wanted, _)| wanted).collect();
        if !theirs.is_empty() && self.held.is_empty() {
            self.wait = FIRST_WAIT;
            self.next = Instant::now() + self.wait;
        }
        self.held.extend(
            theirs
                .into_iter()
                .map(|(key, context)| (target.clone(), key, context)),
        );
        Ok(mine)
    }

    /// Whether any segment is waited for.
    pub(super) fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Whether polls are due at all: segments are waited for, or this run's claims
    /// in a shared memory need renewing.
    pub(super) fn needs_polling(&self, memory: &Memory) -> bool {
        !self.held.is_empty() || memory.renew_every().is_some()
    }

    /// When the next poll is due.
    pub(super) fn due(&self) -> Instant {
        self.next
    }

    /// Every segment waited for, given up (the run stops).
    pub(super) fn drain(&mut self) -> Vec<Held> {
        std::mem::take(&mut self.held)
    }

    /// Looks again: renews this run's own claims, then for each segment waited for,
    /// whether it arrived in the memory, or its claim expired and is now this run's.
    pub(super) fn poll(
        &mut self,
        memory: &mut Memory,
        source: &Lang,
    ) -> Result<Polled, MemoryError> {
        memory.renew_claims()?;
        let mut polled = Polled::default();
        let mut still = Vec::new();
        for (target, key, context) in std::mem::take(&mut self.held) {
            if memory.segment(source, &target, &key)?.is_some() {
                match polled.arrived.iter_mut().find(|(t, _)| *t == target) {
                    Some((_, keys)) => keys.push(key),
                    None => polled.arrived.push((target, vec![key])),
                }
            } else if memory.claim(source, &target, &[&*key])?.is_empty() {
                still.push((target, key, context));
            } else {
                polled.taken_over.push((target, key, context));
            }
        }
        let progress = !polled.arrived.is_empty() || !polled.taken_over.is_empty();
        self.held = still;
        self.wait = if progress {
            FIRST_WAIT
        } else {
            (self.wait * 2).min(MAX_WAIT)
        };
        // With nothing to wait for, the poll only keeps this run's own claims alive
        // (a request slowed by retries must not lose its segments to another run).
        let wait = match (self.held.is_empty(), memory.renew_every()) {
            (true, Some(every)) => every,
            _ => self.wait,
        };
        self.next = Instant::now() + wait;
        Ok(polled)
    }
}
