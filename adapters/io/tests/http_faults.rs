//! HttpSource against every fault the test server injects, with exact request
//! counts and bytes.

mod common;

use std::time::{Duration, Instant};

use common::{
    data, mib_server, open_mib_then_fault, open_mib_under_validator, read, read_resumed_after,
    read_through_one_503, read_times_out, small_block_opts, stall_deadline_retries, statuses, MIB,
};
use lazyqt_io::{HttpSource, ReadAt, Source, SourceError};
use lazyqt_testserver::{Faults, TestServer, ValidatorMode};

#[test]
fn server_errors_are_retried_then_succeed() {
    let server = mib_server();
    server.set_faults(Faults { fail_500: 2, ..Faults::default() });
    let src = HttpSource::open(&server.url("f.bin"), &small_block_opts()).unwrap();
    assert_eq!(statuses(&server), [500, 500, 206]);
    let s = src.stats();
    assert_eq!((s.requests, s.retries, s.bytes_fetched), (3, 2, 4096));
}

#[test]
fn persistent_server_errors_give_up_after_max_retries() {
    let server = mib_server();
    server.set_faults(Faults { fail_500: 100, ..Faults::default() });
    let mut opts = small_block_opts();
    opts.http.retry.max_retries = 3;
    let err = HttpSource::open(&server.url("f.bin"), &opts).unwrap_err();
    assert!(matches!(err, SourceError::HttpStatus { status: 500, .. }), "{err}");
    assert_eq!(server.request_count(), 4);
}

#[test]
fn retry_after_is_honoured() {
    let (server, waited) = read_through_one_503(Duration::from_secs(2), 1);
    assert!(waited >= Duration::from_millis(950), "waited {waited:?}");
    assert_eq!(statuses(&server), [206, 503, 206]);
}

#[test]
fn retry_after_beyond_the_deadline_fails_at_once() {
    let mut opts = small_block_opts();
    opts.http.timeouts.deadline = Duration::from_millis(500);
    opts.http.retry.backoff.max = Duration::from_secs(30);
    let (server, src) =
        open_mib_then_fault(&opts, Faults { fail_503: 1, retry_after_secs: 30, ..Faults::default() });
    let t0 = Instant::now();
    let err = read(&src, 200_000, 8).unwrap_err();
    assert!(matches!(err, SourceError::HttpStatus { status: 503, .. }), "{err}");
    assert!(t0.elapsed() < Duration::from_secs(2));
    assert_eq!(server.request_count(), 2);
}

#[test]
fn connection_dropped_mid_body_is_resumed_from_where_it_stopped() {
    let (log, src) =
        read_resumed_after(&small_block_opts(), Faults { drop_mid_body: 1, ..Faults::default() });
    assert_eq!(log[1].range.as_deref(), Some("bytes=100000-163999"));
    assert_eq!(log[1].bytes_sent, 32_000);
    assert_eq!(log[2].bytes_sent, 32_000);
    assert_eq!(src.stats().bytes_fetched, 4096 + 64_000);
}

#[test]
fn short_body_is_resumed() {
    let (log, _) = read_resumed_after(&small_block_opts(), Faults { short_body: 1, ..Faults::default() });
    assert_eq!(log[1].bytes_sent + log[2].bytes_sent, 64_000);
}

/// The same server would answer the same wrong range again: one request, no retry.
#[test]
fn wrong_content_range_is_an_error_without_a_retry() {
    let (server, src) =
        open_mib_then_fault(&small_block_opts(), Faults { wrong_content_range: 100, ..Faults::default() });
    let mut buf = vec![0u8; 64_000];
    let err = src.read_exact_at(100_000, &mut buf).unwrap_err();
    assert!(matches!(err, SourceError::ContentRange { .. }), "{err}");
    assert!(buf.iter().all(|&b| b == 0), "no bytes written on error");
    assert_eq!(server.request_count(), 2, "the open, then exactly one request");
    assert_eq!(src.stats().retries, 0);
}

#[test]
fn weak_etag_is_never_sent_but_a_change_of_it_is_detected() {
    let (server, src) = open_mib_under_validator(ValidatorMode::WeakOnly);
    let log = server.requests();
    assert!(log.iter().all(|r| r.if_match.is_none() && r.if_unmodified_since.is_none()));
    server.update_faults(|f| f.change_after = Some(2));
    let err = read(&src, 300_000, 8).unwrap_err();
    assert!(matches!(err, SourceError::ChangedUpstream { .. }), "{err}");
}

#[test]
fn last_modified_only_is_sent_as_if_unmodified_since() {
    let (server, src) = open_mib_under_validator(ValidatorMode::LastModifiedOnly);
    let log = server.requests();
    assert_eq!(log[1].if_match, None);
    assert_eq!(log[1].if_unmodified_since.as_deref(), Some("Wed, 01 Jan 2020 00:00:00 GMT"));
    server.update_faults(|f| f.change_after = Some(2));
    let err = read(&src, 300_000, 8).unwrap_err();
    assert!(matches!(err, SourceError::ChangedUpstream { .. }), "{err}");
    assert_eq!(server.requests()[2].status, 412);
}

#[test]
fn no_validator_still_reads_without_conditions() {
    let server = mib_server();
    server.set_faults(Faults { validator: ValidatorMode::None, ..Faults::default() });
    let cache = tempfile::tempdir().unwrap();
    let mut opts = small_block_opts();
    opts.cache.dir = Some(cache.path().into());
    opts.cache.no_disk = false;
    let src = HttpSource::open(&server.url("f.bin"), &opts).unwrap();
    assert_eq!(read(&src, 200_000, 8).unwrap(), data(MIB)[200_000..200_008]);
    assert!(server.requests().iter().all(|r| r.if_match.is_none() && r.if_unmodified_since.is_none()));
    assert_eq!(
        std::fs::read_dir(cache.path()).map(|d| d.count()).unwrap_or(0),
        0,
        "nothing cached on disk without a validator"
    );
}

#[test]
fn change_upstream_gives_a_clear_error_and_drops_the_cache() {
    let (server, src) =
        open_mib_then_fault(&small_block_opts(), Faults { change_after: Some(1), ..Faults::default() });
    let mut buf = vec![0u8; 100];
    let err = src.read_exact_at(500_000, &mut buf).unwrap_err();
    assert!(matches!(err, SourceError::ChangedUpstream { .. }), "{err}");
    assert!(err.to_string().contains("changed upstream"), "{err}");
    assert!(buf.iter().all(|&b| b == 0), "no bytes of either version");
    assert_eq!(server.requests()[1].status, 412);
    // Even the cached head is refused now, without a request.
    let err = src.read_exact_at(0, &mut buf).unwrap_err();
    assert!(matches!(err, SourceError::ChangedUpstream { .. }), "{err}");
    assert_eq!(server.request_count(), 2);
}

#[test]
fn server_ignoring_range_on_a_large_file_is_an_error_without_downloading_it() {
    let size = 64 * MIB;
    let server = TestServer::serve_files([("big.bin", vec![7u8; size])]).unwrap();
    server.set_faults(Faults { ignore_range: true, ..Faults::default() });
    let err = HttpSource::open(&server.url("big.bin"), &small_block_opts()).unwrap_err();
    assert!(matches!(err, SourceError::RangeNotSupported { .. }), "{err}");
    assert!(err.to_string().contains("does not support range requests"), "{err}");
    assert_eq!(server.request_count(), 1);
    // Wait for the server to notice the closed connection.
    let t0 = Instant::now();
    while server.bytes_sent() == size as u64 && t0.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = server.bytes_sent();
    assert!(sent < size as u64 / 4, "server sent {sent} of {size} bytes");
}

#[test]
fn server_ignoring_range_on_a_small_file_serves_it_whole_once() {
    let server = TestServer::serve_files([("s.bin", data(100_000))]).unwrap();
    server.set_faults(Faults { ignore_range: true, ..Faults::default() });
    let src = HttpSource::open(&server.url("s.bin"), &small_block_opts()).unwrap();
    assert_eq!(src.len().unwrap(), 100_000);
    assert_eq!(read(&src, 50_000, 40_000).unwrap(), data(100_000)[50_000..90_000]);
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.bytes_sent(), 100_000);
}

#[test]
fn slow_body_within_the_timeout_is_fine() {
    let (server, src) = open_mib_then_fault(
        &small_block_opts(),
        Faults { slow_body: Some(Duration::from_millis(20)), ..Faults::default() },
    );
    assert_eq!(read(&src, 100_000, 64_000).unwrap(), data(MIB)[100_000..164_000]);
    assert_eq!(server.request_count(), 2);
}

#[test]
fn stalled_body_times_out_under_the_deadline() {
    let opts = stall_deadline_retries(Duration::from_millis(100), Duration::from_secs(2), 2);
    let slow = Faults { slow_body: Some(Duration::from_millis(400)), ..Faults::default() };
    let (server, _) = read_times_out(&opts, slow, Duration::ZERO, Duration::from_secs(3));
    assert_eq!(server.requests_received(), 4, "open + 3 attempts");
}
