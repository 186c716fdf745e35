#!/usr/bin/env bash
# Leak and memory-error check: runs every lazyqt-decode test binary under valgrind.
# Fails (exit 99) on any definite or indirect leak, invalid read/write or use after free.
# Usage: adapters/decode/tests/valgrind.sh [TEST FILTER]      (needs valgrind and jq)
set -euo pipefail
cd "$(dirname "$0")/../../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
bash testdata/generate.sh
bins=$(cargo test -p lazyqt-decode --no-run --message-format=json 2>/dev/null |
  jq -r 'select(.reason == "compiler-artifact" and .profile.test == true) | .executable // empty')
for bin in $bins; do
  echo "== valgrind $(basename "$bin")"
  valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "$bin" --test-threads=1 "$@"
done
echo "valgrind: no leaks, no memory errors"
