//! The C ABI of lazyqt: open a QuickTime movie from a path or an HTTP(S) URL, read its
//! metadata, look up frames, fetch their compressed bytes (or any bytes of the file), decode
//! them into caller buffers (one by one, or many through the fetch-ahead pipeline) and encode
//! them as images.
//!
//! Conventions: every fallible call returns a `lazyqt_status` (0 = `LAZYQT_OK`) and leaves a
//! message for `lazyqt_last_error_message()` on the calling thread. Pointers are checked for
//! NULL; enum arguments are plain integers checked against their range. No panic crosses the
//! boundary (it becomes `LAZYQT_ERR_PANIC`). Buffers follow one pattern: pass NULL and 0 to
//! learn the size, or a buffer and its capacity; a buffer too small gives
//! `LAZYQT_ERR_BUFFER_TOO_SMALL` with the size needed stored.
//!
//! Threads: every call taking a `const lazyqt_movie *` may run concurrently on the same handle
//! from many threads (decoding uses a pool of decoders). `lazyqt_close` must not run while
//! another call uses the handle.

// The exported types carry their C names (the header is generated from them).
#![allow(non_camel_case_types)]
// `unsafe` (and `#[no_mangle]`) only in the modules of exported functions, each allowed below;
// anything new is safe code unless it says otherwise.
#![deny(unsafe_code)]

#[allow(unsafe_code)]
mod archive;
#[allow(unsafe_code)]
mod batch;
#[allow(unsafe_code)]
mod buffer;
#[allow(unsafe_code)]
mod bytes;
/// Colour test movies and the ffmpeg CLI's reference frames (shared with other crates' tests).
#[cfg(test)]
#[path = "../../../testdata/colour.rs"]
mod colour;
#[allow(unsafe_code)]
mod decode;
#[allow(unsafe_code)]
mod encode;
#[allow(unsafe_code)]
mod error;
#[allow(unsafe_code)]
mod formats;
#[allow(unsafe_code)]
mod frames;
#[allow(unsafe_code)]
mod handle;
#[allow(unsafe_code)]
mod metadata;
#[allow(unsafe_code)]
mod pixels;
#[allow(unsafe_code)]
mod skipped;
#[allow(unsafe_code)]
mod status;

pub use archive::{lazyqt_archive_catalog_json, lazyqt_archive_locate_json, lazyqt_archive_plan_json};
pub use batch::{lazyqt_frames, lazyqt_frames_begin, lazyqt_frames_end, lazyqt_frames_next};
pub use buffer::lazyqt_buffer_free;
pub use bytes::{lazyqt_moov_location, lazyqt_read_bytes};
pub use decode::{lazyqt_decode_frame, lazyqt_frame_buffer_size, lazyqt_output_size};
pub use encode::{lazyqt_encode_frame, lazyqt_encode_frame_alloc, lazyqt_encode_frame_matrix_alloc};
pub use error::lazyqt_last_error_message;
pub use formats::{lazyqt_get_image_format, lazyqt_image_format_count, lazyqt_image_format_desc};
pub use frames::{lazyqt_frame_at_time, lazyqt_frame_desc, lazyqt_frame_info, lazyqt_raw_frame};
pub use handle::{lazyqt_close, lazyqt_default_open_options, lazyqt_movie, lazyqt_open, lazyqt_open_options};
pub use metadata::{lazyqt_get_info, lazyqt_info};
pub use pixels::{lazyqt_frame_pixels, lazyqt_pixels};
pub use skipped::{lazyqt_get_skipped_track, lazyqt_skipped_track, lazyqt_skipped_track_count};
pub use status::{lazyqt_status, lazyqt_status_str, lazyqt_version};
