//! Tracks a movie declares but that could not be parsed: kept as a record (which track,
//! what kind if that much could be read, and why), so front ends report them and a frame
//! request never falls through to another track.

use core::fmt;

use crate::atom::{AtomHeader, Children};
use crate::boxes::{hdlr, headers};
use crate::error::FormatError;
use crate::fourcc::codes;
use crate::read_at::ReadAt;
use crate::track::TrackKind;

/// A malformed track, left out of [`crate::Movie::tracks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkippedTrack {
    /// The `trak` atom.
    pub trak: AtomHeader,
    /// Track id from `tkhd`, if that atom could be read.
    pub id: Option<u32>,
    /// What the track holds, from its `hdlr`, if that atom could be read.
    pub kind: Option<TrackKind>,
    /// Why the track was skipped.
    pub error: FormatError,
}

impl SkippedTrack {
    /// Record `trak`, refused for `error`: its id and kind are read again on their own
    /// (best effort, a few small reads), since the error may have come before them.
    pub(crate) fn identify<R: ReadAt + ?Sized>(r: &R, trak: &AtomHeader, error: FormatError) -> Self {
        let tkhd = Children::of(trak).find(r, codes::TKHD).ok().flatten();
        let id = tkhd.and_then(|h| headers::parse_tkhd(r, &h).ok()).map(|t| t.track_id);
        let mdia = Children::of(trak).find(r, codes::MDIA).ok().flatten();
        let hdlr = mdia.and_then(|m| Children::of(&m).find(r, codes::HDLR).ok().flatten());
        let kind = hdlr.and_then(|h| hdlr::parse(r, &h).ok()).map(|h| TrackKind::of_handler(h.subtype));
        Self { trak: *trak, id, kind, error }
    }

    /// Whether this track is, or (its kind unknown) may be, a video track.
    pub fn may_be_video(&self) -> bool {
        self.kind.is_none_or(|k| k == TrackKind::Video)
    }
}

impl fmt::Display for SkippedTrack {
    /// "video track 1 is malformed: atom 'stsz' at offset 1234 has an invalid table".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind.map_or("", TrackKind::name);
        let space = if kind.is_empty() { "" } else { " " };
        match self.id {
            Some(id) => write!(f, "{kind}{space}track {id}")?,
            None => write!(f, "{kind}{space}track at offset {} (id unreadable)", self.trak.offset)?,
        }
        if self.kind.is_none() {
            f.write_str(" of unknown kind")?;
        }
        write!(f, " is malformed: {}", self.error)
    }
}
