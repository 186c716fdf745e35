//! Errors at the boundary: a status code plus a message kept per thread, and the guard that
//! every entry point runs its body in (no panic unwinds into C).

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use lazyqt_media::decoding::Error as DecodeError;
use lazyqt_media::{ErrorKind, MediaError};

use crate::status::lazyqt_status::{self, *};

/// A failed call: its code and what to tell the caller.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: lazyqt_status,
    pub(crate) message: String,
}

impl Failure {
    /// A failure with this code and message.
    pub(crate) fn new(status: lazyqt_status, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }

    /// A NULL pointer where `what` was required.
    pub(crate) fn null(what: &str) -> Self {
        Self::new(LAZYQT_ERR_NULL_POINTER, format!("{what} is NULL"))
    }

    /// An invalid argument.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(LAZYQT_ERR_INVALID_ARGUMENT, message)
    }
}

/// The status for a kind of media error: the C ABI's one table.
pub(crate) fn status_of(kind: ErrorKind) -> lazyqt_status {
    match kind {
        ErrorKind::Argument => LAZYQT_ERR_INVALID_ARGUMENT,
        ErrorKind::NotFound => LAZYQT_ERR_NOT_FOUND,
        ErrorKind::OutOfRange => LAZYQT_ERR_OUT_OF_RANGE,
        ErrorKind::Malformed => LAZYQT_ERR_MALFORMED,
        ErrorKind::Unsupported => LAZYQT_ERR_UNSUPPORTED_CODEC,
        ErrorKind::NoTrack => LAZYQT_ERR_NO_VIDEO_TRACK,
        ErrorKind::TooLarge => LAZYQT_ERR_TOO_LARGE,
        ErrorKind::UpstreamChanged => LAZYQT_ERR_CHANGED_UPSTREAM,
        ErrorKind::Http => LAZYQT_ERR_HTTP,
        ErrorKind::Network => LAZYQT_ERR_NETWORK,
        ErrorKind::Timeout => LAZYQT_ERR_TIMEOUT,
        ErrorKind::Io => LAZYQT_ERR_IO,
        ErrorKind::Internal => LAZYQT_ERR_DECODE,
    }
}

impl From<MediaError> for Failure {
    fn from(e: MediaError) -> Self {
        Self::new(status_of(e.kind()), e.to_string())
    }
}

impl From<DecodeError> for Failure {
    fn from(e: DecodeError) -> Self {
        MediaError::Decode(e).into()
    }
}

/// Result of an entry point's body.
pub(crate) type Result<T, E = Failure> = std::result::Result<T, E>;

thread_local! {
    /// The message of the last failed call on this thread (`None` after a success).
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// Remember (or, with `None`, forget) this thread's last error message.
fn set_last_error(message: Option<String>) {
    let c = message.map(|m| CString::new(m.replace('\0', "\\0")).unwrap_or_default());
    LAST_ERROR.with(|slot| *slot.borrow_mut() = c);
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic");
    format!("lazyqt panicked (a bug, please report it): {text}")
}

/// Run an entry point's body: catch panics, turn the outcome into a status, and record the
/// message of a failure (or clear the previous one on success).
pub(crate) fn guard(body: impl FnOnce() -> Result<()>) -> lazyqt_status {
    let outcome = catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(Failure::new(LAZYQT_ERR_PANIC, panic_message(&*payload))));
    // Setting the message allocates; a panic there must not unwind into C either.
    let recorded = catch_unwind(AssertUnwindSafe(|| match outcome {
        Ok(()) => {
            set_last_error(None);
            LAZYQT_OK
        }
        Err(f) => {
            set_last_error(Some(f.message));
            f.status
        }
    }));
    recorded.unwrap_or(LAZYQT_ERR_PANIC)
}

/// Free a handle the library gave out with `Box::into_raw` (a movie, a frame iterator).
/// NULL is ignored. Dropping may release decoders, threads and connections; a panic there
/// stays here, since nothing may unwind into C.
///
/// # Safety
/// `p` is NULL or came from `Box::into_raw` of a `Box<T>` and is freed once, unused after.
pub(crate) unsafe fn free_boxed<T>(p: *mut T) {
    if p.is_null() {
        return;
    }
    // SAFETY: from Box::into_raw, freed once, by the caller's contract.
    let boxed = unsafe { Box::from_raw(p) };
    let _ = catch_unwind(AssertUnwindSafe(move || drop(boxed)));
}

/// The message of the last call on this thread that failed, or "" if the last call succeeded.
/// Never NULL. The string is owned by the library and valid until the next lazyqt call on
/// the same thread; copy it to keep it.
#[no_mangle]
pub extern "C" fn lazyqt_last_error_message() -> *const c_char {
    let ptr =
        catch_unwind(|| LAST_ERROR.with(|slot| slot.borrow().as_ref().map_or(c"".as_ptr(), |m| m.as_ptr())));
    ptr.unwrap_or(c"".as_ptr())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use lazyqt_media::SourceError;
    use std::ffi::CStr;

    /// This thread's last error message, copied.
    pub(crate) fn last_message() -> String {
        // SAFETY: lazyqt_last_error_message never returns NULL and the string stays valid
        // until the next lazyqt call on this thread; it is copied at once.
        unsafe { CStr::from_ptr(lazyqt_last_error_message()) }.to_string_lossy().into_owned()
    }

    #[test]
    fn guard_records_and_clears_messages() {
        assert_eq!(guard(|| Err(Failure::invalid("bad thing"))), LAZYQT_ERR_INVALID_ARGUMENT);
        assert_eq!(last_message(), "bad thing");
        assert_eq!(guard(|| Ok(())), LAZYQT_OK);
        assert_eq!(last_message(), "");
    }

    #[test]
    fn guard_catches_panics() {
        let status = guard(|| panic!("boom"));
        assert_eq!(status, LAZYQT_ERR_PANIC);
        assert!(last_message().contains("boom"), "{}", last_message());
    }

    #[test]
    fn messages_are_per_thread() {
        guard(|| Err(Failure::invalid("main thread")));
        std::thread::spawn(|| {
            assert_eq!(last_message(), "");
            guard(|| Err(Failure::null("x")));
            assert_eq!(last_message(), "x is NULL");
        })
        .join()
        .expect("thread");
        assert_eq!(last_message(), "main thread");
    }

    #[test]
    fn interior_nul_is_escaped() {
        guard(|| Err(Failure::invalid("a\0b")));
        assert_eq!(last_message(), "a\\0b");
    }

    /// The C ABI's column of the error-kind table: every kind has its status code.
    #[test]
    fn every_error_kind_has_its_status() {
        let expected = [
            (ErrorKind::Argument, LAZYQT_ERR_INVALID_ARGUMENT),
            (ErrorKind::NotFound, LAZYQT_ERR_NOT_FOUND),
            (ErrorKind::OutOfRange, LAZYQT_ERR_OUT_OF_RANGE),
            (ErrorKind::Malformed, LAZYQT_ERR_MALFORMED),
            (ErrorKind::Unsupported, LAZYQT_ERR_UNSUPPORTED_CODEC),
            (ErrorKind::NoTrack, LAZYQT_ERR_NO_VIDEO_TRACK),
            (ErrorKind::TooLarge, LAZYQT_ERR_TOO_LARGE),
            (ErrorKind::UpstreamChanged, LAZYQT_ERR_CHANGED_UPSTREAM),
            (ErrorKind::Http, LAZYQT_ERR_HTTP),
            (ErrorKind::Network, LAZYQT_ERR_NETWORK),
            (ErrorKind::Timeout, LAZYQT_ERR_TIMEOUT),
            (ErrorKind::Io, LAZYQT_ERR_IO),
            (ErrorKind::Internal, LAZYQT_ERR_DECODE),
        ];
        assert_eq!(expected.map(|(k, _)| k), ErrorKind::ALL, "one row per kind, in order");
        for (kind, status) in expected {
            assert_eq!(status_of(kind), status, "{kind:?}");
        }
    }

    #[test]
    fn media_errors_map_through_their_kind() {
        let oor = MediaError::OutOfRange { what: "frame", asked: 9, available: 3 };
        assert_eq!(Failure::from(oor).status, LAZYQT_ERR_OUT_OF_RANGE);
        assert_eq!(Failure::from(MediaError::NoTrack("video")).status, LAZYQT_ERR_NO_VIDEO_TRACK);
        let changed = SourceError::ChangedUpstream { url: "u".into(), detail: "412".into() };
        assert_eq!(Failure::from(MediaError::Source(changed)).status, LAZYQT_ERR_CHANGED_UPSTREAM);
        let http = SourceError::HttpStatus { url: "u".into(), status: 403, range: "bytes=0-1".into() };
        assert_eq!(Failure::from(MediaError::Source(http)).status, LAZYQT_ERR_HTTP);
        let gone = SourceError::HttpStatus { url: "u".into(), status: 404, range: "bytes=0-1".into() };
        assert_eq!(Failure::from(MediaError::Source(gone)).status, LAZYQT_ERR_NOT_FOUND);
        let refused = SourceError::Network { url: "u".into(), detail: "refused".into() };
        assert_eq!(Failure::from(MediaError::Source(refused)).status, LAZYQT_ERR_NETWORK);
        let slow = SourceError::Timeout { url: "u".into(), detail: "headers".into() };
        assert_eq!(Failure::from(MediaError::Source(slow)).status, LAZYQT_ERR_TIMEOUT);
        let past_end = MediaError::Malformed("sample 3 lies past the end of the file".into());
        assert_eq!(Failure::from(past_end).status, LAZYQT_ERR_MALFORMED);
        assert_eq!(Failure::from(MediaError::NoSuchTrack(9)).status, LAZYQT_ERR_INVALID_ARGUMENT);
        assert_eq!(Failure::from(MediaError::InvalidTime(f64::NAN)).status, LAZYQT_ERR_INVALID_ARGUMENT);
        let bounds = SourceError::OutOfBounds { uri: "u".into(), offset: 9, len: 9, size: 3 };
        assert_eq!(Failure::from(MediaError::Source(bounds)).status, LAZYQT_ERR_MALFORMED);
        let codec = DecodeError::UnsupportedCodec { fourcc: "abcd".into() };
        assert_eq!(Failure::from(codec).status, LAZYQT_ERR_UNSUPPORTED_CODEC);
    }
}
