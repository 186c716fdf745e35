//! The server over real movies: `MediaBackend` with a local mount and an upstream HTTP
//! mount (the loopback test server), checking pixels, request counts and single-flight.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use lazyqt_server::{MediaBackend, Mount, ServerConfig};
use lazyqt_testserver::TestServer;
use serde_json::Value;

fn media_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("testdata/generated");
    assert!(Command::new("bash")
        .arg(root.join("testdata/generate.sh"))
        .arg(&out)
        .status()
        .unwrap()
        .success());
    out
}

/// two_video.mov with the stsz of track `track` (1 or 2) claiming 2^31 samples.
fn with_bad_stsz(dir: &std::path::Path, track: usize) -> Vec<u8> {
    let mut bytes = std::fs::read(dir.join("two_video.mov")).unwrap();
    let at = bytes.windows(4).enumerate().filter(|(_, w)| w == b"stsz").nth(track - 1).unwrap().0;
    bytes[at + 12..at + 16].copy_from_slice(&(1u32 << 31).to_be_bytes());
    bytes
}

struct Fixture {
    base: String,
    upstream: TestServer,
    _runtime: tokio::runtime::Runtime,
}

fn start() -> Fixture {
    let dir = media_dir();
    let mut files: Vec<(String, Vec<u8>)> =
        ["prores2.mov", "h264_bframes.mp4", "prores3.mov", "h264_edit.mp4"]
            .iter()
            .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
            .collect();
    files.extend((1..=2).map(|t| (format!("bad_track{t}.mov"), with_bad_stsz(&dir, t))));
    let mut truncated = std::fs::read(dir.join("prores_faststart.mov")).unwrap();
    truncated.truncate(truncated.len() * 6 / 10);
    files.push(("truncated.mov".into(), truncated));
    let upstream = TestServer::serve_files(files).unwrap();
    let config = ServerConfig {
        mounts: vec![
            Mount::parse(&format!("/up={}", upstream.url("/"))).unwrap(),
            Mount::parse(&format!("/local={}", dir.display())).unwrap(),
        ],
        ..ServerConfig::default()
    };
    let opts = lazyqt_io::SourceOptions { no_cache: true, ..Default::default() };
    let backend = Arc::new(MediaBackend::new(opts, 64, Duration::from_secs(3600)));
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
    // .sample is the undecoded sample, byte for byte.
    let raw = get(&format!("{}/up/prores3.mov/frame/1.sample", f.base)).bytes().unwrap();
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
    assert!(raw[..] == file[pos..pos + size], "the .sample answer is not the first sample's bytes");
    // Time route: frame shown at 0.5 s of a 29.97 fps movie is frame index 14 (1-based 15).
    let t = get(&format!("{}/up/prores3.mov/time/0.5", f.base));
    assert_eq!(t.status(), 200);
    assert_eq!(get(&format!("{}/up/prores3.mov/frame/31", f.base)).status(), 416);
    assert_eq!(get(&format!("{}/up/missing.mov", f.base)).status(), 404);
    assert_eq!(get(&format!("{}/local/missing.mov", f.base)).status(), 404);
}

/// go-lazycache's wire over real movies: `.raw` is `.rgba` (`image/x-raw-rgba`), the size
/// headers scale like the query, JPEG quality 75 by default, `URL` is the path below the mount.
#[test]
fn predecessor_wire_over_real_movies() {
    let f = start();
    let rgba = get(&format!("{}/up/prores3.mov/frame/4.rgba?width=160", f.base));
    assert_eq!(rgba.headers()["content-type"], "image/x-raw-rgba");
    let rgba = rgba.bytes().unwrap();
    let raw = get(&format!("{}/up/prores3.mov/frame/4.raw?width=160", f.base));
    assert_eq!(raw.headers()["content-type"], "image/x-raw-rgba");
    assert_eq!(raw.headers()["x-image-height"], "90");
    assert_eq!(raw.bytes().unwrap(), rgba, ".raw is .rgba");
    let by_header = reqwest::blocking::Client::new()
        .get(format!("{}/up/prores3.mov/frame/4.raw", f.base))
        .header("X-lazycache-output-width", "160")
        .header("X-lazycache-output-height", "90")
        .send()
        .unwrap();
    assert_eq!(by_header.bytes().unwrap(), rgba, "the size headers scale like ?width=&height=");
    let jpg = get(&format!("{}/local/prores3.mov/frame/9.jpg", f.base)).bytes().unwrap();
    let q75 = get(&format!("{}/local/prores3.mov/frame/9.jpg?quality=75", f.base)).bytes().unwrap();
    let q90 = get(&format!("{}/local/prores3.mov/frame/9.jpg?quality=90", f.base)).bytes().unwrap();
    assert_eq!(jpg, q75, "JPEG quality 75 by default, as go-lazycache");
    assert_ne!(jpg, q90);
    let meta: Value = get(&format!("{}/up/prores3.mov/", f.base)).json().unwrap();
    assert_eq!(meta["URL"], "/prores3.mov");
    assert_eq!(meta["SourceURL"], f.upstream.url("/prores3.mov"));
    // go-lazycache redirected .mp4 upstream; lazyqt serves it as a movie.
    let mp4: Value = get(&format!("{}/up/h264_bframes.mp4", f.base)).json().unwrap();
    assert_eq!((mp4["Codec"].as_str(), mp4["NumFrames"].as_u64()), (Some("avc1"), Some(60)));
    // A 404 names the path asked for, not the upstream URL the backend tried.
    let missing: Value = get(&format!("{}/up/missing.mov", f.base)).json().unwrap();
    assert_eq!(missing["error"], "not found: /up/missing.mov");
}

/// The time route accepts exactly the times its 416 states, `[0, Duration)`, at both ends,
/// over movies whose last frame ends at the Duration (an edit list in `h264_edit.mp4`).
#[test]
fn time_range_stated_is_time_range_accepted() {
    let f = start();
    for (movie, duration, frames) in [("prores3.mov", "1.001", "30"), ("h264_edit.mp4", "1.502", "45")] {
        let meta: Value = get(&format!("{}/up/{movie}", f.base)).json().unwrap();
        assert_eq!(meta["Duration"].to_string(), duration, "{movie}");
        let first = get(&format!("{}/up/{movie}/time/0", f.base));
        assert_eq!(
            (first.status().as_u16(), &first.headers()["x-frame-number"]),
            (200, &"1".parse().unwrap())
        );
        let d: f64 = duration.parse().unwrap();
        for before in [d - 0.0005, d - 1e-7, d - 1e-12] {
            let r = get(&format!("{}/up/{movie}/time/{before}", f.base));
            assert_eq!(r.status(), 200, "{movie} at {before}: {:?}", r.text());
            assert_eq!(r.headers()["x-frame-number"], frames, "{movie} at {before}");
        }
        for outside in [duration.to_string(), format!("{}", d + 1e-9), "-0.001".into()] {
            let r = get(&format!("{}/up/{movie}/time/{outside}", f.base));
            assert_eq!(r.status(), 416, "{movie} at {outside}");
            let e: Value = r.json().unwrap();
            let want = format!("out of range: time {outside} s not in [0, {duration}) s");
            assert_eq!(e["error"], want, "{movie}");
        }
    }
}

#[test]
fn malformed_tracks_are_listed_and_never_stand_in_for_the_video_track() {
    let f = start();
    let meta = get(&format!("{}/up/bad_track2.mov", f.base));
    assert_eq!(meta.status(), 200);
    let meta: Value = meta.json().unwrap();
    assert_eq!((meta["Width"].as_u64(), meta["Tracks"].as_array().unwrap().len()), (Some(320), 1));
    let skipped = meta["SkippedTracks"].as_array().unwrap();
    assert_eq!(
        (skipped.len(), &skipped[0]["Id"], &skipped[0]["Kind"]),
        (1, &Value::from(2), &Value::from("video"))
    );
    assert!(skipped[0]["Error"].as_str().unwrap().contains("stsz"), "{skipped:?}");
    // Track 1 is the default video track: its frames are refused, not taken from track 2.
    for path in ["", "/frame/5.png", "/frame/5.raw"] {
        let r = get(&format!("{}/up/bad_track1.mov{path}", f.base));
        assert_eq!(r.status(), 415, "{path}");
        assert!(r.text().unwrap().contains("video track 1 is malformed"), "{path}");
    }
    // A sample past the end of the file is a malformed movie too, whichever way it is read.
    for path in ["/frame/30.png", "/frame/30.raw"] {
        let r = get(&format!("{}/up/truncated.mov{path}", f.base));
        assert_eq!(r.status(), 415, "{path}");
        assert!(r.text().unwrap().contains("past the end"), "{path}");
    }
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
