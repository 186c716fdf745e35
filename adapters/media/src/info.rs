//! A movie's summary as plain serializable data: what `lazyqt info --json`, the REST
//! server and the C ABI report.

use lazyqt_core::{Movie, ReadAt, SkippedTrack, Track};
use serde::Serialize;

/// One track's summary.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrackInfo {
    /// Track id.
    pub id: u32,
    /// "video", "audio", "timecode" or "other".
    pub kind: &'static str,
    /// Codec / format code, e.g. "apcn".
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
    /// Average frames per second (video tracks only).
    pub fps: Option<f64>,
    /// Presented duration in seconds.
    pub duration: f64,
    /// Start timecode, for timecode tracks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timecode: Option<String>,
}

/// A track left out because it is malformed: reported so nobody mistakes the tracks
/// listed for all the movie holds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SkippedTrackInfo {
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

impl SkippedTrackInfo {
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

/// A movie's summary.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MovieInfo {
    /// File size in bytes.
    pub size: u64,
    /// Duration in seconds (from `mvhd`).
    pub duration: f64,
    /// Recording start from `mvhd`, RFC 3339, if set.
    pub creation_time: Option<String>,
    /// Major brand from `ftyp` (e.g. "qt  ").
    pub brand: Option<String>,
    /// The tracks.
    pub tracks: Vec<TrackInfo>,
    /// Tracks left out because they are malformed (the first
    /// [`lazyqt_core::movie::MAX_SKIPPED_TRACKS`]).
    pub skipped_tracks: Vec<SkippedTrackInfo>,
}

/// A track's codec as text (non-printable bytes escaped).
pub fn codec_name(t: &Track) -> String {
    t.codec().to_string()
}

/// Summarize one track (reads the timecode sample of a timecode track).
pub fn track_info<R: ReadAt + ?Sized>(r: &R, t: &Track) -> TrackInfo {
    let timescale = t.timescale();
    let video = t.kind() == lazyqt_core::TrackKind::Video;
    let fps = t.frame_rate().filter(|_| video).map(|(n, d)| n as f64 / d as f64);
    let timecode = t.timecode_start(r).ok().map(|(frame, tc)| crate::timecode::format(frame, &tc));
    TrackInfo {
        id: t.id(),
        kind: t.kind().name(),
        codec: codec_name(t),
        width: if video { t.width() } else { 0 },
        height: if video { t.height() } else { 0 },
        timescale,
        samples: t.sample_count(),
        frames: t.frame_count(),
        fps,
        duration: t.duration() as f64 / f64::from(timescale.max(1)),
        timecode,
    }
}

/// RFC 3339 text of a Unix time.
pub fn rfc3339(unix: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).ok()?;
    t.format(&time::format_description::well_known::Rfc3339).ok()
}

/// Summarize a movie.
pub fn movie_info<R: ReadAt + ?Sized>(r: &R, m: &Movie) -> MovieInfo {
    MovieInfo {
        size: m.file_len,
        duration: m.header.duration as f64 / f64::from(m.header.timescale.max(1)),
        creation_time: m.creation_unix_time().and_then(rfc3339),
        brand: m.file_type.as_ref().map(|f| f.major_brand.to_string()),
        tracks: m.tracks().iter().map(|t| track_info(r, t)).collect(),
        skipped_tracks: m.skipped_tracks().iter().map(SkippedTrackInfo::of).collect(),
    }
}
