//! An instant to a movie and a frame: the recording covering it and the frame shown
//! then. Cold, this lists the day directory of the instant alone (not its parents; the
//! day before too when no movie of the day has started yet: one started late the day
//! before may still be recording) and opens the one movie starting last before the
//! instant; in a gap it also looks up to a day ahead for the next recording.

use lazyqt_media::Media;
use time::{Duration, OffsetDateTime};

use crate::archive::{Archive, Candidate};
use crate::catalog::{Opened, Record, Status};
use crate::error::{ArchiveError, Neighbour};
use crate::probe;

/// What [`Archive::locate`] found.
#[derive(Debug, Clone)]
pub struct Located {
    /// The movie.
    pub record: Record,
    /// The frame (0-based, presentation order).
    pub frame: u64,
    /// Seconds from the movie's start to the instant asked for (negative or past the
    /// end when `nearest` moved to a neighbouring recording).
    pub offset: f64,
    /// The open movie, to decode the frame with.
    pub media: Media,
}

/// How far a gap's answer looks for the next recording.
const LOOK_AHEAD: Duration = Duration::DAY;

impl Archive {
    /// The movie recording at `t` and the frame shown then. Outside any recording:
    /// with `nearest`, the closest frame of the nearest recording (the last frame of
    /// the one before, the first of the one after; the one before on a tie); without
    /// it, [`ArchiveError::NotRecording`] naming both. When the movie starting last
    /// before `t` cannot be opened, [`ArchiveError::Unusable`] says why.
    pub fn locate(&self, t: OffsetDateTime, nearest: bool) -> Result<Located, ArchiveError> {
        let opened = self.open_latest_before(t)?;
        let latest =
            opened.iter().filter(|o| o.record.start.is_some_and(|s| s <= t)).max_by_key(|o| o.record.start);
        if let Some(o) = latest {
            if o.record.status != Status::Ok {
                return Err(ArchiveError::Unusable {
                    at: t,
                    url: o.record.url.clone(),
                    status: o.record.status,
                    error: o.record.error.clone().unwrap_or_default(),
                });
            }
            if o.record.covers(t) {
                return at_offset(o, t);
            }
        }
        // In a gap: the one before ended before t; find the first one starting after.
        let before = latest.filter(|o| o.probe.is_some());
        let after = self.next_after(t)?;
        let gap_before = before.and_then(|o| o.record.end).map(|e| t - e);
        let gap_after = after.as_ref().and_then(|o| o.record.start).map(|s| s - t);
        if nearest {
            let take_before = match (gap_before, gap_after) {
                (Some(b), Some(a)) => b <= a,
                (b, _) => b.is_some(),
            };
            let chosen = if take_before { before } else { after.as_ref() };
            if let Some(o) = chosen {
                let frames = o.record.frames.unwrap_or(0);
                let frame = if take_before { frames.saturating_sub(1) } else { 0 };
                return located(o, frame, t);
            }
        }
        Err(ArchiveError::NotRecording {
            at: t,
            before: before.and_then(|o| Some(Neighbour { url: o.record.url.clone(), at: o.record.end? })),
            after: after.and_then(|o| Some(Neighbour { url: o.record.url.clone(), at: o.record.start? })),
        })
    }

    /// [`Archive::locate`] of each of `instants`, in their order: an instant the movie
    /// found for an earlier one (in time) also covers is answered from it without any I/O,
    /// so instants in one recording open it once, and sorted lists cost one locate per
    /// movie. A gap (or any other failure) is that instant's error alone.
    pub fn locate_all(
        &self,
        instants: &[OffsetDateTime],
        nearest: bool,
    ) -> Vec<Result<Located, ArchiveError>> {
        let mut order: Vec<usize> = (0..instants.len()).collect();
        order.sort_by_key(|&i| instants[i]);
        let mut out: Vec<Option<Result<Located, ArchiveError>>> = instants.iter().map(|_| None).collect();
        let mut last: Option<Located> = None;
        for i in order {
            let t = instants[i];
            let found = match last.as_ref().filter(|l| l.record.covers(t)) {
                Some(l) => within(l, t),
                None => self.locate(t, nearest),
            };
            if let Ok(l) = &found {
                if l.record.covers(t) {
                    last = Some(l.clone());
                }
            }
            out[i] = Some(found);
        }
        out.into_iter().flatten().collect()
    }

    /// The movies that may be recording at `t`, opened: the one whose name starts last
    /// at or before `t` (on its day, else the day before), and those whose names state
    /// no start.
    fn open_latest_before(&self, t: OffsetDateTime) -> Result<Vec<Opened>, ArchiveError> {
        let mut cands = self.day(t.date())?;
        if !cands.iter().any(|c| c.name_start.is_some_and(|s| s <= t)) {
            cands.extend(self.day(t.date().previous_day().unwrap_or(t.date()))?);
        }
        dedup(&mut cands);
        let latest = cands.iter().filter_map(|c| c.name_start.filter(|&s| s <= t)).max();
        cands.retain(|c| c.name_start.is_none() || c.name_start == latest);
        Ok(self.open_all(&cands))
    }

    /// The first usable recording whose name starts after `t`, up to [`LOOK_AHEAD`]
    /// later (opened in start order until one opens).
    fn next_after(&self, t: OffsetDateTime) -> Result<Option<Opened>, ArchiveError> {
        let horizon = t + LOOK_AHEAD;
        let mut cands = self.day(t.date())?;
        if horizon.date() != t.date() {
            cands.extend(self.day(horizon.date())?);
        }
        dedup(&mut cands);
        cands.retain(|c| c.name_start.is_some_and(|s| s > t && s <= horizon));
        cands.sort_by_key(|c| c.name_start);
        for c in cands {
            let mut opened = self.open_all(std::slice::from_ref(&c));
            match opened.pop() {
                Some(o) if o.probe.is_some() => return Ok(Some(o)),
                _ => continue,
            }
        }
        Ok(None)
    }
}

/// Drop candidates seen twice (a flat root answers for every day).
fn dedup(cands: &mut Vec<Candidate>) {
    let mut seen = std::collections::HashSet::new();
    cands.retain(|c| seen.insert(c.uri.clone()));
}

/// The frame of `o` shown at `t`.
fn at_offset(o: &Opened, t: OffsetDateTime) -> Result<Located, ArchiveError> {
    let (Some(p), Some(start)) = (&o.probe, o.record.start) else {
        return Err(ArchiveError::Invalid(format!("{} has no known start", o.record.url)));
    };
    let offset = (t - start).as_seconds_f64();
    let frame = probe::frame_at(&p.media, offset)?;
    Ok(Located { record: o.record.clone(), frame, offset, media: p.media.clone() })
}

/// The frame of the movie of `l` (which covers `t`) shown at `t`.
fn within(l: &Located, t: OffsetDateTime) -> Result<Located, ArchiveError> {
    let start = l.record.start.unwrap_or(t);
    let offset = (t - start).as_seconds_f64();
    let frame = probe::frame_at(&l.media, offset)?;
    Ok(Located { record: l.record.clone(), frame, offset, media: l.media.clone() })
}

/// `o` at `frame`, for an instant `t` outside it.
fn located(o: &Opened, frame: u64, t: OffsetDateTime) -> Result<Located, ArchiveError> {
    let (Some(p), Some(start)) = (&o.probe, o.record.start) else {
        return Err(ArchiveError::Invalid(format!("{} has no known start", o.record.url)));
    };
    Ok(Located {
        record: o.record.clone(),
        frame,
        offset: (t - start).as_seconds_f64(),
        media: p.media.clone(),
    })
}
