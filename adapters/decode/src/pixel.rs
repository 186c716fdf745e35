//! Pixel layouts of converted pictures: lazyqt's five, or any packed FFmpeg format by name.

use crate::error::Result;
use crate::ffi;

/// Layout of an [`Image`]'s pixels. lazyqt's own 16-bit layouts hold native-endian `u16`
/// samples that use the full 0..=65535 range, so ProRes's 10/12 bits survive (scaled up, not
/// truncated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PixelFormat {
    /// R, G, B, 8 bits each (the default; FFmpeg's rgb24).
    #[default]
    Rgb8,
    /// R, G, B, A, 8 bits each (A = 255; rgba).
    Rgba8,
    /// R, G, B as native-endian u16 (rgb48le or rgb48be).
    Rgb16,
    /// Luma, 8 bits (gray).
    Gray8,
    /// Luma as native-endian u16 (gray16le or gray16be).
    Gray16,
    /// Another packed format FFmpeg converts to (bgr24, argb, rgb48be, ...): see
    /// [`PixelFormat::from_name`].
    Packed(PackedFormat),
}

/// A packed FFmpeg pixel format other than lazyqt's own five: one plane, every component a
/// whole 8- or 16-bit sample, no subsampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PackedFormat {
    fmt: ffi::PixFmt,
    bytes_per_pixel: u8,
    bytes_per_sample: u8,
    big_endian: bool,
}

impl PixelFormat {
    /// The format FFmpeg calls `name` (`rgb24`, `bgr24`, `rgba`, `argb`, `gray`, `gray16be`,
    /// `rgb48le`, `rgba64be`, ...; a name without `le`/`be` means native-endian, as in
    /// FFmpeg), or one of lazyqt's names (`rgb8`, `rgba8`, `rgb16`, `gray8`, `gray16`; these
    /// win: `rgb8` is rgb24 here, not FFmpeg's 3:3:2 `rgb8`).
    /// Formats that are not packed (planar, palette, bitstream, subsampled, float or with
    /// components of odd bit widths) are an [`crate::Error::InvalidArgument`].
    pub fn from_name(name: &str) -> Result<Self> {
        let own = match name.to_ascii_lowercase().as_str() {
            "rgb8" => Some(Self::Rgb8),
            "rgba8" => Some(Self::Rgba8),
            "rgb16" => Some(Self::Rgb16),
            "gray8" => Some(Self::Gray8),
            _ => None,
        };
        if let Some(f) = own {
            return Ok(f);
        }
        let packed = ffi::packed_pix_fmt(name)?;
        let own = [Self::Rgb8, Self::Rgba8, Self::Rgb16, Self::Gray8, Self::Gray16];
        Ok(own.into_iter().find(|f| f.ffmpeg_format() == packed.fmt).unwrap_or(Self::Packed(PackedFormat {
            fmt: packed.fmt,
            bytes_per_pixel: packed.bytes_per_pixel,
            bytes_per_sample: packed.bytes_per_sample,
            big_endian: packed.big_endian,
        })))
    }

    /// FFmpeg's name of the format (`rgb24`, `gray16le`, ...).
    pub fn name(self) -> String {
        ffi::pix_fmt_name(self.ffmpeg_format())
    }

    /// Samples per pixel (a packing byte, as in `rgb0`, counts as one).
    pub fn channels(self) -> usize {
        match self {
            Self::Rgb8 | Self::Rgb16 => 3,
            Self::Rgba8 => 4,
            Self::Gray8 | Self::Gray16 => 1,
            Self::Packed(p) => usize::from(p.bytes_per_pixel / p.bytes_per_sample.max(1)),
        }
    }

    /// Bytes per sample (1 or 2).
    pub fn bytes_per_sample(self) -> usize {
        match self {
            Self::Rgb16 | Self::Gray16 => 2,
            Self::Rgb8 | Self::Rgba8 | Self::Gray8 => 1,
            Self::Packed(p) => usize::from(p.bytes_per_sample),
        }
    }

    /// Bytes per pixel.
    pub fn bytes_per_pixel(self) -> usize {
        self.channels() * self.bytes_per_sample()
    }

    /// Whether 16-bit samples are stored big-endian (false for 8-bit formats).
    pub fn big_endian(self) -> bool {
        match self {
            Self::Rgb16 | Self::Gray16 => cfg!(target_endian = "big"),
            Self::Rgb8 | Self::Rgba8 | Self::Gray8 => false,
            Self::Packed(p) => p.big_endian,
        }
    }

    /// The FFmpeg pixel format swscale writes.
    pub(crate) fn ffmpeg_format(self) -> ffi::PixFmt {
        use ffi::PixFmt as F;
        let le = cfg!(target_endian = "little");
        match self {
            Self::Rgb8 => F::AV_PIX_FMT_RGB24,
            Self::Rgba8 => F::AV_PIX_FMT_RGBA,
            Self::Gray8 => F::AV_PIX_FMT_GRAY8,
            Self::Rgb16 if le => F::AV_PIX_FMT_RGB48LE,
            Self::Rgb16 => F::AV_PIX_FMT_RGB48BE,
            Self::Gray16 if le => F::AV_PIX_FMT_GRAY16LE,
            Self::Gray16 => F::AV_PIX_FMT_GRAY16BE,
            Self::Packed(p) => p.fmt,
        }
    }
}

/// A packed picture: rows of `width * bytes_per_pixel` bytes, no padding, top row first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixel layout.
    pub format: PixelFormat,
    /// `height * stride()` bytes.
    pub data: Vec<u8>,
}

impl Image {
    /// Bytes per row.
    pub fn stride(&self) -> usize {
        self.width as usize * self.format.bytes_per_pixel()
    }

    /// The array shape `(height, width, channels, bytes per sample)`, as numpy would see it.
    pub fn shape(&self) -> (usize, usize, usize, usize) {
        (self.height as usize, self.width as usize, self.format.channels(), self.format.bytes_per_sample())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_stride() {
        let img = Image { width: 4, height: 2, format: PixelFormat::Rgb16, data: vec![0; 48] };
        assert_eq!(img.shape(), (2, 4, 3, 2));
        assert_eq!(img.stride(), 24);
    }

    #[test]
    fn ffmpeg_names_give_lazyqt_formats_where_they_are_the_same() {
        let native = if cfg!(target_endian = "little") { "le" } else { "be" };
        for (name, want) in [
            ("rgb24", PixelFormat::Rgb8),
            ("RGB8", PixelFormat::Rgb8),
            ("rgba", PixelFormat::Rgba8),
            ("gray", PixelFormat::Gray8),
            ("gray16", PixelFormat::Gray16),
            ("rgb48", PixelFormat::Rgb16),
            (&format!("rgb48{native}"), PixelFormat::Rgb16),
        ] {
            assert_eq!(PixelFormat::from_name(name).expect(name), want, "{name}");
        }
    }

    #[test]
    fn other_packed_formats() {
        for (name, channels, bytes, be) in [
            ("bgr24", 3, 1, false),
            ("argb", 4, 1, false),
            ("abgr", 4, 1, false),
            ("bgra", 4, 1, false),
            ("rgb0", 4, 1, false),
            ("ya8", 2, 1, false),
            ("gray16be", 1, 2, true),
            ("rgb48be", 3, 2, true),
            ("bgr48le", 3, 2, false),
            ("rgba64be", 4, 2, true),
            ("gray10le", 1, 2, false),
        ] {
            let f = PixelFormat::from_name(name).expect(name);
            assert_eq!((f.channels(), f.bytes_per_sample(), f.big_endian()), (channels, bytes, be), "{name}");
            assert_eq!(f.name(), name);
        }
    }

    #[test]
    fn planar_and_unknown_formats_are_refused_clearly() {
        for (name, says) in [
            ("yuv420p", "not packed"),
            ("gbrp", "not packed"),
            ("pal8", "not packed"),
            ("monob", "not packed"),
            ("yuyv422", "not packed"),
            ("rgb565le", "not packed"),
            ("grayf32le", "not packed"),
            ("bayer_rggb8", "not packed"),
            ("nosuchformat", "unknown pixel format"),
            ("rgb\0", "unknown pixel format"),
        ] {
            let e = PixelFormat::from_name(name).expect_err(name).to_string();
            assert!(e.contains(says), "{name}: {e}");
        }
    }
}
