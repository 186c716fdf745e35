//! Helpers shared by the integration tests.

use std::path::PathBuf;
use std::process::Command;

/// The generated test movies' directory (runs `testdata/generate.sh`, which is idempotent).
pub fn media_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("testdata/generated");
    let ok = Command::new("bash").arg(root.join("testdata/generate.sh")).arg(&out).status().unwrap();
    assert!(ok.success());
    out
}
