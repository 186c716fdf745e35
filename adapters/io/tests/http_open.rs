//! The first request of an HTTP source: head and tail of the file in one multi-range
//! GET, and what happens with servers that merge the ranges, answer only the first,
//! or refuse several ranges outright.

mod common;

use common::{data, opts, read};
use lazyqt_io::{HttpSource, ReadAt, Source};
use lazyqt_testserver::{Faults, MultiRange, TestServer};

const MIB: usize = 1024 * 1024;

fn server_with(files: &[(&str, usize)], multi_range: MultiRange) -> TestServer {
    let server = TestServer::serve_files(files.iter().map(|(n, len)| (n.to_string(), data(*len)))).unwrap();
    server.set_faults(Faults { multi_range, ..Faults::default() });
    server
}

#[test]
fn open_fetches_head_and_tail_in_one_request() {
    let server = server_with(&[("f.bin", MIB)], MultiRange::Multipart);
    let body = data(MIB);
    let src = HttpSource::open(&server.url("f.bin"), &opts(None)).unwrap();
    let log = server.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].range.as_deref(), Some("bytes=0-16383,-245760"));
    assert_eq!(log[0].status, 206);
    // Both ends are served without another request, to the last byte.
    assert_eq!(read(&src, 0, 16384).unwrap(), body[..16384]);
    assert_eq!(read(&src, (MIB - 245760) as u64, 245760).unwrap(), body[MIB - 245760..]);
    assert_eq!(server.request_count(), 1);
    let s = src.stats();
    assert_eq!((s.requests, s.cache_hits, s.cache_misses), (1, 2, 0));
    // The bytes counted are the body as sent, part headers included.
    assert_eq!(s.bytes_fetched, server.bytes_sent());
    assert!(s.bytes_fetched > 262_144 && s.bytes_fetched < 262_144 + 512, "{s:?}");
    // Between head and tail: ordinary block reads.
    assert_eq!(read(&src, 100_000, 10).unwrap(), body[100_000..100_010]);
    assert_eq!(server.request_count(), 2);
}

#[test]
fn a_file_shorter_than_head_and_tail_comes_whole_in_one_request() {
    let server = server_with(&[("f.bin", 40_000)], MultiRange::Multipart);
    let src = HttpSource::open(&server.url("f.bin"), &opts(None)).unwrap();
    // The server merged the overlapping ranges into one plain 206.
    assert_eq!(server.requests()[0].status, 206);
    assert_eq!(src.len().unwrap(), 40_000);
    for off in (0..40_000u64).step_by(3001) {
        let len = 999.min(40_000 - off as usize);
        assert_eq!(read(&src, off, len).unwrap(), data(40_000)[off as usize..off as usize + len]);
    }
    assert_eq!(server.request_count(), 1);
}

#[test]
fn a_server_answering_the_first_range_only_costs_one_more_request_at_the_end() {
    let server = server_with(&[("f.bin", MIB)], MultiRange::FirstOnly);
    let src = HttpSource::open(&server.url("f.bin"), &opts(None)).unwrap();
    assert_eq!(read(&src, 10, 10).unwrap(), data(MIB)[10..20]);
    assert_eq!(server.request_count(), 1);
    // The tail was not sent: a read near the end fetches from it to the end, exactly.
    let off = (MIB - 30_000) as u64;
    assert_eq!(read(&src, off, 100).unwrap(), data(MIB)[MIB - 30_000..MIB - 29_900]);
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].range.as_deref(), Some(format!("bytes={off}-{}", MIB - 1).as_str()));
    assert_eq!(read(&src, off, 30_000).unwrap(), data(MIB)[MIB - 30_000..]);
    assert_eq!(server.request_count(), 2);
}

#[test]
fn a_server_refusing_several_ranges_is_asked_for_the_head_alone_and_remembered() {
    let server = server_with(&[("a.bin", 4 * MIB), ("b.bin", 4 * MIB)], MultiRange::Whole);
    let a = HttpSource::open(&server.url("a.bin"), &opts(None)).unwrap();
    let log = server.requests();
    assert_eq!(log.len(), 2, "{log:#?}");
    assert_eq!((log[0].status, log[0].range.as_deref()), (200, Some("bytes=0-16383,-245760")));
    // Counted on our side: the server's own count races with the connection's close.
    assert_eq!(a.stats().bytes_fetched, 16_384, "the 4 MiB body of the 200 was not read");
    assert_eq!((log[1].status, log[1].range.as_deref()), (206, Some("bytes=0-16383")));
    assert_eq!(read(&a, 4 * MIB as u64 - 8, 8).unwrap(), data(4 * MIB)[4 * MIB - 8..]);
    // The next file on that server skips the refused form.
    server.clear_log();
    let b = HttpSource::open(&server.url("b.bin"), &opts(None)).unwrap();
    assert_eq!(server.requests()[0].range.as_deref(), Some("bytes=0-16383"));
    assert_eq!(read(&b, 0, 8).unwrap(), data(4 * MIB)[..8]);
    assert_eq!(server.request_count(), 1);
}

#[test]
fn a_small_file_sent_whole_for_several_ranges_is_used_whole() {
    let server = server_with(&[("f.bin", 200_000)], MultiRange::Whole);
    let src = HttpSource::open(&server.url("f.bin"), &opts(None)).unwrap();
    assert_eq!(read(&src, 123_456, 5_000).unwrap(), data(200_000)[123_456..128_456]);
    assert_eq!(server.request_count(), 1);
}

#[test]
fn the_grown_tail_is_kept_on_disk_for_the_next_process() {
    let server = server_with(&[("f.bin", 4 * MIB)], MultiRange::Multipart);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("f.bin");
    let off = (4 * MIB - 300_000) as u64;
    let cold = HttpSource::open(&url, &opts(Some(cache.path()))).unwrap();
    read(&cold, off, 16).unwrap();
    assert_eq!(server.request_count(), 2);
    drop(cold);
    server.clear_log();
    let warm = HttpSource::open(&url, &opts(Some(cache.path()))).unwrap();
    assert_eq!(read(&warm, off, 300_000).unwrap(), data(4 * MIB)[4 * MIB - 300_000..]);
    assert_eq!(read(&warm, 0, 16_384).unwrap(), data(4 * MIB)[..16_384]);
    assert_eq!(server.request_count(), 0);
    assert_eq!(warm.stats().disk_hits, 2, "head and tail");
}

#[test]
fn a_garbled_multipart_answer_falls_back_to_the_head_alone_without_retrying() {
    let server = server_with(&[("f.bin", MIB)], MultiRange::Misplaced);
    let src = HttpSource::open(&server.url("f.bin"), &opts(None)).unwrap();
    let log = server.requests();
    assert_eq!(log.len(), 2, "{log:#?}");
    assert_eq!(log[1].range.as_deref(), Some("bytes=0-16383"));
    assert_eq!(src.stats().retries, 0);
    // Never the misplaced bytes.
    assert_eq!(read(&src, 0, 16_384).unwrap(), data(MIB)[..16_384]);
    assert_eq!(read(&src, MIB as u64 - 100, 100).unwrap(), data(MIB)[MIB - 100..]);
}
