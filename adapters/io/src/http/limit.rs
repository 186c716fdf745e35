//! A counting semaphore that bounds the requests one source has in flight, so many
//! reader threads share the keep-alive pool instead of opening a connection each.

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

    /// Wait for a permit.
    pub fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock();
        while *free == 0 {
            self.cv.wait(&mut free);
        }
        *free -= 1;
        Permit(self)
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

    #[test]
    fn never_more_holders_than_permits() {
        let permits = Arc::new(Permits::new(2));
        let (now, max) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (permits, now, max) = (permits.clone(), now.clone(), max.clone());
                std::thread::spawn(move || {
                    let _p = permits.acquire();
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
}
