//! Images to files: PNG, JPEG, PPM/PGM, BMP and raw bytes.

mod bmp;
mod format;
mod jpeg;
mod png;
mod pnm;

pub use format::{Format, FormatSpec, DEFAULT_JPEG_QUALITY, DEFAULT_PNG_LEVEL, IMAGE_FORMATS};

use crate::error::{Error, Result};
use crate::pixel::Image;

/// Encoder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    /// PNG compression, 0..=9: 0 stores, 1 (default) is fdeflate's ultra-fast mode with the
    /// `Up` filter (a 1080p frame in well under 30 ms), 2..=9 are zlib levels with adaptive
    /// filtering (smaller and much slower).
    pub png_level: u8,
    /// JPEG quality 1..=100 (default [`DEFAULT_JPEG_QUALITY`]).
    pub jpeg_quality: u8,
    /// JPEG chroma subsampling 4:2:0 (default true); false keeps full-resolution chroma (4:4:4).
    pub jpeg_subsample: bool,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        Self { png_level: DEFAULT_PNG_LEVEL, jpeg_quality: DEFAULT_JPEG_QUALITY, jpeg_subsample: true }
    }
}

/// Encodes an image as a file of the given format.
pub fn encode(image: &Image, format: Format, opts: &EncodeOptions) -> Result<Vec<u8>> {
    let expected = image.stride() * image.height as usize;
    if image.data.len() != expected || image.width == 0 || image.height == 0 {
        return Err(Error::InvalidArgument(format!(
            "image of {}x{} {:?} has {} bytes, expected {expected}",
            image.width,
            image.height,
            image.format,
            image.data.len()
        )));
    }
    let unsupported = || Error::UnsupportedEncoding { format: format.label(), pixels: image.format };
    let t0 = std::time::Instant::now();
    let out = match format {
        Format::Png => png::encode(image, opts.png_level).and_then(|o| o.ok_or_else(unsupported)),
        Format::Jpeg => jpeg::encode(image, opts.jpeg_quality, opts.jpeg_subsample)
            .and_then(|o| o.ok_or_else(unsupported)),
        Format::Ppm | Format::Pgm => pnm::encode(image, format == Format::Pgm).ok_or_else(unsupported),
        Format::Bmp => bmp::encode(image).ok_or_else(unsupported),
        Format::Raw => Ok(image.data.clone()),
    }?;
    tracing::debug!(
        format = format.label(),
        bytes = out.len(),
        ms = t0.elapsed().as_secs_f64() * 1e3,
        "encoded"
    );
    Ok(out)
}

/// 16-bit native-endian samples as big-endian bytes (PNG and PNM store them that way).
fn to_big_endian_u16(data: &[u8]) -> Vec<u8> {
    data.chunks_exact(2).flat_map(|c| u16::from_ne_bytes([c[0], c[1]]).to_be_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixel::PixelFormat;

    fn image(format: PixelFormat, w: u32, h: u32) -> Image {
        let len = w as usize * h as usize * format.bytes_per_pixel();
        Image { width: w, height: h, format, data: (0..len).map(|i| (i * 7 % 251) as u8).collect() }
    }

    #[test]
    fn wrong_buffer_length_is_an_error() {
        let mut img = image(PixelFormat::Rgb24, 4, 4);
        img.data.pop();
        assert!(encode(&img, Format::Png, &EncodeOptions::default()).is_err());
    }

    #[test]
    fn unsupported_combinations_are_errors() {
        let o = EncodeOptions::default();
        assert!(encode(&image(PixelFormat::Rgb48, 4, 4), Format::Jpeg, &o).is_err());
        assert!(encode(&image(PixelFormat::Gray, 4, 4), Format::Ppm, &o).is_err());
        assert!(encode(&image(PixelFormat::Rgb24, 4, 4), Format::Pgm, &o).is_err());
        assert!(encode(&image(PixelFormat::Gray16, 4, 4), Format::Bmp, &o).is_err());
    }

    #[test]
    fn big_endian_conversion() {
        let v = 0x0102u16.to_ne_bytes();
        assert_eq!(to_big_endian_u16(&v), vec![1, 2]);
    }

    #[test]
    fn ppm16_header_and_samples() {
        let img = Image {
            width: 1,
            height: 1,
            format: PixelFormat::Rgb48,
            data: [1u16, 256, 65535].iter().flat_map(|v| v.to_ne_bytes()).collect(),
        };
        let out = encode(&img, Format::Ppm, &EncodeOptions::default()).expect("ppm");
        assert_eq!(&out[..], b"P6\n1 1\n65535\n\x00\x01\x01\x00\xff\xff");
    }

    #[test]
    fn bmp_layout() {
        let img = Image { width: 1, height: 2, format: PixelFormat::Rgb24, data: vec![1, 2, 3, 4, 5, 6] };
        let out = encode(&img, Format::Bmp, &EncodeOptions::default()).expect("bmp");
        assert_eq!(&out[..2], b"BM");
        assert_eq!(out.len(), 54 + 2 * 4);
        // Bottom-up BGR rows padded to 4 bytes: second row first.
        assert_eq!(&out[54..], &[6, 5, 4, 0, 3, 2, 1, 0]);
    }
}
