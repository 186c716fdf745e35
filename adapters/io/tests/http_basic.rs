//! HttpSource against the test server without faults: request counts, ranges,
//! validators and bytes, asserted exactly.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{data, open_mib, open_mib_then_fault, read, small_block_opts, MIB};
use lazyqt_io::{HttpSource, ReadAt, Source, SourceError};
use lazyqt_testserver::{Faults, TestServer};

#[test]
fn open_is_one_ranged_get_without_conditions() {
    let (server, src) = open_mib(&small_block_opts());
    assert_eq!(src.len().unwrap(), MIB as u64);
    let log = server.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].range.as_deref(), Some("bytes=0-4095"));
    assert_eq!(log[0].if_match, None);
    assert_eq!(log[0].bytes_sent, 4096);
    // The head is cached: reading inside it costs nothing.
    assert_eq!(read(&src, 10, 100).unwrap(), data(MIB)[10..110]);
    assert_eq!(server.request_count(), 1);
    let s = src.stats();
    assert_eq!((s.requests, s.bytes_fetched, s.cache_hits, s.cache_misses), (1, 4096, 1, 0));
}

#[test]
fn block_reads_are_aligned_pinned_and_cached() {
    let body = data(MIB);
    let (server, src) = open_mib(&small_block_opts());
    assert_eq!(server.requests()[0].if_match, None);
    // 10 bytes at 500_000 lie in block 122 (499_712..503_808).
    assert_eq!(read(&src, 500_000, 10).unwrap(), body[500_000..500_010]);
    // Again, and a neighbour inside the same block: no request.
    assert_eq!(read(&src, 500_005, 100).unwrap(), body[500_005..500_105]);
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].range.as_deref(), Some("bytes=499712-503807"));
    assert!(log[1].if_match.as_deref().is_some_and(|v| v.starts_with('"')), "If-Match sent");
    assert!(log.iter().all(|r| r.if_range.is_none()), "never If-Range");
    assert_eq!(server.bytes_sent(), 4096 * 2);
    let s = src.stats();
    assert_eq!((s.requests, s.bytes_fetched, s.cache_hits, s.cache_misses), (2, 8192, 1, 1));
}

#[test]
fn adjacent_block_misses_are_coalesced_into_one_request() {
    let body = data(MIB);
    let (server, src) = open_mib(&small_block_opts());
    // 12 KiB (below the 16 KiB payload threshold) starting mid-block: blocks 100..=103.
    let off = 100 * 4096 + 2000;
    assert_eq!(read(&src, off, 12 * 1024).unwrap(), body[off as usize..off as usize + 12 * 1024]);
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].range.as_deref(), Some("bytes=409600-425983"));
    assert_eq!(log[1].bytes_sent, 4 * 4096);
}

#[test]
fn will_need_fetches_the_range_in_one_request() {
    let body = data(MIB);
    let (server, src) = open_mib(&small_block_opts());
    src.will_need(600_000, 300_000);
    let log = server.requests();
    assert_eq!(log.len(), 2);
    // Blocks 146 (598_016) ..= 219 (ends 901_120).
    assert_eq!(log[1].range.as_deref(), Some("bytes=598016-901119"));
    // Small reads anywhere inside are now free.
    for off in (600_000..900_000).step_by(7919) {
        assert_eq!(read(&src, off, 64).unwrap(), body[off as usize..off as usize + 64]);
    }
    assert_eq!(server.request_count(), 2);
}

#[test]
fn payload_reads_are_one_exact_request_that_bypasses_the_blocks() {
    let body = data(MIB);
    let (server, src) = open_mib(&small_block_opts());
    let (off, len) = (300_001u64, 100_000usize);
    assert_eq!(read(&src, off, len).unwrap(), body[300_001..400_001]);
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].range.as_deref(), Some("bytes=300001-400000"));
    assert!(log[1].if_match.is_some());
    assert_eq!(log[1].bytes_sent, 100_000);
    // Not cached as blocks: a small read inside costs a block request.
    read(&src, 350_000, 8).unwrap();
    assert_eq!(server.request_count(), 3);
    assert_eq!(server.requests()[2].range.as_deref(), Some("bytes=348160-352255"));
}

#[test]
fn a_miss_near_the_end_grows_the_tail_exactly() {
    let body = data(MIB);
    let mut opts = small_block_opts();
    opts.http.open.tail_size = 64 * 1024;
    let (server, src) = open_mib(&opts);
    let size = MIB as u64;
    read(&src, size - 40_000, 16).unwrap();
    // From the read to the end of the file, not a byte before.
    assert_eq!(server.requests()[1].range.as_deref(), Some("bytes=1008576-1048575"));
    assert_eq!(read(&src, size - 100, 100).unwrap(), body[MIB - 100..]);
    assert_eq!(server.request_count(), 2);
    // Further down: only the bytes between the read and the tail.
    assert_eq!(read(&src, size - 50_000, 16).unwrap(), body[MIB - 50_000..MIB - 49_984]);
    assert_eq!(server.requests()[2].range.as_deref(), Some("bytes=998576-1008575"));
    assert_eq!(read(&src, size - 50_000, 50_000).unwrap(), body[MIB - 50_000..]);
    assert_eq!(server.request_count(), 3);
    // Beyond tail_size of the end: blocks again.
    read(&src, size - 70_000, 16).unwrap();
    assert_eq!(server.requests()[3].range.as_deref(), Some("bytes=974848-978943"));
}

#[test]
fn no_tail_growth_in_the_front_half_nor_for_will_need_short_of_the_tail() {
    let mut opts = small_block_opts();
    opts.http.open.tail_size = 4 * MIB as u64;
    let (server, src) = open_mib(&opts);
    read(&src, 300_000, 16).unwrap();
    src.will_need(700_000, 10_000);
    let log = server.requests();
    assert_eq!(log[1].range.as_deref(), Some("bytes=299008-303103"));
    assert_eq!(log[2].range.as_deref(), Some("bytes=696320-712703"));
    assert_eq!(server.bytes_sent(), 4096 * 2 + 16384);
    // A hint that runs to the end grows the tail instead.
    src.will_need(900_000, 148_576);
    assert_eq!(server.requests()[3].range.as_deref(), Some("bytes=900000-1048575"));
}

#[test]
fn concurrent_readers_of_one_block_make_one_request() {
    let body = Arc::new(data(MIB));
    let latency = Faults { latency: Duration::from_millis(150), ..Faults::default() };
    let (server, src) = open_mib_then_fault(&small_block_opts(), latency);
    let src = Arc::new(src);
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let (src, body) = (src.clone(), body.clone());
            std::thread::spawn(move || {
                let off = 700_000 + i * 10;
                assert_eq!(read(&*src, off, 50).unwrap(), body[off as usize..off as usize + 50]);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(server.request_count(), 2, "open + one block request for 8 readers");
}

#[test]
fn reads_past_the_end_fail_without_a_request() {
    let server = TestServer::serve_files([("f.bin", data(10_000))]).unwrap();
    let src = HttpSource::open(&server.url("f.bin"), &small_block_opts()).unwrap();
    let err = read(&src, 9_990, 20).unwrap_err();
    assert!(matches!(err, SourceError::OutOfBounds { size: 10_000, .. }), "{err}");
    // The last, short block is served whole.
    assert_eq!(read(&src, 9_000, 1_000).unwrap(), data(10_000)[9_000..]);
    assert_eq!(server.request_count(), 2);
}

#[test]
fn missing_file_is_a_404_error() {
    let server = TestServer::serve_files([("f.bin", data(10))]).unwrap();
    let err = HttpSource::open(&server.url("nope.bin"), &small_block_opts()).unwrap_err();
    assert!(matches!(err, SourceError::HttpStatus { status: 404, .. }), "{err}");
    assert_eq!(server.request_count(), 1, "404 is not retried");
}

#[test]
fn empty_file_opens_with_length_zero() {
    let server = TestServer::serve_files([("e.bin", Vec::new())]).unwrap();
    let src = HttpSource::open(&server.url("e.bin"), &small_block_opts()).unwrap();
    assert_eq!(src.len().unwrap(), 0);
    assert_eq!(server.request_count(), 1);
}

#[test]
fn connection_refused_is_a_network_error_after_bounded_retries() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut opts = small_block_opts();
    opts.http.retry.max_retries = 2;
    let t0 = std::time::Instant::now();
    let err = HttpSource::open(&format!("http://127.0.0.1:{port}/x"), &opts).unwrap_err();
    assert!(matches!(err, SourceError::Network { .. }), "{err}");
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[test]
fn sequential_requests_reuse_one_keep_alive_connection() {
    let (server, src) = open_mib(&small_block_opts());
    for i in 1..6u64 {
        read(&src, i * 100_000, 8).unwrap();
    }
    assert_eq!(server.request_count(), 6);
    assert_eq!(server.connections(), 1);
}

#[test]
fn reads_above_the_limit_are_refused_without_a_request() {
    let mut opts = small_block_opts();
    opts.http.limits.max_read = 1000;
    let (server, src) = open_mib(&opts);
    let err = read(&src, 0, 1001).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge { size: 1001, limit: 1000, .. }), "{err}");
    assert_eq!(server.request_count(), 1);
}

#[test]
fn parallel_requests_are_bounded_per_source() {
    let mut opts = small_block_opts();
    opts.http.limits.max_parallel = 2;
    let latency = Faults { latency: Duration::from_millis(100), ..Faults::default() };
    let (server, src) = open_mib_then_fault(&opts, latency);
    let src = Arc::new(src);
    let t0 = std::time::Instant::now();
    let threads: Vec<_> = (0..6u64)
        .map(|i| {
            let src = src.clone();
            std::thread::spawn(move || read(&*src, 100_000 + i * 100_000, 20_000).unwrap())
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Six 100 ms requests, two at a time: at least three rounds.
    assert!(t0.elapsed() >= Duration::from_millis(290), "{:?}", t0.elapsed());
    assert_eq!(server.request_count(), 7);
    assert!(server.connections() <= 3, "{} connections", server.connections());
}
