//! A QuickTime atom writer for hand-crafted movies: what ffmpeg will not write (64-bit sizes,
//! `co64` offsets beyond 4 GiB, multi-run `stsc`, lying counts) and CamHD's exact layout
//! without its picture data.
//!
//! The pieces: [`atom`], [`atom64`], [`full`] and [`table`]/[`runs`] write single atoms;
//! [`head`] the start of a CamHD file (`ftyp`, then a 64-bit `mdat` header); [`TrakSpec`] and
//! [`trak`]/[`moov`] a whole `moov` as QuickTime writes it (`tkhd`, `edts`, `mdia` with
//! `mdhd`, `hdlr`, `minf` with a media header, a data handler, `dinf` and `stbl`).

/// Movie timescale of `mvhd` (QuickTime's customary 600).
pub const MOVIE_TIMESCALE: u32 = 600;
/// Creation time written to `mvhd` and every `tkhd`/`mdhd`: 2017-07-01T00:00:00Z in seconds
/// since 1904.
pub const CREATION_TIME: u32 = 1_498_867_200 + 2_082_844_800;
/// Length of the `ftyp` atom that starts the file (24 bytes, as CamHD's).
pub const FTYP_LEN: u64 = 24;
/// Offset of the first sample byte after [`head`]: `ftyp`, then the 16-byte header of a
/// 64-bit `mdat`.
pub const DATA_OFFSET: u64 = FTYP_LEN + 16;

/// An atom with a 32-bit size.
pub fn atom(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    cat(&[&(body.len() as u32 + 8).to_be_bytes(), kind, body])
}

/// Where the first atom of type `kind` in `bytes` starts (found by its type bytes) and its
/// 32-bit size: for tests that damage a built or generated movie in place.
pub fn atom_at(bytes: &[u8], kind: &[u8; 4]) -> (usize, u32) {
    let at = bytes.windows(4).position(|w| w == kind).unwrap_or_else(|| panic!("no {kind:?} atom")) - 4;
    (at, u32::from_be_bytes(bytes[at..at + 4].try_into().expect("four bytes")))
}

/// Overwrites the 32-bit size of the atom starting at `at`.
pub fn set_size(bytes: &mut [u8], at: usize, size: u32) {
    bytes[at..at + 4].copy_from_slice(&size.to_be_bytes());
}

/// Makes the `nth` (0-based) `stsz` atom in `bytes` claim `count` samples: a table that lies
/// about its length. After the type come the version and flags, the sample size, the count.
pub fn set_stsz_count(bytes: &mut [u8], nth: usize, count: u32) {
    let (at, _) =
        bytes.windows(4).enumerate().filter(|(_, w)| w == b"stsz").nth(nth).expect("that many stsz");
    bytes[at + 12..at + 16].copy_from_slice(&count.to_be_bytes());
}

/// An atom with a 64-bit size (size field 1, the real size after the type).
pub fn atom64(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    cat(&[&1u32.to_be_bytes(), kind, &(body.len() as u64 + 16).to_be_bytes(), body])
}

/// A full atom: the 32-bit version-and-flags word (version in the top byte), then the body.
pub fn full(kind: &[u8; 4], version_flags: u32, body: &[u8]) -> Vec<u8> {
    atom(kind, &cat(&[&version_flags.to_be_bytes(), body]))
}

/// Concatenate byte strings.
pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Big-endian 32-bit fields.
pub fn be32s(values: impl IntoIterator<Item = u32>) -> Vec<u8> {
    values.into_iter().flat_map(u32::to_be_bytes).collect()
}

/// A table atom (version 0): entry count, then the entries' big-endian fields.
pub fn table(kind: &[u8; 4], count: usize, fields: Vec<u8>) -> Vec<u8> {
    full(kind, 0, &cat(&[&(count as u32).to_be_bytes(), &fields]))
}

/// A table of (u32, u32) entries: `stts` and `ctts` runs.
pub fn runs(kind: &[u8; 4], runs: &[(u32, u32)]) -> Vec<u8> {
    table(kind, runs.len(), be32s(runs.iter().flat_map(|&(a, b)| [a, b])))
}

/// The identity display matrix.
fn matrix() -> Vec<u8> {
    be32s([0x1_0000, 0, 0, 0, 0x1_0000, 0, 0, 0, 0x4000_0000])
}

/// `mhlr`/`dhlr` handler with a Pascal-string name, as QuickTime writes it.
fn hdlr(component: &[u8; 4], subtype: &[u8; 4], name: &[u8]) -> Vec<u8> {
    full(b"hdlr", 0, &cat(&[component, subtype, b"appl", &[0; 8], &[name.len() as u8], name]))
}

/// `ftyp` as CamHD's: brand `qt  `, minor version 0x200, compatible `qt  ` and a zero brand.
pub fn ftyp() -> Vec<u8> {
    atom(b"ftyp", &cat(&[b"qt  ", &0x0000_0200u32.to_be_bytes(), b"qt  ", &[0; 4]]))
}

/// [`ftyp`] and the header of a 64-bit `mdat` whose payload is `mdat_len` bytes: the first
/// [`DATA_OFFSET`] bytes of a CamHD file.
pub fn head(mdat_len: u64) -> Vec<u8> {
    let head = cat(&[&ftyp(), &1u32.to_be_bytes(), b"mdat", &(mdat_len + 16).to_be_bytes()]);
    debug_assert_eq!(head.len() as u64, DATA_OFFSET);
    head
}

/// A QuickTime visual sample entry (1920x1080) with `colr`, `fiel`, `pasp` and `extra` atoms.
pub fn visual_entry(format: &[u8; 4], name: &[u8], extra: &[u8]) -> Vec<u8> {
    let mut compressor = [0u8; 32];
    compressor[0] = name.len() as u8;
    compressor[1..=name.len()].copy_from_slice(name);
    let fields = cat(&[
        &[0; 6],
        &1u16.to_be_bytes(),
        &[0; 4],
        b"appl",
        &be32s([0, 0x400]),
        &1920u16.to_be_bytes(),
        &1080u16.to_be_bytes(),
        &be32s([72 << 16, 72 << 16, 0]),
        &1u16.to_be_bytes(),
        &compressor,
        &24u16.to_be_bytes(),
        &0xffffu16.to_be_bytes(),
        extra,
        &atom(b"colr", &cat(&[b"nclc", &[0, 1, 0, 1, 0, 1]])),
        &atom(b"fiel", &[1, 0]),
        &atom(b"pasp", &be32s([1, 1])),
    ]);
    atom(format, &fields)
}

/// A QuickTime version-0 sound sample entry (as FFmpeg writes PCM).
pub fn sound_entry(format: &[u8; 4], channels: u16, bits: u16, rate: u32) -> Vec<u8> {
    let fields = cat(&[
        &[0; 6],
        &1u16.to_be_bytes(),
        &[0; 8],
        &channels.to_be_bytes(),
        &bits.to_be_bytes(),
        &[0; 4],
        &(rate << 16).to_be_bytes(),
    ]);
    atom(format, &fields)
}

/// Sample sizes of a track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sizes {
    /// Every sample has this size; the second field is the sample count.
    Constant(u32, u32),
    /// One size per sample.
    Each(Vec<u32>),
}

impl Sizes {
    /// Size of sample `i` (0-based).
    pub fn get(&self, i: usize) -> u32 {
        match self {
            Sizes::Constant(size, _) => *size,
            Sizes::Each(s) => s[i],
        }
    }
}

/// What one `trak` holds. Start from [`TrakSpec::prores`] and change what a test needs.
#[derive(Debug, Clone)]
pub struct TrakSpec {
    /// Track id.
    pub id: u32,
    /// Handler subtype: `vide` or `soun`.
    pub handler: [u8; 4],
    /// The sample entry atom (see [`visual_entry`], [`sound_entry`]).
    pub entry: Vec<u8>,
    /// Media timescale.
    pub timescale: u32,
    /// `stts` runs: (count, delta).
    pub stts: Vec<(u32, u32)>,
    /// `ctts` runs: (count, offset).
    pub ctts: Option<Vec<(u32, u32)>>,
    /// `stss`: 1-based sync sample numbers.
    pub stss: Option<Vec<u32>>,
    /// `stsc` runs: (first chunk, samples per chunk).
    pub stsc: Vec<(u32, u32)>,
    /// Sample sizes.
    pub sizes: Sizes,
    /// Chunk offsets.
    pub chunk_offsets: Vec<u64>,
    /// Write the chunk offsets as `co64` (64-bit) rather than `stco`.
    pub co64: bool,
    /// Media time of the single edit (the first presented time).
    pub media_time: u32,
}

impl TrakSpec {
    /// Track 1: CamHD's video (`apcn` ProRes 422, 1920x1080, timescale 30000, 1001 per frame,
    /// every frame a sync frame), samples of `sizes` in one chunk at [`DATA_OFFSET`], `co64`.
    pub fn prores(sizes: Vec<u32>) -> Self {
        let n = sizes.len() as u32;
        TrakSpec {
            id: 1,
            handler: *b"vide",
            entry: visual_entry(b"apcn", b"Apple ProRes 422", &[]),
            timescale: 30_000,
            stts: vec![(n, 1001)],
            ctts: None,
            stss: None,
            stsc: vec![(1, n)],
            sizes: Sizes::Each(sizes),
            chunk_offsets: vec![DATA_OFFSET],
            co64: true,
            media_time: 0,
        }
    }

    /// Media duration: the sum of the `stts` runs.
    pub fn media_duration(&self) -> u64 {
        self.stts.iter().map(|&(n, d)| u64::from(n) * u64::from(d)).sum()
    }

    /// Duration in the movie timescale.
    pub fn movie_duration(&self) -> u32 {
        (self.media_duration() * u64::from(MOVIE_TIMESCALE) / u64::from(self.timescale)) as u32
    }
}

fn stbl(t: &TrakSpec) -> Vec<u8> {
    let mut parts = vec![full(b"stsd", 0, &cat(&[&1u32.to_be_bytes(), &t.entry])), runs(b"stts", &t.stts)];
    if let Some(ctts) = &t.ctts {
        parts.push(runs(b"ctts", ctts));
    }
    if let Some(stss) = &t.stss {
        parts.push(table(b"stss", stss.len(), be32s(stss.iter().copied())));
    }
    parts.push(table(b"stsc", t.stsc.len(), be32s(t.stsc.iter().flat_map(|&(f, n)| [f, n, 1]))));
    parts.push(match &t.sizes {
        Sizes::Constant(size, count) => full(b"stsz", 0, &be32s([*size, *count])),
        Sizes::Each(s) => full(b"stsz", 0, &cat(&[&be32s([0, s.len() as u32]), &be32s(s.iter().copied())])),
    });
    let offsets = &t.chunk_offsets;
    parts.push(if t.co64 {
        table(b"co64", offsets.len(), offsets.iter().flat_map(|o| o.to_be_bytes()).collect())
    } else {
        table(b"stco", offsets.len(), be32s(offsets.iter().map(|&o| o as u32)))
    });
    atom(b"stbl", &parts.concat())
}

/// One `trak` atom; its `stbl` is the last atom in it (tests may append to it).
pub fn trak(t: &TrakSpec) -> Vec<u8> {
    let video = &t.handler == b"vide";
    let duration = t.movie_duration();
    let (size, volume) = if video { ([1920 << 16, 1080 << 16], 0) } else { ([0, 0], 0x0100_0000) };
    let tkhd = full(
        b"tkhd",
        0xf,
        &cat(&[
            &be32s([CREATION_TIME, CREATION_TIME, t.id, 0, duration, 0, 0, 0, volume]),
            &matrix(),
            &be32s(size),
        ]),
    );
    let edts = atom(b"edts", &table(b"elst", 1, be32s([duration, t.media_time, 0x1_0000])));
    let media_duration = t.media_duration() as u32;
    let mdhd = full(
        b"mdhd",
        0,
        &cat(&[&be32s([CREATION_TIME, CREATION_TIME, t.timescale, media_duration]), &[0; 4]]),
    );
    let (header, name): (Vec<u8>, &[u8]) = if video {
        (full(b"vmhd", 1, &[0, 0x40, 0x80, 0, 0x80, 0, 0x80, 0]), b"Apple Video Media Handler")
    } else {
        (full(b"smhd", 0, &[0; 4]), b"Apple Sound Media Handler")
    };
    let dinf = atom(b"dinf", &full(b"dref", 0, &cat(&[&1u32.to_be_bytes(), &full(b"alis", 1, &[])])));
    let minf = atom(
        b"minf",
        &cat(&[&header, &hdlr(b"dhlr", b"alis", b"Apple Alias Data Handler"), &dinf, &stbl(t)]),
    );
    let mdia = atom(b"mdia", &cat(&[&mdhd, &hdlr(b"mhlr", &t.handler, name), &minf]));
    atom(b"trak", &cat(&[&tkhd, &edts, &mdia]))
}

/// A `moov` atom of the tracks `specs` describe, its `mvhd` giving the longest track's
/// duration and the next free track id.
pub fn moov(specs: &[TrakSpec]) -> Vec<u8> {
    let duration = specs.iter().map(TrakSpec::movie_duration).max().unwrap_or(0);
    let next_id = specs.iter().map(|t| t.id).max().unwrap_or(0) + 1;
    moov_from(&specs.iter().map(trak).collect::<Vec<_>>(), duration, next_id)
}

/// A `moov` atom of an `mvhd` (timescale [`MOVIE_TIMESCALE`], created at [`CREATION_TIME`])
/// and `trak` atoms as given (from [`trak`], perhaps altered byte by byte by a test).
pub fn moov_from(traks: &[Vec<u8>], duration: u32, next_track_id: u32) -> Vec<u8> {
    let mvhd = full(
        b"mvhd",
        0,
        &cat(&[
            &be32s([CREATION_TIME, CREATION_TIME, MOVIE_TIMESCALE, duration, 0x1_0000]),
            &0x100u16.to_be_bytes(),
            &[0; 10],
            &matrix(),
            &be32s([0, 0, 0, 0, 0, 0, next_track_id]),
        ]),
    );
    let mut parts = vec![mvhd];
    parts.extend(traks.iter().cloned());
    atom(b"moov", &parts.concat())
}
