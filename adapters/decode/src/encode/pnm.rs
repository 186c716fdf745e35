//! Binary PPM (P6) and PGM (P5), 8 or 16 bits.

use super::to_big_endian_u16;
use crate::pixel::{Image, PixelFormat};

/// Encodes RGB images as PPM or gray images as PGM; `None` when the layout does not fit.
pub(super) fn encode(image: &Image, gray: bool) -> Option<Vec<u8>> {
    let (magic, max) = match (image.format, gray) {
        (PixelFormat::Rgb24, false) => ("P6", 255),
        (PixelFormat::Rgb48, false) => ("P6", 65535),
        (PixelFormat::Gray, true) => ("P5", 255),
        (PixelFormat::Gray16, true) => ("P5", 65535),
        _ => return None,
    };
    let mut out = format!("{magic}\n{} {}\n{max}\n", image.width, image.height).into_bytes();
    if max == 255 {
        out.extend_from_slice(&image.data);
    } else {
        out.extend_from_slice(&to_big_endian_u16(&image.data));
    }
    Some(out)
}
