//! The test server's own HTTP semantics, checked with raw requests over a socket.

use std::io::{Read, Write};
use std::net::TcpStream;

use std::time::{Duration, Instant};

use lazyqt_testserver::{Drip, Faults, TestServer, ValidatorMode};

/// Send one request with `Connection: close`; return (status, head, body).
fn get(server: &TestServer, path: &str, headers: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(server.addr()).unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").expect("head");
    let head = String::from_utf8(all[..split].to_vec()).unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head, all[split + 4..].to_vec())
}

/// Send one request and read what arrives within `wait` (the answer may never end).
fn get_within(server: &TestServer, path: &str, wait: Duration) -> Vec<u8> {
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nRange: bytes=0-99\r\n\r\n").as_bytes()).unwrap();
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        all.extend_from_slice(&buf[..n]);
    }
    all
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn body() -> Vec<u8> {
    (0..1000u32).map(|i| (i % 251) as u8).collect()
}

#[test]
fn ranges_are_answered_with_206_and_content_range() {
    let server = TestServer::serve_files([("a/f.bin", body())]).unwrap();
    let (st, head, b) = get(&server, "/a/f.bin", &[("Range", "bytes=10-19")]);
    assert_eq!(st, 206);
    assert_eq!(header(&head, "content-range"), Some("bytes 10-19/1000"));
    assert_eq!(b, body()[10..20]);
    let (st, head, b) = get(&server, "/a/f.bin", &[("Range", "bytes=-5")]);
    assert_eq!((st, header(&head, "content-range")), (206, Some("bytes 995-999/1000")));
    assert_eq!(b, body()[995..]);
    let (st, _, b) = get(&server, "/a/f.bin", &[("Range", "bytes=990-5000")]);
    assert_eq!((st, b.len()), (206, 10));
    let (st, head, _) = get(&server, "/a/f.bin", &[("Range", "bytes=1000-")]);
    assert_eq!((st, header(&head, "content-range")), (416, Some("bytes */1000")));
    let (st, _, b) = get(&server, "/a/f.bin", &[]);
    assert_eq!((st, b.len()), (200, 1000));
    assert_eq!(server.request_count(), 5);
    assert_eq!(server.bytes_sent(), 10 + 5 + 10 + 1000 + "range not satisfiable\n".len() as u64);
}

#[test]
fn if_match_and_if_unmodified_since_give_412_when_stale() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    let (_, head, _) = get(&server, "/f.bin", &[("Range", "bytes=0-0")]);
    let etag = header(&head, "etag").unwrap().to_string();
    let lm = header(&head, "last-modified").unwrap().to_string();
    assert_eq!(get(&server, "/f.bin", &[("If-Match", &etag), ("Range", "bytes=0-0")]).0, 206);
    assert_eq!(get(&server, "/f.bin", &[("If-Match", "\"other\"")]).0, 412);
    assert_eq!(get(&server, "/f.bin", &[("If-Match", &format!("W/{etag}"))]).0, 412);
    assert_eq!(get(&server, "/f.bin", &[("If-Unmodified-Since", &lm)]).0, 200);
    server.put_file("f.bin", body());
    assert_eq!(get(&server, "/f.bin", &[("If-Match", &etag)]).0, 412);
    assert_eq!(get(&server, "/f.bin", &[("If-Unmodified-Since", &lm)]).0, 412);
    let log = server.requests();
    assert_eq!(log[1].if_match.as_deref(), Some(etag.as_str()));
}

#[test]
fn if_range_with_a_stale_tag_sends_the_whole_file() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    let (st, _, b) = get(&server, "/f.bin", &[("Range", "bytes=0-9"), ("If-Range", "\"stale\"")]);
    assert_eq!((st, b.len()), (200, 1000));
    assert_eq!(server.requests()[0].if_range.as_deref(), Some("\"stale\""));
}

#[test]
fn validator_modes_control_the_headers() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    for (mode, etag, lm) in [
        (ValidatorMode::Strong, true, true),
        (ValidatorMode::WeakOnly, true, false),
        (ValidatorMode::LastModifiedOnly, false, true),
        (ValidatorMode::None, false, false),
    ] {
        server.set_faults(Faults { validator: mode, ..Faults::default() });
        let (_, head, _) = get(&server, "/f.bin", &[]);
        assert_eq!(header(&head, "etag").is_some(), etag, "{mode:?}");
        assert_eq!(header(&head, "last-modified").is_some(), lm, "{mode:?}");
        if mode == ValidatorMode::WeakOnly {
            assert!(header(&head, "etag").unwrap().starts_with("W/\""));
        }
    }
}

#[test]
fn change_after_k_requests_changes_bytes_and_etag() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    server.set_faults(Faults { change_after: Some(1), ..Faults::default() });
    let (_, h1, b1) = get(&server, "/f.bin", &[]);
    let (_, h2, b2) = get(&server, "/f.bin", &[]);
    assert_eq!(b1, body());
    assert_eq!(b2, body().iter().map(|b| !b).collect::<Vec<u8>>());
    assert_ne!(header(&h1, "etag"), header(&h2, "etag"));
}

#[test]
fn injected_failures_are_consumed_in_order() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    server.set_faults(Faults { fail_500: 1, fail_503: 1, retry_after_secs: 7, ..Faults::default() });
    assert_eq!(get(&server, "/f.bin", &[]).0, 500);
    let (st, head, _) = get(&server, "/f.bin", &[]);
    assert_eq!((st, header(&head, "retry-after")), (503, Some("7")));
    assert_eq!(get(&server, "/f.bin", &[]).0, 200);
}

#[test]
fn drop_mid_body_sends_half_and_closes() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    server.set_faults(Faults { drop_mid_body: 1, ..Faults::default() });
    let (st, head, b) = get(&server, "/f.bin", &[("Range", "bytes=0-99")]);
    assert_eq!((st, header(&head, "content-length")), (206, Some("100")));
    assert_eq!(b.len(), 50);
    assert_eq!(server.requests()[0].bytes_sent, 50);
}

#[test]
fn autoindex_lists_files_and_directories_apache_style() {
    let dir = std::env::temp_dir().join(format!("lazyqt-ts-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("2017/07")).unwrap();
    std::fs::write(dir.join("2017/a b.mov"), b"x").unwrap();
    let server = TestServer::serve_dir(&dir).unwrap();
    let (st, head, _) = get(&server, "/2017", &[]);
    assert_eq!((st, header(&head, "location")), (301, Some("/2017/")));
    let (st, _, html) = get(&server, "/2017/", &[]);
    let html = String::from_utf8(html).unwrap();
    assert_eq!(st, 200);
    assert!(html.contains("<a href=\"07/\">07/</a>"), "{html}");
    assert!(html.contains("<a href=\"a%20b.mov\">a b.mov</a>"), "{html}");
    assert_eq!(get(&server, "/../etc/passwd", &[]).0, 404);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn in_memory_files_get_an_autoindex_too() {
    let server = TestServer::serve_files([("d/x.mov", vec![1]), ("d/sub/y.mov", vec![2])]).unwrap();
    let (st, _, html) = get(&server, "/d/", &[]);
    let html = String::from_utf8(html).unwrap();
    assert_eq!(st, 200);
    assert!(
        html.contains("<a href=\"x.mov\">x.mov</a>") && html.contains("<a href=\"sub/\">sub/</a>"),
        "{html}"
    );
}

#[test]
fn the_binary_serves_a_directory_until_stdin_closes() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let dir = std::env::temp_dir().join(format!("lazyqt-ts-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("f.bin"), body()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lazyqt-testserver"))
        .arg(&dir)
        .args(["--exit-on-eof", "--gzip", "1", "--drip", "4/10"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("http://").unwrap().trim_end_matches('/').to_string();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /f.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 206"));
    let head = String::from_utf8_lossy(&answer);
    assert!(head.contains("Content-Encoding: gzip"), "the fault flags are applied: {head}");
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    // 10 bytes, gzipped in one stored block: 10 + 5 + 10 + 8.
    assert!(String::from_utf8_lossy(&out.stderr).contains("requests=1 bytes_sent=33"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gzip_sends_a_valid_gzip_body_with_the_range_unchanged() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    server.set_faults(Faults { gzip: 1, ..Faults::default() });
    let (st, head, b) = get(&server, "/f.bin", &[("Range", "bytes=10-109"), ("Accept-Encoding", "identity")]);
    assert_eq!(st, 206);
    assert_eq!(header(&head, "content-encoding"), Some("gzip"));
    assert_eq!(header(&head, "content-range"), Some("bytes 10-109/1000"));
    assert_eq!(header(&head, "content-length"), Some(b.len().to_string().as_str()));
    assert_eq!(server.requests()[0].accept_encoding.as_deref(), Some("identity"));
    // Any gzip decoder gets the range back.
    let mut gunzip = std::process::Command::new("gzip")
        .arg("-dc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip on PATH");
    gunzip.stdin.take().unwrap().write_all(&b).unwrap();
    let out = gunzip.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, body()[10..110]);
    // The counter is consumed: the next answer is plain.
    let (_, head, b) = get(&server, "/f.bin", &[("Range", "bytes=10-109")]);
    assert_eq!((header(&head, "content-encoding"), b.len()), (None, 100));
}

#[test]
fn drip_paces_the_body() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    server.set_faults(Faults {
        drip: Some(Drip { bytes: 2, every: Duration::from_millis(40) }),
        ..Faults::default()
    });
    let t0 = Instant::now();
    let (st, _, b) = get(&server, "/f.bin", &[("Range", "bytes=0-9")]);
    assert_eq!((st, b), (206, body()[..10].to_vec()));
    assert!(t0.elapsed() >= Duration::from_millis(200), "5 pauses of 40 ms, took {:?}", t0.elapsed());
}

#[test]
fn stall_before_headers_answers_nothing_then_recovers() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    server.set_faults(Faults { stall_before_headers: 1, ..Faults::default() });
    assert!(get_within(&server, "/f.bin", Duration::from_millis(300)).is_empty());
    assert_eq!(server.requests()[0].status, 0);
    let (st, _, b) = get(&server, "/f.bin", &[("Range", "bytes=0-9")]);
    assert_eq!((st, b.len()), (206, 10));
}

#[test]
fn stall_mid_body_sends_half_and_keeps_the_connection_open() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    server.set_faults(Faults { stall_mid_body: 1, ..Faults::default() });
    let t0 = Instant::now();
    let got = get_within(&server, "/f.bin", Duration::from_millis(300));
    assert!(t0.elapsed() >= Duration::from_millis(290), "the connection stayed open");
    let split = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&got[..split]).into_owned();
    assert_eq!(header(&head, "content-length"), Some("100"));
    assert_eq!(got[split + 4..], body()[..50]);
    assert_eq!(server.requests()[0].bytes_sent, 50);
}

#[test]
fn redirect_loop_never_repeats_a_url() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    server.set_faults(Faults { redirect_loop: true, ..Faults::default() });
    let (st, head, _) = get(&server, "/f.bin", &[]);
    assert_eq!((st, header(&head, "location")), (302, Some("/f.bin?hop=1")));
    let (_, head, _) = get(&server, "/f.bin?hop=41", &[]);
    assert_eq!(header(&head, "location"), Some("/f.bin?hop=42"));
}

#[test]
fn redirect_to_points_at_another_origin() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    server.set_faults(Faults { redirect_to: Some("http://127.0.0.1:9/".into()), ..Faults::default() });
    let (st, head, _) = get(&server, "/d/f.bin?x=1", &[]);
    assert_eq!((st, header(&head, "location")), (302, Some("http://127.0.0.1:9/d/f.bin?x=1")));
}

#[test]
fn unquoted_etag_is_a_bare_token_compared_as_sent() {
    let server = TestServer::serve_files([("f.bin", body())]).unwrap();
    server.set_faults(Faults { validator: ValidatorMode::Unquoted, ..Faults::default() });
    let (_, head, _) = get(&server, "/f.bin", &[("Range", "bytes=0-0")]);
    let etag = header(&head, "etag").unwrap().to_string();
    assert!(!etag.contains('"') && !etag.is_empty(), "{etag}");
    assert_eq!(header(&head, "last-modified"), None);
    assert_eq!(get(&server, "/f.bin", &[("If-Match", &etag), ("Range", "bytes=0-0")]).0, 206);
    server.put_file("f.bin", body());
    assert_eq!(get(&server, "/f.bin", &[("If-Match", &etag), ("Range", "bytes=0-0")]).0, 412);
}
