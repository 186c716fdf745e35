//! Write a sparse movie with long 48 kHz stereo 24-bit PCM audio (one sample per audio
//! frame: 172.8 million samples for the default hour) beside one second of ProRes
//! video. Only the header and `moov` are written; the sample data is a hole of zeros
//! (the file parses but does not decode).
//!
//! ```text
//! make_pcm OUT.mov [--seconds S]
//! ```

#![forbid(unsafe_code)]

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::process::ExitCode;

use lazyqt_benches::pcm;

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut out, mut seconds) = (None, 3600u32);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => {
                let v = args.next().ok_or("--seconds needs a number")?;
                seconds = v
                    .parse()
                    .ok()
                    .filter(|&s| (1..=80_000).contains(&s))
                    .ok_or(format!("bad seconds {v:?}"))?;
            }
            _ if out.is_none() && !a.starts_with('-') => out = Some(a),
            _ => return Err(format!("unexpected argument {a:?}")),
        }
    }
    let out = out.ok_or("missing output file")?;
    let m = pcm::pcm_movie(seconds);
    let io = |e: std::io::Error| format!("{out}: {e}");
    let file = File::create(&out).map_err(io)?;
    file.set_len(m.file_len()).map_err(io)?;
    file.write_all_at(&m.head, 0).map_err(io)?;
    file.write_all_at(&m.moov, m.moov_offset).map_err(io)?;
    println!(
        "{out}: {} audio samples, {} bytes apparent, moov {} bytes",
        m.audio_samples,
        m.file_len(),
        m.moov.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("make_pcm: {e}\nusage: make_pcm OUT.mov [--seconds S]");
            ExitCode::from(2)
        }
    }
}
