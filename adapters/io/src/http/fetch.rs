//! One ranged GET at a time, done right: `If-Match` on every request, `Content-Range`
//! checked, a 200 never streamed, short bodies resumed, transient failures retried
//! with exponential backoff and jitter under a deadline, `Retry-After` honoured.

use std::io::Read;
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use reqwest::header::{HeaderMap, CONTENT_LENGTH, CONTENT_RANGE, RANGE, RETRY_AFTER};

use super::limit::Permits;
use super::validator::Identity;
use crate::error::SourceError;
use crate::options::SourceOptions;
use crate::stats::Counters;

/// What the first request of a source learned.
pub(crate) enum Opened {
    /// The server honours Range: the file's identity and its first bytes.
    Ranged { identity: Identity, head: Vec<u8> },
    /// The server sent the whole (small) file.
    Whole { identity: Identity, body: Vec<u8> },
}

/// A failed attempt: the error, and how long the server asked us to wait.
type Attempt<T> = Result<T, (SourceError, Option<Duration>)>;

/// The HTTP side of one source.
#[derive(Debug)]
pub(crate) struct Transport {
    client: Client,
    url: String,
    deadline: Duration,
    max_retries: u32,
    backoff_base: Duration,
    backoff_max: Duration,
    permits: Permits,
}

/// A parsed `Content-Range: bytes a-b/total` (`a-b` absent for `*`).
struct ContentRange {
    range: Option<(u64, u64)>,
    total: Option<u64>,
}

fn parse_content_range(v: &str) -> Option<ContentRange> {
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    let range = match range.trim() {
        "*" => None,
        r => {
            let (a, b) = r.split_once('-')?;
            let (a, b): (u64, u64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            if b < a {
                return None;
            }
            Some((a, b))
        }
    };
    Some(ContentRange { range, total })
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

/// The error's message with its causes, which reqwest keeps in the source chain.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

impl Transport {
    pub fn new(client: Client, url: String, opts: &SourceOptions) -> Self {
        Self {
            client,
            url,
            deadline: opts.deadline,
            max_retries: opts.max_retries,
            backoff_base: opts.backoff_base,
            backoff_max: opts.backoff_max,
            permits: Permits::new(opts.max_parallel),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn network(&self, e: &reqwest::Error) -> SourceError {
        if e.is_timeout() {
            SourceError::Timeout { url: self.url.clone(), detail: chain(e) }
        } else {
            SourceError::Network { url: self.url.clone(), detail: chain(e) }
        }
    }

    fn body_error(&self, e: &std::io::Error) -> SourceError {
        let inner_timeout = e
            .get_ref()
            .and_then(|i| i.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout);
        if e.kind() == std::io::ErrorKind::TimedOut || inner_timeout {
            SourceError::Timeout { url: self.url.clone(), detail: chain(e) }
        } else {
            SourceError::Network { url: self.url.clone(), detail: chain(e) }
        }
    }

    /// Send one GET for `start..end` (end exclusive), with the validator's condition.
    fn send(
        &self,
        start: u64,
        end: u64,
        identity: Option<&Identity>,
        counters: &Counters,
    ) -> Attempt<(Response, String, Instant)> {
        let range = format!("bytes={}-{}", start, end - 1);
        let mut req = self.client.get(&self.url).header(RANGE, &range);
        if let Some((name, value)) = identity.and_then(Identity::condition) {
            req = req.header(name, value);
        }
        Counters::add(&counters.requests, 1);
        let t0 = Instant::now();
        match req.send() {
            Ok(resp) => {
                tracing::debug!(
                    url = %self.url, %range, status = resp.status().as_u16(),
                    ms = t0.elapsed().as_millis() as u64, "http GET answered"
                );
                Ok((resp, range, t0))
            }
            Err(e) => {
                tracing::debug!(
                    url = %self.url, %range, error = %chain(&e),
                    ms = t0.elapsed().as_millis() as u64, "http GET failed"
                );
                Err((self.network(&e), None))
            }
        }
    }

    /// The error for a status that is not 206 (or 200 on open), with retry advice.
    fn status_error(&self, resp: &Response, range: &str) -> (SourceError, Option<Duration>) {
        let status = resp.status().as_u16();
        let wait = if status == 429 || status == 503 { retry_after(resp.headers()) } else { None };
        (SourceError::HttpStatus { url: self.url.clone(), status, range: range.to_string() }, wait)
    }

    /// Read up to `want` body bytes into `out`, counting them.
    /// One debug line per request: range, status, body bytes, total time.
    fn read_body(
        &self,
        (resp, range, t0): (Response, String, Instant),
        want: u64,
        out: &mut Vec<u8>,
        counters: &Counters,
    ) -> Result<(), SourceError> {
        let before = out.len();
        let status = resp.status().as_u16();
        let result = resp.take(want).read_to_end(out);
        let got = (out.len() - before) as u64;
        Counters::add(&counters.bytes_fetched, got);
        tracing::debug!(
            url = %self.url, %range, status, bytes = got,
            ms = t0.elapsed().as_millis() as u64, "http GET body read"
        );
        result.map(|_| ()).map_err(|e| self.body_error(&e))
    }

    /// Run `attempt` until it succeeds, fails for good, or the retries or the deadline
    /// run out. `attempt` gets the attempt number (0 first).
    fn retrying<T>(
        &self,
        counters: &Counters,
        mut attempt: impl FnMut(u32) -> Attempt<T>,
    ) -> Result<T, SourceError> {
        let deadline = Instant::now() + self.deadline;
        let mut n = 0u32;
        loop {
            let (err, wait) = match attempt(n) {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if !err.is_transient() || n >= self.max_retries {
                return Err(err);
            }
            let exp = self.backoff_base.saturating_mul(1u32 << n.min(16)).min(self.backoff_max);
            // Jitter: a random delay in [exp/2, exp).
            let backoff = exp.mul_f64(0.5 + fastrand::f64() * 0.5);
            let delay = wait.unwrap_or(backoff);
            let now = Instant::now();
            if now + delay > deadline {
                return Err(match err {
                    SourceError::Timeout { .. } | SourceError::HttpStatus { .. } => err,
                    other => SourceError::Timeout {
                        url: self.url.clone(),
                        detail: format!("deadline of {:?} reached; last error: {other}", self.deadline),
                    },
                });
            }
            tracing::debug!(url = %self.url, error = %err, delay_ms = delay.as_millis() as u64, "retrying");
            std::thread::sleep(delay);
            Counters::add(&counters.retries, 1);
            n += 1;
        }
    }

    /// The first request: `bytes=0-(head_len-1)`, learning size and validator.
    pub fn open(
        &self,
        head_len: u64,
        small_file_limit: u64,
        counters: &Counters,
    ) -> Result<Opened, SourceError> {
        self.retrying(counters, |_| {
            let _permit = self.permits.acquire();
            let (resp, range, t0) = self.send(0, head_len.max(1), None, counters)?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            match status {
                206 => {
                    let cr = header_str(&headers, CONTENT_RANGE).unwrap_or("");
                    let parsed = parse_content_range(cr);
                    let (Some((0, last)), Some(total)) =
                        (parsed.as_ref().and_then(|c| c.range), parsed.as_ref().and_then(|c| c.total))
                    else {
                        return Err((self.content_range_error(&range, cr), None));
                    };
                    if last >= head_len.max(1) || last >= total {
                        return Err((self.content_range_error(&range, cr), None));
                    }
                    let identity = Identity::from_headers(total, &headers);
                    let want = last + 1;
                    let mut head = Vec::with_capacity(want as usize);
                    self.read_body((resp, range, t0), want, &mut head, counters).map_err(|e| (e, None))?;
                    if (head.len() as u64) < want {
                        return Err((self.short(want, head.len() as u64), None));
                    }
                    Ok(Opened::Ranged { identity, head })
                }
                200 => {
                    let announced = header_str(&headers, CONTENT_LENGTH).and_then(|v| v.parse().ok());
                    if announced.is_some_and(|n: u64| n > small_file_limit) {
                        // Dropping the answer closes the connection: the body is never read.
                        return Err((self.no_ranges(announced), None));
                    }
                    let mut body = Vec::new();
                    self.read_body((resp, range, t0), small_file_limit + 1, &mut body, counters)
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
                    match parse_content_range(cr).and_then(|c| c.total) {
                        Some(0) => Ok(Opened::Whole {
                            identity: Identity::from_headers(0, &headers),
                            body: Vec::new(),
                        }),
                        _ => Err(self.status_error(&resp, &range)),
                    }
                }
                _ => Err(self.status_error(&resp, &range)),
            }
        })
    }

    /// Fetch exactly `start..end` of the version `identity`, resuming short bodies.
    pub fn fetch(
        &self,
        start: u64,
        end: u64,
        identity: &Identity,
        counters: &Counters,
    ) -> Result<Vec<u8>, SourceError> {
        let total = end - start;
        let mut out: Vec<u8> = Vec::with_capacity(total as usize);
        self.retrying(counters, |_| {
            let from = start + out.len() as u64;
            let _permit = self.permits.acquire();
            let (resp, range, t0) = self.send(from, end, Some(identity), counters)?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let cr = header_str(&headers, CONTENT_RANGE).unwrap_or("").to_string();
            let parsed = parse_content_range(&cr);
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
                _ => return Err(self.status_error(&resp, &range)),
            }
            if parsed.and_then(|c| c.range) != Some((from, end - 1)) {
                return Err((self.content_range_error(&range, &cr), None));
            }
            let want = end - from;
            self.read_body((resp, range, t0), want, &mut out, counters).map_err(|e| (e, None))?;
            let got = out.len() as u64;
            if got < total {
                return Err((self.short(total, got), None));
            }
            Ok(())
        })?;
        Ok(out)
    }

    fn changed(&self, detail: String) -> SourceError {
        SourceError::ChangedUpstream { url: self.url.clone(), detail }
    }

    fn short(&self, expected: u64, got: u64) -> SourceError {
        SourceError::ShortBody { url: self.url.clone(), expected, got }
    }

    fn no_ranges(&self, size: Option<u64>) -> SourceError {
        SourceError::RangeNotSupported { url: self.url.clone(), size: size.unwrap_or(0) }
    }

    fn content_range_error(&self, asked: &str, got: &str) -> SourceError {
        SourceError::ContentRange { url: self.url.clone(), asked: asked.into(), got: got.into() }
    }
}
