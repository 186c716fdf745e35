//! The checked-in include/lazyqt.h must be what cbindgen makes of the current sources, with
//! the format enums written from lazyqt's one format tables (so C's codes cannot drift from
//! them: there is no second list in Rust). `LAZYQT_UPDATE_HEADER=1` rewrites it instead (see
//! gen-header.sh).

use std::fmt::Write;
use std::path::Path;

use lazyqt_media::decoding::{PixelFormat, IMAGE_FORMATS, PIXEL_FORMATS};

#[test]
fn header_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("read cbindgen.toml");
    config.after_includes = Some(format_enums());
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let path = dir.join("include/lazyqt.h");
    if std::env::var_os("LAZYQT_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &fresh).expect("write include/lazyqt.h");
    }
    let checked_in = std::fs::read(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "include/lazyqt.h is stale: run adapters/capi/gen-header.sh and commit the result"
    );
    let text = String::from_utf8(fresh).expect("utf-8 header");
    for name in [
        "lazyqt_open",
        "lazyqt_decode_frame",
        "lazyqt_last_error_message",
        "LAZYQT_ERR_PANIC",
        "LAZYQT_PIXEL_GRAY16 = 4,",
        "LAZYQT_IMAGE_JPEG = 1,",
    ] {
        assert!(text.contains(name), "the header lacks {name}");
    }
}

/// `lazyqt_pixel_format` and `lazyqt_image_format` from `PIXEL_FORMATS` and `IMAGE_FORMATS`,
/// in cbindgen's form for a `#[repr(u32)]` enum: a sized enum in C++ and C23, `uint32_t`
/// before C23 (the functions take `uint32_t` and range-check it).
fn format_enums() -> String {
    let pixels = PIXEL_FORMATS.iter().map(|p| {
        // A pixel format's first alias is lazyqt's own name for it, the constant's name.
        let name = format!("LAZYQT_PIXEL_{}", p.aliases[0].to_uppercase());
        let bits = 8 * u32::from(p.bytes_per_sample);
        let components = match p.channels {
            1 => format!("Luma, {bits} bits"),
            3 => format!("R, G, B, {bits} bits each"),
            _ => format!("R, G, B, A, {bits} bits each, A = the maximum"),
        };
        (name, p.c_code, format!("{components} (FFmpeg's {}).", ffmpeg_name(p.name, bits)))
    });
    let images = IMAGE_FORMATS.iter().filter_map(|f| {
        let pixels = if f.pixels == PixelFormat::Gray { "8-bit luma" } else { "8-bit RGB" };
        let doc = format!("{} ({}), {pixels}.", f.label, f.mime_type);
        f.c_code.map(|code| (format!("LAZYQT_IMAGE_{}", f.label), code, doc))
    });
    let mut out = String::new();
    c_enum(
        &mut out,
        "lazyqt_pixel_format",
        "Pixel layouts of decoded pictures: packed rows, top row first, no padding. 16-bit layouts\n\
         hold native-endian `uint16_t` samples over the full 0..65535 range.",
        pixels,
    );
    c_enum(&mut out, "lazyqt_image_format", "Image file formats.", images);
    out.trim_end().to_owned()
}

/// FFmpeg's name of a format, a 16-bit one without this machine's endianness (`gray16le` →
/// `gray16, native-endian`), so the header is the same on every machine.
fn ffmpeg_name(name: &str, bits: u32) -> String {
    match name.strip_suffix("le").or_else(|| name.strip_suffix("be")) {
        Some(base) if bits == 16 => format!("{base}, native-endian"),
        _ => name.to_owned(),
    }
}

/// One C enum, documented, named `name`, with `(constant, code, doc)` variants.
fn c_enum(out: &mut String, name: &str, doc: &str, variants: impl Iterator<Item = (String, u32, String)>) {
    let doc = doc.lines().map(|l| format!(" * {}\n", l.trim())).collect::<String>();
    let _ = write!(
        out,
        "\n/**\n{doc} */\nenum {name}\n#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L\n  : uint32_t\n\
         #endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L\n {{\n"
    );
    for (constant, code, doc) in variants {
        let _ = writeln!(out, "  /** {doc} */\n  {constant} = {code},");
    }
    let _ = write!(
        out,
        "}};\n#ifndef __cplusplus\n#if __STDC_VERSION__ >= 202311L\ntypedef enum {name} {name};\n#else\n\
         typedef uint32_t {name};\n#endif // __STDC_VERSION__ >= 202311L\n#endif // __cplusplus\n"
    );
}
