//! The log of requests the server answered, for exact assertions in tests.

/// One request as the server saw it and answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// `GET`, `HEAD`, ….
    pub method: String,
    /// Request target as sent (percent-encoded).
    pub path: String,
    /// The `Range` header, if any.
    pub range: Option<String>,
    /// The `If-Match` header, if any.
    pub if_match: Option<String>,
    /// The `If-Unmodified-Since` header, if any.
    pub if_unmodified_since: Option<String>,
    /// The `If-None-Match` header, if any.
    pub if_none_match: Option<String>,
    /// The `If-Range` header, if any (a good client never sends it).
    pub if_range: Option<String>,
    /// The `Accept-Encoding` header, if any.
    pub accept_encoding: Option<String>,
    /// Status code answered (0: never answered, the stall fault).
    pub status: u16,
    /// Body bytes actually written to the socket.
    pub bytes_sent: u64,
}
