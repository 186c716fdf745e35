//! The summary is made once, at open: a remote open reads the timecode sample then, and
//! asking for the summary afterwards makes no request; it equals the local file's.

mod common;

use common::local;
use lazyqt_media::Media;
use lazyqt_testkit::generated as movie;
use lazyqt_testserver::TestServer;

#[test]
fn the_summary_is_made_at_open_and_costs_no_request_after() {
    let name = "prores_audio_tc.mov";
    let path = movie(name);
    let server = TestServer::serve_files([(name.to_string(), std::fs::read(&path).unwrap())]).unwrap();
    // Small blocks and first tail, so the open does not take the whole file in.
    let opts = {
        let mut opts = local();
        opts.cache.block_size = 4096;
        opts.http.open.open_tail = 16 * 1024;
        opts
    };
    let remote = Media::open(server.url(name), &opts).unwrap();
    let at_open = server.request_count();
    let summary = remote.summary().clone();
    for _ in 0..3 {
        assert_eq!(**remote.summary(), *summary);
        assert_eq!(remote.video_summary().unwrap().frames, 30);
    }
    assert_eq!(server.request_count(), at_open, "asking for the summary made a request");
    let timecode = summary.tracks.iter().find_map(|t| t.timecode.clone());
    assert_eq!(timecode.as_deref(), Some("01:00:00;00"), "read at open");
    let local = Media::open(&path, &opts).unwrap();
    assert_eq!(*local.summary().clone(), *summary);
    let rate = summary.video().unwrap().frame_rate.unwrap();
    assert_eq!((rate.num, rate.den), (30000, 1001));
}
