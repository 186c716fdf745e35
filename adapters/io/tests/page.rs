//! `get_page`: whole small bodies (directory listings) under the same options as the
//! range reads: identity encoding, retries, the stall and deadline bounds, a size limit.

mod common;

use std::time::{Duration, Instant};

use common::{data, opts, statuses};
use lazyqt_io::{get_page, SourceError};
use lazyqt_testserver::{Faults, TestServer};

fn server() -> TestServer {
    TestServer::serve_files([("index.html", data(5000))]).unwrap()
}

#[test]
fn a_page_is_one_get_for_the_whole_body_asking_for_identity() {
    let server = server();
    let page = get_page(&server.url("index.html"), &opts(None).http, 5000).unwrap();
    assert_eq!(page.body, data(5000));
    assert_eq!(page.url, server.url("index.html"));
    let log = server.requests();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].status, log[0].range.as_deref()), (200, None));
    assert_eq!(log[0].accept_encoding.as_deref(), Some("identity"));
}

#[test]
fn missing_pages_and_oversized_ones_are_errors() {
    let server = server();
    let err = get_page(&server.url("nope.html"), &opts(None).http, 5000).unwrap_err();
    assert!(matches!(err, SourceError::HttpStatus { status: 404, .. }), "{err}");
    let err = get_page(&server.url("index.html"), &opts(None).http, 4999).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge { size: 5000, limit: 4999, .. }), "{err}");
}

#[test]
fn server_errors_are_retried() {
    let server = server();
    server.set_faults(Faults { fail_500: 2, ..Faults::default() });
    assert_eq!(get_page(&server.url("index.html"), &opts(None).http, 5000).unwrap().body, data(5000));
    assert_eq!(statuses(&server), [500, 500, 200]);
}

#[test]
fn a_stalled_server_fails_at_the_deadline() {
    let server = server();
    server.set_faults(Faults { stall_before_headers: 100, ..Faults::default() });
    let mut http = opts(None).http;
    http.timeouts.deadline = Duration::from_millis(800);
    let t0 = Instant::now();
    let err = get_page(&server.url("index.html"), &http, 5000).unwrap_err();
    assert!(matches!(err, SourceError::Timeout { .. }), "{err}");
    let took = t0.elapsed();
    assert!(took >= Duration::from_millis(700) && took < Duration::from_secs(4), "took {took:?}");
}

#[test]
fn a_gzipped_page_is_refused() {
    let server = server();
    server.set_faults(Faults { gzip: 1, ..Faults::default() });
    let mut http = opts(None).http;
    http.retry.max_retries = 0;
    let err = get_page(&server.url("index.html"), &http, 5000).unwrap_err();
    assert!(matches!(err, SourceError::Encoding { .. }), "{err}");
}

#[test]
fn a_directory_listing_comes_from_its_index() {
    let server = TestServer::serve_files([("d/a.txt", data(10))]).unwrap();
    let listing = get_page(&server.url("d/"), &opts(None).http, 10_000).unwrap();
    assert!(String::from_utf8_lossy(&listing.body).contains("href=\"a.txt\""));
}
