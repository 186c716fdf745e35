//! Options shared by `frame` and `frames`: output format, pixel format, colour matrix, size,
//! encoder settings.

use std::path::Path;

use crate::exit::ExitError;
use lazyqt_media::decoding::{
    ColorMatrix, ConvertOptions, EncodeOptions, Format, PixelFormat, DEFAULT_JPEG_QUALITY, DEFAULT_PNG_LEVEL,
};

/// How decoded frames become image files.
#[derive(Debug, Clone, clap::Args)]
pub struct ImageArgs {
    /// Image format: png, jpg (or jpeg), ppm, pgm, bmp or raw (packed pixels, see
    /// --pixel-format).
    /// Default: from the output file's extension, else png.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,

    /// Pixel layout, as FFmpeg names it: rgb24, rgba, rgb48 (keeps ProRes's 10/12 bits;
    /// PNG/PPM/raw), gray, gray16 (rgb8, rgba8, rgb16 and gray8 are accepted too); for raw
    /// output also any packed FFmpeg pixel format (bgr24, argb, rgb48be, ...).
    /// Default: rgb24 (gray for pgm).
    #[arg(long, value_name = "LAYOUT")]
    pub pixel_format: Option<String>,

    /// YUV->RGB matrix. The default is FFmpeg's rule: the stream's matrix and range (from the
    /// bitstream, else the `colr` atom), BT.601 when untagged, whatever the size, so pictures
    /// equal `ffmpeg -i MOVIE -pix_fmt rgb24`; bt601/bt709/bt2020 force one (as ffmpeg's
    /// `-vf scale=in_color_matrix=M`).
    #[arg(long, value_name = "MATRIX", value_enum, default_value_t)]
    pub color_matrix: ColorMatrix,

    /// Scale to WxH; a 0 side keeps the aspect ratio (e.g. 640x0).
    #[arg(long, value_name = "WxH", value_parser = parse_scale)]
    pub scale: Option<(u32, u32)>,

    /// PNG compression 0-9: 1 (default) is fast (a 1080p frame in ~20 ms); 6-9 are smaller and
    /// several times slower; 0 stores.
    #[arg(long, default_value_t = DEFAULT_PNG_LEVEL, value_parser = clap::value_parser!(u8).range(0..=9))]
    pub png_level: u8,

    /// JPEG quality 1-100.
    #[arg(long, default_value_t = DEFAULT_JPEG_QUALITY, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
}

fn parse_scale(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or("expected WxH, e.g. 640x360 or 640x0")?;
    let w: u32 = w.trim().parse().map_err(|_| format!("bad width {w:?}"))?;
    let h: u32 = h.trim().parse().map_err(|_| format!("bad height {h:?}"))?;
    if w == 0 && h == 0 {
        return Err("at least one side must be non-zero".into());
    }
    Ok((w, h))
}

impl ImageArgs {
    /// The image format: `--format`, else the extension of `out`, else PNG.
    pub fn format_for(&self, out: Option<&Path>) -> anyhow::Result<Format> {
        if let Some(f) = &self.format {
            return Format::from_extension(f)
                .ok_or_else(|| ExitError::usage(format!("unknown image format {f:?}")));
        }
        let ext = out.and_then(|p| p.extension()).and_then(|e| e.to_str());
        match ext {
            Some(e) => Format::from_extension(e).ok_or_else(|| {
                ExitError::usage(format!("cannot tell the image format from .{e}: use --format"))
            }),
            None => Ok(Format::Png),
        }
    }

    /// Conversion settings for `format`.
    pub fn convert(&self, format: Format) -> anyhow::Result<ConvertOptions> {
        let pixel = match &self.pixel_format {
            Some(p) => PixelFormat::from_name(p).map_err(|e| ExitError::usage(e.to_string()))?,
            None => format.natural_pixel_format(),
        };
        Ok(ConvertOptions {
            format: pixel,
            size: self.scale,
            matrix: self.color_matrix,
            ..ConvertOptions::default()
        })
    }

    /// Encoder settings.
    pub fn encode(&self) -> EncodeOptions {
        EncodeOptions { png_level: self.png_level, jpeg_quality: self.quality, ..EncodeOptions::default() }
    }
}
