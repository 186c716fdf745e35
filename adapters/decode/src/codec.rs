//! What the caller knows about a track (its sample description) and the fourcc → codec mapping.

use crate::error::{Error, Result};
use crate::ffi::CodecId;

/// Colour description from the sample entry's `colr` atom (`nclc`/`nclx`), codes as in
/// ISO/IEC 23091-2 (the same numbers FFmpeg's `AVColorPrimaries`/`AVColorTransferCharacteristic`/
/// `AVColorSpace` use). 2 means "unspecified".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColorInfo {
    /// Colour primaries (1 = BT.709, 6 = SMPTE 170M, 9 = BT.2020, ...).
    pub primaries: u16,
    /// Transfer characteristics (1 = BT.709, ...).
    pub transfer: u16,
    /// Matrix coefficients (1 = BT.709, 5/6 = BT.601, 9 = BT.2020 NCL, ...).
    pub matrix: u16,
    /// Full-range (0..255) rather than video-range (16..235) samples, when the entry says so.
    pub full_range: Option<bool>,
}

/// A video track's sample description, as plain data the caller fills from the movie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecParams {
    /// The sample entry's format, e.g. `*b"apcn"`.
    pub fourcc: [u8; 4],
    /// Width in pixels from the sample entry.
    pub width: u32,
    /// Height in pixels from the sample entry.
    pub height: u32,
    /// The sample entry's depth field (bits per pixel; matters for `raw ` video).
    pub depth: u16,
    /// The codec configuration payload: the body of `avcC`, `hvcC` or `glbl` (no atom header).
    pub extradata: Option<Vec<u8>>,
    /// Colour description, when the sample entry has one.
    pub color: Option<ColorInfo>,
}

impl CodecParams {
    /// Params with just a fourcc and a size (no extradata, no colour, depth 24).
    pub fn new(fourcc: [u8; 4], width: u32, height: u32) -> Self {
        Self { fourcc, width, height, depth: 24, extradata: None, color: None }
    }
}

/// The decoder FFmpeg should use for a QuickTime/MP4 sample-entry fourcc.
pub(crate) fn codec_id(fourcc: [u8; 4]) -> Result<CodecId> {
    Ok(match &fourcc {
        b"apco" | b"apcs" | b"apcn" | b"apch" | b"ap4h" | b"ap4x" => CodecId::AV_CODEC_ID_PRORES,
        b"avc1" | b"avc3" => CodecId::AV_CODEC_ID_H264,
        b"hvc1" | b"hev1" => CodecId::AV_CODEC_ID_HEVC,
        b"mp4v" => CodecId::AV_CODEC_ID_MPEG4,
        b"jpeg" | b"mjpa" => CodecId::AV_CODEC_ID_MJPEG,
        b"mjpb" => CodecId::AV_CODEC_ID_MJPEGB,
        b"png " => CodecId::AV_CODEC_ID_PNG,
        b"AVdn" | b"AVdh" => CodecId::AV_CODEC_ID_DNXHD,
        b"dvc " | b"dvcp" | b"dvpp" | b"dv5n" | b"dv5p" | b"dvh5" | b"dvh6" => CodecId::AV_CODEC_ID_DVVIDEO,
        b"av01" => CodecId::AV_CODEC_ID_AV1,
        b"vp09" => CodecId::AV_CODEC_ID_VP9,
        b"v210" => CodecId::AV_CODEC_ID_V210,
        b"v308" => CodecId::AV_CODEC_ID_V308,
        b"v408" => CodecId::AV_CODEC_ID_V408,
        b"v410" => CodecId::AV_CODEC_ID_V410,
        b"r210" => CodecId::AV_CODEC_ID_R210,
        // Uncompressed: rawvideo picks the layout from the codec tag (2vuy, yuv2, yuvs) or,
        // for `raw `, from the depth (24 = RGB, 32 = ARGB, 8 = palette / gray).
        b"raw " | b"2vuy" | b"yuv2" | b"yuvs" => CodecId::AV_CODEC_ID_RAWVIDEO,
        _ => return Err(Error::UnsupportedCodec { fourcc: fourcc.escape_ascii().to_string() }),
    })
}

/// The pixel format FFmpeg's decoder gives for `fourcc`, when the fourcc alone says it
/// (ProRes 422 profiles: 10-bit 4:2:2); used to prepare a conversion before decoding.
pub(crate) fn likely_pix_fmt(fourcc: [u8; 4]) -> Option<crate::ffi::PixFmt> {
    match &fourcc {
        b"apco" | b"apcs" | b"apcn" | b"apch" => Some(crate::ffi::PixFmt::AV_PIX_FMT_YUV422P10LE),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prores_profiles_map_to_prores() {
        for f in [b"apco", b"apcs", b"apcn", b"apch", b"ap4h", b"ap4x"] {
            assert_eq!(codec_id(*f).ok(), Some(CodecId::AV_CODEC_ID_PRORES));
        }
    }

    #[test]
    fn long_gop_and_others_map() {
        assert_eq!(codec_id(*b"avc3").ok(), Some(CodecId::AV_CODEC_ID_H264));
        assert_eq!(codec_id(*b"hev1").ok(), Some(CodecId::AV_CODEC_ID_HEVC));
        assert_eq!(codec_id(*b"jpeg").ok(), Some(CodecId::AV_CODEC_ID_MJPEG));
        assert_eq!(codec_id(*b"2vuy").ok(), Some(CodecId::AV_CODEC_ID_RAWVIDEO));
    }

    #[test]
    fn unknown_fourcc_is_unsupported_with_readable_name() {
        match codec_id(*b"zz\x00\xff") {
            Err(Error::UnsupportedCodec { fourcc }) => assert_eq!(fourcc, "zz\\x00\\xff"),
            other => panic!("expected UnsupportedCodec, got {other:?}"),
        }
    }
}
