#!/usr/bin/env bash
# Generate the test movies with the ffmpeg CLI. Idempotent: existing files are kept.
# Usage: testdata/generate.sh [OUTDIR]   (default: testdata/generated next to this script)
# Every movie is short (1-2 s, small frames) so the test suite stays fast.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/generated}
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# make NAME ARGS...: run ffmpeg writing to a temp file, then rename (atomic for parallel tests).
make() {
  local name=$1; shift
  [ -s "$out/$name" ] && return 0
  local ext=${name##*.}
  ff "$@" "$out/.tmp.$name.$ext" && mv "$out/.tmp.$name.$ext" "$out/$name"
}

video="testsrc2=size=320x180:rate=30000/1001"
for p in 0 1 2 3 4 5; do
  make "prores$p.mov" -f lavfi -i "$video" -t 1 -c:v prores_ks -profile:v "$p" -f mov
done
make prores_faststart.mov -f lavfi -i "$video" -t 1 -c:v prores_ks -profile:v 2 -movflags +faststart -f mov
make h264_bframes.mov -f lavfi -i "$video" -t 2 -c:v libx264 -preset ultrafast -tune film -bf 3 -g 12 -pix_fmt yuv420p -f mov
make h264_bframes.mp4 -f lavfi -i "$video" -t 2 -c:v libx264 -preset veryfast -bf 3 -g 15 -pix_fmt yuv420p -f mp4
make prores_audio_tc.mov -f lavfi -i "$video" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t 1 -c:v prores_ks -profile:v 2 -c:a pcm_s24le -timecode "01:00:00;00" -f mov
make h264_edit.mp4 -ss 0.5 -i "$out/h264_bframes.mp4" -c copy -f mp4
make h264_opengop.mp4 -f lavfi -i "$video" -t 2 -c:v libx264 -preset veryfast -bf 3 -x264-params keyint=12:min-keyint=12:open-gop=1:scenecut=0 -pix_fmt yuv420p -f mp4
make hevc.mp4 -f lavfi -i "$video" -t 1 -c:v libx265 -x265-params log-level=error -preset ultrafast -tag:v hvc1 -pix_fmt yuv420p -f mp4
make mjpeg.mov -f lavfi -i "$video" -t 1 -c:v mjpeg -q:v 3 -pix_fmt yuvj420p -f mov
# Two video tracks (320x180, then 160x120): tests corrupt the first one's tables.
make two_video.mov -f lavfi -i "$video" -f lavfi -i "testsrc=size=160x120:rate=30000/1001" \
  -t 1 -map 0 -map 1 -c:v prores_ks -profile:v 0 -f mov
