//! The one error type of the core: small, `Copy`, and precise about where things went wrong.

use crate::fourcc::FourCC;
use core::fmt;

/// What was wrong with the file.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// An atom or table runs past the end of its parent or of the file.
    Truncated,
    /// An atom header gives a size smaller than the header itself.
    BadAtomSize,
    /// A container holds more atoms than any real file does.
    TooManyAtoms,
    /// No `moov` atom in the file.
    NoMoov,
    /// A required atom is missing (the error's atom says which).
    Missing,
    /// A box has a version this parser does not know.
    UnsupportedVersion,
    /// A table's entries are inconsistent (counts, ordering, zero where forbidden).
    BadTable,
    /// Two tables disagree (e.g. `stts` covers fewer samples than `stsz` lists).
    Inconsistent,
    /// A computed offset, time or count does not fit in 64 bits.
    Overflow,
    /// Samples are reordered further than the fixed presentation-order window.
    ReorderTooDeep,
    /// The file does not start with an atom: not a QuickTime/MP4 file at all.
    NotAMovie,
    /// The track has no such kind of data (e.g. asking a timecode of a video track).
    NotApplicable,
}

impl ErrorKind {
    /// A short human description.
    pub const fn describe(self) -> &'static str {
        match self {
            ErrorKind::Truncated => "runs past the end of its parent or the file",
            ErrorKind::BadAtomSize => "has an atom size smaller than its header",
            ErrorKind::TooManyAtoms => "holds too many atoms",
            ErrorKind::NoMoov => "has no moov atom",
            ErrorKind::Missing => "is missing",
            ErrorKind::UnsupportedVersion => "has an unsupported version",
            ErrorKind::BadTable => "has an invalid table",
            ErrorKind::Inconsistent => "disagrees with the other sample tables",
            ErrorKind::Overflow => "gives numbers that overflow",
            ErrorKind::ReorderTooDeep => "reorders frames further than supported",
            ErrorKind::NotAMovie => "is not a QuickTime/MP4 atom (not a movie file)",
            ErrorKind::NotApplicable => "does not apply to this track",
        }
    }
}

/// A malformed or unsupported file: what, in which atom, at which byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatError {
    /// What was wrong.
    pub kind: ErrorKind,
    /// The atom where it was found.
    pub atom: FourCC,
    /// Byte offset in the file of that atom (or of the bad field).
    pub offset: u64,
}

impl FormatError {
    /// Build a format error.
    pub const fn new(kind: ErrorKind, atom: FourCC, offset: u64) -> Self {
        Self { kind, atom, offset }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "atom '{}' at offset {} {}", self.atom, self.offset, self.kind.describe())
    }
}

/// Any failure of the core: the source failed, the file is bad, or the caller asked
/// for something that is not there. `E` is the source's own error type.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error<E> {
    /// The source could not deliver `len` bytes at `offset`.
    Read {
        /// First byte asked for.
        offset: u64,
        /// Number of bytes asked for.
        len: usize,
        /// The source's error.
        error: E,
    },
    /// The file is malformed or unsupported.
    Format(FormatError),
    /// A sample, frame or time beyond the end of the track.
    OutOfRange {
        /// What was asked for (index, or time in the caller's unit).
        asked: u64,
        /// How many there are (or the duration).
        available: u64,
    },
}

impl<E> Error<E> {
    /// Shorthand for a format error.
    pub const fn format(kind: ErrorKind, atom: FourCC, offset: u64) -> Self {
        Error::Format(FormatError::new(kind, atom, offset))
    }

    /// Change the source error type (e.g. to box it on the std side).
    pub fn map_read<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::Read { offset, len, error } => Error::Read { offset, len, error: f(error) },
            Error::Format(e) => Error::Format(e),
            Error::OutOfRange { asked, available } => Error::OutOfRange { asked, available },
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { offset, len, error } => {
                write!(f, "reading {len} bytes at offset {offset} failed: {error}")
            }
            Error::Format(e) => write!(f, "malformed movie: {e}"),
            Error::OutOfRange { asked, available } => {
                write!(f, "{asked} is out of range (there are {available})")
            }
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for Error<E> {}
impl core::error::Error for FormatError {}

/// Result of a core operation over a source with error type `E`.
pub type Result<T, E> = core::result::Result<T, Error<E>>;
