//! Inputs of fuzz target `http_wire` replayed on stable through its checks
//! (`wire/check.rs`): every crash it ever found, plus hand-picked answers from real
//! servers. To add one: copy the file from `fuzz/artifacts/http_wire/` to
//! `tests/wire/regressions/`.

#[path = "wire/check.rs"]
mod check;

#[test]
fn every_regression_input_passes_the_checks() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire/regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    for f in files {
        eprintln!("replaying {}", f.display());
        check::check(&std::fs::read(&f).unwrap());
    }
}
