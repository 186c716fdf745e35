//! In-memory cache of aligned blocks: an LRU bounded by bytes, with single-flight
//! (a block being fetched by one thread is waited for, never fetched twice).

use std::collections::HashMap;
use std::sync::Arc;

use lru::LruCache;
use parking_lot::{Condvar, Mutex};

/// One block's bytes (the last block of a file may be short).
pub(crate) type Block = Arc<[u8]>;

/// A fetch in progress; waiters sleep on it until the fetching thread is done.
#[derive(Debug, Default)]
pub(crate) struct Flight {
    done: Mutex<bool>,
    cv: Condvar,
}

impl Flight {
    /// Block until the fetch finishes (successfully or not).
    pub fn wait(&self) {
        let mut done = self.done.lock();
        while !*done {
            self.cv.wait(&mut done);
        }
    }

    fn finish(&self) {
        *self.done.lock() = true;
        self.cv.notify_all();
    }
}

#[derive(Debug)]
struct Inner {
    lru: LruCache<u64, Block>,
    bytes: u64,
    inflight: HashMap<u64, Arc<Flight>>,
}

/// Blocks of one source, keyed by block index.
#[derive(Debug)]
pub(crate) struct BlockCache {
    max_bytes: u64,
    inner: Mutex<Inner>,
}

/// Blocks this thread has promised to fetch; released (and waiters woken) on drop,
/// so a failed fetch never leaves waiters hanging.
pub(crate) struct Claim<'a> {
    cache: &'a BlockCache,
    /// Claimed block indices, ascending.
    pub mine: Vec<u64>,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut inner = self.cache.inner.lock();
        for idx in &self.mine {
            if let Some(f) = inner.inflight.remove(idx) {
                f.finish();
            }
        }
    }
}

impl BlockCache {
    /// An empty cache holding at most `max_bytes`.
    pub fn new(max_bytes: u64) -> Self {
        Self {
            max_bytes,
            inner: Mutex::new(Inner { lru: LruCache::unbounded(), bytes: 0, inflight: HashMap::new() }),
        }
    }

    /// The block, if cached (marks it recently used).
    pub fn get(&self, idx: u64) -> Option<Block> {
        self.inner.lock().lru.get(&idx).cloned()
    }

    /// Add a block, evicting least recently used ones beyond the byte bound.
    pub fn insert(&self, idx: u64, block: Block) {
        let mut inner = self.inner.lock();
        let len = block.len() as u64;
        if let Some(old) = inner.lru.put(idx, block) {
            inner.bytes -= old.len() as u64;
        }
        inner.bytes += len;
        while inner.bytes > self.max_bytes {
            match inner.lru.pop_lru() {
                Some((_, b)) => inner.bytes -= b.len() as u64,
                None => break,
            }
        }
    }

    /// Drop every block (the file changed upstream).
    pub fn clear(&self) {
        let mut inner = self.inner.lock();
        inner.lru.clear();
        inner.bytes = 0;
    }

    /// For each of `wanted` (not cached): claim it if nobody is fetching it, else
    /// return the flight to wait for.
    pub fn claim(&self, wanted: &[u64]) -> (Claim<'_>, Vec<Arc<Flight>>) {
        let mut inner = self.inner.lock();
        let mut mine = Vec::new();
        let mut waits = Vec::new();
        for &idx in wanted {
            if inner.lru.contains(&idx) {
                continue;
            }
            match inner.inflight.get(&idx) {
                Some(f) => waits.push(f.clone()),
                None => {
                    inner.inflight.insert(idx, Arc::new(Flight::default()));
                    mine.push(idx);
                }
            }
        }
        (Claim { cache: self, mine }, waits)
    }
}
