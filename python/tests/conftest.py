"""Fixtures: generated test movies, a loopback HTTP server with Range support (several ranges
answered as multipart/byteranges, like Apache), and the ffmpeg CLI's decode to compare against."""

import contextlib
import email.utils
import os
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def movies():
    """testdata/generated, made by testdata/generate.sh (idempotent)."""
    subprocess.run(["bash", str(ROOT / "testdata" / "generate.sh")], check=True)
    return ROOT / "testdata" / "generated"


class RangeHandler(BaseHTTPRequestHandler):
    """GET and HEAD of files under `server.root` (a directory's index.html for the directory)
    with single byte ranges, a strong ETag and If-Match (412 when it does not match)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.answer(body=False)

    def do_GET(self):
        self.answer(body=True)

    def answer(self, body):
        path = (self.server.root / self.path.lstrip("/").split("?")[0]).resolve()
        if path.is_dir():
            path = path / "index.html"
        if self.server.root not in path.parents or not path.is_file():
            return self.send(404, b"not found\n", {}, body)
        data = path.read_bytes()
        st = path.stat()
        etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        headers = {
            "ETag": etag,
            "Last-Modified": email.utils.formatdate(st.st_mtime, usegmt=True),
            "Accept-Ranges": "bytes",
        }
        if_match = self.headers.get("If-Match")
        if if_match and if_match.strip() not in ("*", etag):
            return self.send(412, b"", headers, body)
        spec = self.headers.get("Range", "")
        ranges = re.fullmatch(r"bytes=(\d*-\d*)(,\s*\d*-\d*)*", spec) and spec[6:].split(",")
        if not ranges:
            return self.send(200, data, headers, body)
        size, parts = len(data), []
        for r in ranges:
            first, last = r.strip().split("-")
            if first == "" and last == "":
                return self.send(200, data, headers, body)
            if first == "":
                start, end = max(0, size - int(last)), size - 1
            else:
                start, end = int(first), min(size - 1, int(last)) if last else size - 1
            if start < size and start <= end:
                parts.append((start, end))
        if not parts:
            headers["Content-Range"] = f"bytes */{size}"
            return self.send(416, b"", headers, body)
        self.server.ranged += 1
        if len(parts) == 1:
            start, end = parts[0]
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
            return self.send(206, data[start : end + 1], headers, body)
        # Several ranges: multipart/byteranges, as Apache and nginx answer.
        boundary = "conftest-boundary"
        payload = b"".join(
            f"\r\n--{boundary}\r\nContent-Range: bytes {a}-{b}/{size}\r\n\r\n".encode() + data[a : b + 1]
            for a, b in parts
        ) + f"\r\n--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/byteranges; boundary={boundary}"
        return self.send(206, payload, headers, body)

    def send(self, status, payload, headers, body):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)


@contextlib.contextmanager
def serve(root, tls=None):
    """A loopback server of the files under `root` (HTTPS with `tls`, an ssl.SSLContext);
    `.base` is its URL ending in '/'."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    server.root = Path(root).resolve()
    server.ranged = 0
    scheme = "https" if tls is not None else "http"
    server.base = f"{scheme}://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


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
