//! The crate's unsafe code (with `libs.rs`, which loads FFmpeg): small RAII wrappers around
//! libavcodec, libavutil and libswscale. Every pointer here is owned by exactly one wrapper
//! and freed in its `Drop`; nothing outside this module sees a raw FFmpeg pointer. Longer
//! than most modules on purpose: keeping every `unsafe` block in one reviewed file (the crate
//! denies `unsafe` elsewhere) is worth more than splitting it.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};
use std::ptr::{self, NonNull};

use ffmpeg_sys_next as sys;

use crate::error::{Error, Result};
use crate::libs::{api, loaded};

pub(crate) use sys::AVCodecID as CodecId;
pub(crate) use sys::AVPixelFormat as PixFmt;

/// `AVCOL_SPC_UNSPECIFIED` / `AVCOL_RANGE_*` as plain numbers (the values are fixed by the API).
pub(crate) const COLORSPACE_UNSPECIFIED: c_int = sys::AVColorSpace::AVCOL_SPC_UNSPECIFIED as c_int;
/// `AVCOL_RANGE_MPEG`: video range.
pub(crate) const RANGE_LIMITED: c_int = sys::AVColorRange::AVCOL_RANGE_MPEG as c_int;
/// `AVCOL_RANGE_JPEG`: full range.
pub(crate) const RANGE_FULL: c_int = sys::AVColorRange::AVCOL_RANGE_JPEG as c_int;
/// `FF_THREAD_FRAME`.
pub(crate) const THREAD_FRAME: c_int = sys::FF_THREAD_FRAME;
/// `FF_THREAD_SLICE`.
pub(crate) const THREAD_SLICE: c_int = sys::FF_THREAD_SLICE;
/// `AV_INPUT_BUFFER_PADDING_SIZE`: zeroed bytes FFmpeg requires after every input buffer.
const PADDING: usize = sys::AV_INPUT_BUFFER_PADDING_SIZE as usize;

/// FFmpeg's text for an error code (av_strerror).
fn error_text(code: c_int) -> String {
    let Some(f) = loaded() else { return format!("error {code}") };
    let mut buf: [c_char; 128] = [0; 128];
    // SAFETY: `buf` is writable for `buf.len()` bytes and av_strerror NUL-terminates within it.
    let rc = unsafe { (f.av_strerror)(code, buf.as_mut_ptr(), buf.len()) };
    if rc < 0 {
        return format!("unknown error {code}");
    }
    // SAFETY: `buf` is NUL-terminated (see above) and outlives the borrow.
    unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned()
}

/// Turns a negative FFmpeg return code into an [`Error`].
fn check(call: &'static str, code: c_int) -> Result<c_int> {
    if code >= 0 {
        Ok(code)
    } else if code == sys::AVERROR(libc::ENOMEM) {
        Err(Error::OutOfMemory(call))
    } else {
        Err(Error::Ffmpeg { call, code, message: error_text(code) })
    }
}

/// `AV_LOG_QUIET`, `AV_LOG_ERROR`, `AV_LOG_WARNING`.
pub(crate) const LOG_LEVELS: [c_int; 3] = [sys::AV_LOG_QUIET, sys::AV_LOG_ERROR, sys::AV_LOG_WARNING];

/// Sets FFmpeg's global log level (`av_log_set_level`).
pub(crate) fn set_log_level(level: c_int) {
    match api() {
        // SAFETY: av_log_set_level only stores an int; any value is accepted.
        Ok(f) => unsafe { (f.av_log_set_level)(level) },
        Err(e) => tracing::debug!(error = %e, "FFmpeg log level not set"),
    }
}

/// FFmpeg's name of a codec and whether it only has intra frames.
pub(crate) fn codec_info(id: CodecId) -> Result<(&'static str, bool)> {
    let f = api()?;
    // SAFETY: avcodec_get_name returns a pointer to a static NUL-terminated string for any id.
    let name = unsafe { CStr::from_ptr((f.avcodec_get_name)(id)) }.to_str().unwrap_or("unknown");
    // SAFETY: avcodec_descriptor_get returns NULL or a pointer to a static descriptor.
    let desc = unsafe { (f.avcodec_descriptor_get)(id) };
    // SAFETY: checked non-null; static data.
    let intra = !desc.is_null() && unsafe { (*desc).props } & sys::AV_CODEC_PROP_INTRA_ONLY != 0;
    Ok((name, intra))
}

/// A pixel format FFmpeg knows, from the integer an `AVFrame` stores.
pub(crate) fn pix_fmt_from_raw(raw: c_int) -> Option<PixFmt> {
    if (0..PixFmt::AV_PIX_FMT_NB as c_int).contains(&raw) {
        // SAFETY: AVPixelFormat is a #[repr(i32)] enum whose discriminants are exactly
        // -1..AV_PIX_FMT_NB without gaps (it mirrors the C enum of the linked headers), and
        // `raw` was checked to lie in that range.
        Some(unsafe { std::mem::transmute::<c_int, PixFmt>(raw) })
    } else {
        None
    }
}

/// Name of a pixel format ("yuv422p10le"), for messages.
pub(crate) fn pix_fmt_name(fmt: PixFmt) -> String {
    let Some(f) = loaded() else { return format!("{fmt:?}") };
    // SAFETY: av_get_pix_fmt_name returns NULL or a static NUL-terminated string.
    let p = unsafe { (f.av_get_pix_fmt_name)(fmt) };
    if p.is_null() {
        return format!("{fmt:?}");
    }
    // SAFETY: non-null static string (see above).
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Whether a pixel format stores RGB (so no YUV matrix applies).
pub(crate) fn pix_fmt_is_rgb(fmt: PixFmt) -> Result<bool> {
    let f = api()?;
    // SAFETY: av_pix_fmt_desc_get returns NULL or a pointer to a static descriptor.
    let d = unsafe { (f.av_pix_fmt_desc_get)(fmt) };
    // SAFETY: checked non-null; static data.
    Ok(!d.is_null() && unsafe { (*d).flags } & sys::AV_PIX_FMT_FLAG_RGB as u64 != 0)
}

/// A packed output format and its layout (see [`packed_pix_fmt`]).
pub(crate) struct PackedLayout {
    /// The format.
    pub fmt: PixFmt,
    /// Bytes per pixel.
    pub bytes_per_pixel: u8,
    /// Bytes per sample: 1 or 2.
    pub bytes_per_sample: u8,
    /// Whether 16-bit samples are big-endian.
    pub big_endian: bool,
}

/// The pixel format FFmpeg calls `name` (`av_get_pix_fmt`: a name without `le`/`be` is
/// native-endian), if swscale writes it and it is packed: one plane, no palette, bitstream,
/// float, Bayer or hardware format, no subsampling, every component a whole sample of at most
/// 16 bits (no shifts) at the same step.
pub(crate) fn packed_pix_fmt(name: &str) -> Result<PackedLayout> {
    let f = api()?;
    let unknown = || Error::InvalidArgument(format!("unknown pixel format {name:?}"));
    let c_name = std::ffi::CString::new(name.to_ascii_lowercase()).map_err(|_| unknown())?;
    // SAFETY: `c_name` is NUL-terminated; av_get_pix_fmt only reads it and returns a valid
    // AVPixelFormat (AV_PIX_FMT_NONE when the name is unknown).
    let fmt = unsafe { (f.av_get_pix_fmt)(c_name.as_ptr()) };
    if fmt == PixFmt::AV_PIX_FMT_NONE {
        return Err(unknown());
    }
    // SAFETY: av_pix_fmt_desc_get returns NULL or a pointer to a static descriptor.
    let d = unsafe { (f.av_pix_fmt_desc_get)(fmt) };
    // SAFETY: checked non-null; static data.
    let Some(d) = (unsafe { d.as_ref() }) else { return Err(unknown()) };
    let not_packed = || {
        Error::InvalidArgument(format!(
            "pixel format {name} is not packed (one plane of whole 8- or 16-bit samples, no \
             subsampling): use e.g. rgb24, bgr24, rgba, bgra, argb, abgr, gray, gray16le, rgb48be"
        ))
    };
    let refused = sys::AV_PIX_FMT_FLAG_PLANAR
        | sys::AV_PIX_FMT_FLAG_PAL
        | sys::AV_PIX_FMT_FLAG_BITSTREAM
        | sys::AV_PIX_FMT_FLAG_HWACCEL
        | sys::AV_PIX_FMT_FLAG_BAYER
        | sys::AV_PIX_FMT_FLAG_FLOAT;
    let comps = d.comp.get(..usize::from(d.nb_components)).unwrap_or_default();
    let first = comps.first().ok_or_else(not_packed)?;
    let bytes_per_sample = (first.depth + 7) / 8;
    if !(1..=2).contains(&bytes_per_sample) {
        return Err(not_packed());
    }
    let whole_samples = comps.iter().all(|c| {
        c.plane == 0
            && c.shift == 0
            && c.step == first.step
            && (c.depth + 7) / 8 == bytes_per_sample
            && c.offset % bytes_per_sample == 0
    });
    if d.flags & refused as u64 != 0
        || d.log2_chroma_w != 0
        || d.log2_chroma_h != 0
        || !whole_samples
        || first.step % bytes_per_sample != 0
    {
        return Err(not_packed());
    }
    // SAFETY: a plain query on a valid format.
    if unsafe { (f.sws_isSupportedOutput)(fmt) } <= 0 {
        return Err(Error::UnsupportedPixelFormat(pix_fmt_name(fmt)));
    }
    let small = |v: c_int| u8::try_from(v).map_err(|_| not_packed());
    Ok(PackedLayout {
        fmt,
        bytes_per_pixel: small(first.step)?,
        bytes_per_sample: small(bytes_per_sample)?,
        big_endian: bytes_per_sample == 2 && d.flags & sys::AV_PIX_FMT_FLAG_BE as u64 != 0,
    })
}

/// How to set up a decoder context before opening it.
pub(crate) struct ContextConfig<'a> {
    /// The codec.
    pub id: CodecId,
    /// The fourcc as FFmpeg's little-endian codec tag.
    pub codec_tag: u32,
    /// Width from the sample entry.
    pub width: c_int,
    /// Height from the sample entry.
    pub height: c_int,
    /// Depth from the sample entry.
    pub bits_per_coded_sample: c_int,
    /// avcC/hvcC/glbl payload.
    pub extradata: Option<&'a [u8]>,
    /// Threads (0 = FFmpeg picks).
    pub thread_count: c_int,
    /// FF_THREAD_FRAME and/or FF_THREAD_SLICE.
    pub thread_type: c_int,
    /// Largest frame (in pixels) the decoder may allocate.
    pub max_pixels: i64,
    /// The sample entry's matrix (`AVColorSpace`) and range (full or not), when it says,
    /// given to the decoder as FFmpeg's demuxer gives them: frames carry them unless the
    /// bitstream says otherwise.
    pub color: Option<(c_int, Option<bool>)>,
}

/// An opened decoder (`AVCodecContext`), freed with `avcodec_free_context`.
pub(crate) struct CodecContext {
    ptr: NonNull<sys::AVCodecContext>,
}

// SAFETY: an AVCodecContext is not tied to the thread that created it; all access goes through
// `&mut self`, so it is never used from two threads at once.
unsafe impl Send for CodecContext {}

/// What `avcodec_receive_frame` gave.
pub(crate) enum Received {
    /// A frame was written into the given [`Frame`].
    Frame,
    /// The decoder needs more input (EAGAIN).
    NeedInput,
    /// The decoder is fully drained (EOF).
    Eof,
}

impl CodecContext {
    /// Allocates, configures and opens a decoder.
    pub(crate) fn open(cfg: &ContextConfig<'_>) -> Result<Self> {
        let f = api()?;
        // SAFETY: a plain registry lookup; returns NULL or a static AVCodec.
        let codec = unsafe { (f.avcodec_find_decoder)(cfg.id) };
        if codec.is_null() {
            return Err(Error::DecoderMissing { codec: codec_info(cfg.id)?.0 });
        }
        // SAFETY: `codec` is a valid decoder; the result is NULL or a new context we own.
        let raw = unsafe { (f.avcodec_alloc_context3)(codec) };
        let ctx = Self { ptr: NonNull::new(raw).ok_or(Error::OutOfMemory("avcodec_alloc_context3"))? };
        let c = ctx.ptr.as_ptr();
        // SAFETY: `c` is a valid, unopened context owned by `ctx`; setting these fields before
        // avcodec_open2 is how the API is meant to be used.
        unsafe {
            (*c).codec_tag = cfg.codec_tag;
            (*c).width = cfg.width;
            (*c).height = cfg.height;
            (*c).coded_width = cfg.width;
            (*c).coded_height = cfg.height;
            (*c).bits_per_coded_sample = cfg.bits_per_coded_sample;
            (*c).thread_count = cfg.thread_count;
            (*c).thread_type = cfg.thread_type;
            (*c).max_pixels = cfg.max_pixels;
        }
        if let Some((matrix, full_range)) = cfg.color {
            // What FFmpeg's mov demuxer does with a `colr` atom: matrices it has no name for
            // become "unspecified"; a range only when the atom has one (nclx).
            let matrix = if (0..sys::AVColorSpace::AVCOL_SPC_NB as c_int).contains(&matrix) {
                matrix
            } else {
                COLORSPACE_UNSPECIFIED
            };
            // SAFETY: `c` is valid and unopened; the fields are C enums written as their C
            // int representation (the value is one of the enum's, checked above).
            unsafe {
                ptr::addr_of_mut!((*c).colorspace).cast::<c_int>().write(matrix);
                if let Some(full) = full_range {
                    let range = if full { RANGE_FULL } else { RANGE_LIMITED };
                    ptr::addr_of_mut!((*c).color_range).cast::<c_int>().write(range);
                }
            }
        }
        if let Some(extra) = cfg.extradata.filter(|e| !e.is_empty()) {
            let size = c_int::try_from(extra.len()).map_err(|_| Error::TooLarge {
                what: "extradata bytes",
                value: extra.len() as u64,
                limit: c_int::MAX as u64,
            })?;
            // SAFETY: av_mallocz returns NULL or a zeroed block of the requested size.
            let buf = unsafe { (f.av_mallocz)(extra.len() + PADDING) }.cast::<u8>();
            if buf.is_null() {
                return Err(Error::OutOfMemory("av_mallocz"));
            }
            // SAFETY: `buf` holds extra.len() + PADDING bytes and does not overlap `extra`.
            // Ownership passes to the context, which av_freep's it in avcodec_free_context.
            unsafe {
                ptr::copy_nonoverlapping(extra.as_ptr(), buf, extra.len());
                (*c).extradata = buf;
                (*c).extradata_size = size;
            }
        }
        // SAFETY: `c` is configured and not yet open; `codec` matches the one it was allocated for.
        check("avcodec_open2", unsafe { (f.avcodec_open2)(c, codec, ptr::null_mut()) })?;
        Ok(ctx)
    }

    /// Has the context's picture pool allocate the buffers of one `fmt` picture of `width` x
    /// `height` and take them back: FFmpeg zeroes pool buffers as it allocates them, so their
    /// pages are faulted in here instead of on the thread decoding the first frame (~8 MB
    /// for 10-bit 4:2:2 1080p). A frame of another format or size re-creates the pool.
    pub(crate) fn warm_picture_pool(&mut self, fmt: PixFmt, width: c_int, height: c_int) -> Result<()> {
        let f = api()?;
        let frame = Frame::new()?;
        let p = frame.ptr.as_ptr();
        let c = self.ptr.as_ptr();
        // SAFETY: `p` is our empty frame; format and size are what get_buffer2 reads. The
        // context is open and used by this thread only (&mut self). The pool lays planes out
        // by the context's pixel format, which a decoder sets from the first frame's header
        // (ProRes: from each header, whatever it was before): it is set to `fmt` for the call
        // and put back.
        let rc = unsafe {
            (*p).format = fmt as c_int;
            (*p).width = width;
            (*p).height = height;
            let before = (*c).pix_fmt;
            (*c).pix_fmt = fmt;
            let rc = (f.avcodec_default_get_buffer2)(c, p, 0);
            (*c).pix_fmt = before;
            rc
        };
        check("avcodec_default_get_buffer2", rc)?;
        // SAFETY: `p` holds the pool's buffers; unref returns them to the pool (`frame`'s
        // Drop then frees an empty frame).
        unsafe { (f.av_frame_unref)(p) };
        Ok(())
    }

    /// The thread type FFmpeg actually chose (`active_thread_type`) and the thread count.
    pub(crate) fn threads(&self) -> (c_int, c_int) {
        // SAFETY: reading two ints of our open context.
        unsafe {
            let c = self.ptr.as_ptr();
            ((*c).active_thread_type, (*c).thread_count)
        }
    }

    /// Sends a packet, or `None` to start draining. `Ok(false)` means "full, receive first".
    pub(crate) fn send(&mut self, packet: Option<&Packet>) -> Result<bool> {
        let f = api()?;
        let p = packet.map_or(ptr::null(), |p| p.ptr.as_ptr().cast_const());
        // SAFETY: the context is open; `p` is NULL or a valid packet with padded data that
        // outlives the call (FFmpeg references or copies it).
        let rc = unsafe { (f.avcodec_send_packet)(self.ptr.as_ptr(), p) };
        if rc == sys::AVERROR(libc::EAGAIN) {
            return Ok(false);
        }
        check("avcodec_send_packet", rc).map(|_| true)
    }

    /// Receives the next decoded frame into `frame` (which is unreferenced first).
    pub(crate) fn receive(&mut self, frame: &mut Frame) -> Result<Received> {
        let f = api()?;
        // SAFETY: the context is open and `frame` is a valid AVFrame we own; FFmpeg unrefs it
        // before writing.
        let rc = unsafe { (f.avcodec_receive_frame)(self.ptr.as_ptr(), frame.ptr.as_ptr()) };
        if rc == sys::AVERROR(libc::EAGAIN) {
            Ok(Received::NeedInput)
        } else if rc == sys::AVERROR_EOF {
            Ok(Received::Eof)
        } else {
            check("avcodec_receive_frame", rc).map(|_| Received::Frame)
        }
    }

    /// Resets the decoder (after draining or an error) so the next packet starts afresh.
    pub(crate) fn flush(&mut self) {
        if let Some(f) = loaded() {
            // SAFETY: the context is open; flushing is allowed at any time.
            unsafe { (f.avcodec_flush_buffers)(self.ptr.as_ptr()) }
        }
    }
}

impl Drop for CodecContext {
    fn drop(&mut self) {
        let mut p = self.ptr.as_ptr();
        if let Some(f) = loaded() {
            // SAFETY: we own the context; avcodec_free_context closes it, frees extradata and
            // the context, and sets `p` to NULL.
            unsafe { (f.avcodec_free_context)(&mut p) }
        }
    }
}

/// An `AVPacket` whose data buffer is reallocated per use, freed with `av_packet_free`.
pub(crate) struct Packet {
    ptr: NonNull<sys::AVPacket>,
}

// SAFETY: a packet and its refcounted buffer may move between threads; access is via &mut.
unsafe impl Send for Packet {}

impl Packet {
    /// An empty packet.
    pub(crate) fn new() -> Result<Self> {
        let f = api()?;
        // SAFETY: returns NULL or a new packet we own.
        let raw = unsafe { (f.av_packet_alloc)() };
        Ok(Self { ptr: NonNull::new(raw).ok_or(Error::OutOfMemory("av_packet_alloc"))? })
    }

    /// Replaces the contents with a padded copy of `data` and the given timing.
    pub(crate) fn fill(&mut self, data: &[u8], pts: i64, dts: i64, keyframe: bool) -> Result<()> {
        let f = api()?;
        let size = c_int::try_from(data.len()).map_err(|_| Error::TooLarge {
            what: "packet bytes",
            value: data.len() as u64,
            limit: c_int::MAX as u64 - PADDING as u64,
        })?;
        let p = self.ptr.as_ptr();
        // SAFETY: `p` is our valid packet. av_packet_unref drops the old buffer;
        // av_new_packet allocates size + padding bytes (padding zeroed) or fails.
        unsafe {
            (f.av_packet_unref)(p);
            check("av_new_packet", (f.av_new_packet)(p, size))?;
            // SAFETY: (*p).data holds at least `size` bytes and does not overlap `data`.
            ptr::copy_nonoverlapping(data.as_ptr(), (*p).data, data.len());
            (*p).pts = pts;
            (*p).dts = dts;
            (*p).flags = if keyframe { sys::AV_PKT_FLAG_KEY } else { 0 };
        }
        Ok(())
    }
}

impl Drop for Packet {
    fn drop(&mut self) {
        let mut p = self.ptr.as_ptr();
        if let Some(f) = loaded() {
            // SAFETY: we own the packet; av_packet_free unrefs its buffer and frees it.
            unsafe { (f.av_packet_free)(&mut p) }
        }
    }
}

/// An `AVFrame` (refcounted picture), freed with `av_frame_free`.
pub(crate) struct Frame {
    ptr: NonNull<sys::AVFrame>,
}

// SAFETY: AVFrame buffers are refcounted with atomic counts; a frame may move between threads.
unsafe impl Send for Frame {}

impl Frame {
    /// An empty frame.
    pub(crate) fn new() -> Result<Self> {
        let f = api()?;
        // SAFETY: returns NULL or a new frame we own.
        let raw = unsafe { (f.av_frame_alloc)() };
        Ok(Self { ptr: NonNull::new(raw).ok_or(Error::OutOfMemory("av_frame_alloc"))? })
    }

    fn get(&self) -> &sys::AVFrame {
        // SAFETY: `ptr` is a valid frame for as long as `self` lives, only mutated via &mut self.
        unsafe { self.ptr.as_ref() }
    }

    /// Width in pixels (0 for an empty frame).
    pub(crate) fn width(&self) -> u32 {
        u32::try_from(self.get().width).unwrap_or(0)
    }

    /// Height in pixels (0 for an empty frame).
    pub(crate) fn height(&self) -> u32 {
        u32::try_from(self.get().height).unwrap_or(0)
    }

    /// Presentation timestamp (copied by the decoder from the packet it came from).
    pub(crate) fn pts(&self) -> i64 {
        self.get().pts
    }

    /// The pixel format, when it is one FFmpeg knows.
    pub(crate) fn format(&self) -> Option<PixFmt> {
        pix_fmt_from_raw(self.get().format)
    }

    /// `AVColorSpace` of the frame as a number. Read as a C int: decoders store whatever
    /// the bitstream says (ProRes: any byte), which need not be a value of the Rust enum.
    pub(crate) fn colorspace(&self) -> c_int {
        // SAFETY: `ptr` is a valid frame; the field is a C enum, an int in memory.
        unsafe { ptr::addr_of!((*self.ptr.as_ptr()).colorspace).cast::<c_int>().read() }
    }

    /// `AVColorRange` of the frame as a number (read as a C int, as above).
    pub(crate) fn color_range(&self) -> c_int {
        // SAFETY: as in `colorspace`.
        unsafe { ptr::addr_of!((*self.ptr.as_ptr()).color_range).cast::<c_int>().read() }
    }

    /// Whether the decoder flagged damage in this frame.
    pub(crate) fn is_corrupt(&self) -> bool {
        let f = self.get();
        f.flags & sys::AV_FRAME_FLAG_CORRUPT != 0 || f.decode_error_flags != 0
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        let mut p = self.ptr.as_ptr();
        if let Some(f) = loaded() {
            // SAFETY: we own the frame; av_frame_free unrefs its buffers and frees it.
            unsafe { (f.av_frame_free)(&mut p) }
        }
    }
}

/// Geometry, formats and colour of one swscale conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScalerConfig {
    /// Source width.
    pub src_w: u32,
    /// Source height.
    pub src_h: u32,
    /// Source pixel format.
    pub src_fmt: PixFmt,
    /// Destination width.
    pub dst_w: u32,
    /// Destination height.
    pub dst_h: u32,
    /// Destination pixel format (single plane, packed).
    pub dst_fmt: PixFmt,
    /// SWS_* flags.
    pub flags: c_int,
    /// For YUV sources: the AVColorSpace matrix and whether samples are full range.
    pub yuv: Option<(c_int, bool)>,
    /// Slice threads (0 = one per core).
    pub threads: c_int,
}

/// A `SwsContext`, freed with `sws_freeContext`.
pub(crate) struct Scaler {
    ptr: NonNull<sys::SwsContext>,
    cfg: ScalerConfig,
}

// SAFETY: a SwsContext is not tied to a thread; all use goes through &mut self.
unsafe impl Send for Scaler {}

fn to_int(what: &'static str, v: u32) -> Result<c_int> {
    c_int::try_from(v).map_err(|_| Error::TooLarge { what, value: u64::from(v), limit: c_int::MAX as u64 })
}

/// Sets an integer AVOption on an object, turning failure into an error.
///
/// # Safety
/// `obj` must point to a valid AVClass-enabled FFmpeg object.
unsafe fn set_int_option(obj: *mut libc::c_void, name: &CStr, value: i64) -> Result<()> {
    let f = api()?;
    // SAFETY: caller guarantees `obj`; `name` is NUL-terminated.
    check("av_opt_set_int", unsafe { (f.av_opt_set_int)(obj, name.as_ptr(), value, 0) }).map(|_| ())
}

impl Scaler {
    /// Creates a conversion context.
    pub(crate) fn new(cfg: ScalerConfig) -> Result<Self> {
        let f = api()?;
        // SAFETY: plain queries on format enums.
        let (ok_in, ok_out) =
            unsafe { ((f.sws_isSupportedInput)(cfg.src_fmt), (f.sws_isSupportedOutput)(cfg.dst_fmt)) };
        if ok_in <= 0 {
            return Err(Error::UnsupportedPixelFormat(pix_fmt_name(cfg.src_fmt)));
        }
        if ok_out <= 0 {
            return Err(Error::UnsupportedPixelFormat(pix_fmt_name(cfg.dst_fmt)));
        }
        // SAFETY: returns NULL or a new, uninitialised context we own.
        let raw = unsafe { (f.sws_alloc_context)() };
        let mut scaler = Self { ptr: NonNull::new(raw).ok_or(Error::OutOfMemory("sws_alloc_context"))?, cfg };
        let obj = scaler.ptr.as_ptr().cast::<libc::c_void>();
        let opts: [(&CStr, i64); 8] = [
            (c"srcw", i64::from(to_int("width", cfg.src_w)?)),
            (c"srch", i64::from(to_int("height", cfg.src_h)?)),
            (c"src_format", cfg.src_fmt as i64),
            (c"dstw", i64::from(to_int("width", cfg.dst_w)?)),
            (c"dsth", i64::from(to_int("height", cfg.dst_h)?)),
            (c"dst_format", cfg.dst_fmt as i64),
            (c"sws_flags", i64::from(cfg.flags)),
            (c"threads", i64::from(cfg.threads)),
        ];
        for (name, value) in opts {
            // SAFETY: `obj` is our SwsContext, which carries an AVClass.
            unsafe { set_int_option(obj, name, value)? };
        }
        // SAFETY: the context is allocated and configured; NULL filters are allowed.
        check("sws_init_context", unsafe {
            (f.sws_init_context)(scaler.ptr.as_ptr(), ptr::null_mut(), ptr::null_mut())
        })?;
        if let Some((matrix, full_range)) = cfg.yuv {
            scaler.set_yuv_matrix(matrix, full_range)?;
        }
        Ok(scaler)
    }

    /// Sets the input matrix and range the way libavfilter's scale filter does (which the
    /// ffmpeg CLI uses): the same table for input and output (so YUV and gray outputs get
    /// no matrix conversion), the output range, brightness, contrast and saturation as
    /// swscale set them up.
    fn set_yuv_matrix(&mut self, matrix: c_int, full_range: bool) -> Result<()> {
        let f = api()?;
        let c = self.ptr.as_ptr();
        let (mut inv, mut table) = (ptr::null_mut::<c_int>(), ptr::null_mut::<c_int>());
        let (mut src_range, mut dst_range, mut brightness, mut contrast, mut saturation) = (0, 0, 0, 0, 0);
        // SAFETY: the context is initialised; every out pointer is a valid local.
        let rc = unsafe {
            (f.sws_getColorspaceDetails)(
                c,
                &mut inv,
                &mut src_range,
                &mut table,
                &mut dst_range,
                &mut brightness,
                &mut contrast,
                &mut saturation,
            )
        };
        check("sws_getColorspaceDetails", rc)?;
        // SAFETY: sws_getCoefficients returns a static table for any input; the context is
        // initialised. A negative answer is normal for YUV or gray outputs (the scale filter
        // ignores it too): the details are stored all the same.
        let rc = unsafe {
            let coefficients = (f.sws_getCoefficients)(matrix);
            (f.sws_setColorspaceDetails)(
                c,
                coefficients,
                c_int::from(full_range),
                coefficients,
                dst_range,
                brightness,
                contrast,
                saturation,
            )
        };
        tracing::trace!(matrix, full_range, rc, "colour details set");
        Ok(())
    }

    /// Switches the context to another YUV matrix and input range in place (swscale
    /// recomputes its tables, for every slice context), as libavfilter's scale filter does
    /// for each frame: the result is that of a new context built for `yuv`, without building
    /// one (and starting its slice threads).
    pub(crate) fn set_yuv(&mut self, yuv: (c_int, bool)) -> Result<()> {
        self.set_yuv_matrix(yuv.0, yuv.1)?;
        self.cfg.yuv = Some(yuv);
        Ok(())
    }

    /// The configuration this context was built for.
    pub(crate) fn config(&self) -> &ScalerConfig {
        &self.cfg
    }

    /// Converts `src` into `dst`, a packed single-plane buffer with rows `stride` bytes apart,
    /// using swscale's slice threads, and hands the buffer back.
    ///
    /// `src` must match the configured source size and format, and `dst` must hold
    /// `stride * dst_h` bytes; both are checked.
    pub(crate) fn scale(&mut self, src: &Frame, mut dst: Vec<u8>, stride: usize) -> Result<Vec<u8>> {
        let f = api()?;
        let c = self.cfg;
        let fmt = src.format().map(|f| strip_jpeg_range(f).0);
        if src.width() != c.src_w || src.height() != c.src_h || fmt != Some(c.src_fmt) {
            return Err(Error::InvalidArgument("frame does not match the conversion context".into()));
        }
        let needed =
            stride.checked_mul(c.dst_h as usize).ok_or(Error::InvalidArgument("output too large".into()))?;
        if dst.len() < needed {
            return Err(Error::InvalidArgument("output buffer too small".into()));
        }
        let stride_c =
            c_int::try_from(stride).map_err(|_| Error::InvalidArgument("output stride too large".into()))?;
        let (dst_w, dst_h) = (to_int("width", c.dst_w)?, to_int("height", c.dst_h)?);
        let out = Frame::new()?;
        // SAFETY: wraps `dst`'s heap block (valid for dst.len() bytes) in an AVBufferRef whose
        // free callback does nothing: the Vec keeps ownership. The buffer is only reachable
        // through `out` and, during sws_scale_frame, swscale's internal frame (see below).
        let buf = unsafe {
            (f.av_buffer_create)(dst.as_mut_ptr(), dst.len(), Some(keep_memory), ptr::null_mut(), 0)
        };
        if buf.is_null() {
            return Err(Error::OutOfMemory("av_buffer_create"));
        }
        let o = out.ptr.as_ptr();
        // SAFETY: `o` is our empty frame; it takes over the reference `buf` (unref'd by
        // av_frame_free in Frame's Drop) and describes `dst` as one plane of dst_h rows.
        unsafe {
            (*o).buf[0] = buf;
            (*o).data[0] = dst.as_mut_ptr();
            (*o).linesize[0] = stride_c;
            (*o).width = dst_w;
            (*o).height = dst_h;
            (*o).format = c.dst_fmt as c_int;
        }
        // SAFETY: the context was initialised for exactly this source size/format (checked
        // above), so swscale reads only inside `src`'s planes and writes `dst_h` rows of
        // `dst_w` packed pixels at `stride` into `dst` (size checked). sws_scale_frame refs both
        // frames for the call and unrefs them in sws_frame_end before returning.
        let rc = unsafe { (f.sws_scale_frame)(self.ptr.as_ptr(), o, src.ptr.as_ptr()) };
        // SAFETY: `buf` is still referenced by `out`, so it is valid to query.
        let lingering = unsafe { (f.av_buffer_get_ref_count)(buf) } != 1;
        drop(out);
        if lingering {
            // Something inside FFmpeg still points at the Vec's memory: never free it.
            std::mem::forget(dst);
            return Err(Error::InvalidArgument("swscale kept a reference to the output buffer".into()));
        }
        check("sws_scale_frame", rc)?;
        Ok(dst)
    }
}

/// Free callback for buffers that wrap memory owned by a Rust `Vec`: frees nothing.
unsafe extern "C" fn keep_memory(_opaque: *mut libc::c_void, _data: *mut u8) {}

impl Drop for Scaler {
    fn drop(&mut self) {
        if let Some(f) = loaded() {
            // SAFETY: we own the context; sws_freeContext frees it and its threads.
            unsafe { (f.sws_freeContext)(self.ptr.as_ptr()) }
        }
    }
}

/// The deprecated full-range `yuvj*` formats as their plain `yuv*` twins (same layout) and
/// whether the input was one; swscale warns about the former, and the range is set explicitly.
pub(crate) fn strip_jpeg_range(fmt: PixFmt) -> (PixFmt, bool) {
    match fmt {
        PixFmt::AV_PIX_FMT_YUVJ420P => (PixFmt::AV_PIX_FMT_YUV420P, true),
        PixFmt::AV_PIX_FMT_YUVJ422P => (PixFmt::AV_PIX_FMT_YUV422P, true),
        PixFmt::AV_PIX_FMT_YUVJ444P => (PixFmt::AV_PIX_FMT_YUV444P, true),
        PixFmt::AV_PIX_FMT_YUVJ440P => (PixFmt::AV_PIX_FMT_YUV440P, true),
        PixFmt::AV_PIX_FMT_YUVJ411P => (PixFmt::AV_PIX_FMT_YUV411P, true),
        other => (other, false),
    }
}

/// `SWS_*` flag values for the scale filters.
pub(crate) mod sws_flags {
    use super::sys;
    use std::os::raw::c_int;
    /// SWS_FAST_BILINEAR.
    pub(crate) const FAST_BILINEAR: c_int = sys::SWS_FAST_BILINEAR;
    /// SWS_BILINEAR.
    pub(crate) const BILINEAR: c_int = sys::SWS_BILINEAR;
    /// SWS_BICUBIC.
    pub(crate) const BICUBIC: c_int = sys::SWS_BICUBIC;
    /// SWS_AREA.
    pub(crate) const AREA: c_int = sys::SWS_AREA;
    /// SWS_LANCZOS.
    pub(crate) const LANCZOS: c_int = sys::SWS_LANCZOS;
    /// SWS_POINT.
    pub(crate) const POINT: c_int = sys::SWS_POINT;
    /// SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP: exact rounding, full chroma.
    pub(crate) const ACCURATE: c_int =
        sys::SWS_ACCURATE_RND | sys::SWS_FULL_CHR_H_INT | sys::SWS_FULL_CHR_H_INP;
}
