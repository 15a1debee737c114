#!/usr/bin/env bash
# Builds the native micro-benchmarks (bench/native/*.cpp, Release) in build-bench and runs them:
# codec_bench (each codec operation, wrapper vs bare library) and pipeline_bench (relay per
# packet, transcoding per 20 ms frame, pipeline vs bare). Prints Markdown on stdout.
#
#   bash bench/run-native.sh [runs] [frames] [packets]     # defaults 15 500 5000
#
# Both are single-threaded and meant for a quiet machine: the header shows the load average
# before and after, so a busy run can be recognised (and compare the "min" columns then).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-bench"
runs="${1:-15}"
frames="${2:-500}"
packets="${3:-5000}"

# pipeline_bench reuses session/testing/BrowserHarness.hpp (GoogleTest macros): the CMake
# RTCGATE_BENCH block links GTest into every bench.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRTCGATE_BENCH=ON >/dev/null
ninja -C "$build" -j"$(nproc)" codec_bench pipeline_bench >&2

echo "# Native micro-benchmarks"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)," \
  "$(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## codec_bench"
echo
"$build/codec_bench" "$runs" "$frames"
echo
echo "## pipeline_bench"
echo
"$build/pipeline_bench" "$runs" "$frames" "$packets"
