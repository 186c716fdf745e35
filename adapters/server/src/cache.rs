//! The in-memory LRU of encoded hot frames, bounded by bytes, with one computation per key at
//! a time (concurrent misses of the same frame wait for the first).

use std::future::Future;
use std::sync::Arc;

use crate::backend::{FrameBytes, FrameRequest, Source};
use crate::errors::BackendError;

/// Identifies one encoded frame: movie, its version, frame, format, size and quality.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FrameKey {
    /// The resolved movie.
    pub source: Source,
    /// The movie's validator (version).
    pub validator: String,
    /// 0-based frame index.
    pub index0: u64,
    /// Format, resolved size and quality.
    pub req: FrameRequest,
}

/// Whether a frame came from the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Not computed by this request: served from memory, or shared with a concurrent request
    /// that computed it.
    Hit,
    /// Computed by this request.
    Miss,
}

/// The frame cache; disabled when configured with 0 bytes.
#[derive(Clone)]
pub(crate) struct FrameCache {
    inner: Option<moka::future::Cache<FrameKey, Arc<FrameBytes>>>,
}

impl FrameCache {
    /// A cache holding at most `max_bytes` of frame bodies.
    pub(crate) fn new(max_bytes: u64) -> Self {
        let inner = (max_bytes > 0).then(|| {
            moka::future::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|k: &FrameKey, v: &Arc<FrameBytes>| {
                    let size = v.bytes.len() + v.content_type.len() + k.validator.len() + 128;
                    u32::try_from(size).unwrap_or(u32::MAX)
                })
                .build()
        });
        Self { inner }
    }

    /// The cached frame for `key`, or the result of `compute` (cached when it succeeds).
    /// Keys with an empty validator are never cached: the file's version is unknown.
    pub(crate) async fn get_or_compute<F>(
        &self,
        key: FrameKey,
        compute: F,
    ) -> Result<(Arc<FrameBytes>, Lookup), BackendError>
    where
        F: Future<Output = Result<FrameBytes, BackendError>>,
    {
        let Some(cache) = self.inner.as_ref().filter(|_| !key.validator.is_empty()) else {
            return compute.await.map(|f| (Arc::new(f), Lookup::Miss));
        };
        let entry = cache
            .entry(key)
            .or_try_insert_with(async { compute.await.map(Arc::new) })
            .await
            .map_err(|e: Arc<BackendError>| (*e).clone())?;
        let lookup = if entry.is_fresh() { Lookup::Miss } else { Lookup::Hit };
        Ok((entry.into_value(), lookup))
    }
}
