//! A counting semaphore that bounds the requests one source has in flight, so many
//! reader threads share the keep-alive pool instead of opening a connection each.

use std::time::Instant;

use parking_lot::{Condvar, Mutex};

/// Permits for requests in flight.
#[derive(Debug)]
pub(crate) struct Permits {
    free: Mutex<usize>,
    cv: Condvar,
}

/// One request's permit, returned on drop.
pub(crate) struct Permit<'a>(&'a Permits);

impl Permits {
    /// `n` permits (at least one).
    pub fn new(n: usize) -> Self {
        Self { free: Mutex::new(n.max(1)), cv: Condvar::new() }
    }

    /// Wait for a permit until `deadline`; `None` if none came free by then.
    pub fn acquire_until(&self, deadline: Instant) -> Option<Permit<'_>> {
        let mut free = self.free.lock();
        while *free == 0 {
            if self.cv.wait_until(&mut free, deadline).timed_out() && *free == 0 {
                return None;
            }
        }
        *free -= 1;
        Some(Permit(self))
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock() += 1;
        self.0.cv.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::Permits;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn never_more_holders_than_permits() {
        let permits = Arc::new(Permits::new(2));
        let (now, max) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (permits, now, max) = (permits.clone(), now.clone(), max.clone());
                std::thread::spawn(move || {
                    let _p = permits.acquire_until(Instant::now() + Duration::from_secs(30)).unwrap();
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    now.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(max.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn waiting_for_a_permit_ends_at_the_deadline() {
        let permits = Permits::new(1);
        let held = permits.acquire_until(Instant::now()).unwrap();
        let t0 = Instant::now();
        assert!(permits.acquire_until(t0 + Duration::from_millis(50)).is_none());
        assert!(t0.elapsed() >= Duration::from_millis(50));
        drop(held);
        assert!(permits.acquire_until(Instant::now()).is_some());
    }
}
