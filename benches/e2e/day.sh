#!/usr/bin/env bash
# A CamHD day (issue 12): one day directory 2017/07/01/ of 8 movies, every one a
# 25,000-frame CamHD-layout movie whose frames decode (`make_camhd --alias`: 13 GB apparent,
# a few MB of disk; hard links of one file), served by lazyqt-testserver on 127.0.0.1 with
# 50 ms added to every request, a fresh server per run (which counts requests and bytes).
# - sheet: the frame 7 minutes into every recording (--every 3h from 00:07) as 8 tiles 320 px
#   wide into one JPEG; cold (empty disk cache), then warm (moovs cached, frames read again).
# - utc: `lazyqt frame ROOT --utc 2017-07-01T12:07:00Z -o x.png`, cold (a day not seen before:
#   its listing, the movie's open, the frame), beside the ffmpeg CLI reading the same frame of
#   the movie it names (`ffmpeg -ss T -i URL -frames:v 1`), which has to be told the file.
#
# Usage: benches/e2e/day.sh
# Environment (optional): LATENCY_MS=50  RUNS=3  SKIP_BUILD=1
set -euo pipefail
export LC_ALL=C
# shellcheck source=archive_runs.sh
source "$(dirname "$0")/archive_runs.sh"

root=$repo/testdata/generated/bench/archive_day
if [ ! -e "$root/.done" ]; then
  mkdir -p "$root/2017/07/01"
  "$target/release/make_camhd" "$root/.movie" --alias >&2
  for h in 00 03 06 09 12 15 18 21; do
    ln -f "$root/.movie" "$root/2017/07/01/CAMHDA301-20170701T${h}0000.mov"
  done
  touch "$root/.done"
fi

echo "# a day of 8 CamHD-size movies, ${LATENCY_MS} ms per request"
echo "# run seconds requests bytes_sent"
for i in $(seq 1 "$RUNS"); do
  rm -rf "$tmp/cache"
  run "sheet-cold$i" "$lazyqt" sheet @URL@ --from 2017-07-01T00:07:00Z --to 2017-07-01T23:59:59Z \
    --every 3h -o "$tmp/day.jpg" --json "${cache[@]}"
  [ "$(grep -o '"frame":' "$tmp/report" | wc -l)" = 8 ] || { echo "sheet: not 8 tiles" >&2; exit 1; }
  run "sheet-warm$i" "$lazyqt" sheet @URL@ --from 2017-07-01T00:07:00Z --to 2017-07-01T23:59:59Z \
    --every 3h -o "$tmp/day.jpg" --json "${cache[@]}"
  rm -rf "$tmp/cache"
  run "utc-cold$i" "$lazyqt" frame @URL@ --utc 2017-07-01T12:07:00Z -o "$tmp/utc.png" "${cache[@]}"
  # 12:07:00 is 420 s into the 12:00 recording: frame floor(420 * 30000 / 1001) = 12587,
  # which starts at 12587 * 1001 / 30000 s.
  run "ffmpeg-cold$i" ffmpeg -nostdin -v error -y -ss 419.986033 \
    -i @URL@2017/07/01/CAMHDA301-20170701T120000.mov -frames:v 1 "$tmp/ffmpeg.png"
done
