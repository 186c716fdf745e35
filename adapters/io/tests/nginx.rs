//! HttpSource against a real nginx (Debian's package), started by the test with its
//! own config in a temp dir on a free loopback port. Skipped, loudly, when nginx is
//! not installed.

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::{info, opts, read};
use lazyqt_io::{HttpSource, ReadAt, Source, SourceError};
use lazyqt_testkit::generated as movie;

/// A running nginx serving `www/`; killed on drop.
struct Nginx {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Nginx {
    fn www(&self) -> PathBuf {
        self.dir.path().join("www")
    }

    fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}", self.port)
    }

    /// Lines of the access log: "METHOD URI STATUS BYTES RANGE IF-MATCH".
    fn access_log(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("access.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The access log once it has `n` lines (nginx writes a line after the answer is
    /// sent, so a client can have its bytes a moment before), or as it is after 5 s.
    fn access_log_of(&self, n: usize) -> Vec<String> {
        let t0 = Instant::now();
        loop {
            let log = self.access_log();
            if log.len() >= n || t0.elapsed() > Duration::from_secs(5) {
                return log;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Start nginx, or print a loud SKIP and return None if it is not installed.
fn start() -> Option<Nginx> {
    let Some(bin) = nginx_binary() else {
        eprintln!("\n!!!!!!!! SKIP: nginx is not installed (apt-get install nginx-light); nginx tests did not run !!!!!!!!\n");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).display().to_string();
    std::fs::create_dir(dir.path().join("www")).unwrap();
    std::fs::create_dir(dir.path().join("tmp")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {pid};\nerror_log {err} warn;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  log_format t '$request_method $uri $status $body_bytes_sent \"$http_range\" \"$http_if_match\" \"$http_if_range\"';\n\
           access_log {log} t;\n  client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};\n\
           uwsgi_temp_path {tmp}; scgi_temp_path {tmp};\n\
           server {{ listen 127.0.0.1:{port}; root {www}; autoindex on; }}\n}}\n",
        pid = p("nginx.pid"),
        err = p("error.log"),
        log = p("access.log"),
        tmp = p("tmp"),
        www = p("www"),
    );
    let conf_path = dir.path().join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let child = Command::new(bin)
        .arg("-c")
        .arg(&conf_path)
        .arg("-p")
        .arg(dir.path())
        .arg("-e")
        .arg(dir.path().join("error.log"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn nginx");
    let nginx = Nginx { child, port, dir };
    let t0 = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "nginx did not start: {}",
            std::fs::read_to_string(nginx.dir.path().join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(nginx)
}

fn put(www: &Path, name: &str, bytes: &[u8], mtime: SystemTime) {
    let path = www.join(name);
    std::fs::write(&path, bytes).unwrap();
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
}

#[test]
fn nginx_range_reads_and_if_match_after_a_change() {
    let Some(nginx) = start() else { return };
    let bytes = std::fs::read(movie("prores2.mov")).unwrap();
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    put(&nginx.www(), "m.mov", &bytes, t);
    let src = HttpSource::open(&nginx.url("m.mov"), &opts(None)).unwrap();
    assert_eq!(src.len().unwrap(), bytes.len() as u64);
    let moov = info(&src);
    assert!(src.stats().requests <= 3, "{:?}", src.stats());
    assert!(src.stats().bytes_fetched <= moov.size + 256 * 1024 + 512);
    assert_eq!(read(&src, 300_000, 40_000).unwrap(), bytes[300_000..340_000]);
    let log = nginx.access_log_of(src.stats().requests as usize);
    assert_eq!(log.len() as u64, src.stats().requests, "{log:#?}");
    assert!(log.iter().all(|l| l.contains(" 206 ")), "{log:#?}");
    assert!(log.iter().skip(1).all(|l| l.contains("\"\\x22")), "If-Match sent after open: {log:#?}");
    assert!(log.iter().all(|l| l.ends_with("\"-\"")), "never If-Range: {log:#?}");

    // The file changes on the server: nginx answers 412 to our If-Match.
    let changed: Vec<u8> = bytes.iter().map(|b| !b).collect();
    put(&nginx.www(), "m.mov", &changed, t + Duration::from_secs(60));
    let mut buf = vec![0u8; 40_000];
    let err = src.read_exact_at(400_000, &mut buf).unwrap_err();
    assert!(matches!(err, SourceError::ChangedUpstream { .. }), "{err}");
    assert!(buf.iter().all(|&b| b == 0));
    let log = nginx.access_log_of(src.stats().requests as usize);
    assert!(log.last().unwrap().contains(" 412 "), "{log:#?}");
}

#[test]
fn nginx_autoindex_lists_files_as_links() {
    let Some(nginx) = start() else { return };
    std::fs::create_dir(nginx.www().join("sub")).unwrap();
    put(&nginx.www(), "a.mov", b"x", SystemTime::now());
    let src = HttpSource::open(&nginx.url(""), &opts(None)).unwrap();
    let html = read(&src, 0, src.len().unwrap() as usize).unwrap();
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("<a href=\"a.mov\">a.mov</a>"), "{html}");
    assert!(html.contains("<a href=\"sub/\">sub/</a>"), "{html}");
}
