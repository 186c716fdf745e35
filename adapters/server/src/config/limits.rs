//! The `[limits]` and `[cache]` tables: how much work the server does at once and how much it
//! keeps in memory.

use serde::Deserialize;

/// Limits on work done at once (the `[limits]` table).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkLimits {
    /// Concurrent frame decodes in the backend; 0 means three per core. A frame's bytes are
    /// fetched before it takes a worker (on the I/O pool below), so workers only decode.
    pub workers: usize,
    /// Concurrent metadata/time lookups, frame fetches and listing fetches, per mount: each
    /// mount has its own I/O pool of this size, so a hung upstream exhausts only its own.
    pub max_concurrent_metadata: usize,
    /// Largest width or height a client may ask for.
    pub max_dimension: u32,
    /// Largest picture (width × height, after scaling) one request may produce; larger asks,
    /// and movies whose native frames are larger, are answered 422.
    pub max_pixels: u64,
    /// Memory that the frames being decoded at once may take (decoded planes, converted
    /// pixels, encoded output, estimated from their sizes); a decode waits until its share
    /// is free, so many large requests queue instead of exhausting memory.
    pub max_decode_bytes: u64,
    /// Most tiles one contact sheet (`<dir>/sheet`) may have: each is a decode, run two at
    /// a time on the frame workers, so a sheet costs about this many frame requests.
    pub max_sheet_tiles: usize,
}

impl Default for WorkLimits {
    fn default() -> Self {
        Self {
            workers: 0,
            max_concurrent_metadata: 64,
            max_dimension: 8192,
            max_pixels: 16 << 20,
            max_decode_bytes: 1 << 30,
            max_sheet_tiles: 240,
        }
    }
}

impl WorkLimits {
    /// The effective number of frame workers (resolves 0 to three per core).
    pub fn effective_workers(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            3 * std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}

/// In-memory cache sizes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Bytes of encoded frames kept in memory (LRU); 0 disables the frame cache.
    pub frame_cache_bytes: u64,
    /// How long an upstream directory listing is reused, in seconds (directory JSON, and
    /// the listings of each mount's archive routes).
    pub listing_ttl_secs: u64,
    /// How many upstream directory listings are kept (and archive listings per mount).
    pub listing_cache_entries: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self { frame_cache_bytes: 256 << 20, listing_ttl_secs: 60, listing_cache_entries: 1024 }
    }
}
