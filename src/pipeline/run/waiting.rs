//! Which segments of this run are still on their way (queued or in flight), which
//! failed and why, and which jobs wait for which segments.
//!
//! This is what sends a segment once per language however many jobs need it: a second
//! job that needs a segment on its way waits for it instead of sending it again.
//!
//! A waiting job also holds the translations of its segments as they become known (the
//! memory's hits found while planning, the answers of returned batches), so that it is
//! assembled without reading them back from the memory (issue 15): what is held is
//! bounded by the jobs in flight.

use std::collections::BTreeMap;
use std::sync::Arc;

// Keyed by segment text, hashed with foldhash rather than SipHash: every segment of a
// run goes through these maps and sets, and SipHash over its text was 3 % of the run
// loop's time. The keys are the project's own text, not a stranger's input to defend
// against flooding; foldhash's seed is random all the same.
use foldhash::{HashMap, HashSet};

use crate::backend::Batch;
use crate::lang::Lang;
use crate::memory::Entry;

use crate::pipeline::plan::Job;
use crate::pipeline::render::Entries;
pub(super) use crate::pipeline::render::worth_holding;

/// A segment of one target language: the language and the segment's memory key.
/// The key is the planned segment's own, shared: every list here names a segment
/// without copying its text (issue 10, item 14).
pub(super) type Key = (Lang, Arc<str>);

/// A job waiting for segments, and the first reason it cannot be completed.
pub(super) struct WaitingJob {
    pub(super) job: Job,
    keys: HashSet<Arc<str>>,
    pub(super) failure: Option<String>,
    /// The translations of its segments known so far, by segment key.
    pub(super) held: Entries,
}

impl WaitingJob {
    /// A job waiting for the segments `keys`, or already failed for `failure`; `held`
    /// are the translations of its other segments, found in the memory.
    pub(super) fn new(
        job: Job,
        keys: Vec<Arc<str>>,
        failure: Option<String>,
        held: Entries,
    ) -> Self {
        WaitingJob {
            job,
            keys: keys.into_iter().collect(),
            failure,
            held,
        }
    }

    /// Waits for no segment.
    pub(super) fn is_ready(&self) -> bool {
        self.keys.is_empty()
    }
}

/// What became of a segment in this run so far.
pub(super) enum Seen {
    /// It failed, for this reason; not sent again.
    Failed(String),
    /// Queued or in flight.
    OnItsWay,
    /// Not sent in this run.
    NotSent,
}

/// Segments on their way or failed, and the jobs waiting for them.
#[derive(Default)]
pub(super) struct Waiting {
    on_its_way: HashSet<Key>,
    failed: HashMap<Key, String>,
    /// Parked jobs, by the order they were parked in.
    jobs: BTreeMap<u64, WaitingJob>,
    /// The parked jobs waiting for each segment: a returned batch looks up only the
    /// jobs it completes, not every parked job for every segment (issue 15).
    waiters: HashMap<Key, Vec<u64>>,
    /// The number of the next parked job.
    parked: u64,
}

impl Waiting {
    /// What became of the segment `key` to `target`.
    pub(super) fn seen(&self, target: &Lang, key: &Arc<str>) -> Seen {
        let key = (target.clone(), Arc::clone(key));
        if let Some(reason) = self.failed.get(&key) {
            Seen::Failed(reason.clone())
        } else if self.on_its_way.contains(&key) {
            Seen::OnItsWay
        } else {
            Seen::NotSent
        }
    }

    /// The segment is queued to be sent.
    pub(super) fn sending(&mut self, target: &Lang, key: &Arc<str>) {
        self.on_its_way.insert((target.clone(), Arc::clone(key)));
    }

    /// Parks a job until its segments come back.
    pub(super) fn park(&mut self, job: WaitingJob) {
        let id = self.parked;
        self.parked += 1;
        for key in &job.keys {
            let key = (job.job.target.clone(), Arc::clone(key));
            self.waiters.entry(key).or_default().push(id);
        }
        self.jobs.insert(id, job);
    }

    /// A batch came back: each segment arrived, or failed with its reason. The jobs
    /// waiting for a segment keep its translation where `translations` has it (by
    /// index in the batch; none for what another process translated). Returns the jobs
    /// that no longer wait for anything, in the order they were parked.
    pub(super) fn arrived(
        &mut self,
        batch: &Batch,
        translations: &[Option<Entry>],
        failures: impl IntoIterator<Item = (usize, String)>,
    ) -> Vec<WaitingJob> {
        let target = &batch.target;
        for (i, reason) in failures {
            let key = (target.clone(), Arc::clone(&batch.segments[i].text));
            self.failed.insert(key, reason);
        }
        let mut ready = Vec::new();
        for (i, segment) in batch.segments.iter().enumerate() {
            let key = (target.clone(), Arc::clone(&segment.text));
            self.on_its_way.remove(&key);
            let Some(ids) = self.waiters.remove(&key) else {
                continue;
            };
            let failure = self.failed.get(&key);
            for id in ids {
                let Some(waiting) = self.jobs.get_mut(&id) else {
                    continue;
                };
                waiting.keys.remove(&segment.text);
                if let Some(Some(entry)) = translations.get(i)
                    && worth_holding(entry)
                {
                    waiting
                        .held
                        .insert(Arc::clone(&segment.text), entry.clone());
                }
                if let Some(reason) = failure {
                    waiting.failure.get_or_insert_with(|| reason.clone());
                }
                if waiting.is_ready() {
                    ready.push(id);
                }
            }
        }
        ready.sort_unstable();
        ready
            .into_iter()
            .filter_map(|id| self.jobs.remove(&id))
            .collect()
    }

    /// Segments that will never be sent (the run stopped) fail with `reason`.
    pub(super) fn never_sent(&mut self, keys: impl IntoIterator<Item = Key>, reason: &str) {
        for key in keys {
            self.on_its_way.remove(&key);
            self.failed.insert(key, reason.to_owned());
        }
    }

    /// Every job still waiting, failed with `reason` unless it already failed.
    /// The sources of the parked jobs, relative to the project root.
    pub(super) fn sources(&self) -> impl Iterator<Item = &str> {
        self.jobs
            .values()
            .map(|waiting| waiting.job.source_rel.as_str())
    }

    pub(super) fn give_up(&mut self, reason: &str) -> Vec<WaitingJob> {
        self.waiters.clear();
        let mut jobs: Vec<WaitingJob> = std::mem::take(&mut self.jobs).into_values().collect();
        for waiting in &mut jobs {
            waiting.failure.get_or_insert_with(|| reason.to_owned());
        }
        jobs
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::content::Document;
    use crate::pipeline::plan::JobDoc;

    fn en() -> Lang {
        Lang::parse("en").unwrap()
    }

    fn job(rel: &str, target: Lang) -> Job {
        let doc = Document::parse(Path::new("bai.md"), b"Xin chao.\n", &[]).unwrap();
        Job {
            target,
            out_path: rel.into(),
            rel: rel.to_owned(),
            source_rel: "bai.md".to_owned(),
            doc: JobDoc::Article(Arc::new(doc)),
            units: Vec::new(),
            keys: Vec::new(),
            reviews: Vec::new(),
            proposals: Vec::new(),
            back_up_first: false,
            why: (crate::pipeline::report::Why::Missing, None),
            room: crate::pipeline::plan::Room::default(),
        }
    }

    fn keys(texts: &[&str]) -> Vec<Arc<str>> {
        texts.iter().map(|t| Arc::from(*t)).collect()
    }

    fn key(text: &str) -> Arc<str> {
        Arc::from(text)
    }

    #[test]
    fn jobs_waiting_for_the_same_segment_all_learn_of_its_failure() {
        let mut waiting = Waiting::default();
        waiting.sending(&en(), &key("một"));
        waiting.sending(&en(), &key("hai"));
        waiting.park(WaitingJob::new(
            job("a.en.md", en()),
            keys(&["một", "hai"]),
            None,
            Entries::default(),
        ));
        waiting.park(WaitingJob::new(
            job("b.en.md", en()),
            keys(&["một"]),
            None,
            Entries::default(),
        ));
        assert!(matches!(waiting.seen(&en(), &key("một")), Seen::OnItsWay));

        let batch = Batch::of_texts(Lang::parse("vi").unwrap(), en(), &["một"]);
        let done = waiting.arrived(&batch, &[], [(0, "boom".to_owned())]);
        let done: Vec<(&str, Option<&str>)> = done
            .iter()
            .map(|w| (w.job.rel.as_str(), w.failure.as_deref()))
            .collect();
        assert_eq!(done, [("b.en.md", Some("boom"))]);
        assert!(
            matches!(waiting.seen(&en(), &key("một")), Seen::Failed(reason) if reason == "boom")
        );

        let batch = Batch::of_texts(Lang::parse("vi").unwrap(), en(), &["hai"]);
        let done = waiting.arrived(&batch, &[], []);
        assert_eq!(done.len(), 1);
        assert_eq!(
            done[0].failure.as_deref(),
            Some("boom"),
            "an earlier failed segment still fails the job"
        );
        assert!(matches!(waiting.seen(&en(), &key("hai")), Seen::NotSent));
    }

    #[test]
    fn a_job_keeps_the_translations_that_arrive_for_it() {
        let mut waiting = Waiting::default();
        waiting.sending(&en(), &key("một"));
        waiting.sending(&en(), &key("hai"));
        let hit = Entry {
            translation: "three".to_owned(),
            origin: crate::memory::Origin::Human,
            backend: String::new(),
        };
        let held = Entries::from_iter([(key("ba"), hit)]);
        waiting.park(WaitingJob::new(
            job("a.en.md", en()),
            keys(&["một", "hai"]),
            None,
            held,
        ));
        let one = Entry {
            translation: "one".to_owned(),
            origin: crate::memory::Origin::Machine,
            backend: "deepl".to_owned(),
        };
        let batch = Batch::of_texts(Lang::parse("vi").unwrap(), en(), &["một", "hai"]);
        let done = waiting.arrived(&batch, &[Some(one), None], []);
        assert_eq!(done.len(), 1);
        let mut held: Vec<(&str, &str)> = done[0]
            .held
            .iter()
            .map(|(key, entry)| (&**key, entry.translation.as_str()))
            .collect();
        held.sort_unstable();
        // "hai" came from elsewhere (no translation given): assembly reads it.
        assert_eq!(held, [("ba", "three"), ("một", "one")]);
    }

    #[test]
    fn a_batch_of_another_language_does_not_complete_a_job() {
        let mut waiting = Waiting::default();
        waiting.sending(&en(), &key("một"));
        waiting.park(WaitingJob::new(
            job("a.en.md", en()),
            keys(&["một"]),
            None,
            Entries::default(),
        ));
        let ko = Lang::parse("ko").unwrap();
        let batch = Batch::of_texts(Lang::parse("vi").unwrap(), ko, &["một"]);
        assert!(waiting.arrived(&batch, &[], []).is_empty());
        let left = waiting.give_up("interrupted");
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].failure.as_deref(), Some("interrupted"));
    }
}
