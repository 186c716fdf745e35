//! Issue 13 item 1: a cold frame of a movie whose `moov` sits at the end and is at most
//! 1 MiB costs two requests (the open, then the frame) and at most moov + frame + 256
//! KiB. The default first request holds a CamHD `moov` (~134 KB); a larger one costs a
//! third request the first time in a directory, and the directory's tail hint in the
//! disk cache sizes the next file's first request. A wrong hint costs bytes or a
//! request, never a wrong byte.

mod common;

use common::{camhd_like, info, opts, read};
use lazyqt_io::{HttpSource, ReadAt, Source};
use lazyqt_testserver::TestServer;

/// Frames of a movie whose `moov` is about 1 MB (just under 1 MiB).
const FRAMES_1MB: u32 = 190_000;
/// Where the test movies' second frame sits and how long it is.
const FRAME: (u64, usize) = (48 + 560_000, 560_000);
/// The bound on what a cold frame costs beyond the `moov` and the frame.
const SLACK: u64 = 256 * 1024;

/// What a cold `lazyqt frame` does to a source: walk to the `moov`, read it, then
/// read one frame's bytes. Returns the `moov`'s size.
fn cold_frame(src: &HttpSource) -> u64 {
    let moov = info(src);
    read(src, FRAME.0, FRAME.1).unwrap();
    moov.size
}

#[test]
fn a_camhd_size_moov_costs_two_requests_with_the_default_tail() {
    let file = camhd_like(25_000, 4 << 20);
    let server = TestServer::serve_files([("d/camhd.mov", file)]).unwrap();
    let src = HttpSource::open(&server.url("d/camhd.mov"), &opts(None)).unwrap();
    let moov = cold_frame(&src);
    let log = server.requests();
    assert!(moov > 130_000 && moov < 140_000, "{moov}");
    assert_eq!(log.len(), 2, "{log:#?}");
    assert_eq!(log[0].range.as_deref(), Some("bytes=0-16383,-245760"));
    assert_eq!(
        log[1].range.as_deref(),
        Some(format!("bytes={}-{}", FRAME.0, FRAME.0 + FRAME.1 as u64 - 1).as_str())
    );
    let s = src.stats();
    assert_eq!(s.requests, 2);
    assert!(s.bytes_fetched <= moov + FRAME.1 as u64 + SLACK, "{} for moov {moov}", s.bytes_fetched);
    assert_eq!(server.bytes_sent(), s.bytes_fetched);
}

#[test]
fn a_one_mib_moov_costs_three_requests_first_and_two_for_the_next_file_of_the_directory() {
    // Two files of one "camera" (moovs a few KB apart), one in another directory.
    let a = camhd_like(FRAMES_1MB, 4 << 20);
    let b = camhd_like(FRAMES_1MB + 3000, 5 << 20);
    let server =
        TestServer::serve_files([("cam/a.mov", a), ("cam/b.mov", b.clone()), ("other/c.mov", b)]).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let o = opts(Some(cache.path()));

    let src = HttpSource::open(&server.url("cam/a.mov"), &o).unwrap();
    let moov = cold_frame(&src);
    assert!(moov > 1_000_000 && moov <= 1 << 20, "{moov}");
    let s = src.stats();
    assert_eq!(s.requests, 3, "{:#?}", server.requests());
    assert!(s.bytes_fetched <= moov + FRAME.1 as u64 + SLACK, "{} for moov {moov}", s.bytes_fetched);
    drop(src);

    server.clear_log();
    let src = HttpSource::open(&server.url("cam/b.mov"), &o).unwrap();
    let moov_b = cold_frame(&src);
    let s = src.stats();
    let log = server.requests();
    assert_eq!(s.requests, 2, "{log:#?}");
    assert_eq!(log[0].range.as_deref(), Some(format!("bytes=0-16383,-{}", moov + 64 * 1024).as_str()));
    assert!(s.bytes_fetched <= moov_b + FRAME.1 as u64 + SLACK, "{} for moov {moov_b}", s.bytes_fetched);
    drop(src);

    // The hint is per directory: the same movie elsewhere costs the third request.
    server.clear_log();
    let src = HttpSource::open(&server.url("other/c.mov"), &o).unwrap();
    cold_frame(&src);
    assert_eq!(src.stats().requests, 3);
}

#[test]
fn a_wrong_hint_costs_bytes_or_a_request_never_a_wrong_byte() {
    let big = camhd_like(FRAMES_1MB, 4 << 20);
    let camhd = camhd_like(25_000, 4 << 20);
    // Shorter than the tail the hint asks for: the server sends it whole.
    let tiny = common::data(700_000);
    let grown = camhd_like(FRAMES_1MB + 40_000, 4 << 20);
    let files = [
        ("d/big.mov", big),
        ("d/tiny.bin", tiny),
        ("d/camhd.mov", camhd.clone()),
        ("d/grown.mov", grown),
        ("d/camhd2.mov", camhd),
    ];
    let server = TestServer::serve_files(files.clone()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let o = opts(Some(cache.path()));
    let open = |name: &str| HttpSource::open(&server.url(name), &o).unwrap();
    let check_all = |src: &HttpSource, want: &[u8]| {
        assert_eq!(src.len().unwrap(), want.len() as u64);
        for off in (0..want.len()).step_by(99_991) {
            let n = 30_000.min(want.len() - off);
            assert_eq!(read(src, off as u64, n).unwrap(), want[off..off + n], "at {off}");
        }
    };

    cold_frame(&open("d/big.mov"));
    // A file smaller than the hinted tail.
    let src = open("d/tiny.bin");
    check_all(&src, &files[1].1);
    assert_eq!(src.stats().requests, 1);
    drop(src);
    // Back to the 1 MB hint (the big file reopened from the disk cache records it
    // again), then a 134 KB moov: ~1 MB more than needed, two requests, every byte right.
    cold_frame(&open("d/big.mov"));
    let src = open("d/camhd.mov");
    assert!(cold_frame(&src) < 140_000);
    assert_eq!(src.stats().requests, 2);
    check_all(&src, &files[2].1);
    drop(src);
    // The small moov replaced the hint: the next small file asks for the default tail.
    server.clear_log();
    let src = open("d/camhd2.mov");
    cold_frame(&src);
    let first =
        server.requests().into_iter().find(|r| r.range.as_deref().is_some_and(|r| r.contains(','))).unwrap();
    assert_eq!(first.range.as_deref(), Some("bytes=0-16383,-245760"));
    drop(src);
    // A moov larger than the hint (+ margin): the tail grows by one exact request.
    cold_frame(&open("d/big.mov"));
    let src = open("d/grown.mov");
    cold_frame(&src);
    assert_eq!(src.stats().requests, 3);
    check_all(&src, &files[3].1);
}
