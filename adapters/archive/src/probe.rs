//! Everything the archive asks of one movie, through the media facade (`Media::open`,
//! `Media::summary`, `Media::frame_at_seconds`) and nothing else of it, so a change of that
//! API is met here alone.

use lazyqt_io::SourceOptions;
use lazyqt_media::{ErrorKind, Media, MediaError};
use time::OffsetDateTime;

use crate::catalog::Status;

/// What the archive knows of a movie it opened.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The open movie (for frame lookups and decoding).
    pub media: Media,
    /// Duration in seconds (the movie header's).
    pub duration: f64,
    /// Frames of the main video track.
    pub frames: u64,
    /// File size in bytes.
    pub size: u64,
    /// Codec of the main video track (e.g. `apcn`).
    pub codec: String,
    /// The movie header's creation time, if set.
    pub creation: Option<OffsetDateTime>,
}

/// Why a movie could not be used: its status and the error's text.
pub type Failure = (Status, String);

/// The status of a movie that failed to open with `e`.
fn status_of(e: &MediaError) -> Status {
    match e.kind() {
        ErrorKind::Malformed | ErrorKind::Unsupported | ErrorKind::NoTrack | ErrorKind::TooLarge => {
            Status::Malformed
        }
        ErrorKind::NotFound
        | ErrorKind::UpstreamChanged
        | ErrorKind::Http
        | ErrorKind::Network
        | ErrorKind::Timeout
        | ErrorKind::Io
        | ErrorKind::Argument
        | ErrorKind::OutOfRange
        | ErrorKind::Internal => Status::Unreachable,
    }
}

/// Open `uri` (through the disk cache of `opts`) and summarize it.
pub fn probe(uri: &str, opts: &SourceOptions) -> Result<Probe, Failure> {
    let media = Media::open(uri, opts).map_err(|e| (status_of(&e), e.to_string()))?;
    let summary = media.summary();
    let video = media.video_summary().map_err(|e| (status_of(&e), format!("{uri}: {e}")))?;
    let creation = summary.creation_time.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok());
    Ok(Probe {
        duration: summary.duration,
        frames: u64::from(video.frames),
        size: summary.file_size,
        codec: video.codec.clone(),
        creation,
        media,
    })
}

/// The frame of `media` shown `seconds` after its start.
pub fn frame_at(media: &Media, seconds: f64) -> Result<u64, MediaError> {
    media.frame_at_seconds(seconds)
}
