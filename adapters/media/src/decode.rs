//! From frame number to pixels: fetch the samples a frame needs (one range read when they
//! are contiguous), decode them with a pooled FFmpeg decoder, convert, encode.

use std::sync::Mutex;

use lazyqt_core::boxes::stsd::Details;
use lazyqt_core::{Sample, Track};
use lazyqt_decode::{
    encode, CodecParams, ColorInfo, ConvertOptions, Converter, Decoder, DecoderOptions, EncodeOptions,
    Format, Image, Packet,
};

use crate::{Media, MediaError, Result, MAX_SAMPLE_BYTES};

/// Most samples decoded to reach one frame of a long-GOP track (from its sync sample).
pub const MAX_GOP_SAMPLES: usize = 1024;

/// Idle decoders of one video track, each with the converter that served it last (keeping
/// its swscale context), reused across frames: creating a decoder per frame costs more than
/// decoding a ProRes frame, and a swscale context ~1-2 ms.
#[derive(Debug, Default)]
pub(crate) struct DecoderPool {
    idle: Mutex<Vec<(Decoder, Converter)>>,
}

/// Most idle decoders kept per track.
const MAX_IDLE_DECODERS: usize = 16;

impl DecoderPool {
    fn take(&self, params: &CodecParams, opts: &DecoderOptions) -> Result<(Decoder, Converter)> {
        let reused = self.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
        match reused {
            Some(worker) => Ok(worker),
            None => Ok((Decoder::new(params, opts)?, Converter::new())),
        }
    }

    fn give_back(&self, worker: (Decoder, Converter)) {
        if let Ok(mut v) = self.idle.lock() {
            if v.len() < MAX_IDLE_DECODERS {
                v.push(worker);
            }
        }
    }
}

/// What a decoder needs to know, read from the track's sample description.
pub fn codec_params(media: &Media, track: &Track) -> Result<CodecParams> {
    let mut p = CodecParams::new(track.codec().0, track.width(), track.height());
    if let Details::Visual(v) = &track.entry.details {
        p.depth = v.depth;
        p.color = v.color.map(|c| ColorInfo {
            primaries: c.primaries,
            transfer: c.transfer,
            matrix: c.matrix,
            full_range: c.full_range,
        });
    }
    let config = [b"avcC", b"hvcC", b"glbl"]
        .into_iter()
        .find_map(|k| track.entry.extension(lazyqt_core::FourCC::new(k)));
    if let Some(ext) = config {
        if ext.len > 1 << 20 {
            return Err(MediaError::Malformed(format!(
                "codec configuration of {} bytes is too large",
                ext.len
            )));
        }
        let mut buf = vec![0u8; ext.len as usize];
        media.source().read_exact_at(ext.offset, &mut buf)?;
        p.extradata = Some(buf);
    }
    Ok(p)
}

impl Media {
    /// Decode frame `n` (0-based, presentation order) of the video track and convert it.
    pub fn decode_frame(&self, n: u64, convert: &ConvertOptions) -> Result<Image> {
        let target = self.frame_sample(n)?;
        let video = self.video()?;
        let params = codec_params(self, video)?;
        let opts = DecoderOptions { threads: self.decoder_threads, ..DecoderOptions::default() };
        let (mut decoder, converter) = self.decoders.take(&params, &opts)?;
        let remote = self.source().is_remote();
        let (decoded, mut converter) = std::thread::scope(|s| {
            if !remote {
                return (self.decode_with(&mut decoder, video, &target), converter);
            }
            // A remote frame's bytes are a round trip away: meanwhile, build the conversion
            // the decoded frame will most likely need (context and output buffer).
            let params = &params;
            let prepared = s.spawn(move || {
                let mut c = converter;
                if let Err(e) = c.prepare(params, convert) {
                    tracing::debug!(error = %e, "conversion not prepared ahead");
                }
                c
            });
            let decoded = self.decode_with(&mut decoder, video, &target);
            (decoded, prepared.join().unwrap_or_default())
        });
        let out = match decoded {
            Ok(frame) => converter.convert(&frame, convert).map_err(MediaError::from),
            Err(e) => Err(e),
        };
        self.decoders.give_back((decoder, converter));
        out
    }

    /// Decode frame `n` and encode it as an image file.
    pub fn encode_frame(
        &self,
        n: u64,
        format: Format,
        convert: &ConvertOptions,
        encode_opts: &EncodeOptions,
    ) -> Result<Vec<u8>> {
        let image = self.decode_frame(n, convert)?;
        Ok(encode(&image, format, encode_opts)?)
    }

    fn decode_with(
        &self,
        decoder: &mut Decoder,
        video: &Track,
        target: &Sample,
    ) -> Result<lazyqt_decode::DecodedFrame> {
        let src = &**self.source();
        let intra = video.tables.stss.is_none() && decoder.is_intra_only();
        if intra {
            return self.decode_from(decoder, video, target.index, target);
        }
        let sync = video.sync_sample_at_or_before(src, target.index).map_err(MediaError::from)?;
        match self.decode_from(decoder, video, sync, target) {
            // Open GOP: a frame shown before its sync sample may reference the previous
            // GOP; decode from the sync sample before that one.
            Err(MediaError::Decode(
                lazyqt_decode::Error::TargetNotFound { .. } | lazyqt_decode::Error::CorruptFrame { .. },
            )) if sync > 0 => {
                let earlier = video.sync_sample_at_or_before(src, sync - 1).map_err(MediaError::from)?;
                tracing::debug!(sample = target.index, sync, earlier, "retrying from the previous GOP");
                self.decode_from(decoder, video, earlier, target)
            }
            other => other,
        }
    }

    /// Decode samples `first..=target.index` and return the target's picture.
    fn decode_from(
        &self,
        decoder: &mut Decoder,
        video: &Track,
        first: u32,
        target: &Sample,
    ) -> Result<lazyqt_decode::DecodedFrame> {
        let samples = self.gop(video, first, target.index)?;
        let bytes = self.fetch(&samples)?;
        let packets = samples.iter().zip(&bytes).map(|(s, b)| Packet {
            data: b,
            pts: s.pts,
            dts: s.dts,
            keyframe: s.keyframe,
        });
        Ok(decoder.decode_target(packets, target.pts)?)
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

    /// Read the bytes of `samples`: one read for the span when they lie (nearly)
    /// back to back, one read each otherwise.
    fn fetch(&self, samples: &[Sample]) -> Result<Vec<Vec<u8>>> {
        if let Some((start, span)) = contiguous_span(samples) {
            let whole = self.read_range(start, span)?;
            return samples
                .iter()
                .map(|s| {
                    let at = (s.offset - start) as usize;
                    whole.get(at..at + s.size as usize).map(<[u8]>::to_vec).ok_or_else(|| {
                        MediaError::Malformed(format!("sample {} lies outside the range read", s.index))
                    })
                })
                .collect();
        }
        samples.iter().map(|s| self.read_sample(s)).collect()
    }

    /// Read the bytes frame `n` is decoded from now, and keep them (bounded) for the next
    /// [`Media::decode_frame`] of it: a server fetches on its I/O pool and decodes on its
    /// CPU pool, so decode slots never wait on the network. Exactly the reads the decode
    /// would make (an open-GOP retry from the previous GOP still reads on its own).
    pub fn prefetch_frame(&self, n: u64) -> Result<()> {
        let target = self.frame_sample(n)?;
        let video = self.video()?;
        let sync =
            video.sync_sample_at_or_before(&**self.source(), target.index).map_err(MediaError::from)?;
        let samples = self.gop(video, sync, target.index)?;
        let ranges: Vec<(u64, u64)> = match contiguous_span(&samples) {
            Some(span) => vec![span],
            None => samples.iter().map(|s| (s.offset, u64::from(s.size))).collect(),
        };
        for (offset, len) in ranges {
            let bytes = self.read_range(offset, len)?;
            self.prefetched.put(offset, bytes);
        }
        Ok(())
    }
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
