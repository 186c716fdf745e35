//! Persistent disk cache of metadata blocks, shared by processes.
//!
//! One directory per URL (named by a hash of it) holds `data`, a sparse file with each
//! cached block and extent (the file's head and tail) at its own offset, and `index`, a
//! JSON record of the file's identity (size + validator), when it was last validated,
//! and each block's and extent's length and CRC-32, followed by the CRC-32 of the JSON
//! itself (see [`super::index`], which also checks every value in it before use).
//! Writers hold an exclusive `flock` on the entry's `lock` file and replace `index` by an
//! atomic rename; readers verify every block's checksum, so a torn or corrupt file is
//! discarded, never served. The whole cache is bounded in bytes; least recently
//! validated entries go first.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt as _, MetadataExt as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use super::index::{now_millis, read_index, write_index, Index, VERSION};
use crate::http::validator::Identity;

/// FNV-1a, 64 bits: a stable name for a URL's directory.
pub(super) fn fnv64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The cache directory.
#[derive(Debug, Clone)]
pub(crate) struct DiskCache {
    root: PathBuf,
    max_bytes: u64,
}

/// The cached blocks of one URL at one version.
#[derive(Debug)]
pub(crate) struct DiskEntry {
    cache: DiskCache,
    dir: PathBuf,
    index: Mutex<Index>,
}

fn lock_file(dir: &Path, exclusive: bool) -> Option<File> {
    std::fs::create_dir_all(dir).ok()?;
    let f = OpenOptions::new().create(true).truncate(false).write(true).open(dir.join("lock")).ok()?;
    let locked = if exclusive {
        fs4::fs_std::FileExt::lock_exclusive(&f)
    } else {
        fs4::fs_std::FileExt::lock_shared(&f)
    };
    locked.ok().map(|_| f)
}

/// Remove an entry directory: renamed away first, so no reader sees it half-deleted.
fn remove_entry(dir: &Path) {
    let Some(parent) = dir.parent() else { return };
    let trash = parent.join(format!(".trash-{}-{}", std::process::id(), fastrand::u64(..)));
    if std::fs::rename(dir, &trash).is_ok() {
        let _ = std::fs::remove_dir_all(&trash);
    }
}

impl DiskCache {
    /// A cache in `root` (created on first write) bounded to `max_bytes`.
    pub fn new(root: PathBuf, max_bytes: u64) -> Self {
        Self { root, max_bytes }
    }

    fn dir_of(&self, url: &str) -> PathBuf {
        self.root.join(format!("{:016x}", fnv64(url)))
    }

    /// The recorded index of `url`, if any and intact (a corrupt one is discarded).
    pub fn lookup(&self, url: &str) -> Option<Index> {
        let dir = self.dir_of(url);
        if !dir.join("index").exists() {
            return None;
        }
        let _lock = lock_file(&dir, false)?;
        match read_index(&dir) {
            Ok(Some(i)) if i.url == url => Some(i),
            Ok(_) => None,
            Err(()) => {
                drop(_lock);
                tracing::warn!(url = %crate::redact_url(url), "corrupt disk cache index discarded");
                remove_entry(&dir);
                None
            }
        }
    }

    /// Use the entry of a fresh `index` as it is (no write, no request).
    pub fn resume(&self, index: Index) -> DiskEntry {
        let dir = self.dir_of(&index.url);
        // Mark it recently used, for eviction.
        if let Ok(f) = OpenOptions::new().write(true).open(dir.join("index")) {
            let _ = f.set_modified(SystemTime::now());
        }
        DiskEntry { cache: self.clone(), dir, index: Mutex::new(index) }
    }

    /// The entry of `url` at version `identity`, just confirmed by the server: kept if
    /// it holds that version (its validation time refreshed), reset otherwise.
    pub fn confirm(&self, url: &str, identity: &Identity, block_size: u64) -> Option<DiskEntry> {
        let dir = self.dir_of(url);
        let _lock = lock_file(&dir, true)?;
        let kept = match read_index(&dir) {
            Ok(Some(i)) if i.url == url && &i.identity == identity && i.block_size == block_size => Some(i),
            _ => None,
        };
        let index = match kept {
            Some(mut i) => {
                i.validated_at = now_millis();
                i
            }
            None => {
                let data = OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(dir.join("data"))
                    .ok()?;
                data.set_len(0).ok()?;
                Index {
                    version: VERSION,
                    url: url.to_string(),
                    identity: identity.clone(),
                    block_size,
                    validated_at: now_millis(),
                    blocks: BTreeMap::new(),
                    extents: BTreeMap::new(),
                }
            }
        };
        write_index(&dir, &index).ok()?;
        Some(DiskEntry { cache: self.clone(), dir, index: Mutex::new(index) })
    }

    /// Remove least recently validated entries (never `keep`) until under the bound.
    fn evict(&self, keep: &Path) {
        let Ok(rd) = std::fs::read_dir(&self.root) else { return };
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        for e in rd.filter_map(Result::ok) {
            let dir = e.path();
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            // Two stats per entry (no index parsing), so a cache of thousands of
            // movies is scanned quickly: last use is the index's mtime, size is the
            // data file's allocated bytes (it is sparse).
            let used = std::fs::metadata(dir.join("index")).and_then(|m| m.modified()).unwrap_or(UNIX_EPOCH);
            let bytes = std::fs::metadata(dir.join("data")).map(|m| m.blocks() * 512).unwrap_or(0);
            entries.push((used, bytes, dir));
        }
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        if total <= self.max_bytes {
            return;
        }
        entries.sort();
        for (_, bytes, dir) in entries {
            if total <= self.max_bytes {
                break;
            }
            if dir == keep {
                continue;
            }
            // Skip entries another process is writing right now.
            let Ok(f) = File::open(dir.join("lock")) else { continue };
            if !matches!(fs4::fs_std::FileExt::try_lock_exclusive(&f), Ok(true)) {
                continue;
            }
            drop(f);
            remove_entry(&dir);
            total = total.saturating_sub(bytes);
        }
    }
}

impl DiskEntry {
    /// Block `idx`, if cached and intact.
    pub fn get(&self, idx: u64) -> Option<Vec<u8>> {
        let mut meta = self.index.lock().blocks.get(&idx).copied();
        if meta.is_none() {
            // Another process may have added it since.
            let _lock = lock_file(&self.dir, false)?;
            let fresh = read_index(&self.dir).ok().flatten()?;
            let mut index = self.index.lock();
            if fresh.identity != index.identity {
                return None;
            }
            meta = fresh.blocks.get(&idx).copied();
            *index = fresh;
        }
        let (len, crc) = meta?;
        let block_size = self.index.lock().block_size;
        // Shared lock: no writer resets the entry while the block is read.
        let _lock = lock_file(&self.dir, false)?;
        let file = File::open(self.dir.join("data")).ok()?;
        let mut buf = vec![0u8; len as usize];
        let ok = file.read_exact_at(&mut buf, idx.checked_mul(block_size)?).is_ok();
        if ok && crc32fast::hash(&buf) == crc {
            return Some(buf);
        }
        tracing::warn!(dir = %self.dir.display(), block = idx, "corrupt disk cache block: entry discarded");
        drop(_lock);
        self.discard();
        None
    }

    /// Store blocks (index, bytes) fetched from the server for this version.
    pub fn put(&self, blocks: &[(u64, &[u8])]) {
        if blocks.is_empty() {
            return;
        }
        self.write(|index, data| {
            for (idx, bytes) in blocks {
                let Some(at) = idx.checked_mul(index.block_size) else { continue };
                if data.write_all_at(bytes, at).is_ok() {
                    index.blocks.insert(*idx, (bytes.len() as u32, crc32fast::hash(bytes)));
                }
            }
        });
    }

    /// Store extents (offset, bytes), each replacing the extents it covers, with one
    /// index write.
    pub fn put_extents(&self, extents: &[(u64, &[u8])]) {
        if extents.iter().all(|(_, bytes)| bytes.is_empty()) {
            return;
        }
        self.write(|index, data| {
            for &(start, bytes) in extents.iter().filter(|(_, b)| !b.is_empty()) {
                let end = start + bytes.len() as u64;
                if data.write_all_at(bytes, start).is_ok() {
                    index.extents.retain(|&s, &mut (len, _)| s < start || s + len > end);
                    index.extents.insert(start, (bytes.len() as u64, crc32fast::hash(bytes)));
                }
            }
        });
    }

    /// Every intact extent: (offset, bytes). A corrupt one discards the entry.
    pub fn extents(&self) -> Vec<(u64, Vec<u8>)> {
        let extents: Vec<(u64, (u64, u32))> =
            self.index.lock().extents.iter().map(|(&s, &m)| (s, m)).collect();
        let Some(_lock) = lock_file(&self.dir, false) else { return Vec::new() };
        let Ok(file) = File::open(self.dir.join("data")) else { return Vec::new() };
        let on_disk = file.metadata().map_or(0, |m| m.len());
        let mut out = Vec::new();
        for (start, (len, crc)) in extents {
            // Nothing is allocated for bytes the data file does not hold.
            let held = start.checked_add(len).is_some_and(|end| end <= on_disk);
            let mut buf = if held { vec![0u8; usize::try_from(len).unwrap_or(0)] } else { Vec::new() };
            if !held || file.read_exact_at(&mut buf, start).is_err() || crc32fast::hash(&buf) != crc {
                tracing::warn!(dir = %self.dir.display(), start, "corrupt disk cache extent: entry discarded");
                drop(_lock);
                self.discard();
                return Vec::new();
            }
            out.push((start, buf));
        }
        out
    }

    /// Under the entry's exclusive lock, with the freshest index of this version: let
    /// `add` write into `data` and record what it wrote, then save the index.
    fn write(&self, add: impl FnOnce(&mut Index, &File)) {
        let Some(_lock) = lock_file(&self.dir, true) else { return };
        let mut index = self.index.lock();
        match read_index(&self.dir) {
            Ok(Some(fresh)) if fresh.identity == index.identity && fresh.block_size == index.block_size => {
                *index = fresh;
            }
            // Another process holds another version here: leave it alone.
            Ok(Some(_)) => return,
            // Gone (evicted) or corrupt: start over with our version.
            Ok(None) | Err(()) => {
                index.blocks.clear();
                index.extents.clear();
                if std::fs::remove_file(self.dir.join("data")).is_err() && self.dir.join("data").exists() {
                    return;
                }
            }
        }
        let Ok(data) =
            OpenOptions::new().create(true).truncate(false).write(true).open(self.dir.join("data"))
        else {
            return;
        };
        add(&mut index, &data);
        if write_index(&self.dir, &index).is_err() {
            return;
        }
        drop(index);
        drop(_lock);
        self.cache.evict(&self.dir);
    }

    /// Forget this entry (the file changed upstream, or a block was corrupt).
    pub fn discard(&self) {
        {
            let mut index = self.index.lock();
            index.blocks.clear();
            index.extents.clear();
        }
        if let Some(_lock) = lock_file(&self.dir, true) {
            remove_entry(&self.dir);
        }
    }
}
