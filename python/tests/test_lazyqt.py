"""lazyqt's Python package over the C library: metadata, frames equal to the ffmpeg CLI's
decode (local and over HTTP), formats, encoders, errors, prefetching iteration, threads."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import numpy as np
import pytest

import lazyqt

PRORES = ["prores0.mov", "prores2.mov", "prores3.mov", "prores4.mov"]


def test_library_loads():
    assert lazyqt.library_version == lazyqt.__version__


def test_metadata(movies, open_kwargs):
    with lazyqt.open(movies / "prores2.mov", **open_kwargs) as m:
        assert (m.frames, len(m), m.width, m.height) == (30, 30, 320, 180)
        assert m.shape == (180, 320)
        assert m.codec == "apcn"
        assert m.fps == pytest.approx(30000 / 1001)
        assert m.fps_fraction.numerator == 30000 and m.fps_fraction.denominator == 1001
        assert m.duration == pytest.approx(1.0, abs=0.05)
        assert m.file_size == (movies / "prores2.mov").stat().st_size
        assert m.timescale == 30000
        assert m.creation_time is None or isinstance(m.creation_time, datetime)
        assert "apcn" in repr(m)
    assert m.closed
    assert "closed" in repr(m)


@pytest.mark.parametrize("name", PRORES)
def test_prores_frames_equal_ffmpeg_locally(movies, open_kwargs, ffmpeg_frame, name):
    with lazyqt.open(movies / name, **open_kwargs) as m:
        for n in (0, 5, m.frames - 1):
            got = m.frame(n)
            assert got.shape == (180, 320, 3) and got.dtype == np.uint8
            np.testing.assert_array_equal(got, ffmpeg_frame(movies / name, n, got.shape))


def test_prores_frames_equal_ffmpeg_over_http(movies, http_server, open_kwargs, ffmpeg_frame):
    before = http_server.ranged
    with lazyqt.open(http_server.base + "prores2.mov", **open_kwargs) as m:
        assert m.frames == 30
        for n in (3, 17):
            np.testing.assert_array_equal(m.frame(n), ffmpeg_frame(movies / "prores2.mov", n, (180, 320, 3)))
    assert http_server.ranged > before, "the movie was not read with range requests"


def test_h264_with_b_frames_equals_ffmpeg(movies, open_kwargs, ffmpeg_frame):
    with lazyqt.open(movies / "h264_bframes.mp4", **open_kwargs) as m:
        assert m.codec == "avc1"
        for n in (0, 7, 31):
            np.testing.assert_array_equal(
                m.frame(n), ffmpeg_frame(movies / "h264_bframes.mp4", n, (180, 320, 3))
            )


def test_must_show_one_liner_over_http(http_server, tmp_path):
    url = http_server.base + "prores2.mov"
    code = f"import lazyqt; m = lazyqt.open({url!r}); print(m.frame(5).shape)"
    # The default disk cache goes under $XDG_CACHE_HOME: keep it in the test's temp dir.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(180, 320, 3)"
    assert (tmp_path / "lazyqt").is_dir(), "the disk cache was not used"


# lazyqt format -> (ffmpeg pix_fmt, shape of a 320x180 frame, dtype)
FORMATS = {
    "rgb24": ("rgb24", (180, 320, 3), np.uint8),
    "rgba": ("rgba", (180, 320, 4), np.uint8),
    "rgb48": ("rgb48le", (180, 320, 3), np.uint16),
    "gray": ("gray", (180, 320), np.uint8),
    "gray16": ("gray16le", (180, 320), np.uint16),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_pixel_formats_equal_ffmpeg(movies, open_kwargs, ffmpeg_frame, fmt):
    pix_fmt, shape, dtype = FORMATS[fmt]
    with lazyqt.open(movies / "prores2.mov", **open_kwargs) as m:
        got = m.frame(4, format=fmt)
        assert got.shape == shape and got.dtype == dtype
        np.testing.assert_array_equal(got, ffmpeg_frame(movies / "prores2.mov", 4, shape, pix_fmt, dtype))


@pytest.mark.parametrize("pix_fmt", lazyqt.PIXEL_FORMATS)
def test_ffmpeg_pixel_formats_equal_ffmpeg(movies, colour_movies, open_kwargs, ffmpeg_frame, pix_fmt):
    for path in [movies / "prores2.mov", colour_movies["bt709"]]:
        with lazyqt.open(path, **open_kwargs) as m:
            got = m.frame(1, pix_fmt=pix_fmt)
            want = ffmpeg_frame(path, 1, got.shape, pix_fmt, got.dtype)
            assert got.ndim == (2 if pix_fmt.startswith("gray") else 3)
            wide = {"le": np.dtype("<u2"), "be": np.dtype(">u2")}
            assert got.dtype == wide.get(pix_fmt[-2:], np.dtype(np.uint8))
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "name", ["untagged_1080", "untagged_720", "untagged_sd", "bt709", "smpte170m", "bt2020nc"]
)
def test_colour_rule_equals_ffmpeg(colour_movies, open_kwargs, ffmpeg_frame, name):
    """The stream's matrix, BT.601 when untagged, whatever the size: as the ffmpeg CLI."""
    path = colour_movies[name]
    with lazyqt.open(path, **open_kwargs) as m:
        shape = (m.height, m.width, 3)
        for n in range(3):
            np.testing.assert_array_equal(m.frame(n), ffmpeg_frame(path, n, shape))
        forced = m.frame(2, matrix="bt709")
        np.testing.assert_array_equal(forced, ffmpeg_frame(path, 2, shape, vf=",scale=in_color_matrix=bt709"))
        if name.startswith("untagged"):
            assert np.abs(forced.astype(int) - m.frame(2).astype(int)).max() > 10


def test_sizes_and_indexing(movies, open_kwargs):
    with lazyqt.open(movies / "prores2.mov", **open_kwargs) as m:
        assert (m.frame(4, format="rgba")[..., 3] == 255).all()
        assert m.frame(4, width=160).shape == (90, 160, 3)
        assert m.frame(4, height=90, format="gray").shape == (90, 160)
        assert m.frame(4, width=100, height=50).shape == (50, 100, 3)
        assert m.output_shape(width=64) == (36, 64)
        np.testing.assert_array_equal(m.frame(-1), m.frame(29))
        np.testing.assert_array_equal(m[2], m.frame(2))


def test_frame_at_and_frame_info(movies, open_kwargs):
    with lazyqt.open(movies / "prores2.mov", **open_kwargs) as m:
        info = m.frame_info(10)
        assert info.keyframe and info.size > 0 and info.pts == 10 * 1001
        assert info.time == pytest.approx(10 * 1001 / 30000)
        assert m.frame_number_at(info.time + 0.001) == 10
        np.testing.assert_array_equal(m.frame_at(info.time + 0.001), m.frame(10))
        raw = m.raw(10)
        with open(movies / "prores2.mov", "rb") as f:
            f.seek(info.offset)
            assert raw == f.read(info.size)


def test_encoders(movies, open_kwargs):
    with lazyqt.open(movies / "prores2.mov", **open_kwargs) as m:
        png = m.png(3)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(png[16:20], "big") == 320 and int.from_bytes(png[20:24], "big") == 180
        small = m.png(3, width=160)
        assert int.from_bytes(small[16:20], "big") == 160
        jpeg = m.jpeg(3, quality=50)
        assert jpeg[:2] == b"\xff\xd8" and len(jpeg) < len(m.jpeg(3, quality=95))
        assert m.encode(3, "bmp")[:2] == b"BM"
        ppm = m.encode(3, "ppm")
        assert ppm.startswith(b"P6\n320 180\n255\n")
        header = len(b"P6\n320 180\n255\n")
        assert ppm[header:] == m.frame(3).tobytes()
        assert m.encode(3, "ppm", matrix="bt709")[header:] == m.frame(3, matrix="bt709").tobytes()
        assert m.encode(3, "ppm", matrix="bt709") != ppm


def test_errors(movies, http_server, open_kwargs):
    with lazyqt.open(movies / "prores2.mov", **open_kwargs) as m:
        with pytest.raises(lazyqt.OutOfRangeError, match="30") as e:
            m.frame(30)
        assert isinstance(e.value, IndexError) and e.value.status == 9
        with pytest.raises(IndexError):
            m.frame(-31)
        with pytest.raises(lazyqt.OutOfRangeError):
            m.frame_at(100.0)
        with pytest.raises(lazyqt.InvalidArgumentError):
            m.frame_number_at(float("nan"))
        with pytest.raises(ValueError, match="unknown pixel format"):
            m.frame(0, format="yuv")
        with pytest.raises(lazyqt.InvalidArgumentError, match="not packed"):
            m.frame(0, "yuv420p")
        with pytest.raises(lazyqt.InvalidArgumentError, match="unknown colour matrix"):
            m.frame(0, matrix="rec709")
        with pytest.raises(lazyqt.InvalidArgumentError, match="must be a str"):
            m.frame(0, pix_fmt=3)
        with pytest.raises(ValueError, match="unknown image format"):
            m.encode(0, "gif")
        with pytest.raises(lazyqt.InvalidArgumentError, match="quality"):
            m.jpeg(0, quality=101)
        with pytest.raises(lazyqt.TooLargeError):
            m.frame(0, width=100_000)
    with pytest.raises(lazyqt.LazyqtError, match="closed"):
        m.frame(0)
    with pytest.raises(lazyqt.LazyqtIOError) as e:
        lazyqt.open(movies / "no-such-movie.mov", **open_kwargs)
    assert "no-such-movie.mov" in str(e.value)
    with pytest.raises(lazyqt.HTTPError, match="404"):
        lazyqt.open(http_server.base + "no-such-movie.mov", **open_kwargs)
    with pytest.raises(lazyqt.MalformedError):
        lazyqt.open(__file__, **open_kwargs)


def _with_bad_stsz(src, dst, nth):
    """Copy src to dst with the sample count of its nth stsz atom set to 2**31."""
    data = bytearray(src.read_bytes())
    at = -1
    for _ in range(nth + 1):
        at = data.index(b"stsz", at + 1)
    data[at + 12 : at + 16] = (1 << 31).to_bytes(4, "big")
    dst.write_bytes(bytes(data))
    return dst


def test_skipped_tracks_are_reported_and_never_stand_in(movies, open_kwargs, tmp_path):
    second = _with_bad_stsz(movies / "two_video.mov", tmp_path / "bad2.mov", 1)
    with lazyqt.open(second, **open_kwargs) as m:
        assert (m.width, m.height) == (320, 180)
        (s,) = m.skipped_tracks
        assert (s.id, s.kind, s.atom, s.reason) == (2, "video", "stsz", "has an invalid table")
        assert str(s).startswith("video track 2 is malformed: atom 'stsz' at offset ")
    with lazyqt.open(movies / "two_video.mov", **open_kwargs) as m:
        assert m.skipped_tracks == ()
    first = _with_bad_stsz(movies / "two_video.mov", tmp_path / "bad1.mov", 0)
    with pytest.raises(lazyqt.MalformedError, match="video track 1 is malformed") as e:
        lazyqt.open(first, **open_kwargs)
    assert e.value.status == 7


def test_paths_need_not_be_utf8(movies, open_kwargs, tmp_path):
    path = os.path.join(os.fsencode(tmp_path), b"movie-\xff.mov")
    with open(path, "wb") as f:
        f.write((movies / "prores2.mov").read_bytes())
    with lazyqt.open(path, **open_kwargs) as m:
        assert m.frames == 30


def test_iter_frames_prefetch(movies, http_server, open_kwargs):
    with lazyqt.open(http_server.base + "prores2.mov", **open_kwargs) as m:
        wanted = [9, 2, 2, 28, 0, 15]
        expected = [m.frame(n) for n in wanted]
        got = list(m.iter_frames(wanted, prefetch=3))
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            np.testing.assert_array_equal(a, b)
        small = list(m.iter_frames(range(0, 30, 10), prefetch=2, format="gray", width=80))
        assert [f.shape for f in small] == [(45, 80)] * 3
        assert sum(1 for _ in m) == 30
        it = m.iter_frames(prefetch=4)
        next(it)
        it.close()  # stops the pipeline early without error
        # A failing frame raises at its turn, after the frames before it.
        ranged = http_server.ranged
        it = m.iter_frames([9, 99, 2], prefetch=2)
        np.testing.assert_array_equal(next(it), expected[0])
        with pytest.raises(lazyqt.OutOfRangeError):
            next(it)
        it.close()
        assert http_server.ranged - ranged <= 2, "frame 9 (and 2) read once each at most"


def test_threads_share_a_movie(movies, open_kwargs, ffmpeg_frame):
    expected = ffmpeg_frame(movies / "prores2.mov", 12, (180, 320, 3))
    with lazyqt.open(movies / "prores2.mov", **open_kwargs) as m, ThreadPoolExecutor(4) as pool:
        frames = list(pool.map(lambda _: m.frame(12), range(12)))
    assert m.closed
    for f in frames:
        np.testing.assert_array_equal(f, expected)
