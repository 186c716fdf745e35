//! Atom headers and bounded walking of the atom tree.
//!
//! A header is read with at most two small reads (8 bytes, plus 8 for a 64-bit size,
//! plus 16 for a `uuid`), so walking past a 13 GB `mdat` costs one 16-byte read.

use crate::error::{Error, ErrorKind, Result};
use crate::fourcc::{codes, FourCC};
use crate::read_at::ReadAt;

/// Most siblings one container may hold before the walk gives up (a hostile file
/// made of 8-byte atoms would otherwise cost one read per 8 bytes of a 13 GB file).
pub const MAX_SIBLINGS: u32 = 1 << 16;

/// Deepest nesting [`Walker`] descends to.
pub const MAX_DEPTH: usize = 16;

/// One atom's header: its type, where it is, and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtomHeader {
    /// Atom type.
    pub kind: FourCC,
    /// Offset of the first byte of the header.
    pub offset: u64,
    /// Total size including the header.
    pub size: u64,
    /// Header length: 8, 16 with a 64-bit size, +16 for a `uuid` extended type.
    pub header_len: u8,
    /// The extended type of a `uuid` atom.
    pub uuid: Option<[u8; 16]>,
}

impl AtomHeader {
    /// Offset of the first payload byte.
    pub fn body_offset(&self) -> u64 {
        // header_len <= size is checked at parse time and offset + size does not overflow.
        self.offset + u64::from(self.header_len)
    }

    /// Payload length.
    pub fn body_len(&self) -> u64 {
        self.size - u64::from(self.header_len)
    }

    /// Offset one past the last byte.
    pub fn end(&self) -> u64 {
        self.offset + self.size
    }
}

/// Read `N` bytes at `offset` into a stack array.
pub(crate) fn read_array<R: ReadAt + ?Sized, const N: usize>(
    r: &R,
    offset: u64,
) -> Result<[u8; N], R::Error> {
    let mut buf = [0u8; N];
    r.read_exact_at(offset, &mut buf).map_err(|error| Error::Read { offset, len: N, error })?;
    Ok(buf)
}

/// Read into a caller buffer, mapping the source's error.
pub(crate) fn read_into<R: ReadAt + ?Sized>(r: &R, offset: u64, buf: &mut [u8]) -> Result<(), R::Error> {
    r.read_exact_at(offset, buf).map_err(|error| Error::Read { offset, len: buf.len(), error })
}

/// Read the header of the atom at `offset`, which must lie inside a parent ending at
/// `parent_end`. A size of 0 means "to the end of the parent".
pub fn read_header<R: ReadAt + ?Sized>(r: &R, offset: u64, parent_end: u64) -> Result<AtomHeader, R::Error> {
    let truncated = || Error::format(ErrorKind::Truncated, codes::FILE, offset);
    let room = parent_end.checked_sub(offset).ok_or_else(truncated)?;
    if room < 8 {
        return Err(truncated());
    }
    let head: [u8; 8] = read_array(r, offset)?;
    let kind = FourCC([head[4], head[5], head[6], head[7]]);
    let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let mut header_len: u8 = 8;
    let size = match size32 {
        0 => room,
        1 => {
            if room < 16 {
                return Err(Error::format(ErrorKind::Truncated, kind, offset));
            }
            header_len = 16;
            u64::from_be_bytes(read_array(r, offset + 8)?)
        }
        n => u64::from(n),
    };
    let mut uuid = None;
    if kind == codes::UUID {
        let at = offset + u64::from(header_len);
        if room < u64::from(header_len) + 16 || size < u64::from(header_len) + 16 {
            return Err(Error::format(ErrorKind::Truncated, kind, offset));
        }
        uuid = Some(read_array(r, at)?);
        header_len += 16;
    }
    if size < u64::from(header_len) {
        return Err(Error::format(ErrorKind::BadAtomSize, kind, offset));
    }
    if size > room {
        return Err(Error::format(ErrorKind::Truncated, kind, offset));
    }
    Ok(AtomHeader { kind, offset, size, header_len, uuid })
}

/// The children of one container, visited in order with a bounded count.
#[derive(Debug, Clone, Copy)]
pub struct Children {
    pos: u64,
    end: u64,
    seen: u32,
}

impl Children {
    /// Children of the byte range `start..end` (e.g. a container's payload, or a whole file).
    pub const fn new(start: u64, end: u64) -> Self {
        Self { pos: start, end, seen: 0 }
    }

    /// Children of `parent`'s payload.
    pub fn of(parent: &AtomHeader) -> Self {
        Self::new(parent.body_offset(), parent.end())
    }

    /// The next child header, `None` at the end of the container.
    pub fn next<R: ReadAt + ?Sized>(&mut self, r: &R) -> Option<Result<AtomHeader, R::Error>> {
        if self.pos >= self.end {
            return None;
        }
        if self.seen >= MAX_SIBLINGS {
            self.pos = self.end;
            return Some(Err(Error::format(ErrorKind::TooManyAtoms, codes::FILE, self.pos)));
        }
        self.seen += 1;
        match read_header(r, self.pos, self.end) {
            Ok(h) => {
                self.pos = h.end();
                Some(Ok(h))
            }
            Err(e) => {
                self.pos = self.end;
                Some(Err(e))
            }
        }
    }

    /// The first child of type `kind`, if any.
    pub fn find<R: ReadAt + ?Sized>(mut self, r: &R, kind: FourCC) -> Result<Option<AtomHeader>, R::Error> {
        while let Some(h) = self.next(r) {
            let h = h?;
            if h.kind == kind {
                return Ok(Some(h));
            }
        }
        Ok(None)
    }
}

/// Is this atom type a plain container whose payload is a list of atoms?
pub fn is_container(kind: FourCC) -> bool {
    matches!(
        &kind.0,
        b"moov"
            | b"trak"
            | b"mdia"
            | b"minf"
            | b"stbl"
            | b"edts"
            | b"dinf"
            | b"udta"
            | b"tref"
            | b"gmhd"
            | b"mvex"
            | b"moof"
            | b"traf"
            | b"mfra"
            | b"clip"
            | b"matt"
    )
}

/// Depth-first walk of the whole atom tree, descending into known containers,
/// with fixed storage ([`MAX_DEPTH`] levels).
pub struct Walker {
    stack: heapless::Vec<Children, MAX_DEPTH>,
}

/// One atom met by [`Walker`], with its nesting depth (0 = top level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkItem {
    /// The atom.
    pub header: AtomHeader,
    /// Nesting depth.
    pub depth: usize,
}

impl Walker {
    /// Walk the atoms of `start..end`, usually `0..file length`.
    pub fn new(start: u64, end: u64) -> Self {
        let mut stack = heapless::Vec::new();
        // Capacity is MAX_DEPTH >= 1, so the first push cannot fail.
        let _ = stack.push(Children::new(start, end));
        Self { stack }
    }

    /// The next atom in document order; errors end the walk.
    pub fn next<R: ReadAt + ?Sized>(&mut self, r: &R) -> Option<Result<WalkItem, R::Error>> {
        loop {
            let depth = self.stack.len().checked_sub(1)?;
            let top = self.stack.last_mut()?;
            match top.next(r) {
                None => {
                    self.stack.pop();
                }
                Some(Err(e)) => {
                    self.stack.clear();
                    return Some(Err(e));
                }
                Some(Ok(header)) => {
                    if is_container(header.kind) && self.stack.push(Children::of(&header)).is_err() {
                        self.stack.clear();
                        return Some(Err(Error::format(ErrorKind::TooManyAtoms, header.kind, header.offset)));
                    }
                    return Some(Ok(WalkItem { header, depth }));
                }
            }
        }
    }
}
