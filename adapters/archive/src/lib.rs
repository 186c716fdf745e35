//! lazyqt-archive: an archive of movies — a local directory tree or HTTP directories
//! with HTML autoindex pages (nginx, Apache, the OOI raw-data server), laid out in day
//! directories `YYYY/MM/DD/` as the CamHD archive is — addressed by UTC time.
//!
//! - [`Archive::walk`] lists only the date directories a time range needs.
//! - [`Archive::catalog`] opens each movie of a range once, in parallel with a bound,
//!   through the disk cache of the source options, and gives one [`Record`] per movie
//!   (start, end, duration, frames, size, codec, status); movies that do not open are
//!   records with a status, never an error of the catalog.
//! - [`Archive::locate`] maps an instant to the movie recording then and the frame
//!   shown, or names the nearest recordings before and after.
//! - [`Archive::plan_every`] and [`Archive::plan_offset`] plan frames across a range
//!   (every so often, or at an offset into each movie) for batch front ends.
//! - [`Archive::sheet`] and [`sheet::movie_sheet`] choose the frames of a contact sheet.
//!
//! A movie's start comes from its name when it holds a recognised stamp
//! ([`names::start_from_name`]), else from its `mvhd` creation time.
//!
//! ```no_run
//! use lazyqt_archive::{names::parse_instant, Archive};
//! use lazyqt_io::SourceOptions;
//!
//! let archive = Archive::new("https://example.org/files/06-CAMHDA301/", &SourceOptions::default())?;
//! let hit = archive.locate(parse_instant("2016-11-13T01:23:45Z").unwrap(), false)?;
//! println!("{} frame {}", hit.record.url, hit.frame);
//! # Ok::<(), lazyqt_archive::ArchiveError>(())
//! ```

#![forbid(unsafe_code)]

mod archive;
mod catalog;
mod error;
pub mod listing;
mod listings;
mod locate;
mod location;
pub mod names;
mod plan;
mod pool;
mod probe;
pub mod sheet;

pub use archive::{Archive, Candidate, DEFAULT_PARALLEL, LIST_PARALLEL};
pub use catalog::{Record, StartSource, Status};
pub use error::{ArchiveError, Neighbour};
pub use listings::{ListingCache, DEFAULT_MAX_LISTINGS};
pub use locate::Located;
pub use location::{Listing, Location, MAX_LISTING_BYTES};
pub use plan::{Planned, MAX_PLANNED};
pub use sheet::{SheetPlan, SheetTile, Spacing};
pub use time::OffsetDateTime;
