//! `lazyqt frames`: many frames to a directory, fetched and decoded in parallel,
//! resumable (frames already written are skipped, temporary files of an interrupted run
//! removed), with deterministic file names.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use lazyqt_media::Media;

use super::image_args::ImageArgs;
use super::selection::{Frames, Selection};
use crate::exit::{Exit, ExitError};
use crate::output;

/// Options of `lazyqt frames`.
#[derive(Debug, clap::Args)]
pub struct FramesArgs {
    /// Movie file path or http(s):// URL (with --from: an archive root).
    pub src: OsString,
    #[command(flatten)]
    pub select: Selection,
    /// Output directory (created if missing). Files are named frame_NNNNNN.EXT by frame number.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Frames fetched and decoded at once. Default: the number of cores; for URLs, 8 or the
    /// number of cores, whichever is more, fetching ahead while one decoder per core decodes.
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Rewrite frames that already exist (default: skip them, so an interrupted run resumes).
    #[arg(long)]
    pub overwrite: bool,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub archive: super::archive_frames::ArchiveRange,
}

/// A progress bar over `len` frames.
pub(super) fn progress(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} frames  {per_sec}  eta {eta}") {
        bar.set_style(style);
    }
    bar
}

/// The file a frame is written to, in the output directory: `frame_NNNNNN.EXT`.
fn frame_file_name(n: u64, ext: &str) -> String {
    format!("frame_{n:06}.{ext}")
}

/// Whether `name` is one [`frame_file_name`] gives (for any extension).
fn is_frame_file_name(name: &str) -> bool {
    name.strip_prefix("frame_").and_then(|r| r.split_once('.')).is_some_and(|(digits, ext)| {
        digits.len() >= 6
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !ext.is_empty()
            && ext.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// Run `lazyqt frames`. Returns an error if any frame failed (after trying all of them),
/// with the exit status of the first one that failed.
pub fn run(args: &FramesArgs, media: &Media) -> anyhow::Result<()> {
    let frames = u64::from(media.video()?.frame_count());
    let selected = Frames::select(&args.select, media, frames)?;
    let format = args.image.format_for(None)?;
    let convert = args.image.convert(format)?;
    let encode = args.image.encode();
    let ext = ImageArgs::extension(format);
    std::fs::create_dir_all(&args.output).with_context(|| format!("creating {}", args.output.display()))?;
    let leftovers = output::remove_leftovers(&args.output, is_frame_file_name)
        .with_context(|| format!("cleaning up {}", args.output.display()))?;
    if leftovers > 0 {
        tracing::info!(leftovers, "removed temporary files of an interrupted run");
    }
    let path_of = |n: u64| args.output.join(frame_file_name(n, ext));
    let done_before = |n: u64| !args.overwrite && exists(&path_of(n));
    let total = selected.len();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let remote = media.source().is_remote();
    let jobs = args.jobs.unwrap_or(if remote { cores.max(8) } else { cores }).clamp(1, 256);
    let jobs = jobs.min(usize::try_from(total).unwrap_or(usize::MAX).max(1));
    // Over HTTP, `jobs` fetchers read frames ahead while one decoder per core decodes, so the
    // cores never wait on the network; locally, `jobs` workers read and decode.
    let decoders = if remote { jobs.min(cores) } else { jobs };
    let fetch = remote.then(|| Fetched::new(2 * jobs as u64));
    // Enough parallel frames keep every core busy: one decoder thread each avoids oversubscription.
    let single = media.clone().with_decoder_threads(1);
    let media = if decoders >= cores { &single } else { media };
    let bar = progress(total);
    let next = AtomicU64::new(0);
    let skipped = AtomicU64::new(0);
    // (index in the selection, frame, exit status) of every failure.
    let failures = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|s| {
        if let Some(fetch) = &fetch {
            for _ in 0..jobs {
                s.spawn(|| fetch.run(&selected, &done_before, media, &next));
            }
        }
        for _ in 0..decoders {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(n) = selected.get(i) else { break };
                if let Some(fetch) = &fetch {
                    fetch.wait_for(i);
                }
                if done_before(n) {
                    skipped.fetch_add(1, Ordering::Relaxed);
                    bar.inc(1);
                    continue;
                }
                let result = media
                    .encode_frame(n, format, &convert, &encode)
                    .map_err(anyhow::Error::from)
                    .and_then(|bytes| {
                        let path = path_of(n);
                        output::write_output(&path, &bytes)
                            .with_context(|| format!("writing {}", path.display()))
                    });
                if let Err(e) = result {
                    bar.suspend(|| eprintln!("lazyqt: frame {n}: {e:#}"));
                    if let Ok(mut f) = failures.lock() {
                        f.push((i, n, Exit::of_error(&e)));
                    }
                }
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let mut failures = failures.into_inner().unwrap_or_default();
    failures.sort_unstable_by_key(|&(i, _, _)| i);
    let (failed, skipped) = (failures.len() as u64, skipped.into_inner());
    let written = total - skipped - failed;
    eprintln!(
        "lazyqt: wrote {written} frames to {} ({skipped} already there, {failed} failed) in {secs:.2} s: {:.1} frames/s with {jobs} jobs",
        args.output.display(),
        written as f64 / secs.max(1e-9)
    );
    let s = media.stats();
    tracing::info!(requests = s.requests, bytes = s.bytes_fetched, "source counters");
    match failures.first() {
        Some(&(_, n, exit)) => Err(ExitError {
            exit,
            message: format!(
                "{failed} of {} frames failed (the first, frame {n}, is reported above)",
                total - skipped
            ),
        }
        .into()),
        None => Ok(()),
    }
}

/// Frames read ahead of the decoders (remote sources): which are done, so a decoder
/// starts on a frame only once its bytes are in (never fetching them a second time).
struct Fetched {
    /// Indices (in the selection) fetched and not yet taken by a decoder: at most
    /// `lookahead` plus the number of decoders.
    done: Mutex<HashSet<u64>>,
    changed: Condvar,
    next: AtomicU64,
    /// How many frames the fetchers may run ahead of the decoders.
    lookahead: u64,
}

impl Fetched {
    fn new(lookahead: u64) -> Self {
        Self { done: Mutex::default(), changed: Condvar::new(), next: AtomicU64::new(0), lookahead }
    }

    /// Fetcher loop: read the bytes of the next selected frame, at most `lookahead` frames
    /// past the one the decoders (`decoding`) are at; frames already written are passed
    /// over. A failure is left for the decode to report (it reads again).
    fn run(&self, selected: &Frames, done_before: &dyn Fn(u64) -> bool, media: &Media, decoding: &AtomicU64) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(n) = selected.get(i) else { return };
            let Ok(mut done) = self.done.lock() else { return };
            while i >= decoding.load(Ordering::Relaxed) + self.lookahead {
                done = match self.changed.wait(done) {
                    Ok(d) => d,
                    Err(_) => return,
                };
            }
            drop(done);
            if !done_before(n) {
                if let Err(e) = media.prefetch_frame(n) {
                    tracing::debug!(frame = n, error = %e, "frame not fetched ahead");
                }
            }
            if let Ok(mut done) = self.done.lock() {
                done.insert(i);
            }
            self.changed.notify_all();
        }
    }

    /// Decoder side: wait until the `i`-th selected frame has been fetched (or failed to be).
    fn wait_for(&self, i: u64) {
        // Moving on lets the fetchers move their window.
        self.changed.notify_all();
        let Ok(mut done) = self.done.lock() else { return };
        while !done.remove(&i) {
            done = match self.changed.wait(done) {
                Ok(d) => d,
                Err(_) => return,
            };
        }
    }
}

/// Whether a non-empty file is at `p` (a frame written before).
pub(super) fn exists(p: &Path) -> bool {
    p.metadata().is_ok_and(|m| m.len() > 0)
}
