//! No input makes the core panic or hang: thousands of mutated real moovs, each opened
//! and drained. (The fuzz targets in fuzz/ do this at scale; this runs in every `cargo test`.)

mod common;

use lazyqt_core::Movie;

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

/// Open and drain everything; returns the number of samples visited.
pub fn drain(data: &[u8]) -> u64 {
    let Ok(movie) = Movie::open(data) else { return 0 };
    let mut visited = 0;
    for t in movie.tracks() {
        if let Ok(mut c) = t.samples(data) {
            while let Some(s) = c.next(data) {
                visited += 1;
                if let Ok(s) = s {
                    let _ = t.sample(data, s.index);
                    let _ = t.sync_sample_at_or_before(data, s.index);
                }
            }
        }
        for n in 0..t.frame_count().min(64) {
            if let Ok(f) = t.frame(data, n) {
                let _ = t.frame_at_time(data, t.presentation_time(&f).max(0) as u64, t.timescale());
            }
        }
        let _ = t.timecode_start(data);
    }
    visited
}

#[test]
fn mutated_moovs_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for name in ["prores_audio_tc.mov", "h264_bframes.mov", "h264_edit.mp4", "prores_faststart.mov"] {
        let original = std::fs::read(common::media_dir().join(name)).unwrap();
        let moov_at = original.windows(4).rposition(|w| w == b"moov").unwrap() - 4;
        // Keep the mdat out of the mutated copy: small files make many iterations cheap.
        let mut base = original[..moov_at.min(64)].to_vec();
        base.extend_from_slice(&original[moov_at..]);
        assert!(drain(&original) > 0);
        for _ in 0..1500 {
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
