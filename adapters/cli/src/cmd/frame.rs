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
    /// Movie file path or http(s):// URL.
    pub src: OsString,
    /// Frame number, 0-based, in presentation order (as ffmpeg's select=eq(n,N) counts).
    #[arg(required_unless_present = "time", conflicts_with = "time")]
    pub n: Option<u64>,
    /// Take the frame shown at this many seconds from the start instead of a number.
    #[arg(long, value_name = "SECONDS")]
    pub time: Option<f64>,
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
