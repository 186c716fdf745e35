//! `lazyqt info`: what a movie holds.

use std::ffi::OsString;
use std::io::Write;

use lazyqt_media::{Media, VideoSummary};

/// Options of `lazyqt info`.
#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Movie file path or http(s):// URL.
    pub src: OsString,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also print the source's counters: HTTP requests, bytes fetched, cache hits/misses.
    #[arg(long)]
    pub stats: bool,
}

/// Run `lazyqt info`.
pub fn run(args: &InfoArgs, media: &Media, out: &mut dyn Write) -> anyhow::Result<()> {
    let info = media.summary();
    if args.json {
        let mut v = serde_json::to_value(&**info)?;
        if args.stats {
            v["stats"] = serde_json::to_value(media.stats())?;
        }
        writeln!(out, "{v}")?;
    } else {
        write_text(info, media.source().uri(), out)?;
        if args.stats {
            let s = media.stats();
            writeln!(
                out,
                "stats     {} requests, {} bytes fetched, {} cache hits, {} misses, {} disk hits, {} retries",
                s.requests, s.bytes_fetched, s.cache_hits, s.cache_misses, s.disk_hits, s.retries
            )?;
        }
    }
    Ok(())
}

fn write_text(info: &VideoSummary, uri: &str, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "source    {uri}")?;
    writeln!(out, "size      {} bytes", info.file_size)?;
    writeln!(out, "duration  {:.3} s", info.duration)?;
    writeln!(out, "created   {}", info.creation_time_rfc3339().as_deref().unwrap_or("-"))?;
    writeln!(out, "brand     {}", info.brand.as_deref().unwrap_or("-"))?;
    for t in &info.tracks {
        write!(out, "track {:<3} {:<8} {:<4}", t.id, t.kind, t.codec)?;
        if t.width > 0 {
            write!(out, " {}x{}", t.width, t.height)?;
        }
        if let Some(fps) = t.fps() {
            write!(out, " {fps:.3}/s")?;
        }
        write!(out, " {} samples, {} frames, {:.3} s", t.samples, t.frames, t.duration)?;
        if let Some(tc) = &t.timecode {
            write!(out, ", starts at {tc}")?;
        }
        if let Some(c) = t.color {
            // QuickTime's nclc notation: primaries-transfer-matrix.
            write!(out, ", colr {}-{}-{}", c.primaries, c.transfer, c.matrix)?;
            if let Some(full) = c.full_range {
                write!(out, " {} range", if full { "full" } else { "video" })?;
            }
        }
        writeln!(out)?;
    }
    for s in &info.skipped_tracks {
        writeln!(out, "skipped   {}", s.error)?;
    }
    Ok(())
}
