//! Upstreams that misbehave on purpose (issue 18): encoded bodies, bare ETags, drips,
//! stalls, redirect loops and cross-origin redirects, overlong Retry-After, credentials
//! in URLs. Each asserts what lazyqt does and how many requests it takes; timeouts are
//! short (1–2 s) so every test is bounded.

mod common;

use std::time::{Duration, Instant};

use common::{
    data, mib_server, open_mib_then_fault, open_mib_under_validator, read, read_resumed_after,
    read_through_one_503, read_times_out, small_block_opts, stall_deadline_retries, statuses, took, MIB,
};
use lazyqt_io::{HttpSource, ReadAt, Source, SourceError};
use lazyqt_testserver::{Drip, Faults, TestServer, ValidatorMode};

/// Fail fast: no retries unless a test asks for them.
fn no_retry() -> lazyqt_io::SourceOptions {
    let mut o = small_block_opts();
    o.http.retry.max_retries = 0;
    o
}

#[test]
fn a_gzipped_range_is_refused_without_a_retry_and_no_byte_is_used() {
    let (server, src) = open_mib_then_fault(&small_block_opts(), Faults { gzip: 100, ..Faults::default() });
    let mut buf = vec![0u8; 64_000];
    let err = src.read_exact_at(100_000, &mut buf).unwrap_err();
    assert!(matches!(&err, SourceError::Encoding { encoding, .. } if encoding == "gzip"), "{err}");
    assert!(err.to_string().contains("Content-Encoding \"gzip\""), "{err}");
    assert!(buf.iter().all(|&b| b == 0), "no bytes written");
    assert_eq!(server.request_count(), 2, "the open, then one request: not retried");
    assert!(server.requests().iter().all(|r| r.accept_encoding.as_deref() == Some("identity")));
    // Small reads through the block cache too, and the open itself.
    assert!(matches!(read(&src, 300_000, 8).unwrap_err(), SourceError::Encoding { .. }));
    let err = HttpSource::open(&server.url("f.bin"), &small_block_opts()).unwrap_err();
    assert!(matches!(err, SourceError::Encoding { .. }), "{err}");
}

/// `ETag: abc123` (no quotes) still names one version: a change is caught exactly as
/// with a quoted one.
#[test]
fn a_change_under_an_unquoted_etag_is_detected_like_under_a_quoted_one() {
    for mode in [ValidatorMode::Unquoted, ValidatorMode::Strong] {
        let (server, src) = open_mib_under_validator(mode);
        assert!(src.version().is_some(), "{mode:?}: a version to key caches on");
        server.update_faults(|f| f.change_after = Some(2));
        let mut buf = vec![0u8; 8];
        let err = src.read_exact_at(300_000, &mut buf).unwrap_err();
        assert!(matches!(err, SourceError::ChangedUpstream { .. }), "{mode:?}: {err}");
        assert_eq!(buf, [0u8; 8], "{mode:?}: no byte of the new version");
        assert!(matches!(read(&src, 0, 8).unwrap_err(), SourceError::ChangedUpstream { .. }));
    }
}

/// One byte every 250 ms never trips the stall timeout; the read's deadline ends it.
#[test]
fn a_dripping_upstream_fails_at_the_deadline() {
    let opts = stall_deadline_retries(Duration::from_secs(1), Duration::from_millis(1500), 6);
    let drip =
        Faults { drip: Some(Drip { bytes: 1, every: Duration::from_millis(250) }), ..Faults::default() };
    let (server, err) = read_times_out(&opts, drip, Duration::from_millis(1400), Duration::from_millis(3000));
    assert!(err.to_string().contains("deadline of 1.5s reached after"), "{err}");
    assert_eq!(server.request_count(), 2, "the deadline is spent: no retry");
}

#[test]
fn a_stall_before_the_headers_fails_at_the_read_timeout() {
    let mut opts = no_retry();
    opts.http.timeouts.headers = Duration::from_secs(1);
    let stall = Faults { stall_before_headers: 100, ..Faults::default() };
    let (_, err) = read_times_out(&opts, stall, Duration::from_millis(900), Duration::from_millis(2500));
    assert!(err.to_string().contains("no answer to bytes=100000-163999 within 1s"), "{err}");
}

#[test]
fn one_stall_before_the_headers_is_retried_on_a_new_connection() {
    let mut opts = small_block_opts();
    opts.http.timeouts.headers = Duration::from_secs(1);
    let (server, src) = open_mib_then_fault(&opts, Faults { stall_before_headers: 1, ..Faults::default() });
    let t0 = Instant::now();
    assert_eq!(read(&src, 100_000, 64_000).unwrap(), data(MIB)[100_000..164_000]);
    took(t0, Duration::from_millis(900), Duration::from_millis(2500));
    assert_eq!(statuses(&server), [206, 0, 206]);
}

#[test]
fn a_stall_mid_body_fails_at_the_stall_timeout() {
    let mut opts = no_retry();
    opts.http.timeouts.stall = Duration::from_secs(1);
    let (_server, src) = open_mib_then_fault(&opts, Faults { stall_mid_body: 100, ..Faults::default() });
    let mut buf = vec![0u8; 64_000];
    let t0 = Instant::now();
    let err = src.read_exact_at(100_000, &mut buf).unwrap_err();
    took(t0, Duration::from_millis(900), Duration::from_millis(2500));
    assert!(matches!(err, SourceError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("no body bytes for 1s after 32000 of 64000 bytes"), "{err}");
    assert!(buf.iter().all(|&b| b == 0), "no bytes written");
}

#[test]
fn one_stall_mid_body_is_resumed_from_where_it_stopped() {
    let mut opts = small_block_opts();
    opts.http.timeouts.stall = Duration::from_secs(1);
    read_resumed_after(&opts, Faults { stall_mid_body: 1, ..Faults::default() });
}

#[test]
fn a_redirect_loop_stops_after_five_redirects_without_retrying() {
    let server = mib_server();
    server.set_faults(Faults { redirect_loop: true, ..Faults::default() });
    let err = HttpSource::open(&server.url("f.bin"), &small_block_opts()).unwrap_err();
    assert!(matches!(err, SourceError::Redirect { .. }), "{err}");
    assert!(err.to_string().contains("more than 5 redirects"), "{err}");
    assert_eq!(server.request_count(), 6, "the request and 5 redirects, once");
}

#[test]
fn a_cross_origin_redirect_is_refused_unless_allowed() {
    let other = mib_server();
    let first = mib_server();
    let origin = other.url("");
    first.set_faults(Faults { redirect_to: Some(origin.clone()), ..Faults::default() });
    let err = HttpSource::open(&first.url("f.bin"), &small_block_opts()).unwrap_err();
    assert!(matches!(err, SourceError::Redirect { .. }), "{err}");
    assert!(err.to_string().contains(&format!("another origin ({origin}f.bin)")), "{err}");
    assert_eq!((first.request_count(), other.request_count()), (1, 0), "nothing reached the other origin");
    let mut opts = small_block_opts();
    opts.http.allow_cross_origin_redirects = true;
    let src = HttpSource::open(&first.url("f.bin"), &opts).unwrap();
    assert_eq!(read(&src, 500_000, 100).unwrap(), data(MIB)[500_000..500_100]);
    assert_eq!(other.request_count(), 2, "the open and the read, from the other origin");
}

#[test]
fn retry_after_longer_than_the_largest_backoff_is_cut_to_it() {
    let (_, waited) = read_through_one_503(Duration::from_millis(200), 100);
    assert!(waited >= Duration::from_millis(190) && waited < Duration::from_secs(2), "waited {waited:?}");
}

#[test]
fn a_client_error_is_not_retried() {
    let server = mib_server();
    let err = HttpSource::open(&server.url("missing.bin"), &small_block_opts()).unwrap_err();
    assert!(matches!(err, SourceError::HttpStatus { status: 404, .. }), "{err}");
    assert_eq!(server.request_count(), 1);
}

#[test]
fn credentials_in_the_url_never_reach_a_message() {
    let server = mib_server();
    let secret_url = |path: &str| {
        let base = server.url(path);
        base.replacen("http://", "http://alice:s3cret@", 1) + "?token=t0ken&v=1"
    };
    let err = HttpSource::open(&secret_url("missing.bin"), &small_block_opts()).unwrap_err().to_string();
    assert!(!err.contains("s3cret") && !err.contains("alice") && !err.contains("t0ken"), "{err}");
    assert!(err.contains("http://***@127.0.0.1:") && err.contains("missing.bin?token=***&v=***"), "{err}");
    let src = HttpSource::open(&secret_url("f.bin"), &small_block_opts()).unwrap();
    server.set_faults(Faults { gzip: 1, ..Faults::default() });
    let err = read(&src, 300_000, 8).unwrap_err().to_string();
    assert!(!err.contains("s3cret") && !err.contains("t0ken"), "{err}");
    let err = lazyqt_io::open("http://u:s3cret@[bad", &small_block_opts()).unwrap_err().to_string();
    assert!(!err.contains("s3cret"), "{err}");
}

#[test]
fn a_same_origin_redirect_is_followed_and_a_loop_back_is_stopped_at_once() {
    let server = TestServer::serve_files([("d/f.bin", data(1000))]).unwrap();
    // `/d` answers 301 to `/d/` (its listing) on the same origin.
    let src = HttpSource::open(&server.url("d"), &small_block_opts()).unwrap();
    let listing = read(&src, 0, src.len().unwrap() as usize).unwrap();
    assert!(String::from_utf8_lossy(&listing).contains("f.bin"));
    assert_eq!(statuses(&server), [301, 200]);
    // A redirect back to a URL already asked for is a loop: stopped before asking again.
    server.clear_log();
    server.set_faults(Faults { redirect_to: Some(server.url("")), ..Faults::default() });
    let err = HttpSource::open(&server.url("d/f.bin"), &small_block_opts()).unwrap_err();
    assert!(err.to_string().contains("redirect loop back to"), "{err}");
    assert_eq!(server.request_count(), 1);
}
