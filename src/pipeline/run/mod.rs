//! The run stage, the one concurrent stage: sources are planned while batches of
//! segments go to the backend chain through the [`Scheduler`], and every returned batch
//! is committed to the memory before its request slot sends again.
//!
//! Group commits (issue 15): the results that come back, and the files written
//! meanwhile, are stored in one transaction, committed every [`GROUP_SPAN`] while
//! their answers are in the [`Journal`], at once otherwise. A slot sends again once
//! its answer is in the journal (or, when it could not be journalled, once the commit
//! released its permit), so at most `concurrency` batches are ever sent and neither
//! journalled nor committed — what a crash can lose, as with one transaction per
//! batch; the next run replays the journal. Jobs a result completes are rendered once
//! it is committed or journalled, so no file reaches the disk before its segments are
//! in the memory or the journal. The loop never blocks: parsed sources, results and
//! finished writes are all awaited together.
//!
//! Memory stays flat in the number of articles: sources are parsed a few ahead (on a
//! thread of their own) and planned only while no full batch waits for a request
//! slot and few rendered files wait for the writer, so the jobs held are those waiting
//! on batches queued or in flight. The same segment is sent once per language: keys
//! on their way are waited for ([`waiting`]), and keys already translated come from
//! the memory.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::OwnedSemaphorePermit;

use crate::backend::{Batch, Chain, Segment, Translated};
use crate::fs::FsError;
use crate::lang::Lang;
use crate::memory::{Entry, Memory, MemoryError, NewEntry, Origin};
use crate::qa;

use super::batching::Batcher;
use super::gate::{self, Gate};
use super::journal::{self, Journal, Ticket};
use super::plan::{self, Job, JobDoc, Next, ParsedSource, PlanSettings, ReadAhead, Source};
use super::progress::Progress;
use super::render::{self, Entries, Prepared, RenderedFile};
use super::report::{PlannedFile, Report};
use super::scheduler::{BatchResult, Returned, Scheduler};
use super::timings::Timings;
use super::writer::{self, Done, FileToWrite, SourceText, WriteError, Writer, Written};

mod elsewhere;
mod waiting;

use elsewhere::Elsewhere;
use waiting::{Seen, Waiting, WaitingJob};

/// How long in-flight requests may finish after Ctrl-C before they are abandoned.
const INTERRUPT_GRACE: Duration = Duration::from_secs(5);

/// How long a group of journalled answers and file records may stay open before it
/// commits (see [`Runner::commit_due`]). A crash loses nothing more for it: the
/// answers are in the journal, and a file's record is only a shortcut. At 200 ms
/// rather than 50, a run of 1,000 articles commits 31 groups instead of 110–123, and
/// each rewrites the pages of the segments' index it touches (random hashes) once:
/// the same time committing with the smaller WAL below (`memory::sqlite`).
const GROUP_SPAN: Duration = Duration::from_millis(200);

/// Answers a group holds at most before it commits, however fast they come (the
/// offline backend answers at once): the jobs they complete wait for the commit.
const GROUP_ANSWERS: usize = 64;

/// Work a run does on its own connection while its last answers are on their way
/// (issue 15): the manifest's pass over the articles already finished, which would
/// otherwise start only after the last answer. A round trip is the backend's latency
/// (tens of milliseconds at least), as long as that pass over a thousand articles.
pub trait Meanwhile: Send {
    /// Called once per run at most, when every batch is with the request slots and
    /// some are still on their way; what the run stored so far is committed. Until
    /// the run ends, only the sources in `unfinished` (relative to the project root,
    /// as the manifest names them) can still change: those waiting for an answer,
    /// and those with a file not yet written and recorded. `started_at` is when the
    /// run began ([`Report::started_at`]).
    fn begin(
        &mut self,
        memory: &mut Memory,
        unfinished: HashSet<String>,
        started_at: Option<std::time::SystemTime>,
    );

    /// Does the next part of the work, briefly: the answers that come meanwhile wait
    /// for it. Called after [`Meanwhile::begin`] whenever the run has nothing else to
    /// do, until it returns false or the run ends. What it does cannot fail the run.
    fn step(&mut self, memory: &mut Memory) -> bool;
}

/// What stops a run: the memory failed, or a file could not be backed up.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    /// The memory failed.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// A translation in conflict could not be backed up before `--force` replaced it.
    #[error(transparent)]
    Fs(#[from] FsError),
    /// The thread that writes files could not be started.
    #[error("cannot start the thread that writes files")]
    WriteThread(#[source] std::io::Error),
}

/// How the run stage sends batches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sending<'a> {
    /// The backends, in order.
    pub(crate) chain: &'a Chain,
    /// Requests in flight at most.
    pub(crate) concurrency: usize,
    /// Stop cleanly on Ctrl-C.
    pub(crate) handle_interrupt: bool,
    /// The QA gate (none when `[qa] enabled = false`).
    pub(crate) gate: Option<&'a Gate>,
    /// Bytes of sources read and not yet written, at most (but always one source).
    pub(crate) read_ahead_bytes: usize,
    /// Where slots journal answers before sending again (none on a dry run).
    pub(crate) journal: Option<&'a Arc<Journal>>,
}

/// Translates `sources`, planned with `settings`; counts and failures go to `report`.
/// The memory comes back open: what runs after the run (the manifest) reads it on the
/// same connection.
///
/// # Errors
/// [`RunError`]: the memory failed or a backup could not be made; the run stops.
pub(crate) async fn run<'a>(
    settings: PlanSettings<'a>,
    sources: Vec<Source>,
    sending: Sending<'_>,
    (memory, meanwhile): (Memory, Option<&'a mut dyn Meanwhile>),
    report: Report,
    progress: &'a dyn Progress,
) -> Result<(Report, Memory), RunError> {
    let started = Instant::now();
    let mut sources = ReadAhead::start(
        sources,
        settings.layout,
        settings.segmenter.clone(),
        sending.read_ahead_bytes,
    );
    let settle = !memory.is_shared();
    let writer =
        Writer::start(settings.layout.stamp.as_deref(), settle).map_err(RunError::WriteThread)?;
    let mut runner = Runner {
        batcher: Batcher::new(settings.layout.source.clone(), sending.chain.limits()),
        settings,
        memory,
        report,
        progress,
        ready: VecDeque::new(),
        waiting: Waiting::default(),
        elsewhere: Elsewhere::default(),
        writer,
        stop: None,
        gate: sending.gate.cloned(),
        held: Vec::new(),
        journal: sending.journal.cloned(),
        journalled: Vec::new(),
        group_opened: None,
        completed: Vec::new(),
        unrecorded: HashMap::new(),
        sources_done: false,
        sources_wait_for_room: false,
        meanwhile,
        ending: false,
        timings: Timings::default(),
        started,
    };
    let driven = runner.drive(&mut sources, sending).await;
    // However the run ended, what was stored is kept.
    let committed = runner.commit();
    driven?;
    committed?;
    runner.memory.writes_done();
    let before_run = runner.report.timings.before_run;
    runner.report.timings = Timings {
        before_run,
        run: started.elapsed(),
        writing: runner.writer.busy(),
        ..runner.timings
    };
    Ok((runner.report, runner.memory))
}

/// The state of one run: what is queued, waiting and to be written.
struct Runner<'a> {
    settings: PlanSettings<'a>,
    memory: Memory,
    report: Report,
    progress: &'a dyn Progress,
    batcher: Batcher,
    /// Full batches waiting for a request slot.
    ready: VecDeque<Batch>,
    waiting: Waiting,
    /// Segments another process is translating (a shared memory).
    elsewhere: Elsewhere,
    writer: Writer,
    /// Why the run stopped sending, once it did.
    stop: Option<String>,
    gate: Option<Gate>,
    /// Permits of the batches stored in the open group (none for an answer in the
    /// journal), with when the loop took each answer in (`--timings`): released by
    /// its commit.
    held: Vec<(Option<OwnedSemaphorePermit>, Instant)>,
    journal: Option<Arc<Journal>>,
    /// The journal records of the answers stored in the open group: counted as
    /// committed by its commit.
    journalled: Vec<Ticket>,
    /// When the open group was opened; `None` when no group is open.
    group_opened: Option<Instant>,
    /// Jobs whose segments all arrived: rendered at the next turn of the loop, their
    /// segments committed or journalled (see [`Runner::commit_when_due`]).
    completed: Vec<WaitingJob>,
    /// Per source, its files handed to the write thread whose write is not recorded
    /// yet: those sources can still change while the last answers come.
    unrecorded: HashMap<String, usize>,
    /// Every source was handed over by the parser.
    sources_done: bool,
    /// The reader waits until sources held are written ([`Next::Full`]): partial
    /// batches must go out as they are, or nothing held may ever finish. Until the
    /// next source arrives, since segments taken over from another process can start
    /// new partial batches meanwhile.
    sources_wait_for_room: bool,
    /// Work for the last answers' wait, until it is done.
    meanwhile: Option<&'a mut dyn Meanwhile>,
    /// Every batch is sent: the last answers are on their way, and the `meanwhile`
    /// work, once begun, takes a step whenever the loop is idle.
    ending: bool,
    timings: Timings,
    /// When the run stage started.
    started: Instant,
}

impl Runner<'_> {
    /// The main loop: keep the request slots busy, planning sources only when no
    /// full batch is waiting for one; then finish what is left.
    async fn drive(
        &mut self,
        sources: &mut ReadAhead,
        sending: Sending<'_>,
    ) -> Result<(), RunError> {
        let mut scheduler = Scheduler::start(
            sending.chain,
            sending.gate.cloned(),
            sending.concurrency,
            self.journal.clone(),
        );
        let mut interrupt = std::pin::pin!(interrupted(sending.handle_interrupt));
        loop {
            // Results first, and the files written meanwhile: one commit for all of
            // them frees their slots for the next requests.
            let storing = Instant::now();
            while let Some(returned) = scheduler.try_next() {
                self.returned(returned, &scheduler)?;
            }
            self.timings.storing += storing.elapsed();
            while let Some(written) = self.writer.try_next() {
                self.written(written)?;
            }
            self.commit_when_due(&scheduler)?;
            // Also here, not only in the `select!` below: a busy run (results always
            // ready) would starve that branch, and its claims would expire unrenewed.
            if self.elsewhere.needs_polling(&self.memory)
                && tokio::time::Instant::now() >= self.elsewhere.due()
            {
                self.poll_elsewhere()?;
            }
            self.offer_ready(&mut scheduler);
            if self.may_plan() && !self.sources_done {
                match sources.try_next() {
                    Next::Ready(source) => {
                        self.sources_wait_for_room = false;
                        self.plan_source(source)?;
                        continue;
                    }
                    Next::Done => self.sources_done = true,
                    Next::Full => self.sources_wait_for_room = true,
                    Next::NotYet => {}
                }
            }
            let no_source_to_come = self.sources_done || self.sources_wait_for_room;
            if self.may_plan() && no_source_to_come && self.flush_partial_batches() {
                continue;
            }
            let planned_all = self.sources_done || self.stop.is_some();
            if planned_all
                && scheduler.outstanding() == 0
                && self.writer.is_idle()
                && self.elsewhere.is_empty()
                && self.completed.is_empty()
            {
                break;
            }
            self.commit_when_due(&scheduler)?;
            if !self.ending && self.last_batches_sent(&scheduler) {
                self.ending = true;
                self.begin_meanwhile()?;
            }
            let wants_source = self.may_plan() && !self.sources_done;
            let poll = self.elsewhere.due();
            // A group left open is committed when its span ends, whatever comes first.
            let group_due = (self.group_opened)
                .map(|opened| tokio::time::Instant::from_std(opened + GROUP_SPAN));
            let waiting = Instant::now();
            tokio::select! {
                biased;
                () = tokio::time::sleep_until(group_due.unwrap_or(poll)), if group_due.is_some() => {
                    self.timings.waiting += waiting.elapsed();
                    self.commit()?;
                }
                Some(returned) = scheduler.next() => {
                    self.timings.waiting += waiting.elapsed();
                    let storing = Instant::now();
                    self.returned(returned, &scheduler)?;
                    self.timings.storing += storing.elapsed();
                }
                Some(written) = self.writer.next() => {
                    self.timings.waiting += waiting.elapsed();
                    self.written(written)?;
                }
                source = sources.next(), if wants_source => {
                    self.timings.waiting_for_sources += waiting.elapsed();
                    match source {
                        Next::Ready(source) => {
                            self.sources_wait_for_room = false;
                            self.plan_source(source)?;
                        }
                        Next::Full => self.sources_wait_for_room = true,
                        // `next` never says `NotYet`.
                        Next::Done | Next::NotYet => self.sources_done = true,
                    }
                }
                () = tokio::time::sleep_until(poll), if self.elsewhere.needs_polling(&self.memory) => {
                    self.timings.waiting += waiting.elapsed();
                    self.poll_elsewhere()?;
                }
                () = &mut interrupt, if self.stop.is_none() => {
                    self.interrupt(&mut scheduler).await?;
                    break;
                }
                // Last: only when nothing else is ready.
                () = std::future::ready(()), if self.ending && self.meanwhile.is_some() => {
                    self.step_meanwhile();
                }
            }
        }
        scheduler.close();
        self.slot_timings(&scheduler);
        self.commit()?;
        self.render_completed()?;
        self.give_up_waiting()?;
        self.write_remaining().await
    }

    /// Copies how busy the slots were into the timings.
    fn slot_timings(&mut self, scheduler: &Scheduler) {
        let times = scheduler.slot_times();
        let since = |at: Instant| at.saturating_duration_since(self.started);
        self.timings.slots = times.busy;
        self.timings.gaps = times.gaps.iter().map(|gap| gap.total()).collect();
        self.timings.gaps_to_permit = times.gaps.iter().map(|gap| gap.to_permit()).sum();
        self.timings.first_request = times.first.map(since);
        self.timings.last_answer = times.last.map(since);
    }

    /// Opens a group for the writes that follow, if none is open.
    fn begin(&mut self) -> Result<(), RunError> {
        if self.group_opened.is_none() {
            self.memory.begin_group()?;
            self.group_opened = Some(Instant::now());
        }
        Ok(())
    }

    /// Whether the open group should commit now. Answers in the journal are safe
    /// already, so their group may stay open while more come in: one commit per
    /// [`GROUP_SPAN`] rather than one per turn of the loop (3,229 commits for 963
    /// answers and 3,000 files, 11 % of the loop's time and most of its writes).
    /// At once when a slot waits for this commit (its answer is not journalled) and
    /// when nothing is in flight (the end of the run, or a wait for sources).
    fn commit_due(&self, scheduler: &Scheduler) -> bool {
        let Some(opened) = self.group_opened else {
            return false;
        };
        self.journal.is_none()
            || self.held.iter().any(|(permit, _)| permit.is_some())
            || self.held.len() >= GROUP_ANSWERS
            || scheduler.outstanding() == 0
            || self.all_offered()
            || opened.elapsed() >= GROUP_SPAN
    }

    /// Whether every batch of the run is with the scheduler, some still on their way:
    /// from now on, only the sources waiting for them or with a file still to write
    /// can change. The queue holds two batches per slot, so this is about three
    /// rounds before the last answer; waiting also for the files of the answers
    /// already in to be written began the [`Meanwhile`] work 6–88 ms later, and it
    /// then often had less time than it needs (issue 15).
    fn last_batches_sent(&self, scheduler: &Scheduler) -> bool {
        self.stop.is_none() && self.all_offered() && scheduler.outstanding() > 0
    }

    /// Begins [`Meanwhile`]'s work, with what the loop stored committed first (a
    /// pass over the memory on this connection then reads what is final).
    fn begin_meanwhile(&mut self) -> Result<(), RunError> {
        let Some(work) = self.meanwhile.take() else {
            return Ok(());
        };
        self.commit()?;
        let unfinished = (self.waiting.sources())
            .chain(
                self.completed
                    .iter()
                    .map(|waiting| waiting.job.source_rel.as_str()),
            )
            .chain(self.unrecorded.keys().map(String::as_str))
            .map(str::to_owned)
            .collect();
        let started = Instant::now();
        work.begin(&mut self.memory, unfinished, self.report.started_at);
        self.timings.meanwhile += started.elapsed();
        self.meanwhile = Some(work);
        Ok(())
    }

    /// A step of [`Meanwhile`]'s work; the last lets it go.
    fn step_meanwhile(&mut self) {
        let started = Instant::now();
        let more = (self.meanwhile.as_deref_mut()).is_some_and(|work| work.step(&mut self.memory));
        self.timings.meanwhile += started.elapsed();
        if !more {
            self.meanwhile = None;
        }
    }

    /// Every batch of the run is with the scheduler: its last requests are on their
    /// way, and the loop only waits for them. A group then commits at each turn, while
    /// the slots wait on the network: the last answer's commit, which the end of the
    /// run waits for, holds only that answer (32 ms for a 200 ms group, measured).
    fn all_offered(&self) -> bool {
        self.sources_done
            && self.ready.is_empty()
            && self.batcher.is_empty()
            && self.elsewhere.is_empty()
    }

    /// Commits the open group if [`Runner::commit_due`], then renders the completed
    /// jobs: their segments are in the memory, or in the journal when the group is
    /// still open (a group holding an answer that is not stays open no longer). Not
    /// waiting for the commit matters: a source is held until its files are written,
    /// and the sources held bound the reading ahead, so files rendered a group late
    /// left the slots without batches (1.9 ms a gap, against 0.2).
    fn commit_when_due(&mut self, scheduler: &Scheduler) -> Result<(), RunError> {
        if self.commit_due(scheduler) {
            self.commit()?;
        }
        self.render_completed()
    }

    /// Commits the open group, which releases the slots of the batches it holds.
    fn commit(&mut self) -> Result<(), RunError> {
        if self.group_opened.take().is_some() {
            let committing = Instant::now();
            self.memory.commit_group()?;
            self.timings.committing += committing.elapsed();
            self.timings.groups += 1;
        }
        if let Some(journal) = &self.journal {
            journal.committed(self.journalled.drain(..));
        }
        let committed = Instant::now();
        for (_, taken) in &self.held {
            self.timings.answers_to_commit += committed.saturating_duration_since(*taken);
        }
        // Only now: a slot sends again once its result is safe.
        self.held.clear();
        Ok(())
    }

    /// Renders the completed jobs: every segment is in the memory (found there when
    /// planned, or stored from an answer), so their files may be written. A long file
    /// waits while another is on its way to disk (see [`writer::LONG_FILE`]): it is
    /// rendered once that one is recorded.
    fn render_completed(&mut self) -> Result<(), RunError> {
        if self.completed.is_empty() {
            return Ok(());
        }
        let assembling = Instant::now();
        let mut later = Vec::new();
        for job in std::mem::take(&mut self.completed) {
            if self.writer.holds_long_file() && is_long(&job.job) {
                later.push(job);
                continue;
            }
            self.finish(job)?;
        }
        self.completed = later;
        self.timings.assembling += assembling.elapsed();
        Ok(())
    }

    /// Plan ahead only while nothing is ready to send and few files wait to be
    /// written, so a batch is queued the moment a slot frees up and memory stays flat.
    fn may_plan(&self) -> bool {
        self.stop.is_none() && self.ready.is_empty() && self.writer.queued() < writer::MAX_QUEUED
    }

    /// Hands ready batches to the scheduler while its queue takes them.
    fn offer_ready(&mut self, scheduler: &mut Scheduler) {
        while self.stop.is_none() {
            let Some(batch) = self.ready.pop_front() else {
                break;
            };
            let (target, segments, chars) =
                (batch.target.clone(), batch.segments.len(), batch.chars());
            if let Err(batch) = scheduler.offer(batch) {
                self.ready.push_front(batch);
                break;
            }
            self.count_sent(&target, segments, chars);
        }
    }

    /// Queues every partial batch as it is (no source is left to fill it, or the next
    /// waits until the sources held are written); false when there was none.
    fn flush_partial_batches(&mut self) -> bool {
        let batches = self.batcher.flush_all();
        let any = !batches.is_empty();
        for batch in batches {
            self.queue(batch);
        }
        any
    }

    /// Plans the jobs of one source and admits them.
    fn plan_source(&mut self, source: ParsedSource) -> Result<(), RunError> {
        let planning = Instant::now();
        let planned = self.plan_jobs(source);
        self.timings.planning += planning.elapsed();
        planned
    }

    fn plan_jobs(&mut self, source: ParsedSource) -> Result<(), RunError> {
        let jobs = plan::jobs(
            &self.settings,
            source,
            &mut self.memory,
            &mut self.report,
            self.progress,
        )?;
        for job in jobs.iter().filter(|job| job.back_up_first) {
            writer::back_up(&job.out_path)?;
        }
        // Which files and why: the list a dry run shows (issue 14).
        self.report.files.extend(jobs.iter().map(|job| PlannedFile {
            path: job.rel.clone(),
            lang: job.target.to_string(),
            reason: job.why.0,
            detail: job.why.1.clone(),
        }));
        let mut copies = plan::KeyCopies::default();
        for job in jobs {
            self.admit(job, &mut copies)?;
        }
        // The jobs that wait for nothing, rendered now, under the same rule as the
        // others (one long file at a time).
        self.render_completed()
    }

    /// Sorts the segments of one job: failed already, on their way, in the memory, or
    /// to be sent. A job that waits for nothing is completed at once. `copies` are the
    /// keys copied for the source's other jobs.
    fn admit(&mut self, job: Job, copies: &mut plan::KeyCopies) -> Result<(), RunError> {
        let target = job.target.clone();
        let (mut wait_for, mut failure, mut held) = (Vec::new(), None, Entries::default());
        let mut hits = 0;
        let mut to_send = Vec::new();
        // The run's lists share one copy of a key that is a slice of its document,
        // made here and let go of once the segment is back. A job's keys are
        // distinct, so what the run has seen of each stays true through the loop.
        let segments: Vec<(Arc<str>, Option<String>, Seen)> = (job.segments_to_translate())
            .into_iter()
            .map(|(segment, context)| {
                let key = copies.get(&segment.key);
                let seen = self.waiting.seen(&target, &key);
                (key, context, seen)
            })
            .collect();
        let unsent: Vec<&str> = (segments.iter())
            .filter(|(_, _, seen)| matches!(seen, Seen::NotSent))
            .map(|(key, _, _)| &**key)
            .collect();
        let mut found = self.reusable(&target, &unsent)?.into_iter();
        for (key, context, seen) in segments {
            let key = &key;
            match seen {
                Seen::Failed(reason) => {
                    failure.get_or_insert(reason);
                }
                Seen::OnItsWay => wait_for.push(Arc::clone(key)),
                Seen::NotSent => match found.next().flatten() {
                    // Held for assembly: not read from the memory again.
                    Some(entry) => {
                        hits += 1;
                        if waiting::worth_holding(&entry) {
                            held.insert(Arc::clone(key), entry);
                        }
                    }
                    None => {
                        self.waiting.sending(&target, key);
                        wait_for.push(Arc::clone(key));
                        to_send.push((Arc::clone(key), context));
                    }
                },
            }
        }
        // With a shared memory, only what this run could claim is sent; the rest is
        // waited for (`elsewhere`). A dry run claims nothing.
        if !self.settings.dry_run {
            let source = &self.settings.layout.source;
            to_send = self
                .elsewhere
                .claim(&mut self.memory, source, &target, to_send)?;
        }
        for (key, context) in to_send {
            for batch in self.batcher.add(&target, key, context) {
                self.queue(batch);
            }
        }
        self.report.lang(&target).segments_from_memory += hits;
        let waiting = WaitingJob::new(job, wait_for, failure, held);
        if waiting.is_ready() || self.settings.dry_run {
            self.completed.push(waiting);
        } else {
            self.waiting.park(waiting);
        }
        Ok(())
    }

    /// For each of `keys`, in their order, the memory's translation if it may be
    /// reused: any, or with the QA gate on, one that passes it ([`Gate::reusable`]).
    /// Read at once: on a shared memory, one query for a job's segments instead of
    /// one per segment.
    fn reusable(&self, target: &Lang, keys: &[&str]) -> Result<Vec<Option<Entry>>, RunError> {
        let source = &self.settings.layout.source;
        let pair = qa::Pair { source, target };
        let found = self.memory.segments(source, target, keys)?;
        Ok((keys.iter().zip(found))
            .map(|(key, entry)| {
                let entry = entry?;
                let reusable =
                    (self.gate.as_ref()).is_none_or(|gate| gate.reusable(key, &entry, pair));
                reusable.then_some(entry)
            })
            .collect())
    }

    /// A full batch: ready to send, or in a dry run counted as if sent. Its keys stay
    /// on their way for the rest of a dry run, so each is counted once.
    fn queue(&mut self, batch: Batch) {
        if self.settings.dry_run {
            self.count_sent(&batch.target, batch.segments.len(), batch.chars());
        } else {
            self.ready.push_back(batch);
        }
    }

    /// Counts a batch handed to the scheduler.
    fn count_sent(&mut self, target: &Lang, segments: usize, chars: usize) {
        let lang = self.report.lang(target);
        lang.segments_sent += segments;
        lang.characters_sent += chars;
        self.report.requests += 1;
        self.progress.batch_sent(target, segments);
    }

    /// Takes back the counts of a batch that was queued but never sent.
    fn count_unsent(&mut self, batch: &Batch) {
        let lang = self.report.lang(&batch.target);
        lang.segments_sent -= batch.segments.len().min(lang.segments_sent);
        lang.characters_sent -= batch.chars().min(lang.characters_sent);
        self.report.requests = self.report.requests.saturating_sub(1);
    }

    /// A batch came back from the scheduler: translated, or unsent because the run
    /// stopped. It is stored in the open group; its slot stays taken until the group
    /// commits ([`Runner::commit`] drops the permit), so a crash loses at most the
    /// batches in flight.
    fn returned(&mut self, returned: Returned, scheduler: &Scheduler) -> Result<(), RunError> {
        let Returned {
            batch,
            result,
            sent,
            permit,
            journalled,
            answered,
        } = returned;
        self.begin()?;
        let taken = Instant::now();
        self.timings.answers += 1;
        self.timings.answers_to_loop += taken.saturating_duration_since(answered);
        self.held.push((permit, taken));
        self.timings.journalled += usize::from(journalled.is_some());
        self.journalled.extend(journalled);
        if !sent {
            // Queued when the run stopped, or refused by the check of the key before
            // it went out: never paid for.
            self.count_unsent(&batch);
        }
        match result {
            Some(result) => {
                let fatal = result.is_err();
                self.store(batch, result)?;
                if fatal {
                    scheduler.stop();
                }
            }
            None => {
                let reason = self.stop.clone().unwrap_or_default();
                let results = vec![Err(reason); batch.segments.len()];
                self.store(batch, Ok(results))?;
            }
        }
        Ok(())
    }

    /// Stores a returned batch in the open group; the jobs it completes are rendered
    /// once the group commits.
    fn store(&mut self, batch: Batch, result: BatchResult) -> Result<(), RunError> {
        let results = match result {
            Ok(results) => results,
            Err(fatal) => {
                let reason = fatal.to_string();
                self.report.fatal.get_or_insert(reason.clone());
                self.halt(&reason);
                vec![Err(reason); batch.segments.len()]
            }
        };
        let repaired = results
            .iter()
            .filter(|r| r.as_ref().is_ok_and(|t| t.repaired))
            .count();
        self.report.lang(&batch.target).segments_repaired += repaired;
        // The entries as the memory will give them back: the jobs waiting for them
        // keep them for assembly.
        let mut translations = Vec::with_capacity(results.len());
        let mut failures = Vec::new();
        for (i, result) in results.into_iter().enumerate() {
            translations.push(match result {
                Ok(translated) => Some(machine_entry(translated)),
                Err(reason) => {
                    failures.push((i, reason));
                    None
                }
            });
        }
        let entries: Vec<NewEntry<'_>> = batch
            .segments
            .iter()
            .zip(&translations)
            .filter_map(|(segment, entry)| {
                let entry = entry.as_ref()?;
                Some(NewEntry {
                    source: &segment.text,
                    translation: &entry.translation,
                    origin: entry.origin,
                    backend: &entry.backend,
                })
            })
            .collect();
        self.memory
            .store_segments(&batch.source, &batch.target, &entries)?;
        let completed = self.waiting.arrived(&batch, &translations, failures);
        self.completed.extend(completed);
        Ok(())
    }

    /// Stops sending: segments queued or not yet batched fail with `reason`;
    /// requests in flight finish.
    fn halt(&mut self, reason: &str) {
        self.stop = Some(reason.to_owned());
        let mut dropped: Vec<Batch> = self.ready.drain(..).collect();
        dropped.extend(self.batcher.flush_all());
        let elsewhere = self.elsewhere.drain();
        let keys = dropped
            .into_iter()
            .flat_map(|batch| {
                let target = batch.target;
                batch
                    .segments
                    .into_iter()
                    .map(move |segment| (target.clone(), segment.text))
            })
            .chain(elsewhere.into_iter().map(|(target, key, _)| (target, key)));
        self.waiting.never_sent(keys, reason);
    }

    /// Polls the segments another process holds: those that arrived complete their
    /// jobs (counted as from the memory); those whose holder's lease expired are sent.
    fn poll_elsewhere(&mut self) -> Result<(), RunError> {
        let source = self.settings.layout.source.clone();
        let polled = self.elsewhere.poll(&mut self.memory, &source)?;
        for (target, keys) in polled.arrived {
            self.report.lang(&target).segments_from_memory += keys.len();
            let segments = keys.into_iter().map(|text| Segment {
                text,
                context: None,
            });
            let batch = Batch {
                source: source.clone(),
                target,
                segments: segments.collect(),
            };
            for ready in self.waiting.arrived(&batch, &[], []) {
                self.finish(ready)?;
            }
        }
        for (target, key, context) in polled.taken_over {
            for batch in self.batcher.add(&target, key, context) {
                self.queue(batch);
            }
        }
        Ok(())
    }

    /// After Ctrl-C: stop sending, let requests in flight finish (their results are
    /// kept) for a short grace period, then abandon them.
    async fn interrupt(&mut self, scheduler: &mut Scheduler) -> Result<(), RunError> {
        self.report.interrupted = true;
        self.halt("interrupted (Ctrl-C) before this file was finished");
        scheduler.stop();
        let deadline = tokio::time::Instant::now() + INTERRUPT_GRACE;
        while scheduler.outstanding() > 0 {
            match tokio::time::timeout_at(deadline, scheduler.next()).await {
                Ok(Some(returned)) => {
                    self.returned(returned, scheduler)?;
                    self.commit()?;
                }
                _ => break,
            }
        }
        scheduler.abort();
        Ok(())
    }

    /// At the end: jobs still waiting (the run was stopped) fail with the reason.
    fn give_up_waiting(&mut self) -> Result<(), RunError> {
        let reason = self
            .stop
            .clone()
            .unwrap_or_else(|| "segments were never translated".to_owned());
        for waiting in self.waiting.give_up(&reason) {
            self.finish(waiting)?;
        }
        Ok(())
    }

    /// Renders a job whose segments are all known and queues its write, or records
    /// its failure.
    fn finish(&mut self, waiting: WaitingJob) -> Result<(), RunError> {
        let mut job = waiting.job;
        if self.settings.dry_run {
            self.progress.file_done(&job.rel, &job.target, "planned");
            return Ok(());
        }
        let source = &self.settings.layout.source;
        let rendered = match (waiting.failure, &job.doc) {
            // A Fluent file is written without the messages that failed.
            (Some(reason), JobDoc::Article(_)) => Err(reason),
            _ => render::prepare(&mut job, waiting.held, &self.memory, source)?,
        };
        let warnings = match (&self.gate, &rendered) {
            (Some(gate), Ok(file)) => {
                gate::review(gate, (file.entries(), &self.memory), source, &job)?
            }
            _ => Ok(Vec::new()),
        };
        let rendered = match (rendered, warnings) {
            (Ok(file), Ok(warnings)) => Ok((file, warnings)),
            (Err(reason), _) | (Ok(_), Err(reason)) => Err(reason),
        };
        match rendered {
            Ok((file, warnings)) => self.queue_write(job, file, warnings)?,
            Err(reason) => {
                self.memory.record_failure(&job.rel, &reason)?;
                self.report
                    .fail(job.source_rel.clone(), Some(&job.target), reason);
                self.progress.file_done(&job.rel, &job.target, "failed");
            }
        }
        Ok(())
    }

    /// Reports the Fluent messages left out of a rendered file and queues its write
    /// (an article is rendered on the write thread).
    fn queue_write(
        &mut self,
        job: Job,
        prepared: Prepared,
        qa_warnings: Vec<String>,
    ) -> Result<(), RunError> {
        let (file, to_render) = match prepared {
            Prepared::Rendered(file) => (file, None),
            Prepared::Article(translations, provenance, _reviewed) => {
                let file = RenderedFile {
                    content: String::new(),
                    source_hash: provenance.source_hash.clone(),
                    left_out: Vec::new(),
                    proposals: Vec::new(),
                    entries: Entries::default(),
                };
                // The entries were for the gate, which has judged them: the write
                // thread needs only the translations.
                let translations = Prepared::Article(translations, provenance, Entries::default());
                (file, Some(translations))
            }
        };
        for (id, reason) in file.left_out {
            let what = format!("message `{id}` not written: {reason}");
            self.report.fail(job.rel.clone(), Some(&job.target), what);
        }
        let source_text = match &job.doc {
            JobDoc::Article(doc) => Some(SourceText::Article(Arc::clone(doc))),
            JobDoc::Ftl(_) => None,
        };
        let file = FileToWrite {
            source_text,
            out_path: job.out_path,
            rel: job.rel,
            source_rel: job.source_rel,
            target: job.target,
            content: file.content,
            to_render,
            source_hash: file.source_hash,
            reviews: job.reviews,
            qa_warnings,
            proposals: file.proposals,
            room: job.room,
            record: None,
        };
        *self.unrecorded.entry(file.source_rel.clone()).or_default() += 1;
        // Only if the write thread has ended, which only a bug could make it do.
        match self.writer.queue(file) {
            Ok(()) => Ok(()),
            Err(file) => self.record_written((file, Err(WriteError::Panicked))),
        }
    }

    /// Records what the write thread sent back in the open group: a finished write (in
    /// the memory, the report and the progress) or a settled file's proven record.
    fn written(&mut self, done: Done) -> Result<(), RunError> {
        let recording = Instant::now();
        let recorded = match done {
            Done::Written(written) => self.record_written(*written),
            Done::Settled(settled) => self.record_settled(&settled),
        };
        self.timings.recording += recording.elapsed();
        recorded
    }

    /// Stores the proof that a file written earlier in the run is unchanged, if its
    /// record is still the one written.
    fn record_settled(&mut self, settled: &plan::Settled) -> Result<(), RunError> {
        let recorded = self.memory.file_record(&settled.rel)?;
        if let Some(record) = recorded.and_then(|r| settled.prove(r)) {
            self.begin()?;
            self.memory
                .record_file_stats(&[(settled.rel.clone(), record)])?;
        }
        Ok(())
    }

    fn record_written(&mut self, written: Written) -> Result<(), RunError> {
        self.begin()?;
        let (mut file, result) = written;
        if let Some(count) = self.unrecorded.get_mut(&file.source_rel) {
            *count -= 1;
            if *count == 0 {
                self.unrecorded.remove(&file.source_rel);
            }
        }
        match result {
            Ok(changed) => {
                // Made on the write thread: up to date with the source it names.
                if let Some(record) = file.record.take() {
                    self.memory
                        .record_file_stats(&[(file.rel.clone(), record)])?;
                }
                // The source first, then let go of it (the last job of an article holds
                // it): a megabytes long article is not held while the memory copies the
                // translated file's text (issue 10, item 14).
                if let Some(source) = file.source_text.take() {
                    self.memory
                        .record_written_source(&file.rel, source.text())?;
                }
                self.memory.record_file(
                    &file.rel,
                    &file.content,
                    &file.source_hash,
                    &file.reviews,
                )?;
                self.memory
                    .record_qa_warnings(&file.rel, &file.qa_warnings)?;
                self.record_proposals(&file)?;
                let outcome = if changed {
                    self.report.lang(&file.target).files_written += 1;
                    "written"
                } else {
                    "unchanged"
                };
                self.progress.file_done(&file.rel, &file.target, outcome);
            }
            Err(e) => {
                let reason = e.to_string();
                self.memory.record_failure(&file.rel, &reason)?;
                self.report
                    .fail(file.source_rel, Some(&file.target), reason);
                self.progress.file_done(&file.rel, &file.target, "failed");
            }
        }
        // Only now may a source waiting for room be read: its file is in the memory.
        drop(file.room);
        Ok(())
    }

    /// Records the proposals beside people's blocks, and the block now in the file as
    /// the person's (under its new source), so a later change of the source finds it
    /// and keeps it again.
    fn record_proposals(&mut self, file: &FileToWrite) -> Result<(), RunError> {
        if file.proposals.is_empty() {
            return Ok(());
        }
        let source = &self.settings.layout.source;
        for p in &file.proposals {
            let kept = if p.in_file { &p.proposal } else { &p.person };
            self.memory
                .store_human_unit(source, &file.target, &p.unit_key, &p.new_source, kept)?;
        }
        self.memory.record_proposals(&file.proposals)?;
        Ok(())
    }

    /// Writes every rendered file still queued, and commits their records.
    async fn write_remaining(&mut self) -> Result<(), RunError> {
        loop {
            if let Some(written) = self.writer.try_next() {
                self.written(written)?;
                continue;
            }
            // The records of the files written so far are committed before waiting.
            self.commit()?;
            let Some(written) = self.writer.next().await else {
                return Ok(());
            };
            self.written(written)?;
            // A long file that waited for this one.
            self.render_completed()?;
        }
    }
}

/// Whether `job`'s file is long ([`writer::LONG_FILE`]).
fn is_long(job: &Job) -> bool {
    match &job.doc {
        JobDoc::Article(doc) => doc.text.len() >= writer::LONG_FILE,
        JobDoc::Ftl(_) => false,
    }
}

/// A backend's answer as the memory stores it. A repaired answer is remembered as
/// such, so each file's provenance can say how many of its segments were repaired
/// (see [`render::REPAIRED`]).
fn machine_entry(translated: Translated) -> Entry {
    let backend = journal::backend_label(&translated).into_owned();
    Entry {
        translation: translated.text,
        origin: Origin::Machine,
        backend,
    }
}

/// Resolves on Ctrl-C when `enabled`, never otherwise.
async fn interrupted(enabled: bool) {
    if enabled && tokio::signal::ctrl_c().await.is_ok() {
        return;
    }
    std::future::pending::<()>().await;
}
