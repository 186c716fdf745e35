//! The persistent disk cache: corruption is detected and discarded, the size bound
//! holds, sources sharing the directory at once agree, "forever" needs no request.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{data, info, opts, read};
use lazyqt_core::atom::AtomHeader;
use lazyqt_io::HttpSource;
use lazyqt_testkit::generated as movie;
use lazyqt_testserver::TestServer;

/// The entry directories of a cache.
fn entries(cache: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cache)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')));
    v
}

/// Bytes of blocks and extents recorded in an entry's index (JSON line, then its CRC).
fn stored_bytes(entry: &Path) -> u64 {
    let text = std::fs::read_to_string(entry.join("index")).unwrap();
    let json: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    ["blocks", "extents"]
        .iter()
        .flat_map(|k| json[k].as_object().unwrap().values().map(|v| v[0].as_u64().unwrap()))
        .sum()
}

/// `url` opened with the disk cache in `dir`.
fn open_cached(url: &str, dir: &Path) -> HttpSource {
    HttpSource::open(url, &opts(Some(dir))).unwrap()
}

/// Walks `src` as `lazyqt info` does and asserts its `moov` reads as in `bytes`, the
/// movie's true content (`what` names the case). Gives the `moov` header.
fn assert_moov_reads_right(src: &HttpSource, bytes: &[u8], what: &str) -> AtomHeader {
    let moov = info(src);
    let got = read(src, moov.offset, moov.size as usize).unwrap();
    assert_eq!(got, bytes[moov.offset as usize..moov.end() as usize], "{what}");
    moov
}

fn movie_server() -> (TestServer, Vec<u8>) {
    let bytes = std::fs::read(movie("prores2.mov")).unwrap();
    (TestServer::serve_files([("m.mov", bytes.clone())]).unwrap(), bytes)
}

/// A movie served as `m.mov`, walked once through a fresh cache directory (so it holds one
/// entry), the server's log cleared after.
struct Warm {
    server: TestServer,
    bytes: Vec<u8>,
    url: String,
    cache: tempfile::TempDir,
    /// The `moov` header the first walk found.
    moov: AtomHeader,
}

impl Warm {
    fn new() -> Self {
        let (server, bytes) = movie_server();
        let cache = tempfile::tempdir().unwrap();
        let url = server.url("m.mov");
        let moov = info(&open_cached(&url, cache.path()));
        server.clear_log();
        Warm { server, bytes, url, cache, moov }
    }

    /// The cache's one entry directory.
    fn entry(&self) -> PathBuf {
        entries(self.cache.path()).pop().expect("one entry")
    }

    /// A new source through the cache.
    fn open(&self) -> HttpSource {
        open_cached(&self.url, self.cache.path())
    }
}

#[test]
fn corrupt_data_is_detected_discarded_and_refetched() {
    let warm = Warm::new();
    let moov = warm.moov;
    // Flip bytes inside the cached moov.
    let data_file = warm.entry().join("data");
    let mut d = std::fs::read(&data_file).unwrap();
    for b in &mut d[moov.offset as usize..moov.offset as usize + 16] {
        *b ^= 0xff;
    }
    std::fs::write(&data_file, d).unwrap();
    let src = warm.open();
    assert_eq!(warm.server.request_count(), 0, "index intact: opened from disk");
    let moov2 = assert_moov_reads_right(&src, &warm.bytes, "never the corrupt bytes");
    assert_eq!(moov, moov2);
    assert!(warm.server.request_count() >= 1, "refetched from the server");
}

#[test]
fn corrupt_index_is_discarded() {
    let warm = Warm::new();
    let index = warm.entry().join("index");
    let mut text = std::fs::read_to_string(&index).unwrap();
    text = text.replacen("\"size\":", "\"size\":1", 1);
    std::fs::write(&index, text).unwrap();
    let src = warm.open();
    assert_eq!(warm.server.request_count(), 1, "the corrupt record was not trusted");
    info(&src);
    assert_eq!(warm.server.request_count(), 1, "the moov came with the head, in the first request");
    // The new record is whole: a second open reads it without a request.
    info(&warm.open());
    assert_eq!(warm.server.request_count(), 1);
}

#[test]
fn forever_ttl_never_asks_again() {
    let (server, _) = movie_server();
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("m.mov");
    let mut o = opts(Some(cache.path()));
    o.cache.ttl = None;
    info(&HttpSource::open(&url, &o).unwrap());
    server.clear_log();
    for _ in 0..3 {
        info(&HttpSource::open(&url, &o).unwrap());
    }
    assert_eq!(server.request_count(), 0);
}

#[test]
fn no_cache_writes_nothing_to_disk() {
    let (server, _) = movie_server();
    let cache = tempfile::tempdir().unwrap();
    let mut o = opts(Some(cache.path()));
    o.cache.no_disk = true;
    info(&HttpSource::open(&server.url("m.mov"), &o).unwrap());
    assert!(entries(cache.path()).is_empty());
}

#[test]
fn the_size_bound_evicts_the_least_recent_entries() {
    let files: Vec<(String, Vec<u8>)> = (0..4).map(|i| (format!("f{i}.bin"), data(1_000_000 + i))).collect();
    let server = TestServer::serve_files(files.clone()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    // Each file leaves its 16 KiB head and 240 KiB tail on disk (the read is in the
    // tail); the bound holds two of them.
    let mut o = opts(Some(cache.path()));
    o.cache.disk_bytes = 600 * 1024;
    for (name, _) in &files {
        let src = HttpSource::open(&server.url(name), &o).unwrap();
        read(&src, 990_000, 16).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let stored: u64 = entries(cache.path()).iter().map(|e| stored_bytes(e)).sum();
    assert!(stored <= 600 * 1024, "{stored} bytes stored");
    assert_eq!(entries(cache.path()).len(), 2);
    // The newest file is still cached: reopening it costs nothing.
    server.clear_log();
    let last = HttpSource::open(&server.url("f3.bin"), &o).unwrap();
    read(&last, 990_000, 16).unwrap();
    assert_eq!(server.request_count(), 0);
}

#[test]
fn sources_sharing_a_cache_directory_at_once_agree() {
    let (server, bytes) = movie_server();
    let cache = tempfile::tempdir().unwrap();
    let url = Arc::new(server.url("m.mov"));
    let bytes = Arc::new(bytes);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (url, bytes, dir) = (url.clone(), bytes.clone(), cache.path().to_path_buf());
            std::thread::spawn(move || {
                for _ in 0..3 {
                    let src = open_cached(&url, &dir);
                    assert_moov_reads_right(&src, &bytes, "a thread");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(entries(cache.path()).len(), 1);
}

/// Child-process half of `two_processes_share_the_disk_cache`; does nothing unless
/// that test runs it with its environment.
#[test]
#[ignore = "run as a child process by two_processes_share_the_disk_cache"]
fn child_reads_through_the_shared_cache() {
    let var = |k: &str| std::env::var(k).ok();
    let (Some(url), Some(dir), Some(file)) =
        (var("LAZYQT_CHILD_URL"), var("LAZYQT_CHILD_CACHE"), var("LAZYQT_CHILD_FILE"))
    else {
        return;
    };
    let bytes = std::fs::read(file).unwrap();
    for _ in 0..5 {
        let src = open_cached(&url, Path::new(&dir));
        assert_moov_reads_right(&src, &bytes, "the child process");
    }
}

#[test]
fn two_processes_share_the_disk_cache() {
    let (server, _) = movie_server();
    let cache = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args(["--exact", "child_reads_through_the_shared_cache", "--ignored", "--quiet"])
                .env("LAZYQT_CHILD_URL", server.url("m.mov"))
                .env("LAZYQT_CHILD_CACHE", cache.path())
                .env("LAZYQT_CHILD_FILE", movie("prores2.mov"))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.contains("1 passed"), "{text}");
    }
    // The first open fetched head and tail (moov included) in one request; the other
    // process found them on disk, or raced it and fetched them too.
    assert!((1..=2).contains(&server.request_count()), "{:#?}", server.requests());
    server.clear_log();
    info(&open_cached(&server.url("m.mov"), cache.path()));
    assert_eq!(server.request_count(), 0);
}

#[test]
fn an_entry_written_with_another_block_size_is_not_trusted() {
    let warm = Warm::new();
    let mut small = opts(Some(warm.cache.path()));
    small.cache.block_size = 4096;
    small.http.open.head_size = 4096;
    let src = HttpSource::open(&warm.url, &small).unwrap();
    assert_eq!(warm.server.request_count(), 1, "revalidated instead of reusing mismatched blocks");
    assert_moov_reads_right(&src, &warm.bytes, "the small-block source");
}

/// Rewrite an entry's index with `edit` applied to its JSON, and a matching CRC (so only
/// the values inside can give it away).
fn rewrite_index(entry: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let text = std::fs::read_to_string(entry.join("index")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    edit(&mut json);
    let line = serde_json::to_string(&json).unwrap();
    std::fs::write(entry.join("index"), format!("{line}\n{:08x}", crc32fast::hash(line.as_bytes()))).unwrap();
}

/// A CRC-valid index whose values cannot describe the file (an extent of 2^50 bytes, a
/// block past the end, a block size of 0, …) is a corrupt entry: dropped and fetched
/// again, never trusted, never an abort or a huge allocation.
#[test]
fn an_index_with_impossible_values_is_a_corrupt_entry() {
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit); 6] = [
        ("extent of 2^50 bytes", |j| {
            let first = j["extents"].as_object().unwrap().keys().next().unwrap().clone();
            j["extents"][first][0] = (1u64 << 50).into();
        }),
        ("extent past the end", |j| {
            j["extents"]["18446744073709551000"] = serde_json::json!([1000, 0]);
        }),
        ("block past the end", |j| {
            j["blocks"]["4000000000"] = serde_json::json!([65536, 0]);
        }),
        ("block longer than a block", |j| {
            j["blocks"]["0"] = serde_json::json!([4294967295u32, 0]);
        }),
        ("block size 0", |j| j["block_size"] = 0.into()),
        ("block size 2^40", |j| j["block_size"] = (1u64 << 40).into()),
    ];
    for (what, edit) in edits {
        let warm = Warm::new();
        rewrite_index(&warm.entry(), edit);
        let src = warm.open();
        assert_eq!(warm.server.request_count(), 1, "{what}: the record was not trusted");
        let moov = assert_moov_reads_right(&src, &warm.bytes, what);
        assert_eq!(moov, warm.moov, "{what}");
        // The entry was written anew, whole: the next open needs no request.
        warm.server.clear_log();
        info(&warm.open());
        assert_eq!(warm.server.request_count(), 0, "{what}: a sound record replaced it");
    }
}
