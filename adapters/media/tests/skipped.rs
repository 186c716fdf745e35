//! A malformed track is reported and never replaced: with the first of two video tracks
//! broken, frames are refused as malformed rather than taken from the second.

mod common;

use std::path::PathBuf;

use common::open;
use lazyqt_media::decoding::ConvertOptions;
use lazyqt_media::{ErrorKind, MediaError};
use lazyqt_testkit::generated;

/// A copy of `name` whose `nth` (0-based) `stsz` claims 2^31 samples.
fn with_bad_stsz(name: &str, nth: usize) -> PathBuf {
    let mut bytes = std::fs::read(generated(name)).unwrap();
    lazyqt_testkit::atoms::set_stsz_count(&mut bytes, nth, 1 << 31);
    let path = std::env::temp_dir().join(format!("lazyqt-media-bad{nth}-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_broken_first_video_track_is_reported_and_frames_are_refused() {
    let path = with_bad_stsz("two_video.mov", 0);
    let media = open(&path);
    let info = media.summary();
    assert_eq!(info.tracks.iter().map(|t| t.id).collect::<Vec<_>>(), [2]);
    assert_eq!(info.skipped_tracks.len(), 1);
    let s = &info.skipped_tracks[0];
    assert_eq!((s.id, s.kind, s.atom.as_str()), (Some(1), Some("video"), "stsz"));
    assert!(s.error.starts_with("video track 1 is malformed"), "{}", s.error);
    for e in [
        media.video().map(|_| ()).unwrap_err(),
        media.frame_sample(5).map(|_| ()).unwrap_err(),
        media.decode_frame(5, &ConvertOptions::default()).map(|_| ()).unwrap_err(),
        media.track(1).map(|_| ()).unwrap_err(),
    ] {
        assert!(matches!(e, MediaError::MalformedTrack(_)), "{e:?}");
        assert_eq!(e.kind(), ErrorKind::Malformed);
    }
    // The healthy track is still there for whoever asks for it by id.
    assert_eq!(media.track(2).unwrap().width(), 160);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_broken_second_track_is_reported_and_the_first_still_decodes() {
    let path = with_bad_stsz("two_video.mov", 1);
    let media = open(&path);
    assert_eq!(media.summary().skipped_tracks.iter().map(|s| s.id).collect::<Vec<_>>(), [Some(2)]);
    let image = media.decode_frame(5, &ConvertOptions::default()).unwrap();
    assert_eq!((image.width, image.height), (320, 180));
    assert!(matches!(media.track(2), Err(MediaError::MalformedTrack(_))));
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_single_broken_track_is_reported() {
    let path = with_bad_stsz("prores0.mov", 0);
    let media = open(&path);
    let info = media.summary();
    assert!(info.tracks.is_empty());
    assert_eq!(info.skipped_tracks.len(), 1);
    assert_eq!(media.frame_sample(0).unwrap_err().kind(), ErrorKind::Malformed);
    std::fs::remove_file(path).unwrap();
}
