#!/usr/bin/env bash
# Build lazyqt's C library (release) and install it under PREFIX:
#   PREFIX/lib/liblazyqt.so.VERSION, with the links liblazyqt.so.ABI (its SONAME: 0.MINOR
#   while the version is 0.x) and liblazyqt.so; PREFIX/lib/liblazyqt.a; PREFIX/include/lazyqt.h;
#   PREFIX/lib/pkgconfig/lazyqt.pc (from lazyqt.pc.in); PREFIX/lib/cmake/lazyqt/ (a CMake
#   package with the imported targets lazyqt::lazyqt and lazyqt::lazyqt_static).
# Usage: adapters/capi/install.sh PREFIX
# Then: PKG_CONFIG_PATH=PREFIX/lib/pkgconfig cc app.c $(pkg-config --cflags --libs lazyqt)
#   or, with CMake: find_package(lazyqt REQUIRED) with CMAKE_PREFIX_PATH=PREFIX.
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

abi=$(sed -E 's/^0\.([0-9]+)\..*/0.\1/; t; s/^([0-9]+)\..*/\1/' <<<"$version")
soname=$(readelf -d "$target/release/liblazyqt.so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
if [ "$soname" != "liblazyqt.so.$abi" ]; then
  echo "install.sh: liblazyqt.so has SONAME '$soname', expected liblazyqt.so.$abi" >&2
  exit 1
fi

install -d "$prefix/lib/pkgconfig" "$prefix/lib/cmake/lazyqt" "$prefix/include"
install -m 0755 "$target/release/liblazyqt.so" "$prefix/lib/liblazyqt.so.$version"
ln -sfn "liblazyqt.so.$version" "$prefix/lib/$soname"
ln -sfn "$soname" "$prefix/lib/liblazyqt.so"
install -m 0644 "$target/release/liblazyqt.a" "$prefix/lib/"
install -m 0644 include/lazyqt.h "$prefix/include/"
fill() { sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" -e "s|@SONAME@|$soname|g" -e "s|@ABI@|$abi|g" "$1"; }
fill lazyqt.pc.in > "$prefix/lib/pkgconfig/lazyqt.pc"
fill lazyqtConfig.cmake.in > "$prefix/lib/cmake/lazyqt/lazyqtConfig.cmake"
fill lazyqtConfigVersion.cmake.in > "$prefix/lib/cmake/lazyqt/lazyqtConfigVersion.cmake"
echo "installed lazyqt $version ($soname) under $prefix"
