//! Building blocks for synthesized QuickTime movies: an atom writer, a `trak` builder,
//! and readers that serve a movie whose sample data is not in memory.

use std::cell::Cell;

use lazyqt_core::read_at::OutOfBounds;
use lazyqt_core::ReadAt;

/// Movie timescale of `mvhd` (QuickTime's customary 600).
pub const MOVIE_TIMESCALE: u32 = 600;
/// Creation time written to `mvhd`: 2017-07-01T00:00:00Z in seconds since 1904.
pub const CREATION_TIME: u32 = 1_498_867_200 + 2_082_844_800;
/// Length of the `ftyp` atom that starts the file.
pub const FTYP_LEN: u64 = 24;
/// Offset of the first sample byte: `ftyp`, then the 16-byte header of a 64-bit `mdat`.
pub const DATA_OFFSET: u64 = FTYP_LEN + 16;

/// An atom with a 32-bit size.
pub fn atom(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    cat(&[&(body.len() as u32 + 8).to_be_bytes(), kind, body])
}

/// A full atom: version 0, `flags`, body.
pub fn full(kind: &[u8; 4], flags: u32, body: &[u8]) -> Vec<u8> {
    atom(kind, &cat(&[&flags.to_be_bytes(), body]))
}

/// Concatenate byte strings.
pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Big-endian 32-bit fields.
pub fn be32s(values: impl IntoIterator<Item = u32>) -> Vec<u8> {
    values.into_iter().flat_map(u32::to_be_bytes).collect()
}

/// A table atom: entry count, then the entries' big-endian fields.
pub fn table(kind: &[u8; 4], count: usize, fields: Vec<u8>) -> Vec<u8> {
    full(kind, 0, &cat(&[&(count as u32).to_be_bytes(), &fields]))
}

/// The identity display matrix.
fn matrix() -> Vec<u8> {
    be32s([0x1_0000, 0, 0, 0, 0x1_0000, 0, 0, 0, 0x4000_0000])
}

/// `mhlr`/`dhlr` handler with a Pascal-string name, as QuickTime writes it.
fn hdlr(component: &[u8; 4], subtype: &[u8; 4], name: &[u8]) -> Vec<u8> {
    full(b"hdlr", 0, &cat(&[component, subtype, b"appl", &[0; 8], &[name.len() as u8], name]))
}

/// `ftyp` (brand `qt  `) and the header of a 64-bit `mdat` whose payload is `mdat_len`.
pub fn head(mdat_len: u64) -> Vec<u8> {
    let mut head = atom(b"ftyp", &cat(&[b"qt  ", &0x0000_0200u32.to_be_bytes(), b"qt  ", &[0; 4]]));
    debug_assert_eq!(head.len() as u64, FTYP_LEN);
    head.extend(1u32.to_be_bytes());
    head.extend(b"mdat");
    head.extend((mdat_len + 16).to_be_bytes());
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
#[derive(Debug, Clone, Copy)]
pub enum Sizes<'a> {
    /// Every sample has this size; the second field is the sample count.
    Constant(u32, u32),
    /// One size per sample.
    Each(&'a [u32]),
}

/// What one `trak` holds.
#[derive(Debug, Clone)]
pub struct TrakSpec<'a> {
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
    pub sizes: Sizes<'a>,
    /// Chunk offsets, written as `co64`.
    pub chunk_offsets: &'a [u64],
    /// Media time of the single edit (the first presented time).
    pub media_time: u32,
}

impl TrakSpec<'_> {
    /// Media duration: the sum of the `stts` runs.
    pub fn media_duration(&self) -> u64 {
        self.stts.iter().map(|&(n, d)| u64::from(n) * u64::from(d)).sum()
    }

    /// Duration in the movie timescale.
    pub fn movie_duration(&self) -> u32 {
        (self.media_duration() * u64::from(MOVIE_TIMESCALE) / u64::from(self.timescale)) as u32
    }
}

fn runs(kind: &[u8; 4], runs: &[(u32, u32)]) -> Vec<u8> {
    table(kind, runs.len(), be32s(runs.iter().flat_map(|&(a, b)| [a, b])))
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
    parts.push(match t.sizes {
        Sizes::Constant(size, count) => full(b"stsz", 0, &be32s([size, count])),
        Sizes::Each(s) => full(b"stsz", 0, &cat(&[&be32s([0, s.len() as u32]), &be32s(s.iter().copied())])),
    });
    let offsets: Vec<u8> = t.chunk_offsets.iter().flat_map(|o| o.to_be_bytes()).collect();
    parts.push(table(b"co64", t.chunk_offsets.len(), offsets));
    atom(b"stbl", &parts.concat())
}

/// One `trak` atom.
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

/// A `moov` atom holding `traks`.
pub fn moov(traks: &[TrakSpec]) -> Vec<u8> {
    let duration = traks.iter().map(TrakSpec::movie_duration).max().unwrap_or(0);
    let next_id = traks.iter().map(|t| t.id).max().unwrap_or(0) + 1;
    let mvhd = full(
        b"mvhd",
        0,
        &cat(&[
            &be32s([CREATION_TIME, CREATION_TIME, MOVIE_TIMESCALE, duration, 0x1_0000]),
            &0x100u16.to_be_bytes(),
            &[0; 10],
            &matrix(),
            &be32s([0, 0, 0, 0, 0, 0, next_id]),
        ]),
    );
    let mut parts = vec![mvhd];
    parts.extend(traks.iter().map(trak));
    atom(b"moov", &parts.concat())
}

/// A [`ReadAt`] over a synthesized movie: the head and `moov` are real, everything in
/// between reads as zeros, so a 13 GB file costs a few hundred kilobytes of memory.
#[derive(Debug, Clone, Copy)]
pub struct SparseMovie<'a> {
    head: &'a [u8],
    moov: &'a [u8],
    moov_offset: u64,
}

impl<'a> SparseMovie<'a> {
    /// A file made of `head` at 0, zeros, and `moov` at `moov_offset` (the end).
    pub fn new(head: &'a [u8], moov: &'a [u8], moov_offset: u64) -> Self {
        Self { head, moov, moov_offset }
    }
}

impl ReadAt for SparseMovie<'_> {
    type Error = OutOfBounds;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), OutOfBounds> {
        let err = OutOfBounds { offset, len: buf.len() };
        let end = offset.checked_add(buf.len() as u64).ok_or(err)?;
        if end > self.moov_offset + self.moov.len() as u64 {
            return Err(err);
        }
        buf.fill(0);
        for (start, bytes) in [(0, self.head), (self.moov_offset, self.moov)] {
            let (lo, hi) = (offset.max(start), end.min(start + bytes.len() as u64));
            if lo < hi {
                let dst = &mut buf[(lo - offset) as usize..(hi - offset) as usize];
                dst.copy_from_slice(&bytes[(lo - start) as usize..(hi - start) as usize]);
            }
        }
        Ok(())
    }

    fn len(&self) -> Result<u64, OutOfBounds> {
        Ok(self.moov_offset + self.moov.len() as u64)
    }
}

/// Counts the reads and bytes that go through a [`ReadAt`].
#[derive(Debug)]
pub struct Counting<R> {
    inner: R,
    reads: Cell<u64>,
    bytes: Cell<u64>,
}

/// What a [`Counting`] reader saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Calls to `read_exact_at`.
    pub reads: u64,
    /// Bytes asked for.
    pub bytes: u64,
}

impl<R> Counting<R> {
    /// Wrap a reader with zeroed counters.
    pub fn new(inner: R) -> Self {
        Self { inner, reads: Cell::new(0), bytes: Cell::new(0) }
    }

    /// The counts so far, and zero the counters.
    pub fn take(&self) -> Counts {
        Counts { reads: self.reads.replace(0), bytes: self.bytes.replace(0) }
    }
}

impl<R: ReadAt> ReadAt for Counting<R> {
    type Error = R::Error;

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), R::Error> {
        self.reads.set(self.reads.get() + 1);
        self.bytes.set(self.bytes.get() + buf.len() as u64);
        self.inner.read_exact_at(offset, buf)
    }

    fn len(&self) -> Result<u64, R::Error> {
        self.inner.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sparse_reader_serves_zeros_between_head_and_moov() {
        let (head, moov) = (head(100), atom(b"moov", &[7; 20]));
        let r = SparseMovie::new(&head, &moov, DATA_OFFSET + 100);
        let mut buf = [1u8; 64];
        r.read_exact_at(0, &mut buf).unwrap();
        assert_eq!(&buf[..40], &head[..]);
        assert!(buf[40..].iter().all(|&b| b == 0));
        let mut tail = [0u8; 36];
        r.read_exact_at(DATA_OFFSET + 100 - 8, &mut tail).unwrap();
        assert_eq!((&tail[..8], &tail[8..]), (&[0u8; 8][..], &moov[..]));
        assert!(r.read_exact_at(r.len().unwrap() - 1, &mut [0; 2]).is_err());
        assert_eq!(r.len().unwrap(), DATA_OFFSET + 128);
    }

    #[test]
    fn counting_counts_reads_and_bytes() {
        let data: &[u8] = &[0; 100];
        let c = Counting::new(data);
        c.read_exact_at(10, &mut [0; 20]).unwrap();
        c.read_exact_at(0, &mut [0; 5]).unwrap();
        assert_eq!(c.take(), Counts { reads: 2, bytes: 25 });
        assert_eq!(c.take(), Counts::default());
    }
}
