//! The archive's errors: what a front end reports and how it classifies them.

use lazyqt_io::SourceError;
use time::OffsetDateTime;

use crate::catalog::Status;
use crate::names::rfc3339;

/// A recording next to an instant no recording covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    /// The movie's URL or path.
    pub url: String,
    /// Its end (for the one before) or its start (for the one after).
    pub at: OffsetDateTime,
}

/// Why an archive could not answer.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The root or a range is unusable (a bad URL, `from` after `to`).
    #[error("{0}")]
    Invalid(String),
    /// A directory listing could not be read (over HTTP).
    #[error("listing {dir}: {source}")]
    Listing {
        /// The directory's URL (redacted).
        dir: String,
        /// Why.
        #[source]
        source: SourceError,
    },
    /// A local directory could not be read.
    #[error("listing {dir}: {source}")]
    LocalListing {
        /// The directory.
        dir: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// No recording covers the instant asked for.
    #[error("{}", not_recording(*at, before.as_ref(), after.as_ref()))]
    NotRecording {
        /// The instant asked for.
        at: OffsetDateTime,
        /// The nearest recording that ended before it (looked for back to the day before).
        before: Option<Neighbour>,
        /// The nearest recording that starts after it (looked for up to the day after).
        after: Option<Neighbour>,
    },
    /// The movie that would cover the instant cannot be used.
    #[error("{url}, which may cover {}, is {status}: {error}", rfc3339(*at))]
    Unusable {
        /// The instant asked for.
        at: OffsetDateTime,
        /// The movie.
        url: String,
        /// Malformed or unreachable.
        status: Status,
        /// What is wrong with it.
        error: String,
    },
    /// The movie covering the instant opened, but the frame lookup failed.
    #[error(transparent)]
    Media(#[from] lazyqt_media::MediaError),
}

fn not_recording(at: OffsetDateTime, before: Option<&Neighbour>, after: Option<&Neighbour>) -> String {
    let before = before.map_or("no recording within a day before".into(), |n| {
        format!("the nearest before is {} (ended {})", n.url, rfc3339(n.at))
    });
    let after = after.map_or("no recording within a day after".into(), |n| {
        format!("the nearest after is {} (starts {})", n.url, rfc3339(n.at))
    });
    format!(
        "no recording at {}: {before}; {after} (ask for the nearest frame to take the closest one)",
        rfc3339(at)
    )
}

impl ArchiveError {
    /// Is this a listing of a directory that does not exist (HTTP 404 or 410, or no
    /// such local directory)?
    pub fn is_not_found(&self) -> bool {
        match self {
            ArchiveError::Listing { source: SourceError::HttpStatus { status, .. }, .. } => {
                matches!(status, 404 | 410)
            }
            ArchiveError::LocalListing { source, .. } => source.kind() == std::io::ErrorKind::NotFound,
            _ => false,
        }
    }

    /// The kind of the error, which every front end maps (exit statuses, HTTP statuses):
    /// a gap between recordings is "out of range", a movie that would cover the instant
    /// but does not open is "malformed" (or its read's kind when it could not be read).
    pub fn kind(&self) -> lazyqt_io::ErrorKind {
        use lazyqt_io::ErrorKind;
        match self {
            ArchiveError::Invalid(_) => ErrorKind::Argument,
            ArchiveError::Listing { source, .. } => source.kind(),
            ArchiveError::LocalListing { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ErrorKind::NotFound
            }
            ArchiveError::LocalListing { .. } => ErrorKind::Io,
            ArchiveError::NotRecording { .. } => ErrorKind::OutOfRange,
            ArchiveError::Unusable { status: Status::Unreachable, .. } => ErrorKind::Network,
            ArchiveError::Unusable { .. } => ErrorKind::Malformed,
            ArchiveError::Media(e) => e.kind(),
        }
    }
}
