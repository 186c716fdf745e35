//! What an HTTP server sends back to a range request: `Content-Range` and
//! `Content-Type` values and `multipart/byteranges` bodies (lazyqt_io::wire). The
//! input is a header value, a newline, then a body.
#![no_main]

#[path = "../../adapters/io/tests/wire/check.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    check::check(data);
});
