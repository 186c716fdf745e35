//! Settings of the sources and their caches, with defaults tuned for multi-GB movies
//! on plain HTTP servers.
//!
//! Nested the way `object_store` nests its client options: [`SourceOptions`] holds the
//! caches ([`CacheOptions`]) and the HTTP side ([`HttpOptions`]), which holds what the
//! first request asks for ([`OpenOptions`]), the time bounds ([`HttpTimeouts`]), the
//! retry policy ([`RetryConfig`] with its [`Backoff`]) and the sizes of reads and
//! requests ([`ReadLimits`]). A source keeps the sub-structs it uses, never copies of
//! their fields.

use std::path::PathBuf;
use std::time::Duration;

/// The block sizes in use (4 KiB to 16 MiB); others are clamped to them.
pub(crate) const BLOCK_SIZES: std::ops::RangeInclusive<u64> = 4096..=16 * 1024 * 1024;

/// How to open and cache a source. `SourceOptions::default()` is what the CLI uses.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// The in-memory block cache and the persistent disk cache.
    pub cache: CacheOptions,
    /// How remote files are asked for.
    pub http: HttpOptions,
}

/// The caches of remote files: blocks of metadata in memory and, optionally, on disk.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// Directory of the persistent disk cache; `None` = the platform cache directory
    /// (`~/.cache/lazyqt/http` on Linux).
    pub dir: Option<PathBuf>,
    /// Do not use the persistent disk cache (the in-memory block cache stays).
    pub no_disk: bool,
    /// How long cached metadata is trusted without asking the server; `None` = forever
    /// (for archives of immutable files). After it, one request revalidates.
    pub ttl: Option<Duration>,
    /// Size of a metadata block (the unit of the memory and disk caches).
    pub block_size: u64,
    /// Bound of the in-memory block cache, in bytes, per source.
    pub memory_bytes: u64,
    /// Bound of the disk cache, in bytes, over all URLs.
    pub disk_bytes: u64,
}

impl Default for CacheOptions {
    fn default() -> Self {
        Self {
            dir: None,
            no_disk: false,
            ttl: Some(Duration::from_secs(3600)),
            block_size: 64 * 1024,
            memory_bytes: 256 * 1024 * 1024,
            disk_bytes: 4 * 1024 * 1024 * 1024,
        }
    }
}

impl CacheOptions {
    /// The disk cache directory in force: the configured one, else the platform's,
    /// else none (no home directory).
    pub fn effective_dir(&self) -> Option<PathBuf> {
        if self.no_disk {
            return None;
        }
        if let Some(d) = &self.dir {
            return Some(d.clone());
        }
        directories::ProjectDirs::from("", "", "lazyqt").map(|p| p.cache_dir().join("http"))
    }

    /// Block size clamped to [`BLOCK_SIZES`].
    pub(crate) fn block(&self) -> u64 {
        self.block_size.clamp(*BLOCK_SIZES.start(), *BLOCK_SIZES.end())
    }
}

/// Every HTTP request of the process follows one of these: movie reads and directory
/// listings alike (see [`crate::get_page`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpOptions {
    /// What the first request of a source asks for.
    pub open: OpenOptions,
    /// How long a request, its body and a whole read may take.
    pub timeouts: HttpTimeouts,
    /// Which failures are retried, how often and how far apart.
    pub retry: RetryConfig,
    /// Sizes of reads and requests.
    pub limits: ReadLimits,
    /// Follow redirects to another origin (scheme, host, port). Off by default: a
    /// redirect away from the origin of the URL opened is refused before any request
    /// reaches the other origin. At most 5 redirects are followed either way.
    pub allow_cross_origin_redirects: bool,
}

/// The first request of a source: both ends of the file at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOptions {
    /// Bytes read from the start of the file by the first request (`ftyp`, the `mdat`
    /// header, or the start of a `moov` at the front).
    pub head_size: u64,
    /// Bytes read from the end of the file by the same first request (`Range:
    /// bytes=0-…,-open_tail`): a `moov` at the end up to this size costs no second
    /// request. 0 asks for the head alone. The default, 240 KiB (256 KiB with the
    /// head), holds the `moov` of a CamHD file (130-200 KB) and costs less time than a
    /// round trip of 20 ms or more on a 100 Mbit/s link (BENCHMARKS.md, "Cold frame:
    /// the first request's tail"). With a disk cache, the directory's tail hint may
    /// raise it (up to `tail_size`).
    pub open_tail: u64,
    /// A small read that misses in the back half of the file and within this many bytes
    /// of its end grows the cached tail down to it with one exact request (a `moov`
    /// larger than `open_tail`). 0 disables it.
    pub tail_size: u64,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self { head_size: 16 * 1024, open_tail: 240 * 1024, tail_size: 4 * 1024 * 1024 }
    }
}

/// Time bounds of requests and reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// Time allowed to connect (TCP and TLS).
    pub connect: Duration,
    /// Longest wait for an answer's status and headers once a request is sent
    /// (connecting included): a server that takes the request and then says nothing
    /// fails after this long (and the request is retried under the deadline).
    pub headers: Duration,
    /// Longest a body may go without delivering a byte (no progress): a server that
    /// stops mid-body fails after this long (and the rest is asked for again under the
    /// deadline).
    pub stall: Duration,
    /// Overall time allowed for one read: every request it makes, their bodies however
    /// slowly they arrive, and the waits between retries. A server dripping a byte every
    /// few seconds fails here. The CLI's `--timeout`.
    pub deadline: Duration,
    /// A read still waiting after this long logs a warning naming the URL (redacted)
    /// and the bytes received so far, and again after each further such interval.
    pub slow_warning: Duration,
}

impl Default for HttpTimeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            headers: Duration::from_secs(20),
            stall: Duration::from_secs(20),
            deadline: Duration::from_secs(60),
            slow_warning: Duration::from_secs(5),
        }
    }
}

/// Retries of failed requests: only transient failures, with exponential backoff and
/// jitter, all within the read's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Most retries of one request.
    pub max_retries: u32,
    /// The waits between retries.
    pub backoff: Backoff,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self { max_retries: 6, backoff: Backoff::default() }
    }
}

/// Exponential backoff between retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// First retry delay; doubled at each retry, with jitter.
    pub base: Duration,
    /// Largest retry delay; a longer `Retry-After` is cut to it.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: Duration::from_millis(200), max: Duration::from_secs(10) }
    }
}

/// Sizes of reads and of the requests made for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest single read accepted.
    pub max_read: u64,
    /// A server that ignores Range may still be used for files up to this size (the
    /// whole body is taken once); larger files fail with `RangeNotSupported`.
    pub small_file_limit: u64,
    /// Most requests one source has in flight at once (more readers wait their turn).
    pub max_parallel: usize,
    /// Most bytes one request may cover when adjacent block misses are coalesced.
    pub max_coalesce: u64,
    /// Most bytes a `will_need` hint fetches (in one request).
    pub will_need_cap: u64,
    /// Reads of at least this many bytes that are not cached go out as one exact range
    /// request and bypass the block cache (frame payloads).
    pub payload_threshold: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_read: 1024 * 1024 * 1024,
            small_file_limit: 1024 * 1024,
            max_parallel: 8,
            max_coalesce: 2 * 1024 * 1024,
            will_need_cap: 256 * 1024 * 1024,
            payload_threshold: 16 * 1024,
        }
    }
}

impl ReadLimits {
    /// These limits as a source with blocks of `block_size` bytes and a memory cache of
    /// `memory_bytes` applies them: a coalesced request covers at least one block, a
    /// `will_need` hint fills at most half the memory cache, and every read of at least
    /// one byte may count as a payload.
    pub(crate) fn effective(self, block_size: u64, memory_bytes: u64) -> Self {
        Self {
            max_coalesce: self.max_coalesce.max(block_size),
            will_need_cap: self.will_need_cap.min(memory_bytes / 2),
            payload_threshold: self.payload_threshold.max(1),
            ..self
        }
    }
}
