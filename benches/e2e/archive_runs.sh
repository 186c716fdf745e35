# Sourced (not run) by the archive benchmarks (archive.sh, day.sh): the release binaries, a
# scratch directory, one loopback port for every run (the disk cache is keyed by URL) and
# `run`. Sets: lazyqt testserver tmp port cache LATENCY_MS RUNS. `run` serves $root.
# shellcheck shell=bash
# shellcheck source=paths.sh
source "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
build_release -p lazyqt-cli -p lazyqt-testserver -p lazyqt-benches \
  --bin lazyqt --bin lazyqt-testserver --bin make_camhd
LATENCY_MS=${LATENCY_MS:-50}
RUNS=${RUNS:-3}
lazyqt=$target/release/lazyqt
testserver=$target/release/lazyqt-testserver

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The client's disk cache: `rm -rf "$tmp/cache"` before a cold run.
cache=(--cache-dir "$tmp/cache" --cache-ttl forever)

# run LABEL CMD...: CMD (with @URL@ replaced by the server's root URL; its stdout in
# $tmp/report) against a fresh lazyqt-testserver of $root adding LATENCY_MS to every request;
# prints "LABEL seconds requests bytes_sent".
run() {
  local label=$1
  shift
  coproc SRV {
    "$testserver" "$root" --listen "127.0.0.1:$port" --latency-ms "$LATENCY_MS" --exit-on-eof 2>"$tmp/server.err"
  }
  local url
  read -r url <&"${SRV[0]}"
  local t0 t1
  t0=$(date +%s.%N)
  "${@//@URL@/$url}" >"$tmp/report" 2>"$tmp/client.err"
  t1=$(date +%s.%N)
  exec {SRV[1]}>&-
  wait "$SRV_PID" || true
  echo "$label $(echo "$t1 - $t0" | bc) $(sed -n 's/^requests=\([0-9]*\) bytes_sent=\([0-9]*\).*/\1 \2/p' "$tmp/server.err")"
}
