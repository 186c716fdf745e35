//! Times decode, RGB conversion and PNG/JPEG encoding of one sample, each step separately.
//!
//! ```text
//! ffmpeg -i movie.mov -map 0:v:0 -c copy -frames:v 1 -f data frame.bin
//! [THREADS=n] [THREADING=slice|frame] \
//!   cargo run --release -p lazyqt-decode --example frame_timing -- apch 1920 1080 frame.bin [N]
//! ```

use std::io::Write;
use std::time::{Duration, Instant};

use lazyqt_decode::{
    encode, CodecParams, ConvertOptions, Converter, Decoder, DecoderOptions, EncodeOptions, Format, Packet,
    Threading,
};

/// CPU time of the whole process (all threads), from getrusage.
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct we pass; a zeroed rusage is a valid value.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Runs `f` once to warm up, then `n` times; returns (wall, CPU) per call and the last result.
fn time<T>(n: u32, mut f: impl FnMut() -> T) -> ((Duration, Duration), T) {
    let mut out = f();
    let (start, cpu) = (Instant::now(), cpu_time());
    for _ in 0..n {
        out = f();
    }
    ((start.elapsed() / n, (cpu_time() - cpu) / n), out)
}

fn ms((wall, cpu): (Duration, Duration)) -> String {
    format!("{:7.2} ms wall {:7.2} ms CPU", wall.as_secs_f64() * 1e3, cpu.as_secs_f64() * 1e3)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [fourcc, w, h, file, rest @ ..] = args.as_slice() else {
        return Err("usage: frame_timing FOURCC WIDTH HEIGHT PACKET_FILE [ITERATIONS]".into());
    };
    let fourcc: [u8; 4] = format!("{fourcc:<4}").as_bytes()[..4].try_into()?;
    let n: u32 = rest.first().map_or(Ok(50), |s| s.parse())?;
    let data = std::fs::read(file)?;
    let params = CodecParams::new(fourcc, w.parse()?, h.parse()?);
    let threading = match std::env::var("THREADING").as_deref() {
        Ok("slice") => Threading::Slice,
        Ok("frame") => Threading::Frame,
        _ => Threading::Auto,
    };
    let threads = std::env::var("THREADS").map_or(Ok(0), |s| s.parse())?;
    let opts = DecoderOptions { threads, threading, ..DecoderOptions::default() };
    let mut dec = Decoder::new(&params, &opts)?;
    let packet = Packet { data: &data, pts: 0, dts: 0, keyframe: true };
    let (t_dec, frame) = time(n, || dec.decode_one(packet));
    let frame = frame?;
    let mut conv = Converter::new();
    let (t_conv, image) = time(n, || conv.convert(&frame, &ConvertOptions::default()));
    let image = image?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} bytes, {} {}x{}",
        data.len(),
        frame.pixel_format_name(),
        frame.width(),
        frame.height()
    )?;
    writeln!(out, "decode   {}", ms(t_dec))?;
    writeln!(out, "to RGB8  {}", ms(t_conv))?;
    for (format, label) in [(Format::Png, "PNG"), (Format::Jpeg, "JPEG")] {
        let (t, file) = time(n.min(20), || encode(&image, format, &EncodeOptions::default()));
        writeln!(out, "{label:<8} {}, {} bytes", ms(t), file?.len())?;
    }
    Ok(())
}
