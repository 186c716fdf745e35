//! One pipeline for many frames: [`Media::fetch`] on I/O threads, in list order and at most
//! a bounded number of frames ahead of the consumer, [`Media::decode`] on decoder threads,
//! results handed out in list order or as they complete. Every frame is read once; a frame
//! that fails gives an error for that frame only; dropping the pipeline stops it.
//!
//! Memory is bounded by tickets: a frame takes one before it is fetched and gives it back
//! when the consumer receives its result, so at most [`PipelineOptions::ahead`] frames are
//! fetched, decoded or waiting at any time. A panic on a pipeline thread is raised again on
//! the consumer's (never a frame silently missing, never a hang).

use std::collections::BTreeMap;
use std::iter::Peekable;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use lazyqt_decode::{ConvertOptions, Image};

use crate::{EncodedFrame, Media, Result};

/// How a [`Pipeline`] runs. Zeros pick the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PipelineOptions {
    /// Most frames fetched and not yet handed to the consumer (default: twice the
    /// decoders). Bounds memory: each holds one encoded frame or one result.
    pub ahead: usize,
    /// Threads fetching (default: `ahead`). Over HTTP each waits one round trip per frame,
    /// so more fetchers hide latency; locally one or two suffice.
    pub fetchers: usize,
    /// Threads decoding (default: one per core). Each uses the decoder threads of its
    /// [`Media`] ([`Media::with_decoder_threads`]): pass 1 there when decoders fill the cores.
    pub decoders: usize,
    /// Hand results out in list order (else as they complete).
    pub ordered: bool,
}

impl PipelineOptions {
    /// The options with their defaults filled in.
    fn resolved(self) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let decoders = if self.decoders == 0 { cores } else { self.decoders };
        let ahead = if self.ahead == 0 { 2 * decoders } else { self.ahead };
        let fetchers = if self.fetchers == 0 { ahead } else { self.fetchers.min(ahead) };
        Self { ahead, fetchers, decoders, ordered: self.ordered }
    }
}

/// The result of one frame.
#[derive(Debug)]
pub struct Done<T> {
    /// Position of the frame in the list given to the pipeline.
    pub index: usize,
    /// The frame number.
    pub frame: u64,
    /// What the pipeline's finishing step made of it (by default the decoded picture).
    pub value: T,
}

/// A job: the movie and the frame number, at its position in the list.
type Job = (usize, Media, u64);

/// A fetched job: its encoded frame, or the error of its fetch, or the panic of its fetcher.
type Fetched = (Job, std::thread::Result<Result<EncodedFrame>>);

/// A finished frame, or the panic of the thread that worked on it.
type Outcome<T> = std::thread::Result<Done<T>>;

/// The work of a decoder thread after the decode: turn a picture (or the error of its fetch
/// or decode) into the value handed out.
type Finish<T> = dyn Fn(u64, Result<Image>) -> T + Send + Sync;

/// Frames being fetched and decoded; iterate it for their [`Done`] results. Dropping it
/// stops the fetching and waits for the frames in hand (each bounded by the read deadline
/// or one decode).
pub struct Pipeline<T> {
    results: Receiver<Outcome<T>>,
    /// Gives a ticket back when a result is handed out; dropped to stop the fetchers.
    tickets: Option<SyncSender<()>>,
    /// Results that came before their turn (ordered mode).
    early: BTreeMap<usize, Done<T>>,
    next: usize,
    ordered: bool,
    cancelled: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Pipeline<Result<Image>> {
    /// Decode `frames` of `media` to pictures converted as `convert` says.
    pub fn new(
        media: &Media,
        frames: impl IntoIterator<Item = u64, IntoIter: Send + 'static>,
        convert: ConvertOptions,
        opts: PipelineOptions,
    ) -> Self {
        let media = media.clone();
        let jobs = frames.into_iter().map(move |n| (media.clone(), n));
        Self::with_finish(jobs, convert, opts, |_, image| image)
    }
}

impl<T: Send + 'static> Pipeline<T> {
    /// Decode each `(movie, frame)` of `jobs`, then run `finish` on the decoder thread with
    /// the frame number and its picture or error (to encode or write it in parallel, say).
    pub fn with_finish(
        jobs: impl IntoIterator<Item = (Media, u64), IntoIter: Send + 'static>,
        convert: ConvertOptions,
        opts: PipelineOptions,
        finish: impl Fn(u64, Result<Image>) -> T + Send + Sync + 'static,
    ) -> Self {
        let opts = opts.resolved();
        let cancelled = Arc::new(AtomicBool::new(false));
        let (ticket_tx, ticket_rx) = sync_channel(opts.ahead);
        for _ in 0..opts.ahead {
            // Cannot fail: the channel holds `ahead` and its receiver is alive.
            let _ = ticket_tx.try_send(());
        }
        let jobs: Box<dyn Iterator<Item = (Media, u64)> + Send> = Box::new(jobs.into_iter());
        let source = Arc::new(Mutex::new(JobSource { jobs: jobs.peekable(), next: 0, tickets: ticket_rx }));
        let (fetched_tx, fetched_rx) = channel();
        let (result_tx, results) = channel();
        let mut threads = Vec::with_capacity(opts.fetchers + opts.decoders);
        for _ in 0..opts.fetchers {
            let (source, out, cancelled) = (Arc::clone(&source), fetched_tx.clone(), Arc::clone(&cancelled));
            threads.push(std::thread::spawn(move || fetch_loop(&source, &out, &cancelled)));
        }
        drop(fetched_tx);
        let fetched_rx = Arc::new(Mutex::new(fetched_rx));
        let finish: Arc<Finish<T>> = Arc::new(finish);
        for _ in 0..opts.decoders {
            let (input, out) = (Arc::clone(&fetched_rx), result_tx.clone());
            let (finish, cancelled) = (Arc::clone(&finish), Arc::clone(&cancelled));
            threads
                .push(std::thread::spawn(move || decode_loop(&input, &out, &convert, &*finish, &cancelled)));
        }
        Self {
            results,
            tickets: Some(ticket_tx),
            early: BTreeMap::new(),
            next: 0,
            ordered: opts.ordered,
            cancelled,
            threads,
        }
    }

    /// Hand out `done` and give its ticket back, so one more frame may be fetched.
    fn hand_out(&mut self, done: Done<T>) -> Done<T> {
        if let Some(t) = &self.tickets {
            // Never full (one ticket per frame in hand); an error means the fetchers are done.
            let _ = t.try_send(());
        }
        self.next = self.next.max(done.index + 1);
        done
    }
}

impl<T: Send + 'static> Iterator for Pipeline<T> {
    type Item = Done<T>;

    fn next(&mut self) -> Option<Done<T>> {
        loop {
            if let Some(done) = self.early.remove(&self.next) {
                return Some(self.hand_out(done));
            }
            match self.results.recv() {
                Ok(Err(panic)) => resume_unwind(panic),
                Ok(Ok(done)) if !self.ordered || done.index == self.next => return Some(self.hand_out(done)),
                Ok(Ok(done)) => {
                    self.early.insert(done.index, done);
                }
                // Every thread has finished: what is left, in order.
                Err(_) => {
                    let (_, done) = self.early.pop_first()?;
                    return Some(self.hand_out(done));
                }
            }
        }
    }
}

impl<T> Drop for Pipeline<T> {
    fn drop(&mut self) {
        self.cancelled.store(true, Ordering::Relaxed);
        // Wakes fetchers waiting for a ticket; they and then the decoders stop.
        self.tickets = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// The list of frames, shared by the fetchers: each takes a ticket, then the next job.
struct JobSource {
    jobs: Peekable<Box<dyn Iterator<Item = (Media, u64)> + Send>>,
    next: usize,
    tickets: Receiver<()>,
}

impl JobSource {
    /// The next job once a ticket is free; `None` at the end of the list or when stopped.
    fn take(&mut self, cancelled: &AtomicBool) -> Option<Job> {
        // Only a frame that exists takes a ticket, so a fetcher never waits for one at the end.
        self.jobs.peek()?;
        self.tickets.recv().ok()?;
        if cancelled.load(Ordering::Relaxed) {
            return None;
        }
        let (media, n) = self.jobs.next()?;
        self.next += 1;
        Some((self.next - 1, media, n))
    }
}

/// A fetcher: take jobs in list order and fetch them until the list ends or the pipeline
/// is dropped.
fn fetch_loop(source: &Mutex<JobSource>, out: &Sender<Fetched>, cancelled: &AtomicBool) {
    loop {
        let job = match source.lock() {
            Ok(mut s) => s.take(cancelled),
            Err(_) => None,
        };
        let Some(job) = job else { return };
        let fetched = catch_unwind(AssertUnwindSafe(|| job.1.fetch(job.2)));
        let panicked = fetched.is_err();
        if out.send((job, fetched)).is_err() || panicked {
            return;
        }
    }
}

/// A decoder: decode fetched frames and finish them until the fetchers are done or the
/// pipeline is dropped.
fn decode_loop<T>(
    input: &Mutex<Receiver<Fetched>>,
    out: &Sender<Outcome<T>>,
    convert: &ConvertOptions,
    finish: &Finish<T>,
    cancelled: &AtomicBool,
) {
    loop {
        let received = match input.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(((index, media, frame), fetched)) = received else { return };
        if cancelled.load(Ordering::Relaxed) {
            return;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let fetched = fetched.unwrap_or_else(|panic| resume_unwind(panic));
            let image = fetched.and_then(|f| media.decode(&f, convert));
            Done { index, frame, value: finish(frame, image) }
        }));
        let panicked = outcome.is_err();
        if out.send(outcome).is_err() || panicked {
            return;
        }
    }
}
