//! The I/O half of getting a frame: [`Media::fetch`] reads the bytes frame `n` is decoded
//! from into an [`EncodedFrame`] the caller owns; [`Media::decode`](crate::Media::decode)
//! turns it into pixels without any I/O. Nothing read is kept inside [`Media`].

use lazyqt_core::{Sample, Track};
use lazyqt_decode::CodecParams;

use crate::decode::codec_params;
use crate::{Media, MediaError, Result, MAX_SAMPLE_BYTES};

/// Most samples decoded to reach one frame of a long-GOP track (from its sync sample).
pub const MAX_GOP_SAMPLES: usize = 1024;

/// The compressed bytes of one video frame and everything decoding them needs: the samples
/// from a sync sample up to the frame's own (decode order), their bytes, the codec's
/// parameters and the version of the file they were read from.
#[derive(Debug, Clone)]
pub struct EncodedFrame {
    frame: u64,
    /// Decode order; the first is a sync sample, the last is `target`.
    samples: Vec<Sample>,
    target: Sample,
    /// Position in `samples` of the target's own sync sample (decoding starts there, and
    /// from the first sample when that fails: an open GOP).
    sync_at: usize,
    /// Where each of `samples` starts in `bytes`.
    starts: Vec<usize>,
    bytes: Vec<u8>,
    range: Option<(u64, u64)>,
    params: CodecParams,
    validator: Option<String>,
}

impl EncodedFrame {
    /// The frame number (0-based, presentation order).
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// The samples decoded to reach the frame, in decode order: a sync sample first, the
    /// frame's own last (just that one for intra-only codecs). For a long-GOP frame they
    /// start at the previous GOP's sync sample, in case the frame's own GOP is open.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Position in [`EncodedFrame::samples`] of the frame's own sync sample.
    pub fn sync_at(&self) -> usize {
        self.sync_at
    }

    /// The frame's own sample.
    pub fn target(&self) -> &Sample {
        &self.target
    }

    /// The bytes of `samples()[i]`, or `None` past the end.
    pub fn sample_bytes(&self, i: usize) -> Option<&[u8]> {
        let (start, sample) = (*self.starts.get(i)?, self.samples.get(i)?);
        self.bytes.get(start..start.checked_add(sample.size as usize)?)
    }

    /// The compressed bytes of the frame's own sample.
    pub fn target_bytes(&self) -> Option<&[u8]> {
        self.sample_bytes(self.samples.len().checked_sub(1)?)
    }

    /// Bytes read from the file (a span may include small gaps between samples).
    pub fn len_read(&self) -> usize {
        self.bytes.len()
    }

    /// `(offset, length)` of the file range read, when the samples were read as one range
    /// (always for a single sample); `None` when they were read one by one.
    pub fn range(&self) -> Option<(u64, u64)> {
        self.range
    }

    /// The codec parameters of the track, for the decoder.
    pub fn codec_params(&self) -> &CodecParams {
        &self.params
    }

    /// The version of the file the bytes were read from ([`lazyqt_io::Source::version`]:
    /// a strong ETag, Last-Modified + size, or a local file's identity), if known.
    pub fn validator(&self) -> Option<&str> {
        self.validator.as_deref()
    }
}

impl Media {
    /// Read the bytes frame `n` (0-based, presentation order) of the video track is decoded
    /// from: one range read when its samples lie (nearly) back to back. Decode them with
    /// [`Media::decode`](crate::Media::decode), on any thread, as often as wanted.
    pub fn fetch(&self, n: u64) -> Result<EncodedFrame> {
        let params = codec_params(self, self.video()?)?;
        self.fetch_with(n, params)
    }

    /// [`Media::fetch`] with the codec parameters already read.
    pub(crate) fn fetch_with(&self, n: u64, params: CodecParams) -> Result<EncodedFrame> {
        let target = self.frame_sample(n)?;
        let video = self.video()?;
        let (first, sync) = self.gop_start(video, &target)?;
        let samples = self.gop(video, first, target.index)?;
        let (bytes, starts, range) = self.read_samples(&samples)?;
        Ok(EncodedFrame {
            frame: n,
            samples,
            target,
            sync_at: (sync - first) as usize,
            starts,
            bytes,
            range,
            params,
            validator: self.source().version(),
        })
    }

    /// The first sample read to reach `target`, and the target's own sync sample. Decoding
    /// starts at the sync sample; when that fails (an open GOP: the frame references the
    /// previous GOP) it starts again from the previous sync sample, so in a track with open
    /// GOPs a long-GOP frame is read from there (when both GOPs fit in [`MAX_GOP_SAMPLES`]).
    fn gop_start(&self, video: &Track, target: &Sample) -> Result<(u32, u32)> {
        let src = &**self.source();
        let sync = video.sync_sample_at_or_before(src, target.index).map_err(MediaError::from)?;
        if sync == 0 || sync == target.index || !*self.open_gops.get_or_init(|| has_open_gops(self, video)) {
            return Ok((sync, sync));
        }
        let earlier = video.sync_sample_at_or_before(src, sync - 1).map_err(MediaError::from)?;
        let fits = ((target.index - earlier) as usize) < MAX_GOP_SAMPLES;
        Ok((if fits { earlier } else { sync }, sync))
    }

    /// Samples `first..=last` in decode order.
    fn gop(&self, video: &Track, first: u32, last: u32) -> Result<Vec<Sample>> {
        let count = (last - first) as usize + 1;
        if count > MAX_GOP_SAMPLES {
            return Err(MediaError::Malformed(format!(
                "frame needs {count} samples decoded from its sync sample, more than the {MAX_GOP_SAMPLES} allowed"
            )));
        }
        let src = &**self.source();
        let mut cursor = video.samples_from(src, first).map_err(MediaError::from)?;
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            match cursor.next(src) {
                Some(s) => out.push(s.map_err(MediaError::from)?),
                None => break,
            }
        }
        Ok(out)
    }

    /// Read the bytes of `samples`: one read for the span when they lie (nearly) back to
    /// back, one read each otherwise. Returns the bytes, where each sample starts in them,
    /// and the span when it was one read.
    #[allow(clippy::type_complexity)]
    fn read_samples(&self, samples: &[Sample]) -> Result<(Vec<u8>, Vec<usize>, Option<(u64, u64)>)> {
        for s in samples {
            self.check_sample(s)?;
        }
        if let Some((start, span)) = contiguous_span(samples) {
            let bytes = self.read_range(start, span)?;
            let starts = samples.iter().map(|s| (s.offset - start) as usize).collect();
            return Ok((bytes, starts, Some((start, span))));
        }
        let total: u64 = samples.iter().map(|s| u64::from(s.size)).sum();
        if total > MAX_SAMPLE_BYTES {
            return Err(MediaError::Malformed(format!(
                "frame needs {total} bytes of samples, more than the {MAX_SAMPLE_BYTES}-byte limit"
            )));
        }
        let mut bytes = vec![0u8; total as usize];
        let mut starts = Vec::with_capacity(samples.len());
        let mut at = 0usize;
        for s in samples {
            let end = at + s.size as usize;
            self.source().read_exact_at(s.offset, &mut bytes[at..end])?;
            starts.push(at);
            at = end;
        }
        let range = match samples {
            [one] => Some((one.offset, u64::from(one.size))),
            _ => None,
        };
        Ok((bytes, starts, range))
    }
}

/// Samples looked at to tell whether a track has open GOPs.
const OPEN_GOP_PROBE: u32 = 1024;

/// Whether `video` has open GOPs: a sample right after a sync sample (decode order) is shown
/// before it (a leading picture, which may reference the previous GOP), within its first
/// [`OPEN_GOP_PROBE`] samples. Read from the tables; an unreadable table counts as open
/// (reading more is safe, decoding from too late is not).
fn has_open_gops(media: &Media, video: &Track) -> bool {
    let src = &**media.source();
    let Ok(mut cursor) = video.samples_from(src, 0) else { return true };
    let mut sync_pts = None;
    for _ in 0..OPEN_GOP_PROBE {
        let Some(sample) = cursor.next(src) else { return false };
        let Ok(sample) = sample else { return true };
        if sync_pts.is_some_and(|pts| sample.pts < pts) {
            tracing::debug!(uri = src.uri(), sample = sample.index, "the video track has open GOPs");
            return true;
        }
        sync_pts = sample.keyframe.then_some(sample.pts);
    }
    false
}

/// `(start, length)` of the bytes of several `samples` when one read of that span wastes
/// little (they lie nearly back to back), else `None`.
fn contiguous_span(samples: &[Sample]) -> Option<(u64, u64)> {
    let total: u64 = samples.iter().map(|s| u64::from(s.size)).sum();
    let start = samples.iter().map(|s| s.offset).min().unwrap_or(0);
    let end = samples.iter().map(|s| s.offset.saturating_add(u64::from(s.size))).max().unwrap_or(0);
    let span = end.saturating_sub(start);
    (samples.len() > 1 && span <= MAX_SAMPLE_BYTES && span <= total + total / 4 + 65_536)
        .then_some((start, span))
}
