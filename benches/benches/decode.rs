//! Decoding one 1080p ProRes 422 HQ frame: libavcodec alone, plus RGB conversion, plus
//! each encoder — every step measured in the same run so ratios are meaningful.
//!
//! The movie is made with the ffmpeg CLI on first run (testdata/generated/bench/).

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::Command;

use criterion::Criterion;
use lazyqt_io::SourceOptions;
use lazyqt_media::decoding::{
    encode, ConvertOptions, Converter, Decoder, DecoderOptions, EncodeOptions, Format, Packet, Threading,
};
use lazyqt_media::{codec_params, Media};

fn movie() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/generated/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("prores_hq_1080p_1s.mov");
    if !path.exists() {
        let tmp = dir.join(".prores_hq_1080p_1s.mov");
        let ok = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"])
            .arg("testsrc2=size=1920x1080:rate=30000/1001")
            .args(["-t", "1", "-c:v", "prores_ks", "-profile:v", "3", "-f", "mov"])
            .arg(&tmp)
            .status()
            .unwrap();
        assert!(ok.success(), "ffmpeg failed");
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

fn bench(c: &mut Criterion) {
    let path = movie();
    let media =
        Media::open(path.to_str().unwrap(), &SourceOptions { no_cache: true, ..Default::default() }).unwrap();
    let video = media.video().unwrap();
    let sample = media.frame_sample(15).unwrap();
    let bytes = media.read_sample(&sample).unwrap();
    let params = codec_params(&media, video).unwrap();
    let packet = Packet { data: &bytes, pts: sample.pts, dts: sample.dts, keyframe: true };
    let mut g = c.benchmark_group("prores_hq_1080p");
    g.sample_size(30);
    for (name, threading, threads) in
        [("1 thread", Threading::Slice, 1), ("slice threads", Threading::Auto, 0)]
    {
        let opts = DecoderOptions { threads, threading, ..DecoderOptions::default() };
        let mut dec = Decoder::new(&params, &opts).unwrap();
        g.bench_function(format!("decode ({name})"), |b| b.iter(|| dec.decode_one(packet).unwrap()));
        let mut conv = Converter::new();
        g.bench_function(format!("decode + rgb8 ({name})"), |b| {
            b.iter(|| conv.convert(&dec.decode_one(packet).unwrap(), &ConvertOptions::default()).unwrap())
        });
    }
    let mut dec = Decoder::new(&params, &DecoderOptions::default()).unwrap();
    let image =
        Converter::new().convert(&dec.decode_one(packet).unwrap(), &ConvertOptions::default()).unwrap();
    for (name, format, opts) in [
        ("png level 1", Format::Png, EncodeOptions::default()),
        ("png level 6", Format::Png, EncodeOptions { png_level: 6, ..EncodeOptions::default() }),
        ("jpeg q90", Format::Jpeg, EncodeOptions::default()),
        ("ppm", Format::Ppm, EncodeOptions::default()),
        ("raw", Format::Raw, EncodeOptions::default()),
    ] {
        g.bench_function(format!("encode {name}"), |b| b.iter(|| encode(&image, format, &opts).unwrap()));
    }
    g.bench_function("frame 15 end to end (read + decode + rgb8 + png)", |b| {
        b.iter(|| {
            media
                .encode_frame(15, Format::Png, &ConvertOptions::default(), &EncodeOptions::default())
                .unwrap()
        })
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
