//! `ftyp`: the file type and brands.

use super::be_u32;
use super::{read_body, truncated, Res};
use crate::atom::AtomHeader;
use crate::error::Result;
use crate::fourcc::FourCC;
use crate::read_at::ReadAt;

/// Most compatible brands kept.
pub const MAX_BRANDS: usize = 8;

/// The file type: major brand (`qt  `, `isom`, `mp42`…) and compatible brands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileType {
    /// Major brand.
    pub major_brand: FourCC,
    /// Minor version.
    pub minor_version: u32,
    /// The first [`MAX_BRANDS`] compatible brands.
    pub compatible: heapless::Vec<FourCC, MAX_BRANDS>,
}

fn fourcc(i: &[u8]) -> Res<'_, FourCC> {
    let (i, v) = be_u32(i)?;
    Ok((i, FourCC(v.to_be_bytes())))
}

/// Parse an `ftyp` atom.
pub fn parse<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader) -> Result<FileType, R::Error> {
    let (buf, len) = read_body::<R, 64>(r, h)?;
    let body = buf.get(..len).ok_or_else(|| truncated(h))?;
    let (rest, major_brand) = fourcc(body).map_err(|_| truncated(h))?;
    let (mut rest, minor_version) = be_u32(rest).map_err(|_| truncated(h))?;
    let mut compatible = heapless::Vec::new();
    while let Ok((next, brand)) = fourcc(rest) {
        if compatible.push(brand).is_err() {
            break;
        }
        rest = next;
    }
    Ok(FileType { major_brand, minor_version, compatible })
}
