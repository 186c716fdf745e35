//! Requests an archive costs, counted by the loopback test server serving the generated
//! archive (its autoindex is nginx's form): a day's catalog lists only the directories
//! down to that day and the day before, opens each movie with one request cold, and
//! costs only the listings warm (the movies' metadata comes from the disk cache).

mod common;

use common::{archive_dir, opts, tempdir};
use lazyqt_archive::{Archive, Status};
use lazyqt_testserver::TestServer;
use time::macros::datetime;

#[test]
fn a_catalog_opens_each_movie_once_cold_and_lists_only_warm() {
    let server = TestServer::serve_dir(archive_dir()).unwrap();
    let cache = tempdir("requests-cache");
    let (from, to) = (datetime!(2016-11-13 0:00 UTC), datetime!(2016-11-13 23:59:59 UTC));
    let listings = ["/", "/2016/", "/2016/11/", "/2016/11/12/", "/2016/11/13/"];

    let cold =
        Archive::new(&server.url("/"), &opts(Some(&cache))).unwrap().catalog(Some(from), Some(to)).unwrap();
    assert_eq!(cold.len(), 4);
    let log = server.requests();
    let mut paths: Vec<&str> = log.iter().map(|r| r.path.as_str()).collect();
    paths.sort_unstable();
    let mut expected: Vec<String> = listings.iter().map(|s| s.to_string()).collect();
    // The last movie starting before the day (opened to learn its end: it is still
    // recording at midnight) and the day's three (one malformed).
    for m in [
        "2016/11/12/CAMHDA301-20161112T235959Z.mov",
        "2016/11/13/CAMHDA301-20161113T030000Z.mov",
        "2016/11/13/CAMHDA301-20161113T060000Z.mov",
        "2016/11/13/CAMHDA301-20161113T090000Z.mov",
    ] {
        expected.push(format!("/{m}"));
    }
    expected.sort_unstable();
    assert_eq!(paths, expected, "one listing per directory needed, one request per movie");

    server.clear_log();
    let warm =
        Archive::new(&server.url("/"), &opts(Some(&cache))).unwrap().catalog(Some(from), Some(to)).unwrap();
    assert_eq!(warm, cold);
    let log = server.requests();
    let movie_requests: Vec<&str> =
        log.iter().map(|r| r.path.as_str()).filter(|p| p.ends_with(".mov")).collect();
    // The malformed movie too: its bytes are cached, it fails the same way from them.
    assert!(movie_requests.is_empty(), "{log:#?}");
    assert_eq!(log.len(), listings.len(), "{log:#?}");
    assert!(warm.iter().filter(|r| r.status == Status::Ok).count() == 3);
}

#[test]
fn a_frame_lookup_lists_its_day_alone_and_opens_one_movie() {
    let server = TestServer::serve_dir(archive_dir()).unwrap();
    let archive = Archive::new(&server.url("/"), &opts(None)).unwrap();
    let paths = || -> Vec<String> { server.requests().into_iter().map(|r| r.path).collect() };
    let hit = archive.locate(datetime!(2016-11-13 09:00:01 UTC), false).unwrap();
    assert!(hit.record.url.ends_with("CAMHDA301-20161113T090000Z.mov"));
    assert_eq!(hit.frame, 29);
    assert_eq!(paths(), ["/2016/11/13/", "/2016/11/13/CAMHDA301-20161113T090000Z.mov"]);
    // A second lookup on the same archive reuses the listing.
    server.clear_log();
    archive.locate(datetime!(2016-11-13 03:00:01 UTC), false).unwrap();
    assert_eq!(paths(), ["/2016/11/13/CAMHDA301-20161113T030000Z.mov"]);
    // Before the day's first movie: the day before is listed too (its last movie may
    // still be recording), and only that one is opened.
    server.clear_log();
    let hit = archive.locate(datetime!(2016-11-13 00:00:01 UTC), false).unwrap();
    assert!(hit.record.url.ends_with("CAMHDA301-20161112T235959Z.mov"));
    assert_eq!(paths(), ["/2016/11/12/", "/2016/11/12/CAMHDA301-20161112T235959Z.mov"]);
}

#[test]
fn a_root_without_day_directories_is_walked() {
    let server = TestServer::serve_dir(archive_dir()).unwrap();
    let archive = Archive::new(&server.url("/misc"), &opts(None)).unwrap();
    let hit = archive.locate(datetime!(2016-11-13 12:00:01 UTC), false).unwrap();
    assert!(hit.record.url.ends_with("/misc/CAMHDA301-20161113T120000Z.mov"), "{}", hit.record.url);
    assert_eq!(hit.frame, 29);
    let log: Vec<(String, u16)> = server.requests().into_iter().map(|r| (r.path, r.status)).collect();
    assert_eq!(
        log,
        [
            ("/misc/2016/11/13/".to_string(), 404),
            ("/misc/".to_string(), 200),
            ("/misc/CAMHDA301-20161113T120000Z.mov".to_string(), 206)
        ]
    );
    // The same from the local directory.
    let local = Archive::new(archive_dir().join("misc").to_str().unwrap(), &opts(None)).unwrap();
    assert_eq!(local.locate(datetime!(2016-11-13 12:00:01 UTC), false).unwrap().frame, 29);
}

/// A root whose URL has a query (an access token) keeps it on every request below it:
/// listings, and the reads of the movies the catalog opens and a frame lookup decodes.
#[test]
fn the_roots_query_goes_with_every_request() {
    let server = TestServer::serve_dir(archive_dir()).unwrap();
    let root = format!("{}?token=abc", server.url("/"));
    let archive = Archive::new(&root, &opts(None)).unwrap();
    let rows = archive
        .catalog(Some(datetime!(2016-11-13 0:00 UTC)), Some(datetime!(2016-11-13 23:59:59 UTC)))
        .unwrap();
    assert_eq!(rows.iter().filter(|r| r.status == Status::Ok).count(), 3, "{rows:#?}");
    assert!(rows.iter().all(|r| r.url.ends_with(".mov?token=abc")), "{rows:#?}");
    let hit = archive.locate(datetime!(2016-11-13 03:00:01 UTC), false).unwrap();
    hit.media.decode_frame(hit.frame, &Default::default()).unwrap();
    let log = server.requests();
    assert!(log.len() > 5, "{log:#?}");
    for r in &log {
        assert!(r.path.ends_with("?token=abc"), "{} lost the query", r.path);
    }
}
