//! Baseline JPEG through the `jpeg-encoder` crate (AVX2 when the CPU has it).

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use crate::error::{Error, Result};
use crate::pixel::{Image, PixelFormat};

/// Encodes 8-bit images; `Ok(None)` for 16-bit ones, which baseline JPEG cannot hold.
pub(super) fn encode(image: &Image, quality: u8, subsample: bool) -> Result<Option<Vec<u8>>> {
    let color = match image.format {
        PixelFormat::Rgb24 => ColorType::Rgb,
        PixelFormat::Rgba => ColorType::Rgba,
        PixelFormat::Gray => ColorType::Luma,
        PixelFormat::Rgb48 | PixelFormat::Gray16 | PixelFormat::Packed(_) => return Ok(None),
    };
    if !(1..=100).contains(&quality) {
        return Err(Error::InvalidArgument(format!("JPEG quality {quality} is not in 1..=100")));
    }
    let dim = |v: u32| {
        u16::try_from(v)
            .map_err(|_| Error::InvalidArgument(format!("JPEG cannot be {v} pixels wide or high")))
    };
    let (w, h) = (dim(image.width)?, dim(image.height)?);
    let mut out = Vec::with_capacity(image.data.len() / 8 + 1024);
    let mut enc = Encoder::new(&mut out, quality);
    enc.set_sampling_factor(if subsample { SamplingFactor::F_2_2 } else { SamplingFactor::F_1_1 });
    enc.encode(&image.data, w, h, color)?;
    Ok(Some(out))
}
