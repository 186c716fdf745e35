"""Rewrite a movie from ffmpeg's mov muxer into the layout of a CamHD archive file, which
pycamhd's parsing assumes: a 24-byte `ftyp`, then `mdat` with a 64-bit size, then `moov` at
the very end; six frames per chunk; chunk offsets in `co64`.

ffmpeg writes `ftyp` (20 bytes) `wide` `mdat` (32-bit size) `moov`, chunks of up to 1 MiB
and `stco`; pycamhd reads such a file wrongly, so the comparison tests use this layout.
Only single-track (video) movies are supported, which is all the tests need.
"""

import struct

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
FRAMES_PER_CHUNK = 6


def atoms(data, start=0, end=None):
    """(type, atom start, payload start, atom end) of the atoms in data[start:end]."""
    end = len(data) if end is None else end
    out = []
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[start + 8 : start + 16])[0]
            header = 16
        elif size == 0:
            size = end - start
        if size < header or start + size > end:
            raise ValueError(f"bad atom {kind!r} at {start}")
        out.append((kind, start, start + header, start + size))
        start += size
    return out


def table(data, payload, fmt):
    """Entries of a full-atom table (version/flags, count, entries of `fmt`)."""
    count = struct.unpack(">I", data[payload + 4 : payload + 8])[0]
    width = struct.calcsize(fmt)
    return [
        struct.unpack(fmt, data[payload + 8 + i * width : payload + 8 + (i + 1) * width])
        for i in range(count)
    ]


def sample_table(data, stbl_start, stbl_end):
    """(offset, size) of every sample of one stbl."""
    children = {kind: payload for kind, _, payload, _ in atoms(data, stbl_start, stbl_end)}
    p = children[b"stsz"]
    fixed, count = struct.unpack(">II", data[p + 4 : p + 12])
    sizes = (
        [fixed] * count
        if fixed
        else [struct.unpack(">I", data[p + 12 + 4 * i : p + 16 + 4 * i])[0] for i in range(count)]
    )
    if b"co64" in children:
        chunks = [c for (c,) in table(data, children[b"co64"], ">Q")]
    else:
        chunks = [c for (c,) in table(data, children[b"stco"], ">I")]
    runs = table(data, children[b"stsc"], ">III")
    samples, i = [], 0
    for r, (first, per_chunk, _) in enumerate(runs):
        last = runs[r + 1][0] - 1 if r + 1 < len(runs) else len(chunks)
        for chunk in range(first, last + 1):
            offset = chunks[chunk - 1]
            for _ in range(per_chunk):
                if i == count:
                    break
                samples.append((offset, sizes[i]))
                offset += sizes[i]
                i += 1
    if i != count:
        raise ValueError("sample table does not cover every sample")
    return samples


def box(kind, payload):
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def rebuild(data, start, end, new_stbl):
    """The atoms of data[start:end] with every stbl replaced by new_stbl(payload, end)."""
    out = b""
    for kind, atom_start, payload, atom_end in atoms(data, start, end):
        if kind == b"stbl":
            out += box(kind, new_stbl(payload, atom_end))
        elif kind in CONTAINERS:
            out += box(kind, rebuild(data, payload, atom_end, new_stbl))
        else:
            out += data[atom_start:atom_end]
    return out


def camhd_layout(src, dst):
    """Write the movie `src` (one video track, from ffmpeg) to `dst` in CamHD's layout."""
    with open(src, "rb") as f:
        data = f.read()
    top = {kind: (payload, end) for kind, _, payload, end in atoms(data)}
    moov_start, moov_end = top[b"moov"]
    stbls = []

    def collect(payload, end):
        stbls.append(sample_table(data, payload, end))
        return data[payload:end]

    rebuild(data, moov_start, moov_end, collect)
    if len(stbls) != 1:
        raise ValueError("expected exactly one track")
    samples = stbls[0]
    ftyp = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"qt  ", 0x20050300, b"qt  ", b"\0\0\0\0")
    payload = b"".join(data[o : o + s] for o, s in samples)
    mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + len(payload)) + payload
    first = len(ftyp) + 16
    offsets, at = [], first
    for _, size in samples:
        offsets.append(at)
        at += size
    chunk_offsets = offsets[::FRAMES_PER_CHUNK]
    n = len(samples)
    stsc_runs = [(1, min(n, FRAMES_PER_CHUNK), 1)]
    if n > FRAMES_PER_CHUNK and n % FRAMES_PER_CHUNK:
        stsc_runs.append((len(chunk_offsets), n % FRAMES_PER_CHUNK, 1))
    stsc = box(
        b"stsc", struct.pack(">II", 0, len(stsc_runs)) + b"".join(struct.pack(">III", *r) for r in stsc_runs)
    )
    co64 = box(
        b"co64",
        struct.pack(">II", 0, len(chunk_offsets)) + b"".join(struct.pack(">Q", c) for c in chunk_offsets),
    )

    def new_stbl(payload, end):
        out = b""
        for kind, atom_start, _, atom_end in atoms(data, payload, end):
            if kind == b"stsc":
                out += stsc
            elif kind in (b"stco", b"co64"):
                out += co64
            else:
                out += data[atom_start:atom_end]
        return out

    moov = box(b"moov", rebuild(data, moov_start, moov_end, new_stbl))
    with open(dst, "wb") as f:
        f.write(ftyp + mdat + moov)
