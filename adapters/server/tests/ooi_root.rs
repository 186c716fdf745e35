//! The OOI mount served when none is configured: `GET /` lists it (the router fetches nothing
//! to say so). The `serve` options that fill a `ServerConfig` (and their `LAZYQT_*`
//! variables) are the CLI's, tested there.

#[path = "common/running.rs"]
mod running;

use axum::body::Body;
use axum::http::Request;
use lazyqt_server::{Mount, ServerConfig, OOI_PREFIX, OOI_URL};
use tower::ServiceExt;

#[tokio::test(flavor = "current_thread")]
async fn the_root_lists_the_ooi_mount() {
    let cfg = ServerConfig { mounts: vec![Mount::ooi()], ..ServerConfig::default() };
    // `GET /` opens no movie: the backend is there because the router needs one.
    let backend = std::sync::Arc::new(running::media_backend(&cfg, 1));
    let app = lazyqt_server::router(&cfg, backend).expect("router");
    let resp = app.oneshot(Request::get("/").body(Body::empty()).expect("request")).await.expect("answer");
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
    let root: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        root["Mounts"],
        serde_json::json!([{"Prefix": OOI_PREFIX, "Kind": "upstream", "Upstream": OOI_URL}])
    );
}
