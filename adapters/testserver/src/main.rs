//! `lazyqt-testserver`: serve a directory on loopback with optional latency, faults and
//! HTTPS, for benchmark scripts and the Python tests. Prints the base URL, then serves until
//! killed (or, with `--exit-on-eof`, until standard input closes, then prints the request
//! log summary). The counters are also at `/.well-known/lazyqt-testserver/stats` (JSON).

#![forbid(unsafe_code)]

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use lazyqt_testserver::{Content, Drip, Faults, TestServer, ValidatorMode};

/// Serve DIR over HTTP/1.1 with Range support on 127.0.0.1.
///
/// Prints the base URL (`http://127.0.0.1:PORT/`) on the first line of standard output.
/// `GET /.well-known/lazyqt-testserver/stats` answers the counters as JSON:
/// {"requests":N,"ranged":N,"bytes_sent":N,"connections":N} (the stats request itself is not
/// counted). A directory's index.html stands for the directory; otherwise directories get
/// an autoindex page.
///
/// Exit status: 0 after --exit-on-eof, 1 if DIR cannot be served (bad address, TLS files),
/// 2 on bad arguments.
#[derive(Parser)]
#[command(version, about, long_about)]
struct Args {
    /// Directory to serve.
    dir: PathBuf,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Delay before each answer, in milliseconds (a simulated round trip).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Serve HTTPS with this certificate chain (PEM; needs --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Answer ranged GETs with 200 and the whole file.
    #[arg(long)]
    ignore_range: bool,
    /// Pause between 16 KiB body chunks, in milliseconds.
    #[arg(long)]
    slow_body_ms: Option<u64>,
    /// Send bodies BYTES at a time with a pause of MS milliseconds before each ("1/5000").
    #[arg(long, value_name = "BYTES/MS", value_parser = parse_drip)]
    drip: Option<Drip>,
    /// Gzip the next N single-range or whole answers (`Content-Encoding: gzip`).
    #[arg(long, value_name = "N", default_value_t = 0)]
    gzip: u32,
    /// Never answer the next N requests (hold their connections open).
    #[arg(long, value_name = "N", default_value_t = 0)]
    stall_before_headers: u32,
    /// Send half of the next N bodies, then nothing more (connection held open).
    #[arg(long, value_name = "N", default_value_t = 0)]
    stall_mid_body: u32,
    /// Answer every request with a redirect to itself plus `?hop=N+1`.
    #[arg(long)]
    redirect_loop: bool,
    /// Answer every request with a redirect to the same target on ORIGIN.
    #[arg(long, value_name = "ORIGIN")]
    redirect_to: Option<String>,
    /// Send a bare-token ETag (no quotes) and no Last-Modified.
    #[arg(long)]
    unquoted_etag: bool,
    /// Stop when standard input closes, printing the request count and bytes sent.
    #[arg(long)]
    exit_on_eof: bool,
    /// With `--exit-on-eof`: also print every request.
    #[arg(long)]
    log: bool,
}

/// `BYTES/MS`, e.g. `1/5000`.
fn parse_drip(s: &str) -> Result<Drip, String> {
    let bad = || format!("{s:?}: expected BYTES/MS, e.g. 1/5000");
    let (bytes, ms) = s.split_once('/').ok_or_else(bad)?;
    let bytes: usize = bytes.trim().parse().map_err(|_| bad())?;
    let ms: u64 = ms.trim().parse().map_err(|_| bad())?;
    Ok(Drip { bytes: bytes.max(1), every: Duration::from_millis(ms) })
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let content = Content::Dir(args.dir);
    let server = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => TestServer::start_tls(content, args.listen, cert, key)?,
        _ => TestServer::start(content, args.listen)?,
    };
    server.set_faults(Faults {
        latency: Duration::from_millis(args.latency_ms),
        ignore_range: args.ignore_range,
        slow_body: args.slow_body_ms.map(Duration::from_millis),
        drip: args.drip,
        gzip: args.gzip,
        stall_before_headers: args.stall_before_headers,
        stall_mid_body: args.stall_mid_body,
        redirect_loop: args.redirect_loop,
        redirect_to: args.redirect_to,
        validator: if args.unquoted_etag { ValidatorMode::Unquoted } else { ValidatorMode::Strong },
        ..Faults::default()
    });
    println!("{}", server.url(""));
    if !args.exit_on_eof {
        loop {
            std::thread::park();
        }
    }
    for line in std::io::stdin().lock().lines() {
        if line.is_err() {
            break;
        }
    }
    if args.log {
        for r in server.requests() {
            eprintln!(
                "{} {} range={:?} status={} bytes={}",
                r.method, r.path, r.range, r.status, r.bytes_sent
            );
        }
    }
    eprintln!("requests={} bytes_sent={}", server.request_count(), server.bytes_sent());
    Ok(())
}
