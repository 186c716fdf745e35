//! Every frame of every generated movie decodes to exactly the pixels the ffmpeg CLI
//! produces for the same frame number (rgb24, FFmpeg's default conversion).

use std::path::PathBuf;
use std::process::Command;

use lazyqt_io::SourceOptions;
use lazyqt_media::decoding::{ConvertOptions, Format, PixelFormat};
use lazyqt_media::{Media, MediaError};
use lazyqt_testkit::media_dir;

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

fn open(path: &std::path::Path) -> Media {
    Media::open(path.to_str().unwrap(), &SourceOptions { no_cache: true, ..SourceOptions::default() })
        .unwrap()
}

#[test]
fn every_frame_matches_the_ffmpeg_cli() {
    let dir = media_dir();
    for name in [
        "prores0.mov",
        "prores1.mov",
        "prores2.mov",
        "prores3.mov",
        "prores4.mov",
        "prores5.mov",
        "prores_faststart.mov",
        "prores_audio_tc.mov",
        "h264_bframes.mov",
        "h264_bframes.mp4",
        "h264_edit.mp4",
        "h264_opengop.mp4",
        "hevc.mp4",
        "mjpeg.mov",
    ] {
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
                (video.width(), video.height(), PixelFormat::Rgb8)
            );
            let want = &theirs[k as usize * frame_len..(k as usize + 1) * frame_len];
            assert!(img.data == want, "{name}: frame {k} differs from ffmpeg's");
        }
    }
}

#[test]
fn frame_at_time_picks_the_frame_shown_then() {
    let media = open(&media_dir().join("h264_edit.mp4"));
    let fps = 30000.0 / 1001.0;
    assert_eq!(media.frame_at_seconds(0.0).unwrap(), 0);
    assert_eq!(media.frame_at_seconds(10.5 / fps).unwrap(), 10);
    assert_eq!(media.frame_at_seconds(44.0 / fps).unwrap(), 44);
    assert!(matches!(media.frame_at_seconds(1000.0), Err(MediaError::OutOfRange { .. })));
    assert!(matches!(media.frame_at_seconds(f64::NAN), Err(MediaError::InvalidTime(_))));
}

#[test]
fn encoded_images_and_bad_requests() {
    let media = open(&media_dir().join("prores3.mov"));
    let png = media.encode_frame(3, Format::Png, &ConvertOptions::default(), &Default::default()).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let small = ConvertOptions { size: Some((160, 0)), ..ConvertOptions::default() };
    let img = media.decode_frame(3, &small).unwrap();
    assert_eq!((img.width, img.height), (160, 90));
    let deep = ConvertOptions { format: PixelFormat::Rgb16, ..ConvertOptions::default() };
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
