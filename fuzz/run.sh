#!/usr/bin/env bash
# Run every fuzz target (or the ones named) for SECONDS each, one after the other,
# on one core. Exits non-zero if any target found a crash, hang (>10 s per input) or
# out-of-memory; the reproducers are in fuzz/artifacts/<target>/, the log in
# fuzz/artifacts/logs/<target>.log. Prints a markdown summary with executions per second.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]        (default 60 s, every target)
# Uses `cargo +nightly fuzz` (with sanitizers); without nightly, stable with
# `--sanitizer none`. Install cargo-fuzz with `cargo install cargo-fuzz`.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$(dirname "$here")"
seconds=${1:-60}
shift || true
if cargo +nightly --version >/dev/null 2>&1; then
  fuzz=(cargo +nightly fuzz run -a)
else
  echo "nightly not installed: fuzzing on stable without sanitizers" >&2
  fuzz=(cargo fuzz run -a --sanitizer none)
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
for t in "${targets[@]}"; do
  [ -d "fuzz/corpus/$t" ] || { bash fuzz/seed.sh; break; }
done
mkdir -p fuzz/artifacts/logs
summary="| target | seconds | runs | exec/s | corpus | result |
|---|---|---|---|---|---|"
failed=0
for t in "${targets[@]}"; do
  log=fuzz/artifacts/logs/$t.log
  mkdir -p "fuzz/artifacts/$t"
  before=$(ls "fuzz/artifacts/$t" | sort)
  echo "== $t: ${seconds}s (log: $log)" >&2
  # The target's own dictionary if it has one (fuzz/<target>.dict), else the fourccs.
  dict=fuzz/$t.dict
  [ -f "$dict" ] || dict=fuzz/fourcc.dict
  # Fork mode with -ignore_*: a crash does not end the run, so one run collects them all.
  "${fuzz[@]}" "$t" -- -max_total_time="$seconds" -dict="$dict" -timeout=10 \
    -rss_limit_mb=2048 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 >"$log" 2>&1
  rc=$?
  # Last status line: "#RUNS: cov: .. corp: N .. oom/timeout/crash: a/b/c time: Ts ..."
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1)
  runs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$last")
  secs=$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<<"$last")
  corpus=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
  rate=$(( ${runs:-0} / (${secs:-0} > 0 ? ${secs:-1} : 1) ))
  new=$(comm -13 <(echo "$before") <(ls "fuzz/artifacts/$t" | sort) | grep -v '^$')
  if [ $rc -eq 0 ] && [ -z "$new" ]; then
    result=ok
  else
    failed=1
    result="FAILED (exit $rc, $(sed -nE 's/.*oom\/timeout\/crash: ([0-9/]+).*/\1/p' <<<"$last") oom/timeout/crash): $(echo $new)"
  fi
  summary+=$'\n'"| $t | ${secs:-?} | ${runs:-?} | $rate | ${corpus:-?} | $result |"
done
echo "$summary"
exit $failed
