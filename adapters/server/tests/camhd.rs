//! The server over a cold CamHD-size movie (issue 13 item 4): 100 concurrent first requests
//! for different frames cost one open (one request: the head with the default tail, which
//! holds the whole `moov`) and one range request per frame, and every picture is FFmpeg's
//! decode of that frame.

#[path = "common/running.rs"]
mod running;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use lazyqt_benches::camhd::{self, CAMHD_FRAMES};
use lazyqt_server::{Mount, ServerConfig};
use lazyqt_testserver::TestServer;

/// Distinct ProRes source frames stored in the movie (sample `n` holds frame `n % 6`).
const SOURCE_FRAMES: usize = 6;

/// The 100 frames asked for: spread over the whole movie, all different.
fn wanted() -> Vec<u32> {
    (0..100).map(|i| i * 249 + i % 7).collect()
}

/// Six 1920x1080 ProRes 422 frames from `testsrc2` (made by the ffmpeg CLI) and FFmpeg's
/// own rgb24 decode of each.
fn source(dir: &Path) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mov = dir.join("source.mov");
    let ff = |args: &[&str]| {
        let ok = Command::new("ffmpeg")
            .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
            .args(args)
            .status()
            .unwrap()
            .success();
        assert!(ok, "ffmpeg {args:?}");
    };
    let m = mov.to_str().unwrap();
    ff(&["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30000/1001", "-frames:v", "6"]
        .into_iter()
        .chain(["-c:v", "prores_ks", "-profile:v", "2", "-f", "mov", m])
        .collect::<Vec<_>>());
    let raw = dir.join("source.rgb");
    ff(&["-i", m, "-pix_fmt", "rgb24", "-f", "rawvideo", raw.to_str().unwrap()]);
    let frames = camhd::prores_frames(&std::fs::read(&mov).unwrap()).unwrap();
    let pixels: Vec<Vec<u8>> =
        std::fs::read(&raw).unwrap().chunks(1920 * 1080 * 3).map(<[u8]>::to_vec).collect();
    assert_eq!((frames.len(), pixels.len()), (SOURCE_FRAMES, SOURCE_FRAMES));
    (frames, pixels)
}

/// A sparse `camhd.mov` in `dir`: CamHD's layout and sizes (25,000 frames of ~560 KB,
/// 13 GB apparent, `moov` at the end), real ProRes frames in the wanted samples only.
fn write_movie(dir: &Path, frames: &[Vec<u8>]) -> u64 {
    use std::os::unix::fs::FileExt;
    let biggest = frames.iter().map(Vec::len).max().unwrap() as u32;
    let sizes: Vec<u32> = camhd::camhd_sizes(CAMHD_FRAMES).into_iter().map(|s| s.max(biggest)).collect();
    let movie = camhd::prores(&sizes);
    let l = &movie.layout;
    let file = std::fs::File::create(dir.join("camhd.mov")).unwrap();
    file.set_len(l.file_len).unwrap();
    file.write_all_at(&movie.head, 0).unwrap();
    file.write_all_at(&movie.moov, l.moov_offset).unwrap();
    for n in wanted() {
        file.write_all_at(&frames[n as usize % SOURCE_FRAMES], l.sample_offset(n)).unwrap();
    }
    movie.moov.len() as u64
}

#[test]
fn hundred_first_requests_for_different_frames_cost_one_open() {
    let dir = tempfile::tempdir().unwrap();
    let (frames, pixels) = source(dir.path());
    let moov_len = write_movie(dir.path(), &frames);
    assert!(moov_len > 100_000, "a CamHD-size moov, not {moov_len} bytes");
    let upstream = TestServer::serve_dir(dir.path()).unwrap();
    let config = ServerConfig {
        mounts: vec![Mount::parse(&format!("/up={}", upstream.url("/"))).unwrap()],
        ..ServerConfig::default()
    };
    let server = running::serve(config, 64);
    let base = format!("{}/up/camhd.mov", server.base);

    let client = reqwest::blocking::Client::new();
    let get = |url: String| client.get(url).timeout(Duration::from_secs(120)).send().unwrap();
    let pngs: Vec<(u32, Vec<u8>)> = std::thread::scope(|s| {
        let handles: Vec<_> = wanted()
            .into_iter()
            .map(|n| {
                let (get, base) = (&get, &base);
                s.spawn(move || {
                    // The REST API numbers frames from 1.
                    let r = get(format!("{base}/frame/{}", n + 1));
                    let status = r.status();
                    let body = r.bytes().unwrap().to_vec();
                    assert_eq!(status, 200, "frame {n}: {}", String::from_utf8_lossy(&body));
                    (n, body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (n, png) in &pngs {
        let image = image::load_from_memory_with_format(png, image::ImageFormat::Png).unwrap().into_rgb8();
        assert!(image.as_raw() == &pixels[*n as usize % SOURCE_FRAMES], "frame {n} is not FFmpeg's decode");
    }
    let ranges: Vec<String> = upstream
        .requests()
        .into_iter()
        .filter(|r| r.path == "/camhd.mov")
        .map(|r| r.range.unwrap_or_default())
        .collect();
    // The open is one request (the head and the default tail, which holds the whole moov);
    // then each frame is one exact range of its own, and nothing else.
    assert_eq!(ranges.len(), 1 + 100, "{ranges:?}");
    assert_eq!(ranges.iter().filter(|r| r.contains(",-")).count(), 1, "one open: {ranges:?}");
    let mut frames_read = ranges.iter().filter(|r| !r.contains(',')).collect::<Vec<_>>();
    frames_read.sort();
    frames_read.dedup();
    assert_eq!(frames_read.len(), 100, "one request per frame: {ranges:?}");
    let metrics = get(format!("{}/metrics", base.trim_end_matches("/up/camhd.mov"))).text().unwrap();
    assert!(metrics.contains("lazyqt_movie_opens_total 1"), "{metrics}");
}
