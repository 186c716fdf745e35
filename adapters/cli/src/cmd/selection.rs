//! Which frames `lazyqt frames` writes: `--every`, `--list`, `--range`, `--times`, checked
//! against the frame count before anything is built, and computed on demand (a range of
//! millions of frames costs nothing until it is walked).

use anyhow::Context;
use lazyqt_media::{Media, MediaError};

use crate::exit::ExitError;

/// Which frames to write.
#[derive(Debug, Clone, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Selection {
    /// Every K-th frame: 0, K, 2K, … With --from (an archive root): a duration between
    /// UTC instants instead, e.g. "10min".
    #[arg(long, value_name = "K|DURATION", value_parser = parse_every)]
    pub every: Option<Every>,
    /// These frame numbers (0-based), comma-separated: 1,5,9.
    #[arg(long, value_name = "N,N,…", value_delimiter = ',')]
    pub list: Option<Vec<u64>>,
    /// Frames A to B-1 (A..B) or A to B (A..=B); A or B may be left out (start, end).
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// The frames shown at these times in seconds, comma-separated: 0.5,60,120.
    #[arg(long, value_name = "T,T,…", value_delimiter = ',')]
    pub times: Option<Vec<f64>>,
    /// With --from (an archive root): the frame this many seconds into each movie.
    #[arg(long, value_name = "SECONDS", requires = "from")]
    pub offset: Option<f64>,
    /// SRC is an archive root: the frames shown at the UTC instants listed in FILE, one per
    /// line (RFC 3339 or a date; blank lines and lines starting with # are skipped; "-"
    /// reads stdin). An instant no recording covers is an error line of the manifest, not
    /// a failure (or, with --nearest, the closest frame).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["from", "to"])]
    pub utc_list: Option<std::path::PathBuf>,
}

/// `--every`: a number of frames, or (for archives) a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// Every K-th frame.
    Frames(u64),
    /// An instant every so often.
    Duration(std::time::Duration),
}

fn parse_every(s: &str) -> Result<Every, String> {
    match s.parse() {
        Ok(k) => Ok(Every::Frames(k)),
        Err(_) => humantime::parse_duration(s).map(Every::Duration).map_err(|e| {
            format!("{e} (a frame count such as 1800, or with --from a duration such as \"10min\")")
        }),
    }
}

/// The selected frame numbers, in order, without duplicates, all below the frame count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frames {
    /// `count` frames from 0, `step` apart.
    Every {
        /// Distance between frames (at least 1).
        step: u64,
        /// How many.
        count: u64,
    },
    /// `len` frames from `start`.
    Range {
        /// First frame.
        start: u64,
        /// How many.
        len: u64,
    },
    /// Frames listed on the command line (so already in memory).
    List(Vec<u64>),
}

impl Frames {
    /// How many frames are selected.
    pub fn len(&self) -> u64 {
        match self {
            Frames::Every { count, .. } => *count,
            Frames::Range { len, .. } => *len,
            Frames::List(l) => l.len() as u64,
        }
    }

    /// The `i`-th frame selected.
    pub fn get(&self, i: u64) -> Option<u64> {
        if i >= self.len() {
            return None;
        }
        match self {
            Frames::Every { step, .. } => Some(i * step),
            Frames::Range { start, .. } => Some(start + i),
            Frames::List(l) => usize::try_from(i).ok().and_then(|i| l.get(i)).copied(),
        }
    }

    /// Resolve a selection against a movie of `frames` frames (times need the movie).
    pub fn select(sel: &Selection, media: &Media, frames: u64) -> anyhow::Result<Self> {
        let out_of_range = |asked| MediaError::OutOfRange { what: "frame", asked, available: frames };
        if sel.offset.is_some() || matches!(sel.every, Some(Every::Duration(_))) {
            return Err(ExitError::usage("--offset and --every DURATION need an archive root and --from"));
        }
        if let Some(Every::Frames(step)) = sel.every {
            if step == 0 {
                return Err(ExitError::usage("--every must be at least 1"));
            }
            return Ok(Frames::Every { step, count: frames.div_ceil(step) });
        }
        if let Some(r) = &sel.range {
            let (start, end) = parse_range(r, frames)?;
            return Ok(Frames::Range { start, len: end - start });
        }
        let list: Vec<u64> = match (&sel.list, &sel.times) {
            (Some(l), _) => l.clone(),
            (None, Some(times)) => {
                times.iter().map(|&t| media.frame_at_seconds(t)).collect::<Result<_, _>>()?
            }
            (None, None) => {
                return Err(ExitError::usage("choose frames with --every, --list, --range or --times"))
            }
        };
        if let Some(&bad) = list.iter().find(|&&n| n >= frames) {
            return Err(out_of_range(bad).into());
        }
        let mut seen = std::collections::HashSet::new();
        Ok(Frames::List(list.into_iter().filter(|n| seen.insert(*n)).collect()))
    }
}

/// `A..B` or `A..=B` as the half-open `(start, end)`, checked against `frames` before
/// anything else (the end may be any u64).
fn parse_range(s: &str, frames: u64) -> anyhow::Result<(u64, u64)> {
    let (a, b, inclusive) = match s.split_once("..=") {
        Some((a, b)) => (a, b, true),
        None => match s.split_once("..") {
            Some((a, b)) => (a, b, false),
            None => return Err(ExitError::usage(format!("range {s:?} is not A..B or A..=B"))),
        },
    };
    let number = |text: &str, what: &str| {
        text.trim().parse::<u64>().map_err(|e| ExitError::usage(format!("bad range {what} {text:?}: {e}")))
    };
    let start = if a.is_empty() { 0 } else { number(a, "start")? };
    let out_of_range = |asked| {
        Err(MediaError::OutOfRange { what: "frame", asked, available: frames })
            .with_context(|| format!("range {s:?}"))
    };
    if start >= frames {
        return out_of_range(start);
    }
    // The last frame asked for, if any.
    let last = match (b.is_empty(), inclusive) {
        (true, _) => frames.checked_sub(1),
        (false, true) => Some(number(b, "end")?),
        (false, false) => number(b, "end")?.checked_sub(1),
    };
    let Some(last) = last.filter(|&l| l >= start) else {
        return Err(ExitError::usage(format!("range {s:?} is empty")));
    };
    if last >= frames {
        return out_of_range(last);
    }
    Ok((start, last + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;

    #[test]
    fn ranges_are_checked_before_anything_is_built() {
        assert_eq!(parse_range("3..7", 30).unwrap(), (3, 7));
        assert_eq!(parse_range("3..=7", 30).unwrap(), (3, 8));
        assert_eq!(parse_range("..", 30).unwrap(), (0, 30));
        assert_eq!(parse_range("28..", 30).unwrap(), (28, 30));
        for (range, exit) in [
            ("0..=18446744073709551615", Exit::OutOfRange),
            ("0..200000000", Exit::OutOfRange),
            ("30..", Exit::OutOfRange),
            ("7..7", Exit::Usage),
            ("0..0", Exit::Usage),
            ("1..x", Exit::Usage),
            ("5", Exit::Usage),
        ] {
            let e = parse_range(range, 30).unwrap_err();
            assert_eq!(Exit::of_error(&e), exit, "{range}: {e:#}");
        }
        let e = parse_range("0..=18446744073709551615", 30).unwrap_err();
        assert_eq!(
            format!("{e:#}"),
            "range \"0..=18446744073709551615\": frame 18446744073709551615 is out of range: there are 30"
        );
    }

    #[test]
    fn lazy_selections_count_and_index_without_a_list() {
        let every = Frames::Every { step: 10, count: 30u64.div_ceil(10) };
        assert_eq!((every.len(), every.get(2), every.get(3)), (3, Some(20), None));
        let range = Frames::Range { start: 5, len: 4_000_000_000 };
        assert_eq!((range.get(3_999_999_999), range.get(4_000_000_000)), (Some(4_000_000_004), None));
    }
}
