//! Bad input gives errors, never crashes, and leaves the decoder usable.

mod common;

use common::movie;
use lazyqt_decode::{
    set_ffmpeg_log, CodecParams, ConvertOptions, Converter, DecodedFrame, Decoder, DecoderOptions, Error,
    FfmpegLog, Limits, Packet,
};

/// A small deterministic xorshift generator for garbage bytes.
fn garbage(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn decode_image(dec: &mut Decoder, p: Packet<'_>) -> Vec<u8> {
    let f = dec.decode_one(p).expect("decode good packet");
    Converter::new().convert(&f, &ConvertOptions::default()).expect("convert").data
}

/// A worker pool moves decoders, converters and frames between threads.
#[test]
fn decoder_converter_and_frames_move_between_threads() {
    let m = movie("prores1.mov");
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open");
    let mut conv = Converter::new();
    let here = decode_image(&mut dec, m.packet(4));
    let data = m.packet(4).data.to_vec();
    let (frame, dec): (DecodedFrame, Decoder) = std::thread::spawn(move || {
        let f = dec.decode_one(Packet { data: &data, pts: 0, dts: 0, keyframe: true }).expect("decode");
        (f, dec)
    })
    .join()
    .expect("worker");
    let there =
        std::thread::spawn(move || conv.convert(&frame, &ConvertOptions::default()).expect("convert").data)
            .join()
            .expect("worker");
    assert_eq!(here, there);
    assert_eq!(dec.codec_name(), "prores");
}

#[test]
fn stream_larger_than_the_pixel_limit_is_refused_by_the_decoder() {
    set_ffmpeg_log(FfmpegLog::Quiet);
    let m = movie("prores2.mov");
    // The sample entry claims a tiny picture; the bitstream says 320x180 > 10,000 pixels.
    let params = CodecParams::new(*b"apcn", 16, 16);
    let opts = DecoderOptions {
        limits: Limits { max_pixels: 10_000, ..Limits::default() },
        ..DecoderOptions::default()
    };
    let mut dec = Decoder::new(&params, &opts).expect("open");
    let r = dec.decode_one(m.packet(0));
    assert!(matches!(r, Err(Error::Ffmpeg { .. })), "{r:?}");
}

#[test]
fn unknown_fourcc_is_unsupported() {
    let e = Decoder::new(&CodecParams::new(*b"xyzw", 320, 180), &DecoderOptions::default());
    assert!(matches!(e, Err(Error::UnsupportedCodec { .. })), "{e:?}");
}

#[test]
fn absurd_sizes_are_refused_before_allocation() {
    for (w, h) in [(100_000, 100_000), (16_385, 16), (16_384, 16_384), (0, 10)] {
        let e = Decoder::new(&CodecParams::new(*b"apcn", w, h), &DecoderOptions::default());
        assert!(matches!(e, Err(Error::TooLarge { .. } | Error::InvalidArgument(_))), "{w}x{h}: {e:?}");
    }
}

#[test]
fn oversized_and_empty_packets_are_refused() {
    let m = movie("prores2.mov");
    let opts = DecoderOptions {
        limits: Limits { max_packet_bytes: 1000, ..Limits::default() },
        ..DecoderOptions::default()
    };
    let mut dec = Decoder::new(&m.params, &opts).expect("open");
    assert!(matches!(dec.decode_one(m.packet(0)), Err(Error::TooLarge { .. })));
    let empty = Packet { data: &[], pts: 0, dts: 0, keyframe: true };
    assert!(matches!(dec.decode_one(empty), Err(Error::InvalidArgument(_))));
}

#[test]
fn prores_truncated_and_garbage_packets_are_errors_and_decoder_recovers() {
    set_ffmpeg_log(FfmpegLog::Quiet);
    let m = movie("prores3.mov");
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open");
    let good = decode_image(&mut dec, m.packet(5));
    let p = m.packet(5);
    for cut in [1, 7, 8, 20, 100, p.data.len() / 2] {
        let r = dec.decode_one(Packet { data: &p.data[..cut], ..p });
        assert!(r.is_err(), "truncated to {cut} bytes decoded: {r:?}");
    }
    for seed in 1..20 {
        let junk = garbage(seed, 1 + (seed as usize * 997) % 5000);
        let r = dec.decode_one(Packet { data: &junk, ..p });
        assert!(r.is_err(), "garbage {seed} decoded: {r:?}");
    }
    assert_eq!(decode_image(&mut dec, m.packet(5)), good, "decoder state changed by bad packets");
}

#[test]
fn prores_bit_flips_never_crash() {
    set_ffmpeg_log(FfmpegLog::Quiet);
    let m = movie("prores2.mov");
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open");
    let p = m.packet(2);
    let mut outcomes = [0usize; 2];
    for seed in 0..200u64 {
        let mut data = p.data.to_vec();
        let noise = garbage(seed + 1, 8);
        for k in 0..4 {
            let at = u64::from_le_bytes([noise[k], noise[k + 4], 0, 0, 0, 0, 0, 0]) as usize % data.len();
            data[at] ^= 1 << (noise[k] % 8);
        }
        let r = dec.decode_one(Packet { data: &data, ..p });
        outcomes[usize::from(r.is_ok())] += 1;
        if let Ok(f) = r {
            Converter::new().convert(&f, &ConvertOptions::default()).expect("convert damaged frame");
        }
    }
    assert_eq!(outcomes.iter().sum::<usize>(), 200);
}

#[test]
fn h264_garbage_and_missing_target() {
    set_ffmpeg_log(FfmpegLog::Quiet);
    let m = movie("h264_bframes.mp4");
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open");
    let junk = garbage(7, 3000);
    let bad = Packet { data: &junk, pts: 0, dts: 0, keyframe: true };
    assert!(dec.decode_target([bad, bad], 0).is_err());
    // Only the sync sample: a later frame's pts never appears.
    let r = dec.decode_target([m.packet(0)], m.packets[5].pts);
    assert!(matches!(r, Err(Error::TargetNotFound { decoded: 1, .. })), "{r:?}");
    // Truncated sync sample: an error (damaged frame) rather than a picture.
    let p = m.packet(0);
    let r = dec.decode_target([Packet { data: &p.data[..p.data.len() / 3], ..p }], p.pts);
    assert!(r.is_err(), "{r:?}");
    // And the decoder still works.
    let f = dec.decode_target(m.run_for(3), m.packets[3].pts).expect("decode after errors");
    assert_eq!(f.pts(), m.packets[3].pts);
}

#[test]
fn garbage_extradata_is_an_error_not_a_crash() {
    set_ffmpeg_log(FfmpegLog::Quiet);
    for name in ["h264_bframes.mp4", "hevc.mp4"] {
        let m = movie(name);
        for seed in 1..6u64 {
            let mut params = m.params.clone();
            let mut junk = garbage(seed, 48);
            junk[0] = 1; // claims to be an avcC/hvcC record
            params.extradata = Some(junk);
            let outcome = Decoder::new(&params, &DecoderOptions::default())
                .and_then(|mut dec| dec.decode_target(m.run_for(0), m.packets[0].pts));
            assert!(outcome.is_err(), "{name} seed {seed}: decoded with garbage extradata");
        }
    }
}
