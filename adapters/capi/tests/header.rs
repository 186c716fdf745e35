//! The checked-in include/lazyqt.h must be what cbindgen makes of the current sources.
//! `LAZYQT_UPDATE_HEADER=1` rewrites it instead (see gen-header.sh).

use std::path::Path;

#[test]
fn header_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("read cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let path = dir.join("include/lazyqt.h");
    if std::env::var_os("LAZYQT_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &fresh).expect("write include/lazyqt.h");
    }
    let checked_in = std::fs::read(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "include/lazyqt.h is stale: run adapters/capi/gen-header.sh and commit the result"
    );
    let text = String::from_utf8(fresh).expect("utf-8 header");
    for name in ["lazyqt_open", "lazyqt_decode_frame", "lazyqt_last_error_message", "LAZYQT_ERR_PANIC"] {
        assert!(text.contains(name), "the header lacks {name}");
    }
}
