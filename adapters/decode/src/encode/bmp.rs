//! Uncompressed BMP: 24-bit BGR (gray expanded) or 32-bit BGRA, bottom-up rows.

use crate::pixel::{Image, PixelFormat};

const HEADER: usize = 14 + 40;

/// Encodes 8-bit images; `None` for 16-bit ones.
pub(super) fn encode(image: &Image) -> Option<Vec<u8>> {
    let bpp: usize = match image.format {
        PixelFormat::Rgb24 | PixelFormat::Gray => 3,
        PixelFormat::Rgba => 4,
        PixelFormat::Rgb48 | PixelFormat::Gray16 | PixelFormat::Packed(_) => return None,
    };
    let (w, h) = (image.width as usize, image.height as usize);
    let row = (w * bpp).div_ceil(4) * 4;
    let size = HEADER.checked_add(row.checked_mul(h)?)?;
    let size32 = u32::try_from(size).ok()?;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&size32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(HEADER as u32).to_le_bytes());
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&i32::try_from(w).ok()?.to_le_bytes());
    out.extend_from_slice(&i32::try_from(h).ok()?.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&(bpp as u16 * 8).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // BI_RGB
    out.extend_from_slice(&u32::try_from(row * h).ok()?.to_le_bytes());
    out.extend_from_slice(&2835u32.to_le_bytes()); // 72 dpi
    out.extend_from_slice(&2835u32.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    let src_row = image.stride();
    for y in (0..h).rev() {
        let src = &image.data[y * src_row..(y + 1) * src_row];
        match image.format {
            PixelFormat::Gray => src.iter().for_each(|&g| out.extend_from_slice(&[g, g, g])),
            PixelFormat::Rgb24 => {
                src.chunks_exact(3).for_each(|p| out.extend_from_slice(&[p[2], p[1], p[0]]))
            }
            _ => src.chunks_exact(4).for_each(|p| out.extend_from_slice(&[p[2], p[1], p[0], p[3]])),
        }
        out.resize(out.len() + row - w * bpp, 0);
    }
    Some(out)
}
