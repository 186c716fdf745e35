//! What lazyqt's tests and benchmarks share, defined once.
//!
//! - [`generated`] / [`media_dir`] / [`PRORES_MOVIES`]: the test movies `testdata/generate.sh` makes with the
//!   ffmpeg CLI (run once per process; the script itself locks its output directory, so test
//!   binaries running in parallel never race); [`archive_dir`]: a small CamHD-layout archive.
//! - [`ffmpeg_frame`]: the ffmpeg CLI's decode of one frame, the reference for pixels.
//! - [`atoms`]: a QuickTime atom writer for what ffmpeg will not write (hand-crafted tables,
//!   64-bit sizes, CamHD's exact layout without its 13 GB of samples).
//! - [`serve_generated`]: the loopback test server (`lazyqt-testserver`) over generated movies.
//!
//! A dev-dependency only: the core's tests use it with std while the core stays `no_std`.
#![forbid(unsafe_code)]

pub mod atoms;
mod ffmpeg;
mod generated;

pub use ffmpeg::ffmpeg_frame;
pub use generated::{archive_dir, generated, media_dir, PRORES_MOVIES};

/// The loopback test server serving the named generated movies from memory, each under its
/// own name (`prores2.mov` → `server.url("prores2.mov")`).
pub fn serve_generated(names: &[&str]) -> lazyqt_testserver::TestServer {
    let files = names.iter().map(|&n| {
        let bytes = std::fs::read(generated(n)).unwrap_or_else(|e| panic!("read {n}: {e}"));
        (n.to_string(), bytes)
    });
    lazyqt_testserver::TestServer::serve_files(files).expect("start the loopback test server")
}
