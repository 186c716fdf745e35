//! `hdlr`: what kind of media a track holds.

use super::be_u32;
use super::{full_box, read_body, truncated};
use crate::atom::AtomHeader;
use crate::error::Result;
use crate::fourcc::FourCC;
use crate::read_at::ReadAt;

/// The handler: component type (`mhlr`/`dhlr` in QuickTime, zero in MP4) and subtype
/// (`vide`, `soun`, `tmcd`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Handler {
    /// Component type.
    pub component_type: FourCC,
    /// Handler subtype: the media kind.
    pub subtype: FourCC,
}

/// Parse `hdlr`.
pub fn parse<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader) -> Result<Handler, R::Error> {
    let (buf, len) = read_body::<R, 12>(r, h)?;
    let body = buf.get(..len).ok_or_else(|| truncated(h))?;
    let (i, _) = full_box(body).map_err(|_| truncated(h))?;
    let (i, component_type) = be_u32(i).map_err(|_| truncated(h))?;
    let (_, subtype) = be_u32(i).map_err(|_| truncated(h))?;
    Ok(Handler {
        component_type: FourCC(component_type.to_be_bytes()),
        subtype: FourCC(subtype.to_be_bytes()),
    })
}
