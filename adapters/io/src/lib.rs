//! Byte sources for lazyqt: local files and HTTP(S) range requests, both behind the
//! core's [`ReadAt`] trait, with one error type ([`SourceError`]) and counters
//! ([`Stats`]).
//!
//! [`open`] picks the source from the string: `http://` and `https://` URLs give an
//! [`HttpSource`] (block cache in memory, persistent disk cache, validators on every
//! request), anything else a [`FileSource`].
//!
//! ```no_run
//! use lazyqt_io::{open, ReadAt, SourceOptions};
//!
//! let src = open("https://example.org/movie.mov", &SourceOptions::default())?;
//! let mut head = [0u8; 16];
//! src.read_exact_at(0, &mut head)?; // served from the bytes the open already fetched
//! println!("{} bytes, {:?}", src.len()?, src.stats());
//! # Ok::<(), lazyqt_io::SourceError>(())
//! ```

#![forbid(unsafe_code)]

mod cache;
mod error;
mod file;
mod http;
mod kind;
mod options;
mod redact;
mod stats;
pub mod wire;

use std::sync::Arc;

pub use lazyqt_core::ReadAt;

pub use error::SourceError;
pub use file::{file_version, FileSource};
pub use http::{get_page, HttpSource, Page};
pub use kind::ErrorKind;
pub use options::{
    Backoff, CacheOptions, HttpOptions, HttpTimeouts, OpenOptions, ReadLimits, RetryConfig, SourceOptions,
};
pub use redact::{redact_secrets, redact_url};
pub use stats::Stats;

/// Any source lazyqt reads movies from: positional reads plus counters.
pub trait Source: ReadAt<Error = SourceError> + Send + Sync + std::fmt::Debug {
    /// Counters of requests, bytes and cache use.
    fn stats(&self) -> Stats;
    /// The URL or path the source was opened from.
    fn uri(&self) -> &str;
    /// Is every read a round trip over the network (rather than a local read)?
    fn is_remote(&self) -> bool;
    /// A string that changes whenever the file does (size plus strong ETag or
    /// Last-Modified over HTTP, [`file_version`] for files); `None` when the
    /// server gives no usable validator. Caches key derived data (decoded frames, ETags
    /// of a REST answer) on it.
    fn version(&self) -> Option<String>;
}

/// Build the process's HTTP client for these options now (it starts its own I/O thread),
/// rather than inside the first `open` of a URL. A program that also loads large shared
/// libraries on another thread at start-up calls this first: a thread starting while
/// another holds the dynamic loader's lock waits for it.
pub fn start_http_client(opts: &SourceOptions) {
    if let Err(e) = http::shared_client(&opts.http) {
        tracing::debug!(error = %e, "HTTP client not built ahead of time");
    }
}

/// Does `uri` name an HTTP(S) resource (rather than a local path)? The one test of a string
/// (before anything is opened; an open source says [`Source::is_remote`]): the CLI, the
/// server's mount targets, and through `lazyqt_is_url` the C ABI and Python use it.
pub fn is_url(uri: &str) -> bool {
    let lower = uri.get(..8).unwrap_or(uri).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Open a path, a `file://` URL, or an `http(s)://` URL.
pub fn open(uri: &str, opts: &SourceOptions) -> Result<Arc<dyn Source>, SourceError> {
    let invalid = |reason: &str| SourceError::InvalidUrl { input: redact_url(uri), reason: reason.into() };
    if uri.trim().is_empty() {
        return Err(invalid("empty"));
    }
    if is_url(uri) {
        return Ok(Arc::new(HttpSource::open(uri, opts)?));
    }
    if uri.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("file://")) {
        let url = url::Url::parse(uri).map_err(|e| invalid(&e.to_string()))?;
        let path = url.to_file_path().map_err(|_| invalid("not a local file URL"))?;
        return Ok(Arc::new(FileSource::open(path)?));
    }
    if let Some((scheme, _)) = uri.split_once("://") {
        if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
            return Err(invalid("unsupported scheme (use a path, file://, http:// or https://)"));
        }
    }
    Ok(Arc::new(FileSource::open(uri)?))
}
