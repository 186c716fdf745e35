//! `get_small`: a small resource (a directory listing) fetched whole under the read
//! rules of the sources: status errors, a size limit, retries of transient failures.

mod common;

use common::opts;
use lazyqt_io::{get_small, SourceError};
use lazyqt_testserver::{Faults, TestServer};

#[test]
fn a_small_body_comes_whole_and_a_large_one_is_refused() {
    let body: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    let server = TestServer::serve_files([("d/a.txt", body.clone())]).unwrap();
    let got = get_small(&server.url("d/a.txt"), 10_000, &opts(None)).unwrap();
    assert_eq!(got.body, body);
    assert_eq!(got.url, server.url("d/a.txt"));
    // The testserver honours Range: its 206 covering the whole file is the whole body.
    assert!(server.requests().iter().all(|r| r.status == 206), "{:?}", server.requests());

    let err = get_small(&server.url("d/a.txt"), 4999, &opts(None)).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge { size: 5000, limit: 4999, .. }), "{err}");

    let err = get_small(&server.url("d/missing.txt"), 10_000, &opts(None)).unwrap_err();
    assert!(matches!(err, SourceError::HttpStatus { status: 404, .. }), "{err}");

    let listing = get_small(&server.url("d/"), 10_000, &opts(None)).unwrap();
    assert!(String::from_utf8_lossy(&listing.body).contains("href=\"a.txt\""));
}

#[test]
fn transient_failures_are_retried() {
    let server = TestServer::serve_files([("a.txt", b"hello".to_vec())]).unwrap();
    server.set_faults(Faults { fail_503: 2, ..Faults::default() });
    let got = get_small(&server.url("a.txt"), 100, &opts(None)).unwrap();
    assert_eq!(got.body, b"hello");
    assert_eq!(server.request_count(), 3);
}
