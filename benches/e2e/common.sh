# Shared by compare.sh and serve_load.sh (sourced, not run): paths, the release build, the
# benchmark movie. Sets: here repo util target lazyqt testserver server_cmd server_desc movdir
# name movie movie_desc ref_source nframes.
# shellcheck shell=bash

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=paths.sh
source "$here/paths.sh"
util="python3 $here/e2e_util.py"
build_release -p lazyqt-cli -p lazyqt-testserver
lazyqt=$target/release/lazyqt
testserver=$target/release/lazyqt-testserver
for b in "$lazyqt" "$testserver" ffmpeg ffprobe curl python3; do
  command -v "$b" >/dev/null || { echo "missing: $b" >&2; exit 1; }
done

# The loopback HTTP server with added latency: lazyqt-testserver, the one the Rust and Python
# tests use. It streams each answered range from disk as it sends it, so ffmpeg's open-ended
# `bytes=N-` requests cost what the client reads, not a read of the rest of the file.
server_cmd=("$testserver")
server_desc="lazyqt-testserver"

# The movie, generated once into testdata/generated/bench/ (ignored by git). Sets also
# movie_desc, and ref_source when the movie's frames are copies of a short source movie's.
# E2E_MOVIE=60s (default): 60 s of 1080p ProRes 422 HQ, moov at the end (ffmpeg's mov muxer),
#   CamHD-like but with a small moov (1,800 frames).
# E2E_MOVIE=camhd: CamHD's own layout and size, written by `make_camhd --alias`: 25,000
#   ProRes 422 1080p frames of CamHD's sizes (~560 KB), 13 GB apparent, a 134 KB moov at the
#   end, 64-bit offsets; a few MB of disk, because every chunk points at one stored run of six
#   real frames (from a 6-frame testsrc2 source, kept as ref_source: frame N is its frame N % 6).
movdir=$repo/testdata/generated/bench
mkdir -p "$movdir"
ref_source=
case ${E2E_MOVIE:-60s} in
  60s)
    secs=${E2E_SECONDS:-60} # shorter only for a quick try of the scripts
    name=prores_hq_1080p_${secs}s.mov
    movie_desc="1920x1080 ProRes 422 HQ (apch), 29.97 fps, made by ffmpeg's mov muxer"
    gen() {
      echo "generating $name (1080p ProRes HQ, $secs s: minutes on 2 cores) ..." >&2
      ffmpeg -nostdin -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=1920x1080:rate=30000/1001" -t "$secs" \
        -c:v prores_ks -profile:v 3 -f mov "$movdir/.tmp.$name"
    }
    ;;
  camhd)
    name=camhd_25000.mov
    ref_source=$movdir/camhd_source.mov
    movie_desc="CamHD layout (make_camhd --alias): 1920x1080 ProRes 422 (apcn), 29.97 fps, six frames a chunk, co64"
    if [ -z "${SKIP_BUILD:-}" ]; then
      (cd "$repo" && cargo build --release -p lazyqt-benches --bin make_camhd) >&2
    fi
    gen() {
      ffmpeg -nostdin -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=1920x1080:rate=30000/1001" -frames:v 6 \
        -c:v prores_ks -profile:v 2 -f mov "$ref_source"
      "$target/release/make_camhd" "$movdir/.tmp.$name" --source "$ref_source" --alias >&2
    }
    ;;
  *) echo "E2E_MOVIE must be 60s or camhd" >&2; exit 1 ;;
esac
movie=$movdir/$name
(
  exec 9>"$movdir/.lock"
  flock 9
  if [ ! -s "$movie" ] || { [ -n "$ref_source" ] && [ ! -s "$ref_source" ]; }; then
    gen
    mv "$movdir/.tmp.$name" "$movie"
  fi
)

# Frames of the movie's video track, as `lazyqt info` counts them.
nframes=$("$lazyqt" --no-cache info --json "$movie" | python3 -c '
import json,sys
d=json.load(sys.stdin)
v=[t for t in d["tracks"] if t.get("kind")=="video" or t.get("handler")=="vide"] or d["tracks"]
print(v[0].get("frames") or v[0].get("sample_count") or v[0].get("samples"))')

# Elapsed seconds since an $EPOCHREALTIME value.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.4f", b-a}'; }

machine_line() {
  echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(ffmpeg -version | head -n1 | cut -d' ' -f1-3); lazyqt built $(date -u -r "$lazyqt" '+%Y-%m-%d %H:%M UTC') with the repo at $(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$repo" && git diff --quiet HEAD -- 2>/dev/null || echo ' + uncommitted changes'); load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
}
