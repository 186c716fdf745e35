//! Files under a mount that are not movies (`.md5` sums, notes, ...): redirected to the
//! upstream as go-lazycache did, or streamed from a local mount.

use std::path::Path;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::io::AsyncReadExt;
use url::Url;

use crate::errors::{error_response, BackendError};
use crate::paths::shareable;

/// Bytes read from a local file at a time.
const CHUNK: usize = 64 << 10;

/// Media types by extension (compared without case); anything else is a byte stream.
const CONTENT_TYPES: [(&str, &str); 9] = [
    ("md5", "text/plain; charset=utf-8"),
    ("txt", "text/plain; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("json", "application/json"),
    ("xml", "application/xml"),
    ("html", "text/html; charset=utf-8"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
];

fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    CONTENT_TYPES
        .iter()
        .find(|(e, _)| ext.eq_ignore_ascii_case(e))
        .map_or("application/octet-stream", |(_, t)| t)
}

/// `302 Found` to the file on the upstream. A mount whose URL holds credentials answers 403
/// instead: the redirect would hand them to the client.
pub(super) fn redirect(url: &Url) -> Response {
    let Some(location) = shareable(url).and_then(|u| HeaderValue::from_str(u.as_str()).ok()) else {
        return error_response(
            StatusCode::FORBIDDEN,
            "this mount's upstream needs credentials the server does not hand out, so its \
             non-movie files are not redirected"
                .into(),
        );
    };
    let mut resp = StatusCode::FOUND.into_response();
    resp.headers_mut().insert(header::LOCATION, location);
    resp
}

/// Streams a local file (already resolved inside the mount) with its media type. Dot files
/// are not served (404), like they are not listed.
pub(super) async fn local(path: &Path, name: &str) -> Result<Response, BackendError> {
    let not_found = || BackendError::NotFound(name.to_string());
    if name.starts_with('.') {
        return Err(not_found());
    }
    let file = tokio::fs::File::open(path).await.map_err(|_| not_found())?;
    let len = file.metadata().await.map_err(|e| BackendError::Internal(format!("{name}: {e}")))?.len();
    let chunks = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0; CHUNK];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some(file)))
            }
            // One error ends the body (the client sees a short answer), no retry loop.
            Err(e) => Some((Err(e), None)),
        }
    });
    let mut resp = Body::from_stream(chunks).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(name)));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_by_extension() {
        assert_eq!(content_type("a.mov.md5"), "text/plain; charset=utf-8");
        assert_eq!(content_type("README.TXT"), "text/plain; charset=utf-8");
        assert_eq!(content_type("x.bin"), "application/octet-stream");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn redirects_only_without_credentials() {
        let ok = redirect(&Url::parse("https://up.example/files/a.md5").expect("url"));
        assert_eq!(ok.status(), StatusCode::FOUND);
        assert_eq!(ok.headers()[header::LOCATION], "https://up.example/files/a.md5");
        let secret = redirect(&Url::parse("https://u:pw@up.example/files/a.md5").expect("url"));
        assert_eq!(secret.status(), StatusCode::FORBIDDEN);
        assert!(secret.headers().get(header::LOCATION).is_none());
    }
}
