//! Opening a movie: find `moov` without touching `mdat`, then parse its tracks.

use crate::atom::{AtomHeader, Children};
use crate::boxes::elst;
use crate::boxes::ftyp::{self, FileType};
use crate::boxes::hdlr::{self, Handler};
use crate::boxes::headers::{self, MediaHeader, MovieHeader, TrackHeader};
use crate::boxes::stsd::{self, SampleEntry};
use crate::boxes::table::{self, SampleSizes, Table};
use crate::cursor::SampleTables;
use crate::error::{Error, ErrorKind, Result};
use crate::fourcc::{codes, FourCC};
use crate::read_at::ReadAt;
use crate::skipped::SkippedTrack;
use crate::track::{Track, TrackKind};

/// Most tracks kept per movie; further ones are counted in [`Movie::ignored_tracks`].
pub const MAX_TRACKS: usize = 16;

/// Most malformed tracks recorded per movie; further ones are only counted in
/// [`Movie::ignored_tracks`].
pub const MAX_SKIPPED_TRACKS: usize = 16;

/// Seconds from the QuickTime epoch (1904-01-01) to the Unix epoch (1970-01-01).
pub const QUICKTIME_EPOCH_OFFSET: u64 = 2_082_844_800;

/// The `moov` header of [`Movie::empty`].
const NO_MOOV: AtomHeader = AtomHeader { kind: codes::MOOV, offset: 0, size: 0, header_len: 0, uuid: None };

/// A parsed movie: headers and tracks, all plain data (no borrowed reader), so it can
/// be cached and shared while lookups read through any [`ReadAt`] over the same file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movie {
    /// Length of the file.
    pub file_len: u64,
    /// The `ftyp` atom, if the file has one before `moov`.
    pub file_type: Option<FileType>,
    /// The `moov` atom.
    pub moov: AtomHeader,
    /// `mvhd` fields.
    pub header: MovieHeader,
    tracks: heapless::Vec<Track, MAX_TRACKS>,
    skipped: heapless::Vec<SkippedTrack, MAX_SKIPPED_TRACKS>,
    /// The first malformed track that is or may be a video track, even when `skipped` is full.
    first_broken_video: Option<SkippedTrack>,
    /// Tracks not kept: beyond [`MAX_TRACKS`], or malformed (the first
    /// [`MAX_SKIPPED_TRACKS`] of those are in [`Movie::skipped_tracks`]).
    pub ignored_tracks: u32,
}

impl Movie {
    /// A movie of no file and no tracks: storage for [`Movie::open_in`].
    pub const fn empty() -> Self {
        Movie {
            file_len: 0,
            file_type: None,
            moov: NO_MOOV,
            header: MovieHeader { creation_time: 0, modification_time: 0, timescale: 0, duration: 0 },
            tracks: heapless::Vec::new(),
            skipped: heapless::Vec::new(),
            first_broken_video: None,
            ignored_tracks: 0,
        }
    }

    /// Parse the movie in `r`: walk the top-level atoms (one small read each), read
    /// `moov` (announced to the source with [`ReadAt::will_need`]) and its tracks.
    ///
    /// Returns the movie by value (over 13 KB with [`MAX_TRACKS`] = 16): where stack is
    /// scarce, open into storage you hold with [`Movie::open_in`].
    pub fn open<R: ReadAt + ?Sized>(r: &R) -> Result<Self, R::Error> {
        let mut movie = Movie::empty();
        movie.open_in(r)?;
        Ok(movie)
    }

    /// [`Movie::open`] into `self`, replacing what it held: the tracks are built in
    /// place, so opening needs a few KB of stack besides the `Movie` (a `static` or a
    /// long-lived local). After an error `self` is [`Movie::empty`].
    pub fn open_in<R: ReadAt + ?Sized>(&mut self, r: &R) -> Result<(), R::Error> {
        self.clear();
        let out = self.parse(r);
        if out.is_err() {
            self.clear();
        }
        out
    }

    /// Make `self` [`Movie::empty`] field by field (assigning a whole empty movie could
    /// build one on the stack first).
    fn clear(&mut self) {
        let Movie { file_len, file_type, moov, header, tracks, skipped, first_broken_video, ignored_tracks } =
            self;
        *file_len = 0;
        *file_type = None;
        *moov = NO_MOOV;
        *header = MovieHeader::default();
        tracks.clear();
        skipped.clear();
        *first_broken_video = None;
        *ignored_tracks = 0;
    }

    /// The body of [`Movie::open_in`], on a cleared `self`.
    fn parse<R: ReadAt + ?Sized>(&mut self, r: &R) -> Result<(), R::Error> {
        self.file_len = r.len().map_err(|error| Error::Read { offset: 0, len: 0, error })?;
        let mut top = Children::new(0, self.file_len);
        let moov = loop {
            match top.next(r) {
                None => return Err(Error::format(ErrorKind::NoMoov, codes::FILE, 0)),
                Some(Err(Error::Format(e))) if e.offset == 0 && e.kind != ErrorKind::TooManyAtoms => {
                    return Err(Error::format(ErrorKind::NotAMovie, e.atom, 0));
                }
                Some(h) => {
                    let h = h?;
                    if h.kind == codes::FTYP && self.file_type.is_none() {
                        self.file_type = Some(ftyp::parse(r, &h)?);
                    } else if h.kind == codes::MOOV {
                        break h;
                    }
                }
            }
        };
        self.moov = moov;
        r.will_need(moov.offset, moov.size);
        let mut header = None;
        let mut children = Children::of(&moov);
        while let Some(h) = children.next(r) {
            let h = h?;
            if h.kind == codes::MVHD && header.is_none() {
                header = Some(headers::parse_mvhd(r, &h)?);
            } else if h.kind == codes::TRAK {
                let movie_timescale = header.map_or(0, |m: MovieHeader| m.timescale);
                match self.add_track(r, &h, movie_timescale) {
                    Ok(()) => {}
                    Err(Error::Format(e)) => {
                        self.ignored_tracks += 1;
                        let bad = SkippedTrack::identify(r, &h, e);
                        if bad.may_be_video() {
                            self.first_broken_video.get_or_insert(bad);
                        }
                        // Beyond the capacity a malformed track is only counted.
                        let _ = self.skipped.push(bad);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        self.header = header.ok_or(Error::format(ErrorKind::Missing, codes::MVHD, moov.offset))?;
        Ok(())
    }

    /// Parse `trak` into the next free track slot, or, when all [`MAX_TRACKS`] are
    /// taken, only check it (a malformed one is still reported) and count it as ignored.
    fn add_track<R: ReadAt + ?Sized>(
        &mut self,
        r: &R,
        trak: &AtomHeader,
        movie_timescale: u32,
    ) -> Result<(), R::Error> {
        // (`resize_with` writes the blank track in place; `push` would return it back.)
        if self.tracks.resize_with(self.tracks.len() + 1, || blank_track(trak)).is_err() {
            check_track(r, trak, movie_timescale)?;
            self.ignored_tracks += 1;
            return Ok(());
        }
        // Always `Some`: the list just grew by this track.
        let Some(track) = self.tracks.last_mut() else { return Ok(()) };
        let out = parse_track(r, trak, movie_timescale, track);
        if out.is_err() {
            // (`truncate`, not `pop`: that would return the track by value.)
            self.tracks.truncate(self.tracks.len().saturating_sub(1));
        }
        out
    }

    /// The tracks, in file order.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// The malformed tracks, in file order (the first [`MAX_SKIPPED_TRACKS`]).
    pub fn skipped_tracks(&self) -> &[SkippedTrack] {
        &self.skipped
    }

    /// The track with id `id`.
    pub fn track(&self, id: u32) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id() == id)
    }

    /// The main video track: the first video track with samples (else the first video
    /// track), or `None` when there is none or when [`Movie::default_video`] refuses it.
    pub fn video_track(&self) -> Option<&Track> {
        self.default_video().ok().flatten()
    }

    /// The main video track, as [`Movie::video_track`] picks it, unless a malformed track
    /// that is (or, its handler unreadable, may be) a video track comes before it in the
    /// file: then that track, since the caller asked for the first video track and another
    /// track's pictures would be a wrong answer. `Ok(None)`: no video track at all.
    pub fn default_video(&self) -> core::result::Result<Option<&Track>, SkippedTrack> {
        let video = self.tracks.iter().filter(|t| t.kind() == TrackKind::Video);
        let chosen = video.clone().find(|t| t.sample_count() > 0).or_else(|| video.clone().next());
        match (self.first_broken_video, chosen) {
            (Some(bad), Some(t)) if bad.trak.offset < t.trak.offset => Err(bad),
            (Some(bad), None) => Err(bad),
            (_, chosen) => Ok(chosen),
        }
    }

    /// Creation time as seconds since the Unix epoch, if set.
    pub fn creation_unix_time(&self) -> Option<i64> {
        let t = self.header.creation_time;
        (t != 0).then(|| t as i64 - QUICKTIME_EPOCH_OFFSET as i64)
    }
}

/// The atoms of one `stbl`, found in one pass.
#[derive(Default)]
struct StblAtoms {
    stsd: Option<AtomHeader>,
    stts: Option<AtomHeader>,
    ctts: Option<AtomHeader>,
    stss: Option<AtomHeader>,
    stsc: Option<AtomHeader>,
    sizes: Option<AtomHeader>,
    chunks: Option<AtomHeader>,
}

fn required<E>(h: Option<AtomHeader>, kind: FourCC, parent: &AtomHeader) -> Result<AtomHeader, E> {
    h.ok_or(Error::format(ErrorKind::Missing, kind, parent.offset))
}

/// A track of no samples at `trak`: the slot [`parse_track`] fills.
fn blank_track(trak: &AtomHeader) -> Track {
    Track {
        trak: *trak,
        header: TrackHeader::default(),
        media: MediaHeader::default(),
        handler: Handler::default(),
        entry: SampleEntry::default(),
        tables: SampleTables::default(),
        edit: None,
        movie_timescale: 0,
        first_frame: 0,
        frame_count: 0,
        first_pts: 0,
    }
}

/// Parse `trak` as [`parse_track`] does, into a slot of its own (on this function's
/// stack, only while it runs): for tracks beyond [`MAX_TRACKS`].
#[inline(never)]
fn check_track<R: ReadAt + ?Sized>(r: &R, trak: &AtomHeader, movie_timescale: u32) -> Result<(), R::Error> {
    let mut track = blank_track(trak);
    parse_track(r, trak, movie_timescale, &mut track)
}

/// Parse `trak` into `track` (a [`blank_track`] in its final place: a `Track` is over
/// 700 bytes, and returning one by value costs a copy per frame on the way).
fn parse_track<R: ReadAt + ?Sized>(
    r: &R,
    trak: &AtomHeader,
    movie_timescale: u32,
    track: &mut Track,
) -> Result<(), R::Error> {
    let (mut tkhd, mut mdia, mut edit) = (None, None, None);
    let mut children = Children::of(trak);
    while let Some(h) = children.next(r) {
        let h = h?;
        match &h.kind.0 {
            b"tkhd" => tkhd = Some(headers::parse_tkhd(r, &h)?),
            b"mdia" => mdia = Some(h),
            b"edts" => {
                if let Some(e) = Children::of(&h).find(r, codes::ELST)? {
                    edit = Some(elst::parse(r, &e)?);
                }
            }
            _ => {}
        }
    }
    let header: TrackHeader = tkhd.ok_or(Error::format(ErrorKind::Missing, codes::TKHD, trak.offset))?;
    let mdia = required(mdia, codes::MDIA, trak)?;
    let (mut mdhd, mut handler, mut minf) = (None, None, None);
    let mut children = Children::of(&mdia);
    while let Some(h) = children.next(r) {
        let h = h?;
        match &h.kind.0 {
            b"mdhd" => mdhd = Some(headers::parse_mdhd(r, &h)?),
            // minf may hold a second (data) handler; the media handler is mdia's.
            b"hdlr" if handler.is_none() => handler = Some(hdlr::parse(r, &h)?),
            b"minf" => minf = Some(h),
            _ => {}
        }
    }
    let media: MediaHeader = mdhd.ok_or(Error::format(ErrorKind::Missing, codes::MDHD, mdia.offset))?;
    if media.timescale == 0 {
        return Err(Error::format(ErrorKind::BadTable, codes::MDHD, mdia.offset));
    }
    let handler: Handler = handler.ok_or(Error::format(ErrorKind::Missing, codes::HDLR, mdia.offset))?;
    let minf = required(minf, codes::MINF, &mdia)?;
    let stbl = required(Children::of(&minf).find(r, codes::STBL)?, codes::STBL, &minf)?;
    let mut a = StblAtoms::default();
    let mut children = Children::of(&stbl);
    while let Some(h) = children.next(r) {
        let h = h?;
        let slot = match &h.kind.0 {
            b"stsd" => &mut a.stsd,
            b"stts" => &mut a.stts,
            b"ctts" => &mut a.ctts,
            b"stss" => &mut a.stss,
            b"stsc" => &mut a.stsc,
            b"stsz" | b"stz2" => &mut a.sizes,
            b"stco" | b"co64" => &mut a.chunks,
            _ => continue,
        };
        slot.get_or_insert(h);
    }
    stsd::parse_into(r, &required(a.stsd, codes::STSD, &stbl)?, handler.subtype, &mut track.entry)?;
    let sizes: SampleSizes = table::parse_sizes(r, &required(a.sizes, codes::STSZ, &stbl)?)?;
    let ctts = match a.ctts {
        Some(h) => Some(table::parse_simple(r, &h)?),
        None => None,
    };
    let stss: Option<Table> = match a.stss {
        Some(h) => Some(table::parse_simple(r, &h)?).filter(|t| t.count > 0),
        None => None,
    };
    if let Some(t) = &stss {
        check_sync_samples(r, t, sizes.count)?;
    }
    track.tables = SampleTables {
        stts: table::parse_simple(r, &required(a.stts, codes::STTS, &stbl)?)?,
        ctts,
        stss,
        stsc: table::parse_simple(r, &required(a.stsc, codes::STSC, &stbl)?)?,
        sizes,
        chunks: table::parse_simple(r, &required(a.chunks, codes::STCO, &stbl)?)?,
    };
    track.trak = *trak;
    track.header = header;
    track.media = media;
    track.handler = handler;
    track.edit = edit.filter(|_| movie_timescale > 0);
    track.movie_timescale = movie_timescale;
    track.locate_frames(r)
}

/// Sync sample numbers must rise strictly and name existing samples: lookups binary-search
/// them, so an unsorted table would make random access and walks disagree.
fn check_sync_samples<R: ReadAt + ?Sized>(r: &R, t: &Table, samples: u32) -> Result<(), R::Error> {
    let mut w = table::Window::new();
    let mut prev = 0u32;
    for i in 0..t.count {
        let n = table::be32(w.entry(r, t, i)?, 0);
        if n <= prev || n > samples {
            return Err(t.error(ErrorKind::BadTable));
        }
        prev = n;
    }
    Ok(())
}
