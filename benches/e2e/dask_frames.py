"""Frames/s of 1,000 random frames across 20 CamHD-layout movies served over loopback HTTP
with a fixed delay per request: a serial pycamhd-style loop (lazyqt.pycamhd.get_frame, one
frame after another) against lazyqt.dask.frames on a distributed.LocalCluster of 1 and 2
worker processes (one thread each). Every mode starts from an empty disk cache, so each
movie's moov is fetched once per process in every mode. Each frame is decoded to rgb24 and
reduced to its mean on the worker (the 6 MB arrays are not shipped to the client, in any
mode). Also: the decode-bound ceiling (one local movie through Movie.iter_frames).

Usage (from the repository root, after `pip install ./python[dask]` into the Python used):
    python benches/e2e/dask_frames.py TARGET_DIR [--frames 1000] [--movies 20] [--latency-ms 50]
TARGET_DIR holds release/make_camhd and release/lazyqt-testserver
(cargo build --release -p lazyqt-testserver -p lazyqt-benches --bin make_camhd).
Prints one Markdown table row per mode.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import distributed

import lazyqt
import lazyqt.dask as ld
import lazyqt.pycamhd as camhd


def mean_of(record):
    """What every mode computes per frame (an error would be a failed benchmark)."""
    if record.error is not None:
        raise RuntimeError(record.error)
    return float(record.data.mean())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("target")
    p.add_argument("--frames", type=int, default=1000)
    p.add_argument("--movies", type=int, default=20)
    p.add_argument("--latency-ms", type=int, default=50)
    a = p.parse_args()
    release = Path(a.target) / "release"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = tmp / "archive"
        root.mkdir()
        subprocess.run(
            [release / "make_camhd", tmp / "movie.mov", "--alias"], check=True, capture_output=True
        )
        names = [f"CAMHDA301-201707{d:02d}T000000.mov" for d in range(1, a.movies + 1)]
        for name in names:
            os.link(tmp / "movie.mov", root / name)
        with lazyqt.open(tmp / "movie.mov") as m:
            frames_per_movie = m.frames
            start = time.perf_counter()
            n = sum(1 for _ in m.iter_frames(range(0, 600, 5)))
            ceiling = n / (time.perf_counter() - start)
        rng = random.Random(0)
        picks = {}  # distinct (movie, frame) pairs, in the order drawn
        while len(picks) < a.frames:
            picks[(rng.choice(names), rng.randrange(frames_per_movie))] = None
        server = subprocess.Popen(
            [release / "lazyqt-testserver", root, "--exit-on-eof", "--latency-ms", str(a.latency_ms)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        base = server.stdout.readline().decode().strip()
        items = [(base + name, n) for name, n in picks]
        rows = [("decode ceiling: local file, Movie.iter_frames (2 cores)", ceiling)]
        try:
            camhd.configure(cache_dir=tmp / "cache-serial")
            start = time.perf_counter()
            serial = [float(camhd.get_frame(uri, n).mean()) for uri, n in items]
            rows.append(
                (
                    "serial pycamhd-style loop (lazyqt.pycamhd.get_frame)",
                    len(items) / (time.perf_counter() - start),
                )
            )
            for workers in (1, 2):
                with (
                    distributed.LocalCluster(
                        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
                    ) as cluster,
                    distributed.Client(cluster) as client,
                ):
                    client.wait_for_workers(workers)
                    bag = ld.frames(items, open_kwargs={"cache_dir": str(tmp / f"cache-{workers}")}).map(
                        mean_of
                    )
                    start = time.perf_counter()
                    means = bag.compute()
                    rate = len(items) / (time.perf_counter() - start)
                    rows.append((f"lazyqt.dask.frames, {workers} worker(s) x 1 thread", rate))
                    # Same frames: the bag's order is by movie then frame.
                    assert sorted(means) == sorted(serial), "the modes disagree"
        finally:
            server.stdin.close()
            server.wait(timeout=30)
    print(f"| mode ({a.frames} random frames, {a.movies} movies, {a.latency_ms} ms a request) | frames/s |")
    print("|---|---:|")
    for name, rate in rows:
        print(f"| {name} | {rate:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
