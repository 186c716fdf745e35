//! Drive every entry point of the core over one untrusted input and check the
//! invariants that must hold whatever the bytes are.
//!
//! Shared, byte for byte, by the fuzz targets (`fuzz/fuzz_targets/*.rs` include this
//! file with `#[path]`) and by the stable test suite (`tests/regressions.rs`,
//! `tests/mutations.rs`), so a crash the fuzzer finds replays through the same code.
//! Besides "no panic, no hang", the drains assert cross-checks: a random lookup agrees
//! with the forward cursor, results stay in range, located bytes lie inside the input.
//! Every loop is bounded independently of the counts in the input.
#![allow(dead_code)] // each includer uses a subset

use lazyqt_core::atom::{read_header, AtomHeader, Children, Walker};
use lazyqt_core::boxes::table::{self, Table, Window};
use lazyqt_core::boxes::{elst, ftyp, hdlr, headers, stsd};
use lazyqt_core::{Cursor, FourCC, Movie, Track};

/// Most samples one track's forward walk visits (a constant-size `stsz` in a 100-byte
/// input may claim four billion samples).
pub const WALK_LIMIT: u32 = 1 << 12;

/// The walk cross-checks the first this many samples with random access, then one in
/// [`CHECK_EVERY`] (each random access costs a seek: checking all would be quadratic).
pub const CHECK_FIRST: u32 = 64;

/// See [`CHECK_FIRST`].
pub const CHECK_EVERY: u32 = 31;

/// Most frames looked up by number per track, beyond the spread of probe indices.
pub const FRAME_LIMIT: u32 = 256;

/// The fuzz targets, by name. A regression file's name starts with one of these
/// followed by `-`; it is replayed through [`drain`] with that target.
pub const TARGETS: &[&str] = &["atoms", "movie", "ftyp", "headers", "hdlr", "stsd", "tables", "elst"];

/// Run the drain of fuzz target `target` on `data`; `None` if no such target.
pub fn drain(target: &str, data: &[u8]) -> Option<u64> {
    Some(match target {
        "atoms" => drain_atoms(data),
        "movie" => drain_movie(data),
        "ftyp" => drain_ftyp(data),
        "headers" => drain_headers(data),
        "hdlr" => drain_hdlr(data),
        "stsd" => drain_stsd(data),
        "tables" => drain_tables(data),
        "elst" => drain_elst(data),
        _ => return None,
    })
}

/// FNV-1a of the input: a deterministic source of "random" probe indices.
fn seed(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// Indices worth probing in `0..count`: both ends, the middle, just past the end,
/// the largest index, and a few pseudo-random ones.
fn probes(count: u32, mut h: u64) -> impl Iterator<Item = u32> {
    let fixed = [0, 1, count / 2, count.saturating_sub(1), count, count.saturating_add(1), u32::MAX];
    let random = core::array::from_fn::<u32, 8, _>(|_| {
        h ^= h << 13;
        h ^= h >> 7;
        h ^= h << 17;
        if count == 0 {
            0
        } else {
            (h % u64::from(count)) as u32
        }
    });
    fixed.into_iter().chain(random)
}

/// Walk the whole atom tree of `data`; returns the number of atoms met.
pub fn drain_atoms(data: &[u8]) -> u64 {
    let len = data.len() as u64;
    let mut walker = Walker::new(0, len);
    let mut n = 0u64;
    while let Some(item) = walker.next(data) {
        let Ok(item) = item else { break };
        check_header(&item.header, 0, len);
        assert!(item.depth < lazyqt_core::atom::MAX_DEPTH);
        n += 1;
    }
    // The flat top level too, with `find` for a type that is not there.
    let mut top = Children::new(0, len);
    while let Some(h) = top.next(data) {
        let Ok(h) = h else { break };
        check_header(&h, 0, len);
        n += 1;
    }
    let _ = Children::new(0, len).find(data, FourCC::new(b"\0\0\0\0"));
    n
}

/// A header the parser accepted lies inside `start..end` and is at least its own length.
fn check_header(h: &AtomHeader, start: u64, end: u64) {
    assert!(h.offset >= start && h.end() <= end, "{h:?} outside {start}..{end}");
    assert!(u64::from(h.header_len) <= h.size, "{h:?}");
    assert_eq!(h.body_offset() + h.body_len(), h.end());
}

/// `Movie::open`, then every lookup on every track; returns a checksum of what was read.
pub fn drain_movie(data: &[u8]) -> u64 {
    let Ok(movie) = Movie::open(data) else { return 0 };
    // Opening into storage that held another movie gives the same movie.
    let mut slot = Movie::empty();
    slot.open_in(&data[..data.len() / 2]).ok();
    assert!(slot.open_in(data).is_ok() && slot == movie, "open_in disagrees with open");
    check_header(&movie.moov, 0, data.len() as u64);
    let mut sum = movie.creation_unix_time().unwrap_or(0) as u64;
    assert!(movie.video_track().is_none_or(|v| movie.tracks().contains(v)));
    if let Err(bad) = movie.default_video() {
        assert!(bad.may_be_video() && movie.video_track().is_none());
    }
    for s in movie.skipped_tracks() {
        check_header(&s.trak, movie.moov.offset, movie.moov.end());
        sum = sum.wrapping_add(s.to_string().len() as u64);
    }
    for t in movie.tracks() {
        assert!(movie.track(t.id()).is_some());
        sum = sum.wrapping_add(drain_track(data, t));
    }
    sum
}

fn drain_track(data: &[u8], t: &Track) -> u64 {
    let count = t.sample_count();
    let frames = t.frame_count();
    assert!(frames <= count, "{frames} frames of {count} samples");
    let mut sum = u64::from(t.width()) ^ u64::from(t.height()) ^ t.duration() ^ t.start_delay();
    sum ^= t.frame_rate().map_or(0, |(n, d)| n ^ d) ^ t.first_pts() as u64 ^ t.media_start() as u64;
    let _ = (t.kind().name(), t.codec().as_str(), t.entry.extension(FourCC::new(b"avcC")));
    // Forward walk, cross-checked against random access.
    if let Ok(mut c) = t.samples(data) {
        let mut expect = 0u32;
        while let Some(s) = c.next(data) {
            let Ok(s) = s else { break };
            assert_eq!(s.index, expect);
            expect += 1;
            if s.index < CHECK_FIRST || s.index % CHECK_EVERY == 0 {
                if let Ok(again) = t.sample(data, s.index) {
                    assert_eq!(again, s, "sample({}) disagrees with the cursor", s.index);
                }
                if let Ok(sync) = t.sync_sample_at_or_before(data, s.index) {
                    assert!(sync <= s.index);
                }
            }
            sum = sum.wrapping_add(s.offset ^ u64::from(s.size));
            if expect >= WALK_LIMIT {
                break;
            }
        }
    }
    // Random access anywhere, including out of range; one cursor moved to each probe in
    // turn (state left from its last position) agrees with a fresh one.
    let h = seed(data);
    let mut moved = Cursor::new(&t.tables);
    for i in probes(count, h) {
        let again = moved.seek(data, i).map(|()| moved.next(data));
        match t.sample(data, i) {
            Ok(s) => {
                assert!(i < count && s.index == i);
                assert!(matches!(again, Ok(Some(Ok(a))) if a == s), "a moved cursor disagrees at {i}");
                sum = sum.wrapping_add(s.offset);
            }
            Err(lazyqt_core::Error::OutOfRange { .. }) => assert!(i >= count),
            Err(_) => assert!(!matches!(again, Ok(Some(Ok(_)))), "a moved cursor found sample {i}"),
        }
        if let Ok(sync) = t.sync_sample_at_or_before(data, i) {
            assert!(i < count && sync <= i);
        }
        if let Ok(mut c) = t.samples_from(data, i) {
            for _ in 0..4 {
                let Some(Ok(s)) = c.next(data) else { break };
                sum = sum.wrapping_add(s.pts as u64);
            }
        }
    }
    // Frames in presentation order, and back from their times.
    for n in (0..frames.min(FRAME_LIMIT)).chain(probes(frames, h.rotate_left(17))) {
        let Ok(f) = t.frame(data, n) else { continue };
        assert!(n < frames && f.index < count);
        let time = t.presentation_time(&f).max(0) as u64;
        for (value, scale) in [(time, t.timescale()), (time, 1), (time.saturating_mul(1000), 30_000)] {
            if let Ok(back) = t.frame_at_time(data, value, scale) {
                assert!(back < frames);
            }
        }
    }
    for (value, scale) in [(0, 1), (u64::MAX, 1), (1, 0), (u64::MAX, u32::MAX), (t.duration(), t.timescale())]
    {
        if let Ok(back) = t.frame_at_time(data, value, scale) {
            assert!(back < frames);
        }
    }
    if let Ok((start, tc)) = t.timecode_start(data) {
        sum = sum.wrapping_add(u64::from(start) ^ u64::from(tc.frames_per_second));
    }
    sum
}

/// Treat `data` as one atom. When its type is not one of `kinds`, the type is
/// overwritten with one of them (picked by the input's first byte), so every input
/// exercises a parser instead of being rejected on its type.
fn as_atom(data: &[u8], kinds: &[&[u8; 4]]) -> Option<(Vec<u8>, AtomHeader)> {
    let mut bytes = data.to_vec();
    if let Some(kind) = bytes.get_mut(4..8) {
        if !kinds.iter().any(|k| k[..] == *kind) {
            let pick = usize::from(data.first().copied().unwrap_or(0)) % kinds.len();
            kind.copy_from_slice(kinds.get(pick)?.as_slice());
        }
    }
    let h = read_header(&bytes[..], 0, bytes.len() as u64).ok()?;
    check_header(&h, 0, bytes.len() as u64);
    Some((bytes, h))
}

/// `ftyp`.
pub fn drain_ftyp(data: &[u8]) -> u64 {
    let Some((bytes, h)) = as_atom(data, &[b"ftyp"]) else { return 0 };
    let Ok(f) = ftyp::parse(&bytes[..], &h) else { return 0 };
    assert!(f.compatible.len() <= ftyp::MAX_BRANDS);
    u64::from(f.minor_version) ^ f.compatible.len() as u64
}

/// `mvhd`, `tkhd`, `mdhd`: each parser on every input.
pub fn drain_headers(data: &[u8]) -> u64 {
    let Some((bytes, h)) = as_atom(data, &[b"mvhd", b"tkhd", b"mdhd"]) else { return 0 };
    let r = &bytes[..];
    let mut sum = 0u64;
    if let Ok(m) = headers::parse_mvhd(r, &h) {
        sum ^= m.duration ^ u64::from(m.timescale);
    }
    if let Ok(t) = headers::parse_tkhd(r, &h) {
        sum ^= t.duration ^ u64::from(t.width);
    }
    if let Ok(m) = headers::parse_mdhd(r, &h) {
        sum ^= m.duration ^ u64::from(m.language);
    }
    sum
}

/// `hdlr`.
pub fn drain_hdlr(data: &[u8]) -> u64 {
    let Some((bytes, h)) = as_atom(data, &[b"hdlr"]) else { return 0 };
    hdlr::parse(&bytes[..], &h).map_or(0, |x| u64::from(u32::from_be_bytes(x.subtype.0)))
}

/// `stsd` parsed as the sample description of each kind of track.
pub fn drain_stsd(data: &[u8]) -> u64 {
    let Some((bytes, h)) = as_atom(data, &[b"stsd"]) else { return 0 };
    let r = &bytes[..];
    let mut sum = 0u64;
    for handler in [b"vide", b"soun", b"tmcd", b"text"] {
        let Ok(e) = stsd::parse(r, &h, FourCC::new(handler)) else { continue };
        assert!(e.offset >= h.body_offset() && e.offset + e.size <= h.end(), "{e:?} outside {h:?}");
        assert!(e.extensions.len() <= stsd::MAX_EXTENSIONS);
        for x in &e.extensions {
            assert!(x.offset >= e.offset && x.offset + x.len <= e.offset + e.size, "{x:?} outside {e:?}");
        }
        if let Some(v) = e.visual() {
            sum ^= u64::from(v.width) ^ v.compressor_name().map_or(0, |s| s.len() as u64);
        }
        sum = sum.wrapping_add(u64::from(e.entry_count));
    }
    sum
}

/// Every entry of a table the parser accepted must be readable.
fn drain_table(r: &[u8], t: &Table) -> u64 {
    let mut w = Window::new();
    let mut sum = 0u64;
    for i in 0..t.count {
        let e = w.entry(r, t, i).expect("an entry inside the checked count");
        sum = sum.wrapping_add(e.iter().map(|&b| u64::from(b)).sum::<u64>());
    }
    for i in probes(t.count, seed(r)) {
        assert_eq!(t.get_uint(r, i).is_ok(), i < t.count, "entry {i} of {t:?}");
    }
    sum
}

/// The sample tables: `stts ctts stss stsc stco co64` and `stsz stz2`.
pub fn drain_tables(data: &[u8]) -> u64 {
    let kinds = [b"stts", b"ctts", b"stss", b"stsc", b"stco", b"co64", b"stsz", b"stz2"];
    let Some((bytes, h)) = as_atom(data, &kinds) else { return 0 };
    let r = &bytes[..];
    let mut sum = u64::from(table::version(r, &h).unwrap_or(0));
    if matches!(&h.kind.0, b"stsz" | b"stz2") {
        let Ok(s) = table::parse_sizes(r, &h) else { return sum };
        if s.constant == 0 {
            assert_eq!(s.count, s.table.count);
            sum ^= drain_table(r, &s.table);
        }
        for i in probes(s.count, seed(data)) {
            assert_eq!(s.get(r, i).is_ok(), i < s.count, "size {i} of {s:?}");
        }
    } else if let Ok(t) = table::parse_simple(r, &h) {
        sum ^= drain_table(r, &t);
    }
    sum
}

/// `elst`.
pub fn drain_elst(data: &[u8]) -> u64 {
    let Some((bytes, h)) = as_atom(data, &[b"elst"]) else { return 0 };
    elst::parse(&bytes[..], &h).map_or(0, |e| e.empty_delay ^ e.media_time as u64 ^ e.segment_duration)
}
