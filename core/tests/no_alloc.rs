//! The core never allocates: open + every lookup under a counting global allocator.

mod common;

use lazyqt_core::Movie;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts calls on the current thread.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

#[test]
fn open_and_every_lookup_allocate_nothing() {
    for path in common::all_movies() {
        let bytes = std::fs::read(&path).unwrap();
        let data: &[u8] = &bytes;
        let before = allocations();
        let mut checksum = 0u64;
        let movie = Movie::open(data).unwrap();
        for t in movie.tracks() {
            let mut c = t.samples(data).unwrap();
            while let Some(s) = c.next(data) {
                let s = s.unwrap();
                checksum = checksum.wrapping_add(s.offset);
                let again = t.sample(data, s.index).unwrap();
                checksum = checksum.wrapping_add(again.size.into());
                checksum += u64::from(t.sync_sample_at_or_before(data, s.index).unwrap());
            }
            for n in 0..t.frame_count() {
                let f = t.frame(data, n).unwrap();
                let time = t.presentation_time(&f);
                checksum += u64::from(t.frame_at_time(data, time as u64, t.timescale()).unwrap());
            }
        }
        let after = allocations();
        assert_eq!(after - before, 0, "{path:?}: the core allocated");
        assert!(checksum > 0);
    }
}

#[test]
fn recording_a_broken_track_allocates_nothing() {
    let path =
        common::all_movies().into_iter().find(|p| p.ends_with("two_video.mov")).expect("two_video.mov");
    let mut bytes = std::fs::read(&path).unwrap();
    lazyqt_testkit::atoms::set_stsz_count(&mut bytes, 0, 1 << 31);
    let data: &[u8] = &bytes;
    let before = allocations();
    let movie = Movie::open(data).unwrap();
    let broken = movie.default_video().map(|_| ()).unwrap_err();
    let after = allocations();
    assert_eq!(after - before, 0, "the core allocated");
    assert_eq!((broken.id, movie.skipped_tracks().len(), movie.tracks().len()), (Some(1), 1, 1));
}
