//! `lazyqt frame`/`frames` pixels against the ffmpeg CLI's for the colour rule: untagged
//! movies of every size are BT.601, tagged ones use their tag, `--color-matrix M` equals
//! `-vf scale=in_color_matrix=M`, other packed formats equal `-pix_fmt FMT`.

#[path = "../../../testdata/colour.rs"]
mod colour;

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use colour::{ffmpeg_frame, movie, movies, FRAMES};

fn lazyqt(args: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("lazyqt").unwrap().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The pixels of a binary PPM (P6, maxval 255).
fn ppm_pixels(ppm: &[u8]) -> &[u8] {
    let mut fields = 0;
    let mut at = 0;
    while fields < 4 {
        while ppm[at].is_ascii_whitespace() {
            at += 1;
        }
        while !ppm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields += 1;
    }
    &ppm[at + 1..]
}

#[test]
fn frame_follows_ffmpegs_colour_rule() {
    let (dir, paths) = movies("cli");
    for path in &paths {
        let p = path.to_str().unwrap();
        for n in 0..FRAMES {
            let raw = lazyqt(&["frame", p, &n.to_string(), "-o", "-", "--format", "raw"]);
            assert!(raw == ffmpeg_frame(path, n, "rgb24", ""), "{p} frame {n}: raw differs from ffmpeg's");
        }
        let ppm = lazyqt(&["frame", p, "1", "-o", "-", "--format", "ppm"]);
        assert!(ppm_pixels(&ppm) == ffmpeg_frame(path, 1, "rgb24", ""), "{p}: PPM differs");
        let forced = lazyqt(&["frame", p, "2", "-o", "-", "--format", "raw", "--color-matrix", "bt709"]);
        assert!(forced == ffmpeg_frame(path, 2, "rgb24", ",scale=in_color_matrix=bt709"), "{p}: bt709");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn frames_pixel_formats_and_scaling_keep_the_rule() {
    let dir = std::env::temp_dir().join(format!("lazyqt-cli-colour-frames-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = movie(&dir, "frames_709", "1280x720", Some("bt709"));
    let p = path.to_str().unwrap();
    let bgr = lazyqt(&["frame", p, "1", "-o", "-", "--format", "raw", "--pixel-format", "bgr24"]);
    assert!(bgr == ffmpeg_frame(&path, 1, "bgr24", ""), "bgr24");
    let deep = lazyqt(&["frame", p, "1", "-o", "-", "--format", "raw", "--pixel-format", "rgb48be"]);
    assert!(deep == ffmpeg_frame(&path, 1, "rgb48be", ""), "rgb48be");
    let small = lazyqt(&["frame", p, "0", "-o", "-", "--format", "raw", "--scale", "640x0"]);
    assert!(small == ffmpeg_frame(&path, 0, "rgb24", ",scale=640:360"), "scaled");
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    lazyqt(&["frames", p, "--every", "1", "-o", o, "--format", "ppm", "--color-matrix", "bt601"]);
    for n in 0..FRAMES {
        let ppm = std::fs::read(out.join(format!("frame_{n:06}.ppm"))).unwrap();
        let want = ffmpeg_frame(&path, n, "rgb24", ",scale=in_color_matrix=bt601");
        assert!(ppm_pixels(&ppm) == want, "frame {n}");
    }
    let bad =
        Command::cargo_bin("lazyqt").unwrap().args(["frame", p, "0", "--color-matrix", "rec709"]).output();
    let bad = bad.unwrap();
    assert_eq!(bad.status.code(), Some(2), "a bad --color-matrix is a usage error");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("stream"), "the error lists the choices");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `lazyqt info` shows the video track's `colr` tags (primaries-transfer-matrix) from the
/// summary made at open, and nothing for a movie without them.
#[test]
fn info_shows_colour_tags() {
    let dir = std::env::temp_dir().join(format!("lazyqt-cli-colour-info-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tagged = dir.join("tagged.mov");
    let made = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25"])
        .args(["-frames:v", "2", "-vf", "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709"])
        .args(["-c:v", "prores_ks", "-profile:v", "2"])
        .arg(&tagged)
        .status()
        .unwrap();
    assert!(made.success());
    let text = String::from_utf8(lazyqt(&["info", tagged.to_str().unwrap()])).unwrap();
    assert!(text.contains("apcn 320x180 25.000/s 2 samples, 2 frames, 0.080 s, colr 1-1-1\n"), "{text}");
    let untagged = movie(&dir, "untagged", "320x180", None);
    let text = String::from_utf8(lazyqt(&["info", untagged.to_str().unwrap()])).unwrap();
    assert!(text.contains("track 1") && !text.contains("colr"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
