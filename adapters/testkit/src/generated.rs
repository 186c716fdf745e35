//! The generated test movies: `testdata/generate.sh` runs once per process, on first use (and
//! `testdata/generate_archive.sh` for the CamHD-layout archive).
//! The script is idempotent and takes an exclusive lock on its output directory (each movie is
//! written to a temporary name, then renamed), so test binaries running at the same time wait
//! for each other instead of reading half-written files.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// Every ProRes movie `testdata/generate.sh` makes: one per profile (0 proxy … 5 4444 XQ),
/// then a fast-start one (`moov` first) and one with sound and a timecode track.
pub const PRORES_MOVIES: [&str; 8] = [
    "prores0.mov",
    "prores1.mov",
    "prores2.mov",
    "prores3.mov",
    "prores4.mov",
    "prores5.mov",
    "prores_faststart.mov",
    "prores_audio_tc.mov",
];

/// The repository's root directory.
fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run `testdata/SCRIPT OUT` (OUT below `testdata/`) and give OUT.
fn run_script(script: &str, out: &str) -> PathBuf {
    let root = repo_root();
    let out = root.join("testdata").join(out);
    let status = Command::new("bash")
        .arg(root.join("testdata").join(script))
        .arg(&out)
        .status()
        .unwrap_or_else(|e| panic!("run testdata/{script} (needs bash and the ffmpeg CLI): {e}"));
    assert!(status.success(), "testdata/{script} failed: {status}");
    out
}

/// The directory of generated test movies (`testdata/generated`), made on first use.
pub fn media_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| run_script("generate.sh", "generated")).clone()
}

/// The generated archive in CamHD's layout (`testdata/generated/archive`: day directories
/// `YYYY/MM/DD/` of short ProRes movies named like CamHD's, `.md5` files, a missing day, a
/// malformed movie; see `testdata/generate_archive.sh`), made on first use.
pub fn archive_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| run_script("generate_archive.sh", "generated/archive")).clone()
}

/// Path of the generated movie `name` (e.g. `prores2.mov`); panics if the script did not make
/// it, so a misspelt name fails loudly.
pub fn generated(name: &str) -> PathBuf {
    let path = media_dir().join(name);
    assert!(path.is_file(), "testdata/generate.sh made no {name}");
    path
}
