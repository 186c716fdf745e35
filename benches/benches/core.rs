//! The core on a CamHD-layout movie (25,000 ProRes frames, 13 GB, moov at the end) held
//! in memory as head + moov: `Movie::open`, random `frame(n)`, a full forward walk, and
//! the H.264 long-GOP variant's `frame(n)` (composition offsets), each also through the
//! std side's run index (`frame_random_indexed`: what `lazyqt_media::Media` does). Before
//! each group the reads and bytes that went through `ReadAt` are printed to stderr.
//!
//! `cargo bench -p lazyqt-benches --bench core` (about half a minute).

#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput};
use lazyqt_benches::camhd::{self, Camhd, LookupCosts, CAMHD_FRAMES};
use lazyqt_benches::synth::Counting;
use lazyqt_core::{Movie, Track};
use lazyqt_media::RunIndex;

fn report(name: &str, m: &Camhd, c: &LookupCosts) {
    eprintln!(
        "{name}: moov {} B; open: {} reads, {} B | frame(n): {:.1} reads, {:.1} B avg, {} B max \
         | walk of {} samples: {} reads, {} B ({:.2} B/sample)",
        m.moov.len(),
        c.open.reads,
        c.open.bytes,
        c.frame_reads,
        c.frame_bytes,
        c.frame_bytes_max,
        m.layout.frames(),
        c.walk.reads,
        c.walk.bytes,
        c.walk.bytes as f64 / f64::from(m.layout.frames()),
    );
}

/// Print what building the run index and an indexed random `frame(n)` read.
fn report_indexed(name: &str, m: &Camhd, t: &Track, frames: &[u32]) -> RunIndex {
    let r = Counting::new(m.reader());
    let index = RunIndex::build(t, &r).expect("index");
    let build = r.take();
    let (mut bytes, mut reads) = (0u64, 0u64);
    for &n in frames {
        t.frame_with(&r, n, &index).expect("frame");
        let c = r.take();
        (bytes, reads) = (bytes + c.bytes, reads + c.reads);
    }
    let n = frames.len() as f64;
    eprintln!(
        "{name}: run index of {} runs built with {} reads, {} B | indexed frame(n): {:.1} reads, {:.1} B avg",
        index.runs(),
        build.reads,
        build.bytes,
        reads as f64 / n,
        bytes as f64 / n
    );
    index
}

fn bench_movie(cr: &mut Criterion, name: &str, m: &Camhd) {
    report(name, m, &camhd::lookup_costs(m, 10_000));
    let r = m.reader();
    let movie = Movie::open(&r).expect("opens");
    let t = movie.video_track().expect("video");
    let frames = camhd::random_frames(4096, t.frame_count());
    let index = report_indexed(name, m, t, &frames);
    let mut g = cr.benchmark_group(name);
    g.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(30);
    g.bench_function("open", |b| b.iter(|| Movie::open(black_box(&r)).expect("opens")));
    let mut i = 0;
    g.bench_function("frame_random", |b| {
        b.iter(|| {
            i = (i + 1) % frames.len();
            t.frame(&r, black_box(frames[i])).expect("frame")
        })
    });
    g.bench_function("frame_random_indexed", |b| {
        b.iter(|| {
            i = (i + 1) % frames.len();
            t.frame_with(&r, black_box(frames[i]), &index).expect("frame")
        })
    });
    g.bench_function("run_index_build", |b| b.iter(|| RunIndex::build(t, black_box(&r)).expect("index")));
    g.throughput(Throughput::Elements(u64::from(t.sample_count())));
    g.bench_function("walk_per_sample", |b| {
        b.iter_batched(
            || t.samples(&r).expect("cursor"),
            |mut c| {
                let mut sum = 0u64;
                while let Some(s) = c.next(&r) {
                    sum = sum.wrapping_add(s.expect("sample").offset);
                }
                sum
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn core(cr: &mut Criterion) {
    let prores = camhd::prores(&camhd::camhd_sizes(CAMHD_FRAMES));
    bench_movie(cr, "camhd_prores_25000", &prores);
    let h264 = camhd::h264(CAMHD_FRAMES);
    bench_movie(cr, "h264_long_gop_25000", &h264);
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    core(&mut c);
    c.final_summary();
}
