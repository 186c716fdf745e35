#!/usr/bin/env bash
# What a cold frame costs before decoding (open, tables, the frame's bytes: requests, bytes,
# wall time) on CamHD-layout movies whose moov is ~2 KB, 134 KB, 400 KB and 1 MiB, at 0/20/50
# ms added per request, for three first requests: the old 48 KiB tail, the 240 KiB default,
# and the default raised by the directory's tail hint (left by a cold frame of a twin movie
# in the same directory, as the files of one camera's archive are). Prints a markdown table.
# Options (environment):
#   LATENCIES="0 20 50"  RUNS=5  FRAMES="300 25000 75000 196000"
# Movies are sparse files made by make_camhd --alias (a few MB of disk each) in $WORK
# (default: a temporary directory, removed at the end). Serves on 127.0.0.1 only.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=paths.sh
source "$here/paths.sh"
build_release -p lazyqt-benches --bin cold_frame --bin make_camhd -p lazyqt-testserver
LATENCIES=${LATENCIES:-"0 20 50"}
RUNS=${RUNS:-5}
FRAMES=${FRAMES:-"300 25000 75000 196000"}
work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/www/cam"
for f in $FRAMES; do
  for twin in a b; do
    [ -s "$work/www/cam/$twin$f.mov" ] || "$target/release/make_camhd" "$work/www/cam/$twin$f.mov" --frames "$f" --alias >&2
  done
done
# Size of the moov atom of a movie (top-level walk).
moov_of() { python3 - "$1" <<'PY'
import struct, sys
f = open(sys.argv[1], 'rb'); size = f.seek(0, 2); off = 0
while off < size:
    f.seek(off); h = f.read(16); n, kind = struct.unpack('>I4s', h[:8])
    if n == 1: n = struct.unpack('>Q', h[8:16])[0]
    if kind == b'moov': print(n); break
    off += n
PY
}
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg); repo at $(cd "$repo" && git rev-parse --short HEAD)"
echo
echo "| ms/request | moov | first request | requests | bytes | over moov + frame | wall (median of $RUNS) |"
echo "|---:|---:|---|---:|---:|---:|---:|"
for lat in $LATENCIES; do
  coproc SRV { exec "$target/release/lazyqt-testserver" "$work/www" --latency-ms "$lat" --exit-on-eof 2>/dev/null; }
  read -r base <&"${SRV[0]}"
  for f in $FRAMES; do
    moov=$(moov_of "$work/www/cam/b$f.mov")
    n=$((f / 2))
    for mode in old default hint; do
      walls=(); line=
      for _ in $(seq "$RUNS"); do
        cache=$(mktemp -d)
        case $mode in
          old) line=$("$target/release/cold_frame" "$base/cam/b$f.mov" "$n" --open-tail 49152) ;;
          default) line=$("$target/release/cold_frame" "$base/cam/b$f.mov" "$n") ;;
          hint)
            "$target/release/cold_frame" "$base/cam/a$f.mov" "$n" --cache-dir "$cache" >/dev/null
            line=$("$target/release/cold_frame" "$base/cam/b$f.mov" "$n" --cache-dir "$cache") ;;
        esac
        rm -rf "$cache"
        walls+=("$(field "$line" wall_ms)")
      done
      wall=$(printf '%s\n' "${walls[@]}" | median)
      req=$(field "$line" requests); bytes=$(field "$line" bytes); fb=$(field "$line" frame_bytes)
      case $mode in old) what="48 KiB tail" ;; default) what="240 KiB tail (default)" ;; hint) what="tail hint of the directory" ;; esac
      echo "| $lat | $moov | $what | $req | $bytes | $((bytes - moov - fb)) | $wall ms |"
    done
  done
  exec {SRV[1]}>&-
  wait "$SRV_PID" 2>/dev/null || true
done
