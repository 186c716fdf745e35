//! The stsd sample-entry parser under each handler kind (vide, soun, tmcd, other); the input is the atom's bytes.
#![no_main]

#[path = "../../core/tests/common/drain.rs"]
mod drain;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    drain::drain_stsd(data);
});
