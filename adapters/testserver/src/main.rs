//! `lazyqt-testserver`: serve a directory on loopback with optional latency and faults,
//! for benchmark scripts. Prints the base URL, then serves until killed (or, with
//! `--exit-on-eof`, until standard input closes, then prints the request log summary).

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use lazyqt_testserver::{Content, Faults, TestServer};

/// Serve DIR over HTTP/1.1 with Range support on 127.0.0.1.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Directory to serve.
    dir: PathBuf,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Delay before each answer, in milliseconds (a simulated round trip).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer ranged GETs with 200 and the whole file.
    #[arg(long)]
    ignore_range: bool,
    /// Pause between 16 KiB body chunks, in milliseconds.
    #[arg(long)]
    slow_body_ms: Option<u64>,
    /// Stop when standard input closes, printing the request count and bytes sent.
    #[arg(long)]
    exit_on_eof: bool,
    /// With `--exit-on-eof`: also print every request.
    #[arg(long)]
    log: bool,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let server = TestServer::start(Content::Dir(args.dir), args.listen)?;
    server.set_faults(Faults {
        latency: Duration::from_millis(args.latency_ms),
        ignore_range: args.ignore_range,
        slow_body: args.slow_body_ms.map(Duration::from_millis),
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
