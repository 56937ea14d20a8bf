//! The scheduler: `concurrency` request slots, tasks that each take the next queued
//! batch the moment their request ends, so a slot never waits for the planning loop.
//!
//! Invariants: at most `concurrency` batches are ever sent and neither journalled nor
//! committed, so a crash loses at most that many. A slot appends its answer to the
//! [`Journal`] and sends its next request at once; without a journal, or when the
//! append fails, its permit comes back only when the caller drops
//! [`Returned::permit`], after committing the result (issue 15: waiting for the
//! commit cost each slot ~1.4 ms per request). The first request of a run goes alone,
//! and a fatal error stops every slot, so a wrong key costs one request.
//!
//! Each slot counts the time it has a request in flight, and the gap between an answer
//! and its next request (`--timings`).

use super::gate::{self, Gate};
use super::journal::{Journal, Ticket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex as StdMutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore, mpsc, watch};

use crate::backend::BackendError;
use crate::backend::{Batch, Chain, Translated};

/// Batches queued ahead of each request slot. Slots that no longer wait for the
/// loop's commit (the [`Journal`]) end their gaps waiting for a batch instead, so the
/// queue must outlast the loop's longest pause: a commit that crosses SQLite's
/// automatic checkpoint takes 30–65 ms, about one request. With one batch per slot
/// the longest gaps were 14–25 ms, with two 3–7 ms (issue 15; figures in
/// docs/benchmarks.md).
const LOOKAHEAD_PER_SLOT: usize = 2;

/// What the backend chain made of a batch: per segment its translation or why it
/// failed, or a fatal error for the whole run.
pub(crate) type BatchResult = Result<Vec<Result<Translated, String>>, BackendError>;

/// A batch back from a slot.
#[derive(Debug)]
pub(crate) struct Returned {
    /// The batch as it was queued.
    pub(crate) batch: Batch,
    /// Its result; `None` when the scheduler had stopped before the batch was sent
    /// (never sent, so never paid for).
    pub(crate) result: Option<BatchResult>,
    /// Whether the batch went to the backend: not when the run had stopped first, nor
    /// when the check of the key refused it (then `result` holds the refusal).
    pub(crate) sent: bool,
    /// The slot's permit when the answer is not in the journal: the slot takes no
    /// new batch until this is dropped, i.e. until the result is committed.
    pub(crate) permit: Option<OwnedSemaphorePermit>,
    /// Where the answer was journalled: count it there once committed.
    pub(crate) journalled: Option<Ticket>,
    /// When the answer came (`--timings`: how long the loop took to commit it).
    pub(crate) answered: Instant,
}

/// One slot's idle time between an answer and its next request (`--timings`), in
/// microseconds: one is kept per request of the run, so 8 bytes each rather than two
/// `Duration`s' 32 (100,000 articles send about 100,000 requests; issue 15, memory).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Gap {
    to_permit_us: u32,
    total_us: u32,
}

impl Gap {
    fn new(to_permit: Duration, total: Duration) -> Gap {
        let us = |d: Duration| u32::try_from(d.as_micros()).unwrap_or(u32::MAX);
        Gap {
            to_permit_us: us(to_permit),
            total_us: us(total),
        }
    }

    /// From the answer until the slot held a permit again (the result committed and
    /// the slot task woken).
    pub(crate) fn to_permit(self) -> Duration {
        Duration::from_micros(u64::from(self.to_permit_us))
    }

    /// From the answer until the next request went out (the rest waited for a batch).
    pub(crate) fn total(self) -> Duration {
        Duration::from_micros(u64::from(self.total_us))
    }
}

/// When the slots were busy (`--timings`).
#[derive(Default)]
struct Busy {
    /// Nanoseconds in flight, per slot.
    slots: Vec<AtomicU64>,
    /// When the first request went out.
    first: OnceLock<Instant>,
    /// When the latest request ended.
    last: StdMutex<Option<Instant>>,
    /// Every slot's gaps between an answer and its next request.
    gaps: StdMutex<Vec<Gap>>,
}

/// How busy the slots were: per slot the time a request was in flight, and when the
/// first request went out and the last one ended.
#[derive(Debug, Clone, Default)]
pub(crate) struct SlotTimes {
    pub(crate) busy: Vec<Duration>,
    pub(crate) first: Option<Instant>,
    pub(crate) last: Option<Instant>,
    pub(crate) gaps: Vec<Gap>,
}

/// The request slots and the queue in front of them.
pub(crate) struct Scheduler {
    queue: Option<mpsc::Sender<Batch>>,
    results: mpsc::UnboundedReceiver<Returned>,
    stopped: Arc<AtomicBool>,
    workers: Vec<tokio::task::JoinHandle<()>>,
    /// Batches queued or in flight whose result has not come back.
    outstanding: usize,
    busy: Arc<Busy>,
}

/// What every slot shares.
#[derive(Clone)]
struct SlotShared {
    chain: Chain,
    /// The QA gate every answer passes (none when `[qa] enabled = false`).
    gate: Option<Gate>,
    queue: Arc<Mutex<mpsc::Receiver<Batch>>>,
    results: mpsc::UnboundedSender<Returned>,
    stopped: Arc<AtomicBool>,
    /// Set after the first request: the other slots start then.
    first_done: Arc<watch::Sender<bool>>,
    permits: Arc<Semaphore>,
    busy: Arc<Busy>,
    /// Where answers go before the slot sends again (none: the slot waits for the
    /// commit).
    journal: Option<Arc<Journal>>,
}

impl Scheduler {
    /// Starts `concurrency` slots (at least one) sending batches through `chain`,
    /// journalling answers in `journal` when there is one.
    pub(crate) fn start(
        chain: &Chain,
        gate: Option<Gate>,
        concurrency: usize,
        journal: Option<Arc<Journal>>,
    ) -> Scheduler {
        let concurrency = concurrency.max(1);
        let (queue, receiver) = mpsc::channel::<Batch>(LOOKAHEAD_PER_SLOT * concurrency);
        let (sender, results) = mpsc::unbounded_channel();
        let stopped = Arc::new(AtomicBool::new(false));
        // The first request goes alone: a wrong key or an exhausted quota then costs
        // one refused request, not one per slot.
        let (first_done, _) = watch::channel(false);
        let busy = Arc::new(Busy {
            slots: (0..concurrency).map(|_| AtomicU64::new(0)).collect(),
            ..Busy::default()
        });
        let shared = SlotShared {
            chain: chain.clone(),
            gate,
            queue: Arc::new(Mutex::new(receiver)),
            results: sender,
            stopped: Arc::clone(&stopped),
            first_done: Arc::new(first_done),
            permits: Arc::new(Semaphore::new(concurrency)),
            busy: Arc::clone(&busy),
            journal,
        };
        let workers = (0..concurrency)
            .map(|slot| tokio::spawn(run_slot(slot, shared.clone())))
            .collect();
        Scheduler {
            queue: Some(queue),
            results,
            stopped,
            workers,
            outstanding: 0,
            busy,
        }
    }

    /// How busy the slots were; the gaps are handed over, not copied (asked once, at
    /// the end of the run).
    pub(crate) fn slot_times(&self) -> SlotTimes {
        SlotTimes {
            busy: (self.busy.slots.iter())
                .map(|nanos| Duration::from_nanos(nanos.load(Ordering::Relaxed)))
                .collect(),
            first: self.busy.first.get().copied(),
            last: self.busy.last.lock().ok().and_then(|last| *last),
            gaps: (self.busy.gaps.lock())
                .map_or_else(|_| Vec::new(), |mut gaps| std::mem::take(&mut *gaps)),
        }
    }

    /// Queues a batch, or gives it back when the queue is full or closed.
    #[expect(
        clippy::result_large_err,
        reason = "the batch is handed back to be queued later, not an error to propagate"
    )]
    pub(crate) fn offer(&mut self, batch: Batch) -> Result<(), Batch> {
        let Some(queue) = &self.queue else {
            return Err(batch);
        };
        match queue.try_send(batch) {
            Ok(()) => {
                self.outstanding += 1;
                Ok(())
            }
            Err(e) => Err(e.into_inner()),
        }
    }

    /// Batches queued or in flight whose result has not come back.
    pub(crate) fn outstanding(&self) -> usize {
        self.outstanding
    }

    /// A returned batch if one is ready, without waiting.
    pub(crate) fn try_next(&mut self) -> Option<Returned> {
        let returned = self.results.try_recv().ok()?;
        self.outstanding -= 1;
        Some(returned)
    }

    /// The next returned batch; `None` once every slot has ended. Cancel-safe.
    pub(crate) async fn next(&mut self) -> Option<Returned> {
        let returned = self.results.recv().await?;
        self.outstanding -= 1;
        Some(returned)
    }

    /// Queued batches come back unsent from now on; requests in flight go on.
    pub(crate) fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
    }

    /// No more batches: the slots end when the queue is empty.
    pub(crate) fn close(&mut self) {
        self.queue = None;
    }

    /// Abandons the requests still in flight.
    pub(crate) fn abort(&mut self) {
        self.close();
        for worker in &self.workers {
            worker.abort();
        }
    }
}

/// Checks the chain's key before the first request ([`Chain::check_key`]): accepted,
/// the other slots start now rather than after the first batch's answer (one round of
/// the service's latency at the start of every run). The refusal that ends the run,
/// if any; it becomes the first batch's result.
async fn check_key(shared: &SlotShared) -> Option<BackendError> {
    match shared.chain.check_key().await {
        Ok(true) => {
            shared.first_done.send_replace(true);
            None
        }
        Ok(false) => None,
        Err(refused) => Some(refused),
    }
}

/// One slot: takes the next batch once it holds a permit, sends it, hands it back.
async fn run_slot(slot: usize, shared: SlotShared) {
    if slot > 0 {
        let mut first_done = shared.first_done.subscribe();
        if first_done.wait_for(|done| *done).await.is_err() {
            return;
        }
    }
    // When this slot's latest answer came: the gap to its next request is timed.
    let mut answered: Option<Instant> = None;
    // Slot 0 checks the key once, before the run's first request (and only when there
    // is a batch to send: a run with nothing to do sends nothing).
    let mut key_unchecked = slot == 0;
    loop {
        let Ok(permit) = Arc::clone(&shared.permits).acquire_owned().await else {
            break;
        };
        let permitted = Instant::now();
        let next = shared.queue.lock().await.recv().await;
        let Some(batch) = next else { break };
        let refused = if std::mem::take(&mut key_unchecked) {
            check_key(&shared).await
        } else {
            None
        };
        let stopped = shared.stopped.load(Ordering::SeqCst);
        let (result, sent) = match refused {
            _ if stopped => (None, false),
            // The check's refusal is the batch's result: it was not sent.
            Some(refused) => (Some(Err(refused)), false),
            None => {
                let result = send(slot, &shared, &batch, permitted, &mut answered).await;
                (Some(result), true)
            }
        };
        if let Some(result) = &result {
            // A fatal error (bad key, quota) stops the other slots at once: not one
            // more request is paid for or refused.
            if result.is_err() {
                shared.stopped.store(true, Ordering::SeqCst);
            }
            shared.first_done.send_replace(true);
        }
        // Journalled, the answer is as safe as committed: the slot goes on.
        let journalled = match (&shared.journal, &result) {
            (Some(journal), Some(Ok(results))) => journal.append(&batch, results),
            _ => None,
        };
        let permit = match journalled {
            Some(_) => {
                drop(permit);
                None
            }
            None => Some(permit),
        };
        let returned = Returned {
            batch,
            result,
            sent,
            permit,
            journalled,
            answered: Instant::now(),
        };
        if shared.results.send(returned).is_err() {
            break;
        }
    }
}

/// Sends `batch` on `slot`, timing it: the gap since the slot's previous answer
/// (`answered`, then set to this one's) and the time in flight.
async fn send(
    slot: usize,
    shared: &SlotShared,
    batch: &Batch,
    permitted: Instant,
    answered: &mut Option<Instant>,
) -> BatchResult {
    let sending = Instant::now();
    shared.busy.first.get_or_init(|| sending);
    if let Some(answered) = *answered {
        shared.busy.gap(answered, permitted, sending);
    }
    let result = gate::translate(&shared.chain, shared.gate.as_ref(), batch).await;
    let done = Instant::now();
    *answered = Some(done);
    shared.busy.in_flight(slot, sending, done);
    result
}

impl Busy {
    /// Counts a request in flight from `sending` to `done` on `slot`.
    fn in_flight(&self, slot: usize, sending: Instant, done: Instant) {
        let nanos = u64::try_from((done - sending).as_nanos()).unwrap_or(u64::MAX);
        if let Some(busy) = self.slots.get(slot) {
            busy.fetch_add(nanos, Ordering::Relaxed);
        }
        if let Ok(mut last) = self.last.lock() {
            *last = Some(done);
        }
    }

    /// Counts a slot's gap: answered, permitted again, sending the next request.
    fn gap(&self, answered: Instant, permitted: Instant, sending: Instant) {
        let gap = Gap::new(
            permitted.saturating_duration_since(answered),
            sending.saturating_duration_since(answered),
        );
        if let Ok(mut gaps) = self.gaps.lock() {
            gaps.push(gap);
        }
    }
}

#[cfg(test)]
mod tests;
