#!/usr/bin/env bash
# Bounded load test of `lazyqt serve` on loopback (issue 5 "Must show").
#
# Upstream: lazyqt-testserver on 127.0.0.1 serving the benchmark movie under two names
# (warm.mov, cold.mov: symlinks, so the server sees two movies) with UP_LATENCY ms per request.
# `lazyqt serve` mounts it at /up and the movie directory at /local. Then:
#   1. hot frames: 64 concurrent clients (wrk) ask random frames among HOT_FRAMES frames of the
#      warm movie, all already in the server's encoded-frame cache;
#   2. uncached decodes: 64 clients ask random frames of the whole movie with a random
#      ?width= (so the frame cache always misses): upstream mount (one upstream GET of the
#      frame per request, then decode, scale, PNG) and local mount;
#   3. 100 concurrent first requests for the metadata of cold.mov: the upstream requests for
#      cold.mov counted in the test server's log (target: one open, which is one request for the
#      head and tail of the file when the moov fits in the tail, as here).
# Every load is bounded (DURATION seconds, 64 connections); every server is killed at exit.
#
# Usage: benches/e2e/serve_load.sh
# Environment: DURATION=20 CONNECTIONS=64 THREADS=2 HOT_FRAMES=32 UP_LATENCY=50 BURST=100
#              SKIP_BUILD=1 OUT=benches/e2e/serve_results.md
set -euo pipefail
export LC_ALL=C

DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
HOT_FRAMES=${HOT_FRAMES:-32}
UP_LATENCY=${UP_LATENCY:-50}
BURST=${BURST:-100}

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
OUT=${OUT:-$here/serve_results.md}
command -v wrk >/dev/null || { echo "wrk missing (Debian: apt-get install -y wrk)" >&2; exit 1; }
machine=$(machine_line)

work=$(mktemp -d "${TMPDIR:-/tmp}/lazyqt-load.XXXXXX")
up_pid=
lq_pid=
cleanup() {
  [ -n "$lq_pid" ] && kill "$lq_pid" 2>/dev/null
  [ -n "$up_pid" ] && kill "$up_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- upstream -------------------------------------------------------------------------------
mkdir -p "$work/up"
ln -s "$movie" "$work/up/warm.mov"
ln -s "$movie" "$work/up/cold.mov"
mkfifo "$work/up.in"
"${server_cmd[@]}" "$work/up" --listen 127.0.0.1:0 --latency-ms "$UP_LATENCY" --exit-on-eof --log \
  <"$work/up.in" >"$work/up.out" 2>"$work/up.log" &
up_pid=$!
exec {up_fd}>"$work/up.in"
for _ in $(seq 500); do [ -s "$work/up.out" ] && break; sleep 0.02; done
upurl=$(head -n1 "$work/up.out")

# --- lazyqt serve ---------------------------------------------------------------------------
port=$($util freeport)
base=http://127.0.0.1:$port
"$lazyqt" --cache-dir "$work/cache" serve --listen "127.0.0.1:$port" \
  --mount "/up=$upurl" --mount "/local=$movdir" >"$work/serve.log" 2>&1 &
lq_pid=$!
for _ in $(seq 300); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
curl -fsS "$base/healthz" >/dev/null

# Warm the movie (metadata) and the hot frames (1-based in the REST API).
curl -fsS "$base/up/warm.mov" -o "$work/warm.json"
for n in $(seq 1 "$HOT_FRAMES"); do curl -fsS "$base/up/warm.mov/frame/$n.png" -o /dev/null; done
curl -fsS "$base/local/$name" -o /dev/null
png_bytes=$(curl -fsS "$base/up/warm.mov/frame/1.png" | wc -c)

results=$work/load.tsv
: >"$results"
counters() { # frame-cache hits, misses, upstream requests from /metrics
  curl -fsS "$base/metrics" | awk '
    $1=="lazyqt_frame_cache_hits_total"{h=$2} $1=="lazyqt_frame_cache_misses_total"{m=$2}
    $1=="lazyqt_upstream_requests_total"{u=$2} END{print h+0, m+0, u+0}'
}
load() { # label prefix frames first width-mode command-description
  local label=$1 prefix=$2 frames=$3 first=$4 mode=$5 desc=$6 h0 m0 u0 h1 m1 u1
  echo "== $label" >&2
  read -r h0 m0 u0 < <(counters)
  LQ_PREFIX=$prefix LQ_FRAMES=$frames LQ_FIRST=$first LQ_WIDTH=$mode \
    timeout $((DURATION + 60)) wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 30s \
    -s "$here/random_frame.lua" "$base" >"$work/wrk.out" 2>&1 || true
  cat "$work/wrk.out" >&2
  local json
  json=$(sed -n 's/^RESULT //p' "$work/wrk.out")
  [ -n "$json" ] || json='{}'
  read -r h1 m1 u1 < <(counters)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$desc" "$json" $((h1 - h0)) $((m1 - m0)) $((u1 - u0)) >>"$results"
}

load "hot frames (encoded-frame cache hits)" /up/warm.mov "$HOT_FRAMES" 1 "" \
  "GET /up/warm.mov/frame/{1..$HOT_FRAMES}.png, all cached"
load "uncached decodes, upstream mount" /up/warm.mov "$nframes" 1 random \
  "GET /up/warm.mov/frame/{1..$nframes}.png?width={64..1919}"
load "uncached decodes, local mount" "/local/$name" "$nframes" 1 random \
  "GET /local/$name/frame/{1..$nframes}.png?width={64..1919}"
load "uncached full-size decodes, local mount" "/local/$name" "$nframes" 1 "" \
  "GET /local/$name/frame/{1..$nframes}.png (1920x1080; cache misses until frames repeat)"

# --- burst of first requests for a cold movie's metadata ------------------------------------
echo "== $BURST concurrent first requests for cold.mov" >&2
burst=$(python3 - "$base/up/cold.mov" "$BURST" <<'EOF'
import sys, threading, time, urllib.request, collections
url, n = sys.argv[1], int(sys.argv[2])
barrier = threading.Barrier(n)
codes = collections.Counter()
lat = []
lock = threading.Lock()
def one():
    barrier.wait()
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            r.read()
            c = r.status
    except urllib.error.HTTPError as e:
        c = e.code
    except Exception as e:
        c = type(e).__name__
    with lock:
        codes[c] += 1
        lat.append(time.monotonic() - t0)
ts = [threading.Thread(target=one) for _ in range(n)]
[t.start() for t in ts]
[t.join() for t in ts]
lat.sort()
print(" ".join("%s:%d" % kv for kv in sorted(codes.items(), key=str)), "%.3f" % lat[len(lat) // 2], "%.3f" % lat[-1])
EOF
)
metrics=$(curl -fsS "$base/metrics" || true)

# stop both servers; the upstream prints its request log on stdin EOF
kill -TERM "$lq_pid" 2>/dev/null || true
wait "$lq_pid" 2>/dev/null || true
lq_pid=
exec {up_fd}>&-
wait "$up_pid" || true
up_pid=
read -r cold_req cold_bytes < <($util srvlog "$work/up.log" /cold.mov)
read -r warm_req warm_bytes < <($util srvlog "$work/up.log" /warm.mov)
cold_log=$(grep ' /cold.mov ' "$work/up.log" || true)

# --- report ---------------------------------------------------------------------------------
{
  echo "### Load test of \`lazyqt serve\`"
  echo
  echo "Produced by \`benches/e2e/serve_load.sh\` (DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS HOT_FRAMES=$HOT_FRAMES UP_LATENCY=$UP_LATENCY BURST=$BURST) on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  echo "- machine: $machine (wrk, lazyqt serve and the upstream test server share these cores)"
  echo "- server: \`lazyqt --cache-dir DIR serve --listen 127.0.0.1:PORT --mount /up=http://127.0.0.1:P/ --mount /local=testdata/generated/bench\` (default workers = 3 per core, frame cache 256 MiB)"
  echo "- upstream: \`$server_desc DIR --latency-ms $UP_LATENCY\` serving \`$name\` ($nframes frames, 1080p ProRes HQ) as warm.mov and cold.mov"
  echo "- load: \`wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s --timeout 30s -s benches/e2e/random_frame.lua http://127.0.0.1:PORT\` (random frame per request, see the script); a 1080p PNG answer is $png_bytes bytes"
  echo
  echo "| load | requests | req/s | p50 | p90 | p99 | max | errors (connect/read/write/timeout/non-2xx) | frame cache hits / misses | upstream requests |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"
  while IFS=$'\t' read -r label desc json hits misses ups; do
    python3 - "$label" "$desc" "$json" "$hits" "$misses" "$ups" <<'EOF'
import json, sys
label, desc, j = sys.argv[1], sys.argv[2], json.loads(sys.argv[3] or "{}")
hits, misses, ups = sys.argv[4:7]
if not j:
    print("| %s: `%s` | wrk gave no result | | | | | | | | |" % (label, desc)); sys.exit()
errs = [j["err_connect"], j["err_read"], j["err_write"], j["err_timeout"], j["err_status"]]
print("| %s: `%s` | %d | %.1f | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %s%s | %s / %s | %s |" % (
    label, desc, j["requests"], j["rps"], j["p50_ms"], j["p90_ms"], j["p99_ms"], j["max_ms"],
    "/".join(map(str, errs)), " **(not 0)**" if sum(errs) else " (0)", hits, misses, ups))
EOF
  done <"$results"
  echo
  echo "$BURST concurrent first requests for \`GET /up/cold.mov\` (metadata of a movie never opened):"
  read -r b_codes b_med b_max <<<"$burst"
  echo "answers (status:count) $b_codes, latency median $b_med s, max $b_max s;"
  echo "upstream requests for cold.mov: **$cold_req** ($cold_bytes body bytes; target: one open = 1 request, head and tail with the moov)."
  echo
  echo '```'
  echo "$cold_log"
  echo '```'
  echo
  echo "Upstream requests for warm.mov over the whole run (warming + uncached upstream decodes): $warm_req, $warm_bytes body bytes."
  m=$(printf '%s\n' "$metrics" | grep -E '^lazyqt_(upstream|frame_cache|cache)[a-z_]*(\{[^}]*\})? ' | head -n 12 || true)
  if [ -n "$m" ]; then
    echo
    echo "Server counters at the end (\`/metrics\`, excerpt):"
    echo
    echo '```'
    echo "$m"
    echo '```'
  fi
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
