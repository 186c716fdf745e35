//! The image file formats lazyqt writes: one table of names, extensions, MIME types, C codes
//! and defaults that the CLI, the server, the C ABI and Python all follow.

use crate::pixel::PixelFormat;

/// An image file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// PNG (8 or 16 bits, RGB, RGBA or gray).
    Png,
    /// Baseline JPEG (8-bit RGB, RGBA without alpha, or gray).
    Jpeg,
    /// Binary PPM (P6), 8 or 16 bits (16-bit samples big-endian, as the format requires).
    Ppm,
    /// Binary PGM (P5), 8 or 16 bits.
    Pgm,
    /// Uncompressed Windows bitmap (24-bit; 32-bit for RGBA); 8-bit only.
    Bmp,
    /// The image's bytes as they are (see [`crate::Image::shape`] for the layout).
    Raw,
}

/// PNG compression level when the caller gives none: fdeflate's ultra-fast mode.
pub const DEFAULT_PNG_LEVEL: u8 = 1;
/// JPEG quality when the caller gives none.
pub const DEFAULT_JPEG_QUALITY: u8 = 90;

/// One row of [`IMAGE_FORMATS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatSpec {
    /// The format.
    pub format: Format,
    /// Its name in APIs and option values (lower case).
    pub name: &'static str,
    /// How messages name it ("PNG").
    pub label: &'static str,
    /// File extensions (lower case, no dot); the first is the one lazyqt writes.
    pub extensions: &'static [&'static str],
    /// MIME type of a file of this format.
    pub mime_type: &'static str,
    /// Pixels to convert to when the caller has no preference.
    pub pixels: PixelFormat,
    /// Quality when the caller gives none: PNG's compression level, JPEG's quality.
    pub default_quality: Option<u8>,
    /// Its `lazyqt_image_format` value in the C ABI (`None`: C cannot ask for it).
    pub c_code: Option<u32>,
}

/// Every image format, in [`Format`] order.
pub const IMAGE_FORMATS: [FormatSpec; 6] = [
    FormatSpec {
        format: Format::Png,
        name: "png",
        label: "PNG",
        extensions: &["png"],
        mime_type: "image/png",
        pixels: PixelFormat::Rgb24,
        default_quality: Some(DEFAULT_PNG_LEVEL),
        c_code: Some(0),
    },
    FormatSpec {
        format: Format::Jpeg,
        name: "jpeg",
        label: "JPEG",
        extensions: &["jpg", "jpeg"],
        mime_type: "image/jpeg",
        pixels: PixelFormat::Rgb24,
        default_quality: Some(DEFAULT_JPEG_QUALITY),
        c_code: Some(1),
    },
    FormatSpec {
        format: Format::Ppm,
        name: "ppm",
        label: "PPM",
        extensions: &["ppm"],
        mime_type: "image/x-portable-pixmap",
        pixels: PixelFormat::Rgb24,
        default_quality: None,
        c_code: Some(2),
    },
    FormatSpec {
        format: Format::Pgm,
        name: "pgm",
        label: "PGM",
        extensions: &["pgm"],
        mime_type: "image/x-portable-graymap",
        pixels: PixelFormat::Gray,
        default_quality: None,
        c_code: Some(3),
    },
    FormatSpec {
        format: Format::Bmp,
        name: "bmp",
        label: "BMP",
        extensions: &["bmp"],
        mime_type: "image/bmp",
        pixels: PixelFormat::Rgb24,
        default_quality: None,
        c_code: Some(4),
    },
    FormatSpec {
        format: Format::Raw,
        name: "raw",
        label: "raw",
        extensions: &["raw", "rgb", "rgba"],
        mime_type: "application/octet-stream",
        pixels: PixelFormat::Rgb24,
        default_quality: None,
        c_code: None,
    },
];

impl Format {
    /// Its row of [`IMAGE_FORMATS`].
    pub fn spec(self) -> &'static FormatSpec {
        // IMAGE_FORMATS is in variant order (a test checks).
        &IMAGE_FORMATS[self as usize]
    }

    /// The format for a name or file extension (case-insensitive, without the dot): png, jpg,
    /// jpeg, ppm, pgm, bmp, raw, rgb, rgba.
    pub fn from_extension(ext: &str) -> Option<Self> {
        let ext = ext.to_ascii_lowercase();
        IMAGE_FORMATS.iter().find(|f| f.name == ext || f.extensions.contains(&ext.as_str())).map(|f| f.format)
    }

    /// The format with this `lazyqt_image_format` code.
    pub fn from_code(code: u32) -> Option<Self> {
        IMAGE_FORMATS.iter().find(|f| f.c_code == Some(code)).map(|f| f.format)
    }

    /// The extension lazyqt writes (`jpg` for JPEG).
    pub fn extension(self) -> &'static str {
        self.spec().extensions.first().copied().unwrap_or(self.spec().name)
    }

    /// The MIME type for HTTP answers.
    pub fn mime_type(self) -> &'static str {
        self.spec().mime_type
    }

    /// The pixel format to convert to when the caller has no preference: gray for PGM,
    /// rgb24 for everything else.
    pub fn natural_pixel_format(self) -> PixelFormat {
        self.spec().pixels
    }

    /// How messages name it ("PNG").
    pub fn label(self) -> &'static str {
        self.spec().label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_variant_order_with_distinct_names_and_codes() {
        let all = [Format::Png, Format::Jpeg, Format::Ppm, Format::Pgm, Format::Bmp, Format::Raw];
        assert_eq!(all.len(), IMAGE_FORMATS.len());
        for (i, f) in all.into_iter().enumerate() {
            assert_eq!(IMAGE_FORMATS[i].format, f);
            assert_eq!(Format::from_extension(f.spec().name), Some(f));
            for ext in f.spec().extensions {
                assert_eq!(Format::from_extension(&ext.to_ascii_uppercase()), Some(f), "{ext}");
            }
            if let Some(code) = f.spec().c_code {
                assert_eq!(Format::from_code(code), Some(f));
            }
        }
        assert_eq!(Format::from_code(5), None);
    }

    #[test]
    fn extensions_and_defaults() {
        assert_eq!(Format::from_extension("JPG"), Some(Format::Jpeg));
        assert_eq!(Format::Jpeg.extension(), "jpg");
        assert_eq!(Format::from_extension("rgba"), Some(Format::Raw));
        assert_eq!(Format::Raw.extension(), "raw");
        assert_eq!(Format::from_extension("gif"), None);
        assert_eq!(Format::Pgm.natural_pixel_format(), PixelFormat::Gray);
        assert_eq!(Format::Jpeg.spec().default_quality, Some(90));
    }
}
