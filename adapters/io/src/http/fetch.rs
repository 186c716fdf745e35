//! One ranged GET at a time, done right: `If-Match` on every request, `Accept-Encoding:
//! identity`, `Content-Range` checked, a 200 never streamed, short bodies resumed, and
//! only transient failures retried, with exponential backoff and jitter (a
//! `Retry-After` honoured up to the largest backoff), all under the read's deadline.

use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, ACCEPT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE, RETRY_AFTER,
};
use reqwest::{Client, Response};

use super::client;
use super::exchange::{self, Clock, Waiting};
use super::limit::Permits;
use super::validator::Identity;
use crate::error::SourceError;
use crate::options::{Backoff, HttpOptions, HttpTimeouts, RetryConfig};
use crate::redact::redact_url;
use crate::stats::Counters;
use crate::wire;

/// How messages name the part asked for when a request has no `Range` (a page).
pub(super) const WHOLE_BODY: &str = "the whole body";

/// What the first request of a source learned.
pub(crate) enum Opened {
    /// The server honours Range: the file's identity, its first bytes, and its last
    /// bytes with their offset (empty at the end of the file if the server sent none).
    Ranged { identity: Identity, head: Vec<u8>, tail: (u64, Vec<u8>) },
    /// The server sent the whole (small) file.
    Whole { identity: Identity, body: Vec<u8> },
}

/// A failed attempt: the error, and how long the server asked us to wait.
pub(super) type Attempt<T> = Result<T, (SourceError, Option<Duration>)>;

/// An answer whose headers arrived: the response, what it answers, when it was sent.
pub(super) type Answered = (Response, Waiting, Instant);

/// The HTTP side of one source.
#[derive(Debug)]
pub(crate) struct Transport {
    client: Client,
    url: String,
    /// The URL as messages and logs show it (credentials redacted).
    shown: String,
    timeouts: HttpTimeouts,
    retry: RetryConfig,
    /// A server that ignores Range may send a file whole up to this size.
    small_file_limit: u64,
    permits: Permits,
}

fn header_str(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// `Retry-After` as a delay: delta-seconds or an HTTP date.
fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = header_str(h, RETRY_AFTER)?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

impl Transport {
    pub fn new(client: Client, url: String, opts: &HttpOptions) -> Self {
        Self {
            client,
            shown: redact_url(&url),
            url,
            timeouts: opts.timeouts,
            retry: opts.retry,
            small_file_limit: opts.limits.small_file_limit,
            permits: Permits::new(opts.limits.max_parallel),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL with its credentials redacted, for messages and logs.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The clock of a read starting now.
    pub fn clock(&self) -> Clock {
        Clock::start(self.timeouts.deadline)
    }

    /// Send one GET with this `Range` value (`None`: the whole body) and the validator's
    /// condition, and wait for its headers.
    pub(super) fn send(
        &self,
        range: Option<String>,
        identity: Option<&Identity>,
        counters: &Counters,
        clock: Clock,
    ) -> Attempt<Answered> {
        let mut req = self.client.get(&self.url).header(ACCEPT_ENCODING, "identity");
        if let Some(range) = &range {
            req = req.header(RANGE, range);
        }
        if let Some((name, value)) = identity.and_then(Identity::condition) {
            req = req.header(name, value);
        }
        let who = Waiting { shown: self.shown.clone(), range: range.unwrap_or_else(|| WHOLE_BODY.into()) };
        Counters::add(&counters.requests, 1);
        let t0 = Instant::now();
        match exchange::send(req, &who, &self.timeouts, clock) {
            Ok(resp) => {
                tracing::debug!(
                    url = %self.shown, range = %who.range, status = resp.status().as_u16(),
                    ms = t0.elapsed().as_millis() as u64, "http GET answered"
                );
                Ok((resp, who, t0))
            }
            Err(e) => {
                tracing::debug!(
                    url = %self.shown, range = %who.range, error = %e,
                    ms = t0.elapsed().as_millis() as u64, "http GET failed"
                );
                Err((e, None))
            }
        }
    }

    /// The error for a status that is not 206 (or 200 on open), with retry advice.
    pub(super) fn status_error(&self, resp: &Response, range: &str) -> (SourceError, Option<Duration>) {
        let status = resp.status().as_u16();
        let wait = if matches!(status, 429 | 503) { retry_after(resp.headers()) } else { None };
        (SourceError::HttpStatus { url: self.shown.clone(), status, range: range.to_string() }, wait)
    }

    /// Read up to `want` body bytes into `out`, counting them.
    /// One debug line per request: range, status, body bytes, total time.
    pub(super) fn read_body(
        &self,
        (resp, who, t0): Answered,
        want: u64,
        out: &mut Vec<u8>,
        counters: &Counters,
        clock: Clock,
    ) -> Result<(), SourceError> {
        let before = out.len();
        let status = resp.status().as_u16();
        let result = exchange::read_body(resp, want, out, &who, &self.timeouts, clock);
        let got = (out.len() - before) as u64;
        Counters::add(&counters.bytes_fetched, got);
        tracing::debug!(
            url = %self.shown, range = %who.range, status, bytes = got,
            ms = t0.elapsed().as_millis() as u64, "http GET body read"
        );
        result
    }

    /// Run `attempt` until it succeeds, fails for good (see
    /// [`SourceError::is_transient`]), or the retries or the read's deadline run out.
    /// `attempt` gets the attempt number (0 first). Waits are capped at the largest
    /// backoff, a `Retry-After` included.
    pub(super) fn retrying<T>(
        &self,
        counters: &Counters,
        clock: Clock,
        mut attempt: impl FnMut(u32) -> Attempt<T>,
    ) -> Result<T, SourceError> {
        let deadline = clock.deadline();
        let mut n = 0u32;
        loop {
            let (err, wait) = match attempt(n) {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if !err.is_transient() || n >= self.retry.max_retries {
                return Err(err);
            }
            let Backoff { base, max } = self.retry.backoff;
            let exp = base.saturating_mul(1u32 << n.min(16)).min(max);
            // Jitter: a random delay in [exp/2, exp).
            let backoff = exp.mul_f64(0.5 + fastrand::f64() * 0.5);
            let delay = wait.map_or(backoff, |w| w.min(max));
            if exchange::after(Instant::now(), delay) > deadline {
                return Err(match err {
                    SourceError::Timeout { .. } | SourceError::HttpStatus { .. } => err,
                    other => SourceError::Timeout {
                        url: self.shown.clone(),
                        detail: format!("deadline of {:?} reached; last error: {other}", clock.total()),
                    },
                });
            }
            tracing::debug!(url = %self.shown, error = %err, delay_ms = delay.as_millis() as u64, "retrying");
            std::thread::sleep(delay);
            Counters::add(&counters.retries, 1);
            n += 1;
        }
    }

    /// A request slot, waited for until the read's deadline.
    pub(super) fn permit(&self, clock: Clock) -> Attempt<super::limit::Permit<'_>> {
        self.permits.acquire_until(clock.deadline()).ok_or_else(|| {
            let detail = format!("deadline of {:?} reached waiting for a free request slot", clock.total());
            (SourceError::Timeout { url: self.shown.clone(), detail }, None)
        })
    }

    /// The first request, learning size and validator: the first `head_len` bytes and,
    /// when `tail_len > 0`, the last `tail_len` in the same request (`Range:
    /// bytes=0-…,-tail_len`, answered as `multipart/byteranges`). A server that refuses
    /// several ranges (a 200 with the whole large file, 416, 400, 501) or answers them
    /// with something unusable is asked again for the head alone, and remembered for
    /// the rest of the process.
    pub fn open(&self, head_len: u64, tail_len: u64, counters: &Counters) -> Result<Opened, SourceError> {
        let head_len = head_len.max(1);
        let clock = self.clock();
        self.retrying(counters, clock, |_| {
            let multi = tail_len > 0 && !client::refuses_multirange(&self.url);
            if !multi {
                return self.open_once(head_len, 0, counters, clock);
            }
            match self.open_once(head_len, tail_len, counters, clock) {
                // Refused, or answered in a way we cannot use: one range is safer.
                Err((
                    SourceError::RangeNotSupported { .. }
                    | SourceError::HttpStatus { status: 400 | 416 | 501, .. }
                    | SourceError::ContentRange { .. }
                    | SourceError::Protocol { .. },
                    _,
                )) => {}
                other => return other,
            }
            tracing::debug!(url = %self.shown, "server refuses multi-range requests: asking for the head alone");
            client::note_refuses_multirange(&self.url);
            self.open_once(head_len, 0, counters, clock)
        })
    }

    /// One attempt at the first request (see [`Transport::open`]).
    fn open_once(&self, head_len: u64, tail_len: u64, counters: &Counters, clock: Clock) -> Attempt<Opened> {
        let small_file_limit = self.small_file_limit;
        let _permit = self.permit(clock)?;
        let range = match tail_len {
            0 => format!("bytes=0-{}", head_len - 1),
            t => format!("bytes=0-{},-{t}", head_len - 1),
        };
        let answered = self.send(Some(range), None, counters, clock)?;
        let range = answered.1.range.clone();
        let status = answered.0.status().as_u16();
        let headers = answered.0.headers().clone();
        match status {
            206 => {
                // Room for the head, the tail and a few hundred bytes of part headers.
                let limit = head_len + tail_len + 16 * 1024;
                let mut body = Vec::new();
                self.read_body(answered, limit + 1, &mut body, counters, clock).map_err(|e| (e, None))?;
                if body.len() as u64 > limit {
                    return Err((self.protocol(format!("answer to {range} is longer than asked for")), None));
                }
                let content_type = header_str(&headers, CONTENT_TYPE).unwrap_or("");
                let parts = match wire::byteranges_boundary(content_type) {
                    Some(boundary) => wire::byteranges(&body, boundary, 4)
                        .map_err(|e| (self.protocol(format!("answer to {range}: {e}")), None))?,
                    None => {
                        let cr = header_str(&headers, CONTENT_RANGE).unwrap_or("");
                        let parsed = wire::content_range(cr);
                        let (Some((first, last)), Some(total)) =
                            (parsed.and_then(|c| c.range), parsed.and_then(|c| c.total))
                        else {
                            return Err((self.content_range_error(&range, cr), None));
                        };
                        if body.len() as u64 != last - first + 1 {
                            return Err((self.short(last - first + 1, body.len() as u64), None));
                        }
                        vec![wire::Part { start: first, total, data: &body }]
                    }
                };
                self.ends(&parts, &range, &headers)
            }
            200 => {
                let announced = header_str(&headers, CONTENT_LENGTH).and_then(|v| v.parse().ok());
                if announced.is_some_and(|n: u64| n > small_file_limit) {
                    // Dropping the answer closes the connection: the body is never read.
                    return Err((self.no_ranges(announced), None));
                }
                let mut body = Vec::new();
                self.read_body(answered, small_file_limit + 1, &mut body, counters, clock)
                    .map_err(|e| (e, None))?;
                if body.len() as u64 > small_file_limit {
                    return Err((self.no_ranges(announced), None));
                }
                if announced.is_some_and(|n| n != body.len() as u64) {
                    return Err((self.short(announced.unwrap_or(0), body.len() as u64), None));
                }
                let identity = Identity::from_headers(body.len() as u64, &headers);
                Ok(Opened::Whole { identity, body })
            }
            416 => {
                // Only an empty file cannot satisfy bytes=0-…
                let cr = header_str(&headers, CONTENT_RANGE).unwrap_or("");
                match wire::content_range(cr).and_then(|c| c.total) {
                    Some(0) => {
                        Ok(Opened::Whole { identity: Identity::from_headers(0, &headers), body: Vec::new() })
                    }
                    _ => Err(self.status_error(&answered.0, &range)),
                }
            }
            _ => Err(self.status_error(&answered.0, &range)),
        }
    }

    /// The head and tail out of the parts of a 206 to the first request. Every part must
    /// start the file or end it (servers may merge or reorder the ranges asked for).
    fn ends(&self, parts: &[wire::Part<'_>], range: &str, headers: &HeaderMap) -> Attempt<Opened> {
        let total = parts.first().map_or(0, |p| p.total);
        let mut head: &[u8] = &[];
        let mut tail: (u64, &[u8]) = (total, &[]);
        for p in parts {
            let end = p.start + p.data.len() as u64;
            if p.start == 0 && p.data.len() > head.len() {
                head = p.data;
            }
            if end == total && p.data.len() > tail.1.len() {
                tail = (p.start, p.data);
            }
            if p.start != 0 && end != total {
                let got = format!("bytes {}-{}/{total}", p.start, end.saturating_sub(1));
                return Err((self.content_range_error(range, &got), None));
            }
        }
        let identity = Identity::from_headers(total, headers);
        Ok(Opened::Ranged { identity, head: head.to_vec(), tail: (tail.0, tail.1.to_vec()) })
    }

    /// Fetch exactly `start..end` of the version `identity`, resuming short bodies,
    /// within the read's `clock`.
    pub fn fetch(
        &self,
        start: u64,
        end: u64,
        identity: &Identity,
        counters: &Counters,
        clock: Clock,
    ) -> Result<Vec<u8>, SourceError> {
        let total = end - start;
        let mut out: Vec<u8> = Vec::with_capacity(total as usize);
        self.retrying(counters, clock, |_| {
            let from = start + out.len() as u64;
            let _permit = self.permit(clock)?;
            let answered =
                self.send(Some(format!("bytes={from}-{}", end - 1)), Some(identity), counters, clock)?;
            let range = answered.1.range.clone();
            let status = answered.0.status().as_u16();
            let headers = answered.0.headers().clone();
            let cr = header_str(&headers, CONTENT_RANGE).unwrap_or("").to_string();
            let parsed = wire::content_range(&cr);
            if let Some(why) = identity.mismatch(parsed.as_ref().and_then(|c| c.total), &headers) {
                return Err((self.changed(why), None));
            }
            match status {
                206 => {}
                412 => return Err((self.changed("412 Precondition Failed".into()), None)),
                200 => {
                    return Err((
                        self.no_ranges(header_str(&headers, CONTENT_LENGTH).and_then(|v| v.parse().ok())),
                        None,
                    ))
                }
                416 => return Err((self.changed(format!("416 for {range}: the file is shorter")), None)),
                _ => return Err(self.status_error(&answered.0, &range)),
            }
            if parsed.and_then(|c| c.range) != Some((from, end - 1)) {
                return Err((self.content_range_error(&range, &cr), None));
            }
            let want = end - from;
            self.read_body(answered, want, &mut out, counters, clock).map_err(|e| (e, None))?;
            let got = out.len() as u64;
            if got < total {
                return Err((self.short(total, got), None));
            }
            Ok(())
        })?;
        Ok(out)
    }

    fn changed(&self, detail: String) -> SourceError {
        SourceError::ChangedUpstream { url: self.shown.clone(), detail }
    }

    pub(super) fn short(&self, expected: u64, got: u64) -> SourceError {
        SourceError::ShortBody { url: self.shown.clone(), expected, got }
    }

    fn no_ranges(&self, size: Option<u64>) -> SourceError {
        SourceError::RangeNotSupported { url: self.shown.clone(), size: size.unwrap_or(0) }
    }

    pub(super) fn protocol(&self, detail: String) -> SourceError {
        SourceError::Protocol { url: self.shown.clone(), detail }
    }

    pub(super) fn content_range_error(&self, asked: &str, got: &str) -> SourceError {
        SourceError::ContentRange { url: self.shown.clone(), asked: asked.into(), got: got.into() }
    }
}
