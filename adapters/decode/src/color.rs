//! Which YUV→RGB matrix and input range a conversion uses.
//!
//! The default is FFmpeg's own rule, the one the ffmpeg CLI applies for `-pix_fmt rgb24`
//! (its scale filter with `in_color_matrix=auto`): the decoded frame's matrix — from the
//! bitstream, else the sample entry's `colr`, which the decoder is given like FFmpeg's
//! demuxer gives it — and BT.601 when neither says, whatever the picture size; the frame's
//! range, else full range only for the `yuvj*` formats. Every predecessor (go-lazycache,
//! pycamhd) gets its pixels this way.

use std::os::raw::c_int;
use std::str::FromStr;

use crate::codec::ColorInfo;
use crate::error::Error;
use crate::ffi;

/// The YUV→RGB matrix of a conversion. For `stream` and the explicit matrices the input
/// range is the frame's (video range unless it says full, or its format is a `yuvj*` one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ColorMatrix {
    /// The stream's matrix (bitstream, else `colr`), BT.601 when untagged, whatever the
    /// size: FFmpeg's rule, so pictures equal `ffmpeg -pix_fmt rgb24`.
    #[default]
    Stream,
    /// BT.601 (SMPTE 170M, BT.470BG), whatever the stream says.
    Bt601,
    /// BT.709, whatever the stream says.
    Bt709,
    /// BT.2020 non-constant luminance, whatever the stream says.
    Bt2020,
    /// The stream's matrix when tagged, else a guess by size: BT.709 from 1280 wide or 720
    /// high, BT.601 below (lazyqt's earlier rule; not what FFmpeg does).
    Auto,
}

impl ColorMatrix {
    /// Every choice, in the order help texts list them.
    pub const ALL: [Self; 5] = [Self::Stream, Self::Bt601, Self::Bt709, Self::Bt2020, Self::Auto];

    /// The name used on command lines, in URLs and from C and Python.
    pub fn name(self) -> &'static str {
        match self {
            Self::Stream => "stream",
            Self::Bt601 => "bt601",
            Self::Bt709 => "bt709",
            Self::Bt2020 => "bt2020",
            Self::Auto => "auto",
        }
    }

    /// The swscale coefficient table (an `AVColorSpace` number) and whether the input is
    /// full range, for a source with these colour properties.
    pub(crate) fn resolve(self, src: &SourceColor) -> (c_int, bool) {
        let range = ffmpeg_range(src.range, src.jpeg_format);
        match self {
            Self::Stream => (ffmpeg_table(src.matrix), range),
            Self::Bt601 => (SPC_BT470BG, range),
            Self::Bt709 => (SPC_BT709, range),
            Self::Bt2020 => (SPC_BT2020_NCL, range),
            Self::Auto => guess(src),
        }
    }
}

impl std::fmt::Display for ColorMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ColorMatrix {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::ALL.into_iter().find(|m| m.name().eq_ignore_ascii_case(s)).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "unknown colour matrix {s:?}: use stream, bt601, bt709, bt2020 or auto"
            ))
        })
    }
}

/// What a conversion knows about its source picture's colour.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SourceColor {
    /// The frame's `AVColorSpace` (as the decoder set it).
    pub matrix: c_int,
    /// The frame's `AVColorRange`.
    pub range: c_int,
    /// Whether the decoder gave a full-range `yuvj*` format.
    pub jpeg_format: bool,
    /// The sample entry's `colr`, when it has one.
    pub container: Option<ColorInfo>,
    /// Picture size, for [`ColorMatrix::Auto`].
    pub size: (u32, u32),
}

/// `AVCOL_SPC_*` numbers (fixed by the API).
const SPC_BT709: c_int = 1;
const SPC_FCC: c_int = 4;
const SPC_BT470BG: c_int = 5;
const SPC_SMPTE170M: c_int = 6;
const SPC_SMPTE240M: c_int = 7;
const SPC_BT2020_NCL: c_int = 9;
const SPC_BT2020_CL: c_int = 10;

/// libavfilter's scale filter (`parse_yuv_type`, then `sws_getCoefficients`): the frame's
/// matrix when swscale has a table of its own for it, else BT.470BG (= BT.601; swscale's
/// tables for "unspecified" and "reserved" hold the same numbers).
fn ffmpeg_table(matrix: c_int) -> c_int {
    match matrix {
        SPC_BT709 | SPC_FCC | SPC_BT470BG | SPC_SMPTE170M | SPC_SMPTE240M | SPC_BT2020_NCL
        | SPC_BT2020_CL => matrix,
        _ => SPC_BT470BG,
    }
}

/// The scale filter's input range: the frame's when it has one, else swscale's default for
/// the format (full for `yuvj*`).
fn ffmpeg_range(range: c_int, jpeg_format: bool) -> bool {
    match range {
        ffi::RANGE_FULL => true,
        ffi::RANGE_LIMITED => false,
        _ => jpeg_format,
    }
}

/// [`ColorMatrix::Auto`]: the frame's matrix, else the `colr`'s, else by size; the frame's
/// range, else the `colr`'s, else the format's.
fn guess(src: &SourceColor) -> (c_int, bool) {
    let tagged = |m: c_int| m != ffi::COLORSPACE_UNSPECIFIED && m != 0;
    let container_matrix = src.container.map(|c| c_int::from(c.matrix)).filter(|&m| tagged(m));
    let (w, h) = src.size;
    let matrix = if tagged(src.matrix) {
        src.matrix
    } else if let Some(m) = container_matrix {
        m
    } else if w >= 1280 || h >= 720 {
        SPC_BT709
    } else {
        SPC_BT470BG
    };
    let full = match src.range {
        ffi::RANGE_FULL => true,
        ffi::RANGE_LIMITED => false,
        _ => src.container.and_then(|c| c.full_range).unwrap_or(src.jpeg_format),
    };
    (ffmpeg_table(matrix), full)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(matrix: c_int, range: c_int, size: (u32, u32)) -> SourceColor {
        SourceColor { matrix, range, jpeg_format: false, container: None, size }
    }

    const UNSPEC: c_int = ffi::COLORSPACE_UNSPECIFIED;

    #[test]
    fn stream_is_bt601_when_untagged_whatever_the_size() {
        for size in [(1920, 1080), (1280, 720), (320, 180)] {
            assert_eq!(ColorMatrix::Stream.resolve(&source(UNSPEC, 0, size)), (SPC_BT470BG, false));
        }
        assert_eq!(
            ColorMatrix::Stream.resolve(&source(SPC_BT709, ffi::RANGE_FULL, (8, 8))),
            (SPC_BT709, true)
        );
        // Matrices swscale has no table for fall back to BT.601, as in the scale filter.
        for m in [0, 2, 3, 8, 11, 14, 200] {
            assert_eq!(ColorMatrix::Stream.resolve(&source(m, 0, (8, 8))).0, SPC_BT470BG);
        }
        let jpeg = SourceColor { jpeg_format: true, ..source(UNSPEC, 0, (8, 8)) };
        assert_eq!(ColorMatrix::Stream.resolve(&jpeg), (SPC_BT470BG, true));
    }

    #[test]
    fn explicit_matrices_keep_the_frames_range() {
        let tagged = source(SPC_BT709, ffi::RANGE_FULL, (1920, 1080));
        assert_eq!(ColorMatrix::Bt601.resolve(&tagged), (SPC_BT470BG, true));
        assert_eq!(ColorMatrix::Bt709.resolve(&tagged), (SPC_BT709, true));
        assert_eq!(ColorMatrix::Bt2020.resolve(&tagged), (SPC_BT2020_NCL, true));
    }

    #[test]
    fn auto_prefers_bitstream_then_container_then_size() {
        assert_eq!(ColorMatrix::Auto.resolve(&source(UNSPEC, 0, (1920, 1080))), (SPC_BT709, false));
        assert_eq!(ColorMatrix::Auto.resolve(&source(UNSPEC, 0, (320, 180))), (SPC_BT470BG, false));
        let colr = ColorInfo { primaries: 9, transfer: 1, matrix: 9, full_range: Some(true) };
        let with_colr = SourceColor { container: Some(colr), ..source(UNSPEC, 0, (320, 180)) };
        assert_eq!(ColorMatrix::Auto.resolve(&with_colr), (SPC_BT2020_NCL, true));
        let both = SourceColor { container: Some(colr), ..source(SPC_BT709, ffi::RANGE_LIMITED, (320, 180)) };
        assert_eq!(ColorMatrix::Auto.resolve(&both), (SPC_BT709, false));
    }

    #[test]
    fn names_round_trip() {
        for m in ColorMatrix::ALL {
            assert_eq!(m.name().parse::<ColorMatrix>().ok(), Some(m));
        }
        assert_eq!("BT709".parse::<ColorMatrix>().ok(), Some(ColorMatrix::Bt709));
        let e = "rec709".parse::<ColorMatrix>().expect_err("unknown");
        assert!(e.to_string().contains("stream, bt601"), "{e}");
        assert_eq!(ColorMatrix::default(), ColorMatrix::Stream);
    }
}
