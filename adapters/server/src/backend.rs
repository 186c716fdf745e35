//! The `Backend` trait: what the server needs from the media stack, and the types it exchanges.
//!
//! The server never opens movies itself. It validates the request, resolves it to a
//! [`MovieLocation`] inside a configured mount, and calls a [`Backend`] on a bounded pool of
//! blocking threads. The backend owns movie parsing, single-flight metadata loading, upstream
//! range reads and decoding/encoding.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use lazyqt_archive::{Archive, ListingCache, OffsetDateTime};
use lazyqt_media::decoding::{ColorMatrix, Format};
use lazyqt_media::{TrackSummary, VideoSummary};
use url::Url;

use crate::errors::BackendError;

/// Where a movie lives, already resolved and checked by the server.
///
/// `source` is guaranteed to be inside the mount: an upstream URL under the mount's base URL
/// (never a client-chosen host), or a canonical local path under the mount's canonical root
/// (symlinks resolved).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MovieLocation {
    /// The mount's URL prefix, e.g. `/v1/org/oceanobservatories/rawdata/files`.
    pub mount_prefix: String,
    /// The path below the mount, decoded, segments joined by `/`, no leading slash.
    pub rel_path: String,
    /// The resolved upstream URL or local file.
    pub source: Resolved,
}

/// What a path below a mount resolved to: a movie, another file or a directory, upstream or
/// local. (Not to be confused with `lazyqt_io::Source`, the byte source a movie is read from.)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Resolved {
    /// A file on an upstream HTTP server (read with range requests).
    Url(Url),
    /// A local file (canonical path).
    File(PathBuf),
}

/// How a source is shown (and hashed into ETags): URLs without their credentials
/// ([`lazyqt_io::redact_url`]), local paths as they are.
impl fmt::Display for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resolved::Url(u) => f.write_str(&lazyqt_io::redact_url(u.as_str())),
            Resolved::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Movie metadata returned by [`Backend::movie`].
#[derive(Clone, Debug, PartialEq)]
pub struct MovieMeta {
    /// The movie's summary, made once when it was opened and shared (never rebuilt per
    /// request). Its [`VideoSummary::video`] is the track frames are served from.
    pub summary: Arc<VideoSummary>,
    /// Identifies this version of the file: the upstream strong ETag (or Last-Modified + size),
    /// or mtime + size of a local file. Empty when unknown; then answers are not marked immutable.
    pub validator: String,
}

impl MovieMeta {
    /// The main video track: frames, size, codec and rate of what is served.
    pub fn video(&self) -> Result<&TrackSummary, BackendError> {
        self.summary.video().ok_or_else(|| BackendError::Unsupported("the movie has no video track".into()))
    }
}

/// Output format of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameFormat {
    /// PNG image (the default when no extension is given).
    Png,
    /// JPEG image, quality from [`FrameRequest::quality`].
    Jpeg,
    /// BMP image.
    Bmp,
    /// Raw RGBA8 pixels, row-major, no header (`.rgba`, and `.raw` as go-lazycache named it).
    Rgba,
    /// The undecoded compressed sample as stored in the movie (`.sample`).
    Sample,
}

/// The image formats the server encodes, and the file format each is.
const IMAGES: [(FrameFormat, Format); 3] =
    [(FrameFormat::Png, Format::Png), (FrameFormat::Jpeg, Format::Jpeg), (FrameFormat::Bmp, Format::Bmp)];

impl FrameFormat {
    /// Parses a URL extension (without the dot); `None` for unknown extensions. Names and
    /// extensions of images are lazyqt's ([`lazyqt_media::decoding::IMAGE_FORMATS`]); `rgba`
    /// and `raw` are RGBA pixels, `sample` the compressed sample.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "rgba" | "raw" => Some(Self::Rgba),
            "sample" => Some(Self::Sample),
            other => {
                let format = Format::from_extension(other)?;
                IMAGES.iter().find(|(_, f)| *f == format).map(|(ff, _)| *ff)
            }
        }
    }

    /// The image file format, for the formats that are images.
    pub fn image(self) -> Option<Format> {
        IMAGES.iter().find(|(ff, _)| *ff == self).map(|(_, f)| *f)
    }

    /// The canonical extension, used in cache keys and ETags.
    pub fn extension(self) -> &'static str {
        match (self, self.image()) {
            (_, Some(f)) => f.extension(),
            (Self::Rgba, None) => "rgba",
            (_, None) => "sample",
        }
    }

    /// The media type of the body: the image's, `image/x-raw-rgba` for RGBA pixels as
    /// go-lazycache answered them, `application/octet-stream` for a compressed sample.
    pub fn content_type(self) -> &'static str {
        match (self, self.image()) {
            (_, Some(f)) => f.mime_type(),
            (Self::Rgba, None) => "image/x-raw-rgba",
            (_, None) => "application/octet-stream",
        }
    }
}

/// What frame output the client asked for.
///
/// The server resolves the aspect ratio: `width` and `height` are either both `Some` (scale to
/// exactly that size) or both `None` (native size). `quality` is 1..=100, always set for JPEG
/// (75 unless the client asked otherwise) and never for other formats.
/// For [`FrameFormat::Sample`] sizes and quality are always `None` and the matrix the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameRequest {
    /// Output format.
    pub format: FrameFormat,
    /// Output width in pixels.
    pub width: Option<u32>,
    /// Output height in pixels.
    pub height: Option<u32>,
    /// JPEG quality 1..=100.
    pub quality: Option<u8>,
    /// YUV->RGB matrix (`?matrix=`; default: the stream's, BT.601 when untagged, as FFmpeg).
    pub matrix: ColorMatrix,
}

/// An encoded frame returned by [`Backend::frame`].
#[derive(Clone, Debug, PartialEq)]
pub struct FrameBytes {
    /// The body.
    pub bytes: bytes::Bytes,
    /// Its media type, e.g. `image/png`.
    pub content_type: String,
    /// Width of the image in pixels (0 for [`FrameFormat::Sample`]).
    pub width: u32,
    /// Height of the image in pixels (0 for [`FrameFormat::Sample`]).
    pub height: u32,
}

/// What [`Backend::fetch`] read for one frame on the mount's I/O pool, handed by the server
/// to [`Backend::decode`] on a frame worker: the bytes go one way, from the read to the
/// decode, and nothing is kept on the side.
#[derive(Debug)]
pub struct FetchedFrame {
    /// The frame (0-based).
    pub index0: u64,
    /// The [`MovieMeta::validator`] of the file version the bytes were read from. The server
    /// derives the answer's ETag and frame-cache key from the metadata's, so when the file
    /// changed between the metadata and the read, it reloads the metadata instead of naming
    /// new pixels with an old ETag. Empty when unknown.
    pub validator: String,
    /// The bytes.
    pub data: FetchedData,
}

/// The bytes of a [`FetchedFrame`].
#[derive(Debug)]
pub enum FetchedData {
    /// A frame's encoded samples, with the movie whose decoders decode them.
    Encoded {
        /// The movie the frame was read from.
        media: lazyqt_media::Media,
        /// The frame's samples.
        frame: Box<lazyqt_media::EncodedFrame>,
    },
    /// Bytes that need no decoding (the compressed sample of [`FrameFormat::Sample`]), or
    /// that a backend of another kind decodes its own way.
    Bytes(bytes::Bytes),
}

/// A recording next to an instant no recording covers.
#[derive(Clone, Debug, PartialEq)]
pub struct Neighbour {
    /// The movie.
    pub file: Resolved,
    /// Its end (the one before) or its start (the one after).
    pub at: OffsetDateTime,
}

/// An archive directory below a mount, as [`Backend::archive`] and [`Backend::locate`]
/// read it.
#[derive(Clone, Debug)]
pub struct ArchiveDir {
    /// The mount's URL prefix (its source options apply).
    pub mount_prefix: String,
    /// The directory, resolved inside the mount.
    pub dir: Resolved,
    /// The mount's cache of directory listings, shared by all its archive requests (its
    /// time to live is the server's `cache.listing_ttl_secs`).
    pub listings: Arc<ListingCache>,
}

/// What [`Backend::locate`] found at an instant.
#[derive(Clone, Debug, PartialEq)]
pub enum Instant {
    /// A movie and the frame shown at the instant.
    Frame {
        /// The movie.
        file: Resolved,
        /// The frame (0-based).
        index0: u64,
        /// Seconds from the movie's start to the instant (outside `[0, duration)` when the
        /// nearest frame was taken).
        offset: f64,
    },
    /// No recording covers the instant: the nearest before and after, when found.
    Gap {
        /// The nearest recording that ended before it.
        before: Option<Neighbour>,
        /// The nearest recording that starts after it.
        after: Option<Neighbour>,
    },
}

/// The media stack behind the server. All methods block; the server calls them from
/// `tokio::task::spawn_blocking` with bounded concurrency.
pub trait Backend: Send + Sync + 'static {
    /// Metadata of the movie at `loc`. Should be cached and single-flight per movie: the server
    /// calls it on every metadata, frame and time request (to learn the validator for ETags),
    /// and again when a frame was read from another version than the metadata said.
    fn movie(&self, loc: &MovieLocation) -> Result<MovieMeta, BackendError>;

    /// Read what frame `index0` (0-based, already checked `< num_frames`) of the movie at
    /// `loc` is made from for `req`. The server calls it on the mount's I/O pool, so frame
    /// workers only decode and never wait on an upstream server; an error here (a timeout,
    /// say) is the answer, and no decode worker is taken. A file that changed while being
    /// read is reopened and read once more; a second change is
    /// [`BackendError::ChangedUpstream`].
    fn fetch(
        &self,
        loc: &MovieLocation,
        index0: u64,
        req: &FrameRequest,
    ) -> Result<FetchedFrame, BackendError>;

    /// Decode and encode what [`Backend::fetch`] read, as `req` asks (the same `req`). Runs on
    /// a frame worker within the memory budget; makes no upstream request.
    fn decode(&self, fetched: FetchedFrame, req: &FrameRequest) -> Result<FrameBytes, BackendError>;

    /// The 0-based index of the frame shown at `seconds` from the start (already checked finite
    /// and within `0..=duration`).
    fn frame_at_time(&self, loc: &MovieLocation, seconds: f64) -> Result<u64, BackendError>;

    /// The archive rooted at `at.dir`, read with the mount's source options and listed
    /// through the mount's listing cache: its catalogs (`<dir>/catalog`, the rows of `lazyqt
    /// ls --json`) and sheets (`<dir>/sheet`) are asked of it on the mount's I/O pool (URLs
    /// and paths as the archive reads them; the server shows them as mount paths). A
    /// backend without archives answers [`BackendError::Unsupported`].
    fn archive(&self, at: &ArchiveDir) -> Result<Archive, BackendError> {
        let _ = at;
        Err(BackendError::Unsupported("this server has no archive backend".into()))
    }

    /// The movie of the archive at `at` recording at `instant` and the frame shown then
    /// ([`lazyqt_archive::Archive::locate`]); with `nearest`, the closest frame outside a
    /// recording. A gap is an answer ([`Instant::Gap`]), not an error. A backend without
    /// archives answers [`BackendError::Unsupported`].
    fn locate(
        &self,
        at: &ArchiveDir,
        instant: OffsetDateTime,
        nearest: bool,
    ) -> Result<Instant, BackendError> {
        let _ = (at, instant, nearest);
        Err(BackendError::Unsupported("this server has no archive backend".into()))
    }

    /// Counters and gauges to export on `/metrics`, as (Prometheus metric name, value) pairs,
    /// e.g. `("lazyqt_upstream_requests_total", 12.0)`. Invalid names are skipped.
    fn metrics(&self) -> Vec<(String, f64)> {
        Vec::new()
    }
}
