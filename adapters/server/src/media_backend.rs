//! The real [`Backend`]: movies opened with lazyqt-media (local files or HTTP range
//! sources with their caches), one open per movie however many requests arrive at once,
//! kept in a bounded cache and reopened when the upstream file changes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use lazyqt_media::decoding::{ConvertOptions, EncodeOptions, Format, PixelFormat};
use lazyqt_media::{EncodedFrame, ErrorKind, Media, MediaError, Stats};

use crate::backend::{
    Backend, FetchedData, FetchedFrame, FrameBytes, FrameFormat, FrameRequest, MovieLocation, MovieMeta,
    Resolved,
};
use crate::errors::BackendError;

/// Serves movies through lazyqt-media.
pub struct MediaBackend {
    opts: lazyqt_io::SourceOptions,
    /// Prefixes of the mounts whose movie reads may follow redirects to other origins
    /// (`allow_cross_origin_redirects` in their config); every other mount refuses them.
    cross_origin_mounts: Vec<String>,
    pub(crate) movies: moka::sync::Cache<String, Media>,
    /// Counters of sources already evicted from `movies`, so totals never go down.
    retired: Arc<RetiredStats>,
    opens: AtomicU64,
}

#[derive(Default)]
struct RetiredStats {
    requests: AtomicU64,
    bytes: AtomicU64,
}

impl RetiredStats {
    fn add(&self, s: Stats) {
        self.requests.fetch_add(s.requests, Ordering::Relaxed);
        self.bytes.fetch_add(s.bytes_fetched, Ordering::Relaxed);
    }
}

/// Where a movie is read from: what it is opened from and cached by.
pub(crate) fn key(source: &Resolved) -> String {
    match source {
        Resolved::Url(u) => u.as_str().to_owned(),
        Resolved::File(p) => p.to_string_lossy().into_owned(),
    }
}

impl MediaBackend {
    /// A backend reading movies with `opts` (a server passes
    /// [`ServerConfig::source_options`](crate::ServerConfig::source_options), so its upstream
    /// deadline bounds every movie read), keeping at most `max_movies` open, each for at most
    /// `ttl` before it is reopened (cheap: the disk cache holds its moov).
    pub fn new(opts: lazyqt_io::SourceOptions, max_movies: u64, ttl: Duration) -> Self {
        let retired = Arc::new(RetiredStats::default());
        let on_evict = Arc::clone(&retired);
        let movies = moka::sync::Cache::builder()
            .max_capacity(max_movies.max(1))
            .time_to_live(ttl)
            .eviction_listener(move |_k, media: Media, _cause| on_evict.add(media.stats()))
            .build();
        Self { opts, cross_origin_mounts: Vec::new(), movies, retired, opens: AtomicU64::new(0) }
    }

    /// Lets movie reads under these mount prefixes follow redirects to other origins
    /// ([`ServerConfig::cross_origin_mounts`](crate::ServerConfig::cross_origin_mounts)).
    pub fn with_cross_origin_mounts(mut self, prefixes: Vec<String>) -> Self {
        self.cross_origin_mounts = prefixes;
        self
    }

    /// The source options of reads under the mount `mount_prefix`: redirects to other
    /// origins followed only when the mount allows them.
    pub(crate) fn options_for(&self, mount_prefix: &str) -> std::borrow::Cow<'_, lazyqt_io::SourceOptions> {
        if self.cross_origin_mounts.iter().any(|p| p == mount_prefix) {
            let mut opts = self.opts.clone();
            opts.http.allow_cross_origin_redirects = true;
            std::borrow::Cow::Owned(opts)
        } else {
            std::borrow::Cow::Borrowed(&self.opts)
        }
    }

    /// Is `media` still the file at `loc`? Always for URLs (their reads are pinned to the
    /// version opened); for a local file, its [`lazyqt_io::file_version`] now must equal
    /// the one taken at open, so a file rewritten or replaced in place is never mixed.
    fn current(loc: &MovieLocation, media: &Media) -> bool {
        match &loc.source {
            Resolved::Url(_) => true,
            Resolved::File(p) => {
                let now = std::fs::metadata(p).ok().and_then(|m| lazyqt_io::file_version(&m));
                now.is_some() && now == media.source().version()
            }
        }
    }

    /// The open movie at `loc` (reopened when a local file changed since it was opened):
    /// concurrent first requests share one open.
    fn media(&self, loc: &MovieLocation) -> Result<Media, BackendError> {
        let key = key(&loc.source);
        if let Some(media) = self.movies.get(&key) {
            if Self::current(loc, &media) {
                return Ok(media);
            }
            tracing::info!(path = key, "local file changed: reopening");
            self.movies.invalidate(&key);
        }
        let opts = self.options_for(&loc.mount_prefix);
        self.movies
            .try_get_with(key.clone(), || {
                self.opens.fetch_add(1, Ordering::Relaxed);
                Media::open(&key, &opts)
            })
            .map_err(|e| BackendError::from(&*e))
    }

    /// Run `f` on the movie and return what it gave with the validator of the version it
    /// read. If the file changed meanwhile (upstream: a read hit 412; local: its identity
    /// moved), the movie is reopened and `f` runs once more; a second change is
    /// [`BackendError::ChangedUpstream`].
    fn with_media<T>(
        &self,
        loc: &MovieLocation,
        f: impl Fn(&Media) -> Result<T, MediaError>,
    ) -> Result<(T, String), BackendError> {
        let key = key(&loc.source);
        let mut attempts = 2;
        loop {
            attempts -= 1;
            let media = self.media(loc)?;
            let result = f(&media);
            let changed = matches!(&result, Err(e) if e.kind() == ErrorKind::UpstreamChanged)
                || !Self::current(loc, &media);
            if !changed {
                let validator = media.source().version().unwrap_or_default();
                return result.map(|v| (v, validator)).map_err(|e| BackendError::from(&e));
            }
            self.movies.invalidate(&key);
            if attempts == 0 {
                return Err(BackendError::ChangedUpstream(format!(
                    "{} changed twice while being read",
                    lazyqt_io::redact_url(&key)
                )));
            }
            tracing::info!(uri = lazyqt_io::redact_url(&key), "file changed: reopening");
        }
    }
}

/// The movie's metadata: its summary (made at open, shared) and the version read. A movie
/// without a usable video track is refused here, with the reason.
fn meta(media: &Media) -> Result<MovieMeta, MediaError> {
    media.video()?;
    Ok(MovieMeta {
        summary: Arc::clone(media.summary()),
        validator: media.source().version().unwrap_or_default(),
    })
}

/// Read what frame `n` is made from for `req`: the compressed sample as stored for
/// [`FrameFormat::Sample`], the frame's encoded samples otherwise.
fn fetch(media: &Media, n: u64, req: &FrameRequest) -> Result<FetchedData, MediaError> {
    if req.format == FrameFormat::Sample {
        let sample = media.frame_sample(n)?;
        return Ok(FetchedData::Bytes(Bytes::from(media.read_sample(&sample)?)));
    }
    Ok(FetchedData::Encoded { media: media.clone(), frame: Box::new(media.fetch(n)?) })
}

/// The image format and pixels of a decoded `format` (`None` for [`FrameFormat::Sample`]).
fn output(format: FrameFormat) -> Option<(Format, PixelFormat)> {
    match (format, format.image()) {
        (_, Some(f)) => Some((f, f.natural_pixel_format())),
        (FrameFormat::Rgba, None) => Some((Format::Raw, PixelFormat::Rgba)),
        (_, None) => None,
    }
}

/// Decode `frame` with the decoders of `media` and encode it as `req` asks.
fn decode(media: &Media, frame: &EncodedFrame, req: &FrameRequest) -> Result<FrameBytes, BackendError> {
    let (format, pixels) = output(req.format)
        .ok_or_else(|| BackendError::Internal("a compressed sample was fetched as a frame".into()))?;
    let convert = ConvertOptions {
        format: pixels,
        size: req.width.zip(req.height),
        matrix: req.matrix,
        ..ConvertOptions::default()
    };
    let mut encode = EncodeOptions::default();
    if let Some(q) = req.quality {
        encode.jpeg_quality = q;
    }
    let image = media.decode(frame, &convert).map_err(|e| BackendError::from(&e))?;
    let bytes = lazyqt_media::decoding::encode(&image, format, &encode)
        .map_err(|e| BackendError::from(&MediaError::from(e)))?;
    Ok(FrameBytes {
        bytes: Bytes::from(bytes),
        content_type: req.format.content_type().into(),
        width: image.width,
        height: image.height,
    })
}

impl Backend for MediaBackend {
    fn movie(&self, loc: &MovieLocation) -> Result<MovieMeta, BackendError> {
        self.with_media(loc, meta).map(|(m, _)| m)
    }

    fn fetch(
        &self,
        loc: &MovieLocation,
        index0: u64,
        req: &FrameRequest,
    ) -> Result<FetchedFrame, BackendError> {
        let (data, validator) = self.with_media(loc, |m| fetch(m, index0, req))?;
        Ok(FetchedFrame { index0, validator, data })
    }

    fn decode(&self, fetched: FetchedFrame, req: &FrameRequest) -> Result<FrameBytes, BackendError> {
        match fetched.data {
            FetchedData::Encoded { media, frame } => decode(&media, &frame, req),
            FetchedData::Bytes(bytes) if req.format == FrameFormat::Sample => {
                Ok(FrameBytes { bytes, content_type: req.format.content_type().into(), width: 0, height: 0 })
            }
            FetchedData::Bytes(_) => {
                Err(BackendError::Internal("undecoded bytes fetched for a frame".into()))
            }
        }
    }

    fn frame_at_time(&self, loc: &MovieLocation, seconds: f64) -> Result<u64, BackendError> {
        self.with_media(loc, |m| m.frame_at_seconds(seconds)).map(|(n, _)| n)
    }

    fn archive(&self, at: &crate::backend::ArchiveDir) -> Result<lazyqt_archive::Archive, BackendError> {
        self.open_archive(at)
    }

    fn locate(
        &self,
        at: &crate::backend::ArchiveDir,
        instant: lazyqt_archive::OffsetDateTime,
        nearest: bool,
    ) -> Result<crate::backend::Instant, BackendError> {
        self.archive_locate(at, instant, nearest)
    }

    fn metrics(&self) -> Vec<(String, f64)> {
        let mut requests = self.retired.requests.load(Ordering::Relaxed);
        let mut bytes = self.retired.bytes.load(Ordering::Relaxed);
        for (_, media) in self.movies.iter() {
            let s = media.stats();
            requests += s.requests;
            bytes += s.bytes_fetched;
        }
        vec![
            ("lazyqt_upstream_requests_total".into(), requests as f64),
            ("lazyqt_upstream_bytes_total".into(), bytes as f64),
            ("lazyqt_movie_opens_total".into(), self.opens.load(Ordering::Relaxed) as f64),
            ("lazyqt_movies_open".into(), self.movies.entry_count() as f64),
        ]
    }
}
