//! The movie file's own bytes, read through the handle's source (its caches, validators and
//! deadlines), and where its `moov` atom lies: for callers that parse atoms themselves, such
//! as the Python package's pycamhd drop-in (`get_moov_atom`, `get_bytes`).

use lazyqt_media::{MediaError, MAX_SAMPLE_BYTES};

use crate::error::{guard, Failure};
use crate::handle::{lazyqt_movie, movie, write_out};
use crate::status::lazyqt_status;

/// Copy up to `len` bytes of the movie file starting at `offset` into `buf` and store the
/// number copied in `*read`: `len`, or fewer when the file ends first (0 at or past its end).
/// `len` may be at most 256 MiB (`LAZYQT_ERR_TOO_LARGE` otherwise). Over HTTP a read the
/// caches do not hold is one range request, validated like every other read of the handle.
///
/// # Safety
/// `m` is NULL or a live handle; `buf` is NULL (only with `len` 0) or valid for writing
/// `len` bytes; `read` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_read_bytes(
    m: *const lazyqt_movie,
    offset: u64,
    buf: *mut u8,
    len: usize,
    read: *mut usize,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let media = unsafe { movie(m) }?;
        if buf.is_null() && len != 0 {
            return Err(Failure::null("buf (with a non-zero length)"));
        }
        if len as u64 > MAX_SAMPLE_BYTES {
            return Err(Failure::new(
                lazyqt_status::LAZYQT_ERR_TOO_LARGE,
                format!("a read of {len} bytes exceeds the {MAX_SAMPLE_BYTES}-byte limit"),
            ));
        }
        let file_len = media.movie().file_len;
        let n = file_len.saturating_sub(offset).min(len as u64) as usize;
        if n > 0 {
            // SAFETY: `buf` is valid for writing `len >= n` bytes (caller's contract); it is
            // zeroed first so the slice covers initialized memory.
            let out = unsafe {
                std::ptr::write_bytes(buf, 0, n);
                std::slice::from_raw_parts_mut(buf, n)
            };
            media.source().read_exact_at(offset, out).map_err(MediaError::from)?;
        }
        // SAFETY: as above.
        unsafe { write_out(read, n, "read") }
    })
}

/// Store the file offset of the movie's `moov` atom (its header's first byte) in `*offset`
/// and its total size, header included, in `*size`.
///
/// # Safety
/// `m` is NULL or a live handle; `offset` and `size` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_moov_location(
    m: *const lazyqt_movie,
    offset: *mut u64,
    size: *mut u64,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let moov = unsafe { movie(m) }?.movie().moov;
        // SAFETY: as above.
        unsafe {
            write_out(offset, moov.offset, "offset")?;
            write_out(size, moov.size, "size")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handle::lazyqt_close;
    use crate::handle::tests::{open_test_movie, test_movie};
    use crate::status::lazyqt_status::*;

    /// `lazyqt_read_bytes` into a fresh buffer of `len` bytes: status and the bytes read.
    fn read(m: *const lazyqt_movie, offset: u64, len: usize) -> (lazyqt_status, Vec<u8>) {
        let mut buf = vec![0xAAu8; len];
        let mut n = usize::MAX;
        // SAFETY: `buf` holds `len` bytes; `n` is writable.
        let s = unsafe { lazyqt_read_bytes(m, offset, buf.as_mut_ptr(), len, &mut n) };
        buf.truncate(if s == LAZYQT_OK { n } else { 0 });
        (s, buf)
    }

    #[test]
    fn reads_bytes_and_stops_at_the_end() {
        let m = open_test_movie("prores2.mov");
        let file = std::fs::read(test_movie("prores2.mov").to_str().expect("utf-8")).expect("read movie");
        assert_eq!(read(m, 0, 24), (LAZYQT_OK, file[..24].to_vec()));
        assert_eq!(read(m, 1000, 5000), (LAZYQT_OK, file[1000..6000].to_vec()));
        let tail = file.len() as u64 - 10;
        assert_eq!(read(m, tail, 100), (LAZYQT_OK, file[file.len() - 10..].to_vec()));
        assert_eq!(read(m, file.len() as u64 + 5, 8), (LAZYQT_OK, Vec::new()));
        assert_eq!(read(m, u64::MAX, 8), (LAZYQT_OK, Vec::new()));
        assert_eq!(read(m, 0, 0), (LAZYQT_OK, Vec::new()));
        let mut n = 0usize;
        // SAFETY: NULL buffers and outputs are checked before use.
        unsafe {
            assert_eq!(lazyqt_read_bytes(m, 0, std::ptr::null_mut(), 4, &mut n), LAZYQT_ERR_NULL_POINTER);
            assert_eq!(
                lazyqt_read_bytes(m, 0, std::ptr::null_mut(), 0, std::ptr::null_mut()),
                LAZYQT_ERR_NULL_POINTER
            );
            assert_eq!(
                lazyqt_read_bytes(std::ptr::null(), 0, std::ptr::null_mut(), 0, &mut n),
                LAZYQT_ERR_NULL_POINTER
            );
        }
        let mut one = [0u8; 1];
        // SAFETY: the length is refused before the buffer is touched.
        let s = unsafe { lazyqt_read_bytes(m, 0, one.as_mut_ptr(), usize::MAX, &mut n) };
        assert_eq!(s, LAZYQT_ERR_TOO_LARGE);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }

    #[test]
    fn moov_location_points_at_the_moov_atom() {
        let m = open_test_movie("prores2.mov");
        let file = std::fs::read(test_movie("prores2.mov").to_str().expect("utf-8")).expect("read movie");
        let (mut offset, mut size) = (0u64, 0u64);
        // SAFETY: a live handle and writable outputs.
        assert_eq!(unsafe { lazyqt_moov_location(m, &mut offset, &mut size) }, LAZYQT_OK);
        let at = offset as usize;
        assert_eq!(&file[at + 4..at + 8], b"moov");
        assert_eq!(u64::from(u32::from_be_bytes(file[at..at + 4].try_into().expect("4 bytes"))), size);
        // The test movies end with their moov (ffmpeg's mov muxer without faststart).
        assert_eq!(at as u64 + size, file.len() as u64);
        // SAFETY: NULL outputs are checked.
        let s = unsafe { lazyqt_moov_location(m, std::ptr::null_mut(), &mut size) };
        assert_eq!(s, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }
}
