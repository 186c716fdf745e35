"""lazyqt.dask on a real distributed.LocalCluster (two worker processes, one thread each)
against the loopback test server of several CamHD-layout ProRes movies, one of them broken
and one missing: results equal a serial loop's byte for byte (and the serial loop equals
the ffmpeg CLI), each movie's moov is fetched at most once per worker, a worker killed
mid-run is retried by Dask, failures are records. Every wait is bounded."""

import json
import os
import pickle
import re
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import distributed
import numpy as np
import pytest
from camhd_layout import camhd_layout
from conftest import serve

import lazyqt
import lazyqt.dask as ld

FRAMES = 24
SOURCES = {
    "CAMHDA301-20170701T000000.mov": "testsrc2=size=320x180:rate=30000/1001",
    "CAMHDA301-20170701T030000.mov": "smptehdbars=size=320x180:rate=30000/1001",
    "CAMHDA301-20170701T060000.mov": "mandelbrot=size=320x180:rate=30000/1001",
    "CAMHDA301-20170701T090000.mov": "testsrc=size=320x180:rate=30000/1001",
}
BROKEN = "broken.mov"
MISSING = "missing.mov"
TIMEOUT = 120


@pytest.fixture(scope="module")
def camhd(tmp_path_factory):
    """The movies in CamHD's layout (the first with a creation time), and a broken one (a
    movie cut before its moov)."""
    out = tmp_path_factory.mktemp("dask-movies")
    for i, (name, src) in enumerate(SOURCES.items()):
        raw = out / f"raw-{name}"
        meta = ["-metadata", "creation_time=2017-07-01T00:00:00Z"] if i == 0 else []
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", src, "-frames:v", str(FRAMES)]
            + ["-c:v", "prores_ks", "-profile:v", "2", *meta, "-f", "mov", str(raw)],
            check=True,
        )
        camhd_layout(raw, out / name)
        raw.unlink()
    data = (out / next(iter(SOURCES))).read_bytes()
    (out / BROKEN).write_bytes(data[: len(data) // 2])
    return out


@pytest.fixture(scope="module")
def server(camhd, tmp_path_factory):
    """The test server of the movies, 10 ms added to each answer; `.log` is the file its
    request log lands in when it stops."""
    log = tmp_path_factory.mktemp("dask-log") / "requests.log"
    with serve(camhd, options=["--latency-ms", "10"], log=log) as s:
        s.log = log
        yield s


@pytest.fixture(scope="module")
def client():
    """A Dask client of a LocalCluster: two worker processes with one thread each."""
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0", timeout=TIMEOUT
        ) as cluster,
        distributed.Client(cluster, timeout=TIMEOUT) as c,
    ):
        c.wait_for_workers(2, timeout=TIMEOUT)
        yield c


def items_of(server, per_movie=FRAMES):
    """(uri, frame) pairs: every other frame of each movie, newest movie first, plus the
    broken and the missing movie's."""
    out = [(server.base + name, n) for name in reversed(SOURCES) for n in range(per_movie - 1, -1, -2)]
    return out + [(server.base + BROKEN, 1), (server.base + BROKEN, 2), (server.base + MISSING, 0)]


def serial(items, cache_dir):
    """What a plain loop gets: {(uri, frame): array}, for the movies that open."""
    out = {}
    for uri, n in items:
        if uri.endswith((BROKEN, MISSING)):
            continue
        with lazyqt.open(uri, cache_dir=cache_dir) as m:
            out[(uri, n)] = m.frame(n)
    return out


def test_movie_pickles_and_is_shared_by_threads(camhd, server, tmp_path):
    uri = server.base + next(iter(SOURCES))
    m = lazyqt.open(uri, cache_dir=tmp_path / "c", ttl=None)
    again = pickle.loads(pickle.dumps(m))
    assert again is not m and again.uri == uri and again._open_args == m._open_args
    assert again.frames == m.frames == FRAMES and again.creation_time == m.creation_time
    expected = [m.frame(n) for n in range(FRAMES)]
    m.close()
    assert pickle.loads(pickle.dumps(m)).frames == FRAMES  # a closed movie opens again
    # One handle, many threads at once: single frames and pipelines interleaved.
    with ThreadPoolExecutor(6) as pool:
        singles = pool.map(again.frame, list(range(FRAMES)) * 2)
        runs = [pool.submit(lambda: list(again.iter_frames(range(FRAMES)))) for _ in range(3)]
        for n, a in zip(list(range(FRAMES)) * 2, singles):
            assert a.tobytes() == expected[n].tobytes()
        for run in runs:
            assert [a.tobytes() for a in run.result(timeout=TIMEOUT)] == [a.tobytes() for a in expected]
    again.close()


def test_serial_loop_equals_ffmpeg(camhd, server, tmp_path, ffmpeg_frame):
    """The reference the cluster tests compare with is itself the ffmpeg CLI's decode."""
    for name in SOURCES:
        with lazyqt.open(server.base + name, cache_dir=tmp_path / "c") as m:
            for n in (0, FRAMES - 1):
                assert m.frame(n).tobytes() == ffmpeg_frame(camhd / name, n, (180, 320, 3)).tobytes()


def _covers(range_header, offset, size):
    """Whether a Range header's byte ranges include `offset` of a file of `size` bytes."""
    for spec in range_header.removeprefix("bytes=").split(","):
        first, last = spec.strip().split("-")
        start, end = (size - int(last), size - 1) if first == "" else (int(first), int(last or size - 1))
        if start <= offset <= end:
            return True
    return False


def test_frames_on_cluster(camhd, server, client, tmp_path):
    items = items_of(server)
    cache = tmp_path / "cache"
    bag = ld.frames(items, frames_per_task=3, open_kwargs={"cache_dir": str(cache)})
    assert bag.npartitions == 4 * (FRAMES // 2) // 3 + 2
    records = client.compute(bag).result(timeout=TIMEOUT)
    expected = serial(items, tmp_path / "serial-cache")
    got = {(r.uri, r.frame): r for r in records}
    assert len(records) == len(got) == len(items)
    for key, array in expected.items():
        r = got[key]
        assert r.error is None and r.data.dtype == np.uint8 and r.data.tobytes() == array.tobytes(), key
    # Movies in first-seen order, frames ascending within each.
    order = [(r.uri, r.frame) for r in records]
    movies = list(dict.fromkeys(u for u, _ in items))
    assert order == sorted(order, key=lambda k: (movies.index(k[0]), k[1]))
    first = server.base + next(iter(SOURCES))
    assert got[(first, 1)].utc.isoformat() == "2017-07-01T00:00:00.033367+00:00"
    assert got[(server.base + list(SOURCES)[1], 1)].utc is None
    for key in [(server.base + BROKEN, 1), (server.base + BROKEN, 2)]:
        assert got[key].data is None and got[key].error.startswith("MalformedError"), got[key]
    assert got[(server.base + MISSING, 0)].error.startswith("NotFoundError")
    # Encoded images: the same bytes as Movie.png.
    pngs = ld.frames(items[:5], image="png", open_kwargs={"cache_dir": str(cache)}).compute()
    with lazyqt.open(items[0][0], cache_dir=cache) as m:
        assert [r.data for r in pngs] == [m.png(n) for _, n in sorted(items[:5], key=lambda i: i[1])]


def test_moov_fetched_at_most_once_per_worker(camhd, tmp_path):
    """Four tasks per movie on two workers: the workers' disk cache serves the moov to every
    task after a worker's first (a fresh server, so its log holds only this test's requests)."""
    log = tmp_path / "requests.log"
    with (
        serve(camhd, log=log) as s,
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0", timeout=TIMEOUT
        ) as cluster,
        distributed.Client(cluster, timeout=TIMEOUT) as c,
    ):
        items = [(s.base + name, n) for name in SOURCES for n in range(0, FRAMES, 2)]
        bag = ld.frames(items, frames_per_task=3, open_kwargs={"cache_dir": str(tmp_path / "cache")})
        assert bag.npartitions == 4 * len(SOURCES)
        records = c.compute(bag).result(timeout=TIMEOUT)
        assert all(r.error is None for r in records) and len(records) == len(items)
    requests = [line.split(" ") for line in log.read_text().splitlines() if line.startswith("GET ")]
    for name in SOURCES:
        with lazyqt.open(camhd / name) as m:
            offset, size = m.moov_location(), m.file_size
        ranges = [
            re.search(r'range=Some\("([^"]+)"\)', line).group(1)
            for _, path, line in ((r[0], r[1], " ".join(r)) for r in requests)
            if path == "/" + name
        ]
        moov = [r for r in ranges if _covers(r, offset[0], size)]
        assert 1 <= len(moov) <= 2, (name, ranges)


def test_stack_mean_streams(camhd, server, client, tmp_path):
    uri = server.base + list(SOURCES)[2]
    wanted = list(range(1, FRAMES, 2))
    arr = ld.stack(uri, wanted, frames_per_chunk=4, open_kwargs={"cache_dir": str(tmp_path / "cache")})
    assert arr.shape == (len(wanted), 180, 320, 3) and arr.dtype == np.uint8
    assert arr.numblocks == (3, 1, 1, 1)
    expected = serial([(uri, n) for n in wanted], tmp_path / "serial")
    frames = np.stack([expected[(uri, n)] for n in wanted])
    mean = client.compute(arr.mean(axis=0)).result(timeout=TIMEOUT)
    assert mean.tobytes() == frames.mean(axis=0).tobytes()
    assert client.compute(arr[5]).result(timeout=TIMEOUT).tobytes() == frames[5].tobytes()
    gray = ld.stack(lazyqt.open(uri, cache_dir=tmp_path / "c"), [0, 3], pix_fmt="gray")
    assert gray.shape == (2, 180, 320)
    with pytest.raises(IndexError):
        ld.stack(uri, [0, FRAMES], open_kwargs={"cache_dir": str(tmp_path / "cache")})


def test_extract_writes_manifest_and_resumes(camhd, server, client, tmp_path):
    items = items_of(server, per_movie=6)
    out = tmp_path / "out"
    kwargs = {"cache_dir": str(tmp_path / "cache")}
    lines = ld.extract(items, out, frames_per_task=2, open_kwargs=kwargs)
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert manifest == lines and len(lines) == len(items)
    ok = [r for r in lines if r["error"] is None]
    assert len(ok) == 4 * 3
    for r in ok:
        with lazyqt.open(r["uri"], cache_dir=tmp_path / "c") as m:
            data = (out / r["path"]).read_bytes()
            assert data == m.png(r["frame"]) and r["size"] == len(data)
    assert ok[-1]["utc"].startswith("2017-07-01T00:00:00.") and ok[-1]["utc"].endswith("Z")
    assert {r["uri"].rsplit("/", 1)[1] for r in lines if r["error"]} == {BROKEN, MISSING}
    assert not list(out.rglob(".*.part-*"))
    # Again: nothing is written, no movie is read (no request reaches the server).
    stamps = {r["path"]: (out / r["path"]).stat().st_mtime_ns for r in ok}
    before = server.stats()["requests"]
    assert ld.extract(items[:-3], out, frames_per_task=2, open_kwargs=kwargs) == [
        r for r in lines if not r["uri"].endswith((BROKEN, MISSING))
    ]
    assert server.stats()["requests"] == before
    assert {p: (out / p).stat().st_mtime_ns for p in stamps} == stamps
    # A lost file is made again, alone.
    lost = out / ok[0]["path"]
    lost.unlink()
    ld.extract(items, out, frames_per_task=2, open_kwargs=kwargs)
    assert lost.stat().st_size == ok[0]["size"]
    assert {p: (out / p).stat().st_mtime_ns for p in stamps if p != ok[0]["path"]} == {
        p: s for p, s in stamps.items() if p != ok[0]["path"]
    }


def test_killed_worker_is_retried(camhd, tmp_path):
    """SIGKILL one worker process while the bag is being computed: Dask runs its tasks again
    on the restarted worker and every record is there and right."""
    with (
        serve(camhd, options=["--latency-ms", "40"]) as s,
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0", timeout=TIMEOUT
        ) as cluster,
        distributed.Client(cluster, timeout=TIMEOUT) as c,
    ):
        items = [(s.base + name, n) for name in SOURCES for n in range(FRAMES)]
        kwargs = {"cache_dir": str(tmp_path / "cache")}
        future = c.compute(ld.frames(items, frames_per_task=4, prefetch=1, open_kwargs=kwargs))
        pids = c.run(os.getpid)
        deadline = time.monotonic() + TIMEOUT
        while s.stats()["ranged"] < 20:
            assert time.monotonic() < deadline and not future.done()
            time.sleep(0.05)
        victim = next(iter(pids.values()))
        os.kill(victim, signal.SIGKILL)
        records = future.result(timeout=TIMEOUT)
        assert victim not in c.run(os.getpid).values()
        expected = serial(items, tmp_path / "serial")
    assert len(records) == len(items)
    for r in records:
        assert r.error is None and r.data.tobytes() == expected[(r.uri, r.frame)].tobytes()


def test_frames_at_archive_instants(archive_dir, client):
    """(archive root, instant) items: each record is the frame lazyqt.archive finds shown at
    that instant, its pixels equal to the serial frame_at's; an instant in a gap is an error
    record with frame -1, not a failed job."""
    root = str(archive_dir)
    at = [datetime(2016, 11, 13, 3, 0, s, us, tzinfo=timezone.utc) for s, us in ((0, 500000), (1, 500000), (1, 750000))]
    gap = datetime(2016, 11, 13, 5, 0, tzinfo=timezone.utc)
    records = ld.frames([(root, t) for t in [*at, gap]], open_kwargs={"no_cache": True}).compute()
    assert [r.utc for r in records] == [*at, gap]
    with lazyqt.archive(root, no_cache=True) as a:
        for r, t in zip(records, at):
            picture, info = a.frame_at(t)
            assert r.error is None, r.error
            assert (r.uri, r.frame) == (info["url"], info["frame"])
            assert np.array_equal(r.data, picture)
    assert records[1].frame == 44  # 1.5 s into the 03:00:00 recording at 29.97 fps
    assert (records[-1].uri, records[-1].frame, records[-1].data) == (root, -1, None)
    assert records[-1].error.startswith("OutOfRangeError"), records[-1].error


def test_extract_at_archive_instants(archive_dir, client, tmp_path):
    """extract() of (archive root, instant) items: the located frames' images (equal to the
    serial frame_at's PNG) and manifest lines; the gap a line with its error; resumable."""
    root = str(archive_dir)
    at = [datetime(2016, 11, 13, 3, 0, 1, 500000, tzinfo=timezone.utc)]
    gap = datetime(2016, 11, 13, 5, 0, tzinfo=timezone.utc)
    out = tmp_path / "out"
    lines = ld.extract([(root, t) for t in [*at, gap]], out, open_kwargs={"no_cache": True})
    ok = [r for r in lines if r["error"] is None]
    bad = [r for r in lines if r["error"] is not None]
    assert len(ok) == 1 and len(bad) == 1
    assert (bad[0]["frame"], bad[0]["path"], bad[0]["utc"]) == (-1, None, "2016-11-13T05:00:00Z")
    with lazyqt.archive(root, no_cache=True) as a:
        info = a.locate(at[0])
    assert (ok[0]["uri"], ok[0]["frame"]) == (info["url"], info["frame"])
    with lazyqt.open(info["url"], no_cache=True) as m:
        assert (out / ok[0]["path"]).read_bytes() == m.encode(info["frame"], "png")
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert sorted(map(json.dumps, manifest)) == sorted(map(json.dumps, lines))
    again = ld.extract([(root, t) for t in [*at, gap]], out, open_kwargs={"no_cache": True})
    assert sorted(map(json.dumps, again)) == sorted(map(json.dumps, lines))
