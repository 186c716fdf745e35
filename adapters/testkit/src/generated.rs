//! The generated test movies: `testdata/generate.sh` runs once per process, on first use.
//! The script is idempotent and takes an exclusive lock on its output directory (each movie is
//! written to a temporary name, then renamed), so test binaries running at the same time wait
//! for each other instead of reading half-written files.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The repository's root directory.
fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory of generated test movies (`testdata/generated`), made on first use.
pub fn media_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = repo_root();
        let out = root.join("testdata/generated");
        let status = Command::new("bash")
            .arg(root.join("testdata/generate.sh"))
            .arg(&out)
            .status()
            .expect("run testdata/generate.sh (needs bash and the ffmpeg CLI)");
        assert!(status.success(), "testdata/generate.sh failed: {status}");
        out
    })
    .clone()
}

/// Path of the generated movie `name` (e.g. `prores2.mov`); panics if the script did not make
/// it, so a misspelt name fails loudly.
pub fn generated(name: &str) -> PathBuf {
    let path = media_dir().join(name);
    assert!(path.is_file(), "testdata/generate.sh made no {name}");
    path
}
