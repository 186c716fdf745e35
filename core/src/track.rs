//! A track: its headers, its sample description, and references (offset, count) into
//! its sample tables — never copies. Lookups read a few entries through [`ReadAt`].

use crate::atom::{read_array, AtomHeader};
use crate::boxes::elst::Edit;
use crate::boxes::hdlr::Handler;
use crate::boxes::headers::{MediaHeader, TrackHeader};
use crate::boxes::stsd::{Details, SampleEntry};
use crate::boxes::table::{be32, Window};
use crate::cursor::{Cursor, NoIndex, Sample, SampleTables, SeekIndex};
use crate::error::{Error, ErrorKind, Result};
use crate::fourcc::{codes, FourCC};
use crate::read_at::ReadAt;

/// How far (in samples) decode order may stray from presentation order. H.264 allows
/// at most 16 reference frames, so 16 covers every conforming stream.
pub const REORDER_WINDOW: u32 = 16;

/// What a track holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackKind {
    /// Pictures.
    Video,
    /// Sound.
    Audio,
    /// SMPTE timecode.
    Timecode,
    /// Anything else (text, metadata, hints…).
    Other,
}

impl TrackKind {
    /// The kind a handler subtype (`vide`, `soun`, `tmcd`, …) names.
    pub const fn of_handler(subtype: FourCC) -> Self {
        match &subtype.0 {
            b"vide" => TrackKind::Video,
            b"soun" => TrackKind::Audio,
            b"tmcd" => TrackKind::Timecode,
            _ => TrackKind::Other,
        }
    }

    /// Lower-case name: "video", "audio", "timecode", "other".
    pub const fn name(self) -> &'static str {
        match self {
            TrackKind::Video => "video",
            TrackKind::Audio => "audio",
            TrackKind::Timecode => "timecode",
            TrackKind::Other => "other",
        }
    }
}

/// One track of a movie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    /// The `trak` atom.
    pub trak: AtomHeader,
    /// `tkhd` fields.
    pub header: TrackHeader,
    /// `mdhd` fields.
    pub media: MediaHeader,
    /// `hdlr` fields.
    pub handler: Handler,
    /// The first sample description.
    pub entry: SampleEntry,
    /// Where the sample tables are.
    pub tables: SampleTables,
    /// The edit that decides which samples are shown, if the track has an edit list.
    pub edit: Option<Edit>,
    /// The movie's timescale (edit durations are in it).
    pub movie_timescale: u32,
    /// Rank (in presentation order) of the first sample the edit list shows.
    pub(crate) first_frame: u32,
    /// Number of samples the edit list shows.
    pub(crate) frame_count: u32,
    /// Presentation timestamp of frame 0.
    pub(crate) first_pts: i64,
}

/// `value * num / den` rounded to nearest, or `None` on overflow or a zero `den`.
fn rescale(value: u64, num: u32, den: u32) -> Option<u64> {
    if den == 0 {
        return None;
    }
    let v = (u128::from(value) * u128::from(num) + u128::from(den) / 2) / u128::from(den);
    u64::try_from(v).ok()
}

impl Track {
    /// Work out which samples the edit list shows (frame 0, frame count, origin).
    pub(crate) fn locate_frames<R: ReadAt + ?Sized>(&mut self, r: &R) -> Result<(), R::Error> {
        let count = self.sample_count();
        if count > 0 {
            self.first_frame = self.count_pts_below(r, self.media_start())?;
            let end = match self.media_end()? {
                Some(end) => self.count_pts_below(r, end)?,
                None => count,
            };
            self.frame_count = end.saturating_sub(self.first_frame);
            if self.frame_count > 0 {
                self.first_pts = self.frame(r, 0)?.pts;
            }
        }
        Ok(())
    }

    /// Track id from `tkhd`.
    pub fn id(&self) -> u32 {
        self.header.track_id
    }

    /// What the track holds, from its handler.
    pub fn kind(&self) -> TrackKind {
        TrackKind::of_handler(self.handler.subtype)
    }

    /// Codec / format code of the sample description (`apcn`, `avc1`, `in24`…).
    pub fn codec(&self) -> FourCC {
        self.entry.format
    }

    /// Picture width: the sample entry's coded width, else the `tkhd` width.
    pub fn width(&self) -> u32 {
        match self.entry.visual() {
            Some(v) if v.width > 0 => u32::from(v.width),
            _ => self.header.width >> 16,
        }
    }

    /// Picture height: the sample entry's coded height, else the `tkhd` height.
    pub fn height(&self) -> u32 {
        match self.entry.visual() {
            Some(v) if v.height > 0 => u32::from(v.height),
            _ => self.header.height >> 16,
        }
    }

    /// Units per second of the track's timestamps.
    pub fn timescale(&self) -> u32 {
        self.media.timescale
    }

    /// Number of samples (decode order).
    pub fn sample_count(&self) -> u32 {
        self.tables.sizes.count
    }

    /// Number of frames shown after the edit list (presentation order).
    pub fn frame_count(&self) -> u32 {
        self.frame_count
    }

    /// Average frame rate as a fraction `(num, den)`: samples per media duration.
    pub fn frame_rate(&self) -> Option<(u64, u64)> {
        let num = u64::from(self.sample_count()).checked_mul(u64::from(self.timescale()))?;
        (self.media.duration > 0 && num > 0).then_some((num, self.media.duration))
    }

    /// First media time shown (track timescale).
    pub fn media_start(&self) -> i64 {
        self.edit.map_or(0, |e| e.media_time)
    }

    /// Presentation timestamp of frame 0: the origin of the track's presentation timeline.
    ///
    /// Equal to the edit's media time when the edit starts on a frame; when it starts
    /// inside a frame, that partly shown frame is dropped (as FFmpeg does) and the
    /// timeline starts at the next one.
    pub fn first_pts(&self) -> i64 {
        self.first_pts
    }

    /// Delay of leading empty edits, in the track's timescale.
    pub fn start_delay(&self) -> u64 {
        self.edit.and_then(|e| rescale(e.empty_delay, self.timescale(), self.movie_timescale)).unwrap_or(0)
    }

    /// Media time where the edit stops showing samples, `None` = end of media.
    fn media_end<E>(&self) -> Result<Option<i64>, E> {
        let Some(edit) = self.edit.filter(|e| e.segment_duration > 0) else { return Ok(None) };
        let len = rescale(edit.segment_duration, self.timescale(), self.movie_timescale)
            .and_then(|l| i64::try_from(l).ok())
            .and_then(|l| l.checked_add(edit.media_time))
            .ok_or(Error::format(ErrorKind::Overflow, codes::ELST, self.trak.offset))?;
        Ok(Some(len))
    }

    /// Presented duration in the track's timescale (after the edit list).
    pub fn duration(&self) -> u64 {
        match self.edit {
            Some(e) if e.segment_duration > 0 => {
                rescale(e.segment_duration, self.timescale(), self.movie_timescale).unwrap_or(0)
            }
            _ => self.media.duration.saturating_sub(self.media_start().unsigned_abs()),
        }
    }

    /// Sample `index` (decode order).
    pub fn sample<R: ReadAt + ?Sized>(&self, r: &R, index: u32) -> Result<Sample, R::Error> {
        let mut c = Cursor::new(&self.tables);
        c.seek(r, index)?;
        c.next(r).unwrap_or(Err(Error::OutOfRange {
            asked: u64::from(index),
            available: u64::from(self.sample_count()),
        }))
    }

    /// A cursor over all samples in decode order, O(1) amortized per sample.
    pub fn samples<R: ReadAt + ?Sized>(&self, r: &R) -> Result<Cursor<'_>, R::Error> {
        Cursor::at(&self.tables, r, 0)
    }

    /// A cursor whose first sample is `index`.
    pub fn samples_from<R: ReadAt + ?Sized>(&self, r: &R, index: u32) -> Result<Cursor<'_>, R::Error> {
        Cursor::at(&self.tables, r, index)
    }

    /// The last sync sample at or before `index`: where decoding must start to show it.
    pub fn sync_sample_at_or_before<R: ReadAt + ?Sized>(&self, r: &R, index: u32) -> Result<u32, R::Error> {
        if index >= self.sample_count() {
            return Err(Error::OutOfRange {
                asked: u64::from(index),
                available: u64::from(self.sample_count()),
            });
        }
        let Some(t) = &self.tables.stss else { return Ok(index) };
        let target = u64::from(index) + 1;
        let (mut lo, mut hi) = (0u32, t.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let v = u64::from(u32::from_be_bytes(t.get::<R, 4>(r, mid)?));
            if v <= target {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo == 0 {
            return Ok(0);
        }
        let v = u32::from_be_bytes(t.get::<R, 4>(r, lo - 1)?);
        Ok(v.saturating_sub(1).min(index))
    }

    /// Number of samples with decode time below `v`.
    fn count_dts_below<R: ReadAt + ?Sized>(&self, r: &R, v: i64) -> Result<u32, R::Error> {
        let Ok(v) = u64::try_from(v) else { return Ok(0) };
        let t = &self.tables.stts;
        let mut w = Window::new();
        let (mut acc, mut time) = (0u64, 0u64);
        for k in 0..t.count {
            if time >= v {
                break;
            }
            let e = w.entry(r, t, k)?;
            let (n, d) = (u64::from(be32(e, 0)), u64::from(be32(e, 4)));
            let below = if d == 0 { n } else { (v - time).div_ceil(d).min(n) };
            acc = acc.saturating_add(below);
            if below < n {
                break;
            }
            time = time.saturating_add(n.saturating_mul(d));
        }
        Ok(u32::try_from(acc).unwrap_or(u32::MAX).min(self.sample_count()))
    }

    /// Number of samples with presentation time below `v`, assuming reordering stays
    /// within [`REORDER_WINDOW`].
    fn count_pts_below<R: ReadAt + ?Sized>(&self, r: &R, v: i64) -> Result<u32, R::Error> {
        let m = self.count_dts_below(r, v)?;
        if self.tables.ctts.is_none() {
            return Ok(m);
        }
        let a = m.saturating_sub(REORDER_WINDOW);
        let b = m.saturating_add(REORDER_WINDOW).min(self.sample_count());
        let mut count = m;
        let mut c = Cursor::new(&self.tables);
        c.seek(r, a)?;
        for j in a..b {
            let Some(s) = c.next(r) else { break };
            let s = s?;
            if j < m && s.pts >= v {
                count -= 1;
            } else if j >= m && s.pts < v {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Frame `n` in presentation order after the edit list (0-based): the sample to show.
    pub fn frame<R: ReadAt + ?Sized>(&self, r: &R, n: u32) -> Result<Sample, R::Error> {
        self.frame_with(r, n, &NoIndex)
    }

    /// [`Track::frame`] with the tables' walks started where `index` says (an index of
    /// their runs built outside the core makes the lookup O(1) in runs).
    pub fn frame_with<R: ReadAt + ?Sized, I: SeekIndex + ?Sized>(
        &self,
        r: &R,
        n: u32,
        index: &I,
    ) -> Result<Sample, R::Error> {
        if n >= self.frame_count {
            return Err(Error::OutOfRange { asked: u64::from(n), available: u64::from(self.frame_count) });
        }
        let rank = self.first_frame + n;
        if self.tables.ctts.is_none() {
            let mut c = Cursor::new(&self.tables);
            c.seek_from(r, rank, &index.start(rank))?;
            return c.next(r).unwrap_or(Err(Error::OutOfRange {
                asked: u64::from(rank),
                available: u64::from(self.sample_count()),
            }));
        }
        const SPAN: usize = 2 * REORDER_WINDOW as usize + 1;
        let depth = index.reorder_depth().map_or(REORDER_WINDOW, |d| d.min(REORDER_WINDOW));
        let a = rank.saturating_sub(depth);
        let b = rank.saturating_add(depth + 1).min(self.sample_count());
        let mut window = [Sample::default(); SPAN];
        let mut len = 0usize;
        let mut c = Cursor::new(&self.tables);
        c.seek_from(r, a, &index.start(a))?;
        c.expect_sequential();
        for slot in window.iter_mut().take((b - a) as usize) {
            let Some(s) = c.next(r) else { break };
            *slot = s?;
            len += 1;
        }
        // The frame is the sample with (rank - a) others of the window before it in
        // presentation order.
        let window = window.get_mut(..len).unwrap_or(&mut []);
        insertion_sort_by_pts(window);
        match window.get((rank - a) as usize) {
            Some(s) => Ok(*s),
            None => Err(Error::format(ErrorKind::ReorderTooDeep, codes::CTTS, self.trak.offset)),
        }
    }

    /// The frame shown at time `value / scale` seconds from the start of the track's
    /// presentation (after the edit list).
    pub fn frame_at_time<R: ReadAt + ?Sized>(&self, r: &R, value: u64, scale: u32) -> Result<u32, R::Error> {
        let overflow = || Error::format(ErrorKind::Overflow, codes::MDHD, self.trak.offset);
        let t = rescale(value, self.timescale(), scale).ok_or_else(overflow)?;
        let duration = self.duration();
        let since_start = t.saturating_sub(self.start_delay());
        if self.frame_count == 0 || since_start >= duration {
            let available = rescale(duration.saturating_add(self.start_delay()), scale, self.timescale())
                .unwrap_or(u64::MAX);
            return Err(Error::OutOfRange { asked: value, available });
        }
        let target = i64::try_from(since_start)
            .ok()
            .and_then(|s| s.checked_add(self.first_pts))
            .and_then(|s| s.checked_add(1))
            .ok_or_else(overflow)?;
        let shown = self.count_pts_below(r, target)?;
        Ok(shown.saturating_sub(self.first_frame).saturating_sub(1).min(self.frame_count - 1))
    }

    /// When `sample` is shown, in the track's timescale from the start of the presentation.
    pub fn presentation_time(&self, sample: &Sample) -> i64 {
        let delay = i64::try_from(self.start_delay()).unwrap_or(i64::MAX);
        sample.pts.saturating_sub(self.first_pts).saturating_add(delay)
    }

    /// The starting frame number of a timecode track (its first sample, a big-endian
    /// 32-bit counter), with the timecode's parameters.
    pub fn timecode_start<R: ReadAt + ?Sized>(
        &self,
        r: &R,
    ) -> Result<(u32, crate::boxes::stsd::Timecode), R::Error> {
        let Details::Timecode(tc) = self.entry.details else {
            return Err(Error::format(ErrorKind::NotApplicable, self.codec(), self.trak.offset));
        };
        let s = self.sample(r, 0)?;
        if s.size < 4 {
            return Err(Error::format(ErrorKind::Truncated, codes::TMCD, s.offset));
        }
        let b: [u8; 4] = read_array(r, s.offset)?;
        Ok((u32::from_be_bytes(b), tc))
    }
}

/// Sorts a reorder window by (pts, index). Insertion sort on purpose: the window holds at
/// most `2 * REORDER_WINDOW + 1` samples, nearly in order already, and unlike
/// `slice::sort_unstable` (quicksort) it does not recurse — the core's call graph stays
/// acyclic, which `embedded/check.py` verifies for the stack bound.
fn insertion_sort_by_pts(window: &mut [Sample]) {
    for i in 1..window.len() {
        let mut j = i;
        while j > 0 {
            let (Some(prev), Some(cur)) = (window.get(j - 1), window.get(j)) else { break };
            if (prev.pts, prev.index) <= (cur.pts, cur.index) {
                break;
            }
            if let Some([a, b]) = window.get_mut(j - 1..=j) {
                core::mem::swap(a, b);
            }
            j -= 1;
        }
    }
}
