//! The second way the firmware reads the movie: a simulated block device (an SD card or
//! a raw NAND partition holding the file) that reads whole 512-byte sectors and counts
//! them, behind a [`ReadAt`] with a one-sector cache as a FAT driver would keep.

use core::cell::{Cell, RefCell};

use lazyqt_core::ReadAt;

use crate::image::{Image, NotStored, FILE_LEN};

/// Bytes per sector.
pub const SECTOR: usize = 512;

/// A disk whose sectors hold the movie file from sector 0.
#[derive(Default)]
pub struct Disk {
    reads: Cell<u32>,
}

impl Disk {
    /// Read sector `lba` (counted).
    pub fn read_sector(&self, lba: u64, buf: &mut [u8; SECTOR]) -> Result<(), NotStored> {
        self.reads.set(self.reads.get().saturating_add(1));
        let offset = lba.saturating_mul(SECTOR as u64);
        if offset >= FILE_LEN {
            return Err(NotStored { offset, len: SECTOR });
        }
        // The last sector may be partial: the disk reads zeros past the file's end.
        let len = (FILE_LEN - offset).min(SECTOR as u64) as usize;
        buf.fill(0);
        Image::fill(offset, buf.get_mut(..len).unwrap_or_default())
    }

    /// Sectors read so far.
    pub fn reads(&self) -> u32 {
        self.reads.get()
    }
}

/// The last sector read and its bytes.
struct Cached {
    lba: Option<u64>,
    bytes: [u8; SECTOR],
}

/// [`ReadAt`] over a [`Disk`]: every read becomes whole-sector reads, the last sector kept.
pub struct SectorReader<'d> {
    disk: &'d Disk,
    cache: RefCell<Cached>,
}

/// Errors of [`SectorReader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectorError {
    /// The disk failed.
    Disk(NotStored),
    /// A read asked for bytes past the end of the file.
    PastEnd,
    /// A read started while another was in progress (re-entrant use).
    Busy,
}

impl<'d> SectorReader<'d> {
    /// A reader with an empty cache.
    pub fn new(disk: &'d Disk) -> Self {
        Self { disk, cache: RefCell::new(Cached { lba: None, bytes: [0; SECTOR] }) }
    }
}

impl ReadAt for SectorReader<'_> {
    type Error = SectorError;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SectorError> {
        let end = offset.checked_add(buf.len() as u64).ok_or(SectorError::PastEnd)?;
        if end > FILE_LEN {
            return Err(SectorError::PastEnd);
        }
        let mut cache = self.cache.try_borrow_mut().map_err(|_| SectorError::Busy)?;
        let mut done = 0;
        while done < buf.len() {
            let pos = offset + done as u64;
            let lba = pos / SECTOR as u64;
            if cache.lba != Some(lba) {
                cache.lba = None;
                self.disk.read_sector(lba, &mut cache.bytes).map_err(SectorError::Disk)?;
                cache.lba = Some(lba);
            }
            let within = (pos % SECTOR as u64) as usize;
            let n = (SECTOR - within).min(buf.len() - done);
            let src = cache.bytes.get(within..within + n).ok_or(SectorError::PastEnd)?;
            buf.get_mut(done..done + n).ok_or(SectorError::PastEnd)?.copy_from_slice(src);
            done += n;
        }
        Ok(())
    }

    fn len(&self) -> Result<u64, SectorError> {
        Ok(FILE_LEN)
    }
}
