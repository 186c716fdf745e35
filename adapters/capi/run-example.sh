#!/usr/bin/env bash
# Build and install the C library (release) into a temporary prefix, compile
# examples/example.c against the installed header and library through pkg-config and
# through the CMake package, run it on generated movies, then run it under valgrind: definite
# or indirect leaks and invalid accesses fail ("still reachable" blocks of FFmpeg and the Rust
# runtime do not).
# Usage: adapters/capi/run-example.sh   (needs cargo, cc, pkg-config, cmake, valgrind, ffmpeg)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for tool in cargo cc pkg-config cmake valgrind ffmpeg; do
  command -v "$tool" >/dev/null || { echo "run-example.sh: $tool is not installed" >&2; exit 1; }
done

bash "$root/testdata/generate.sh"
movies=$root/testdata/generated
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$here/install.sh" "$tmp/prefix"
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$tmp/prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "== the header alone compiles as C99 and as C++"
cflags=$(pkg-config --cflags lazyqt)
# shellcheck disable=SC2086
echo '#include <lazyqt.h>' | cc -std=c99 -Wall -Wextra -Werror -pedantic $cflags -fsyntax-only -x c -
# shellcheck disable=SC2086
echo '#include <lazyqt.h>' | c++ -Wall -Wextra -Werror $cflags -fsyntax-only -x c++ -

echo "== build examples/example.c with pkg-config --cflags --libs lazyqt"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -pedantic -g -o "$tmp/example" "$here/examples/example.c" \
  $(pkg-config --cflags --libs lazyqt)

echo "== the program records the library's SONAME, not its file name"
soname=$(readelf -d "$tmp/prefix/lib/liblazyqt.so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
readelf -d "$tmp/example" | grep -q "Shared library: \[$soname\]" || {
  readelf -d "$tmp/example" >&2
  echo "example does not need $soname" >&2
  exit 1
}

png_ok() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }

for movie in prores2.mov h264_bframes.mp4; do
  echo "== example $movie"
  "$tmp/example" "$movies/$movie" "$tmp/$movie.png" 5
  png_ok "$tmp/$movie.png" || { echo "$tmp/$movie.png is not a PNG" >&2; exit 1; }
done

echo "== the same example linked statically (liblazyqt.a, Libs.private)"
# shellcheck disable=SC2046
cc -std=c99 -o "$tmp/example-static" "$here/examples/example.c" $(pkg-config --cflags lazyqt) \
  -Wl,-Bstatic -llazyqt -Wl,-Bdynamic $(pkg-config --static --libs lazyqt | sed 's/-llazyqt//')
if ldd "$tmp/example-static" | grep -q liblazyqt; then
  echo "example-static links liblazyqt.so" >&2
  exit 1
fi
LD_LIBRARY_PATH='' "$tmp/example-static" "$movies/prores2.mov" "$tmp/static.png" 1 >/dev/null
png_ok "$tmp/static.png" || { echo "the static example wrote no PNG" >&2; exit 1; }

echo "== the same example built with CMake: find_package(lazyqt), shared and static targets"
mkdir -p "$tmp/cmake-src"
abi=$(pkg-config --modversion lazyqt | cut -d. -f1,2)
cat >"$tmp/cmake-src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(lazyqt_example C)
find_package(lazyqt $abi REQUIRED)
add_executable(example_shared "$here/examples/example.c")
target_link_libraries(example_shared PRIVATE lazyqt::lazyqt)
add_executable(example_static "$here/examples/example.c")
target_link_libraries(example_static PRIVATE lazyqt::lazyqt_static)
CMAKE
cmake -S "$tmp/cmake-src" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >"$tmp/cmake.log" 2>&1 ||
  { cat "$tmp/cmake.log" >&2; exit 1; }
cmake --build "$tmp/cmake-build" >>"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log" >&2; exit 1; }
"$tmp/cmake-build/example_shared" "$movies/prores2.mov" "$tmp/cmake-shared.png" 2 >/dev/null
LD_LIBRARY_PATH='' "$tmp/cmake-build/example_static" "$movies/prores2.mov" "$tmp/cmake-static.png" 2 >/dev/null
png_ok "$tmp/cmake-shared.png" && png_ok "$tmp/cmake-static.png" || { echo "CMake examples wrote no PNG" >&2; exit 1; }
if ldd "$tmp/cmake-build/example_static" | grep -q liblazyqt; then
  echo "example_static links liblazyqt.so" >&2
  exit 1
fi
# While the version is 0.x, another minor is another ABI: the minors around ours are refused.
major=${abi%.*} minor=${abi#*.}
wrong=("$major.$((minor + 1))")
[ "$minor" -gt 0 ] && wrong+=("$major.$((minor - 1))")
for wanted in "${wrong[@]}"; do
  mkdir -p "$tmp/cmake-$wanted"
  sed "s/find_package(lazyqt $abi REQUIRED)/find_package(lazyqt $wanted REQUIRED)/" \
    "$tmp/cmake-src/CMakeLists.txt" >"$tmp/cmake-$wanted/CMakeLists.txt"
  if cmake -S "$tmp/cmake-$wanted" -B "$tmp/cmake-$wanted/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
       >/dev/null 2>&1; then
    echo "find_package(lazyqt $wanted) accepted the installed lazyqt" >&2
    exit 1
  fi
done

vg=(valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --error-exitcode=1)

echo "== control: valgrind catches a leaked handle (the example without lazyqt_close)"
sed 's/^    lazyqt_close(m);$/    (void)m;/' "$here/examples/example.c" > "$tmp/leak.c"
grep -q lazyqt_close "$tmp/leak.c" && { echo "could not remove lazyqt_close" >&2; exit 1; }
# shellcheck disable=SC2046
cc -std=c99 -g -o "$tmp/leak" "$tmp/leak.c" $(pkg-config --cflags --libs lazyqt)
if "${vg[@]}" "$tmp/leak" "$movies/prores2.mov" "$tmp/leak.png" 1 >/dev/null 2>"$tmp/leak.log"; then
  echo "valgrind did not report the leaked handle" >&2
  exit 1
fi
grep -q "definitely lost" "$tmp/leak.log" || { cat "$tmp/leak.log" >&2; exit 1; }

echo "== example under valgrind"
"${vg[@]}" "$tmp/example" "$movies/prores2.mov" "$tmp/valgrind.png" 7
png_ok "$tmp/valgrind.png" || { echo "valgrind run wrote no PNG" >&2; exit 1; }
echo "run-example.sh: OK (example clean under valgrind)"
