"""Exceptions: one class per lazyqt_status, all subclasses of LazyqtError."""


class LazyqtError(Exception):
    """A lazyqt call failed. `status` is the C status code, `message` the library's text."""

    status = -1

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class InvalidArgumentError(LazyqtError, ValueError):
    """An argument is invalid (bad format, time, URL...)."""

    status = 1


class NullPointerError(LazyqtError, ValueError):
    """A required pointer was NULL (a bug in these bindings if it happens)."""

    status = 2


class LazyqtIOError(LazyqtError, OSError):
    """A local file (or the disk cache) could not be read."""

    status = 3


class NetworkError(LazyqtError, OSError):
    """The network failed (refused, reset, timeout, truncated answer)."""

    status = 4


class HTTPError(LazyqtError, OSError):
    """The server answered with an error status or does not support range requests."""

    status = 5


class ChangedUpstreamError(LazyqtError):
    """The remote file changed since it was opened: open it again."""

    status = 6


class MalformedError(LazyqtError):
    """The movie is malformed or uses an unsupported QuickTime feature."""

    status = 7


class NoVideoTrackError(LazyqtError):
    """The movie has no video track."""

    status = 8


class OutOfRangeError(LazyqtError, IndexError):
    """A frame number or time past the end of the movie."""

    status = 9


class UnsupportedCodecError(LazyqtError):
    """The video codec cannot be decoded."""

    status = 10


class DecodeError(LazyqtError):
    """Decoding, converting or encoding the picture failed."""

    status = 11


class TooLargeError(LazyqtError, ValueError):
    """A size exceeds a limit of the library."""

    status = 12


class BufferTooSmallError(LazyqtError):
    """A buffer was too small (a bug in these bindings if it happens)."""

    status = 13


class PanicError(LazyqtError):
    """The library hit an internal error (a bug: please report it)."""

    status = 14


_BY_STATUS = {
    cls.status: cls
    for cls in (
        InvalidArgumentError,
        NullPointerError,
        LazyqtIOError,
        NetworkError,
        HTTPError,
        ChangedUpstreamError,
        MalformedError,
        NoVideoTrackError,
        OutOfRangeError,
        UnsupportedCodecError,
        DecodeError,
        TooLargeError,
        BufferTooSmallError,
        PanicError,
    )
}


def error_for(status, message):
    """The exception for a status code and message."""
    cls = _BY_STATUS.get(status)
    return cls(message) if cls else LazyqtError(message, status)
