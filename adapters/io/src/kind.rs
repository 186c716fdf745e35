//! [`ErrorKind`]: what kind of failure an error is, the one classification every front end
//! maps to its own codes (CLI exit statuses, HTTP statuses, C status codes, Python exception
//! classes), each in one exhaustive table.
//!
//! It lives here, in the lowest std crate, so that [`SourceError::kind`] classifies the
//! source's errors where they are defined; `lazyqt-media` re-exports it and classifies the
//! rest (`MediaError::kind`).

use crate::SourceError;

/// What kind of failure an error is: what the caller can do about it. Not
/// `#[non_exhaustive]` on purpose: every front end matches it exhaustively, so a new kind
/// fails to compile until each front end has an answer for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The caller asked for something invalid: a bad value, time, URL or scheme, a track id
    /// the movie lacks, an image format that cannot hold the pixels.
    Argument,
    /// The file or URL does not exist (no such local file, HTTP 404 or 410).
    NotFound,
    /// A frame, sample or time past the end of the movie.
    OutOfRange,
    /// The movie is malformed: bad tables, a broken track, a sample past the end of the
    /// file, a frame the decoder flags as corrupt, or a QuickTime feature the parser refuses.
    Malformed,
    /// The movie's codec or pixel format cannot be decoded (or FFmpeg lacks the decoder).
    Unsupported,
    /// The movie has no track of the kind needed (no video track to take frames from).
    NoTrack,
    /// A size (picture, sample, read, answer) exceeds a limit of the library.
    TooLarge,
    /// The remote file changed since it was opened: its cached bytes were dropped, opening
    /// it again reads the new version.
    UpstreamChanged,
    /// The HTTP server answered with an error status (other than 404/410), ignored the
    /// range, sent a wrong `Content-Range` or an encoded body, redirected where it may not,
    /// or broke the protocol.
    Http,
    /// The connection failed or broke (refused, reset, DNS, TLS, a truncated body).
    Network,
    /// Connecting, an answer or the whole read took longer than its deadline.
    Timeout,
    /// A local file (other than a missing one) or the disk cache could not be read.
    Io,
    /// Anything else: FFmpeg failed or is not available, an encoder failed, a bug.
    Internal,
}

impl ErrorKind {
    /// Every kind, for tests that walk each one through a front end's table.
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::Argument,
        ErrorKind::NotFound,
        ErrorKind::OutOfRange,
        ErrorKind::Malformed,
        ErrorKind::Unsupported,
        ErrorKind::NoTrack,
        ErrorKind::TooLarge,
        ErrorKind::UpstreamChanged,
        ErrorKind::Http,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Io,
        ErrorKind::Internal,
    ];
}

impl SourceError {
    /// The kind of this error. Every read lazyqt makes is at an offset the movie's own
    /// tables gave, so a read past the end of the source ([`SourceError::OutOfBounds`]) is
    /// a malformed movie, not a caller's mistake.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SourceError::ChangedUpstream { .. } => ErrorKind::UpstreamChanged,
            SourceError::HttpStatus { status: 404 | 410, .. } => ErrorKind::NotFound,
            SourceError::RangeNotSupported { .. }
            | SourceError::HttpStatus { .. }
            | SourceError::ContentRange { .. }
            | SourceError::Encoding { .. }
            | SourceError::Redirect { .. }
            | SourceError::Protocol { .. } => ErrorKind::Http,
            SourceError::Timeout { .. } => ErrorKind::Timeout,
            SourceError::Network { .. } | SourceError::ShortBody { .. } => ErrorKind::Network,
            SourceError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ErrorKind::NotFound
            }
            SourceError::Io { .. } => ErrorKind::Io,
            SourceError::InvalidUrl { .. } => ErrorKind::Argument,
            SourceError::TooLarge { .. } => ErrorKind::TooLarge,
            SourceError::OutOfBounds { .. } => ErrorKind::Malformed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ErrorKind, SourceError};

    /// One error of each variant (a new variant must be added here: the match in
    /// [`SourceError::kind`] has no catch-all) and the kind it has.
    #[test]
    fn every_source_error_has_its_kind() {
        let url = || "http://h/m.mov".to_string();
        let status = |status| SourceError::HttpStatus { url: url(), status, range: "bytes=0-1".into() };
        let io = |kind| SourceError::Io { path: "m.mov".into(), source: std::io::Error::from(kind) };
        let cases = [
            (SourceError::ChangedUpstream { url: url(), detail: "412".into() }, ErrorKind::UpstreamChanged),
            (SourceError::RangeNotSupported { url: url(), size: 9 }, ErrorKind::Http),
            (status(404), ErrorKind::NotFound),
            (status(410), ErrorKind::NotFound),
            (status(403), ErrorKind::Http),
            (status(503), ErrorKind::Http),
            (SourceError::Timeout { url: url(), detail: "headers".into() }, ErrorKind::Timeout),
            (SourceError::Network { url: url(), detail: "refused".into() }, ErrorKind::Network),
            (SourceError::ContentRange { url: url(), asked: "a".into(), got: "b".into() }, ErrorKind::Http),
            (SourceError::ShortBody { url: url(), expected: 2, got: 1 }, ErrorKind::Network),
            (SourceError::Encoding { url: url(), encoding: "gzip".into() }, ErrorKind::Http),
            (SourceError::Redirect { url: url(), detail: "loop".into() }, ErrorKind::Http),
            (io(std::io::ErrorKind::NotFound), ErrorKind::NotFound),
            (io(std::io::ErrorKind::PermissionDenied), ErrorKind::Io),
            (SourceError::InvalidUrl { input: url(), reason: "scheme".into() }, ErrorKind::Argument),
            (SourceError::TooLarge { uri: url(), what: "moov", size: 9, limit: 1 }, ErrorKind::TooLarge),
            (SourceError::OutOfBounds { uri: url(), offset: 9, len: 9, size: 3 }, ErrorKind::Malformed),
            (SourceError::Protocol { url: url(), detail: "no Content-Range".into() }, ErrorKind::Http),
        ];
        for (error, kind) in cases {
            assert_eq!(error.kind(), kind, "{error}");
        }
    }
}
