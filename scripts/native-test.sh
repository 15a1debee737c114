#!/usr/bin/env bash
# Builds the native GoogleTest suite (without cmake-js) and runs it through ctest.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-tests"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTCGATE_TESTS=ON >/dev/null
ninja -C "$build" -j"$(nproc)" rtcgate_native_tests
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
