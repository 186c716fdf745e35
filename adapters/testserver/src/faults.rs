//! Fault injection knobs: what the server does wrong, and how often.

use std::time::Duration;

/// Which validators the server sends with each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValidatorMode {
    /// A strong `ETag` and `Last-Modified` (what nginx and Apache send for static files).
    #[default]
    Strong,
    /// Only a weak `ETag` (`W/"…"`), no `Last-Modified`.
    WeakOnly,
    /// Only `Last-Modified`, no `ETag`.
    LastModifiedOnly,
    /// Neither `ETag` nor `Last-Modified`.
    None,
    /// Only an unquoted `ETag` (a bare token such as `5e0be100-3e8`, as some application
    /// servers send), no `Last-Modified`; `If-Match` is compared with it as sent.
    Unquoted,
}

/// What the server does with a `Range` header asking for several ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MultiRange {
    /// Merge overlapping ranges and answer `multipart/byteranges` (Apache, nginx).
    #[default]
    Multipart,
    /// Answer the first range alone, as a plain 206.
    FirstOnly,
    /// Answer `200` with the whole file (S3, many CDNs).
    Whole,
    /// Answer `multipart/byteranges` whose parts announce ranges one byte off (broken).
    Misplaced,
}

/// The pace of a dripping body: `bytes` at a time, with a pause of `every` before each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drip {
    /// Bytes written at a time.
    pub bytes: usize,
    /// Pause before each write.
    pub every: Duration,
}

/// What the server does wrong. Counters (`fail_500`, …) are consumed one per request,
/// so "3× 500 then success" is `fail_500: 3`.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Delay before answering each request (simulates a round trip).
    pub latency: Duration,
    /// Answer every ranged GET with `200` and the whole file.
    pub ignore_range: bool,
    /// How several ranges in one request are answered.
    pub multi_range: MultiRange,
    /// Answer the next N requests with `500`.
    pub fail_500: u32,
    /// Answer the next N requests with `503` and `Retry-After: retry_after_secs`.
    pub fail_503: u32,
    /// Value of `Retry-After` (seconds) sent with the injected 503s.
    pub retry_after_secs: u64,
    /// For the next N bodies: announce the full length, send half, close the connection.
    pub drop_mid_body: u32,
    /// For the next N ranged answers: a well-framed body of half the length the
    /// `Content-Range` announces.
    pub short_body: u32,
    /// For the next N ranged answers: a `Content-Range` whose start is off by one.
    pub wrong_content_range: u32,
    /// Which validators to send.
    pub validator: ValidatorMode,
    /// After this many requests (counted from the server's start), every file's content
    /// and validators change (each byte is inverted; the ETag and Last-Modified move on).
    pub change_after: Option<u64>,
    /// Pause between 16 KiB body chunks (a slow link).
    pub slow_body: Option<Duration>,
    /// For the next N single-range or whole answers with a body: `Content-Encoding: gzip`
    /// and the body gzipped,
    /// `Content-Range` unchanged (a proxy or CDN that ignores `Accept-Encoding: identity`).
    pub gzip: u32,
    /// Send every body in small writes with pauses (an upstream that drips); overrides
    /// `slow_body`.
    pub drip: Option<Drip>,
    /// For the next N requests: read the request and never answer, holding the connection
    /// open until the client closes it (logged with status 0).
    pub stall_before_headers: u32,
    /// For the next N bodies: send the head and half the body, then hold the connection
    /// open without sending more until the client closes it.
    pub stall_mid_body: u32,
    /// Answer every request with `302` to the same path and `?hop=N+1` (a redirect loop
    /// that never repeats a URL exactly, so only a bound on hops stops it).
    pub redirect_loop: bool,
    /// Answer every request with `302` to the same target on this origin
    /// (`http://127.0.0.1:PORT`): a cross-origin redirect.
    pub redirect_to: Option<String>,
}
