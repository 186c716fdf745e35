//! The summary is made once, at open: a remote open reads the timecode sample then, and
//! asking for the summary afterwards makes no request; it equals the local file's.

use std::path::PathBuf;
use std::process::Command;

use lazyqt_io::SourceOptions;
use lazyqt_media::Media;
use lazyqt_testserver::TestServer;

fn movie(name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("testdata/generated");
    let ok = Command::new("bash").arg(root.join("testdata/generate.sh")).arg(&out).status().unwrap();
    assert!(ok.success());
    out.join(name)
}

#[test]
fn the_summary_is_made_at_open_and_costs_no_request_after() {
    let name = "prores_audio_tc.mov";
    let path = movie(name);
    let server = TestServer::serve_files([(name.to_string(), std::fs::read(&path).unwrap())]).unwrap();
    // Small blocks and first tail, so the open does not take the whole file in.
    let opts = {
        let mut opts = SourceOptions::default();
        opts.cache.no_disk = true;
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
