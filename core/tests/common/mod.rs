//! Shared helpers for the core's integration tests: every generated movie, and ffprobe.
//! (The generated movies and the atom writer come from `lazyqt-testkit`.)
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// Every generated movie file.
pub fn all_movies() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(lazyqt_testkit::media_dir())
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
