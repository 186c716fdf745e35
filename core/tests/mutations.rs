//! No input makes the core panic or hang: 1,600 mutated real moovs, each opened
//! and drained. (The fuzz targets in fuzz/ do this at scale; this runs in every `cargo test`.)

mod common;
#[path = "common/drain.rs"]
mod drain;

use drain::drain_movie as drain;

/// xorshift64*: deterministic, so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn mutated_moovs_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for name in ["prores_audio_tc.mov", "h264_bframes.mov", "h264_edit.mp4", "prores_faststart.mov"] {
        let original = std::fs::read(lazyqt_testkit::generated(name)).unwrap();
        let moov_at = original.windows(4).rposition(|w| w == b"moov").unwrap() - 4;
        // Keep the mdat out of the mutated copy (small files make many iterations cheap):
        // ftyp, then moov.
        let ftyp_len = u32::from_be_bytes(original[..4].try_into().unwrap()) as usize;
        let mut base = original[..ftyp_len.min(moov_at)].to_vec();
        base.extend_from_slice(&original[moov_at..]);
        assert!(drain(&original) > 0);
        assert!(drain(&base) > 0, "{name}: the unmutated base must open");
        for _ in 0..400 {
            let mut m = base.clone();
            for _ in 0..1 + rng.next() % 8 {
                let at = (rng.next() % m.len() as u64) as usize;
                m[at] = match rng.next() % 4 {
                    0 => 0,
                    1 => 0xff,
                    2 => m[at].wrapping_add(1),
                    _ => rng.next() as u8,
                };
            }
            drain(&m);
        }
    }
}
