//! `lazyqt frames`: many frames to a directory, fetched and decoded in parallel by the
//! media pipeline (encoded and written on its decoder threads), resumable (frames already written are skipped, temporary files of an interrupted run
//! removed), with deterministic file names.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use lazyqt_media::decoding::Image;
use lazyqt_media::{Media, Pipeline, PipelineOptions};

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
    /// No progress bar (it is drawn on stderr only when stderr is a terminal).
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub archive: super::archive_frames::ArchiveRange,
}

/// A progress bar over `len` frames on stderr: hidden with `--quiet`, and (by indicatif)
/// when stderr is not a terminal.
pub(super) fn progress(len: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
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
    let ext = format.extension();
    std::fs::create_dir_all(&args.output).with_context(|| format!("creating {}", args.output.display()))?;
    let leftovers = output::remove_leftovers(&args.output, is_frame_file_name)
        .with_context(|| format!("cleaning up {}", args.output.display()))?;
    if leftovers > 0 {
        tracing::info!(leftovers, "removed temporary files of an interrupted run");
    }
    let total = selected.len();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let remote = media.source().is_remote();
    let jobs = args.jobs.unwrap_or(if remote { cores.max(8) } else { cores }).clamp(1, 256);
    let jobs = jobs.min(usize::try_from(total).unwrap_or(usize::MAX).max(1));
    // Over HTTP, `jobs` fetchers read frames ahead while one decoder per core decodes, so the
    // cores never wait on the network; locally, `jobs` decoders.
    let decoders = if remote { jobs.min(cores) } else { jobs };
    let opts = PipelineOptions { ahead: 2 * jobs, fetchers: jobs, decoders, ordered: false };
    // Enough parallel frames keep every core busy: one decoder thread each avoids oversubscription.
    let decoding = if decoders >= cores { media.clone().with_decoder_threads(1) } else { media.clone() };
    let bar = progress(total, args.quiet);
    let skipped = Arc::new(AtomicU64::new(0));
    let dir = args.output.clone();
    let (overwrite, done_bar, done_count) = (args.overwrite, bar.clone(), Arc::clone(&skipped));
    // Frames already written are passed over as the list is walked (a range of millions of
    // frames is never built in memory).
    let todo = (0..total).filter_map(move |i| selected.get(i)).filter(move |&n| {
        let done = !overwrite && exists(&dir.join(frame_file_name(n, ext)));
        if done {
            done_count.fetch_add(1, Ordering::Relaxed);
            done_bar.inc(1);
        }
        !done
    });
    let todo = todo.map(move |n| (decoding.clone(), n));
    let dir = args.output.clone();
    let write = move |n: u64, image: lazyqt_media::Result<Image>| -> anyhow::Result<()> {
        let bytes = lazyqt_media::decoding::encode(&image?, format, &encode)?;
        let path = dir.join(frame_file_name(n, ext));
        output::write_output(&path, &bytes).with_context(|| format!("writing {}", path.display()))
    };
    // (index, frame, exit status) of every failure.
    let mut failures = Vec::new();
    let mut written = 0u64;
    let started = Instant::now();
    for done in Pipeline::with_finish(todo, convert, opts, write) {
        match done.value {
            Ok(()) => written += 1,
            Err(e) => {
                bar.suspend(|| eprintln!("lazyqt: frame {}: {e:#}", done.frame));
                failures.push((done.index, done.frame, Exit::of_error(&e)));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    failures.sort_unstable_by_key(|&(i, _, _)| i);
    let (failed, skipped) = (failures.len() as u64, skipped.load(Ordering::Relaxed));
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

pub(super) fn exists(p: &Path) -> bool {
    p.metadata().is_ok_and(|m| m.len() > 0)
}
