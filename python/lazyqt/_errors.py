"""Exceptions: one class per lazyqt_status, in a hierarchy under `lazyqt.Error`.

The C library classifies every failure by its kind (argument, not found, out of range,
malformed, unsupported, ...) and returns that kind's status code; `error_for` turns the code
into its class. The parents group what a caller handles alike:

    Error (LazyqtError)
    ├── InvalidArgumentError (ArgumentError; also ValueError)
    │   ├── NullPointerError
    │   └── TooLargeError
    ├── ReadError (also OSError): the movie's bytes could not be read
    │   ├── LazyqtIOError
    │   ├── NetworkError
    │   │   └── TimeoutError (also the builtin TimeoutError)
    │   ├── HTTPError
    │   ├── NotFoundError (also LazyqtIOError, HTTPError and FileNotFoundError)
    │   └── ChangedUpstreamError
    ├── MalformedError
    ├── NoVideoTrackError
    ├── UnsupportedCodecError (UnsupportedError)
    ├── OutOfRangeError (also IndexError)
    └── InternalError
        ├── DecodeError
        ├── BufferTooSmallError
        └── PanicError

A missing file used to be `LazyqtIOError` and an HTTP 404 `HTTPError`: `NotFoundError` is
both, and a timeout (once a `NetworkError`) still is one, so existing handlers keep working.
"""

import builtins

#: The class of each status code, filled as the classes below are defined.
_BY_STATUS = {}


class Error(Exception):
    """A lazyqt call failed. `status` is the C status code, `message` the library's text."""

    status = -1

    def __init_subclass__(cls, **kwargs):
        """Register each class that names a status code of its own for `error_for`."""
        super().__init_subclass__(**kwargs)
        if "status" in cls.__dict__:
            _BY_STATUS[cls.status] = cls

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


#: The name of `Error` before the hierarchy had a root of its own.
LazyqtError = Error


class InvalidArgumentError(Error, ValueError):
    """An argument is invalid (bad format, time, URL, track id...)."""

    status = 1


#: The kind's name for `InvalidArgumentError`.
ArgumentError = InvalidArgumentError


class NullPointerError(InvalidArgumentError):
    """A required pointer was NULL (a bug in these bindings if it happens)."""

    status = 2


class ReadError(Error, OSError):
    """The movie's bytes could not be read: a file, the network or the HTTP server failed."""


class LazyqtIOError(ReadError):
    """A local file (or the disk cache) could not be read."""

    status = 3


class NetworkError(ReadError):
    """The network failed (refused, reset, truncated answer) or timed out."""

    status = 4


class HTTPError(ReadError):
    """The server answered with an error status or does not support range requests."""

    status = 5


class ChangedUpstreamError(ReadError):
    """The remote file changed since it was opened: open it again."""

    status = 6


class MalformedError(Error):
    """The movie is malformed or uses an unsupported QuickTime feature."""

    status = 7


class NoVideoTrackError(Error):
    """The movie has no video track."""

    status = 8


class OutOfRangeError(Error, IndexError):
    """A frame number or time past the end of the movie."""

    status = 9


class UnsupportedCodecError(Error):
    """The video codec cannot be decoded."""

    status = 10


#: The kind's name for `UnsupportedCodecError`.
UnsupportedError = UnsupportedCodecError


class InternalError(Error):
    """Neither the movie's fault nor the caller's: FFmpeg or an encoder failed, a bug."""


class DecodeError(InternalError):
    """Decoding, converting or encoding the picture failed (or FFmpeg is not available)."""

    status = 11


class TooLargeError(InvalidArgumentError):
    """A size exceeds a limit of the library."""

    status = 12


class BufferTooSmallError(InternalError):
    """A buffer was too small (a bug in these bindings if it happens)."""

    status = 13


class PanicError(InternalError):
    """The library hit an internal error (a bug: please report it)."""

    status = 14


class NotFoundError(LazyqtIOError, HTTPError, FileNotFoundError):
    """The file or URL does not exist (no such local file, HTTP 404 or 410)."""

    status = 15


class TimeoutError(NetworkError, builtins.TimeoutError):
    """Connecting, an answer or the whole read took longer than its deadline."""

    status = 16


def error_for(status, message):
    """The exception for a status code and message."""
    cls = _BY_STATUS.get(status)
    return cls(message) if cls else Error(message, status)
