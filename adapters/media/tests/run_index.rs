//! Issue 13 item 3: the run index (`RunIndex`) and the core's walk from the first run
//! agree on every frame of every track of every generated movie, and `Media`'s frame
//! lookups (which use the index) give what the unindexed core gives.

mod common;

use std::path::PathBuf;

use common::open;
use lazyqt_core::SeekIndex;
use lazyqt_media::RunIndex;
use lazyqt_testkit::media_dir;

#[test]
fn indexed_and_walking_lookups_agree_on_every_frame_of_every_test_movie() {
    let mut movies: Vec<PathBuf> = std::fs::read_dir(media_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mov" || e == "mp4"))
        .collect();
    movies.sort();
    assert!(movies.len() >= 10, "{movies:?}");
    let (mut frames, mut with_ctts) = (0u64, 0);
    for path in &movies {
        let m = open(path);
        let src = &**m.source();
        for t in m.movie().tracks() {
            let index = RunIndex::build(t, src).unwrap();
            assert!(index.runs() >= 2, "{path:?} track {}: stts and stsc have a run each", t.id());
            if t.tables.ctts.is_some() {
                with_ctts += 1;
                // The tables bound the reordering (B-frames: a few samples), so the
                // indexed lookup ranks fewer samples than the walking one.
                let depth = index.reorder_depth();
                eprintln!("{path:?} track {}: reorder depth bound {depth:?}", t.id());
                assert!(depth.is_some_and(|d| d < 16), "{path:?}: {depth:?}");
            }
            // One past the end too: both refuse it alike.
            for n in 0..=t.frame_count() {
                let walked = t.frame(src, n).map_err(|e| e.to_string());
                let indexed = t.frame_with(src, n, &index).map_err(|e| e.to_string());
                assert_eq!(indexed, walked, "{path:?} track {} frame {n}", t.id());
                frames += 1;
            }
        }
        if let Ok(video) = m.video() {
            for n in 0..video.frame_count() {
                assert_eq!(
                    m.frame_sample(u64::from(n)).unwrap(),
                    video.frame(src, n).unwrap(),
                    "{path:?} {n}"
                );
            }
        }
    }
    eprintln!("{} movies, {frames} lookups compared", movies.len());
    assert!(frames > 1000, "{frames}");
    assert!(with_ctts >= 3, "the H.264/HEVC movies have composition offsets");
}
