//! Movie::open, then every track drained: cursor walk, random samples, frames, times, sync lookups, timecode.
#![no_main]

#[path = "../../core/tests/common/drain.rs"]
mod drain;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    drain::drain_movie(data);
});
