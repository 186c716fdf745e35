//! Tail hints: how much of the end of a file the last open in the same directory of
//! the same origin needed, kept in the disk cache so the first request of the next
//! file there asks for enough tail to hold its `moov` (archive files of one camera
//! have near-equal `moov`s): the hint plus [`HINT_MARGIN`], never less than the
//! configured tail. A hint only sizes a request: a wrong one costs bytes or one more
//! request, never a wrong answer.
//!
//! One small file per directory in `<cache>/.hints/` (the dot keeps the cache's
//! eviction away from it), named by a hash of the key, holding a version line, the
//! key (checked, since names are hashes) and the tail length. Written by an atomic
//! rename; anything else read back (another version, another key, a length past
//! [`MAX_HINT`], a file of more than a few hundred bytes) is ignored.

use std::path::{Path, PathBuf};

use super::disk::fnv64;

/// First line of a hint file; files of another format are ignored.
const MAGIC: &str = "lazyqt tail hint 1";
/// Largest tail a hint may ask for (a `moov` this large is far past any camera's).
pub(crate) const MAX_HINT: u64 = 64 * 1024 * 1024;
/// Largest hint file read: a version line, a key (a URL without its file name) and a number.
const MAX_FILE: u64 = 8 * 1024;
/// Added to a hint: files of one camera differ by a few thousand samples, a few KB of
/// `moov`; 64 KiB covers that and keeps the first request within `moov` + 80 KiB.
const HINT_MARGIN: u64 = 64 * 1024;

/// The tail the first request asks for: `default`, or a `hint` (plus [`HINT_MARGIN`])
/// where that is more, bounded by `cap` (but never below `default`).
fn first_tail(default: u64, hint: Option<u64>, cap: u64) -> u64 {
    match hint {
        Some(h) if default > 0 => h.saturating_add(HINT_MARGIN).min(cap.max(default)).max(default),
        _ => default,
    }
}

/// The tail hint of one URL's directory in one disk cache: where it is kept, what it
/// said when the source opened, and the tail asked for without one.
#[derive(Debug, Clone)]
pub(crate) struct TailHint {
    path: PathBuf,
    key: String,
    found: Option<u64>,
    default: u64,
    cap: u64,
}

impl TailHint {
    /// The hint of `url`'s directory (scheme, host, port and path up to the last `/`;
    /// credentials, query and fragment left out) in the cache at `root`, read now, for
    /// a source whose first request asks for `default` bytes of tail and at most `cap`;
    /// `None` for a URL without a directory.
    pub fn for_url(root: &Path, url: &str, default: u64, cap: u64) -> Option<Self> {
        let parsed = url::Url::parse(url).ok()?;
        let host = parsed.host_str()?;
        let port = parsed.port_or_known_default()?;
        let path = parsed.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        let key = format!("{}://{host}:{port}{dir}", parsed.scheme());
        let path = root.join(".hints").join(format!("{:016x}", fnv64(&key)));
        let mut hint = Self { path, key, found: None, default, cap: cap.min(MAX_HINT) };
        hint.found = hint.read();
        Some(hint)
    }

    /// The tail the first request should ask for.
    pub fn open_tail(&self) -> u64 {
        first_tail(self.default, self.found, self.cap)
    }

    /// This open needed the last `needed` bytes: record that for the directory when it
    /// changes what the next open asks for (so a directory of small `moov`s writes
    /// nothing). Returns whether it wrote.
    pub fn record(&self, needed: u64) -> bool {
        let changes = first_tail(self.default, Some(needed), self.cap) != self.open_tail();
        if changes {
            self.write(needed);
        }
        changes
    }

    /// The tail length recorded for this directory, if a valid one is.
    fn read(&self) -> Option<u64> {
        if std::fs::metadata(&self.path).ok()?.len() > MAX_FILE {
            return None;
        }
        let text = std::fs::read_to_string(&self.path).ok()?;
        let mut lines = text.lines();
        if lines.next()? != MAGIC || lines.next()? != self.key {
            return None;
        }
        let tail: u64 = lines.next()?.parse().ok()?;
        (tail > 0 && tail <= MAX_HINT && lines.next().is_none()).then_some(tail)
    }

    /// Record `tail` for this directory (best effort: a cache that cannot be written
    /// only loses the hint).
    fn write(&self, tail: u64) {
        let Some(dir) = self.path.parent() else { return };
        let tmp = dir.join(format!(".tmp.{}.{}", std::process::id(), fastrand::u64(..)));
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&tmp, format!("{MAGIC}\n{}\n{}\n", self.key, tail.min(MAX_HINT))))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            tracing::debug!(error = %e, "tail hint not written");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_one_directory_share_a_hint_and_others_do_not() {
        let root = tempfile::tempdir().unwrap();
        let hint = |url: &str| TailHint::for_url(root.path(), url, 240 * 1024, 4 << 20).unwrap();
        let a = hint("http://u:p@h:8080/d/a.mov?x=1");
        assert_eq!(a.key, "http://h:8080/d/");
        assert_eq!(a.open_tail(), 240 * 1024);
        // A small moov changes nothing: nothing is written.
        assert!(!a.record(150_000));
        assert!(a.record(1_100_000));
        let b = hint("http://h:8080/d/b.mov");
        assert_eq!(b.open_tail(), 1_100_000 + HINT_MARGIN);
        assert_eq!(hint("http://h:8080/e/a.mov").open_tail(), 240 * 1024);
        // Bounded by the cap; a smaller need brings the default back.
        assert!(b.record(9 << 20));
        assert_eq!(hint("http://h:8080/d/c.mov").open_tail(), 4 << 20);
        assert!(b.record(2000));
        assert_eq!(hint("http://h:8080/d/c.mov").open_tail(), 240 * 1024);
    }

    #[test]
    fn damaged_or_foreign_hint_files_are_ignored() {
        let root = tempfile::tempdir().unwrap();
        let h = TailHint::for_url(root.path(), "https://h/d/a.mov", 1, 1).unwrap();
        h.write(5000);
        assert_eq!(h.read(), Some(5000));
        let write = |text: &str| std::fs::write(&h.path, text).unwrap();
        write(&format!("{MAGIC}\nhttps://elsewhere:443/d/\n5000\n"));
        assert_eq!(h.read(), None, "another key under the same hash");
        write(&format!("lazyqt tail hint 0\n{}\n5000\n", h.key));
        assert_eq!(h.read(), None, "another version");
        write(&format!("{MAGIC}\n{}\n{}\n", h.key, MAX_HINT + 1));
        assert_eq!(h.read(), None, "past the bound");
        write(&format!("{MAGIC}\n{}\n0\n", h.key));
        assert_eq!(h.read(), None, "zero");
        write(&format!("{MAGIC}\n{}\n12x\n", h.key));
        assert_eq!(h.read(), None, "not a number");
        write(&format!("{MAGIC}\n{}\n5000\n{}", h.key, "9".repeat(MAX_FILE as usize)));
        assert_eq!(h.read(), None, "too long");
    }
}
