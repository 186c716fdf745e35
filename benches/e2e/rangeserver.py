#!/usr/bin/env python3
"""A loopback HTTP/1.1 file server with Range support and a fixed latency per request, with the
command-line interface and log format of `lazyqt-testserver`, for the e2e benchmarks.

Why it exists: lazyqt-testserver (Content::Dir) reads the whole file into memory on every
request (std::fs::read in files.rs) and copies the range out of it, so on the ~1 GB benchmark
movie each request costs seconds of server time, far more than the latency being simulated.
This server reads only the requested range (os.sendfile), so the measured time is the
client's. compare.sh / serve_load.sh use it when SERVER=py (the default while that holds).

  rangeserver.py DIR [--listen 127.0.0.1:0] [--latency-ms N] [--exit-on-eof] [--log]

Prints its base URL on the first line of stdout. With --exit-on-eof it serves until standard
input closes, then prints (on stderr) every request when --log is given, as
`GET /path range=Some("bytes=0-15") status=206 bytes=16`, and `requests=N bytes_sent=M`.
Answers: 206 for one satisfiable byte range (Content-Range checked by clients), 206 with a
multipart/byteranges body for several (merged when they overlap, like Apache), 200 without
Range, 416 unsatisfiable, 404 missing, 412 when If-Match does not match the strong ETag,
304 for a matching If-None-Match; HEAD; a plain HTML autoindex for directories.
"""
import argparse
import email.utils
import html
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = []
LOG_LOCK = threading.Lock()
ACTIVE = [0]  # requests being answered, under LOG_LOCK


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "e2e-rangeserver"
    sys_version = ""

    def log_message(self, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _record(self, status, sent):
        rng = self.headers.get("Range")
        with LOG_LOCK:
            LOG.append("%s %s range=%s status=%d bytes=%d" % (
                self.command, self.path, 'Some("%s")' % rng if rng is not None else "None", status, sent))

    def _resolve(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if any(p == ".." for p in parts):
            return None, path
        return os.path.join(self.server.root, *parts), path

    def _simple(self, status, body=b"", ctype="text/plain", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        sent = 0
        if self.command != "HEAD" and body:
            self.wfile.write(body)
            sent = len(body)
        self._record(status, sent)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        with LOG_LOCK:
            ACTIVE[0] += 1
        try:
            self._get()
        finally:
            with LOG_LOCK:
                ACTIVE[0] -= 1

    def _get(self):
        if self.server.latency:
            time.sleep(self.server.latency)
        fs, path = self._resolve()
        if fs is None or not os.path.exists(fs):
            return self._simple(404, b"not found")
        if os.path.isdir(fs):
            items = sorted(os.listdir(fs))
            links = "".join('<a href="%s">%s</a>\n' % (
                urllib.parse.quote(n + ("/" if os.path.isdir(os.path.join(fs, n)) else "")),
                html.escape(n + ("/" if os.path.isdir(os.path.join(fs, n)) else ""))) for n in items)
            body = ("<html><body><h1>Index of %s</h1><pre>\n%s</pre></body></html>\n" % (
                html.escape(path), links)).encode()
            return self._simple(200, body, "text/html")
        st = os.stat(fs)
        size = st.st_size
        etag = '"%x-%x"' % (size, int(st.st_mtime_ns // 1000))
        validators = (("ETag", etag), ("Last-Modified", email.utils.formatdate(st.st_mtime, usegmt=True)),
                      ("Accept-Ranges", "bytes"))
        im = self.headers.get("If-Match")
        if im is not None and im.strip() != "*" and etag not in [t.strip() for t in im.split(",")]:
            return self._simple(412, b"precondition failed", extra=validators)
        inm = self.headers.get("If-None-Match")
        if inm is not None and (inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")]):
            return self._simple(304, b"", extra=validators)
        rng = self.headers.get("Range")
        ranges = parse_ranges(rng, size) if rng is not None else [(0, size)]
        if ranges is None:
            return self._simple(416, b"range not satisfiable",
                                extra=(("Content-Range", "bytes */%d" % size),) + validators)
        status = 200 if rng is None else 206
        if len(ranges) == 1:
            start, end = ranges[0]
            parts = [(b"", start, end)]
            ctype, length = "video/quicktime", end - start
        else:
            # Several ranges: multipart/byteranges, as Apache and nginx answer.
            parts = [(("\r\n--%s\r\nContent-Type: video/quicktime\r\nContent-Range: bytes %d-%d/%d\r\n\r\n"
                       % (BOUNDARY, a, b - 1, size)).encode(), a, b) for a, b in ranges]
            closing = ("\r\n--%s--\r\n" % BOUNDARY).encode()
            ctype = "multipart/byteranges; boundary=" + BOUNDARY
            length = sum(len(h) + b - a for h, a, b in parts) + len(closing)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        if status == 206 and len(ranges) == 1:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end - 1, size))
        for k, v in validators:
            self.send_header(k, v)
        self.end_headers()
        sent = 0
        if self.command != "HEAD":
            self.wfile.flush()
            try:
                with open(fs, "rb") as f:
                    for head, start, end in parts:
                        if head:
                            self.connection.sendall(head)
                            sent += len(head)
                        off = start
                        while off < end:
                            n = os.sendfile(self.connection.fileno(), f.fileno(), off, min(1 << 20, end - off))
                            if n <= 0:
                                break
                            off += n
                            sent += n
                    if len(parts) > 1:
                        self.connection.sendall(closing)
                        sent += len(closing)
            except OSError:
                self.close_connection = True
        self._record(status, sent)


BOUNDARY = "e2e-rangeserver-boundary"


def parse_ranges(header, size):
    """The ranges of a Range header as sorted, merged [start, end) pairs; [(0, size)] for
    a header that is not understood (answered 200 with the whole file); None when no
    range is satisfiable (416)."""
    spec = header.strip()
    if not spec.startswith("bytes="):
        return [(0, size)]
    out = []
    for one in spec[6:].split(","):
        a, sep, b = one.strip().partition("-")
        if not sep or not (a.isdigit() or a == "") or not (b.isdigit() or b == "") or not (a or b):
            return [(0, size)]
        if a == "":
            if int(b) > 0 and size > 0:
                out.append((max(0, size - int(b)), size))
        else:
            start, end = int(a), (min(size, int(b) + 1) if b else size)
            if start < size and start < end:
                out.append((start, end))
    if not out:
        return None
    merged = []
    for a, b in sorted(out):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--exit-on-eof", action="store_true")
    ap.add_argument("--log", action="store_true")
    a = ap.parse_args()
    host, _, port = a.listen.rpartition(":")
    srv = Server((host, int(port)), Handler)
    srv.root = os.path.abspath(a.dir)
    srv.latency = a.latency_ms / 1000.0
    print("http://%s:%d/" % srv.server_address[:2], flush=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    if not a.exit_on_eof:
        t.join()
        return
    for _ in sys.stdin:
        pass
    srv.shutdown()
    # let answers in flight (a client that just went away) finish and be logged
    for _ in range(200):
        with LOG_LOCK:
            if ACTIVE[0] == 0:
                break
        time.sleep(0.01)
    with LOG_LOCK:
        lines = list(LOG)
    total = 0
    for line in lines:
        total += int(line.rsplit("bytes=", 1)[1])
        if a.log:
            print(line, file=sys.stderr)
    print("requests=%d bytes_sent=%d" % (len(lines), total), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
