//! Opening into storage the caller holds (`Movie::open_in`) and moving one cursor in place
//! (`Cursor::seek`) give exactly what `Movie::open` and fresh cursors give.

mod common;

use lazyqt_core::{Cursor, ErrorKind, Movie};
use lazyqt_testkit::atoms::*;

#[test]
fn open_in_replaces_the_movie_it_holds_and_is_empty_after_an_error() {
    let mut slot = Movie::empty();
    assert!(slot.tracks().is_empty() && slot.video_track().is_none());
    let movies = common::all_movies();
    for path in &movies {
        let bytes = std::fs::read(path).unwrap();
        slot.open_in(&bytes[..]).unwrap();
        assert_eq!(slot, Movie::open(&bytes[..]).unwrap(), "{path:?}");
    }
    // A file without moov: the error, and the slot no longer holds the last movie.
    assert!(!slot.tracks().is_empty());
    let no_moov = cat(&[&ftyp(), &atom(b"mdat", &[0; 32])]);
    let e = slot.open_in(&no_moov[..]).unwrap_err();
    assert!(matches!(e, lazyqt_core::Error::Format(f) if f.kind == ErrorKind::NoMoov), "{e:?}");
    assert_eq!(slot, Movie::empty());
}

#[test]
fn a_cursor_seeked_in_any_order_yields_what_the_walk_yields() {
    let mut with_ctts = 0;
    for path in common::all_movies() {
        let bytes = std::fs::read(&path).unwrap();
        let data: &[u8] = &bytes;
        let movie = Movie::open(data).unwrap();
        for track in movie.tracks() {
            let mut walk = Vec::new();
            let mut c = track.samples(data).unwrap();
            while let Some(s) = c.next(data) {
                walk.push(s.unwrap());
            }
            with_ctts += usize::from(track.tables.ctts.is_some());
            let n = walk.len() as u32;
            // Backwards, then forwards in strides, all with one cursor.
            let order = (0..n).rev().chain((0..n).step_by(7)).chain((0..n).step_by(3).rev());
            let mut c = Cursor::new(&track.tables);
            assert!(c.next(data).is_none(), "{path:?}: a new cursor is exhausted");
            for i in order {
                c.seek(data, i).unwrap();
                assert_eq!(c.position(), i);
                assert_eq!(c.next(data).unwrap().unwrap(), walk[i as usize], "{path:?}: sample {i}");
                if let Some(following) = walk.get(i as usize + 1) {
                    assert_eq!(c.next(data).unwrap().unwrap(), *following, "{path:?}: after {i}");
                }
            }
            c.seek(data, n).unwrap();
            assert!(c.next(data).is_none(), "{path:?}: seeked to the end");
            assert!(c.seek(data, n + 1).is_err(), "{path:?}: past the end");
            assert!(c.next(data).is_none(), "{path:?}: exhausted after a failed seek");
        }
    }
    assert!(with_ctts > 0, "no generated movie has composition offsets");
}

#[test]
fn a_seek_past_a_short_ctts_forgets_the_offset_of_the_last_position() {
    let spec = TrakSpec {
        stsc: vec![(1, 5)],
        chunk_offsets: vec![48, 10_048, 20_048, 30_048],
        co64: false,
        // Offsets for the first 10 samples only: the rest have none (as FFmpeg reads it).
        ctts: Some(vec![(10, 2002)]),
        ..TrakSpec::prores((0..20).map(|i| 1000 + i).collect())
    };
    let file = cat(&[&ftyp(), &moov(&[spec])]);
    let data: &[u8] = &file;
    let movie = Movie::open(data).unwrap();
    let track = movie.video_track().unwrap();
    assert!(track.tables.ctts.is_some());
    let pts = |i: u32| i64::from(i) * 1001 + if i < 10 { 2002 } else { 0 };
    let mut c = Cursor::new(&track.tables);
    for i in [5, 15, 3, 19, 9, 10, 0] {
        c.seek(data, i).unwrap();
        assert_eq!(c.next(data).unwrap().unwrap().pts, pts(i), "sample {i}");
    }
}

#[test]
fn tracks_beyond_the_capacity_are_counted_and_a_malformed_one_is_still_reported() {
    let spec = TrakSpec {
        stsc: vec![(1, 2)],
        chunk_offsets: vec![48, 2_048],
        co64: false,
        ..TrakSpec::prores(vec![1000; 4])
    };
    let good = trak(&spec);
    let mut broken = good.clone();
    lazyqt_testkit::atoms::set_stsz_count(&mut broken, 0, 1 << 31);
    let max = lazyqt_core::movie::MAX_TRACKS;
    let mut traks = vec![good.clone(); max + 1];
    traks.push(broken);
    let file = cat(&[&ftyp(), &moov_from(&traks, 0, 2)]);
    let mut slot = Movie::empty();
    slot.open_in(&file[..]).unwrap();
    assert_eq!(slot.tracks().len(), max);
    assert_eq!(slot.ignored_tracks, 2, "one well-formed track over the capacity, one malformed");
    let skipped = slot.skipped_tracks();
    assert_eq!(skipped.len(), 1);
    assert_eq!((skipped[0].error.kind, skipped[0].error.atom.as_str()), (ErrorKind::BadTable, Some("stsz")));
    assert_eq!(slot, Movie::open(&file[..]).unwrap());
}
