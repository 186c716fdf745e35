//! Frames across an archive, planned before anything is decoded: every `every` from
//! `from` to `to` (instants no recording covers are left out), or the frame at a fixed
//! offset into each movie of a range. Each movie of the range is opened once; what a
//! front end then fetches and writes (and its manifest: UTC, movie, frame) comes from
//! the plan.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::archive::Archive;
use crate::catalog::{Opened, Status};
use crate::error::ArchiveError;
use crate::probe;

/// Most frames one plan holds.
pub const MAX_PLANNED: usize = 10_000_000;

/// One frame of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    /// The instant the frame is shown.
    #[serde(with = "time::serde::rfc3339")]
    pub utc: OffsetDateTime,
    /// The movie's URL or path.
    pub url: String,
    /// The frame (0-based, presentation order).
    pub frame: u64,
    /// Seconds from the movie's start to `utc`.
    #[serde(skip)]
    pub offset: f64,
    /// The open movie, to decode the frame with.
    #[serde(skip)]
    pub media: lazyqt_media::Media,
}

impl Archive {
    /// The frames shown at `from`, `from + every`, … up to `to` (inclusive), in time
    /// order; instants between recordings (or in movies that do not open) are left out.
    pub fn plan_every(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        every: Duration,
    ) -> Result<Vec<Planned>, ArchiveError> {
        if !every.is_positive() {
            return Err(ArchiveError::Invalid(format!("the interval must be positive, not {every}")));
        }
        let steps = ((to - from).as_seconds_f64() / every.as_seconds_f64()).floor();
        if steps >= MAX_PLANNED as f64 {
            return Err(ArchiveError::Invalid(format!(
                "{steps} instants from {from} to {to}: more than {MAX_PLANNED}; use a longer interval"
            )));
        }
        let instants = (0..=(steps.max(-1.0) as i64)).map(|k| from + every * (k as f64));
        self.plan_instants(from, to, instants, &mut |_| {})
    }

    /// The frames shown at `instants` (rising, within `[from, to]`), in their order; each
    /// instant between recordings (or in a movie that does not open) is handed to `gap`
    /// and left out. The movies of the range are opened once.
    pub fn plan_instants(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        instants: impl IntoIterator<Item = OffsetDateTime>,
        gap: &mut dyn FnMut(OffsetDateTime),
    ) -> Result<Vec<Planned>, ArchiveError> {
        let movies = usable(self.open_range(Some(from), Some(to))?);
        let mut out = Vec::new();
        let mut i = 0;
        for t in instants {
            // Instants rise: the movie covering t is at or after the previous one.
            while i < movies.len() && movies[i].record.end.is_some_and(|e| e <= t) {
                i += 1;
            }
            match movies.get(i).filter(|o| o.record.covers(t)) {
                Some(o) => out.push(planned(o, t, (t - o.record.start.unwrap_or(t)).as_seconds_f64())?),
                None => gap(t),
            }
        }
        Ok(out)
    }

    /// The frame `offset` seconds into each movie that starts in `[from, to]`, in time
    /// order; movies shorter than that (or that do not open) are left out.
    pub fn plan_offset(
        &self,
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
        offset: f64,
    ) -> Result<Vec<Planned>, ArchiveError> {
        if !offset.is_finite() || offset < 0.0 {
            return Err(ArchiveError::Invalid(format!(
                "the offset must be a non-negative number of seconds, not {offset}"
            )));
        }
        let mut out = Vec::new();
        for o in usable(self.open_range(from, to)?) {
            let (Some(start), Some(duration)) = (o.record.start, o.record.duration) else { continue };
            if from.is_some_and(|f| start < f) || offset >= duration {
                continue;
            }
            out.push(planned(&o, start + Duration::seconds_f64(offset), offset)?);
        }
        Ok(out)
    }
}

/// The movies that opened and have a start and an end, sorted by start.
fn usable(opened: Vec<Opened>) -> Vec<Opened> {
    let mut v: Vec<Opened> = opened
        .into_iter()
        .filter(|o| o.record.status == Status::Ok && o.record.start.is_some() && o.record.end.is_some())
        .collect();
    v.sort_by_key(|o| o.record.start);
    v
}

/// The frame of `o` shown `offset` seconds into it, at `utc`.
fn planned(o: &Opened, utc: OffsetDateTime, offset: f64) -> Result<Planned, ArchiveError> {
    let media = &o
        .probe
        .as_ref()
        .ok_or_else(|| ArchiveError::Invalid(format!("{} is not open", o.record.url)))?
        .media;
    Ok(Planned {
        utc,
        url: o.record.url.clone(),
        frame: probe::frame_at(media, offset)?,
        offset,
        media: media.clone(),
    })
}
