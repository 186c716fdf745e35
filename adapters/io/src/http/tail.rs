//! The head and tail of an `HttpSource`: kept from the first request (or the disk cache), the
//! tail grown downward by one exact request when a `moov` is larger than the first request
//! asked for, and the tail this open needed recorded as its directory's hint on drop.

use std::sync::atomic::Ordering;

use super::exchange::Clock;
use super::HttpSource;
use crate::cache::disk::DiskEntry;
use crate::cache::extent::Extent;
use crate::error::SourceError;
use crate::stats::Counters;

impl HttpSource {
    /// Keep the head and the tail (offset, bytes) the first request brought.
    pub(super) fn set_ends(&mut self, head: Vec<u8>, (start, bytes): (u64, Vec<u8>)) {
        self.head = Extent { start: 0, bytes: head.into() };
        *self.tail.get_mut() = Extent { start, bytes: bytes.into() };
    }

    /// Take the head and tail recorded on disk where they hold more than those in hand.
    pub(super) fn adopt_extents(&mut self, entry: &DiskEntry) {
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
    pub(super) fn in_tail_zone(&self, offset: u64) -> bool {
        let size = self.identity.size;
        offset >= size / 2 && size - offset.min(size) <= self.open.tail_size
    }

    /// The tail, grown down to `offset` if it starts after it (one exact request for
    /// the missing bytes; concurrent callers wait for it rather than fetch twice).
    pub(super) fn tail_from(&self, offset: u64, clock: Clock) -> Result<Extent, SourceError> {
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
    pub(super) fn used_tail(&self, offset: u64, len: u64) {
        if len < self.limits.payload_threshold as u64 {
            self.tail_low.fetch_min(offset, Ordering::Relaxed);
        }
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
