//! What a contact sheet shows ([`lazyqt_media::sheet`] draws it): frames of one movie or of
//! an archive's time range, spaced by a duration or spread as a count, each labelled with
//! its UTC time (or, in a movie whose start is unknown, its time in the movie and its
//! number). Instants of a range that no recording covers are left out and listed.

use lazyqt_media::sheet::{Tile, MAX_TILES};
use lazyqt_media::{Media, MediaError};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::archive::Archive;
use crate::error::ArchiveError;
use crate::names;

/// Which frames a sheet shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spacing {
    /// One every so often, from the start (of the range, or of the movie).
    Every(Duration),
    /// This many, spread evenly: over a range, from its start to its end inclusive; over a
    /// movie, at `k * duration / n` for `k` in `0..n`.
    Count(usize),
}

/// One tile of a sheet: where its frame is and when it was shown.
#[derive(Debug, Clone, Serialize)]
pub struct SheetTile {
    /// The instant the frame is shown, when the movie's start is known.
    #[serde(with = "time::serde::rfc3339::option")]
    pub utc: Option<OffsetDateTime>,
    /// Seconds from the movie's start.
    pub seconds: f64,
    /// The movie's URL or path.
    pub url: String,
    /// The frame (0-based, presentation order).
    pub frame: u64,
    /// The open movie, to decode the frame with.
    #[serde(skip)]
    pub media: Media,
}

impl SheetTile {
    /// The text under the tile: `2016-11-13 01:23:45Z` (with milliseconds when the instant
    /// has a fraction), or `0:01:23.417 #2500` (time in the movie, frame number) without a start.
    pub fn label(&self) -> String {
        match self.utc {
            Some(t) => {
                let t = t.to_offset(time::UtcOffset::UTC);
                let ms = t.millisecond();
                let fraction = if ms == 0 { String::new() } else { format!(".{ms:03}") };
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{fraction}Z",
                    t.year(),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second()
                )
            }
            None => {
                let ms = (self.seconds.max(0.0) * 1000.0).round() as u64;
                let (h, m, s, ms) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
                format!("{h}:{m:02}:{s:02}.{ms:03} #{}", self.frame)
            }
        }
    }

    /// The tile to draw.
    pub fn tile(&self) -> Tile {
        Tile { media: self.media.clone(), frame: self.frame, label: self.label() }
    }
}

/// The tiles of an archive's range, and the instants left out (no recording then).
#[derive(Debug, Clone)]
pub struct SheetPlan {
    /// The tiles, in time order.
    pub tiles: Vec<SheetTile>,
    /// The instants no usable recording covers.
    pub gaps: Vec<OffsetDateTime>,
}

/// The instants of `spacing` over the closed range `[from, to]`, at most [`MAX_TILES`].
fn instants(
    from: OffsetDateTime,
    to: OffsetDateTime,
    spacing: Spacing,
) -> Result<Vec<OffsetDateTime>, ArchiveError> {
    let span = to - from;
    if span.is_negative() {
        return Err(ArchiveError::Invalid(format!(
            "the range starts ({}) after it ends ({})",
            names::rfc3339(from),
            names::rfc3339(to)
        )));
    }
    let too_many = |n: f64| {
        ArchiveError::Media(MediaError::OverLimit(format!(
            "{n} instants: a sheet holds at most {MAX_TILES} tiles; use a longer interval or a smaller count"
        )))
    };
    match spacing {
        Spacing::Every(every) if !every.is_positive() => {
            Err(ArchiveError::Invalid(format!("the interval must be positive, not {every}")))
        }
        Spacing::Every(every) => {
            let steps = (span.as_seconds_f64() / every.as_seconds_f64()).floor();
            if steps + 1.0 > MAX_TILES as f64 {
                return Err(too_many(steps + 1.0));
            }
            Ok((0..=steps as i64).map(|k| from + every * (k as f64)).collect())
        }
        Spacing::Count(0) => Err(ArchiveError::Invalid("the count must be at least 1".into())),
        Spacing::Count(n) if n > MAX_TILES => Err(too_many(n as f64)),
        Spacing::Count(1) => Ok(vec![from]),
        Spacing::Count(n) => Ok((0..n).map(|k| from + span * (k as f64 / (n - 1) as f64)).collect()),
    }
}

impl Archive {
    /// The tiles of a sheet of the range `[from, to]`: the frame shown at each instant of
    /// `spacing`; instants between recordings are left out and listed in
    /// [`SheetPlan::gaps`]. Each movie of the range is opened once.
    pub fn sheet(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        spacing: Spacing,
    ) -> Result<SheetPlan, ArchiveError> {
        let wanted = instants(from, to, spacing)?;
        let mut gaps = Vec::new();
        let planned = self.plan_instants(from, to, wanted, &mut |t| gaps.push(t))?;
        let tiles = planned
            .into_iter()
            .map(|p| SheetTile {
                utc: Some(p.utc),
                seconds: p.offset,
                url: p.url,
                frame: p.frame,
                media: p.media,
            })
            .collect();
        Ok(SheetPlan { tiles, gaps })
    }
}

/// The tiles of a sheet of one movie, `media` read from `uri`: its start is the time its
/// file name states, else its `mvhd` creation time, else unknown (labels then show the
/// time in the movie and the frame number).
pub fn movie_sheet(media: &Media, uri: &str, spacing: Spacing) -> Result<Vec<SheetTile>, ArchiveError> {
    let path = uri.split(['?', '#']).next().unwrap_or(uri);
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let summary = media.summary();
    let start = names::start_from_name(name)
        .or_else(|| summary.creation_time.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()));
    let duration = summary.duration;
    let offsets: Vec<f64> = match spacing {
        Spacing::Every(every) if !every.is_positive() => {
            return Err(ArchiveError::Invalid(format!("the interval must be positive, not {every}")))
        }
        Spacing::Every(every) => {
            let steps = (duration / every.as_seconds_f64()).ceil();
            if steps > MAX_TILES as f64 {
                return Err(ArchiveError::Media(MediaError::OverLimit(format!(
                    "{steps} frames: a sheet holds at most {MAX_TILES} tiles; use a longer interval"
                ))));
            }
            (0..steps as u64).map(|k| k as f64 * every.as_seconds_f64()).filter(|&t| t < duration).collect()
        }
        Spacing::Count(0) => return Err(ArchiveError::Invalid("the count must be at least 1".into())),
        Spacing::Count(n) if n > MAX_TILES => {
            return Err(ArchiveError::Media(MediaError::OverLimit(format!(
                "{n} frames: a sheet holds at most {MAX_TILES} tiles"
            ))))
        }
        Spacing::Count(n) => (0..n).map(|k| k as f64 * duration / n as f64).collect(),
    };
    let mut tiles = Vec::with_capacity(offsets.len());
    for seconds in offsets {
        let frame = match media.frame_at_seconds(seconds) {
            Ok(n) => n,
            // A video track shorter than the movie: it shows no more frames.
            Err(MediaError::OutOfRange { .. }) => break,
            Err(e) => return Err(e.into()),
        };
        let utc = start.and_then(|s| s.checked_add(Duration::seconds_f64(seconds)));
        tiles.push(SheetTile { utc, seconds, url: uri.to_string(), frame, media: media.clone() });
    }
    Ok(tiles)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::parse_instant;

    #[test]
    fn instants_of_a_range() {
        let t = |s: &str| parse_instant(s).unwrap();
        let (from, to) = (t("2016-11-13T00:00:00Z"), t("2016-11-13T01:00:00Z"));
        let every = instants(from, to, Spacing::Every(Duration::minutes(20))).unwrap();
        assert_eq!(every, [from, t("2016-11-13T00:20:00Z"), t("2016-11-13T00:40:00Z"), to]);
        let count = instants(from, to, Spacing::Count(3)).unwrap();
        assert_eq!(count, [from, t("2016-11-13T00:30:00Z"), to]);
        assert_eq!(instants(from, to, Spacing::Count(1)).unwrap(), [from]);
        assert!(matches!(instants(from, to, Spacing::Count(0)), Err(ArchiveError::Invalid(_))));
        assert!(matches!(instants(to, from, Spacing::Count(2)), Err(ArchiveError::Invalid(_))));
        let over = instants(from, to, Spacing::Every(Duration::seconds(1))).unwrap_err();
        assert_eq!(over.kind(), lazyqt_io::ErrorKind::TooLarge);
        assert_eq!(
            instants(from, to, Spacing::Count(MAX_TILES + 1)).unwrap_err().kind(),
            lazyqt_io::ErrorKind::TooLarge
        );
    }
}
