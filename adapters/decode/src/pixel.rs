//! Pixel layouts of converted pictures: lazyqt's five (one table: names, aliases, layout, C
//! codes), or any packed FFmpeg format by name.

use crate::error::Result;
use crate::ffi;

/// Layout of an [`Image`]'s pixels: lazyqt's own five (see [`PIXEL_FORMATS`]), or any other
/// packed FFmpeg format. The 16-bit ones hold native-endian `u16` samples that use the full
/// 0..=65535 range, so ProRes's 10/12 bits survive (scaled up, not truncated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PixelFormat {
    /// R, G, B, 8 bits each (the default; FFmpeg's rgb24).
    #[default]
    Rgb24,
    /// R, G, B, A, 8 bits each (A = 255; rgba).
    Rgba,
    /// R, G, B as native-endian u16 (rgb48le or rgb48be).
    Rgb48,
    /// Luma, 8 bits (gray).
    Gray,
    /// Luma as native-endian u16 (gray16le or gray16be).
    Gray16,
    /// Another packed format FFmpeg converts to (bgr24, argb, rgb48be, ...): see
    /// [`PixelFormat::from_name`].
    Packed(PackedFormat),
}

/// One of lazyqt's own pixel formats: its names and layout, and its code in the C ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelSpec {
    /// The format.
    pub format: PixelFormat,
    /// FFmpeg's name (native-endian names spelled out, e.g. `gray16le` on little-endian).
    pub name: &'static str,
    /// Other names accepted for it: lazyqt's older ones (`rgb8` wins over FFmpeg's 3:3:2
    /// `rgb8`) and FFmpeg's native-endian ones without `le`/`be`.
    pub aliases: &'static [&'static str],
    /// Samples per pixel.
    pub channels: u8,
    /// Bytes per sample.
    pub bytes_per_sample: u8,
    /// Its `lazyqt_pixel_format` value in the C ABI.
    pub c_code: u32,
}

/// `little` or `big` variant of a 16-bit format name, for this machine.
const fn native(little: &'static str, big: &'static str) -> &'static str {
    if cfg!(target_endian = "little") {
        little
    } else {
        big
    }
}

/// lazyqt's own pixel formats: the one table the decoder, the CLI, the server, the C ABI
/// (its `lazyqt_pixel_format` codes) follow.
pub const PIXEL_FORMATS: [PixelSpec; 5] = [
    PixelSpec {
        format: PixelFormat::Rgb24,
        name: "rgb24",
        aliases: &["rgb8"],
        channels: 3,
        bytes_per_sample: 1,
        c_code: 0,
    },
    PixelSpec {
        format: PixelFormat::Rgba,
        name: "rgba",
        aliases: &["rgba8"],
        channels: 4,
        bytes_per_sample: 1,
        c_code: 1,
    },
    PixelSpec {
        format: PixelFormat::Rgb48,
        name: native("rgb48le", "rgb48be"),
        aliases: &["rgb16", "rgb48"],
        channels: 3,
        bytes_per_sample: 2,
        c_code: 2,
    },
    PixelSpec {
        format: PixelFormat::Gray,
        name: "gray",
        aliases: &["gray8"],
        channels: 1,
        bytes_per_sample: 1,
        c_code: 3,
    },
    PixelSpec {
        format: PixelFormat::Gray16,
        name: native("gray16le", "gray16be"),
        aliases: &["gray16"],
        channels: 1,
        bytes_per_sample: 2,
        c_code: 4,
    },
];

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
    /// The format with this name (case-insensitive): one of [`PIXEL_FORMATS`] by name or
    /// alias, else any packed format FFmpeg knows (`bgr24`, `argb`, `gray16be`, `rgba64be`,
    /// ...; a name without `le`/`be` means native-endian, as in FFmpeg).
    /// Formats that are not packed (planar, palette, bitstream, subsampled, float or with
    /// components of odd bit widths) are an [`crate::Error::InvalidArgument`].
    pub fn from_name(name: &str) -> Result<Self> {
        let lower = name.to_ascii_lowercase();
        let own = PIXEL_FORMATS.iter().find(|p| p.name == lower || p.aliases.contains(&lower.as_str()));
        if let Some(p) = own {
            return Ok(p.format);
        }
        let packed = ffi::packed_pix_fmt(name)?;
        let own = PIXEL_FORMATS.iter().map(|p| p.format).find(|f| f.ffmpeg_format() == packed.fmt);
        Ok(own.unwrap_or(Self::Packed(PackedFormat {
            fmt: packed.fmt,
            bytes_per_pixel: packed.bytes_per_pixel,
            bytes_per_sample: packed.bytes_per_sample,
            big_endian: packed.big_endian,
        })))
    }

    /// The format with this `lazyqt_pixel_format` code.
    pub fn from_code(code: u32) -> Option<Self> {
        PIXEL_FORMATS.iter().find(|p| p.c_code == code).map(|p| p.format)
    }

    /// Its row of [`PIXEL_FORMATS`] (`None` for other packed formats).
    pub fn spec(self) -> Option<&'static PixelSpec> {
        PIXEL_FORMATS.iter().find(|p| p.format == self)
    }

    /// FFmpeg's name of the format (`rgb24`, `gray16le`, ...).
    pub fn name(self) -> String {
        match self.spec() {
            Some(p) => p.name.to_owned(),
            None => ffi::pix_fmt_name(self.ffmpeg_format()),
        }
    }

    /// Samples per pixel (a packing byte, as in `rgb0`, counts as one).
    pub fn channels(self) -> usize {
        match (self, self.spec()) {
            (_, Some(p)) => usize::from(p.channels),
            (Self::Packed(p), None) => usize::from(p.bytes_per_pixel / p.bytes_per_sample.max(1)),
            (_, None) => 0,
        }
    }

    /// Bytes per sample (1 or 2).
    pub fn bytes_per_sample(self) -> usize {
        match (self, self.spec()) {
            (_, Some(p)) => usize::from(p.bytes_per_sample),
            (Self::Packed(p), None) => usize::from(p.bytes_per_sample),
            (_, None) => 0,
        }
    }

    /// Bytes per pixel.
    pub fn bytes_per_pixel(self) -> usize {
        self.channels() * self.bytes_per_sample()
    }

    /// Whether 16-bit samples are stored big-endian (false for 8-bit formats).
    pub fn big_endian(self) -> bool {
        match self {
            Self::Packed(p) => p.big_endian,
            own => own.bytes_per_sample() == 2 && cfg!(target_endian = "big"),
        }
    }

    /// The FFmpeg pixel format swscale writes.
    pub(crate) fn ffmpeg_format(self) -> ffi::PixFmt {
        use ffi::PixFmt as F;
        let le = cfg!(target_endian = "little");
        match self {
            Self::Rgb24 => F::AV_PIX_FMT_RGB24,
            Self::Rgba => F::AV_PIX_FMT_RGBA,
            Self::Gray => F::AV_PIX_FMT_GRAY8,
            Self::Rgb48 if le => F::AV_PIX_FMT_RGB48LE,
            Self::Rgb48 => F::AV_PIX_FMT_RGB48BE,
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
        let img = Image { width: 4, height: 2, format: PixelFormat::Rgb48, data: vec![0; 48] };
        assert_eq!(img.shape(), (2, 4, 3, 2));
        assert_eq!(img.stride(), 24);
    }

    #[test]
    fn ffmpeg_names_give_lazyqt_formats_where_they_are_the_same() {
        let native = if cfg!(target_endian = "little") { "le" } else { "be" };
        for (name, want) in [
            ("rgb24", PixelFormat::Rgb24),
            ("RGB8", PixelFormat::Rgb24),
            ("rgba", PixelFormat::Rgba),
            ("rgba8", PixelFormat::Rgba),
            ("gray", PixelFormat::Gray),
            ("gray8", PixelFormat::Gray),
            ("gray16", PixelFormat::Gray16),
            (&format!("gray16{native}"), PixelFormat::Gray16),
            ("rgb16", PixelFormat::Rgb48),
            ("rgb48", PixelFormat::Rgb48),
            (&format!("rgb48{native}"), PixelFormat::Rgb48),
        ] {
            assert_eq!(PixelFormat::from_name(name).expect(name), want, "{name}");
        }
    }

    /// The table's names are FFmpeg's, its layouts FFmpeg's, its C codes distinct.
    #[test]
    fn the_table_agrees_with_ffmpeg() {
        let mut codes: Vec<u32> = PIXEL_FORMATS.iter().map(|p| p.c_code).collect();
        codes.dedup();
        assert_eq!(codes.len(), PIXEL_FORMATS.len());
        for p in PIXEL_FORMATS {
            assert_eq!(PixelFormat::from_code(p.c_code), Some(p.format));
            let packed = ffi::packed_pix_fmt(p.name).expect(p.name);
            assert_eq!(ffi::pix_fmt_name(p.format.ffmpeg_format()), p.name);
            assert_eq!(packed.fmt, p.format.ffmpeg_format(), "{}", p.name);
            assert_eq!(
                (packed.bytes_per_pixel, packed.bytes_per_sample),
                (p.channels * p.bytes_per_sample, p.bytes_per_sample),
                "{}",
                p.name
            );
            assert_eq!(p.format.spec(), Some(&p));
        }
        assert_eq!(PixelFormat::from_code(5), None);
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
