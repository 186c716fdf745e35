//! lazyqt-server: the REST API of lazyqt (axum), wire-compatible with the predecessor
//! go-lazycache so existing clients such as `pycamhd-lazycache` work unchanged.
//!
//! The server validates paths inside configured mounts, answers listings itself, and asks a
//! [`Backend`] (implemented over the media stack elsewhere) for movie metadata and frames, on a
//! bounded pool of blocking threads. It adds strong ETags, `Cache-Control`, 304 answers, an
//! in-memory LRU of encoded frames, request deadlines, Prometheus metrics and an OpenAPI document.
//!
//! Routes (N is 1-based; no extension means PNG):
//! `GET /`, `/healthz`, `/metrics`, `/openapi.json`, `/info` (and go-lazycache's `/metrics/`,
//! `/_ah/health`, `/info/`), `/view/` (the browser viewer), `<mount>/<dir>/`, `<mount>/<movie>`, `<mount>/<other file>`
//! (302 to the upstream, or the local file),
//! `<mount>/<movie>/frame/<N>[.png|.jpg|.jpeg|.bmp|.rgba|.raw|.sample]?width=&height=&quality=&matrix=`,
//! `<mount>/<movie>/time/<seconds>[.ext]`. `.raw` is RGBA like `.rgba`, as in go-lazycache;
//! `.sample` is the compressed sample. See the crate README for the differences from
//! go-lazycache.
//!
//! Wiring it to a media stack (what `lazyqt serve` does):
//!
//! ```no_run
//! use std::sync::Arc;
//! use lazyqt_server::{
//!     Backend, BackendError, FetchedFrame, FrameBytes, FrameRequest, Mount, MovieLocation, MovieMeta,
//!     ServeError, ServerConfig,
//! };
//!
//! struct Media;
//!
//! impl Backend for Media {
//!     fn movie(&self, loc: &MovieLocation) -> Result<MovieMeta, BackendError> {
//!         Err(BackendError::NotFound(loc.rel_path.clone()))
//!     }
//!     fn fetch(&self, loc: &MovieLocation, _index0: u64, _req: &FrameRequest)
//!         -> Result<FetchedFrame, BackendError> {
//!         Err(BackendError::NotFound(loc.rel_path.clone()))
//!     }
//!     fn decode(&self, _fetched: FetchedFrame, _req: &FrameRequest)
//!         -> Result<FrameBytes, BackendError> {
//!         Err(BackendError::Internal("nothing is ever fetched".into()))
//!     }
//!     fn frame_at_time(&self, loc: &MovieLocation, _seconds: f64) -> Result<u64, BackendError> {
//!         Err(BackendError::NotFound(loc.rel_path.clone()))
//!     }
//! }
//!
//! async fn run() -> Result<(), ServeError> {
//!     let config = ServerConfig { mounts: vec![Mount::parse("/media=./media")?], ..ServerConfig::default() };
//!     // Stops on ctrl-c or SIGTERM; pass another future to stop it yourself.
//!     lazyqt_server::serve(config, Arc::new(Media), std::future::pending()).await
//! }
//! ```

#![forbid(unsafe_code)]

mod backend;
mod budget;
mod cache;
mod conditional;
mod config;
mod errors;
mod listing;
mod media_archive;
mod media_backend;
mod metrics;
mod openapi;
mod paths;
mod routes;
mod viewer;

use std::future::{Future, IntoFuture};
use std::sync::Arc;
use std::time::Duration;

pub use backend::{
    ArchiveDir, Backend, FetchedData, FetchedFrame, FrameBytes, FrameFormat, FrameRequest, Instant,
    MovieLocation, MovieMeta, Neighbour, Resolved,
};
pub use config::{
    CacheConfig, ConfigError, Mount, MountTarget, ServerConfig, ServerTimeouts, WorkLimits, OOI_PREFIX,
    OOI_URL,
};
pub use errors::BackendError;
/// The movie summary [`MovieMeta`] carries (lazyqt-media's), for backends to build.
pub use lazyqt_media::{FrameRate, TrackSummary, VideoSummary};
pub use listing::{parse_autoindex, Listing};
pub use media_backend::MediaBackend;
pub use openapi::{openapi, route_templates};
pub use routes::router;

/// Why [`serve`] stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Binding or serving failed.
    #[error("server I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// Binds `config.listen` and serves until `shutdown` completes, ctrl-c, or SIGTERM; then stops
/// accepting and lets in-flight requests finish for at most `timeouts.shutdown_secs`. Blocking
/// backend calls still running then are abandoned: a program should drop its runtime with
/// `shutdown_background` (or `shutdown_timeout`) rather than wait for them.
pub async fn serve(
    config: ServerConfig,
    backend: Arc<dyn Backend>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let mut config = config;
    config.validate()?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    serve_on(listener, config, backend, shutdown).await
}

/// Like [`serve`] on an already bound listener (tests bind port 0 and read the address).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    backend: Arc<dyn Backend>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let app = router(&config, backend)?;
    tracing::info!(addr = %listener.local_addr()?, mounts = config.mounts.len(), "lazyqt serving");
    for m in &config.mounts {
        match &m.target {
            MountTarget::Upstream(url) => match paths::shareable(url) {
                Some(url) => tracing::info!(prefix = %m.prefix, upstream = %url, "mount"),
                None => {
                    tracing::info!(prefix = %m.prefix, host = ?url.host_str(), "mount (credentials hidden)")
                }
            },
            MountTarget::Local(_) => tracing::info!(prefix = %m.prefix, "mount of a local directory"),
        }
    }
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        stop_signal(shutdown).await;
        let _ = stopping.send(());
    };
    let server = axum::serve(listener, app).with_graceful_shutdown(signal).into_future();
    let grace = Duration::from_secs(config.timeouts.shutdown_secs);
    let bound = async move {
        if stopped.await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result?,
        () = bound => tracing::warn!(grace_secs = grace.as_secs(), "requests still running at shutdown: abandoned"),
    }
    tracing::info!("lazyqt server stopped");
    Ok(())
}

/// Completes on the caller's future, ctrl-c, or SIGTERM, whichever comes first.
async fn stop_signal(shutdown: impl Future<Output = ()> + Send + 'static) {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = shutdown => {}
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down");
}
