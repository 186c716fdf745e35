//! Measure what a cold frame costs over HTTP before decoding: open the URL, find the
//! movie's tables, look frame N up and fetch its bytes, as `lazyqt frame` does. Prints
//! one JSON line: requests, bytes, wall time and the frame's size. Run by
//! `benches/e2e/cold_tail.sh`.
//!
//! ```text
//! cold_frame URL N [--open-tail BYTES] [--cache-dir DIR]
//! ```
//!
//! Without `--cache-dir` no disk cache is used (every run is cold, no tail hint); with
//! it, the directory's tail hint applies as it does for the CLI.

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Instant;

use lazyqt_core::Movie;
use lazyqt_io::{HttpSource, Source, SourceOptions};

fn run() -> Result<String, String> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: cold_frame URL N [--open-tail BYTES] [--cache-dir DIR]")?;
    let n: u32 = args.next().and_then(|v| v.parse().ok()).ok_or("N must be a frame number")?;
    let mut opts = SourceOptions::default();
    opts.cache.no_disk = true;
    while let Some(a) = args.next() {
        let v = args.next().ok_or(format!("{a} needs a value"))?;
        match a.as_str() {
            "--open-tail" => {
                opts.http.open.open_tail = v.parse().map_err(|_| format!("bad byte count {v:?}"))?
            }
            "--cache-dir" => (opts.cache.dir, opts.cache.no_disk) = (Some(v.into()), false),
            _ => return Err(format!("unexpected argument {a:?}")),
        }
    }
    let start = Instant::now();
    let src = HttpSource::open(&url, &opts).map_err(|e| e.to_string())?;
    let movie = Movie::open(&src).map_err(|e| e.to_string())?;
    let track = movie.video_track().ok_or("no video track")?;
    let s = track.frame(&src, n).map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; s.size as usize];
    lazyqt_core::ReadAt::read_exact_at(&src, s.offset, &mut buf).map_err(|e| e.to_string())?;
    let wall = start.elapsed();
    let st = src.stats();
    Ok(format!(
        "{{\"requests\":{},\"bytes\":{},\"wall_ms\":{:.1},\"frame_bytes\":{}}}",
        st.requests,
        st.bytes_fetched,
        wall.as_secs_f64() * 1000.0,
        s.size
    ))
}

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cold_frame: {e}");
            ExitCode::FAILURE
        }
    }
}
