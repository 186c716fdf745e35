//! Parsers for the fixed layouts of individual atoms ("boxes"), one module per family.
//!
//! Each parser reads the atom's fixed part into a stack buffer and decodes it with nom;
//! tables are described by [`table::Table`] (where the entries are, how many) and read
//! entry by entry later, never copied.

pub mod elst;
pub mod ftyp;
pub mod hdlr;
pub mod headers;
pub mod stsd;
pub mod table;

use crate::atom::{read_into, AtomHeader};
use crate::error::{Error, ErrorKind, Result};
use crate::read_at::ReadAt;

/// nom's result type over byte slices with the default (allocation-free) error.
pub(crate) type Res<'a, T> = nom::IResult<&'a [u8], T, nom::error::Error<&'a [u8]>>;

/// Read up to `N` bytes of an atom's payload into a stack buffer; returns the buffer
/// and how many bytes are valid.
pub(crate) fn read_body<R: ReadAt + ?Sized, const N: usize>(
    r: &R,
    h: &AtomHeader,
) -> Result<([u8; N], usize), R::Error> {
    let mut buf = [0u8; N];
    let len = usize::try_from(h.body_len()).unwrap_or(usize::MAX).min(N);
    let dst = buf.get_mut(..len).ok_or(Error::format(ErrorKind::Truncated, h.kind, h.offset))?;
    read_into(r, h.body_offset(), dst)?;
    Ok((buf, len))
}

/// Turn a nom failure on atom `h` into a "truncated" format error.
pub(crate) fn truncated<E>(h: &AtomHeader) -> Error<E> {
    Error::format(ErrorKind::Truncated, h.kind, h.offset)
}

/// The version and flags of a "full box".
pub(crate) fn full_box(i: &[u8]) -> Res<'_, (u8, u32)> {
    let (i, version) = nom::number::complete::be_u8(i)?;
    let (i, flags) = nom::number::complete::be_u24(i)?;
    Ok((i, (version, flags)))
}

/// nom's big-endian u32 with this crate's error type fixed.
pub(crate) fn be_u32(i: &[u8]) -> Res<'_, u32> {
    nom::number::complete::be_u32(i)
}

/// nom's u8 with this crate's error type fixed.
pub(crate) fn be_u8(i: &[u8]) -> Res<'_, u8> {
    nom::number::complete::be_u8(i)
}
