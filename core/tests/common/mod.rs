//! Shared helpers for the core's integration tests: generated media and ffprobe.
#![allow(dead_code)]

pub mod build;

use std::path::PathBuf;
use std::process::Command;

/// Generate the test movies (idempotent) and return their directory.
pub fn media_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = root.join("testdata/generated");
    let status = Command::new("bash")
        .arg(root.join("testdata/generate.sh"))
        .arg(&out)
        .status()
        .expect("run testdata/generate.sh");
    assert!(status.success(), "testdata/generate.sh failed");
    out
}

/// Every generated movie file.
pub fn all_movies() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(media_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("mov" | "mp4")))
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    v.sort();
    assert!(v.len() >= 10, "expected the generated test movies, found {v:?}");
    v
}

/// `ffprobe -show_streams -show_packets` as JSON.
pub fn ffprobe(path: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-of", "json"])
        .args(extra)
        .arg(path)
        .output()
        .expect("run ffprobe");
    assert!(out.status.success(), "ffprobe failed on {path:?}");
    serde_json::from_slice(&out.stdout).expect("ffprobe json")
}
