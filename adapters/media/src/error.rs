//! Errors of the facade: the source's, the file's, or the caller's.

use lazyqt_core::FormatError;
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
    Decode(#[from] lazyqt_decode::Error),
    /// An argument is invalid (message says which and why).
    #[error("{0}")]
    Invalid(String),
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
            _ => MediaError::Invalid(e.to_string()),
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
