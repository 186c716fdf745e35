//! The catalog of a time range: one [`Record`] per movie, each opened once (lazily, in
//! parallel with a bound, through the disk cache of the archive's source options). A
//! movie that does not open is a record with its status and error, never a failure of
//! the catalog.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::archive::{Archive, Candidate};
use crate::error::ArchiveError;
use crate::names::Span;
use crate::probe::{self, Probe};

/// Whether a movie could be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It opened and has a video track.
    Ok,
    /// It was read but does not parse (or has no video track).
    Malformed,
    /// It could not be read (HTTP status, network, permissions).
    Unreachable,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Ok => "ok",
            Status::Malformed => "malformed",
            Status::Unreachable => "unreachable",
        })
    }
}

/// Where a record's start came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StartSource {
    /// A timestamp in the file name.
    Name,
    /// The movie header's creation time.
    Mvhd,
}

/// One movie of the archive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// URL or path.
    pub url: String,
    /// UTC start, when the name or the movie states it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub start: Option<OffsetDateTime>,
    /// UTC end: start plus duration.
    #[serde(with = "time::serde::rfc3339::option")]
    pub end: Option<OffsetDateTime>,
    /// Duration in seconds.
    pub duration: Option<f64>,
    /// Frames of the main video track.
    pub frames: Option<u64>,
    /// Size in bytes (from the movie, else from the listing).
    pub size: Option<u64>,
    /// Codec of the main video track.
    pub codec: Option<String>,
    /// Whether the movie could be used.
    pub status: Status,
    /// Where `start` came from.
    pub start_from: Option<StartSource>,
    /// Why the movie could not be used.
    pub error: Option<String>,
}

impl Record {
    /// Does the recording cover `t` (`start <= t < end`)?
    pub fn covers(&self, t: OffsetDateTime) -> bool {
        matches!((self.start, self.end), (Some(s), Some(e)) if s <= t && t < e)
    }
}

/// A record and, when it opened, the movie.
#[derive(Debug)]
pub(crate) struct Opened {
    pub record: Record,
    pub probe: Option<Probe>,
}

/// The record of a candidate and what opening it gave.
fn record_of(c: &Candidate, opened: &Result<Probe, probe::Failure>) -> Record {
    match opened {
        Ok(p) => {
            let (start, start_from) = match (c.name_start, p.creation) {
                (Some(s), _) => (Some(s), Some(StartSource::Name)),
                (None, Some(s)) => (Some(s), Some(StartSource::Mvhd)),
                (None, None) => (None, None),
            };
            let end = start.and_then(|s| s.checked_add(Duration::seconds_f64(p.duration)));
            Record {
                url: c.uri.clone(),
                start,
                end,
                duration: Some(p.duration),
                frames: Some(p.frames),
                size: Some(p.size),
                codec: Some(p.codec.clone()),
                status: Status::Ok,
                start_from,
                error: None,
            }
        }
        Err((status, error)) => Record {
            url: c.uri.clone(),
            start: c.name_start,
            end: None,
            duration: None,
            frames: None,
            size: c.listed_size,
            codec: None,
            status: *status,
            start_from: c.name_start.map(|_| StartSource::Name),
            error: Some(error.clone()),
        },
    }
}

impl Archive {
    /// Open `cands`, at most `self.parallel` at once; results in the same order.
    pub(crate) fn open_all(&self, cands: &[Candidate]) -> Vec<Opened> {
        crate::pool::map_bounded(cands, self.parallel, |c| {
            let opened = probe::probe(&c.uri, &self.opts);
            if let Err((status, error)) = &opened {
                tracing::info!(url = %c.uri, %status, %error, "movie not usable");
            }
            Opened { record: record_of(c, &opened), probe: opened.ok() }
        })
    }

    /// The movies the closed range `[from, to]` needs, opened: those whose name starts
    /// in it, the last one starting before `from` (within the day before: it may still
    /// be recording at `from`), and those whose names state no start (their `mvhd`
    /// does). Nothing is filtered by end yet.
    pub(crate) fn open_range(
        &self,
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
    ) -> Result<Vec<Opened>, ArchiveError> {
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(ArchiveError::Invalid(format!(
                    "the range starts ({}) after it ends ({})",
                    crate::names::rfc3339(f),
                    crate::names::rfc3339(t)
                )));
            }
        }
        let walk_range: Option<Span> = match (from, to) {
            (None, None) => None,
            (f, t) => Some((
                f.map_or(OffsetDateTime::UNIX_EPOCH - Duration::days(365 * 200), |f| f - Duration::DAY),
                t.unwrap_or(OffsetDateTime::UNIX_EPOCH + Duration::days(365 * 1000)),
            )),
        };
        let cands = self.walk(walk_range)?;
        let previous = from.and_then(|f| cands.iter().filter_map(|c| c.name_start.filter(|&s| s < f)).max());
        let chosen: Vec<Candidate> = cands
            .into_iter()
            .filter(|c| match c.name_start {
                None => true,
                Some(s) => Some(s) == previous || (from.is_none_or(|f| s >= f) && to.is_none_or(|t| s <= t)),
            })
            .collect();
        Ok(self.open_all(&chosen))
    }

    /// One record per movie recording at some time in the closed range `[from, to]`
    /// (open ends: unbounded), sorted by start (records without a start last, by URL).
    /// Failed movies whose names start in the range are included with their status, and
    /// so are movies whose start is unknown (from the directories listed for the range).
    pub fn catalog(
        &self,
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
    ) -> Result<Vec<Record>, ArchiveError> {
        let meets =
            |s: OffsetDateTime, e: OffsetDateTime| from.is_none_or(|f| e > f) && to.is_none_or(|t| s <= t);
        let mut records: Vec<Record> = self
            .open_range(from, to)?
            .into_iter()
            .map(|o| o.record)
            .filter(|r| match (r.start, r.end) {
                (Some(s), Some(e)) => meets(s, e),
                (Some(s), None) => from.is_none_or(|f| s >= f) && to.is_none_or(|t| s <= t),
                (None, _) => true,
            })
            .collect();
        records.sort_by(|a, b| match (a.start, b.start) {
            (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.url.cmp(&b.url)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.url.cmp(&b.url),
        });
        Ok(records)
    }
}
