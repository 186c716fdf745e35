# Shared by compare.sh and serve_load.sh (sourced, not run): paths, the release build, the
# benchmark movie. Sets: here repo util target lazyqt testserver movdir name movie.
# shellcheck shell=bash

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
util="python3 $here/e2e_util.py"

# Binaries: the repo's target/ unless CARGO_TARGET_DIR says otherwise.
target=${CARGO_TARGET_DIR:-$repo/target}
case $target in /*) ;; *) target=$repo/$target ;; esac
if [ -z "${SKIP_BUILD:-}" ]; then
  (cd "$repo" && cargo build --release -p lazyqt-cli -p lazyqt-testserver) >&2
fi
lazyqt=$target/release/lazyqt
testserver=$target/release/lazyqt-testserver
for b in "$lazyqt" "$testserver" ffmpeg ffprobe curl python3; do
  command -v "$b" >/dev/null || { echo "missing: $b" >&2; exit 1; }
done

# The loopback HTTP server with added latency. SERVER=py (default): benches/e2e/rangeserver.py,
# which streams the requested ranges with sendfile (one or several, as multipart/byteranges like
# Apache and nginx). SERVER=testserver: lazyqt-testserver, same interface, but it reads each
# answered range into memory before sending it, so ffmpeg's open-ended `bytes=N-` requests on
# the ~0.6 GB movie cost it a read of the rest of the file, which swamps the latency under test.
SERVER=${SERVER:-py}
case $SERVER in
  py) server_cmd=(python3 "$here/rangeserver.py"); server_desc="benches/e2e/rangeserver.py" ;;
  testserver) server_cmd=("$testserver"); server_desc="lazyqt-testserver" ;;
  *) echo "SERVER must be py or testserver" >&2; exit 1 ;;
esac

# The movie: 60 s of 1080p ProRes 422 HQ, moov at the end (ffmpeg's mov muxer), CamHD-like.
# Generated once into testdata/generated/bench/ (ignored by git).
movdir=$repo/testdata/generated/bench
secs=${E2E_SECONDS:-60} # shorter only for a quick try of the scripts
name=prores_hq_1080p_${secs}s.mov
movie=$movdir/$name
mkdir -p "$movdir"
(
  exec 9>"$movdir/.lock"
  flock 9
  if [ ! -s "$movie" ]; then
    echo "generating $name (1080p ProRes HQ, $secs s: minutes on 2 cores) ..." >&2
    ffmpeg -nostdin -hide_banner -loglevel error -y \
      -f lavfi -i "testsrc2=size=1920x1080:rate=30000/1001" -t "$secs" \
      -c:v prores_ks -profile:v 3 -f mov "$movdir/.tmp.$name"
    mv "$movdir/.tmp.$name" "$movie"
  fi
)

# Elapsed seconds since an $EPOCHREALTIME value.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.4f", b-a}'; }

machine_line() {
  echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(ffmpeg -version | head -n1 | cut -d' ' -f1-3); lazyqt built $(date -u -r "$lazyqt" '+%Y-%m-%d %H:%M UTC') with the repo at $(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$repo" && git diff --quiet HEAD -- 2>/dev/null || echo ' + uncommitted changes'); load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
}
