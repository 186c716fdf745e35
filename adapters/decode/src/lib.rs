//! lazyqt-decode: turns QuickTime/MP4 video samples into pixels and pixels into image files.
//!
//! Three steps a caller (or a bench) can run separately:
//! 1. [`Decoder`]: one FFmpeg decoder per track, built from [`CodecParams`] and reused;
//!    [`Decoder::decode_one`] for intra-only codecs (ProRes), [`Decoder::decode_target`] for
//!    long-GOP ones (H.264/HEVC: packets from the preceding sync sample in decode order).
//! 2. [`Converter`]: swscale to packed [`Image`]s (rgb24, rgba, rgb48, gray, gray16 — see
//!    [`PIXEL_FORMATS`] — or any packed FFmpeg format by name), optional scaling, the YUV matrix chosen by
//!    [`ColorMatrix`]: by default FFmpeg's rule (the stream's, BT.601 when untagged), so
//!    pictures equal the ffmpeg CLI's.
//! 3. [`encode`]: PNG, JPEG, PPM/PGM, BMP or raw bytes (see [`IMAGE_FORMATS`]).
//!
//! ```no_run
//! use lazyqt_decode::*;
//! # fn demo(sample: &[u8]) -> Result<()> {
//! let mut dec = Decoder::new(&CodecParams::new(*b"apcn", 1920, 1080), &DecoderOptions::default())?;
//! let frame = dec.decode_one(Packet { data: sample, pts: 0, dts: 0, keyframe: true })?;
//! let image = Converter::new().convert(&frame, &ConvertOptions::default())?;
//! let png = encode(&image, Format::Png, &EncodeOptions::default())?;
//! # let _ = png; Ok(()) }
//! ```
//!
//! All FFI and every `unsafe` block live in the private `ffi` and `libs` modules (enforced
//! below).

#![deny(unsafe_code)]

mod codec;
mod color;
mod convert;
mod decoder;
mod encode;
mod error;
#[allow(unsafe_code)]
mod ffi;
#[allow(unsafe_code)]
mod libs;
mod pixel;

pub use codec::{CodecParams, ColorInfo};
pub use color::ColorMatrix;
pub use convert::{fit_size, ConvertOptions, Converter, ScaleFilter};
pub use decoder::{DecodedFrame, Decoder, DecoderOptions, Limits, Packet, Threading};
pub use encode::{
    encode, EncodeOptions, Format, FormatSpec, DEFAULT_JPEG_QUALITY, DEFAULT_PNG_LEVEL, IMAGE_FORMATS,
};
pub use error::{Error, Result};
pub use libs::preload;
pub use pixel::{Image, PackedFormat, PixelFormat, PixelSpec, PIXEL_FORMATS};

/// How much FFmpeg itself prints to stderr (it is process-wide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FfmpegLog {
    /// Nothing.
    Quiet,
    /// Errors only (e.g. damaged samples).
    Error,
    /// Errors and warnings (FFmpeg's default is more: info).
    Warning,
}

/// Sets FFmpeg's process-wide log level; servers usually want [`FfmpegLog::Quiet`] or
/// [`FfmpegLog::Error`], since this crate reports every failure as an [`Error`] anyway.
pub fn set_ffmpeg_log(level: FfmpegLog) {
    ffi::set_log_level(ffi::LOG_LEVELS[level as usize]);
}
