//! `lazyqt frame`: one frame as an image file (or on stdout).

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use lazyqt_media::Media;

use super::image_args::ImageArgs;

/// Options of `lazyqt frame`.
#[derive(Debug, clap::Args)]
pub struct FrameArgs {
    /// Movie file path or http(s):// URL (with --utc: an archive root, see `lazyqt ls --help`).
    pub src: OsString,
    /// Frame number, 0-based, in presentation order (as ffmpeg's select=eq(n,N) counts).
    #[arg(required_unless_present_any = ["time", "utc"], conflicts_with_all = ["time", "utc"])]
    pub n: Option<u64>,
    /// Take the frame shown at this many seconds from the start instead of a number.
    #[arg(long, value_name = "SECONDS", conflicts_with = "utc")]
    pub time: Option<f64>,
    /// SRC is an archive root: take the frame shown at this UTC time (RFC 3339, e.g.
    /// 2016-11-13T01:23:45Z) by the movie recording then. No recording then: exit 5,
    /// naming the nearest recordings before and after.
    #[arg(long, value_name = "TIME", value_parser = lazyqt_archive::names::parse_instant)]
    pub utc: Option<lazyqt_archive::OffsetDateTime>,
    /// With --utc, outside any recording: take the closest frame (the last of the
    /// recording before or the first of the one after) instead of failing.
    #[arg(long, requires = "utc")]
    pub nearest: bool,
    /// Output file; "-" writes to stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub image: ImageArgs,
}

/// Run `lazyqt frame`.
pub fn run(args: &FrameArgs, media: &Media) -> anyhow::Result<()> {
    let n = match (args.n, args.time) {
        (Some(n), _) => n,
        (None, Some(t)) => media.frame_at_seconds(t)?,
        (None, None) => bail!("give a frame number or --time"),
    };
    write_frame(args, media, n)
}

/// Write frame `n` of `media` as `args` ask (format, scale, output).
pub fn write_frame(args: &FrameArgs, media: &Media, n: u64) -> anyhow::Result<()> {
    let to_stdout = args.output.as_os_str() == "-";
    let format = args.image.format_for((!to_stdout).then_some(args.output.as_path()))?;
    let bytes = media.encode_frame(n, format, &args.image.convert(format)?, &args.image.encode())?;
    if to_stdout {
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()?;
    } else {
        crate::output::write_output(&args.output, &bytes)
            .with_context(|| format!("writing {}", args.output.display()))?;
    }
    tracing::info!(frame = n, bytes = bytes.len(), stats = ?media.stats(), "frame written");
    Ok(())
}
