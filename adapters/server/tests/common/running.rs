//! A real `lazyqt serve` for the integration tests: the router over a backend on an
//! ephemeral loopback port, in a runtime of its own, for as long as the [`Running`] lives.
#![allow(dead_code)] // each test file uses what it needs

use std::sync::Arc;
use std::time::Duration;

use lazyqt_server::{Backend, MediaBackend, ServerConfig};

/// A server listening on 127.0.0.1; `base` is its `http://127.0.0.1:PORT`.
pub struct Running {
    pub base: String,
    _runtime: tokio::runtime::Runtime,
}

/// The `MediaBackend` `lazyqt serve` makes for `config` (its timeouts reaching every upstream
/// read), with room for `movies` open movies and no disk cache, so each test starts cold.
pub fn media_backend(config: &ServerConfig, movies: u64) -> MediaBackend {
    let mut opts = lazyqt_io::SourceOptions::default();
    opts.cache.no_disk = true;
    MediaBackend::new(config.source_options(&opts), movies, Duration::from_secs(3600))
        .with_cross_origin_mounts(config.cross_origin_mounts())
}

/// `config` served over [`media_backend`].
pub fn serve(config: ServerConfig, movies: u64) -> Running {
    let backend = media_backend(&config, movies);
    serve_backend(config, Arc::new(backend))
}

/// `config` served over `backend`.
pub fn serve_backend(config: ServerConfig, backend: Arc<dyn Backend>) -> Running {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(lazyqt_server::serve_on(listener, config, backend, std::future::pending()));
    Running { base, _runtime: runtime }
}

/// GET `url` (with `If-None-Match` when given), failing the test after two minutes.
pub fn get(url: &str, if_none_match: Option<&str>) -> reqwest::blocking::Response {
    let mut req = reqwest::blocking::Client::new().get(url).timeout(Duration::from_secs(120));
    if let Some(tag) = if_none_match {
        req = req.header("If-None-Match", tag);
    }
    req.send().unwrap()
}
