//! The movie in flash: the few byte runs of the file the core reads (top-level atom
//! headers, `ftyp`, `moov`), each at its real file offset, chosen by `build.rs`.
//!
//! [`Image`] is the first way the firmware reads the movie: straight from flash, each read
//! served by the core's own `ReadAt` for byte slices on the run that holds it.

use core::fmt;

use lazyqt_core::ReadAt;

/// One stored run of the movie file.
pub struct Region {
    /// File offset of `bytes[0]`.
    pub offset: u64,
    /// The file's bytes there.
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/regions.rs"));

/// A read of bytes that are not in flash (the `mdat` payload, or past the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotStored {
    /// First byte asked for.
    pub offset: u64,
    /// Number of bytes asked for.
    pub len: usize,
}

impl fmt::Display for NotStored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes at offset {} are not stored in flash", self.len, self.offset)
    }
}

/// The whole movie file as the core sees it: [`FILE_LEN`] bytes of which only
/// [`REGIONS`] can be read.
pub struct Image;

impl Image {
    /// Bytes of the flash image (what `build.rs` stored).
    pub fn stored_bytes() -> usize {
        REGIONS.iter().map(|r| r.bytes.len()).sum()
    }

    /// Copy the file's bytes at `offset` into `buf`, zeros where nothing is stored (as a
    /// disk holding the whole file would return the `mdat` payload): for the block device.
    pub fn fill(offset: u64, buf: &mut [u8]) -> Result<(), NotStored> {
        let end = offset.checked_add(buf.len() as u64).filter(|&e| e <= FILE_LEN);
        let end = end.ok_or(NotStored { offset, len: buf.len() })?;
        buf.fill(0);
        for r in &REGIONS {
            let from = offset.max(r.offset);
            let to = end.min(r.offset + r.bytes.len() as u64);
            if from < to {
                let src = r.bytes.get((from - r.offset) as usize..(to - r.offset) as usize);
                let dst = buf.get_mut((from - offset) as usize..(to - offset) as usize);
                if let (Some(src), Some(dst)) = (src, dst) {
                    dst.copy_from_slice(src);
                }
            }
        }
        Ok(())
    }
}

impl ReadAt for Image {
    type Error = NotStored;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), NotStored> {
        let not_stored = NotStored { offset, len: buf.len() };
        let region = REGIONS.iter().find(|r| offset >= r.offset && offset - r.offset < r.bytes.len() as u64);
        let region = region.ok_or(not_stored)?;
        region.bytes.read_exact_at(offset - region.offset, buf).map_err(|_| not_stored)
    }

    fn len(&self) -> Result<u64, NotStored> {
        Ok(FILE_LEN)
    }
}
