//! Decoded + converted frames equal the ffmpeg CLI's decode of the same frames. Both use
//! swscale with bicubic flags and the stream's matrix, so the bytes must be identical
//! (tolerance 0) unless stated otherwise. Colour matrices: `colour_matches_ffmpeg.rs`.

mod common;

use common::{max_abs_diff, movie, Movie};
use lazyqt_decode::{ConvertOptions, Converter, Decoder, DecoderOptions, PixelFormat};
use lazyqt_testkit::PRORES_MOVIES;

/// Decodes presentation frames `frames` of `m` with one reused decoder and compares them.
fn check_frames(m: &Movie, frames: &[usize], format: PixelFormat, ff_pix_fmt: &str) {
    let reference = m.ffmpeg_frames(ff_pix_fmt, &[]);
    let order = m.presentation();
    let (w, h) = (m.params.width as usize, m.params.height as usize);
    let frame_bytes = w * h * format.bytes_per_pixel();
    assert_eq!(reference.len(), order.len() * frame_bytes, "{}: ffmpeg frame count", m.path.display());
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open decoder");
    let mut conv = Converter::new();
    let opts = ConvertOptions { format, ..ConvertOptions::default() };
    for &n in frames {
        let i = order[n];
        let target = m.packets[i].pts;
        let frame = if dec.is_intra_only() {
            dec.decode_one(m.packet(i))
        } else {
            dec.decode_target(m.run_for(i), target)
        }
        .unwrap_or_else(|e| panic!("{} frame {n}: {e}", m.path.display()));
        assert_eq!(frame.pts(), target);
        let img = conv.convert(&frame, &opts).expect("convert");
        assert_eq!(img.shape(), (h, w, format.channels(), format.bytes_per_sample()));
        let want = &reference[n * frame_bytes..(n + 1) * frame_bytes];
        let diff = max_abs_diff(&img.data, want);
        assert_eq!(
            diff,
            0,
            "{} frame {n} ({}): max abs diff {diff}",
            m.path.display(),
            frame.pixel_format_name()
        );
    }
}

fn first_middle_last(m: &Movie) -> Vec<usize> {
    let n = m.presentation().len();
    vec![0, n / 2, n - 1]
}

#[test]
fn prores_all_profiles() {
    for name in PRORES_MOVIES {
        let m = movie(name);
        assert_eq!(&m.params.fourcc[..2], b"ap", "{name}");
        check_frames(&m, &first_middle_last(&m), PixelFormat::Rgb24, "rgb24");
    }
}

#[test]
fn prores_rgb16_keeps_the_extra_bits() {
    let m = movie("prores3.mov");
    let le = if cfg!(target_endian = "little") { "rgb48le" } else { "rgb48be" };
    check_frames(&m, &[0, 29], PixelFormat::Rgb48, le);
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open");
    let frame = dec.decode_one(m.packet(0)).expect("decode");
    let opts = ConvertOptions { format: PixelFormat::Rgb48, ..ConvertOptions::default() };
    let img = Converter::new().convert(&frame, &opts).expect("convert");
    // 8-bit data widened to 16 bits would be multiples of 257; 10-bit data is not.
    let not_8bit = img.data.chunks_exact(2).filter(|s| u16::from_ne_bytes([s[0], s[1]]) % 257 != 0).count();
    assert!(not_8bit > img.data.len() / 4, "only {not_8bit} samples carry more than 8 bits");
}

/// H.264 with B-frames: first, middle, last, and the frames right after each sync sample
/// (presentation order), decoded in an order that jumps back and forth.
fn check_long_gop(name: &str) {
    let m = movie(name);
    let order = m.presentation();
    let mut frames = first_middle_last(&m);
    for (n, &i) in order.iter().enumerate() {
        if m.packets[i].key {
            frames.extend([n, n + 1, n + 2].into_iter().filter(|&k| k < order.len()));
        }
    }
    frames.push(1);
    assert!(frames.len() > 6, "{name}: expected several sync samples");
    check_frames(&m, &frames, PixelFormat::Rgb24, "rgb24");
}

#[test]
fn h264_bframes_mov() {
    check_long_gop("h264_bframes.mov");
}

#[test]
fn h264_bframes_mp4() {
    check_long_gop("h264_bframes.mp4");
}

#[test]
fn h264_with_edit_list() {
    check_long_gop("h264_edit.mp4");
}

#[test]
fn hevc() {
    check_long_gop("hevc.mp4");
}

#[test]
fn mjpeg() {
    let m = movie("mjpeg.mov");
    check_frames(&m, &first_middle_last(&m), PixelFormat::Rgb24, "rgb24");
}

#[test]
fn every_prores_frame_in_sequence() {
    let m = movie("prores2.mov");
    let all: Vec<usize> = (0..m.presentation().len()).collect();
    check_frames(&m, &all, PixelFormat::Rgb24, "rgb24");
}

#[test]
fn scaled_output_matches_ffmpeg_scale_filter() {
    let m = movie("prores2.mov");
    let reference = m.ffmpeg_frames("rgb24", &["-vf", "scale=160:90"]);
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open");
    let frame = dec.decode_one(m.packet(7)).expect("decode");
    let opts = ConvertOptions { size: Some((160, 0)), ..ConvertOptions::default() };
    let img = Converter::new().convert(&frame, &opts).expect("convert");
    assert_eq!((img.width, img.height), (160, 90));
    let n = 160 * 90 * 3;
    assert_eq!(max_abs_diff(&img.data, &reference[7 * n..8 * n]), 0);
}

#[test]
fn gray_output_is_the_luma_plane() {
    let m = movie("prores2.mov");
    let reference = m.ffmpeg_frames("gray", &[]);
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open");
    let frame = dec.decode_one(m.packet(3)).expect("decode");
    let opts = ConvertOptions { format: PixelFormat::Gray, ..ConvertOptions::default() };
    let img = Converter::new().convert(&frame, &opts).expect("convert");
    let n = 320 * 180;
    // Both ask swscale for full-range gray from video-range luma: identical bytes.
    assert_eq!(max_abs_diff(&img.data, &reference[3 * n..4 * n]), 0);
}

/// A decoder and a converter prepared from the codec parameters before decoding (what a
/// remote caller does while the frame is in flight: picture buffers, swscale context, output
/// buffer) reuse what they prepared and still give ffmpeg's bytes, full size and scaled.
#[test]
fn prepared_decoder_and_converter_match_ffmpeg() {
    let m = movie("prores2.mov");
    let full = m.ffmpeg_frames("rgb24", &[]);
    let small = m.ffmpeg_frames("rgb24", &["-vf", "scale=160:90"]);
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open");
    dec.prepare().expect("prepare the decoder");
    for (opts, reference, n) in [
        (ConvertOptions::default(), &full, 320 * 180 * 3),
        (ConvertOptions { size: Some((160, 0)), ..ConvertOptions::default() }, &small, 160 * 90 * 3),
    ] {
        let mut conv = Converter::new();
        conv.prepare(&m.params, &opts).expect("prepare");
        let prepared = format!("{conv:?}");
        assert!(prepared.contains("cached: Some") && prepared.contains(&format!("spare: Some({})", n + 64)));
        let frame = dec.decode_one(m.packet(7)).expect("decode");
        let img = conv.convert(&frame, &opts).expect("convert");
        assert_eq!(max_abs_diff(&img.data, &reference[7 * n..8 * n]), 0);
        assert_eq!(img.data.len(), n);
        // The guess was right: the cached context is still the prepared one, the spare used.
        let after = format!("{conv:?}");
        let cached = |s: &str| s[..s.find(", spare").unwrap()].to_string();
        assert_eq!(cached(&after), cached(&prepared));
        assert!(after.contains("spare: None"));
    }
    // A codec whose pixel format the fourcc does not tell: nothing prepared, nothing wrong.
    let h264 = movie("h264_bframes.mp4");
    let mut conv = Converter::new();
    conv.prepare(&h264.params, &ConvertOptions::default()).expect("prepare");
    assert!(format!("{conv:?}").contains("cached: None"));
    let mut dec = Decoder::new(&h264.params, &DecoderOptions::default()).expect("open");
    dec.prepare().expect("prepare the decoder");
}

/// Every ProRes profile decodes to ffmpeg's bytes from a prepared decoder: the 4:2:2
/// profiles into the picture buffers it prepared, 4:4:4 (format not told by the fourcc)
/// with nothing prepared.
#[test]
fn prepared_decoders_of_every_prores_profile_match_ffmpeg() {
    for name in PRORES_MOVIES {
        let m = movie(name);
        let reference = m.ffmpeg_frames("rgb24", &[]);
        let n = m.params.width as usize * m.params.height as usize * 3;
        let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open");
        dec.prepare().expect("prepare the decoder");
        let frame = dec.decode_one(m.packet(0)).expect("decode");
        let img = Converter::new().convert(&frame, &ConvertOptions::default()).expect("convert");
        assert_eq!(max_abs_diff(&img.data, &reference[..n]), 0, "{name}");
    }
}
