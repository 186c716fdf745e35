//! `Media::prefetch_frame` reads exactly what the decode of that frame will read, so the
//! decode that follows makes no request and gives the same pixels.

use std::path::PathBuf;
use std::process::Command;

use lazyqt_io::SourceOptions;
use lazyqt_media::decoding::ConvertOptions;
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
fn a_prefetched_frame_decodes_without_a_request() {
    // A small first tail: the H.264 movie is ~160 KB, and frames in the default 240 KiB tail
    // would be cached at open, leaving the prefetch nothing to read.
    let mut opts = SourceOptions::default();
    opts.cache.no_disk = true;
    opts.http.open.open_tail = 48 * 1024;
    // ProRes (one sample per frame) and H.264 with B-frames (a GOP read from its sync sample).
    // Frames in the middle of the file: the head and tail of a small movie are cached at open.
    for (name, frames) in [("prores2.mov", [3u64, 11, 17]), ("h264_bframes.mov", [19, 29, 39])] {
        let path = movie(name);
        let server = TestServer::serve_files([(name.to_string(), std::fs::read(&path).unwrap())]).unwrap();
        let remote = Media::open(server.url(name), &opts).unwrap();
        let local = Media::open(path.to_str().unwrap(), &opts).unwrap();
        for n in frames {
            let before = server.request_count();
            remote.prefetch_frame(n).unwrap();
            let fetched = server.request_count();
            assert!(fetched > before, "{name} frame {n}: the prefetch read nothing");
            let image = remote.decode_frame(n, &ConvertOptions::default()).unwrap();
            assert_eq!(server.request_count(), fetched, "{name} frame {n}: the decode made a request");
            let want = local.decode_frame(n, &ConvertOptions::default()).unwrap();
            assert_eq!(image.data, want.data, "{name} frame {n}");
        }
    }
}
