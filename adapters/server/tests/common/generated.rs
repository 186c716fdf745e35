//! The movies `testdata/generate.sh` makes with the ffmpeg CLI, shared by the test binaries
//! that run the server over real files.

use std::path::PathBuf;
use std::process::Command;

/// The directory of generated test movies (made on first use).
pub fn media_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("testdata/generated");
    assert!(Command::new("bash")
        .arg(root.join("testdata/generate.sh"))
        .arg(&out)
        .status()
        .unwrap()
        .success());
    out
}
