//! The CPU half of getting a frame: decode an [`EncodedFrame`] with a pooled FFmpeg
//! decoder, convert, encode. No I/O but the codec configuration, read with the tables.

use std::sync::Mutex;

use lazyqt_core::boxes::stsd::Details;
use lazyqt_core::Track;
use lazyqt_decode::{
    encode, CodecParams, ConvertOptions, Converter, DecodedFrame, Decoder, DecoderOptions, EncodeOptions,
    Format, Image, Packet,
};

use crate::{EncodedFrame, Media, MediaError, Result};

/// A decoder, the parameters it was made for, and the converter that served it last
/// (keeping its swscale context).
type Worker = (CodecParams, Decoder, Converter);

/// Idle decoders of a movie, reused across frames: creating a decoder per frame costs more
/// than decoding a ProRes frame, and a swscale context ~1-2 ms. Decoders are not data: the
/// pool holds no sample bytes.
#[derive(Debug, Default)]
pub(crate) struct DecoderPool {
    idle: Mutex<Vec<Worker>>,
}

/// Most idle decoders kept per movie.
const MAX_IDLE_DECODERS: usize = 16;

impl DecoderPool {
    /// An idle decoder made for `params`, or a new one.
    fn take(&self, params: &CodecParams, opts: &DecoderOptions) -> Result<Worker> {
        let reused = self.idle.lock().ok().and_then(|mut v| {
            let at = v.iter().rposition(|(p, _, _)| p == params)?;
            Some(v.swap_remove(at))
        });
        match reused {
            Some(worker) => Ok(worker),
            None => Ok((params.clone(), Decoder::new(params, opts)?, Converter::new())),
        }
    }

    fn give_back(&self, worker: Worker) {
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
        p.color = crate::summary::color_tags(track);
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
    /// Decode an encoded frame (from [`Media::fetch`] of this movie) and convert it. No I/O:
    /// the frame holds all the bytes, and a decoder of this movie's pool decodes them.
    pub fn decode(&self, frame: &EncodedFrame, convert: &ConvertOptions) -> Result<Image> {
        let worker = self.decoders.take(frame.codec_params(), &self.decoder_options())?;
        self.decode_with(worker, frame, convert)
    }

    /// Fetch frame `n` (0-based, presentation order) of the video track and decode it:
    /// [`Media::decode`] of [`Media::fetch`].
    pub fn decode_frame(&self, n: u64, convert: &ConvertOptions) -> Result<Image> {
        if !self.source().is_remote() {
            return self.decode(&self.fetch(n)?, convert);
        }
        // A remote frame's bytes are a round trip away: meanwhile, on another thread, open the
        // decoder (in a cold process FFmpeg's libraries load first) with its picture buffers
        // and build the conversion the decoded frame will most likely need (context and output
        // buffer), so the frame request goes out first.
        let params = codec_params(self, self.video()?)?;
        let (fetched, worker) = std::thread::scope(|s| {
            let params = &params;
            let ready = s.spawn(move || -> Result<Worker> {
                let (params, mut decoder, mut converter) =
                    self.decoders.take(params, &self.decoder_options())?;
                if let Err(e) = decoder.prepare() {
                    tracing::debug!(error = %e, "decoder not prepared ahead");
                }
                if let Err(e) = converter.prepare(&params, convert) {
                    tracing::debug!(error = %e, "conversion not prepared ahead");
                }
                Ok((params, decoder, converter))
            });
            let fetched = self.fetch_with(n, params.clone());
            // A panic on the helper thread is re-raised here, as if it had run inline.
            (fetched, ready.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
        // The decoder's error first: it is what an inline open would have reported.
        let worker = worker?;
        match fetched {
            Ok(frame) => self.decode_with(worker, &frame, convert),
            Err(e) => {
                self.decoders.give_back(worker);
                Err(e)
            }
        }
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

    fn decoder_options(&self) -> DecoderOptions {
        DecoderOptions { threads: self.decoder_threads, ..DecoderOptions::default() }
    }

    /// Decode `frame` with `worker`, convert the picture, and give the worker back.
    fn decode_with(&self, worker: Worker, frame: &EncodedFrame, convert: &ConvertOptions) -> Result<Image> {
        let (params, mut decoder, mut converter) = worker;
        let decoded = match decode_packets(&mut decoder, frame, frame.sync_at()) {
            // Open GOP: the frame may reference the previous GOP; decode from its sync sample.
            Err(MediaError::Decode(
                lazyqt_decode::Error::TargetNotFound { .. } | lazyqt_decode::Error::CorruptFrame { .. },
            )) if frame.sync_at() > 0 => {
                tracing::debug!(frame = frame.frame(), "decoding again from the previous GOP");
                decode_packets(&mut decoder, frame, 0)
            }
            other => other,
        };
        let out = decoded.and_then(|decoded| converter.convert(&decoded, convert).map_err(MediaError::from));
        self.decoders.give_back((params, decoder, converter));
        out
    }
}

/// Feed the samples of `frame` from `samples()[from]` on to `decoder` and return the picture
/// of its target.
fn decode_packets(decoder: &mut Decoder, frame: &EncodedFrame, from: usize) -> Result<DecodedFrame> {
    let mut packets = Vec::with_capacity(frame.samples().len());
    for (i, s) in frame.samples().iter().enumerate().skip(from) {
        let data = frame.sample_bytes(i).ok_or_else(|| {
            MediaError::Malformed(format!("sample {} lies outside the bytes read", s.index))
        })?;
        packets.push(Packet { data, pts: s.pts, dts: s.dts, keyframe: s.keyframe });
    }
    Ok(decoder.decode_target(packets, frame.target().pts)?)
}
