//! Readers that serve a synthesized movie whose sample data is not in memory, and count
//! what goes through them. (The atom writer that makes the movies is
//! `lazyqt_testkit::atoms`.)

use std::cell::Cell;

use lazyqt_core::read_at::OutOfBounds;
use lazyqt_core::ReadAt;

/// A [`ReadAt`] over a synthesized movie: the head and `moov` are real, everything in
/// between reads as zeros, so a 13 GB file costs a few hundred kilobytes of memory.
#[derive(Debug, Clone, Copy)]
pub struct SparseMovie<'a> {
    head: &'a [u8],
    moov: &'a [u8],
    moov_offset: u64,
}

impl<'a> SparseMovie<'a> {
    /// A file made of `head` at 0, zeros, and `moov` at `moov_offset` (the end).
    pub fn new(head: &'a [u8], moov: &'a [u8], moov_offset: u64) -> Self {
        Self { head, moov, moov_offset }
    }
}

impl ReadAt for SparseMovie<'_> {
    type Error = OutOfBounds;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), OutOfBounds> {
        let err = OutOfBounds { offset, len: buf.len() };
        let end = offset.checked_add(buf.len() as u64).ok_or(err)?;
        if end > self.moov_offset + self.moov.len() as u64 {
            return Err(err);
        }
        buf.fill(0);
        for (start, bytes) in [(0, self.head), (self.moov_offset, self.moov)] {
            let (lo, hi) = (offset.max(start), end.min(start + bytes.len() as u64));
            if lo < hi {
                let dst = &mut buf[(lo - offset) as usize..(hi - offset) as usize];
                dst.copy_from_slice(&bytes[(lo - start) as usize..(hi - start) as usize]);
            }
        }
        Ok(())
    }

    fn len(&self) -> Result<u64, OutOfBounds> {
        Ok(self.moov_offset + self.moov.len() as u64)
    }
}

/// Counts the reads and bytes that go through a [`ReadAt`].
#[derive(Debug)]
pub struct Counting<R> {
    inner: R,
    reads: Cell<u64>,
    bytes: Cell<u64>,
}

/// What a [`Counting`] reader saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Calls to `read_exact_at`.
    pub reads: u64,
    /// Bytes asked for.
    pub bytes: u64,
}

impl<R> Counting<R> {
    /// Wrap a reader with zeroed counters.
    pub fn new(inner: R) -> Self {
        Self { inner, reads: Cell::new(0), bytes: Cell::new(0) }
    }

    /// The counts so far, and zero the counters.
    pub fn take(&self) -> Counts {
        Counts { reads: self.reads.replace(0), bytes: self.bytes.replace(0) }
    }
}

impl<R: ReadAt> ReadAt for Counting<R> {
    type Error = R::Error;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), R::Error> {
        self.reads.set(self.reads.get() + 1);
        self.bytes.set(self.bytes.get() + buf.len() as u64);
        self.inner.read_exact_at(offset, buf)
    }

    fn len(&self) -> Result<u64, R::Error> {
        self.inner.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lazyqt_testkit::atoms::{atom, head, DATA_OFFSET};

    #[test]
    fn the_sparse_reader_serves_zeros_between_head_and_moov() {
        let (head, moov) = (head(100), atom(b"moov", &[7; 20]));
        let r = SparseMovie::new(&head, &moov, DATA_OFFSET + 100);
        let mut buf = [1u8; 64];
        r.read_exact_at(0, &mut buf).unwrap();
        assert_eq!(&buf[..40], &head[..]);
        assert!(buf[40..].iter().all(|&b| b == 0));
        let mut tail = [0u8; 36];
        r.read_exact_at(DATA_OFFSET + 100 - 8, &mut tail).unwrap();
        assert_eq!((&tail[..8], &tail[8..]), (&[0u8; 8][..], &moov[..]));
        assert!(r.read_exact_at(r.len().unwrap() - 1, &mut [0; 2]).is_err());
        assert_eq!(r.len().unwrap(), DATA_OFFSET + 128);
    }

    #[test]
    fn counting_counts_reads_and_bytes() {
        let data: &[u8] = &[0; 100];
        let c = Counting::new(data);
        c.read_exact_at(10, &mut [0; 20]).unwrap();
        c.read_exact_at(0, &mut [0; 5]).unwrap();
        assert_eq!(c.take(), Counts { reads: 2, bytes: 25 });
        assert_eq!(c.take(), Counts::default());
    }
}
