//! Counters of what a source did: requests, bytes, cache hits and misses, retries.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a source's counters, for `lazyqt info --stats` and `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// HTTP requests sent (every attempt counts, retries included).
    pub requests: u64,
    /// Body bytes received from the network.
    pub bytes_fetched: u64,
    /// Reads answered entirely from a cache (memory or disk), without a request.
    pub cache_hits: u64,
    /// Reads that needed at least one request.
    pub cache_misses: u64,
    /// Blocks, and the file's head and tail, found in the persistent disk cache.
    pub disk_hits: u64,
    /// Requests repeated after a transient failure (also counted in `requests`).
    pub retries: u64,
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub bytes_fetched: AtomicU64,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
    pub disk_hits: AtomicU64,
    pub retries: AtomicU64,
}

impl Counters {
    /// Add `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Read all counters.
    pub fn snapshot(&self) -> Stats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            requests: get(&self.requests),
            bytes_fetched: get(&self.bytes_fetched),
            cache_hits: get(&self.cache_hits),
            cache_misses: get(&self.cache_misses),
            disk_hits: get(&self.disk_hits),
            retries: get(&self.retries),
        }
    }
}
