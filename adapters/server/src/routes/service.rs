//! Built-in routes: `/`, `/healthz`, `/metrics`, `/openapi.json`, `/info`, and go-lazycache's
//! `/metrics/`, `/_ah/health`, `/info/`.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{labelled, AppState};
use crate::config::MountTarget;

/// `GET /`: the mounts.
pub(super) async fn root(State(st): State<AppState>) -> Response {
    let mounts: Vec<_> = st
        .config
        .mounts
        .iter()
        .map(|m| match &m.target {
            MountTarget::Upstream(url) => {
                json!({"Prefix": m.prefix, "Kind": "upstream", "Upstream": lazyqt_io::redact_url(url.as_str())})
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

/// `GET /healthz`, `/_ah/health`: liveness only — the process answers HTTP. Whether it can
/// take more work is `/readyz`.
pub(super) async fn healthz() -> Response {
    labelled("healthz", Json(json!({"status": "ok"})).into_response())
}

/// `GET /readyz`: 200 `{"status":"ready","Pools":[…]}` while every pool (the decode workers
/// and each mount's I/O pool) has a free slot; 503 `"saturated"` naming the full ones
/// otherwise (a hung upstream fills its mount's pool until its reads time out).
pub(super) async fn readyz(State(st): State<AppState>) -> Response {
    let pools = st.budgets.states();
    let full: Vec<&str> = pools.iter().filter(|p| p.busy >= p.limit).map(|p| p.pool.as_str()).collect();
    let (status, word) = if full.is_empty() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "saturated")
    };
    let body = json!({"status": word, "Saturated": full, "Pools": pools});
    let mut resp = (status, Json(body)).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    labelled("readyz", resp)
}

/// `GET /metrics`, `/metrics/`: Prometheus text, the backend's counters included.
pub(super) async fn metrics(State(st): State<AppState>) -> Response {
    let backend = st.backend.clone();
    let pairs = tokio::task::spawn_blocking(move || backend.metrics()).await.unwrap_or_default();
    let mut resp = st.metrics.render(&pairs).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    labelled("metrics", resp)
}

/// `GET /openapi.json`.
pub(super) async fn openapi(State(st): State<AppState>) -> Response {
    labelled("openapi", Json(st.openapi.clone()).into_response())
}
