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
//! Every read runs on one clock (`SourceOptions::deadline`) shared by all its requests,
//! their bodies and the waits between retries; each request must also get its headers
//! within `read_timeout` and may not go `stall_timeout` without a body byte, and a read
//! still waiting after `slow_warning` logs what it waits for. Bodies must be identity
//! encoded, redirects stay on the URL's origin (unless allowed) and number at most five,
//! and URLs in messages and logs are redacted.

mod client;
mod exchange;
pub(crate) mod fetch;
mod get;
mod limit;
pub(crate) mod validator;

pub(crate) use client::shared as shared_client;
pub use get::{get_small, Fetched};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use lazyqt_core::ReadAt;
use parking_lot::{Mutex, RwLock};

use crate::cache::block::{Block, BlockCache};
use crate::cache::disk::{DiskCache, DiskEntry};
use crate::cache::extent::Extent;
use crate::cache::hint::TailHint;
use crate::error::SourceError;
use crate::options::SourceOptions;
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
    block_size: u64,
    /// Reads within this many bytes of the end (and in the back half) grow the tail.
    tail_size: u64,
    max_coalesce: u64,
    will_need_cap: u64,
    payload_threshold: usize,
    max_read: u64,
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
        let client = client::shared(opts).map_err(|e| SourceError::Network {
            url: redact_url(url),
            detail: format!("cannot build the HTTP client: {e}"),
        })?;
        let transport = Transport::new(client, url.to_string(), opts);
        let block_size = opts.block();
        let cache_dir = opts.effective_cache_dir();
        let disk_cache = cache_dir.clone().map(|d| DiskCache::new(d, opts.disk_cache_bytes));
        // Also kept when the disk cache opens the file without a request: what that open
        // needs is still recorded.
        let hint = cache_dir.and_then(|d| TailHint::for_url(&d, url, opts.open_tail, opts.tail_size));
        let mut source = HttpSource {
            transport,
            identity: Identity { size: 0, validator: validator::Validator::None, weak_etag: None },
            whole: None,
            head: Extent::empty_at(0),
            tail: RwLock::new(Extent::empty_at(0)),
            tail_growth: Mutex::new(()),
            blocks: BlockCache::new(opts.memory_cache_bytes),
            disk: None,
            changed: AtomicBool::new(false),
            tail_low: AtomicU64::new(u64::MAX),
            hint,
            counters: Counters::default(),
            block_size,
            tail_size: opts.tail_size,
            max_coalesce: opts.max_coalesce.max(block_size),
            will_need_cap: opts.will_need_cap.min(opts.memory_cache_bytes / 2),
            payload_threshold: opts.payload_threshold.max(1),
            max_read: opts.max_read,
        };
        if let Some(dc) = &disk_cache {
            if let Some(index) = dc.lookup(url) {
                if index.is_fresh(opts.ttl)
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
        let open_tail = source.hint.as_ref().map_or(opts.open_tail, TailHint::open_tail);
        if open_tail != opts.open_tail {
            tracing::debug!(url = %source.shown(), open_tail, "first request's tail sized from the directory's tail hint");
        }
        match source.transport.open(opts.head_size, open_tail, opts.small_file_limit, &source.counters)? {
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

    /// Keep the head and the tail (offset, bytes) the first request brought.
    fn set_ends(&mut self, head: Vec<u8>, (start, bytes): (u64, Vec<u8>)) {
        self.head = Extent { start: 0, bytes: head.into() };
        *self.tail.get_mut() = Extent { start, bytes: bytes.into() };
    }

    /// Take the head and tail recorded on disk where they hold more than those in hand.
    fn adopt_extents(&mut self, entry: &DiskEntry) {
        let size = self.identity.size;
        for (start, bytes) in entry.extents() {
            let tail = self.tail.get_mut();
            if start == 0 && bytes.len() > self.head.bytes.len() {
                self.head = Extent { start, bytes: bytes.into() };
            } else if start + bytes.len() as u64 == size && start < tail.start {
                *tail = Extent { start, bytes: bytes.into() };
            } else {
                continue;
            }
            Counters::add(&self.counters.disk_hits, 1);
        }
    }

    /// Is `offset` where a miss grows the tail: in the back half of the file and
    /// within `tail_size` of its end?
    fn in_tail_zone(&self, offset: u64) -> bool {
        let size = self.identity.size;
        offset >= size / 2 && size - offset.min(size) <= self.tail_size
    }

    /// The tail, grown down to `offset` if it starts after it (one exact request for
    /// the missing bytes; concurrent callers wait for it rather than fetch twice).
    fn tail_from(&self, offset: u64, clock: Clock) -> Result<Extent, SourceError> {
        let current = self.tail.read().clone();
        if current.start <= offset {
            return Ok(current);
        }
        let _growing = self.tail_growth.lock();
        let current = self.tail.read().clone();
        if current.start <= offset {
            return Ok(current);
        }
        let before = self.fetch(offset, current.start, clock)?;
        let grown = current.prepend(&before);
        if let Some(d) = &self.disk {
            d.put_extents(&[(grown.start, &grown.bytes)]);
        }
        *self.tail.write() = grown.clone();
        Ok(grown)
    }

    /// Note a read of `len` bytes from the tail at `offset`. Only metadata-sized reads
    /// count (a walk reads the `moov`'s header at its first byte): a frame payload near
    /// the end of the `mdat` that the tail happens to hold says nothing of the `moov`.
    fn used_tail(&self, offset: u64, len: u64) {
        if len < self.payload_threshold as u64 {
            self.tail_low.fetch_min(offset, Ordering::Relaxed);
        }
    }

    /// Counters of requests, bytes and cache use.
    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    /// Size plus the strong validator this source pins its reads to; `None` without one.
    pub fn version(&self) -> Option<String> {
        self.identity.is_cacheable().then(|| format!("{}:{}", self.identity.size, self.identity.describe()))
    }

    /// The URL, as opened (credentials included: show [`redact_url`] of it).
    pub fn uri(&self) -> &str {
        self.transport.url()
    }

    /// The URL with credentials redacted, for messages and logs.
    fn shown(&self) -> &str {
        self.transport.shown()
    }

    /// Length of block `idx` (the last one may be short).
    fn block_len(&self, idx: u64) -> u64 {
        let start = idx.saturating_mul(self.block_size);
        self.identity.size.saturating_sub(start).min(self.block_size)
    }

    /// Cache the bytes fetched at `start` (block-aligned) in memory and on disk.
    /// A trailing partial block is kept only if it ends the file.
    fn store(&self, start: u64, bytes: &[u8]) -> Vec<Block> {
        let first = start / self.block_size;
        let mut out = Vec::new();
        let mut to_disk: Vec<(u64, &[u8])> = Vec::new();
        for (k, chunk) in bytes.chunks(self.block_size as usize).enumerate() {
            let idx = first + k as u64;
            if chunk.len() as u64 != self.block_len(idx) {
                break;
            }
            let block: Block = Arc::from(chunk);
            self.blocks.insert(idx, block.clone());
            out.push(block);
            to_disk.push((idx, chunk));
        }
        if let Some(d) = &self.disk {
            d.put(&to_disk);
        }
        out
    }

    /// The file changed upstream: drop every cached byte and refuse further reads.
    fn on_changed(&self, err: SourceError) -> SourceError {
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

    fn changed_error(&self) -> SourceError {
        SourceError::ChangedUpstream {
            url: self.shown().to_string(),
            detail: format!("it no longer matches {}", self.identity.describe()),
        }
    }

    /// Fetch `start..end` exactly, pinned to the opened version, within the read's clock.
    fn fetch(&self, start: u64, end: u64, clock: Clock) -> Result<Vec<u8>, SourceError> {
        self.transport
            .fetch(start, end, &self.identity, &self.counters, clock)
            .map_err(|e| self.on_changed(e))
    }

    /// Blocks `first..=last`, from memory, disk or the network (misses coalesced into
    /// runs of at most `cap` bytes). Returns the blocks and whether a request was needed.
    fn fill(&self, first: u64, last: u64, cap: u64, clock: Clock) -> Result<(Vec<Block>, bool), SourceError> {
        let valid = |i: u64, b: &Block| b.len() as u64 == self.block_len(i);
        let mut have: Vec<Option<Block>> =
            (first..=last).map(|i| self.blocks.get(i).filter(|b| valid(i, b))).collect();
        let mut fetched = false;
        for _ in 0..FILL_ROUNDS {
            if self.changed.load(Ordering::SeqCst) {
                return Err(self.changed_error());
            }
            if let Some(d) = &self.disk {
                for (k, slot) in have.iter_mut().enumerate() {
                    let idx = first + k as u64;
                    if slot.is_none() {
                        if let Some(bytes) = d.get(idx).filter(|b| b.len() as u64 == self.block_len(idx)) {
                            let block: Block = Arc::from(bytes);
                            self.blocks.insert(idx, block.clone());
                            Counters::add(&self.counters.disk_hits, 1);
                            *slot = Some(block);
                        }
                    }
                }
            }
            let missing: Vec<u64> =
                have.iter().enumerate().filter(|(_, b)| b.is_none()).map(|(k, _)| first + k as u64).collect();
            if missing.is_empty() {
                return Ok((have.into_iter().flatten().collect(), fetched));
            }
            fetched = true;
            let (claim, waits) = self.blocks.claim(&missing);
            for (start, end) in runs(&claim.mine, self.block_size, cap) {
                let end_byte = (end * self.block_size).min(self.identity.size);
                let bytes = self.fetch(start * self.block_size, end_byte, clock)?;
                let blocks = self.store(start * self.block_size, &bytes);
                for (k, b) in blocks.into_iter().enumerate() {
                    let idx = start + k as u64;
                    if (first..=last).contains(&idx) {
                        have[(idx - first) as usize] = Some(b);
                    }
                }
            }
            drop(claim);
            for w in waits {
                w.wait();
            }
            for (k, slot) in have.iter_mut().enumerate() {
                if slot.is_none() {
                    *slot = self.blocks.get(first + k as u64);
                }
            }
        }
        // Blocks evicted as fast as they arrive (a cache far too small): fetch the
        // span directly.
        let start = first * self.block_size;
        let end = ((last + 1) * self.block_size).min(self.identity.size);
        let bytes = self.fetch(start, end, clock)?;
        let blocks = bytes.chunks(self.block_size as usize).map(Arc::from).collect();
        Ok((blocks, true))
    }
}

impl Drop for HttpSource {
    /// Record the tail this open needed as its directory's hint, when that changes what
    /// the next open there asks for (so a directory of small `moov`s writes nothing).
    fn drop(&mut self) {
        let Some(h) = &self.hint else { return };
        let low = *self.tail_low.get_mut();
        if low == u64::MAX || low >= self.identity.size || self.changed.load(Ordering::SeqCst) {
            return;
        }
        let needed = self.identity.size - low;
        if h.record(needed) {
            tracing::debug!(url = %self.shown(), needed, "tail hint recorded for the directory");
        }
    }
}

/// Group ascending block indices into runs of consecutive ones, each at most `cap`
/// bytes: `(first, one past last)`.
fn runs(indices: &[u64], block_size: u64, cap: u64) -> Vec<(u64, u64)> {
    let per_run = (cap / block_size).max(1);
    let mut sorted = indices.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for idx in sorted {
        match out.last_mut() {
            Some((s, e)) if *e == idx && *e - *s < per_run => *e += 1,
            _ => out.push((idx, idx + 1)),
        }
    }
    out
}

/// Copy `buf.len()` bytes at `offset` out of consecutive blocks starting at `first`.
fn copy_out(blocks: &[Block], first: u64, block_size: u64, offset: u64, buf: &mut [u8]) -> bool {
    let mut done = 0usize;
    let mut pos = offset;
    for (k, b) in blocks.iter().enumerate() {
        if done == buf.len() {
            break;
        }
        let bstart = (first + k as u64) * block_size;
        let Some(from) = pos.checked_sub(bstart).map(|f| f as usize) else { return false };
        if from >= b.len() {
            return false;
        }
        let take = (b.len() - from).min(buf.len() - done);
        buf[done..done + take].copy_from_slice(&b[from..from + take]);
        done += take;
        pos += take as u64;
    }
    done == buf.len()
}

impl ReadAt for HttpSource {
    type Error = SourceError;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        if self.changed.load(Ordering::SeqCst) {
            return Err(self.changed_error());
        }
        let len = buf.len() as u64;
        let size = self.identity.size;
        let Some(end) = offset.checked_add(len).filter(|e| *e <= size) else {
            return Err(SourceError::OutOfBounds { uri: self.shown().to_string(), offset, len, size });
        };
        if len == 0 {
            return Ok(());
        }
        if len > self.max_read {
            return Err(SourceError::TooLarge {
                uri: self.shown().to_string(),
                what: "read",
                size: len,
                limit: self.max_read,
            });
        }
        if let Some(whole) = &self.whole {
            // offset..end is within size == whole.len().
            buf.copy_from_slice(&whole[offset as usize..end as usize]);
            Counters::add(&self.counters.cache_hits, 1);
            return Ok(());
        }
        let tail = self.tail.read().clone();
        let from_tail = || tail.get(offset, buf.len()).inspect(|_| self.used_tail(offset, len));
        if let Some(bytes) = self.head.get(offset, buf.len()).or_else(from_tail) {
            buf.copy_from_slice(bytes);
            Counters::add(&self.counters.cache_hits, 1);
            return Ok(());
        }
        let first = offset / self.block_size;
        let last = (end - 1) / self.block_size;
        let cached: Option<Vec<Block>> = (first..=last).map(|i| self.blocks.get(i)).collect();
        if let Some(blocks) = cached {
            if copy_out(&blocks, first, self.block_size, offset, buf) {
                Counters::add(&self.counters.cache_hits, 1);
                return Ok(());
            }
        }
        // Every request this read makes (and every wait between them) shares one clock.
        let clock = self.transport.clock();
        if buf.len() >= self.payload_threshold {
            let bytes = self.fetch(offset, end, clock)?;
            buf.copy_from_slice(&bytes);
            Counters::add(&self.counters.cache_misses, 1);
            return Ok(());
        }
        if self.in_tail_zone(offset) {
            let tail = self.tail_from(offset, clock)?;
            // The tail ends the file and now starts at or before `offset`.
            let bytes = tail.get(offset, buf.len()).ok_or_else(|| SourceError::Protocol {
                url: self.shown().to_string(),
                detail: format!("the cached tail does not cover {len} bytes at {offset}"),
            })?;
            buf.copy_from_slice(bytes);
            self.used_tail(offset, len);
            Counters::add(&self.counters.cache_misses, 1);
            return Ok(());
        }
        let (blocks, fetched) = self.fill(first, last, self.max_coalesce, clock)?;
        if !copy_out(&blocks, first, self.block_size, offset, buf) {
            return Err(SourceError::Protocol {
                url: self.shown().to_string(),
                detail: format!("cached blocks do not cover {len} bytes at {offset}"),
            });
        }
        let counter = if fetched { &self.counters.cache_misses } else { &self.counters.cache_hits };
        Counters::add(counter, 1);
        Ok(())
    }

    fn len(&self) -> Result<u64, SourceError> {
        Ok(self.identity.size)
    }

    fn will_need(&self, offset: u64, len: u64) {
        let size = self.identity.size;
        if self.whole.is_some() || self.changed.load(Ordering::SeqCst) || offset >= size || len == 0 {
            return;
        }
        let tail_start = self.tail.read().start;
        if offset >= tail_start {
            return;
        }
        // A range that runs into the tail (a moov at the end) grows it.
        if self.in_tail_zone(offset) && offset.saturating_add(len) >= tail_start {
            if let Err(e) = self.tail_from(offset, self.transport.clock()) {
                tracing::debug!(url = %self.shown(), error = %e, "will_need prefetch of the tail failed");
            }
            return;
        }
        let end = offset.saturating_add(len.min(self.will_need_cap)).min(tail_start);
        if self.head.get(offset, (end - offset) as usize).is_some() {
            return;
        }
        let first = offset / self.block_size;
        let last = (end - 1) / self.block_size;
        if let Err(e) = self.fill(first, last, self.will_need_cap, self.transport.clock()) {
            tracing::debug!(url = %self.shown(), error = %e, "will_need prefetch failed");
        }
    }
}
