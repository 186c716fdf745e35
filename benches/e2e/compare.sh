#!/usr/bin/env bash
# End-to-end comparison of lazyqt with the ffmpeg CLI (issue 7 part 3, issue 4 "Speed").
#
# A 60 s 1080p ProRes HQ movie (moov at the end, like CamHD) is served by lazyqt-testserver on
# 127.0.0.1 with a fixed latency added to every request; lazyqt and ffmpeg/ffprobe run side by
# side against the same URL. Every measurement gets a fresh server, so its request log counts
# exactly one tool run: wall time, requests and body bytes the server sent, and whether the
# picture is the frame asked for (compared with `ffmpeg -vf select=eq(n\,N)` of the local file).
#
# Usage: benches/e2e/compare.sh
# Environment (all optional):
#   LATENCIES="50 20 0"   ms added per request by the test server (50 is the one the targets use)
#   RUNS=5                runs per timed row (the table shows the median)
#   RUNS_MANY=3           runs of `lazyqt frames` on 100 random frames
#   SEED=7                seed of the 100 random frame numbers
#   ACCURATE_CAP=120      seconds allowed to ffmpeg's accurate form (-i URL -ss T) per run;
#                         the last-frame case is skipped when the middle frame projects beyond it
#   LOOP_CAP=90           the loop of 100 ffmpeg invocations is cut to its first 20 and
#                         extrapolated (x5, labelled) when those 20 project beyond this many seconds
#   LOCAL_RUNS=10         hyperfine runs of the local-file comparison
#   SKIP_BUILD=1          do not run cargo build (use the binaries already in the target dir)
#   E2E_MOVIE=60s         60s: the 60 s movie (1,800 frames, small moov); camhd: a 25,000-frame
#                         CamHD-layout movie, 13 GB apparent, 134 KB moov (see common.sh)
#   ACCURATE=1            0: skip ffmpeg's accurate form (-i URL -ss T), which decodes every
#                         frame before T (minutes on the CamHD-size movie)
#   OUT=benches/e2e/results.md
set -euo pipefail
export LC_ALL=C

LATENCIES=${LATENCIES:-"50 20 0"}
RUNS=${RUNS:-5}
RUNS_MANY=${RUNS_MANY:-3}
SEED=${SEED:-7}
ACCURATE_CAP=${ACCURATE_CAP:-120}
LOOP_CAP=${LOOP_CAP:-90}
LOCAL_RUNS=${LOCAL_RUNS:-10}
ACCURATE=${ACCURATE:-1}

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
OUT=${OUT:-$here/results.md}
machine=$(machine_line)

work=$(mktemp -d "${TMPDIR:-/tmp}/lazyqt-e2e.XXXXXX")
srv_pid=
cleanup() {
  if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

first=0
mid=$((nframes / 2))
last=$((nframes - 1))
filesize=$(stat -c %s "$movie")
moov_size=$($util atoms "$movie" | awk '$1=="moov"{print $3}')
frame_size() { # sample size of frame $1 (0-based presentation order = decode order for ProRes)
  "$lazyqt" --no-cache samples "$movie" --json 2>/dev/null | python3 -c '
import json,sys
n=int(sys.argv[1])
for i,line in enumerate(sys.stdin):
    if i==n:
        print(json.loads(line)["size"]); break' "$1"
}
mid_size=$(frame_size "$mid")
last_size=$(frame_size "$last")
port=$($util freeport)
echo "movie: $nframes frames, $filesize bytes, moov $moov_size bytes; frames $mid ($mid_size B) and $last ($last_size B)" >&2

# --- reference pictures: ffmpeg's own decode of the local file, frame by number --------------
# ffmpeg's default rgb24 conversion (the stream's matrix, BT.601 when untagged), which lazyqt's
# outputs and ffmpeg's own share.
list=$($util pick "$SEED" 100 "$nframes")
IFS=, read -r -a many <<<"$list"
check_many=("${many[0]}" "${many[33]}" "${many[66]}" "${many[99]}")
refdir=$movdir/ref.${name%.mov}
mkdir -p "$refdir/ffmpeg"
need=()
for n in 0 1 2 $((mid - 2)) $((mid - 1)) "$mid" $((mid + 1)) $((mid + 2)) $((last - 2)) $((last - 1)) "$last" "${check_many[@]}"; do
  [ -s "$refdir/ffmpeg/$n.rgb" ] || need+=("$n")
done
fb=$((1920 * 1080 * 3))
if [ ${#need[@]} -gt 0 ] && [ -n "$ref_source" ]; then
  # Frame N of the CamHD-layout movie is frame N % 6 of its source: decode the source.
  echo "reference decode of the 6 source frames ..." >&2
  ffmpeg -nostdin -hide_banner -loglevel error -y -i "$ref_source" -pix_fmt rgb24 -f rawvideo "$work/ref_src.rgb"
  for n in "${need[@]}"; do
    dd if="$work/ref_src.rgb" of="$refdir/ffmpeg/$n.rgb" bs=$fb skip=$((n % 6)) count=1 status=none
  done
  rm -f "$work/ref_src.rgb"
elif [ ${#need[@]} -gt 0 ]; then
  sorted=($(printf '%s\n' "${need[@]}" | sort -n -u))
  echo "reference decode of frames ${sorted[*]} (one pass over the file) ..." >&2
  expr=$(printf '+eq(n\\,%s)' "${sorted[@]}"); expr=${expr:1}
  ffmpeg -nostdin -hide_banner -loglevel error -y -i "$movie" -vf "select=$expr" \
    -vsync 0 -pix_fmt rgb24 -f rawvideo "$work/ref_ffmpeg.rgb"
  for i in "${!sorted[@]}"; do
    dd if="$work/ref_ffmpeg.rgb" of="$refdir/ffmpeg/${sorted[$i]}.rgb" bs=$fb skip="$i" count=1 status=none
  done
  rm -f "$work"/ref_*.rgb
fi

# check FILE N: convert an output image (png or raw rgb24) to rgb24 and name the frame it is,
# against the references.
check() {
  local f=$1 n=$2 raw=$work/check.rgb
  if [ ! -s "$f" ]; then echo "NO OUTPUT"; return; fi
  case $f in
    *.rgb|*.raw) raw=$f ;;
    *) ffmpeg -nostdin -hide_banner -loglevel error -y -i "$f" -pix_fmt rgb24 -f rawvideo "$raw" ;;
  esac
  $util cmp "$raw" "$refdir/ffmpeg" "$n"
}

# --- the test server, one instance per measurement ------------------------------------------
start_server() { # $1 = latency ms; sets srv_pid, url, srv_log
  srv_log=$work/server.log
  rm -f "$work/srv.in" "$srv_log" "$work/srv.out"
  mkfifo "$work/srv.in"
  local try
  for try in 1 2 3 4 5 6 7 8 9 10; do
    "${server_cmd[@]}" "$movdir" --listen "127.0.0.1:$port" --latency-ms "$1" --exit-on-eof --log \
      <"$work/srv.in" >"$work/srv.out" 2>"$srv_log" &
    srv_pid=$!
    exec {srv_fd}>"$work/srv.in"
    local i
    for i in $(seq 500); do
      [ -s "$work/srv.out" ] && break
      kill -0 "$srv_pid" 2>/dev/null || break
      sleep 0.02
    done
    if [ -s "$work/srv.out" ]; then
      url="$(head -n1 "$work/srv.out")$name"
      return 0
    fi
    exec {srv_fd}>&-
    wait "$srv_pid" 2>/dev/null || true
    srv_pid=
    sleep 0.5 # the port may still be held by the previous instance
  done
  echo "test server did not start" >&2; cat "$srv_log" >&2; exit 1
}
stop_server() { # sets srv_req, srv_bytes
  exec {srv_fd}>&-
  wait "$srv_pid" || true
  srv_pid=
  read -r srv_req srv_bytes < <($util srvlog "$srv_log" "$name")
}

results=$work/results.tsv
: >"$results"
record() { # latency scenario role tool run wall requests bytes check note
  local IFS=$'\t'
  echo "$*" >>"$results"
}
# timed CMD...: runs CMD with stdout/stderr to a log, sets $wall (seconds) and $rc.
timed() {
  local t0 t1
  t0=$EPOCHREALTIME
  set +e
  "$@" >"$work/cmd.log" 2>&1
  rc=$?
  set -e
  t1=$EPOCHREALTIME
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}')
  if [ "$rc" -ne 0 ]; then
    echo "command failed ($rc): $*" >&2
    tail -n 5 "$work/cmd.log" >&2
  fi
}
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# --- HTTP measurements ----------------------------------------------------------------------
for lat in $LATENCIES; do
  echo "== latency $lat ms" >&2
  for which in first mid last; do
    case $which in first) n=$first ;; mid) n=$mid ;; *) n=$last ;; esac
    t=$($util frametime "$n")
    scen="frame $n ($which)"
    for run in $(seq "$RUNS"); do
      cache=$work/cache.$run; rm -rf "$cache"
      # cold: empty persistent cache
      start_server "$lat"
      rm -f "$work"/lq_*.png "$work/ff.png"
      timed "$lazyqt" --cache-dir "$cache" frame "$url" "$n" -o "$work/lq_cold.png"
      stop_server
      c=; [ "$run" = 1 ] && c=$(check "$work/lq_cold.png" "$n")
      record "$lat" "$scen" lazyqt "lazyqt frame URL N -o x.png (cold, empty cache dir)" "$run" "$wall" "$srv_req" "$srv_bytes" "$c"
      # warm: a second run with the same cache dir (same port, same validators)
      start_server "$lat"
      timed "$lazyqt" --cache-dir "$cache" frame "$url" "$n" -o "$work/lq_warm.png"
      stop_server
      c=; [ "$run" = 1 ] && c=$(check "$work/lq_warm.png" "$n")
      record "$lat" "$scen" lazyqt "lazyqt frame URL N -o x.png (warm, same cache dir)" "$run" "$wall" "$srv_req" "$srv_bytes" "$c"
      # --no-cache
      start_server "$lat"
      timed "$lazyqt" --no-cache frame "$url" "$n" -o "$work/lq_nc.png"
      stop_server
      c=; [ "$run" = 1 ] && c=$(check "$work/lq_nc.png" "$n")
      record "$lat" "$scen" lazyqt "lazyqt --no-cache frame URL N -o x.png" "$run" "$wall" "$srv_req" "$srv_bytes" "$c"
      # ffmpeg, fast seek
      start_server "$lat"
      timed ff -ss "$t" -i "$url" -frames:v 1 "$work/ff.png"
      stop_server
      c=; [ "$run" = 1 ] && c=$(check "$work/ff.png" "$n")
      record "$lat" "$scen" base "ffmpeg -ss T -i URL -frames:v 1 out.png" "$run" "$wall" "$srv_req" "$srv_bytes" "$c"
    done
    # exact pictures: lazyqt's raw rgb8 must equal ffmpeg's rgb24 decode of the local file
    rm -f "$work/lq.rgb" "$work/ffacc.png"
    start_server "$lat"
    timed "$lazyqt" --no-cache frame "$url" "$n" --format raw -o "$work/lq.rgb"
    stop_server
    record "$lat" "$scen" other "lazyqt --no-cache frame URL N --format raw -o x.rgb" 1 "$wall" "$srv_req" "$srv_bytes" "$(check "$work/lq.rgb" "$n")"
    # ffmpeg's accurate form decodes every frame from the start: once, under a time cap
    if [ "$ACCURATE" = 0 ]; then
      record "$lat" "$scen" other "ffmpeg -i URL -ss T -frames:v 1 out.png (accurate)" 1 "" "" "" "" "skipped: ACCURATE=0"
    elif [ $which != last ] || [ -z "${acc_mid_wall:-}" ] ||
       awk -v w="$acc_mid_wall" -v f="$n" -v m="$mid" -v cap="$ACCURATE_CAP" 'BEGIN{exit !(w*f/m <= cap)}'; then
      start_server "$lat"
      timed timeout "$ACCURATE_CAP" ffmpeg -nostdin -hide_banner -loglevel error -y -i "$url" -ss "$t" -frames:v 1 "$work/ffacc.png"
      stop_server
      if [ "$rc" = 124 ]; then
        record "$lat" "$scen" other "ffmpeg -i URL -ss T -frames:v 1 out.png (accurate)" 1 "" "$srv_req" "$srv_bytes" "" "killed after ${ACCURATE_CAP} s"
      else
        if [ $which = mid ]; then acc_mid_wall=$wall; fi
        record "$lat" "$scen" other "ffmpeg -i URL -ss T -frames:v 1 out.png (accurate)" 1 "$wall" "$srv_req" "$srv_bytes" "$(check "$work/ffacc.png" "$n")"
      fi
    else
      record "$lat" "$scen" other "ffmpeg -i URL -ss T -frames:v 1 out.png (accurate)" 1 "" "" "" "" \
        "skipped: projected $(awk -v w="$acc_mid_wall" -v f="$n" -v m="$mid" 'BEGIN{printf "%.0f", w*f/m}') s > cap ${ACCURATE_CAP} s"
    fi
  done
  unset acc_mid_wall

  # 100 random frames
  scen="100 random frames (seed $SEED)"
  for run in $(seq "$RUNS_MANY"); do
    rm -rf "$work/many" "$work/cache.many"
    start_server "$lat"
    timed "$lazyqt" --cache-dir "$work/cache.many" frames "$url" --list "$list" -o "$work/many"
    stop_server
    c=
    if [ "$run" = 1 ]; then
      c=ok
      for n in "${check_many[@]}"; do
        r=$(check "$(printf '%s/frame_%06d.png' "$work/many" "$n")" "$n")
        case $r in ok*) ;; *) c="$r (frame $n)" ;; esac
      done
      got=$(find "$work/many" -type f | wc -l)
      [ "$got" = 100 ] || c="$c; $got files"
      c="$c (4 of 100 checked)"
    fi
    record "$lat" "$scen" lazyqt "lazyqt frames URL --list N,N,… -o DIR (cold cache, default -j)" "$run" "$wall" "$srv_req" "$srv_bytes" "$c"
  done
  # the ffmpeg loop: 20 first; all 100 unless that projects beyond LOOP_CAP
  rm -rf "$work/ffmany"; mkdir -p "$work/ffmany"
  start_server "$lat"
  t0=$EPOCHREALTIME
  done_n=0
  for n in "${many[@]}"; do
    ff -ss "$($util frametime "$n")" -i "$url" -frames:v 1 "$work/ffmany/$n.png" || echo "ffmpeg failed on frame $n" >&2
    done_n=$((done_n + 1))
    if [ $done_n = 20 ]; then
      el=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.4f", b-a}')
      if awk -v e="$el" -v cap="$LOOP_CAP" 'BEGIN{exit !(e*5 > cap)}'; then break; fi
    fi
  done
  wall=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.4f", b-a}')
  stop_server
  c=ok
  for n in "${check_many[@]}"; do
    [ -e "$work/ffmany/$n.png" ] || [ "$done_n" = 100 ] || continue
    r=$(check "$work/ffmany/$n.png" "$n")
    case $r in ok*) ;; *) c="$r (frame $n)" ;; esac
  done
  if [ $done_n = 100 ]; then
    record "$lat" "$scen" base "for N in …: ffmpeg -ss T -i URL -frames:v 1 N.png (100 runs)" 1 "$wall" "$srv_req" "$srv_bytes" "$c"
  else
    x=$(awk -v d="$done_n" 'BEGIN{print 100/d}')
    record "$lat" "$scen" base "for N in …: ffmpeg -ss T -i URL -frames:v 1 N.png (100 runs)" 1 \
      "$(awk -v w="$wall" -v x="$x" 'BEGIN{printf "%.4f", w*x}')" \
      "$(awk -v w="$srv_req" -v x="$x" 'BEGIN{printf "%.0f", w*x}')" \
      "$(awk -v w="$srv_bytes" -v x="$x" 'BEGIN{printf "%.0f", w*x}')" "$c" \
      "EXTRAPOLATED x$x from the first $done_n runs: $(printf '%.1f' "$wall") s"
  fi

  # info
  scen="movie metadata"
  for run in $(seq "$RUNS"); do
    cache=$work/cache.info; rm -rf "$cache"
    start_server "$lat"
    timed "$lazyqt" --cache-dir "$cache" info "$url"
    stop_server
    record "$lat" "$scen" lazyqt "lazyqt info URL (cold, empty cache dir)" "$run" "$wall" "$srv_req" "$srv_bytes"
    start_server "$lat"
    timed "$lazyqt" --cache-dir "$cache" info "$url"
    stop_server
    record "$lat" "$scen" lazyqt "lazyqt info URL (warm cache dir, within --cache-ttl)" "$run" "$wall" "$srv_req" "$srv_bytes"
    start_server "$lat"
    timed ffprobe -hide_banner -loglevel error -show_format -show_streams "$url"
    stop_server
    record "$lat" "$scen" base "ffprobe -show_format -show_streams URL" "$run" "$wall" "$srv_req" "$srv_bytes"
  done
done

# --- local file (issue 4: lazyqt <= 0.25x ffmpeg) --------------------------------------------
echo "== local file" >&2
n=$mid; t=$($util frametime "$n")
scen="frame $n, local file"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 2 --runs "$LOCAL_RUNS" --export-json "$work/local.json" \
    -n lazyqt "$lazyqt frame $movie $n -o $work/local_lq.png" \
    -n ffmpeg "ffmpeg -nostdin -hide_banner -loglevel error -y -ss $t -i $movie -frames:v 1 $work/local_ff.png" >&2
  python3 -c '
import json,sys
r={x["command"]:x for x in json.load(open(sys.argv[1]))["results"]}
for name in ("lazyqt","ffmpeg"):
    print(name, " ".join("%.4f" % t for t in r[name]["times"]))' "$work/local.json" >"$work/local.times"
  read -r _ lq < <(grep '^lazyqt ' "$work/local.times")
  read -r _ fm < <(grep '^ffmpeg ' "$work/local.times")
  lq=($lq); fm=($fm)
  how="hyperfine -N --warmup 2"
else
  lq=(); fm=()
  for run in $(seq "$LOCAL_RUNS"); do
    timed "$lazyqt" frame "$movie" "$n" -o "$work/local_lq.png"; lq+=("$wall")
    timed ff -ss "$t" -i "$movie" -frames:v 1 "$work/local_ff.png"; fm+=("$wall")
  done
  how="repeated runs"
fi
c_lq=$(check "$work/local_lq.png" "$n")
c_ff=$(check "$work/local_ff.png" "$n")
for i in "${!lq[@]}"; do
  record local "$scen" lazyqt "lazyqt frame FILE N -o x.png" "$i" "${lq[$i]}" "" "" "$c_lq" "$how"
done
for i in "${!fm[@]}"; do
  record local "$scen" base "ffmpeg -ss T -i FILE -frames:v 1 x.png" "$i" "${fm[$i]}" "" "" "$c_ff" "$how"
done

# --- report ----------------------------------------------------------------------------------
{
  echo "### End-to-end comparison: lazyqt vs the ffmpeg CLI"
  echo
  echo "Produced by \`benches/e2e/compare.sh\` (E2E_MOVIE=${E2E_MOVIE:-60s} ACCURATE=$ACCURATE LATENCIES=\"$LATENCIES\" RUNS=$RUNS RUNS_MANY=$RUNS_MANY SEED=$SEED ACCURATE_CAP=$ACCURATE_CAP LOOP_CAP=$LOOP_CAP) on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  echo "- machine: $machine"
  echo "- movie: \`$name\`, $movie_desc, $nframes frames, $filesize bytes, moov at the end ($moov_size bytes); frame $mid is $mid_size bytes, frame $last is $last_size bytes"
  echo "- server: \`$server_desc DIR --latency-ms L\` on 127.0.0.1 (sleeps L ms before each answer), a fresh instance per measured run; requests and bytes are the requests it answered and the body bytes it wrote for that one run (bytes a client never read still count when the kernel took them)"
  echo "- right frame?: the output converted to rgb24 and compared with \`ffmpeg -i FILE -vf select=eq(n\\,N) -vsync 0 -pix_fmt rgb24 -f rawvideo\` of frames N-2..N+2 of the local file (lazyqt converts like ffmpeg: the stream's matrix, BT.601 when untagged); \`frame=K\` is the nearest reference, \`maxdiff=0\` byte-identical (max over every 7th byte). ffmpeg's PNG is rgb48be, so its rgb24 conversion differs from ffmpeg's direct rgb24 by a few levels"
  echo "- T for frame N is N * 1001/30000 s - 0.1 ms: ffmpeg's \`-ss T\` outputs the first frame whose pts is >= T, so the middle of frame N, (N + 0.5) * 1001/30000, would give frame N+1 (and no picture at all for the last frame); the frame check confirms T picks N"
  echo "- wall times are medians over the runs column; requests and bytes the medians too (they are the same in every run)"
  echo "- byte budget of a cold frame (issue 7: moov + frame + 64 KiB): frame $mid $((moov_size + mid_size + 65536)) B, frame $last $((moov_size + last_size + 65536)) B; (issue 13: moov + frame + 256 KiB): frame $mid $((moov_size + mid_size + 262144)) B, frame $last $((moov_size + last_size + 262144)) B"
  if [ -n "$ref_source" ]; then
    echo "- references here: frame N of this movie is frame N % 6 of its 6-frame source movie (make_camhd --alias), so the reference for N is ffmpeg's rgb24 decode of that source frame"
  fi
  echo
  $util table "$results"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cp "$results" "${OUT%.md}.tsv"
cat "$OUT"
