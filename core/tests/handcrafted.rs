//! Hand-crafted atoms for what ffmpeg will not write: co64, 64-bit and zero sizes,
//! multi-run stsc, truncation, lying counts, overruns, deep nesting.

mod common;

use lazyqt_core::atom::{Children, Walker};
use lazyqt_core::{Error, ErrorKind, Movie, TrackKind};
use lazyqt_testkit::atoms::*;

/// 20 samples in chunks of 6, 6, 6 and a short last chunk of 2.
fn multi_run_spec(co64: bool, base: u64) -> TrakSpec {
    TrakSpec {
        stsc: vec![(1, 6), (4, 2)],
        chunk_offsets: vec![base, base + 100_000, base + 200_000, base + 300_000],
        co64,
        ..TrakSpec::prores((0..20).map(|i| 1000 + i * 7).collect())
    }
}

fn expected_offset(spec: &TrakSpec, i: usize) -> u64 {
    let chunk = i / 6;
    let first = chunk * 6;
    spec.chunk_offsets[chunk] + (first..i).map(|k| u64::from(spec.sizes.get(k))).sum::<u64>()
}

/// A file of `ftyp` and a `moov` of one track.
fn movie_of(spec: &TrakSpec) -> Vec<u8> {
    cat(&[&ftyp(), &moov(std::slice::from_ref(spec))])
}

#[test]
fn co64_offsets_beyond_4_gib_and_multi_run_stsc() {
    let spec = multi_run_spec(true, 5_000_000_000);
    let file = cat(&[&ftyp(), &atom64(b"mdat", &[0; 64]), &moov(std::slice::from_ref(&spec))]);
    let data: &[u8] = &file;
    let movie = Movie::open(data).unwrap();
    let t = movie.video_track().unwrap();
    assert_eq!((t.width(), t.height(), t.codec().as_str()), (1920, 1080, Some("apcn")));
    assert_eq!(t.entry.visual().unwrap().compressor_name(), Some("Apple ProRes 422"));
    assert!(t.entry.extension(lazyqt_core::FourCC::new(b"fiel")).is_some());
    assert_eq!(t.sample_count(), 20);
    let mut c = t.samples(data).unwrap();
    let mut n = 0;
    while let Some(s) = c.next(data) {
        let s = s.unwrap();
        let i = s.index as usize;
        assert_eq!(s.offset, expected_offset(&spec, i), "sample {i}");
        assert_eq!(s.size, spec.sizes.get(i));
        assert_eq!(s.dts, i as i64 * 1001);
        assert!(s.keyframe);
        assert_eq!(t.sample(data, s.index).unwrap(), s);
        n += 1;
    }
    assert_eq!(n, 20);
    assert_eq!(movie.creation_unix_time(), Some(i64::from(CREATION_TIME) - 2_082_844_800));
}

#[test]
fn stco_and_sync_samples() {
    let mut spec = multi_run_spec(false, 48);
    spec.stss = Some(vec![1, 7, 13]);
    let file = movie_of(&spec);
    let data: &[u8] = &file;
    let t = Movie::open(data).unwrap().video_track().unwrap().clone();
    for i in 0..20u32 {
        let s = t.sample(data, i).unwrap();
        assert_eq!(s.keyframe, [0, 6, 12].contains(&i), "sample {i}");
        let sync = t.sync_sample_at_or_before(data, i).unwrap();
        assert_eq!(sync, [0, 6, 12].into_iter().filter(|&k| k <= i).max().unwrap());
    }
}

#[test]
fn size_zero_atom_runs_to_the_end() {
    let spec = multi_run_spec(false, 48);
    let mut moov_bytes = moov(&[spec]);
    moov_bytes[0..4].copy_from_slice(&0u32.to_be_bytes());
    let file = cat(&[&ftyp(), &atom(b"free", &[0; 10]), &moov_bytes]);
    let movie = Movie::open(&file[..]).unwrap();
    assert_eq!(movie.moov.size, file.len() as u64 - FTYP_LEN - 18);
    assert_eq!(movie.tracks().len(), 1);
}

#[test]
fn finding_moov_never_reads_mdat() {
    // A source that fails any read inside the mdat payload.
    struct Guard<'a>(&'a [u8], std::ops::Range<u64>);
    impl lazyqt_core::ReadAt for Guard<'_> {
        type Error = &'static str;
        fn read_exact_at(&self, off: u64, buf: &mut [u8]) -> Result<(), &'static str> {
            let end = off + buf.len() as u64;
            if off < self.1.end && end > self.1.start {
                return Err("read inside mdat payload");
            }
            self.0.read_exact_at(off, buf).map_err(|_| "out of bounds")
        }
        fn len(&self) -> Result<u64, &'static str> {
            Ok(self.0.len() as u64)
        }
    }
    let spec = multi_run_spec(false, 48);
    let file = cat(&[&ftyp(), &atom64(b"mdat", &vec![7; 100_000]), &moov(&[spec])]);
    let payload = DATA_OFFSET..(DATA_OFFSET + 100_000);
    Movie::open(&Guard(&file, payload)).unwrap();
}

#[test]
fn lying_counts_are_refused() {
    // A 2^32-1 entry stsz in a tiny file.
    let spec = multi_run_spec(false, 48);
    let mut file = movie_of(&spec);
    set_stsz_count(&mut file, 0, u32::MAX);
    let movie = Movie::open(&file[..]).unwrap();
    assert_eq!(movie.tracks().len(), 0);
    assert_eq!(movie.ignored_tracks, 1);
    let e = movie.skipped_tracks()[0].error;
    assert_eq!((e.kind, e.atom.as_str()), (ErrorKind::BadTable, Some("stsz")));
}

#[test]
fn child_overrunning_its_parent_is_an_error() {
    let spec = multi_run_spec(false, 48);
    let mut file = movie_of(&spec);
    let (at, size) = atom_at(&file, b"mdia");
    set_size(&mut file, at, size + 1000);
    let movie = Movie::open(&file[..]).unwrap();
    let e = movie.skipped_tracks().first().expect("track refused").error;
    assert_eq!((e.kind, e.atom.as_str()), (ErrorKind::Truncated, Some("mdia")));
}

#[test]
fn zero_and_tiny_sizes_never_loop() {
    // size 0 atoms end their container; sizes below the header are errors.
    let zero = [0u8, 0, 0, 0, b'f', b'r', b'e', b'e'].repeat(1000);
    assert!(matches!(
        Movie::open(&zero[..]),
        Err(Error::Format(lazyqt_core::FormatError { kind: ErrorKind::NoMoov, .. }))
    ));
    let tiny = [0u8, 0, 0, 4, b'f', b'r', b'e', b'e'];
    assert!(matches!(
        Movie::open(&tiny[..]),
        Err(Error::Format(lazyqt_core::FormatError { kind: ErrorKind::NotAMovie, .. }))
    ));
    let tiny_later = cat(&[&ftyp(), &tiny]);
    assert!(matches!(
        Movie::open(&tiny_later[..]),
        Err(Error::Format(lazyqt_core::FormatError { kind: ErrorKind::BadAtomSize, offset: FTYP_LEN, .. }))
    ));
    let large_zero = [0u8, 0, 0, 1, b'm', b'd', b'a', b't', 0, 0, 0, 0, 0, 0, 0, 0];
    assert!(Movie::open(&large_zero[..]).is_err());
}

#[test]
fn deep_nesting_is_bounded() {
    let mut a = atom(b"free", &[]);
    for _ in 0..40 {
        a = atom(b"moov", &a);
    }
    let mut w = Walker::new(0, a.len() as u64);
    let data: &[u8] = &a;
    let mut items = 0;
    let mut err = None;
    while let Some(item) = w.next(data) {
        match item {
            Ok(_) => items += 1,
            Err(e) => err = Some(e),
        }
    }
    assert!(items <= 16);
    assert!(matches!(
        err,
        Some(Error::Format(lazyqt_core::FormatError { kind: ErrorKind::TooManyAtoms, .. }))
    ));
}

#[test]
fn too_many_siblings_is_bounded() {
    let file = atom(b"free", &[]).repeat(70_000);
    let data: &[u8] = &file;
    let mut c = Children::new(0, file.len() as u64);
    let mut n = 0;
    let mut last = None;
    while let Some(h) = c.next(data) {
        n += 1;
        last = Some(h);
    }
    assert_eq!(n, 65_537);
    assert!(last.unwrap().is_err());
}

#[test]
fn every_truncation_is_an_error_or_a_clean_parse() {
    let spec = multi_run_spec(true, 48);
    let file = movie_of(&spec);
    let mut errors = 0;
    for len in 0..file.len() {
        let data = &file[..len];
        match Movie::open(data) {
            Err(_) => errors += 1,
            Ok(m) => {
                for t in m.tracks() {
                    let mut c = t.samples(data).unwrap();
                    while c.next(data).is_some() {}
                }
            }
        }
    }
    assert_eq!(errors, file.len(), "a truncated moov must never parse as complete");
}

#[test]
fn sample_and_frame_out_of_range() {
    let spec = multi_run_spec(false, 48);
    let file = movie_of(&spec);
    let data: &[u8] = &file;
    let movie = Movie::open(data).unwrap();
    let t = movie.video_track().unwrap();
    assert!(matches!(t.sample(data, 20), Err(Error::OutOfRange { asked: 20, available: 20 })));
    assert!(matches!(t.frame(data, 20), Err(Error::OutOfRange { asked: 20, available: 20 })));
    assert!(matches!(t.frame_at_time(data, 1, 1), Err(Error::OutOfRange { .. })));
    assert_eq!(t.frame_at_time(data, 1001 * 5 + 500, 30000).unwrap(), 5);
}

#[test]
fn embedded_io_devices_work_through_seek_reader() {
    struct Dev {
        data: Vec<u8>,
        pos: u64,
    }
    impl embedded_io::ErrorType for Dev {
        type Error = embedded_io::ErrorKind;
    }
    impl embedded_io::Read for Dev {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
            let start = (self.pos as usize).min(self.data.len());
            let n = buf.len().min(self.data.len() - start).min(7); // short reads on purpose
            buf[..n].copy_from_slice(&self.data[start..start + n]);
            self.pos += n as u64;
            Ok(n)
        }
    }
    impl embedded_io::Seek for Dev {
        fn seek(&mut self, pos: embedded_io::SeekFrom) -> Result<u64, Self::Error> {
            self.pos = match pos {
                embedded_io::SeekFrom::Start(p) => p,
                embedded_io::SeekFrom::End(d) => (self.data.len() as i64 + d) as u64,
                embedded_io::SeekFrom::Current(d) => (self.pos as i64 + d) as u64,
            };
            Ok(self.pos)
        }
    }
    let spec = multi_run_spec(true, 48);
    let file = movie_of(&spec);
    let dev = lazyqt_core::read_at::SeekReader::new(Dev { data: file.clone(), pos: 0 });
    let m = Movie::open(&dev).unwrap();
    let from_slice = Movie::open(&file[..]).unwrap();
    assert_eq!(m, from_slice);
    assert_eq!(
        m.tracks()[0].sample(&dev, 19).unwrap(),
        from_slice.tracks()[0].sample(&file[..], 19).unwrap()
    );
}

#[test]
fn unsorted_or_out_of_range_sync_samples_are_refused() {
    for stss in [vec![1, 13, 7], vec![1, 1, 7], vec![1, 7, 21]] {
        let mut spec = multi_run_spec(false, 48);
        spec.stss = Some(stss.clone());
        let file = movie_of(&spec);
        let movie = Movie::open(&file[..]).unwrap();
        assert!(movie.tracks().is_empty(), "stss {stss:?} accepted");
        let e = movie.skipped_tracks()[0].error;
        assert_eq!((e.kind, e.atom.as_str()), (ErrorKind::BadTable, Some("stss")));
    }
}

/// Two video tracks (ids 1 and 2), the stsz count of track `bad` set to 2^31.
fn two_video_tracks(bad: usize) -> Vec<u8> {
    let spec = multi_run_spec(false, 48);
    let mut traks = [trak(&spec), trak(&TrakSpec { id: 2, ..spec })];
    let t = &mut traks[bad - 1];
    set_stsz_count(t, 0, 1 << 31);
    cat(&[&ftyp(), &moov_from(&traks, 0, 3)])
}

#[test]
fn a_broken_first_video_track_is_reported_and_never_replaced() {
    let file = two_video_tracks(1);
    let movie = Movie::open(&file[..]).unwrap();
    assert_eq!(movie.tracks().len(), 1);
    assert_eq!(movie.tracks()[0].id(), 2);
    let skipped = movie.skipped_tracks();
    assert_eq!(skipped.len(), 1);
    assert_eq!((skipped[0].id, skipped[0].kind), (Some(1), Some(TrackKind::Video)));
    assert_eq!((skipped[0].error.kind, skipped[0].error.atom.as_str()), (ErrorKind::BadTable, Some("stsz")));
    assert_eq!(movie.default_video(), Err(skipped[0]));
    assert!(movie.video_track().is_none(), "track 2 must not stand in for track 1");
    let text = skipped[0].to_string();
    assert!(text.starts_with("video track 1 is malformed: atom 'stsz' at offset"), "{text}");
}

#[test]
fn a_broken_later_video_track_leaves_the_first_one() {
    let file = two_video_tracks(2);
    let movie = Movie::open(&file[..]).unwrap();
    assert_eq!(movie.default_video().unwrap().map(|t| t.id()), Some(1));
    assert_eq!(movie.skipped_tracks().len(), 1);
    assert_eq!(movie.skipped_tracks()[0].id, Some(2));
}

#[test]
fn a_track_of_unreadable_kind_blocks_the_video_tracks_after_it() {
    // The first trak's hdlr is cut short: its kind is unknown, so it may be the video track.
    let spec = multi_run_spec(false, 48);
    let mut first = trak(&spec);
    let (at, size) = atom_at(&first, b"hdlr");
    first.splice(at + 12..at + size as usize, []); // keep size, type, version+flags only
    set_size(&mut first, at, 12);
    // Fix the sizes of the enclosing mdia and trak.
    let cut = size - 12;
    for kind in [b"mdia", b"trak"] {
        let (p, s) = atom_at(&first, kind);
        set_size(&mut first, p, s - cut);
    }
    let second = trak(&TrakSpec { id: 2, ..spec });
    let file = cat(&[&ftyp(), &moov_from(&[first, second], 0, 3)]);
    let movie = Movie::open(&file[..]).unwrap();
    let bad = movie.default_video().unwrap_err();
    assert_eq!((bad.id, bad.kind), (Some(1), None));
    assert!(bad.to_string().contains("of unknown kind"), "{bad}");
}
