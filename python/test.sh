#!/usr/bin/env bash
# Install the Python package into a fresh virtualenv (building the C library with cargo) and
# run its pytest suite. Exits non-zero on any failure, including "no tests collected".
# Usage: python/test.sh [PYTEST ARGS...]   (needs python3 with venv, cargo, ffmpeg, openssl,
# chromium and chromedriver)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The loopback test server the fixtures start (tests/conftest.py reads LAZYQT_TESTSERVER) and
# the `lazyqt` CLI that tests/test_nginx_recipe.py and the viewer's browser tests serve with
# (LAZYQT_CLI).
if [ -z "${LAZYQT_TESTSERVER:-}" ] || [ -z "${LAZYQT_CLI:-}" ]; then
  (cd "$here/.." && cargo build --quiet -p lazyqt-testserver -p lazyqt-cli)
  target=$(cd "$here/.." && cargo metadata --format-version 1 --no-deps |
    "$python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  export LAZYQT_TESTSERVER=${LAZYQT_TESTSERVER:-$target/debug/lazyqt-testserver}
  export LAZYQT_CLI=${LAZYQT_CLI:-$target/debug/lazyqt}
fi

"$python" -m venv "$tmp/venv"
venv_python=$tmp/venv/bin/python
"$venv_python" -m pip install --quiet "$here[test]"
# Run from outside the source tree so the installed package (with its bundled library) is
# the one imported, not python/lazyqt.
cd "$tmp"
status=0
"$venv_python" -m pytest -p no:cacheprovider "$here/tests" "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "python/test.sh: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
