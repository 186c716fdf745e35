//! The real Python client `pycamhd-lazycache` from PyPI against the server, unchanged.
//!
//! The venv is built once in the system temp dir and reused while it still imports. If pip
//! cannot reach the registry the test is skipped with a loud message; any other failure fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::{TestServer, UP};

const SCRIPT: &str = r#"
import os
import numpy as np
from PIL import Image
import pycamhd.lazycache as camhd

base = os.environ["LAZYQT_BASE"]
local = base + "/local"
movie = "/sub/m.mov"

md = camhd.get_metadata(local + movie)
assert md["NumFrames"] == 100, md
assert md["Duration"] == 10.0, md
assert md["URL"] == movie, md  # the path below the mount, as go-lazycache wrote it

img = camhd.get_frame(local + movie, 5)
assert isinstance(img, np.ndarray), type(img)
assert img.shape[0] == 48 and img.shape[1] == 64, img.shape
assert img[0, 0, 0] == 4, img[0, 0]

for fmt in ["png", "jpeg", "jpg"]:
    im = camhd.get_frame(local + movie, 5, format=fmt)
    assert isinstance(im, Image.Image), fmt
    assert im.format == ("JPEG" if fmt == "jpg" else fmt.upper()), (fmt, im.format)
    assert im.size == (64, 48), im.size

assert camhd.get_frame(local + movie, 101) is None
assert camhd.get_metadata(local + "/sub/missing.mov") is None

# The object-oriented API with the predecessor's CamHD mount and file layout.
r = camhd.lazycache(base + os.environ["LAZYQT_UP"])
f = "/RS03ASHS/PN03B/06-CAMHDA301/2016/11/13/CAMHDA301-20161113T000000Z.mov"
assert r.get_metadata(f)["NumFrames"] == 100
assert r.get_metadata(f)["URL"] == f
assert r.get_frame(f, 100).shape[:2] == (48, 64)
d = r.get_dir("/2016/")
assert d["Files"] == ["CAMHDA301-20160101T000000Z.mov", "CAMHDA301-20160101T000000Z.mov.md5"], d

l = camhd.lazycache(local)
assert l.find("/sub") == ["/sub/m.mov", "/sub/slow.mov", "/sub/unsupported.mov"], l.find("/sub")
print("PYCAMHD-OK")
"#;

fn python_in(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

fn imports_ok(venv: &Path) -> bool {
    Command::new(python_in(venv))
        .args(["-c", "import pycamhd.lazycache, numpy, PIL, requests"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A venv with the client, or `None` (after a loud message) when PyPI is unreachable.
fn venv() -> Option<PathBuf> {
    let venv = std::env::temp_dir().join("lazyqt-server-pycamhd-venv");
    if imports_ok(&venv) {
        return Some(venv);
    }
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .output()
        .expect("python3 -m venv runs");
    assert!(made.status.success(), "venv: {}", String::from_utf8_lossy(&made.stderr));
    let pip = Command::new(venv.join("bin").join("pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--timeout",
            "30",
            "pycamhd-lazycache",
            "numpy",
            "pillow",
            "requests",
        ])
        .output()
        .expect("pip runs");
    if !pip.status.success() {
        let err = String::from_utf8_lossy(&pip.stderr);
        let offline = [
            "NewConnectionError",
            "Max retries exceeded",
            "Temporary failure in name resolution",
            "No matching distribution found",
            "Network is unreachable",
        ]
        .iter()
        .any(|m| err.contains(m));
        assert!(offline, "pip install failed:\n{err}");
        eprintln!(
            "\n{0}\n!!! SKIPPED: pip cannot reach PyPI; pycamhd-lazycache NOT tested !!!\n{err}\n{0}\n",
            "!".repeat(78)
        );
        return None;
    }
    assert!(imports_ok(&venv), "pycamhd-lazycache installed but does not import");
    Some(venv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pycamhd_lazycache_works_unchanged() {
    let Some(venv) = tokio::task::spawn_blocking(venv).await.expect("join") else {
        return;
    };
    let s = TestServer::start(|_| {}).await;
    let base = format!("http://{}", s.addr);
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new(python_in(&venv))
            .args(["-c", SCRIPT])
            .env("LAZYQT_BASE", &base)
            .env("LAZYQT_UP", UP)
            .output(),
    )
    .await
    .expect("python finishes within 120 s")
    .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("PYCAMHD-OK"),
        "client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // png/np share one decode, jpeg/jpg another (same key), plus the upstream movie.
    assert_eq!(s.backend.frames(), 3);
}
