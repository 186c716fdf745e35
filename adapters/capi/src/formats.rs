//! The image formats the C ABI encodes, described from lazyqt's one table
//! ([`lazyqt_media::decoding::IMAGE_FORMATS`]): what bindings (Python's `IMAGE_FORMATS`) list
//! instead of copying it.

use std::ffi::c_char;

use lazyqt_media::decoding::{FormatSpec, IMAGE_FORMATS};

use crate::error::{guard, Failure};
use crate::handle::write_out;
use crate::status::lazyqt_status;

/// One image format: its `lazyqt_image_format` code, names and default quality.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct lazyqt_image_format_desc {
    /// Its `lazyqt_image_format` value.
    pub code: u32,
    /// Its name, NUL-terminated ("png", "jpeg", ...).
    pub name: [c_char; 8],
    /// File extensions, space-separated, NUL-terminated; the first is the one lazyqt writes
    /// ("jpg jpeg").
    pub extensions: [c_char; 24],
    /// MIME type, NUL-terminated ("image/jpeg").
    pub mime_type: [c_char; 32],
    /// What a negative `quality` means: PNG's compression level, JPEG's quality; -1 for
    /// formats without one.
    pub default_quality: i32,
}

/// The formats C can ask for, in code order.
fn c_formats() -> impl Iterator<Item = (u32, &'static FormatSpec)> {
    IMAGE_FORMATS.iter().filter_map(|f| f.c_code.map(|c| (c, f)))
}

/// Copy `text` into `dst`, NUL-terminated; `None` when it does not fit.
fn copy_text(dst: &mut [c_char], text: &str) -> Option<()> {
    if text.len() >= dst.len() {
        return None;
    }
    for (d, b) in dst.iter_mut().zip(text.bytes()) {
        *d = b as c_char;
    }
    Some(())
}

impl lazyqt_image_format_desc {
    /// The description of `spec`, with C code `code`.
    fn of(code: u32, spec: &FormatSpec) -> Result<Self, Failure> {
        let mut out =
            Self { code, name: [0; 8], extensions: [0; 24], mime_type: [0; 32], default_quality: -1 };
        let too_long = || Failure::invalid(format!("the {} format's names do not fit", spec.name));
        copy_text(&mut out.name, spec.name).ok_or_else(too_long)?;
        copy_text(&mut out.extensions, &spec.extensions.join(" ")).ok_or_else(too_long)?;
        copy_text(&mut out.mime_type, spec.mime_type).ok_or_else(too_long)?;
        out.default_quality = spec.default_quality.map_or(-1, i32::from);
        Ok(out)
    }
}

/// How many image formats `lazyqt_get_image_format` describes.
#[no_mangle]
pub extern "C" fn lazyqt_image_format_count() -> usize {
    c_formats().count()
}

/// Fill `*out` with image format number `index` (0-based, below `lazyqt_image_format_count`,
/// in code order); `LAZYQT_ERR_OUT_OF_RANGE` past the last.
///
/// # Safety
/// `out` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn lazyqt_get_image_format(
    index: usize,
    out: *mut lazyqt_image_format_desc,
) -> lazyqt_status {
    guard(|| {
        let (code, spec) = c_formats().nth(index).ok_or_else(|| {
            Failure::new(
                lazyqt_status::LAZYQT_ERR_OUT_OF_RANGE,
                format!("image format {index} is out of range: there are {}", lazyqt_image_format_count()),
            )
        })?;
        let desc = lazyqt_image_format_desc::of(code, spec)?;
        // SAFETY: pointer validity is the caller's contract.
        unsafe { write_out(out, desc, "out") }
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;
    use crate::status::lazyqt_status::*;

    fn text(chars: &[c_char]) -> &str {
        // SAFETY: the arrays are NUL-terminated by `copy_text`.
        unsafe { CStr::from_ptr(chars.as_ptr()) }.to_str().expect("ASCII")
    }

    #[test]
    fn descriptions() {
        let n = lazyqt_image_format_count();
        let mut all = Vec::new();
        for i in 0..n {
            let mut d = std::mem::MaybeUninit::<lazyqt_image_format_desc>::uninit();
            // SAFETY: a writable struct.
            assert_eq!(unsafe { lazyqt_get_image_format(i, d.as_mut_ptr()) }, LAZYQT_OK);
            // SAFETY: written by the successful call.
            let d = unsafe { d.assume_init() };
            all.push((d.code, text(&d.name).to_owned(), text(&d.extensions).to_owned(), d.default_quality));
        }
        assert_eq!(all[1], (1, "jpeg".to_owned(), "jpg jpeg".to_owned(), 90));
        assert_eq!(all[0].3, 1, "PNG's default level");
        assert_eq!(all[3].1, "pgm");
        let mut d = std::mem::MaybeUninit::<lazyqt_image_format_desc>::uninit();
        // SAFETY: a writable struct; the index is past the end.
        assert_eq!(unsafe { lazyqt_get_image_format(n, d.as_mut_ptr()) }, LAZYQT_ERR_OUT_OF_RANGE);
        // SAFETY: NULL is checked.
        assert_eq!(unsafe { lazyqt_get_image_format(0, std::ptr::null_mut()) }, LAZYQT_ERR_NULL_POINTER);
    }
}
