//! The server over real movies: `MediaBackend` with a local mount and an upstream HTTP
//! mount (the loopback test server), checking pixels, request counts and single-flight.

#[path = "common/running.rs"]
mod running;

use std::process::Command;
use std::time::Duration;

use lazyqt_server::{Mount, ServerConfig};
use lazyqt_testserver::TestServer;
use running::Running;
use serde_json::Value;

use lazyqt_testkit::media_dir;

/// two_video.mov with the stsz of track `track` (1 or 2) claiming 2^31 samples.
fn with_bad_stsz(dir: &std::path::Path, track: usize) -> Vec<u8> {
    let mut bytes = std::fs::read(dir.join("two_video.mov")).unwrap();
    lazyqt_testkit::atoms::set_stsz_count(&mut bytes, track - 1, 1 << 31);
    bytes
}

struct Fixture {
    base: String,
    upstream: TestServer,
    _server: Running,
}

fn start() -> Fixture {
    start_with(|_, _| {})
}

/// The fixture with `tweak` applied to the server's configuration.
fn start_with(tweak: impl FnOnce(&mut ServerConfig, &TestServer)) -> Fixture {
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
    let mut config = ServerConfig {
        mounts: vec![
            Mount::parse(&format!("/up={}", upstream.url("/"))).unwrap(),
            Mount::parse(&format!("/local={}", dir.display())).unwrap(),
        ],
        ..ServerConfig::default()
    };
    tweak(&mut config, &upstream);
    let server = running::serve(config, 64);
    Fixture { base: server.base.clone(), upstream, _server: server }
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
    // `URL` is the path below the mount, as go-lazycache wrote it; no `SourceURL` for a mount
    // whose URL holds credentials.
    assert_eq!(meta["URL"], "/prores2.mov");
    assert!(meta.get("SourceURL").is_none(), "{meta}");
}

/// An upstream that redirects a movie to another origin: refused (502, nothing asked of the
/// other origin) unless the mount allows it, and then read from there.
#[test]
fn cross_origin_movie_redirects_need_the_mounts_consent() {
    let movie = std::fs::read(media_dir().join("prores2.mov")).unwrap();
    for allowed in [false, true] {
        let other = TestServer::serve_files([("prores2.mov".to_string(), movie.clone())]).unwrap();
        let origin = other.url("");
        let f = start_with(|config, upstream| {
            config.mounts[0].allow_cross_origin_redirects = allowed;
            upstream.set_faults(lazyqt_testserver::Faults {
                redirect_to: Some(origin.clone()),
                ..Default::default()
            });
        });
        let resp = get(&format!("{}/up/prores2.mov/frame/1.png", f.base));
        if allowed {
            assert_eq!(resp.status(), 200);
            assert!(other.request_count() > 0, "the frame was read from the other origin");
        } else {
            assert_eq!(resp.status(), 502);
            assert_eq!(other.request_count(), 0, "nothing reached the other origin");
        }
    }
}
