//! The two ends of a remote file held as single runs of bytes: its head, fetched by the
//! first request, and its tail (where `moov` usually is), fetched with the head and
//! grown downward, exactly as far as reads need it.

use std::sync::Arc;

/// Bytes `start..start + bytes.len()` of the file, immutable once built (growing makes
/// a new one), so readers share it through an `Arc` without holding a lock.
#[derive(Debug, Clone)]
pub(crate) struct Extent {
    /// Offset of the first byte in the file.
    pub start: u64,
    /// The bytes.
    pub bytes: Arc<[u8]>,
}

impl Extent {
    /// An extent of no bytes at `start`.
    pub fn empty_at(start: u64) -> Self {
        Self { start, bytes: Arc::from(Vec::new()) }
    }

    /// The `len` bytes at `offset`, if this extent holds all of them.
    pub fn get(&self, offset: u64, len: usize) -> Option<&[u8]> {
        let from = usize::try_from(offset.checked_sub(self.start)?).ok()?;
        self.bytes.get(from..from.checked_add(len)?)
    }

    /// This extent with `before` (the bytes that end where it starts) in front.
    pub fn prepend(&self, before: &[u8]) -> Self {
        let start = self.start - before.len() as u64;
        Self { start, bytes: [before, &self.bytes].concat().into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_and_prepend() {
        let tail = Extent { start: 10, bytes: Arc::from(&b"klmno"[..]) };
        assert_eq!(tail.get(10, 5), Some(&b"klmno"[..]));
        assert_eq!(tail.get(12, 0), Some(&b""[..]));
        assert_eq!(tail.get(9, 2), None);
        assert_eq!(tail.get(14, 2), None);
        assert_eq!(tail.get(u64::MAX, 1), None);
        let grown = tail.prepend(b"ij");
        assert_eq!((grown.start, &grown.bytes[..]), (8, &b"ijklmno"[..]));
        assert_eq!(Extent::empty_at(7).get(7, 0), Some(&b""[..]));
    }
}
