//! `stsd`: the sample description — codec, picture size, audio format or timecode
//! parameters — and where its extension atoms (avcC, hvcC, glbl, colr, fiel, pasp, esds…)
//! lie, so a decoder can be configured from them.

use super::table::be32;
use super::{read_body, truncated};
use crate::atom::{read_array, AtomHeader, Children};
use crate::error::{Error, ErrorKind, Result};
use crate::fourcc::{codes, FourCC};
use crate::read_at::ReadAt;

/// Most extension atoms remembered per sample entry.
pub const MAX_EXTENSIONS: usize = 12;

/// An atom inside a sample entry, located but not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension {
    /// Atom type, e.g. `avcC`.
    pub kind: FourCC,
    /// File offset of its payload.
    pub offset: u64,
    /// Payload length.
    pub len: u64,
}

/// Colour description from a `colr` atom (`nclc` or `nclx`), as ITU-T H.273 codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Color {
    /// Colour primaries (1 = BT.709).
    pub primaries: u16,
    /// Transfer characteristics.
    pub transfer: u16,
    /// Matrix coefficients (1 = BT.709, 6 = BT.601).
    pub matrix: u16,
    /// Full range (only `nclx` says; `None` otherwise).
    pub full_range: Option<bool>,
}

/// A visual sample entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Visual {
    /// Coded width in pixels.
    pub width: u16,
    /// Coded height in pixels.
    pub height: u16,
    /// Bit depth field (24 = colour, 32 = with alpha…).
    pub depth: u16,
    compressor: [u8; 31],
    compressor_len: u8,
    /// Colour description, when a `colr` atom is present.
    pub color: Option<Color>,
}

impl Visual {
    /// The compressor name (e.g. "Apple ProRes 422"), if it is valid UTF-8.
    pub fn compressor_name(&self) -> Option<&str> {
        let bytes = self.compressor.get(..usize::from(self.compressor_len))?;
        core::str::from_utf8(bytes).ok()
    }
}

/// A sound sample entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Audio {
    /// Sound entry version (0, 1 or 2 in QuickTime).
    pub version: u16,
    /// Channel count.
    pub channels: u32,
    /// Bits per sample.
    pub sample_size: u32,
    /// Sample rate in Hz (integer part).
    pub sample_rate: u32,
}

/// A timecode (`tmcd`) sample entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timecode {
    /// Flags: 1 = drop frame, 2 = wraps at 24 h, 4 = negative allowed, 8 = counter.
    pub flags: u32,
    /// Time scale of the timecode.
    pub timescale: u32,
    /// Duration of one frame in `timescale` units.
    pub frame_duration: u32,
    /// Frames per second (rounded), e.g. 30 for 29.97.
    pub frames_per_second: u8,
}

impl Timecode {
    /// Is this drop-frame timecode?
    pub fn drop_frame(&self) -> bool {
        self.flags & 1 != 0
    }
}

/// What the sample entry says, by media kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Details {
    /// Video.
    Visual(Visual),
    /// Sound.
    Audio(Audio),
    /// Timecode.
    Timecode(Timecode),
    /// Anything else: only the format code is known.
    #[default]
    Other,
}

/// The first sample description of a track.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SampleEntry {
    /// Format code: the codec (`apcn`, `avc1`, `in24`, `tmcd`…).
    pub format: FourCC,
    /// Number of sample descriptions in `stsd` (only the first is parsed).
    pub entry_count: u32,
    /// File offset of the entry.
    pub offset: u64,
    /// Entry size in bytes.
    pub size: u64,
    /// Kind-specific fields.
    pub details: Details,
    /// Extension atoms, in file order.
    pub extensions: heapless::Vec<Extension, MAX_EXTENSIONS>,
}

impl SampleEntry {
    /// The first extension atom of type `kind` (e.g. `avcC` for decoder extradata).
    pub fn extension(&self, kind: FourCC) -> Option<Extension> {
        self.extensions.iter().find(|e| e.kind == kind).copied()
    }

    /// The visual fields, for a video entry.
    pub fn visual(&self) -> Option<&Visual> {
        match &self.details {
            Details::Visual(v) => Some(v),
            _ => None,
        }
    }
}

/// Fixed part after the 8-byte entry header: reserved(6) + data reference index(2).
const ENTRY_PREFIX: u64 = 16;
/// Visual fields after the prefix.
const VISUAL_LEN: u64 = 70;
/// Sound fields (version 0) after the prefix.
const AUDIO_LEN: u64 = 20;
/// Timecode fields after the prefix.
const TMCD_LEN: u64 = 18;

fn be16(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(&[x, y]) => u16::from_be_bytes([x, y]),
        _ => 0,
    }
}

/// Parse `stsd` for a track whose handler subtype is `handler` (`vide`, `soun`, `tmcd`…).
pub fn parse<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader, handler: FourCC) -> Result<SampleEntry, R::Error> {
    let mut out = SampleEntry::default();
    parse_into(r, h, handler, &mut out)?;
    Ok(out)
}

/// [`parse`] into `out`, replacing all it held: for an entry already in its final place
/// (a `SampleEntry` is several hundred bytes; a small stack should not hold copies).
pub fn parse_into<R: ReadAt + ?Sized>(
    r: &R,
    h: &AtomHeader,
    handler: FourCC,
    out: &mut SampleEntry,
) -> Result<(), R::Error> {
    let (head, len) = read_body::<R, 8>(r, h)?;
    if len < 8 {
        return Err(truncated(h));
    }
    let entry_count = be32(&head, 4);
    let entries_start = h.body_offset() + 8;
    let entry = match Children::new(entries_start, h.end()).next(r) {
        Some(e) => e?,
        None => return Err(Error::format(ErrorKind::Missing, codes::STSD, h.offset)),
    };
    out.format = entry.kind;
    out.entry_count = entry_count;
    out.offset = entry.offset;
    out.size = entry.size;
    out.extensions.clear();
    let fields = entry.body_offset() + 8; // past reserved(6) + data_reference_index(2)
    let (details, fixed) = if handler == codes::VIDE && entry.size >= ENTRY_PREFIX + VISUAL_LEN {
        let b: [u8; 70] = read_array(r, fields)?;
        let mut v =
            Visual { width: be16(&b, 16), height: be16(&b, 18), depth: be16(&b, 66), ..Visual::default() };
        let name_len = usize::from(b.get(34).copied().unwrap_or(0)).min(31);
        if let (Some(dst), Some(src)) = (v.compressor.get_mut(..name_len), b.get(35..35 + name_len)) {
            dst.copy_from_slice(src);
            v.compressor_len = name_len as u8;
        }
        (Details::Visual(v), VISUAL_LEN)
    } else if handler == codes::SOUN && entry.size >= ENTRY_PREFIX + AUDIO_LEN {
        let b: [u8; 20] = read_array(r, fields)?;
        let version = be16(&b, 0);
        let mut a = Audio {
            version,
            channels: u32::from(be16(&b, 8)),
            sample_size: u32::from(be16(&b, 10)),
            sample_rate: be32(&b, 16) >> 16,
        };
        let extra = match version {
            1 => 16,
            2 => 36,
            _ => 0,
        };
        if version == 2 && entry.size >= ENTRY_PREFIX + AUDIO_LEN + extra {
            let v2: [u8; 36] = read_array(r, fields + AUDIO_LEN)?;
            let rate = f64::from_bits(u64::from(be32(&v2, 4)) << 32 | u64::from(be32(&v2, 8)));
            a.sample_rate = if (0.0..4.0e9).contains(&rate) { rate as u32 } else { 0 };
            a.channels = be32(&v2, 12);
            a.sample_size = be32(&v2, 20);
        }
        (Details::Audio(a), AUDIO_LEN + extra)
    } else if entry.kind == codes::TMCD && entry.size >= ENTRY_PREFIX + TMCD_LEN {
        let b: [u8; 18] = read_array(r, fields)?;
        let t = Timecode {
            flags: be32(&b, 4),
            timescale: be32(&b, 8),
            frame_duration: be32(&b, 12),
            frames_per_second: b.get(16).copied().unwrap_or(0),
        };
        (Details::Timecode(t), TMCD_LEN)
    } else {
        (Details::Other, 0)
    };
    out.details = details;
    let ext_start = fields + fixed;
    if fixed > 0 && ext_start < entry.end() {
        let mut children = Children::new(ext_start, entry.end());
        while let Some(child) = children.next(r) {
            // Some writers pad entries with zeros or junk: stop quietly at the first bad child.
            let Ok(child) = child else { break };
            if child.kind == FourCC::new(b"colr") {
                if let Details::Visual(v) = &mut out.details {
                    v.color = parse_colr(r, &child)?;
                }
            }
            let ext = Extension { kind: child.kind, offset: child.body_offset(), len: child.body_len() };
            if out.extensions.push(ext).is_err() {
                break;
            }
        }
    }
    Ok(())
}

fn parse_colr<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader) -> Result<Option<Color>, R::Error> {
    let (b, len) = read_body::<R, 11>(r, h)?;
    if len < 10 {
        return Ok(None);
    }
    let kind = b.get(..4);
    if kind != Some(b"nclc") && kind != Some(b"nclx") {
        return Ok(None);
    }
    let full_range = if kind == Some(b"nclx") && len >= 11 { b.get(10).map(|f| f & 0x80 != 0) } else { None };
    Ok(Some(Color { primaries: be16(&b, 4), transfer: be16(&b, 6), matrix: be16(&b, 8), full_range }))
}
