//! A movie's summary: frame count, picture size, codec, rate, duration, creation time.

use std::ffi::c_char;

use lazyqt_media::Media;

use crate::error::{guard, Result};
use crate::handle::{lazyqt_movie, movie, write_out};
use crate::status::lazyqt_status;

/// A movie's summary (of its main video track, and of the file).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct lazyqt_info {
    /// Frames of the video track (presentation order, after the edit list).
    pub frames: u64,
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// Codec fourcc of the video track, NUL-terminated (e.g. "apcn" for ProRes 422).
    pub codec: [c_char; 5],
    /// Frame rate as a reduced fraction `fps_num / fps_den` (both 0 if unknown).
    pub fps_num: u64,
    /// See `fps_num`.
    pub fps_den: u64,
    /// Frame rate as a number (0 if unknown).
    pub fps: f64,
    /// Units per second of the video track's timestamps (`pts`, `dts` of frames).
    pub timescale: u32,
    /// Duration of the movie in seconds.
    pub duration_seconds: f64,
    /// Whether the movie records its creation time (`creation_time` is meaningful).
    pub has_creation_time: bool,
    /// Creation (recording start) time in seconds since 1970-01-01 UTC.
    pub creation_time: i64,
    /// File size in bytes.
    pub file_size: u64,
}

/// The C view of the movie's summary (made at open: no I/O, nothing recomputed).
fn summarize(media: &Media) -> Result<lazyqt_info> {
    let summary = media.summary();
    let video = media.video_summary()?;
    let (fps_num, fps_den) = video.frame_rate.map_or((0, 0), |r| (r.num, r.den));
    let mut codec = [0 as c_char; 5];
    for (dst, src) in codec.iter_mut().zip(media.video()?.codec().0) {
        *dst = src as c_char;
    }
    Ok(lazyqt_info {
        frames: u64::from(video.frames),
        width: video.width,
        height: video.height,
        codec,
        fps_num,
        fps_den,
        fps: video.fps().unwrap_or(0.0),
        timescale: video.timescale,
        duration_seconds: summary.duration,
        has_creation_time: summary.creation_time.is_some(),
        creation_time: summary.creation_time.unwrap_or(0),
        file_size: summary.file_size,
    })
}

/// Fill `*out` with the movie's summary.
///
/// # Safety
/// `m` is NULL or a live handle; `out` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_get_info(m: *const lazyqt_movie, out: *mut lazyqt_info) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let media = unsafe { movie(m) }?;
        let info = summarize(media)?;
        // SAFETY: as above.
        unsafe { write_out(out, info, "out") }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handle::lazyqt_close;
    use crate::handle::tests::open_test_movie;
    use crate::status::lazyqt_status::*;
    use std::ffi::CStr;

    fn info_of(name: &str) -> lazyqt_info {
        let m = open_test_movie(name);
        let mut info = std::mem::MaybeUninit::<lazyqt_info>::uninit();
        // SAFETY: a live handle and a writable struct.
        assert_eq!(unsafe { lazyqt_get_info(m, info.as_mut_ptr()) }, LAZYQT_OK);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
        // SAFETY: written by the successful call.
        unsafe { info.assume_init() }
    }

    #[test]
    fn prores_summary() {
        let info = info_of("prores2.mov");
        assert_eq!((info.frames, info.width, info.height), (30, 320, 180));
        // SAFETY: the codec field is NUL-terminated.
        let codec = unsafe { CStr::from_ptr(info.codec.as_ptr()) };
        assert_eq!(codec.to_str(), Ok("apcn"));
        assert_eq!((info.fps_num, info.fps_den), (30000, 1001));
        assert!((info.fps - 29.97).abs() < 0.01);
        assert!((info.duration_seconds - 1.0).abs() < 0.05, "{}", info.duration_seconds);
        assert_eq!(info.timescale, 30000);
        assert!(info.file_size > 0);
        assert!(!info.has_creation_time || info.creation_time > 0);
    }

    #[test]
    fn h264_summary() {
        let info = info_of("h264_bframes.mp4");
        assert_eq!(info.frames, 60);
        assert_eq!(info.codec[..4], [b'a' as c_char, b'v' as c_char, b'c' as c_char, b'1' as c_char]);
    }

    #[test]
    fn null_pointers() {
        let m = open_test_movie("prores2.mov");
        // SAFETY: NULL out is checked.
        assert_eq!(unsafe { lazyqt_get_info(m, std::ptr::null_mut()) }, LAZYQT_ERR_NULL_POINTER);
        let mut info = std::mem::MaybeUninit::<lazyqt_info>::uninit();
        // SAFETY: NULL movie is checked.
        assert_eq!(unsafe { lazyqt_get_info(std::ptr::null(), info.as_mut_ptr()) }, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }
}
