//! Budgets of concurrent work: one I/O pool per mount (calls that may wait on an upstream),
//! the decode workers, and the memory the decodes in flight may take.
//!
//! Mounts never share an I/O pool, so a hung upstream exhausts only its own mount's: the
//! others keep answering, and `/readyz` names the saturated pool. A permit is held until its
//! blocking call returns, which the upstream read deadline bounds.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::ServerConfig;
use crate::errors::BackendError;

/// Bytes a decode is assumed to hold per pixel of the native frame (decoded planes: up to
/// 16-bit 4:4:4:4) and per pixel of the output (converted pixels plus the encoded image).
const BYTES_PER_PIXEL: u64 = 8;

/// Memory permits are counted in KiB (a semaphore counts at most `u32` per acquire).
const PERMIT_BYTES: u64 = 1024;

/// The memory one decode is assumed to take: `native` pixels decoded, `output` pixels out.
pub(crate) fn work_bytes(native: u64, output: u64) -> u64 {
    native.saturating_add(output).saturating_mul(BYTES_PER_PIXEL)
}

/// A bounded pool of concurrent calls.
pub(crate) struct Pool {
    name: String,
    sem: Arc<Semaphore>,
    limit: usize,
}

/// How busy a pool is, as `/readyz` shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PoolState {
    /// `decode`, or the mount prefix of an I/O pool.
    pub pool: String,
    /// Calls running.
    pub busy: usize,
    /// Calls allowed at once.
    pub limit: usize,
}

impl Pool {
    fn new(name: String, limit: usize) -> Self {
        Self { name, sem: Arc::new(Semaphore::new(limit)), limit }
    }

    /// Waits for a permit of this pool.
    pub(crate) async fn acquire(&self) -> Result<OwnedSemaphorePermit, BackendError> {
        self.acquire_many(1).await
    }

    /// Waits for `n` permits of this pool at once (at least 1, at most the whole pool): the
    /// share of a request that runs several calls in parallel (a contact sheet's decodes).
    pub(crate) async fn acquire_many(&self, n: usize) -> Result<OwnedSemaphorePermit, BackendError> {
        let n = u32::try_from(n.clamp(1, self.limit)).unwrap_or(1);
        self.sem
            .clone()
            .acquire_many_owned(n)
            .await
            .map_err(|_| BackendError::Internal("worker pool closed".into()))
    }

    /// How busy the pool is now.
    pub(crate) fn state(&self) -> PoolState {
        PoolState {
            pool: self.name.clone(),
            busy: self.limit - self.sem.available_permits(),
            limit: self.limit,
        }
    }
}

/// All budgets of one server.
pub(crate) struct Budgets {
    /// One I/O pool per mount, in mount order.
    io: Vec<Pool>,
    /// Frame decodes.
    pub decode: Pool,
    /// KiB of decode memory.
    memory: Arc<Semaphore>,
    memory_kib: u64,
}

impl Budgets {
    /// The budgets of a validated configuration.
    pub(crate) fn new(config: &ServerConfig) -> Self {
        let per_mount = config.limits.max_concurrent_metadata;
        let memory_kib =
            config.limits.max_decode_bytes.div_ceil(PERMIT_BYTES).min(Semaphore::MAX_PERMITS as u64);
        Self {
            io: config.mounts.iter().map(|m| Pool::new(m.prefix.clone(), per_mount)).collect(),
            decode: Pool::new("decode".into(), config.limits.effective_workers()),
            memory: Arc::new(Semaphore::new(usize::try_from(memory_kib).unwrap_or(usize::MAX))),
            memory_kib,
        }
    }

    /// The I/O pool of the mount with this prefix.
    pub(crate) fn io(&self, prefix: &str) -> Result<&Pool, BackendError> {
        self.io
            .iter()
            .find(|p| p.name == prefix)
            .ok_or_else(|| BackendError::Internal("unknown mount".into()))
    }

    /// Reserves `bytes` of decode memory, waiting while other decodes hold it; a single ask
    /// larger than the whole budget is refused (422).
    pub(crate) async fn memory(&self, bytes: u64) -> Result<OwnedSemaphorePermit, BackendError> {
        let kib = bytes.div_ceil(PERMIT_BYTES).max(1);
        let n = u32::try_from(kib).ok().filter(|_| kib <= self.memory_kib).ok_or_else(|| {
            BackendError::TooLarge(format!(
                "the frame needs about {} MiB to decode, more than the server's decode memory of {} MiB",
                bytes >> 20,
                (self.memory_kib * PERMIT_BYTES) >> 20
            ))
        })?;
        self.memory
            .clone()
            .acquire_many_owned(n)
            .await
            .map_err(|_| BackendError::Internal("memory budget closed".into()))
    }

    /// The state of every pool: decode first, then one per mount.
    pub(crate) fn states(&self) -> Vec<PoolState> {
        std::iter::once(&self.decode).chain(&self.io).map(Pool::state).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mount;

    fn config() -> ServerConfig {
        let dir = std::env::temp_dir();
        let mut c = ServerConfig {
            mounts: vec![
                Mount::parse("/up=http://127.0.0.1:1/").expect("mount"),
                Mount::parse(&format!("/local={}", dir.display())).expect("mount"),
            ],
            ..ServerConfig::default()
        };
        c.limits.max_concurrent_metadata = 2;
        c.limits.max_pixels = 1 << 16;
        c.limits.max_decode_bytes = work_bytes(1 << 16, 1 << 16) * 2;
        c.validate().expect("valid");
        c
    }

    #[tokio::test]
    async fn mounts_have_their_own_pools() {
        let b = Budgets::new(&config());
        let up = b.io("/up").expect("pool");
        let _held = (up.acquire().await.expect("permit"), up.acquire().await.expect("permit"));
        assert_eq!(up.state().busy, 2);
        // The upstream mount's pool is full; the local mount's is untouched.
        let local = b.io("/local").expect("pool");
        assert_eq!(local.state().busy, 0);
        let _l = local.acquire().await.expect("local permit while the other pool is full");
        let names: Vec<_> = b.states().into_iter().map(|s| s.pool).collect();
        assert_eq!(names, ["decode", "/up", "/local"]);
        assert!(b.io("/nope").is_err());
    }

    #[tokio::test]
    async fn memory_is_shared_and_bounded() {
        let b = Budgets::new(&config());
        let one = work_bytes(1 << 16, 1 << 16);
        let a = b.memory(one).await.expect("first");
        let _b = b.memory(one).await.expect("second");
        // The budget (two decodes) is spent: a third waits until one is released.
        let third = b.memory(one);
        tokio::pin!(third);
        assert!(tokio::time::timeout(std::time::Duration::from_millis(50), &mut third).await.is_err());
        drop(a);
        let _third = third.await.expect("third after release");
        assert!(matches!(b.memory(one * 3).await, Err(BackendError::TooLarge(_))));
    }
}
