#!/usr/bin/env bash
# Build the example firmware, run it on an emulated Cortex-M4F (qemu-system-arm, mps2-an386)
# and check that everything it prints equals what the host `lazyqt info --json` and
# `lazyqt samples --json` say of the same movie, that its call graph has no cycle (no
# recursion) and no allocator is linked; then print its flash, RAM, stack and instruction
# counts (embedded/check.py). Exits non-zero on any disagreement or failure.
#
# usage: embedded/run.sh [--frames N]     (default: CamHD's 25,000 frames)
#
# Needs qemu-system-arm and llvm (scripts/install-deps.sh) and the thumbv7em-none-eabihf
# Rust target. The movie is synthesized (benches' make_camhd --tables-only): a sparse
# 14 GB file whose samples are a hole; only its head and moov reach the firmware's flash.
set -euo pipefail
cd "$(dirname "$0")/.."

frames=25000
while [ $# -gt 0 ]; do
  case "$1" in
    --frames) frames="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Host side: the CLI and the movie writer, from the main workspace.
cargo build -q -p lazyqt-cli -p lazyqt-benches --bin lazyqt --bin make_camhd
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
movie="$work/camhd.mov"
"$target/debug/make_camhd" "$movie" --frames "$frames" --tables-only
"$target/debug/lazyqt" info --json "$movie" >"$work/info.json"
"$target/debug/lazyqt" samples --json "$movie" >"$work/samples.jsonl"

# Firmware side: its own workspace, target and runner (embedded/.cargo/config.toml).
cd embedded
export LAZYQT_EMBEDDED_MOVIE="$movie"
cargo fmt -- --check
cargo clippy -q --release -- -D warnings
cargo build -q --release
elf=target/thumbv7em-none-eabihf/release/lazyqt-embedded
status=0
timeout 120 cargo run -q --release >"$work/firmware.jsonl" || status=$?
if [ "$status" -ne 0 ]; then
  cat "$work/firmware.jsonl" >&2
  echo "embedded: the firmware exited with status $status under QEMU" >&2
  exit 1
fi
llvm-nm -C --print-size --size-sort "$elf" >"$work/symbols.txt"
llvm-size -A "$elf" >"$work/sections.txt"
llvm-objdump -d -C --no-show-raw-insn "$elf" >"$work/disasm.txt"
python3 check.py "$work/firmware.jsonl" "$work/info.json" "$work/samples.jsonl" \
  "$work/symbols.txt" "$work/sections.txt" "$work/disasm.txt"
