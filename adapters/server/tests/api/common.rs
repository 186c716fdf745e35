//! Shared test fixtures: a fake backend with synthetic frames, a fake upstream autoindex, and a
//! server on a loopback port.

use std::io::Cursor;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use lazyqt_server::{
    Backend, BackendError, FetchedData, FetchedFrame, FrameBytes, FrameFormat, FrameRequest, Mount,
    MovieLocation, MovieMeta, Resolved, ServerConfig,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "../common/fake_summary.rs"]
mod fake_summary;
use fake_summary::fake_summary;

/// Native frame size of every fake movie.
pub const W: u32 = 64;
/// Native frame height.
pub const H: u32 = 48;
/// Frames per fake movie.
pub const FRAMES: u64 = 100;
/// Frames per second (so the duration is 10 s).
pub const FPS: f64 = 10.0;

/// Serves synthetic movies: every `*.mov` exists with 100 frames of 64x48 at 10 fps. Names
/// steer failures: `unsupported` → 415, `broken` → 502, `slow` → sleeps, `nover` → no validator,
/// `hang` → blocks (like a read from a stalled upstream) until `release` is set or 10 s pass.
#[derive(Default)]
pub struct FakeBackend {
    pub movie_calls: AtomicUsize,
    pub frame_calls: AtomicUsize,
    pub time_calls: AtomicUsize,
    pub validator: Mutex<String>,
    pub seen: Mutex<Vec<Resolved>>,
    pub decode_delay: Mutex<Duration>,
    /// Ends the wait of `hang` movies.
    pub release: AtomicBool,
}

impl FakeBackend {
    pub fn new() -> Arc<Self> {
        let b = Self::default();
        *b.validator.lock().expect("lock") = "\"etag-v1\"".into();
        Arc::new(b)
    }

    pub fn frames(&self) -> usize {
        self.frame_calls.load(Ordering::SeqCst)
    }

    /// The movie's current validator (none for `nover` movies).
    fn validator_of(&self, loc: &MovieLocation) -> String {
        if loc.rel_path.contains("nover") {
            String::new()
        } else {
            self.validator.lock().expect("lock").clone()
        }
    }

    fn check(&self, loc: &MovieLocation) -> Result<(), BackendError> {
        self.seen.lock().expect("lock").push(loc.source.clone());
        let name = loc.rel_path.rsplit('/').next().unwrap_or_default();
        if !name.ends_with(".mov") || name.contains("missing") {
            // Like the real backend, name the upstream URL or local file: the server must not
            // show it to the client.
            return Err(BackendError::NotFound(loc.source.to_string()));
        }
        if name.contains("unsupported") {
            return Err(BackendError::Unsupported("codec xyz1".into()));
        }
        if name.contains("broken") {
            return Err(BackendError::Upstream("upstream said 500".into()));
        }
        if name.contains("slow") {
            std::thread::sleep(Duration::from_millis(1500));
        }
        if name.contains("hang") {
            let start = std::time::Instant::now();
            while !self.release.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }
}

impl Backend for FakeBackend {
    fn movie(&self, loc: &MovieLocation) -> Result<MovieMeta, BackendError> {
        self.movie_calls.fetch_add(1, Ordering::SeqCst);
        self.check(loc)?;
        let validator = self.validator_of(loc);
        let mut summary = fake_summary(FRAMES as u32, FPS as u32, (W, H), 123_456);
        Arc::make_mut(&mut summary).creation_time = Some(1_478_995_200); // 2016-11-13T00:00:00Z
        Ok(MovieMeta { summary, validator })
    }

    fn fetch(
        &self,
        loc: &MovieLocation,
        index0: u64,
        _req: &FrameRequest,
    ) -> Result<FetchedFrame, BackendError> {
        self.check(loc)?;
        let validator = self.validator_of(loc);
        Ok(FetchedFrame { index0, validator, data: FetchedData::Bytes(Default::default()) })
    }

    fn decode(&self, fetched: FetchedFrame, req: &FrameRequest) -> Result<FrameBytes, BackendError> {
        self.frame_calls.fetch_add(1, Ordering::SeqCst);
        let index0 = fetched.index0;
        let delay = *self.decode_delay.lock().expect("lock");
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        assert!(index0 < FRAMES, "server passed an out-of-range frame");
        let (w, h) = (req.width.unwrap_or(W), req.height.unwrap_or(H));
        let shade = (index0 % 256) as u8;
        let rgb = image::RgbImage::from_pixel(w, h, image::Rgb([shade, 100, 200]));
        let mut out = Cursor::new(Vec::new());
        let fail = |e: image::ImageError| BackendError::Internal(e.to_string());
        match req.format {
            FrameFormat::Png => rgb.write_to(&mut out, image::ImageFormat::Png).map_err(fail)?,
            FrameFormat::Bmp => rgb.write_to(&mut out, image::ImageFormat::Bmp).map_err(fail)?,
            FrameFormat::Jpeg => {
                let quality = req.quality.expect("the server always sets a JPEG quality");
                let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
                rgb.write_with_encoder(enc).map_err(fail)?;
            }
            FrameFormat::Rgba => {
                let rgba = image::DynamicImage::ImageRgb8(rgb).into_rgba8();
                out.get_mut().extend_from_slice(rgba.as_raw());
            }
            FrameFormat::Sample => {
                out.get_mut().extend_from_slice(format!("RAWSAMPLE{index0}").as_bytes());
                return Ok(FrameBytes {
                    bytes: out.into_inner().into(),
                    content_type: req.format.content_type().into(),
                    width: 0,
                    height: 0,
                });
            }
        }
        Ok(FrameBytes {
            bytes: out.into_inner().into(),
            content_type: req.format.content_type().into(),
            width: w,
            height: h,
        })
    }

    fn frame_at_time(&self, loc: &MovieLocation, seconds: f64) -> Result<u64, BackendError> {
        self.time_calls.fetch_add(1, Ordering::SeqCst);
        self.check(loc)?;
        Ok(((seconds * FPS).floor() as u64).min(FRAMES - 1))
    }

    fn metrics(&self) -> Vec<(String, f64)> {
        vec![("lazyqt_fake_frames_total".into(), self.frames() as f64)]
    }
}

/// A fake upstream autoindex server: `/files/`, `/files/2016/`, `/files/slow/` (sleeps 3 s),
/// `/files/err/` (500), `/files/away/` (302 to `/files/` of another origin, `other`);
/// everything else 404. Counts requests.
pub struct Upstream {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicUsize>,
    /// A second server, another origin, serving the same pages.
    pub other: Option<Box<Upstream>>,
}

#[derive(Clone)]
struct UpstreamState {
    hits: Arc<AtomicUsize>,
    other: Option<SocketAddr>,
}

async fn upstream_handler(State(st): State<UpstreamState>, uri: Uri) -> Response {
    st.hits.fetch_add(1, Ordering::SeqCst);
    match uri.path() {
        "/files/away/" => match st.other {
            Some(other) => {
                (StatusCode::FOUND, [(axum::http::header::LOCATION, format!("http://{other}/files/"))])
                    .into_response()
            }
            None => StatusCode::NOT_FOUND.into_response(),
        },
        "/files/" => Html(
            r#"<html><body><h1>Index of /files/</h1><pre><a href="../">../</a>
<a href="2016/">2016/</a>   01-Jan-2017 00:00  -
<a href="RS03ASHS/">RS03ASHS/</a>   01-Jan-2017 00:00  -
<a href="readme.txt">readme.txt</a>  01-Jan-2017 00:00  12
</pre></body></html>"#,
        )
        .into_response(),
        "/files/2016/" => Html(
            r#"<table><tr><td><a href="/files/">Parent Directory</a></td></tr>
<tr><td><a href="CAMHDA301-20160101T000000Z.mov">CAMHDA301-20160101T000000Z.mov</a></td></tr>
<tr><td><a href="CAMHDA301-20160101T000000Z.mov.md5">CAMHDA301-20160101T000000Z.mov.md5</a></td></tr>
</table>"#,
        )
        .into_response(),
        "/files/slow/" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            Html("<a href=\"x.mov\">x.mov</a>").into_response()
        }
        "/files/err/" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

impl Upstream {
    pub async fn start() -> Self {
        let other = Self::serve(None).await;
        let mut up = Self::serve(Some(other.addr)).await;
        up.other = Some(Box::new(other));
        up
    }

    async fn serve(other: Option<SocketAddr>) -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let state = UpstreamState { hits: hits.clone(), other };
        let app = axum::Router::new().fallback(upstream_handler).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind upstream");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, hits, other: None }
    }

    pub fn base(&self) -> String {
        format!("http://{}/files/", self.addr)
    }
}

/// A running lazyqt server.
pub struct TestServer {
    pub addr: SocketAddr,
    pub backend: Arc<FakeBackend>,
    pub upstream: Upstream,
    pub root: tempfile::TempDir,
    pub outside: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), lazyqt_server::ServeError>>,
}

/// Prefix of the upstream mount (the predecessor's CamHD path).
pub const UP: &str = "/v1/org/oceanobservatories/rawdata/files";

/// Creates a local media tree: `m.mov`, `nover.mov`, `sub/{m,unsupported,slow}.mov`, `.hidden`,
/// and on unix a symlink `escape` → `/` and `outside.mov` → a file in `outside`.
pub fn media_tree(outside: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir(root.join("sub")).expect("mkdir");
    for f in ["m.mov", "sub/m.mov", "sub/unsupported.mov", "sub/slow.mov", "nover.mov", ".hidden"] {
        std::fs::write(root.join(f), b"fake movie").expect("write");
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/", root.join("escape")).expect("symlink");
        let target = outside.join("secret.mov");
        std::fs::write(&target, b"outside").expect("write");
        std::os::unix::fs::symlink(target, root.join("outside.mov")).expect("symlink");
    }
    dir
}

impl TestServer {
    /// Starts upstream, local tree and server; `tweak` adjusts the config.
    pub async fn start(tweak: impl FnOnce(&mut ServerConfig)) -> Self {
        let upstream = Upstream::start().await;
        let outside = tempfile::tempdir().expect("tempdir");
        let root = media_tree(outside.path());
        let mut config = ServerConfig::default();
        config.mounts.push(Mount::parse(&format!("{UP}={}", upstream.base())).expect("upstream mount"));
        config.mounts.push(Mount::parse(&format!("/local={}", root.path().display())).expect("local mount"));
        config.limits.workers = 2;
        config.timeouts.upstream_secs = 1;
        tweak(&mut config);
        let backend = FakeBackend::new();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let b: Arc<dyn Backend> = backend.clone();
        let task = tokio::spawn(lazyqt_server::serve_on(listener, config, b, async move {
            let _ = rx.await;
        }));
        Self { addr, backend, upstream, root, outside, stop: Some(tx), task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops the server gracefully and returns what `serve_on` returned.
    pub async fn stop(mut self) -> Result<(), lazyqt_server::ServeError> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .expect("server stops within 10 s")
            .expect("server task joins")
    }
}

/// Sends a raw request line (no client-side normalization) and returns the status code.
pub async fn raw_status(addr: SocketAddr, path: &str) -> u16 {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let req = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf);
    text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// The JSON of a GET of `url` that must be answered 200.
pub async fn get_json_ok(url: &str) -> serde_json::Value {
    let (status, v) = get_json(url).await;
    assert_eq!(status, 200, "GET {url}: {v}");
    v
}

/// GET and parse the JSON body.
pub async fn get_json(url: &str) -> (u16, serde_json::Value) {
    let r = reqwest::get(url).await.expect("request");
    let status = r.status().as_u16();
    let body = r.bytes().await.expect("body");
    let v = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    (status, v)
}
