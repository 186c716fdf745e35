//! Write a CamHD-layout movie to disk: 64-bit `mdat`, `moov` at the end, one ProRes 422
//! 1920x1080 track at 29.97 fps, six frames per chunk, `co64`, no `stss`, ~560 KB a
//! frame. Every frame decodes: the payloads are real ProRes frames (made by ffmpeg from
//! `testsrc2`, or taken from `--source`), repeated cyclically.
//!
//! ```text
//! make_camhd OUT.mov [--frames N] [--source PRORES.mov] [--alias | --tables-only]
//! ```
//!
//! Each sample slot has CamHD's size (~560 KB); the real frame (~250 KB for `testsrc2`)
//! fills its start and the rest is a hole (FFmpeg's ProRes decoder ignores the padding).
//! The file is sparse but holds one real frame per sample: about 250 KB x N of disk
//! (6 GB for the default 25,000 frames; use `--frames`). With `--alias` every chunk
//! points at one stored copy of the source frames instead: the same 13 GB-looking file
//! and tables, a few megabytes of disk, but all samples share the same bytes. With
//! `--tables-only` only the head and the `moov` are written (CamHD's sizes, every sample
//! at its own offset) and the samples are a hole: no ffmpeg needed, nothing decodes; for
//! tools that read only the tables (the embedded example compares its lookups with it).

#![forbid(unsafe_code)]

use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use lazyqt_benches::camhd::{self, SAMPLES_PER_CHUNK};

/// Command line options.
struct Args {
    out: PathBuf,
    frames: u32,
    source: Option<PathBuf>,
    alias: bool,
    tables_only: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut out, mut frames, mut source) = (None, camhd::CAMHD_FRAMES, None);
    let (mut alias, mut tables_only) = (false, false);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--frames" => {
                let v = it.next().ok_or("--frames needs a number")?;
                frames = v.parse().map_err(|_| format!("bad frame count {v:?}"))?;
            }
            "--source" => source = Some(PathBuf::from(it.next().ok_or("--source needs a file")?)),
            "--alias" => alias = true,
            "--tables-only" => tables_only = true,
            "-h" | "--help" => return Err(String::new()),
            _ if out.is_none() && !a.starts_with('-') => out = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a:?}")),
        }
    }
    if frames == 0 {
        return Err("--frames must be at least 1".into());
    }
    if tables_only && (alias || source.is_some()) {
        return Err("--tables-only writes no samples: it takes neither --alias nor --source".into());
    }
    Ok(Args { out: out.ok_or("missing output file")?, frames, source, alias, tables_only })
}

/// Six ProRes 422 1920x1080 frames from `testsrc2`, made by ffmpeg in a temporary file.
fn generate_source() -> Result<Vec<u8>, String> {
    let tmp = std::env::temp_dir().join(format!("make_camhd-{}.mov", std::process::id()));
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .args(["testsrc2=size=1920x1080:rate=30000/1001", "-frames:v", "6"])
        .args(["-c:v", "prores_ks", "-profile:v", "2", "-f", "mov"])
        .arg(&tmp)
        .status()
        .map_err(|e| format!("running ffmpeg: {e}"))?;
    let bytes = std::fs::read(&tmp);
    let _ = std::fs::remove_file(&tmp);
    if !status.success() {
        return Err(format!("ffmpeg failed: {status}"));
    }
    bytes.map_err(|e| format!("reading ffmpeg's output: {e}"))
}

fn write(args: &Args, frames: &[Vec<u8>]) -> Result<(camhd::Camhd, File), String> {
    // Each sample's slot: CamHD's size, or the real frame's if that is bigger.
    let slot = |i: u32, target: u32| target.max(frames[i as usize % frames.len()].len() as u32);
    let targets = camhd::camhd_sizes(args.frames);
    let movie = if args.alias {
        // Every chunk shares one stored run of frames: sample i holds source frame i % 6.
        let period = SAMPLES_PER_CHUNK.min(args.frames);
        let sizes: Vec<u32> =
            (0..args.frames).map(|i| slot(i % period, targets[(i % period) as usize])).collect();
        let chunks = args.frames.div_ceil(SAMPLES_PER_CHUNK) as usize;
        let stored: u64 = sizes[..period as usize].iter().map(|&s| u64::from(s)).sum();
        let mdat_len = targets.iter().map(|&s| u64::from(s)).sum::<u64>().max(stored);
        camhd::prores_with_chunks(&sizes, vec![lazyqt_testkit::atoms::DATA_OFFSET; chunks], mdat_len)
    } else {
        let sizes: Vec<u32> = targets.iter().enumerate().map(|(i, &t)| slot(i as u32, t)).collect();
        camhd::prores(&sizes)
    };
    let file = create(args, &movie)?;
    let l = &movie.layout;
    let io = |e: std::io::Error| format!("{}: {e}", args.out.display());
    let stored = if args.alias { SAMPLES_PER_CHUNK.min(args.frames) } else { args.frames };
    for i in 0..stored {
        let frame = &frames[i as usize % frames.len()];
        file.write_all_at(frame, l.sample_offset(i)).map_err(io)?;
    }
    Ok((movie, file))
}

/// `args.out` at the movie's full length (a sparse file) holding its head and `moov`.
fn create(args: &Args, movie: &camhd::Camhd) -> Result<File, String> {
    let io = |e: std::io::Error| format!("{}: {e}", args.out.display());
    let file = File::create(&args.out).map_err(io)?;
    file.set_len(movie.layout.file_len).map_err(io)?;
    file.write_all_at(&movie.head, 0).map_err(io)?;
    file.write_all_at(&movie.moov, movie.layout.moov_offset).map_err(io)?;
    Ok(file)
}

fn run(args: &Args) -> Result<(), String> {
    let (movie, file, distinct) = if args.tables_only {
        let movie = camhd::prores(&camhd::camhd_sizes(args.frames));
        let file = create(args, &movie)?;
        (movie, file, 0)
    } else {
        let source = match &args.source {
            Some(p) => std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?,
            None => generate_source()?,
        };
        let frames = camhd::prores_frames(&source)?;
        let (movie, file) = write(args, &frames)?;
        (movie, file, frames.len())
    };
    let disk = file.metadata().map_err(|e| e.to_string())?.blocks() * 512;
    let l = &movie.layout;
    println!(
        "{}: {} frames ({} distinct ProRes frames{}), {} bytes apparent, {} bytes on disk, moov {} bytes at {}",
        args.out.display(),
        l.frames(),
        distinct,
        if args.alias {
            ", aliased"
        } else if args.tables_only {
            ": tables only, the samples are a hole"
        } else {
            ""
        },
        l.file_len,
        disk,
        movie.moov.len(),
        l.moov_offset,
    );
    Ok(())
}

fn main() -> ExitCode {
    match parse_args().and_then(|a| run(&a)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("make_camhd: {e}");
            }
            eprintln!(
                "usage: make_camhd OUT.mov [--frames N] [--source PRORES.mov] [--alias | --tables-only]"
            );
            ExitCode::from(2)
        }
    }
}
