//! The HTTP source's two paths on loopback: a read served from the block cache (hit) and
//! a frame-sized read that goes out as one exact range request (miss).

#![forbid(unsafe_code)]

use criterion::{Criterion, Throughput};
use lazyqt_io::{HttpSource, ReadAt, SourceOptions};
use lazyqt_testserver::TestServer;

fn bench(c: &mut Criterion) {
    let file: Vec<u8> = (0..8u32 << 20).map(|i| (i % 251) as u8).collect();
    let server = TestServer::serve_files([("movie.mov", file)]).unwrap();
    let opts = SourceOptions { no_cache: true, ..SourceOptions::default() };
    let src = HttpSource::open(&server.url("movie.mov"), &opts).unwrap();
    let mut small = [0u8; 16];
    src.read_exact_at(100, &mut small).unwrap();
    let mut g = c.benchmark_group("http_source");
    g.sample_size(50);
    g.bench_function("hit: 16 bytes from a cached block", |b| {
        b.iter(|| src.read_exact_at(100, &mut small).unwrap())
    });
    let mut frame = vec![0u8; 560_000];
    g.throughput(Throughput::Bytes(frame.len() as u64));
    let mut at = 1u64 << 20;
    g.bench_function("miss: 560 KB exact range request on loopback", |b| {
        b.iter(|| {
            at = (at + 600_000) % (6 << 20) + (1 << 20);
            src.read_exact_at(at, &mut frame).unwrap()
        })
    });
    g.finish();
    let requests = server.request_count();
    eprintln!("http bench: {requests} requests to the test server");
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
