#!/usr/bin/env python3
"""Small helpers for benches/e2e/compare.sh and serve_load.sh (standard library only).

  e2e_util.py freeport                        a free TCP port on 127.0.0.1
  e2e_util.py pick SEED COUNT NFRAMES         COUNT distinct frame numbers, fixed seed, comma-separated
  e2e_util.py atoms FILE                      top-level atoms: "type offset size" per line
  e2e_util.py frametime N                     T = N * 1001 / 30000 - 0.1 ms (see frametime())
  e2e_util.py cmp RAW REFDIR N                which reference frame RAW (rgb24) is: prints
                                              "ok|WRONG|NOREF frame=K maxdiff=D meandiff=M"
  e2e_util.py srvlog LOG [PATH_SUBSTR]        requests and body bytes from a lazyqt-testserver --log
  e2e_util.py table RESULTS.tsv              the markdown tables (stdout)
"""
import json
import os
import random
import re
import socket
import statistics
import struct
import sys


def freeport():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def pick(seed, count, nframes):
    rng = random.Random(int(seed))
    frames = sorted(rng.sample(range(int(nframes)), int(count)))
    print(",".join(map(str, frames)))


def atoms(path):
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        off = 0
        while off + 8 <= size:
            f.seek(off)
            hdr = f.read(16)
            n, typ = struct.unpack(">I4s", hdr[:8])
            if n == 1:
                n = struct.unpack(">Q", hdr[8:16])[0]
            elif n == 0:
                n = size - off
            print(typ.decode("latin-1"), off, n)
            if n < 8:
                break
            off += n


def frametime(n):
    """The -ss value that makes ffmpeg 5.1 output frame N of a 29.97 fps movie.

    ffmpeg's -ss T (input option, accurate seek) drops every frame whose pts is below T and
    outputs the first one at or after T. So T = (N + 0.5) * 1001/30000, the middle of frame N,
    gives frame N+1, and nothing at all for the last frame (checked with this script's frame
    check). A tenth of a millisecond before the start of frame N is safely after frame N-1's
    pts and not after frame N's, whatever the rounding of T to microseconds.
    """
    print("%.6f" % max(0.0, int(n) * 1001 / 30000 - 0.0001))


def _diff(a, b):
    if a == b:
        return 0, 0.0
    # Pure Python: sample every 7th byte for the mean, full pass for the max over a stride
    # too (a wrong frame of testsrc2 differs almost everywhere, a conversion difference is
    # small everywhere, so a strided look tells them apart reliably).
    step = 7
    sa, sb = a[::step], b[::step]
    d = [abs(x - y) for x, y in zip(sa, sb)]
    return max(d), sum(d) / len(d)


def cmp(raw, refdir, n, *_):
    n = int(n)
    with open(raw, "rb") as f:
        a = f.read()
    best = None
    for k in (n, n - 1, n + 1, n - 2, n + 2):
        p = os.path.join(refdir, "%d.rgb" % k)
        if not os.path.exists(p):
            continue
        with open(p, "rb") as f:
            b = f.read()
        if len(b) != len(a):
            continue
        mx, mean = _diff(a, b)
        if best is None or mean < best[2]:
            best = (k, mx, mean)
        if k == n and mx == 0:
            break
    if best is None:
        print("NOREF frame=? maxdiff=? meandiff=? bytes=%d" % len(a))
        return
    k, mx, mean = best
    # ok: the nearest reference is frame N and the picture is that frame up to conversion
    # rounding (ffmpeg's own PNG is rgb48be, which differs from its rgb24 by a few levels).
    status = "ok" if (k == n and mean < 2.0) else "WRONG"
    print("%s frame=%d maxdiff=%d meandiff=%.3f" % (status, k, mx, mean))


def srvlog(log, substr=None):
    req = 0
    body = 0
    for line in open(log, encoding="utf-8", errors="replace"):
        m = re.match(r"^(\S+) (\S+) range=.* status=(\d+) bytes=(\d+)$", line.strip())
        if not m:
            continue
        if substr and substr not in m.group(2):
            continue
        req += 1
        body += int(m.group(4))
    print(req, body)


def _fmt_bytes(b):
    if b is None:
        return "-"
    b = float(b)
    if b >= 1 << 20:
        return "%.2f MiB" % (b / (1 << 20))
    if b >= 1 << 10:
        return "%.1f KiB" % (b / (1 << 10))
    return "%d B" % b


def _num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def table(results):
    """results.tsv columns: latency scenario role tool run wall requests bytes check note.

    role: "base" (the ffmpeg row lazyqt rows of the same latency+scenario are divided by),
    "lazyqt" (gets a ratio) or "other". Several runs of one (latency, scenario, tool) give
    the median wall time; requests and bytes are the median too (they are the same in
    every run unless a tool is nondeterministic).
    """
    rows = {}
    order = []
    for line in open(results, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        f += [""] * (10 - len(f))
        lat, scen, role, tool, _run, wall, req, byt, check, note = f[:10]
        key = (lat, scen, tool)
        if key not in rows:
            rows[key] = {"role": role, "wall": [], "req": [], "bytes": [], "check": [], "note": []}
            order.append(key)
        r = rows[key]
        for name, val in (("wall", wall), ("req", req), ("bytes", byt)):
            if _num(val) is not None:
                r[name].append(float(val))
        if check:
            r["check"].append(check)
        if note and note not in r["note"]:
            r["note"].append(note)

    def med(xs):
        return statistics.median(xs) if xs else None

    lats = []
    for key in order:
        if key[0] not in lats:
            lats.append(key[0])
    out = []
    for lat in lats:
        title = "Local file (no HTTP)" if lat == "local" else "HTTP, %s ms added per request" % lat
        out.append("#### %s\n" % title)
        out.append("| scenario | command | wall (median) | runs | requests | bytes served | right frame? | lazyqt / ffmpeg |")
        out.append("|---|---|---:|---:|---:|---:|---|---:|")
        for key in order:
            if key[0] != lat:
                continue
            _, scen, tool = key
            r = rows[key]
            wall = med(r["wall"])
            ratio = ""
            if r["role"] == "lazyqt":
                base = [med(rows[k]["wall"]) for k in order
                        if k[0] == lat and k[1] == scen and rows[k]["role"] == "base"]
                if base and base[0] and wall is not None:
                    ratio = "**%.3fx**" % (wall / base[0])
            checks = []
            for c in r["check"]:
                if c not in checks:
                    checks.append(c)
            walls = "-" if wall is None else ("%.3f s" % wall)
            if r["note"]:
                walls += " (" + "; ".join(r["note"]) + ")"
            req = med(r["req"])
            reqs = "-" if req is None else ("%g" % req)
            out.append("| %s | `%s` | %s | %d | %s | %s | %s | %s |" % (
                scen, tool, walls, len(r["wall"]), reqs, _fmt_bytes(med(r["bytes"])),
                ", ".join(checks) if checks else "-", ratio))
        out.append("")
    print("\n".join(out))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"freeport": freeport, "pick": pick, "atoms": atoms, "frametime": frametime, "cmp": cmp,
     "srvlog": srvlog, "table": table}[cmd](*args)


if __name__ == "__main__":
    main()
