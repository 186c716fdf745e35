//! Positional reads: the only way the core touches bytes.
//!
//! Every parser in the crate reads through [`ReadAt`], so the same code runs over a
//! slice in memory, a file, an HTTP range source with a cache, or a flash chip behind
//! embedded-io. Reads take `&self` so one source can serve many lookups (and, on the
//! std side, many threads) at once.

use core::cell::RefCell;

/// A source of bytes addressed by absolute offset.
#[allow(clippy::len_without_is_empty)] // a movie source is never usefully empty
pub trait ReadAt {
    /// What goes wrong when the source cannot deliver bytes.
    type Error: core::fmt::Debug;

    /// Fill all of `buf` with the bytes at `offset..offset + buf.len()`.
    ///
    /// A source that has fewer bytes must return an error, never a short read.
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), Self::Error>;

    /// Total length of the source in bytes.
    fn len(&self) -> Result<u64, Self::Error>;

    /// Advice that `offset..offset + len` is about to be read in small pieces
    /// (the core calls it once for `moov`). Caching sources fetch it in one go;
    /// the default does nothing.
    fn will_need(&self, offset: u64, len: u64) {
        let _ = (offset, len);
    }
}

/// Errors of the in-memory [`ReadAt`] for `[u8]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfBounds {
    /// First byte asked for.
    pub offset: u64,
    /// Number of bytes asked for.
    pub len: usize,
}

impl core::fmt::Display for OutOfBounds {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "read of {} bytes at offset {} is past the end", self.len, self.offset)
    }
}

impl ReadAt for [u8] {
    type Error = OutOfBounds;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), OutOfBounds> {
        let err = OutOfBounds { offset, len: buf.len() };
        let start = usize::try_from(offset).map_err(|_| err)?;
        let end = start.checked_add(buf.len()).ok_or(err)?;
        let src = self.get(start..end).ok_or(err)?;
        buf.copy_from_slice(src);
        Ok(())
    }

    fn len(&self) -> Result<u64, OutOfBounds> {
        Ok(<[u8]>::len(self) as u64)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    type Error = T::Error;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), Self::Error> {
        (**self).read_exact_at(offset, buf)
    }

    fn len(&self) -> Result<u64, Self::Error> {
        (**self).len()
    }

    fn will_need(&self, offset: u64, len: u64) {
        (**self).will_need(offset, len)
    }
}

/// Errors of [`SeekReader`]: the device's own error, or an early end of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekReadError<E> {
    /// The underlying device failed.
    Io(E),
    /// The device ended before the requested bytes.
    UnexpectedEof,
    /// The device is borrowed by another read in progress (re-entrant use).
    Busy,
}

/// Adapts any embedded-io `Read + Seek` device (SD card, flash, UART bridge…) to [`ReadAt`].
///
/// The device is kept in a `RefCell` so reads can take `&self`; a re-entrant read
/// returns [`SeekReadError::Busy`] instead of panicking.
pub struct SeekReader<T> {
    inner: RefCell<T>,
}

impl<T> SeekReader<T> {
    /// Wrap a device.
    pub fn new(inner: T) -> Self {
        Self { inner: RefCell::new(inner) }
    }

    /// Give the device back.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: embedded_io::Read + embedded_io::Seek> ReadAt for SeekReader<T> {
    type Error = SeekReadError<T::Error>;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), Self::Error> {
        let mut dev = self.inner.try_borrow_mut().map_err(|_| SeekReadError::Busy)?;
        dev.seek(embedded_io::SeekFrom::Start(offset)).map_err(SeekReadError::Io)?;
        dev.read_exact(buf).map_err(|e| match e {
            embedded_io::ReadExactError::UnexpectedEof => SeekReadError::UnexpectedEof,
            embedded_io::ReadExactError::Other(e) => SeekReadError::Io(e),
        })
    }

    fn len(&self) -> Result<u64, Self::Error> {
        let mut dev = self.inner.try_borrow_mut().map_err(|_| SeekReadError::Busy)?;
        let here = dev.stream_position().map_err(SeekReadError::Io)?;
        let end = dev.seek(embedded_io::SeekFrom::End(0)).map_err(SeekReadError::Io)?;
        dev.seek(embedded_io::SeekFrom::Start(here)).map_err(SeekReadError::Io)?;
        Ok(end)
    }
}
