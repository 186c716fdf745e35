//! A slow read says what is slow while it waits: a warning naming the URL (redacted),
//! the range and the bytes so far. Its own test binary, since it installs the
//! process-wide log subscriber (the warnings come from the I/O runtime's threads).

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{data, read, small_block_opts};
use lazyqt_io::{HttpSource, SourceError};
use lazyqt_testserver::{Drip, Faults, TestServer};

/// Log lines written by the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_slow_read_warns_with_the_redacted_url_and_the_bytes_so_far() {
    let captured = Captured::default();
    let sink = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();
    let server = TestServer::serve_files([("f.bin", data(1 << 20))]).unwrap();
    let url = server.url("f.bin").replacen("http://", "http://bob:pa55@", 1);
    let mut opts = small_block_opts();
    opts.http.timeouts.deadline = Duration::from_millis(1300);
    opts.http.timeouts.slow_warning = Duration::from_millis(400);
    opts.http.retry.max_retries = 0;
    let src = HttpSource::open(&url, &opts).unwrap();
    server.set_faults(Faults {
        drip: Some(Drip { bytes: 100, every: Duration::from_millis(100) }),
        ..Faults::default()
    });
    let err = read(&src, 100_000, 64_000).unwrap_err();
    assert!(matches!(err, SourceError::Timeout { .. }), "{err}");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let warnings: Vec<&str> =
        log.lines().filter(|l| l.contains("slow upstream: body still arriving")).collect();
    assert!(warnings.len() >= 2, "warned at 0.4 s, 0.8 s and 1.2 s: {log}");
    assert!(warnings[0].contains("url=http://***@127.0.0.1:"), "{log}");
    assert!(warnings[0].contains("range=bytes=100000-163999") && warnings[0].contains("of=64000"), "{log}");
    assert!(!log.contains("pa55") && !log.contains("bob"), "{log}");
}
