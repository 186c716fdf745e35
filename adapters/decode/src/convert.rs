//! Decoded frames to packed RGB/gray images through swscale, with the right colour matrix.

use std::os::raw::c_int;

use crate::codec::{CodecParams, ColorInfo};
use crate::decoder::{DecodedFrame, Limits};
use crate::error::{Error, Result};
use crate::ffi::{self, sws_flags, Scaler, ScalerConfig};

/// Layout of an [`Image`]'s pixels. 16-bit layouts hold native-endian `u16` samples that use
/// the full 0..=65535 range, so ProRes's 10/12 bits survive (scaled up, not truncated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PixelFormat {
    /// R, G, B, 8 bits each (the default).
    #[default]
    Rgb8,
    /// R, G, B, A, 8 bits each (A = 255).
    Rgba8,
    /// R, G, B as native-endian u16.
    Rgb16,
    /// Luma, 8 bits.
    Gray8,
    /// Luma as native-endian u16.
    Gray16,
}

impl PixelFormat {
    /// Samples per pixel.
    pub fn channels(self) -> usize {
        match self {
            Self::Rgb8 | Self::Rgb16 => 3,
            Self::Rgba8 => 4,
            Self::Gray8 | Self::Gray16 => 1,
        }
    }

    /// Bytes per sample (1 or 2).
    pub fn bytes_per_sample(self) -> usize {
        match self {
            Self::Rgb16 | Self::Gray16 => 2,
            Self::Rgb8 | Self::Rgba8 | Self::Gray8 => 1,
        }
    }

    /// Bytes per pixel.
    pub fn bytes_per_pixel(self) -> usize {
        self.channels() * self.bytes_per_sample()
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

/// The swscale filter used when the output size differs from the frame's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScaleFilter {
    /// Fastest, lowest quality.
    FastBilinear,
    /// Bilinear.
    Bilinear,
    /// Bicubic: FFmpeg's default, so unscaled output is byte-identical to the ffmpeg CLI's.
    #[default]
    Bicubic,
    /// Area averaging: good for large reductions (thumbnails).
    Area,
    /// Lanczos: sharpest, slowest.
    Lanczos,
    /// Nearest neighbour.
    Point,
}

/// What [`Converter::convert`] produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConvertOptions {
    /// Output pixel layout.
    pub format: PixelFormat,
    /// Output size `(width, height)`; `None` keeps the frame's. See [`fit_size`] for zeros.
    pub size: Option<(u32, u32)>,
    /// Filter for scaling (and for chroma upsampling).
    pub filter: ScaleFilter,
    /// Exact rounding and full-resolution chroma interpolation (`SWS_ACCURATE_RND |
    /// SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP`): a little better, a little slower, and no
    /// longer byte-identical to the ffmpeg CLI's default conversion.
    pub accurate: bool,
    /// Limits on the output size.
    pub limits: Limits,
    /// swscale slice threads; 0 = one per core.
    pub threads: usize,
}

/// The output size for a request of `want = (w, h)`: a zero side follows the source's aspect
/// ratio (rounded, at least 1); both zero keep the source size.
pub fn fit_size(src: (u32, u32), want: (u32, u32)) -> (u32, u32) {
    let (sw, sh) = (u64::from(src.0.max(1)), u64::from(src.1.max(1)));
    let scale =
        |n: u64, num: u64, den: u64| u32::try_from(((n * num + den / 2) / den).max(1)).unwrap_or(u32::MAX);
    match want {
        (0, 0) => src,
        (w, 0) => (w, scale(u64::from(w), sh, sw)),
        (0, h) => (scale(u64::from(h), sw, sh), h),
        other => other,
    }
}

/// AVColorSpace numbers used below.
const MATRIX_BT709: c_int = 1;
const MATRIX_BT601: c_int = 6;

/// Chooses the YUV→RGB matrix and input range: the bitstream's values when it has them, else
/// the sample entry's `colr`, else by size (BT.709 from 1280 wide or 720 high, BT.601 below),
/// and full range only when something says so (or the format is a `yuvj` one).
fn yuv_matrix(
    frame_matrix: c_int,
    frame_range: c_int,
    jpeg_format: bool,
    container: Option<ColorInfo>,
    (w, h): (u32, u32),
) -> (c_int, bool) {
    let container_matrix =
        container.map(|c| c_int::from(c.matrix)).filter(|&m| m != ffi::COLORSPACE_UNSPECIFIED && m != 0);
    let matrix = if frame_matrix != ffi::COLORSPACE_UNSPECIFIED && frame_matrix != 0 {
        frame_matrix
    } else if let Some(m) = container_matrix {
        m
    } else if w >= 1280 || h >= 720 {
        MATRIX_BT709
    } else {
        MATRIX_BT601
    };
    let full = if frame_range == ffi::RANGE_FULL {
        true
    } else if frame_range == ffi::RANGE_LIMITED {
        false
    } else {
        container.and_then(|c| c.full_range).unwrap_or(jpeg_format)
    };
    (matrix, full)
}

/// Converts decoded frames to [`Image`]s, keeping its swscale context between calls with the
/// same geometry and formats (one per worker thread, like the decoder), and the output buffer
/// [`Converter::prepare`] made ready.
#[derive(Default)]
pub struct Converter {
    scaler: Option<Scaler>,
    /// A zeroed, already faulted-in output buffer for the next conversion of this size.
    spare: Option<Vec<u8>>,
}

impl std::fmt::Debug for Converter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Converter")
            .field("cached", &self.scaler.as_ref().map(|s| *s.config()))
            .field("spare", &self.spare.as_ref().map(Vec::len))
            .finish()
    }
}

/// What a conversion needs to know about its source picture.
struct Source {
    size: (u32, u32),
    fmt: ffi::PixFmt,
    jpeg_range: bool,
    matrix: c_int,
    range: c_int,
    container: Option<ColorInfo>,
}

impl Converter {
    /// A converter with no cached context yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Get ready to convert the frames a decoder for `params` will most likely produce:
    /// build the swscale context and fault in the output buffer now (a remote caller does
    /// this while the frame's bytes are on their way; ~2-3 ms of a 1080p frame). Does nothing
    /// when the codec does not tell the pixel format; a frame that turns out different is
    /// still converted correctly, with a new context.
    // `vec![0; len]` would calloc fresh pages that fault in during scaling instead of here.
    #[allow(clippy::slow_vector_initialization)]
    pub fn prepare(&mut self, params: &CodecParams, opts: &ConvertOptions) -> Result<()> {
        let Some(fmt) = crate::codec::likely_pix_fmt(params.fourcc) else { return Ok(()) };
        let source = Source {
            size: (params.width, params.height),
            fmt,
            jpeg_range: false,
            matrix: ffi::COLORSPACE_UNSPECIFIED,
            range: ffi::RANGE_UNSPECIFIED,
            container: params.color,
        };
        let (cfg, len) = self.configure(&source, opts)?;
        let mut spare = Vec::new();
        spare.resize(len, 0u8);
        self.spare = Some(spare);
        self.scaler(cfg)?;
        Ok(())
    }

    /// Converts (and optionally scales) a decoded frame.
    pub fn convert(&mut self, frame: &DecodedFrame, opts: &ConvertOptions) -> Result<Image> {
        let f = &frame.frame;
        let (fmt, jpeg_range) = f
            .format()
            .map(ffi::strip_jpeg_range)
            .ok_or_else(|| Error::UnsupportedPixelFormat("unknown".into()))?;
        let source = Source {
            size: (f.width(), f.height()),
            fmt,
            jpeg_range,
            matrix: f.colorspace(),
            range: f.color_range(),
            container: frame.container_color,
        };
        let (cfg, len) = self.configure(&source, opts)?;
        let stride = cfg.dst_w as usize * opts.format.bytes_per_pixel();
        let out = self.spare.take().filter(|b| b.len() == len).unwrap_or_else(|| vec![0u8; len]);
        let scaler = self.scaler(cfg)?;
        let t0 = std::time::Instant::now();
        let mut data = scaler.scale(f, out, stride)?;
        tracing::debug!(ms = t0.elapsed().as_secs_f64() * 1e3, "scaled");
        data.truncate(stride * cfg.dst_h as usize);
        Ok(Image { width: cfg.dst_w, height: cfg.dst_h, format: opts.format, data })
    }

    /// The swscale configuration for `source` under `opts`, and the output buffer's length.
    fn configure(&self, source: &Source, opts: &ConvertOptions) -> Result<(ScalerConfig, usize)> {
        let src = source.size;
        let (dst_w, dst_h) = fit_size(src, opts.size.unwrap_or((0, 0)));
        opts.limits.check_size(dst_w, dst_h)?;
        let format = opts.format;
        let yuv = (!ffi::pix_fmt_is_rgb(source.fmt)?)
            .then(|| yuv_matrix(source.matrix, source.range, source.jpeg_range, source.container, src));
        let filter = match opts.filter {
            ScaleFilter::FastBilinear => sws_flags::FAST_BILINEAR,
            ScaleFilter::Bilinear => sws_flags::BILINEAR,
            ScaleFilter::Bicubic => sws_flags::BICUBIC,
            ScaleFilter::Area => sws_flags::AREA,
            ScaleFilter::Lanczos => sws_flags::LANCZOS,
            ScaleFilter::Point => sws_flags::POINT,
        };
        let cfg = ScalerConfig {
            src_w: src.0,
            src_h: src.1,
            src_fmt: source.fmt,
            dst_w,
            dst_h,
            dst_fmt: ffi::output_pix_fmt(format),
            flags: filter | if opts.accurate { sws_flags::ACCURATE } else { 0 },
            yuv,
            threads: c_int::try_from(opts.threads)
                .map_err(|_| Error::InvalidArgument("too many threads".into()))?,
        };
        // Slack after the last row: some SIMD paths store whole vectors past a row's end.
        let len = dst_w as usize * format.bytes_per_pixel() * dst_h as usize + 64;
        Ok((cfg, len))
    }

    /// The cached swscale context if it was built for `cfg`, else a new one.
    fn scaler(&mut self, cfg: ScalerConfig) -> Result<&mut Scaler> {
        let scaler = match self.scaler.take() {
            Some(s) if *s.config() == cfg => s,
            _ => {
                let t0 = std::time::Instant::now();
                let s = Scaler::new(cfg)?;
                tracing::debug!(?cfg, ms = t0.elapsed().as_secs_f64() * 1e3, "new swscale context");
                s
            }
        };
        Ok(self.scaler.insert(scaler))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_size_keeps_aspect_when_one_side_is_zero() {
        assert_eq!(fit_size((1920, 1080), (640, 0)), (640, 360));
        assert_eq!(fit_size((1920, 1080), (0, 540)), (960, 540));
        assert_eq!(fit_size((1920, 1080), (0, 0)), (1920, 1080));
        assert_eq!(fit_size((1920, 1080), (100, 100)), (100, 100));
        assert_eq!(fit_size((1920, 1080), (1, 0)), (1, 1));
    }

    #[test]
    fn matrix_prefers_bitstream_then_container_then_size() {
        let unspec = ffi::COLORSPACE_UNSPECIFIED;
        assert_eq!(yuv_matrix(unspec, 0, false, None, (1920, 1080)), (MATRIX_BT709, false));
        assert_eq!(yuv_matrix(unspec, 0, false, None, (320, 180)), (MATRIX_BT601, false));
        let colr = ColorInfo { primaries: 9, transfer: 1, matrix: 9, full_range: Some(true) };
        assert_eq!(yuv_matrix(unspec, 0, false, Some(colr), (320, 180)), (9, true));
        assert_eq!(
            yuv_matrix(MATRIX_BT709, ffi::RANGE_LIMITED, false, Some(colr), (320, 180)),
            (MATRIX_BT709, false)
        );
        assert_eq!(yuv_matrix(5, 0, true, None, (320, 180)), (5, true));
    }

    #[test]
    fn shape_and_stride() {
        let img = Image { width: 4, height: 2, format: PixelFormat::Rgb16, data: vec![0; 48] };
        assert_eq!(img.shape(), (2, 4, 3, 2));
        assert_eq!(img.stride(), 24);
    }
}
