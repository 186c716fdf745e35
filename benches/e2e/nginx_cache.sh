#!/usr/bin/env bash
# deploy/nginx/lazyqt.conf under load on 127.0.0.1: two `lazyqt serve` of one CamHD-layout
# movie (make_camhd --alias: 1920x1080 ProRes, 25,000 frames) behind nginx.
#  1. requests/s for one cached frame (JPEG) through nginx, and straight from one lazyqt
#     (its in-memory frame cache), with wrk;
#  2. upstream requests saved: REQUESTS JPEG requests drawn at random from DISTINCT frames
#     through nginx, and how many of them reached lazyqt (its /metrics).
# Short runs: this machine is shared (2 cores). Needs nginx, wrk, curl.
# Usage: benches/e2e/nginx_cache.sh      Environment: DURATION=5s REQUESTS=2000 DISTINCT=200 SKIP_BUILD=1
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=paths.sh
source "$here/paths.sh"
build_release -p lazyqt-cli -p lazyqt-benches --bin lazyqt --bin make_camhd
DURATION=${DURATION:-5s}
REQUESTS=${REQUESTS:-2000}
DISTINCT=${DISTINCT:-200}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/media" "$tmp/cache"
"$target/release/make_camhd" "$tmp/media/camhd.mov" --alias >&2
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
a=$(port) b=$(port) n=$(port)
for p in "$a" "$b"; do
  "$target/release/lazyqt" serve --listen "127.0.0.1:$p" --mount "/media=$tmp/media" --no-cache 2>/dev/null &
  pids+=($!)
done
sed -e "s/127.0.0.1:8081/127.0.0.1:$a/; s/127.0.0.1:8082/127.0.0.1:$b/; s/listen 127.0.0.1:8080/listen 127.0.0.1:$n/" \
  -e "s#/var/cache/nginx/lazyqt#$tmp/cache#" "$repo/deploy/nginx/lazyqt.conf" > "$tmp/lazyqt.conf"
user=""
[ "$(id -u)" -eq 0 ] && user="user root;"
temps=""
for k in client_body proxy fastcgi uwsgi scgi; do temps+="${k}_temp_path $tmp/$k; "; done
cat > "$tmp/nginx.conf" <<EOF
$user daemon off; worker_processes 2; pid $tmp/nginx.pid; error_log $tmp/error.log;
events { worker_connections 1024; }
http { access_log off; $temps include $tmp/lazyqt.conf; }
EOF
nginx -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" &
pids+=($!)
for p in "$a" "$b" "$n"; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.1; done
done

frame_requests() {
  local total=0
  for p in "$a" "$b"; do
    c=$(curl -s "http://127.0.0.1:$p/metrics" | awk '/^lazyqt_http_requests_total\{route="frame"/ {s += $2} END {print s + 0}')
    total=$((total + c))
  done
  echo "$total"
}
rps() { wrk -t2 -c16 -d"$DURATION" "$1" | awk '/Requests\/sec/ {print $2}'; }

url=/media/camhd.mov/frame/12345.jpg
curl -sf -o /dev/null "http://127.0.0.1:$n$url"
curl -sf -o /dev/null "http://127.0.0.1:$a$url"
size=$(curl -s "http://127.0.0.1:$n$url" | wc -c)
echo "| one cached ${size}-byte JPEG, wrk -t2 -c16 -d$DURATION | requests/s |"
echo "|---|---:|"
echo "| through nginx (its disk cache) | $(rps "http://127.0.0.1:$n$url") |"
echo "| straight from one lazyqt serve (its frame cache) | $(rps "http://127.0.0.1:$a$url") |"

before=$(frame_requests)
start=$(date +%s.%N)
python3 - "$n" "$REQUESTS" "$DISTINCT" <<'EOF'
import random, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
port, requests, distinct = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(0)
frames = rng.sample(range(1, 25001), distinct)
urls = [f"http://127.0.0.1:{port}/media/camhd.mov/frame/{rng.choice(frames)}.jpg" for _ in range(requests)]
def get(u):
    with urllib.request.urlopen(u, timeout=60) as r:
        assert r.status == 200 and r.read()
with ThreadPoolExecutor(8) as pool:
    list(pool.map(get, urls))
EOF
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
upstream=$(( $(frame_requests) - before ))
echo
echo "| $REQUESTS JPEG requests over $DISTINCT distinct frames, 8 at a time | |"
echo "|---|---:|"
echo "| reached lazyqt | $upstream |"
echo "| saved by nginx | $(( REQUESTS - upstream )) ($(( (REQUESTS - upstream) * 100 / REQUESTS ))%) |"
echo "| wall time (s) | $elapsed |"
