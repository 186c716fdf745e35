//! Writing image files. A regular file (or a new one) is replaced atomically: written to a
//! hidden temporary sibling `.NAME.PID.tmp`, then renamed, so readers never see half a
//! file and an interrupted run leaves at worst a temporary file that a resumed `frames`
//! run removes. Anything else is written *through*, never replaced: a FIFO's reader or a
//! device (`/dev/null`) gets the bytes. A symlink stays a symlink: what it points at is
//! written (atomically if that is a regular file), and a dangling link's target is created.

use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` as described in the module doc.
pub fn write_output(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => match fs::canonicalize(path) {
            Ok(target) => target,
            // A dangling link: opening through it creates its target.
            Err(_) => return write_through(path, bytes, true),
        },
        _ => path.to_path_buf(),
    };
    match fs::symlink_metadata(&target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => replace(&target, bytes),
        Err(e) => Err(e),
        Ok(m) if m.is_file() => replace(&target, bytes),
        Ok(_) => write_through(&target, bytes, false),
    }
}

/// Open `path` for writing (creating it if `create`) and write `bytes` into it.
fn write_through(path: &Path, bytes: &[u8], create: bool) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).create(create).truncate(create).open(path)?;
    f.write_all(bytes)?;
    f.flush()
}

/// Write a temporary sibling, then rename it over `path`; the temporary file is removed if
/// anything fails (a full disk, say).
fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_path(path);
    let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The temporary sibling this process writes `path` through: `.NAME.PID.tmp`.
fn temp_path(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or(OsStr::new("output")));
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

/// If `name` is a temporary file this program writes for a file named by `is_ours`
/// (`.NAME.PID.tmp`), the NAME and PID.
fn parse_temp_name(name: &str, is_ours: impl Fn(&str) -> bool) -> Option<(&str, u32)> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (target, pid) = inner.rsplit_once('.')?;
    let pid: u32 = pid.parse().ok().filter(|_| pid.bytes().all(|b| b.is_ascii_digit()))?;
    is_ours(target).then_some((target, pid))
}

/// Whether process `pid` may still be running (and writing its temporary file). Where
/// `/proc` is not available every process is taken as gone.
fn may_be_running(pid: u32) -> bool {
    pid == std::process::id()
        || (Path::new("/proc/self").exists() && Path::new("/proc").join(pid.to_string()).exists())
}

/// Remove the temporary files interrupted runs left in `dir` for the files `is_ours`
/// names, skipping those of processes still running. Returns how many were removed.
pub fn remove_leftovers(dir: &Path, is_ours: impl Fn(&str) -> bool) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some((_, pid)) = name.to_str().and_then(|n| parse_temp_name(n, &is_ours)) else { continue };
        if may_be_running(pid) || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        match fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_round_trip_and_only_ours_match() {
        let tmp = temp_path(Path::new("out/frame_000010.png"));
        let name = tmp.file_name().unwrap().to_str().unwrap();
        let frame = |n: &str| n.starts_with("frame_");
        assert_eq!(parse_temp_name(name, frame), Some(("frame_000010.png", std::process::id())));
        for other in
            [".notes.txt.12.tmp", ".frame_000010.png.12x.tmp", "frame_000010.png.12.tmp", ".frame_1.png.tmp"]
        {
            assert_eq!(
                parse_temp_name(other, |n| n.starts_with("frame_") && n.contains('.')),
                None,
                "{other}"
            );
        }
    }
}
