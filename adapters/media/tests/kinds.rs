//! Every [`ErrorKind`] from a real failure: a bad argument, a missing file and a 404, a frame
//! past the end, a file that is not a movie, a codec FFmpeg cannot decode, a movie with sound
//! only, a picture over the size limit, a file changed upstream, an HTTP 503, a
//! refused connection, a stalled server under a short timeout, a symbolic link loop.
//! Only `Internal` (FFmpeg failing on valid input) is constructed. The front ends map these
//! kinds in their own tables (CLI `exit`, server `errors`, C `error`, Python `_errors`), each
//! tested over `ErrorKind::ALL`.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{local, open};
use lazyqt_io::SourceOptions;
use lazyqt_media::decoding::{ConvertOptions, Error as DecodeError};
use lazyqt_media::{ErrorKind, Media, MediaError};
use lazyqt_testkit::media_dir;
use lazyqt_testserver::{Faults, TestServer};

/// Options that fail fast: no retries, one-second timeouts.
fn impatient() -> SourceOptions {
    let mut opts = local();
    opts.http.retry.max_retries = 0;
    opts.http.timeouts = lazyqt_io::HttpTimeouts {
        connect: Duration::from_secs(1),
        headers: Duration::from_secs(1),
        stall: Duration::from_secs(1),
        deadline: Duration::from_secs(2),
        ..Default::default()
    };
    opts
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lazyqt-media-kinds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn prores2() -> PathBuf {
    media_dir().join("prores2.mov")
}

/// A real failure of this kind (the match has no catch-all: a new kind needs one here).
fn failure(kind: ErrorKind) -> MediaError {
    match kind {
        ErrorKind::Argument => open(prores2()).frame_at_seconds(-1.0).unwrap_err(),
        ErrorKind::NotFound => Media::open(scratch("missing.mov"), &local()).unwrap_err(),
        ErrorKind::OutOfRange => open(prores2()).frame_sample(30).unwrap_err(),
        ErrorKind::Malformed => {
            Media::open(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"), &local()).unwrap_err()
        }
        ErrorKind::Unsupported => {
            let bytes = std::fs::read(prores2()).unwrap();
            let at = bytes.windows(4).position(|w| w == b"apcn").expect("the ProRes fourcc");
            let mut renamed = bytes;
            renamed[at..at + 4].copy_from_slice(b"zzzz");
            let path = scratch("unknown_codec.mov");
            std::fs::write(&path, renamed).unwrap();
            open(&path).decode_frame(0, &ConvertOptions::default()).unwrap_err()
        }
        ErrorKind::NoTrack => {
            let path = scratch("sound.mov");
            let ok = Command::new("ffmpeg")
                .args(["-nostdin", "-y", "-v", "error", "-f", "lavfi", "-i", "sine=duration=0.2"])
                .args(["-c:a", "pcm_s16le"])
                .arg(&path)
                .status()
                .unwrap();
            assert!(ok.success());
            open(&path).frame_sample(0).unwrap_err()
        }
        ErrorKind::TooLarge => {
            let huge = ConvertOptions { size: Some((100_000, 100_000)), ..ConvertOptions::default() };
            open(prores2()).decode_frame(0, &huge).unwrap_err()
        }
        ErrorKind::UpstreamChanged => {
            let bytes = std::fs::read(prores2()).unwrap();
            let server = TestServer::serve_files([("m.mov", bytes.clone())]).unwrap();
            let media = Media::open(server.url("m.mov"), &local()).unwrap();
            media.decode_frame(5, &ConvertOptions::default()).unwrap();
            let mut changed = bytes;
            changed[100] ^= 0xff;
            server.put_file("m.mov", changed);
            // Frame 12 is mid-file: not among the bytes the open fetched.
            media.decode_frame(12, &ConvertOptions::default()).unwrap_err()
        }
        ErrorKind::Http => {
            let server = TestServer::serve_files([("m.mov", std::fs::read(prores2()).unwrap())]).unwrap();
            server.set_faults(Faults { fail_503: 100, ..Faults::default() });
            Media::open(server.url("m.mov"), &impatient()).unwrap_err()
        }
        ErrorKind::Network => {
            let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}/m.mov", closed.local_addr().unwrap());
            drop(closed);
            Media::open(url, &impatient()).unwrap_err()
        }
        ErrorKind::Timeout => {
            let server = TestServer::serve_files([("m.mov", std::fs::read(prores2()).unwrap())]).unwrap();
            server.set_faults(Faults { stall_before_headers: 100, ..Faults::default() });
            let started = Instant::now();
            let e = Media::open(server.url("m.mov"), &impatient()).unwrap_err();
            assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
            e
        }
        ErrorKind::Io => {
            // A symbolic link to itself: the OS refuses to open it (ELOOP).
            let path = scratch("loop.mov");
            let _ = std::fs::remove_file(&path);
            std::os::unix::fs::symlink(&path, &path).unwrap();
            Media::open(&path, &local()).unwrap_err()
        }
        ErrorKind::Internal => MediaError::Decode(DecodeError::OutOfMemory("av_frame_alloc")),
    }
}

#[test]
fn every_error_kind_comes_from_a_real_failure() {
    for kind in ErrorKind::ALL {
        let e = failure(kind);
        assert_eq!(e.kind(), kind, "{e}");
    }
}
