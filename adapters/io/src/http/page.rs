//! Whole small bodies (directory listings) under the same client, bounds and retries as
//! the range reads of movies: one configuration ([`HttpOptions`]) for every request.

use super::fetch::{Transport, WHOLE_BODY};
use super::{check_url, client};
use crate::error::SourceError;
use crate::options::HttpOptions;
use crate::redact::redact_url;
use crate::stats::Counters;

/// GET `url` whole (an HTML directory index, say), blocking: the shared client of `opts`
/// (its connect timeout and redirect policy), `Accept-Encoding: identity`, the headers
/// within `timeouts.headers`, no body stall past `timeouts.stall`, everything within
/// `timeouts.deadline`, transient failures retried as `retry` says. A status other than
/// 200 is [`SourceError::HttpStatus`] (404 and 410 included, for the caller to call "not
/// found"); a body over `max_bytes` is [`SourceError::TooLarge`]. From async code, call
/// it inside `tokio::task::spawn_blocking`.
pub fn get_page(url: &str, opts: &HttpOptions, max_bytes: u64) -> Result<Vec<u8>, SourceError> {
    check_url(url)?;
    let client = client::shared(opts).map_err(|e| SourceError::Network {
        url: redact_url(url),
        detail: format!("cannot build the HTTP client: {e}"),
    })?;
    let transport = Transport::new(client, url.to_string(), opts);
    let counters = Counters::default();
    let clock = transport.clock();
    transport.retrying(&counters, clock, |_| {
        let _permit = transport.permit(clock)?;
        let answered = transport.send(None, None, &counters, clock)?;
        if answered.0.status().as_u16() != 200 {
            return Err(transport.status_error(&answered.0, WHOLE_BODY));
        }
        let mut body = Vec::new();
        transport
            .read_body(answered, max_bytes.saturating_add(1), &mut body, &counters, clock)
            .map_err(|e| (e, None))?;
        if body.len() as u64 > max_bytes {
            let (uri, size) = (transport.shown().to_string(), body.len() as u64);
            return Err((SourceError::TooLarge { uri, what: "page", size, limit: max_bytes }, None));
        }
        Ok(body)
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
