//! Decoded pictures into caller buffers: pixel formats, output sizes, buffer sizes.

use lazyqt_media::decoding::{fit_size, ConvertOptions, Limits, PixelFormat};
use lazyqt_media::Media;

use crate::buffer::movie_and_buffer;
use crate::error::{guard, Failure, Result};
use crate::handle::{lazyqt_movie, movie, write_out};
use crate::status::lazyqt_status;

/// The pixel format for a `lazyqt_pixel_format` value from C: the header's enum is written
/// from [`lazyqt_media::decoding::PIXEL_FORMATS`] (tests/header.rs), so the codes are the table's.
pub(crate) fn pixel_format(value: u32) -> Result<PixelFormat> {
    PixelFormat::from_code(value)
        .ok_or_else(|| Failure::invalid(format!("{value} is not a lazyqt_pixel_format")))
}

/// The size of the pictures asked for: `(width, height)` with zeros meaning "keep" (both) or
/// "keep the aspect ratio" (one), checked against the library's limits.
pub(crate) fn output_size(media: &Media, width: u32, height: u32) -> Result<(u32, u32)> {
    let video = media.video()?;
    let size = fit_size((video.width(), video.height()), (width, height));
    Limits::default().check_size(size.0, size.1)?;
    Ok(size)
}

/// Bytes of a packed picture.
pub(crate) fn picture_bytes(format: PixelFormat, (w, h): (u32, u32)) -> Result<usize> {
    (w as usize)
        .checked_mul(h as usize)
        .and_then(|p| p.checked_mul(format.bytes_per_pixel()))
        .ok_or_else(|| Failure::invalid(format!("a {w}x{h} picture does not fit in memory")))
}

/// Store the size of the pictures that `lazyqt_decode_frame` and `lazyqt_encode_frame`
/// produce for `width` x `height`: 0 x 0 keeps the movie's size, one 0 follows its aspect
/// ratio. `out_width` and `out_height` must not be NULL.
///
/// # Safety
/// `m` is NULL or a live handle; the out pointers are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_output_size(
    m: *const lazyqt_movie,
    width: u32,
    height: u32,
    out_width: *mut u32,
    out_height: *mut u32,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let media = unsafe { movie(m) }?;
        if out_width.is_null() || out_height.is_null() {
            return Err(Failure::null("out_width or out_height"));
        }
        let (w, h) = output_size(media, width, height)?;
        // SAFETY: as above; both checked non-NULL.
        unsafe { write_out(out_width, w, "out_width").and_then(|()| write_out(out_height, h, "out_height")) }
    })
}

/// Store in `*needed` the bytes of a picture decoded as `pixel_format` (a
/// `lazyqt_pixel_format`) at `width` x `height` (zeros as in `lazyqt_output_size`).
///
/// # Safety
/// `m` is NULL or a live handle; `needed` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_frame_buffer_size(
    m: *const lazyqt_movie,
    pixel_format: u32,
    width: u32,
    height: u32,
    needed: *mut usize,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let media = unsafe { movie(m) }?;
        let bytes = picture_bytes(self::pixel_format(pixel_format)?, output_size(media, width, height)?)?;
        // SAFETY: as above.
        unsafe { write_out(needed, bytes, "needed") }
    })
}

/// Decode frame `n` (0-based, presentation order), convert it to `pixel_format` (a
/// `lazyqt_pixel_format`) at `width` x `height` (zeros as in `lazyqt_output_size`; scaled
/// with bicubic filtering otherwise) and copy the packed picture into `buf` (`cap` bytes),
/// its size into `*written`. Unscaled 8-bit RGB is byte-identical to the ffmpeg CLI's
/// conversion. `buf` NULL with `cap` 0 stores the size only (like `lazyqt_frame_buffer_size`);
/// `LAZYQT_ERR_BUFFER_TOO_SMALL` (before decoding) if `cap` is smaller. `written` may be NULL
/// when `buf` is not.
///
/// # Safety
/// `m` is NULL or a live handle; `buf` is NULL or valid for writing `cap` bytes; `written`
/// is NULL or valid for writing.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lazyqt_decode_frame(
    m: *const lazyqt_movie,
    n: u64,
    pixel_format: u32,
    width: u32,
    height: u32,
    buf: *mut u8,
    cap: usize,
    written: *mut usize,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let (media, out) = unsafe { movie_and_buffer(m, buf, cap, written, "written")? };
        let format = self::pixel_format(pixel_format)?;
        let size = output_size(media, width, height)?;
        if out.reserve(picture_bytes(format, size)?)? {
            let image =
                media.decode_frame(n, &ConvertOptions { format, size: Some(size), ..Default::default() })?;
            out.fill(&image.data)?;
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

    /// The ffmpeg CLI's rgb24 decode of frame `n`.
    fn ffmpeg_rgb24(name: &str, n: u64) -> Vec<u8> {
        let path = test_movie(name);
        let out = std::process::Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-i"])
            .arg(path.to_str().expect("utf-8"))
            .args(["-vf", &format!("select=eq(n\\,{n})"), "-vsync", "0", "-frames:v", "1"])
            .args(["-pix_fmt", "rgb24", "-f", "rawvideo", "-"])
            .output()
            .expect("run ffmpeg");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }

    fn decode(
        m: *const lazyqt_movie,
        n: u64,
        fmt: u32,
        w: u32,
        h: u32,
        buf: &mut [u8],
    ) -> (lazyqt_status, usize) {
        let mut written = 0usize;
        // SAFETY: `buf` is valid for its length.
        let s = unsafe { lazyqt_decode_frame(m, n, fmt, w, h, buf.as_mut_ptr(), buf.len(), &mut written) };
        (s, written)
    }

    #[test]
    fn prores_rgb24_equals_ffmpeg() {
        let m = open_test_movie("prores2.mov");
        let mut needed = 0usize;
        // SAFETY: live handle, valid out pointer.
        let s = unsafe { lazyqt_frame_buffer_size(m, 0, 0, 0, &mut needed) };
        assert_eq!((s, needed), (LAZYQT_OK, 320 * 180 * 3));
        let mut buf = vec![0u8; needed];
        assert_eq!(decode(m, 7, 0, 0, 0, &mut buf), (LAZYQT_OK, needed));
        assert!(buf == ffmpeg_rgb24("prores2.mov", 7), "frame 7 differs from the ffmpeg CLI's decode");
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }

    #[test]
    fn scaled_and_other_formats() {
        let m = open_test_movie("h264_bframes.mp4");
        let (mut w, mut h) = (0u32, 0u32);
        // SAFETY: live handle, valid out pointers.
        assert_eq!(unsafe { lazyqt_output_size(m, 160, 0, &mut w, &mut h) }, LAZYQT_OK);
        assert_eq!((w, h), (160, 90));
        let mut buf = vec![0u8; 160 * 90 * 6];
        assert_eq!(decode(m, 10, 2, 160, 0, &mut buf), (LAZYQT_OK, 160 * 90 * 6));
        assert_eq!(decode(m, 10, 3, 160, 0, &mut buf), (LAZYQT_OK, 160 * 90));
        // SAFETY: NULL out pointers are checked.
        let s = unsafe { lazyqt_output_size(m, 0, 0, std::ptr::null_mut(), &mut h) };
        assert_eq!(s, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }

    #[test]
    fn bad_arguments() {
        let m = open_test_movie("prores2.mov");
        let mut buf = vec![0u8; 320 * 180 * 4];
        assert_eq!(decode(m, 0, 5, 0, 0, &mut buf).0, LAZYQT_ERR_INVALID_ARGUMENT);
        assert!(last_message().contains("lazyqt_pixel_format"), "{}", last_message());
        assert_eq!(decode(m, 30, 0, 0, 0, &mut buf).0, LAZYQT_ERR_OUT_OF_RANGE);
        assert_eq!(decode(m, 0, 0, 100_000, 0, &mut buf).0, LAZYQT_ERR_TOO_LARGE);
        let (s, written) = decode(m, 0, 1, 0, 0, &mut buf[..100]);
        assert_eq!((s, written), (LAZYQT_ERR_BUFFER_TOO_SMALL, 320 * 180 * 4));
        assert_eq!(decode(std::ptr::null(), 0, 0, 0, 0, &mut buf).0, LAZYQT_ERR_NULL_POINTER);
        let mut needed = 0;
        // SAFETY: a size query through lazyqt_decode_frame.
        let s = unsafe { lazyqt_decode_frame(m, 0, 4, 0, 90, std::ptr::null_mut(), 0, &mut needed) };
        assert_eq!((s, needed), (LAZYQT_OK, 160 * 90 * 2));
        // SAFETY: NULL `needed` is checked.
        assert_eq!(
            unsafe { lazyqt_frame_buffer_size(m, 0, 0, 0, std::ptr::null_mut()) },
            LAZYQT_ERR_NULL_POINTER
        );
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }

    #[test]
    fn one_handle_many_threads() {
        struct Shared(*mut lazyqt_movie);
        // SAFETY: lazyqt_movie wraps a Send + Sync Media; the pointer is only read.
        unsafe impl Sync for Shared {}
        impl Shared {
            fn get(&self) -> *const lazyqt_movie {
                self.0
            }
        }
        let m = Shared(open_test_movie("prores2.mov"));
        let expected = ffmpeg_rgb24("prores2.mov", 4);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    let mut buf = vec![0u8; expected.len()];
                    assert_eq!(decode(m.get(), 4, 0, 0, 0, &mut buf).0, LAZYQT_OK);
                    assert!(buf == expected);
                });
            }
        });
        // SAFETY: all threads joined; closed once.
        unsafe { lazyqt_close(m.0) };
    }
}
