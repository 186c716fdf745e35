//! The `index` file of a disk cache entry: what it records (the file's identity, when it
//! was last validated, each cached block's and extent's length and CRC-32), how it is
//! written (JSON, then the CRC-32 of the JSON, replaced by an atomic rename), and how it
//! is read back. An index is untrusted input even when its CRC holds: every length,
//! offset and count in it is checked against the file it describes and against fixed
//! bounds before anything is allocated from it ([`Index::check`]); one that fails is a
//! corrupt entry.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::http::validator::Identity;
use crate::options::BLOCK_SIZES;

/// Format version of `index`; entries of another version are discarded.
pub(super) const VERSION: u32 = 2;

/// Largest `index` file read (a 13 GB movie in 64 KiB blocks needs about 6 MB).
const MAX_INDEX_BYTES: u64 = 32 * 1024 * 1024;
/// Largest extent (head or grown tail) trusted from an index.
const MAX_EXTENT: u64 = 256 * 1024 * 1024;
/// Most extents one entry may record (in practice two: head and tail).
const MAX_EXTENTS: usize = 64;

/// What `index` records about one URL.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Index {
    pub(super) version: u32,
    /// The URL (checked, since directory names are hashes).
    pub(super) url: String,
    /// The version of the file whose bytes are cached.
    pub identity: Identity,
    /// Block size the entry was written with.
    pub(super) block_size: u64,
    /// When the identity was last confirmed by the server (milliseconds since 1970).
    pub(super) validated_at: u64,
    /// Cached blocks: index → (length, CRC-32).
    pub(super) blocks: BTreeMap<u64, (u32, u32)>,
    /// Cached extents: offset → (length, CRC-32).
    pub(super) extents: BTreeMap<u64, (u64, u32)>,
}

impl Index {
    /// Block size the entry was written with.
    pub fn block_size(&self) -> u64 {
        self.block_size
    }

    /// Why this index (read from disk) cannot describe a file of its recorded size, if
    /// it cannot: a block or extent past the end of the file or of impossible length,
    /// an unknown block size, too many extents.
    fn check(&self) -> Result<(), String> {
        let size = self.identity.size;
        if !BLOCK_SIZES.contains(&self.block_size) {
            return Err(format!("block size {}", self.block_size));
        }
        for (&idx, &(len, _)) in &self.blocks {
            let len = u64::from(len);
            let end = idx.checked_mul(self.block_size).and_then(|s| s.checked_add(len));
            if len == 0 || len > self.block_size || end.is_none_or(|e| e > size) {
                return Err(format!("block {idx} of {len} bytes in a file of {size}"));
            }
        }
        if self.extents.len() > MAX_EXTENTS {
            return Err(format!("{} extents", self.extents.len()));
        }
        for (&start, &(len, _)) in &self.extents {
            if len == 0 || len > MAX_EXTENT || start.checked_add(len).is_none_or(|e| e > size) {
                return Err(format!("extent of {len} bytes at {start} in a file of {size}"));
            }
        }
        Ok(())
    }

    /// Was the identity confirmed less than `ttl` ago (`None` = forever)?
    pub fn is_fresh(&self, ttl: Option<Duration>) -> bool {
        match ttl {
            None => true,
            Some(ttl) => u128::from(now_millis().saturating_sub(self.validated_at)) < ttl.as_millis(),
        }
    }
}

pub(super) fn now_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Read and verify `dir/index`; `Err(())` means present but corrupt (logged).
pub(super) fn read_index(dir: &Path) -> Result<Option<Index>, ()> {
    let path = dir.join("index");
    match std::fs::metadata(&path) {
        Ok(m) if m.len() > MAX_INDEX_BYTES => {
            tracing::warn!(dir = %dir.display(), bytes = m.len(), "disk cache index too large: corrupt entry");
            return Err(());
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(_) => return Err(()),
    }
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(_) => return Err(()),
    };
    let (json, crc) = text.rsplit_once('\n').ok_or(())?;
    let crc = u32::from_str_radix(crc.trim(), 16).map_err(|_| ())?;
    if crc32fast::hash(json.as_bytes()) != crc {
        return Err(());
    }
    #[derive(serde::Deserialize)]
    struct Versioned {
        version: u32,
    }
    // An entry written by another version of lazyqt is not corrupt, just unusable.
    if serde_json::from_str::<Versioned>(json).map_err(|_| ())?.version != VERSION {
        return Ok(None);
    }
    let index: Index = serde_json::from_str(json).map_err(|_| ())?;
    if let Err(why) = index.check() {
        tracing::warn!(dir = %dir.display(), problem = %why, "disk cache index with impossible values: corrupt entry");
        return Err(());
    }
    Ok(Some(index))
}

/// Write `dir/index` atomically (temp file + rename). Caller holds the exclusive lock.
pub(super) fn write_index(dir: &Path, index: &Index) -> std::io::Result<()> {
    let json = serde_json::to_string(index).map_err(std::io::Error::other)?;
    let text = format!("{json}\n{:08x}", crc32fast::hash(json.as_bytes()));
    let tmp = dir.join(format!("index.tmp.{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, dir.join("index"))
}
