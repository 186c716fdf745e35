//! `lazyqt samples`: every sample of a track, streamed in decode order.

use std::ffi::OsString;
use std::io::Write;

use anyhow::Context;
use lazyqt_media::{Media, MediaError};

/// Options of `lazyqt samples`.
#[derive(Debug, clap::Args)]
pub struct SamplesArgs {
    /// Movie file path or http(s):// URL.
    pub src: OsString,
    /// Track id (see `lazyqt info`); default: the video track.
    #[arg(long)]
    pub track: Option<u32>,
    /// One JSON object per line: {"index","offset","size","dts","pts","duration","keyframe"}.
    #[arg(long)]
    pub json: bool,
}

/// Run `lazyqt samples`. Memory use does not depend on the number of samples.
pub fn run(args: &SamplesArgs, media: &Media, out: &mut dyn Write) -> anyhow::Result<()> {
    let track = match args.track {
        Some(id) => media.track(id)?,
        None => media.video()?,
    };
    let src = &**media.source();
    let mut cursor = track.samples(src).map_err(MediaError::from)?;
    if !args.json {
        writeln!(
            out,
            "{:>10} {:>14} {:>9} {:>12} {:>12} {:>8}  key",
            "index", "offset", "size", "dts", "pts", "duration"
        )?;
    }
    while let Some(s) = cursor.next(src) {
        let s = s.map_err(MediaError::from).with_context(|| format!("reading track {}", track.id()))?;
        if args.json {
            writeln!(
                out,
                r#"{{"index":{},"offset":{},"size":{},"dts":{},"pts":{},"duration":{},"keyframe":{}}}"#,
                s.index, s.offset, s.size, s.dts, s.pts, s.duration, s.keyframe
            )?;
        } else {
            let key = if s.keyframe { "K" } else { "-" };
            writeln!(
                out,
                "{:>10} {:>14} {:>9} {:>12} {:>12} {:>8}  {key}",
                s.index, s.offset, s.size, s.dts, s.pts, s.duration
            )?;
        }
    }
    Ok(())
}
