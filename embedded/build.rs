//! Put the movie named by `LAZYQT_EMBEDDED_MOVIE` into the firmware's flash, keeping only
//! the bytes the core reads: every top-level atom header before `moov`, the whole `ftyp`,
//! and the whole `moov`. A 13 GB CamHD file becomes ~134 KB of flash; the `mdat` payload
//! is never stored (the firmware's reader fails loudly if anything asks for it).
//!
//! Writes `regions.rs` (the file length and one `Region` per stored byte run, adjacent runs
//! merged) and one `regionN.bin` per run into `OUT_DIR`, and puts `memory.x` where the
//! linker finds it.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lazyqt_core::atom::Children;
use lazyqt_core::fourcc::codes;
use lazyqt_core::ReadAt;

/// The movie file as the core reads it on the host.
struct HostFile {
    file: File,
    len: u64,
}

impl ReadAt for HostFile {
    type Error = std::io::Error;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), Self::Error> {
        self.file.read_exact_at(buf, offset)
    }

    fn len(&self) -> Result<u64, Self::Error> {
        Ok(self.len)
    }
}

/// Byte runs `(offset, len)` of `movie` that opening it and looking samples up read.
fn stored_runs(movie: &HostFile) -> Result<Vec<(u64, u64)>, String> {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    let mut top = Children::new(0, movie.len);
    while let Some(h) = top.next(movie) {
        let h = h.map_err(|e| e.to_string())?;
        let len =
            if h.kind == codes::FTYP || h.kind == codes::MOOV { h.size } else { u64::from(h.header_len) };
        match runs.last_mut() {
            Some((start, n)) if *start + *n == h.offset => *n += len,
            _ => runs.push((h.offset, len)),
        }
        if h.kind == codes::MOOV {
            return Ok(runs);
        }
    }
    Err("no moov atom".into())
}

fn generate(movie_path: &Path, out: &Path) -> Result<(), String> {
    let file = File::open(movie_path).map_err(|e| format!("{}: {e}", movie_path.display()))?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let movie = HostFile { file, len };
    let mut code = format!("/// Length of the movie file in bytes.\npub const FILE_LEN: u64 = {len};\n\n");
    let runs = stored_runs(&movie).map_err(|e| format!("{}: {e}", movie_path.display()))?;
    code += &format!(
        "/// The stored byte runs of the movie, in file order.\npub static REGIONS: [Region; {}] = [\n",
        runs.len()
    );
    for (i, &(offset, n)) in runs.iter().enumerate() {
        let mut bytes = vec![0; usize::try_from(n).map_err(|e| e.to_string())?];
        movie.read_exact_at(offset, &mut bytes).map_err(|e| format!("{}: {e}", movie_path.display()))?;
        let name = format!("region{i}.bin");
        std::fs::write(out.join(&name), &bytes).map_err(|e| e.to_string())?;
        code += &format!(
            "    Region {{ offset: {offset}, bytes: include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{name}\")) }},\n"
        );
    }
    code += "];\n";
    std::fs::write(out.join("regions.rs"), code).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-env-changed=LAZYQT_EMBEDDED_MOVIE");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::copy("memory.x", out.join("memory.x")) {
        eprintln!("copying memory.x: {e}");
        return ExitCode::FAILURE;
    }
    println!("cargo:rustc-link-search={}", out.display());
    let Some(movie) = std::env::var_os("LAZYQT_EMBEDDED_MOVIE") else {
        eprintln!("set LAZYQT_EMBEDDED_MOVIE to the movie to put in flash (embedded/run.sh makes one)");
        return ExitCode::FAILURE;
    };
    let movie = PathBuf::from(movie);
    println!("cargo:rerun-if-changed={}", movie.display());
    match generate(&movie, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
