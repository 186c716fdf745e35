//! The sample-table parsers (stts ctts stss stsc stsz stz2 stco co64) and every entry read back; the input is the atom's bytes.
#![no_main]

#[path = "../../core/tests/common/drain.rs"]
mod drain;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    drain::drain_tables(data);
});
