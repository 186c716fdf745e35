//! Decoded pictures in any packed FFmpeg pixel format, with a chosen colour matrix: what
//! numpy arrays (and pycamhd's `pix_fmt`) need.

use std::ffi::c_char;

use lazyqt_media::decoding::{ColorMatrix, ConvertOptions, PixelFormat};
use lazyqt_media::Media;

use crate::buffer::OutBuf;
use crate::decode::{output_size, picture_bytes};
use crate::error::{guard, Failure, Result};
use crate::handle::{lazyqt_movie, movie, utf8_arg, write_out};
use crate::status::lazyqt_status;

/// The layout of a picture from `lazyqt_frame_pixels`: `height` rows of `linesize` bytes
/// (no padding), each pixel `channels` samples of `bytes_per_sample` bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct lazyqt_pixels {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Samples per pixel (1 for gray; a padding byte, as in rgb0, counts).
    pub channels: u32,
    /// Bytes per sample: 1 or 2.
    pub bytes_per_sample: u32,
    /// Whether 2-byte samples are big-endian.
    pub big_endian: bool,
    /// Bytes per row.
    pub linesize: usize,
    /// Bytes of the whole picture (`height * linesize`).
    pub size: usize,
}

/// What pictures of the movie behind `m` a caller asks for with the packed FFmpeg pixel
/// format named `pix_fmt`, the matrix named `matrix` (NULL = "stream") and `width` x `height`
/// (zeros as in `lazyqt_output_size`): the movie, the conversion and the pictures' layout.
///
/// # Safety
/// `m` is NULL or a live handle; `pix_fmt` and `matrix` are NULL or NUL-terminated strings.
pub(crate) unsafe fn picture_request<'a>(
    m: *const lazyqt_movie,
    pix_fmt: *const c_char,
    matrix: *const c_char,
    width: u32,
    height: u32,
) -> Result<(&'a Media, ConvertOptions, lazyqt_pixels)> {
    // SAFETY: pointer validity is the caller's contract.
    let (media, name, matrix) = unsafe { (movie(m)?, utf8_arg(pix_fmt, "pix_fmt")?, matrix_arg(matrix)?) };
    let format = PixelFormat::from_name(name)?;
    let size = output_size(media, width, height)?;
    let layout = lazyqt_pixels {
        width: size.0,
        height: size.1,
        channels: format.channels() as u32,
        bytes_per_sample: format.bytes_per_sample() as u32,
        big_endian: format.big_endian(),
        linesize: size.0 as usize * format.bytes_per_pixel(),
        size: picture_bytes(format, size)?,
    };
    Ok((media, ConvertOptions { format, matrix, size: Some(size), ..Default::default() }, layout))
}

/// The matrix named by a C string; NULL means "stream".
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub(crate) unsafe fn matrix_arg(p: *const c_char) -> Result<ColorMatrix> {
    if p.is_null() {
        return Ok(ColorMatrix::default());
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let name = unsafe { utf8_arg(p, "matrix") }?;
    Ok(name.parse()?)
}

/// Decode frame `n` (0-based, presentation order), convert it to the packed FFmpeg pixel
/// format named `pix_fmt` ("rgb24", "bgr24", "rgba", "bgra", "argb", "abgr", "gray",
/// "gray16le", "gray16be", "rgb48le", "rgb48be", "rgba64be", ...; without "le"/"be":
/// native-endian, as in FFmpeg) with the YUV matrix `matrix` ("stream", "bt601", "bt709",
/// "bt2020" or "auto"; NULL = "stream": the stream's matrix and range, BT.601 when untagged,
/// FFmpeg's rule, so the bytes equal `ffmpeg -pix_fmt FMT`) at `width` x `height` (zeros as
/// in `lazyqt_output_size`), and copy it into `buf` (`cap` bytes). `*out` receives the
/// layout, whose `size` is the bytes needed: `buf` NULL with `cap` 0 asks for the layout
/// only (nothing is decoded); a smaller `cap` gives `LAZYQT_ERR_BUFFER_TOO_SMALL` before
/// decoding. Planar, palette or unknown formats and unknown matrices give
/// `LAZYQT_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `m` is NULL or a live handle; `pix_fmt` and `matrix` are NULL or NUL-terminated strings;
/// `buf` is NULL or valid for writing `cap` bytes; `out` is NULL or valid for writing.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lazyqt_frame_pixels(
    m: *const lazyqt_movie,
    n: u64,
    pix_fmt: *const c_char,
    matrix: *const c_char,
    width: u32,
    height: u32,
    buf: *mut u8,
    cap: usize,
    out: *mut lazyqt_pixels,
) -> lazyqt_status {
    guard(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        // SAFETY: pointer validity is the caller's contract.
        let (media, convert, layout) = unsafe { picture_request(m, pix_fmt, matrix, width, height) }?;
        // SAFETY: `out` checked non-NULL, writable by the caller's contract.
        unsafe { write_out(out, layout, "out") }?;
        let mut needed = 0usize;
        // SAFETY: `buf`/`cap` by the caller's contract; `needed` is a local.
        let dest = unsafe { OutBuf::new(buf, cap, &mut needed, "out") }?;
        if dest.reserve(layout.size)? {
            dest.fill(&media.decode_frame(n, &convert)?.data)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;

    use super::*;
    use crate::colour;
    use crate::error::tests::last_message;
    use crate::handle::lazyqt_close;
    use crate::handle::tests::{open_test_movie, test_movie};
    use crate::status::lazyqt_status::*;

    /// The ffmpeg CLI's decode of frame `n` of a test movie as `pix_fmt`, with extra filters
    /// after selecting it.
    fn ffmpeg(name: &str, n: u32, pix_fmt: &str, vf: &str) -> Vec<u8> {
        let path = test_movie(name);
        colour::ffmpeg_frame(std::path::Path::new(path.to_str().expect("utf-8")), n, pix_fmt, vf)
    }

    fn pixels(
        m: *const lazyqt_movie,
        n: u64,
        fmt: &str,
        matrix: Option<&str>,
        buf: Option<&mut [u8]>,
    ) -> (lazyqt_status, lazyqt_pixels) {
        let fmt = CString::new(fmt).expect("no NUL");
        let matrix = matrix.map(|s| CString::new(s).expect("no NUL"));
        let mut out = lazyqt_pixels {
            width: 0,
            height: 0,
            channels: 0,
            bytes_per_sample: 0,
            big_endian: false,
            linesize: 0,
            size: 0,
        };
        let (ptr, cap) = buf.map_or((std::ptr::null_mut(), 0), |b| (b.as_mut_ptr(), b.len()));
        let matrix_ptr = matrix.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        // SAFETY: live handle or NULL, NUL-terminated strings, `ptr` valid for `cap` bytes.
        let s = unsafe { lazyqt_frame_pixels(m, n, fmt.as_ptr(), matrix_ptr, 0, 0, ptr, cap, &mut out) };
        (s, out)
    }

    #[test]
    fn formats_and_matrices_equal_ffmpeg() {
        let m = open_test_movie("prores2.mov");
        for (fmt, channels, bps, be) in [
            ("rgb24", 3, 1, false),
            ("bgr24", 3, 1, false),
            ("argb", 4, 1, false),
            ("gray", 1, 1, false),
            ("rgb48be", 3, 2, true),
        ] {
            let (s, layout) = pixels(m, 5, fmt, None, None);
            assert_eq!(s, LAZYQT_OK, "{fmt}: {}", last_message());
            let size = 320 * 180 * channels * bps;
            assert_eq!(
                (layout.width, layout.height, layout.channels, layout.bytes_per_sample, layout.big_endian),
                (320, 180, channels as u32, bps as u32, be),
                "{fmt}"
            );
            assert_eq!((layout.linesize, layout.size), (320 * channels * bps, size), "{fmt}");
            let mut buf = vec![0u8; size];
            assert_eq!(pixels(m, 5, fmt, Some("stream"), Some(&mut buf)).0, LAZYQT_OK, "{fmt}");
            assert!(buf == ffmpeg("prores2.mov", 5, fmt, ""), "{fmt} differs from the ffmpeg CLI's");
        }
        let mut buf = vec![0u8; 320 * 180 * 3];
        assert_eq!(pixels(m, 5, "rgb24", Some("bt709"), Some(&mut buf)).0, LAZYQT_OK);
        assert!(buf == ffmpeg("prores2.mov", 5, "rgb24", ",scale=in_color_matrix=bt709"), "bt709");
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }

    /// Untagged HD and SD movies are BT.601, tagged ones use their tag: FFmpeg's rule.
    #[test]
    fn colour_rule_equals_ffmpeg() {
        let (dir, paths) = colour::movies("capi");
        for path in &paths {
            let p = path.to_str().expect("utf-8");
            let c_path = CString::new(p).expect("no NUL");
            let mut m = std::ptr::null_mut();
            // SAFETY: valid string, NULL options, valid out pointer.
            assert_eq!(
                unsafe { crate::handle::lazyqt_open(c_path.as_ptr(), std::ptr::null(), &mut m) },
                LAZYQT_OK
            );
            let (s, layout) = pixels(m, 1, "rgb24", None, None);
            assert_eq!(s, LAZYQT_OK, "{p}: {}", last_message());
            let mut buf = vec![0u8; layout.size];
            assert_eq!(pixels(m, 1, "rgb24", None, Some(&mut buf)).0, LAZYQT_OK, "{p}");
            assert!(buf == colour::ffmpeg_frame(path, 1, "rgb24", ""), "{p}: differs from the ffmpeg CLI's");
            assert_eq!(pixels(m, 1, "rgb24", Some("bt709"), Some(&mut buf)).0, LAZYQT_OK, "{p}");
            let bt709 = colour::ffmpeg_frame(path, 1, "rgb24", ",scale=in_color_matrix=bt709");
            assert!(buf == bt709, "{p}: bt709");
            // SAFETY: a live handle, closed once.
            unsafe { lazyqt_close(m) };
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_arguments() {
        let m = open_test_movie("prores2.mov");
        for (fmt, matrix, says) in [
            ("yuv420p", None, "not packed"),
            ("nosuch", None, "unknown pixel format"),
            ("rgb24", Some("rec709"), "unknown colour matrix"),
        ] {
            assert_eq!(pixels(m, 0, fmt, matrix, None).0, LAZYQT_ERR_INVALID_ARGUMENT, "{fmt}");
            assert!(last_message().contains(says), "{fmt}: {}", last_message());
        }
        let mut small = vec![0u8; 100];
        let (s, layout) = pixels(m, 0, "bgra", None, Some(&mut small));
        assert_eq!((s, layout.size), (LAZYQT_ERR_BUFFER_TOO_SMALL, 320 * 180 * 4));
        assert_eq!(
            pixels(m, 30, "rgb24", None, Some(&mut vec![0u8; 320 * 180 * 3])).0,
            LAZYQT_ERR_OUT_OF_RANGE
        );
        assert_eq!(pixels(std::ptr::null(), 0, "rgb24", None, None).0, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: NULL `pix_fmt` and `out` are checked.
        let s = unsafe {
            lazyqt_frame_pixels(
                m,
                0,
                std::ptr::null(),
                std::ptr::null(),
                0,
                0,
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(s, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }
}
