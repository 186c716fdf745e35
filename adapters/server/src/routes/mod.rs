//! The axum router: shared state, service routes, mount routes, middleware.

mod archive;
mod files;
mod frames;
mod mount;
mod request;
mod service;
mod sheet;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use lazyqt_archive::ListingCache;

use crate::backend::{Backend, Resolved};
use crate::budget::{Budgets, Pool};
use crate::cache::FrameCache;
use crate::config::{ConfigError, ServerConfig};
use crate::errors::{error_response, BackendError};
use crate::listing::UpstreamLister;
use crate::metrics::{Metrics, RouteLabel};

/// Movies whose last validator is remembered (a movie forgotten keeps its old frames until the
/// LRU drops them).
const MAX_VERSIONS: u64 = 16 * 1024;

/// State shared by all handlers.
pub(crate) struct Shared {
    pub config: ServerConfig,
    pub backend: Arc<dyn Backend>,
    /// Per-mount I/O pools, decode workers and decode memory.
    pub budgets: Budgets,
    pub frames: FrameCache,
    /// The last validator seen per movie: a new one drops the old version's frames.
    pub versions: moka::sync::Cache<Resolved, String>,
    pub lister: UpstreamLister,
    /// Each mount's cache of archive directory listings (`<dir>/utc`, `catalog`, `sheet`),
    /// by mount prefix: listings live `cache.listing_ttl_secs`, at most
    /// `cache.listing_cache_entries` per mount.
    pub archive_listings: Vec<(String, Arc<ListingCache>)>,
    pub metrics: Arc<Metrics>,
    pub openapi: serde_json::Value,
}

/// Handler state.
pub(crate) type AppState = Arc<Shared>;

impl Shared {
    /// The archive listing cache of the mount with this prefix.
    pub(crate) fn archive_listings(&self, prefix: &str) -> Result<Arc<ListingCache>, BackendError> {
        self.archive_listings
            .iter()
            .find(|(p, _)| p == prefix)
            .map(|(_, c)| Arc::clone(c))
            .ok_or_else(|| BackendError::Internal("unknown mount".into()))
    }
}

/// Builds the router for a configuration (validated here) and a backend.
pub fn router(config: &ServerConfig, backend: Arc<dyn Backend>) -> Result<Router, ConfigError> {
    let mut config = config.clone();
    config.validate()?;
    let lister = UpstreamLister::new(&config);
    let metrics = Arc::new(Metrics::default());
    let state: AppState = Arc::new(Shared {
        budgets: Budgets::new(&config),
        frames: FrameCache::new(config.cache.frame_cache_bytes),
        versions: moka::sync::Cache::new(MAX_VERSIONS),
        openapi: crate::openapi::openapi(&config),
        lister,
        archive_listings: config
            .mounts
            .iter()
            .map(|m| {
                let ttl = std::time::Duration::from_secs(config.cache.listing_ttl_secs);
                let entries = usize::try_from(config.cache.listing_cache_entries).unwrap_or(usize::MAX);
                (m.prefix.clone(), Arc::new(ListingCache::new(Some(ttl), entries)))
            })
            .collect(),
        metrics: metrics.clone(),
        backend,
        config,
    });
    let mut app = Router::new()
        .route("/", get(service::root))
        .route("/healthz", get(service::healthz))
        .route("/readyz", get(service::readyz))
        .route("/metrics", get(service::metrics))
        .route("/openapi.json", get(service::openapi))
        // go-lazycache's names for the same things.
        .route("/metrics/", get(service::metrics))
        .route("/_ah/health", get(service::healthz))
        .route("/info", get(service::info))
        .route("/info/", get(service::info))
        .route("/view", get(crate::viewer::redirect))
        .route("/view/", get(crate::viewer::index))
        .route("/view/{asset}", get(crate::viewer::asset));
    for (idx, m) in state.config.mounts.iter().enumerate() {
        let handler = move |State(st): State<AppState>, uri: Uri, headers: HeaderMap| async move {
            mount::handle(st, idx, uri, headers).await
        };
        app = app
            .route(&m.prefix, get(handler))
            .route(&format!("{}/", m.prefix), get(handler))
            .route(&format!("{}/{{*rest}}", m.prefix), get(handler));
    }
    Ok(app
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), timeout))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(middleware::from_fn_with_state(metrics, crate::metrics::track))
        .with_state(state))
}

async fn method_not_allowed() -> Response {
    let resp = error_response(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD are supported".into());
    labelled("method_not_allowed", resp)
}

async fn not_found(uri: Uri) -> Response {
    BackendError::NotFound(format!("no route for {}", uri.path())).into_response()
}

/// Answers 504 when a request runs past the configured deadline.
async fn timeout(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let limit = st.config.timeouts.request();
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => labelled(
            "timeout",
            BackendError::UpstreamTimeout(format!("request took longer than {} s", limit.as_secs()))
                .into_response(),
        ),
    }
}

/// Tags a response with its route label for the metrics.
pub(crate) fn labelled(label: &'static str, mut resp: Response) -> Response {
    resp.extensions_mut().insert(RouteLabel(label));
    resp
}

/// Runs a blocking backend call on the blocking pool while holding a permit of `pool`. A
/// request dropped while waiting for the permit (its client left, its deadline fired) never
/// starts the call; a call already running keeps the permit until it returns, which the
/// upstream read deadline (never longer than the request's) bounds. A panic becomes a 500.
pub(crate) async fn blocking<T, F>(pool: &Pool, f: F) -> Result<T, BackendError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, BackendError> + Send + 'static,
{
    let permit = pool.acquire().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f()
    })
    .await
    .map_err(|e| BackendError::Internal(format!("backend task failed: {e}")))?
}
