#!/usr/bin/env bash
# Install the system packages lazyqt builds and tests with (Debian 12 / bookworm names),
# skipping those already present. Needs root (or sudo) only when something is missing.
set -euo pipefail
packages=(ffmpeg libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev
          libavfilter-dev libavdevice-dev pkg-config clang libclang-dev nginx valgrind
          python3-venv python3-dev cmake qemu-system-arm llvm curl openssl
          chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
