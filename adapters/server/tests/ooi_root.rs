//! The OOI mount served when none is configured: `GET /` lists it (the router fetches nothing
//! to say so). The `serve` options that fill a `ServerConfig` (and their `LAZYQT_*`
//! variables) are the CLI's, tested there.

use axum::body::Body;
use axum::http::Request;
use lazyqt_server::{Mount, ServerConfig, OOI_PREFIX, OOI_URL};
use tower::ServiceExt;

#[tokio::test(flavor = "current_thread")]
async fn the_root_lists_the_ooi_mount() {
    let cfg = ServerConfig { mounts: vec![Mount::ooi()], ..ServerConfig::default() };
    let backend = std::sync::Arc::new(NoBackend);
    let app = lazyqt_server::router(&cfg, backend).expect("router");
    let resp = app.oneshot(Request::get("/").body(Body::empty()).expect("request")).await.expect("answer");
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
    let root: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        root["Mounts"],
        serde_json::json!([{"Prefix": OOI_PREFIX, "Kind": "upstream", "Upstream": OOI_URL}])
    );
}

/// A backend that is never called: `GET /` needs none.
struct NoBackend;

impl lazyqt_server::Backend for NoBackend {
    fn movie(
        &self,
        _: &lazyqt_server::MovieLocation,
    ) -> Result<lazyqt_server::MovieMeta, lazyqt_server::BackendError> {
        unreachable!("GET / does not open movies")
    }
    fn fetch(
        &self,
        _: &lazyqt_server::MovieLocation,
        _: u64,
        _: &lazyqt_server::FrameRequest,
    ) -> Result<lazyqt_server::FetchedFrame, lazyqt_server::BackendError> {
        unreachable!("GET / does not read frames")
    }
    fn decode(
        &self,
        _: lazyqt_server::FetchedFrame,
        _: &lazyqt_server::FrameRequest,
    ) -> Result<lazyqt_server::FrameBytes, lazyqt_server::BackendError> {
        unreachable!("GET / does not decode")
    }
    fn frame_at_time(
        &self,
        _: &lazyqt_server::MovieLocation,
        _: f64,
    ) -> Result<u64, lazyqt_server::BackendError> {
        unreachable!("GET / does not look up times")
    }
}
