"""Fixtures: generated test movies, the loopback test server (the lazyqt-testserver binary),
and the ffmpeg CLI's decode to compare against."""

import builtins
import contextlib
import json
import os
import ssl
import socket
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def movies():
    """testdata/generated, made by testdata/generate.sh (idempotent)."""
    subprocess.run(["bash", str(ROOT / "testdata" / "generate.sh")], check=True)
    return ROOT / "testdata" / "generated"


def built_binary(env, package, name):
    """A binary of the workspace: $`env` (python/test.sh builds it and sets it), else built
    here with cargo (`package`) and found in cargo's target directory as `name`."""
    path = os.environ.get(env)
    if path:
        return path
    subprocess.run(["cargo", "build", "--quiet", "-p", package], cwd=ROOT, check=True)
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT, check=True, capture_output=True
    )
    return str(Path(json.loads(meta.stdout)["target_directory"]) / "debug" / name)


def testserver_binary():
    """The lazyqt-testserver binary ($LAZYQT_TESTSERVER)."""
    return built_binary("LAZYQT_TESTSERVER", "lazyqt-testserver", "lazyqt-testserver")


def lazyqt_binary():
    """The `lazyqt` CLI ($LAZYQT_CLI), whose `serve` the nginx recipe and viewer tests run."""
    return built_binary("LAZYQT_CLI", "lazyqt-cli", "lazyqt")


def stop(proc):
    """Stop a child process: SIGTERM, then SIGKILL if it is still there after 10 s."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port():
    """A loopback TCP port free at the time of asking."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackServer:
    """A running lazyqt-testserver: `.base` is its URL ending in '/'; `.ranged` counts the
    range requests it answered with 206 (read from its JSON counters)."""

    def __init__(self, base):
        self.base = base

    def stats(self):
        """Its JSON counters: requests, ranged, bytes_sent, connections."""
        context = ssl._create_unverified_context() if self.base.startswith("https:") else None
        stats = self.base + ".well-known/lazyqt-testserver/stats"
        with urllib.request.urlopen(stats, timeout=10, context=context) as r:
            return json.load(r)

    @property
    def ranged(self):
        return self.stats()["ranged"]


@contextlib.contextmanager
def serve(root, https=False, options=(), log=None):
    """The loopback test server (the lazyqt-testserver binary, as the Rust tests and the
    benchmarks use) of the files under `root`: Range, validators, several ranges as
    multipart/byteranges like Apache, a directory's index.html for the directory; HTTPS with
    a throwaway self-signed certificate when `https`. `options`: more of its command-line
    options (e.g. --latency-ms); `log`: a file path that receives every request it answered
    (its --log) when it stops."""
    with tempfile.TemporaryDirectory() as keys:
        args = [testserver_binary(), os.fspath(root), "--exit-on-eof", *options]
        if log is not None:
            args.append("--log")
        if https:
            cert, key = os.path.join(keys, "cert.pem"), os.path.join(keys, "key.pem")
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
                + ["-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                check=True,
                capture_output=True,
            )
            args += ["--tls-cert", cert, "--tls-key", key]
        err = subprocess.DEVNULL if log is None else builtins.open(log, "wb")
        try:
            proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        finally:
            if log is not None:
                err.close()
        try:
            base = proc.stdout.readline().decode().strip()
            assert base.startswith("http"), f"lazyqt-testserver did not start: {base!r}"
            yield LoopbackServer(base)
        finally:
            proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def archive_dir():
    """The generated CamHD-layout archive, testdata/generate_archive.sh (made once; the
    script is idempotent)."""
    out = ROOT / "testdata" / "generated" / "archive"
    subprocess.run(["bash", str(ROOT / "testdata" / "generate_archive.sh"), str(out)], check=True)
    return out


@pytest.fixture(scope="session")
def http_server(movies):
    """A loopback server of the test movies; `.base` is its URL ending in '/'."""
    with serve(movies) as server:
        yield server


@pytest.fixture()
def open_kwargs(tmp_path):
    """Open arguments that keep the persistent cache inside the test's temp dir."""
    return {"cache_dir": tmp_path / "cache"}


def ffmpeg_decode(path, n, pix_fmt="rgb24", vf=""):
    """Frame n decoded by the ffmpeg CLI (filters `vf` after the frame's selection), as raw
    bytes."""
    out = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-i",
            os.fspath(path),
            "-vf",
            f"select=eq(n\\,{n}){vf}",
            "-vsync",
            "0",
            "-frames:v",
            "1",
            "-pix_fmt",
            pix_fmt,
            "-f",
            "rawvideo",
            "-",
        ],
        check=True,
        capture_output=True,
    )
    return out.stdout


@pytest.fixture(scope="session")
def ffmpeg_frame():
    """ffmpeg_frame(path, n, shape, pix_fmt='rgb24', dtype=uint8) -> the ffmpeg CLI's decode
    of frame n as an array of that shape."""

    def frame(path, n, shape, pix_fmt="rgb24", dtype=np.uint8, vf=""):
        data = ffmpeg_decode(path, n, pix_fmt, vf)
        return np.frombuffer(data, dtype=dtype).reshape(shape)

    return frame


@pytest.fixture(scope="session")
def colour_movies(tmp_path_factory):
    """ProRes movies of 3 frames: untagged at 1080p, 720p and SD (ffprobe: color_space
    unknown, checked), and tagged in the bitstream: {name: path}."""
    out = tmp_path_factory.mktemp("colour")
    made = {}
    for name, size, tag in [
        ("untagged_1080", "1920x1080", None),
        ("untagged_720", "1280x720", None),
        ("untagged_sd", "720x486", None),
        ("bt709", "1280x720", "bt709"),
        ("smpte170m", "640x360", "smpte170m"),
        ("bt2020nc", "640x360", "bt2020nc"),
    ]:
        path = out / f"{name}.mov"
        vf = ["-vf", f"setparams=colorspace={tag}"] if tag else []
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi"]
            + ["-i", f"testsrc2=size={size}:rate=30000/1001", "-frames:v", "3", *vf]
            + ["-c:v", "prores_ks", "-profile:v", "2", os.fspath(path)],
            check=True,
        )
        probed = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=color_space"]
            + ["-of", "default=nw=1:nk=1", os.fspath(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        assert probed == (tag or "unknown"), f"{name}: ffprobe says {probed}"
        made[name] = path
    return made
