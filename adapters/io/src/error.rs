//! The one error type of every lazyqt byte source. URLs in it are redacted
//! ([`crate::redact_url`]): no credential ever reaches a message.

/// Why a source could not deliver bytes. Variants are meant to be matched: a caller
/// reopens on [`SourceError::ChangedUpstream`], reports [`SourceError::RangeNotSupported`]
/// to the user, retries later on [`SourceError::Timeout`], and so on.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The remote file is not the one first opened (412 to a conditional request, or a
    /// different validator or size in an answer). Its cached bytes were dropped; open
    /// it again to read the new version.
    #[error("{url} changed upstream ({detail}); its cached bytes were dropped, open it again")]
    ChangedUpstream {
        /// The URL.
        url: String,
        /// What showed the change.
        detail: String,
    },
    /// The server answered a ranged GET with the whole file (200), and the file is too
    /// large to take whole. The body was not read.
    #[error("{url}: the server does not support range requests (200 to a ranged GET, {size} bytes)")]
    RangeNotSupported {
        /// The URL.
        url: String,
        /// Body length announced by the server, if any (0 if unknown).
        size: u64,
    },
    /// An HTTP status that retrying does not fix (404, 403, …), or a 5xx/408/429 that
    /// outlasted the retries.
    #[error("{url}: HTTP {status} for range {range}")]
    HttpStatus {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// The range asked for, as in the `Range` header (`bytes=a-b`).
        range: String,
    },
    /// Connecting timed out, an answer's headers or its next body bytes did not come in
    /// time, or the overall deadline of a read ran out.
    #[error("{url}: timed out ({detail})")]
    Timeout {
        /// The URL.
        url: String,
        /// What timed out.
        detail: String,
    },
    /// The connection failed or broke (refused, reset, DNS, TLS…).
    #[error("{url}: network error: {detail}")]
    Network {
        /// The URL.
        url: String,
        /// The underlying error.
        detail: String,
    },
    /// The server answered with a `Content-Range` other than the range asked for (not
    /// retried: the same server gives the same answer).
    #[error("{url}: asked for {asked}, server answered Content-Range {got:?}")]
    ContentRange {
        /// The URL.
        url: String,
        /// The range asked for (`bytes=a-b`).
        asked: String,
        /// The `Content-Range` header received (empty if missing).
        got: String,
    },
    /// The server sent fewer body bytes than the range needs, and resuming did not help.
    #[error("{url}: body ended after {got} of {expected} bytes")]
    ShortBody {
        /// The URL.
        url: String,
        /// Bytes expected.
        expected: u64,
        /// Bytes received.
        got: u64,
    },
    /// The answer's body is encoded (`Content-Encoding: gzip`, …) although identity was
    /// asked for: its bytes are not the file's, so it is refused, not retried.
    #[error(
        "{url}: the server sent the range with Content-Encoding {encoding:?}; only identity-encoded \
         bytes are the file's (is a proxy or CDN compressing the answers?)"
    )]
    Encoding {
        /// The URL.
        url: String,
        /// The `Content-Encoding` (or `Transfer-Encoding`) received.
        encoding: String,
    },
    /// A redirect was not followed: to another origin without an allowance, a loop, or
    /// more hops than allowed. Not retried.
    #[error("{url}: redirect refused: {detail}")]
    Redirect {
        /// The URL.
        url: String,
        /// Why (with the target, redacted).
        detail: String,
    },
    /// A local file (or the disk cache) failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The string is neither a usable path nor an `http(s)://` URL.
    #[error("invalid URL or path {input:?}: {reason}")]
    InvalidUrl {
        /// What was given.
        input: String,
        /// Why it is not usable.
        reason: String,
    },
    /// A read or an answer is larger than the configured limit.
    #[error("{uri}: {what} of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The source.
        uri: String,
        /// What was too large.
        what: &'static str,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A read past the end of the source.
    #[error("{uri}: read of {len} bytes at offset {offset} is past the end ({size} bytes)")]
    OutOfBounds {
        /// The source.
        uri: String,
        /// First byte asked for.
        offset: u64,
        /// Bytes asked for.
        len: u64,
        /// Length of the source.
        size: u64,
    },
    /// The server's answer breaks the protocol (missing or unparsable headers).
    #[error("{url}: bad answer: {detail}")]
    Protocol {
        /// The URL.
        url: String,
        /// What was wrong.
        detail: String,
    },
}

impl SourceError {
    /// Is this a transient failure that the same request may not meet again? Only these
    /// are retried: timeouts, broken connections, short bodies (resumed), and the
    /// statuses 408, 429 and 5xx other than 501 and 505. A wrong `Content-Range`, an
    /// encoded body, a refused redirect or any other 4xx would come back the same.
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Timeout { .. } | SourceError::Network { .. } | SourceError::ShortBody { .. } => true,
            SourceError::HttpStatus { status, .. } => {
                matches!(status, 408 | 429) || (*status >= 500 && !matches!(status, 501 | 505))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SourceError;

    #[test]
    fn only_what_a_retry_can_fix_is_transient() {
        let url = String::new;
        let status = |status| SourceError::HttpStatus { url: url(), status, range: String::new() };
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(status(s).is_transient(), "{s}");
        }
        for s in [400, 403, 404, 410, 412, 416, 501, 505] {
            assert!(!status(s).is_transient(), "{s}");
        }
        assert!(SourceError::Timeout { url: url(), detail: String::new() }.is_transient());
        assert!(SourceError::ShortBody { url: url(), expected: 2, got: 1 }.is_transient());
        for e in [
            SourceError::ContentRange { url: url(), asked: String::new(), got: String::new() },
            SourceError::Encoding { url: url(), encoding: "gzip".into() },
            SourceError::Redirect { url: url(), detail: String::new() },
        ] {
            assert!(!e.is_transient(), "{e}");
        }
    }
}
