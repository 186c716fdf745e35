//! GET a small resource whole (a directory listing), under the same rules as every read
//! of a movie: the process's client (its connect timeout and redirect policy), one
//! clock for the whole read, the headers and body bounds, identity-encoded bodies only,
//! and retries of transient failures with backoff.
//!
//! The request asks for `Range: bytes=0-`, which every server answers with the whole
//! body: 200 from one that ignores Range (nginx's and Apache's generated listings), 206
//! covering the whole resource from one that honours it.

use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE};

use super::fetch::Transport;
use super::{check_url, client};
use crate::error::SourceError;
use crate::options::SourceOptions;
use crate::redact::redact_url;
use crate::stats::Counters;
use crate::wire;

/// The `Range` asked for: all of it.
const WHOLE: &str = "bytes=0-";

/// A small resource fetched whole.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL the body came from, after redirects (relative links in it resolve
    /// against this one).
    pub url: String,
    /// The body.
    pub body: Vec<u8>,
}

/// GET `url` whole, refusing bodies over `limit` bytes (before reading them when the
/// server announces their length). Over HTTP only; `SourceError::HttpStatus` for a
/// 404 and the like.
pub fn get_small(url: &str, limit: u64, opts: &SourceOptions) -> Result<Fetched, SourceError> {
    check_url(url)?;
    let shown = redact_url(url);
    let client = client::shared(opts).map_err(|e| SourceError::Network {
        url: shown.clone(),
        detail: format!("cannot build the HTTP client: {e}"),
    })?;
    let t = Transport::new(client, url.to_string(), opts);
    let counters = Counters::default();
    let clock = t.clock();
    let too_large = |size: u64| SourceError::TooLarge { uri: shown.clone(), what: "body", size, limit };
    t.retrying(&counters, clock, |_| {
        let _permit = t.permit(clock)?;
        let answered = t.send(WHOLE.into(), None, &counters, clock)?;
        let status = answered.0.status().as_u16();
        if !matches!(status, 200 | 206) {
            return Err(t.status_error(&answered.0, WHOLE));
        }
        let headers = answered.0.headers().clone();
        let final_url = answered.0.url().to_string();
        let announced: Option<u64> =
            headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        if let Some(n) = announced.filter(|&n| n > limit) {
            return Err((too_large(n), None));
        }
        let mut body = Vec::new();
        t.read_body(answered, limit.saturating_add(1), &mut body, &counters, clock).map_err(|e| (e, None))?;
        let got = body.len() as u64;
        if got > limit {
            return Err((too_large(got), None));
        }
        if let Some(n) = announced.filter(|&n| n != got) {
            return Err((t.short(n, got), None));
        }
        if status == 206 {
            let cr = headers.get(CONTENT_RANGE).and_then(|v| v.to_str().ok()).unwrap_or("");
            let whole = wire::content_range(cr)
                .is_some_and(|c| c.range == Some((0, got.saturating_sub(1))) && c.total == Some(got));
            if !whole {
                return Err((t.content_range_error(WHOLE, cr), None));
            }
        }
        Ok(Fetched { url: final_url, body })
    })
}
