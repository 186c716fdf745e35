//! The pipeline over HTTP: every frame once (in list order when asked), each frame's bytes
//! read once, no more than `ahead` frames fetched ahead of the consumer, a failing frame
//! failing alone, no fetch after the pipeline is dropped, and a panic on its threads raised
//! on the consumer's.

mod common;

use std::time::Duration;

use common::local;
use lazyqt_io::SourceOptions;
use lazyqt_media::decoding::ConvertOptions;
use lazyqt_media::{Media, MediaError, Pipeline, PipelineOptions};
use lazyqt_testkit::media_dir;
use lazyqt_testserver::TestServer;

/// Frames in the middle of `prores2.mov` (30 frames): the head and tail read at open hold
/// none of their bytes, so each costs exactly one request.
const MIDDLE: std::ops::RangeInclusive<u64> = 4..=24;

/// A small first tail: frames in the default 240 KiB tail would be cached at open.
fn opts() -> SourceOptions {
    let mut opts = local();
    opts.http.open.open_tail = 48 * 1024;
    opts
}

fn serve(name: &str) -> (TestServer, Media, Media) {
    let path = media_dir().join(name);
    let server = TestServer::serve_files([(name.to_string(), std::fs::read(&path).unwrap())]).unwrap();
    let remote = Media::open(server.url(name), &opts()).unwrap();
    let local = Media::open(&path, &opts()).unwrap();
    (server, remote, local)
}

#[test]
fn every_frame_once_in_order_each_read_once() {
    let (server, remote, local) = serve("prores2.mov");
    let frames: Vec<u64> = MIDDLE.rev().collect();
    let opts = PipelineOptions { ahead: 4, fetchers: 3, decoders: 2, ordered: true };
    let before = server.request_count();
    let done: Vec<_> = Pipeline::new(&remote, frames.clone(), ConvertOptions::default(), opts).collect();
    assert_eq!(done.iter().map(|d| d.index).collect::<Vec<_>>(), (0..frames.len()).collect::<Vec<_>>());
    assert_eq!(done.iter().map(|d| d.frame).collect::<Vec<_>>(), frames);
    for d in &done {
        let want = local.decode_frame(d.frame, &ConvertOptions::default()).unwrap();
        assert!(d.value.as_ref().unwrap().data == want.data, "frame {} differs", d.frame);
    }
    let requests = &server.requests()[before..];
    assert_eq!(requests.len(), frames.len(), "one request per frame: {requests:?}");
    let mut ranges: Vec<_> = requests.iter().map(|r| r.range.clone()).collect();
    ranges.sort();
    ranges.dedup();
    assert_eq!(ranges.len(), frames.len(), "a frame was read twice: {requests:?}");

    // As completed: every frame still comes exactly once.
    let opts = PipelineOptions { ordered: false, ..opts };
    let mut indices: Vec<_> =
        Pipeline::new(&remote, frames.clone(), ConvertOptions::default(), opts).map(|d| d.index).collect();
    indices.sort_unstable();
    assert_eq!(indices, (0..frames.len()).collect::<Vec<_>>());
}

/// Requests the server has answered for frames, once they have settled.
fn settled(server: &TestServer) -> usize {
    std::thread::sleep(Duration::from_millis(300));
    server.request_count()
}

#[test]
fn at_most_ahead_frames_are_fetched_and_dropping_stops_fetching() {
    let (server, remote, _) = serve("prores2.mov");
    let before = server.request_count();
    let opts = PipelineOptions { ahead: 3, fetchers: 3, decoders: 1, ordered: true };
    let mut pipeline = Pipeline::new(&remote, MIDDLE.collect::<Vec<_>>(), ConvertOptions::default(), opts);
    // Nothing consumed: three frames fetched, no more.
    assert_eq!(settled(&server) - before, 3);
    // One consumed: its ticket lets one more frame be fetched.
    let first = pipeline.next().unwrap();
    assert_eq!((first.index, first.frame), (0, *MIDDLE.start()));
    assert_eq!(settled(&server) - before, 4);
    drop(pipeline);
    let after = server.request_count();
    assert_eq!(after - before, 4);
    assert_eq!(settled(&server), after, "fetching went on after the drop");
}

#[test]
fn a_failing_frame_fails_alone() {
    let local = Media::open(media_dir().join("h264_opengop.mp4"), &opts()).unwrap();
    let frames = vec![1, 99, 2, u64::MAX, 3];
    let opts = PipelineOptions { ahead: 2, fetchers: 1, decoders: 2, ordered: true };
    let done: Vec<_> = Pipeline::new(&local, frames.clone(), ConvertOptions::default(), opts).collect();
    assert_eq!(done.iter().map(|d| d.frame).collect::<Vec<_>>(), frames);
    for d in &done {
        match (&d.value, d.frame) {
            (Ok(image), 1..=3) => {
                let want = local.decode_frame(d.frame, &ConvertOptions::default()).unwrap();
                assert!(image.data == want.data, "frame {}", d.frame);
            }
            (Err(MediaError::OutOfRange { .. }), 99 | u64::MAX) => {}
            (other, n) => panic!("frame {n}: {other:?}"),
        }
    }
}

#[test]
fn several_movies_and_a_finishing_step() {
    let dir = media_dir();
    let prores = Media::open(dir.join("prores2.mov"), &opts()).unwrap();
    let h264 = Media::open(dir.join("h264_bframes.mov"), &opts()).unwrap();
    let jobs = vec![(prores.clone(), 5), (h264.clone(), 40), (prores.clone(), 6)];
    let sizes: Vec<_> = Pipeline::with_finish(
        jobs.clone(),
        ConvertOptions::default(),
        PipelineOptions { ordered: true, ..PipelineOptions::default() },
        |_, image| image.map(|i| i.data.len()),
    )
    .map(|d| d.value.unwrap())
    .collect();
    let want: Vec<_> = jobs
        .iter()
        .map(|(m, n)| m.decode_frame(*n, &ConvertOptions::default()).unwrap().data.len())
        .collect();
    assert_eq!(sizes, want);
}

#[test]
fn a_panic_on_a_pipeline_thread_reaches_the_consumer() {
    let media = Media::open(media_dir().join("prores2.mov"), &opts()).unwrap();
    let jobs: Vec<_> = (0..8).map(|n| (media.clone(), n)).collect();
    let opts = PipelineOptions { ahead: 2, fetchers: 1, decoders: 1, ordered: true };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Pipeline::with_finish(jobs, ConvertOptions::default(), opts, |n, _| {
            assert_ne!(n, 3, "finish refused")
        })
        .count()
    }));
    let panic = run.expect_err("the panic was lost");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("finish refused"), "{message}");
}
