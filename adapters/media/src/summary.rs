//! A movie's summary as plain data, computed once when the movie is opened (the timecode
//! sample is read then), so asking for it never does I/O. Every front end derives what it
//! shows from it: `lazyqt info` (text and `--json`, which is this type's serialization), the
//! REST server's metadata, the C ABI's `lazyqt_info` and through it Python's `Movie`.

use lazyqt_core::{Movie, ReadAt, SkippedTrack, Track, TrackKind};
use lazyqt_decode::ColorInfo;
use serde::{Serialize, Serializer};

/// A frame rate as an exact, reduced fraction of frames per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameRate {
    /// Numerator (frames).
    pub num: u64,
    /// Denominator (seconds); never 0.
    pub den: u64,
}

impl FrameRate {
    /// `num / den` in lowest terms; `None` when either is 0.
    pub fn new(num: u64, den: u64) -> Option<Self> {
        if num == 0 || den == 0 {
            return None;
        }
        let g = gcd(num, den);
        Some(Self { num: num / g, den: den / g })
    }

    /// Frames per second as a float.
    pub fn fps(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// Greatest common divisor (Euclid).
fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// One track's summary. Serialized (for `lazyqt info --json`) with `fps` as a float.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrackSummary {
    /// Track id.
    pub id: u32,
    /// "video", "audio", "timecode" or "other".
    pub kind: &'static str,
    /// Codec / format code, e.g. "apcn" (non-printable bytes escaped).
    pub codec: String,
    /// Picture width (0 for non-video).
    pub width: u32,
    /// Picture height (0 for non-video).
    pub height: u32,
    /// Units per second of the track's timestamps.
    pub timescale: u32,
    /// Samples in decode order.
    pub samples: u32,
    /// Frames shown after the edit list.
    pub frames: u32,
    /// Average frame rate (video tracks only).
    #[serde(rename = "fps", serialize_with = "fps_float")]
    pub frame_rate: Option<FrameRate>,
    /// Presented duration in seconds.
    pub duration: f64,
    /// Start timecode (`HH:MM:SS:FF`, `;` before the frames when drop-frame), for timecode
    /// tracks whose first sample could be read at open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timecode: Option<String>,
    /// Colour tags of a video track's `colr` atom, when it has one.
    #[serde(skip)]
    pub color: Option<ColorInfo>,
}

impl TrackSummary {
    /// Frames per second as a float (video tracks with a known rate only).
    pub fn fps(&self) -> Option<f64> {
        self.frame_rate.map(FrameRate::fps)
    }
}

/// Serializes a frame rate as the float JSON readers expect.
fn fps_float<S: Serializer>(rate: &Option<FrameRate>, s: S) -> Result<S::Ok, S::Error> {
    rate.map(FrameRate::fps).serialize(s)
}

/// A track left out because it is malformed: reported so nobody mistakes the tracks
/// listed for all the movie holds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SkippedTrackSummary {
    /// Track id, if its `tkhd` could be read.
    pub id: Option<u32>,
    /// "video", "audio", "timecode" or "other", if its `hdlr` could be read.
    pub kind: Option<&'static str>,
    /// Offset of its `trak` atom in the file.
    pub offset: u64,
    /// The atom where the error was found, e.g. "stsz".
    pub atom: String,
    /// Byte offset of that atom.
    pub atom_offset: u64,
    /// What is wrong, e.g. "video track 1 is malformed: atom 'stsz' at offset 1234 has an
    /// invalid table".
    pub error: String,
}

impl SkippedTrackSummary {
    /// The summary of one skipped track.
    pub fn of(s: &SkippedTrack) -> Self {
        Self {
            id: s.id,
            kind: s.kind.map(|k| k.name()),
            offset: s.trak.offset,
            atom: s.error.atom.to_string(),
            atom_offset: s.error.offset,
            error: s.to_string(),
        }
    }
}

/// A movie's summary: the file, its tracks, and which of them is the main video.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VideoSummary {
    /// File size in bytes.
    #[serde(rename = "size")]
    pub file_size: u64,
    /// Duration in seconds (from `mvhd`).
    pub duration: f64,
    /// Recording start from `mvhd` in seconds since 1970-01-01 UTC, if set (serialized as
    /// RFC 3339, see [`VideoSummary::creation_time_rfc3339`]).
    #[serde(serialize_with = "rfc3339_or_null")]
    pub creation_time: Option<i64>,
    /// Major brand from `ftyp` (e.g. "qt  ").
    pub brand: Option<String>,
    /// The tracks.
    pub tracks: Vec<TrackSummary>,
    /// Tracks left out because they are malformed (the first
    /// [`lazyqt_core::movie::MAX_SKIPPED_TRACKS`]).
    pub skipped_tracks: Vec<SkippedTrackSummary>,
    /// Id of the main video track (see [`Movie::default_video`]); `None` when the movie has
    /// none or it is malformed.
    #[serde(skip)]
    pub video_track: Option<u32>,
}

impl VideoSummary {
    /// Summarize a movie, reading the first sample of each timecode track through `r` (a
    /// failed read leaves that track's `timecode` out, with a warning).
    pub fn of<R: ReadAt + ?Sized>(r: &R, m: &Movie) -> Self
    where
        R::Error: std::fmt::Display,
    {
        Self {
            file_size: m.file_len,
            duration: m.header.duration as f64 / f64::from(m.header.timescale.max(1)),
            creation_time: m.creation_unix_time(),
            brand: m.file_type.as_ref().map(|f| f.major_brand.to_string()),
            tracks: m.tracks().iter().map(|t| track_summary(r, t)).collect(),
            skipped_tracks: m.skipped_tracks().iter().map(SkippedTrackSummary::of).collect(),
            video_track: m.default_video().ok().flatten().map(Track::id),
        }
    }

    /// The main video track's summary.
    pub fn video(&self) -> Option<&TrackSummary> {
        let id = self.video_track?;
        self.tracks.iter().find(|t| t.id == id)
    }

    /// The creation time as RFC 3339 text (`None` when unset or not representable).
    pub fn creation_time_rfc3339(&self) -> Option<String> {
        self.creation_time.and_then(rfc3339)
    }
}

/// Serializes a Unix time as RFC 3339 text, or null.
fn rfc3339_or_null<S: Serializer>(unix: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    unix.and_then(rfc3339).serialize(s)
}

/// RFC 3339 text of a Unix time.
fn rfc3339(unix: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).ok()?;
    t.format(&time::format_description::well_known::Rfc3339).ok()
}

/// The colour tags of a video track's sample description, in the decoder's terms.
pub(crate) fn color_tags(t: &Track) -> Option<ColorInfo> {
    let c = t.entry.visual()?.color?;
    Some(ColorInfo {
        primaries: c.primaries,
        transfer: c.transfer,
        matrix: c.matrix,
        full_range: c.full_range,
    })
}

/// Summarize one track (reads the timecode sample of a timecode track).
fn track_summary<R: ReadAt + ?Sized>(r: &R, t: &Track) -> TrackSummary
where
    R::Error: std::fmt::Display,
{
    let timescale = t.timescale();
    let video = t.kind() == TrackKind::Video;
    let timecode = match t.timecode_start(r) {
        Ok((frame, tc)) => Some(crate::timecode::format(frame, &tc)),
        Err(lazyqt_core::Error::Format(e)) if e.kind == lazyqt_core::ErrorKind::NotApplicable => None,
        Err(e) => {
            tracing::warn!(track = t.id(), error = %e, "timecode start unreadable");
            None
        }
    };
    TrackSummary {
        id: t.id(),
        kind: t.kind().name(),
        codec: t.codec().to_string(),
        width: if video { t.width() } else { 0 },
        height: if video { t.height() } else { 0 },
        timescale,
        samples: t.sample_count(),
        frames: t.frame_count(),
        frame_rate: t.frame_rate().filter(|_| video).and_then(|(n, d)| FrameRate::new(n, d)),
        duration: t.duration() as f64 / f64::from(timescale.max(1)),
        timecode,
        color: if video { color_tags(t) } else { None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_rates_are_reduced() {
        assert_eq!(FrameRate::new(30 * 30000, 30 * 1001), Some(FrameRate { num: 30000, den: 1001 }));
        assert_eq!(FrameRate::new(25, 1).map(FrameRate::fps), Some(25.0));
        assert_eq!(FrameRate::new(0, 5), None);
        assert_eq!(FrameRate::new(5, 0), None);
        assert_eq!(gcd(0, 5), 5);
    }

    #[test]
    fn creation_time_is_rfc3339() {
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(rfc3339(i64::MAX), None);
    }
}
