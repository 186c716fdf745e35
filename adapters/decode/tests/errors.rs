//! Bad input gives errors, never crashes, and leaves the decoder usable.

mod common;

use common::movie;
use lazyqt_decode::{CodecParams, ConvertOptions, Converter, Decoder, DecoderOptions, Error, Limits, Packet};

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
