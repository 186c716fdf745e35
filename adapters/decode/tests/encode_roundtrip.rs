//! Encoded files read back (by the ffmpeg CLI, an independent reader) give the same pixels:
//! exactly for lossless formats, within a documented bound for JPEG.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use common::{max_abs_diff, movie};
use lazyqt_decode::{
    encode, ConvertOptions, Converter, Decoder, DecoderOptions, EncodeOptions, Format, Image, PixelFormat,
};

const FORMATS: [PixelFormat; 5] =
    [PixelFormat::Rgb24, PixelFormat::Rgba, PixelFormat::Rgb48, PixelFormat::Gray, PixelFormat::Gray16];

/// Frame 10 of the 12-bit ProRes 4444 clip in every pixel format (decoded once per binary).
fn frame(format: PixelFormat) -> Image {
    static IMAGES: OnceLock<Vec<Image>> = OnceLock::new();
    let images = IMAGES.get_or_init(|| {
        let m = movie("prores4.mov");
        let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open");
        let f = dec.decode_one(m.packet(10)).expect("decode");
        let mut conv = Converter::new();
        FORMATS
            .iter()
            .map(|&format| {
                let opts = ConvertOptions { format, ..ConvertOptions::default() };
                conv.convert(&f, &opts).expect("convert")
            })
            .collect()
    });
    let i = FORMATS.iter().position(|&f| f == format).expect("known format");
    images[i].clone()
}

/// Decodes an image file with ffmpeg into raw `pix_fmt` bytes.
fn ffmpeg_read(file: &[u8], pix_fmt: &str) -> Vec<u8> {
    let mut child = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i", "-", "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn ffmpeg");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = file.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().expect("ffmpeg output");
    writer.join().expect("writer thread").expect("write to ffmpeg");
    assert!(out.status.success(), "ffmpeg could not read the file");
    out.stdout
}

fn roundtrip(
    format: Format,
    pixels: PixelFormat,
    ff_pix_fmt: &str,
    opts: &EncodeOptions,
) -> (Image, Vec<u8>) {
    let img = frame(pixels);
    let file = encode(&img, format, opts).expect("encode");
    let back = ffmpeg_read(&file, ff_pix_fmt);
    (img, back)
}

#[test]
fn lossless_formats_roundtrip_exactly() {
    let le = cfg!(target_endian = "little");
    let cases = [
        (Format::Png, PixelFormat::Rgb24, "rgb24"),
        (Format::Png, PixelFormat::Rgba, "rgba"),
        (Format::Png, PixelFormat::Gray, "gray"),
        (Format::Png, PixelFormat::Rgb48, if le { "rgb48le" } else { "rgb48be" }),
        (Format::Png, PixelFormat::Gray16, if le { "gray16le" } else { "gray16be" }),
        (Format::Ppm, PixelFormat::Rgb24, "rgb24"),
        (Format::Ppm, PixelFormat::Rgb48, if le { "rgb48le" } else { "rgb48be" }),
        (Format::Pgm, PixelFormat::Gray, "gray"),
        (Format::Pgm, PixelFormat::Gray16, if le { "gray16le" } else { "gray16be" }),
        (Format::Bmp, PixelFormat::Rgb24, "rgb24"),
        (Format::Bmp, PixelFormat::Rgba, "rgba"),
    ];
    for (format, pixels, ff) in cases {
        for level in [0, 1, 6] {
            let opts = EncodeOptions { png_level: level, ..EncodeOptions::default() };
            let (img, back) = roundtrip(format, pixels, ff, &opts);
            assert_eq!(back, img.data, "{format:?} {pixels:?} level {level}");
        }
    }
}

#[test]
fn bmp_gray_is_expanded_to_rgb() {
    let (img, back) = roundtrip(Format::Bmp, PixelFormat::Gray, "gray", &EncodeOptions::default());
    assert_eq!(back, img.data);
}

#[test]
fn jpeg_is_close_and_quality_matters() {
    let mut sizes = Vec::new();
    for quality in [50, 95] {
        let opts = EncodeOptions { jpeg_quality: quality, ..EncodeOptions::default() };
        let img = frame(PixelFormat::Rgb24);
        let file = encode(&img, Format::Jpeg, &opts).expect("encode");
        assert_eq!(&file[..2], &[0xFF, 0xD8]);
        let back = ffmpeg_read(&file, "rgb24");
        let mean = back.iter().zip(&img.data).map(|(a, b)| u64::from(a.abs_diff(*b))).sum::<u64>()
            / img.data.len() as u64;
        // testsrc2 has sharp coloured edges: 4:2:0 JPEG at q50 stays within a mean error of 6.
        assert!(mean <= 6, "quality {quality}: mean abs diff {mean}");
        sizes.push(file.len());
    }
    assert!(sizes[1] > sizes[0], "higher quality must be larger: {sizes:?}");
    let raw = encode(&frame(PixelFormat::Rgb24), Format::Raw, &EncodeOptions::default()).expect("raw");
    assert_eq!(raw.len(), 320 * 180 * 3);
    let gray = encode(&frame(PixelFormat::Gray), Format::Jpeg, &EncodeOptions::default()).expect("gray");
    let back = ffmpeg_read(&gray, "gray");
    assert!(max_abs_diff(&back, &frame(PixelFormat::Gray).data) < 64);
}

#[test]
fn bad_jpeg_quality_is_an_error() {
    let opts = EncodeOptions { jpeg_quality: 0, ..EncodeOptions::default() };
    assert!(encode(&frame(PixelFormat::Rgb24), Format::Jpeg, &opts).is_err());
}
