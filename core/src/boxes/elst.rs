//! `elst`: the edit list, which maps the movie's timeline onto the media's.
//!
//! Only what frame numbering needs is kept: the total delay of leading empty edits and
//! the first edit that shows media. Later edits (rare in practice) are counted, not used.

use super::table::{be32, Table, Window};
use super::{full_box, read_body, truncated};
use crate::atom::AtomHeader;
use crate::error::{Error, ErrorKind, Result};
use crate::read_at::ReadAt;

/// The edit that decides which samples are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Edit {
    /// Sum of the leading empty edits, in the movie's timescale.
    pub empty_delay: u64,
    /// First media time shown, in the track's timescale.
    pub media_time: i64,
    /// Length of the edit in the movie's timescale; 0 = to the end of the media.
    pub segment_duration: u64,
    /// Number of edits in the list.
    pub count: u32,
}

/// Most entries examined before giving up looking for a non-empty edit.
const MAX_LEADING_EMPTY: u32 = 1024;

/// Parse `elst`.
pub fn parse<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader) -> Result<Edit, R::Error> {
    let (buf, len) = read_body::<R, 8>(r, h)?;
    let body = buf.get(..len).ok_or_else(|| truncated(h))?;
    let (_, (version, _)) = full_box(body).map_err(|_| truncated(h))?;
    let entry_bits = match version {
        0 => 96,
        1 => 160,
        _ => return Err(Error::format(ErrorKind::UnsupportedVersion, h.kind, h.offset)),
    };
    let count = be32(&buf, 4);
    let bytes = u64::from(count) * u64::from(entry_bits) / 8;
    if bytes > h.body_len().saturating_sub(8) {
        return Err(Error::format(ErrorKind::BadTable, h.kind, h.offset));
    }
    let table = Table { atom: h.kind, atom_offset: h.offset, offset: h.body_offset() + 8, count, entry_bits };
    let mut edit = Edit { count, ..Edit::default() };
    let mut w = Window::new();
    for i in 0..count.min(MAX_LEADING_EMPTY) {
        let e = w.entry(r, &table, i)?;
        let (duration, media_time) = if version == 1 {
            let d = u64::from(be32(e, 0)) << 32 | u64::from(be32(e, 4));
            let t = (u64::from(be32(e, 8)) << 32 | u64::from(be32(e, 12))) as i64;
            (d, t)
        } else {
            (u64::from(be32(e, 0)), i64::from(be32(e, 4) as i32))
        };
        if media_time == -1 {
            edit.empty_delay = edit.empty_delay.checked_add(duration).ok_or(Error::format(
                ErrorKind::Overflow,
                h.kind,
                h.offset,
            ))?;
            continue;
        }
        if media_time < 0 {
            return Err(Error::format(ErrorKind::BadTable, h.kind, h.offset));
        }
        edit.media_time = media_time;
        edit.segment_duration = duration;
        return Ok(edit);
    }
    Ok(edit)
}
