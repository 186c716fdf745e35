//! Every frame of every generated movie decodes to exactly the pixels the ffmpeg CLI
//! produces for the same frame number (rgb24, FFmpeg's default conversion), one by one
//! (`decode_frame` = `decode(fetch(n))`) and through the pipeline.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::open;
use lazyqt_media::decoding::{ConvertOptions, Format, PixelFormat};
use lazyqt_media::{MediaError, Pipeline, PipelineOptions};
use lazyqt_testkit::{media_dir, PRORES_MOVIES};

/// All frames as ffmpeg decodes them, rgb24, concatenated.
fn ffmpeg_frames(path: &std::path::Path) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:v:0", "-vsync", "0", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn every_frame_matches_the_ffmpeg_cli() {
    let dir = media_dir();
    let others = [
        "h264_bframes.mov",
        "h264_bframes.mp4",
        "h264_edit.mp4",
        "h264_opengop.mp4",
        "hevc.mp4",
        "mjpeg.mov",
    ];
    for name in PRORES_MOVIES.into_iter().chain(others) {
        let path = dir.join(name);
        let media = open(&path);
        let video = media.video().unwrap();
        let frame_len = (video.width() * video.height() * 3) as usize;
        let theirs = ffmpeg_frames(&path);
        assert_eq!(theirs.len() / frame_len, video.frame_count() as usize, "{name}: frame count");
        // Out of decode order on purpose: every frame is decoded from its own sync sample.
        let n = video.frame_count() as u64;
        for k in (0..n).rev() {
            let img = media.decode_frame(k, &ConvertOptions::default()).unwrap();
            assert_eq!(
                (img.width, img.height, img.format),
                (video.width(), video.height(), PixelFormat::Rgb24)
            );
            let want = &theirs[k as usize * frame_len..(k as usize + 1) * frame_len];
            assert!(img.data == want, "{name}: frame {k} differs from ffmpeg's");
        }
    }
}

/// Over HTTP, `decode_frame` opens and prepares the decoder and the conversion on another
/// thread while the frame's bytes are in flight (loading FFmpeg first in a cold process):
/// the first, middle and last frames of each movie, each from a fresh open (a new decoder
/// prepared every time), are still exactly ffmpeg's.
#[test]
fn remote_frames_decoded_beside_their_request_match_the_ffmpeg_cli() {
    let dir = media_dir();
    for name in PRORES_MOVIES.into_iter().chain(["h264_bframes.mp4", "hevc.mp4"]) {
        let path = dir.join(name);
        let server =
            lazyqt_testserver::TestServer::serve_files([(name.to_string(), std::fs::read(&path).unwrap())])
                .unwrap();
        let theirs = ffmpeg_frames(&path);
        let n = open(&path).video().unwrap().frame_count() as u64;
        for k in [0, n / 2, n - 1] {
            let media = open(server.url(name));
            assert!(media.source().is_remote());
            let img = media.decode_frame(k, &ConvertOptions::default()).unwrap();
            let frame_len = img.data.len();
            let want = &theirs[k as usize * frame_len..(k as usize + 1) * frame_len];
            assert!(img.data == want, "{name}: remote frame {k} differs from ffmpeg's");
        }
    }
}

/// Fetch and decode as separate steps, on the pipeline's threads, as completed: the same
/// pixels as the ffmpeg CLI.
#[test]
fn the_pipeline_gives_the_ffmpeg_clis_pixels() {
    for name in ["h264_opengop.mp4", "prores2.mov"] {
        let path = media_dir().join(name);
        let media = open(&path);
        let video = media.video().unwrap();
        let frame_len = (video.width() * video.height() * 3) as usize;
        let theirs = ffmpeg_frames(&path);
        let frames: Vec<u64> = (0..u64::from(video.frame_count())).rev().collect();
        let mut seen = 0;
        let opts = PipelineOptions { decoders: 2, ..PipelineOptions::default() };
        for done in Pipeline::new(&media, frames, ConvertOptions::default(), opts) {
            let k = done.frame as usize;
            let want = &theirs[k * frame_len..(k + 1) * frame_len];
            assert!(done.value.unwrap().data == want, "{name}: frame {k} differs from ffmpeg's");
            seen += 1;
        }
        assert_eq!(seen, video.frame_count(), "{name}");
    }
}

/// A long-GOP frame is read from its sync sample; in a track with open GOPs (leading
/// pictures) from the sync sample before that, which decoding falls back to.
#[test]
fn long_gop_frames_are_read_from_the_sync_sample_they_need() {
    let dir = media_dir();
    let closed = open(dir.join("h264_bframes.mov")).fetch(40).unwrap();
    assert!(closed.samples().len() > 1 && closed.sync_at() == 0, "{:?}", closed.samples());
    assert!(closed.samples()[0].keyframe);
    let open_gop = open(dir.join("h264_opengop.mp4")).fetch(50).unwrap();
    let sync_at = open_gop.sync_at();
    assert!(sync_at > 0, "{:?}", open_gop.samples());
    assert!(open_gop.samples()[0].keyframe && open_gop.samples()[sync_at].keyframe);
    assert_eq!(open_gop.target().index, open_gop.samples().last().unwrap().index);
    let single = open(dir.join("prores2.mov")).fetch(7).unwrap();
    assert_eq!(
        (single.samples().len(), single.range().map(|r| r.1)),
        (1, Some(u64::from(single.target().size)))
    );
}

#[test]
fn frame_at_time_picks_the_frame_shown_then() {
    let media = open(media_dir().join("h264_edit.mp4"));
    let fps = 30000.0 / 1001.0;
    assert_eq!(media.frame_at_seconds(0.0).unwrap(), 0);
    assert_eq!(media.frame_at_seconds(10.5 / fps).unwrap(), 10);
    assert_eq!(media.frame_at_seconds(44.0 / fps).unwrap(), 44);
    assert!(matches!(media.frame_at_seconds(1000.0), Err(MediaError::OutOfRange { .. })));
    assert!(matches!(media.frame_at_seconds(f64::NAN), Err(MediaError::InvalidTime(_))));
}

#[test]
fn encoded_images_and_bad_requests() {
    let media = open(media_dir().join("prores3.mov"));
    let png = media.encode_frame(3, Format::Png, &ConvertOptions::default(), &Default::default()).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let small = ConvertOptions { size: Some((160, 0)), ..ConvertOptions::default() };
    let img = media.decode_frame(3, &small).unwrap();
    assert_eq!((img.width, img.height), (160, 90));
    let deep = ConvertOptions { format: PixelFormat::Rgb48, ..ConvertOptions::default() };
    let img = media.decode_frame(3, &deep).unwrap();
    assert_eq!(img.data.len(), 320 * 180 * 6);
    assert!(matches!(media.decode_frame(30, &ConvertOptions::default()), Err(MediaError::OutOfRange { .. })));
    assert!(matches!(
        media.decode_frame(u64::MAX, &ConvertOptions::default()),
        Err(MediaError::OutOfRange { .. })
    ));
}

#[test]
fn garbage_samples_give_errors_not_crashes() {
    // Overwrite the payload of every ProRes frame with junk: decoding must fail cleanly.
    let src = media_dir().join("prores2.mov");
    let mut bytes = std::fs::read(&src).unwrap();
    let media = open(&src);
    for k in 0..4 {
        let s = media.frame_sample(k).unwrap();
        let start = s.offset as usize + 8;
        for (i, b) in bytes[start..s.offset as usize + s.size as usize].iter_mut().enumerate() {
            *b = (i * 7919 % 251) as u8;
        }
    }
    let dir = tempdir();
    let bad = dir.join("junk.mov");
    std::fs::write(&bad, &bytes).unwrap();
    let media = open(&bad);
    for k in 0..4 {
        assert!(media.decode_frame(k, &ConvertOptions::default()).is_err(), "frame {k} of junk decoded");
    }
    // Frames that were left alone still decode.
    assert!(media.decode_frame(10, &ConvertOptions::default()).is_ok());
}

fn tempdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("lazyqt-media-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
