//! The REST server's request targets: arbitrary bytes become one request (`[METHOD ' '] TARGET
//! ['\n' IF_NONE_MATCH]`) sent through the real router with a local and an upstream mount over a
//! recording fake backend; statuses, backend calls and upstream fetches are checked.
#![no_main]

#[path = "../../adapters/server/tests/common/server_paths.rs"]
mod server_paths;

use std::sync::LazyLock;

/// Built once per process: the local tree is shared by every fuzzing process on the machine.
static HARNESS: LazyLock<server_paths::Harness> =
    LazyLock::new(|| server_paths::Harness::new(&std::env::temp_dir().join("lazyqt-fuzz-server_paths")));

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    HARNESS.check(data);
});
