#!/usr/bin/env bash
# Build lazyqt's C library (release) and install it under PREFIX:
#   PREFIX/lib/liblazyqt.so, PREFIX/lib/liblazyqt.a, PREFIX/include/lazyqt.h,
#   PREFIX/lib/pkgconfig/lazyqt.pc (from lazyqt.pc.in).
# Usage: adapters/capi/install.sh PREFIX
# Then: PKG_CONFIG_PATH=PREFIX/lib/pkgconfig cc app.c $(pkg-config --cflags --libs lazyqt)
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 PREFIX" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
prefix=$(cd "$1" && pwd)
cd "$here"

cargo build --release --quiet -p lazyqt-capi
target=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')}
[ -n "$target" ] || target=$here/../../target
version=$(cargo pkgid -p lazyqt-capi | sed 's/.*[#@]//')

install -d "$prefix/lib/pkgconfig" "$prefix/include"
install -m 0755 "$target/release/liblazyqt.so" "$prefix/lib/"
install -m 0644 "$target/release/liblazyqt.a" "$prefix/lib/"
install -m 0644 include/lazyqt.h "$prefix/include/"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" lazyqt.pc.in > "$prefix/lib/pkgconfig/lazyqt.pc"
echo "installed lazyqt $version under $prefix"
