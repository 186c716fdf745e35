//! Runs run-example.sh: the C example built against the installed header and library (via
//! pkg-config and the CMake package), on generated movies, and under valgrind.

use std::path::Path;
use std::process::Command;

#[test]
fn c_example_runs_clean_under_valgrind() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("run-example.sh");
    let out = Command::new("bash").arg(&script).output().expect("run run-example.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "run-example.sh failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(stdout.contains("codec:      apcn"), "{stdout}");
    assert!(stdout.contains("run-example.sh: OK"), "{stdout}");
}
