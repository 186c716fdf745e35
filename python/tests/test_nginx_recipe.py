"""deploy/nginx/lazyqt.conf, run: nginx on 127.0.0.1 in front of two `lazyqt serve`
processes of the same local directory (ports, paths and the frame lifetime replaced; the
rest of the file as it is). A frame asked twice reaches lazyqt once; If-None-Match through
nginx gives 304; an expired frame is revalidated (lazyqt answers 304) and a changed file's
new frame comes through without a purge; killing one lazyqt loses no request. nginx must be
installed (scripts/install-deps.sh installs it): without it this fails."""

import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import free_port, lazyqt_binary, stop

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "deploy" / "nginx" / "lazyqt.conf"
FRAME_TTL = 2  # seconds nginx keeps a frame before revalidating (10 min in the recipe)
TIMEOUT = 30


def get(url, headers=None):
    """(status, headers, body) of a GET; error statuses are answers too."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read()


def wait_until_up(url, proc):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{proc.args[0]} exited with {proc.returncode}"
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} did not come up in {TIMEOUT} s")


def make_movie(path, source):
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", f"{source}=size=320x180:rate=30"]
        + ["-frames:v", "12", "-c:v", "prores_ks", "-profile:v", "2", "-f", "mov", str(path)],
        check=True,
    )


class Stack:
    """Two lazyqt processes (`.lazyqt`: their base URLs) and nginx (`.base`)."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = []
        self.media = tmp / "media"
        self.media.mkdir()
        make_movie(self.media / "a.mov", "testsrc2")
        make_movie(tmp / "other.mov", "smptehdbars")
        ports = [free_port() for _ in range(3)]
        self.lazyqt = [f"http://127.0.0.1:{p}" for p in ports[:2]]
        self.base = f"http://127.0.0.1:{ports[2]}"
        for p in ports[:2]:
            self.start(
                [lazyqt_binary(), "serve", "--listen", f"127.0.0.1:{p}", "--mount", f"/media={self.media}"]
                + ["--no-cache", "--frame-cache-mb", "0"]
            )
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        assert nginx, "nginx is not installed (scripts/install-deps.sh installs it)"
        conf = RECIPE.read_text()
        for old, new in [
            ("127.0.0.1:8081", f"127.0.0.1:{ports[0]}"),
            ("127.0.0.1:8082", f"127.0.0.1:{ports[1]}"),
            ("listen 127.0.0.1:8080", f"listen 127.0.0.1:{ports[2]}"),
            ("/var/cache/nginx/lazyqt", str(tmp / "cache")),
            ("proxy_cache_valid 200 10m", f"proxy_cache_valid 200 {FRAME_TTL}s"),
            ("max-age=600", f"max-age={FRAME_TTL}"),
        ]:
            assert old in conf, f"{old!r} is no longer in {RECIPE.name}"
            conf = conf.replace(old, new)
        (tmp / "lazyqt.conf").write_text(conf)
        temp = "".join(
            f"{k}_temp_path {tmp / k};\n" for k in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
        )
        # Started as root, nginx's workers would run as `nobody`, shut out of the temp dir.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (tmp / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'};\n"
            f"events {{ worker_connections 256; }}\n"
            f"http {{\naccess_log {tmp / 'access.log'};\n{temp}include {tmp / 'lazyqt.conf'};\n}}\n"
        )
        self.start([nginx, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "nginx.conf")])
        for url in self.lazyqt:
            wait_until_up(url + "/healthz", self.procs[self.lazyqt.index(url)])
        wait_until_up(self.base + "/healthz", self.procs[2])

    def start(self, args):
        self.procs.append(subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def counter(self, pattern):
        """A Prometheus counter summed over both lazyqt processes still running."""
        total = 0.0
        for url, proc in zip(self.lazyqt, self.procs):
            if proc.poll() is None:
                for line in get(url + "/metrics")[2].decode().splitlines():
                    if re.match(pattern, line):
                        total += float(line.rsplit(" ", 1)[1])
        return total

    def frame_requests(self):
        return self.counter(r'lazyqt_http_requests_total\{route="frame"')

    def stop(self):
        for proc in reversed(self.procs):
            stop(proc)


@pytest.fixture()
def stack(tmp_path):
    s = Stack(tmp_path)
    try:
        yield s
    finally:
        s.stop()


def test_frame_cached_once_and_conditional_requests(stack):
    url = stack.base + "/media/a.mov/frame/4"
    status, h1, body = get(url)
    assert status == 200 and h1["X-Cache-Status"] == "MISS" and body.startswith(b"\x89PNG")
    assert stack.frame_requests() == 1
    status, h2, again = get(url)
    assert status == 200 and h2["X-Cache-Status"] == "HIT" and again == body
    assert stack.frame_requests() == 1, "the second ask reached lazyqt"
    assert h2["ETag"] == h1["ETag"] and h2["Cache-Control"] == f"public, max-age={FRAME_TTL}"
    # The same frame straight from lazyqt: nginx passes lazyqt's bytes and ETag unchanged.
    direct = get(stack.lazyqt[0] + "/media/a.mov/frame/4")
    assert direct[2] == body and direct[1]["ETag"] == h1["ETag"]
    assert "immutable" in direct[1]["Cache-Control"]
    before = stack.frame_requests()
    # If-None-Match answered by nginx from its copy.
    status, h3, empty = get(url, {"If-None-Match": h1["ETag"]})
    assert status == 304 and empty == b"" and h3["ETag"] == h1["ETag"]
    assert stack.frame_requests() == before
    # Expired: nginx revalidates with the stored ETag and lazyqt answers 304.
    not_modified = stack.counter("lazyqt_http_not_modified_total")
    time.sleep(FRAME_TTL + 1.5)  # nginx counts whole seconds
    status, h4, body4 = get(url)
    assert status == 200 and h4["X-Cache-Status"] == "REVALIDATED" and body4 == body
    assert stack.counter("lazyqt_http_not_modified_total") == not_modified + 1
    # Metadata: lazyqt's own Cache-Control and ETag, cached.
    status, m1, meta = get(stack.base + "/media/a.mov")
    assert (
        status == 200 and json.loads(meta)["NumFrames"] == 12 and m1["Cache-Control"] == "public, max-age=60"
    )
    status, m2, _ = get(stack.base + "/media/a.mov")
    assert (
        m2["X-Cache-Status"] == "HIT"
        and get(stack.base + "/media/a.mov", {"If-None-Match": m1["ETag"]})[0] == 304
    )


def test_changed_file_comes_through_without_purge(stack):
    url = stack.base + "/media/a.mov/frame/2"
    _, h1, old = get(url)
    os.replace(stack.tmp / "other.mov", stack.media / "a.mov")
    new = get(stack.lazyqt[1] + "/media/a.mov/frame/2")
    assert new[0] == 200 and new[2] != old and new[1]["ETag"] != h1["ETag"]
    time.sleep(FRAME_TTL + 1.5)  # nginx counts whole seconds
    status, h2, body = get(url)
    assert status == 200 and body == new[2] and h2["ETag"] == new[1]["ETag"]
    assert h2["X-Cache-Status"] == "EXPIRED"


def test_killing_one_lazyqt_loses_no_request(stack):
    # Different widths are different pictures: every request is a cache miss upstream.
    urls = [f"{stack.base}/media/a.mov/frame/{n % 12 + 1}?width={100 + n}" for n in range(80)]

    def fetch(url):
        status, _, body = get(url)
        return status, len(body)

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(fetch, u) for u in urls]
        deadline = time.monotonic() + TIMEOUT
        while sum(f.done() for f in futures) < 15:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        stack.procs[0].send_signal(signal.SIGKILL)
        results = [f.result(timeout=TIMEOUT) for f in futures]
    assert stack.procs[0].wait(timeout=10) == -signal.SIGKILL
    # The kill cut requests in flight (nginx logs each one it then sent to the other).
    log = (stack.tmp / "error.log").read_text()
    assert re.search(r"upstream prematurely closed|connect\(\) failed|reset by peer", log), log
    assert [s for s, _ in results] == [200] * len(urls)
    assert all(size > 0 for _, size in results)
    assert stack.counter(r'lazyqt_http_requests_total\{route="frame"') > 0
