//! Errors: the [`BackendError`] enum shared by the backend and the routes, and its HTTP mapping.
//!
//! Every error becomes a real HTTP status with a JSON body `{"error": "...", "status": N}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A failure of a request, from the backend or from the server's own checks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// No such file or directory (404).
    #[error("not found: {0}")]
    NotFound(String),
    /// Malformed request: bad frame number, parameter or path (400).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Frame number or time outside the movie (416; the predecessor answered 400).
    #[error("out of range: {0}")]
    OutOfRange(String),
    /// Codec or file format the decoder does not support (415).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The picture asked for exceeds the server's pixel or decode-memory budget (422).
    #[error("too large: {0}")]
    TooLarge(String),
    /// The upstream server failed or answered nonsense (502).
    #[error("upstream error: {0}")]
    Upstream(String),
    /// The upstream server or the request took too long (504).
    #[error("timeout: {0}")]
    UpstreamTimeout(String),
    /// The upstream file changed while being read; caches were dropped, a retry may work (503).
    #[error("upstream file changed: {0}")]
    ChangedUpstream(String),
    /// A bug or an unexpected local failure (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl BackendError {
    /// The same error with its message passed through `f` (e.g. to redact credentials).
    pub fn map_message(self, f: impl FnOnce(String) -> String) -> Self {
        match self {
            Self::NotFound(m) => Self::NotFound(f(m)),
            Self::BadRequest(m) => Self::BadRequest(f(m)),
            Self::OutOfRange(m) => Self::OutOfRange(f(m)),
            Self::Unsupported(m) => Self::Unsupported(f(m)),
            Self::TooLarge(m) => Self::TooLarge(f(m)),
            Self::Upstream(m) => Self::Upstream(f(m)),
            Self::UpstreamTimeout(m) => Self::UpstreamTimeout(f(m)),
            Self::ChangedUpstream(m) => Self::ChangedUpstream(f(m)),
            Self::Internal(m) => Self::Internal(f(m)),
        }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::OutOfRange(_) => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooLarge(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::UpstreamTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
            Self::ChangedUpstream(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The JSON error answer `{"error": message, "status": N}`, not cacheable.
pub(crate) fn error_response(status: StatusCode, message: String) -> Response {
    let body = serde_json::json!({ "error": message, "status": status.as_u16() });
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

impl IntoResponse for BackendError {
    fn into_response(self) -> Response {
        let mut resp = error_response(self.status(), self.to_string());
        let headers = resp.headers_mut();
        if matches!(self, Self::ChangedUpstream(_)) {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_never_200() {
        let all = [
            (BackendError::NotFound(String::new()), 404),
            (BackendError::BadRequest(String::new()), 400),
            (BackendError::OutOfRange(String::new()), 416),
            (BackendError::Unsupported(String::new()), 415),
            (BackendError::TooLarge(String::new()), 422),
            (BackendError::Upstream(String::new()), 502),
            (BackendError::UpstreamTimeout(String::new()), 504),
            (BackendError::ChangedUpstream(String::new()), 503),
            (BackendError::Internal(String::new()), 500),
        ];
        for (err, code) in all {
            assert_eq!(err.into_response().status().as_u16(), code);
        }
    }
}
