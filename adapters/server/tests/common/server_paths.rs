//! Drive the server's handling of one untrusted request target through the real router and
//! check the invariants that must hold whatever the bytes are.
//!
//! Shared, byte for byte, by the fuzz target `server_paths` (`fuzz/fuzz_targets/server_paths.rs`
//! includes this file with `#[path]`) and by the stable replay `tests/regressions.rs`, so an
//! input the fuzzer flags replays through the same code under `cargo test`.
//!
//! An input is `[METHOD ' '] TARGET ['\n' IF_NONE_MATCH]`: an optional method (GET otherwise),
//! the request target (anything `http::Uri` accepts: origin form, absolute form, ...) and an
//! optional `If-None-Match` value. Inputs that do not make a valid request are skipped.
//!
//! The [`Harness`] serves a local mount (`/local`, a small tree with symlinks out of it) and an
//! upstream mount (`/up`, a fake autoindex server on loopback) over a fake [`Backend`] that
//! records every call. After each request it checks: the status is one the server documents;
//! requests outside the mounts or with other methods never reach the backend; every location
//! the backend gets lies inside its mount and names exactly the requested path; frame numbers,
//! times, sizes and qualities are within bounds and match the request; only fetches under the
//! mount's base reach the upstream; local listings hide dot files and escaping symlinks.
//!
//! One file on purpose: the fuzz target includes exactly this file, so the fake backend,
//! the request driver and the invariants it checks must live together.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use lazyqt_server::{
    Backend, BackendError, FetchedData, FetchedFrame, FrameBytes, FrameFormat, FrameRequest, Mount,
    MountTarget, MovieLocation, MovieMeta, Resolved, ServerConfig,
};
use percent_encoding::percent_decode_str;
use tower::ServiceExt;
use url::Url;

#[path = "fake_summary.rs"]
mod fake_summary;
use fake_summary::fake_summary;

/// URL prefix of the local mount.
pub const LOCAL: &str = "/local";
/// URL prefix of the upstream mount.
pub const UP: &str = "/up";
/// Frames of every fake movie.
pub const FRAMES: u64 = 100;
/// Frames per second of every fake movie (so it lasts 10 s).
pub const FPS: f64 = 10.0;
/// Native width of the fake movies.
pub const WIDTH: u32 = 64;
/// Native height of the fake movies.
pub const HEIGHT: u32 = 48;
/// The configured largest width or height a client may ask for.
pub const MAX_DIMENSION: u32 = 8192;
/// Statuses the router may answer with this configuration and backend (the fake never fails
/// with 5xx, the fake upstream never errs and nothing runs into the 60 s deadline; 302 is a
/// non-movie file under the upstream mount; 422 a picture over `limits.max_pixels`).
pub const STATUSES: &[u16] = &[200, 302, 304, 400, 404, 405, 415, 416, 422];
/// Routes of the server itself (answer 200 to GET and HEAD).
const SERVICE: &[&str] =
    &["/", "/healthz", "/metrics", "/openapi.json", "/info", "/info/", "/metrics/", "/_ah/health"];
/// The viewer's files (200, or 304 to a matching `If-None-Match`); `/view` answers 302 to `/view/`.
const VIEWER: &[&str] =
    &["/view/", "/view/index.html", "/view/viewer.js", "/view/viewer.css", "/view/icon.svg"];
/// Names in the local tree that a listing must never show (besides dot files).
const HIDDEN: &[&str] = &["escape", "outside.mov"];
/// Largest response body read back.
const MAX_BODY: usize = 16 << 20;

/// Locks a mutex, ignoring poisoning (a failed check elsewhere must not hide this one).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One call the server made into the backend.
#[derive(Clone, Debug)]
enum Call {
    Movie(MovieLocation),
    Frame(MovieLocation, u64, FrameRequest),
    Time(MovieLocation, f64),
}

impl Call {
    fn loc(&self) -> &MovieLocation {
        match self {
            Call::Movie(l) | Call::Frame(l, ..) | Call::Time(l, _) => l,
        }
    }
}

/// A backend of synthetic movies that records its calls. Every `*.mov` has [`FRAMES`] frames of
/// [`WIDTH`]x[`HEIGHT`] at [`FPS`]; names steer it: `unsupported` → 415, `nosize` → a movie
/// without frame size, `nover` → no validator; other names are 404.
#[derive(Default)]
struct FakeBackend {
    calls: Mutex<Vec<Call>>,
}

impl Backend for FakeBackend {
    fn movie(&self, loc: &MovieLocation) -> Result<MovieMeta, BackendError> {
        lock(&self.calls).push(Call::Movie(loc.clone()));
        let name = loc.rel_path.rsplit('/').next().unwrap_or_default();
        if !name.ends_with(".mov") {
            return Err(BackendError::NotFound(loc.rel_path.clone()));
        }
        if name.contains("unsupported") {
            return Err(BackendError::Unsupported("codec xyz1".into()));
        }
        let (width, height) = if name.contains("nosize") { (0, 0) } else { (WIDTH, HEIGHT) };
        let summary = fake_summary(FRAMES as u32, FPS as u32, (width, height), 1000);
        Ok(MovieMeta { summary, validator: validator(name) })
    }

    fn fetch(
        &self,
        loc: &MovieLocation,
        index0: u64,
        req: &FrameRequest,
    ) -> Result<FetchedFrame, BackendError> {
        lock(&self.calls).push(Call::Frame(loc.clone(), index0, *req));
        let validator = validator(loc.rel_path.rsplit('/').next().unwrap_or_default());
        Ok(FetchedFrame { index0, validator, data: FetchedData::Bytes(format!("frame {index0}").into()) })
    }

    fn decode(&self, fetched: FetchedFrame, req: &FrameRequest) -> Result<FrameBytes, BackendError> {
        let FetchedData::Bytes(bytes) = fetched.data else {
            return Err(BackendError::Internal("the fake backend fetches bytes".into()));
        };
        Ok(FrameBytes {
            bytes,
            content_type: "application/octet-stream".into(),
            width: req.width.unwrap_or(WIDTH),
            height: req.height.unwrap_or(HEIGHT),
        })
    }

    fn frame_at_time(&self, loc: &MovieLocation, seconds: f64) -> Result<u64, BackendError> {
        lock(&self.calls).push(Call::Time(loc.clone(), seconds));
        Ok(expected_index(seconds))
    }
}

/// The fake movie's validator: none for `nover` names.
fn validator(name: &str) -> String {
    if name.contains("nover") {
        String::new()
    } else {
        "\"v1\"".into()
    }
}

/// The frame the fake backend shows at `seconds`.
fn expected_index(seconds: f64) -> u64 {
    ((seconds * FPS).floor() as u64).min(FRAMES - 1)
}

/// The fake upstream: an autoindex at `/files/` and `/files/sub/`, 404 elsewhere; records the
/// path and query of every request.
async fn upstream(State(seen): State<Arc<Mutex<Vec<String>>>>, uri: Uri) -> Response {
    lock(&seen).push(uri.path_and_query().map_or_else(String::new, |p| p.as_str().to_string()));
    match uri.path() {
        "/files/" => Html(
            r#"<pre><a href="../">../</a> <a href="sub/">sub/</a> <a href="m.mov">m.mov</a>
<a href="a%20b.mov">a b.mov</a> <a href=".hidden.mov">.hidden.mov</a></pre>"#,
        )
        .into_response(),
        "/files/sub/" => Html(r#"<a href="x.mov">x.mov</a>"#).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Creates (idempotently: several fuzzing processes may share it) the local media tree under
/// `dir`: `root/` with movies, a subdirectory, a dot file and symlinks out of and within the
/// root, and `outside/secret.mov`. Returns the canonical root and outside directories.
fn media_tree(dir: &Path) -> (PathBuf, PathBuf) {
    let (root, outside) = (dir.join("root"), dir.join("outside"));
    for d in [root.join("sub/deeper"), outside.clone()] {
        std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    }
    let files = ["m.mov", "nover.mov", "nosize.mov", "unsupported.mov", ".hidden.mov", "a b.mov", "100%.mov"];
    let files =
        files.iter().map(|f| root.join(f)).chain([root.join("sub/m.mov"), outside.join("secret.mov")]);
    for f in files {
        // Never truncates: another process may be reading the tree.
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&f)
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    #[cfg(unix)]
    for (link, target) in
        [("escape", ".."), ("outside.mov", "../outside/secret.mov"), ("inner.mov", "sub/m.mov")]
    {
        let link = root.join(link);
        if std::fs::symlink_metadata(&link).is_err() {
            match std::os::unix::fs::symlink(target, &link) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => panic!("{}: {e}", link.display()),
                _ => {}
            }
        }
    }
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (canon(&root), canon(&outside))
}

/// One parsed input.
struct Input {
    method: Method,
    uri: Uri,
    if_none_match: Option<HeaderValue>,
}

impl Input {
    /// `[METHOD ' '] TARGET ['\n' IF_NONE_MATCH]`; `None` when a part is invalid.
    fn parse(data: &[u8]) -> Option<Self> {
        let (line, if_none_match) = match data.iter().position(|&b| b == b'\n') {
            Some(i) => (&data[..i], Some(HeaderValue::from_bytes(&data[i + 1..]).ok()?)),
            None => (data, None),
        };
        let (method, target) = match line.iter().position(|&b| b == b' ') {
            Some(i) => (Method::from_bytes(&line[..i]).ok()?, &line[i + 1..]),
            None => (Method::GET, line),
        };
        Some(Self { method, uri: Uri::try_from(target).ok()?, if_none_match })
    }

    /// The request to send.
    fn request(&self) -> Option<Request<Body>> {
        let mut b = Request::builder().method(self.method.clone()).uri(self.uri.clone());
        if let Some(v) = &self.if_none_match {
            b = b.header(header::IF_NONE_MATCH, v.clone());
        }
        b.body(Body::empty()).ok()
    }
}

/// Which mount a request path falls under, and its decoded segments below the mount.
struct Target {
    /// The mount's prefix ([`LOCAL`] or [`UP`]); `None` outside every mount.
    mount: Option<&'static str>,
    /// The percent-decoded segments below the mount (no empty ones at the ends); `None` when a
    /// segment is not UTF-8.
    segs: Option<Vec<String>>,
}

impl Target {
    fn of(path: &str) -> Self {
        for prefix in [LOCAL, UP] {
            let Some(rest) = path.strip_prefix(prefix).filter(|r| r.is_empty() || r.starts_with('/')) else {
                continue;
            };
            let inner = rest.strip_prefix('/').unwrap_or(rest);
            let inner = inner.strip_suffix('/').unwrap_or(inner);
            let segs = if inner.is_empty() {
                Some(Vec::new())
            } else {
                inner
                    .split('/')
                    .map(|s| percent_decode_str(s).decode_utf8().ok().map(|s| s.into_owned()))
                    .collect()
            };
            return Self { mount: Some(prefix), segs };
        }
        Self { mount: None, segs: None }
    }
}

/// What a request answered.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// The router over both mounts and the fake backend, on a current-thread runtime, plus the
/// fake upstream. Create once, then [`Harness::check`] every input.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    app: Router,
    backend: Arc<FakeBackend>,
    fetched: Arc<Mutex<Vec<String>>>,
    base: Url,
    root: PathBuf,
    outside: PathBuf,
}

impl Harness {
    /// Builds the local tree under `dir` (created if missing, reused if there), starts the fake
    /// upstream on a loopback port and builds the router.
    pub fn new(dir: &Path) -> Self {
        let (root, outside) = media_tree(dir);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let fetched = Arc::new(Mutex::new(Vec::new()));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind upstream");
        let addr = listener.local_addr().expect("upstream address");
        let fake = Router::new().fallback(upstream).with_state(fetched.clone());
        runtime.spawn(async move { axum::serve(listener, fake).await });
        let base = Url::parse(&format!("http://{addr}/files/")).expect("base URL");
        let mut config = ServerConfig::default();
        config.mounts.push(Mount {
            prefix: LOCAL.into(),
            target: MountTarget::Local(root.clone()),
            allow_cross_origin_redirects: false,
        });
        config.mounts.push(Mount {
            prefix: UP.into(),
            target: MountTarget::Upstream(base.clone()),
            allow_cross_origin_redirects: false,
        });
        config.limits.workers = 1;
        config.limits.max_dimension = MAX_DIMENSION;
        // Every frame reaches the backend (and the checks); listings are cached briefly.
        config.cache.frame_cache_bytes = 0;
        config.cache.listing_ttl_secs = 1;
        let backend = Arc::new(FakeBackend::default());
        let b: Arc<dyn Backend> = backend.clone();
        let app = runtime.block_on(async { lazyqt_server::router(&config, b) }).expect("router");
        Self { runtime, app, backend, fetched, base, root, outside }
    }

    /// Sends the request `data` describes through the router and checks the answer and every
    /// backend call and upstream fetch it caused; panics on a violated invariant. Returns the
    /// status, or `None` when `data` is not a valid request.
    pub fn check(&self, data: &[u8]) -> Option<u16> {
        let input = Input::parse(data)?;
        let req = input.request()?;
        lock(&self.backend.calls).clear();
        lock(&self.fetched).clear();
        let answer = self.runtime.block_on(async {
            let resp = self.app.clone().oneshot(req).await.unwrap_or_else(|e| match e {});
            let (parts, body) = resp.into_parts();
            let body = axum::body::to_bytes(body, MAX_BODY).await.expect("response body");
            Answer { status: parts.status.as_u16(), headers: parts.headers, body: body.to_vec() }
        });
        let calls = std::mem::take(&mut *lock(&self.backend.calls));
        let fetched = std::mem::take(&mut *lock(&self.fetched));
        let what = String::from_utf8_lossy(data);
        let target = Target::of(input.uri.path());
        self.check_status(&input, &target, &answer, &calls, &fetched, &what);
        for call in &calls {
            self.check_call(call, &calls, &target, &what);
        }
        for f in &fetched {
            self.check_fetch(f, &target, &what);
        }
        self.check_body(&input, &target, &answer, &what);
        Some(answer.status)
    }

    fn check_status(
        &self,
        input: &Input,
        target: &Target,
        a: &Answer,
        calls: &[Call],
        fetched: &[String],
        what: &str,
    ) {
        let status = a.status;
        assert!(STATUSES.contains(&status), "{what:?}: status {status}");
        let get_like = input.method == Method::GET || input.method == Method::HEAD;
        if target.mount.is_none() || !get_like {
            assert!(calls.is_empty(), "{what:?}: backend called: {calls:?}");
            assert!(fetched.is_empty(), "{what:?}: upstream fetched: {fetched:?}");
        }
        let path = input.uri.path();
        let viewer = VIEWER.contains(&path) || path == "/view";
        let expected = match (target.mount, get_like) {
            (None, _) if !SERVICE.contains(&path) && !viewer => Some(404),
            (_, false) => Some(405),
            (None, true) if path == "/view" => Some(302),
            (None, true) if viewer => None,
            (None, true) => Some(200),
            (Some(_), true) => None,
        };
        if let Some(e) = expected {
            assert_eq!(status, e, "{what:?}");
        }
        if status == 304 {
            assert!(input.if_none_match.is_some(), "{what:?}: 304 without If-None-Match");
        }
        if target.mount.is_none() && viewer && get_like {
            let ok = if path == "/view" { status == 302 } else { matches!(status, 200 | 304) };
            assert!(ok && calls.is_empty() && fetched.is_empty(), "{what:?}: viewer answered {status}");
            if status == 302 {
                assert_eq!(
                    a.headers.get(header::LOCATION).map(|l| l.as_bytes()),
                    Some(&b"/view/"[..]),
                    "{what:?}"
                );
            }
            return;
        }
        if status == 302 {
            assert_eq!(target.mount, Some(UP), "{what:?}: redirect outside the upstream mount");
            assert!(calls.is_empty() && fetched.is_empty(), "{what:?}: a redirect looked upstream");
            let location = a.headers.get(header::LOCATION).map(|l| l.to_str().expect("ASCII Location"));
            let location = Url::parse(location.unwrap_or_else(|| panic!("{what:?}: 302 without Location")));
            let location = location.unwrap_or_else(|e| panic!("{what:?}: Location: {e}"));
            let segs =
                target.segs.as_ref().unwrap_or_else(|| panic!("{what:?}: redirected a non-UTF-8 path"));
            let rel: Vec<&str> = segs.iter().map(String::as_str).collect();
            self.check_url(&location, &rel, what);
        }
        if matches!(status, 304 | 415 | 416) {
            assert!(calls.iter().any(|c| matches!(c, Call::Movie(_))), "{what:?}: {status} without a movie");
        }
        let frames: Vec<u64> =
            calls.iter().filter_map(|c| if let Call::Frame(_, i, _) = c { Some(*i) } else { None }).collect();
        let number = a.headers.get("x-frame-number").map(|v| v.to_str().expect("ASCII header").to_string());
        match (frames.as_slice(), number) {
            ([], None) => {}
            ([i], Some(n)) => {
                assert_eq!(status, 200, "{what:?}");
                assert_eq!(n, (i + 1).to_string(), "{what:?}: X-Frame-Number");
                if input.method == Method::GET {
                    assert_eq!(a.body, format!("frame {i}").as_bytes(), "{what:?}: not the backend's frame");
                }
            }
            (f, n) => panic!("{what:?}: frame calls {f:?}, X-Frame-Number {n:?}, status {status}"),
        }
    }

    fn check_call(&self, call: &Call, calls: &[Call], target: &Target, what: &str) {
        let loc = call.loc();
        let mount = target.mount.unwrap_or_else(|| panic!("{what:?}: backend called outside the mounts"));
        assert_eq!(loc.mount_prefix, mount, "{what:?}");
        let segs =
            target.segs.as_ref().unwrap_or_else(|| panic!("{what:?}: backend called for a non-UTF-8 path"));
        let rel: Vec<&str> = loc.rel_path.split('/').collect();
        for s in &rel {
            let bad = s.is_empty()
                || *s == "."
                || *s == ".."
                || s.contains(['/', '\\'])
                || s.chars().any(char::is_control);
            assert!(!bad, "{what:?}: segment {s:?} in {:?}", loc.rel_path);
        }
        // The movie is the whole path, or the path before `frame|time/<spec>`.
        let n = rel.len();
        let (route, spec) = match segs.len() {
            l if l == n => (None, None),
            l if l == n + 2 => (Some(segs[n].as_str()), Some(segs[n + 1].as_str())),
            _ => panic!("{what:?}: movie {:?} for segments {segs:?}", loc.rel_path),
        };
        assert!(
            segs.iter().zip(&rel).all(|(a, b)| a == b),
            "{what:?}: movie {:?} for {segs:?}",
            loc.rel_path
        );
        assert!(matches!(route, None | Some("frame" | "time")), "{what:?}: {route:?}");
        match (&loc.source, mount) {
            (Resolved::Url(u), UP) => self.check_url(u, &rel, what),
            (Resolved::File(p), LOCAL) => {
                assert!(
                    p.starts_with(&self.root) && !p.starts_with(&self.outside),
                    "{what:?}: {}",
                    p.display()
                );
                assert!(p.is_file(), "{what:?}: {} is not a file", p.display());
            }
            (s, m) => panic!("{what:?}: source {s} for mount {m}"),
        }
        if !matches!(call, Call::Movie(_)) {
            let known = calls.iter().any(|c| matches!(c, Call::Movie(l) if l == loc));
            assert!(known, "{what:?}: {call:?} before the movie's metadata");
            assert!(route.is_some(), "{what:?}: {call:?} without a frame or time route");
        }
        let (stem, format) = split_spec(spec.unwrap_or_default());
        match call {
            Call::Movie(_) => {}
            Call::Time(_, seconds) => {
                assert_eq!(route, Some("time"), "{what:?}");
                assert!(
                    seconds.is_finite() && (0.0..FRAMES as f64 / FPS).contains(seconds),
                    "{what:?}: {seconds}"
                );
                assert_eq!(stem.parse::<f64>().ok(), Some(*seconds), "{what:?}: time {stem:?}");
            }
            Call::Frame(_, index0, req) => {
                assert!(*index0 < FRAMES, "{what:?}: frame {index0}");
                match route {
                    Some("frame") => {
                        assert!(stem.bytes().all(|b| b.is_ascii_digit()), "{what:?}: frame {stem:?}");
                        assert_eq!(stem.parse::<u64>().ok(), Some(index0 + 1), "{what:?}: frame {stem:?}");
                    }
                    _ => {
                        let t =
                            calls.iter().find_map(|c| if let Call::Time(_, s) = c { Some(*s) } else { None });
                        let t = t.unwrap_or_else(|| panic!("{what:?}: frame by time without a time lookup"));
                        assert_eq!(*index0, expected_index(t), "{what:?}");
                    }
                }
                check_request(req, format, what);
            }
        }
    }

    /// An upstream movie URL is the mount's base plus the percent-encoded segments `rel`.
    fn check_url(&self, u: &Url, rel: &[&str], what: &str) {
        let b = &self.base;
        assert!(u.as_str().starts_with(b.as_str()), "{what:?}: {u} outside {b}");
        let same = u.scheme() == b.scheme() && u.host() == b.host() && u.port() == b.port();
        assert!(same && u.username().is_empty() && u.password().is_none(), "{what:?}: {u} not at {b}");
        assert!(u.query().is_none() && u.fragment().is_none(), "{what:?}: {u}");
        let tail = &u.path()[b.path().len()..];
        let decoded: Vec<_> = tail.split('/').map(|s| percent_decode_str(s).decode_utf8_lossy()).collect();
        assert!(decoded.iter().map(|s| s.as_ref()).eq(rel.iter().copied()), "{what:?}: {u} is not {rel:?}");
    }

    /// Only listings of the requested directory under the base reach the upstream.
    fn check_fetch(&self, fetched: &str, target: &Target, what: &str) {
        assert_eq!(target.mount, Some(UP), "{what:?}: upstream fetched {fetched:?}");
        assert!(!fetched.contains(['?', '#']), "{what:?}: upstream fetched {fetched:?}");
        let inner = fetched
            .strip_prefix(self.base.path())
            .and_then(|p| p.strip_suffix('/').or(Some(p).filter(|p| p.is_empty())))
            .unwrap_or_else(|| panic!("{what:?}: upstream fetched {fetched:?}"));
        let decoded: Vec<String> = if inner.is_empty() {
            Vec::new()
        } else {
            inner.split('/').map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned()).collect()
        };
        assert_eq!(Some(&decoded), target.segs.as_ref(), "{what:?}: upstream fetched {fetched:?}");
    }

    /// Listings show the requested directory (local ones without dot files and escapes); movie
    /// metadata names the movie inside its mount.
    fn check_body(&self, input: &Input, target: &Target, a: &Answer, what: &str) {
        if a.status != 200 || target.mount.is_none() || input.method == Method::HEAD {
            return;
        }
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(&a.body) else { return };
        if let Some(path) = json.get("Path") {
            let segs = target.segs.as_ref().unwrap_or_else(|| panic!("{what:?}: listed a non-UTF-8 path"));
            let expect = if segs.is_empty() { "/".to_string() } else { format!("/{}/", segs.join("/")) };
            assert_eq!(path.as_str(), Some(expect.as_str()), "{what:?}");
            for key in ["Files", "Directories"] {
                for name in json[key].as_array().unwrap_or_else(|| panic!("{what:?}: no {key}")) {
                    let name = name.as_str().unwrap_or_default();
                    // An upstream's own autoindex decides what it publishes, dot files included.
                    let hidden =
                        target.mount == Some(LOCAL) && (name.starts_with('.') || HIDDEN.contains(&name));
                    let bad = name.is_empty() || name == ".." || name.contains(['/', '\\']) || hidden;
                    assert!(!bad, "{what:?}: listed {name:?}");
                }
            }
        }
        if let Some(url) = json.get("URL").and_then(|u| u.as_str()) {
            let segs =
                target.segs.as_ref().unwrap_or_else(|| panic!("{what:?}: metadata of a non-UTF-8 path"));
            assert_eq!(url, format!("/{}", segs.join("/")), "{what:?}: URL is the path below the mount");
            match json.get("SourceURL").and_then(|u| u.as_str()) {
                Some(source) => {
                    assert_eq!(target.mount, Some(UP), "{what:?}: SourceURL {source}");
                    assert!(source.starts_with(self.base.as_str()), "{what:?}: SourceURL {source}");
                }
                None => assert_eq!(target.mount, Some(LOCAL), "{what:?}: no SourceURL"),
            }
        }
    }
}

/// `N[.ext]` → (`N`, format), like the server: a known extension picks the format, PNG otherwise.
fn split_spec(spec: &str) -> (&str, FrameFormat) {
    spec.rsplit_once('.')
        .and_then(|(stem, ext)| FrameFormat::from_extension(ext).map(|f| (stem, f)))
        .unwrap_or((spec, FrameFormat::Png))
}

/// What the backend is asked to render: the requested format; both sides or neither, within
/// bounds, never the native size spelled out; quality only and always for JPEG; compressed
/// samples never scaled.
fn check_request(req: &FrameRequest, format: FrameFormat, what: &str) {
    assert_eq!(req.format, format, "{what:?}");
    if format == FrameFormat::Sample {
        assert_eq!((req.width, req.height, req.quality), (None, None, None), "{what:?}");
        return;
    }
    assert_eq!(req.width.is_some(), req.height.is_some(), "{what:?}: {req:?}");
    for side in [req.width, req.height].into_iter().flatten() {
        assert!((1..=MAX_DIMENSION).contains(&side), "{what:?}: {req:?}");
    }
    assert_ne!((req.width, req.height), (Some(WIDTH), Some(HEIGHT)), "{what:?}: native size spelled out");
    assert_eq!(req.quality.is_some(), format == FrameFormat::Jpeg, "{what:?}: {req:?}");
    if let Some(q) = req.quality {
        assert!((1..=100).contains(&q), "{what:?}: {req:?}");
    }
}
