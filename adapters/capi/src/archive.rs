//! An archive of movies addressed by UTC time (lazyqt-archive): its catalog over a range,
//! the movie and frame at an instant, and the frames every so often over a range, each answered as JSON in a buffer the library
//! allocates (free it with `lazyqt_buffer_free`). Front ends parse the JSON; frames are
//! then read from the movie it names with `lazyqt_open` and the frame calls.

use std::ffi::c_char;

use lazyqt_archive::names::{parse_instant, rfc3339};
use lazyqt_archive::{Archive, ArchiveError, OffsetDateTime};

use crate::buffer::LibraryBuffer;
use crate::error::{guard, status_of, Failure, Result};
use crate::handle::{lazyqt_open_options, source_options, utf8_arg};
use crate::status::lazyqt_status;

impl From<ArchiveError> for Failure {
    fn from(e: ArchiveError) -> Self {
        Self::new(status_of(e.kind()), e.to_string())
    }
}

/// The instant in `p` (RFC 3339, a date, or a CamHD stamp), `None` for NULL.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn instant_arg(p: *const c_char, what: &str) -> Result<Option<OffsetDateTime>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let text = unsafe { utf8_arg(p, what) }?;
    parse_instant(text).map(Some).map_err(|e| Failure::invalid(format!("{what}: {e}")))
}

/// Run `body` in the guard and hand the JSON it makes to the caller as a library buffer
/// in `*out`, `*out_len` (NULL and 0 on failure, checked non-NULL first).
///
/// # Safety
/// `out` and `out_len` are NULL or valid for writing.
unsafe fn answer_json(
    out: *mut *mut u8,
    out_len: *mut usize,
    body: impl FnOnce() -> Result<serde_json::Value>,
) -> lazyqt_status {
    guard(|| {
        // SAFETY: the caller's contract, passed on.
        let dest = unsafe { LibraryBuffer::new(out, out_len) }?;
        dest.give(body()?.to_string().into_bytes());
        Ok(())
    })
}

/// `value` as JSON.
fn to_json(value: &impl serde::Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| Failure::invalid(e.to_string()))
}

/// The archive at `root` (a directory, `file://` or `http(s)://` URL of an autoindex).
///
/// # Safety
/// `root` is NULL or NUL-terminated; `opts` is NULL or valid.
unsafe fn archive(root: *const c_char, opts: *const lazyqt_open_options, parallel: u32) -> Result<Archive> {
    // SAFETY: the caller's contract.
    let (root, options) = unsafe { (utf8_arg(root, "root")?, source_options(opts)?) };
    let archive = Archive::new(root, &options)?;
    Ok(if parallel == 0 { archive } else { archive.with_parallel(parallel as usize) })
}

/// The instants bounding a range (NULL: unbounded).
type Range = (Option<time::OffsetDateTime>, Option<time::OffsetDateTime>);

/// Answer, as JSON in `out`, what `f` makes of the archive at `root` (movies opened
/// `parallel` at once) and the range [`from`, `to`].
///
/// # Safety
/// As for [`lazyqt_archive_catalog_json`].
unsafe fn range_json(
    root: *const c_char,
    (from, to): (*const c_char, *const c_char),
    opts: *const lazyqt_open_options,
    parallel: u32,
    (out, out_len): (*mut *mut u8, *mut usize),
    f: impl FnOnce(Archive, Range) -> Result<serde_json::Value>,
) -> lazyqt_status {
    // SAFETY: the caller's contract, for every pointer.
    unsafe {
        answer_json(out, out_len, || {
            let range = (instant_arg(from, "from")?, instant_arg(to, "to")?);
            f(archive(root, opts, parallel)?, range)
        })
    }
}

/// The catalog of the archive at `root` over the closed range [`from`, `to`] (each an
/// RFC 3339 instant or a date; NULL = unbounded), as a JSON array of the rows of
/// `lazyqt ls --json` (url, start, end, duration, frames, size, codec, status, start_from,
/// error). Movies are opened `parallel` at once (0: the library's default). Movies that do
/// not open are rows with their status, never a failure. `*out`, `*out_len` receive the
/// JSON (NULL and 0 on failure); free it with `lazyqt_buffer_free`.
///
/// # Safety
/// `root` is a NUL-terminated string; `from`, `to` are NULL or NUL-terminated; `opts` is
/// NULL or valid; `out` and `out_len` are valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_archive_catalog_json(
    root: *const c_char,
    from: *const c_char,
    to: *const c_char,
    opts: *const lazyqt_open_options,
    parallel: u32,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> lazyqt_status {
    // SAFETY: the caller's contract, passed on.
    unsafe {
        range_json(root, (from, to), opts, parallel, (out, out_len), |a, (from, to)| {
            to_json(&a.catalog(from, to)?)
        })
    }
}

/// The movie of the archive at `root` recording at the instant `at` (RFC 3339) and the
/// frame shown then, as a JSON object: `url` (the movie, to `lazyqt_open`), `frame`
/// (0-based), `offset` (seconds from its start to `at`), `utc` (`at`), `start`, `end`,
/// `frames`. Outside any recording: with `nearest`, the closest frame of the nearest
/// recording; without, `LAZYQT_ERR_OUT_OF_RANGE` whose message names the recordings
/// before and after. `*out`, `*out_len` receive the JSON (NULL and 0 on failure); free it
/// with `lazyqt_buffer_free`.
///
/// # Safety
/// `root` and `at` are NUL-terminated strings; `opts` is NULL or valid; `out` and
/// `out_len` are valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_archive_locate_json(
    root: *const c_char,
    at: *const c_char,
    nearest: bool,
    opts: *const lazyqt_open_options,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> lazyqt_status {
    // SAFETY: the caller's contract, for every pointer.
    unsafe {
        answer_json(out, out_len, || {
            let at = instant_arg(at, "at")?.ok_or_else(|| Failure::null("at"))?;
            let found = archive(root, opts, 0)?.locate(at, nearest)?;
            let r = &found.record;
            Ok(serde_json::json!({
                "url": r.url,
                "frame": found.frame,
                "offset": found.offset,
                "utc": rfc3339(at),
                "start": r.start.map(rfc3339),
                "end": r.end.map(rfc3339),
                "frames": r.frames,
            }))
        })
    }
}

/// The frames shown at `from`, `from + every_seconds`, … up to `to` (inclusive; RFC 3339
/// instants or dates) in the archive at `root`, in time order, as a JSON array of
/// `{"utc", "url", "frame"}` (`frame` 0-based in the movie at `url`); instants no recording
/// covers are left out. The same plan as `lazyqt frames ROOT --every`. `*out`, `*out_len`
/// receive the JSON (NULL and 0 on failure); free it with `lazyqt_buffer_free`.
///
/// # Safety
/// `root`, `from` and `to` are NUL-terminated strings; `opts` is NULL or valid; `out` and
/// `out_len` are valid for writing.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lazyqt_archive_plan_json(
    root: *const c_char,
    from: *const c_char,
    to: *const c_char,
    every_seconds: f64,
    opts: *const lazyqt_open_options,
    parallel: u32,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> lazyqt_status {
    let plan = |a: Archive, range: Range| {
        let (Some(from), Some(to)) = range else { return Err(Failure::null("from or to")) };
        if !(every_seconds.is_finite() && every_seconds > 0.0) {
            return Err(Failure::invalid(format!("every_seconds must be positive, not {every_seconds}")));
        }
        to_json(&a.plan_every(from, to, time::Duration::seconds_f64(every_seconds))?)
    };
    // SAFETY: the caller's contract, passed on.
    unsafe { range_json(root, (from, to), opts, parallel, (out, out_len), plan) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buffer::lazyqt_buffer_free;
    use crate::error::tests::last_message;
    use crate::status::lazyqt_status::*;
    use std::ffi::CString;

    /// The JSON a call gave, freed.
    fn take(out: *mut u8, len: usize) -> serde_json::Value {
        // SAFETY: a buffer of `len` bytes from the library.
        let v = serde_json::from_slice(unsafe { std::slice::from_raw_parts(out, len) }).expect("json");
        // SAFETY: freed once, with its length.
        unsafe { lazyqt_buffer_free(out, len) };
        v
    }

    fn root() -> CString {
        CString::new(lazyqt_testkit::archive_dir().to_str().expect("utf-8")).expect("no NUL")
    }

    fn c(text: &str) -> CString {
        CString::new(text).expect("no NUL")
    }

    /// `lazyqt_archive_locate_json` of the test archive: its status, and its JSON on success.
    fn locate(
        root: *const c_char,
        at: &CString,
        nearest: bool,
    ) -> (lazyqt_status, Option<serde_json::Value>) {
        let (mut out, mut len) = (std::ptr::null_mut(), 0usize);
        // SAFETY: `root` is NULL or a string, `at` a string, valid out pointers.
        let s = unsafe {
            lazyqt_archive_locate_json(root, at.as_ptr(), nearest, std::ptr::null(), &mut out, &mut len)
        };
        answer(s, out, len)
    }

    /// `lazyqt_archive_plan_json` of the test archive, every `every` seconds.
    fn plan(from: &CString, to: &CString, every: f64) -> (lazyqt_status, Option<serde_json::Value>) {
        let (mut out, mut len) = (std::ptr::null_mut(), 0usize);
        // SAFETY: valid strings and out pointers.
        let s = unsafe {
            lazyqt_archive_plan_json(
                root().as_ptr(),
                from.as_ptr(),
                to.as_ptr(),
                every,
                std::ptr::null(),
                0,
                &mut out,
                &mut len,
            )
        };
        answer(s, out, len)
    }

    /// The JSON of a successful call (freed); a failed one leaves the outputs NULL and 0.
    fn answer(s: lazyqt_status, out: *mut u8, len: usize) -> (lazyqt_status, Option<serde_json::Value>) {
        if s == LAZYQT_OK {
            return (s, Some(take(out, len)));
        }
        assert!(out.is_null() && len == 0);
        (s, None)
    }

    #[test]
    fn catalog_and_locate_as_json() {
        let (mut out, mut len) = (std::ptr::null_mut(), 0usize);
        let (from, to) = (c("2016-11-13"), c("2016-11-13T23:59:59Z"));
        // SAFETY: valid strings and out pointers.
        let s = unsafe {
            lazyqt_archive_catalog_json(
                root().as_ptr(),
                from.as_ptr(),
                to.as_ptr(),
                std::ptr::null(),
                2,
                &mut out,
                &mut len,
            )
        };
        assert_eq!(s, LAZYQT_OK, "{}", last_message());
        let rows = take(out, len);
        let names: Vec<&str> =
            rows.as_array().expect("array").iter().map(|r| r["url"].as_str().expect("url")).collect();
        assert!(names.iter().any(|n| n.ends_with("CAMHDA301-20161113T030000Z.mov")), "{names:?}");
        assert!(rows.as_array().expect("array").iter().any(|r| r["status"] == "malformed"));

        let (s, hit) = locate(root().as_ptr(), &c("2016-11-13T03:00:01.5Z"), false);
        assert_eq!(s, LAZYQT_OK, "{}", last_message());
        let hit = hit.expect("json");
        assert!(hit["url"].as_str().expect("url").ends_with("2016/11/13/CAMHDA301-20161113T030000Z.mov"));
        assert_eq!((hit["frame"].as_u64(), hit["offset"].as_f64()), (Some(44), Some(1.5)));
        assert_eq!(hit["utc"], "2016-11-13T03:00:01.5Z");

        let gap = c("2016-11-13T05:00:00Z");
        assert_eq!(locate(root().as_ptr(), &gap, false).0, LAZYQT_ERR_OUT_OF_RANGE);
        let m = last_message();
        assert!(
            m.contains("CAMHDA301-20161113T030000Z.mov") && m.contains("CAMHDA301-20161113T090000Z.mov"),
            "{m}"
        );

        let (from, to) = (c("2016-11-12T23:59:59Z"), c("2016-11-13T03:00:01Z"));
        let (s, planned) = plan(&from, &to, 0.5);
        assert_eq!(s, LAZYQT_OK, "{}", last_message());
        let planned = planned.expect("json");
        let frames: Vec<u64> =
            planned.as_array().expect("array").iter().map(|p| p["frame"].as_u64().expect("frame")).collect();
        assert_eq!(frames, [0, 14, 29, 44, 59, 0, 14, 29]);
        assert_eq!(plan(&from, &to, 0.0).0, LAZYQT_ERR_INVALID_ARGUMENT);

        assert_eq!(locate(root().as_ptr(), &c("yesterday"), true).0, LAZYQT_ERR_INVALID_ARGUMENT);
        assert_eq!(locate(std::ptr::null(), &gap, true).0, LAZYQT_ERR_NULL_POINTER);
        // SAFETY: NULL pointers are checked.
        let s = unsafe {
            lazyqt_archive_catalog_json(
                root().as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
                std::ptr::null(),
                0,
                &mut out,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(s, LAZYQT_ERR_NULL_POINTER);
    }
}
