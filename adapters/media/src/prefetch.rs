//! Byte ranges read ahead of decoding ([`crate::Media::prefetch_frame`]) and kept until the
//! decode asks for exactly that range: a server fetches on its I/O pool and decodes on its
//! CPU pool, so a decode slot is never held while waiting on the network.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Most bytes kept; the oldest ranges go first (a range dropped before use is read again).
const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Ranges read ahead, oldest first, with their total size.
#[derive(Debug, Default)]
pub(crate) struct Prefetched {
    ranges: Mutex<Ranges>,
}

/// (offset, bytes) of each range kept, oldest first, and their total length.
type Ranges = (VecDeque<(u64, Vec<u8>)>, usize);

impl Prefetched {
    /// Keep `bytes`, read at `offset`, for one later [`Prefetched::take`].
    pub fn put(&self, offset: u64, bytes: Vec<u8>) {
        if bytes.len() > MAX_BYTES {
            return;
        }
        let Ok(mut guard) = self.ranges.lock() else { return };
        let (ranges, total) = &mut *guard;
        *total += bytes.len();
        ranges.push_back((offset, bytes));
        while *total > MAX_BYTES {
            match ranges.pop_front() {
                Some((_, old)) => *total -= old.len(),
                None => break,
            }
        }
    }

    /// The bytes of exactly `len` at `offset`, if they were read ahead (and are then
    /// forgotten: each range serves one decode).
    pub fn take(&self, offset: u64, len: u64) -> Option<Vec<u8>> {
        let mut guard = self.ranges.lock().ok()?;
        let (ranges, total) = &mut *guard;
        let at = ranges.iter().position(|(o, b)| *o == offset && b.len() as u64 == len)?;
        let (_, bytes) = ranges.remove(at)?;
        *total -= bytes.len();
        Some(bytes)
    }
}

/// Shared by the clones of one [`crate::Media`].
pub(crate) type SharedPrefetched = Arc<Prefetched>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_serves_one_exact_take_and_the_bound_holds() {
        let p = Prefetched::default();
        p.put(100, vec![1; 10]);
        assert_eq!(p.take(100, 9), None);
        assert_eq!(p.take(101, 10), None);
        assert_eq!(p.take(100, 10), Some(vec![1; 10]));
        assert_eq!(p.take(100, 10), None);
        // Over the bound, the oldest goes.
        let big = MAX_BYTES / 2 + 1;
        p.put(0, vec![0; big]);
        p.put(1, vec![0; big]);
        assert_eq!(p.take(0, big as u64), None);
        assert!(p.take(1, big as u64).is_some());
        assert_eq!(p.ranges.lock().unwrap().1, 0);
    }
}
