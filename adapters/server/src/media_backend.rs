//! The real [`Backend`]: movies opened with lazyqt-media (local files or HTTP range
//! sources with their caches), one open per movie however many requests arrive at once,
//! kept in a bounded cache and reopened when the upstream file changes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use lazyqt_media::decoding::{ConvertOptions, EncodeOptions, Format, PixelFormat};
use lazyqt_media::{ErrorKind, Media, MediaError, Stats};

use crate::backend::{
    Backend, FrameBytes, FrameFormat, FrameRequest, MovieLocation, MovieMeta, SkippedTrackMeta, Source,
    TrackMeta,
};
use crate::errors::BackendError;

/// Serves movies through lazyqt-media.
pub struct MediaBackend {
    opts: lazyqt_io::SourceOptions,
    /// Prefixes of the mounts whose movie reads may follow redirects to other origins
    /// (`allow_cross_origin_redirects` in their config); every other mount refuses them.
    cross_origin_mounts: Vec<String>,
    movies: moka::sync::Cache<String, Media>,
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
fn key(loc: &MovieLocation) -> String {
    match &loc.source {
        Source::Url(u) => u.as_str().to_owned(),
        Source::File(p) => p.to_string_lossy().into_owned(),
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

    /// Is `media` still the file at `loc`? Always for URLs (their reads are pinned to the
    /// version opened); for a local file, its [`lazyqt_io::file_version`] now must equal
    /// the one taken at open, so a file rewritten or replaced in place is never mixed.
    fn current(loc: &MovieLocation, media: &Media) -> bool {
        match &loc.source {
            Source::Url(_) => true,
            Source::File(p) => {
                let now = std::fs::metadata(p).ok().and_then(|m| lazyqt_io::file_version(&m));
                now.is_some() && now == media.source().version()
            }
        }
    }

    /// The open movie at `loc` (reopened when a local file changed since it was opened):
    /// concurrent first requests share one open.
    fn media(&self, loc: &MovieLocation) -> Result<Media, BackendError> {
        let key = key(loc);
        if let Some(media) = self.movies.get(&key) {
            if Self::current(loc, &media) {
                return Ok(media);
            }
            tracing::info!(path = key, "local file changed: reopening");
            self.movies.invalidate(&key);
        }
        let opts = if self.cross_origin_mounts.contains(&loc.mount_prefix) {
            std::borrow::Cow::Owned(lazyqt_io::SourceOptions {
                allow_cross_origin_redirects: true,
                ..self.opts.clone()
            })
        } else {
            std::borrow::Cow::Borrowed(&self.opts)
        };
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
        let key = key(loc);
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

fn meta(media: &Media) -> Result<MovieMeta, MediaError> {
    let info = media.info();
    let video = media.video()?;
    let vinfo = info.tracks.iter().find(|t| t.id == video.id());
    Ok(MovieMeta {
        num_frames: u64::from(video.frame_count()),
        duration: info.duration,
        file_size: info.size,
        width: video.width(),
        height: video.height(),
        codec: video.codec().to_string(),
        fps: vinfo.and_then(|t| t.fps).unwrap_or(0.0),
        creation_time: info.creation_time.clone(),
        tracks: info
            .tracks
            .iter()
            .map(|t| TrackMeta {
                id: t.id,
                kind: t.kind.to_owned(),
                codec: t.codec.clone(),
                num_samples: u64::from(t.samples),
                duration: t.duration,
                width: (t.width > 0).then_some(t.width),
                height: (t.height > 0).then_some(t.height),
            })
            .collect(),
        skipped_tracks: info
            .skipped_tracks
            .iter()
            .map(|s| SkippedTrackMeta { id: s.id, kind: s.kind.map(str::to_owned), error: s.error.clone() })
            .collect(),
        validator: media.source().version().unwrap_or_default(),
    })
}

fn frame(media: &Media, n: u64, req: &FrameRequest) -> Result<FrameBytes, MediaError> {
    let size = req.width.zip(req.height);
    let convert = |format| ConvertOptions { format, size, matrix: req.matrix, ..ConvertOptions::default() };
    let encode = EncodeOptions { jpeg_quality: req.quality.unwrap_or(90), ..EncodeOptions::default() };
    let (format, pixels) = match req.format {
        FrameFormat::Png => (Format::Png, PixelFormat::Rgb8),
        FrameFormat::Jpeg => (Format::Jpeg, PixelFormat::Rgb8),
        FrameFormat::Bmp => (Format::Bmp, PixelFormat::Rgb8),
        FrameFormat::Rgba => (Format::Raw, PixelFormat::Rgba8),
        FrameFormat::Sample => {
            let sample = media.frame_sample(n)?;
            let video = media.video()?;
            return Ok(FrameBytes {
                bytes: Bytes::from(media.read_sample(&sample)?),
                content_type: req.format.content_type().into(),
                width: video.width(),
                height: video.height(),
                validator: String::new(),
            });
        }
    };
    let image = media.decode_frame(n, &convert(pixels))?;
    let bytes = lazyqt_media::decoding::encode(&image, format, &encode)?;
    Ok(FrameBytes {
        bytes: Bytes::from(bytes),
        content_type: req.format.content_type().into(),
        width: image.width,
        height: image.height,
        validator: String::new(),
    })
}

impl Backend for MediaBackend {
    fn movie(&self, loc: &MovieLocation) -> Result<MovieMeta, BackendError> {
        self.with_media(loc, meta).map(|(m, _)| m)
    }

    fn frame(
        &self,
        loc: &MovieLocation,
        index0: u64,
        req: &FrameRequest,
    ) -> Result<FrameBytes, BackendError> {
        let (frame, validator) = self.with_media(loc, |m| frame(m, index0, req))?;
        Ok(FrameBytes { validator, ..frame })
    }

    fn prefetch_frame(&self, loc: &MovieLocation, index0: u64) -> Result<(), BackendError> {
        if matches!(loc.source, Source::File(_)) {
            return Ok(());
        }
        self.with_media(loc, |m| m.prefetch_frame(index0)).map(|_| ())
    }

    fn frame_at_time(&self, loc: &MovieLocation, seconds: f64) -> Result<u64, BackendError> {
        self.with_media(loc, |m| m.frame_at_seconds(seconds)).map(|(n, _)| n)
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
