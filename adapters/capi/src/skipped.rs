//! Malformed tracks the movie declares but lazyqt left out: how many, and each one's id,
//! kind and what is wrong. (A broken default video track also makes `lazyqt_get_info` and
//! the frame calls fail with `LAZYQT_ERR_MALFORMED`: no other track answers in its place.)

use std::ffi::c_char;

use lazyqt_core::SkippedTrack;

use crate::error::{guard, Failure};
use crate::handle::{lazyqt_movie, movie, write_out};
use crate::status::lazyqt_status;

/// One malformed track, left out of the movie's tracks.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct lazyqt_skipped_track {
    /// Whether the track's id could be read (`id` is meaningful).
    pub has_id: bool,
    /// Track id from `tkhd`.
    pub id: u32,
    /// "video", "audio", "timecode" or "other", NUL-terminated; "" when the track's handler
    /// could not be read (it may be a video track).
    pub kind: [c_char; 9],
    /// Byte offset of the track's `trak` atom in the file.
    pub trak_offset: u64,
    /// The atom where the error was found, NUL-terminated (e.g. "stsz"; bytes that are not
    /// printable ASCII as '?').
    pub atom: [c_char; 5],
    /// Byte offset of that atom (or of the bad field) in the file.
    pub atom_offset: u64,
    /// What is wrong with that atom, NUL-terminated (e.g. "has an invalid table").
    pub reason: [c_char; 64],
}

/// Copy printable ASCII of `text` into `dst`, NUL-terminated and truncated to fit.
fn copy_text(dst: &mut [c_char], text: &[u8]) {
    let room = dst.len().saturating_sub(1);
    for (d, &b) in dst.iter_mut().zip(text.iter().take(room)) {
        *d = if b.is_ascii_graphic() || b == b' ' { b as c_char } else { b'?' as c_char };
    }
    if let Some(end) = dst.get_mut(text.len().min(room)) {
        *end = 0;
    }
}

impl From<&SkippedTrack> for lazyqt_skipped_track {
    fn from(s: &SkippedTrack) -> Self {
        let mut out = lazyqt_skipped_track {
            has_id: s.id.is_some(),
            id: s.id.unwrap_or(0),
            kind: [0; 9],
            trak_offset: s.trak.offset,
            atom: [0; 5],
            atom_offset: s.error.offset,
            reason: [0; 64],
        };
        copy_text(&mut out.kind, s.kind.map_or("", |k| k.name()).as_bytes());
        copy_text(&mut out.atom, &s.error.atom.0);
        copy_text(&mut out.reason, s.error.kind.describe().as_bytes());
        out
    }
}

/// Store in `*out` how many malformed tracks the movie declares that were left out (the
/// first 16 are described by `lazyqt_get_skipped_track`).
///
/// # Safety
/// `m` is NULL or a live handle; `out` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_skipped_track_count(
    m: *const lazyqt_movie,
    out: *mut usize,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let media = unsafe { movie(m) }?;
        // SAFETY: as above.
        unsafe { write_out(out, media.movie().skipped_tracks().len(), "out") }
    })
}

/// Fill `*out` with malformed track number `index` (0-based, in file order, below
/// `lazyqt_skipped_track_count`); `LAZYQT_ERR_OUT_OF_RANGE` past the last.
///
/// # Safety
/// `m` is NULL or a live handle; `out` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_get_skipped_track(
    m: *const lazyqt_movie,
    index: usize,
    out: *mut lazyqt_skipped_track,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: pointer validity is the caller's contract.
        let media = unsafe { movie(m) }?;
        let skipped = media.movie().skipped_tracks();
        let s = skipped.get(index).ok_or_else(|| {
            Failure::new(
                lazyqt_status::LAZYQT_ERR_OUT_OF_RANGE,
                format!("skipped track {index} is out of range: there are {}", skipped.len()),
            )
        })?;
        // SAFETY: as above.
        unsafe { write_out(out, lazyqt_skipped_track::from(s), "out") }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::tests::last_message;
    use crate::frames::{lazyqt_frame_desc, lazyqt_frame_info};
    use crate::handle::tests::test_movie;
    use crate::handle::{lazyqt_close, lazyqt_open};
    use crate::metadata::{lazyqt_get_info, lazyqt_info};
    use crate::status::lazyqt_status::*;
    use std::ffi::{CStr, CString};

    /// Open a copy of two_video.mov whose track `track` (1 or 2) has a 2^31-entry stsz.
    fn open_broken(track: usize) -> *mut lazyqt_movie {
        let source = test_movie("two_video.mov");
        let mut bytes = std::fs::read(source.to_str().expect("utf-8")).expect("read");
        let at = bytes.windows(4).enumerate().filter(|(_, w)| w == b"stsz").nth(track - 1).expect("stsz").0;
        bytes[at + 12..at + 16].copy_from_slice(&(1u32 << 31).to_be_bytes());
        let path = std::env::temp_dir().join(format!("lazyqt-capi-bad{track}-{}.mov", std::process::id()));
        std::fs::write(&path, bytes).expect("write");
        let c = CString::new(path.to_str().expect("utf-8")).expect("no NUL");
        let mut m = std::ptr::null_mut();
        // SAFETY: valid string, NULL options, valid out pointer.
        assert_eq!(
            unsafe { lazyqt_open(c.as_ptr(), std::ptr::null(), &mut m) },
            LAZYQT_OK,
            "{}",
            last_message()
        );
        std::fs::remove_file(path).expect("clean up");
        m
    }

    fn text(field: &[c_char]) -> String {
        // SAFETY: the fields are NUL-terminated within their arrays.
        unsafe { CStr::from_ptr(field.as_ptr()) }.to_str().expect("ascii").to_owned()
    }

    #[test]
    fn a_broken_default_video_track_is_described_and_refused() {
        let m = open_broken(1);
        let mut count = 99usize;
        // SAFETY: a live handle and a writable count.
        assert_eq!(unsafe { lazyqt_skipped_track_count(m, &mut count) }, LAZYQT_OK);
        assert_eq!(count, 1);
        let mut s = std::mem::MaybeUninit::<lazyqt_skipped_track>::uninit();
        // SAFETY: a live handle and a writable struct.
        assert_eq!(unsafe { lazyqt_get_skipped_track(m, 0, s.as_mut_ptr()) }, LAZYQT_OK);
        // SAFETY: written by the successful call.
        let s = unsafe { s.assume_init() };
        assert_eq!((s.has_id, s.id, text(&s.kind), text(&s.atom)), (true, 1, "video".into(), "stsz".into()));
        assert_eq!(text(&s.reason), "has an invalid table");
        assert!(s.atom_offset > s.trak_offset);
        let mut again = s;
        // SAFETY: as above.
        assert_eq!(unsafe { lazyqt_get_skipped_track(m, 1, &mut again) }, LAZYQT_ERR_OUT_OF_RANGE);
        let mut info = std::mem::MaybeUninit::<lazyqt_info>::uninit();
        // SAFETY: as above.
        assert_eq!(unsafe { lazyqt_get_info(m, info.as_mut_ptr()) }, LAZYQT_ERR_MALFORMED);
        assert!(last_message().starts_with("video track 1 is malformed"), "{}", last_message());
        let mut desc = std::mem::MaybeUninit::<lazyqt_frame_desc>::uninit();
        // SAFETY: as above.
        assert_eq!(unsafe { lazyqt_frame_info(m, 5, desc.as_mut_ptr()) }, LAZYQT_ERR_MALFORMED);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }

    #[test]
    fn a_broken_second_track_leaves_the_first() {
        let m = open_broken(2);
        let mut count = 0usize;
        // SAFETY: a live handle and a writable count.
        assert_eq!(unsafe { lazyqt_skipped_track_count(m, &mut count) }, LAZYQT_OK);
        assert_eq!(count, 1);
        let mut info = std::mem::MaybeUninit::<lazyqt_info>::uninit();
        // SAFETY: a live handle and a writable struct.
        assert_eq!(unsafe { lazyqt_get_info(m, info.as_mut_ptr()) }, LAZYQT_OK);
        // SAFETY: written by the successful call.
        assert_eq!(unsafe { info.assume_init() }.width, 320);
        // SAFETY: NULL out is checked.
        assert_eq!(unsafe { lazyqt_skipped_track_count(m, std::ptr::null_mut()) }, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
    }

    #[test]
    fn text_fields_are_terminated_and_truncated() {
        let mut kind = [1 as c_char; 9];
        copy_text(&mut kind, b"timecode");
        assert_eq!(kind.map(|c| c as u8), *b"timecode\0");
        let mut atom = [1 as c_char; 5];
        copy_text(&mut atom, b"st\xffz");
        assert_eq!(atom.map(|c| c as u8), *b"st?z\0");
        let mut short = [1 as c_char; 4];
        copy_text(&mut short, b"toolong");
        assert_eq!(short.map(|c| c as u8), *b"too\0");
        let mut empty = [1 as c_char; 9];
        copy_text(&mut empty, b"");
        assert_eq!(empty[0], 0);
    }
}
