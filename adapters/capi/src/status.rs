//! Status codes returned by every fallible call, their descriptions, and the library version.

use std::ffi::{c_char, CStr};

/// Result of a lazyqt call. `LAZYQT_OK` is 0; every other value is an error whose details
/// `lazyqt_last_error_message()` gives.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lazyqt_status {
    /// Success.
    LAZYQT_OK = 0,
    /// An argument is invalid: not UTF-8, an unknown enum value, a bad time, an unusable URL.
    LAZYQT_ERR_INVALID_ARGUMENT = 1,
    /// A required pointer argument is NULL.
    LAZYQT_ERR_NULL_POINTER = 2,
    /// A local file (or the disk cache) could not be read (a missing one is
    /// `LAZYQT_ERR_NOT_FOUND`).
    LAZYQT_ERR_IO = 3,
    /// The network failed: connection refused or reset, truncated answer (a timeout is
    /// `LAZYQT_ERR_TIMEOUT`).
    LAZYQT_ERR_NETWORK = 4,
    /// The HTTP server answered with an error status (404 and 410 are `LAZYQT_ERR_NOT_FOUND`)
    /// or broke the protocol (ignores Range, wrong Content-Range, encoded body, refused redirect).
    LAZYQT_ERR_HTTP = 5,
    /// The remote file changed since it was opened: close the movie and open it again.
    LAZYQT_ERR_CHANGED_UPSTREAM = 6,
    /// The movie is malformed (or uses a QuickTime feature that is not supported), or the
    /// decoder found a frame's data corrupt.
    LAZYQT_ERR_MALFORMED = 7,
    /// The movie has no video track.
    LAZYQT_ERR_NO_VIDEO_TRACK = 8,
    /// A frame number or time past the end of the movie.
    LAZYQT_ERR_OUT_OF_RANGE = 9,
    /// The video codec (or the decoded pixel format) cannot be decoded and converted.
    LAZYQT_ERR_UNSUPPORTED_CODEC = 10,
    /// Decoding, converting or encoding the picture failed inside FFmpeg or an encoder, or
    /// FFmpeg is not available: neither the movie's fault nor the caller's.
    LAZYQT_ERR_DECODE = 11,
    /// A size (picture, sample, read) exceeds a limit of the library.
    LAZYQT_ERR_TOO_LARGE = 12,
    /// The caller's buffer is too small; the size needed was stored through `needed`/`written`.
    LAZYQT_ERR_BUFFER_TOO_SMALL = 13,
    /// A bug: the library panicked. The movie handle may still be used, but please report it.
    LAZYQT_ERR_PANIC = 14,
    /// The file or URL does not exist (no such local file, HTTP 404 or 410).
    LAZYQT_ERR_NOT_FOUND = 15,
    /// Connecting, an answer or the whole read took longer than its deadline.
    LAZYQT_ERR_TIMEOUT = 16,
}

impl lazyqt_status {
    /// All codes, in numeric order.
    const ALL: [lazyqt_status; 17] = [
        Self::LAZYQT_OK,
        Self::LAZYQT_ERR_INVALID_ARGUMENT,
        Self::LAZYQT_ERR_NULL_POINTER,
        Self::LAZYQT_ERR_IO,
        Self::LAZYQT_ERR_NETWORK,
        Self::LAZYQT_ERR_HTTP,
        Self::LAZYQT_ERR_CHANGED_UPSTREAM,
        Self::LAZYQT_ERR_MALFORMED,
        Self::LAZYQT_ERR_NO_VIDEO_TRACK,
        Self::LAZYQT_ERR_OUT_OF_RANGE,
        Self::LAZYQT_ERR_UNSUPPORTED_CODEC,
        Self::LAZYQT_ERR_DECODE,
        Self::LAZYQT_ERR_TOO_LARGE,
        Self::LAZYQT_ERR_BUFFER_TOO_SMALL,
        Self::LAZYQT_ERR_PANIC,
        Self::LAZYQT_ERR_NOT_FOUND,
        Self::LAZYQT_ERR_TIMEOUT,
    ];

    /// The code for a number, if it is one.
    fn from_code(code: i32) -> Option<Self> {
        usize::try_from(code).ok().and_then(|i| Self::ALL.get(i)).copied()
    }

    /// A short static description, NUL-terminated.
    fn description(self) -> &'static CStr {
        match self {
            Self::LAZYQT_OK => c"success",
            Self::LAZYQT_ERR_INVALID_ARGUMENT => c"invalid argument",
            Self::LAZYQT_ERR_NULL_POINTER => c"null pointer argument",
            Self::LAZYQT_ERR_IO => c"I/O error",
            Self::LAZYQT_ERR_NETWORK => c"network error",
            Self::LAZYQT_ERR_HTTP => c"HTTP error",
            Self::LAZYQT_ERR_CHANGED_UPSTREAM => c"the remote file changed; open it again",
            Self::LAZYQT_ERR_MALFORMED => c"malformed movie",
            Self::LAZYQT_ERR_NO_VIDEO_TRACK => c"the movie has no video track",
            Self::LAZYQT_ERR_OUT_OF_RANGE => c"frame or time out of range",
            Self::LAZYQT_ERR_UNSUPPORTED_CODEC => c"unsupported codec",
            Self::LAZYQT_ERR_DECODE => c"decoding failed",
            Self::LAZYQT_ERR_TOO_LARGE => c"size exceeds a limit",
            Self::LAZYQT_ERR_BUFFER_TOO_SMALL => c"buffer too small",
            Self::LAZYQT_ERR_PANIC => c"internal error (panic)",
            Self::LAZYQT_ERR_NOT_FOUND => c"no such file or URL",
            Self::LAZYQT_ERR_TIMEOUT => c"timed out",
        }
    }
}

/// A static description of a status code ("unknown status" for values that are none).
/// Never NULL; the string lives as long as the program.
#[no_mangle]
pub extern "C" fn lazyqt_status_str(code: i32) -> *const c_char {
    let text = std::panic::catch_unwind(|| {
        lazyqt_status::from_code(code).map_or(c"unknown status", lazyqt_status::description)
    });
    text.unwrap_or(c"unknown status").as_ptr()
}

/// The library version ("0.1.0"), a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn lazyqt_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"unknown",
        };
    // Nothing here can panic; the guard keeps the promise that no entry point unwinds.
    std::panic::catch_unwind(|| VERSION).unwrap_or(c"unknown").as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: *const c_char) -> String {
        // SAFETY: both functions return pointers to static NUL-terminated strings.
        unsafe { CStr::from_ptr(p) }.to_str().expect("utf-8").to_string()
    }

    #[test]
    fn codes_round_trip_in_order() {
        for (i, s) in lazyqt_status::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
            assert_eq!(lazyqt_status::from_code(i as i32), Some(*s));
        }
        assert_eq!(lazyqt_status::from_code(-1), None);
        assert_eq!(lazyqt_status::from_code(17), None);
    }

    #[test]
    fn descriptions() {
        assert_eq!(text(lazyqt_status_str(0)), "success");
        assert_eq!(text(lazyqt_status_str(13)), "buffer too small");
        assert_eq!(text(lazyqt_status_str(-7)), "unknown status");
        assert_eq!(text(lazyqt_status_str(1000)), "unknown status");
    }

    #[test]
    fn version_is_the_package_version() {
        assert_eq!(text(lazyqt_version()), env!("CARGO_PKG_VERSION"));
    }
}
