//! `serve` options from `LAZYQT_*` environment variables, and the OOI mount served when none is
//! configured. Its own test binary (one process, one test): it sets process environment
//! variables, which other tests parsing options must not see.

use std::net::SocketAddr;

use axum::body::Body;
use axum::http::Request;
use clap::Parser;
use lazyqt_server::{Mount, ServeArgs, OOI_PREFIX, OOI_URL};
use tower::ServiceExt;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

fn config_from(args: &[&str]) -> lazyqt_server::ServerConfig {
    let mut all = vec!["lazyqt-serve"];
    all.extend_from_slice(args);
    Cli::try_parse_from(all).expect("options parse").serve.to_config().expect("config")
}

#[tokio::test(flavor = "current_thread")]
async fn options_come_from_the_environment() {
    // Nothing set: the OOI archive, and GET / lists it (the router fetches nothing to say so).
    let cfg = config_from(&[]);
    assert_eq!(cfg.mounts, vec![Mount::ooi()]);
    let backend = std::sync::Arc::new(NoBackend);
    let app = lazyqt_server::router(&cfg, backend).expect("router");
    let resp = app.oneshot(Request::get("/").body(Body::empty()).expect("request")).await.expect("answer");
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
    let root: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        root["Mounts"],
        serde_json::json!([{"Prefix": OOI_PREFIX, "Kind": "upstream", "Upstream": OOI_URL}])
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let dir = dir.path().to_str().expect("utf8");
    std::env::set_var("LAZYQT_LISTEN", "127.0.0.1:9797");
    std::env::set_var("LAZYQT_MOUNT", format!("/a={dir};/b=http://127.0.0.1:1/files"));
    std::env::set_var("LAZYQT_WORKERS", "5");
    std::env::set_var("LAZYQT_REQUEST_TIMEOUT", "9");
    std::env::set_var("LAZYCACHE_PORT", "1234");
    let cfg = config_from(&[]);
    assert_eq!(cfg.listen, SocketAddr::from(([127, 0, 0, 1], 9797)));
    let prefixes: Vec<&str> = cfg.mounts.iter().map(|m| m.prefix.as_str()).collect();
    assert_eq!(prefixes, ["/a", "/b"], "no OOI mount once mounts are configured");
    assert_eq!(cfg.limits.workers, 5);
    assert_eq!(cfg.timeouts.request_secs, 9);

    // A command-line option wins over its variable.
    let cfg = config_from(&["--listen", "127.0.0.1:9798", "--workers", "2", "--mount", &format!("/c={dir}")]);
    assert_eq!(cfg.listen, SocketAddr::from(([127, 0, 0, 1], 9798)));
    assert_eq!(cfg.limits.workers, 2);
    assert_eq!(cfg.mounts.len(), 1);
    assert_eq!(cfg.mounts[0].prefix, "/c");
    // go-lazycache's LAZYCACHE_* variables are not read (compatibility table).
    std::env::remove_var("LAZYQT_LISTEN");
    assert_eq!(config_from(&[]).listen, SocketAddr::from(([127, 0, 0, 1], 8080)));
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
