#!/usr/bin/env bash
# Build the seed corpora of the fuzz targets from the generated test movies.
# Usage: fuzz/seed.sh        (writes fuzz/corpus/<target>/; the corpus is not in git)
#   movie, atoms: ftyp + moov of each movie, and the moov alone (no mdat: small inputs)
#   box targets:  every atom of the target's types, found anywhere in the atom tree
#   server_paths: request targets (listings, metadata, frames, times, queries, traversal attempts)
#   http_wire:    answers to range requests (header value, newline, body): the inputs kept in
#                 adapters/io/tests/wire/regressions/, plus one multi-range answer per movie
#   archive_names: directory listings, nginx's of the generated archive
#                 (testdata/generate_archive.sh) and the literal pages of the listing tests
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
media="$root/testdata/generated"
bash "$root/testdata/generate.sh" "$media"
python3 - "$media" "$here/corpus" <<'PY'
import hashlib, os, struct, sys

media, out = sys.argv[1], sys.argv[2]
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta",
              b"tref", b"gmhd", b"mvex", b"moof", b"traf", b"mfra", b"clip", b"matt"}
TARGETS = {
    "ftyp": {b"ftyp"},
    "headers": {b"mvhd", b"tkhd", b"mdhd"},
    "hdlr": {b"hdlr"},
    "stsd": {b"stsd"},
    "tables": {b"stts", b"ctts", b"stss", b"stsc", b"stsz", b"stz2", b"stco", b"co64"},
    "elst": {b"elst"},
}

def atoms(data, start, end):
    """(kind, offset, size) of every atom in start..end, descending into containers."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield kind, pos, size
        if kind in CONTAINERS:
            yield from atoms(data, pos + header, pos + size)
        pos += size

def save(target, name, blob):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    digest = hashlib.sha1(blob).hexdigest()[:12]
    with open(os.path.join(d, f"{name}-{digest}"), "wb") as f:
        f.write(blob)

counts = {}
for movie in sorted(os.listdir(media)):
    if movie.startswith(".") or not movie.endswith((".mov", ".mp4")):
        continue
    data = open(os.path.join(media, movie), "rb").read()
    found = list(atoms(data, 0, len(data)))
    top = {k: data[o:o + s] for k, o, s in found if o == 0 or k in (b"ftyp", b"moov")}
    moov = top.get(b"moov")
    if moov is None:
        continue
    whole = top.get(b"ftyp", b"") + moov
    for target in ("movie", "atoms"):
        save(target, movie, whole)
        save(target, movie + "-moov", moov)
        counts[target] = counts.get(target, 0) + 2
    for kind, o, s in found:
        for target, kinds in TARGETS.items():
            if kind in kinds:
                save(target, f"{movie}-{kind.decode('latin1')}-{o}", data[o:o + s])
                counts[target] = counts.get(target, 0) + 1
for target, n in sorted(counts.items()):
    print(f"{target}: {n} seeds")
PY

# server_paths: one request per file, `[METHOD ' '] TARGET ['\n' IF_NONE_MATCH]`, over the
# mounts and tree of adapters/server/tests/common/server_paths.rs; the hand-picked regression
# inputs of the server are seeds too.
python3 - "$here/corpus/server_paths" "$root/adapters/server/tests/regressions" <<'PY'
import hashlib, os, sys

out, regressions = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
seeds = [
    "/", "/healthz", "/metrics", "/openapi.json", "/nope", "*", "http://h/", "HEAD /healthz",
    "POST /healthz", "/local", "/local/", "/local/sub", "/local/sub/", "/local/sub/deeper/",
    "/up", "/up/", "/up/sub", "/up/sub/", "/up/missing/", "/local/m.mov", "/local/sub/m.mov",
    "/local/inner.mov", "/local/a%20b.mov", "/local/100%25.mov", "/local/nover.mov",
    "/local/unsupported.mov", "/up/m.mov", "/up/sub/x.mov", "/up/x.txt",
    "/local/m.mov/frame/1", "/local/m.mov/frame/100.png", "/local/m.mov/frame/50.jpg?quality=75",
    "/local/m.mov/frame/2.jpeg?width=32", "/local/m.mov/frame/3.bmp?height=24",
    "/local/m.mov/frame/4.rgba?width=640&height=480", "/local/m.mov/frame/5.raw",
    "/up/m.mov/frame/7.JPG?width=8192&quality=100", "/up/a%20b.mov/frame/1?width=1&height=1",
    "/local/nosize.mov/frame/1?width=10", "/local/m.mov/time/0", "/local/m.mov/time/9.99.jpg",
    "/local/m.mov/time/10", "/up/sub/x.mov/time/1.5.png?height=100", "/local/m.mov/time/-0",
    "/local/m.mov/frame/0", "/local/m.mov/frame/101", "/local/m.mov/frame/18446744073709551616",
    "/local/m.mov/frame/1?width=0", "/local/m.mov/frame/1?width=4294967296",
    "/local/m.mov/frame/1?quality=101", "/local/m.mov/frame/1.gif", "/local/m.mov/frame/1.5",
    "/local/m.mov/time/1e3", "/local/m.mov/time/inf", "/local/m.mov/frame/1.raw?width=2",
    "/local/m.mov/frame/6.sample", "/local/m.mov/frame/1.sample?width=2", "/up/sub/x.mov.md5",
    "/up/m.mov/", "/local/m.mov/", "/info/", "/_ah/health", "/metrics/",
    "/local/../m.mov", "/local/sub/../../outside/secret.mov", "/local/%2e%2e/outside/secret.mov",
    "/local/.%2E/", "/local/sub%2f..%2f..%2foutside", "/local/..%5c..%5coutside",
    "/local/sub\\m.mov", "/local//m.mov", "/local/./m.mov", "/local/m.mov%00.png",
    "/local/%0a/", "/local/%ff.mov", "/local/%c0%ae%c0%ae/", "/local/escape/",
    "/local/escape/outside/secret.mov", "/local/escape/root/m.mov", "/local/outside.mov",
    "/local/outside.mov/frame/1", "/local/.hidden.mov", "/loc%61l/m.mov", "/localx/m.mov",
    "/up/../../etc/passwd", "/up/%2e%2e/%2e%2e/", "/up/http:%2F%2Fevil.example%2Fx.mov",
    "/up/@evil.example/x.mov", "/up/x.mov%3Fu=http://evil.example/", "/up/x.mov?url=http://evil/",
    "/up/x.mov%23frag", "http://evil.example/up/m.mov", "http://u@evil.example:1/local/m.mov",
    "POST /local/m.mov", "OPTIONS /up/m.mov/frame/1", "HEAD /local/m.mov/frame/1.jpg",
    "/local/m.mov\n*", "/up/m.mov/frame/5.jpg\n*", "/local/m.mov/frame/5\nW/\"x\", \"y\"",
    "/local/nover.mov/frame/5\n*",
]
def save(blob):
    with open(os.path.join(out, hashlib.sha1(blob).hexdigest()[:16]), "wb") as f:
        f.write(blob)
for s in seeds:
    save(s.encode())
picked = sorted(n for n in os.listdir(regressions) if n.startswith("server_paths-"))
for name in picked:
    save(open(os.path.join(regressions, name), "rb").read())
print(f"server_paths: {len(os.listdir(out))} seeds")
PY

# http_wire: a Content-Type or Content-Range value, a newline, then a body; the replayed
# inputs, and each movie's head and tail as a server's multipart/byteranges answer.
python3 - "$media" "$here/corpus/http_wire" "$root/adapters/io/tests/wire/regressions" <<'PY'
import hashlib, os, sys

media, out, regressions = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)

def save(data):
    with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

for name in sorted(os.listdir(regressions)):
    save(open(os.path.join(regressions, name), "rb").read())
for name in sorted(os.listdir(media)):
    path = os.path.join(media, name)
    if not os.path.isfile(path) or not name.endswith((".mov", ".mp4")):
        continue
    data = open(path, "rb").read()
    size, head, tail = len(data), data[:256], data[-256:]
    b = "lazyqt-seed"
    body = b"".join(
        b"\r\n--%s\r\nContent-Type: video/quicktime\r\nContent-Range: bytes %d-%d/%d\r\n\r\n" % (b.encode(), start, start + len(part) - 1, size) + part
        for start, part in ((0, head), (size - len(tail), tail)))
    save(b"multipart/byteranges; boundary=%s\n" % b.encode() + body + b"\r\n--%s--\r\n" % b.encode())
print(f"http_wire: {len(os.listdir(out))} seeds")
PY

# archive_names: listing pages, each led by a line the target also reads as an instant/path:
# nginx-style pages of the generated archive, and the raw-string pages of the listing tests.
bash "$root/testdata/generate_archive.sh" "$media/archive"
python3 - "$media/archive" "$here/corpus/archive_names" "$root/adapters/archive/src/listing/tests.rs" <<'PY'
import html, os, re, sys
archive, out, tests = sys.argv[1:]
os.makedirs(out, exist_ok=True)
pages = []
for d, dirs, files in os.walk(archive):
    r = os.path.relpath(d, archive)
    rel = "/" if r == "." else "/%s/" % r
    rows = ['<a href="%s/">%s/</a>  13-Nov-2016 00:15  -' % (x, x) for x in sorted(dirs)]
    rows += ['<a href="%s">%s</a>  13-Nov-2016 00:15  %d' % (x, html.escape(x), os.path.getsize(os.path.join(d, x)))
             for x in sorted(files)]
    pages.append('2016-11-13T01:23:45Z\n<html><h1>Index of %s</h1><hr><pre><a href="../">../</a>\n%s\n</pre></html>'
                 % (rel, "\n".join(rows)))
pages += re.findall(r'r#"(.*?)"#', open(tests).read(), re.S)
for i, p in enumerate(pages):
    open(os.path.join(out, "page%03d" % i), "w").write(p)
print(f"archive_names: {len(os.listdir(out))} seeds")
PY
