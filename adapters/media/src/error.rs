//! Errors of the facade: the source's, the file's, or the caller's, and the one
//! classification ([`ErrorClass`]) every front end maps to its own codes.

use lazyqt_core::{FormatError, SkippedTrack};
use lazyqt_decode::Error as DecodeError;
use lazyqt_io::SourceError;

/// Anything that can go wrong opening a movie or getting a frame out of it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The file or URL could not be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The movie is malformed or unsupported.
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
    /// Decoding, conversion or encoding failed.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// An argument is invalid (message says which and why).
    #[error("{0}")]
    Invalid(String),
}

/// What kind of failure an error is. The CLI's exit codes, the C ABI's and Python's
/// malformed/out-of-range errors and the server's statuses follow this one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The caller asked for something invalid: a bad argument or URL, a track id the
    /// movie lacks, an output size over a limit.
    Invalid,
    /// The file or URL could not be read: I/O, network, HTTP errors, a changed upstream.
    Unreadable,
    /// The movie is malformed (bad tables, a broken track, a sample past the end of the
    /// file) or uses what lazyqt does not support (codec, no video track, limits).
    Malformed,
    /// A frame, sample or time past the end.
    OutOfRange,
    /// Anything else: decoding, conversion or encoding failed, FFmpeg is unavailable.
    Failed,
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

    /// The class of this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            // A read past the end of the file comes from a table pointing there.
            MediaError::Source(SourceError::OutOfBounds { .. }) => ErrorClass::Malformed,
            MediaError::Source(SourceError::InvalidUrl { .. }) => ErrorClass::Invalid,
            MediaError::Source(_) => ErrorClass::Unreadable,
            MediaError::Format(_)
            | MediaError::MalformedTrack(_)
            | MediaError::Malformed(_)
            | MediaError::NoTrack(_) => ErrorClass::Malformed,
            MediaError::OutOfRange { .. } => ErrorClass::OutOfRange,
            MediaError::Decode(DecodeError::UnsupportedCodec { .. }) => ErrorClass::Malformed,
            MediaError::Decode(DecodeError::InvalidArgument(_) | DecodeError::TooLarge { .. }) => {
                ErrorClass::Invalid
            }
            MediaError::Decode(_) => ErrorClass::Failed,
            MediaError::Invalid(_) => ErrorClass::Invalid,
        }
    }
}

impl From<lazyqt_core::Error<SourceError>> for MediaError {
    fn from(e: lazyqt_core::Error<SourceError>) -> Self {
        MediaError::from_core(e, "sample")
    }
}

/// Result of a facade operation.
pub type Result<T, E = MediaError> = std::result::Result<T, E>;
