//! An archive root and the walk of its directories by date: only the directories a
//! time range needs are listed (a year, then its months, then its days, the
//! directories of a level in parallel, up to [`LIST_PARALLEL`] at once; a directory whose name is no date level is not
//! entered), each at most once per [`Archive`] (or while a shared [`ListingCache`] keeps it).

use std::sync::Arc;

use lazyqt_io::SourceOptions;
use time::{Date, OffsetDateTime};

use crate::error::ArchiveError;
use crate::listings::ListingCache;
use crate::location::{Listing, Location};
use crate::names::{self, DatePath, Span};

/// Most movies one walk yields (a month of CamHD is 240; ten years ~30,000).
pub const MAX_CANDIDATES: usize = 1_000_000;

/// Directories listed at once, at least (a listing is a few KB: the round trips are
/// what costs, and a month's 31 day directories then cost about one).
pub const LIST_PARALLEL: usize = 32;

/// Movies opened at once.
pub const DEFAULT_PARALLEL: usize = 8;

/// A directory tree of movies: local, or HTTP directories with HTML autoindex pages.
/// Creating one does no I/O; listings are read when a walk needs them and kept for the
/// life of the value.
#[derive(Debug)]
pub struct Archive {
    pub(crate) root: Location,
    pub(crate) opts: SourceOptions,
    pub(crate) parallel: usize,
    /// Listings already read, by directory (this archive's own, or a cache shared by the
    /// archives of one server mount: [`Archive::with_listings`]).
    listings: Arc<ListingCache>,
}

/// A movie file found by a walk, not yet opened.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// URL or path.
    pub uri: String,
    /// The start its name states.
    pub name_start: Option<OffsetDateTime>,
    /// Size shown by the listing.
    pub listed_size: Option<u64>,
    /// The span of its date directory, if it is in one.
    pub dir_span: Option<Span>,
}

/// Do `[a.0, a.1)` and the closed range `[b.0, b.1]` meet?
pub(crate) fn overlaps(a: Span, b: Span) -> bool {
    a.0 <= b.1 && a.1 > b.0
}

impl Archive {
    /// An archive at `root` (a directory path, `file://` URL or `http(s)://` URL of an
    /// autoindex), read with `opts` (timeouts, the disk cache the movies' metadata goes
    /// through).
    pub fn new(root: &str, opts: &SourceOptions) -> Result<Self, ArchiveError> {
        Ok(Self {
            root: Location::parse(root)?,
            opts: opts.clone(),
            parallel: DEFAULT_PARALLEL,
            listings: Arc::default(),
        })
    }

    /// Keep listings in `cache` (shared with other archives, with its time to live and
    /// bound) instead of for the life of this value.
    pub fn with_listings(mut self, cache: Arc<ListingCache>) -> Self {
        self.listings = cache;
        self
    }

    /// Open at most `n` movies at once (at least 1); directories are listed up to
    /// [`LIST_PARALLEL`] (or `n` if more) at once.
    pub fn with_parallel(mut self, n: usize) -> Self {
        self.parallel = n.max(1);
        self
    }

    /// The root, as a URL or path.
    pub fn root(&self) -> String {
        self.root.uri()
    }

    /// The listing of `dir`, read once (while its cache keeps it).
    fn list(&self, dir: &Location) -> Result<Arc<Listing>, ArchiveError> {
        let key = dir.uri();
        if let Some(l) = self.listings.get(&key) {
            return Ok(l);
        }
        let listing = Arc::new(dir.list(&self.opts)?);
        self.listings.put(key, listing.clone());
        Ok(listing)
    }

    /// The movies of one day, at the cost of one listing when the archive has that day's
    /// directory: `ROOT/YYYY/MM/DD/` (below a year or month root, the rest of it) is
    /// listed without listing its parents. When there is no such directory (a flat
    /// root, a day without recordings) the walk of the day's range answers instead.
    pub fn day(&self, day: Date) -> Result<Vec<Candidate>, ArchiveError> {
        let root_date = DatePath::of_path(&self.root.path_text());
        let (y, m, d) = (day.year(), u8::from(day.month()), day.day());
        let rest = match (root_date.depth, root_date.parts) {
            (0, _) => Some(format!("{y:04}/{m:02}/{d:02}/")),
            (1, [ry, ..]) if i64::from(ry) == i64::from(y) => Some(format!("{m:02}/{d:02}/")),
            (2, [ry, rm, _]) if (i64::from(ry), rm) == (i64::from(y), u32::from(m)) => {
                Some(format!("{d:02}/"))
            }
            _ => None,
        };
        let dir_date = DatePath { parts: [y.unsigned_abs(), u32::from(m), u32::from(d)], depth: 3 };
        if let Some(loc) = rest.and_then(|r| self.root.descend(&r)) {
            match self.list(&loc) {
                Ok(listing) => return Ok(movies(&listing, dir_date.span())),
                Err(e) if e.is_not_found() => {
                    tracing::debug!(dir = %loc.uri(), "no such day directory: walking the day instead")
                }
                Err(e) => return Err(e),
            }
        }
        let start = day.midnight().assume_utc();
        self.walk(Some((start, start + (time::Duration::DAY - time::Duration::NANOSECOND))))
    }

    /// The movies in the directories whose dates meet the closed range `range` (all of
    /// them without one), in walk order.
    pub fn walk(&self, range: Option<Span>) -> Result<Vec<Candidate>, ArchiveError> {
        let mut out = Vec::new();
        let meets = |date: &DatePath| match (date.span(), range) {
            (Some(span), Some(r)) => overlaps(span, r),
            _ => true,
        };
        let root_date = DatePath::of_path(&self.root.path_text());
        let mut level: Vec<(Location, DatePath)> =
            [(self.root.clone(), root_date)].into_iter().filter(|(_, d)| meets(d)).collect();
        // Level by level (years, months, days), the directories of a level listed in parallel.
        while !level.is_empty() {
            let listings =
                crate::pool::map_bounded(&level, self.parallel.max(LIST_PARALLEL), |(dir, _)| self.list(dir));
            let mut next = Vec::new();
            for ((_, date), listing) in level.iter().zip(listings) {
                let listing = listing?;
                for e in listing.entries.iter().filter(|e| e.is_dir) {
                    match (date.child(&e.name), listing.at.child(e)) {
                        (Some(d), Some(loc)) if meets(&d) => next.push((loc, d)),
                        (Some(_), Some(_)) => {}
                        _ => {
                            tracing::debug!(dir = %listing.at.uri(), name = %e.name, "not a date level: not entered")
                        }
                    }
                }
                out.extend(movies(&listing, date.span()));
                if out.len() > MAX_CANDIDATES {
                    return Err(ArchiveError::Invalid(format!(
                        "more than {MAX_CANDIDATES} movies in the range: narrow it with --from/--to"
                    )));
                }
            }
            level = next;
        }
        Ok(out)
    }
}

/// The movies of a listing, as candidates in a directory spanning `dir_span`.
fn movies(listing: &Listing, dir_span: Option<Span>) -> Vec<Candidate> {
    listing
        .entries
        .iter()
        .filter(|e| !e.is_dir && names::is_movie(&e.name))
        .filter_map(|e| {
            Some(Candidate {
                uri: listing.at.child(e)?.uri(),
                name_start: names::start_from_name(&e.name),
                listed_size: e.size,
                dir_span,
            })
        })
        .collect()
}
