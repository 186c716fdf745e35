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
# shellcheck source=archive_runs.sh
source "$(dirname "$0")/archive_runs.sh"

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

echo "# lazyqt ls, 30 days x 8 CamHD-size movies, ${LATENCY_MS} ms per request"
echo "# run seconds requests bytes_sent ok_rows"
for i in $(seq 1 "$RUNS"); do
  rm -rf "$tmp/cache"
  for label in "cold$i" "warm$i"; do
    row=$(run "$label" "$lazyqt" ls @URL@ --from 2017-07-01 --to 2017-07-30T23:59:59Z --json "${cache[@]}")
    echo "$row $(grep -c '"status":"ok"' "$tmp/report")"
  done
done
