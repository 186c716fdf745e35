//! Errors of the facade: the source's, the file's, or the caller's, each of one
//! [`ErrorKind`] (the classification every front end maps to its own codes).

use lazyqt_core::{FormatError, SkippedTrack};
use lazyqt_decode::Error as DecodeError;
use lazyqt_io::{ErrorKind, SourceError};

/// Anything that can go wrong opening a movie or getting a frame out of it. Each variant
/// has one [`ErrorKind`] ([`MediaError::kind`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The file or URL could not be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The movie is malformed, or uses a QuickTime feature the parser does not support.
    #[error("malformed movie: {0}")]
    Format(FormatError),
    /// The track asked for (or the default video track) is malformed and was skipped:
    /// no other track answers in its place.
    #[error("{0}")]
    MalformedTrack(SkippedTrack),
    /// The movie's tables parse but point at something impossible or beyond a limit: a sample
    /// past the end of the file, a GOP longer than [`crate::MAX_GOP_SAMPLES`], an oversized
    /// sample or codec configuration.
    #[error("malformed movie: {0}")]
    Malformed(String),
    /// A frame, sample or time past the end.
    #[error("{what} {asked} is out of range: there are {available}")]
    OutOfRange {
        /// "frame", "sample", "time" …
        what: &'static str,
        /// What was asked for.
        asked: u64,
        /// How many there are.
        available: u64,
    },
    /// The movie has no track of the kind asked for.
    #[error("the movie has no {0} track")]
    NoTrack(&'static str),
    /// The caller asked for a track id the movie does not have (nor skipped).
    #[error("the movie has no track with id {0}")]
    NoSuchTrack(u32),
    /// The caller gave a time that is not a non-negative number of seconds.
    #[error("time {0} is not a non-negative number of seconds")]
    InvalidTime(f64),
    /// Decoding, conversion or encoding failed.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A request the caller made is not usable (a contact sheet without tiles, say).
    #[error("{0}")]
    InvalidArgument(String),
    /// A request the caller made is over a limit (a contact sheet of too many tiles or
    /// pixels).
    #[error("{0}")]
    OverLimit(String),
}

impl MediaError {
    /// Convert a core error, naming what an out-of-range index counted.
    pub fn from_core(e: lazyqt_core::Error<SourceError>, what: &'static str) -> Self {
        match e {
            lazyqt_core::Error::Read { error, .. } => MediaError::Source(error),
            lazyqt_core::Error::Format(f) => MediaError::Format(f),
            lazyqt_core::Error::OutOfRange { asked, available } => {
                MediaError::OutOfRange { what, asked, available }
            }
            _ => MediaError::Malformed(e.to_string()),
        }
    }

    /// The kind of this error: the one classification the CLI's exit statuses, the
    /// server's HTTP statuses, the C status codes and Python's exception classes follow.
    pub fn kind(&self) -> ErrorKind {
        match self {
            MediaError::Source(e) => e.kind(),
            MediaError::Format(_) | MediaError::MalformedTrack(_) | MediaError::Malformed(_) => {
                ErrorKind::Malformed
            }
            MediaError::OutOfRange { .. } => ErrorKind::OutOfRange,
            MediaError::NoTrack(_) => ErrorKind::NoTrack,
            MediaError::NoSuchTrack(_) | MediaError::InvalidTime(_) | MediaError::InvalidArgument(_) => {
                ErrorKind::Argument
            }
            MediaError::OverLimit(_) => ErrorKind::TooLarge,
            MediaError::Decode(e) => decode_kind(e),
        }
    }
}

/// The kind of a decoding error (here, since the decode crate knows nothing of
/// [`ErrorKind`]; its error enum is exhaustive so that this match is).
fn decode_kind(e: &DecodeError) -> ErrorKind {
    match e {
        DecodeError::UnsupportedCodec { .. }
        | DecodeError::DecoderMissing { .. }
        | DecodeError::UnsupportedPixelFormat(_) => ErrorKind::Unsupported,
        DecodeError::TooLarge { .. } => ErrorKind::TooLarge,
        // The caller chose the value, or an image format that cannot hold the pixels.
        DecodeError::InvalidArgument(_) | DecodeError::UnsupportedEncoding { .. } => ErrorKind::Argument,
        // The decoder itself says the movie's data is damaged.
        DecodeError::CorruptFrame { .. } => ErrorKind::Malformed,
        DecodeError::FfmpegUnavailable(_)
        | DecodeError::Ffmpeg { .. }
        | DecodeError::OutOfMemory(_)
        | DecodeError::TargetNotFound { .. }
        | DecodeError::Png(_)
        | DecodeError::Jpeg(_) => ErrorKind::Internal,
    }
}

impl From<lazyqt_core::Error<SourceError>> for MediaError {
    fn from(e: lazyqt_core::Error<SourceError>) -> Self {
        MediaError::from_core(e, "sample")
    }
}

/// Result of a facade operation.
pub type Result<T, E = MediaError> = std::result::Result<T, E>;
