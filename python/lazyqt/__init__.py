"""lazyqt: single frames out of huge QuickTime movies, local or over HTTP range requests,
as numpy arrays.

    >>> import lazyqt
    >>> m = lazyqt.open("https://example.org/movie.mov")
    >>> m.frame(5).shape
    (1080, 1920, 3)
"""

from ._errors import (
    ArgumentError,
    BufferTooSmallError,
    ChangedUpstreamError,
    DecodeError,
    Error,
    HTTPError,
    InternalError,
    InvalidArgumentError,
    LazyqtError,
    LazyqtIOError,
    MalformedError,
    NetworkError,
    NotFoundError,
    NoVideoTrackError,
    NullPointerError,
    OutOfRangeError,
    PanicError,
    ReadError,
    TooLargeError,
    UnsupportedCodecError,
    UnsupportedError,
)
from ._errors import (
    TimeoutError as TimeoutError,  # lazyqt.TimeoutError, not in __all__ (see there)
)
from ._lib import lib as _lib
from ._movie import IMAGE_FORMATS, PIXEL_FORMATS, FrameInfo, Movie, SkippedTrack, open
from ._utc import Archive, archive

__version__ = "0.1.0"

#: Version of the loaded C library.
library_version = _lib.lazyqt_version().decode()

# `TimeoutError` is left out of `*` imports: it would hide the builtin it subclasses.
__all__ = [
    "IMAGE_FORMATS",
    "PIXEL_FORMATS",
    "Archive",
    "ArgumentError",
    "BufferTooSmallError",
    "ChangedUpstreamError",
    "DecodeError",
    "Error",
    "FrameInfo",
    "HTTPError",
    "InternalError",
    "InvalidArgumentError",
    "LazyqtError",
    "LazyqtIOError",
    "MalformedError",
    "Movie",
    "NetworkError",
    "NoVideoTrackError",
    "NotFoundError",
    "NullPointerError",
    "OutOfRangeError",
    "PanicError",
    "ReadError",
    "SkippedTrack",
    "TooLargeError",
    "UnsupportedCodecError",
    "UnsupportedError",
    "archive",
    "library_version",
    "open",
]
