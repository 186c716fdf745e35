//! Built-in routes: `/`, `/healthz`, `/metrics`, `/openapi.json`, `/info`, and go-lazycache's
//! `/metrics/`, `/_ah/health`, `/info/`.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{blocking, labelled, AppState};
use crate::config::MountTarget;

/// `GET /`: the mounts.
pub(super) async fn root(State(st): State<AppState>) -> Response {
    let mounts: Vec<_> = st
        .config
        .mounts
        .iter()
        .map(|m| match &m.target {
            MountTarget::Upstream(url) => {
                json!({"Prefix": m.prefix, "Kind": "upstream", "Upstream": url.as_str()})
            }
            MountTarget::Local(_) => json!({"Prefix": m.prefix, "Kind": "local"}),
        })
        .collect();
    let body = json!({"Service": "lazyqt", "Version": env!("CARGO_PKG_VERSION"), "Mounts": mounts});
    labelled("root", Json(body).into_response())
}

/// `GET /info`, `/info/`: component versions, as go-lazycache's `/info/` listed its own.
pub(super) async fn info() -> Response {
    labelled("info", Json(json!({"lazyqt": env!("CARGO_PKG_VERSION")})).into_response())
}

/// `GET /healthz`, `/_ah/health`.
pub(super) async fn healthz() -> Response {
    labelled("healthz", Json(json!({"status": "ok"})).into_response())
}

/// `GET /metrics`, `/metrics/`: Prometheus text, the backend's counters included.
pub(super) async fn metrics(State(st): State<AppState>) -> Response {
    let backend = st.backend.clone();
    let pairs = blocking(&st.meta, move || Ok(backend.metrics())).await.unwrap_or_default();
    let mut resp = st.metrics.render(&pairs).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    labelled("metrics", resp)
}

/// `GET /openapi.json`.
pub(super) async fn openapi(State(st): State<AppState>) -> Response {
    labelled("openapi", Json(st.openapi.clone()).into_response())
}
