//! `lazyqt frames`: many frames to a directory, fetched and decoded in parallel,
//! resumable (frames already written are skipped), with deterministic file names.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use lazyqt_media::Media;

use super::image_args::ImageArgs;

/// Which frames to write.
#[derive(Debug, Clone, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Selection {
    /// Every K-th frame: 0, K, 2K, …
    #[arg(long, value_name = "K")]
    pub every: Option<u64>,
    /// These frame numbers (0-based), comma-separated: 1,5,9.
    #[arg(long, value_name = "N,N,…", value_delimiter = ',')]
    pub list: Option<Vec<u64>>,
    /// Frames A to B-1 (A..B) or A to B (A..=B).
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// The frames shown at these times in seconds, comma-separated: 0.5,60,120.
    #[arg(long, value_name = "T,T,…", value_delimiter = ',')]
    pub times: Option<Vec<f64>>,
}

/// Options of `lazyqt frames`.
#[derive(Debug, clap::Args)]
pub struct FramesArgs {
    /// Movie file path or http(s):// URL.
    pub src: String,
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
}

fn parse_range(s: &str, frames: u64) -> anyhow::Result<std::ops::Range<u64>> {
    let (a, b, inclusive) = match s.split_once("..=") {
        Some((a, b)) => (a, b, true),
        None => match s.split_once("..") {
            Some((a, b)) => (a, b, false),
            None => bail!("range {s:?} is not A..B or A..=B"),
        },
    };
    let a: u64 =
        if a.is_empty() { 0 } else { a.parse().with_context(|| format!("bad range start {a:?}"))? };
    let b: u64 = if b.is_empty() {
        frames
    } else {
        let b: u64 = b.parse().with_context(|| format!("bad range end {b:?}"))?;
        if inclusive {
            b + 1
        } else {
            b
        }
    };
    if a >= b {
        bail!("range {s:?} is empty");
    }
    Ok(a..b)
}

/// The frame numbers selected, in order, without duplicates.
fn frame_list(sel: &Selection, media: &Media) -> anyhow::Result<Vec<u64>> {
    let frames = u64::from(media.video()?.frame_count());
    let mut list: Vec<u64> = if let Some(k) = sel.every {
        if k == 0 {
            bail!("--every must be at least 1");
        }
        (0..frames).step_by(k as usize).collect()
    } else if let Some(l) = &sel.list {
        l.clone()
    } else if let Some(r) = &sel.range {
        parse_range(r, frames)?.collect()
    } else if let Some(times) = &sel.times {
        times.iter().map(|&t| media.frame_at_seconds(t)).collect::<Result<_, _>>()?
    } else {
        bail!("choose frames with --every, --list, --range or --times");
    };
    if let Some(&bad) = list.iter().find(|&&n| n >= frames) {
        return Err(
            lazyqt_media::MediaError::OutOfRange { what: "frame", asked: bad, available: frames }.into()
        );
    }
    let mut seen = std::collections::HashSet::new();
    list.retain(|n| seen.insert(*n));
    Ok(list)
}

fn progress(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} frames  {per_sec}  eta {eta}") {
        bar.set_style(style);
    }
    bar
}

/// Run `lazyqt frames`. Returns an error if any frame failed (after trying all of them).
pub fn run(args: &FramesArgs, media: &Media) -> anyhow::Result<()> {
    let list = frame_list(&args.select, media)?;
    let format = args.image.format_for(None)?;
    let convert = args.image.convert(format)?;
    let encode = args.image.encode();
    let ext = ImageArgs::extension(format);
    std::fs::create_dir_all(&args.output).with_context(|| format!("creating {}", args.output.display()))?;
    let path_of = |n: u64| args.output.join(format!("frame_{n:06}.{ext}"));
    let todo: Vec<u64> = list.iter().copied().filter(|&n| args.overwrite || !exists(&path_of(n))).collect();
    let skipped = list.len() - todo.len();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let remote = lazyqt_io::is_url(&args.src);
    let jobs =
        args.jobs.unwrap_or(if remote { cores.max(8) } else { cores }).clamp(1, 256).min(todo.len().max(1));
    // Over HTTP, `jobs` fetchers read frames ahead while one decoder per core decodes, so the
    // cores never wait on the network; locally, `jobs` workers read and decode.
    let decoders = if remote { jobs.min(cores) } else { jobs };
    let fetch = remote.then(|| Fetched::new(todo.len(), 2 * jobs));
    // Enough parallel frames keep every core busy: one decoder thread each avoids oversubscription.
    let single = media.clone().with_decoder_threads(1);
    let media = if decoders >= cores { &single } else { media };
    let bar = progress(todo.len() as u64);
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|s| {
        if let Some(fetch) = &fetch {
            for _ in 0..jobs {
                s.spawn(|| fetch.run(&todo, media, &next));
            }
        }
        for _ in 0..decoders {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&n) = todo.get(i) else { break };
                if let Some(fetch) = &fetch {
                    fetch.wait_for(i);
                }
                let result = media
                    .encode_frame(n, format, &convert, &encode)
                    .map_err(anyhow::Error::from)
                    .and_then(|bytes| super::write_atomically(&path_of(n), &bytes).map_err(Into::into));
                if let Err(e) = result {
                    bar.suspend(|| eprintln!("lazyqt: frame {n}: {e:#}"));
                    if let Ok(mut f) = failures.lock() {
                        f.push(n);
                    }
                }
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let failed = failures.into_inner().map(|f| f.len()).unwrap_or(0);
    let written = todo.len() - failed;
    eprintln!(
        "lazyqt: wrote {written} frames to {} ({skipped} already there, {failed} failed) in {secs:.2} s: {:.1} frames/s with {jobs} jobs",
        args.output.display(),
        written as f64 / secs.max(1e-9)
    );
    let s = media.stats();
    tracing::info!(requests = s.requests, bytes = s.bytes_fetched, "source counters");
    if failed > 0 {
        bail!("{failed} of {} frames failed", todo.len());
    }
    Ok(())
}

/// Frames read ahead of the decoders (remote sources): which are done, so a decoder
/// starts on a frame only once its bytes are in (never fetching them a second time).
struct Fetched {
    done: Mutex<Vec<bool>>,
    changed: Condvar,
    next: AtomicUsize,
    /// How many frames the fetchers may run ahead of the decoders.
    lookahead: usize,
}

impl Fetched {
    fn new(frames: usize, lookahead: usize) -> Self {
        Self {
            done: Mutex::new(vec![false; frames]),
            changed: Condvar::new(),
            next: AtomicUsize::new(0),
            lookahead,
        }
    }

    /// Fetcher loop: read the bytes of the next frame in `todo`, at most `lookahead` frames
    /// past the one the decoders (`decoding`) are at. A failure is left for the decode to
    /// report (it reads again).
    fn run(&self, todo: &[u64], media: &Media, decoding: &AtomicUsize) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(&n) = todo.get(i) else { return };
            let Ok(mut done) = self.done.lock() else { return };
            while i >= decoding.load(Ordering::Relaxed) + self.lookahead {
                done = match self.changed.wait(done) {
                    Ok(d) => d,
                    Err(_) => return,
                };
            }
            drop(done);
            if let Err(e) = media.prefetch_frame(n) {
                tracing::debug!(frame = n, error = %e, "frame not fetched ahead");
            }
            if let Ok(mut done) = self.done.lock() {
                done[i] = true;
            }
            self.changed.notify_all();
        }
    }

    /// Decoder side: wait until frame `i` of the list has been fetched (or failed to be).
    fn wait_for(&self, i: usize) {
        // Moving on lets the fetchers move their window.
        self.changed.notify_all();
        let Ok(mut done) = self.done.lock() else { return };
        while !done.get(i).copied().unwrap_or(true) {
            done = match self.changed.wait(done) {
                Ok(d) => d,
                Err(_) => return,
            };
        }
    }
}

fn exists(p: &Path) -> bool {
    p.metadata().is_ok_and(|m| m.len() > 0)
}
