//! What names say about time: the UTC start in a movie's file name, the span of a day
//! directory (`YYYY/MM/DD/`), and instants as users write them.
//!
//! Recognised start stamps, anywhere in the name: CamHD's `YYYYMMDDTHHMMSS` with or
//! without a trailing `Z` (`CAMHDA301-20161113T012345Z.mov`, `…20170101T000000.mov`),
//! `YYYYMMDD_HHMMSS`, and ISO-like `YYYY-MM-DDTHH:MM:SS` / `YYYY-MM-DD_HH-MM-SS` /
//! `YYYY-MM-DD HH.MM.SS`, with an optional fraction of a second. All are UTC.

use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Movie file extensions (compared without case).
const MOVIE_EXTENSIONS: [&str; 4] = ["mov", "mp4", "m4v", "qt"];

/// Is `name` a movie file (by its extension)? `.md5` files and the like are not.
pub fn is_movie(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && MOVIE_EXTENSIONS.iter().any(|m| ext.eq_ignore_ascii_case(m))
    })
}

/// The UTC start a file name states, if it holds a recognised stamp (the first one).
pub fn start_from_name(name: &str) -> Option<OffsetDateTime> {
    let b = name.as_bytes();
    (0..b.len()).find_map(|i| {
        // Only at the start of a digit run: "x120161113T…" is not a stamp.
        if i > 0 && b[i - 1].is_ascii_digit() {
            return None;
        }
        compact(&b[i..]).or_else(|| iso_like(&b[i..])).map(|(t, _)| t)
    })
}

/// `n` ASCII digits at the start of `b` as a number.
fn digits(b: &[u8], n: usize) -> Option<u32> {
    let d = b.get(..n)?;
    d.iter().all(u8::is_ascii_digit).then(|| d.iter().fold(0, |acc, &c| acc * 10 + u32::from(c - b'0')))
}

fn at(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> Option<OffsetDateTime> {
    let month = Month::try_from(u8::try_from(mo).ok()?).ok()?;
    let date = Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()?;
    let time =
        Time::from_hms_nano(u8::try_from(h).ok()?, u8::try_from(mi).ok()?, u8::try_from(s).ok()?, nanos)
            .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// A fraction of a second after the seconds (`.123`), as nanoseconds and its length.
fn fraction(b: &[u8]) -> (u32, usize) {
    if b.first() != Some(&b'.') {
        return (0, 0);
    }
    let n = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return (0, 0);
    }
    let nanos = b[1..1 + n.min(9)].iter().fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'));
    (nanos * 10u32.pow(9 - n.min(9) as u32), 1 + n)
}

/// The character after a stamp must not be a digit (a longer number is no stamp).
fn ends(b: &[u8], len: usize) -> bool {
    !b.get(len).is_some_and(u8::is_ascii_digit)
}

/// `YYYYMMDDTHHMMSS[.f]` or `YYYYMMDD_HHMMSS` (a `Z` may follow): the time and the
/// stamp's length.
fn compact(b: &[u8]) -> Option<(OffsetDateTime, usize)> {
    let (y, mo, d) = (digits(b, 4)?, digits(b.get(4..)?, 2)?, digits(b.get(6..)?, 2)?);
    if !matches!(b.get(8), Some(b'T' | b'_')) {
        return None;
    }
    let (h, mi, s) = (digits(b.get(9..)?, 2)?, digits(b.get(11..)?, 2)?, digits(b.get(13..)?, 2)?);
    let (nanos, flen) = fraction(&b[15..]);
    ends(b, 15 + flen).then_some(())?;
    Some((at(y, mo, d, h, mi, s, nanos)?, 15 + flen))
}

/// `YYYY-MM-DD` then `T`, `_` or a space, then `HH:MM:SS` (or with `-` or `.`): the
/// time and the stamp's length.
fn iso_like(b: &[u8]) -> Option<(OffsetDateTime, usize)> {
    let y = digits(b, 4)?;
    (b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-')).then_some(())?;
    let (mo, d) = (digits(b.get(5..)?, 2)?, digits(b.get(8..)?, 2)?);
    matches!(b.get(10), Some(b'T' | b'_' | b' ')).then_some(())?;
    let sep = *b.get(13)?;
    (matches!(sep, b':' | b'-' | b'.') && b.get(16) == Some(&sep)).then_some(())?;
    let (h, mi, s) = (digits(b.get(11..)?, 2)?, digits(b.get(14..)?, 2)?, digits(b.get(17..)?, 2)?);
    let (nanos, flen) = fraction(&b[19..]);
    ends(b, 19 + flen).then_some(())?;
    Some((at(y, mo, d, h, mi, s, nanos)?, 19 + flen))
}

/// A span of time `[start, end)`.
pub type Span = (OffsetDateTime, OffsetDateTime);

/// A date directory's level below the archive root: a year, a month or a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DatePath {
    /// Year, month (1-12) and day (1-31) as far as the path goes (0 = not given).
    pub parts: [u32; 3],
    /// How many of `parts` are given (0 = no date, 3 = a day).
    pub depth: usize,
}

impl DatePath {
    /// The date a path's last components name (`…/2016/11/13` is a day, `…/2016` a
    /// year); no date when they name none.
    pub fn of_path(path: &str) -> Self {
        let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        for depth in [3, 2, 1] {
            let Some(tail) = comps.len().checked_sub(depth).map(|s| &comps[s..]) else { continue };
            let mut p = Self::default();
            if tail.iter().all(|c| p.child(c).map(|c| p = c).is_some()) {
                return p;
            }
        }
        Self::default()
    }

    /// The date path of the child directory `name`, if it is the next level (a
    /// four-digit year below no date, a month below a year, a day below a month).
    pub fn child(&self, name: &str) -> Option<Self> {
        let want = if self.depth == 0 { 4 } else { 2 };
        if self.depth >= 3 || name.len() != want {
            return None;
        }
        let v = digits(name.as_bytes(), want)?;
        let mut parts = self.parts;
        parts[self.depth] = v;
        let child = Self { parts, depth: self.depth + 1 };
        child.span().map(|_| child)
    }

    /// The time the directory covers; `None` for no date (or an invalid one).
    pub fn span(&self) -> Option<Span> {
        let [y, m, d] = self.parts;
        let start = match self.depth {
            1 => at(y, 1, 1, 0, 0, 0, 0)?,
            2 => at(y, m, 1, 0, 0, 0, 0)?,
            3 => at(y, m, d, 0, 0, 0, 0)?,
            _ => return None,
        };
        let end = match self.depth {
            1 => at(y + 1, 1, 1, 0, 0, 0, 0)?,
            2 if m == 12 => at(y + 1, 1, 1, 0, 0, 0, 0)?,
            2 => at(y, m + 1, 1, 0, 0, 0, 0)?,
            _ => start + Duration::DAY,
        };
        Some((start, end))
    }
}

/// Parse an instant as users write it: RFC 3339 (`2016-11-13T01:23:45Z`, offsets and
/// fractions allowed), the same without an offset (taken as UTC), a date alone
/// (`2016-11-13`, its midnight UTC), or a compact CamHD stamp (`20161113T012345Z`).
pub fn parse_instant(s: &str) -> Result<OffsetDateTime, String> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Ok(t.to_offset(time::UtcOffset::UTC));
    }
    let bare = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    let stamp = if bare.len() == 10 {
        iso_like(format!("{bare}T00:00:00").as_bytes()).map(|(t, _)| (t, 10))
    } else {
        iso_like(bare.as_bytes()).or_else(|| compact(bare.as_bytes()))
    };
    if let Some((t, _)) = stamp.filter(|&(_, len)| len == bare.len()) {
        return Ok(t);
    }
    Err(format!("{s:?} is not a time: use RFC 3339, e.g. 2016-11-13T01:23:45Z, or a date, e.g. 2016-11-13"))
}

/// Parse an interval as users write it: a number of seconds (`90`, `0.5`) or a duration
/// with units (`500ms`, `30s`, `10min`, `3h`, `1h 30m`); positive.
pub fn parse_interval(s: &str) -> Result<time::Duration, String> {
    let s = s.trim();
    let d = match s.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs < 1e12 => std::time::Duration::from_secs_f64(secs),
        Ok(_) => return Err(format!("interval {s:?} must be a positive number of seconds")),
        Err(_) => humantime::parse_duration(s)
            .map_err(|e| format!("interval {s:?}: {e} (write e.g. 30s, 10min, 3h)"))?,
    };
    match time::Duration::try_from(d) {
        Ok(d) if d.is_positive() => Ok(d),
        _ => Err(format!("interval {s:?} must be positive and below 292 years")),
    }
}

/// RFC 3339 text of an instant in UTC (`2016-11-13T01:23:45Z`, a fraction when it has one).
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests;
