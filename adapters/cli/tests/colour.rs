//! `lazyqt frame`/`frames` pixels against the ffmpeg CLI's for the colour rule: untagged
//! movies of every size are BT.601, tagged ones use their tag, `--color-matrix M` equals
//! `-vf scale=in_color_matrix=M`, other packed formats equal `-pix_fmt FMT`.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

/// A 3-frame ProRes movie of testsrc2 at `size`, tagged `tag` in the bitstream (None:
/// untagged, checked with ffprobe), in the temp dir.
fn movie(name: &str, size: &str, tag: Option<&str>) -> PathBuf {
    let path = std::env::temp_dir().join(format!("lazyqt-cli-colour-{}-{name}.mov", std::process::id()));
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-nostdin", "-v", "error", "-y", "-f", "lavfi"]).args([
        "-i",
        &format!("testsrc2=size={size}:rate=30000/1001"),
        "-frames:v",
        "3",
    ]);
    if let Some(tag) = tag {
        cmd.args(["-vf", &format!("setparams=colorspace={tag}")]);
    }
    assert!(cmd.args(["-c:v", "prores_ks", "-profile:v", "2"]).arg(&path).status().unwrap().success());
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=color_space"])
        .args(["-of", "default=nw=1:nk=1"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(probe.stdout).unwrap().trim(), tag.unwrap_or("unknown"), "{name}");
    path
}

fn lazyqt(args: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("lazyqt").unwrap().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Frame `n` from the ffmpeg CLI as `pix_fmt`, with filters `vf` after the selection.
fn ffmpeg(path: &Path, n: u32, pix_fmt: &str, vf: &str) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args(["-vf", &format!("select=eq(n\\,{n}){vf}"), "-vsync", "0", "-frames:v", "1"])
        .args(["-pix_fmt", pix_fmt, "-f", "rawvideo", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
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
    for (name, size, tag) in [
        ("untagged_1080", "1920x1080", None),
        ("untagged_720", "1280x720", None),
        ("untagged_sd", "720x486", None),
        ("bt709", "1280x720", Some("bt709")),
        ("smpte170m", "640x360", Some("smpte170m")),
        ("bt2020", "640x360", Some("bt2020nc")),
    ] {
        let path = movie(name, size, tag);
        let p = path.to_str().unwrap();
        for n in 0..3 {
            let raw = lazyqt(&["frame", p, &n.to_string(), "-o", "-", "--format", "raw"]);
            assert!(raw == ffmpeg(&path, n, "rgb24", ""), "{name} frame {n}: raw differs from ffmpeg's");
        }
        let ppm = lazyqt(&["frame", p, "1", "-o", "-", "--format", "ppm"]);
        assert!(ppm_pixels(&ppm) == ffmpeg(&path, 1, "rgb24", ""), "{name}: PPM differs");
        let forced = lazyqt(&["frame", p, "2", "-o", "-", "--format", "raw", "--color-matrix", "bt709"]);
        assert!(forced == ffmpeg(&path, 2, "rgb24", ",scale=in_color_matrix=bt709"), "{name}: bt709");
        let _ = std::fs::remove_file(&path);
    }
}

#[test]
fn frames_pixel_formats_and_scaling_keep_the_rule() {
    let path = movie("frames_709", "1280x720", Some("bt709"));
    let p = path.to_str().unwrap();
    let bgr = lazyqt(&["frame", p, "1", "-o", "-", "--format", "raw", "--pixel-format", "bgr24"]);
    assert!(bgr == ffmpeg(&path, 1, "bgr24", ""), "bgr24");
    let deep = lazyqt(&["frame", p, "1", "-o", "-", "--format", "raw", "--pixel-format", "rgb48be"]);
    assert!(deep == ffmpeg(&path, 1, "rgb48be", ""), "rgb48be");
    let small = lazyqt(&["frame", p, "0", "-o", "-", "--format", "raw", "--scale", "640x0"]);
    assert!(small == ffmpeg(&path, 0, "rgb24", ",scale=640:360"), "scaled");
    let dir = std::env::temp_dir().join(format!("lazyqt-cli-colour-frames-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    lazyqt(&["frames", p, "--every", "1", "-o", d, "--format", "ppm", "--color-matrix", "bt601"]);
    for n in 0..3 {
        let ppm = std::fs::read(dir.join(format!("frame_{n:06}.ppm"))).unwrap();
        assert!(ppm_pixels(&ppm) == ffmpeg(&path, n, "rgb24", ",scale=in_color_matrix=bt601"), "frame {n}");
    }
    let bad =
        Command::cargo_bin("lazyqt").unwrap().args(["frame", p, "0", "--color-matrix", "rec709"]).output();
    let bad = bad.unwrap();
    assert_eq!(bad.status.code(), Some(2), "a bad --color-matrix is a usage error");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("stream"), "the error lists the choices");
    let _ = (std::fs::remove_dir_all(&dir), std::fs::remove_file(&path));
}
