//! lazyqt-media: the std facade over the core. Open a movie from a path or URL,
//! summarize it (once, at open: [`VideoSummary`]), find a frame's bytes, fetch them, decode
//! them — everything the CLI, the REST server and the C ABI share.
//!
//! Data goes one way: [`Media::fetch`] reads a frame's bytes into an [`EncodedFrame`] the
//! caller owns, [`Media::decode`] turns that into pixels without I/O, and [`Pipeline`] runs
//! the two steps for many frames (bounded fetch-ahead, parallel decoders).

#![forbid(unsafe_code)]

mod decode;
mod error;
mod fetch;
pub mod pipeline;
mod run_index;
pub mod sheet;
pub mod summary;
pub mod timecode;

use std::ffi::OsStr;
use std::sync::Arc;

use lazyqt_core::{Movie, Sample, Track};
use lazyqt_io::{Source, SourceOptions};

pub use decode::codec_params;
pub use error::{MediaError, Result};
pub use fetch::{EncodedFrame, MAX_GOP_SAMPLES};
pub use lazyqt_decode as decoding;
pub use lazyqt_io::{ErrorKind, SourceError, Stats};
pub use pipeline::{Pipeline, PipelineOptions};
pub use run_index::RunIndex;
pub use summary::{FrameRate, SkippedTrackSummary, TrackSummary, VideoSummary};

/// Largest sample read: far above any real frame (8K ProRes 4444 XQ is ~20 MB), far
/// below what would hurt the machine.
pub const MAX_SAMPLE_BYTES: u64 = 256 * 1024 * 1024;

/// An open movie: its source, its parsed tables and a pool of idle decoders. No sample data
/// is held: [`Media::fetch`] hands the bytes it reads to the caller.
#[derive(Debug, Clone)]
pub struct Media {
    source: Arc<dyn Source>,
    movie: Arc<Movie>,
    /// What every front end shows, computed at open.
    summary: Arc<VideoSummary>,
    /// Run index of the video track's tables, for O(log runs) frame lookups.
    video_runs: Arc<RunIndex>,
    /// Whether the video track has open GOPs ([`Media::fetch`]), learned from its tables on
    /// the first fetch of a long-GOP frame.
    open_gops: Arc<std::sync::OnceLock<bool>>,
    decoders: Arc<decode::DecoderPool>,
    decoder_threads: usize,
}

impl Media {
    /// Open a local path or an `http(s)://` URL and parse its `moov`. A path need not be
    /// UTF-8 (a URL always is).
    pub fn open(uri: impl AsRef<OsStr>, opts: &SourceOptions) -> Result<Self> {
        let uri = uri.as_ref();
        let source = match uri.to_str() {
            Some(text) => lazyqt_io::open(text, opts)?,
            None => Arc::new(lazyqt_io::FileSource::open(uri)?),
        };
        Self::from_source(source)
    }

    /// Get ready to decode frames of `uri` soon. For a local path: load FFmpeg's libraries
    /// on a background thread (~20 ms) while the caller opens the movie. For a URL: start the
    /// HTTP client's threads, and leave FFmpeg for later: loading ~95 shared libraries holds
    /// the dynamic loader's lock for all of those ~20 ms, and the first request needs that
    /// lock (resolving a host name loads NSS modules and starts a thread, a thread's first
    /// thread-locals register with it), so a load started now delays the first round trip
    /// instead of overlapping it. [`Media::decode_frame`] loads FFmpeg while the frame's own
    /// bytes are in flight, when the connection is open and nothing else waits for the lock.
    pub fn prepare_to_decode(uri: impl AsRef<OsStr>, opts: &SourceOptions) {
        if uri.as_ref().to_str().is_some_and(lazyqt_io::is_url) {
            lazyqt_io::start_http_client(opts);
        } else {
            decoding::preload();
        }
    }

    /// Parse the movie in an already open source.
    pub fn from_source(source: Arc<dyn Source>) -> Result<Self> {
        let movie = Movie::open(&*source)?;
        tracing::debug!(uri = source.uri(), tracks = movie.tracks().len(), "opened movie");
        for bad in movie.skipped_tracks() {
            tracing::warn!(uri = source.uri(), "skipped {bad}");
        }
        // Without an index (a read failed) lookups walk the tables, and meet the
        // failure themselves if it lasts.
        let video_runs = match movie.default_video() {
            Ok(Some(t)) => RunIndex::build(t, &*source).unwrap_or_else(|e| {
                tracing::warn!(uri = source.uri(), error = %e, "no run index: frame lookups walk the tables");
                RunIndex::default()
            }),
            _ => RunIndex::default(),
        };
        let summary = VideoSummary::of(&*source, &movie);
        Ok(Self {
            source,
            movie: Arc::new(movie),
            summary: Arc::new(summary),
            video_runs: Arc::new(video_runs),
            open_gops: Arc::default(),
            decoders: Arc::default(),
            decoder_threads: 0,
        })
    }

    /// Threads each FFmpeg decoder may use (0 = one per core, the default: lowest latency
    /// for one frame). Callers decoding many frames in parallel want 1.
    /// The returned handle has its own decoder pool.
    pub fn with_decoder_threads(mut self, threads: usize) -> Self {
        self.decoder_threads = threads;
        self.decoders = Arc::default();
        self
    }

    /// The parsed movie.
    pub fn movie(&self) -> &Movie {
        &self.movie
    }

    /// The source (for its counters or further reads).
    pub fn source(&self) -> &Arc<dyn Source> {
        &self.source
    }

    /// The summary of the movie and its tracks, made at open (no I/O; shared, so front ends
    /// that keep it, like the server's metadata, clone the `Arc`).
    pub fn summary(&self) -> &Arc<VideoSummary> {
        &self.summary
    }

    /// The main video track's summary: the error of [`Media::video`] when there is none.
    pub fn video_summary(&self) -> Result<&TrackSummary> {
        let id = self.video()?.id();
        self.summary.tracks.iter().find(|t| t.id == id).ok_or(MediaError::NoTrack("video"))
    }

    /// The main video track (see [`Movie::default_video`]): an error, never another track,
    /// when it is malformed.
    pub fn video(&self) -> Result<&Track> {
        match self.movie.default_video() {
            Ok(Some(t)) => Ok(t),
            Ok(None) => Err(MediaError::NoTrack("video")),
            Err(bad) => Err(MediaError::MalformedTrack(bad)),
        }
    }

    /// The track with this id; an error saying why when that track is malformed.
    pub fn track(&self, id: u32) -> Result<&Track> {
        if let Some(t) = self.movie.track(id) {
            return Ok(t);
        }
        match self.movie.skipped_tracks().iter().find(|s| s.id == Some(id)) {
            Some(bad) => Err(MediaError::MalformedTrack(*bad)),
            None => Err(MediaError::NoSuchTrack(id)),
        }
    }

    /// Frame `n` (0-based, presentation order) of the video track: where its bytes are.
    pub fn frame_sample(&self, n: u64) -> Result<Sample> {
        let video = self.video()?;
        let available = u64::from(video.frame_count());
        let n32 =
            u32::try_from(n).map_err(|_| MediaError::OutOfRange { what: "frame", asked: n, available })?;
        video.frame_with(&*self.source, n32, &*self.video_runs).map_err(|e| MediaError::from_core(e, "frame"))
    }

    /// The video frame shown at `seconds` from the start.
    pub fn frame_at_seconds(&self, seconds: f64) -> Result<u64> {
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(MediaError::InvalidTime(seconds));
        }
        let video = self.video()?;
        // Microsecond resolution is finer than any frame rate.
        let micros = (seconds * 1e6).round();
        if micros > u64::MAX as f64 {
            return Err(MediaError::OutOfRange { what: "time", asked: u64::MAX, available: 0 });
        }
        video.frame_at_time(&*self.source, micros as u64, 1_000_000).map(u64::from).map_err(|e| match e {
            lazyqt_core::Error::OutOfRange { asked, available } => {
                MediaError::OutOfRange { what: "time (µs)", asked, available }
            }
            e => MediaError::from_core(e, "time"),
        })
    }

    /// Read a sample's bytes exactly (one range request over HTTP). Samples larger
    /// than [`MAX_SAMPLE_BYTES`] or lying past the end of the file are refused before
    /// anything is allocated.
    pub fn read_sample(&self, s: &Sample) -> Result<Vec<u8>> {
        self.check_sample(s)?;
        self.read_range(s.offset, u64::from(s.size))
    }

    /// Refuse a sample larger than [`MAX_SAMPLE_BYTES`] or lying past the end of the file.
    fn check_sample(&self, s: &Sample) -> Result<()> {
        if u64::from(s.size) > MAX_SAMPLE_BYTES {
            return Err(MediaError::Malformed(format!(
                "sample {} claims {} bytes, more than the {MAX_SAMPLE_BYTES}-byte limit",
                s.index, s.size
            )));
        }
        let end = s.offset.checked_add(u64::from(s.size));
        if end.is_none_or(|end| end > self.movie.file_len) {
            return Err(MediaError::Malformed(format!(
                "sample {} ({} bytes at offset {}) lies past the end of the {}-byte file",
                s.index, s.size, s.offset, self.movie.file_len
            )));
        }
        Ok(())
    }

    /// Read `len` bytes at `offset` (bounded by [`MAX_SAMPLE_BYTES`]).
    fn read_range(&self, offset: u64, len: u64) -> Result<Vec<u8>> {
        if len > MAX_SAMPLE_BYTES {
            return Err(MediaError::Malformed(format!(
                "read of {len} bytes exceeds the {MAX_SAMPLE_BYTES}-byte limit"
            )));
        }
        let mut buf = vec![0u8; len as usize];
        self.source.read_exact_at(offset, &mut buf)?;
        Ok(buf)
    }

    /// Counters of the source.
    pub fn stats(&self) -> Stats {
        self.source.stats()
    }
}
