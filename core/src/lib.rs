//! lazyqt-core: allocation-free, panic-free parsing of QuickTime/MP4 atoms and
//! sample tables over positional reads.
//!
//! Nothing here allocates or touches std: every byte comes through [`ReadAt`], tables
//! are read entry by entry on demand, and every count in the file is treated as hostile.
//!
//! ```
//! # fn demo(bytes: &[u8]) -> Result<(), lazyqt_core::Error<lazyqt_core::read_at::OutOfBounds>> {
//! let movie = lazyqt_core::Movie::open(bytes)?;
//! if let Some(video) = movie.video_track() {
//!     let frame = video.frame(bytes, 0)?; // offset, size, pts, keyframe of frame 0
//!     let _ = (frame.offset, frame.size);
//! }
//! # Ok(()) }
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod atom;
pub mod boxes;
pub mod cursor;
pub mod error;
pub mod fourcc;
pub mod movie;
pub mod read_at;
pub mod skipped;
pub mod track;

pub use cursor::{Cursor, NoIndex, RunStart, Sample, SeekIndex, SeekStart};
pub use error::{Error, ErrorKind, FormatError, Result};
pub use fourcc::FourCC;
pub use movie::Movie;
pub use read_at::ReadAt;
pub use skipped::SkippedTrack;
pub use track::{Track, TrackKind};
