//! SMPTE timecode strings from a frame counter (drop-frame aware).

use lazyqt_core::boxes::stsd::Timecode;

/// Format frame number `frame` of timecode track parameters `tc` as `HH:MM:SS:FF`
/// (`HH:MM:SS;FF` for drop-frame).
pub fn format(frame: u32, tc: &Timecode) -> String {
    let fps = u64::from(tc.frames_per_second.max(1));
    let mut n = u64::from(frame);
    let sep = if tc.drop_frame() { ';' } else { ':' };
    if tc.drop_frame() && fps % 30 == 0 {
        // Drop 2 frame numbers (4 at 60 fps) every minute except each tenth.
        let drop = fps / 15;
        let per_10min = fps * 600 - drop * 9;
        let per_min = fps * 60 - drop;
        let (tens, rest) = (n / per_10min, n % per_10min);
        n += drop * 9 * tens + if rest > drop { drop * ((rest - drop) / per_min) } else { 0 };
    }
    let (ff, secs) = (n % fps, n / fps);
    format!("{:02}:{:02}:{:02}{sep}{:02}", (secs / 3600) % 24, (secs / 60) % 60, secs % 60, ff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tc(fps: u8, drop: bool) -> Timecode {
        Timecode { flags: u32::from(drop), timescale: 30000, frame_duration: 1001, frames_per_second: fps }
    }

    #[test]
    fn drop_frame_hour_mark() {
        // One hour of 29.97 drop-frame timecode is 107892 frames.
        assert_eq!(format(107_892, &tc(30, true)), "01:00:00;00");
        assert_eq!(format(1800, &tc(30, true)), "00:01:00;02");
        assert_eq!(format(17_982, &tc(30, true)), "00:10:00;00");
    }

    #[test]
    fn non_drop() {
        assert_eq!(format(25 * 3661 + 3, &tc(25, false)), "01:01:01:03");
    }
}
