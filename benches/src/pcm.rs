//! A movie with long PCM audio: QuickTime stores one sample per audio frame, so an hour
//! of 48 kHz sound is 172.8 million samples described by a handful of table entries
//! (a constant `stsz`, one `stts` run, one `stsc` run). Beside it, one second of
//! CamHD-like ProRes video. Used to show that `info` and `samples` stay flat in memory.

use crate::camhd::{self, FRAME_DURATION, SAMPLES_PER_CHUNK, TIMESCALE};
use crate::synth::SparseMovie;
use lazyqt_testkit::atoms::{self, Sizes, TrakSpec, DATA_OFFSET};

/// Audio sample rate.
pub const RATE: u32 = 48_000;
/// Bytes of one audio frame: stereo, 24 bits (`in24`).
pub const FRAME_BYTES: u32 = 6;
/// Video frames beside the audio (one second at 29.97 fps).
pub const VIDEO_FRAMES: u32 = 30;

/// A synthesized movie with long PCM audio: its real head and `moov`.
#[derive(Debug, Clone)]
pub struct PcmMovie {
    /// `ftyp` + `mdat` header.
    pub head: Vec<u8>,
    /// The `moov` atom, at `moov_offset`.
    pub moov: Vec<u8>,
    /// Offset of `moov`: the end of `mdat`.
    pub moov_offset: u64,
    /// Number of audio samples (audio frames).
    pub audio_samples: u32,
}

impl PcmMovie {
    /// A [`lazyqt_core::ReadAt`] over the whole file, zeros for the sample data.
    pub fn reader(&self) -> SparseMovie<'_> {
        SparseMovie::new(&self.head, &self.moov, self.moov_offset)
    }

    /// Total file length.
    pub fn file_len(&self) -> u64 {
        self.moov_offset + self.moov.len() as u64
    }
}

/// `seconds` of 48 kHz stereo 24-bit PCM in one-second chunks (track 2), after one
/// second of ProRes video (track 1).
pub fn pcm_movie(seconds: u32) -> PcmMovie {
    let video_sizes = camhd::camhd_sizes(VIDEO_FRAMES);
    let mut pos = DATA_OFFSET;
    let video_chunks: Vec<u64> = video_sizes
        .chunks(SAMPLES_PER_CHUNK as usize)
        .map(|c| {
            let at = pos;
            pos += c.iter().map(|&s| u64::from(s)).sum::<u64>();
            at
        })
        .collect();
    let chunk_bytes = u64::from(RATE * FRAME_BYTES);
    let audio_chunks: Vec<u64> = (0..u64::from(seconds)).map(|k| pos + k * chunk_bytes).collect();
    let audio_samples = seconds * RATE;
    let mdat_len = pos + u64::from(seconds) * chunk_bytes - DATA_OFFSET;
    let video = TrakSpec {
        timescale: TIMESCALE,
        stts: vec![(VIDEO_FRAMES, FRAME_DURATION)],
        stsc: vec![(1, SAMPLES_PER_CHUNK)],
        chunk_offsets: video_chunks,
        ..TrakSpec::prores(video_sizes)
    };
    let audio = TrakSpec {
        id: 2,
        handler: *b"soun",
        entry: atoms::sound_entry(b"in24", 2, 24, RATE),
        timescale: RATE,
        stts: vec![(audio_samples, 1)],
        ctts: None,
        stss: None,
        stsc: vec![(1, RATE)],
        sizes: Sizes::Constant(FRAME_BYTES, audio_samples),
        chunk_offsets: audio_chunks,
        co64: true,
        media_time: 0,
    };
    let moov = atoms::moov(&[video, audio]);
    PcmMovie { head: atoms::head(mdat_len), moov, moov_offset: DATA_OFFSET + mdat_len, audio_samples }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lazyqt_core::{Movie, ReadAt, TrackKind};

    #[test]
    fn an_hour_of_pcm_is_172_8_million_samples_in_a_small_moov() {
        let m = pcm_movie(3600);
        assert_eq!(m.audio_samples, 172_800_000);
        assert!(m.moov.len() < 64 * 1024, "{} bytes", m.moov.len());
        let r = m.reader();
        let movie = Movie::open(&r).unwrap();
        let a = movie.track(2).unwrap();
        assert_eq!(
            (a.kind(), a.codec().as_str(), a.sample_count()),
            (TrackKind::Audio, Some("in24"), 172_800_000)
        );
        let last = a.sample(&r, 172_799_999).unwrap();
        assert_eq!((last.size, last.dts), (6, 172_799_999));
        assert_eq!(last.offset + 6, m.moov_offset, "the last sample ends where moov starts");
        let v = movie.video_track().unwrap();
        assert_eq!((v.id(), v.frame_count()), (1, VIDEO_FRAMES));
        assert_eq!(m.file_len(), r.len().unwrap());
    }
}
