//! The core on a CamHD-layout movie (25,000 ProRes frames, 13 GB, moov at the end) held
//! in memory as head + moov: `Movie::open`, random `frame(n)`, a full forward walk, and
//! the H.264 long-GOP variant's `frame(n)` (composition offsets). Before each group the
//! reads and bytes that went through `ReadAt` are printed to stderr.
//!
//! `cargo bench -p lazyqt-benches --bench core` (about half a minute).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput};
use lazyqt_benches::camhd::{self, Camhd, LookupCosts, CAMHD_FRAMES};
use lazyqt_core::Movie;

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

fn bench_movie(cr: &mut Criterion, name: &str, m: &Camhd) {
    report(name, m, &camhd::lookup_costs(m, 10_000));
    let r = m.reader();
    let movie = Movie::open(&r).expect("opens");
    let t = movie.video_track().expect("video");
    let frames = camhd::random_frames(4096, t.frame_count());
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
