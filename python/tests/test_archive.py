"""lazyqt.archive over the generated CamHD-layout archive (testdata/generate_archive.sh),
local and served by the loopback test server's autoindex: catalogs against ffprobe,
frame_at against the ffmpeg CLI's decode of the computed frame, frames_between's count and
order, and a gap's error naming the recordings around it."""

import json
import subprocess
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from conftest import ffmpeg_decode, serve

import lazyqt

UTC = timezone.utc


@pytest.fixture(scope="session", params=["local", "http"])
def root(request, archive_dir):
    """The archive's root as a path, or as the test server's URL of it."""
    if request.param == "local":
        yield str(archive_dir)
    else:
        with serve(archive_dir) as server:
            yield server.base


def ffprobe(path):
    """(duration in s, frames) of a movie's video stream, as ffprobe counts them."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames"]
        + ["-show_entries", "stream=nb_read_frames,duration", "-of", "json", str(path)],
        check=True,
        capture_output=True,
    )
    s = json.loads(out.stdout)["streams"][0]
    return float(s["duration"]), int(s["nb_read_frames"])


def local_path(archive_dir, root, url):
    return archive_dir / url[len(root) :].lstrip("/")


def test_catalog_matches_ffprobe(archive_dir, root, tmp_path):
    a = lazyqt.archive(root, cache_dir=tmp_path / "cache")
    rows = a.catalog(datetime(2016, 11, 12), datetime(2016, 11, 15, 23, 59, 59), as_frame=False)
    assert len(rows) == 6
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)
    statuses = {r["url"].rsplit("/", 1)[1]: r["status"] for r in rows}
    assert statuses["CAMHDA301-20161113T060000Z.mov"] == "malformed"
    for r in rows:
        if r["status"] != "ok":
            assert r["error"]
            continue
        duration, frames = ffprobe(local_path(archive_dir, root, r["url"]))
        assert r["frames"] == frames == 60
        assert abs(r["duration"] - duration) < 1e-3, (r["url"], r["duration"], duration)
        assert r["end"] - r["start"] == timedelta(seconds=r["duration"])
        assert r["start"].tzinfo is not None
    first = rows[0]
    assert first["url"].endswith("2016/11/12/CAMHDA301-20161112T210000Z.mov")
    assert first["start"] == datetime(2016, 11, 12, 21, tzinfo=UTC)
    assert first["start_from"] == "name"


def test_frame_at_is_ffmpegs_frame(archive_dir, root, tmp_path):
    with lazyqt.archive(root, cache_dir=tmp_path / "cache") as a:
        picture, info = a.frame_at(datetime(2016, 11, 13, 3, 0, 1, 500000, tzinfo=UTC))
        assert info["url"].endswith("2016/11/13/CAMHDA301-20161113T030000Z.mov")
        assert (info["frame"], info["offset"]) == (44, 1.5)
        assert info["utc"] == datetime(2016, 11, 13, 3, 0, 1, 500000, tzinfo=UTC)
        path = local_path(archive_dir, root, info["url"])
        want = np.frombuffer(ffmpeg_decode(path, 44), np.uint8).reshape(picture.shape)
        assert np.array_equal(picture, want)
        # A naive datetime is UTC; a recording across midnight is found from the next day.
        _, info = a.frame_at(datetime(2016, 11, 13, 0, 0, 0, 500000))
        assert info["url"].endswith("2016/11/12/CAMHDA301-20161112T235959Z.mov")
        assert info["frame"] == 44
        # A gap: an error naming both neighbours, or with nearest the closest frame.
        with pytest.raises(lazyqt.OutOfRangeError) as e:
            a.frame_at(datetime(2016, 11, 13, 5, tzinfo=UTC))
        assert "CAMHDA301-20161113T030000Z.mov" in str(e.value)
        assert "CAMHDA301-20161113T090000Z.mov" in str(e.value)
        _, info = a.frame_at(datetime(2016, 11, 13, 5, tzinfo=UTC), nearest=True)
        assert info["url"].endswith("CAMHDA301-20161113T030000Z.mov") and info["frame"] == 59
        with pytest.raises(lazyqt.InvalidArgumentError):
            a.frame_at(12)


def test_frames_between_count_order_and_pixels(archive_dir, root, tmp_path):
    a = lazyqt.archive(root, cache_dir=tmp_path / "cache")
    start = datetime(2016, 11, 12, 23, 59, 59, tzinfo=UTC)
    end = datetime(2016, 11, 13, 3, 0, 1, tzinfo=UTC)
    got = list(a.frames_between(start, end, every=timedelta(milliseconds=500)))
    # 23:59:59.0 .. 00:00:01.0 in the movie of 2.002 s (5 instants), 03:00:00.0 .. 03:00:01.0
    # in the next (3 instants); the instants between are in no recording.
    assert len(got) == 8
    utcs = [info["utc"] for _, info in got]
    assert utcs == sorted(utcs)
    assert [info["frame"] for _, info in got] == [0, 14, 29, 44, 59, 0, 14, 29]
    for picture, info in got[::3]:
        path = local_path(archive_dir, root, info["url"])
        want = np.frombuffer(ffmpeg_decode(path, info["frame"]), np.uint8).reshape(picture.shape)
        assert np.array_equal(picture, want), info
    assert got[0][1]["url"].endswith("2016/11/12/CAMHDA301-20161112T235959Z.mov")
    assert got[-1][1]["url"].endswith("2016/11/13/CAMHDA301-20161113T030000Z.mov")
    with pytest.raises(lazyqt.InvalidArgumentError):
        next(a.frames_between(start, end, every=timedelta(0)))
    a.close()


def test_catalog_as_a_data_frame_when_pandas_is_there(archive_dir):
    a = lazyqt.archive(archive_dir, no_cache=True)
    day = (datetime(2016, 11, 13), datetime(2016, 11, 13, 23, 59, 59))
    try:
        import pandas
    except ImportError:
        assert isinstance(a.catalog(*day), list)
        with pytest.raises(ImportError):
            a.catalog(*day, as_frame=True)
    else:
        frame = a.catalog(*day)
        assert isinstance(frame, pandas.DataFrame)
        assert list(frame.columns) == list(lazyqt._utc.COLUMNS)
        assert len(frame) == 4
    # The movie of the day before recording across midnight, and the three of the day.
    assert len(a.catalog(*day, as_frame=False)) == 4
