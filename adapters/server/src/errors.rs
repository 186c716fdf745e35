//! Errors: the [`BackendError`] enum shared by the backend and the routes, and its HTTP mapping.
//!
//! Every error becomes a real HTTP status with a JSON body `{"error": "...", "status": N}`.
//! A media error reaches the wire through its kind: [`BackendError::of_kind`] is the server's
//! one table from [`ErrorKind`] to a variant, whose status [`BackendError::status`] gives.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use lazyqt_media::{ErrorKind, MediaError};

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
    /// A movie that is malformed, has no video track, or whose codec cannot be decoded (415).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The picture asked for exceeds the server's pixel or decode-memory budget, or a size
    /// exceeds a limit of the library (422).
    #[error("too large: {0}")]
    TooLarge(String),
    /// The upstream server failed or answered nonsense, or a local file could not be read (502).
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
    /// The error for a kind of media error, with its message: the server's one table.
    pub fn of_kind(kind: ErrorKind, message: String) -> Self {
        match kind {
            ErrorKind::Argument => Self::BadRequest(message),
            ErrorKind::NotFound => Self::NotFound(message),
            ErrorKind::OutOfRange => Self::OutOfRange(message),
            ErrorKind::Malformed | ErrorKind::Unsupported | ErrorKind::NoTrack => Self::Unsupported(message),
            ErrorKind::TooLarge => Self::TooLarge(message),
            ErrorKind::UpstreamChanged => Self::ChangedUpstream(message),
            ErrorKind::Http | ErrorKind::Network | ErrorKind::Io => Self::Upstream(message),
            ErrorKind::Timeout => Self::UpstreamTimeout(message),
            ErrorKind::Internal => Self::Internal(message),
        }
    }

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

impl From<&MediaError> for BackendError {
    fn from(e: &MediaError) -> Self {
        Self::of_kind(e.kind(), e.to_string())
    }
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

    /// The server's column of the error-kind table: every kind has its HTTP status.
    #[test]
    fn every_error_kind_has_its_http_status() {
        let expected = [
            (ErrorKind::Argument, 400),
            (ErrorKind::NotFound, 404),
            (ErrorKind::OutOfRange, 416),
            (ErrorKind::Malformed, 415),
            (ErrorKind::Unsupported, 415),
            (ErrorKind::NoTrack, 415),
            (ErrorKind::TooLarge, 422),
            (ErrorKind::UpstreamChanged, 503),
            (ErrorKind::Http, 502),
            (ErrorKind::Network, 502),
            (ErrorKind::Timeout, 504),
            (ErrorKind::Io, 502),
            (ErrorKind::Internal, 500),
        ];
        assert_eq!(expected.map(|(k, _)| k), ErrorKind::ALL, "one row per kind, in order");
        for (kind, code) in expected {
            let resp = BackendError::of_kind(kind, format!("{kind:?}")).into_response();
            assert_eq!(resp.status().as_u16(), code, "{kind:?}");
            let retry = resp.headers().get(header::RETRY_AFTER).is_some();
            assert_eq!(retry, kind == ErrorKind::UpstreamChanged, "{kind:?}: Retry-After");
        }
    }
}
