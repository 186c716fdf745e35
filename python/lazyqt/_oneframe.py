"""A QuickTime movie of one ProRes frame, so that compressed bytes handed over on their own
(pycamhd's `decode_frame_data`) decode through the same lazyqt path as frames of a movie.

The movie is what a movie with this one frame would be: `ftyp`, `mdat` holding the frame,
`moov` with one video track whose sample description takes the picture size and the fourcc
from the frame's own header.
"""

import struct

# ProRes frame header: frame size, 'icpf', header size, version, creator, width, height,
# flags (chroma format in the top two bits: 2 = 4:2:2, 3 = 4:4:4).
_HEADER = struct.Struct(">I4sHH4sHHB")
_FOURCC = {2: b"apcn", 3: b"ap4h"}
_TIMESCALE = 30000
_DURATION = 1001


def _box(kind, *parts):
    payload = b"".join(parts)
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full(kind, *parts):
    """An atom with version 0 and flags 0."""
    return _box(kind, b"\0\0\0\0", *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def prores_size(frame):
    """(width, height, fourcc) from a ProRes frame's header; ValueError if it is not one."""
    if len(frame) < _HEADER.size:
        raise ValueError(f"{len(frame)} bytes are not a ProRes frame")
    size, magic, _, _, _, width, height, flags = _HEADER.unpack_from(frame)
    fourcc = _FOURCC.get(flags >> 6)
    if magic != b"icpf" or size > len(frame) or not width or not height or fourcc is None:
        raise ValueError("the data is not a ProRes 422 or 4444 frame")
    return width, height, fourcc


def movie_of_frame(frame):
    """The bytes of a QuickTime movie whose only frame is the ProRes `frame` (bytes)."""
    width, height, fourcc = prores_size(frame)
    ftyp = _box(b"ftyp", b"qt  ", struct.pack(">I", 0x200), b"qt  ")
    mdat = _box(b"mdat", frame)
    sample_offset = len(ftyp) + 8
    entry = _box(
        fourcc,
        b"\0" * 6,
        struct.pack(">HHH4sIIHHIIIH", 1, 0, 0, b"lzqt", 0, 0x200, width, height, 72 << 16, 72 << 16, 0, 1),
        bytes(32),
        struct.pack(">Hh", 24, -1),
    )
    stbl = _box(
        b"stbl",
        _full(b"stsd", struct.pack(">I", 1), entry),
        _full(b"stts", struct.pack(">III", 1, 1, _DURATION)),
        _full(b"stsc", struct.pack(">IIII", 1, 1, 1, 1)),
        _full(b"stsz", struct.pack(">III", 0, 1, len(frame))),
        _full(b"stco", struct.pack(">II", 1, sample_offset)),
    )
    dinf = _box(b"dinf", _full(b"dref", struct.pack(">I", 1), _box(b"url ", b"\0\0\0\1")))
    minf = _box(b"minf", _box(b"vmhd", b"\0\0\0\1", bytes(8)), dinf, stbl)
    hdlr = _full(b"hdlr", b"mhlr", b"vide", bytes(12), b"\0")
    mdhd = _full(b"mdhd", struct.pack(">IIIIHH", 0, 0, _TIMESCALE, _DURATION, 0, 0))
    tkhd = _box(
        b"tkhd",
        b"\0\0\0\3",
        struct.pack(">IIIII", 0, 0, 1, 0, _DURATION),
        bytes(8),
        struct.pack(">hhhH", 0, 0, 0, 0),
        _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )
    trak = _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))
    mvhd = _full(
        b"mvhd",
        struct.pack(">IIII", 0, 0, _TIMESCALE, _DURATION),
        struct.pack(">IH", 0x10000, 0x100),
        bytes(10),
        _MATRIX,
        bytes(24),
        struct.pack(">I", 2),
    )
    return ftyp + mdat + _box(b"moov", mvhd, trak)
