//! The request slots: `concurrency` tasks that each take the next queued batch the
//! moment their request ends, so a slot never waits for the planning loop.
//!
//! Invariants: at most `concurrency` batches are ever sent and not yet committed (a
//! slot's permit comes back only when the planning loop has stored its result), so a
//! crash loses at most that many; the first request of a run goes alone, and a fatal
//! error stops every slot, so a wrong key costs one request.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::backend::{Batch, Chain};

use super::run::BatchResult;

/// Batches queued ahead of the request slots.
const LOOKAHEAD: usize = 2;

/// What a slot hands back: the batch and its result, or no result when the run had
/// stopped before the batch was sent, and the slot's permit, released once the result
/// is committed — so no more than `concurrency` batches are ever sent and not yet
/// committed (what a crash can lose).
pub(super) type SlotResult = (
    Batch,
    Option<BatchResult>,
    tokio::sync::OwnedSemaphorePermit,
);

/// The request slots: `concurrency` tasks that each take the next queued batch the
/// moment their request ends, so a slot never waits for the planning loop.
pub(super) struct Slots {
    queue: Option<tokio::sync::mpsc::Sender<Batch>>,
    pub(super) results: tokio::sync::mpsc::UnboundedReceiver<SlotResult>,
    stopped: Arc<AtomicBool>,
    workers: Vec<tokio::task::JoinHandle<()>>,
    /// Batches queued or in flight whose result has not come back.
    pub(super) outstanding: usize,
}

impl Slots {
    pub(super) fn start(chain: &Chain, concurrency: usize) -> Slots {
        let (queue, receiver) = tokio::sync::mpsc::channel::<Batch>(LOOKAHEAD);
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        let (sender, results) = tokio::sync::mpsc::unbounded_channel();
        let stopped = Arc::new(AtomicBool::new(false));
        // The first request goes alone: a wrong key or an exhausted quota then costs
        // one refused request, not one per slot.
        let (open, opened) = tokio::sync::watch::channel(false);
        let open = Arc::new(open);
        let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
        let workers = (0..concurrency)
            .map(|slot| {
                let chain = chain.clone();
                let receiver = Arc::clone(&receiver);
                let sender = sender.clone();
                let stopped = Arc::clone(&stopped);
                let open = Arc::clone(&open);
                let mut opened = opened.clone();
                let permits = Arc::clone(&permits);
                tokio::spawn(async move {
                    if slot > 0 && opened.wait_for(|open| *open).await.is_err() {
                        return;
                    }
                    loop {
                        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                            break;
                        };
                        let next = receiver.lock().await.recv().await;
                        let Some(batch) = next else { break };
                        let result = if stopped.load(Ordering::SeqCst) {
                            None
                        } else {
                            let result = chain.translate(&batch).await;
                            // A fatal error (bad key, quota) stops the other slots at
                            // once: not one more request is paid for or refused.
                            if result.is_err() {
                                stopped.store(true, Ordering::SeqCst);
                            }
                            open.send_replace(true);
                            Some(result)
                        };
                        if sender.send((batch, result, permit)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        Slots {
            queue: Some(queue),
            results,
            stopped,
            workers,
            outstanding: 0,
        }
    }

    /// Queues a batch, or gives it back when the queue is full.
    #[expect(
        clippy::result_large_err,
        reason = "the batch is handed back to be queued later, not an error to propagate"
    )]
    pub(super) fn offer(&mut self, batch: Batch) -> Result<(), Batch> {
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

    /// Queued batches come back unsent from now on; requests in flight go on.
    pub(super) fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
    }

    /// No more batches: the slots end when the queue is empty.
    pub(super) fn close(&mut self) {
        self.queue = None;
    }

    /// Abandons the requests still in flight.
    pub(super) fn abort(&mut self) {
        self.close();
        for worker in &self.workers {
            worker.abort();
        }
    }
}
