//! Bounded parallelism for the I/O an archive does: listings of one level of
//! directories, opens of many movies. Scoped threads, no pool kept between calls.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `f` of every item, at most `n` running at once (at least one); results in the
/// items' order.
pub(crate) fn map_bounded<T: Sync, R: Send>(items: &[T], n: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..n.clamp(1, items.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                *slots[i].lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(r);
            });
        }
    });
    // Every slot was filled: each index below `items.len()` was taken by one worker,
    // and a worker that panicked re-raised its panic when the scope ended.
    slots
        .into_iter()
        .filter_map(|m| m.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::map_bounded;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_keep_order_and_parallelism_is_bounded() {
        let (now, max) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let items: Vec<u32> = (0..40).collect();
        let out = map_bounded(&items, 3, |&i| {
            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(n, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(2));
            now.fetch_sub(1, Ordering::SeqCst);
            i * 2
        });
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(max.load(Ordering::SeqCst) <= 3);
        assert!(map_bounded(&[] as &[u32], 8, |&i| i).is_empty());
    }
}
