#!/usr/bin/env bash
# Regenerate include/lazyqt.h from the sources with cbindgen (cbindgen.toml), through the
# header test so no cbindgen binary is needed: it rewrites the file, then checks it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
LAZYQT_UPDATE_HEADER=1 cargo test --quiet -p lazyqt-capi --test header
echo "wrote $here/include/lazyqt.h"
