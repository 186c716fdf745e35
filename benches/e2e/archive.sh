#!/usr/bin/env bash
# `lazyqt ls` over a month of a CamHD-size archive (issue 12 "Speed"): 30 day directories
# 2017/07/DD/ of 8 movies each (240), every one a 25,000-frame CamHD-layout movie (134 KB
# moov at the end, 14 GB apparent; `make_camhd --tables-only`, hard links of one sparse
# file), served by lazyqt-testserver on 127.0.0.1 with 50 ms added to every request. A
# fresh server per run counts its requests; the cold run starts from an empty disk cache,
# the warm run reuses it.
#
# Usage: benches/e2e/archive.sh
# Environment (optional): LATENCY_MS=50  RUNS=3  SKIP_BUILD=1
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=paths.sh
source "$here/paths.sh"
build_release -p lazyqt-cli -p lazyqt-testserver -p lazyqt-benches \
  --bin lazyqt --bin lazyqt-testserver --bin make_camhd
LATENCY_MS=${LATENCY_MS:-50}
RUNS=${RUNS:-3}
lazyqt=$target/release/lazyqt
testserver=$target/release/lazyqt-testserver

root=$repo/testdata/generated/bench/archive_month
if [ ! -e "$root/.done" ]; then
  mkdir -p "$root"
  "$target/release/make_camhd" "$root/.movie" --tables-only >&2
  for d in $(seq -w 1 30); do
    mkdir -p "$root/2017/07/$d"
    for h in 00 03 06 09 12 15 18 21; do
      ln -f "$root/.movie" "$root/2017/07/$d/CAMHDA301-201707${d}T${h}0000.mov"
    done
  done
  touch "$root/.done"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One port for every run: the disk cache is keyed by URL.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# run LABEL: one `lazyqt ls` of the month against a fresh server; prints
# "LABEL seconds requests rows".
run() {
  local label=$1
  coproc SRV {
    "$testserver" "$root" --listen "127.0.0.1:$port" --latency-ms "$LATENCY_MS" --exit-on-eof 2>"$tmp/server.err"
  }
  local url
  read -r url <&"${SRV[0]}"
  local t0 t1
  t0=$(date +%s.%N)
  "$lazyqt" ls "$url" --from 2017-07-01 --to 2017-07-30T23:59:59Z --json --cache-dir "$tmp/cache" \
    --cache-ttl forever >"$tmp/rows"
  t1=$(date +%s.%N)
  exec {SRV[1]}>&-
  wait "$SRV_PID" || true
  local requests
  requests=$(sed -n 's/^requests=\([0-9]*\).*/\1/p' "$tmp/server.err")
  echo "$label $(echo "$t1 - $t0" | bc) $requests $(grep -c '"status":"ok"' "$tmp/rows")"
}

echo "# lazyqt ls, 30 days x 8 CamHD-size movies, ${LATENCY_MS} ms per request"
echo "# run seconds requests ok_rows"
for i in $(seq 1 "$RUNS"); do
  rm -rf "$tmp/cache"
  run "cold$i"
  run "warm$i"
done
