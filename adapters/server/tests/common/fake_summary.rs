//! The summary of a synthetic movie, for the fake backends of the server's tests: one video
//! track of `frames` frames at `fps` frames per second.

use std::sync::Arc;

use lazyqt_server::{FrameRate, TrackSummary, VideoSummary};

/// A movie of one `apcn` video track, `width` x `height`, `frames` frames at `fps`.
pub fn fake_summary(frames: u32, fps: u32, (width, height): (u32, u32), file_size: u64) -> Arc<VideoSummary> {
    let duration = f64::from(frames) / f64::from(fps);
    let video = TrackSummary {
        id: 1,
        kind: "video",
        codec: "apcn".into(),
        width,
        height,
        timescale: fps,
        samples: frames,
        frames,
        frame_rate: FrameRate::new(u64::from(fps), 1),
        duration,
        timecode: None,
        color: None,
    };
    Arc::new(VideoSummary {
        file_size,
        duration,
        creation_time: None,
        brand: None,
        tracks: vec![video],
        skipped_tracks: Vec::new(),
        video_track: Some(1),
    })
}
