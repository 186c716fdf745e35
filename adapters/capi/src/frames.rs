//! Frames without decoding: where a frame's bytes are, which frame a time shows, the raw
//! compressed sample.

use crate::buffer::movie_and_buffer;
use crate::error::guard;
use crate::handle::{lazyqt_movie, movie, write_out};
use crate::status::lazyqt_status;

/// Where frame `n` is stored and when it is shown.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct lazyqt_frame_desc {
    /// File offset of the frame's compressed sample.
    pub offset: u64,
    /// Size of the sample in bytes.
    pub size: u32,
    /// Presentation timestamp in the track's timescale (`lazyqt_info.timescale`), before the
    /// edit list.
    pub pts: i64,
    /// Decode timestamp in the track's timescale.
    pub dts: i64,
    /// Duration in the track's timescale.
    pub duration: u32,
    /// Whether the sample decodes on its own (a sync sample).
    pub keyframe: bool,
    /// When the frame is shown, in seconds from the start of the movie.
    pub time_seconds: f64,
}

/// Describe frame `n` (0-based, presentation order) into `*out`: where its sample is, its
/// timestamps, when it is shown.
///
/// # Safety
/// `m` is NULL or a live handle; `out` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_frame_info(
    m: *const lazyqt_movie,
    n: u64,
    out: *mut lazyqt_frame_desc,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let media = unsafe { movie(m) }?;
        let video = media.video()?;
        let s = media.frame_sample(n)?;
        let info = lazyqt_frame_desc {
            offset: s.offset,
            size: s.size,
            pts: s.pts,
            dts: s.dts,
            duration: s.duration,
            keyframe: s.keyframe,
            time_seconds: video.presentation_time(&s) as f64 / f64::from(video.timescale().max(1)),
        };
        // SAFETY: as above.
        unsafe { write_out(out, info, "out") }
    })
}

/// Store in `*out_n` the number of the frame shown at `seconds` from the start of the movie.
///
/// # Safety
/// `m` is NULL or a live handle; `out_n` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_frame_at_time(
    m: *const lazyqt_movie,
    seconds: f64,
    out_n: *mut u64,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let media = unsafe { movie(m) }?;
        let n = media.frame_at_seconds(seconds)?;
        // SAFETY: as above.
        unsafe { write_out(out_n, n, "out_n") }
    })
}

/// Copy the compressed sample of frame `n` into `buf` (`cap` bytes) and its size into
/// `*needed`. With `buf` NULL and `cap` 0 only the size is stored (nothing is read);
/// `LAZYQT_ERR_BUFFER_TOO_SMALL` if `cap` is smaller. `needed` may be NULL when `buf` is not.
///
/// # Safety
/// `m` is NULL or a live handle; `buf` is NULL or valid for writing `cap` bytes; `needed`
/// is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_raw_frame(
    m: *const lazyqt_movie,
    n: u64,
    buf: *mut u8,
    cap: usize,
    needed: *mut usize,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let (media, out) = unsafe { movie_and_buffer(m, buf, cap, needed, "needed")? };
        let sample = media.frame_sample(n)?;
        if out.reserve(sample.size as usize)? {
            out.fill(&media.read_sample(&sample)?)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::tests::last_message;
    use crate::handle::lazyqt_close;
    use crate::handle::tests::{open_test_movie, test_movie};
    use crate::status::lazyqt_status::*;

    fn frame_info(m: *const lazyqt_movie, n: u64) -> (lazyqt_status, Option<lazyqt_frame_desc>) {
        let mut out = std::mem::MaybeUninit::uninit();
        // SAFETY: a live handle and a writable struct.
        let s = unsafe { lazyqt_frame_info(m, n, out.as_mut_ptr()) };
        // SAFETY: written when the call succeeds.
        (s, (s == LAZYQT_OK).then(|| unsafe { out.assume_init() }))
    }

    #[test]
    fn frame_info_and_time() {
        let m = open_test_movie("prores2.mov");
        let (s, f) = frame_info(m, 5);
        assert_eq!(s, LAZYQT_OK);
        let f = f.expect("info");
        assert!(f.keyframe && f.size > 0 && f.offset > 0);
        assert_eq!((f.pts, f.duration), (5 * 1001, 1001));
        assert!((f.time_seconds - 5.0 * 1001.0 / 30000.0).abs() < 1e-9);
        let mut n = 0u64;
        // SAFETY: live handle, valid out pointer.
        assert_eq!(unsafe { lazyqt_frame_at_time(m, f.time_seconds + 0.001, &mut n) }, LAZYQT_OK);
        assert_eq!(n, 5);
        // SAFETY: as above.
        assert_eq!(unsafe { lazyqt_frame_at_time(m, 60.0, &mut n) }, LAZYQT_ERR_OUT_OF_RANGE);
        // SAFETY: as above.
        assert_eq!(unsafe { lazyqt_frame_at_time(m, f64::NAN, &mut n) }, LAZYQT_ERR_INVALID_ARGUMENT);
        // SAFETY: as above.
        assert_eq!(unsafe { lazyqt_frame_at_time(m, -1.0, &mut n) }, LAZYQT_ERR_INVALID_ARGUMENT);
        // SAFETY: NULL out is checked.
        assert_eq!(unsafe { lazyqt_frame_at_time(m, 0.0, std::ptr::null_mut()) }, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }

    #[test]
    fn frame_out_of_range() {
        let m = open_test_movie("prores2.mov");
        assert_eq!(frame_info(m, 30).0, LAZYQT_ERR_OUT_OF_RANGE);
        assert!(last_message().contains("30"), "{}", last_message());
        assert_eq!(frame_info(m, u64::MAX).0, LAZYQT_ERR_OUT_OF_RANGE);
        assert_eq!(frame_info(std::ptr::null(), 0).0, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }

    #[test]
    fn raw_frame_two_calls() {
        let m = open_test_movie("prores2.mov");
        let (_, f) = frame_info(m, 3);
        let f = f.expect("info");
        let mut needed = 0usize;
        // SAFETY: a size query.
        assert_eq!(unsafe { lazyqt_raw_frame(m, 3, std::ptr::null_mut(), 0, &mut needed) }, LAZYQT_OK);
        assert_eq!(needed, f.size as usize);
        let mut tiny = [0u8; 4];
        // SAFETY: `tiny` holds 4 bytes.
        let s = unsafe { lazyqt_raw_frame(m, 3, tiny.as_mut_ptr(), tiny.len(), &mut needed) };
        assert_eq!((s, needed), (LAZYQT_ERR_BUFFER_TOO_SMALL, f.size as usize));
        let mut buf = vec![0u8; needed];
        // SAFETY: `buf` holds `needed` bytes; NULL `needed` is allowed with a buffer.
        let s = unsafe { lazyqt_raw_frame(m, 3, buf.as_mut_ptr(), buf.len(), std::ptr::null_mut()) };
        assert_eq!(s, LAZYQT_OK);
        let file = std::fs::read(test_movie("prores2.mov").to_str().expect("utf-8")).expect("read movie");
        assert_eq!(buf, file[f.offset as usize..][..f.size as usize]);
        // SAFETY: NULL buffer with a capacity is rejected.
        let s = unsafe { lazyqt_raw_frame(m, 3, std::ptr::null_mut(), 10, &mut needed) };
        assert_eq!(s, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: frame out of range is checked before the buffer is used.
        let s = unsafe { lazyqt_raw_frame(m, 99, buf.as_mut_ptr(), buf.len(), &mut needed) };
        assert_eq!(s, LAZYQT_ERR_OUT_OF_RANGE);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }
}
