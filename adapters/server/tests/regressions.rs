//! Every input that ever failed the `server_paths` fuzz target, and hand-picked request targets,
//! replayed on stable through the same harness the fuzz target runs (`common/server_paths.rs`).
//!
//! A file `regressions/server_paths-<anything>` is one input of the target. When `<anything>`
//! starts with a three-digit status and `-` (`server_paths-400-dotdot`), the answer must also
//! have that status. To add a crash: copy the input from `fuzz/artifacts/server_paths/` to
//! `regressions/server_paths-<short-description>`.

#[path = "common/server_paths.rs"]
mod server_paths;

use std::path::{Path, PathBuf};

use server_paths::Harness;

/// Name prefix of the replayed files.
const PREFIX: &str = "server_paths-";

fn regression_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_none_or(|x| x != "md"))
        .collect();
    files.sort();
    files
}

/// The status a file's name promises, if any.
fn expected_status(path: &Path) -> Option<u16> {
    let name = path.file_name().expect("file name").to_string_lossy();
    let rest = name.strip_prefix(PREFIX).unwrap_or_else(|| panic!("{name}: does not start with {PREFIX}"));
    let (code, _) = rest.split_once('-')?;
    (code.len() == 3).then(|| code.parse().ok()).flatten()
}

fn harness() -> Harness {
    Harness::new(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("lazyqt-server-paths"))
}

#[test]
fn every_regression_file_replays() {
    let h = harness();
    let files = regression_files();
    assert!(files.len() >= 20, "the hand-picked inputs are missing");
    for path in files {
        let data = std::fs::read(&path).expect("read");
        // A panic names the file: the harness prints the input, this line the file.
        eprintln!("replaying {}", path.display());
        let status = h.check(&data).unwrap_or_else(|| panic!("{}: not a valid request", path.display()));
        if let Some(expected) = expected_status(&path) {
            assert_eq!(status, expected, "{}", path.display());
        }
    }
}

#[test]
fn the_harness_reaches_every_kind_of_answer() {
    // Without these the invariants would hold vacuously: frames, times, listings of both mounts,
    // conditional answers and each error status really happen.
    let h = harness();
    let cases: &[(&[u8], u16)] = &[
        (b"/local/sub/m.mov/frame/3.jpg?width=32&quality=50", 200),
        (b"/up/sub/x.mov/time/9.95.rgba?height=24", 200),
        (b"/up/", 200),
        (b"/local/sub", 200),
        (b"HEAD /up/m.mov/frame/100.raw", 200),
        (b"/up/m.mov/frame/100.sample", 200),
        (b"/up/sub/x.mov.md5", 302),
        (b"/local/m.mov/frame/1\n*", 304),
        (b"/local/%2e%2e/outside/secret.mov", 400),
        (b"/local/escape/outside/secret.mov", 404),
        (b"PUT /up/m.mov", 405),
        (b"/local/nosize.mov/frame/1?width=10", 415),
        (b"/local/m.mov/frame/101", 416),
    ];
    for (input, status) in cases {
        assert_eq!(h.check(input), Some(*status), "{}", String::from_utf8_lossy(input));
    }
    assert_eq!(h.check(b"/a b"), None, "a space makes a method");
    assert_eq!(h.check(b"GET /a\x7f"), None, "not a URI");
}
