#!/usr/bin/env bash
# Generate a small archive in the CamHD layout with the ffmpeg CLI: day directories
# YYYY/MM/DD/ of 2-second ProRes movies named like the real ones (a trailing Z in 2016
# names, none in 2017), .md5 files beside them, a missing day (2016-11-14), a movie
# recording across midnight, a malformed movie, a movie whose name has no time (its
# start is its mvhd creation time), and things a walk must leave alone (a README, a
# directory that is no date). Idempotent: an existing archive is kept.
# Usage: testdata/generate_archive.sh OUTDIR
set -euo pipefail
out=${1:?usage: generate_archive.sh OUTDIR}
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
[ -e "$out/.done" ] && exit 0

# movie DIR NAME HUE [ffmpeg args...]: a 2.002 s (60-frame) ProRes movie, its picture
# turned by HUE degrees so every movie differs.
movie() {
  local dir=$1 name=$2 hue=$3; shift 3
  mkdir -p "$out/$dir"
  ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=160x90:rate=30000/1001" \
    -frames:v 60 -vf "hue=h=$hue" -c:v prores_ks -profile:v 2 "$@" -f mov "$out/$dir/.tmp.$name"
  mv "$out/$dir/.tmp.$name" "$out/$dir/$name"
  (cd "$out/$dir" && md5sum "$name" > "$name.md5")
}

movie 2016/11/12 CAMHDA301-20161112T210000Z.mov 0
movie 2016/11/12 CAMHDA301-20161112T235959Z.mov 40
movie 2016/11/13 CAMHDA301-20161113T030000Z.mov 80
movie 2016/11/13 CAMHDA301-20161113T090000Z.mov 120
movie 2016/11/15 CAMHDA301-20161115T000000Z.mov 160
movie 2017/01/01 CAMHDA301-20170101T000000.mov 200
movie 2017/01/01 untimed.mov 240 -metadata creation_time=2017-01-01T03:00:00Z
# Malformed: a QuickTime head and no moov.
printf '\0\0\0\x14ftypqt  \0\0\0\0qt  \0\0\0\x10mdatgarbage!' > "$out/2016/11/13/CAMHDA301-20161113T060000Z.mov"
(cd "$out/2016/11/13" && md5sum CAMHDA301-20161113T060000Z.mov > CAMHDA301-20161113T060000Z.mov.md5)
echo "not a movie" > "$out/README.txt"
movie misc CAMHDA301-20161113T120000Z.mov 280
touch "$out/.done"
