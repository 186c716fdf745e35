//! The crate's error type.

use thiserror::Error;

/// Everything that can go wrong while decoding, converting or encoding a frame. Not
/// `#[non_exhaustive]`: `lazyqt-media` classifies every variant in an exhaustive match, so
/// a new one fails to compile there until it has a kind.
#[derive(Debug, Error)]
pub enum Error {
    /// The sample description names a codec this crate does not decode.
    #[error("unsupported codec {fourcc:?}")]
    UnsupportedCodec {
        /// The fourcc as printable text (non-ASCII bytes escaped).
        fourcc: String,
    },
    /// FFmpeg's shared libraries (5.1: libavcodec.so.59, libavutil.so.57, libswscale.so.6)
    /// could not be loaded, or lack a function this crate calls.
    #[error("FFmpeg is not available: {0}")]
    FfmpegUnavailable(String),
    /// FFmpeg has no decoder for a codec this crate maps (FFmpeg built without it).
    #[error("FFmpeg has no decoder for {codec}")]
    DecoderMissing {
        /// FFmpeg's name of the codec.
        codec: &'static str,
    },
    /// A size, count or length is over a configured limit; nothing was allocated for it.
    #[error("{what} {value} exceeds the limit {limit}")]
    TooLarge {
        /// What was measured ("width", "pixels", "packet bytes", ...).
        what: &'static str,
        /// The value asked for.
        value: u64,
        /// The limit in force.
        limit: u64,
    },
    /// A parameter is out of its valid range (zero size, bad quality, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// An FFmpeg call failed; `message` is FFmpeg's own text for `code` (av_strerror).
    #[error("{call} failed: {message} (error {code})")]
    Ffmpeg {
        /// The FFmpeg function that failed.
        call: &'static str,
        /// The AVERROR code.
        code: i32,
        /// av_strerror's description of the code.
        message: String,
    },
    /// FFmpeg could not allocate memory.
    #[error("out of memory in {0}")]
    OutOfMemory(&'static str),
    /// The packets were decoded but none produced the frame whose pts was asked for.
    #[error("no decoded frame has pts {target_pts} (decoded {decoded} frames)")]
    TargetNotFound {
        /// The pts that was asked for.
        target_pts: i64,
        /// How many frames the decoder returned.
        decoded: usize,
    },
    /// The decoder returned a frame but flagged it as corrupt (damaged or missing data).
    #[error("decoded frame with pts {pts} is corrupt")]
    CorruptFrame {
        /// The frame's pts.
        pts: i64,
    },
    /// The decoder produced a pixel format that swscale cannot convert.
    #[error("cannot convert pixel format {0}")]
    UnsupportedPixelFormat(String),
    /// The chosen image format cannot hold this pixel format (e.g. 16-bit JPEG).
    #[error("{format} cannot encode {} pixels", .pixels.name())]
    UnsupportedEncoding {
        /// The image file format.
        format: &'static str,
        /// The pixel format of the image.
        pixels: crate::PixelFormat,
    },
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
    /// The JPEG encoder failed.
    #[error("JPEG encoding failed: {0}")]
    Jpeg(#[from] jpeg_encoder::EncodingError),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
