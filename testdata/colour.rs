//! Test helpers for the colour rule, shared by the crates' tests (each includes this file
//! with `#[path]`): short ProRes movies untagged or tagged in the bitstream, made with the
//! ffmpeg CLI and checked with ffprobe, and the ffmpeg CLI's own decode of a frame.
#![allow(dead_code)] // each test uses what it needs

use std::path::{Path, PathBuf};
use std::process::Command;

/// The movies every front end is checked on: (name, size, bitstream tag; None = untagged).
pub const MOVIES: [(&str, &str, Option<&str>); 6] = [
    ("untagged_1080", "1920x1080", None),
    ("untagged_720", "1280x720", None),
    ("untagged_sd", "720x486", None),
    ("bt709", "1280x720", Some("bt709")),
    ("smpte170m", "640x360", Some("smpte170m")),
    ("bt2020", "640x360", Some("bt2020nc")),
];

/// Frames in each movie.
pub const FRAMES: u32 = 3;

/// Makes `dir/NAME.mov`: `FRAMES` frames of testsrc2 at `size` as ProRes 422, tagged `tag`
/// (`setparams=colorspace=TAG`), and checks that ffprobe reports that tag (`unknown` for
/// None: really untagged).
pub fn movie(dir: &Path, name: &str, size: &str, tag: Option<&str>) -> PathBuf {
    let path = dir.join(format!("{name}.mov"));
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-nostdin", "-v", "error", "-y", "-f", "lavfi"])
        .args(["-i", &format!("testsrc2=size={size}:rate=30000/1001")])
        .args(["-frames:v", &FRAMES.to_string()]);
    if let Some(tag) = tag {
        cmd.args(["-vf", &format!("setparams=colorspace={tag}")]);
    }
    let made = cmd.args(["-c:v", "prores_ks", "-profile:v", "2"]).arg(&path).status();
    assert!(made.is_ok_and(|s| s.success()), "ffmpeg could not make {name}");
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=color_space"])
        .args(["-of", "default=nw=1:nk=1"])
        .arg(&path)
        .output()
        .expect("run ffprobe");
    let said = String::from_utf8_lossy(&probe.stdout).trim().to_owned();
    assert_eq!(said, tag.unwrap_or("unknown"), "{name}: ffprobe's color_space");
    path
}

/// All of [`MOVIES`] in a fresh directory named after `test` and this process.
pub fn movies(test: &str) -> (PathBuf, Vec<PathBuf>) {
    let dir = std::env::temp_dir().join(format!("lazyqt-colour-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the movie directory");
    let paths = MOVIES.iter().map(|(name, size, tag)| movie(&dir, name, size, *tag)).collect();
    (dir, paths)
}

/// Frame `n` of a movie as the ffmpeg CLI decodes it (defined once, in the test kit).
pub use lazyqt_testkit::ffmpeg_frame;
