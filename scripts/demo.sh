#!/usr/bin/env bash
# Set up and run lazyqt's main job on a generated sample: a 1080p ProRes HQ movie with its
# moov at the end, served over HTTP on 127.0.0.1; lazyqt reads its metadata and one frame
# with range requests and prints how many requests and bytes that took.
# Usage: scripts/demo.sh [FRAME]   (default frame 150)
set -euo pipefail
cd "$(dirname "$0")/.."
frame=${1:-150}

scripts/install-deps.sh
cargo build --release -p lazyqt-cli -p lazyqt-testserver
bin=${CARGO_TARGET_DIR:-target}/release

dir=testdata/generated/demo
mkdir -p "$dir"
movie=$dir/CAMHDA301-20160101T000000Z.mov
if [ ! -s "$movie" ]; then
  echo "== generating a 10 s 1920x1080 ProRes 422 HQ sample movie (moov at the end)"
  ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1920x1080:rate=30000/1001 \
    -t 10 -c:v prores_ks -profile:v 3 -f mov "$movie.tmp" && mv "$movie.tmp" "$movie"
fi

log=$(mktemp)
cache=$(mktemp -d)
coproc SERVER { "$bin/lazyqt-testserver" "$dir" --exit-on-eof 2>"$log"; }
trap 'exec {SERVER[1]}>&- 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$cache" "$log"' EXIT
read -r base <&"${SERVER[0]}"
url="${base%/}/$(basename "$movie")"
echo "== serving $movie at $url"

echo "== lazyqt info (cold: one request for the head and the tail of the file, which holds the moov)"
"$bin/lazyqt" --cache-dir "$cache" info --stats "$url"
echo "== lazyqt frame $frame (one exact range request for the frame's bytes, then ProRes decode)"
"$bin/lazyqt" --cache-dir "$cache" -v frame "$url" "$frame" -o demo-frame.png 2>&1 | grep -E "frame written|error" || true
echo "== lazyqt info again (warm: metadata from the disk cache, 0 requests)"
"$bin/lazyqt" --cache-dir "$cache" info --stats "$url" | tail -n 1
ls -l demo-frame.png
echo "demo: wrote demo-frame.png (frame $frame of $url)"
