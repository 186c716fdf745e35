//! go-lazycache's wire: what its clients send and expect, and one test per row of the
//! compatibility table in the crate README (where lazyqt deliberately answers differently).

use reqwest::header::{CONTENT_TYPE, ETAG, LOCATION, VARY};
use reqwest::redirect::Policy;

use crate::common::{get_json, get_json_ok, TestServer, FRAMES, UP};

const MOVIE: &str = "/local/sub/m.mov";
const UP_MOVIE: &str = "/2016/CAMHDA301-20160101T000000Z.mov";
const WIDTH_HEADER: &str = "X-lazycache-output-width";
const HEIGHT_HEADER: &str = "X-lazycache-output-height";

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Png).expect("png");
    (img.width(), img.height())
}

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_is_rgba_and_sample_is_the_compressed_sample() {
    let s = TestServer::start(|_| {}).await;
    let rgba = reqwest::get(s.url(&format!("{MOVIE}/frame/3.rgba"))).await.expect("get");
    let raw = reqwest::get(s.url(&format!("{MOVIE}/frame/3.raw"))).await.expect("get");
    assert_eq!(
        raw.status(),
        200,
        "go-lazycache needed --allow-raw-output (else 501); lazyqt always serves it"
    );
    for h in [CONTENT_TYPE.as_str(), "x-image-width", "x-image-height", "x-pixel-format", ETAG.as_str()] {
        assert_eq!(raw.headers()[h], rgba.headers()[h], "{h}");
    }
    assert_eq!(raw.headers()[CONTENT_TYPE], "image/x-raw-rgba");
    assert_eq!(raw.headers()["x-cache"], "HIT", ".raw and .rgba are one representation");
    assert_eq!(raw.bytes().await.expect("body"), rgba.bytes().await.expect("body"));
    let sample = reqwest::get(s.url(&format!("{MOVIE}/frame/3.sample"))).await.expect("get");
    assert_eq!(sample.headers()[CONTENT_TYPE], "application/octet-stream");
    assert_eq!(&sample.bytes().await.expect("body")[..], b"RAWSAMPLE2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn size_headers_scale_like_the_query() {
    let s = TestServer::start(|_| {}).await;
    let client = reqwest::Client::new();
    let url = s.url(&format!("{MOVIE}/frame/4"));
    let get = |headers: &[(&str, &str)], query: &str| {
        let mut req = client.get(format!("{url}{query}"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    let plain = get(&[], "").await.expect("get");
    assert_eq!(plain.headers()[VARY], "X-lazycache-output-width, X-lazycache-output-height");
    let plain_tag = plain.headers()[ETAG].clone();
    let by_query = get(&[], "?width=32&height=24").await.expect("get");
    let query_tag = by_query.headers()[ETAG].clone();
    let both = [(WIDTH_HEADER, "32"), (HEIGHT_HEADER, "24")];
    let r = get(&both, "").await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-cache"], "HIT", "the same size by header or query is one cache entry");
    assert_eq!(r.headers()[ETAG], query_tag);
    assert_ne!(r.headers()[ETAG], plain_tag, "the headers are part of the ETag");
    assert_eq!(png_size(&r.bytes().await.expect("body")), (32, 24));
    // One header keeps the aspect ratio, as one query parameter does.
    let r = get(&[(HEIGHT_HEADER, "12")], "").await.expect("get");
    assert_eq!(png_size(&r.bytes().await.expect("body")), (16, 12));
    // The query wins, as in go-lazycache (headers only count without width/height in the query).
    let r = get(&both, "?width=16").await.expect("get");
    assert_eq!(png_size(&r.bytes().await.expect("body")), (16, 12));
    // A 304 varies too.
    let r = client
        .get(&url)
        .header(reqwest::header::IF_NONE_MATCH, query_tag)
        .header(WIDTH_HEADER, "32")
        .header(HEIGHT_HEADER, "24")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()[VARY], "X-lazycache-output-width, X-lazycache-output-height");
    let (st, e) = {
        let r = get(&[(WIDTH_HEADER, "zero")], "").await.expect("get");
        (r.status().as_u16(), r.json::<serde_json::Value>().await.expect("json"))
    };
    assert_eq!((st, e["status"].as_u64()), (400, Some(400)), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn predecessor_service_paths() {
    let s = TestServer::start(|_| {}).await;
    for path in ["/metrics", "/metrics/"] {
        let r = reqwest::get(s.url(path)).await.expect("get");
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.text().await.expect("text").contains("lazyqt_http_requests_total"), "{path}");
    }
    for path in ["/healthz", "/_ah/health"] {
        let (st, h) = get_json(&s.url(path)).await;
        assert_eq!((st, h["status"].as_str()), (200, Some("ok")), "{path}");
    }
    for path in ["/info", "/info/"] {
        let (st, info) = get_json(&s.url(path)).await;
        assert_eq!(st, 200, "{path}");
        assert_eq!(info["lazyqt"], env!("CARGO_PKG_VERSION"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_movie_files_redirect_upstream_and_are_served_locally() {
    let s = TestServer::start(|_| {}).await;
    let client = no_redirects();
    let md5 = format!("{UP}/2016/CAMHDA301-20160101T000000Z.mov.md5");
    let r = client.get(s.url(&md5)).send().await.expect("get");
    assert_eq!(r.status(), 302);
    assert_eq!(
        r.headers()[LOCATION],
        format!("{}2016/CAMHDA301-20160101T000000Z.mov.md5", s.upstream.base())
    );
    assert_eq!(s.backend.movie_calls.load(std::sync::atomic::Ordering::SeqCst), 0, "not opened as a movie");

    std::fs::write(s.root.path().join("sub/m.mov.md5"), "d41d8cd98f00b204e9800998ecf8427e  m.mov\n")
        .expect("write");
    std::fs::write(s.root.path().join("sub/.secret.txt"), "hidden").expect("write");
    let r = client.get(s.url("/local/sub/m.mov.md5")).send().await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "text/plain; charset=utf-8");
    assert_eq!(r.text().await.expect("text"), "d41d8cd98f00b204e9800998ecf8427e  m.mov\n");
    let r = client.head(s.url("/local/sub/m.mov.md5")).send().await.expect("head");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[reqwest::header::CONTENT_LENGTH], "40");
    for hidden in ["/local/sub/.secret.txt", "/local/sub/nothing.md5", "/local/outside.txt"] {
        let (st, _) = get_json(&s.url(hidden)).await;
        assert_eq!(st, 404, "{hidden}");
    }
}

/// A mount URL with credentials: its files are not redirected (the Location would carry them)
/// and its metadata has no `SourceURL`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_never_leave_in_a_redirect() {
    let mut secret_base = String::new();
    let s = TestServer::start(|c| {
        let url = c.mounts[0].target.clone();
        if let lazyqt_server::MountTarget::Upstream(mut u) = url {
            u.set_username("reader").expect("user");
            u.set_password(Some("s3cret")).expect("password");
            secret_base = u.to_string();
            c.mounts.push(lazyqt_server::Mount::parse(&format!("/auth={u}")).expect("mount"));
        }
    })
    .await;
    assert!(secret_base.contains("s3cret"));
    let r =
        no_redirects().get(s.url("/auth/2016/CAMHDA301-20160101T000000Z.mov.md5")).send().await.expect("get");
    assert_eq!(r.status(), 403);
    assert!(r.headers().get(LOCATION).is_none());
    assert!(!r.text().await.expect("text").contains("s3cret"));
    let m = get_json_ok(&s.url("/auth/2016/a.mov")).await;
    assert_eq!(m["URL"], "/2016/a.mov");
    assert!(m.get("SourceURL").is_none(), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn movie_with_trailing_slash_is_the_movie() {
    let s = TestServer::start(|_| {}).await;
    for movie in [MOVIE.to_string(), format!("{UP}{UP_MOVIE}")] {
        let (st, without) = get_json(&s.url(&movie)).await;
        let (st_slash, with) = get_json(&s.url(&format!("{movie}/"))).await;
        assert_eq!((st, st_slash), (200, 200), "{movie}");
        assert_eq!(with, without, "{movie}");
        assert_eq!(with["NumFrames"], FRAMES);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_names_the_path_the_client_asked_for() {
    let s = TestServer::start(|_| {}).await;
    let base = s.upstream.base();
    let local_root = s.root.path().to_string_lossy().into_owned();
    for path in [
        format!("{UP}/2016/missing.mov"),
        format!("{UP}/2016/missing.mov/frame/1"),
        format!("{UP}/nothing/"),
        "/local/sub/missing.mov".to_string(),
        "/local/nothing/".to_string(),
    ] {
        let (st, e) = get_json(&s.url(&path)).await;
        assert_eq!(st, 404, "{path}");
        assert_eq!(e["error"], format!("not found: {path}"), "{path}");
        let text = e.to_string();
        assert!(!text.contains(&base) && !text.contains(&local_root), "{text}");
    }
}

/// Rows of the compatibility table: frame out of range is 416 (go-lazycache: 400, text).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compat_frame_out_of_range_is_416_json() {
    let s = TestServer::start(|_| {}).await;
    for n in [0, FRAMES + 1] {
        let r = reqwest::get(s.url(&format!("{MOVIE}/frame/{n}"))).await.expect("get");
        assert_eq!(r.status(), 416, "{n}");
        assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
        let e: serde_json::Value = r.json().await.expect("json");
        assert_eq!(e["error"], format!("out of range: frame {n} not in 1..={FRAMES}"));
    }
}

/// go-lazycache answered 500 (text) to malformed requests, read `12abc` as frame 12 and wanted
/// both width and height; lazyqt answers 400 JSON and keeps the aspect ratio for one side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compat_malformed_requests_are_400_json() {
    let s = TestServer::start(|_| {}).await;
    for bad in ["frame/abc", "frame/12abc", "frame/1.gif", "frame/1?width=abc", "frame/", "bogus/1"] {
        let (st, e) = get_json(&s.url(&format!("{MOVIE}/{bad}"))).await;
        assert!(matches!(st, 400 | 404), "{bad}: {st}");
        assert_eq!(e["status"].as_u64(), Some(u64::from(st)), "{bad}");
    }
    let (st, _) = get_json(&s.url(&format!("{MOVIE}/frame/12abc"))).await;
    assert_eq!(st, 400);
    let r = reqwest::get(s.url(&format!("{MOVIE}/frame/2?width=32"))).await.expect("get");
    assert_eq!(r.status(), 200, "go-lazycache: 500 \"Both width and height must be specified\"");
    assert_eq!(png_size(&r.bytes().await.expect("body")), (32, 24));
}

/// go-lazycache answered 200 with `{"URL","Error"}` for a movie it could not parse.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compat_errors_are_never_200() {
    let s = TestServer::start(|_| {}).await;
    for path in ["/local/sub/unsupported.mov", "/local/sub/unsupported.mov/frame/1"] {
        let (st, e) = get_json(&s.url(path)).await;
        assert_eq!(st, 415, "{path}");
        assert!(e.get("URL").is_none() && e["error"].is_string(), "{e}");
    }
}

/// go-lazycache's `/` was `{"<upstream>": {"APIPath": {"V1": "<prefix>/"}}}` and answered every
/// unknown path with it (200); lazyqt lists mounts (local ones too) and answers 404 elsewhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compat_root_lists_mounts_and_unknown_paths_are_404() {
    let s = TestServer::start(|_| {}).await;
    let root = get_json_ok(&s.url("/")).await;
    assert_eq!(root["Mounts"][0]["Prefix"], UP);
    assert_eq!(root["Mounts"][0]["Upstream"], s.upstream.base());
    for unknown in ["/v2/nothing", "/index.html", "/info/x"] {
        let (st, e) = get_json(&s.url(unknown)).await;
        assert_eq!((st, e["status"].as_u64()), (404, Some(404)), "{unknown}");
    }
}
