//! What scripts and the Python tests rely on, checked with curl as they use the server: the
//! JSON counters, a directory's index.html, files on disk streamed rather than read whole,
//! and HTTPS.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use lazyqt_testserver::{Content, TestServer, STATS_PATH};

/// `curl -sS [-k] ARGS URL`: the body, asserting success.
fn curl(args: &[&str], url: &str) -> Vec<u8> {
    let out = Command::new("curl").args(["-sS", "-k"]).args(args).arg(url).output().expect("run curl");
    assert!(out.status.success(), "curl {url}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn stats(server: &TestServer) -> String {
    String::from_utf8(curl(&[], &server.url(STATS_PATH))).unwrap()
}

#[test]
fn the_counters_are_json_and_do_not_count_themselves() {
    let body: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    let server = TestServer::serve_files([("f.bin", body.clone())]).unwrap();
    assert_eq!(curl(&["-r", "10-19"], &server.url("f.bin")), body[10..20]);
    assert_eq!(curl(&[], &server.url("f.bin")), body);
    let expected = "{\"requests\":2,\"ranged\":1,\"bytes_sent\":1010,\"connections\":3}\n";
    assert_eq!(stats(&server), expected);
    assert_eq!(stats(&server), expected.replace(":3}", ":4}"));
    assert_eq!(server.request_count(), 2);
}

#[test]
fn a_directorys_index_html_stands_for_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("day")).unwrap();
    std::fs::write(dir.path().join("day/index.html"), "<pre>listing</pre>").unwrap();
    std::fs::write(dir.path().join("day/a.mov"), "movie").unwrap();
    let server = TestServer::serve_dir(dir.path()).unwrap();
    assert_eq!(curl(&[], &server.url("day/")), b"<pre>listing</pre>");
    assert_eq!(curl(&[], &server.url("day/a.mov")), b"movie");
}

/// An open-ended range of an 8 GiB (sparse) file: the client reads 1 MiB and hangs up; the
/// server must have sent about that much, not have read the file whole first.
#[test]
fn files_on_disk_are_streamed_not_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let big = 8u64 << 30;
    std::fs::File::create(dir.path().join("big.mov")).unwrap().set_len(big).unwrap();
    let server = TestServer::serve_dir(dir.path()).unwrap();
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET /big.mov HTTP/1.1\r\nHost: x\r\nRange: bytes=0-\r\n\r\n").unwrap();
    let mut got = vec![0u8; 1 << 20];
    s.read_exact(&mut got).unwrap();
    let head =
        String::from_utf8_lossy(&got[..got.windows(4).position(|w| w == b"\r\n\r\n").unwrap()]).into_owned();
    assert!(head.starts_with("HTTP/1.1 206") && head.contains(&format!("Content-Length: {big}")), "{head}");
    drop(s);
    let deadline = Instant::now() + Duration::from_secs(10);
    let sent = loop {
        let sent = server.requests()[0].bytes_sent;
        if sent < big || Instant::now() > deadline {
            break sent;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(sent < 64 << 20, "{sent} bytes sent after the client hung up at 1 MiB");
}

/// A throwaway self-signed certificate and key (PEM) in `dir`, made with openssl.
fn self_signed(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
    (cert, key)
}

#[test]
fn https_serves_the_same_ranges_and_counters() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let www = dir.path().join("www");
    std::fs::create_dir(&www).unwrap();
    let body: Vec<u8> = (0..5000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(www.join("m.mov"), &body).unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let server = TestServer::start_tls(Content::Dir(www), addr, &cert, &key).unwrap();
    let url = server.url("m.mov");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert_eq!(curl(&["-r", "100-4099"], &url), body[100..4100]);
    assert_eq!(curl(&[], &url), body);
    assert!(stats(&server).starts_with("{\"requests\":2,\"ranged\":1,\"bytes_sent\":9000,"));
    // Plain HTTP to the HTTPS port is refused, not answered.
    let plain =
        Command::new("curl").args(["-sS", "--max-time", "5"]).arg(url.replace("https", "http")).output();
    assert!(!plain.unwrap().status.success());
    let bad = TestServer::start_tls(Content::Dir(dir.path().into()), addr, &key, &cert);
    assert!(bad.is_err(), "a key given as the certificate must be refused");
}
