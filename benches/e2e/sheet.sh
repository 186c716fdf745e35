#!/usr/bin/env bash
# `lazyqt sheet` of a CamHD day (issue 12): one day directory 2017/07/01/ of 8 movies, every
# one a 25,000-frame CamHD-layout movie whose frames decode (`make_camhd --alias`: 13 GB
# apparent, a few MB of disk; hard links of one file), served by lazyqt-testserver on
# 127.0.0.1 with 50 ms added to every request. Each run draws the frame 7 minutes into
# every recording (--every 3h from 00:07) as 8 tiles 320 px wide into one JPEG, against a
# fresh server; the cold run starts from an empty disk cache, the warm run reuses it (the
# moovs are cached; the frames are read again).
#
# Usage: benches/e2e/sheet.sh
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

root=$repo/testdata/generated/bench/archive_day
if [ ! -e "$root/.done" ]; then
  mkdir -p "$root/2017/07/01"
  "$target/release/make_camhd" "$root/.movie" --alias >&2
  for h in 00 03 06 09 12 15 18 21; do
    ln -f "$root/.movie" "$root/2017/07/01/CAMHDA301-20170701T${h}0000.mov"
  done
  touch "$root/.done"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One port for every run: the disk cache is keyed by URL.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# run LABEL: one sheet of the day against a fresh server; prints
# "LABEL seconds requests tiles".
run() {
  local label=$1
  coproc SRV {
    "$testserver" "$root" --listen "127.0.0.1:$port" --latency-ms "$LATENCY_MS" --exit-on-eof 2>"$tmp/server.err"
  }
  local url
  read -r url <&"${SRV[0]}"
  local t0 t1
  t0=$(date +%s.%N)
  "$lazyqt" sheet "$url" --from 2017-07-01T00:07:00Z --to 2017-07-01T23:59:59Z --every 3h \
    -o "$tmp/day.jpg" --json --cache-dir "$tmp/cache" --cache-ttl forever >"$tmp/report"
  t1=$(date +%s.%N)
  exec {SRV[1]}>&-
  wait "$SRV_PID" || true
  local requests
  requests=$(sed -n 's/^requests=\([0-9]*\).*/\1/p' "$tmp/server.err")
  echo "$label $(echo "$t1 - $t0" | bc) $requests $(grep -o '"frame":' "$tmp/report" | wc -l)"
}

echo "# lazyqt sheet, a day of 8 CamHD-size movies, every 3h from 00:07, ${LATENCY_MS} ms per request"
echo "# run seconds requests tiles"
for i in $(seq 1 "$RUNS"); do
  rm -rf "$tmp/cache"
  run "cold$i"
  run "warm$i"
done
