//! The browser viewer at `/view/`: a static page (HTML, CSS, JS, an icon) compiled into the
//! binary, with no build step and nothing loaded from elsewhere, that browses the mounts and
//! scrubs through a movie over the REST routes of this server; a directory of movies (an
//! archive day) is a page of rows of thumbnails. The scripts are ES modules: `viewer.js`
//! imports the others.
//!
//! Every asset is answered with its content type, a strong ETag (304 on `If-None-Match`),
//! `Cache-Control: no-cache` (revalidate: a new binary may ship new assets) and a strict
//! Content-Security-Policy: scripts and styles only from this server (no inline code), images
//! from this server or the page's own blobs, requests only to this server.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::conditional::{etag, not_modified};
use crate::errors::BackendError;
use crate::routes::labelled;

/// The policy of every viewer answer: nothing inline, nothing from another origin.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Revalidate every time: assets change with the binary, the ETag makes it a 304.
const CACHE_CONTROL: &str = "no-cache";

/// One embedded file: its name below `/view/`, content type and bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

/// A JavaScript module of the page.
const fn script(name: &'static str, body: &'static str) -> Asset {
    Asset { name, content_type: "text/javascript; charset=utf-8", body }
}

/// The viewer's files (`index.html` is also `/view/`).
const ASSETS: [Asset; 6] = [
    Asset {
        name: "index.html",
        content_type: "text/html; charset=utf-8",
        body: include_str!("../../viewer/index.html"),
    },
    Asset {
        name: "viewer.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../viewer/viewer.css"),
    },
    script("viewer.js", include_str!("../../viewer/viewer.js")),
    script("util.js", include_str!("../../viewer/util.js")),
    script("day.js", include_str!("../../viewer/day.js")),
    Asset { name: "icon.svg", content_type: "image/svg+xml", body: include_str!("../../viewer/icon.svg") },
];

/// `GET /view`: 302 to `/view/`, so the page's relative asset links resolve below it.
pub(crate) async fn redirect() -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    resp.headers_mut().insert(header::LOCATION, HeaderValue::from_static("/view/"));
    labelled("viewer", resp)
}

/// `GET /view/`: the page.
pub(crate) async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

/// `GET /view/{asset}`: one of the page's files, 404 for any other name.
pub(crate) async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    serve(&name, &headers)
}

fn serve(name: &str, headers: &HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return labelled("viewer", BackendError::NotFound(format!("/view/{name}")).into_response());
    };
    let tag = etag(env!("CARGO_PKG_VERSION"), &["viewer", asset.name, asset.body]);
    let fresh = tag.as_deref().is_some_and(|t| not_modified(headers, t));
    let mut resp = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = asset.body.into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
        r
    };
    let h = resp.headers_mut();
    if let Some(v) = tag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    labelled("viewer", resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_holds_no_inline_code_and_links_only_its_own_assets() {
        let html = ASSETS[0].body;
        for bad in
            ["<script>", "style=", " onclick", " onload", " onerror", "http://", "https://", "javascript:"]
        {
            assert!(!html.contains(bad), "index.html contains {bad:?}");
        }
        let scripts: Vec<&str> = ASSETS.iter().filter(|a| a.name.ends_with(".js")).map(|a| a.body).collect();
        for a in &ASSETS[1..] {
            let linked = html.contains(&format!("\"{}\"", a.name));
            let imported = scripts.iter().any(|s| s.contains(&format!("from './{}'", a.name)));
            assert!(linked || imported, "index.html does not link {} and no script imports it", a.name);
        }
        for a in ASSETS.iter().filter(|a| !a.name.ends_with(".svg")) {
            assert!(
                !a.body.contains("http://") && !a.body.contains("https://"),
                "{} names another origin",
                a.name
            );
        }
    }
}
