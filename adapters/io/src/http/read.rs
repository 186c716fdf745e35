//! Reads of an `HttpSource` ([`ReadAt`]): from the whole small file, the head or tail, cached
//! blocks, one exact request for a payload, the grown tail, or the block tier; and
//! `will_need` hints that fill blocks ahead.

use std::sync::atomic::Ordering;

use lazyqt_core::ReadAt;

use super::blocks::copy_out;
use super::HttpSource;
use crate::cache::block::Block;
use crate::error::SourceError;
use crate::stats::Counters;

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
        if len > self.limits.max_read {
            return Err(SourceError::TooLarge {
                uri: self.shown().to_string(),
                what: "read",
                size: len,
                limit: self.limits.max_read,
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
        if buf.len() >= self.limits.payload_threshold {
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
        let (blocks, fetched) = self.fill(first, last, self.limits.max_coalesce, clock)?;
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
        let end = offset.saturating_add(len.min(self.limits.will_need_cap)).min(tail_start);
        if self.head.get(offset, (end - offset) as usize).is_some() {
            return;
        }
        let first = offset / self.block_size;
        let last = (end - 1) / self.block_size;
        if let Err(e) = self.fill(first, last, self.limits.will_need_cap, self.transport.clock()) {
            tracing::debug!(url = %self.shown(), error = %e, "will_need prefetch failed");
        }
    }
}
