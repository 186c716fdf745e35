//! The archive routes over a generated CamHD-layout archive (lazyqt-testkit's
//! `archive_dir`), mounted locally and upstream (the loopback test server's autoindex),
//! through the real router and `MediaBackend`: the frame at an instant equals the ffmpeg
//! CLI's decode of the frame the archive computes, a gap is a 404 naming the recordings
//! around it, a catalog equals the library's (`lazyqt ls --json`'s) rows, and second
//! requests revalidate with their ETags.

#[path = "../../../testdata/colour.rs"]
mod colour;
#[path = "common/running.rs"]
mod running;

use lazyqt_archive::names::parse_instant;
use lazyqt_archive::Archive;
use lazyqt_server::{Mount, ServerConfig};
use lazyqt_testserver::TestServer;
use running::{get, Running};
use serde_json::Value;

struct Fixture {
    server: Running,
    upstream: TestServer,
}

/// The archive mounted at `/local` (the directory), `/up` (the test server over it) and
/// `/tok` (the same with `?token=abc` in the mount URL).
fn start() -> Fixture {
    start_with(ServerConfig::default().cache.listing_ttl_secs)
}

/// [`start`] with archive listings kept `listing_ttl_secs`.
fn start_with(listing_ttl_secs: u64) -> Fixture {
    let dir = lazyqt_testkit::archive_dir();
    let upstream = TestServer::serve_dir(&dir).unwrap();
    let mut config = ServerConfig {
        mounts: vec![
            Mount::parse(&format!("/up={}", upstream.url("/"))).unwrap(),
            Mount::parse(&format!("/local={}", dir.display())).unwrap(),
            Mount::parse(&format!("/tok={}?token=abc", upstream.url("/"))).unwrap(),
        ],
        ..ServerConfig::default()
    };
    config.cache.listing_ttl_secs = listing_ttl_secs;
    Fixture { server: running::serve(config, 64), upstream }
}

fn header(r: &reqwest::blocking::Response, name: &str) -> String {
    r.headers().get(name).unwrap_or_else(|| panic!("no {name}")).to_str().unwrap().to_owned()
}

#[test]
fn frame_at_an_instant_is_ffmpegs_frame_and_revalidates() {
    let f = start();
    let dir = lazyqt_testkit::archive_dir();
    let movie = "2016/11/13/CAMHDA301-20161113T030000Z.mov";
    // 1.5 s after the start: frame floor(1.5 * 30000 / 1001) = 44.
    for mount in ["/local", "/up"] {
        let url = format!("{}{mount}/utc/2016-11-13T03:00:01.5Z.rgba", f.server.base);
        let r = get(&url, None);
        assert_eq!(r.status(), 200, "{mount}: {:?}", r.text());
        assert_eq!(header(&r, "x-lazyqt-file"), format!("{mount}/{movie}"));
        assert_eq!(header(&r, "x-lazyqt-frame"), "44");
        assert_eq!(header(&r, "x-frame-number"), "45");
        assert_eq!(header(&r, "x-lazyqt-utc"), "2016-11-13T03:00:01.5Z");
        assert_eq!(header(&r, "x-lazyqt-offset"), "1.5");
        let tag = header(&r, "etag");
        let body = r.bytes().unwrap();
        assert!(body == colour::ffmpeg_frame(&dir.join(movie), 44, "rgba", ""), "{mount}: pixels differ");
        // The same frame through frame/ has the same ETag; a second request is a 304.
        let direct = get(&format!("{}{mount}/{movie}/frame/45.rgba", f.server.base), None);
        assert_eq!(header(&direct, "etag"), tag);
        let again = get(&url, Some(&tag));
        assert_eq!(again.status(), 304, "{mount}");
        assert_eq!(header(&again, "etag"), tag);
    }
    // A movie that starts the day before and records across midnight (23:59:59 + 2 s).
    let r = get(&format!("{}/local/utc/2016-11-13T00:00:00.5Z.rgba", f.server.base), None);
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-lazyqt-file"), "/local/2016/11/12/CAMHDA301-20161112T235959Z.mov");
    let frame: u32 = header(&r, "x-lazyqt-frame").parse().unwrap();
    assert_eq!(frame, 44, "1.5 s into the movie");
    let path = dir.join("2016/11/12/CAMHDA301-20161112T235959Z.mov");
    assert!(r.bytes().unwrap() == colour::ffmpeg_frame(&path, frame, "rgba", ""));
}

#[test]
fn a_gap_names_its_neighbours_and_nearest_takes_the_closest() {
    let f = start();
    for mount in ["/local", "/up"] {
        let r = get(&format!("{}{mount}/utc/2016-11-13T05:00:00Z", f.server.base), None);
        assert_eq!(r.status(), 404, "{mount}");
        let body: Value = r.json().unwrap();
        assert_eq!(body["status"], 404);
        assert_eq!(body["before"]["file"], format!("{mount}/2016/11/13/CAMHDA301-20161113T030000Z.mov"));
        assert_eq!(body["before"]["end"], "2016-11-13T03:00:02.002Z");
        // The malformed 06:00 movie is skipped: the next recording is 09:00.
        assert_eq!(body["after"]["file"], format!("{mount}/2016/11/13/CAMHDA301-20161113T090000Z.mov"));
        assert_eq!(body["after"]["start"], "2016-11-13T09:00:00Z");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains("no recording at 2016-11-13T05:00:00Z"), "{error}");
        assert!(!error.contains("127.0.0.1") && !error.contains("archive/"), "{error}");

        // Two hours after the one before, four before the one after: its last frame.
        let r = get(&format!("{}{mount}/utc/2016-11-13T05:00:00Z.png?nearest=1", f.server.base), None);
        assert_eq!(r.status(), 200, "{mount}");
        assert_eq!(header(&r, "x-lazyqt-file"), format!("{mount}/2016/11/13/CAMHDA301-20161113T030000Z.mov"));
        assert_eq!(header(&r, "x-lazyqt-frame"), "59");
        assert_eq!(header(&r, "content-type"), "image/png");
    }
    // Before the first recording, nothing before; a movie that does not open is a clear 415.
    let r = get(&format!("{}/local/utc/2016-11-12T20:00:00Z", f.server.base), None);
    assert_eq!(r.status(), 404);
    let body: Value = r.json().unwrap();
    assert_eq!(body["before"], Value::Null);
    assert_eq!(body["after"]["file"], "/local/2016/11/12/CAMHDA301-20161112T210000Z.mov");
    let r = get(&format!("{}/local/utc/2016-11-13T06:00:01Z", f.server.base), None);
    assert_eq!(r.status(), 415);
    let text = r.text().unwrap();
    assert!(text.contains("/local/2016/11/13/CAMHDA301-20161113T060000Z.mov"), "{text}");
    assert!(
        !text.contains(&lazyqt_testkit::archive_dir().display().to_string()),
        "a local path shown: {text}"
    );
    let r = get(&format!("{}/local/utc/2016-13-01T00:00:00Z", f.server.base), None);
    assert_eq!(r.status(), 400);
}

#[test]
fn catalog_is_the_libraries_rows_with_paths_here() {
    let f = start();
    let dir = lazyqt_testkit::archive_dir();
    let (from, to) = ("2016-11-12T00:00:00Z", "2016-11-15T23:59:59Z");
    let mut opts = lazyqt_io::SourceOptions::default();
    opts.cache.no_disk = true;
    let records = Archive::new(dir.to_str().unwrap(), &opts)
        .unwrap()
        .catalog(Some(parse_instant(from).unwrap()), Some(parse_instant(to).unwrap()))
        .unwrap();
    // What `lazyqt ls --json` prints: one serialized record a line.
    let expected: Vec<Value> = records.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    assert_eq!(expected.len(), 6, "five movies and the malformed one");
    for mount in ["/local", "/up"] {
        let url = format!("{}{mount}/catalog?from={from}&to={to}", f.server.base);
        let r = get(&url, None);
        assert_eq!(r.status(), 200, "{mount}");
        let tag = header(&r, "etag");
        let rows: Vec<Value> = r.json().unwrap();
        assert_eq!(rows.len(), expected.len(), "{mount}");
        for (row, want) in rows.iter().zip(&expected) {
            let rel = want["url"].as_str().unwrap().strip_prefix(dir.to_str().unwrap()).unwrap();
            assert_eq!(row["url"], format!("{mount}{rel}"));
            for key in ["start", "end", "duration", "frames", "codec", "status", "start_from"] {
                assert_eq!(row[key], want[key], "{mount} {rel} {key}");
            }
            if want["status"] == "ok" {
                assert_eq!(row["size"], want["size"], "{mount} {rel}");
            }
        }
        let again = get(&url, Some(&tag));
        assert_eq!(again.status(), 304, "{mount}");
        // A day directory below the mount is an archive too.
        let day: Vec<Value> = get(
            &format!("{}{mount}/2016/11/13/catalog?from=2016-11-13&to=2016-11-13T23:59:59Z", f.server.base),
            None,
        )
        .json()
        .unwrap();
        let names: Vec<&str> = day.iter().map(|r| r["url"].as_str().unwrap()).collect();
        assert!(names.iter().all(|n| n.starts_with(&format!("{mount}/2016/11/13/"))), "{names:?}");
        assert_eq!(day.len(), 3, "{names:?}");
    }
    let r = get(&format!("{}/local/catalog?from=2016-01-01&to=2016-12-31", f.server.base), None);
    assert_eq!(r.status(), 400, "more than a month");
}

/// `<dir>/sheet`: `format=json` places the tiles (a gap left out and counted), the PNG's
/// tiles are ffmpeg's decode of those frames at that width byte for byte, the ETag
/// revalidates (304), JPEG is the default; past the limits a JSON 422, bad queries 400.
#[test]
fn sheet_tiles_are_ffmpegs_scaled_frames_and_revalidate() {
    let f = start();
    let dir = lazyqt_testkit::archive_dir();
    let png_file = std::env::temp_dir().join(format!("lazyqt-server-sheet-{}.png", std::process::id()));
    let range = "from=2016-11-12T23:59:59Z&to=2016-11-13T03:00:01Z&count=3&width=80";
    for mount in ["/local", "/up"] {
        let layout: Value =
            get(&format!("{}{mount}/sheet?{range}&format=json", f.server.base), None).json().unwrap();
        let tiles = layout["tiles"].as_array().unwrap();
        let got: Vec<(&str, u64, &str)> = tiles
            .iter()
            .map(|t| {
                (t["file"].as_str().unwrap(), t["frame"].as_u64().unwrap(), t["label"].as_str().unwrap())
            })
            .collect();
        let (a, b) = (
            format!("{mount}/2016/11/12/CAMHDA301-20161112T235959Z.mov"),
            format!("{mount}/2016/11/13/CAMHDA301-20161113T030000Z.mov"),
        );
        assert_eq!(got, [(a.as_str(), 0, "2016-11-12 23:59:59Z"), (b.as_str(), 29, "2016-11-13 03:00:01Z")]);
        assert_eq!(layout["gaps"], serde_json::json!(["2016-11-13T01:30:00Z"]));

        let r = get(&format!("{}{mount}/sheet?{range}&format=png", f.server.base), None);
        assert_eq!(r.status(), 200, "{mount}");
        assert_eq!(header(&r, "content-type"), "image/png");
        assert_eq!((header(&r, "x-lazyqt-tiles"), header(&r, "x-lazyqt-gaps")), ("2".into(), "1".into()));
        assert_eq!(header(&r, "cache-control"), "public, max-age=60");
        let (width, height) =
            (layout["width"].as_u64().unwrap() as usize, layout["height"].as_u64().unwrap() as usize);
        assert_eq!(header(&r, "x-image-width"), width.to_string());
        let tag = header(&r, "etag");
        std::fs::write(&png_file, r.bytes().unwrap()).unwrap();
        let pixels = lazyqt_testkit::ffmpeg_frame(&png_file, 0, "rgb24", "");
        assert_eq!(pixels.len(), width * height * 3);
        for t in tiles {
            let (x, y) = (t["x"].as_u64().unwrap() as usize, t["y"].as_u64().unwrap() as usize);
            let tile: Vec<u8> = (0..45)
                .flat_map(|r| pixels[(y + r) * width * 3 + x * 3..][..80 * 3].iter().copied())
                .collect();
            let movie = dir.join(t["file"].as_str().unwrap().strip_prefix(&format!("{mount}/")).unwrap());
            let frame = u32::try_from(t["frame"].as_u64().unwrap()).unwrap();
            assert!(tile == colour::ffmpeg_frame(&movie, frame, "rgb24", ",scale=80:45"), "{mount}: {t}");
        }
        let again = get(&format!("{}{mount}/sheet?{range}&format=png", f.server.base), Some(&tag));
        assert_eq!(again.status(), 304, "{mount}");
        let jpeg = get(&format!("{}{mount}/sheet?{range}", f.server.base), Some(&tag));
        assert_eq!(jpeg.status(), 200, "another format, another ETag");
        assert_eq!(header(&jpeg, "content-type"), "image/jpeg");
        assert_ne!(header(&jpeg, "etag"), tag);
    }
    // Within one recording every instant is a tile (a decode).
    let day = "from=2016-11-13T03:00:00Z&to=2016-11-13T03:00:01.9Z";
    for (query, status) in [
        (format!("{day}&count=300"), 422),
        (format!("{day}&count=20&width=2000"), 422),
        (format!("{day}&count=2&width=5000"), 400),
        (day.to_string(), 400),
        (format!("{day}&count=2&every=1h"), 400),
        (format!("{day}&count=2&format=gif"), 400),
        ("from=2016-01-01&to=2016-12-31&count=2".to_string(), 400),
    ] {
        let r = get(&format!("{}/local/sheet?{query}", f.server.base), None);
        assert_eq!(r.status(), status, "{query}");
        let body: Value = r.json().unwrap();
        assert_eq!(body["status"], status, "{query}: a JSON error");
    }
    let _ = std::fs::remove_file(&png_file);
}

/// The mount's archive listings are cached: a second catalog request lists nothing
/// upstream (only movies are read), and once the listing TTL has passed it lists again.
#[test]
fn archive_listings_are_cached_per_mount_for_their_ttl() {
    let f = start_with(1);
    let url = format!("{}/up/catalog?from=2016-11-13&to=2016-11-13T23:59:59Z", f.server.base);
    let listings = || -> Vec<String> {
        let log = f.upstream.requests();
        f.upstream.clear_log();
        log.into_iter().map(|r| r.path).filter(|p| p.ends_with('/')).collect()
    };
    f.upstream.clear_log();
    let first: Value = get(&url, None).json().unwrap();
    let cold = listings();
    assert!(cold.contains(&"/2016/11/13/".to_string()), "{cold:?}");
    let second: Value = get(&url, None).json().unwrap();
    assert_eq!(second, first);
    assert_eq!(listings(), Vec::<String>::new(), "warm: no listing requests");
    // The frame at an instant of that day lists nothing either: the cache is the mount's.
    assert_eq!(get(&format!("{}/up/utc/2016-11-13T03:00:01Z.jpg", f.server.base), None).status(), 200);
    assert_eq!(listings(), Vec::<String>::new(), "utc shares the mount's listings");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let third: Value = get(&url, None).json().unwrap();
    assert_eq!(third, first);
    let mut again = listings();
    let mut cold_sorted = cold.clone();
    again.sort();
    cold_sorted.sort();
    assert_eq!(again, cold_sorted, "after the TTL the same directories are listed again");
}

/// A mount whose URL has a query (an access token) keeps it on every upstream request of
/// the archive routes: listings and movie reads; the answers name movies by their paths
/// here, without it.
#[test]
fn a_mount_query_goes_with_every_archive_request() {
    let f = start();
    f.upstream.clear_log();
    let r = get(&format!("{}/tok/utc/2016-11-13T03:00:01Z.png", f.server.base), None);
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(header(&r, "x-lazyqt-file"), "/tok/2016/11/13/CAMHDA301-20161113T030000Z.mov");
    let rows: Vec<Value> =
        get(&format!("{}/tok/catalog?from=2016-11-13&to=2016-11-13T23:59:59Z", f.server.base), None)
            .json()
            .unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["url"].as_str().unwrap().starts_with("/tok/2016/11/1")), "{rows:?}");
    let sheet = get(
        &format!("{}/tok/sheet?from=2016-11-13T03:00:00Z&to=2016-11-13T03:00:01Z&count=2", f.server.base),
        None,
    );
    assert_eq!(sheet.status(), 200);
    let log = f.upstream.requests();
    assert!(log.iter().any(|r| r.path.starts_with("/2016/11/13/?")), "listed: {log:#?}");
    assert!(
        log.iter().any(|r| r.path.starts_with("/2016/11/13/CAMHDA301-20161113T030000Z.mov?")),
        "{log:#?}"
    );
    for r in &log {
        assert!(r.path.ends_with("?token=abc"), "{} lost the mount's query", r.path);
    }
}
