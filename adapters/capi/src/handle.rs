//! The opaque movie handle: open and close, and the argument helpers the other modules share.

use std::ffi::{c_char, CStr, OsStr};
use std::path::PathBuf;
use std::time::Duration;

use lazyqt_io::SourceOptions;
use lazyqt_media::Media;

use crate::error::{guard, Failure, Result};
use crate::status::lazyqt_status;

/// An open movie. Every call that takes a `const lazyqt_movie *` may run concurrently with
/// the others on the same handle from any number of threads; `lazyqt_close` must not.
pub struct lazyqt_movie {
    media: Media,
}

/// How `lazyqt_open` reads and caches. Start from `lazyqt_default_open_options()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lazyqt_open_options {
    /// Directory of the persistent HTTP cache (NUL-terminated; on Unix any bytes the file
    /// system allows, elsewhere UTF-8); NULL = the platform's
    /// (`~/.cache/lazyqt/http` on Linux). Copied by `lazyqt_open`.
    pub cache_dir: *const c_char,
    /// Do not use the persistent HTTP cache (the in-memory cache stays).
    pub no_cache: bool,
    /// How long cached metadata of a URL is trusted before it is revalidated, in seconds;
    /// negative = forever (for archives of immutable files).
    pub ttl_seconds: i64,
}

/// The options `lazyqt_open` uses when given NULL: platform cache directory, cache on,
/// one-hour TTL.
#[no_mangle]
pub extern "C" fn lazyqt_default_open_options() -> lazyqt_open_options {
    let ttl =
        std::panic::catch_unwind(|| SourceOptions::default().cache.ttl.map_or(-1, |t| t.as_secs() as i64));
    lazyqt_open_options { cache_dir: std::ptr::null(), no_cache: false, ttl_seconds: ttl.unwrap_or(3600) }
}

/// A required C string argument that is a name (a pixel format, a matrix): UTF-8.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn utf8_arg<'a>(p: *const c_char, what: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|e| Failure::invalid(format!("{what} is not valid UTF-8: {e}")))
}

/// A required C string argument naming a file or URL: its bytes as they are on Unix (a file
/// name need not be UTF-8), UTF-8 elsewhere.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn path_arg<'a>(p: *const c_char, what: &str) -> Result<&'a OsStr> {
    if p.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let c = unsafe { CStr::from_ptr(p) };
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(OsStr::from_bytes(c.to_bytes()))
    }
    #[cfg(not(unix))]
    c.to_str().map(OsStr::new).map_err(|e| Failure::invalid(format!("{what} is not valid UTF-8: {e}")))
}

/// The movie behind a handle.
///
/// # Safety
/// `m` is NULL or a handle from `lazyqt_open` that has not been closed.
pub(crate) unsafe fn movie<'a>(m: *const lazyqt_movie) -> Result<&'a Media> {
    // SAFETY: by the caller's contract, a non-NULL `m` points to a live lazyqt_movie.
    unsafe { m.as_ref() }.map(|m| &m.media).ok_or_else(|| Failure::null("movie"))
}

/// Store `value` through an output pointer that must not be NULL.
///
/// # Safety
/// `out` is NULL or valid for writing a `T`.
pub(crate) unsafe fn write_out<T>(out: *mut T, value: T, what: &str) -> Result<()> {
    if out.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: non-NULL and writable by the caller's contract.
    unsafe { out.write(value) };
    Ok(())
}

/// The source options for C options (NULL = defaults).
///
/// # Safety
/// `opts` is NULL or points to a valid `lazyqt_open_options` whose `cache_dir` is NULL or a
/// NUL-terminated string.
pub(crate) unsafe fn source_options(opts: *const lazyqt_open_options) -> Result<SourceOptions> {
    let mut out = SourceOptions::default();
    // SAFETY: by the caller's contract, a non-NULL `opts` is valid for reads.
    let Some(o) = (unsafe { opts.as_ref() }) else { return Ok(out) };
    if !o.cache_dir.is_null() {
        // SAFETY: non-NULL and NUL-terminated by the caller's contract.
        out.cache.dir = Some(PathBuf::from(unsafe { path_arg(o.cache_dir, "cache_dir") }?));
    }
    out.cache.no_disk = o.no_cache;
    out.cache.ttl = u64::try_from(o.ttl_seconds).ok().map(Duration::from_secs);
    Ok(out)
}

/// Open a movie from a local path, a `file://` URL or an `http(s)://` URL, read its metadata
/// and store a new handle in `*out` (set to NULL on failure). On Unix a path is taken as the
/// bytes it is (it need not be UTF-8); URLs, and paths elsewhere, are UTF-8. `opts` may be NULL
/// for the defaults. Free the handle with `lazyqt_close`.
///
/// # Safety
/// `path_or_url` is a NUL-terminated string; `opts` is NULL or valid; `out` is valid for
/// writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_open(
    path_or_url: *const c_char,
    opts: *const lazyqt_open_options,
    out: *mut *mut lazyqt_movie,
) -> lazyqt_status {
    guard(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        // SAFETY: `out` is non-NULL and writable by the caller's contract.
        unsafe { out.write(std::ptr::null_mut()) };
        // SAFETY: the string and options pointers are valid by the caller's contract.
        let (uri, options) = unsafe { (path_arg(path_or_url, "path_or_url")?, source_options(opts)?) };
        // Frames are usually asked for next: get ready to decode (see prepare_to_decode).
        Media::prepare_to_decode(uri, &options);
        let media = Media::open(uri, &options)?;
        let handle = Box::into_raw(Box::new(lazyqt_movie { media }));
        // SAFETY: as above.
        unsafe { out.write(handle) };
        Ok(())
    })
}

/// Close a movie and free its handle. NULL is ignored. No other call may be using the
/// handle, and it must not be used afterwards.
///
/// # Safety
/// `m` is NULL or a handle from `lazyqt_open` that has not been closed.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_close(m: *mut lazyqt_movie) {
    // SAFETY: the caller's contract is free_boxed's: a pointer from Box::into_raw, freed once.
    unsafe { crate::error::free_boxed(m) }
}

/// Does `path_or_url` name an HTTP(S) URL rather than a local path (the test `lazyqt_open`
/// uses to pick how to read it)? NULL is not a URL.
///
/// # Safety
/// `path_or_url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_is_url(path_or_url: *const c_char) -> bool {
    if path_or_url.is_null() {
        return false;
    }
    // SAFETY: a NUL-terminated string, by the caller's contract.
    let c = unsafe { CStr::from_ptr(path_or_url) };
    std::panic::catch_unwind(|| c.to_str().is_ok_and(lazyqt_io::is_url)).unwrap_or(false)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::tests::last_message;
    use crate::status::lazyqt_status::*;
    use std::ffi::CString;

    /// A generated test movie's path as a C string.
    pub(crate) fn test_movie(name: &str) -> CString {
        let path = lazyqt_testkit::generated(name);
        CString::new(path.to_str().expect("utf-8 path")).expect("no NUL")
    }

    /// Open a test movie, asserting success.
    pub(crate) fn open_test_movie(name: &str) -> *mut lazyqt_movie {
        let path = test_movie(name);
        let mut m = std::ptr::null_mut();
        // SAFETY: valid string, NULL options, valid out pointer.
        let status = unsafe { lazyqt_open(path.as_ptr(), std::ptr::null(), &mut m) };
        assert_eq!(status, LAZYQT_OK, "{}", last_message());
        assert!(!m.is_null());
        m
    }

    /// Closing a handle frees the movie and its source (nothing else holds them), and
    /// closing NULL does nothing.
    #[test]
    fn open_and_close() {
        let m = open_test_movie("prores2.mov");
        // SAFETY: a live handle.
        let source = std::sync::Arc::downgrade(unsafe { &*m }.media.source());
        assert!(source.upgrade().is_some());
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
        assert!(source.upgrade().is_none(), "the source outlived lazyqt_close");
        // SAFETY: NULL is ignored.
        unsafe { lazyqt_close(std::ptr::null_mut()) };
    }

    #[test]
    fn open_null_arguments() {
        let path = test_movie("prores2.mov");
        // SAFETY: NULL out is checked before anything is written.
        let s = unsafe { lazyqt_open(path.as_ptr(), std::ptr::null(), std::ptr::null_mut()) };
        assert_eq!(s, LAZYQT_ERR_NULL_POINTER);
        let mut m = std::ptr::dangling_mut::<lazyqt_movie>();
        // SAFETY: NULL path is checked; `m` is a valid out pointer.
        let s = unsafe { lazyqt_open(std::ptr::null(), std::ptr::null(), &mut m) };
        assert_eq!(s, LAZYQT_ERR_NULL_POINTER);
        assert!(m.is_null(), "out is cleared on failure");
        assert_eq!(last_message(), "path_or_url is NULL");
    }

    #[test]
    fn open_missing_files_and_bad_schemes() {
        let mut m = std::ptr::null_mut();
        let missing = c"/nonexistent/lazyqt/movie.mov";
        // SAFETY: a NUL-terminated string, NULL options, a valid out pointer.
        let s = unsafe { lazyqt_open(missing.as_ptr(), std::ptr::null(), &mut m) };
        assert_eq!(s, LAZYQT_ERR_NOT_FOUND);
        assert!(last_message().contains("movie.mov"), "{}", last_message());
        let scheme = c"gopher://example/movie.mov";
        // SAFETY: as above.
        let s = unsafe { lazyqt_open(scheme.as_ptr(), std::ptr::null(), &mut m) };
        assert_eq!(s, LAZYQT_ERR_INVALID_ARGUMENT);
        assert!(m.is_null());
    }

    /// A file name is bytes: one that is not UTF-8 opens like any other.
    #[test]
    fn open_a_path_that_is_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let source = test_movie("prores2.mov");
        let dir = std::env::temp_dir().join(format!("lazyqt-capi-non-utf8-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(std::ffi::OsStr::from_bytes(b"movie-\xff.mov"));
        std::fs::copy(source.to_str().expect("utf-8"), &path).expect("copy");
        let c = CString::new(path.as_os_str().as_bytes()).expect("no NUL");
        let mut m = std::ptr::null_mut();
        // SAFETY: a NUL-terminated byte string, NULL options, a valid out pointer.
        let s = unsafe { lazyqt_open(c.as_ptr(), std::ptr::null(), &mut m) };
        assert_eq!(s, LAZYQT_OK, "{}", last_message());
        // SAFETY: a live handle.
        assert_eq!(unsafe { m.as_ref() }.map(|h| h.media.summary().tracks.len()), Some(1));
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
        std::fs::remove_dir_all(dir).expect("clean up");
    }

    #[test]
    fn open_with_options() {
        let path = test_movie("prores2.mov");
        let dir = CString::new(std::env::temp_dir().to_str().expect("utf-8")).expect("no NUL");
        let mut opts = lazyqt_default_open_options();
        assert_eq!(opts.ttl_seconds, 3600);
        opts.cache_dir = dir.as_ptr();
        opts.no_cache = true;
        opts.ttl_seconds = -1;
        // SAFETY: valid pointers.
        let converted = unsafe { source_options(&opts) }.expect("options");
        assert_eq!(converted.cache.ttl, None);
        assert!(converted.cache.no_disk);
        assert_eq!(converted.cache.dir.as_deref(), Some(std::env::temp_dir().as_path()));
        let mut m = std::ptr::null_mut();
        // SAFETY: valid pointers.
        assert_eq!(unsafe { lazyqt_open(path.as_ptr(), &opts, &mut m) }, LAZYQT_OK);
        // SAFETY: a live handle, closed once.
        unsafe { lazyqt_close(m) };
        // A cache directory is bytes too.
        opts.cache_dir = c"\xff".as_ptr();
        // SAFETY: valid pointers.
        let converted = unsafe { source_options(&opts) }.expect("options");
        assert_eq!(converted.cache.dir.as_deref().map(|d| d.as_os_str().len()), Some(1));
    }

    #[test]
    fn urls_are_told_from_paths() {
        for (text, url) in [
            (c"http://h/m.mov", true),
            (c"HTTPS://h/m.mov", true),
            (c"file:///m.mov", false),
            (c"http/m.mov", false),
            (c"/data/m.mov", false),
            (c"\xff", false),
        ] {
            // SAFETY: NUL-terminated strings.
            assert_eq!(unsafe { lazyqt_is_url(text.as_ptr()) }, url, "{text:?}");
        }
        // SAFETY: NULL is allowed.
        assert!(!unsafe { lazyqt_is_url(std::ptr::null()) });
    }

    #[test]
    fn not_a_movie_is_malformed() {
        let path = CString::new(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).expect("no NUL");
        let mut m = std::ptr::null_mut();
        // SAFETY: valid pointers.
        let s = unsafe { lazyqt_open(path.as_ptr(), std::ptr::null(), &mut m) };
        assert_eq!(s, LAZYQT_ERR_MALFORMED, "{}", last_message());
    }
}
