//! The acceptance tests of issues 3, 7 and 13: a moov-at-end movie over HTTP parsed
//! with the core's atom walker in one request (head and tail together) and at most
//! moov + 256 KiB, CamHD's moov included; a second source with the same disk cache
//! makes none; a change upstream is an error, never wrong bytes.

mod common;

use std::time::Duration;

use common::{camhd_like, info, opts, read};
use lazyqt_io::{HttpSource, ReadAt, Source, SourceError};
use lazyqt_testkit::generated as movie;
use lazyqt_testserver::TestServer;

/// A temp dir served over HTTP holding a copy of a generated movie.
fn serve_copy(name: &str) -> (tempfile::TempDir, TestServer, Vec<u8>) {
    let www = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(movie(name)).unwrap();
    std::fs::write(www.path().join(name), &bytes).unwrap();
    let server = TestServer::serve_dir(www.path()).unwrap();
    (www, server, bytes)
}

#[test]
fn cold_info_of_a_moov_at_end_movie_takes_one_request() {
    let (_www, server, bytes) = serve_copy("prores2.mov");
    let cache = tempfile::tempdir().unwrap();
    let src = HttpSource::open(&server.url("prores2.mov"), &opts(Some(cache.path()))).unwrap();
    let moov = info(&src);
    assert_eq!(moov.end(), bytes.len() as u64, "moov is last in this movie");
    let s = src.stats();
    eprintln!("cold info: moov {} bytes, {s:?}", moov.size);
    assert_eq!(s.requests, 1, "{s:?} {:#?}", server.requests());
    assert_eq!(server.requests()[0].range.as_deref(), Some("bytes=0-16383,-245760"));
    assert!(
        s.bytes_fetched <= moov.size + 256 * 1024,
        "fetched {} bytes for a moov of {}",
        s.bytes_fetched,
        moov.size
    );
    assert_eq!(server.bytes_sent(), s.bytes_fetched);
    // Same bytes as the file.
    let m = read(&src, moov.offset, moov.size as usize).unwrap();
    assert_eq!(m, bytes[moov.offset as usize..moov.end() as usize]);
    assert_eq!(server.request_count(), 1);
}

#[test]
fn cold_info_of_a_faststart_movie_takes_at_most_two_requests() {
    let (_www, server, _) = serve_copy("prores_faststart.mov");
    let src = HttpSource::open(&server.url("prores_faststart.mov"), &opts(None)).unwrap();
    let moov = info(&src);
    assert!(moov.offset < 1024, "moov first");
    assert!(src.stats().requests <= 2, "{:?}", src.stats());
    assert!(src.stats().bytes_fetched <= moov.size + 256 * 1024 + 512);
}

#[test]
fn warm_info_from_the_disk_cache_makes_no_request() {
    let (_www, server, bytes) = serve_copy("prores2.mov");
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("prores2.mov");
    let cold = HttpSource::open(&url, &opts(Some(cache.path()))).unwrap();
    let moov = info(&cold);
    drop(cold);
    server.clear_log();
    // A new source (as a new process would make) within the TTL.
    let warm = HttpSource::open(&url, &opts(Some(cache.path()))).unwrap();
    let moov2 = info(&warm);
    assert_eq!(moov, moov2);
    assert_eq!(server.request_count(), 0, "{:#?}", server.requests());
    let s = warm.stats();
    assert_eq!(s.requests, 0);
    assert!(s.disk_hits >= 2, "{s:?}");
    assert_eq!(read(&warm, moov.offset, 64).unwrap(), bytes[moov.offset as usize..moov.offset as usize + 64]);
}

#[test]
fn after_the_ttl_one_request_revalidates_and_the_disk_cache_is_reused() {
    let (_www, server, _) = serve_copy("prores2.mov");
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("prores2.mov");
    // A small first tail, so the moov needs the tail grown: that growth is on disk.
    let mut o = opts(Some(cache.path()));
    o.cache.ttl = Some(Duration::ZERO);
    o.http.open.open_tail = 256;
    info(&HttpSource::open(&url, &o).unwrap());
    // Forget the directory's tail hint that open left, which would size the next
    // first request to hold the moov.
    std::fs::remove_dir_all(cache.path().join(".hints")).unwrap();
    server.clear_log();
    let again = HttpSource::open(&url, &o).unwrap();
    info(&again);
    assert_eq!(server.request_count(), 1, "{:#?}", server.requests());
    assert!(again.stats().disk_hits >= 1);
}

#[test]
fn a_change_between_reads_is_an_error_and_no_wrong_bytes() {
    let (www, server, bytes) = serve_copy("prores2.mov");
    let url = server.url("prores2.mov");
    let src = HttpSource::open(&url, &opts(None)).unwrap();
    // The file is replaced on the server (new content, new mtime, so a new ETag).
    let path = www.path().join("prores2.mov");
    let changed: Vec<u8> = bytes.iter().map(|b| !b).collect();
    std::fs::write(&path, &changed).unwrap();
    let f = std::fs::File::options().write(true).open(&path).unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(10)).unwrap();
    drop(f);
    let mut buf = vec![0u8; 4096];
    let off = bytes.len() as u64 / 3;
    let err = src.read_exact_at(off, &mut buf).unwrap_err();
    assert!(matches!(err, SourceError::ChangedUpstream { .. }), "{err}");
    assert!(buf.iter().all(|&b| b == 0));
    assert_eq!(server.requests().last().unwrap().status, 412);
    // Reopening reads the new version.
    let fresh = HttpSource::open(&url, &opts(None)).unwrap();
    assert_eq!(read(&fresh, off, 4096).unwrap(), changed[off as usize..off as usize + 4096]);
}

#[test]
fn stale_disk_metadata_never_yields_stale_payload() {
    let (www, server, bytes) = serve_copy("prores2.mov");
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("prores2.mov");
    info(&HttpSource::open(&url, &opts(Some(cache.path()))).unwrap());
    let path = www.path().join("prores2.mov");
    std::fs::write(&path, bytes.iter().map(|b| b.wrapping_add(1)).collect::<Vec<u8>>()).unwrap();
    let f = std::fs::File::options().write(true).open(&path).unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(10)).unwrap();
    drop(f);
    // Within the TTL the cached metadata is trusted, but the payload request carries
    // If-Match, so the change is caught before any frame byte is used.
    let warm = HttpSource::open(&url, &opts(Some(cache.path()))).unwrap();
    info(&warm);
    let mut frame = vec![0u8; 50_000];
    let err = warm.read_exact_at(100_000, &mut frame).unwrap_err();
    assert!(matches!(err, SourceError::ChangedUpstream { .. }), "{err}");
    assert!(frame.iter().all(|&b| b == 0));
    // The disk entry was dropped: the next open asks the server.
    server.clear_log();
    let next = HttpSource::open(&url, &opts(Some(cache.path()))).unwrap();
    assert_eq!(server.request_count(), 1);
    assert_eq!(read(&next, 0, 8).unwrap(), bytes[..8].iter().map(|b| b.wrapping_add(1)).collect::<Vec<u8>>());
}

#[test]
fn open_dispatches_on_the_string() {
    let (_www, server, bytes) = serve_copy("prores2.mov");
    let o = opts(None);
    let http = lazyqt_io::open(&server.url("prores2.mov"), &o).unwrap();
    let file = lazyqt_io::open(movie("prores2.mov").to_str().unwrap(), &o).unwrap();
    assert_eq!(info(&*http), info(&*file));
    assert_eq!(read(&*file, 0, 32).unwrap(), bytes[..32]);
    assert!(http.uri().starts_with("http://"));
    assert_eq!(http.stats().requests, 1);
    assert_eq!(file.stats().requests, 0);
    let file_url = format!("file://{}", movie("prores2.mov").display());
    assert_eq!(lazyqt_io::open(&file_url, &o).unwrap().len().unwrap(), bytes.len() as u64);
    for bad in ["", "  ", "ftp://example.org/x.mov", "http://", "http://exa mple.org/x.mov"] {
        let err = lazyqt_io::open(bad, &o).unwrap_err();
        assert!(matches!(err, SourceError::InvalidUrl { .. }), "{bad}: {err}");
    }
    let err = lazyqt_io::open("/definitely/not/here.mov", &o).unwrap_err();
    assert!(matches!(err, SourceError::Io { .. }), "{err}");
}

#[test]
fn camhd_shaped_movie_info_costs_one_request_and_moov_plus_256k() {
    let file = camhd_like(25_000, 48 * 1024 * 1024);
    let size = file.len();
    let server = TestServer::serve_files([("camhd.mov", file)]).unwrap();
    let src = HttpSource::open(&server.url("camhd.mov"), &opts(None)).unwrap();
    let moov = info(&src);
    let s = src.stats();
    eprintln!("camhd-shaped info: file {size} bytes, moov {} bytes, {s:?}", moov.size);
    assert!(moov.size > 100_000);
    // Head and tail, the tail holding the whole moov.
    let log = server.requests();
    assert_eq!(s.requests, 1, "{log:#?}");
    assert!(size as u64 - moov.offset <= 240 * 1024);
    assert!(s.bytes_fetched <= moov.size + 256 * 1024, "{} for moov {}", s.bytes_fetched, moov.size);
    assert_eq!(server.bytes_sent(), s.bytes_fetched);
    // A frame read is one exact request carrying If-Match.
    read(&src, 48 + 560_000, 560_000).unwrap();
    let last = server.requests().pop().unwrap();
    assert_eq!(last.range.as_deref(), Some("bytes=560048-1120047"));
    assert!(last.if_match.is_some());
    assert_eq!(server.request_count(), 2);
}
