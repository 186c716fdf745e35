"""Movie: an open movie handle with numpy frames.

Longer than the other modules: `Movie` is the package's whole per-movie API (open options,
summary, frames, batches, encoding, pickling), one class whose methods share its handle's
lifetime rules; the C declarations and the archive live in their own modules."""

import contextlib
import ctypes
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from fractions import Fraction

import numpy as np

from ._errors import InvalidArgumentError, LazyqtError, OutOfRangeError
from ._lib import FrameDesc, Info, Pixels, SkippedTrackDesc, c_u8_p, check, image_formats, lib

#: The packed formats pycamhd's users ask PyAV for; Movie.frame takes these and any other
#: packed FFmpeg pixel format ("rgb48" or "gray16" without an endianness: native-endian).
PIXEL_FORMATS = (
    "rgb24",
    "bgr24",
    "rgba",
    "bgra",
    "argb",
    "abgr",
    "gray",
    "gray16le",
    "gray16be",
    "rgb48le",
    "rgb48be",
    "bgr48le",
    "bgr48be",
    "rgba64le",
    "rgba64be",
)

#: Image file format name or extension -> lazyqt_image_format code, from the C library's table.
IMAGE_FORMATS = image_formats()

_DEFAULT = object()


@dataclass(frozen=True)
class FrameInfo:
    """Where a frame's compressed sample is stored and when the frame is shown."""

    offset: int
    size: int
    pts: int
    dts: int
    duration: int
    keyframe: bool
    time: float


@dataclass(frozen=True)
class SkippedTrack:
    """A malformed track the movie declares, left out. When it is (or may be) the first
    video track, opening the movie raises MalformedError instead: no other track stands in."""

    id: "int | None"
    kind: "str | None"
    trak_offset: int
    atom: str
    atom_offset: int
    reason: str

    def __str__(self):
        kind = f"{self.kind} " if self.kind else ""
        where = f"track {self.id}" if self.id is not None else f"track at offset {self.trak_offset} (id unreadable)"
        unknown = "" if self.kind else " of unknown kind"
        return f"{kind}{where}{unknown} is malformed: atom '{self.atom}' at offset {self.atom_offset} {self.reason}"


def _skipped_tracks(handle):
    """The malformed tracks of an open handle, in file order."""
    count = ctypes.c_size_t()
    check(lib.lazyqt_skipped_track_count(handle, ctypes.byref(count)))
    out = []
    for i in range(count.value):
        d = SkippedTrackDesc()
        check(lib.lazyqt_get_skipped_track(handle, i, ctypes.byref(d)))
        out.append(
            SkippedTrack(
                d.id if d.has_id else None,
                d.kind.decode("ascii") or None,
                d.trak_offset,
                d.atom.decode("ascii"),
                d.atom_offset,
                d.reason.decode("ascii"),
            )
        )
    return tuple(out)


class Movie:
    """An open movie. Thread-safe: frames may be fetched from many threads at once (the C
    handle allows concurrent calls, and ctypes releases the GIL during them).

    A Movie pickles as its URI and open arguments: unpickling (on a Dask worker, say) opens
    it again there, and that machine's persistent cache then serves its metadata. A local
    path must name the same file on the machine that unpickles it."""

    def __init__(self, path_or_url, cache_dir=None, no_cache=False, ttl=_DEFAULT):
        # What __reduce__ needs to open the same movie again elsewhere.
        self._open_args = (
            path_or_url if isinstance(path_or_url, (str, bytes)) else os.fspath(path_or_url),
            None if cache_dir is None else os.fspath(cache_dir),
            bool(no_cache),
            ttl,
        )
        opts = lib.lazyqt_default_open_options()
        self._cache_dir = None if cache_dir is None else os.fsencode(os.fspath(cache_dir))
        opts.cache_dir = self._cache_dir
        opts.no_cache = bool(no_cache)
        if ttl is not _DEFAULT:
            opts.ttl_seconds = -1 if ttl is None else int(ttl)
        self._handle = None
        self._busy = 0
        self._cond = threading.Condition()
        handle = ctypes.c_void_p()
        check(lib.lazyqt_open(os.fsencode(os.fspath(path_or_url)), ctypes.byref(opts), ctypes.byref(handle)))
        self._handle = handle
        self.uri = os.fspath(path_or_url)
        info = Info()
        with self._use() as h:
            self._skipped = _skipped_tracks(h)
            check(lib.lazyqt_get_info(h, ctypes.byref(info)))
        self._info = info

    # -- life cycle -------------------------------------------------------------------

    @contextlib.contextmanager
    def _use(self):
        """The handle, kept open for the duration of the block (close waits for it)."""
        with self._cond:
            if self._handle is None:
                raise LazyqtError("the movie is closed")
            self._busy += 1
        try:
            yield self._handle
        finally:
            with self._cond:
                self._busy -= 1
                self._cond.notify_all()

    def close(self):
        """Close the movie (waits for calls in progress on other threads). Idempotent."""
        with self._cond:
            handle, self._handle = self._handle, None
            while self._busy:
                self._cond.wait()
        if handle is not None:
            lib.lazyqt_close(handle)

    @property
    def closed(self):
        """Whether close() was called."""
        return self._handle is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            with contextlib.suppress(Exception):
                self.close()

    def __reduce__(self):
        """Pickle as the open arguments: unpickling opens the movie again (see the class doc)."""
        path_or_url, cache_dir, no_cache, ttl = self._open_args
        if ttl is _DEFAULT:
            return (Movie, (path_or_url, cache_dir, no_cache))
        return (Movie, (path_or_url, cache_dir, no_cache, ttl))

    def __repr__(self):
        state = "closed" if self.closed else f"{self.frames} frames {self.width}x{self.height} {self.codec}"
        return f"<lazyqt.Movie {self.uri!r} {state}>"

    # -- metadata -----------------------------------------------------------------------

    @property
    def frames(self):
        """Number of video frames."""
        return self._info.frames

    def __len__(self):
        return self._info.frames

    @property
    def width(self):
        """Picture width in pixels."""
        return self._info.width

    @property
    def height(self):
        """Picture height in pixels."""
        return self._info.height

    @property
    def shape(self):
        """(height, width) of the pictures."""
        return (self._info.height, self._info.width)

    @property
    def codec(self):
        """Codec fourcc of the video track, e.g. 'apcn'."""
        return self._info.codec.decode("latin-1")

    @property
    def fps(self):
        """Frames per second as a float (0.0 if unknown)."""
        return self._info.fps

    @property
    def fps_fraction(self):
        """Frames per second as an exact Fraction (None if unknown)."""
        return Fraction(self._info.fps_num, self._info.fps_den) if self._info.fps_den else None

    @property
    def duration(self):
        """Duration in seconds."""
        return self._info.duration_seconds

    @property
    def creation_time(self):
        """Recording start as an aware UTC datetime, or None if the movie does not say."""
        if not self._info.has_creation_time:
            return None
        return datetime.fromtimestamp(self._info.creation_time, tz=timezone.utc)

    @property
    def file_size(self):
        """Size of the movie file in bytes."""
        return self._info.file_size

    @property
    def skipped_tracks(self):
        """Malformed tracks left out of the movie (a tuple of SkippedTrack, in file order)."""
        return self._skipped

    @property
    def timescale(self):
        """Units per second of FrameInfo.pts, .dts and .duration."""
        return self._info.timescale

    # -- frames -----------------------------------------------------------------------

    def _index(self, n):
        """A frame number, Python-style negative indices allowed."""
        n = int(n)
        if n < 0:
            n += self.frames
        if n < 0:
            raise OutOfRangeError(f"frame {n - self.frames} is out of range: there are {self.frames}")
        return n

    def frame_info(self, n):
        """Where frame n is stored and when it is shown (a FrameInfo)."""
        d = FrameDesc()
        with self._use() as h:
            check(lib.lazyqt_frame_info(h, self._index(n), ctypes.byref(d)))
        return FrameInfo(d.offset, d.size, d.pts, d.dts, d.duration, bool(d.keyframe), d.time_seconds)

    def frame_number_at(self, seconds):
        """The number of the frame shown at `seconds` from the start."""
        out = ctypes.c_uint64()
        with self._use() as h:
            check(lib.lazyqt_frame_at_time(h, float(seconds), ctypes.byref(out)))
        return out.value

    def output_shape(self, width=None, height=None):
        """(height, width) of frames fetched with these width/height arguments."""
        w, h = ctypes.c_uint32(), ctypes.c_uint32()
        with self._use() as handle:
            check(lib.lazyqt_output_size(handle, width or 0, height or 0, ctypes.byref(w), ctypes.byref(h)))
        return (h.value, w.value)

    def frame(self, n, pix_fmt="rgb24", width=None, height=None, matrix="stream", *, format=None):
        """Frame n as a numpy array in the packed FFmpeg pixel format `pix_fmt` ('rgb24',
        'bgr24', 'rgba', 'bgra', 'argb', 'abgr', 'gray', 'gray16le', 'gray16be', 'rgb48le',
        'rgb48be', 'rgba64be', ...; 'rgb48'/'gray16' are native-endian): shape (H, W, C),
        or (H, W) for one channel; dtype uint8, or '<u2'/'>u2' for 16-bit samples.

        matrix: the YUV->RGB matrix. "stream" (default) is FFmpeg's
        rule: the stream's matrix and range, BT.601 when untagged, so the array equals
        `ffmpeg -pix_fmt FMT`'s bytes. "bt601", "bt709", "bt2020" force one; "auto" guesses
        BT.709 for untagged HD (lazyqt's earlier rule).
        width/height scale the picture (one of them alone keeps the aspect ratio).
        format: the older name of pix_fmt."""
        if format is not None:
            pix_fmt = format
        fmt, mat = _name_arg(pix_fmt, "pix_fmt"), _name_arg(matrix, "matrix")
        n = self._index(n)
        layout = Pixels()
        with self._use() as h:
            size = (width or 0, height or 0)
            check(lib.lazyqt_frame_pixels(h, n, fmt, mat, *size, None, 0, ctypes.byref(layout)))
            out = _empty_picture(layout)
            size = (layout.width, layout.height)
            buf = out.ctypes.data_as(c_u8_p)
            check(lib.lazyqt_frame_pixels(h, n, fmt, mat, *size, buf, out.nbytes, ctypes.byref(layout)))
        if layout.size != out.nbytes:
            raise LazyqtError(f"decoded {layout.size} bytes, expected {out.nbytes}")
        return out

    def empty_frame(self, pix_fmt="rgb24", width=None, height=None):
        """An uninitialised array of the shape and dtype frame() returns for these arguments,
        found without decoding anything (to describe a lazy array of frames, or preallocate)."""
        layout = Pixels()
        with self._use() as h:
            size = (width or 0, height or 0)
            fmt = _name_arg(pix_fmt, "pix_fmt")
            check(lib.lazyqt_frame_pixels(h, 0, fmt, b"stream", *size, None, 0, ctypes.byref(layout)))
        return _empty_picture(layout)

    def frame_at(self, seconds, pix_fmt="rgb24", width=None, height=None, matrix="stream", *, format=None):
        """The frame shown at `seconds` from the start, as in frame()."""
        n = self.frame_number_at(seconds)
        return self.frame(n, pix_fmt, width=width, height=height, matrix=matrix, format=format)

    def __getitem__(self, n):
        return self.frame(n)

    def raw(self, n):
        """The compressed sample of frame n, as bytes."""
        n = self._index(n)
        with self._use() as h:
            needed = ctypes.c_size_t()
            check(lib.lazyqt_raw_frame(h, n, None, 0, ctypes.byref(needed)))
            buf = (ctypes.c_uint8 * needed.value)()
            check(lib.lazyqt_raw_frame(h, n, buf, needed.value, ctypes.byref(needed)))
        return bytes(buf)

    def read_bytes(self, offset, size):
        """`size` bytes of the movie file from `offset`, as bytes: fewer at the end of the file
        (none past it). Read through the movie's source, so over HTTP the caches and the
        checks that the file did not change apply."""
        offset, size = int(offset), int(size)
        if offset < 0 or size < 0:
            raise InvalidArgumentError(f"cannot read {size} bytes at offset {offset}")
        buf = (ctypes.c_uint8 * size)()
        got = ctypes.c_size_t()
        with self._use() as h:
            check(lib.lazyqt_read_bytes(h, offset, buf, size, ctypes.byref(got)))
        return bytes(memoryview(buf)[: got.value])

    def moov_location(self):
        """(offset, size) of the movie's `moov` atom in the file, header included."""
        offset, size = ctypes.c_uint64(), ctypes.c_uint64()
        with self._use() as h:
            check(lib.lazyqt_moov_location(h, ctypes.byref(offset), ctypes.byref(size)))
        return (offset.value, size.value)

    def encode(self, n, format="png", quality=None, width=None, height=None, matrix="stream"):
        """Frame n as an image file ('png', 'jpeg', 'ppm', 'pgm', 'bmp'), as bytes.
        quality: PNG compression level 0-9 or JPEG quality 1-100 (None = default);
        matrix: the YUV->RGB matrix, as in frame()."""
        try:
            code = IMAGE_FORMATS[format.lower()]
        except (KeyError, AttributeError):
            raise InvalidArgumentError(
                f"unknown image format {format!r}: use one of {', '.join(IMAGE_FORMATS)}"
            ) from None
        mat = _name_arg(matrix, "matrix")
        n = self._index(n)
        ptr, size = c_u8_p(), ctypes.c_size_t()
        q = -1 if quality is None else int(quality)
        with self._use() as h:
            check(
                lib.lazyqt_encode_frame_matrix_alloc(
                    h, n, code, q, mat, width or 0, height or 0, ctypes.byref(ptr), ctypes.byref(size)
                )
            )
        try:
            return ctypes.string_at(ptr, size.value)
        finally:
            lib.lazyqt_buffer_free(ptr, size.value)

    def png(self, n, width=None, height=None, level=None, matrix="stream"):
        """Frame n as PNG bytes (level: compression 0-9, default fast)."""
        return self.encode(n, "png", quality=level, width=width, height=height, matrix=matrix)

    def jpeg(self, n, quality=None, width=None, height=None, matrix="stream"):
        """Frame n as JPEG bytes (quality 1-100; None = the library's default)."""
        return self.encode(n, "jpeg", quality=quality, width=width, height=height, matrix=matrix)

    def iter_frames(
        self,
        frames=None,
        prefetch=4,
        pix_fmt="rgb24",
        width=None,
        height=None,
        matrix="stream",
        *,
        format=None,
    ):
        """Yield the arrays of `frames` (an iterable of frame numbers; default all) in order,
        fetched up to `prefetch` frames ahead and decoded in parallel (one decoder per core)
        by the library's pipeline; each frame is read once. A frame that fails raises its
        error when its turn comes; closing the generator early stops the pipeline. The
        other arguments as in frame()."""
        numbers = range(self.frames) if frames is None else [self._index(n) for n in frames]
        if format is not None:
            pix_fmt = format
        if prefetch < 1:
            for n in numbers:
                yield self.frame(n, pix_fmt, width, height, matrix)
            return
        fmt, mat = _name_arg(pix_fmt, "pix_fmt"), _name_arg(matrix, "matrix")
        listed = (ctypes.c_uint64 * len(numbers))(*numbers)
        it, layout = ctypes.c_void_p(), Pixels()
        size = (width or 0, height or 0)
        with self._use() as h:
            check(
                lib.lazyqt_frames_begin(
                    h, listed, len(numbers), fmt, mat, *size, prefetch, ctypes.byref(it), ctypes.byref(layout)
                )
            )
        try:
            number, done = ctypes.c_uint64(), ctypes.c_bool()
            while True:
                out = _empty_picture(layout)
                check(
                    lib.lazyqt_frames_next(
                        it, out.ctypes.data_as(c_u8_p), out.nbytes, ctypes.byref(number), ctypes.byref(done)
                    )
                )
                if done.value:
                    return
                yield out
        finally:
            lib.lazyqt_frames_end(it)

    def __iter__(self):
        return self.iter_frames()


def _empty_picture(layout):
    """An uninitialised array for a picture of this Pixels layout: (H, W, C), or (H, W) for
    one channel; uint8, or '<u2'/'>u2' for 16-bit samples."""
    if layout.bytes_per_sample == 1:
        dtype = np.dtype(np.uint8)
    else:
        dtype = np.dtype(">u2" if layout.big_endian else "<u2")
    rows, cols = layout.height, layout.width
    shape = (rows, cols) if layout.channels == 1 else (rows, cols, layout.channels)
    return np.empty(shape, dtype=dtype)


def _name_arg(value, what):
    """A str argument as the bytes the C library takes."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{what} must be a str, not {type(value).__name__}")
    return value.encode()


def open(path_or_url, cache_dir=None, no_cache=False, ttl=_DEFAULT):
    """Open a movie from a local path or an http(s):// URL.

    cache_dir: directory of the persistent HTTP cache (default: the platform's cache dir);
    no_cache: do not use it; ttl: seconds cached metadata is trusted before revalidation
    (None = forever; default one hour)."""
    return Movie(path_or_url, cache_dir=cache_dir, no_cache=no_cache, ttl=ttl)
