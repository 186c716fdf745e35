//! Whole small bodies (directory listings) under the same client, bounds and retries as
//! the range reads of movies: one configuration ([`HttpOptions`]) for every request.

use reqwest::header::CONTENT_LENGTH;

use super::fetch::{Transport, WHOLE_BODY};
use super::{check_url, client};
use crate::error::SourceError;
use crate::options::HttpOptions;
use crate::redact::redact_url;
use crate::stats::Counters;

/// A small resource fetched whole.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL the body came from, after redirects (relative links in a listing resolve
    /// against this one).
    pub url: String,
    /// The body.
    pub body: Vec<u8>,
}

/// GET `url` whole (an HTML directory index, say), blocking: the shared client of `opts`
/// (its connect timeout and redirect policy), `Accept-Encoding: identity`, the headers
/// within `timeouts.headers`, no body stall past `timeouts.stall`, everything within
/// `timeouts.deadline`, transient failures retried as `retry` says. A status other than
/// 200 is [`SourceError::HttpStatus`] (404 and 410 included, for the caller to call "not
/// found"); a body over `max_bytes` is [`SourceError::TooLarge`] (before it is read when
/// the server announces its length); a body shorter than announced is retried. From
/// async code, call it inside `tokio::task::spawn_blocking`.
pub fn get_page(url: &str, opts: &HttpOptions, max_bytes: u64) -> Result<Page, SourceError> {
    check_url(url)?;
    let client = client::shared(opts).map_err(|e| SourceError::Network {
        url: redact_url(url),
        detail: format!("cannot build the HTTP client: {e}"),
    })?;
    let transport = Transport::new(client, url.to_string(), opts);
    let counters = Counters::default();
    let clock = transport.clock();
    let too_large = |size: u64| SourceError::TooLarge {
        uri: transport.shown().to_string(),
        what: "page",
        size,
        limit: max_bytes,
    };
    transport.retrying(&counters, clock, |_| {
        let _permit = transport.permit(clock)?;
        let answered = transport.send(None, None, &counters, clock)?;
        if answered.0.status().as_u16() != 200 {
            return Err(transport.status_error(&answered.0, WHOLE_BODY));
        }
        let final_url = answered.0.url().to_string();
        let announced: Option<u64> = answered
            .0
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        if let Some(n) = announced.filter(|&n| n > max_bytes) {
            return Err((too_large(n), None));
        }
        let mut body = Vec::new();
        transport
            .read_body(answered, max_bytes.saturating_add(1), &mut body, &counters, clock)
            .map_err(|e| (e, None))?;
        let got = body.len() as u64;
        if got > max_bytes {
            return Err((too_large(got), None));
        }
        if let Some(n) = announced.filter(|&n| n != got) {
            return Err((transport.short(n, got), None));
        }
        Ok(Page { url: final_url, body })
    })
}

#[cfg(test)]
mod tests {
    use super::get_page;
    use crate::error::SourceError;
    use crate::options::HttpOptions;

    #[test]
    fn only_http_urls_are_fetched() {
        let err = get_page("ftp://example.org/", &HttpOptions::default(), 10).unwrap_err();
        assert!(matches!(err, SourceError::InvalidUrl { .. }), "{err}");
    }
}
