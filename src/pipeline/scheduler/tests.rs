//! The scheduler against a fake translator, on tokio's paused clock: results, the
//! concurrency bound, the bound on answers neither journalled nor stored, stopping and
//! aborting, failing batches.

use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::backend::{KeyCheck, Limits, Translator};
use crate::lang::Lang;

/// Upper-cases each segment after a delay given in the text (`"a:30"` takes
/// 30 ms), counting calls and how many run at once. A segment `bad` fails its
/// batch; `fatal` refuses the key.
///
/// With a journal it also counts, whenever a request starts, what a crash at that
/// moment would lose: the requests running and the answers not yet journalled.
#[derive(Debug, Default)]
struct Fake {
    calls: AtomicUsize,
    running: AtomicUsize,
    most_running: AtomicUsize,
    answered: AtomicUsize,
    journal: OnceLock<Arc<Journal>>,
    most_at_risk: AtomicUsize,
    /// What its check of the key finds (`None`: it has none), and how often it ran.
    key: Option<KeyCheck>,
    key_checks: AtomicUsize,
    /// How long the check takes (1 ms when unset).
    key_check_takes: Option<Duration>,
}

#[async_trait]
impl Translator for Fake {
    fn name(&self) -> &str {
        "fake"
    }

    fn limits(&self) -> Limits {
        Limits {
            max_segments: 10,
            max_chars: 1000,
            keeps_tags: true,
            accepts_context: false,
        }
    }

    async fn check_key(&self) -> KeyCheck {
        self.key_checks.fetch_add(1, Ordering::SeqCst);
        let takes = self.key_check_takes.unwrap_or(Duration::from_millis(1));
        tokio::time::sleep(takes).await;
        self.key.clone().unwrap_or(KeyCheck::Unknown)
    }

    async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_running.fetch_max(now, Ordering::SeqCst);
        if let Some(journal) = self.journal.get() {
            let answered = self.answered.load(Ordering::SeqCst) as u64;
            let unjournalled = answered.saturating_sub(journal.written()) as usize;
            self.most_at_risk
                .fetch_max(now + unjournalled, Ordering::SeqCst);
        }
        let millis: u64 = batch
            .segments
            .iter()
            .filter_map(|s| s.text.split_once(':')?.1.parse::<u64>().ok())
            .sum();
        tokio::time::sleep(Duration::from_millis(millis.max(1))).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.answered.fetch_add(1, Ordering::SeqCst);
        let backend = "fake".to_owned();
        if batch.segments.iter().any(|s| s.text.starts_with("bad")) {
            return Err(BackendError::Server {
                backend,
                status: Some(500),
                message: "boom".to_owned(),
            });
        }
        if batch.segments.iter().any(|s| s.text.starts_with("fatal")) {
            return Err(BackendError::Auth {
                backend,
                message: "key refused".to_owned(),
            });
        }
        Ok(batch
            .segments
            .iter()
            .map(|s| s.text.to_uppercase())
            .collect())
    }
}

fn batch(texts: &[&str]) -> Batch {
    let vi = Lang::parse("vi").unwrap();
    Batch::of_texts(vi, Lang::parse("en").unwrap(), texts)
}

fn start(fake: &Arc<Fake>, concurrency: usize) -> Scheduler {
    let fake: Arc<dyn Translator> = Arc::clone(fake) as Arc<dyn Translator>;
    Scheduler::start(&Chain::new(vec![fake]), None, concurrency, None)
}

/// A scheduler whose slots journal their answers in `dir`.
fn start_journalled(fake: &Arc<Fake>, concurrency: usize, dir: &std::path::Path) -> Scheduler {
    let journal = Arc::new(Journal::create(&dir.join("memory.db")).unwrap());
    fake.journal.set(Arc::clone(&journal)).unwrap();
    let translator: Arc<dyn Translator> = Arc::clone(fake) as Arc<dyn Translator>;
    Scheduler::start(
        &Chain::new(vec![translator]),
        None,
        concurrency,
        Some(journal),
    )
}

/// Offers every batch as the queue takes them and collects what comes back, in
/// the order it comes back; each returned batch is dropped (its result "stored")
/// before the next is awaited, as the run stage does.
async fn send_all(
    scheduler: &mut Scheduler,
    batches: Vec<Batch>,
) -> Vec<(Batch, Option<BatchResult>)> {
    let mut to_offer = std::collections::VecDeque::from(batches);
    let mut back = Vec::new();
    loop {
        while let Some(batch) = to_offer.pop_front() {
            if let Err(batch) = scheduler.offer(batch) {
                to_offer.push_front(batch);
                break;
            }
        }
        if to_offer.is_empty() && scheduler.outstanding() == 0 {
            return back;
        }
        let returned = scheduler.next().await.expect("slots end only when closed");
        back.push((returned.batch, returned.result));
    }
}

fn texts(result: &Option<BatchResult>) -> Vec<Result<String, String>> {
    let results = result.as_ref().expect("sent").as_ref().expect("not fatal");
    results
        .iter()
        .map(|r| r.as_ref().map(|t| t.text.clone()).map_err(Clone::clone))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn each_batch_comes_back_with_its_own_results_in_segment_order() {
    let fake = Arc::new(Fake::default());
    let mut scheduler = start(&fake, 3);
    // The first request goes alone; then the slow batch is sent first of three
    // and comes back last.
    let batches = vec![
        batch(&["first:1"]),
        batch(&["a:50", "b:1"]),
        batch(&["c:5"]),
        batch(&["d:10", "e:1"]),
    ];
    let back = send_all(&mut scheduler, batches).await;
    let order: Vec<&str> = back.iter().map(|(b, _)| &*b.segments[0].text).collect();
    assert_eq!(order, ["first:1", "c:5", "d:10", "a:50"]);
    for (batch, result) in &back {
        let expected: Vec<Result<String, String>> = batch
            .segments
            .iter()
            .map(|s| Ok(s.text.to_uppercase()))
            .collect();
        assert_eq!(texts(result), expected);
    }
}

#[tokio::test(start_paused = true)]
async fn one_slot_returns_batches_in_the_order_they_were_queued() {
    let fake = Arc::new(Fake::default());
    let mut scheduler = start(&fake, 1);
    let batches = vec![
        batch(&["a:30"]),
        batch(&["b:1"]),
        batch(&["c:20"]),
        batch(&["d:1"]),
    ];
    let back = send_all(&mut scheduler, batches).await;
    let order: Vec<&str> = back.iter().map(|(b, _)| &*b.segments[0].text).collect();
    assert_eq!(order, ["a:30", "b:1", "c:20", "d:1"]);
}

#[tokio::test(start_paused = true)]
async fn no_more_than_concurrency_requests_run_at_once() {
    let fake = Arc::new(Fake::default());
    let mut scheduler = start(&fake, 3);
    let batches = (0..12).map(|_| batch(&["x:10"])).collect();
    let back = send_all(&mut scheduler, batches).await;
    assert_eq!(back.len(), 12);
    assert_eq!(fake.calls.load(Ordering::SeqCst), 12);
    assert_eq!(fake.most_running.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn a_slot_waits_until_the_returned_batch_is_stored() {
    let fake = Arc::new(Fake::default());
    let mut scheduler = start(&fake, 2);
    for text in ["a:1", "b:1", "c:1", "d:1"] {
        while scheduler.offer(batch(&[text])).is_err() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    // Two results held (not stored): the slots stay idle however long we wait.
    let first = scheduler.next().await.unwrap();
    let second = scheduler.next().await.unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
    drop((first, second));
    let third = scheduler.next().await.unwrap();
    assert!(third.result.is_some());
    assert!(fake.calls.load(Ordering::SeqCst) >= 3);
}

#[tokio::test(start_paused = true)]
async fn with_a_journal_a_slot_sends_again_before_the_returned_batch_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Arc::new(Fake::default());
    let mut scheduler = start_journalled(&fake, 2, dir.path());
    // Every result is held (not stored) to the end: the answers are in the journal,
    // so the slots go on, and never more than two answers are at risk.
    let mut held = Vec::new();
    for n in 0..12 {
        while scheduler.offer(batch(&[&format!("x{n}:10")])).is_err() {
            held.extend(scheduler.try_next());
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    while held.len() < 12 {
        held.push(scheduler.next().await.unwrap());
    }
    assert_eq!(fake.calls.load(Ordering::SeqCst), 12);
    assert_eq!(fake.most_running.load(Ordering::SeqCst), 2);
    assert!(
        held.iter()
            .all(|r| r.permit.is_none() && r.journalled.is_some())
    );
    assert_eq!(fake.journal.get().unwrap().written(), 12);
    let at_risk = fake.most_at_risk.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&at_risk),
        "{at_risk} answers at risk at once"
    );
}

#[tokio::test(start_paused = true)]
async fn with_a_journal_no_more_than_concurrency_answers_are_ever_at_risk() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Arc::new(Fake::default());
    let mut scheduler = start_journalled(&fake, 3, dir.path());
    let batches = (0..30)
        .map(|n| batch(&[&format!("x:{}", 1 + n % 7)]))
        .collect();
    let back = send_all(&mut scheduler, batches).await;
    assert_eq!(back.len(), 30);
    assert_eq!(fake.most_running.load(Ordering::SeqCst), 3);
    let at_risk = fake.most_at_risk.load(Ordering::SeqCst);
    assert!(
        (1..=3).contains(&at_risk),
        "{at_risk} answers at risk at once"
    );
}

#[tokio::test(start_paused = true)]
async fn after_stop_queued_batches_come_back_unsent_and_in_flight_ones_finish() {
    let fake = Arc::new(Fake::default());
    let mut scheduler = start(&fake, 2);
    let batches = vec![
        batch(&["a:10"]),
        batch(&["b:100"]),
        batch(&["c:1"]),
        batch(&["d:1"]),
    ];
    for b in batches {
        while scheduler.offer(b.clone()).is_err() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    // "a" alone first; then "b" is in flight with "c" or "d" when Ctrl-C comes.
    let a = scheduler.next().await.unwrap();
    assert_eq!(&*a.batch.segments[0].text, "a:10");
    drop(a);
    tokio::time::sleep(Duration::from_millis(5)).await;
    scheduler.stop();
    scheduler.close();
    let mut sent = Vec::new();
    let mut unsent = Vec::new();
    while let Some(returned) = scheduler.next().await {
        let text = returned.batch.segments[0].text.to_string();
        if returned.result.is_some() {
            sent.push(text)
        } else {
            unsent.push(text)
        }
    }
    assert!(
        sent.contains(&"b:100".to_owned()),
        "in flight finishes: {sent:?}"
    );
    assert!(!unsent.is_empty(), "queued ones come back unsent");
    assert_eq!(fake.calls.load(Ordering::SeqCst), 1 + sent.len());
    assert_eq!(scheduler.outstanding(), 0);
}

#[tokio::test(start_paused = true)]
async fn abort_abandons_requests_in_flight() {
    let fake = Arc::new(Fake::default());
    let mut scheduler = start(&fake, 1);
    assert!(scheduler.offer(batch(&["slow:10000"])).is_ok());
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(fake.running.load(Ordering::SeqCst), 1);
    scheduler.abort();
    assert!(scheduler.next().await.is_none(), "nothing comes back");
    assert_eq!(scheduler.offer(batch(&["late"])).map_err(|_| ()), Err(()));
}

#[tokio::test(start_paused = true)]
async fn a_failing_batch_fails_only_its_own_segments() {
    let fake = Arc::new(Fake::default());
    let mut scheduler = start(&fake, 2);
    let batches = vec![batch(&["a:1"]), batch(&["bad:5", "b:1"]), batch(&["c:10"])];
    let back = send_all(&mut scheduler, batches).await;
    assert_eq!(back.len(), 3);
    for (batch, result) in &back {
        let results = texts(result);
        if batch.segments[0].text.starts_with("bad") {
            assert_eq!(results.len(), 2);
            assert!(
                results
                    .iter()
                    .all(|r| r.as_ref().is_err_and(|e| e.contains("boom")))
            );
        } else {
            assert!(results.iter().all(Result::is_ok), "{results:?}");
        }
    }
    assert_eq!(fake.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn a_fatal_error_stops_every_slot_after_one_request() {
    let fake = Arc::new(Fake::default());
    let mut scheduler = start(&fake, 3);
    let batches = vec![batch(&["fatal:1"]), batch(&["a:1"]), batch(&["b:1"])];
    let back = send_all(&mut scheduler, batches).await;
    assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
    assert!(matches!(back[0].1, Some(Err(BackendError::Auth { .. }))));
    assert!(back[1..].iter().all(|(_, result)| result.is_none()));
}

/// Three batches of 50 ms through three slots of `fake`, on the paused clock: how
/// long until all are back, and the fake.
async fn three_batches(fake: Fake) -> (Duration, Arc<Fake>) {
    let fake = Arc::new(fake);
    let mut scheduler = start(&fake, 3);
    let started = tokio::time::Instant::now();
    let batches = vec![batch(&["a:50"]), batch(&["b:50"]), batch(&["c:50"])];
    let back = send_all(&mut scheduler, batches).await;
    assert_eq!(back.len(), 3);
    (started.elapsed(), fake)
}

#[tokio::test(start_paused = true)]
async fn an_accepted_key_starts_every_slot_at_once() {
    let (took, fake) = three_batches(Fake {
        key: Some(KeyCheck::Accepted),
        ..Fake::default()
    })
    .await;
    assert_eq!(fake.most_running.load(Ordering::SeqCst), 3);
    assert_eq!(fake.key_checks.load(Ordering::SeqCst), 1);
    // The check (1 ms) and one round of 50 ms.
    assert!(took < Duration::from_millis(60), "{took:?}");
    // Without a check the first batch goes alone: two rounds.
    let (took, fake) = three_batches(Fake::default()).await;
    assert!(took >= Duration::from_millis(100), "{took:?}");
    assert_eq!(fake.most_running.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_refused_key_stops_the_run_before_any_batch_is_sent() {
    let fake = Arc::new(Fake {
        key: Some(KeyCheck::Refused(BackendError::Auth {
            backend: "fake".to_owned(),
            message: "key refused".to_owned(),
        })),
        ..Fake::default()
    });
    let mut scheduler = start(&fake, 3);
    let batches = vec![batch(&["a:1"]), batch(&["b:1"]), batch(&["c:1"])];
    let back = send_all(&mut scheduler, batches).await;
    assert_eq!(fake.calls.load(Ordering::SeqCst), 0);
    assert_eq!(fake.key_checks.load(Ordering::SeqCst), 1);
    assert!(matches!(back[0].1, Some(Err(BackendError::Auth { .. }))));
    assert!(back[1..].iter().all(|(_, result)| result.is_none()));
}

#[tokio::test(start_paused = true)]
async fn a_check_of_the_key_that_hangs_holds_the_run_up_for_its_bound_only() {
    let (took, fake) = three_batches(Fake {
        key: Some(KeyCheck::Accepted),
        key_check_takes: Some(Duration::from_secs(600)),
        ..Fake::default()
    })
    .await;
    // Given up after the bound: the first batch alone, then the others.
    let bound = crate::backend::KEY_CHECK_WAIT;
    assert!(took >= bound + Duration::from_millis(100), "{took:?}");
    assert!(took < bound + Duration::from_secs(1), "{took:?}");
    assert_eq!(fake.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn with_nothing_to_send_no_key_is_checked() {
    let fake = Arc::new(Fake {
        key: Some(KeyCheck::Accepted),
        ..Fake::default()
    });
    let mut scheduler = start(&fake, 3);
    scheduler.close();
    // Time for slot 0 to find the queue closed (the others wait for a first answer
    // that never comes; the run drops them).
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(fake.key_checks.load(Ordering::SeqCst), 0);
    assert_eq!(fake.calls.load(Ordering::SeqCst), 0);
}

#[test]
fn a_gap_is_kept_to_the_microsecond_and_an_absurd_one_saturates() {
    let gap = Gap::new(Duration::from_micros(1500), Duration::from_millis(4));
    assert_eq!(
        (gap.to_permit(), gap.total()),
        (Duration::from_micros(1500), Duration::from_millis(4))
    );
    // A clock gone wrong cannot wrap the report round to a small number.
    let absurd = Gap::new(Duration::from_secs(u64::MAX), Duration::ZERO);
    assert_eq!(
        absurd.to_permit(),
        Duration::from_micros(u64::from(u32::MAX))
    );
}
