//! Helpers shared by the integration tests: options tuned for fast
//! tests, deterministic data, a CamHD-shaped file, and an atom walk like the core's `Movie::open`.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use lazyqt_core::atom::{is_container, AtomHeader, Children};
use lazyqt_core::FourCC;
use lazyqt_io::{HttpSource, ReadAt, Source, SourceError, SourceOptions};
use lazyqt_testkit::atoms::atom;
use lazyqt_testserver::{Faults, RequestRecord, TestServer, ValidatorMode};

pub const MIB: usize = 1024 * 1024;

/// The test server with one file, `f.bin`: [`MIB`] bytes of [`data`].
pub fn mib_server() -> TestServer {
    TestServer::serve_files([("f.bin", data(MIB))]).unwrap()
}

/// `f.bin` of a fresh [`mib_server`], opened with `opts`.
pub fn open_mib(opts: &SourceOptions) -> (TestServer, HttpSource) {
    let server = mib_server();
    let src = HttpSource::open(&server.url("f.bin"), opts).unwrap();
    (server, src)
}

/// [`open_mib`], then `faults` set: the open itself is clean, the reads after it are not.
pub fn open_mib_then_fault(opts: &SourceOptions, faults: Faults) -> (TestServer, HttpSource) {
    let (server, src) = open_mib(opts);
    server.set_faults(faults);
    (server, src)
}

/// Options for fast tests: short backoff and timeouts, disk cache in `cache_dir`
/// (or none).
pub fn opts(cache_dir: Option<&std::path::Path>) -> SourceOptions {
    let mut o = SourceOptions::default();
    o.cache.dir = cache_dir.map(|p| p.to_path_buf());
    o.cache.no_disk = cache_dir.is_none();
    o.http.retry.backoff =
        lazyqt_io::Backoff { base: Duration::from_millis(5), max: Duration::from_millis(50) };
    o.http.timeouts.connect = Duration::from_secs(2);
    o.http.timeouts.headers = Duration::from_secs(5);
    o.http.timeouts.deadline = Duration::from_secs(10);
    o
}

/// Small blocks, the head alone at open and no tail, so request ranges are easy to predict.
pub fn small_block_opts() -> SourceOptions {
    let mut o = opts(None);
    o.cache.block_size = 4096;
    o.http.open.head_size = 4096;
    o.http.open.open_tail = 0;
    o.http.open.tail_size = 0;
    o
}

/// Reads 64,000 bytes at 100,000 of `f.bin` (opened with `opts`) with `fault` set once: the bytes come whole, in three
/// requests (the open, the cut one, one resuming from byte 132,000). Gives the request log.
pub fn read_resumed_after(opts: &SourceOptions, fault: Faults) -> (Vec<RequestRecord>, HttpSource) {
    let (server, src) = open_mib_then_fault(opts, fault);
    assert_eq!(read(&src, 100_000, 64_000).unwrap(), data(MIB)[100_000..164_000]);
    let log = server.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[2].range.as_deref(), Some("bytes=132000-163999"));
    (log, src)
}

/// Reads 64,000 bytes at 100,000 of `f.bin` (opened with `opts`) with `fault` set: the read
/// must fail with a timeout after `lo..hi`. Gives the server and the error.
pub fn read_times_out(
    opts: &SourceOptions,
    fault: Faults,
    lo: Duration,
    hi: Duration,
) -> (TestServer, SourceError) {
    let (server, src) = open_mib_then_fault(opts, fault);
    let t0 = Instant::now();
    let err = read(&src, 100_000, 64_000).unwrap_err();
    took(t0, lo, hi);
    assert!(matches!(err, SourceError::Timeout { .. }), "{err}");
    (server, err)
}

/// `f.bin` opened with backoffs capped at `max_backoff`, then one `503` with `Retry-After:
/// retry_after_secs`: 8 bytes at 200,000 still read right, after exactly one retry.
/// Gives the server and how long the read took.
pub fn read_through_one_503(max_backoff: Duration, retry_after_secs: u64) -> (TestServer, Duration) {
    let mut opts = small_block_opts();
    opts.http.retry.backoff.max = max_backoff;
    let (server, src) =
        open_mib_then_fault(&opts, Faults { fail_503: 1, retry_after_secs, ..Faults::default() });
    let t0 = Instant::now();
    assert_eq!(read(&src, 200_000, 8).unwrap(), data(MIB)[200_000..200_008]);
    let elapsed = t0.elapsed();
    assert_eq!(src.stats().retries, 1);
    (server, elapsed)
}

/// The status of every request `server` answered, in order (`0`: none was sent).
pub fn statuses(server: &TestServer) -> Vec<u16> {
    server.requests().iter().map(|r| r.status).collect()
}

/// Assert the time since `t0` is within `lo..hi`.
pub fn took(t0: Instant, lo: Duration, hi: Duration) {
    let e = t0.elapsed();
    assert!(e >= lo && e < hi, "took {e:?}, expected {lo:?}..{hi:?}");
}

/// A fresh [`mib_server`] whose validators follow `mode`, `f.bin` opened under them with
/// [`small_block_opts`], and 8 bytes at 200,000 read right.
pub fn open_mib_under_validator(mode: ValidatorMode) -> (TestServer, HttpSource) {
    let server = mib_server();
    server.set_faults(Faults { validator: mode, ..Faults::default() });
    let src = HttpSource::open(&server.url("f.bin"), &small_block_opts()).unwrap();
    assert_eq!(read(&src, 200_000, 8).unwrap(), data(MIB)[200_000..200_008], "{mode:?}");
    (server, src)
}

/// [`small_block_opts`] with this stall timeout, read deadline and number of retries.
pub fn stall_deadline_retries(stall: Duration, deadline: Duration, retries: u32) -> SourceOptions {
    let mut o = small_block_opts();
    o.http.timeouts.stall = stall;
    o.http.timeouts.deadline = deadline;
    o.http.retry.max_retries = retries;
    o
}

/// `n` bytes of deterministic, non-repeating-looking data.
pub fn data(n: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// Read `len` bytes at `offset`.
pub fn read<R: ReadAt + ?Sized>(r: &R, offset: u64, len: usize) -> Result<Vec<u8>, R::Error> {
    let mut buf = vec![0u8; len];
    r.read_exact_at(offset, &mut buf)?;
    Ok(buf)
}

/// What `lazyqt info` does to a source: walk the top-level atoms, hint `moov`, then
/// walk every atom inside it and read each leaf's payload. Returns the `moov` header.
pub fn info<R: ReadAt + ?Sized>(r: &R) -> AtomHeader
where
    R::Error: std::fmt::Debug,
{
    let len = r.len().expect("len");
    let moov =
        Children::new(0, len).find(r, FourCC(*b"moov")).expect("walk top level").expect("moov present");
    r.will_need(moov.offset, moov.size);
    let mut stack = vec![Children::of(&moov)];
    let mut leaves = 0;
    while let Some(top) = stack.last_mut() {
        match top.next(r) {
            None => {
                stack.pop();
            }
            Some(h) => {
                let h = h.expect("atom header");
                if is_container(h.kind) {
                    stack.push(Children::of(&h));
                } else {
                    let n = h.body_len().min(1 << 20) as usize;
                    read(r, h.body_offset(), n).expect("leaf payload");
                    leaves += 1;
                }
            }
        }
    }
    assert!(leaves >= 3, "moov has leaves");
    moov
}

/// A CamHD-shaped file: `ftyp`, `wide`, a 64-bit `mdat` of `mdat_len` bytes, then a
/// `moov` whose sample tables describe `frames` frames of ~560 KB, six to a chunk
/// (25,000 frames: ~135 KB of tables, as CamHD's; 190,000: ~1 MB).
pub fn camhd_like(frames: u32, mdat_len: u64) -> Vec<u8> {
    let mut stsz = vec![0u8; 12];
    stsz[8..12].copy_from_slice(&frames.to_be_bytes());
    for i in 0..frames {
        stsz.extend_from_slice(&(560_000 + i % 1000).to_be_bytes());
    }
    let chunks = frames / 6;
    let mut co64 = vec![0u8; 4];
    co64.extend_from_slice(&chunks.to_be_bytes());
    for i in 0..u64::from(chunks) {
        co64.extend_from_slice(&(48 + i * 6 * 560_000).to_be_bytes());
    }
    let stbl = [atom(b"stsz", &stsz), atom(b"co64", &co64)].concat();
    let minf = atom(b"minf", &atom(b"stbl", &stbl));
    let trak = atom(b"trak", &atom(b"mdia", &minf));
    let moov = atom(b"moov", &[atom(b"mvhd", &[0u8; 100]), trak].concat());
    let mut file = atom(b"ftyp", b"qt  \0\0\x02\0qt  ");
    file.extend_from_slice(&atom(b"wide", b""));
    file.extend_from_slice(&1u32.to_be_bytes());
    file.extend_from_slice(b"mdat");
    file.extend_from_slice(&(mdat_len + 16).to_be_bytes());
    file.resize(file.len() + mdat_len as usize, 0x55);
    file.extend_from_slice(&moov);
    file
}
