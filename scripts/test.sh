#!/usr/bin/env bash
# The whole test suite: formatting, lints, the no_std build for a Cortex-M target, every
# crate's tests (which generate their media with the ffmpeg CLI), the example firmware on an
# emulated Cortex-M4F, and the checks of the C ABI.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "no_std core for thumbv7em-none-eabihf"
if rustup target list --installed 2>/dev/null | grep -q thumbv7em-none-eabihf; then
  cargo build -p lazyqt-core --target thumbv7em-none-eabihf
else
  echo "SKIPPED: thumbv7em-none-eabihf is not installed (run: rustup target add thumbv7em-none-eabihf)"
fi
# The core must not mention std or alloc.
if grep -rnE '\b(extern crate (std|alloc)|use (std|alloc)::)' core/src; then
  echo "core/ uses std or alloc" >&2
  exit 1
fi

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --workspace

step "embedded example firmware under qemu-system-arm (embedded/run.sh)"
if rustup target list --installed 2>/dev/null | grep -q thumbv7em-none-eabihf; then
  embedded/run.sh
else
  echo "SKIPPED: thumbv7em-none-eabihf is not installed (run: rustup target add thumbv7em-none-eabihf)"
fi

step "Python package (pip install ./python, pytest)"
python/test.sh
