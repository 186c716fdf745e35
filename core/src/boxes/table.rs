//! The sample tables (`stts ctts stss stsc stsz stz2 stco co64`): where their entries
//! are and how many, plus a small read-ahead window for walking them.
//!
//! Entries are never copied out wholesale: a [`Table`] is an offset and a count that
//! were checked against the atom's size when it was parsed, so a lying count can never
//! send a lookup outside its atom.

use super::{be_u32, be_u8};
use super::{full_box, read_body, truncated};
use crate::atom::{read_array, read_into, AtomHeader};
use crate::error::{Error, ErrorKind, Result};
use crate::fourcc::{codes, FourCC};
use crate::read_at::ReadAt;

/// Location and shape of a table of fixed-width entries inside one atom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Table {
    /// The atom holding the table (for error messages).
    pub atom: FourCC,
    /// Offset of that atom (for error messages).
    pub atom_offset: u64,
    /// File offset of entry 0.
    pub offset: u64,
    /// Number of entries (checked to fit in the atom).
    pub count: u32,
    /// Width of one entry in bits (4, 8, 16, 32, 64, 96).
    pub entry_bits: u8,
}

impl Table {
    /// A format error located at this table's atom.
    pub fn error<E>(&self, kind: ErrorKind) -> Error<E> {
        Error::format(kind, self.atom, self.atom_offset)
    }

    /// Byte offset and byte length of entry `i`.
    fn locate<E>(&self, i: u32) -> Result<(u64, usize), E> {
        if i >= self.count {
            return Err(self.error(ErrorKind::Inconsistent));
        }
        let bit = u64::from(i) * u64::from(self.entry_bits);
        let len = usize::from(self.entry_bits.div_ceil(8));
        Ok((self.offset + bit / 8, len))
    }

    /// End offset of the table's bytes.
    fn end(&self) -> u64 {
        self.offset + (u64::from(self.count) * u64::from(self.entry_bits)).div_ceil(8)
    }

    /// Read entry `i` directly (for random lookups that touch one entry).
    pub fn get<R: ReadAt + ?Sized, const N: usize>(&self, r: &R, i: u32) -> Result<[u8; N], R::Error> {
        let (off, len) = self.locate(i)?;
        if len != N {
            return Err(self.error(ErrorKind::BadTable));
        }
        read_array(r, off)
    }

    /// Read entry `i` as an unsigned integer of the table's width (sizes and offsets).
    pub fn get_uint<R: ReadAt + ?Sized>(&self, r: &R, i: u32) -> Result<u64, R::Error> {
        let (off, len) = self.locate(i)?;
        let mut buf = [0u8; 12];
        let dst = buf.get_mut(..len).ok_or(self.error(ErrorKind::BadTable))?;
        read_into(r, off, dst)?;
        Ok(self.decode_uint(i, dst))
    }

    /// Decode entry `i`'s bytes as an unsigned big-endian integer.
    pub(crate) fn decode_uint(&self, i: u32, bytes: &[u8]) -> u64 {
        let v = bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if self.entry_bits == 4 {
            if i % 2 == 0 {
                v >> 4
            } else {
                v & 0xf
            }
        } else {
            v
        }
    }
}

/// Bytes kept by one [`Window`].
pub const WINDOW_BYTES: usize = 256;

/// A read-ahead buffer over one table: the first read after a jump fetches a single
/// entry, and each following sequential refill doubles up to [`WINDOW_BYTES`], so random
/// lookups stay cheap and walks make few reads.
#[derive(Clone)]
pub struct Window {
    buf: [u8; WINDOW_BYTES],
    start: u64,
    len: usize,
    streak: u8,
    /// Set by [`Window::expect_sequential`]: the next refill is a full window.
    ahead: bool,
}

impl Default for Window {
    fn default() -> Self {
        Self::new()
    }
}

impl Window {
    /// An empty window.
    pub const fn new() -> Self {
        Self { buf: [0; WINDOW_BYTES], start: 0, len: 0, streak: 0, ahead: false }
    }

    /// Expect sequential reads from here on: the next refill (wherever it starts)
    /// fetches a full window at once instead of ramping up from one entry.
    pub fn expect_sequential(&mut self) {
        self.ahead = true;
    }

    /// The bytes of `table`'s entry `i`.
    pub fn entry<R: ReadAt + ?Sized>(&mut self, r: &R, table: &Table, i: u32) -> Result<&[u8], R::Error> {
        let (off, len) = table.locate(i)?;
        let buffered_end = self.start + self.len as u64;
        let hit = off >= self.start && off + len as u64 <= buffered_end;
        if !hit {
            let sequential = self.len > 0 && off >= self.start && off <= buffered_end;
            self.streak = match (core::mem::take(&mut self.ahead), sequential) {
                (true, _) => 8,
                (false, true) => self.streak.saturating_add(1),
                (false, false) => 0,
            };
            let want = len.max(len << self.streak.min(8)).min(WINDOW_BYTES);
            let avail = usize::try_from(table.end() - off).unwrap_or(usize::MAX);
            let n = want.min(avail).max(len);
            let dst = self.buf.get_mut(..n).ok_or(table.error(ErrorKind::BadTable))?;
            self.len = 0;
            read_into(r, off, dst)?;
            self.start = off;
            self.len = n;
        }
        let at = usize::try_from(off - self.start).unwrap_or(usize::MAX);
        self.buf.get(at..at + len).ok_or(table.error(ErrorKind::BadTable))
    }
}

/// Big-endian u32 at byte `at` of an entry; 0 when the entry is shorter (callers pass
/// entries of the table's own width, so that never happens).
pub fn be32(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// Parse a table header: full box, `extra` bytes of fixed fields, then a u32 count,
/// then `count` entries of `entry_bits` that must fit in the atom.
fn parse_table<R: ReadAt + ?Sized>(
    r: &R,
    h: &AtomHeader,
    extra: usize,
    entry_bits: u8,
) -> Result<(Table, [u8; 16]), R::Error> {
    let (buf, len) = read_body::<R, 16>(r, h)?;
    let fixed = 4 + extra + 4;
    if len < fixed {
        return Err(truncated(h));
    }
    let count_bytes = buf.get(4 + extra..fixed).ok_or_else(|| truncated(h))?;
    let (_, count) = be_u32(count_bytes).map_err(|_| truncated(h))?;
    let table_bytes = (u64::from(count) * u64::from(entry_bits)).div_ceil(8);
    if table_bytes > h.body_len() - fixed as u64 {
        return Err(Error::format(ErrorKind::BadTable, h.kind, h.offset));
    }
    let table = Table {
        atom: h.kind,
        atom_offset: h.offset,
        offset: h.body_offset() + fixed as u64,
        count,
        entry_bits,
    };
    Ok((table, buf))
}

/// `stts` (count, delta) runs, `stss` sync samples, `stsc` runs, `stco` offsets: plain tables.
pub fn parse_simple<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader) -> Result<Table, R::Error> {
    let bits = match &h.kind.0 {
        b"stts" | b"ctts" | b"co64" => 64,
        b"stsc" => 96,
        b"stss" | b"stco" | b"stps" => 32,
        _ => return Err(Error::format(ErrorKind::BadTable, h.kind, h.offset)),
    };
    parse_table(r, h, 0, bits).map(|(t, _)| t)
}

/// The version of a full box (e.g. `ctts` v1 has signed offsets).
pub fn version<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader) -> Result<u8, R::Error> {
    let (buf, len) = read_body::<R, 4>(r, h)?;
    let body = buf.get(..len).ok_or_else(|| truncated(h))?;
    full_box(body).map(|(_, (v, _))| v).map_err(|_| truncated(h))
}

/// Sample sizes from `stsz` (one constant, or a table) or `stz2` (compact fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SampleSizes {
    /// Size of every sample when non-zero; then `table` has no entries.
    pub constant: u32,
    /// Number of samples in the track.
    pub count: u32,
    /// Per-sample sizes when `constant` is 0.
    pub table: Table,
}

impl SampleSizes {
    /// Size of sample `i`.
    pub fn get<R: ReadAt + ?Sized>(&self, r: &R, i: u32) -> Result<u32, R::Error> {
        if i >= self.count {
            return Err(Error::OutOfRange { asked: u64::from(i), available: u64::from(self.count) });
        }
        if self.constant != 0 {
            return Ok(self.constant);
        }
        let v = self.table.get_uint(r, i)?;
        u32::try_from(v).map_err(|_| self.table.error(ErrorKind::Overflow))
    }
}

/// Parse `stsz` or `stz2`.
pub fn parse_sizes<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader) -> Result<SampleSizes, R::Error> {
    if h.kind == codes::STZ2 {
        let (buf, _) = read_body::<R, 16>(r, h)?;
        let field = buf.get(7..8).ok_or_else(|| truncated(h))?;
        let (_, bits) = be_u8(field).map_err(|_| truncated(h))?;
        if !matches!(bits, 4 | 8 | 16) {
            return Err(Error::format(ErrorKind::BadTable, h.kind, h.offset));
        }
        let (table, _) = parse_table(r, h, 4, bits)?;
        return Ok(SampleSizes { constant: 0, count: table.count, table });
    }
    let (buf, len) = read_body::<R, 12>(r, h)?;
    if len < 12 {
        return Err(truncated(h));
    }
    let constant = be32(&buf, 4);
    let count = be32(&buf, 8);
    if constant != 0 {
        let table = Table {
            atom: h.kind,
            atom_offset: h.offset,
            offset: h.body_offset() + 12,
            count: 0,
            entry_bits: 32,
        };
        return Ok(SampleSizes { constant, count, table });
    }
    let (table, _) = parse_table(r, h, 4, 32)?;
    Ok(SampleSizes { constant: 0, count: table.count, table })
}
