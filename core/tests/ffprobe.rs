//! Every sample of every generated movie agrees with `ffprobe -show_packets`.

mod common;

use lazyqt_core::{Movie, Sample, TrackKind};
use serde_json::Value;

fn int(v: &Value, key: &str) -> i64 {
    match &v[key] {
        Value::String(s) => s.parse().unwrap_or_else(|_| panic!("{key}={s}")),
        Value::Number(n) => n.as_i64().unwrap(),
        other => panic!("missing {key}: {other}"),
    }
}

fn track_id(stream: &Value) -> u32 {
    let id = stream["id"].as_str().expect("stream id");
    u32::from_str_radix(id.trim_start_matches("0x"), 16).unwrap()
}

#[test]
fn every_sample_matches_ffprobe() {
    for path in common::all_movies() {
        let bytes = std::fs::read(&path).unwrap();
        let data: &[u8] = &bytes;
        let movie = Movie::open(data).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let probe = common::ffprobe(&path, &["-show_streams", "-show_packets"]);
        let streams = probe["streams"].as_array().unwrap();
        let packets = probe["packets"].as_array().unwrap();
        assert_eq!(movie.tracks().len(), streams.len(), "{path:?}: track count");
        for stream in streams {
            let index = int(stream, "index");
            let track = movie.track(track_id(stream)).expect("track for stream");
            let ours: Vec<Sample> = {
                let mut c = track.samples(data).unwrap();
                let mut v = Vec::new();
                while let Some(s) = c.next(data) {
                    v.push(s.unwrap());
                }
                v
            };
            assert_eq!(ours.len(), track.sample_count() as usize);
            let theirs: Vec<&Value> = packets.iter().filter(|p| int(p, "stream_index") == index).collect();
            let name = format!("{path:?} track {}", track.id());
            if track.kind() == TrackKind::Audio && ours.len() != theirs.len() {
                // FFmpeg merges PCM samples into chunk-sized packets: check byte coverage.
                let mut i = 0;
                for p in &theirs {
                    let (pos, size) = (int(p, "pos") as u64, int(p, "size") as u64);
                    assert_eq!(ours[i].offset, pos, "{name}: packet at {pos}");
                    let mut covered = 0u64;
                    while covered < size {
                        assert_eq!(ours[i].offset, pos + covered, "{name}: contiguous");
                        covered += u64::from(ours[i].size);
                        i += 1;
                    }
                    assert_eq!(covered, size, "{name}: packet size");
                }
                assert_eq!(i, ours.len(), "{name}: all samples covered");
                continue;
            }
            assert_eq!(ours.len(), theirs.len(), "{name}: sample count");
            let shift = ours[0].dts - int(theirs[0], "dts");
            if track.frame_count() > 0 {
                assert_eq!(shift, track.first_pts(), "{name}: timestamps shift to frame 0's pts");
            }
            for (s, p) in ours.iter().zip(&theirs) {
                let what = format!("{name} sample {}", s.index);
                assert_eq!(s.offset, int(p, "pos") as u64, "{what}: offset");
                assert_eq!(u64::from(s.size), int(p, "size") as u64, "{what}: size");
                assert_eq!(s.dts - shift, int(p, "dts"), "{what}: dts");
                assert_eq!(s.pts - shift, int(p, "pts"), "{what}: pts");
                assert_eq!(i64::from(s.duration), int(p, "duration"), "{what}: duration");
                let flags = p["flags"].as_str().unwrap();
                assert_eq!(s.keyframe, flags.starts_with('K'), "{what}: keyframe");
                // Random access agrees with the walk.
                assert_eq!(track.sample(data, s.index).unwrap(), *s, "{what}: random lookup");
            }
        }
    }
}

#[test]
fn presentation_order_and_edit_lists_match_ffmpeg() {
    for path in common::all_movies() {
        let bytes = std::fs::read(&path).unwrap();
        let data: &[u8] = &bytes;
        let movie = Movie::open(data).unwrap();
        let video = movie.video_track().expect("video track");
        let probe = common::ffprobe(
            &path,
            &["-select_streams", "v:0", "-show_packets", "-show_streams", "-count_frames"],
        );
        let decoded = int(&probe["streams"][0], "nb_read_frames");
        assert_eq!(i64::from(video.frame_count()), decoded, "{path:?}: frames FFmpeg decodes");
        // Shown frames are the packets whose (edit-shifted) pts is >= 0, sorted.
        let mut pts: Vec<i64> =
            probe["packets"].as_array().unwrap().iter().map(|p| int(p, "pts")).filter(|&p| p >= 0).collect();
        pts.sort();
        pts.truncate(decoded as usize);
        let shift = video.first_pts();
        let mut prev_time = -1;
        for (n, want) in pts.iter().enumerate() {
            let f = video.frame(data, n as u32).unwrap();
            assert_eq!(f.pts - shift, *want, "{path:?}: frame {n}");
            // The frame shown at its own presentation time is itself.
            let t = video.presentation_time(&f);
            assert!(t > prev_time, "{path:?}: presentation times increase");
            prev_time = t;
            let at = video.frame_at_time(data, t as u64, video.timescale()).unwrap();
            assert_eq!(at, n as u32, "{path:?}: frame_at_time of frame {n}");
            // Decoding starts at a sync sample at or before the frame.
            let sync = video.sync_sample_at_or_before(data, f.index).unwrap();
            assert!(sync <= f.index && video.sample(data, sync).unwrap().keyframe, "{path:?}: sync for {n}");
        }
        assert!(video.frame(data, video.frame_count()).is_err(), "{path:?}: one past the end");
    }
}
