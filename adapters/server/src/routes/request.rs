//! What a frame request asks for, before anything is read: the format from the extension,
//! the size, quality and colour matrix from the query (or go-lazycache's size headers),
//! resolved against the movie's native size and the server's limits.

use axum::http::HeaderMap;
use lazyqt_media::decoding::{fit_size, ColorMatrix};

use crate::backend::{FrameFormat, FrameRequest, MovieMeta};
use crate::config::WorkLimits;
use crate::errors::BackendError;

/// JPEG quality without `?quality=`: go-lazycache's (Go's `image/jpeg` default).
pub(super) const DEFAULT_JPEG_QUALITY: u8 = 75;

/// Size, quality and colour matrix asked for in the query string, before the aspect ratio
/// is resolved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Wanted {
    pub(super) width: Option<u32>,
    pub(super) height: Option<u32>,
    pub(super) quality: Option<u8>,
    pub(super) matrix: ColorMatrix,
}

pub(super) fn bad(msg: String) -> BackendError {
    BackendError::BadRequest(msg)
}

/// Request headers with which go-lazycache clients ask for an output size. As there, they
/// count only when the query names neither `width` nor `height`.
pub(super) const SIZE_HEADERS: [&str; 2] = ["x-lazycache-output-width", "x-lazycache-output-height"];

/// Parses a width or height (1..=`max`) or a quality (1..=100) named `name`.
fn bounded(name: &str, value: &str, max: u32) -> Result<u32, BackendError> {
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(bad(format!("{name} must be an integer in 1..={max}, got {value:?}"))),
    }
}

/// Parses `width`, `height`, `quality` and `matrix` from the query (other parameters are ignored), and
/// the size from the `X-lazycache-output-width`/`-height` headers when the query has none.
pub(super) fn parse_wanted(
    query: Option<&str>,
    headers: &HeaderMap,
    max_dim: u32,
) -> Result<Wanted, BackendError> {
    let mut w = Wanted::default();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "width" => w.width = Some(bounded("width", &v, max_dim)?),
            "height" => w.height = Some(bounded("height", &v, max_dim)?),
            "quality" => w.quality = u8::try_from(bounded("quality", &v, 100)?).ok(),
            "matrix" => {
                w.matrix = v.parse().map_err(|e: lazyqt_media::decoding::Error| bad(e.to_string()))?
            }
            _ => {}
        }
    }
    if w.width.is_none() && w.height.is_none() {
        let [width, height] = SIZE_HEADERS.map(|name| {
            headers.get(name).map(|v| {
                let text = v.to_str().map_err(|_| bad(format!("{name} is not ASCII")))?;
                bounded(name, text, max_dim)
            })
        });
        w.width = width.transpose()?;
        w.height = height.transpose()?;
    }
    Ok(w)
}

/// Resolves the output size (keeping the aspect ratio when one side is given; `None` for the
/// native size) and quality into a [`FrameRequest`]. A picture (asked for, or native) of more
/// than `limits.max_pixels` is refused (422) before anything is decoded.
pub(super) fn frame_request(
    format: FrameFormat,
    w: Wanted,
    meta: &MovieMeta,
    limits: &WorkLimits,
) -> Result<FrameRequest, BackendError> {
    let max_dim = limits.max_dimension;
    if format == FrameFormat::Sample {
        if w.width.is_some() || w.height.is_some() {
            return Err(bad("compressed samples cannot be scaled".into()));
        }
        let matrix = ColorMatrix::default();
        return Ok(FrameRequest { format, width: None, height: None, quality: None, matrix });
    }
    let video = meta.video()?;
    let native = (video.width, video.height);
    let size = match (w.width, w.height) {
        (None, None) => None,
        (Some(a), Some(b)) => Some((a, b)),
        (width, height) => {
            if native.0 == 0 || native.1 == 0 {
                return Err(BackendError::Unsupported("movie has no frame size".into()));
            }
            let (sw, sh) = fit_size(native, (width.unwrap_or(0), height.unwrap_or(0)));
            if sw.max(sh) > max_dim {
                return Err(bad(format!("scaled size exceeds {max_dim}")));
            }
            Some((sw, sh))
        }
    }
    .filter(|s| *s != native);
    let pixels = |(w, h): (u32, u32)| u64::from(w) * u64::from(h);
    for (what, (w, h)) in [("asked", size.unwrap_or(native)), ("native", native)] {
        if pixels((w, h)) > limits.max_pixels {
            return Err(BackendError::TooLarge(format!(
                "the {what} size {w}x{h} exceeds the server's budget of {} pixels per picture",
                limits.max_pixels
            )));
        }
    }
    let quality = (format == FrameFormat::Jpeg).then(|| w.quality.unwrap_or(DEFAULT_JPEG_QUALITY));
    Ok(FrameRequest {
        format,
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
        quality,
        matrix: w.matrix,
    })
}

/// Splits `N[.ext]` / `SECONDS[.ext]`: a trailing known extension selects the format, PNG
/// otherwise.
pub(super) fn split_ext(spec: &str) -> Result<(&str, FrameFormat), BackendError> {
    if let Some((stem, ext)) = spec.rsplit_once('.') {
        if let Some(f) = FrameFormat::from_extension(ext) {
            return Ok((stem, f));
        }
        if ext.chars().any(|c| c.is_ascii_alphabetic()) {
            return Err(bad(format!("unknown image format {ext:?}")));
        }
    }
    Ok((spec, FrameFormat::Png))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn meta() -> MovieMeta {
        let video = lazyqt_media::TrackSummary {
            id: 1,
            kind: "video",
            codec: "apcn".into(),
            width: 1920,
            height: 1080,
            timescale: 10,
            samples: 10,
            frames: 10,
            frame_rate: lazyqt_media::FrameRate::new(10, 1),
            duration: 1.0,
            timecode: None,
            color: None,
        };
        let summary = lazyqt_media::VideoSummary {
            file_size: 1,
            duration: 1.0,
            creation_time: None,
            brand: None,
            tracks: vec![video],
            skipped_tracks: Vec::new(),
            video_track: Some(1),
        };
        MovieMeta { summary: std::sync::Arc::new(summary), validator: "v".into() }
    }

    fn limits() -> WorkLimits {
        WorkLimits::default()
    }

    #[test]
    fn pixel_budget_is_a_clear_422() {
        let l = WorkLimits { max_pixels: 1920 * 1080, ..WorkLimits::default() };
        let big = Wanted { width: Some(8192), height: Some(8192), ..Wanted::default() };
        match frame_request(FrameFormat::Png, big, &meta(), &l) {
            Err(e @ BackendError::TooLarge(_)) => {
                assert_eq!(e.status().as_u16(), 422);
                assert!(e.to_string().contains("8192x8192"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        // Within the budget, and the native size itself, pass.
        let ok = Wanted { width: Some(1920), height: Some(1080), ..Wanted::default() };
        assert!(frame_request(FrameFormat::Png, ok, &meta(), &l).is_ok());
        // A movie whose native frames exceed the budget cannot be decoded at all.
        let tiny = WorkLimits { max_pixels: 1000, ..WorkLimits::default() };
        let small = Wanted { width: Some(10), height: Some(10), ..Wanted::default() };
        assert!(matches!(
            frame_request(FrameFormat::Png, small, &meta(), &tiny),
            Err(BackendError::TooLarge(_))
        ));
        assert!(frame_request(FrameFormat::Sample, Wanted::default(), &meta(), &tiny).is_ok());
    }

    #[test]
    fn keeps_aspect_when_one_side_given() {
        let w = Wanted { width: Some(640), ..Wanted::default() };
        let r = frame_request(FrameFormat::Png, w, &meta(), &limits()).expect("ok");
        assert_eq!((r.width, r.height), (Some(640), Some(360)));
        let h = Wanted { height: Some(540), ..Wanted::default() };
        let r = frame_request(FrameFormat::Png, h, &meta(), &limits()).expect("ok");
        assert_eq!((r.width, r.height), (Some(960), Some(540)));
        let native = Wanted { width: Some(1920), ..Wanted::default() };
        let r = frame_request(FrameFormat::Png, native, &meta(), &limits()).expect("ok");
        assert_eq!((r.width, r.height), (None, None));
        let q = Wanted { quality: Some(50), ..Wanted::default() };
        assert_eq!(frame_request(FrameFormat::Png, q, &meta(), &limits()).expect("ok").quality, None);
        assert_eq!(frame_request(FrameFormat::Jpeg, q, &meta(), &limits()).expect("ok").quality, Some(50));
        let plain = frame_request(FrameFormat::Jpeg, Wanted::default(), &meta(), &limits()).expect("ok");
        assert_eq!(plain.quality, Some(75), "go-lazycache's JPEG quality");
        let big = Wanted { height: Some(8000), ..Wanted::default() };
        assert!(frame_request(FrameFormat::Png, big, &meta(), &limits()).is_err());
        let sample = Wanted { width: Some(10), ..Wanted::default() };
        assert!(frame_request(FrameFormat::Sample, sample, &meta(), &limits()).is_err());
    }

    #[test]
    fn parses_query_and_specs() {
        let none = HeaderMap::new();
        assert_eq!(
            parse_wanted(Some("width=10&x=y&quality=80"), &none, 100),
            Ok(Wanted { width: Some(10), height: None, quality: Some(80), matrix: ColorMatrix::Stream })
        );
        let m = parse_wanted(Some("matrix=bt709"), &none, 100).expect("matrix");
        assert_eq!(m.matrix, ColorMatrix::Bt709);
        let r = frame_request(FrameFormat::Rgba, m, &meta(), &limits()).expect("ok");
        assert_eq!(r.matrix, ColorMatrix::Bt709);
        assert_eq!(
            frame_request(FrameFormat::Sample, m, &meta(), &limits()).expect("ok").matrix,
            ColorMatrix::Stream
        );
        for q in ["width=0", "width=101", "height=-1", "quality=101", "width=abc", "matrix=rec709", "matrix="]
        {
            assert!(parse_wanted(Some(q), &none, 100).is_err(), "{q}");
        }
        assert_eq!(split_ext("12.jpeg"), Ok(("12", FrameFormat::Jpeg)));
        assert_eq!(split_ext("12"), Ok(("12", FrameFormat::Png)));
        assert_eq!(split_ext("1.5"), Ok(("1.5", FrameFormat::Png)));
        assert_eq!(split_ext("1.5.RGBA"), Ok(("1.5", FrameFormat::Rgba)));
        assert!(split_ext("12.gif").is_err());
        assert_eq!(split_ext("3.raw"), Ok(("3", FrameFormat::Rgba)), ".raw is RGBA, as in go-lazycache");
        assert_eq!(split_ext("3.sample"), Ok(("3", FrameFormat::Sample)));
    }

    fn size_headers(width: Option<&str>, height: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in SIZE_HEADERS.iter().zip([width, height]) {
            if let Some(v) = value {
                h.insert(*name, HeaderValue::from_str(v).expect("header value"));
            }
        }
        h
    }

    /// The go-lazycache size headers: used without a size in the query, ignored with one.
    #[test]
    fn size_headers_scale_unless_the_query_has_a_size() {
        let both = size_headers(Some("320"), Some("180"));
        let w = parse_wanted(None, &both, 8192).expect("ok");
        assert_eq!((w.width, w.height), (Some(320), Some(180)));
        let w = parse_wanted(Some("quality=50"), &both, 8192).expect("ok");
        assert_eq!((w.width, w.height, w.quality), (Some(320), Some(180), Some(50)));
        let w = parse_wanted(Some("height=90"), &both, 8192).expect("ok");
        assert_eq!((w.width, w.height), (None, Some(90)), "the query wins");
        let one = size_headers(None, Some("540"));
        let w = parse_wanted(None, &one, 8192).expect("ok");
        assert_eq!((w.width, w.height), (None, Some(540)));
        let r = frame_request(FrameFormat::Png, w, &meta(), &limits()).expect("ok");
        assert_eq!((r.width, r.height), (Some(960), Some(540)), "aspect kept as for ?height=");
        for bad in ["0", "abc", "9000", ""] {
            assert!(parse_wanted(None, &size_headers(Some(bad), None), 8192).is_err(), "{bad:?}");
        }
    }
}
