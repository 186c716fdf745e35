//! The in-memory LRU of encoded hot frames, bounded by bytes, with one computation per key at
//! a time (concurrent misses of the same frame wait for the first).

use std::future::Future;
use std::sync::Arc;

use crate::backend::{FrameBytes, FrameRequest, Resolved};
use crate::errors::BackendError;

/// Identifies one encoded frame: movie, its version, frame, format, size and quality.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FrameKey {
    /// The resolved movie.
    pub source: Resolved,
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
                .support_invalidation_closures()
                .build()
        });
        Self { inner }
    }

    /// Drops the frames of `source` made from any version but `current` (the file changed:
    /// they can never be asked for again, so they should not hold memory).
    pub(crate) fn forget_other_versions(&self, source: &Resolved, current: &str) {
        if let Some(cache) = &self.inner {
            let (source, current) = (source.clone(), current.to_string());
            let dropped =
                cache.invalidate_entries_if(move |k, _| k.source == source && k.validator != current);
            if let Err(e) = dropped {
                tracing::debug!(error = %e, "old frames left to the LRU");
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::FrameFormat;

    fn key(validator: &str) -> FrameKey {
        let req = FrameRequest {
            format: FrameFormat::Png,
            width: None,
            height: None,
            quality: None,
            matrix: Default::default(),
        };
        FrameKey { source: Resolved::File("/m.mov".into()), validator: validator.into(), index0: 0, req }
    }

    async fn lookup(cache: &FrameCache, validator: &str) -> Lookup {
        let frame = FrameBytes {
            bytes: bytes::Bytes::from_static(b"x"),
            content_type: "image/png".into(),
            width: 1,
            height: 1,
        };
        cache.get_or_compute(key(validator), async { Ok(frame) }).await.expect("frame").1
    }

    #[tokio::test]
    async fn frames_of_an_old_version_are_dropped() {
        let cache = FrameCache::new(1 << 20);
        assert_eq!(lookup(&cache, "v1").await, Lookup::Miss);
        assert_eq!(lookup(&cache, "v2").await, Lookup::Miss);
        assert_eq!(lookup(&cache, "v1").await, Lookup::Hit);
        cache.forget_other_versions(&Resolved::File("/m.mov".into()), "v2");
        assert_eq!(lookup(&cache, "v2").await, Lookup::Hit);
        assert_eq!(lookup(&cache, "v1").await, Lookup::Miss, "the old version's frame was kept");
    }
}
