//! Decoded frames to packed RGB/gray images through swscale, with the colour matrix asked
//! for (FFmpeg's rule by default: see [`ColorMatrix`]).

use std::os::raw::c_int;

use crate::codec::CodecParams;
use crate::color::{ColorMatrix, SourceColor};
use crate::decoder::{DecodedFrame, Limits};
use crate::error::{Error, Result};
use crate::ffi::{self, sws_flags, Scaler, ScalerConfig};
use crate::pixel::{Image, PixelFormat};

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
    /// YUV→RGB matrix (default: the stream's, BT.601 when untagged, as FFmpeg does).
    pub matrix: ColorMatrix,
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
    fmt: ffi::PixFmt,
    color: SourceColor,
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
        // The decoder will most likely tag the frame with the `colr` matrix (if the
        // bitstream does not say otherwise) and video range.
        let matrix = params.color.map_or(ffi::COLORSPACE_UNSPECIFIED, |c| c_int::from(c.matrix));
        let range = match params.color.and_then(|c| c.full_range) {
            Some(true) => ffi::RANGE_FULL,
            _ => ffi::RANGE_LIMITED,
        };
        let color = SourceColor {
            matrix,
            range,
            jpeg_format: false,
            container: params.color,
            size: (params.width, params.height),
        };
        let source = Source { fmt, color };
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
        let (fmt, jpeg_format) = f
            .format()
            .map(ffi::strip_jpeg_range)
            .ok_or_else(|| Error::UnsupportedPixelFormat("unknown".into()))?;
        let color = SourceColor {
            matrix: f.colorspace(),
            range: f.color_range(),
            jpeg_format,
            container: frame.container_color,
            size: (f.width(), f.height()),
        };
        let source = Source { fmt, color };
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
        let src = source.color.size;
        let (dst_w, dst_h) = fit_size(src, opts.size.unwrap_or((0, 0)));
        opts.limits.check_size(dst_w, dst_h)?;
        let format = opts.format;
        let yuv = (!ffi::pix_fmt_is_rgb(source.fmt)?).then(|| opts.matrix.resolve(&source.color));
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
            dst_fmt: format.ffmpeg_format(),
            flags: filter | if opts.accurate { sws_flags::ACCURATE } else { 0 },
            yuv,
            threads: c_int::try_from(opts.threads)
                .map_err(|_| Error::InvalidArgument("too many threads".into()))?,
        };
        // Slack after the last row: some SIMD paths store whole vectors past a row's end.
        let len = dst_w as usize * format.bytes_per_pixel() * dst_h as usize + 64;
        Ok((cfg, len))
    }

    /// The cached swscale context if it was built for `cfg`, switched to `cfg`'s YUV matrix
    /// and range if only those differ (a prepared guess the decoded frame contradicts: a ProRes
    /// frame's header overrides the `colr` atom), else a new one.
    fn scaler(&mut self, cfg: ScalerConfig) -> Result<&mut Scaler> {
        let scaler = match (self.scaler.take(), cfg.yuv) {
            (Some(s), _) if *s.config() == cfg => s,
            (Some(mut s), Some(yuv))
                if s.config().yuv.is_some() && ScalerConfig { yuv: cfg.yuv, ..*s.config() } == cfg =>
            {
                s.set_yuv(yuv)?;
                tracing::debug!(?yuv, "swscale context switched to the frame's matrix");
                s
            }
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
}
