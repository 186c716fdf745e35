#!/usr/bin/env bash
# Peak memory (max RSS, from /usr/bin/time -v) of `lazyqt info` and of the streaming
# `lazyqt samples --json > /dev/null` on synthesized sparse movies:
#   - CamHD layout (ProRes, 64-bit mdat, moov at the end) with 1,000 and 25,000 frames;
#   - one second of video + 1 minute and 1 hour of 48 kHz PCM audio (2.88 M and
#     172.8 M samples), the audio track walked sample by sample.
# A flat peak (the same for the short and the long movie) is the claim under test.
# Prints a markdown table. Usage: benches/memory.sh [WORKDIR]
# (WORKDIR defaults to a temporary directory; the movies take ~2 MB of disk each.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$(dirname "$here")"
target=${CARGO_TARGET_DIR:-target}
work=${1:-$(mktemp -d)}
mkdir -p "$work"

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (/usr/bin/time)" >&2
  apt-get install -y time >/dev/null
fi
cargo build --release -q -p lazyqt-cli -p lazyqt-benches --bins
lazyqt=$target/release/lazyqt

"$target/release/make_camhd" "$work/camhd-1000.mov" --frames 1000 --alias >&2
"$target/release/make_camhd" "$work/camhd-25000.mov" --frames 25000 --alias >&2
"$target/release/make_pcm" "$work/pcm-1min.mov" --seconds 60 >&2
"$target/release/make_pcm" "$work/pcm-1h.mov" --seconds 3600 >&2

# measure LABEL SAMPLES CMD...: one table row; stdout of CMD goes to /dev/null.
measure() {
  local label=$1 samples=$2
  shift 2
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
  local rss wall
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
  rm -f "$log"
  local cmd="${*#"$target/release/"}"
  printf '| %s | %s | `%s` | %.1f | %s |\n' "$label" "$samples" "${cmd//"$work/"/}" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$wall"
}

echo "| movie | samples | command | peak RSS (MiB) | wall (m:ss) |"
echo "|---|---:|---|---:|---:|"
for n in 1000 25000; do
  f=$work/camhd-$n.mov
  measure "CamHD layout, $n frames" "$n" "$lazyqt" info "$f"
  measure "CamHD layout, $n frames" "$n" "$lazyqt" samples --json "$f"
done
for d in 1min:2880000 1h:172800000; do
  f=$work/pcm-${d%%:*}.mov
  measure "PCM ${d%%:*} + 1 s video" "${d#*:}" "$lazyqt" info "$f"
  measure "PCM ${d%%:*} + 1 s video" "${d#*:}" "$lazyqt" samples --json --track 2 "$f"
done
