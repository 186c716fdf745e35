//! The C ABI over HTTP (loopback test server): open, decode, and the status codes of a
//! missing file and of a file that changes upstream.

use std::ffi::{CStr, CString};
use std::ptr;

use lazyqt::*;
use lazyqt_testserver::TestServer;

fn movie_bytes() -> Vec<u8> {
    std::fs::read(lazyqt_testkit::generated("prores2.mov")).expect("read prores2.mov")
}

fn message() -> String {
    // SAFETY: never NULL; copied before the next lazyqt call.
    unsafe { CStr::from_ptr(lazyqt_last_error_message()) }.to_string_lossy().into_owned()
}

fn open(url: &str) -> (lazyqt_status, *mut lazyqt_movie) {
    let url = CString::new(url).expect("no NUL");
    let mut opts = lazyqt_default_open_options();
    opts.no_cache = true;
    let mut m = ptr::null_mut();
    // SAFETY: valid string, options and out pointer.
    let s = unsafe { lazyqt_open(url.as_ptr(), &opts, &mut m) };
    (s, m)
}

fn decode(m: *const lazyqt_movie, n: u64, buf: &mut [u8]) -> lazyqt_status {
    let mut written = 0;
    // SAFETY: `buf` is valid for its length.
    unsafe { lazyqt_decode_frame(m, n, 0, 0, 0, buf.as_mut_ptr(), buf.len(), &mut written) }
}

#[test]
fn decode_over_http_then_upstream_change() {
    let bytes = movie_bytes();
    let server = TestServer::serve_files([("m.mov", bytes.clone())]).expect("server");
    let (s, m) = open(&server.url("m.mov"));
    assert_eq!(s, lazyqt_status::LAZYQT_OK, "{}", message());
    let mut buf = vec![0u8; 320 * 180 * 3];
    assert_eq!(decode(m, 5, &mut buf), lazyqt_status::LAZYQT_OK, "{}", message());
    assert!(buf.iter().any(|&b| b != 0), "decoded nothing");

    // Same size, other bytes, new validators: the next uncached read must notice (frame
    // 12 is mid-file: the last 240 KiB, frames 20-29 with the moov, came with the open).
    let mut changed = bytes;
    changed[100] ^= 0xff;
    server.put_file("m.mov", changed);
    assert_eq!(decode(m, 12, &mut buf), lazyqt_status::LAZYQT_ERR_CHANGED_UPSTREAM, "{}", message());
    assert!(message().contains("changed"), "{}", message());
    // SAFETY: a live handle, closed once.
    unsafe { lazyqt_close(m) };
}

#[test]
fn http_errors() {
    let server = TestServer::serve_files([("m.mov", movie_bytes())]).expect("server");
    let (s, m) = open(&server.url("missing.mov"));
    assert_eq!(s, lazyqt_status::LAZYQT_ERR_NOT_FOUND, "{}", message());
    assert!(message().contains("404"), "{}", message());
    assert!(m.is_null());
}
