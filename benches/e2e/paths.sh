# Sourced (not run) by every e2e script: where the repository and its release binaries are,
# and one way to build them. Sets: repo target. Defines: build_release ARGS... (a release
# `cargo build` of ARGS in the repository, skipped when SKIP_BUILD is set).
# shellcheck shell=bash

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Binaries: the repo's target/ unless CARGO_TARGET_DIR says otherwise.
target=${CARGO_TARGET_DIR:-$repo/target}
case $target in /*) ;; *) target=$repo/$target ;; esac

build_release() {
  [ -n "${SKIP_BUILD:-}" ] || (cd "$repo" && cargo build --release "$@") >&2
}
