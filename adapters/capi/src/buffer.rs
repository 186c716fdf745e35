//! Output buffers: the caller's (the size query with `buf` NULL and `cap` 0, and the
//! too-small answer that reports the size needed) and the library's (`*out`, `*out_len`,
//! freed with `lazyqt_buffer_free`).

use lazyqt_media::Media;

use crate::error::{Failure, Result};
use crate::handle::{lazyqt_movie, movie};
use crate::status::lazyqt_status::LAZYQT_ERR_BUFFER_TOO_SMALL;

/// An output buffer of `cap` bytes at `ptr` and where to report the bytes needed/written.
#[derive(Debug)]
pub(crate) struct OutBuf {
    ptr: *mut u8,
    cap: usize,
    needed: *mut usize,
}

impl OutBuf {
    /// Check the arguments: `ptr` may be NULL only with `cap` 0 (a size query), and a size
    /// query needs somewhere to put the answer.
    ///
    /// # Safety
    /// `ptr` is NULL or valid for writing `cap` bytes; `needed` is NULL or valid for writing
    /// a `size_t`; both stay valid while the `OutBuf` is used.
    pub(crate) unsafe fn new(ptr: *mut u8, cap: usize, needed: *mut usize, name: &str) -> Result<Self> {
        if ptr.is_null() && cap != 0 {
            return Err(Failure::null("buf (with a non-zero capacity)"));
        }
        if ptr.is_null() && needed.is_null() {
            return Err(Failure::null(name));
        }
        Ok(Self { ptr, cap, needed })
    }

    /// Report that `len` bytes are needed. `Ok(false)`: a size query, nothing more to do;
    /// `Ok(true)`: the buffer is large enough; an error if it is too small.
    pub(crate) fn reserve(&self, len: usize) -> Result<bool> {
        if !self.needed.is_null() {
            // SAFETY: non-NULL and writable by the contract of `new`.
            unsafe { self.needed.write(len) };
        }
        if self.ptr.is_null() {
            return Ok(false);
        }
        if self.cap < len {
            return Err(Failure::new(
                LAZYQT_ERR_BUFFER_TOO_SMALL,
                format!("the buffer holds {} bytes, {len} are needed", self.cap),
            ));
        }
        Ok(true)
    }

    /// Copy `bytes` into the buffer (reporting their length), unless this is a size query.
    pub(crate) fn fill(&self, bytes: &[u8]) -> Result<()> {
        if self.reserve(bytes.len())? {
            // SAFETY: `ptr` is valid for `cap >= bytes.len()` bytes (checked by `reserve`)
            // and cannot overlap memory the library owns.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr, bytes.len()) };
        }
        Ok(())
    }
}

/// The movie and the caller's output buffer of a call that writes into one: `m` must be a
/// handle, `buf`/`cap`/`needed` as [`OutBuf::new`] checks them (`name` is `needed`'s name).
///
/// # Safety
/// `m` is NULL or a live handle; the buffer arguments as for [`OutBuf::new`].
pub(crate) unsafe fn movie_and_buffer<'a>(
    m: *const lazyqt_movie,
    buf: *mut u8,
    cap: usize,
    needed: *mut usize,
    name: &str,
) -> Result<(&'a Media, OutBuf)> {
    // SAFETY: the caller's contract, passed on.
    unsafe { Ok((movie(m)?, OutBuf::new(buf, cap, needed, name)?)) }
}

/// Where a buffer the library allocates goes: `*out` and `*out_len`, NULL and 0 until
/// [`LibraryBuffer::give`] stores one, so a failed call leaves them so.
#[derive(Debug)]
pub(crate) struct LibraryBuffer {
    out: *mut *mut u8,
    out_len: *mut usize,
}

impl LibraryBuffer {
    /// Check that neither pointer is NULL and clear what they point to.
    ///
    /// # Safety
    /// `out` and `out_len` are NULL or valid for writing, and stay so while this is used.
    pub(crate) unsafe fn new(out: *mut *mut u8, out_len: *mut usize) -> Result<Self> {
        if out.is_null() || out_len.is_null() {
            return Err(Failure::null("out or out_len"));
        }
        // SAFETY: both non-NULL, writable by the caller's contract.
        unsafe { (out.write(std::ptr::null_mut()), out_len.write(0)) };
        Ok(Self { out, out_len })
    }

    /// Hand `bytes` to the caller, who frees them with `lazyqt_buffer_free(*out, *out_len)`.
    pub(crate) fn give(self, bytes: Vec<u8>) {
        let bytes = bytes.into_boxed_slice();
        let len = bytes.len();
        // SAFETY: both non-NULL and writable (checked by `new`).
        unsafe { (self.out.write(Box::into_raw(bytes).cast()), self.out_len.write(len)) };
    }
}

/// Free a buffer the library allocated (`lazyqt_encode_frame_alloc`,
/// `lazyqt_archive_catalog_json`, …; `len` as returned with it). NULL is ignored.
///
/// # Safety
/// `buf` is NULL or a buffer the library allocated, with its length, freed once.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_buffer_free(buf: *mut u8, len: usize) {
    if buf.is_null() {
        return;
    }
    // SAFETY: `buf` and `len` describe a boxed slice `LibraryBuffer::give` made, freed once.
    let bytes = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(buf, len)) };
    let _ = std::panic::catch_unwind(move || drop(bytes));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::lazyqt_status::*;

    #[test]
    fn query_reports_size_only() {
        let mut needed = 0usize;
        // SAFETY: NULL buffer with zero capacity, valid `needed`.
        let out = unsafe { OutBuf::new(std::ptr::null_mut(), 0, &mut needed, "needed") }.expect("args");
        assert!(!out.reserve(42).expect("query"));
        out.fill(&[1, 2, 3]).expect("query");
        assert_eq!(needed, 3);
    }

    #[test]
    fn too_small_and_exact() {
        let mut buf = [0u8; 3];
        let mut needed = 0usize;
        // SAFETY: `buf` holds 2 of its 3 bytes as announced.
        let out = unsafe { OutBuf::new(buf.as_mut_ptr(), 2, &mut needed, "needed") }.expect("args");
        let e = out.fill(&[1, 2, 3]).expect_err("too small");
        assert_eq!(e.status, LAZYQT_ERR_BUFFER_TOO_SMALL);
        assert_eq!((needed, buf), (3, [0, 0, 0]));
        // SAFETY: the whole buffer, and NULL `needed`.
        let out = unsafe { OutBuf::new(buf.as_mut_ptr(), 3, std::ptr::null_mut(), "needed") }.expect("args");
        out.fill(&[1, 2, 3]).expect("fits");
        assert_eq!(buf, [1, 2, 3]);
    }

    #[test]
    fn bad_combinations() {
        let mut needed = 0usize;
        // SAFETY: rejected before any use.
        let e = unsafe { OutBuf::new(std::ptr::null_mut(), 5, &mut needed, "needed") }.expect_err("null");
        assert_eq!(e.status, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: as above.
        let e = unsafe { OutBuf::new(std::ptr::null_mut(), 0, std::ptr::null_mut(), "needed") }
            .expect_err("null");
        assert_eq!(e.status, LAZYQT_ERR_NULL_POINTER);
    }
}
