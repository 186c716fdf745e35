//! One module per subcommand.

pub mod frame;
pub mod frames;
pub mod image_args;
pub mod info;
pub mod samples;
pub mod serve;

use std::path::Path;

/// Write a file so readers never see it half-written: a temporary sibling, then a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
