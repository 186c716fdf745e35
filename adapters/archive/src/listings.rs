//! Directory listings kept for reuse: by one [`Archive`](crate::Archive) for its life (the
//! default, for a command that runs once), or shared by the archives a server builds for one
//! mount, each listing for a short time (new recordings appear in day directories) and at
//! most so many of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::location::Listing;

/// Listings one cache holds when not told otherwise (a decade of CamHD day directories is
/// ~4,000).
pub const DEFAULT_MAX_LISTINGS: usize = 100_000;

/// Listings by directory URL or path, each kept up to a time to live, at most
/// `max_entries` of them (the oldest go first).
#[derive(Debug)]
pub struct ListingCache {
    ttl: Option<Duration>,
    max_entries: usize,
    entries: Mutex<HashMap<String, (Instant, Arc<Listing>)>>,
}

impl Default for ListingCache {
    /// Listings kept forever, up to [`DEFAULT_MAX_LISTINGS`].
    fn default() -> Self {
        Self::new(None, DEFAULT_MAX_LISTINGS)
    }
}

impl ListingCache {
    /// A cache keeping each listing for `ttl` (`None`: for its life), at most
    /// `max_entries` (at least one).
    pub fn new(ttl: Option<Duration>, max_entries: usize) -> Self {
        Self { ttl, max_entries: max_entries.max(1), entries: Mutex::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<Listing>)>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fresh(&self, at: Instant) -> bool {
        self.ttl.is_none_or(|ttl| at.elapsed() < ttl)
    }

    /// The listing of `dir`, if one was kept and is still fresh.
    pub(crate) fn get(&self, dir: &str) -> Option<Arc<Listing>> {
        self.lock().get(dir).filter(|(at, _)| self.fresh(*at)).map(|(_, l)| Arc::clone(l))
    }

    /// Keep `listing` of `dir`: stale entries go first, then, when full, the oldest.
    pub(crate) fn put(&self, dir: String, listing: Arc<Listing>) {
        let mut entries = self.lock();
        if entries.len() >= self.max_entries {
            entries.retain(|_, (at, _)| self.fresh(*at));
        }
        if entries.len() >= self.max_entries {
            if let Some(oldest) = entries.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone()) {
                entries.remove(&oldest);
            }
        }
        entries.insert(dir, (Instant::now(), listing));
    }

    /// How many listings are kept (fresh or not yet dropped).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Location;

    fn listing(dir: &str) -> Arc<Listing> {
        Arc::new(Listing { at: Location::Local(dir.into()), entries: Vec::new() })
    }

    #[test]
    fn listings_expire_and_are_bounded() {
        let c = ListingCache::new(Some(Duration::from_millis(50)), 2);
        c.put("a".into(), listing("a"));
        c.put("b".into(), listing("b"));
        assert!(c.get("a").is_some());
        c.put("c".into(), listing("c"));
        assert_eq!(c.len(), 2, "bounded");
        assert!(c.get("a").is_none(), "the oldest went first");
        std::thread::sleep(Duration::from_millis(60));
        assert!(c.get("b").is_none() && c.get("c").is_none(), "expired");
        let forever = ListingCache::default();
        forever.put("a".into(), listing("a"));
        assert!(forever.get("a").is_some());
    }
}
