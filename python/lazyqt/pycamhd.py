"""pycamhd 0.7's functions over lazyqt: switch a notebook by changing one import line,

    import lazyqt.pycamhd as camhd      # instead of: import pycamhd as camhd

Same names, arguments, defaults and results as pycamhd 0.7 (frame numbers 0-based; lists of
Python ints; bytes; numpy arrays shaped and typed as pycamhd's), for local paths and
http(s):// URLs alike, with lazyqt's range reads, caches and decoders underneath. Movies stay
open between calls (a few at a time), so `moov_atom` is accepted everywhere pycamhd takes it
but is not needed; the chunk functions read their table from it when given.

Where pycamhd 0.7 fails under Python 3 or misreads a file, this module does what pycamhd
meant: see python/README.md ("pycamhd drop-in") for the list.
"""

import contextlib
import operator
import os
import struct
import sys
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from ._archive import get_file_list, get_stats
from ._avi import get_avi_file
from ._errors import ChangedUpstreamError
from ._lib import lib
from ._movie import Movie
from ._oneframe import movie_of_frame

#: The pycamhd version whose functions this module reproduces.
__version__ = VERSION = "0.7.0"

# Seconds from the QuickTime epoch (1904) to the Unix epoch, as pycamhd subtracts them.
_QUICKTIME_EPOCH = 2082844800

# pycamhd's pix_fmt names -> the FFmpeg format lazyqt converts to: the names PyAV resolves
# to one of the nine formats pycamhd accepts, FFmpeg's aliases included ('gray8', 'y8', 'y16',
# and 'rgb48', 'bgr48', 'gray16' for the native byte order).
_NATIVE = "le" if sys.byteorder == "little" else "be"
_PIX_FMTS = {name: name for name in ("rgb24", "bgr24", "gray")}
_PIX_FMTS.update(gray8="gray", y8="gray")
for _base in ("rgb48", "bgr48", "gray16"):
    _PIX_FMTS.update({_base + "le": _base + "le", _base + "be": _base + "be", _base: _base + _NATIVE})
_PIX_FMTS["y16"] = "gray16" + _NATIVE

_SUPPORTED = "'rgb24', 'bgr24', 'rgb48le', 'rgb48be', 'bgr48le', 'bgr48be', 'gray', 'gray16le', or 'gray16be'"

# -- open movies --------------------------------------------------------------------------

_MAX_OPEN = 8
_open_kwargs = {}
_lock = threading.Lock()


class _Open:
    """An open movie, the calls using it now, and whether it left the open set (it is closed
    when the last of those calls ends)."""

    __slots__ = ("evicted", "movie", "users")

    def __init__(self, movie):
        self.movie, self.users, self.evicted = movie, 0, False


# key from _identity -> _Open, least recently used first.
_movies = OrderedDict()


def _drop(entry):
    """Take `entry` out of use (under _lock): the movie to close now, or None while calls
    still use it (the last one closes it)."""
    entry.evicted = True
    return entry.movie if entry.users == 0 else None


def _close_all(movies):
    for m in movies:
        if m is not None:
            m.close()


def configure(cache_dir=None, no_cache=False, ttl=None, forever=False):
    """How movies are opened (lazyqt.open's cache_dir, no_cache, ttl; `forever` trusts cached
    metadata forever, for archives of immutable files), and close the ones open now.
    Not in pycamhd: its defaults (lazyqt's) need no call."""
    kwargs = {"cache_dir": cache_dir, "no_cache": no_cache}
    if forever or ttl is not None:
        kwargs["ttl"] = None if forever else ttl
    with _lock:
        _open_kwargs.clear()
        _open_kwargs.update(kwargs)
        closing = [_drop(e) for e in _movies.values()]
        _movies.clear()
    _close_all(closing)


def _identity(filename):
    """What names one content: the URL, or the path with its file's identity (so a rewritten
    local file is opened again)."""
    name = os.fspath(filename)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if _is_url(name):
        return name, name
    st = os.stat(name)
    return name, (name, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _is_url(name):
    """The library's own test (`lazyqt_is_url`): what it opens as a URL, never as a path."""
    return lib.lazyqt_is_url(os.fsencode(name))


@contextlib.contextmanager
def _lease(filename):
    """(key, entry) of the open movie of `filename` (opened now if needed; beyond _MAX_OPEN
    the least recently used leaves the open set), kept open until the block ends."""
    name, key = _identity(filename)
    with _lock:
        entry = _movies.get(key)
        if entry is not None:
            _movies.move_to_end(key)
            entry.users += 1
    closing = []
    if entry is None:
        opened = Movie(name, **_open_kwargs)
        with _lock:
            entry = _movies.get(key)
            if entry is None:
                entry = _movies[key] = _Open(opened)
                while len(_movies) > _MAX_OPEN:
                    closing.append(_drop(_movies.popitem(last=False)[1]))
            else:
                closing.append(opened)
            entry.users += 1
    _close_all(closing)
    try:
        yield key, entry
    finally:
        with _lock:
            entry.users -= 1
            last = entry.evicted and entry.users == 0
        if last:
            entry.movie.close()


def _call(filename, fn):
    """fn(movie) on the open movie of `filename`; a movie whose remote file changed since it
    was opened leaves the open set."""
    with _lease(filename) as (key, entry):
        try:
            return fn(entry.movie)
        except ChangedUpstreamError:
            with _lock:
                if _movies.get(key) is entry:
                    del _movies[key]
                entry.evicted = True
            raise


def _with_movie(filename, fn):
    """fn(movie) on the open movie of `filename`; when the remote file changed since it was
    opened, it is opened again, once."""
    try:
        return _call(filename, fn)
    except ChangedUpstreamError:
        return _call(filename, fn)


# -- bytes and atoms ----------------------------------------------------------------------


def get_bytes(filename, byte_range):
    """Bytes byte_range[0] through byte_range[1] (inclusive) of the file, as bytes; fewer
    at the end of the file."""
    first, last = int(byte_range[0]), int(byte_range[1])
    if first < 0 or last < first - 1:
        raise ValueError(f"invalid byte range {first}-{last}")
    name = os.fspath(filename)
    if not _is_url(os.fsdecode(name)):
        with open(name, "rb") as f:
            f.seek(first, 0)
            return f.read(last - first + 1)
    return _with_movie(filename, lambda m: m.read_bytes(first, last - first + 1))


def get_integer(filename, byte_range):
    """The big-endian integer in a 4- or 8-byte range of the file (None for other lengths)."""
    data = get_bytes(filename, byte_range)
    if len(data) == 4:
        return struct.unpack(">I", data)[0]
    if len(data) == 8:
        return struct.unpack(">Q", data)[0]
    return None


def _atom_header(data, at):
    """(type, header length, total size; 0 = to the end) of the atom header at data[at:]."""
    if len(data) < at + 8:
        raise ValueError(f"truncated atom header at byte {at}")
    size, kind = struct.unpack(">I4s", data[at : at + 8])
    if size != 1:
        return kind, 8, size
    if len(data) < at + 16:
        raise ValueError(f"truncated 64-bit atom header at byte {at}")
    return kind, 16, struct.unpack(">Q", data[at + 8 : at + 16])[0]


def _top_level(filename):
    """{type: size} of the file's top-level atoms up to and including moov (first of each)."""

    def walk(m):
        sizes, offset = {}, 0
        moov_offset = m.moov_location()[0]
        while offset <= moov_offset:
            kind, _, size = _atom_header(m.read_bytes(offset, 16), 0)
            sizes.setdefault(kind, size)
            if size < 8:
                break
            offset += size
        return sizes

    return _with_movie(filename, walk)


def get_atom_sizes(filename):
    """(ftyp size, mdat size, moov size) of the file."""
    sizes = _top_level(filename)
    return sizes.get(b"ftyp", 0), sizes.get(b"mdat", 0), sizes[b"moov"]


def get_moov_atom(filename):
    """The file's moov atom (header included), as bytes."""
    return _with_movie(filename, lambda m: m.read_bytes(*m.moov_location()))


def get_timestamp(filename, moov_atom=False):
    """The recording start (mvhd creation time) in seconds from the Unix epoch; an unset
    creation time gives -2082844800, as in pycamhd."""
    created = _with_movie(filename, lambda m: m.creation_time)
    return int(created.timestamp()) if created is not None else -_QUICKTIME_EPOCH


def get_frame_count(filename, moov_atom=False):
    """Number of video frames."""
    return _with_movie(filename, lambda m: m.frames)


def _frame_infos(filename):
    return _with_movie(filename, lambda m: [m.frame_info(n) for n in range(m.frames)])


def get_frame_sizes(filename, moov_atom=False):
    """Sizes in bytes of the frames' compressed samples, a list of ints."""
    return [f.size for f in _frame_infos(filename)]


def get_frame_offsets(filename, moov_atom=False):
    """File offsets of the frames' compressed samples, a list of ints."""
    return [f.offset for f in _frame_infos(filename)]


def _chunk_offsets(moov):
    """Chunk offsets (co64 or stco) of the first video track of a moov atom."""
    moov = bytes(moov)

    def children(start, end):
        while start + 8 <= end:
            kind, header, size = _atom_header(moov, start)
            if size == 0:
                size = end - start
            if size < header or start + size > end:
                raise ValueError(f"malformed moov atom: bad {kind!r} atom at byte {start}")
            yield kind, start + header, start + size
            start += size

    def find(start, end, *path):
        for kind, body, stop in children(start, end):
            if kind == path[0]:
                return (body, stop) if len(path) == 1 else find(body, stop, *path[1:])
        return None

    top = find(0, len(moov), b"moov")
    for kind, body, stop in children(*top) if top else ():
        hdlr = find(body, stop, b"mdia", b"hdlr")
        if kind != b"trak" or not hdlr or moov[hdlr[0] + 8 : hdlr[0] + 12] != b"vide":
            continue
        for name, fmt in ((b"co64", ">Q"), (b"stco", ">I")):
            table = find(body, stop, b"mdia", b"minf", b"stbl", name)
            if table:
                count = struct.unpack(">I", moov[table[0] + 4 : table[0] + 8])[0]
                width = struct.calcsize(fmt)
                if table[0] + 8 + count * width > table[1]:
                    raise ValueError(f"malformed moov atom: {name.decode()} overruns its atom")
                return [
                    v for (v,) in struct.iter_unpack(fmt, moov[table[0] + 8 : table[0] + 8 + count * width])
                ]
    raise ValueError("the moov atom has no video track with chunk offsets")


def get_chunk_offsets(filename, moov_atom=False):
    """File offsets of the video track's chunks, a list of ints."""
    return _chunk_offsets(moov_atom if moov_atom else get_moov_atom(filename))


def get_chunk_count(filename, moov_atom=False):
    """Number of chunks of the video track."""
    return len(get_chunk_offsets(filename, moov_atom))


# -- frames -------------------------------------------------------------------------------


def get_frame_data(filename, frame_number, moov_atom=False):
    """The compressed sample of a frame, as bytes."""
    return _with_movie(filename, lambda m: m.raw(_check_frame(m, frame_number)))


def _check_frame(m, frame_number):
    n = operator.index(frame_number)
    if n < 0:
        raise ValueError("frame_number must be a positive integer")
    if n > m.frames - 1:
        raise ValueError("frame_number exceeds number of frames in file")
    return n


def _pix_fmt(pix_fmt):
    name = pix_fmt.decode() if isinstance(pix_fmt, bytes) else pix_fmt
    try:
        return _PIX_FMTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"{pix_fmt} format not supported. use one of: {_SUPPORTED}.") from None


def _picture(m, n, pix_fmt):
    """Frame n of an open movie as pycamhd returns it for `pix_fmt`: FFmpeg's conversion
    with the stream's colour matrix (BT.601 when untagged), as the ffmpeg CLI's."""
    return m.frame(n, _pix_fmt(pix_fmt))


def get_frame(filename, frame_number, pix_fmt="rgb24", moov_atom=False):
    """Frame `frame_number` as a numpy array: (H, W, 3) for rgb24/bgr24 (uint8) and
    rgb48/bgr48 (16-bit, in the byte order the name says), (H, W) for gray (uint8) and
    gray16 (16-bit)."""
    return _with_movie(filename, lambda m: _picture(m, _check_frame(m, frame_number), pix_fmt))


def decode_frame_data(frame_data, pix_fmt="rgb24"):
    """Decode one compressed ProRes frame (bytes from get_frame_data) as get_frame does."""
    _pix_fmt(pix_fmt)
    data = movie_of_frame(bytes(frame_data))
    with tempfile.TemporaryDirectory(prefix="lazyqt-frame-") as tmp:
        path = Path(tmp) / "frame.mov"
        path.write_bytes(data)
        with Movie(path, no_cache=True) as m:
            return _picture(m, 0, pix_fmt)


def write_frame(filename, frame_number, moov_atom=False, file_type="AVI"):
    """Write a frame's compressed sample as a one-frame AVI file, named after the movie and
    the frame number ('NAME_000123.avi'), in the current directory."""
    if file_type == "AVI":
        avi_file = get_avi_file(get_frame_data(filename, frame_number, moov_atom))
        name = os.fsdecode(os.fspath(filename)).split("/")[-1].split(".")[0]
        with open(f"{name}_{frame_number:06.0f}.avi", "wb") as f:
            f.write(avi_file)


def main():
    """pycamhd's placeholder for running the module directly: does nothing."""


__all__ = [
    "VERSION",
    "configure",
    "decode_frame_data",
    "get_atom_sizes",
    "get_avi_file",
    "get_bytes",
    "get_chunk_count",
    "get_chunk_offsets",
    "get_file_list",
    "get_frame",
    "get_frame_count",
    "get_frame_data",
    "get_frame_offsets",
    "get_frame_sizes",
    "get_integer",
    "get_moov_atom",
    "get_stats",
    "get_timestamp",
    "main",
    "write_frame",
]
