//! One decoder per track: packets in decode order go in, the frame with the wanted pts comes out.

use std::os::raw::c_int;

use crate::codec::{codec_id, CodecParams, ColorInfo};
use crate::error::{Error, Result};
use crate::ffi::{self, CodecContext, Received};

/// Size limits checked before anything is allocated for a sample entry, packet or image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest width in pixels (default 16384).
    pub max_width: u32,
    /// Largest height in pixels (default 16384).
    pub max_height: u32,
    /// Largest width × height (default 8192 × 8192 = 64 Mi pixels).
    pub max_pixels: u64,
    /// Largest compressed sample (and codec extradata) in bytes (default 256 MiB).
    pub max_packet_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_width: 16384, max_height: 16384, max_pixels: 8192 * 8192, max_packet_bytes: 256 << 20 }
    }
}

impl Limits {
    /// Checks a picture size against the limits (zero sizes are invalid).
    pub fn check_size(&self, width: u32, height: u32) -> Result<()> {
        if width == 0 || height == 0 {
            return Err(Error::InvalidArgument(format!("picture size {width}x{height} is empty")));
        }
        let over =
            |what, value: u64, limit: u64| (value > limit).then_some(Error::TooLarge { what, value, limit });
        let pixels = u64::from(width) * u64::from(height);
        match over("width", width.into(), self.max_width.into())
            .or_else(|| over("height", height.into(), self.max_height.into()))
            .or_else(|| over("pixels", pixels, self.max_pixels))
        {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Which of FFmpeg's threading models the decoder uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Threading {
    /// Slice threads for intra-only codecs (one packet, one frame: only slices can run in
    /// parallel, frame threads would add latency), frame and slice threads otherwise.
    #[default]
    Auto,
    /// Slice threading only.
    Slice,
    /// Frame threading only.
    Frame,
    /// Both; FFmpeg uses frame threading when the codec supports it.
    FrameAndSlice,
}

/// How a [`Decoder`] is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecoderOptions {
    /// Decoder threads; 0 lets FFmpeg use one per core (lowest latency for one request).
    /// A pool that already runs one decoder per core does better with 1.
    pub threads: usize,
    /// Threading model.
    pub threading: Threading,
    /// Size limits.
    pub limits: Limits,
}

/// One compressed sample, borrowed from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    /// The sample's bytes.
    pub data: &'a [u8],
    /// Presentation timestamp (any timescale, as long as `target_pts` uses the same one).
    pub pts: i64,
    /// Decode timestamp.
    pub dts: i64,
    /// Whether this is a sync sample.
    pub keyframe: bool,
}

/// A decoded picture (FFmpeg's native pixel format), ready for [`crate::Converter`].
pub struct DecodedFrame {
    pub(crate) frame: ffi::Frame,
    pub(crate) container_color: Option<ColorInfo>,
}

impl DecodedFrame {
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.frame.width()
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.frame.height()
    }

    /// The pts of the packet this frame came from.
    pub fn pts(&self) -> i64 {
        self.frame.pts()
    }

    /// FFmpeg's name of the decoded pixel format, e.g. `yuv422p10le`.
    pub fn pixel_format_name(&self) -> String {
        self.frame.format().map_or_else(|| "unknown".to_owned(), ffi::pix_fmt_name)
    }
}

impl std::fmt::Debug for DecodedFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodedFrame")
            .field("width", &self.width())
            .field("height", &self.height())
            .field("pts", &self.pts())
            .field("pixel_format", &self.pixel_format_name())
            .finish()
    }
}

/// A decoder for one track, created once from its sample description and reused for every
/// frame. Not `Sync`: one frame at a time per decoder; open one decoder per worker thread.
pub struct Decoder {
    ctx: CodecContext,
    packet: ffi::Packet,
    scratch: ffi::Frame,
    color: Option<ColorInfo>,
    codec_name: &'static str,
    intra_only: bool,
    limits: Limits,
    /// The pixel format and size the first frame will most likely have, when the sample
    /// description tells ([`Decoder::prepare`]).
    likely_picture: Option<(ffi::PixFmt, c_int, c_int)>,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("codec", &self.codec_name)
            .field("intra_only", &self.intra_only)
            .finish_non_exhaustive()
    }
}

impl Decoder {
    /// Opens a decoder for a track. Unknown fourccs give [`Error::UnsupportedCodec`]; sizes
    /// over `opts.limits` give [`Error::TooLarge`] before anything is allocated.
    pub fn new(params: &CodecParams, opts: &DecoderOptions) -> Result<Self> {
        let id = codec_id(params.fourcc)?;
        opts.limits.check_size(params.width, params.height)?;
        let extra_len = params.extradata.as_ref().map_or(0, Vec::len);
        if extra_len > opts.limits.max_packet_bytes {
            return Err(Error::TooLarge {
                what: "extradata bytes",
                value: extra_len as u64,
                limit: opts.limits.max_packet_bytes as u64,
            });
        }
        let (codec_name, intra_only) = ffi::codec_info(id)?;
        let thread_type = match (opts.threading, intra_only) {
            (Threading::Auto, true) | (Threading::Slice, _) => ffi::THREAD_SLICE,
            (Threading::Frame, _) => ffi::THREAD_FRAME,
            (Threading::Auto, false) | (Threading::FrameAndSlice, _) => ffi::THREAD_FRAME | ffi::THREAD_SLICE,
        };
        let int = |what, v: u64| {
            c_int::try_from(v).map_err(|_| Error::TooLarge { what, value: v, limit: c_int::MAX as u64 })
        };
        let cfg = ffi::ContextConfig {
            id,
            codec_tag: u32::from_le_bytes(params.fourcc),
            width: int("width", params.width.into())?,
            height: int("height", params.height.into())?,
            bits_per_coded_sample: params.depth.into(),
            extradata: params.extradata.as_deref(),
            thread_count: int("threads", opts.threads as u64)?,
            thread_type,
            max_pixels: i64::try_from(opts.limits.max_pixels).unwrap_or(i64::MAX),
            color: params.color.map(|c| (c_int::from(c.matrix), c.full_range)),
        };
        let likely_picture = crate::codec::likely_pix_fmt(params.fourcc).map(|f| (f, cfg.width, cfg.height));
        let ctx = CodecContext::open(&cfg)?;
        let (active, count) = ctx.threads();
        tracing::debug!(
            codec = codec_name,
            intra_only,
            active_thread_type = active,
            threads = count,
            width = params.width,
            height = params.height,
            "opened decoder"
        );
        Ok(Self {
            ctx,
            packet: ffi::Packet::new()?,
            scratch: ffi::Frame::new()?,
            color: params.color,
            codec_name,
            intra_only,
            limits: opts.limits,
            likely_picture,
        })
    }

    /// Get ready for the first frame: allocate and fault in the picture buffers it will most
    /// likely be decoded into (a remote caller does this while the frame's bytes are on their
    /// way; ~2-3 ms of a 1080p ProRes frame). Does nothing when the codec does not tell the
    /// pixel format; a frame that turns out different still decodes, into new buffers.
    pub fn prepare(&mut self) -> Result<()> {
        match self.likely_picture {
            Some((fmt, width, height)) => self.ctx.warm_picture_pool(fmt, width, height),
            None => Ok(()),
        }
    }

    /// FFmpeg's name of the codec ("prores", "h264", ...).
    pub fn codec_name(&self) -> &'static str {
        self.codec_name
    }

    /// Whether every sample decodes on its own (then [`Decoder::decode_one`] suffices).
    pub fn is_intra_only(&self) -> bool {
        self.intra_only
    }

    /// Decodes one self-contained sample (intra-only codecs, or a sync sample) and returns its
    /// frame.
    pub fn decode_one(&mut self, packet: Packet<'_>) -> Result<DecodedFrame> {
        self.decode_target(std::iter::once(packet), packet.pts)
    }

    /// Decodes `packets` (in decode order, from a sync sample at or before the target up to
    /// and including the target's own sample: later samples are not needed, draining releases
    /// reordered frames) and returns the frame whose pts is `target_pts`. Stops reading packets as soon as that
    /// frame appears, otherwise drains the decoder at the end. The decoder is flushed before
    /// returning, success or error, so it is ready for an unrelated next call.
    ///
    /// In an open-GOP stream, frames shown before the sync sample they follow in decode order
    /// need the previous GOP: on [`Error::TargetNotFound`] or [`Error::CorruptFrame`], retry
    /// from the sync sample before.
    pub fn decode_target<'a, I>(&mut self, packets: I, target_pts: i64) -> Result<DecodedFrame>
    where
        I: IntoIterator<Item = Packet<'a>>,
    {
        let t0 = std::time::Instant::now();
        let result = self.run(packets.into_iter(), target_pts);
        self.ctx.flush();
        let frame = result?;
        tracing::debug!(ms = t0.elapsed().as_secs_f64() * 1e3, codec = self.codec_name, "decoded");
        if frame.is_corrupt() {
            return Err(Error::CorruptFrame { pts: target_pts });
        }
        Ok(DecodedFrame { frame, container_color: self.color })
    }

    fn run<'a>(&mut self, packets: impl Iterator<Item = Packet<'a>>, target: i64) -> Result<ffi::Frame> {
        let mut decoded = 0usize;
        for p in packets {
            if p.data.is_empty() {
                return Err(Error::InvalidArgument("empty packet".into()));
            }
            if p.data.len() > self.limits.max_packet_bytes {
                return Err(Error::TooLarge {
                    what: "packet bytes",
                    value: p.data.len() as u64,
                    limit: self.limits.max_packet_bytes as u64,
                });
            }
            self.packet.fill(p.data, p.pts, p.dts, p.keyframe)?;
            loop {
                let accepted = self.ctx.send(Some(&self.packet))?;
                if let Some(f) = self.receive_until(target, &mut decoded)? {
                    return Ok(f);
                }
                if accepted {
                    break;
                }
            }
        }
        self.ctx.send(None)?;
        match self.receive_until(target, &mut decoded)? {
            Some(f) => Ok(f),
            None => Err(Error::TargetNotFound { target_pts: target, decoded }),
        }
    }

    /// Receives frames until the target shows up (returned), or the decoder wants input or is
    /// drained (`None`).
    fn receive_until(&mut self, target: i64, decoded: &mut usize) -> Result<Option<ffi::Frame>> {
        loop {
            match self.ctx.receive(&mut self.scratch)? {
                Received::Frame => {
                    *decoded += 1;
                    tracing::trace!(pts = self.scratch.pts(), target, "decoded frame");
                    if self.scratch.pts() == target {
                        let next = ffi::Frame::new()?;
                        return Ok(Some(std::mem::replace(&mut self.scratch, next)));
                    }
                }
                Received::NeedInput | Received::Eof => return Ok(None),
            }
        }
    }
}
