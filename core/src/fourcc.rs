//! Four-character codes: atom types, codec tags, brands.

use core::fmt;

/// A four-byte code such as `moov`, `apcn` or `©swr`. Any byte value is allowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FourCC(pub [u8; 4]);

impl FourCC {
    /// Build from a byte string literal: `FourCC::new(b"moov")`.
    pub const fn new(code: &[u8; 4]) -> Self {
        Self(*code)
    }

    /// The code as a `&str` when all four bytes are printable ASCII.
    pub fn as_str(&self) -> Option<&str> {
        if self.0.iter().all(|b| (0x20..0x7f).contains(b)) {
            core::str::from_utf8(&self.0).ok()
        } else {
            None
        }
    }
}

impl fmt::Display for FourCC {
    /// Printable ASCII as is, 0xA9 as `©` (QuickTime's user-data prefix), anything else `\xNN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in &self.0 {
            match b {
                0x20..=0x7e => write!(f, "{}", b as char)?,
                0xa9 => f.write_str("©")?,
                _ => write!(f, "\\x{b:02x}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for FourCC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FourCC(\"{self}\")")
    }
}

/// Atom and codec codes the parser looks for.
#[allow(missing_docs)]
pub mod codes {
    use super::FourCC;
    pub const FTYP: FourCC = FourCC::new(b"ftyp");
    pub const MOOV: FourCC = FourCC::new(b"moov");
    pub const MDAT: FourCC = FourCC::new(b"mdat");
    pub const MVHD: FourCC = FourCC::new(b"mvhd");
    pub const TRAK: FourCC = FourCC::new(b"trak");
    pub const TKHD: FourCC = FourCC::new(b"tkhd");
    pub const EDTS: FourCC = FourCC::new(b"edts");
    pub const ELST: FourCC = FourCC::new(b"elst");
    pub const MDIA: FourCC = FourCC::new(b"mdia");
    pub const MDHD: FourCC = FourCC::new(b"mdhd");
    pub const HDLR: FourCC = FourCC::new(b"hdlr");
    pub const MINF: FourCC = FourCC::new(b"minf");
    pub const STBL: FourCC = FourCC::new(b"stbl");
    pub const STSD: FourCC = FourCC::new(b"stsd");
    pub const STTS: FourCC = FourCC::new(b"stts");
    pub const CTTS: FourCC = FourCC::new(b"ctts");
    pub const STSS: FourCC = FourCC::new(b"stss");
    pub const STSC: FourCC = FourCC::new(b"stsc");
    pub const STSZ: FourCC = FourCC::new(b"stsz");
    pub const STZ2: FourCC = FourCC::new(b"stz2");
    pub const STCO: FourCC = FourCC::new(b"stco");
    pub const CO64: FourCC = FourCC::new(b"co64");
    pub const UUID: FourCC = FourCC::new(b"uuid");
    pub const VIDE: FourCC = FourCC::new(b"vide");
    pub const SOUN: FourCC = FourCC::new(b"soun");
    pub const TMCD: FourCC = FourCC::new(b"tmcd");
    pub const MHLR: FourCC = FourCC::new(b"mhlr");
    /// Placeholder for errors about the file as a whole.
    pub const FILE: FourCC = FourCC::new(b"file");
}
