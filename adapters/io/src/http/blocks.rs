//! The block tier of an `HttpSource`: aligned blocks of metadata from memory, then disk, then
//! one coalesced request per run of adjacent misses (single-flight per block).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::exchange::Clock;
use super::{HttpSource, FILL_ROUNDS};
use crate::cache::block::Block;
use crate::error::SourceError;
use crate::stats::Counters;

impl HttpSource {
    /// Length of block `idx` (the last one may be short).
    pub(super) fn block_len(&self, idx: u64) -> u64 {
        let start = idx.saturating_mul(self.block_size);
        self.identity.size.saturating_sub(start).min(self.block_size)
    }

    /// Cache the bytes fetched at `start` (block-aligned) in memory and on disk.
    /// A trailing partial block is kept only if it ends the file.
    pub(super) fn store(&self, start: u64, bytes: &[u8]) -> Vec<Block> {
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

    /// Blocks `first..=last`, from memory, disk or the network (misses coalesced into
    /// runs of at most `cap` bytes). Returns the blocks and whether a request was needed.
    pub(super) fn fill(
        &self,
        first: u64,
        last: u64,
        cap: u64,
        clock: Clock,
    ) -> Result<(Vec<Block>, bool), SourceError> {
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
pub(super) fn copy_out(blocks: &[Block], first: u64, block_size: u64, offset: u64, buf: &mut [u8]) -> bool {
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
