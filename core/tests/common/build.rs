//! A tiny atom writer for hand-crafted movies: what ffmpeg will not write.

/// An atom with a 32-bit size.
pub fn atom(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(body);
    v
}

/// An atom with a 64-bit size (size field 1).
pub fn atom64(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = 1u32.to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(&((body.len() + 16) as u64).to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// A full box: version, flags, body.
pub fn full(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
    let mut b = vec![version, 0, 0, 0];
    b.extend_from_slice(body);
    atom(kind, &b)
}

/// Concatenate byte pieces.
pub fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn be32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// A table box: count then entries of u32 fields.
pub fn table(kind: &[u8; 4], entries: &[&[u32]]) -> Vec<u8> {
    let mut b = (entries.len() as u32).to_be_bytes().to_vec();
    for e in entries {
        b.extend(be32s(e));
    }
    full(kind, 0, &b)
}

/// How to lay out one synthetic video track.
pub struct TrackSpec {
    /// Sample sizes.
    pub sizes: Vec<u32>,
    /// stsc runs: (first chunk, samples per chunk).
    pub stsc: Vec<(u32, u32)>,
    /// Chunk offsets.
    pub chunks: Vec<u64>,
    /// Write co64 instead of stco.
    pub co64: bool,
    /// stts runs: (count, delta).
    pub stts: Vec<(u32, u32)>,
    /// Optional stss (1-based sample numbers).
    pub stss: Option<Vec<u32>>,
}

/// A `vide` trak with an `apcn` 1920x1080 sample entry.
pub fn video_trak(spec: &TrackSpec) -> Vec<u8> {
    let mut tkhd = vec![0u8; 80];
    tkhd[8..12].copy_from_slice(&1u32.to_be_bytes()); // track id
    tkhd[72..76].copy_from_slice(&(1920u32 << 16).to_be_bytes());
    tkhd[76..80].copy_from_slice(&(1080u32 << 16).to_be_bytes());
    let mut mdhd = vec![0u8; 20];
    mdhd[8..12].copy_from_slice(&30000u32.to_be_bytes());
    let total: u32 = spec.stts.iter().map(|(n, d)| n * d).sum();
    mdhd[12..16].copy_from_slice(&total.to_be_bytes());
    let mut hdlr = b"mhlrvide".to_vec();
    hdlr.extend_from_slice(&[0; 12]);
    let mut entry = vec![0u8; 6];
    entry.extend_from_slice(&1u16.to_be_bytes());
    let mut visual = vec![0u8; 70];
    visual[16..18].copy_from_slice(&1920u16.to_be_bytes());
    visual[18..20].copy_from_slice(&1080u16.to_be_bytes());
    visual[34] = 16;
    visual[35..51].copy_from_slice(b"Apple ProRes 422");
    visual[66..68].copy_from_slice(&24u16.to_be_bytes());
    entry.extend(visual);
    entry.extend(atom(b"fiel", &[1, 0]));
    let mut stsd = 1u32.to_be_bytes().to_vec();
    stsd.extend(atom(b"apcn", &entry));
    let stts: Vec<Vec<u32>> = spec.stts.iter().map(|&(n, d)| vec![n, d]).collect();
    let stsc: Vec<Vec<u32>> = spec.stsc.iter().map(|&(f, n)| vec![f, n, 1]).collect();
    let mut stsz = vec![0u8; 4];
    stsz.extend((spec.sizes.len() as u32).to_be_bytes());
    stsz.extend(be32s(&spec.sizes));
    let chunks = if spec.co64 {
        let mut b = (spec.chunks.len() as u32).to_be_bytes().to_vec();
        b.extend(spec.chunks.iter().flat_map(|c| c.to_be_bytes()));
        full(b"co64", 0, &b)
    } else {
        let offs: Vec<u32> = spec.chunks.iter().map(|&c| c as u32).collect();
        let e: Vec<&[u32]> = offs.iter().map(std::slice::from_ref).collect();
        table(b"stco", &e)
    };
    let mut stbl = vec![
        full(b"stsd", 0, &stsd),
        table(b"stts", &stts.iter().map(|v| v.as_slice()).collect::<Vec<_>>()),
        table(b"stsc", &stsc.iter().map(|v| v.as_slice()).collect::<Vec<_>>()),
        full(b"stsz", 0, &stsz),
        chunks,
    ];
    if let Some(ss) = &spec.stss {
        let e: Vec<&[u32]> = ss.iter().map(std::slice::from_ref).collect();
        stbl.push(table(b"stss", &e));
    }
    atom(
        b"trak",
        &cat(&[
            full(b"tkhd", 0, &tkhd),
            atom(
                b"mdia",
                &cat(&[
                    full(b"mdhd", 0, &mdhd),
                    full(b"hdlr", 0, &hdlr),
                    atom(b"minf", &atom(b"stbl", &cat(&stbl))),
                ]),
            ),
        ]),
    )
}

/// A `moov` with an `mvhd` (timescale 600) and the given traks.
pub fn moov(traks: &[Vec<u8>]) -> Vec<u8> {
    let mut mvhd = vec![0u8; 96];
    mvhd[0..4].copy_from_slice(&3_600_000_000u32.to_be_bytes()); // creation time
    mvhd[8..12].copy_from_slice(&600u32.to_be_bytes());
    let mut parts = vec![full(b"mvhd", 0, &mvhd)];
    parts.extend(traks.iter().cloned());
    atom(b"moov", &cat(&parts))
}

/// `ftyp` with brand `qt  `.
pub fn ftyp() -> Vec<u8> {
    atom(b"ftyp", b"qt  \x20\x05\x03\x00qt  ")
}
