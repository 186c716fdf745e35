//! A stalled upstream under the real backend: the server's deadlines bound movie reads, the
//! client gets 504 in time, and the stalled upstream connection is closed soon after.

#[path = "common/running.rs"]
mod running;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lazyqt_server::{Mount, ServerConfig};
use lazyqt_testserver::TestServer;
use running::Running;

/// A TCP proxy in front of the test server that, once `stall` is set, stops forwarding what
/// clients send (so their requests are never answered) while keeping their connections open.
/// `open` counts client connections not yet closed.
struct StallProxy {
    addr: SocketAddr,
    stall: Arc<AtomicBool>,
    open: Arc<AtomicUsize>,
}

impl StallProxy {
    fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (stall, open) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
        let (s, o) = (stall.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (s, o) = (s.clone(), o.clone());
                o.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || {
                    relay(client, target, &s);
                    o.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Self { addr, stall, open }
    }

    fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
}

/// Copies client → upstream (dropping the bytes while `stall` is set) until the client closes;
/// upstream → client on another thread.
fn relay(mut client: TcpStream, target: SocketAddr, stall: &AtomicBool) {
    let Ok(mut upstream) = TcpStream::connect(target) else { return };
    let (Ok(mut back), Ok(mut to_client)) = (upstream.try_clone(), client.try_clone()) else { return };
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut back, &mut to_client);
        let _ = to_client.shutdown(Shutdown::Both);
    });
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = client.read(&mut buf) {
        if n == 0 {
            break;
        }
        if !stall.load(Ordering::SeqCst) && upstream.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = upstream.shutdown(Shutdown::Both);
}

/// Serves `/up` through a stall proxy with these timeouts, asks for `warm` (if any: a path
/// answered 200 before the stall), then stalls the upstream; returns the base URL, the proxy
/// and what must stay alive.
fn stalled(
    request_secs: u64,
    upstream_secs: u64,
    warm: Option<&str>,
) -> (String, StallProxy, TestServer, Running) {
    let upstream = lazyqt_testkit::serve_generated(&["prores2.mov"]);
    let proxy = StallProxy::start(upstream.addr());
    let mut config = ServerConfig {
        mounts: vec![Mount::parse(&format!("/up=http://{}/", proxy.addr)).unwrap()],
        ..ServerConfig::default()
    };
    config.timeouts.request_secs = request_secs;
    config.timeouts.upstream_secs = upstream_secs;
    let server = running::serve(config, 8);
    let base = server.base.clone();
    if let Some(warm) = warm {
        assert_eq!(get(&format!("{base}{warm}")), 200);
    }
    proxy.stall.store(true, Ordering::SeqCst);
    (base, proxy, upstream, server)
}

fn get(url: &str) -> u16 {
    let client = reqwest::blocking::Client::new();
    client.get(url).timeout(Duration::from_secs(60)).send().unwrap().status().as_u16()
}

/// Waits until the proxy holds no connection, returning how long that took.
fn until_closed(proxy: &StallProxy, bound: Duration) -> Duration {
    let t = Instant::now();
    while proxy.open() > 0 {
        assert!(t.elapsed() < bound, "{} upstream connection(s) still open after {bound:?}", proxy.open());
        std::thread::sleep(Duration::from_millis(20));
    }
    t.elapsed()
}

/// With `timeouts.upstream_secs = 2`: `path` (after `warm`, asked before the stall) of the
/// stalled upstream is 504 after about 2 s, its upstream connection closed with it.
fn answered_504_at_the_upstream_timeout(warm: Option<&str>, path: &str) {
    let (base, proxy, _up, _rt) = stalled(60, 2, warm);
    let t = Instant::now();
    assert_eq!(get(&format!("{base}{path}")), 504);
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(1500) && took < Duration::from_secs(6), "504 after {took:?}");
    until_closed(&proxy, Duration::from_secs(3));
}

/// `timeouts.upstream_secs = 2` (`serve --upstream-timeout 2`) bounds a frame read from an
/// upstream that stopped answering: 504 after about 2 s (not the io layer's own 20 s / 60 s).
#[test]
fn the_upstream_timeout_bounds_frame_reads() {
    answered_504_at_the_upstream_timeout(Some("/up/prores2.mov"), "/up/prores2.mov/frame/3");
}

/// The same upstream timeout bounds a directory listing of the stalled upstream: listings go
/// through the same HTTP options as movie reads.
#[test]
fn the_upstream_timeout_bounds_listings() {
    answered_504_at_the_upstream_timeout(None, "/up/");
}

/// A request deadline shorter than the upstream timeout caps the upstream reads too: the client
/// gets 504 at the request deadline, and no worker keeps its upstream connection afterwards.
#[test]
fn no_upstream_read_outlives_the_request_deadline() {
    let (base, proxy, _up, _rt) = stalled(2, 20, Some("/up/prores2.mov"));
    let t = Instant::now();
    assert_eq!(get(&format!("{base}/up/prores2.mov/frame/3")), 504);
    let took = t.elapsed();
    assert!(took < Duration::from_secs(4), "504 after {took:?}");
    let after = until_closed(&proxy, Duration::from_secs(4));
    assert!(t.elapsed() < Duration::from_secs(6), "connection held {after:?} after the 504");
}

/// A client that gives up while the upstream stalls: the read behind it ends at the upstream
/// deadline, not minutes later, and takes its connection with it.
#[test]
fn a_client_that_leaves_frees_the_upstream_by_the_deadline() {
    let (base, proxy, _up, _rt) = stalled(60, 2, Some("/up/prores2.mov"));
    let t = Instant::now();
    let client = reqwest::blocking::Client::new();
    let gone =
        client.get(format!("{base}/up/prores2.mov/frame/4")).timeout(Duration::from_millis(300)).send();
    assert!(gone.is_err(), "the client was answered before it left");
    until_closed(&proxy, Duration::from_secs(4));
    assert!(t.elapsed() < Duration::from_secs(4), "upstream connection held {:?}", t.elapsed());
}
