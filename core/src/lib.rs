//! lazyqt-core: allocation-free, panic-free parsing of QuickTime/MP4 atoms and
//! sample tables over positional reads.
//!
//! Nothing here allocates or touches std: every byte comes through [`ReadAt`], tables
//! are read entry by entry on demand, and every count in the file is treated as hostile.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod atom;
pub mod error;
pub mod fourcc;
pub mod read_at;

pub use error::{Error, ErrorKind, FormatError, Result};
pub use fourcc::FourCC;
pub use read_at::ReadAt;
