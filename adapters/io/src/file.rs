//! Local files through `pread`: no seek state, so one handle serves many threads.

use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use lazyqt_core::ReadAt;

use crate::error::SourceError;
use crate::stats::{Counters, Stats};

/// A local file read with positional reads (`pread`).
#[derive(Debug)]
pub struct FileSource {
    file: File,
    path: PathBuf,
    uri: String,
    len: u64,
    version: Option<String>,
    counters: Counters,
}

/// The identity of a file's content as far as its metadata tells: size, modification and
/// change times (nanoseconds), device and inode. Any write, truncation or replacement of
/// the file (a new file renamed over it) changes it. `None` without a modification time.
pub fn file_version(meta: &std::fs::Metadata) -> Option<String> {
    let mtime = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    let ctime = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
    Some(format!("{}:{}:{ctime}:{}:{}", meta.len(), mtime.as_nanos(), meta.dev(), meta.ino()))
}

impl FileSource {
    /// Open a file for reading; its length is taken once, at open.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SourceError> {
        let path = path.as_ref().to_path_buf();
        let io = |source| SourceError::Io { path: path.display().to_string(), source };
        let file = File::open(&path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if meta.is_dir() {
            return Err(SourceError::InvalidUrl {
                input: path.display().to_string(),
                reason: "is a directory".into(),
            });
        }
        let uri = path.display().to_string();
        let version = file_version(&meta);
        Ok(Self { file, path, uri, len: meta.len(), version, counters: Counters::default() })
    }

    /// The path opened.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl crate::Source for FileSource {
    /// Counters (a file makes no requests; every read counts as a hit).
    fn stats(&self) -> Stats {
        self.counters.snapshot()
    }
    /// The path as given, for messages.
    fn uri(&self) -> &str {
        &self.uri
    }
    fn is_remote(&self) -> bool {
        false
    }
    /// The [`file_version`] of the file at open (taken from the open handle).
    fn version(&self) -> Option<String> {
        self.version.clone()
    }
}

impl ReadAt for FileSource {
    type Error = SourceError;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        let len = buf.len() as u64;
        if offset.checked_add(len).is_none_or(|end| end > self.len) {
            return Err(SourceError::OutOfBounds { uri: self.uri.clone(), offset, len, size: self.len });
        }
        self.file
            .read_exact_at(buf, offset)
            .map_err(|source| SourceError::Io { path: self.uri.clone(), source })?;
        Counters::add(&self.counters.cache_hits, 1);
        Ok(())
    }

    fn len(&self) -> Result<u64, SourceError> {
        Ok(self.len)
    }
}
