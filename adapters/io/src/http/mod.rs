//! `HttpSource`: a remote file read with HTTP range requests, through a block cache.
//!
//! Opening costs one GET asking for both ends of the file at once (`bytes=0-16383,-245760`,
//! answered as `multipart/byteranges`): it learns the size and the validator and keeps
//! the head and the tail, where `moov` sits in movies written by cameras and ffmpeg's
//! mov muxer. A read near the end that the tail does not cover grows it downward by one
//! exact request, so a larger `moov` costs one more request and no byte past it. With a
//! disk cache, the tail the last open in the same directory needed (its tail hint, see
//! [`crate::cache::hint`]) sizes the first request's tail, so the next file of a camera
//! whose `moov`s outgrow the default costs no such request. A cold `info` is therefore
//! one request, a cold frame two. Other small reads go through
//! aligned blocks (memory LRU, then disk, then one coalesced request for adjacent
//! misses); large reads (frame payloads) go out as one exact request and bypass the
//! blocks. Every request after the first is pinned to the first version with `If-Match`
//! (or `If-Unmodified-Since`); a change drops the caches and fails reads with
//! [`SourceError::ChangedUpstream`].
//!
//! Every read runs on one clock ([`HttpTimeouts::deadline`](crate::HttpTimeouts)) shared
//! by all its requests, their bodies and the waits between retries; each request must
//! also get its headers within `timeouts.headers` and may not go `timeouts.stall` without
//! a body byte, and a read still waiting after `timeouts.slow_warning` logs what it waits
//! for. Bodies must be identity encoded, redirects stay on the URL's origin (unless
//! allowed) and number at most five, and URLs in messages and logs are redacted.
//!
//! Here: opening and the source's state; [`read`] the reads, [`tail`] the head and tail,
//! [`blocks`] the block tier, [`fetch`] one ranged GET done right, [`page`] whole small
//! bodies (listings) under the same options.

mod blocks;
mod client;
mod exchange;
pub(crate) mod fetch;
mod limit;
mod page;
mod read;
mod tail;
pub(crate) mod validator;

pub(crate) use client::shared as shared_client;
pub use page::{get_page, Page};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use crate::cache::block::BlockCache;
use crate::cache::disk::{DiskCache, DiskEntry};
use crate::cache::extent::Extent;
use crate::cache::hint::TailHint;
use crate::error::SourceError;
use crate::options::{OpenOptions, ReadLimits, SourceOptions};
use crate::redact::redact_url;
use crate::stats::{Counters, Stats};
use exchange::Clock;
use fetch::{Opened, Transport};
use validator::Identity;

/// How often a read retries when the blocks it waited for were evicted at once.
const FILL_ROUNDS: usize = 4;

/// A remote file over HTTP(S), shareable by many threads.
///
/// Reads block the calling thread while the process's HTTP runtime does the I/O: from
/// async code, call them inside `tokio::task::spawn_blocking`, never directly in a task.
#[derive(Debug)]
pub struct HttpSource {
    transport: Transport,
    identity: Identity,
    /// The whole file, when a server that ignores Range sent a small one whole.
    whole: Option<Arc<Vec<u8>>>,
    /// The file's first bytes, from the first request.
    head: Extent,
    /// The file's last bytes, from the first request, grown downward on demand.
    tail: RwLock<Extent>,
    /// Held while the tail grows, so concurrent readers wait instead of fetching twice.
    tail_growth: Mutex<()>,
    blocks: BlockCache,
    disk: Option<DiskEntry>,
    /// Set once the file is known to have changed: every later read fails.
    changed: AtomicBool,
    /// Lowest offset a small read took from the tail (`u64::MAX`: none yet): what this
    /// open needed of the end of the file, recorded as its directory's tail hint on drop.
    tail_low: AtomicU64,
    hint: Option<TailHint>,
    counters: Counters,
    /// The cache's block size, clamped (see [`crate::CacheOptions::block_size`]).
    block_size: u64,
    /// What the first request asked for; `tail_size` bounds where a miss grows the tail.
    open: OpenOptions,
    /// The read limits in force (see [`ReadLimits::effective`]).
    limits: ReadLimits,
}

/// Check that `url` is an absolute http(s) URL with a host.
pub(crate) fn check_url(url: &str) -> Result<(), SourceError> {
    let bad = |reason: &str| SourceError::InvalidUrl { input: redact_url(url), reason: reason.into() };
    let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("only http and https URLs are supported"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    Ok(())
}

impl HttpSource {
    /// Open `url`: zero requests if the disk cache holds a fresh record of it,
    /// else one ranged GET.
    pub fn open(url: &str, opts: &SourceOptions) -> Result<Self, SourceError> {
        check_url(url)?;
        let client = client::shared(&opts.http).map_err(|e| SourceError::Network {
            url: redact_url(url),
            detail: format!("cannot build the HTTP client: {e}"),
        })?;
        let transport = Transport::new(client, url.to_string(), &opts.http);
        let block_size = opts.cache.block();
        let cache_dir = opts.cache.effective_dir();
        let disk_cache = cache_dir.clone().map(|d| DiskCache::new(d, opts.cache.disk_bytes));
        let open = opts.http.open.clone();
        // Also kept when the disk cache opens the file without a request: what that open
        // needs is still recorded.
        let hint = cache_dir.and_then(|d| TailHint::for_url(&d, url, open.open_tail, open.tail_size));
        let mut source = HttpSource {
            transport,
            identity: Identity { size: 0, validator: validator::Validator::None, weak_etag: None },
            whole: None,
            head: Extent::empty_at(0),
            tail: RwLock::new(Extent::empty_at(0)),
            tail_growth: Mutex::new(()),
            blocks: BlockCache::new(opts.cache.memory_bytes),
            disk: None,
            changed: AtomicBool::new(false),
            tail_low: AtomicU64::new(u64::MAX),
            hint,
            counters: Counters::default(),
            block_size,
            limits: opts.http.limits.effective(block_size, opts.cache.memory_bytes),
            open,
        };
        if let Some(dc) = &disk_cache {
            if let Some(index) = dc.lookup(url) {
                if index.is_fresh(opts.cache.ttl)
                    && index.identity.is_cacheable()
                    && index.block_size() == block_size
                {
                    tracing::debug!(url = %source.shown(), "fresh disk cache record: opened without a request");
                    source.identity = index.identity.clone();
                    let entry = dc.resume(index);
                    source.set_ends(Vec::new(), (source.identity.size, Vec::new()));
                    source.adopt_extents(&entry);
                    source.disk = Some(entry);
                    return Ok(source);
                }
            }
        }
        let configured = source.open.open_tail;
        let open_tail = source.hint.as_ref().map_or(configured, TailHint::open_tail);
        if open_tail != configured {
            tracing::debug!(url = %source.shown(), open_tail, "first request's tail sized from the directory's tail hint");
        }
        match source.transport.open(source.open.head_size, open_tail, &source.counters)? {
            Opened::Whole { identity, body } => {
                source.identity = identity;
                source.whole = Some(Arc::new(body));
            }
            Opened::Ranged { identity, head, tail } => {
                source.identity = identity;
                if source.identity.is_cacheable() {
                    source.disk = disk_cache.and_then(|dc| dc.confirm(url, &source.identity, block_size));
                }
                if let Some(d) = &source.disk {
                    d.put_extents(&[(0, &head), (tail.0, &tail.1)]);
                }
                source.set_ends(head, tail);
                // A record of this version on disk may hold a tail grown further.
                if let Some(d) = source.disk.take() {
                    source.adopt_extents(&d);
                    source.disk = Some(d);
                }
            }
        }
        Ok(source)
    }

    /// The URL with credentials redacted, for messages and logs.
    pub(super) fn shown(&self) -> &str {
        self.transport.shown()
    }

    /// The file changed upstream: drop every cached byte and refuse further reads.
    pub(super) fn on_changed(&self, err: SourceError) -> SourceError {
        if let SourceError::ChangedUpstream { .. } = err {
            if !self.changed.swap(true, Ordering::SeqCst) {
                tracing::warn!(url = %self.shown(), error = %err, "file changed upstream: cache dropped");
                self.blocks.clear();
                if let Some(d) = &self.disk {
                    d.discard();
                }
            }
        }
        err
    }

    pub(super) fn changed_error(&self) -> SourceError {
        SourceError::ChangedUpstream {
            url: self.shown().to_string(),
            detail: format!("it no longer matches {}", self.identity.describe()),
        }
    }

    /// Fetch `start..end` exactly, pinned to the opened version, within the read's clock.
    pub(super) fn fetch(&self, start: u64, end: u64, clock: Clock) -> Result<Vec<u8>, SourceError> {
        self.transport
            .fetch(start, end, &self.identity, &self.counters, clock)
            .map_err(|e| self.on_changed(e))
    }
}

impl crate::Source for HttpSource {
    fn stats(&self) -> Stats {
        self.counters.snapshot()
    }
    /// The URL, as opened (credentials included: show [`crate::redact_url`] of it).
    fn uri(&self) -> &str {
        self.transport.url()
    }
    fn is_remote(&self) -> bool {
        true
    }
    /// Size plus the strong validator this source pins its reads to; `None` without one.
    fn version(&self) -> Option<String> {
        self.identity.is_cacheable().then(|| format!("{}:{}", self.identity.size, self.identity.describe()))
    }
}
