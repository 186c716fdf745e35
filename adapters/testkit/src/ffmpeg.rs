//! The ffmpeg CLI's own decode of a frame: the reference every picture lazyqt makes is
//! compared with, byte for byte.

use std::path::Path;
use std::process::Command;

/// Frame `n` (0-based, presentation order) of `path` as the ffmpeg CLI decodes it to
/// `pix_fmt` (e.g. `rgb24`), with the filters `vf` (e.g. `,scale=in_color_matrix=bt709`, or
/// empty) after selecting the frame.
pub fn ffmpeg_frame(path: &Path, n: u32, pix_fmt: &str, vf: &str) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args(["-vf", &format!("select=eq(n\\,{n}){vf}"), "-vsync", "0", "-frames:v", "1"])
        .args(["-pix_fmt", pix_fmt, "-f", "rawvideo", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(out.status.success(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}
