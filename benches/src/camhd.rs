//! Movies synthesized to CamHD's exact layout, without the 13 GB of picture data.
//!
//! `ftyp` (24 bytes, brand `qt  `), then `mdat` with a 64-bit size holding the samples,
//! then `moov` at the very end with one video track: timescale 30000, 1001 per frame,
//! six frames per chunk (a shorter last chunk), 64-bit chunk offsets (`co64`). The
//! ProRes variant is CamHD itself (`apcn` 1920x1080, every frame a sync frame, no
//! `stss`); the H.264 variant is a long-GOP stream with B-frames (`stss` + `ctts`).
//!
//! Only the head (`ftyp` + `mdat` header) and the `moov` are real bytes: [`SparseMovie`]
//! serves zeros for the sample data, and `make_camhd` writes the same layout to disk
//! as a sparse file.

use crate::synth::{Counting, Counts, SparseMovie};
use lazyqt_testkit::atoms::{self, TrakSpec, DATA_OFFSET, FTYP_LEN};

/// Track timescale: 30000 units per second.
pub const TIMESCALE: u32 = 30_000;
/// Duration of one frame: 1001 units (29.97 frames per second).
pub const FRAME_DURATION: u32 = 1001;
/// Frames per chunk (the last chunk holds the remainder).
pub const SAMPLES_PER_CHUNK: u32 = 6;
/// Frames in a typical CamHD file (about 14 minutes).
pub const CAMHD_FRAMES: u32 = 25_000;
/// Group of pictures of the H.264 variant: a sync frame every this many frames.
pub const GOP: u32 = 30;

/// The codec of the synthesized video track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// ProRes 422 (`apcn`), intra only: CamHD.
    ProRes,
    /// H.264 (`avc1`), long GOP with two B-frames between anchors: `stss` and `ctts`.
    H264,
}

/// Where everything is in a synthesized movie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The codec.
    pub codec: Codec,
    /// Sample sizes in decode order.
    pub sizes: Vec<u32>,
    /// File offset of every chunk.
    pub chunk_offsets: Vec<u64>,
    /// Offset of the `mdat` atom's header.
    pub mdat_offset: u64,
    /// Offset of the first sample byte (just past the 16-byte `mdat` header).
    pub data_offset: u64,
    /// Offset of `moov`: the end of `mdat`.
    pub moov_offset: u64,
    /// Total file length.
    pub file_len: u64,
}

impl Layout {
    /// Number of samples.
    pub fn frames(&self) -> u32 {
        self.sizes.len() as u32
    }

    /// File offset of sample `i` (decode order), as the tables say.
    pub fn sample_offset(&self, i: u32) -> u64 {
        let chunk = i / SAMPLES_PER_CHUNK;
        let first = chunk * SAMPLES_PER_CHUNK;
        let within: u64 = self.sizes[first as usize..i as usize].iter().map(|&s| u64::from(s)).sum();
        self.chunk_offsets[chunk as usize] + within
    }
}

/// A synthesized movie: the real bytes of its head and `moov`, and its layout.
#[derive(Debug, Clone)]
pub struct Camhd {
    /// `ftyp` + `mdat` header: the first bytes of the file.
    pub head: Vec<u8>,
    /// The `moov` atom, which sits at `layout.moov_offset`.
    pub moov: Vec<u8>,
    /// Where everything is.
    pub layout: Layout,
}

impl Camhd {
    /// A [`ReadAt`] over the whole file: real head and `moov`, zeros for the samples.
    pub fn reader(&self) -> SparseMovie<'_> {
        SparseMovie::new(&self.head, &self.moov, self.layout.moov_offset)
    }
}

/// The payload of every sample of `movie`'s video track, which must be ProRes 422
/// (`apcn`) 1920x1080 like CamHD's: the real frames `make_camhd` (and the server's
/// CamHD-size test) store in the layout's sample slots.
pub fn prores_frames(movie: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let m = lazyqt_core::Movie::open(movie).map_err(|e| format!("source: {e}"))?;
    let t = m.video_track().ok_or("source has no video track")?;
    if (t.codec().as_str(), t.width(), t.height()) != (Some("apcn"), 1920, 1080) {
        return Err(format!("source is {} {}x{}, not apcn 1920x1080", t.codec(), t.width(), t.height()));
    }
    let mut frames = Vec::new();
    let mut c = t.samples(movie).map_err(|e| format!("source: {e}"))?;
    while let Some(s) = c.next(movie) {
        let s = s.map_err(|e| format!("source: {e}"))?;
        let at = usize::try_from(s.offset).map_err(|_| "source offset too large")?;
        frames.push(movie.get(at..at + s.size as usize).ok_or("source sample outside the file")?.to_vec());
    }
    if frames.is_empty() {
        return Err("source has no frames".into());
    }
    Ok(frames)
}

/// Frame sizes like CamHD's ProRes: about 560 KB, drifting slowly with the scene and
/// jittering by a few percent from frame to frame. Deterministic.
pub fn camhd_sizes(frames: u32) -> Vec<u32> {
    (0..frames)
        .zip(xorshift(0x2545_f491_4f6c_dd1d))
        .map(|(i, h)| {
            // A slow triangle wave (+-24 KB over ~33 s) plus +-16 KB of noise, even sizes.
            let phase = i64::from(i % 2000) - 1000;
            let drift = (1000 - phase.abs()) * 48 - 24_000;
            let noise = (h % 32_001) as i64 - 16_000;
            ((560_000 + drift + noise) as u32) & !1
        })
        .collect()
}

/// Frame sizes of a long-GOP H.264 stream in decode order: big sync frames, medium P,
/// small B frames.
pub fn h264_sizes(frames: u32) -> Vec<u32> {
    decode_order(frames)
        .iter()
        .map(|&p| match (p % GOP, p % 3) {
            (0, _) => 180_000 + (p / GOP % 7) * 1000,
            (_, 0) => 60_000 + (p % 11) * 500,
            _ => 20_000 + (p % 13) * 300,
        })
        .collect()
}

/// Presentation index of each sample in decode order for the H.264 variant: per GOP,
/// the sync frame, then each anchor `P` followed by the two `B` frames before it;
/// frames after the last anchor of a GOP are coded as `P` in order.
pub fn decode_order(frames: u32) -> Vec<u32> {
    let mut order = Vec::with_capacity(frames as usize);
    let mut g = 0;
    while g < frames {
        let end = (g + GOP).min(frames);
        order.push(g);
        let mut anchor = g + 3;
        while anchor < end {
            order.extend([anchor, anchor - 2, anchor - 1]);
            anchor += 3;
        }
        order.extend(anchor - 2..end);
        g = end;
    }
    order
}

/// The CamHD layout with the given frame sizes: samples packed in chunks of six from the
/// start of `mdat`, `moov` after them.
pub fn prores(sizes: &[u32]) -> Camhd {
    build(Codec::ProRes, sizes, None)
}

/// The CamHD layout with explicit chunk offsets (they may repeat: several chunks can
/// share the same bytes) and an `mdat` payload of `mdat_len` bytes.
pub fn prores_with_chunks(sizes: &[u32], chunk_offsets: Vec<u64>, mdat_len: u64) -> Camhd {
    build(Codec::ProRes, sizes, Some((chunk_offsets, mdat_len)))
}

/// The H.264 long-GOP variant of the layout: same container, `avc1`, `stss` every
/// [`GOP`] frames, `ctts`, and an edit list that starts at the first presented frame.
pub fn h264(frames: u32) -> Camhd {
    build(Codec::H264, &h264_sizes(frames), None)
}

fn build(codec: Codec, sizes: &[u32], chunks: Option<(Vec<u64>, u64)>) -> Camhd {
    let (chunk_offsets, mdat_len) = chunks.unwrap_or_else(|| packed_chunks(sizes, DATA_OFFSET));
    let moov_offset = DATA_OFFSET + mdat_len;
    let layout = Layout {
        codec,
        sizes: sizes.to_vec(),
        chunk_offsets,
        mdat_offset: FTYP_LEN,
        data_offset: DATA_OFFSET,
        moov_offset,
        file_len: 0,
    };
    let moov = atoms::moov(&[trak_spec(&layout)]);
    let layout = Layout { file_len: moov_offset + moov.len() as u64, ..layout };
    Camhd { head: atoms::head(mdat_len), moov, layout }
}

/// Chunk offsets of samples packed back to back from `start`, and the bytes they take.
fn packed_chunks(sizes: &[u32], start: u64) -> (Vec<u64>, u64) {
    let mut offsets = Vec::with_capacity(sizes.len().div_ceil(SAMPLES_PER_CHUNK as usize));
    let mut pos = start;
    for chunk in sizes.chunks(SAMPLES_PER_CHUNK as usize) {
        offsets.push(pos);
        pos += chunk.iter().map(|&s| u64::from(s)).sum::<u64>();
    }
    (offsets, pos - start)
}

/// Run-length code a sequence of values as (count, value) pairs.
fn run_length(values: impl IntoIterator<Item = u32>) -> Vec<(u32, u32)> {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for v in values {
        match runs.last_mut() {
            Some((n, last)) if *last == v => *n += 1,
            _ => runs.push((1, v)),
        }
    }
    runs
}

fn trak_spec(l: &Layout) -> TrakSpec {
    let frames = l.frames();
    let chunks = l.chunk_offsets.len() as u32;
    let last = frames - (chunks - 1) * SAMPLES_PER_CHUNK;
    let stsc = if chunks == 1 || last == SAMPLES_PER_CHUNK {
        vec![(1, last)]
    } else {
        vec![(1, SAMPLES_PER_CHUNK), (chunks, last)]
    };
    let mut spec = TrakSpec {
        timescale: TIMESCALE,
        stts: vec![(frames, FRAME_DURATION)],
        stsc,
        chunk_offsets: l.chunk_offsets.clone(),
        ..TrakSpec::prores(l.sizes.clone())
    };
    if l.codec == Codec::H264 {
        // A minimal avcC (High profile, level 4.0, no parameter sets): enough to locate.
        let avcc = atoms::atom(b"avcC", &[1, 100, 0, 40, 0xff, 0xe0, 0]);
        spec.entry = atoms::visual_entry(b"avc1", b"H.264", &avcc);
        let order = decode_order(frames);
        // Presentation time (index + one frame of delay) minus decode time.
        let offsets = order.iter().enumerate().map(|(k, &p)| (p + 1 - k as u32) * FRAME_DURATION);
        spec.ctts = Some(run_length(offsets));
        spec.stss = Some((0..frames).filter(|&k| order[k as usize] % GOP == 0).map(|k| k + 1).collect());
        // The first frame is presented one frame late (the B-frame delay): edit it out.
        spec.media_time = FRAME_DURATION;
    }
    spec
}

/// `n` deterministic pseudo-random frame numbers below `frames`.
pub fn random_frames(n: usize, frames: u32) -> Vec<u32> {
    xorshift(0x9e37_79b9_7f4a_7c15).take(n).map(|h| (h % u64::from(frames)) as u32).collect()
}

/// Xorshift64 from `seed` (the seed itself not included): cheap, deterministic numbers for
/// synthesized sizes and frame choices, the same on every run and machine.
fn xorshift(seed: u64) -> impl Iterator<Item = u64> {
    std::iter::successors(Some(seed), |&h| {
        let h = h ^ (h << 13);
        let h = h ^ (h >> 7);
        Some(h ^ (h << 17))
    })
    .skip(1)
}

/// Reads and bytes through [`ReadAt`] of the core's operations on one movie.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LookupCosts {
    /// `Movie::open`.
    pub open: Counts,
    /// One random `frame(n)`, averaged over the lookups made.
    pub frame_reads: f64,
    /// Bytes of one random `frame(n)`, averaged.
    pub frame_bytes: f64,
    /// The most bytes any one of those lookups read.
    pub frame_bytes_max: u64,
    /// A forward walk over every sample with the cursor.
    pub walk: Counts,
}

/// Measure [`LookupCosts`] with `lookups` random frame lookups.
pub fn lookup_costs(movie: &Camhd, lookups: usize) -> LookupCosts {
    let r = Counting::new(movie.reader());
    let m = lazyqt_core::Movie::open(&r).expect("a synthesized movie opens");
    let open = r.take();
    let t = m.video_track().expect("a video track");
    let (mut total, mut max) = (Counts::default(), 0);
    let frames = random_frames(lookups, t.frame_count());
    for &n in &frames {
        t.frame(&r, n).expect("frame in range");
        let c = r.take();
        total.reads += c.reads;
        total.bytes += c.bytes;
        max = max.max(c.bytes);
    }
    let mut c = t.samples(&r).expect("a cursor");
    while let Some(s) = c.next(&r) {
        s.expect("a sample");
    }
    let walk = r.take();
    let n = frames.len().max(1) as f64;
    LookupCosts {
        open,
        frame_reads: total.reads as f64 / n,
        frame_bytes: total.bytes as f64 / n,
        frame_bytes_max: max,
        walk,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lazyqt_core::{Movie, TrackKind};

    #[test]
    fn the_prores_layout_is_camhd() {
        let m = prores(&camhd_sizes(CAMHD_FRAMES));
        let l = &m.layout;
        assert_eq!((m.head.len(), l.mdat_offset, l.data_offset), (40, 24, 40));
        assert!(l.file_len > 13 << 30 && l.file_len < 14 << 30, "{} bytes", l.file_len);
        assert_eq!(l.chunk_offsets.len(), 4167);
        let r = m.reader();
        let movie = Movie::open(&r).unwrap();
        assert_eq!(movie.moov.offset, l.moov_offset);
        assert_eq!(movie.file_type.as_ref().unwrap().major_brand.as_str(), Some("qt  "));
        assert_eq!(movie.tracks().len(), 1);
        let t = movie.video_track().unwrap();
        assert_eq!(
            (t.kind(), t.codec().as_str(), t.width(), t.height()),
            (TrackKind::Video, Some("apcn"), 1920, 1080)
        );
        assert_eq!((t.timescale(), t.sample_count(), t.frame_count()), (TIMESCALE, 25_000, 25_000));
        assert!(t.tables.stss.is_none() && t.tables.ctts.is_none());
        assert_eq!(t.tables.chunks.entry_bits, 64, "co64");
        let mut c = t.samples(&r).unwrap();
        while let Some(s) = c.next(&r) {
            let s = s.unwrap();
            assert_eq!((s.offset, s.size), (l.sample_offset(s.index), l.sizes[s.index as usize]));
            assert_eq!((s.dts, s.keyframe), (i64::from(s.index) * 1001, true));
        }
        let last = t.frame(&r, 24_999).unwrap();
        assert_eq!(last.offset + u64::from(last.size), l.moov_offset, "samples fill mdat exactly");
        let mean = l.sizes.iter().map(|&s| u64::from(s)).sum::<u64>() / 25_000;
        assert!((540_000..580_000).contains(&mean), "{mean}");
    }

    #[test]
    fn the_h264_layout_reorders_within_gops() {
        let order = decode_order(1000);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..1000).collect::<Vec<_>>());
        let m = h264(1000);
        let r = m.reader();
        let movie = Movie::open(&r).unwrap();
        let t = movie.video_track().unwrap();
        assert_eq!((t.codec().as_str(), t.frame_count(), t.first_pts()), (Some("avc1"), 1000, 1001));
        assert!(t.tables.ctts.is_some() && t.tables.stss.is_some());
        for n in 0..1000 {
            let f = t.frame(&r, n).unwrap();
            assert_eq!(order[f.index as usize], n, "frame {n}");
            assert_eq!(f.pts, i64::from(n + 1) * 1001);
            assert_eq!(f.keyframe, n % GOP == 0);
            let sync = t.sync_sample_at_or_before(&r, f.index).unwrap();
            assert_eq!(order[sync as usize], n / GOP * GOP);
        }
    }

    #[test]
    fn lookups_read_a_few_table_entries() {
        let m = prores(&camhd_sizes(CAMHD_FRAMES));
        let c = lookup_costs(&m, 1000);
        // open: top-level headers, then moov's headers and fixed parts: never the mdat.
        assert!(c.open.bytes < 2_000 && c.open.reads < 100, "{c:?}");
        // frame(n): one stts, two stsc, one co64 entry and at most six stsz entries.
        assert!(c.frame_bytes_max <= 128 && c.frame_reads <= 10.0, "{c:?}");
        // The walk reads each table once, in windows.
        let tables = 25_000 * 4 + 4167 * 8;
        assert!(c.walk.bytes < tables * 11 / 10 && c.walk.reads < 1_000, "{c:?}");
        let m = h264(CAMHD_FRAMES);
        let h = lookup_costs(&m, 1000);
        // frame(n) with ctts decodes a window of 33 samples around the frame, and the
        // cursor's seek walks ctts's runs from the start (one run per sample or two
        // with B-frames): bounded by the ctts table, not by the number of lookups.
        let r = m.reader();
        let ctts = Movie::open(&r).unwrap().video_track().unwrap().tables.ctts.unwrap();
        assert!(ctts.count > 10_000, "B-frames make about one ctts run per sample");
        assert!(h.frame_bytes_max <= u64::from(ctts.count) * 8 + 4096, "{h:?}");
        assert!(h.frame_bytes > 1_000.0, "if ctts seeks got cheap, tighten this test: {h:?}");
    }
}
