"""The Python column of the error-kind table: every C status code has its exception class,
and real failures through the library raise the class their kind maps to."""

import builtins
import os
import subprocess

import pytest

import lazyqt
from lazyqt import _errors
from lazyqt._lib import lib

# Every status code of the C header and the class it raises (0 is success).
EXPECTED = {
    1: lazyqt.InvalidArgumentError,
    2: lazyqt.NullPointerError,
    3: lazyqt.LazyqtIOError,
    4: lazyqt.NetworkError,
    5: lazyqt.HTTPError,
    6: lazyqt.ChangedUpstreamError,
    7: lazyqt.MalformedError,
    8: lazyqt.NoVideoTrackError,
    9: lazyqt.OutOfRangeError,
    10: lazyqt.UnsupportedCodecError,
    11: lazyqt.DecodeError,
    12: lazyqt.TooLargeError,
    13: lazyqt.BufferTooSmallError,
    14: lazyqt.PanicError,
    15: lazyqt.NotFoundError,
    16: lazyqt.TimeoutError,
}


def test_every_status_code_of_the_library_has_its_class():
    known = {c for c in range(1, 256) if lib.lazyqt_status_str(c) != b"unknown status"}
    assert known == set(EXPECTED), "the library's codes and this table differ"
    for code, cls in EXPECTED.items():
        err = _errors.error_for(code, "why")
        assert type(err) is cls, code
        assert err.status == code and err.message == "why" and str(err) == "why"
        assert isinstance(err, lazyqt.Error) and isinstance(err, lazyqt.LazyqtError)
    unknown = _errors.error_for(99, "new")
    assert type(unknown) is lazyqt.Error and unknown.status == 99


def test_old_class_names_still_catch_what_they_caught():
    not_found = _errors.error_for(15, "gone")
    # A missing local file was an LazyqtIOError, an HTTP 404 an HTTPError.
    for parent in (lazyqt.LazyqtIOError, lazyqt.HTTPError, FileNotFoundError, OSError, lazyqt.ReadError):
        assert isinstance(not_found, parent), parent
    # A timeout was a NetworkError.
    timeout = _errors.error_for(16, "slow")
    for parent in (lazyqt.NetworkError, builtins.TimeoutError, OSError):
        assert isinstance(timeout, parent), parent
    assert lazyqt.ArgumentError is lazyqt.InvalidArgumentError
    assert lazyqt.UnsupportedError is lazyqt.UnsupportedCodecError
    for code in (11, 13, 14):
        assert isinstance(_errors.error_for(code, ""), lazyqt.InternalError), code
    for code in (1, 2, 12):
        assert isinstance(_errors.error_for(code, ""), ValueError), code


def test_real_failures_raise_their_kinds_class(movies, http_server, open_kwargs, tmp_path):
    def raised(call):
        with pytest.raises(lazyqt.Error) as e:
            call()
        return e.value

    missing = raised(lambda: lazyqt.open(tmp_path / "missing.mov", **open_kwargs))
    assert type(missing) is lazyqt.NotFoundError and "missing.mov" in str(missing)
    gone = raised(lambda: lazyqt.open(http_server.base + "missing.mov", **open_kwargs))
    assert type(gone) is lazyqt.NotFoundError and "404" in str(gone)
    assert type(raised(lambda: lazyqt.open(__file__, **open_kwargs))) is lazyqt.MalformedError
    truncated = tmp_path / "truncated.mov"
    data = (movies / "prores_faststart.mov").read_bytes()
    truncated.write_bytes(data[: len(data) * 6 // 10])
    with lazyqt.open(truncated, **open_kwargs) as m:
        past_end = raised(lambda: m.frame(29))
        assert type(past_end) is lazyqt.MalformedError and "past the end" in str(past_end)
    with lazyqt.open(movies / "prores2.mov", **open_kwargs) as m:
        assert type(raised(lambda: m.frame(30))) is lazyqt.OutOfRangeError
        assert type(raised(lambda: m.frame_number_at(-1.0))) is lazyqt.InvalidArgumentError
        assert type(raised(lambda: m.frame(0, width=100_000))) is lazyqt.TooLargeError
    # A codec FFmpeg has no decoder for: the sample entry's fourcc renamed.
    unknown_codec = tmp_path / "unknown_codec.mov"
    data = (movies / "prores2.mov").read_bytes()
    assert data.count(b"apcn") >= 1
    unknown_codec.write_bytes(data.replace(b"apcn", b"zzzz"))
    with lazyqt.open(unknown_codec, **open_kwargs) as m:
        assert type(raised(lambda: m.frame(0))) is lazyqt.UnsupportedCodecError
    # A movie with sound only.
    sound = tmp_path / "sound.mov"
    ffmpeg = ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=duration=0.2"]
    subprocess.run([*ffmpeg, "-c:a", "pcm_s16le", str(sound)], check=True)
    assert type(raised(lambda: lazyqt.open(sound, **open_kwargs))) is lazyqt.NoVideoTrackError
    # The remote file changes under an open movie: the next uncached read says so.
    changing = tmp_path / "served" / "m.mov"
    changing.parent.mkdir()
    changing.write_bytes((movies / "prores2.mov").read_bytes())
    from conftest import serve

    with serve(changing.parent) as server, lazyqt.open(server.base + "m.mov", no_cache=True) as m:
        m.frame(5)
        changed = bytearray(changing.read_bytes())
        changed[100] ^= 0xFF
        before = changing.stat().st_mtime
        changing.write_bytes(bytes(changed))
        # The server's validator is the size and the mtime in seconds: a write within the
        # same second would keep it, so the change is dated clearly later.
        os.utime(changing, (before + 10, before + 10))
        assert type(raised(lambda: m.frame(12))) is lazyqt.ChangedUpstreamError
