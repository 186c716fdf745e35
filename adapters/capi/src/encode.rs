//! Frames as image files (PNG, JPEG, PPM, PGM, BMP), into a caller buffer or a library one.

use std::ffi::c_char;

use lazyqt_media::decoding::{ColorMatrix, ConvertOptions, EncodeOptions, Format};
use lazyqt_media::Media;

use crate::buffer::{movie_and_buffer, LibraryBuffer};
use crate::decode::output_size;
use crate::error::{guard, Failure, Result};
use crate::handle::{lazyqt_movie, movie};
use crate::pixels::matrix_arg;
use crate::status::lazyqt_status;

/// The file format for a `lazyqt_image_format` value from C: the header's enum is written
/// from [`lazyqt_media::decoding::IMAGE_FORMATS`] (tests/header.rs), so the codes are the table's.
fn image_format(value: u32) -> Result<Format> {
    Format::from_code(value).ok_or_else(|| Failure::invalid(format!("{value} is not a lazyqt_image_format")))
}

/// Encoder settings for `quality`: negative = the default; PNG compression level 0..9,
/// JPEG quality 1..100; ignored by the other formats.
fn encode_options(format: Format, quality: i32) -> Result<EncodeOptions> {
    let mut opts = EncodeOptions::default();
    if quality < 0 {
        return Ok(opts);
    }
    let bad = || Failure::invalid(format!("quality {quality} is out of range for {}", format.label()));
    match format {
        Format::Png => opts.png_level = u8::try_from(quality).ok().filter(|q| *q <= 9).ok_or_else(bad)?,
        Format::Jpeg => {
            opts.jpeg_quality =
                u8::try_from(quality).ok().filter(|q| (1..=100).contains(q)).ok_or_else(bad)?
        }
        _ => {}
    }
    Ok(opts)
}

/// Decode frame `n` with `matrix` and encode it.
#[allow(clippy::too_many_arguments)]
fn encode(
    media: &Media,
    n: u64,
    image_format: u32,
    quality: i32,
    matrix: ColorMatrix,
    width: u32,
    height: u32,
) -> Result<Vec<u8>> {
    let format = self::image_format(image_format)?;
    let opts = encode_options(format, quality)?;
    let size = output_size(media, width, height)?;
    let pixels = format.natural_pixel_format();
    let convert = ConvertOptions { format: pixels, size: Some(size), matrix, ..Default::default() };
    Ok(media.encode_frame(n, format, &convert, &opts)?)
}

/// Decode frame `n`, encode it as `image_format` (a `lazyqt_image_format`) at `width` x
/// `height` (zeros as in `lazyqt_output_size`) and copy the file into `buf` (`cap` bytes),
/// its size into `*needed`. `quality`: negative = default; PNG compression level 0..9
/// (default 1, fast), JPEG quality 1..100 (default 90). The size is known only after
/// encoding, so a size query (`buf` NULL, `cap` 0) or a too-small buffer
/// (`LAZYQT_ERR_BUFFER_TOO_SMALL`, `*needed` set) costs a full encode; to encode once, give a
/// generous buffer or use `lazyqt_encode_frame_alloc`. `needed` may be NULL when `buf` is not.
///
/// # Safety
/// `m` is NULL or a live handle; `buf` is NULL or valid for writing `cap` bytes; `needed`
/// is NULL or valid for writing.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lazyqt_encode_frame(
    m: *const lazyqt_movie,
    n: u64,
    image_format: u32,
    quality: i32,
    width: u32,
    height: u32,
    buf: *mut u8,
    cap: usize,
    needed: *mut usize,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let (media, out) = unsafe { movie_and_buffer(m, buf, cap, needed, "needed")? };
        out.fill(&encode(media, n, image_format, quality, ColorMatrix::default(), width, height)?)
    })
}

/// Like `lazyqt_encode_frame`, but into a buffer the library allocates: `*out` and `*out_len`
/// receive it (NULL and 0 on failure). Free it with `lazyqt_buffer_free(*out, *out_len)`.
///
/// # Safety
/// `m` is NULL or a live handle; `out` and `out_len` are NULL or valid for writing.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lazyqt_encode_frame_alloc(
    m: *const lazyqt_movie,
    n: u64,
    image_format: u32,
    quality: i32,
    width: u32,
    height: u32,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> lazyqt_status {
    // SAFETY: the caller's contract, passed on; a NULL matrix is the default.
    unsafe {
        lazyqt_encode_frame_matrix_alloc(
            m,
            n,
            image_format,
            quality,
            std::ptr::null(),
            width,
            height,
            out,
            out_len,
        )
    }
}

/// Like `lazyqt_encode_frame_alloc`, with the YUV→RGB matrix named by `matrix` ("stream",
/// "bt601", "bt709", "bt2020" or "auto"; NULL = "stream", FFmpeg's rule: the stream's matrix
/// and range, BT.601 when untagged).
///
/// # Safety
/// `m` is NULL or a live handle; `matrix` is NULL or a NUL-terminated string; `out` and
/// `out_len` are NULL or valid for writing.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lazyqt_encode_frame_matrix_alloc(
    m: *const lazyqt_movie,
    n: u64,
    image_format: u32,
    quality: i32,
    matrix: *const c_char,
    width: u32,
    height: u32,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let (dest, media, matrix) =
            unsafe { (LibraryBuffer::new(out, out_len)?, movie(m)?, matrix_arg(matrix)?) };
        dest.give(encode(media, n, image_format, quality, matrix, width, height)?);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buffer::lazyqt_buffer_free;
    use crate::handle::lazyqt_close;
    use crate::handle::tests::open_test_movie;
    use crate::status::lazyqt_status::*;

    fn encode_into(m: *const lazyqt_movie, fmt: u32, quality: i32, buf: &mut [u8]) -> (lazyqt_status, usize) {
        let mut needed = 0;
        // SAFETY: `buf` is valid for its length.
        let s = unsafe {
            lazyqt_encode_frame(m, 2, fmt, quality, 0, 0, buf.as_mut_ptr(), buf.len(), &mut needed)
        };
        (s, needed)
    }

    #[test]
    fn png_two_calls() {
        let m = open_test_movie("prores2.mov");
        let mut needed = 0;
        // SAFETY: a size query.
        let s = unsafe { lazyqt_encode_frame(m, 2, 0, -1, 0, 0, std::ptr::null_mut(), 0, &mut needed) };
        assert_eq!(s, LAZYQT_OK);
        assert!(needed > 100);
        let mut buf = vec![0u8; needed];
        assert_eq!(encode_into(m, 0, -1, &mut buf[..needed - 1]), (LAZYQT_ERR_BUFFER_TOO_SMALL, needed));
        assert_eq!(encode_into(m, 0, -1, &mut buf), (LAZYQT_OK, needed));
        assert_eq!(&buf[..8], b"\x89PNG\r\n\x1a\n");
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }

    #[test]
    fn allocated_jpeg_and_formats() {
        let m = open_test_movie("prores2.mov");
        let (mut ptr, mut len) = (std::ptr::null_mut(), 0usize);
        // SAFETY: live handle, valid out pointers.
        let s = unsafe { lazyqt_encode_frame_alloc(m, 1, 1, 80, 160, 0, &mut ptr, &mut len) };
        assert_eq!(s, LAZYQT_OK);
        // SAFETY: the library's buffer of `len` bytes.
        let jpeg = unsafe { std::slice::from_raw_parts(ptr, len) };
        assert_eq!(&jpeg[..2], b"\xff\xd8");
        // SAFETY: freed once with its length.
        unsafe { lazyqt_buffer_free(ptr, len) };
        let mut buf = vec![0u8; 320 * 180 * 3 + 100];
        let (s, n) = encode_into(m, 3, -1, &mut buf);
        assert_eq!((s, &buf[..2]), (LAZYQT_OK, &b"P5"[..]));
        assert!(n > 320 * 180);
        assert_eq!(encode_into(m, 4, -1, &mut buf).0, LAZYQT_OK);
        assert_eq!(&buf[..2], b"BM");
        assert_eq!(encode_into(m, 9, -1, &mut buf).0, LAZYQT_ERR_INVALID_ARGUMENT);
        assert_eq!(encode_into(m, 1, 0, &mut buf).0, LAZYQT_ERR_INVALID_ARGUMENT);
        assert_eq!(encode_into(m, 0, 10, &mut buf).0, LAZYQT_ERR_INVALID_ARGUMENT);
        // SAFETY: NULL out pointers are checked.
        let s = unsafe { lazyqt_encode_frame_alloc(m, 1, 0, -1, 0, 0, std::ptr::null_mut(), &mut len) };
        assert_eq!(s, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: a live handle, closed once; NULL buffers are ignored.
        unsafe { (lazyqt_close(m), lazyqt_buffer_free(std::ptr::null_mut(), 0)) };
    }

    /// PPM pixels from the library buffer of `lazyqt_encode_frame_matrix_alloc`.
    fn ppm_with(m: *const lazyqt_movie, matrix: Option<&std::ffi::CStr>) -> (lazyqt_status, Vec<u8>) {
        let (mut ptr, mut len) = (std::ptr::null_mut(), 0usize);
        let matrix = matrix.map_or(std::ptr::null(), |c| c.as_ptr());
        // SAFETY: live handle, NUL-terminated or NULL matrix, valid out pointers.
        let s = unsafe { lazyqt_encode_frame_matrix_alloc(m, 4, 2, -1, matrix, 0, 0, &mut ptr, &mut len) };
        if s != LAZYQT_OK {
            return (s, Vec::new());
        }
        // SAFETY: the library's buffer of `len` bytes, freed once below.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec();
        // SAFETY: freed once with its length.
        unsafe { lazyqt_buffer_free(ptr, len) };
        (s, bytes)
    }

    #[test]
    fn matrix_changes_the_picture_as_asked() {
        let m = open_test_movie("prores2.mov");
        let (s, default) = ppm_with(m, None);
        assert_eq!(s, LAZYQT_OK);
        assert_eq!(ppm_with(m, Some(c"stream")), (LAZYQT_OK, default.clone()));
        assert_eq!(ppm_with(m, Some(c"bt601")), (LAZYQT_OK, default.clone()), "untagged = BT.601");
        let (s, bt709) = ppm_with(m, Some(c"bt709"));
        assert_eq!(s, LAZYQT_OK);
        assert_eq!(bt709.len(), default.len());
        assert!(bt709 != default, "BT.709 gives other colours");
        assert_eq!(ppm_with(m, Some(c"rec709")).0, LAZYQT_ERR_INVALID_ARGUMENT);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }
}
