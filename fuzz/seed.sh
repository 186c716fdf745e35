#!/usr/bin/env bash
# Build the seed corpora of the fuzz targets from the generated test movies.
# Usage: fuzz/seed.sh        (writes fuzz/corpus/<target>/; the corpus is not in git)
#   movie, atoms: ftyp + moov of each movie, and the moov alone (no mdat: small inputs)
#   box targets:  every atom of the target's types, found anywhere in the atom tree
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
