//! The colour rule: by default every frame equals the ffmpeg CLI's `-pix_fmt rgb24` (the
//! stream's matrix and range, BT.601 when untagged, whatever the size), byte for byte;
//! an explicit matrix equals `-vf scale=in_color_matrix=M`; other packed formats equal
//! `-pix_fmt FMT`.

mod common;

use common::{make_movie, max_abs_diff, probe, Movie};
use lazyqt_decode::{ColorMatrix, ConvertOptions, Converter, Decoder, DecoderOptions, PixelFormat};

/// Frames per generated movie.
const FRAMES: usize = 3;

/// A one-off movie of `FRAMES` frames of testsrc2 at `size`, encoded with `codec_args`
/// after the filters `vf` (if any), removed when dropped.
struct Temp(Movie);

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0.path);
    }
}

fn generate(name: &str, size: &str, vf: Option<&str>, codec_args: &[&str]) -> Temp {
    let src = format!("testsrc2=size={size}:rate=30000/1001");
    let frames = FRAMES.to_string();
    let mut args = vec!["-f", "lavfi", "-i", &src, "-frames:v", &frames];
    if let Some(vf) = vf {
        args.extend(["-vf", vf]);
    }
    args.extend(codec_args);
    Temp(make_movie(name, &args))
}

const PRORES: &[&str] = &["-c:v", "prores_ks", "-profile:v", "2"];
const H264: &[&str] = &["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];

/// Every frame of `m` converted with `opts`, concatenated (decode order = presentation order:
/// the movies here have no B-frames).
fn lazyqt_frames(m: &Movie, opts: &ConvertOptions) -> Vec<u8> {
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open decoder");
    let mut conv = Converter::new();
    let mut out = Vec::new();
    for i in m.presentation() {
        let frame = dec.decode_target(m.run_for(i), m.packets[i].pts).expect("decode");
        out.extend(conv.convert(&frame, opts).expect("convert").data);
    }
    out
}

fn with(matrix: ColorMatrix) -> ConvertOptions {
    ConvertOptions { matrix, ..ConvertOptions::default() }
}

/// lazyqt's default conversion equals the ffmpeg CLI's for every frame; returns the bytes.
fn assert_default_equals_ffmpeg(m: &Movie) -> Vec<u8> {
    let reference = m.ffmpeg_frames("rgb24", &[]);
    let (w, h) = (m.params.width as usize, m.params.height as usize);
    assert_eq!(reference.len(), FRAMES * w * h * 3, "{}: ffmpeg frame count", m.path.display());
    let ours = lazyqt_frames(m, &ConvertOptions::default());
    assert_eq!(max_abs_diff(&ours, &reference), 0, "{}: default conversion", m.path.display());
    ours
}

#[test]
fn untagged_movies_of_every_size_are_bt601_like_ffmpeg() {
    for (name, size, codec) in [
        ("untagged_1080.mov", "1920x1080", PRORES),
        ("untagged_720.mov", "1280x720", PRORES),
        ("untagged_sd.mov", "720x486", PRORES),
        ("untagged_h264_1080.mov", "1920x1080", H264),
    ] {
        let t = generate(name, size, None, codec);
        assert_eq!(probe(&t.0.path, "color_space"), "unknown", "{name} must be untagged");
        assert!(t.0.params.color.is_none(), "{name} has a colr atom");
        let ours = assert_default_equals_ffmpeg(&t.0);
        assert_eq!(ours, lazyqt_frames(&t.0, &with(ColorMatrix::Bt601)), "{name}: stream = bt601");
        // The matrix makes a visible difference, so the equality above means something.
        let bt709 = lazyqt_frames(&t.0, &with(ColorMatrix::Bt709));
        assert!(max_abs_diff(&ours, &bt709) > 10, "{name}: BT.709 looks the same");
        // `auto` keeps the old size guess: BT.709 from 1280x720 up.
        let auto = lazyqt_frames(&t.0, &with(ColorMatrix::Auto));
        assert_eq!(auto == bt709, size != "720x486", "{name}: auto");
    }
}

#[test]
fn explicit_matrices_equal_ffmpegs_in_color_matrix() {
    let t = generate("untagged_explicit.mov", "1920x1080", None, PRORES);
    for (matrix, ffmpeg_name) in
        [(ColorMatrix::Bt709, "bt709"), (ColorMatrix::Bt601, "bt601"), (ColorMatrix::Bt2020, "bt2020")]
    {
        let vf = format!("scale=in_color_matrix={ffmpeg_name}");
        let reference = t.0.ffmpeg_frames("rgb24", &["-vf", &vf]);
        assert_eq!(max_abs_diff(&lazyqt_frames(&t.0, &with(matrix)), &reference), 0, "{matrix}");
    }
}

#[test]
fn matrices_tagged_in_the_bitstream_are_used() {
    for (tag, size, codec) in [
        ("bt709", "1280x720", PRORES),
        ("smpte170m", "1280x720", PRORES),
        ("bt470bg", "640x360", PRORES),
        ("bt2020nc", "1920x1080", PRORES),
        ("bt709", "640x360", H264),
        ("bt2020nc", "640x360", H264),
    ] {
        let name = format!("tagged_{tag}_{size}_{}.mov", codec[1]);
        let t = generate(&name, size, Some(&format!("setparams=colorspace={tag}")), codec);
        assert_eq!(probe(&t.0.path, "color_space"), tag, "{name}");
        let ours = assert_default_equals_ffmpeg(&t.0);
        if tag != "smpte170m" && tag != "bt470bg" {
            let bt601 = lazyqt_frames(&t.0, &with(ColorMatrix::Bt601));
            assert!(max_abs_diff(&ours, &bt601) > 10, "{name}: the tag made no difference");
        }
    }
}

/// A `colr` atom tags the stream unless the bitstream says otherwise, as in FFmpeg: H.264
/// without colour in its VUI takes the atom's BT.709; ProRes always says (here
/// "unspecified"), so the same atom changes nothing: BT.601.
#[test]
fn colr_atom_counts_unless_the_bitstream_says() {
    for (name, codec, atom_wins) in [("colr_h264.mov", H264, true), ("colr_prores.mov", PRORES, false)] {
        let plain = generate(&format!("plain_{name}"), "640x360", None, codec);
        let tagged = Temp(make_movie(
            name,
            &["-i", plain.0.path.to_str().expect("utf-8"), "-c", "copy"]
                .into_iter()
                .chain(["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"])
                .collect::<Vec<_>>(),
        ));
        assert_eq!(tagged.0.params.color.map(|c| c.matrix), Some(1), "{name}: colr atom");
        let ours = assert_default_equals_ffmpeg(&tagged.0);
        let bt709 = lazyqt_frames(&tagged.0, &with(ColorMatrix::Bt709));
        assert_eq!(ours == bt709, atom_wins, "{name}");
    }
}

#[test]
fn full_range_tagged_h264() {
    let t = generate("full_range.mov", "640x360", Some("setparams=range=pc:colorspace=bt709"), H264);
    assert_eq!(probe(&t.0.path, "color_range"), "pc");
    assert_default_equals_ffmpeg(&t.0);
}

#[test]
fn packed_formats_by_name_equal_ffmpegs() {
    let untagged = generate("formats_untagged.mov", "640x360", None, PRORES);
    let tagged = generate("formats_709.mov", "640x360", Some("setparams=colorspace=bt709"), PRORES);
    for m in [&untagged.0, &tagged.0] {
        for name in [
            "bgr24", "rgba", "argb", "bgra", "abgr", "gray", "gray16be", "gray16le", "rgb48be", "bgr48le",
            "rgba64be",
        ] {
            let format = PixelFormat::from_name(name).expect(name);
            let reference = m.ffmpeg_frames(name, &[]);
            let ours = lazyqt_frames(m, &ConvertOptions { format, ..ConvertOptions::default() });
            assert_eq!(ours.len(), FRAMES * 640 * 360 * format.bytes_per_pixel(), "{name}");
            assert_eq!(max_abs_diff(&ours, &reference), 0, "{}: {name}", m.path.display());
        }
    }
}

#[test]
fn scaled_tagged_movie_equals_ffmpegs_scale_filter() {
    let t = generate("scaled_709.mov", "1280x720", Some("setparams=colorspace=bt709"), PRORES);
    let reference = t.0.ffmpeg_frames("rgb24", &["-vf", "scale=640:360"]);
    let ours = lazyqt_frames(&t.0, &ConvertOptions { size: Some((640, 0)), ..ConvertOptions::default() });
    assert_eq!(ours.len(), FRAMES * 640 * 360 * 3);
    assert_eq!(max_abs_diff(&ours, &reference), 0);
}

/// A converter prepared before the frame arrives guesses the `colr` atom's BT.709; a ProRes
/// frame's header overrides it (here "unspecified": BT.601). The prepared context is switched
/// to the frame's matrix, and every frame still equals ffmpeg's, as a fresh converter's does.
#[test]
fn prepared_guess_contradicted_by_the_frame_still_equals_ffmpeg() {
    let plain = generate("plain_guess_prores.mov", "640x360", None, PRORES);
    let tagged = Temp(make_movie(
        "guess_prores.mov",
        &["-i", plain.0.path.to_str().expect("utf-8"), "-c", "copy"]
            .into_iter()
            .chain(["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"])
            .collect::<Vec<_>>(),
    ));
    let m = &tagged.0;
    assert_eq!(m.params.color.map(|c| c.matrix), Some(1), "colr atom");
    let reference = m.ffmpeg_frames("rgb24", &[]);
    let opts = ConvertOptions::default();
    let mut dec = Decoder::new(&m.params, &DecoderOptions::default()).expect("open decoder");
    let mut conv = Converter::new();
    conv.prepare(&m.params, &opts).expect("prepare");
    assert!(format!("{conv:?}").contains("yuv: Some((1, false))"), "prepared for BT.709: {conv:?}");
    let n = 640 * 360 * 3;
    for (k, i) in m.presentation().into_iter().enumerate() {
        let frame = dec.decode_one(m.packet(i)).expect("decode");
        let img = conv.convert(&frame, &opts).expect("convert");
        assert_eq!(max_abs_diff(&img.data, &reference[k * n..(k + 1) * n]), 0, "frame {k}");
        assert!(format!("{conv:?}").contains("yuv: Some((5, false))"), "switched to BT.601: {conv:?}");
    }
    // And back: the same context asked for BT.709 gives the explicit matrix's bytes.
    let bt709 = with(ColorMatrix::Bt709);
    let frame = dec.decode_one(m.packet(0)).expect("decode");
    let img = conv.convert(&frame, &bt709).expect("convert");
    assert_eq!(img.data, lazyqt_frames(m, &bt709)[..n]);
}
