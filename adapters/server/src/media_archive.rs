//! The archive side of [`MediaBackend`]: archives and instants of a mounted directory
//! through lazyqt-archive, with the mount's source options (so its deadline, disk cache
//! and redirect policy hold for listings and movies alike).

use std::path::PathBuf;
use std::sync::Arc;

use lazyqt_archive::{Archive, ArchiveError, OffsetDateTime};
use url::Url;

use crate::backend::{ArchiveDir, Instant, Neighbour, Resolved};
use crate::errors::BackendError;
use crate::media_backend::{key, MediaBackend};

/// The URL or path a movie of an archive rooted at `dir` was read from, as a [`Resolved`]
/// of the same kind as `dir`.
fn resolved_like(dir: &Resolved, uri: &str) -> Result<Resolved, BackendError> {
    match dir {
        Resolved::Url(_) => Url::parse(uri)
            .map(Resolved::Url)
            .map_err(|e| BackendError::Internal(format!("the archive named a bad URL: {e}"))),
        Resolved::File(_) => Ok(Resolved::File(PathBuf::from(uri))),
    }
}

/// The archive error as the server's error, through its kind.
pub(crate) fn backend_error(e: &ArchiveError) -> BackendError {
    BackendError::of_kind(e.kind(), e.to_string())
}

impl MediaBackend {
    /// The archive rooted at `at.dir`, read with the options of its mount and listed
    /// through the mount's cache ([`Backend::archive`](crate::Backend::archive)).
    pub(crate) fn open_archive(&self, at: &ArchiveDir) -> Result<Archive, BackendError> {
        let root = match &at.dir {
            Resolved::Url(u) => u.as_str().to_owned(),
            Resolved::File(p) => p.to_string_lossy().into_owned(),
        };
        let archive =
            Archive::new(&root, &self.options_for(&at.mount_prefix)).map_err(|e| backend_error(&e))?;
        Ok(archive.with_listings(Arc::clone(&at.listings)))
    }

    /// [`Backend::locate`](crate::Backend::locate) through [`Archive::locate`]. The movie
    /// the archive opened is kept with the open movies, so the frame that follows is read
    /// without opening it again.
    pub(crate) fn archive_locate(
        &self,
        at: &ArchiveDir,
        instant: OffsetDateTime,
        nearest: bool,
    ) -> Result<Instant, BackendError> {
        let dir = &at.dir;
        match self.open_archive(at)?.locate(instant, nearest) {
            Ok(found) => {
                let file = resolved_like(dir, &found.record.url)?;
                self.movies.insert(key(&file), found.media);
                Ok(Instant::Frame { file, index0: found.frame, offset: found.offset })
            }
            Err(ArchiveError::NotRecording { before, after, .. }) => {
                let neighbour = |n: Option<lazyqt_archive::Neighbour>| {
                    n.map(|n| {
                        Ok::<_, BackendError>(Neighbour { file: resolved_like(dir, &n.url)?, at: n.at })
                    })
                    .transpose()
                };
                Ok(Instant::Gap { before: neighbour(before)?, after: neighbour(after)? })
            }
            Err(e) => Err(backend_error(&e)),
        }
    }
}
