//! Helpers of the archive's integration tests: the generated archive, ffprobe's view of
//! a movie, and nginx serving the archive with `autoindex on;`.

#![allow(dead_code)] // Each test binary uses its own part of the helpers.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lazyqt_io::SourceOptions;
use serde_json::Value;

pub use lazyqt_testkit::archive_dir;

/// Options for tests: short retries and timeouts, the disk cache in `cache_dir` (or none).
pub fn opts(cache_dir: Option<&Path>) -> SourceOptions {
    let mut opts = SourceOptions::default();
    opts.cache.dir = cache_dir.map(Path::to_path_buf);
    opts.cache.no_disk = cache_dir.is_none();
    opts.cache.ttl = None;
    opts.http.retry.backoff.base = Duration::from_millis(5);
    opts.http.retry.backoff.max = Duration::from_millis(50);
    opts.http.timeouts.deadline = Duration::from_secs(20);
    opts
}

/// What ffprobe says of a movie: (format duration text, video frames, codec tag).
pub fn ffprobe(path: &Path) -> (String, u64, String) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-of", "json"])
        .args(["-show_entries", "format=duration:stream=nb_frames,codec_tag_string"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe {}", path.display());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["streams"][0];
    (
        v["format"]["duration"].as_str().unwrap().to_string(),
        s["nb_frames"].as_str().unwrap().parse().unwrap(),
        s["codec_tag_string"].as_str().unwrap().to_string(),
    )
}

/// A temporary directory, emptied first.
pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lazyqt-archive-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// nginx serving a directory with `autoindex on;` on a free loopback port; stopped on drop.
pub struct Nginx {
    child: Child,
    /// Its base URL, with a trailing slash.
    pub url: String,
    dir: PathBuf,
}

impl Nginx {
    /// Serve `www`. nginx must be installed (scripts/install-deps.sh installs it): a
    /// missing nginx fails the test rather than skipping it.
    pub fn serve(www: &Path) -> Nginx {
        let bin = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .expect("nginx is not installed: run scripts/install-deps.sh (apt-get install nginx-light)");
        let dir = tempdir("nginx");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let p = |n: &str| dir.join(n).display().to_string();
        let conf = format!(
            "daemon off;\nmaster_process off;\npid {pid};\nerror_log {err} warn;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log {log};\n  client_body_temp_path {tmp}; proxy_temp_path {tmp};\n\
               fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};\n\
               server {{ listen 127.0.0.1:{port}; root {www}; autoindex on; }}\n}}\n",
            pid = p("nginx.pid"),
            err = p("error.log"),
            log = p("access.log"),
            tmp = dir.display(),
            www = www.display(),
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new(bin)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn nginx");
        let nginx = Nginx { child, url: format!("http://127.0.0.1:{port}/"), dir };
        let t0 = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t0.elapsed() < Duration::from_secs(5),
                "nginx did not start: {}",
                std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
