//! `lazyqt frame ROOT --utc TIME`: the frame an archive's movies show at a UTC instant.

use lazyqt_archive::names::rfc3339;
use lazyqt_archive::{Archive, OffsetDateTime};
use lazyqt_io::SourceOptions;

use super::frame::{write_frame, FrameArgs};

/// Find the movie recording at `utc` under the archive root `args.src` and write its
/// frame shown then (with `--nearest`, the closest frame when no recording covers it).
pub fn run(args: &FrameArgs, utc: OffsetDateTime, opts: &SourceOptions) -> anyhow::Result<()> {
    let root = args
        .src
        .to_str()
        .ok_or_else(|| crate::exit::ExitError::usage(format!("archive root {:?} is not UTF-8", args.src)))?;
    let archive = Archive::new(root, opts)?;
    let hit = archive.locate(utc, args.nearest)?;
    tracing::info!(
        utc = %rfc3339(utc), url = %hit.record.url, frame = hit.frame, offset_s = hit.offset,
        "frame located"
    );
    write_frame(args, &hit.media, hit.frame)
}
