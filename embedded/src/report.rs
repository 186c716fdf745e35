//! What the firmware prints over semihosting: one JSON object per line, read by `run.sh`.
//! Samples are printed in the same form as `lazyqt samples --json`.

use core::fmt;

use cortex_m_semihosting::hprintln;
use lazyqt_core::{Cursor, Error, FourCC, Movie, Sample, Track};

use crate::clock::Clock;
use crate::image::{Image, FILE_LEN, REGIONS};
use crate::lookups::{self, Failure, Found};
use crate::stack::Stack;

/// A four-character code as a JSON string, or `null` if it is not printable ASCII.
struct Code(FourCC);

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(s) = self.0.as_str() else { return f.write_str("null") };
        f.write_str("\"")?;
        for c in s.chars() {
            if c == '"' || c == '\\' {
                f.write_str("\\")?;
            }
            write!(f, "{c}")?;
        }
        f.write_str("\"")
    }
}

/// A value, or JSON `null`.
enum Null<T> {
    Some(T),
    Null,
}

impl<T: fmt::Display> fmt::Display for Null<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Null::Some(v) => v.fmt(f),
            Null::Null => f.write_str("null"),
        }
    }
}

/// A sample as `lazyqt samples --json` prints it.
struct Json<'a>(&'a Sample);

impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        write!(
            f,
            r#"{{"index":{},"offset":{},"size":{},"dts":{},"pts":{},"duration":{},"keyframe":{}}}"#,
            s.index, s.offset, s.size, s.dts, s.pts, s.duration, s.keyframe
        )
    }
}

/// What the flash holds and how big the core's values are.
pub fn layout(stored_bytes: usize) {
    hprintln!(
        r#"{{"flash_image":{{"file_len":{},"stored_bytes":{},"regions":{}}},"sizes":{{"movie":{},"track":{},"sample":{},"cursor":{}}}}}"#,
        FILE_LEN,
        stored_bytes,
        REGIONS.len(),
        size_of::<Movie>(),
        size_of::<Track>(),
        size_of::<Sample>(),
        size_of::<Cursor<'_>>(),
    );
}

/// Print one track's summary.
fn track(pass: &str, t: &Track) {
    let (num, den) = t.frame_rate().unwrap_or((0, 0));
    hprintln!(
        r#"{{"pass":"{}","track":{{"id":{},"kind":"{}","codec":{},"width":{},"height":{},"timescale":{},"samples":{},"frames":{},"fps":[{},{}],"duration":{}}}}}"#,
        pass,
        t.id(),
        t.kind().name(),
        Code(t.codec()),
        t.width(),
        t.height(),
        t.timescale(),
        t.sample_count(),
        t.frame_count(),
        num,
        den,
        t.duration(),
    );
}

/// Print a stack measurement; `Err` if it may have overflowed.
fn stack(pass: &str, step: &str, s: Stack) -> Result<(), ()> {
    hprintln!(r#"{{"pass":"{}","stack":{{"step":"{}","used":{},"free":{}}}}}"#, pass, step, s.used, s.free);
    if s.used >= s.free {
        hprintln!(r#"{{"pass":"{}","error":"{}: the stack reached the bottom of RAM"}}"#, pass, step);
        return Err(());
    }
    Ok(())
}

/// Print the movie one pass opened and the stack opening used; `Err` if it failed.
pub fn opened<E: fmt::Debug>(pass: &str, movie: Result<&Movie, Error<E>>, used: Stack) -> Result<(), ()> {
    let m = movie.map_err(|e| hprintln!(r#"{{"pass":"{}","error":"open: {:?}"}}"#, pass, e))?;
    hprintln!(
        r#"{{"pass":"{}","movie":{{"size":{},"duration":{},"movie_timescale":{},"creation_unix":{},"brand":{},"moov":[{},{}],"tracks":{},"ignored_tracks":{}}}}}"#,
        pass,
        m.file_len,
        m.header.duration,
        m.header.timescale,
        m.creation_unix_time().map_or(Null::Null, Null::Some),
        m.file_type.as_ref().map_or(Null::Null, |t| Null::Some(Code(t.major_brand))),
        m.moov.offset,
        m.moov.size,
        m.tracks().len(),
        m.ignored_tracks,
    );
    for t in m.tracks() {
        track(pass, t);
    }
    stack(pass, "open", used)
}

/// Print what one pass's lookups found and the stack they used; `Err` if they failed.
pub fn found<E: fmt::Debug>(pass: &str, found: Result<Found, Failure<E>>, used: Stack) -> Result<(), ()> {
    let found = found.map_err(|e| hprintln!(r#"{{"pass":"{}","error":"lookups: {:?}"}}"#, pass, e))?;
    for (n, s) in &found.frames {
        hprintln!(r#"{{"pass":"{}","frame":{},"sample":{}}}"#, pass, n, Json(s));
    }
    for (us, frame) in &found.times {
        hprintln!(
            r#"{{"pass":"{}","time_us":{},"frame":{}}}"#,
            pass,
            us,
            frame.map_or(Null::Null, Null::Some)
        );
    }
    stack(pass, "lookups", used)
}

/// Print the sectors the block device read while opening and during the lookups.
pub fn sectors(pass: &str, open: u32, lookups: u32) {
    hprintln!(r#"{{"pass":"{}","sectors":{{"open":{},"lookups":{}}}}}"#, pass, open, lookups);
}

/// xorshift64: deterministic frame numbers and times for the timed lookups.
fn next_random(h: &mut u64) -> u64 {
    *h ^= *h << 13;
    *h ^= *h >> 7;
    *h ^= *h << 17;
    *h
}

/// Time `Movie::open_in` and `lookups` random frame and time lookups in `movie`, all read
/// from flash, with SysTick.
pub fn timing(clock: &mut Clock, movie: &Movie, lookups: u32) -> Result<(), ()> {
    let fail = |what: &str| {
        hprintln!(r#"{{"error":"timing: {}"}}"#, what);
        Err(())
    };
    // `delay(n)` runs n + 1 iterations of a two-instruction loop (subs, bne).
    const CALIBRATION_LOOPS: u32 = 1_000_000;
    let ((), calibration_ticks) = clock.ticks(|| cortex_m::asm::delay(CALIBRATION_LOOPS));
    let mut scratch = Movie::empty();
    let (opened, open_ticks) = clock.ticks(|| lookups::open(&mut scratch, &Image).is_ok());
    let Some(video) = movie.video_track() else { return fail("no video track") };
    let (frames, duration_us) = (u64::from(video.frame_count()), lookups::duration_us(video));
    if frames == 0 || duration_us == 0 {
        return fail("an empty video track");
    }
    let (frame_ok, frame_ticks) = clock.ticks(|| {
        let mut h = 0x9e37_79b9_7f4a_7c15u64;
        (0..lookups).all(|_| video.frame(&Image, (next_random(&mut h) % frames) as u32).is_ok())
    });
    let (time_ok, time_ticks) = clock.ticks(|| {
        let mut h = 0x2545_f491_4f6c_dd1du64;
        (0..lookups)
            .all(|_| video.frame_at_time(&Image, next_random(&mut h) % duration_us, 1_000_000).is_ok())
    });
    if !(opened && frame_ok && time_ok) {
        return fail("a timed call failed");
    }
    let ticks = (calibration_ticks, open_ticks, frame_ticks, time_ticks);
    let (Some(calibration_ticks), Some(open_ticks), Some(frame_ticks), Some(time_ticks)) = ticks else {
        return fail("SysTick wrapped");
    };
    hprintln!(
        r#"{{"timing":{{"calibration_instructions":{},"calibration_ticks":{},"lookups":{},"open_ticks":{},"frame_ticks":{},"time_ticks":{}}}}}"#,
        2 * (u64::from(CALIBRATION_LOOPS) + 1),
        calibration_ticks,
        lookups,
        open_ticks,
        frame_ticks,
        time_ticks,
    );
    Ok(())
}
