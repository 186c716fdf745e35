//! Routes, statuses, bodies, headers, conditional requests, caches, bursts, timeouts, shutdown.
//!
//! Longer than most: each test is a short scenario against the one router, and splitting
//! them by route would repeat the server setup they share through `common`.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;

use crate::common::{get_json, get_json_ok, TestServer, FRAMES, H, UP, W};

const MOVIE: &str = "/local/sub/m.mov";
const UP_MOVIE: &str = "/RS03ASHS/PN03B/06-CAMHDA301/2016/11/13/CAMHDA301-20161113T000000Z.mov";

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Png).expect("png");
    (img.width(), img.height())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_routes() {
    let s = TestServer::start(|_| {}).await;
    let root = get_json_ok(&s.url("/")).await;
    let prefixes: Vec<&str> =
        root["Mounts"].as_array().expect("mounts").iter().filter_map(|m| m["Prefix"].as_str()).collect();
    assert_eq!(prefixes, vec![UP, "/local"]);
    assert_eq!(root["Mounts"][0]["Upstream"], s.upstream.base());
    assert!(root["Mounts"][1].get("Upstream").is_none(), "local paths are not disclosed");

    let (st, h) = get_json(&s.url("/healthz")).await;
    assert_eq!((st, h["status"].as_str()), (200, Some("ok")));
    let (st, r) = get_json(&s.url("/readyz")).await;
    assert_eq!((st, r["status"].as_str()), (200, Some("ready")));
    assert_eq!(r["Pools"].as_array().map(Vec::len), Some(3), "{r}");

    let (st, e) = get_json(&s.url("/nope")).await;
    assert_eq!((st, e["status"].as_u64()), (404, Some(404)));
    assert!(e["error"].as_str().is_some_and(|m| m.contains("/nope")));

    // A frame, so the metrics have something to count.
    let r = reqwest::get(s.url(&format!("{MOVIE}/frame/1"))).await.expect("get");
    assert_eq!(r.status(), 200);
    let r = reqwest::get(s.url("/metrics")).await.expect("metrics");
    assert_eq!(r.status(), 200);
    assert!(r.headers()[CONTENT_TYPE].to_str().expect("ct").starts_with("text/plain"));
    let text = r.text().await.expect("text");
    assert!(text.contains("lazyqt_http_requests_total{route=\"frame\",status=\"200\"} 1"), "{text}");
    assert!(text.contains("lazyqt_http_requests_total{route=\"unmatched\",status=\"404\"} 1"));
    assert!(text.contains("lazyqt_http_request_duration_seconds_count{route=\"frame\"} 1"));
    assert!(text.contains("lazyqt_frame_cache_misses_total 1"));
    assert!(text.contains("lazyqt_fake_frames_total 1"));
    s.stop().await.expect("clean stop");
}

/// Every path of the OpenAPI document is a route of the server and vice versa, and each one
/// answers 200 once its parameters are filled in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_matches_routes() {
    let s = TestServer::start(|_| {}).await;
    let doc = get_json_ok(&s.url("/openapi.json")).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths: BTreeSet<String> = doc["paths"].as_object().expect("paths").keys().cloned().collect();
    let mut cfg = lazyqt_server::ServerConfig::default();
    cfg.mounts.push(lazyqt_server::Mount::parse(&format!("{UP}=http://h/files/")).expect("m"));
    cfg.mounts.push(lazyqt_server::Mount::parse("/local=.").expect("m"));
    let routes: BTreeSet<String> = lazyqt_server::route_templates(&cfg).into_iter().collect();
    assert_eq!(paths, routes);
    assert_eq!(paths.len(), 10 + 2 * 12);
    for p in &paths {
        let (dir, file) = if p.starts_with(UP) {
            ("2016", "2016/CAMHDA301-20160101T000000Z.mov")
        } else {
            ("sub", "sub/m.mov")
        };
        let concrete = p
            .replace("{dir}", dir)
            .replace("{file}", file)
            .replace("{frame}", "3.jpg")
            .replace("{seconds}", "1.5")
            .replace("{instant}", "2016-01-01T00:00:01Z.jpg")
            .replace("/catalog", "/catalog?from=2016-01-01&to=2016-01-02")
            .replace("/sheet", "/sheet?from=2016-01-01&to=2016-01-02&count=4");
        let r = reqwest::get(s.url(&concrete)).await.expect("get");
        if p.contains("/utc/") || p.ends_with("/catalog") || p.ends_with("/sheet") {
            // Routed to the backend, which has no archives here (tests/archive.rs has them).
            assert_eq!(r.status(), 415, "{p} as {concrete}");
        } else {
            assert_eq!(r.status(), 200, "{p} as {concrete}");
        }
        assert!(doc["paths"][p]["get"]["responses"]["200"].is_object());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_local_and_upstream() {
    let s = TestServer::start(|_| {}).await;
    let l = get_json_ok(&s.url("/local/")).await;
    assert_eq!(l["Path"], "/");
    assert_eq!(l["Files"], serde_json::json!(["m.mov", "nover.mov"]));
    assert_eq!(l["Directories"], serde_json::json!(["sub"]));
    let (st, l) = get_json(&s.url("/local/sub")).await;
    assert_eq!(st, 200, "a directory without its slash is listed (pycamhd's find does this)");
    assert_eq!(l["Path"], "/sub/");
    assert_eq!(l["Files"], serde_json::json!(["m.mov", "slow.mov", "unsupported.mov"]));
    let (st, l) = get_json(&s.url("/local")).await;
    assert_eq!((st, l["Directories"].clone()), (200, serde_json::json!(["sub"])));
    let (st, _) = get_json(&s.url("/local/nothing/")).await;
    assert_eq!(st, 404);

    let r = reqwest::get(s.url(&format!("{UP}/"))).await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=60");
    let l: serde_json::Value = r.json().await.expect("json");
    assert_eq!(l["Files"], serde_json::json!(["readme.txt"]));
    assert_eq!(l["Directories"], serde_json::json!(["2016", "RS03ASHS"]));
    let l = get_json_ok(&s.url(&format!("{UP}/2016/"))).await;
    assert_eq!(
        l["Files"],
        serde_json::json!(["CAMHDA301-20160101T000000Z.mov", "CAMHDA301-20160101T000000Z.mov.md5"])
    );
    assert_eq!(l["Directories"], serde_json::json!([]));
    let (st, l2) = get_json(&s.url(&format!("{UP}/2016"))).await;
    assert_eq!((st, &l2), (200, &l));
    // Cached within the TTL: two fetches upstream for three listing requests of two dirs.
    assert_eq!(s.upstream.hits.load(Ordering::SeqCst), 2);

    let (st, e) = get_json(&s.url(&format!("{UP}/missing/"))).await;
    assert_eq!((st, e["status"].as_u64()), (404, Some(404)));
    let (st, _) = get_json(&s.url(&format!("{UP}/err/"))).await;
    assert_eq!(st, 502);
    let (st, e) = get_json(&s.url(&format!("{UP}/slow/"))).await;
    assert_eq!(st, 504, "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_and_conditional_requests() {
    let s = TestServer::start(|_| {}).await;
    let r = reqwest::get(s.url(MOVIE)).await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=60");
    let tag = r.headers()[ETAG].to_str().expect("etag").to_string();
    assert!(tag.starts_with('"') && !tag.starts_with("W/"));
    let m: serde_json::Value = r.json().await.expect("json");
    assert_eq!(m["URL"], "/sub/m.mov", "the path below the mount, as go-lazycache wrote it");
    assert!(m.get("SourceURL").is_none(), "local paths are not disclosed");
    assert_eq!(m["NumFrames"], FRAMES);
    assert_eq!(m["Duration"], 10.0);
    assert_eq!(m["FileSize"], 123_456);
    assert_eq!((m["Width"].as_u64(), m["Height"].as_u64()), (Some(64), Some(48)));
    assert_eq!(m["Codec"], "apcn");
    assert_eq!(m["Fps"], 10.0);
    assert_eq!(m["CreationTime"], "2016-11-13T00:00:00Z");
    assert_eq!(m["Tracks"][0]["Kind"], "video");
    assert_eq!(m["Tracks"][0]["NumSamples"], FRAMES);

    let client = reqwest::Client::new();
    let r = client.get(s.url(MOVIE)).header(IF_NONE_MATCH, &tag).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()[ETAG], tag.as_str());

    let m = get_json_ok(&s.url(&format!("{UP}{UP_MOVIE}"))).await;
    assert_eq!(m["URL"], UP_MOVIE);
    assert_eq!(m["SourceURL"], format!("{}{}", s.upstream.base(), &UP_MOVIE[1..]));

    for (path, code) in [
        ("/local/sub/missing.mov", 404),
        ("/local/sub/unsupported.mov", 415),
        (&format!("{UP}/x/broken.mov") as &str, 502),
    ] {
        let (st, e) = get_json(&s.url(path)).await;
        assert_eq!(st, code, "{path}");
        assert_eq!(e["status"].as_u64(), Some(u64::from(code)));
        assert!(e["error"].is_string());
    }
    // No validator: no ETag, no promise of immutability.
    let r = reqwest::get(s.url("/local/nover.mov/frame/1")).await.expect("get");
    assert_eq!(r.status(), 200);
    assert!(r.headers().get(ETAG).is_none());
    assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=60");

    // The file changes upstream: new ETags, old ones no longer match.
    let f = s.url(&format!("{MOVIE}/frame/2"));
    let old = reqwest::get(&f).await.expect("get").headers()[ETAG].clone();
    *s.backend.validator.lock().expect("lock") = "\"etag-v2\"".into();
    let r = client.get(&f).header(IF_NONE_MATCH, old.clone()).send().await.expect("get");
    assert_eq!(r.status(), 200);
    assert_ne!(r.headers()[ETAG], old);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_in_every_format() {
    let s = TestServer::start(|_| {}).await;
    let get = |p: String| reqwest::get(s.url(&p));
    let r = get(format!("{MOVIE}/frame/1")).await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "image/png");
    assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(r.headers()["x-frame-number"], "1");
    assert!(r.headers().contains_key(ETAG));
    assert_eq!(png_size(&r.bytes().await.expect("body")), (W, H));

    let r = get(format!("{MOVIE}/frame/5.png")).await.expect("get");
    let img = image::load_from_memory(&r.bytes().await.expect("body")).expect("png").to_rgb8();
    assert_eq!(img.get_pixel(0, 0).0[0], 4, "frame 5 is index 4: numbering is 1-based");

    for (ext, magic, ct) in [
        ("jpg", &b"\xff\xd8"[..], "image/jpeg"),
        ("jpeg", &b"\xff\xd8"[..], "image/jpeg"),
        ("bmp", &b"BM"[..], "image/bmp"),
    ] {
        let r = get(format!("{MOVIE}/frame/3.{ext}")).await.expect("get");
        assert_eq!(r.status(), 200, "{ext}");
        assert_eq!(r.headers()[CONTENT_TYPE], ct);
        assert!(r.bytes().await.expect("body").starts_with(magic), "{ext}");
    }
    let r = get(format!("{MOVIE}/frame/3.rgba")).await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-image-width"], "64");
    assert_eq!(r.headers()["x-image-height"], "48");
    assert_eq!(r.headers()["x-pixel-format"], "RGBA8");
    assert_eq!(r.headers()[CONTENT_TYPE], "image/x-raw-rgba");
    assert_eq!(r.bytes().await.expect("body").len(), (W * H * 4) as usize);
    let r = get(format!("{MOVIE}/frame/3.sample")).await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/octet-stream");
    assert!(r.headers().get("x-image-width").is_none());
    assert_eq!(&r.bytes().await.expect("body")[..], b"RAWSAMPLE2");

    // Scaling: aspect kept when one side is given.
    for (q, want) in [("width=32", (32, 24)), ("height=24", (32, 24)), ("width=10&height=40", (10, 40))] {
        let r = get(format!("{MOVIE}/frame/2?{q}")).await.expect("get");
        assert_eq!(r.status(), 200, "{q}");
        assert_eq!(png_size(&r.bytes().await.expect("body")), want, "{q}");
    }
    let a = get(format!("{MOVIE}/frame/2.jpg?quality=10")).await.expect("get");
    let b = get(format!("{MOVIE}/frame/2.jpg?quality=95")).await.expect("get");
    assert_ne!(a.headers()[ETAG], b.headers()[ETAG]);

    // Bad numbers and parameters.
    for (p, code) in [
        (format!("{MOVIE}/frame/0"), 416),
        (format!("{MOVIE}/frame/{}", FRAMES + 1), 416),
        (format!("{MOVIE}/frame/99999999999999999999999"), 416),
        (format!("{MOVIE}/frame/{FRAMES}"), 200),
        (format!("{MOVIE}/frame/abc"), 400),
        (format!("{MOVIE}/frame/-1"), 400),
        (format!("{MOVIE}/frame/1.gif"), 400),
        (format!("{MOVIE}/frame/1?width=0"), 400),
        (format!("{MOVIE}/frame/1?width=100000"), 400),
        (format!("{MOVIE}/frame/1?quality=0"), 400),
        (format!("{MOVIE}/frame/1.sample?width=5"), 400),
        ("/local/sub/missing.mov/frame/1".to_string(), 404),
        ("/local/sub/unsupported.mov/frame/1".to_string(), 415),
    ] {
        let r = get(p.clone()).await.expect("get");
        assert_eq!(r.status().as_u16(), code, "{p}");
        if code != 200 {
            assert_eq!(r.headers()[CONTENT_TYPE], "application/json", "{p}");
            let e: serde_json::Value = r.json().await.expect("json error body");
            assert_eq!(e["status"].as_u64(), Some(u64::from(code)));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_route() {
    let s = TestServer::start(|_| {}).await;
    let r = reqwest::get(s.url(&format!("{MOVIE}/time/1.05"))).await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-frame-number"], "11");
    assert_eq!(r.headers()[CONTENT_TYPE], "image/png");
    let r = reqwest::get(s.url(&format!("{MOVIE}/time/2.jpg?width=16"))).await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "image/jpeg");
    assert_eq!(r.headers()["x-image-width"], "16");
    assert_eq!(r.headers()["x-image-height"], "12");
    // The movie lasts 10 s: times are in [0, 10), and the 416 says exactly that.
    for (t, frame) in [("0", "1"), ("9.99", "100"), ("9.999999", "100")] {
        let r = reqwest::get(s.url(&format!("{MOVIE}/time/{t}"))).await.expect("get");
        assert_eq!(r.status(), 200, "{t}");
        assert_eq!(r.headers()["x-frame-number"], frame, "{t}");
    }
    for t in ["10", "10.0", "10.5", "-1", "-0.000001"] {
        let (st, e) = get_json(&s.url(&format!("{MOVIE}/time/{t}"))).await;
        assert_eq!(st, 416, "{t}");
        assert_eq!(e["error"], format!("out of range: time {t} s not in [0, 10) s"), "{t}");
    }
    for (t, code) in [("nan", 400), ("inf", 400), ("1e3", 400), ("x.png", 400)] {
        let r = reqwest::get(s.url(&format!("{MOVIE}/time/{t}"))).await.expect("get");
        assert_eq!(r.status().as_u16(), code, "{t}");
    }
    // The time route shares the frame cache with the frame route.
    let before = s.backend.frames();
    let r = reqwest::get(s.url(&format!("{MOVIE}/frame/11"))).await.expect("get");
    assert_eq!(r.headers()["x-cache"], "HIT");
    assert_eq!(s.backend.frames(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frame_cache_and_304_skip_the_backend() {
    let s = TestServer::start(|_| {}).await;
    let url = s.url(&format!("{MOVIE}/frame/7.jpg?width=32&quality=80"));
    let r = reqwest::get(&url).await.expect("get");
    assert_eq!(r.headers()["x-cache"], "MISS");
    let tag = r.headers()[ETAG].clone();
    let body = r.bytes().await.expect("body");
    assert_eq!(s.backend.frames(), 1);
    let r = reqwest::get(&url).await.expect("get");
    assert_eq!(r.headers()["x-cache"], "HIT");
    assert_eq!(r.headers()[ETAG], tag);
    assert_eq!(r.bytes().await.expect("body"), body);
    assert_eq!(s.backend.frames(), 1, "a repeated request must not decode again");
    // Same frame, other size: another key.
    let r = reqwest::get(s.url(&format!("{MOVIE}/frame/7.jpg?width=16&quality=80"))).await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(s.backend.frames(), 2);
    // The native size asked explicitly is the same representation as no size at all.
    reqwest::get(s.url(&format!("{MOVIE}/frame/8"))).await.expect("get");
    let r = reqwest::get(s.url(&format!("{MOVIE}/frame/8?width={W}"))).await.expect("get");
    assert_eq!(r.headers()["x-cache"], "HIT");
    assert_eq!(s.backend.frames(), 3);
    // A conditional request never reaches the decoder.
    let r = reqwest::Client::new()
        .get(s.url(&format!("{MOVIE}/frame/9")))
        .header(IF_NONE_MATCH, "\"nope\"")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let tag9 = r.headers()[ETAG].clone();
    let calls = s.backend.frames();
    let r = reqwest::Client::new()
        .get(s.url(&format!("{MOVIE}/frame/9")))
        .header(IF_NONE_MATCH, tag9)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(s.backend.frames(), calls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frame_cache_can_be_disabled() {
    let s = TestServer::start(|c| c.cache.frame_cache_bytes = 0).await;
    for _ in 0..2 {
        let r = reqwest::get(s.url(&format!("{MOVIE}/frame/1"))).await.expect("get");
        assert_eq!(r.headers()["x-cache"], "MISS");
    }
    assert_eq!(s.backend.frames(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_burst() {
    let s = TestServer::start(|_| {}).await;
    *s.backend.decode_delay.lock().expect("lock") = Duration::from_millis(50);
    let client = reqwest::Client::new();
    // 64 concurrent requests for one cold frame: one decode.
    let same = (0..64).map(|_| {
        let c = client.clone();
        let u = s.url(&format!("{MOVIE}/frame/42.png"));
        tokio::spawn(async move { c.get(u).send().await.map(|r| r.status().as_u16()) })
    });
    for h in same.collect::<Vec<_>>() {
        assert_eq!(h.await.expect("join").expect("request"), 200);
    }
    assert_eq!(s.backend.frames(), 1, "concurrent misses of one frame decode once");
    // 64 concurrent requests over 16 frames, with the decode pool of 2 workers.
    let mixed = (0..64u64).map(|i| {
        let c = client.clone();
        let u = s.url(&format!("{MOVIE}/frame/{}.jpg", 1 + i % 16));
        tokio::spawn(async move { c.get(u).send().await.map(|r| r.status().as_u16()) })
    });
    for h in mixed.collect::<Vec<_>>() {
        assert_eq!(h.await.expect("join").expect("request"), 200);
    }
    assert_eq!(s.backend.frames(), 1 + 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_deadline_gives_504() {
    let s = TestServer::start(|c| c.timeouts.request_secs = 1).await;
    let (st, e) = get_json(&s.url("/local/sub/slow.mov")).await;
    assert_eq!(st, 504);
    assert_eq!(e["status"], 504);
    let _ = get_json_ok(&s.url("/healthz")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_in_flight_requests() {
    let s = TestServer::start(|_| {}).await;
    *s.backend.decode_delay.lock().expect("lock") = Duration::from_millis(500);
    let url = s.url(&format!("{MOVIE}/frame/3"));
    let inflight = tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let addr = s.addr;
    s.stop().await.expect("clean stop");
    assert_eq!(inflight.await.expect("join").expect("request"), 200);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no longer listening");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_and_wrong_methods() {
    let s = TestServer::start(|_| {}).await;
    let client = reqwest::Client::new();
    let r = client.head(s.url(&format!("{MOVIE}/frame/1"))).send().await.expect("head");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "image/png");
    assert!(r.headers().contains_key(ETAG));
    let r = client.post(s.url(MOVIE)).send().await.expect("post");
    assert_eq!(r.status(), 405);
    let e: serde_json::Value = r.json().await.expect("json");
    assert_eq!(e["status"], 405);
}

/// 64 concurrent clients asking random warm frames: no error; latency percentiles printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_load_64_clients() {
    let s = TestServer::start(|_| {}).await;
    let client = reqwest::Client::new();
    for n in 1..=32 {
        let r = client.get(s.url(&format!("{MOVIE}/frame/{n}"))).send().await.expect("warm");
        assert_eq!(r.status(), 200);
    }
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..64u64)
        .map(|c| {
            let client = client.clone();
            let base = s.url(MOVIE);
            tokio::spawn(async move {
                let mut seed = c.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let mut lat = Vec::new();
                for _ in 0..20 {
                    seed =
                        seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    let n = 1 + (seed >> 33) % 32;
                    let t = std::time::Instant::now();
                    let r = client.get(format!("{base}/frame/{n}")).send().await.expect("get");
                    assert_eq!(r.status(), 200);
                    r.bytes().await.expect("body");
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("join"));
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: usize| all[(all.len() * p / 100).min(all.len() - 1)];
    eprintln!(
        "warm load: {} requests, 64 clients, {:.0} req/s, p50 {:?}, p99 {:?}",
        all.len(),
        all.len() as f64 / secs,
        pct(50),
        pct(99)
    );
    assert_eq!(all.len(), 64 * 20);
    assert_eq!(s.backend.frames(), 32, "warm frames are never decoded again");
}
