//! A minimal gzip writer (RFC 1952) using stored deflate blocks: a valid gzip stream that
//! any decoder accepts, for the fault of a proxy that compresses bodies it should not.

/// Most bytes of one stored deflate block.
const STORED_MAX: usize = 65_535;

/// `data` as a gzip stream of stored (uncompressed) deflate blocks.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    // Magic, deflate, no flags, no mtime, no extra flags, unknown OS.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut blocks = data.chunks(STORED_MAX).peekable();
    if blocks.peek().is_none() {
        // One final empty stored block.
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        let last = u8::from(blocks.peek().is_none());
        // The chunk is at most 65,535 bytes, so its length fits 16 bits.
        let len = block.len() as u16;
        out.push(last);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::gzip;

    #[test]
    fn framing_of_stored_blocks() {
        let data: Vec<u8> = (0..70_000u32).map(|i| (i % 253) as u8).collect();
        let z = gzip(&data);
        assert_eq!(&z[..3], &[0x1f, 0x8b, 8]);
        // Two blocks: 65,535 bytes (not final) then 4,465 (final).
        assert_eq!(&z[10..15], &[0, 0xff, 0xff, 0, 0]);
        let second = 15 + 65_535;
        assert_eq!(z[second], 1);
        assert_eq!(u16::from_le_bytes([z[second + 1], z[second + 2]]), 4_465);
        assert_eq!(&z[second + 5..second + 5 + 4_465], &data[65_535..]);
        assert_eq!(z.len(), 10 + 5 + 65_535 + 5 + 4_465 + 8);
        assert_eq!(&z[z.len() - 4..], &70_000u32.to_le_bytes());
        assert_eq!(gzip(&[]).len(), 10 + 5 + 8);
    }
}
