//! FFmpeg's functions, resolved when first needed from the shared libraries of the FFmpeg
//! 5.1 this crate is compiled against (libavcodec.so.59, libavutil.so.57, libswscale.so.6),
//! rather than by the dynamic loader before `main`.
//!
//! Debian's libavcodec pulls in ~95 more libraries (every codec FFmpeg was built with); the
//! loader binding them took ~20 ms of every `lazyqt` run, before the first byte could be
//! asked of a server. Loaded here, [`preload`] spends that time on another thread while the
//! program waits for the network, and programs that never decode never pay it.
//!
//! The pointer types are written out below; a test coerces every FFmpeg declaration of
//! ffmpeg-sys-next to them, so a mismatch with the headers does not compile.

use std::os::raw::{c_char, c_int, c_void};
use std::sync::OnceLock;

use ffmpeg_sys_next::{
    AVBufferRef, AVCodec, AVCodecContext, AVCodecDescriptor, AVCodecID, AVDictionary, AVFrame, AVPacket,
    AVPixFmtDescriptor, AVPixelFormat, SwsContext, SwsFilter,
};

use crate::error::{Error, Result};

/// Declares [`Api`] (one pointer per function, grouped by the library defining it), its
/// loader, and the test that checks the pointer types against ffmpeg-sys-next.
macro_rules! ffmpeg_api {
    ($($lib:ident = $soname:literal { $(fn $name:ident($($ty:ty),*) $(-> $ret:ty)?;)* })*) => {
        /// The FFmpeg functions the wrappers in `ffi.rs` call, with the libraries that hold them.
        #[allow(non_snake_case)] // FFmpeg's own names (sws_freeContext, ...)
        pub(crate) struct Api {
            $($(pub(crate) $name: unsafe extern "C" fn($($ty),*) $(-> $ret)?,)*)*
            /// Kept open for as long as the pointers are used (the process: `API` is static).
            _libs: Vec<libloading::Library>,
        }

        impl Api {
            fn load() -> std::result::Result<Self, String> {
                $(
                    // SAFETY: loading FFmpeg's libraries runs their initialisers, which only set
                    // up internal tables and have no preconditions.
                    let $lib = unsafe { libloading::Library::new($soname) }
                        .map_err(|e| format!("cannot load {}: {e}", $soname))?;
                )*
                Ok(Api {
                    $($($name: {
                        // SAFETY: the symbol is FFmpeg's C function of this name, whose
                        // signature `signatures::match_the_headers` checks against the headers.
                        let f = unsafe {
                            $lib.get::<unsafe extern "C" fn($($ty),*) $(-> $ret)?>(
                                concat!(stringify!($name), "\0").as_bytes(),
                            )
                        }
                        .map_err(|e| format!("{}: {e}", stringify!($name)))?;
                        *f
                    },)*)*
                    _libs: vec![$($lib),*],
                })
            }
        }

        #[cfg(test)]
        mod signatures {
            use super::*;

            /// Each pointer type is the type of FFmpeg's declaration (else this does not compile).
            #[test]
            fn match_the_headers() {
                $($(let _: unsafe extern "C" fn($($ty),*) $(-> $ret)? = ffmpeg_sys_next::$name;)*)*
            }
        }
    };
}

ffmpeg_api! {
    avutil = "libavutil.so.57" {
        fn av_strerror(c_int, *mut c_char, usize) -> c_int;
        fn av_log_set_level(c_int);
        fn av_mallocz(usize) -> *mut c_void;
        fn av_opt_set_int(*mut c_void, *const c_char, i64, c_int) -> c_int;
        fn av_get_pix_fmt_name(AVPixelFormat) -> *const c_char;
        fn av_get_pix_fmt(*const c_char) -> AVPixelFormat;
        fn av_pix_fmt_desc_get(AVPixelFormat) -> *const AVPixFmtDescriptor;
        fn av_frame_alloc() -> *mut AVFrame;
        fn av_frame_free(*mut *mut AVFrame);
        fn av_frame_unref(*mut AVFrame);
        fn av_buffer_create(
            *mut u8,
            usize,
            Option<unsafe extern "C" fn(*mut c_void, *mut u8)>,
            *mut c_void,
            c_int
        ) -> *mut AVBufferRef;
        fn av_buffer_get_ref_count(*const AVBufferRef) -> c_int;
    }
    avcodec = "libavcodec.so.59" {
        fn avcodec_get_name(AVCodecID) -> *const c_char;
        fn avcodec_descriptor_get(AVCodecID) -> *const AVCodecDescriptor;
        fn avcodec_find_decoder(AVCodecID) -> *const AVCodec;
        fn avcodec_alloc_context3(*const AVCodec) -> *mut AVCodecContext;
        fn avcodec_open2(*mut AVCodecContext, *const AVCodec, *mut *mut AVDictionary) -> c_int;
        fn avcodec_send_packet(*mut AVCodecContext, *const AVPacket) -> c_int;
        fn avcodec_receive_frame(*mut AVCodecContext, *mut AVFrame) -> c_int;
        fn avcodec_flush_buffers(*mut AVCodecContext);
        fn avcodec_default_get_buffer2(*mut AVCodecContext, *mut AVFrame, c_int) -> c_int;
        fn avcodec_free_context(*mut *mut AVCodecContext);
        fn av_packet_alloc() -> *mut AVPacket;
        fn av_packet_unref(*mut AVPacket);
        fn av_new_packet(*mut AVPacket, c_int) -> c_int;
        fn av_packet_free(*mut *mut AVPacket);
    }
    swscale = "libswscale.so.6" {
        fn sws_isSupportedInput(AVPixelFormat) -> c_int;
        fn sws_isSupportedOutput(AVPixelFormat) -> c_int;
        fn sws_alloc_context() -> *mut SwsContext;
        fn sws_init_context(*mut SwsContext, *mut SwsFilter, *mut SwsFilter) -> c_int;
        fn sws_getCoefficients(c_int) -> *const c_int;
        fn sws_getColorspaceDetails(
            *mut SwsContext,
            *mut *mut c_int,
            *mut c_int,
            *mut *mut c_int,
            *mut c_int,
            *mut c_int,
            *mut c_int,
            *mut c_int
        ) -> c_int;
        fn sws_setColorspaceDetails(
            *mut SwsContext,
            *const c_int,
            c_int,
            *const c_int,
            c_int,
            c_int,
            c_int,
            c_int
        ) -> c_int;
        fn sws_scale_frame(*mut SwsContext, *mut AVFrame, *const AVFrame) -> c_int;
        fn sws_freeContext(*mut SwsContext);
    }
}

/// The loaded functions, or why they could not be loaded (tried once per process).
static API: OnceLock<std::result::Result<Api, String>> = OnceLock::new();

/// FFmpeg's functions, loading the libraries on first use (other callers wait for it).
pub(crate) fn api() -> Result<&'static Api> {
    let loaded = API.get_or_init(|| {
        let t0 = std::time::Instant::now();
        let api = Api::load();
        tracing::debug!(ms = t0.elapsed().as_secs_f64() * 1e3, ok = api.is_ok(), "FFmpeg libraries loaded");
        api
    });
    loaded.as_ref().map_err(|e| Error::FfmpegUnavailable(e.clone()))
}

/// The functions if they are loaded already. Every FFmpeg object was made through [`api`],
/// so code holding one (its `Drop`, for one) always gets `Some`.
pub(crate) fn loaded() -> Option<&'static Api> {
    API.get().and_then(|r| r.as_ref().ok())
}

/// Load FFmpeg's libraries on a background thread now, so the first decode does not wait
/// for them: call it at start-up in programs that will decode after some I/O.
pub fn preload() {
    if API.get().is_none() {
        let spawned = std::thread::Builder::new().name("ffmpeg-load".into()).spawn(|| {
            let _ = api();
        });
        if let Err(e) = spawned {
            tracing::debug!(error = %e, "cannot start the FFmpeg loading thread; loading on first use");
        }
    }
}
