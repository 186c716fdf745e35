"""lazyqt: single frames out of huge QuickTime movies, local or over HTTP range requests,
as numpy arrays.

    >>> import lazyqt
    >>> m = lazyqt.open("https://example.org/movie.mov")
    >>> m.frame(5).shape
    (1080, 1920, 3)
"""

from ._errors import (
    BufferTooSmallError,
    ChangedUpstreamError,
    DecodeError,
    HTTPError,
    InvalidArgumentError,
    LazyqtError,
    LazyqtIOError,
    MalformedError,
    NetworkError,
    NoVideoTrackError,
    NullPointerError,
    OutOfRangeError,
    PanicError,
    TooLargeError,
    UnsupportedCodecError,
)
from ._lib import lib as _lib
from ._movie import IMAGE_FORMATS, PIXEL_FORMATS, FrameInfo, Movie, SkippedTrack, open

__version__ = "0.1.0"

#: Version of the loaded C library.
library_version = _lib.lazyqt_version().decode()

__all__ = [
    "IMAGE_FORMATS",
    "PIXEL_FORMATS",
    "BufferTooSmallError",
    "ChangedUpstreamError",
    "DecodeError",
    "FrameInfo",
    "HTTPError",
    "InvalidArgumentError",
    "LazyqtError",
    "LazyqtIOError",
    "MalformedError",
    "Movie",
    "NetworkError",
    "NoVideoTrackError",
    "NullPointerError",
    "OutOfRangeError",
    "PanicError",
    "SkippedTrack",
    "TooLargeError",
    "UnsupportedCodecError",
    "library_version",
    "open",
]
