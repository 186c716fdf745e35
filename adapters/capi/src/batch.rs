//! Many frames through the media pipeline: `lazyqt_frames_begin` starts fetching ahead and
//! decoding in parallel, `lazyqt_frames_next` hands the pictures out in list order,
//! `lazyqt_frames_end` stops it.

use std::ffi::c_char;

use lazyqt_media::decoding::Image;
use lazyqt_media::{Pipeline, PipelineOptions};

use crate::error::{guard, Failure};
use crate::handle::{lazyqt_movie, write_out};
use crate::pixels::{lazyqt_pixels, picture_request};
use crate::status::lazyqt_status;

/// Frames being fetched and decoded (from `lazyqt_frames_begin`). Holds its own reference to
/// the movie: it stays usable after `lazyqt_close` of the movie. One thread at a time.
pub struct lazyqt_frames {
    pipeline: Pipeline<lazyqt_media::Result<Image>>,
    /// Bytes of every picture.
    size: usize,
}

/// Start decoding the `count` frames listed at `frames` (0-based, any order, repeats
/// allowed) as `lazyqt_frame_pixels` would (`pix_fmt`, `matrix`, `width` x `height`): up to
/// `ahead` frames (0 = twice the number of cores) are fetched ahead and decoded by one
/// thread per core. `*layout` receives the layout every picture has; `*out` the iterator,
/// to pass to `lazyqt_frames_next` and then to `lazyqt_frames_end`. `frames` may be NULL
/// when `count` is 0; the list is copied.
///
/// # Safety
/// `m` is NULL or a live handle; `frames` is NULL or valid for reading `count` values;
/// `pix_fmt` and `matrix` are NULL or NUL-terminated; `out` and `layout` are NULL or valid
/// for writing.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lazyqt_frames_begin(
    m: *const lazyqt_movie,
    frames: *const u64,
    count: usize,
    pix_fmt: *const c_char,
    matrix: *const c_char,
    width: u32,
    height: u32,
    ahead: usize,
    out: *mut *mut lazyqt_frames,
    layout_out: *mut lazyqt_pixels,
) -> lazyqt_status {
    guard(|| {
        if out.is_null() || layout_out.is_null() {
            return Err(Failure::null("out or layout"));
        }
        if frames.is_null() && count != 0 {
            return Err(Failure::null("frames (with a non-zero count)"));
        }
        // SAFETY: pointer validity is the caller's contract.
        let (media, convert, layout) = unsafe { picture_request(m, pix_fmt, matrix, width, height) }?;
        let list = if count == 0 {
            Vec::new()
        } else {
            // SAFETY: non-NULL and valid for `count` values by the caller's contract.
            unsafe { std::slice::from_raw_parts(frames, count) }.to_vec()
        };
        // One decoder per core: each decodes with one thread.
        let media = media.clone().with_decoder_threads(1);
        let opts = PipelineOptions { ahead, ordered: true, ..PipelineOptions::default() };
        let pipeline = Pipeline::new(&media, list, convert, opts);
        let it = Box::new(lazyqt_frames { pipeline, size: layout.size });
        // SAFETY: both checked non-NULL, writable by the caller's contract.
        unsafe { write_out(layout_out, layout, "layout")? };
        // SAFETY: as above.
        unsafe { write_out(out, Box::into_raw(it), "out") }
    })
}

/// Copy the next picture (in list order) into `buf` (`cap` bytes, at least the layout's
/// `size`) and store its frame number in `*frame_number`. `*done` is set to true, with
/// `LAZYQT_OK` and nothing copied, when no frame is left. A frame that failed gives its own
/// status (its number stored); the next call goes on with the following frame.
/// `LAZYQT_ERR_BUFFER_TOO_SMALL` takes no frame.
///
/// # Safety
/// `it` is NULL or an iterator from `lazyqt_frames_begin` not yet ended, used by one
/// thread at a time; `buf` is NULL or valid for writing `cap` bytes; `frame_number` and
/// `done` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_frames_next(
    it: *mut lazyqt_frames,
    buf: *mut u8,
    cap: usize,
    frame_number: *mut u64,
    done: *mut bool,
) -> lazyqt_status {
    guard(|| {
        if it.is_null() || buf.is_null() || frame_number.is_null() || done.is_null() {
            return Err(Failure::null("it, buf, frame_number or done"));
        }
        // SAFETY: non-NULL and live, one thread at a time, by the caller's contract.
        let it = unsafe { &mut *it };
        if cap < it.size {
            return Err(Failure::new(
                lazyqt_status::LAZYQT_ERR_BUFFER_TOO_SMALL,
                format!("the buffer holds {cap} bytes, {} are needed", it.size),
            ));
        }
        let next = it.pipeline.next();
        // SAFETY: checked non-NULL, writable by the caller's contract.
        unsafe { write_out(done, next.is_none(), "done")? };
        let Some(frame) = next else { return Ok(()) };
        // SAFETY: as above.
        unsafe { write_out(frame_number, frame.frame, "frame_number")? };
        let image = frame.value?;
        if image.data.len() != it.size {
            return Err(Failure::new(
                lazyqt_status::LAZYQT_ERR_DECODE,
                format!("decoded {} bytes, expected {}", image.data.len(), it.size),
            ));
        }
        // SAFETY: `buf` holds `cap >= size` bytes (checked above) and is not the library's.
        unsafe { std::ptr::copy_nonoverlapping(image.data.as_ptr(), buf, image.data.len()) };
        Ok(())
    })
}

/// Stop an iterator and free it: frames not yet handed out are dropped (waiting for those
/// being read or decoded). NULL is ignored.
///
/// # Safety
/// `it` is NULL or an iterator from `lazyqt_frames_begin` not yet ended, not in use.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_frames_end(it: *mut lazyqt_frames) {
    // SAFETY: the caller's contract is free_boxed's: a pointer from Box::into_raw, freed once.
    unsafe { crate::error::free_boxed(it) }
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;

    use super::*;
    use crate::handle::lazyqt_close;
    use crate::handle::tests::open_test_movie;
    use crate::pixels::lazyqt_frame_pixels;
    use crate::status::lazyqt_status::*;

    fn begin(m: *const lazyqt_movie, frames: &[u64], ahead: usize) -> (*mut lazyqt_frames, lazyqt_pixels) {
        let fmt = CString::new("rgb24").expect("no NUL");
        let mut it = std::ptr::null_mut();
        let mut layout = lazyqt_pixels::default();
        // SAFETY: live handle, a slice of `frames.len()`, NUL-terminated strings, writable outs.
        let s = unsafe {
            lazyqt_frames_begin(
                m,
                frames.as_ptr(),
                frames.len(),
                fmt.as_ptr(),
                std::ptr::null(),
                0,
                0,
                ahead,
                &mut it,
                &mut layout,
            )
        };
        assert_eq!(s, LAZYQT_OK);
        (it, layout)
    }

    /// One frame through `lazyqt_frame_pixels`.
    fn single(m: *const lazyqt_movie, n: u64, buf: &mut [u8]) -> lazyqt_status {
        let fmt = CString::new("rgb24").expect("no NUL");
        let mut layout = lazyqt_pixels::default();
        // SAFETY: live handle, `buf` valid for its length, writable layout.
        unsafe {
            lazyqt_frame_pixels(
                m,
                n,
                fmt.as_ptr(),
                std::ptr::null(),
                0,
                0,
                buf.as_mut_ptr(),
                buf.len(),
                &mut layout,
            )
        }
    }

    #[test]
    fn frames_in_order_with_a_failing_one() {
        let m = open_test_movie("h264_bframes.mp4");
        let frames = [9, 2, 99, 30, 2];
        let (it, layout) = begin(m, &frames, 2);
        assert_eq!((layout.width, layout.height, layout.size), (320, 180, 320 * 180 * 3));
        // The iterator holds its own reference: closing the movie does not end it.
        // SAFETY: a live handle, closed once, not in use.
        unsafe { lazyqt_close(m) };
        let m = open_test_movie("h264_bframes.mp4");
        let (mut buf, mut want) = (vec![0u8; layout.size], vec![0u8; layout.size]);
        let (mut n, mut done) = (0u64, false);
        // SAFETY: a buffer one byte short takes no frame.
        let s = unsafe { lazyqt_frames_next(it, buf.as_mut_ptr(), buf.len() - 1, &mut n, &mut done) };
        assert_eq!(s, LAZYQT_ERR_BUFFER_TOO_SMALL);
        for &expected in &frames {
            // SAFETY: a live iterator, `buf` of `layout.size` bytes.
            let s = unsafe { lazyqt_frames_next(it, buf.as_mut_ptr(), buf.len(), &mut n, &mut done) };
            assert!(!done);
            assert_eq!(n, expected);
            if expected == 99 {
                assert_eq!(s, LAZYQT_ERR_OUT_OF_RANGE);
                continue;
            }
            assert_eq!(s, LAZYQT_OK);
            assert_eq!(single(m, expected, &mut want), LAZYQT_OK);
            assert!(buf == want, "frame {expected}");
        }
        // SAFETY: as above.
        let s = unsafe { lazyqt_frames_next(it, buf.as_mut_ptr(), buf.len(), &mut n, &mut done) };
        assert_eq!((s, done), (LAZYQT_OK, true));
        // SAFETY: ended once; NULL is ignored.
        unsafe {
            lazyqt_frames_end(it);
            lazyqt_frames_end(std::ptr::null_mut());
            lazyqt_close(m);
        }
    }

    #[test]
    fn bad_arguments_and_an_early_end() {
        let m = open_test_movie("prores2.mov");
        let mut it = std::ptr::null_mut();
        let mut layout = lazyqt_pixels::default();
        let fmt = CString::new("rgb24").expect("no NUL");
        // SAFETY: NULL frames with a count is refused before use.
        let s = unsafe {
            lazyqt_frames_begin(
                m,
                std::ptr::null(),
                3,
                fmt.as_ptr(),
                std::ptr::null(),
                0,
                0,
                0,
                &mut it,
                &mut layout,
            )
        };
        assert_eq!(s, LAZYQT_ERR_NULL_POINTER);
        let bad = CString::new("yuv420p").expect("no NUL");
        // SAFETY: a planar format is refused.
        let s = unsafe {
            lazyqt_frames_begin(
                m,
                [1u64].as_ptr(),
                1,
                bad.as_ptr(),
                std::ptr::null(),
                0,
                0,
                0,
                &mut it,
                &mut layout,
            )
        };
        assert_eq!(s, LAZYQT_ERR_INVALID_ARGUMENT);
        // Ended after one of thirty frames: stops without waiting for the rest.
        let all: Vec<u64> = (0..30).collect();
        let (it, layout) = begin(m, &all, 4);
        let mut buf = vec![0u8; layout.size];
        let (mut n, mut done) = (0u64, false);
        // SAFETY: a live iterator and a large enough buffer.
        let s = unsafe { lazyqt_frames_next(it, buf.as_mut_ptr(), buf.len(), &mut n, &mut done) };
        assert_eq!((s, n, done), (LAZYQT_OK, 0, false));
        // SAFETY: NULL outs are refused; ended once; closed once.
        unsafe {
            assert_eq!(
                lazyqt_frames_next(it, buf.as_mut_ptr(), buf.len(), std::ptr::null_mut(), &mut done),
                LAZYQT_ERR_NULL_POINTER
            );
            lazyqt_frames_end(it);
            lazyqt_close(m);
        }
    }
}
