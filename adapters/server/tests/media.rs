//! The server over real movies: `MediaBackend` with a local mount and an upstream HTTP
//! mount (the loopback test server), checking pixels, request counts and single-flight.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use lazyqt_server::{MediaBackend, Mount, ServerConfig};
use lazyqt_testserver::TestServer;
use serde_json::Value;

#[path = "common/generated.rs"]
mod generated;
use generated::media_dir;

struct Fixture {
    base: String,
    upstream: TestServer,
    _runtime: tokio::runtime::Runtime,
}

fn start() -> Fixture {
    start_with(|_, _| {})
}

/// The fixture with `tweak` applied to the server's configuration.
fn start_with(tweak: impl FnOnce(&mut ServerConfig, &TestServer)) -> Fixture {
    let dir = media_dir();
    let files: Vec<(String, Vec<u8>)> = ["prores2.mov", "h264_bframes.mp4", "prores3.mov"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
        .collect();
    let upstream = TestServer::serve_files(files).unwrap();
    let mut config = ServerConfig {
        mounts: vec![
            Mount::parse(&format!("/up={}", upstream.url("/"))).unwrap(),
            Mount::parse(&format!("/local={}", dir.display())).unwrap(),
        ],
        ..ServerConfig::default()
    };
    tweak(&mut config, &upstream);
    let opts = lazyqt_io::SourceOptions { no_cache: true, ..Default::default() };
    let backend = Arc::new(MediaBackend::new(config.source_options(&opts), 64, Duration::from_secs(3600)));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(lazyqt_server::serve_on(listener, config, backend, std::future::pending()));
    Fixture { base, upstream, _runtime: runtime }
}

fn get(url: &str) -> reqwest::blocking::Response {
    reqwest::blocking::Client::new().get(url).timeout(Duration::from_secs(30)).send().unwrap()
}

fn upstream_requests(f: &Fixture, path: &str) -> usize {
    f.upstream.requests().iter().filter(|r| r.path == path).count()
}

#[test]
fn burst_of_first_requests_opens_the_movie_once() {
    let f = start();
    let url = format!("{}/up/prores2.mov", f.base);
    let bodies: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..100).map(|_| s.spawn(|| get(&url))).collect();
        handles
            .into_iter()
            .map(|h| {
                let r = h.join().unwrap();
                assert_eq!(r.status(), 200);
                r.json().unwrap()
            })
            .collect()
    });
    assert!(bodies.iter().all(|b| b == &bodies[0]));
    assert_eq!(bodies[0]["NumFrames"], 30);
    assert_eq!(bodies[0]["Codec"], "apcn");
    // One open: one request for the head and the tail (holding the moov), nothing else.
    assert_eq!(upstream_requests(&f, "/prores2.mov"), 1, "{:?}", f.upstream.requests());
    let metrics = get(&format!("{}/metrics", f.base)).text().unwrap();
    assert!(metrics.contains("lazyqt_movie_opens_total 1"), "{metrics}");

    // 50 concurrent asks for one cold frame: one exact range request upstream.
    let frame = format!("{}/up/prores2.mov/frame/7", f.base);
    let pngs: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..50).map(|_| s.spawn(|| get(&frame).bytes().unwrap().to_vec())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(pngs.iter().all(|p| p == &pngs[0] && p.starts_with(b"\x89PNG")));
    assert_eq!(upstream_requests(&f, "/prores2.mov"), 2);
    // The same frame from the local mount is the same image.
    assert_eq!(get(&format!("{}/local/prores2.mov/frame/7", f.base)).bytes().unwrap().to_vec(), pngs[0]);
}

#[test]
fn formats_sizes_and_errors_over_real_movies() {
    let f = start();
    let rgba = get(&format!("{}/up/h264_bframes.mp4/frame/10.rgba?width=160", f.base));
    assert_eq!(rgba.status(), 200);
    assert_eq!(rgba.headers()["x-image-width"], "160");
    assert_eq!(rgba.headers()["x-image-height"], "90");
    assert_eq!(rgba.bytes().unwrap().len(), 160 * 90 * 4);
    let jpg = get(&format!("{}/local/prores3.mov/frame/30.jpg?quality=50", f.base));
    assert_eq!(jpg.headers()["content-type"], "image/jpeg");
    assert!(jpg.bytes().unwrap().starts_with(&[0xff, 0xd8]));
    // .raw is the undecoded sample, byte for byte.
    let raw = get(&format!("{}/up/prores3.mov/frame/1.raw", f.base)).bytes().unwrap();
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v", "-show_packets", "-of", "json"])
        .arg(media_dir().join("prores3.mov"))
        .output()
        .unwrap();
    let probe: Value = serde_json::from_slice(&probe.stdout).unwrap();
    let first = &probe["packets"][0];
    let pos: usize = first["pos"].as_str().unwrap().parse().unwrap();
    let size: usize = first["size"].as_str().unwrap().parse().unwrap();
    let file = std::fs::read(media_dir().join("prores3.mov")).unwrap();
    assert!(raw[..] == file[pos..pos + size], "the .raw answer is not the first sample's bytes");
    // Time route: frame shown at 0.5 s of a 29.97 fps movie is frame index 14 (1-based 15).
    let t = get(&format!("{}/up/prores3.mov/time/0.5", f.base));
    assert_eq!(t.status(), 200);
    assert_eq!(get(&format!("{}/up/prores3.mov/frame/31", f.base)).status(), 416);
    assert_eq!(get(&format!("{}/up/missing.mov", f.base)).status(), 404);
    assert_eq!(get(&format!("{}/local/missing.mov", f.base)).status(), 404);
}

#[test]
fn a_file_changed_upstream_is_reopened_not_mixed() {
    let f = start();
    let meta: Value = get(&format!("{}/up/prores2.mov", f.base)).json().unwrap();
    assert_eq!(meta["Codec"], "apcn");
    // Replace the file (new content, new ETag): the next frame read hits 412, the server
    // reopens the movie and answers from the new file.
    let other = std::fs::read(media_dir().join("h264_bframes.mp4")).unwrap();
    f.upstream.put_file("prores2.mov", other);
    let r = get(&format!("{}/up/prores2.mov/frame/3.png", f.base));
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let meta: Value = get(&format!("{}/up/prores2.mov", f.base)).json().unwrap();
    assert_eq!(meta["Codec"], "avc1");
    assert_eq!(meta["NumFrames"], 60);
}

/// The ETag and body of a frame answer (asserting 200).
fn tagged(url: &str) -> (String, Vec<u8>) {
    let r = get(url);
    assert_eq!(r.status(), 200, "{url}");
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    (tag, r.bytes().unwrap().to_vec())
}

/// After the upstream file changes, answers come from the new file under new ETags, and no
/// ETag ever names two bodies: with and without the frame cache.
#[test]
fn an_etag_names_one_body_across_a_change_upstream() {
    for cache_bytes in [0, 64 << 20] {
        let f = start_with(|c, _| c.cache.frame_cache_bytes = cache_bytes);
        let frame = |n: u32| format!("{}/up/prores2.mov/frame/{n}", f.base);
        let mut seen: Vec<(String, Vec<u8>)> = Vec::new();
        let before = tagged(&frame(5));
        seen.push(before.clone());
        seen.push(tagged(&frame(6)));
        f.upstream.put_file("prores2.mov", std::fs::read(media_dir().join("h264_bframes.mp4")).unwrap());
        // Frame 7 was never asked for: its read finds the change (5 and 6 may be cached).
        let seven = tagged(&frame(7));
        let five = tagged(&frame(5));
        let six = tagged(&frame(6));
        seen.extend([seven, six.clone(), five.clone(), tagged(&frame(5)), tagged(&frame(6))]);
        assert_ne!(five.0, before.0, "cache {cache_bytes}: same ETag after the change");
        let new5 = get(&format!("{}/local/h264_bframes.mp4/frame/5", f.base)).bytes().unwrap().to_vec();
        let new6 = get(&format!("{}/local/h264_bframes.mp4/frame/6", f.base)).bytes().unwrap().to_vec();
        assert!(five.1 == new5, "cache {cache_bytes}: frame 5 is not the new file's");
        assert!(six.1 == new6, "cache {cache_bytes}: frame 6 is not the new file's");
        for (tag, body) in &seen {
            assert!(
                seen.iter().filter(|(t, _)| t == tag).all(|(_, b)| b == body),
                "cache {cache_bytes}: ETag {tag} names two bodies"
            );
        }
    }
}

/// A local movie overwritten in place (same name, same inode) with another movie: the next
/// answers are the new movie's, under new ETags, never a mix.
#[test]
fn a_local_movie_overwritten_in_place_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("movie.mov");
    std::fs::copy(media_dir().join("prores2.mov"), &path).unwrap();
    let root = dir.path().to_path_buf();
    let f = start_with(move |c, _| c.mounts.push(Mount::parse(&format!("/tmp={}", root.display())).unwrap()));
    let url = |p: &str| format!("{}{p}", f.base);
    let meta: Value = get(&url("/tmp/movie.mov")).json().unwrap();
    assert_eq!(meta["Codec"], "apcn");
    let old = tagged(&url("/tmp/movie.mov/frame/3"));
    // Rewrite the same file (same inode) with other content.
    let new_bytes = std::fs::read(media_dir().join("h264_bframes.mp4")).unwrap();
    {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().write(true).truncate(true).open(&path).unwrap();
        file.write_all(&new_bytes).unwrap();
    }
    let new = tagged(&url("/tmp/movie.mov/frame/3"));
    assert_ne!(new.0, old.0, "same ETag for another file");
    let expected = get(&url("/local/h264_bframes.mp4/frame/3")).bytes().unwrap().to_vec();
    assert!(new.1 == expected, "frame 3 is not the new file's");
    let meta: Value = get(&url("/tmp/movie.mov")).json().unwrap();
    assert_eq!((meta["Codec"].as_str(), meta["NumFrames"].as_u64()), (Some("avc1"), Some(60)));
    assert_eq!(tagged(&url("/tmp/movie.mov/frame/3")), new);
}

/// A mount URL with a user, a password and a token query: they reach the upstream but no
/// answer (body or header) ever shows them.
#[test]
fn mount_credentials_are_never_shown() {
    let f = start_with(|c, up| {
        let url = up.url("/").replace("http://", "http://user:secret@") + "?token=xyz";
        c.mounts.push(Mount::parse(&format!("/sec={url}")).unwrap());
    });
    let paths = [
        "/",
        "/sec/",
        "/sec/prores2.mov",
        "/sec/prores2.mov/frame/2",
        "/sec/prores2.mov/frame/2.raw",
        "/sec/missing.mov",
        "/sec/missing.mov/frame/1",
        "/sec/nodir/",
        "/sec/prores2.mov/frame/99",
        "/metrics",
        "/readyz",
        "/openapi.json",
    ];
    let mut statuses = Vec::new();
    for p in paths {
        let r = get(&format!("{}{p}", f.base));
        statuses.push(r.status().as_u16());
        let headers = format!("{:?}", r.headers());
        let body = String::from_utf8_lossy(&r.bytes().unwrap()).into_owned();
        for secret in ["secret", "xyz"] {
            assert!(!headers.contains(secret), "{p}: {secret} in headers {headers}");
            assert!(!body.contains(secret), "{p}: {secret} in body {body}");
        }
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 404, 404, 404, 416, 200, 200, 200]);
    // The token did reach the upstream.
    assert!(
        f.upstream.requests().iter().any(|r| r.path == "/prores2.mov?token=xyz"),
        "{:?}",
        f.upstream.requests()
    );
    let meta: Value = get(&format!("{}/sec/prores2.mov", f.base)).json().unwrap();
    let shown = meta["URL"].as_str().unwrap();
    assert!(shown.contains("***@127.0.0.1") && shown.ends_with("prores2.mov?token=***"), "{shown}");
}
