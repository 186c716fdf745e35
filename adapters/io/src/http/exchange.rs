//! One request and its body under the clock of the read that needs them: the headers
//! within `timeouts.headers`, no body stall longer than `timeouts.stall`, nothing past the
//! read's deadline, a warning naming the URL and the bytes so far while it is slow, and
//! only identity-encoded bodies accepted.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, CONTENT_ENCODING, TRANSFER_ENCODING};
use reqwest::{RequestBuilder, Response};

use super::client;
use crate::error::SourceError;
use crate::options::HttpTimeouts;

/// Why a request got no result at all (the runtime did not start, panicked or hung).
const RUNTIME_GONE: &str = "the HTTP runtime did not answer";

/// Longest span of time computed with: any longer setting means "no limit", and
/// `Instant` arithmetic with it cannot overflow.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// `t + d`, with `d` capped at [`FOREVER`].
pub(crate) fn after(t: Instant, d: Duration) -> Instant {
    t + d.min(FOREVER)
}

/// The time budget of one read: when it started and when it must be done.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    started: Instant,
    total: Duration,
}

impl Clock {
    /// A read starting now that may take `total`.
    pub fn start(total: Duration) -> Self {
        Self { started: Instant::now(), total }
    }

    /// When the read must be done.
    pub fn deadline(&self) -> Instant {
        after(self.started, self.total)
    }

    /// The whole budget.
    pub fn total(&self) -> Duration {
        self.total
    }

    /// When a caller stops waiting for the runtime at the latest: the deadline, plus a
    /// grace second for the request to report its own timeout first.
    fn backstop(&self) -> Instant {
        after(self.deadline(), Duration::from_secs(1))
    }

    /// The next time a slow read warns: the next multiple of `every` since it started.
    fn next_warning(&self, every: Duration) -> Instant {
        if every.is_zero() {
            return after(self.deadline(), Duration::from_secs(3600));
        }
        let periods = self.started.elapsed().as_nanos() / every.as_nanos() + 1;
        after(self.started, every.saturating_mul(u32::try_from(periods).unwrap_or(u32::MAX)))
    }
}

/// Who is waiting for what, for timeouts and warnings.
#[derive(Debug, Clone)]
pub(crate) struct Waiting {
    /// The URL, redacted.
    pub shown: String,
    /// The `Range` asked for.
    pub range: String,
}

/// How a bounded wait ended.
enum Waited<T> {
    Done(T),
    /// No progress within the no-progress timeout.
    Stalled,
    /// The read's deadline passed.
    Deadline,
}

/// Await `fut` until `no_progress` passes or the read's deadline does, warning as it
/// goes (`warn` gets the time the read has taken so far).
async fn bounded<F: Future>(
    fut: F,
    no_progress: Duration,
    clock: Clock,
    every: Duration,
    warn: impl Fn(Duration),
) -> Waited<F::Output> {
    let stall_at = after(Instant::now(), no_progress);
    let deadline = clock.deadline();
    let give_up = tokio::time::Instant::from_std(stall_at.min(deadline));
    tokio::pin!(fut);
    loop {
        let next_warning = tokio::time::Instant::from_std(clock.next_warning(every));
        tokio::select! {
            biased;
            out = &mut fut => return Waited::Done(out),
            () = tokio::time::sleep_until(give_up) => {
                return if deadline <= stall_at { Waited::Deadline } else { Waited::Stalled };
            }
            () = tokio::time::sleep_until(next_warning) => warn(clock.started.elapsed()),
        }
    }
}

/// The error's message with its causes, without the URL reqwest adds (it may hold
/// credentials).
pub(crate) fn chain(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut s = e.to_string();
    let mut cur = std::error::Error::source(&e);
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// The error for a failed request.
fn request_error(e: reqwest::Error, shown: &str) -> SourceError {
    let url = shown.to_string();
    if e.is_redirect() {
        // The policy's reason is the innermost cause.
        let e = e.without_url();
        let mut detail = e.to_string();
        let mut cur = std::error::Error::source(&e);
        while let Some(c) = cur {
            detail = c.to_string();
            cur = c.source();
        }
        SourceError::Redirect { url, detail }
    } else if e.is_timeout() {
        SourceError::Timeout { url, detail: chain(e) }
    } else {
        SourceError::Network { url, detail: chain(e) }
    }
}

/// The first encoding other than identity (and chunked framing) of a body, if any.
fn encoding(h: &HeaderMap) -> Option<String> {
    [CONTENT_ENCODING, TRANSFER_ENCODING].into_iter().find_map(|name: HeaderName| {
        h.get_all(&name).iter().find_map(|v| {
            let v = v.to_str().unwrap_or("(not text)");
            v.split(',').map(str::trim).find_map(|t| {
                let plain = t.is_empty()
                    || t.eq_ignore_ascii_case("identity")
                    || (name == TRANSFER_ENCODING && t.eq_ignore_ascii_case("chunked"));
                (!plain).then(|| t.to_string())
            })
        })
    })
}

/// Send `req` and wait for its headers. A successful answer with an encoded body is
/// refused here, before a byte of it is read.
pub(crate) fn send(
    req: RequestBuilder,
    who: &Waiting,
    timeouts: &HttpTimeouts,
    clock: Clock,
) -> Result<Response, SourceError> {
    let bounds = *timeouts;
    let shown = who.shown.clone();
    let w = who.clone();
    let waited = client::run(clock.backstop(), async move {
        let warn = |elapsed: Duration| {
            tracing::warn!(
                url = %w.shown, range = %w.range, elapsed_s = elapsed.as_secs(),
                "slow upstream: still waiting for the answer's headers"
            );
        };
        bounded(req.send(), bounds.headers, clock, bounds.slow_warning, warn).await
    });
    let timeout = |detail: String| SourceError::Timeout { url: shown.clone(), detail };
    match waited {
        None => Err(SourceError::Network { url: shown.clone(), detail: RUNTIME_GONE.into() }),
        Some(Waited::Stalled) => {
            Err(timeout(format!("no answer to {} within {:?}", who.range, bounds.headers)))
        }
        Some(Waited::Deadline) => Err(timeout(format!(
            "deadline of {:?} reached waiting for the answer to {}",
            clock.total(),
            who.range
        ))),
        Some(Waited::Done(Err(e))) => Err(request_error(e, &shown)),
        Some(Waited::Done(Ok(resp))) => {
            if resp.status().is_success() {
                if let Some(encoding) = encoding(resp.headers()) {
                    return Err(SourceError::Encoding { url: shown, encoding });
                }
            }
            Ok(resp)
        }
    }
}

/// Append up to `want` bytes of `resp`'s body to `out`, under the bounds and the clock.
pub(crate) fn read_body(
    mut resp: Response,
    want: u64,
    out: &mut Vec<u8>,
    who: &Waiting,
    timeouts: &HttpTimeouts,
    clock: Clock,
) -> Result<(), SourceError> {
    let bounds = *timeouts;
    let mut buf = std::mem::take(out);
    let w = who.clone();
    let done = client::run(clock.backstop(), async move {
        let mut got = 0u64;
        let result = loop {
            if got >= want {
                break Ok(());
            }
            let warn = |elapsed: Duration| {
                tracing::warn!(
                    url = %w.shown, range = %w.range, bytes = got, of = want,
                    elapsed_s = elapsed.as_secs(), "slow upstream: body still arriving"
                );
            };
            let stalled = |detail: String| SourceError::Timeout { url: w.shown.clone(), detail };
            match bounded(resp.chunk(), bounds.stall, clock, bounds.slow_warning, warn).await {
                Waited::Done(Ok(Some(chunk))) => {
                    // At most `want - got` bytes, which `want` bounds.
                    let take = chunk.len().min(usize::try_from(want - got).unwrap_or(usize::MAX));
                    buf.extend_from_slice(&chunk[..take]);
                    got += take as u64;
                }
                Waited::Done(Ok(None)) => break Ok(()),
                Waited::Done(Err(e)) => break Err(request_error(e, &w.shown)),
                Waited::Stalled => {
                    break Err(stalled(format!(
                        "no body bytes for {:?} after {got} of {want} bytes of {}",
                        bounds.stall, w.range
                    )))
                }
                Waited::Deadline => {
                    break Err(stalled(format!(
                        "deadline of {:?} reached after {got} of {want} bytes of {}",
                        clock.total(),
                        w.range
                    )))
                }
            }
        };
        (buf, result)
    });
    match done {
        Some((buf, result)) => {
            *out = buf;
            result
        }
        None => Err(SourceError::Network { url: who.shown.clone(), detail: RUNTIME_GONE.into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn only_identity_and_chunked_are_plain() {
        let mut h = HeaderMap::new();
        assert_eq!(encoding(&h), None);
        h.insert(CONTENT_ENCODING, HeaderValue::from_static("identity"));
        h.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        assert_eq!(encoding(&h), None);
        h.insert(CONTENT_ENCODING, HeaderValue::from_static("Identity, br"));
        assert_eq!(encoding(&h).as_deref(), Some("br"));
        h.remove(CONTENT_ENCODING);
        h.insert(TRANSFER_ENCODING, HeaderValue::from_static("gzip, chunked"));
        assert_eq!(encoding(&h).as_deref(), Some("gzip"));
    }

    #[test]
    fn warnings_fall_on_multiples_of_the_interval() {
        let clock = Clock::start(Duration::from_secs(60));
        let every = Duration::from_secs(5);
        assert_eq!(clock.next_warning(every), clock.started + every);
        assert!(clock.next_warning(Duration::ZERO) > clock.deadline());
    }

    #[test]
    fn settings_too_long_to_add_mean_no_limit() {
        let clock = Clock::start(Duration::MAX);
        assert!(clock.deadline() > Instant::now() + Duration::from_secs(3600 * 24 * 365));
        assert!(clock.backstop() > clock.deadline());
        assert!(clock.next_warning(Duration::MAX) > Instant::now());
    }
}
