//! The atom tree walker over arbitrary bytes, drained.
#![no_main]

#[path = "../../core/tests/common/drain.rs"]
mod drain;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    drain::drain_atoms(data);
});
