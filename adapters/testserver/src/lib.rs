//! A loopback HTTP/1.1 file server for tests and benchmarks.
//!
//! It serves a directory or in-memory files with correct `Range`, `Content-Range`,
//! `ETag`, `Last-Modified`, `If-Match` and `If-Unmodified-Since` handling, an HTML
//! autoindex for directories, and injectable faults ([`Faults`]). Every request is
//! logged ([`RequestRecord`]) so tests can assert request counts and bytes exactly.
//!
//! The server runs on its own thread with its own tokio runtime, so blocking tests
//! can use it directly. It is written on raw sockets (httparse for request heads)
//! rather than on hyper so that faults can cut or falsify an answer at an exact byte.
//! Files on disk are read range by range as they are sent, never whole.
//!
//! `GET /.well-known/lazyqt-testserver/stats` ([`STATS_PATH`]) answers the counters as
//! JSON (requests, ranged requests, body bytes sent, connections) without being counted
//! itself, so scripts and other languages' tests can read them.
//!
//! The `lazyqt-testserver DIR [--latency-ms N] [--ignore-range] [--slow-body-ms N] …`
//! binary serves a directory the same way for benchmark scripts, the Python tests and
//! manual fault runs (`--help` lists every flag, HTTPS among them); it prints its base URL
//! on the first line of stdout.

#![forbid(unsafe_code)]

mod conn;
mod faults;
mod files;
mod gzip;
mod payload;
mod record;
mod request;
mod semantics;
mod tls;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use parking_lot::{Mutex, RwLock};

pub use faults::{Drip, Faults, MultiRange, ValidatorMode};
pub use files::{Content, MemFile};
pub use record::RequestRecord;

/// The path of the counters, answered as JSON by every server (see the crate doc).
pub const STATS_PATH: &str = "/.well-known/lazyqt-testserver/stats";

/// Shared state of a running server.
pub(crate) struct State {
    content: RwLock<Content>,
    faults: Mutex<Faults>,
    log: Mutex<Vec<RequestRecord>>,
    /// Requests received since start.
    requests: AtomicU64,
    /// How many times `change_after` has changed the files.
    generation: AtomicU64,
    /// TCP connections accepted.
    connections: AtomicU64,
}

impl State {
    /// The counters as one JSON object: `requests` (answered and logged), `ranged` (of those,
    /// with a `Range` header and answered 206), `bytes_sent` (body bytes) and `connections`.
    fn stats_json(&self) -> String {
        let log = self.log.lock();
        let ranged = log.iter().filter(|r| r.range.is_some() && r.status == 206).count();
        let bytes: u64 = log.iter().map(|r| r.bytes_sent).sum();
        format!(
            "{{\"requests\":{},\"ranged\":{ranged},\"bytes_sent\":{bytes},\"connections\":{}}}\n",
            log.len(),
            self.connections.load(Ordering::SeqCst)
        )
    }
}

/// A running server; stopped when dropped.
pub struct TestServer {
    addr: SocketAddr,
    scheme: &'static str,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serve `content` on `addr` (use port 0 for a free port).
    pub fn start(content: Content, addr: SocketAddr) -> std::io::Result<Self> {
        Self::start_with(content, addr, None)
    }

    /// Serve `content` over HTTPS on `addr`, with the certificate chain in `cert` and the
    /// private key in `key` (PEM files).
    pub fn start_tls(content: Content, addr: SocketAddr, cert: &Path, key: &Path) -> std::io::Result<Self> {
        Self::start_with(content, addr, Some(tls::acceptor(cert, key)?))
    }

    fn start_with(
        content: Content,
        addr: SocketAddr,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> std::io::Result<Self> {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let state = Arc::new(State {
            content: RwLock::new(content),
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(Vec::new()),
            requests: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            connections: AtomicU64::new(0),
        });
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let thread = std::thread::Builder::new().name("lazyqt-testserver".into()).spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                    return;
                };
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        conn = listener.accept() => {
                            if let Ok((stream, _)) = conn {
                                st.connections.fetch_add(1, Ordering::SeqCst);
                                let _ = stream.set_nodelay(true);
                                let st = st.clone();
                                match tls.clone() {
                                    None => drop(tokio::spawn(conn::serve(stream, st))),
                                    Some(tls) => drop(tokio::spawn(async move {
                                        if let Ok(stream) = tls.accept(stream).await {
                                            conn::serve(stream, st).await;
                                        }
                                    })),
                                }
                            }
                        }
                    }
                }
            });
        })?;
        Ok(Self { addr, scheme, state, stop: Some(stop), thread: Some(thread) })
    }

    /// Serve a directory tree on a free port of 127.0.0.1.
    pub fn serve_dir(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        Self::start(Content::Dir(root.into()), SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serve in-memory files (`("dir/name.mov", bytes)`) on a free port of 127.0.0.1.
    pub fn serve_files<I, S>(files: I) -> std::io::Result<Self>
    where
        I: IntoIterator<Item = (S, Vec<u8>)>,
        S: Into<String>,
    {
        let map: BTreeMap<String, MemFile> =
            files.into_iter().map(|(k, v)| (k.into(), MemFile::new(v))).collect();
        Self::start(Content::Memory(map), SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The full URL of `path` (with or without a leading slash).
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}/{}", self.scheme, self.addr, path.trim_start_matches('/'))
    }

    /// Replace the fault settings.
    pub fn set_faults(&self, faults: Faults) {
        *self.state.faults.lock() = faults;
    }

    /// Change some fault settings in place.
    pub fn update_faults(&self, f: impl FnOnce(&mut Faults)) {
        f(&mut self.state.faults.lock());
    }

    /// Replace (or add) an in-memory file; its modification time moves on by one
    /// second so its validators change. Does nothing when serving a directory.
    pub fn put_file(&self, path: &str, data: Vec<u8>) {
        if let Content::Memory(files) = &mut *self.state.content.write() {
            let modified = files
                .get(path)
                .map(|f| f.modified + std::time::Duration::from_secs(1))
                .unwrap_or_else(|| MemFile::new(Vec::new()).modified);
            files.insert(path.to_string(), MemFile { data: Arc::new(data), modified });
        }
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.log.lock().clone()
    }

    /// Number of requests logged.
    pub fn request_count(&self) -> usize {
        self.state.log.lock().len()
    }

    /// Body bytes written, summed over all logged requests.
    pub fn bytes_sent(&self) -> u64 {
        self.state.log.lock().iter().map(|r| r.bytes_sent).sum()
    }

    /// Requests received since the server started (not reset by [`TestServer::clear_log`]).
    pub fn requests_received(&self) -> u64 {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// TCP connections accepted since the server started (keep-alive reuses one).
    pub fn connections(&self) -> u64 {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Forget the log (counters for the next phase of a test).
    pub fn clear_log(&self) {
        self.state.log.lock().clear();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
