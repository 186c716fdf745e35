//! What the firmware asks of the core, written once for any [`ReadAt`]: open the movie,
//! look up frame 0, the middle frame and the last frame, and find frames by time.
//!
//! Opening and the lookups are separate, never-inlined calls so the stack each uses can
//! be measured on its own; the [`Movie`] lives in the caller's frame between them.

use lazyqt_core::{Error, Movie, ReadAt, Sample, Track};

/// Times looked up, in microseconds from the start (more near the end: [`END_OFFSETS_US`]).
pub const TIMES_US: [u64; 5] = [0, 33_366, 33_367, 1_000_000, 417_084_000];

/// Times relative to the end of the video track: just before it (the last frame), and
/// just past it (no frame). The core rounds times to the track's timescale (33 µs here).
pub const END_OFFSETS_US: [i64; 2] = [-100, 1];

/// Number of time lookups per pass.
pub const TIME_LOOKUPS: usize = TIMES_US.len() + END_OFFSETS_US.len();

/// What the lookups of one pass found.
pub struct Found {
    /// Frame number and sample of frame 0, the middle frame and the last frame.
    pub frames: [(u32, Sample); 3],
    /// Each time looked up (µs) and the frame shown then (`None`: past the end).
    pub times: [(u64, Option<u32>); TIME_LOOKUPS],
}

/// The reasons a pass can fail.
#[derive(Debug)]
pub enum Failure<E> {
    /// The core returned an error.
    Core(Error<E>),
    /// The movie has no video track.
    NoVideo,
}

impl<E> From<Error<E>> for Failure<E> {
    fn from(e: Error<E>) -> Self {
        Failure::Core(e)
    }
}

/// The presented duration of `track` in microseconds (saturating; 0 without a timescale).
pub fn duration_us(track: &Track) -> u64 {
    track.duration().saturating_mul(1_000_000).checked_div(u64::from(track.timescale())).unwrap_or(0)
}

/// Open the movie in `r` into `movie`, storage the caller holds (so the stack measured
/// for opening is the core's work, not the `Movie`).
#[inline(never)]
pub fn open<R: ReadAt + ?Sized>(movie: &mut Movie, r: &R) -> Result<(), Error<R::Error>> {
    movie.open_in(r)
}

/// Make the lookups in `movie`, whose bytes `r` reads.
#[inline(never)]
pub fn run<R: ReadAt + ?Sized>(movie: &Movie, r: &R) -> Result<Found, Failure<R::Error>> {
    let video = movie.video_track().ok_or(Failure::NoVideo)?;
    let last = video.frame_count().saturating_sub(1);
    let mut frames = [(0, Sample::default()); 3];
    for (slot, n) in frames.iter_mut().zip([0, last / 2, last]) {
        *slot = (n, video.frame(r, n)?);
    }
    let end_us = duration_us(video);
    let mut times = [(0, None); TIME_LOOKUPS];
    let asked =
        TIMES_US.iter().copied().chain(END_OFFSETS_US.iter().map(|&d| end_us.saturating_add_signed(d)));
    for (slot, us) in times.iter_mut().zip(asked) {
        let frame = match video.frame_at_time(r, us, 1_000_000) {
            Ok(n) => Some(n),
            Err(Error::OutOfRange { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        *slot = (us, frame);
    }
    Ok(Found { frames, times })
}
