//! `lazyqt frames ROOT (--from T1 --to T2 (--every DURATION | --offset SECONDS) |
//! --utc-list FILE [--nearest]) -o DIR`: frames across an archive's movies, planned by UTC
//! time, written in parallel and resumably, named so they sort by UTC, with
//! `manifest.jsonl` (utc, url, frame, path, size; `{utc, error}` for a listed instant that
//! gave no frame) so the result is usable without the tool.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Context;
use lazyqt_archive::names::{parse_instant, rfc3339};
use lazyqt_archive::{Archive, ArchiveError, OffsetDateTime, Planned};
use lazyqt_io::SourceOptions;

use super::frames::{exists, progress, FramesArgs};
use super::selection::Every;
use crate::exit::{Exit, ExitError};
use crate::output;

/// The manifest's file name in the output directory.
pub const MANIFEST: &str = "manifest.jsonl";

/// The time range of `lazyqt frames` over an archive.
#[derive(Debug, clap::Args)]
pub struct ArchiveRange {
    /// SRC is an archive root (see `lazyqt ls --help`): frames from this UTC time on,
    /// chosen with --every DURATION or --offset SECONDS; written as UTC-named files with
    /// manifest.jsonl.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub from: Option<OffsetDateTime>,
    /// Up to this UTC time (required with --every).
    #[arg(long, value_name = "TIME", value_parser = parse_instant, requires = "from")]
    pub to: Option<OffsetDateTime>,
    /// With --utc-list: an instant outside any recording takes the closest frame (the last
    /// of the recording before or the first of the one after), as `frame --utc --nearest`.
    #[arg(long, requires = "utc_list")]
    pub nearest: bool,
}

/// One manifest line.
#[derive(serde::Serialize)]
struct Line<'a> {
    #[serde(with = "time::serde::rfc3339")]
    utc: OffsetDateTime,
    url: &'a str,
    frame: u64,
    path: String,
    size: u64,
}

/// `20161113T012345.123456Z`: a file name part that sorts by UTC.
fn utc_name(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// An instant of `--utc-list` that gave no frame, and why.
struct Missing {
    utc: OffsetDateTime,
    error: ArchiveError,
}

/// The instants of a `--utc-list` file (`-`: stdin): one per line, blank lines and `#`
/// comments skipped; sorted, each once.
fn read_utc_list(path: &Path) -> anyhow::Result<Vec<OffsetDateTime>> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin().lock()).context("reading the UTC list from stdin")?
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let t = parse_instant(line)
            .map_err(|e| ExitError::usage(format!("{} line {}: {e}", path.display(), n + 1)))?;
        out.push(t);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The frames of `--utc-list`, and the instants that gave none.
fn plan_list(archive: &Archive, path: &Path, nearest: bool) -> anyhow::Result<(Vec<Planned>, Vec<Missing>)> {
    let instants = read_utc_list(path)?;
    let (mut plan, mut missing) = (Vec::new(), Vec::new());
    for (utc, found) in instants.iter().zip(archive.locate_all(&instants, nearest)) {
        match found {
            Ok(l) => plan.push(Planned {
                utc: *utc,
                url: l.record.url,
                frame: l.frame,
                offset: l.offset,
                media: l.media,
            }),
            Err(error) => missing.push(Missing { utc: *utc, error }),
        }
    }
    Ok((plan, missing))
}

/// The frames of `--from --to --every` or `--from [--to] --offset`.
fn plan_range(archive: &Archive, args: &FramesArgs, from: OffsetDateTime) -> anyhow::Result<Vec<Planned>> {
    let sel = &args.select;
    let to = args.archive.to;
    Ok(match (sel.every, sel.offset) {
        (Some(Every::Duration(d)), None) => {
            let to = to.ok_or_else(|| ExitError::usage("--every DURATION needs --to"))?;
            let every = time::Duration::try_from(d).map_err(|e| ExitError::usage(format!("--every: {e}")))?;
            archive.plan_every(from, to, every)?
        }
        (None, Some(offset)) => archive.plan_offset(Some(from), to, offset)?,
        _ => return Err(ExitError::usage(MODES)),
    })
}

/// How frames are chosen over an archive.
const MODES: &str = "with an archive root, choose frames with --from and --every DURATION or --offset SECONDS, or with --utc-list FILE";

/// Run `lazyqt frames` over an archive: `--from` with `--every`/`--offset`, or `--utc-list`.
pub fn run(args: &FramesArgs, opts: &SourceOptions) -> anyhow::Result<()> {
    let sel = &args.select;
    if sel.list.is_some()
        || sel.range.is_some()
        || sel.times.is_some()
        || matches!(sel.every, Some(Every::Frames(_)))
    {
        return Err(ExitError::usage(MODES));
    }
    let root = args.src.to_str().ok_or_else(|| ExitError::usage("the archive root is not UTF-8"))?;
    let archive = Archive::new(root, opts)?;
    let (plan, missing) = match (&sel.utc_list, args.archive.from) {
        (Some(list), _) => plan_list(&archive, list, args.archive.nearest)?,
        (None, Some(from)) => (plan_range(&archive, args, from)?, Vec::new()),
        (None, None) => return Err(ExitError::usage(MODES)),
    };
    // (position, exit status) of every failure; instants no recording covers are not failures.
    let mut failed: Vec<(usize, Exit)> = Vec::new();
    for (i, m) in missing.iter().enumerate() {
        eprintln!("lazyqt: {}: {}", rfc3339(m.utc), m.error);
        if !matches!(m.error, ArchiveError::NotRecording { .. }) {
            failed.push((i, Exit::of_kind(m.error.kind())));
        }
    }
    let format = args.image.format_for(None)?;
    let (convert, encode) = (args.image.convert(format)?, args.image.encode());
    let ext = format.extension();
    let name_of = |p: &Planned| format!("{}.{ext}", utc_name(p.utc));
    std::fs::create_dir_all(&args.output).with_context(|| format!("creating {}", args.output.display()))?;
    let bar = progress(plan.len() as u64, args.quiet);
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(failed);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let jobs = args.jobs.unwrap_or(cores).clamp(1, 256).min(plan.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = plan.get(i) else { break };
                let path = args.output.join(name_of(p));
                if args.overwrite || !exists(&path) {
                    let written = p
                        .media
                        .encode_frame(p.frame, format, &convert, &encode)
                        .map_err(anyhow::Error::from)
                        .and_then(|b| {
                            output::write_output(&path, &b)
                                .with_context(|| format!("writing {}", path.display()))
                        });
                    if let Err(e) = written {
                        bar.suspend(|| eprintln!("lazyqt: {} frame {}: {e:#}", p.url, p.frame));
                        if let Ok(mut f) = failures.lock() {
                            f.push((missing.len() + i, Exit::of_error(&e)));
                        }
                    }
                }
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    write_manifest(&args.output, &plan, &missing, &name_of)?;
    let mut failures = failures.into_inner().unwrap_or_default();
    failures.sort_unstable_by_key(|&(i, _)| i);
    eprintln!(
        "lazyqt: {} frames planned from {} movies, {} instants without one, {} failed; manifest in {}",
        plan.len(),
        plan.iter().map(|p| &p.url).collect::<std::collections::HashSet<_>>().len(),
        missing.len(),
        failures.len(),
        args.output.join(MANIFEST).display()
    );
    match failures.first() {
        Some(&(_, exit)) => {
            Err(ExitError { exit, message: format!("{} frames failed (reported above)", failures.len()) }
                .into())
        }
        None => Ok(()),
    }
}

/// One error line of the manifest: an instant that gave no frame.
#[derive(serde::Serialize)]
struct ErrorLine<'a> {
    #[serde(with = "time::serde::rfc3339")]
    utc: OffsetDateTime,
    error: &'a str,
}

/// `manifest.jsonl`: one line per frame of the plan whose file exists and one error line
/// per instant without a frame, in UTC order.
fn write_manifest(
    dir: &Path,
    plan: &[Planned],
    missing: &[Missing],
    name_of: &dyn Fn(&Planned) -> String,
) -> anyhow::Result<()> {
    let mut lines: Vec<(OffsetDateTime, String)> = Vec::with_capacity(plan.len() + missing.len());
    for p in plan {
        let path = name_of(p);
        let Ok(meta) = std::fs::metadata(dir.join(&path)) else { continue };
        let line = Line { utc: p.utc, url: &p.url, frame: p.frame, path, size: meta.len() };
        lines.push((p.utc, serde_json::to_string(&line)?));
    }
    for m in missing {
        let error = m.error.to_string();
        lines.push((m.utc, serde_json::to_string(&ErrorLine { utc: m.utc, error: &error })?));
    }
    lines.sort_by_key(|(t, _)| *t);
    let mut text = String::new();
    for (_, line) in lines {
        text.push_str(&line);
        text.push('\n');
    }
    let manifest = dir.join(MANIFEST);
    output::write_output(&manifest, text.as_bytes())
        .with_context(|| format!("writing {}", manifest.display()))
}
