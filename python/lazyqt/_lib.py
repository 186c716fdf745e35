"""Loading liblazyqt and declaring its functions (see include/lazyqt.h for the C API)."""

import ctypes
import ctypes.util
import os
import sys
from pathlib import Path

from . import _errors

_NAMES = {"darwin": "liblazyqt.dylib", "win32": "lazyqt.dll"}

c_u8_p = ctypes.POINTER(ctypes.c_uint8)
c_size_p = ctypes.POINTER(ctypes.c_size_t)


class OpenOptions(ctypes.Structure):
    """lazyqt_open_options."""

    _fields_ = [
        ("cache_dir", ctypes.c_char_p),
        ("no_cache", ctypes.c_bool),
        ("ttl_seconds", ctypes.c_int64),
    ]


class Info(ctypes.Structure):
    """lazyqt_info."""

    _fields_ = [
        ("frames", ctypes.c_uint64),
        ("width", ctypes.c_uint32),
        ("height", ctypes.c_uint32),
        ("codec", ctypes.c_char * 5),
        ("fps_num", ctypes.c_uint64),
        ("fps_den", ctypes.c_uint64),
        ("fps", ctypes.c_double),
        ("timescale", ctypes.c_uint32),
        ("duration_seconds", ctypes.c_double),
        ("has_creation_time", ctypes.c_bool),
        ("creation_time", ctypes.c_int64),
        ("file_size", ctypes.c_uint64),
    ]


class SkippedTrackDesc(ctypes.Structure):
    """lazyqt_skipped_track."""

    _fields_ = [
        ("has_id", ctypes.c_bool),
        ("id", ctypes.c_uint32),
        ("kind", ctypes.c_char * 9),
        ("trak_offset", ctypes.c_uint64),
        ("atom", ctypes.c_char * 5),
        ("atom_offset", ctypes.c_uint64),
        ("reason", ctypes.c_char * 64),
    ]


class FrameDesc(ctypes.Structure):
    """lazyqt_frame_desc."""

    _fields_ = [
        ("offset", ctypes.c_uint64),
        ("size", ctypes.c_uint32),
        ("pts", ctypes.c_int64),
        ("dts", ctypes.c_int64),
        ("duration", ctypes.c_uint32),
        ("keyframe", ctypes.c_bool),
        ("time_seconds", ctypes.c_double),
    ]


class Pixels(ctypes.Structure):
    """lazyqt_pixels."""

    _fields_ = [
        ("width", ctypes.c_uint32),
        ("height", ctypes.c_uint32),
        ("channels", ctypes.c_uint32),
        ("bytes_per_sample", ctypes.c_uint32),
        ("big_endian", ctypes.c_bool),
        ("linesize", ctypes.c_size_t),
        ("size", ctypes.c_size_t),
    ]


class ImageFormatDesc(ctypes.Structure):
    """lazyqt_image_format_desc."""

    _fields_ = [
        ("code", ctypes.c_uint32),
        ("name", ctypes.c_char * 8),
        ("extensions", ctypes.c_char * 24),
        ("mime_type", ctypes.c_char * 32),
        ("default_quality", ctypes.c_int32),
    ]


def _library_path():
    """$LAZYQT_LIBRARY, else the library bundled in this package, else one on the system."""
    given = os.environ.get("LAZYQT_LIBRARY")
    if given:
        return given
    bundled = Path(__file__).resolve().parent / _NAMES.get(sys.platform, "liblazyqt.so")
    if bundled.exists():
        return str(bundled)
    found = ctypes.util.find_library("lazyqt")
    if found:
        return found
    raise ImportError(
        "lazyqt: cannot find the lazyqt C library: reinstall the package from the lazyqt "
        "checkout (pip install ./python) or set LAZYQT_LIBRARY to liblazyqt.so"
    )


def _declare(lib):
    """Set argument and result types (ctypes.CDLL releases the GIL during every call)."""
    movie_p = ctypes.c_void_p
    status = ctypes.c_int
    sigs = {
        "lazyqt_version": (ctypes.c_char_p, []),
        "lazyqt_status_str": (ctypes.c_char_p, [ctypes.c_int32]),
        "lazyqt_last_error_message": (ctypes.c_char_p, []),
        "lazyqt_default_open_options": (OpenOptions, []),
        "lazyqt_open": (status, [ctypes.c_char_p, ctypes.POINTER(OpenOptions), ctypes.POINTER(movie_p)]),
        "lazyqt_close": (None, [movie_p]),
        "lazyqt_is_url": (ctypes.c_bool, [ctypes.c_char_p]),
        "lazyqt_get_info": (status, [movie_p, ctypes.POINTER(Info)]),
        "lazyqt_skipped_track_count": (status, [movie_p, c_size_p]),
        "lazyqt_get_skipped_track": (status, [movie_p, ctypes.c_size_t, ctypes.POINTER(SkippedTrackDesc)]),
        "lazyqt_frame_info": (status, [movie_p, ctypes.c_uint64, ctypes.POINTER(FrameDesc)]),
        "lazyqt_frame_at_time": (status, [movie_p, ctypes.c_double, ctypes.POINTER(ctypes.c_uint64)]),
        "lazyqt_raw_frame": (status, [movie_p, ctypes.c_uint64, c_u8_p, ctypes.c_size_t, c_size_p]),
        "lazyqt_output_size": (
            status,
            [
                movie_p,
                ctypes.c_uint32,
                ctypes.c_uint32,
                ctypes.POINTER(ctypes.c_uint32),
                ctypes.POINTER(ctypes.c_uint32),
            ],
        ),
        "lazyqt_frame_pixels": (
            status,
            [
                movie_p,
                ctypes.c_uint64,
                ctypes.c_char_p,
                ctypes.c_char_p,
                ctypes.c_uint32,
                ctypes.c_uint32,
                c_u8_p,
                ctypes.c_size_t,
                ctypes.POINTER(Pixels),
            ],
        ),
        "lazyqt_encode_frame_matrix_alloc": (
            status,
            [
                movie_p,
                ctypes.c_uint64,
                ctypes.c_uint32,
                ctypes.c_int32,
                ctypes.c_char_p,
                ctypes.c_uint32,
                ctypes.c_uint32,
                ctypes.POINTER(c_u8_p),
                c_size_p,
            ],
        ),
        "lazyqt_frames_begin": (
            status,
            [
                movie_p,
                ctypes.POINTER(ctypes.c_uint64),
                ctypes.c_size_t,
                ctypes.c_char_p,
                ctypes.c_char_p,
                ctypes.c_uint32,
                ctypes.c_uint32,
                ctypes.c_size_t,
                ctypes.POINTER(ctypes.c_void_p),
                ctypes.POINTER(Pixels),
            ],
        ),
        "lazyqt_frames_next": (
            status,
            [
                ctypes.c_void_p,
                c_u8_p,
                ctypes.c_size_t,
                ctypes.POINTER(ctypes.c_uint64),
                ctypes.POINTER(ctypes.c_bool),
            ],
        ),
        "lazyqt_frames_end": (None, [ctypes.c_void_p]),
        "lazyqt_buffer_free": (None, [c_u8_p, ctypes.c_size_t]),
        "lazyqt_archive_catalog_json": (
            status,
            [
                ctypes.c_char_p,
                ctypes.c_char_p,
                ctypes.c_char_p,
                ctypes.POINTER(OpenOptions),
                ctypes.c_uint32,
                ctypes.POINTER(c_u8_p),
                c_size_p,
            ],
        ),
        "lazyqt_archive_plan_json": (
            status,
            [
                ctypes.c_char_p,
                ctypes.c_char_p,
                ctypes.c_char_p,
                ctypes.c_double,
                ctypes.POINTER(OpenOptions),
                ctypes.c_uint32,
                ctypes.POINTER(c_u8_p),
                c_size_p,
            ],
        ),
        "lazyqt_archive_locate_json": (
            status,
            [
                ctypes.c_char_p,
                ctypes.c_char_p,
                ctypes.c_bool,
                ctypes.POINTER(OpenOptions),
                ctypes.POINTER(c_u8_p),
                c_size_p,
            ],
        ),
        "lazyqt_read_bytes": (status, [movie_p, ctypes.c_uint64, c_u8_p, ctypes.c_size_t, c_size_p]),
        "lazyqt_image_format_count": (ctypes.c_size_t, []),
        "lazyqt_get_image_format": (status, [ctypes.c_size_t, ctypes.POINTER(ImageFormatDesc)]),
        "lazyqt_moov_location": (
            status,
            [movie_p, ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint64)],
        ),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


lib = _declare(ctypes.CDLL(_library_path()))


def check(status):
    """Raise the LazyqtError subclass for a failed call (on the thread that made it)."""
    if status != 0:
        message = lib.lazyqt_last_error_message().decode("utf-8", "replace")
        raise _errors.error_for(status, message)


def image_formats():
    """The library's image formats: {name or extension: lazyqt_image_format code}, the
    library's own table (names first, then extensions, in code order)."""
    descs = []
    for i in range(lib.lazyqt_image_format_count()):
        d = ImageFormatDesc()
        check(lib.lazyqt_get_image_format(i, ctypes.byref(d)))
        descs.append(d)
    out = {d.name.decode("ascii"): d.code for d in descs}
    for d in descs:
        for ext in d.extensions.decode("ascii").split():
            out.setdefault(ext, d.code)
    return out
